package dev.strata.platform.api.placement;

import dev.strata.platform.api.contract.Contract;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Places contracts on the inventory and keeps the allocation ledger. Offered by the core;
 * thread-safe. Concurrent placements never double-book: each decides on a snapshot of the
 * ledger and commits only if the ledger has not changed since, else decides again.
 */
@ProviderType
public interface Placement {

    /**
     * Decides where a contract goes; unless {@code dryRun}, reserves it in the ledger.
     *
     * @param contract the contract
     * @param dryRun decide and explain without changing anything
     * @return the decision, placed or not, with its evidence and counted rejections
     */
    PlacementDecision place(Contract contract, boolean dryRun);

    /** Every allocation in the ledger, oldest first. */
    List<Allocation> allocations();

    /** One allocation. */
    Optional<Allocation> allocation(String id);

    /**
     * Frees an allocation.
     *
     * @return what was freed
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such allocation
     */
    Allocation release(String id);
}
