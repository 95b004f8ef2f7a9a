package dev.strata.platform.core.deployment;

import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provisioning providers that are running, by provider id. A provider that departs (its
 * bundle updated or removed) leaves; the deployments it serves wait for it to return (their
 * operations are resumed by id on the new version). Thread-safe.
 */
public final class ProvisioningProviders {

    /** Per provider id, every registration still present, by service id; the newest (highest) serves. */
    private final Map<String, NavigableMap<Long, ProvisioningProvider>> byId = new ConcurrentHashMap<>();

    /**
     * Adds (or replaces) the provider with an id.
     *
     * @param serviceId distinguishes registrations of one id (a newer version registering before the older one leaves)
     */
    public void add(String providerId, long serviceId, ProvisioningProvider provider) {
        byId.compute(providerId, (id, held) -> {
            NavigableMap<Long, ProvisioningProvider> next = held == null ? new TreeMap<>() : new TreeMap<>(held);
            next.put(serviceId, provider);
            return next;
        });
    }

    /** Removes the provider registered under {@code serviceId}; another registration of the same id (newer or older) stays and serves. */
    public void remove(String providerId, long serviceId) {
        byId.computeIfPresent(providerId, (id, held) -> {
            NavigableMap<Long, ProvisioningProvider> next = new TreeMap<>(held);
            next.remove(serviceId);
            return next.isEmpty() ? null : next;
        });
    }

    public Optional<ProvisioningProvider> get(String providerId) {
        NavigableMap<Long, ProvisioningProvider> held = byId.get(providerId);
        return held == null ? Optional.empty() : Optional.of(held.lastEntry().getValue());
    }

    /** Every provider running now, by id. */
    public Map<String, ProvisioningProvider> all() {
        Map<String, ProvisioningProvider> out = new TreeMap<>();
        byId.forEach((id, held) -> out.put(id, held.lastEntry().getValue()));
        return out;
    }
}
