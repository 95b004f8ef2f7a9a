package dev.strata.platform.api.deployment;

import dev.strata.platform.api.contract.Contract;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Deployments: places a contract and has every member's machine made by the provider of the node
 * or capacity offer it was bound to; a reconciler keeps what runs equal to what was asked.
 * Offered by the core; thread-safe.
 *
 * <p>Every provider call's operation id is stored before the call is made, so a crash between the
 * call and its answer never makes a second machine: after a restart the same operation id is
 * given to the provider again. Every change is recorded in the provenance log with who asked.
 * Only the leader of a cluster deploys and reconciles; on a follower the changing methods throw
 * {@link dev.strata.platform.api.exception.NotLeaderException} naming the leader.
 */
@ProviderType
public interface Deployments {

    /**
     * Places a contract (reserving its resources) and starts making its machines. Returns once the
     * deployment is stored; the machines are made in the background ({@link #await}).
     *
     * @param actor who asks (the shell user), recorded in the provenance log
     * @return the decision and, when placed, the deployment (state {@link DeploymentState#REQUESTED}: stored, no provider called yet)
     * @throws dev.strata.platform.api.exception.ProviderFailureException when a member was bound to
     *     a node or offer whose provider cannot provision (nothing is kept: the allocation is released)
     * @throws dev.strata.platform.api.exception.ConflictException naming the allocation when it was
     *     released (a forced release) after placement placed it and before the deployment was stored;
     *     nothing is kept and nothing provisioned; or, as placement's own, when other instances kept
     *     changing the allocation ledger until placement gave up ({@code Placement.place}): nothing is
     *     placed or stored, and deploying again later may succeed
     */
    DeploymentResult deploy(Contract contract, String actor);

    /**
     * Decides where a contract would go and which provider would make each machine, changing nothing.
     *
     * @return the decision (a dry run) and the planned members; never a deployment
     */
    DeploymentResult plan(Contract contract);

    /** Every deployment, oldest first, deleted ones included. */
    List<Deployment> list();

    /** One deployment. */
    Optional<Deployment> get(String id);

    /**
     * A deployment's history from the provenance log, oldest first.
     *
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such deployment
     */
    List<DeploymentEvent> history(String id);

    /**
     * Deletes every machine of a deployment, then releases its allocation. Returns once the
     * deployment is {@link DeploymentState#DELETING}; repeating it is harmless.
     *
     * @param actor who asks, recorded in the provenance log
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such deployment
     */
    Deployment undeploy(String id, String actor);

    /**
     * Waits until a deployment reaches one of the given states, or the timeout passes.
     *
     * @return the deployment as it is when the wait ends (check its state)
     * @throws dev.strata.platform.api.exception.NotFoundException when there is no such deployment
     */
    Deployment await(String id, Set<DeploymentState> states, Duration timeout);
}
