package dev.strata.platform.core.store;

/**
 * Everything Strata keeps across restarts, behind one interface: contracts as submitted, the
 * allocation ledger, deployments with their members and provider operations, tenants, the
 * provenance log, and the GPUs telemetry covered. Implemented on JDBC by {@link JdbcStateStore}:
 * an embedded H2 file database by default, PostgreSQL shared by several instances.
 *
 * <p><b>Writes</b> return a {@code CompletableFuture} that completes once the change is durable
 * (committed, and on the embedded store forced to disk): acknowledge nothing to a caller before
 * it completes. Writes are group-committed: many callers' changes share one transaction and one
 * disk flush, in the order they were submitted. A write may carry a {@link ProvenanceEntry}; the
 * record is appended in the same transaction, so the change and its record exist together or
 * not at all. A write is refused with {@link dev.strata.platform.api.exception.NotLeaderException}
 * on an instance that is not the leader, and with a {@link StoreRefusedException} (nothing
 * written) when its precondition fails.
 *
 * <p><b>Reads</b> see committed state; on a follower they see what the leader committed.
 * Thread-safe.
 */
public interface StateStore {

    /** What this store is: kind, location, schema version, log id. */
    StoreInfo info();

    /** The allocation ledger. */
    LedgerStore ledger();

    /** Contracts as they were submitted. */
    ContractStore contracts();

    /** Tenants. */
    TenantStore tenants();

    /** Deployments, their members and provider operations. */
    DeploymentStore deployments();

    /** The provenance log. */
    ProvenanceStore provenance();

    /** The journal providers keep of their own operations. */
    JournalStore journal();

    /** The GPUs that telemetry covered, as the commitment verifier keeps them across a restart. */
    TelemetryCoverageStore telemetryCoverage();

    /** Who may write: this instance, or the leader it names. */
    Leadership leadership();

    /**
     * Refuses when this instance may not write.
     *
     * @throws dev.strata.platform.api.exception.NotLeaderException naming the leader (id, address,
     *     since when) when this instance is a follower, or saying an election is under way
     */
    void requireLeader();
}
