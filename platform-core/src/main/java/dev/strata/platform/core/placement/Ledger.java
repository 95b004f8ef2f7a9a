package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The allocation ledger: what is reserved, by whom. Every change bumps the generation; a commit
 * names the generation it was decided on and is refused when another change came first, so two
 * deciders can never book the same capacity. Thread-safe. Held in memory for now; the state
 * store that persists it comes with the provisioning work.
 */
final class Ledger {

    /** A commit decided on an older generation. */
    static final class StaleGenerationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleGenerationException(long expected, long actual) {
            super("ledger moved from generation " + expected + " to " + actual + " while deciding");
        }
    }

    private final Map<String, Allocation> allocations = new LinkedHashMap<>();
    private long generation;
    private long sequence;

    synchronized long generation() {
        return generation;
    }

    /** A new allocation id: {@code a-000042}. */
    synchronized String nextId() {
        return String.format("a-%06d", ++sequence);
    }

    /**
     * Adds an allocation if the ledger is still at {@code expectedGeneration}.
     *
     * @return the new generation
     * @throws StaleGenerationException when it is not
     */
    synchronized long commit(long expectedGeneration, Allocation allocation) {
        if (generation != expectedGeneration) {
            throw new StaleGenerationException(expectedGeneration, generation);
        }
        if (allocations.putIfAbsent(allocation.id(), allocation) != null) {
            throw new IllegalStateException("allocation " + allocation.id() + " exists already");
        }
        return ++generation;
    }

    /**
     * Removes an allocation.
     *
     * @throws NotFoundException naming the known ids when there is no such allocation
     */
    synchronized Allocation release(String id) {
        Allocation removed = allocations.remove(id);
        if (removed == null) {
            throw new NotFoundException("no allocation '" + id + "'" + (allocations.isEmpty() ? "; the ledger is empty"
                    : "; allocations: " + String.join(", ", allocations.keySet())));
        }
        generation++;
        return removed;
    }

    synchronized List<Allocation> all() {
        return new ArrayList<>(allocations.values());
    }

    synchronized Optional<Allocation> get(String id) {
        return Optional.ofNullable(allocations.get(id));
    }
}
