package dev.strata.platform.core.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A tenant.
 *
 * @param id its id, as contracts name it
 * @param name a display name
 * @param createdAt when it was first stored (set by the store)
 * @param attributes free-form attributes (quotas, contacts, ...)
 */
public record Tenant(String id, String name, Instant createdAt, Map<String, String> attributes) {
    public Tenant {
        Objects.requireNonNull(id, "id");
        name = name == null ? id : name;
        attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
    }
}
