package dev.strata.platform.core.store;

import dev.strata.platform.api.placement.Allocation;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The durable allocation ledger: allocations with their bindings, and a generation that every
 * change increments. A commit names the generation its decision was based on and is refused by
 * the database when the ledger moved since (one conditional update of the generation row inside
 * the commit's transaction), so two deciders, in one process or in several sharing PostgreSQL,
 * never book the same capacity.
 *
 * <p>Commits are pipelined: a decider may submit commit k+1 (expecting the generation commit k
 * will produce) before commit k is durable; they are applied in submission order, and if k is
 * refused, k+1 is refused too (its expected generation is never reached), as long as no other
 * instance writes ({@link Leadership#exclusive()}). Where others write, another instance's change
 * can make the generation k would have made, and k+1 would be stored on top of it: there a caller
 * submits k+1 only once k is durable.
 */
public interface LedgerStore {

    /** The generation and every allocation, read in one transaction, oldest first. */
    LedgerState load();

    /** The current generation (committed). */
    long generation();

    /** One allocation. */
    Optional<Allocation> get(String id);

    /**
     * A new allocation id ({@code a-000042}), unique across every instance sharing the database;
     * ids are not contiguous.
     */
    String nextId();

    /**
     * Adds an allocation if the ledger is at {@code expectedGeneration}.
     *
     * @param contractId the stored contract it places ({@link ContractStore}), or null
     * @param why the provenance record appended with it, or null
     * @return completes when durable with the new generation; fails with
     *     {@link StaleLedgerException} when the ledger moved, nothing written
     */
    CompletableFuture<LedgerChange> commit(long expectedGeneration, Allocation allocation, String contractId, ProvenanceEntry why);

    /**
     * Adds an allocation if the ledger is at {@code expectedGeneration}, with the contract it
     * places stored as submitted (id {@code c-} and the allocation's id) and the provenance record,
     * all in one transaction.
     *
     * @param deploymentId the deployment it places for, stored after it (kept with the allocation), or null
     * @return as {@link #commit(long, Allocation, String, ProvenanceEntry)}
     */
    CompletableFuture<LedgerChange> commitPlacement(long expectedGeneration, Allocation allocation, NewContract contract, ProvenanceEntry why,
            String deploymentId);

    /**
     * The allocations placed for a deployment that is not stored, by allocation id (oldest first),
     * with the deployment's id: what an instance that stopped between placing a deployment and
     * storing it left, or one deploying right now.
     */
    java.util.SortedMap<String, String> placedForMissingDeployments();

    /**
     * The tenants a deployment id belongs to: the tenant of the deployment stored under it, and those
     * of the allocations placed for it (a deployment being made, or never stored); empty for an id
     * nothing names.
     */
    java.util.Set<String> deploymentTenants(String deploymentId);

    /**
     * Removes an allocation (any generation) if the deployments holding it allow it: the
     * deployments are read in the release's own transaction, after every write before it, so no
     * deployment is stored between the check and the release.
     *
     * @param guard who may hold it
     * @param why the provenance record appended with it, or null; a forced release that overrides
     *     holders has them added to its payload ({@code heldBy})
     * @return completes when durable; fails with {@link StoreRefusedException}, nothing written,
     *     with a {@link dev.strata.platform.api.exception.NotFoundException} as its cause when there
     *     is no such allocation, or a {@link dev.strata.platform.api.exception.ConflictException}
     *     naming the deployment when one holds it that {@code guard} does not allow
     */
    CompletableFuture<LedgerChange> release(String id, ReleaseGuard guard, ProvenanceEntry why);

    /**
     * Why {@link #release} would refuse an allocation under {@code guard} if it ran now: the
     * deployment holding it, read in a transaction of its own. A first look, so that a refusal
     * changes nothing and waits for no write; only the release's own check is atomic with it.
     *
     * @param allocation the allocation, as the caller knows it (its id and contract name the message)
     * @return the refusal's message, or empty when no holder is in the way (or {@code guard} is forced)
     */
    Optional<String> releaseRefusal(Allocation allocation, ReleaseGuard guard);
}
