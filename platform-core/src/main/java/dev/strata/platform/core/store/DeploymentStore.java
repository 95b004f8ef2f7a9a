package dev.strata.platform.core.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Deployments: a placed contract being made real by providers. Each member (one machine) has a
 * provider, a state and the provider's handle for what it created. Every provider call is a
 * <em>provider operation</em> whose id the core chooses and which is stored (state
 * {@link OperationState#PENDING}) <b>before</b> the call is made: after a crash,
 * {@link #unfinishedOperations()} lists the calls whose outcome is unknown, and the same
 * operation id, given again to the provider, has the effect of one call.
 */
public interface DeploymentStore {

    /** A new deployment id ({@code d-000042}). */
    String nextId();

    /**
     * Creates a deployment with its members (version 1), on an allocation that is in the ledger:
     * the allocation is looked up in the create's own transaction, after every write before it, so
     * a release is either before it (the create is refused) or after it (and the release's check of
     * the deployments holding the allocation sees this one).
     *
     * @param why the provenance record appended with it, or null
     * @return fails with {@link StoreRefusedException}, nothing written, when the id exists, or (with
     *     a {@link dev.strata.platform.api.exception.ConflictException} as its cause, naming the
     *     allocation) when its allocation is not in the ledger
     */
    CompletableFuture<DeploymentRecord> create(NewDeployment deployment, ProvenanceEntry why);

    /**
     * Moves a deployment to a new state if it is still at {@code expectedVersion}.
     *
     * @return the deployment at its new version; fails with {@link StoreRefusedException} when the
     *     version moved or there is no such deployment, nothing written
     */
    CompletableFuture<DeploymentRecord> update(String id, long expectedVersion, String state, String message, ProvenanceEntry why);

    /**
     * Sets a member's state, node and provider handle (the member must exist).
     *
     * @return fails with {@link StoreRefusedException} when there is no such member
     */
    CompletableFuture<MemberRecord> updateMember(MemberRecord member, ProvenanceEntry why);

    /**
     * Records a provider call about to be made, with a new operation id ({@code op-<uuid>}),
     * state {@link OperationState#PENDING}. Make the call only once this has completed. Its
     * {@code createdAt} is later than that of every operation of the deployment before it, even
     * where the clock went back, so that {@link #operations} lists them in the order they were made.
     *
     * @return fails with {@link StoreRefusedException} when there is no such deployment, or for a
     *     {@code create} when the deployment is {@code DELETING} or {@code DELETED} (undeployed)
     */
    CompletableFuture<OperationRecord> beginOperation(NewOperation operation);

    /**
     * Records a provider call's outcome (and, on success, the member's handle).
     *
     * @return fails with {@link StoreRefusedException} when there is no such operation or it has finished already
     */
    CompletableFuture<OperationRecord> finishOperation(String operationId, OperationState outcome, String handle, String error,
            ProvenanceEntry why);

    /** One deployment. */
    Optional<DeploymentRecord> get(String id);

    /** Every deployment, oldest first. */
    List<DeploymentRecord> list();

    /** A deployment's members, in their order. */
    List<MemberRecord> members(String deploymentId);

    /** A deployment's provider operations, oldest first. */
    List<OperationRecord> operations(String deploymentId);

    /** Provider operations still {@link OperationState#PENDING}, oldest first: after a crash, the calls to resume. */
    List<OperationRecord> unfinishedOperations();
}
