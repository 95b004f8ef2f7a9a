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
     * @throws dev.strata.platform.api.exception.ConflictException when other writers of the same ledger (several instances
     *     writing to one store) kept changing it between each decision and its commit for longer than placement waits;
     *     nothing was placed, and placing it again later may succeed
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
     * @throws dev.strata.platform.api.exception.ConflictException as {@link #place}
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
     * Frees an allocation that no deployment holds. A deployment that is not deleted holds the
     * allocation it was placed with, and so does a deployment being deployed (placed, not yet
     * stored): freed under it, its machines would keep running on capacity placement gives to
     * others. Such a release is refused, naming the deployment, its contract and state:
     * {@code strata:undeploy <deployment>} (or {@code Deployments.undeploy}) deletes the machines
     * and then frees it, and {@link #forceRelease} frees it anyway. The check and the release are one
     * transaction of the state store: a deployment stored meanwhile is seen.
     *
     * @return what was freed
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such allocation
     * @throws dev.strata.platform.api.exception.ConflictException when a deployment holds it; nothing is freed
     */
    Allocation release(String id);

    /**
     * Frees an allocation even when a deployment holds it: the deployment's machines keep running
     * on capacity placement gives to others, until it is undeployed. For an operator who knows
     * better than the ledger ({@code strata:release --force}); the provenance log's {@code release}
     * record says it was forced, and which deployments held the allocation.
     *
     * @return what was freed
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such allocation
     * @since 1.4
     */
    Allocation forceRelease(String id);

    /**
     * Frees the allocation of a deployment on its behalf, once its machines are deleted: the
     * deployment engine's path, as {@link #placeFor} is its path to place. Refused when another
     * deployment holds the allocation, and when the deployment itself is stored and not being
     * deleted (state {@code DELETING}); allowed when it was placed for the deployment and the
     * deployment was never stored (a deploy that failed before storing it).
     *
     * @param id the allocation
     * @param deploymentId the deployment it was placed for
     * @return what was freed
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such allocation
     * @throws dev.strata.platform.api.exception.ConflictException when another deployment holds it, or this one still runs
     * @throws IllegalArgumentException for a blank deployment id
     * @since 1.4
     */
    Allocation releaseFor(String id, String deploymentId);

    /**
     * Sets a tenant's quota, in the state store (so every instance holds placements to it): what
     * the tenant's allocations may hold at once, in all. The limits given replace the quota the
     * tenant had; a resource not given is not limited, and no limits at all remove the quota. The
     * next decision is held to it; lowering a quota below what the tenant holds takes nothing back.
     * The change and who made it are appended to the provenance log with it (kind {@code quota}).
     * An operator's act: a tenant's user is refused, even for its own tenant.
     *
     * @param tenant the tenant, as contracts name it (case included)
     * @param limits by resource: {@code gpus} (a number of GPUs, {@code 64} or {@code 2.5}),
     *     {@code cpu} ({@code 512} or {@code 500m}), {@code memory} ({@code 4TiB})
     * @return what the tenant holds, with its new quota
     * @throws InvalidQuotaException (an {@code IllegalArgumentException}) for a wrong limit, naming it and what was expected,
     *     with the parts of its message as data (since 1.7); nothing is changed
     * @throws IllegalArgumentException for a tenant id that cannot have a quota, naming it and what was expected; nothing is
     *     changed
     * @throws dev.strata.platform.api.exception.NotLeaderException on an instance that does not lead, naming the leader
     * @throws dev.strata.platform.api.exception.AuthorizationException for a tenant's user
     * @throws UnsupportedOperationException where the implementation keeps no quotas
     * @since 1.5
     */
    default TenantUse setQuota(String tenant, java.util.Map<String, String> limits) {
        throw new UnsupportedOperationException("this placement service keeps no tenant quotas");
    }

    /**
     * The tenants whose quota in the state store cannot be read (edited by hand, or written by a
     * later version with a limit this one does not know), each with why, by tenant. Such a tenant
     * is held to nothing: its placements are refused, saying why, and {@link #tenants()} shows its
     * limits as 0 until its quota is set again ({@link #setQuota}). A tenant's user sees only its
     * own tenants.
     *
     * @since 1.6
     */
    default java.util.Map<String, String> unreadableQuotas() {
        return java.util.Map.of();
    }
}
