package dev.strata.platform.core.placement;

import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.Tenant;
import dev.strata.platform.core.store.TenantStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The tenant quotas in the state store: read for every decision (so a change made on any instance
 * holds the next decision of every instance), and set with the provenance record that says who set
 * them, in one transaction of the store. Thread-safe.
 *
 * <p>While this instance leads and its writes are the store's only writes (an elected leader, or
 * the embedded store), the quotas it read are kept until a tenant is written through the store
 * ({@link dev.strata.platform.core.store.TenantStore#changes}) or its leadership changes: no one
 * else writes them then, and reading them again for every decision would cost each placement a
 * query. A follower, and every instance of a cluster whose instances all write, reads them for
 * every decision.
 */
final class StoreQuotas implements Supplier<TenantQuotas> {

    private final StateStore store;
    private final java.util.concurrent.atomic.AtomicReference<Kept> kept = new java.util.concurrent.atomic.AtomicReference<>();

    /** Quotas read while leading in {@code epoch}, with the store's tenant writes at {@code changes}. */
    private record Kept(long epoch, long changes, TenantQuotas quotas) {
    }

    StoreQuotas(StateStore store) {
        this.store = store;
    }

    /** The quotas as the store holds them now. */
    @Override
    public TenantQuotas get() {
        dev.strata.platform.core.store.Leadership leadership = store.leadership();
        long epoch = leadership.epoch();
        if (!leadership.isLeader() || !leadership.exclusive()) {
            return read();
        }
        TenantStore tenants = store.tenants();
        long before = tenants.changes();
        Kept k = kept.get();
        if (k != null && k.epoch() == epoch && k.changes() == before && !tenants.writing()) {
            return k.quotas();
        }
        TenantQuotas read = read();
        // kept only when no tenant write was under way, began or ended while reading, and the leadership it was read under still holds
        if (!tenants.writing() && tenants.changes() == before && leadership.isLeader() && leadership.epoch() == epoch) {
            kept.set(new Kept(epoch, before, read));
        }
        return read;
    }

    private TenantQuotas read() {
        return TenantQuotas.of(store.tenants().list());
    }

    /**
     * Replaces a tenant's quota with {@code limits} (none set: removes it), keeping the tenant
     * record's other attributes, and appends a {@code quota} record with the quota before and after.
     * The record is read in the write's own transaction: two changes made at once (on one instance
     * or two) each name as before the quota the other left, not both the one they started from.
     * The change moves the allocation ledger's generation in the same transaction, so that a
     * placement decided on the quota it replaces and committed after it decides again: the next
     * decision of every instance is held to it, also one that was being made while it was set.
     * Placement submits it through its ledger ({@link PlacementEngine#holding}), which must know of
     * the move when it pipelines commits, and waits for the future, which completes when the change
     * is durable.
     *
     * @throws dev.strata.platform.api.exception.NotLeaderException on a follower
     */
    java.util.concurrent.CompletableFuture<Tenant> submit(String tenant, TenantQuotas.Limits limits, String actor) {
        store.requireLeader();
        Map<String, String> quota = TenantQuotas.attributes(limits);
        return store.tenants().updateHoldingPlacements(tenant, before -> {
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
        });
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
