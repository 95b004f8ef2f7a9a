package dev.strata.platform.core.deployment;

import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provisioning providers that are running, by provider id. A provider that departs (its
 * bundle updated or removed) leaves; the deployments it serves wait for it to return (their
 * operations are resumed by id on the new version). Thread-safe.
 */
public final class ProvisioningProviders {

    private record Registered(long serviceId, ProvisioningProvider provider) {
    }

    private final Map<String, Registered> byId = new ConcurrentHashMap<>();

    /**
     * Adds (or replaces) the provider with an id.
     *
     * @param serviceId distinguishes registrations of one id (a newer version registering before the older one leaves)
     */
    public void add(String providerId, long serviceId, ProvisioningProvider provider) {
        byId.put(providerId, new Registered(serviceId, provider));
    }

    /** Removes the provider registered under {@code serviceId}; a newer registration of the same id stays. */
    public void remove(String providerId, long serviceId) {
        byId.computeIfPresent(providerId, (id, r) -> r.serviceId() == serviceId ? null : r);
    }

    public Optional<ProvisioningProvider> get(String providerId) {
        Registered r = byId.get(providerId);
        return r == null ? Optional.empty() : Optional.of(r.provider());
    }

    /** Every provider running now, by id. */
    public Map<String, ProvisioningProvider> all() {
        Map<String, ProvisioningProvider> out = new TreeMap<>();
        byId.forEach((id, r) -> out.put(id, r.provider()));
        return out;
    }
}
