package dev.strata.platform.core.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Tenants: the parties contracts are placed for. */
public interface TenantStore {

    /**
     * Creates or updates a tenant (its name and attributes; the creation time stays).
     *
     * @param why the provenance record appended with it, or null
     */
    CompletableFuture<Tenant> put(Tenant tenant, ProvenanceEntry why);

    /**
     * Creates or changes a tenant from the tenant as the write transaction reads it (empty where
     * there is none), so that what the change says it replaced, in its provenance record, is what
     * it replaced, whatever was written just before it on this instance or another. {@code change}
     * answers the tenant to store and the record appended with it; it may be run more than once.
     */
    CompletableFuture<Tenant> update(String id, java.util.function.Function<Optional<Tenant>, Change> change);

    /**
     * As {@link #update}, for a change of what placements are held to (a tenant's quota): the same
     * transaction moves the allocation ledger's generation, so that a placement decided before the
     * change, on the limits it replaces, and committed after it is refused as decided on a ledger
     * that moved (on this instance or another) and decides again, under the new limits.
     */
    CompletableFuture<Tenant> updateHoldingPlacements(String id, java.util.function.Function<Optional<Tenant>, Change> change);

    /**
     * A tenant to store and the provenance record appended with it.
     *
     * @param tenant the tenant as it is to be stored
     * @param why the provenance record appended with it, or null
     */
    record Change(Tenant tenant, ProvenanceEntry why) {
    }

    /**
     * How many tenant writes through this store (this process's) have begun or ended. A reader
     * that sees the same count before and after reading the tenants, and no write under way
     * ({@link #writing}), read what every such write left. Writes by other processes are not
     * counted: only while this process's writes are the store's only ones (it leads, exclusively)
     * does an unchanged count mean unchanged tenants.
     */
    long changes();

    /** Whether a tenant write through this store is under way. */
    boolean writing();

    /** One tenant. */
    Optional<Tenant> get(String id);

    /** Every tenant, by id. */
    List<Tenant> list();
}
