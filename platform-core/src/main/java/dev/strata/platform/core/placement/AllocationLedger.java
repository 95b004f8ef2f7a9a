package dev.strata.platform.core.placement;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.ReleaseGuard;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The allocation ledger: what is reserved, by whom. Every change bumps the generation; a commit
 * names the generation it was decided on and is refused when another change came first, so two
 * deciders can never book the same capacity. Implementations are thread-safe; the in-memory one
 * is {@link InMemoryLedger}, and a database-backed one needs only these operations (the change
 * log is optional: without it, deciders rebuild their view from {@link #snapshot()}).
 *
 * <p>A durable ledger ({@link StoreLedger}) takes a change at once into the view deciders work on
 * and makes it durable behind them: {@link #submit} and {@link #submitRelease} return as soon as
 * the change is ordered, with a future that completes when it is durable; the caller acknowledges
 * nothing before that. Reads ({@link #all()}, {@link #get}) show only durable changes.
 */
interface AllocationLedger {

    /** A commit decided on an older generation. */
    final class StaleGenerationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleGenerationException(long expected, long actual) {
            super("ledger moved from generation " + expected + " to " + actual + " while deciding");
        }
    }

    /**
     * One change, as the ledger recorded it.
     *
     * @param generation the generation the change produced
     * @param allocation what was added or removed
     * @param released true when it was removed
     */
    record Change(long generation, Allocation allocation, boolean released) {
    }

    /**
     * The ledger at one generation.
     *
     * @param generation the generation
     * @param allocations every allocation held then, oldest first
     */
    record Snapshot(long generation, List<Allocation> allocations) {
        public Snapshot {
            allocations = List.copyOf(allocations);
        }
    }

    /**
     * Why a commit is made: the contract as submitted and the provenance record written in the
     * same transaction (both null for a ledger that keeps neither), and the deployment it places
     * for (null when none), kept with the allocation.
     */
    record Intent(Contract contract, ProvenanceEntry why, String deploymentId) {
    }

    /**
     * A change ordered in the ledger.
     *
     * @param generation the generation it produced
     * @param value what was added or removed
     * @param durable completes when the change is durable; fails when it did not become durable
     *     (then the ledger forgets it, and the generation it produced is never reused)
     */
    record Pending<T>(long generation, T value, CompletableFuture<?> durable) {
    }

    long generation();

    /**
     * Whether other instances change this ledger too (PostgreSQL with {@code highAvailability =
     * false}): a commit may then be refused for a change this instance never saw. False for a
     * ledger that only this instance changes.
     */
    default boolean sharedWriters() {
        return false;
    }

    /** Refuses (throws) when this ledger may not change here, e.g. on an instance that is not the leader. */
    default void requireWritable() {
    }

    /**
     * Adds an allocation if the ledger is at {@code expectedGeneration}, durably unless the ledger
     * is kept in memory only.
     *
     * @throws StaleGenerationException when it is not
     */
    default Pending<Allocation> submit(long expectedGeneration, Allocation allocation, Intent intent) {
        return new Pending<>(commit(expectedGeneration, allocation), allocation, CompletableFuture.completedFuture(null));
    }

    /**
     * Removes an allocation, durably unless the ledger is kept in memory only. A ledger that keeps
     * deployments with it ({@link StoreLedger}) checks {@code guard} in the release's own
     * transaction; one kept in memory knows no deployments and ignores it.
     *
     * @param actor who asked, for the provenance record
     * @param guard which deployments may hold it; the durability future fails with a
     *     {@link dev.strata.platform.api.exception.ConflictException} when one holds it that the guard does not allow
     */
    default Pending<Allocation> submitRelease(String id, String actor, ReleaseGuard guard) {
        Allocation removed = release(id);
        return new Pending<>(generation(), removed, CompletableFuture.completedFuture(null));
    }

    /**
     * Refuses a release that {@code guard} would refuse now, before it changes anything: a first
     * look, not atomic with the release (whose own check is). A ledger that knows no deployments
     * has nothing to look at.
     *
     * @throws dev.strata.platform.api.exception.ConflictException naming the deployment that holds it
     */
    default void checkRelease(String id, ReleaseGuard guard) {
    }

    /**
     * The tenants a deployment id belongs to: the deployment's stored under it, and those of the
     * allocations placed for it (a deployment being made); empty for an id nothing names, and in a
     * ledger that knows no deployments.
     */
    default java.util.Set<String> deploymentTenants(String deploymentId) {
        return java.util.Set.of();
    }

    /**
     * Submits a change of what placements are held to (a tenant's quota), written by {@code change}
     * in a transaction that moves the ledger's generation: a commit decided before it is refused
     * and decided again, also one ordered after it in a write pipeline behind another commit that
     * is refused. A ledger kept in memory has no such changes and only runs it.
     *
     * @return {@code change}'s future
     */
    default <T> CompletableFuture<T> holding(java.util.function.Supplier<CompletableFuture<T>> change) {
        return change.get();
    }

    /** Appends a provenance record on its own (a dry run); a ledger without a log ignores it. */
    default CompletableFuture<?> record(ProvenanceEntry entry) {
        return CompletableFuture.completedFuture(null);
    }

    /** A new allocation id, never given out before. */
    String nextId();

    /**
     * Adds an allocation if the ledger is still at {@code expectedGeneration}.
     *
     * @return the new generation
     * @throws StaleGenerationException when it is not
     */
    long commit(long expectedGeneration, Allocation allocation);

    /**
     * Removes an allocation.
     *
     * @return what was removed
     * @throws dev.strata.platform.api.exception.NotFoundException naming the known ids when there is no such allocation
     */
    Allocation release(String id);

    /** Every allocation, oldest first. */
    List<Allocation> all();

    Optional<Allocation> get(String id);

    /** The generation and the allocations at it, read together. */
    Snapshot snapshot();

    /**
     * The changes after generation {@code since}, oldest first, up to the current generation; empty
     * when the ledger no longer remembers that far back (the caller reads a {@link #snapshot()} instead).
     */
    default Optional<List<Change>> changesSince(long since) {
        return Optional.empty();
    }
}
