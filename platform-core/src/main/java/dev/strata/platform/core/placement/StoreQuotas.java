package dev.strata.platform.core.placement;

import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.Tenant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The tenant quotas in the state store: read at every decision (so a change made on any instance
 * holds the next decision of every instance), and set with the provenance record that says who set
 * them, in one transaction of the store. Thread-safe.
 */
final class StoreQuotas implements Supplier<TenantQuotas> {

    private final StateStore store;

    StoreQuotas(StateStore store) {
        this.store = store;
    }

    /** The quotas as the store holds them now. */
    @Override
    public TenantQuotas get() {
        return TenantQuotas.of(store.tenants().list());
    }

    /**
     * Replaces a tenant's quota with {@code limits} (none set: removes it), keeping the tenant
     * record's other attributes, and appends a {@code quota} record with the quota before and after.
     *
     * @throws dev.strata.platform.api.exception.NotLeaderException on a follower
     */
    void set(String tenant, TenantQuotas.Limits limits, String actor) {
        store.requireLeader();
        Optional<Tenant> before = store.tenants().get(tenant);
        Map<String, String> attributes = new TreeMap<>();
        before.ifPresent(t -> t.attributes().forEach((k, v) -> {
            if (!TenantQuotas.isQuotaAttribute(k)) {
                attributes.put(k, v);
            }
        }));
        Map<String, String> quota = TenantQuotas.attributes(limits);
        attributes.putAll(quota);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tenant", tenant);
        payload.put("action", quota.isEmpty() ? "removed" : "set");
        payload.put("quota", TenantQuotas.stated(limits));
        payload.put("before", before.map(StoreQuotas::stated).orElse(Map.of()));
        ProvenanceEntry why = ProvenanceEntry.of("quota", actor, payload, "tenant", tenant);
        try {
            store.tenants().put(new Tenant(tenant, before.map(Tenant::name).orElse(tenant), null, attributes), why).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** A tenant record's quota as a provenance record states it; its attributes as they are where they cannot be read. */
    private static Map<String, Object> stated(Tenant t) {
        TenantQuotas q = TenantQuotas.of(java.util.List.of(t));
        if (q.unreadable(t.id()).isPresent()) {
            Map<String, Object> raw = new TreeMap<>();
            t.attributes().forEach((k, v) -> {
                if (TenantQuotas.isQuotaAttribute(k)) {
                    raw.put(k, v);
                }
            });
            return raw;
        }
        return q.of(t.id()).map(TenantQuotas::stated).orElse(Map.of());
    }
}
