package dev.strata.platform.core.placement;

import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.Tenant;
import dev.strata.platform.core.store.TenantStore;
import java.util.LinkedHashMap;
import java.util.Map;
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
     * The record is read in the write's own transaction: two changes made at once (on one instance
     * or two) each name as before the quota the other left, not both the one they started from.
     *
     * @throws dev.strata.platform.api.exception.NotLeaderException on a follower
     */
    void set(String tenant, TenantQuotas.Limits limits, String actor) {
        store.requireLeader();
        Map<String, String> quota = TenantQuotas.attributes(limits);
        try {
            store.tenants().update(tenant, before -> {
                Map<String, String> attributes = new TreeMap<>();
                before.ifPresent(t -> t.attributes().forEach((k, v) -> {
                    if (!TenantQuotas.isQuotaAttribute(k)) {
                        attributes.put(k, v);
                    }
                }));
                attributes.putAll(quota);
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("tenant", tenant);
                payload.put("action", quota.isEmpty() ? "removed" : "set");
                payload.put("quota", TenantQuotas.stated(limits));
                payload.put("before", before.map(StoreQuotas::stated).orElse(Map.of()));
                ProvenanceEntry why = ProvenanceEntry.of("quota", actor, payload, "tenant", tenant);
                return new TenantStore.Change(new Tenant(tenant, before.map(Tenant::name).orElse(tenant), null, attributes), why);
            }).join();
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
