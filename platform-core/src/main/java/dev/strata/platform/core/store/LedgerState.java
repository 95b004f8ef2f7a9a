package dev.strata.platform.core.store;

import dev.strata.platform.api.placement.Allocation;
import java.util.List;

/**
 * The ledger as one transaction saw it.
 *
 * @param generation the generation
 * @param allocations every allocation, oldest first
 */
public record LedgerState(long generation, List<Allocation> allocations) {
    public LedgerState {
        allocations = List.copyOf(allocations);
    }
}
