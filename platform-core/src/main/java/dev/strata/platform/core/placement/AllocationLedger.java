package dev.strata.platform.core.placement;

import dev.strata.platform.api.placement.Allocation;
import java.util.List;
import java.util.Optional;

/**
 * The allocation ledger: what is reserved, by whom. Every change bumps the generation; a commit
 * names the generation it was decided on and is refused when another change came first, so two
 * deciders can never book the same capacity. Implementations are thread-safe; the in-memory one
 * is {@link InMemoryLedger}, and a database-backed one needs only these operations (the change
 * log is optional: without it, deciders rebuild their view from {@link #snapshot()}).
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

    long generation();

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
