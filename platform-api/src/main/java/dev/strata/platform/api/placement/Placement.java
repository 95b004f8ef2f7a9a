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

    /**
     * Places a contract for a deployment that is stored after it: as {@code place(contract, false)},
     * and the ledger keeps {@code deploymentId} with the allocation, in the same transaction. An
     * allocation whose deployment was never stored (the instance placing it stopped in between) is
     * then known for what it is: the deployment engine frees it when it starts leading.
     *
     * @param contract the contract
     * @param deploymentId the id the deployment will be stored under
     * @return the decision, placed or not
     * @throws IllegalArgumentException for a blank deployment id
     * @since 1.2
     */
    PlacementDecision placeFor(Contract contract, String deploymentId);

    /** Every allocation in the ledger, oldest first. */
    List<Allocation> allocations();

    /** One allocation. */
    Optional<Allocation> allocation(String id);

    /**
     * What each tenant's allocations hold in all, and each tenant's quota: every tenant that holds an
     * allocation or has a quota, by tenant. A placement that would take its tenant past a limit of
     * its quota is refused whole.
     *
     * @since 1.3
     */
    default List<TenantUse> tenants() {
        return TenantUse.of(allocations());
    }

    /**
     * Frees an allocation.
     *
     * @return what was freed
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such allocation
     */
    Allocation release(String id);
}
