package dev.strata.platform.core.deployment;

import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.core.store.ContractStore;
import dev.strata.platform.core.store.DeploymentRecord;
import dev.strata.platform.core.store.DeploymentStore;
import dev.strata.platform.core.store.ReleaseGuard;
import dev.strata.platform.core.store.JournalStore;
import dev.strata.platform.core.store.Leadership;
import dev.strata.platform.core.store.LedgerChange;
import dev.strata.platform.core.store.LedgerState;
import dev.strata.platform.core.store.LedgerStore;
import dev.strata.platform.core.store.MemberRecord;
import dev.strata.platform.core.store.NewContract;
import dev.strata.platform.core.store.NewDeployment;
import dev.strata.platform.core.store.NewOperation;
import dev.strata.platform.core.store.OperationRecord;
import dev.strata.platform.core.store.OperationState;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.ProvenanceStore;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.StoreInfo;
import dev.strata.platform.core.store.TelemetryCoverageStore;
import dev.strata.platform.core.store.TenantStore;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A state store that fails chosen writes of deployments, as a store that does not answer does
 * (a {@link StateStoreException}, nothing written), or commits a create and then reports it
 * failed (an acknowledgement lost); everything else goes to the store it wraps.
 * A test sets a condition on the writes to fail; it is asked before each write of that kind.
 */
final class FailingStore implements StateStore {

    private final StateStore store;
    /** Member updates to fail. */
    volatile Predicate<MemberRecord> failMember = r -> false;
    /** Operations to fail to begin. */
    volatile Predicate<NewOperation> failBegin = o -> false;
    /** Runs before each deployment create is handed to the store (a release made there comes between placement and the create). */
    volatile java.util.function.Consumer<NewDeployment> beforeCreate = n -> { };
    /** Deployment creates to fail (nothing stored). */
    volatile Predicate<NewDeployment> failCreate = n -> false;
    /** Deployment creates that are committed and then reported failed, as a commit whose acknowledgement was lost. */
    volatile Predicate<NewDeployment> loseCreateAcknowledgement = n -> false;
    /** Reads of a deployment by id that fail, as a store that does not answer. */
    volatile boolean failGet;
    /** The spec each read of a deployment (by id, or in a listing) returns in place of the stored one: a row a later version wrote. */
    volatile java.util.function.UnaryOperator<String> specAsRead = spec -> spec;
    /** Reads of a deployment's members that fail, as a store that does not answer. */
    volatile Predicate<String> failMembers = id -> false;
    /** Releases of allocations that fail (nothing written). */
    volatile boolean failRelease;
    /**
     * Placements for these deployment ids that are committed to the ledger and then reported failed, as a commit whose
     * acknowledgement was lost.
     */
    volatile Predicate<String> losePlacementAcknowledgement = id -> false;
    /**
     * The first look before a release sees no deployment holding the allocation, as if one was
     * stored between that look and the release: only the release's own transaction can refuse.
     */
    volatile boolean blindFirstLook;

    FailingStore(StateStore store) {
        this.store = store;
    }

    /** A condition that holds the first time {@code condition} does, and never again. */
    static <T> Predicate<T> once(Predicate<T> condition) {
        java.util.concurrent.atomic.AtomicBoolean spent = new java.util.concurrent.atomic.AtomicBoolean();
        return t -> condition.test(t) && !spent.getAndSet(true);
    }

    private DeploymentRecord asRead(DeploymentRecord r) {
        return new DeploymentRecord(r.id(), r.allocationId(), r.contractId(), r.tenant(), r.state(), r.message(), specAsRead.apply(r.spec()),
                r.version(), r.createdAt(), r.updatedAt());
    }

    private static <T> CompletableFuture<T> failed(String what) {
        return CompletableFuture.failedFuture(new StateStoreException("the state store at test did not answer: " + what + " not written"));
    }

    @Override
    public StoreInfo info() {
        return store.info();
    }

    @Override
    public LedgerStore ledger() {
        LedgerStore l = store.ledger();
        return new LedgerStore() {
            @Override
            public LedgerState load() {
                return l.load();
            }

            @Override
            public long generation() {
                return l.generation();
            }

            @Override
            public Optional<Allocation> get(String id) {
                return l.get(id);
            }

            @Override
            public String nextId() {
                return l.nextId();
            }

            @Override
            public CompletableFuture<LedgerChange> commit(long expectedGeneration, Allocation allocation, String contractId, ProvenanceEntry why) {
                return l.commit(expectedGeneration, allocation, contractId, why);
            }

            @Override
            public CompletableFuture<LedgerChange> commitPlacement(long expectedGeneration, Allocation allocation, NewContract contract,
                    ProvenanceEntry why, String deploymentId) {
                if (losePlacementAcknowledgement.test(deploymentId)) {
                    return l.commitPlacement(expectedGeneration, allocation, contract, why, deploymentId).thenCompose(done ->
                            CompletableFuture.failedFuture(new StateStoreException("the state store at test failed while committing the "
                                    + "write (connection reset); it is not acknowledged, and it may or may not be stored")));
                }
                return l.commitPlacement(expectedGeneration, allocation, contract, why, deploymentId);
            }

            @Override
            public SortedMap<String, String> placedForMissingDeployments() {
                return l.placedForMissingDeployments();
            }

            @Override
            public java.util.Set<String> deploymentTenants(String deploymentId) {
                return l.deploymentTenants(deploymentId);
            }

            @Override
            public java.util.Optional<String> releaseRefusal(Allocation allocation, ReleaseGuard guard) {
                return blindFirstLook ? java.util.Optional.empty() : l.releaseRefusal(allocation, guard);
            }

            @Override
            public CompletableFuture<LedgerChange> release(String id, ReleaseGuard guard, ProvenanceEntry why) {
                return failRelease ? failed("release of " + id) : l.release(id, guard, why);
            }
        };
    }

    @Override
    public ContractStore contracts() {
        return store.contracts();
    }

    @Override
    public TenantStore tenants() {
        return store.tenants();
    }

    @Override
    public ProvenanceStore provenance() {
        return store.provenance();
    }

    @Override
    public JournalStore journal() {
        return store.journal();
    }

    @Override
    public TelemetryCoverageStore telemetryCoverage() {
        return store.telemetryCoverage();
    }

    @Override
    public Leadership leadership() {
        return store.leadership();
    }

    @Override
    public void requireLeader() {
        store.requireLeader();
    }

    @Override
    public DeploymentStore deployments() {
        DeploymentStore d = store.deployments();
        return new DeploymentStore() {
            @Override
            public String nextId() {
                return d.nextId();
            }

            @Override
            public CompletableFuture<DeploymentRecord> create(NewDeployment deployment, ProvenanceEntry why) {
                beforeCreate.accept(deployment);
                if (failCreate.test(deployment)) {
                    return failed("deployment " + deployment.id());
                }
                if (loseCreateAcknowledgement.test(deployment)) {
                    return d.create(deployment, why).thenCompose(stored -> CompletableFuture.failedFuture(new StateStoreException(
                            "the state store at test failed while committing the write (connection reset); it is not acknowledged, "
                                    + "and it may or may not be stored")));
                }
                return d.create(deployment, why);
            }

            @Override
            public CompletableFuture<DeploymentRecord> update(String id, long expectedVersion, String state, String message, ProvenanceEntry why) {
                return d.update(id, expectedVersion, state, message, why);
            }

            @Override
            public CompletableFuture<MemberRecord> updateMember(MemberRecord member, ProvenanceEntry why) {
                return failMember.test(member) ? failed("member " + member.member()) : d.updateMember(member, why);
            }

            @Override
            public CompletableFuture<OperationRecord> beginOperation(NewOperation operation) {
                return failBegin.test(operation) ? failed(operation.action() + " of " + operation.member()) : d.beginOperation(operation);
            }

            @Override
            public CompletableFuture<OperationRecord> finishOperation(String operationId, OperationState outcome, String handle, String error,
                    ProvenanceEntry why) {
                return d.finishOperation(operationId, outcome, handle, error, why);
            }

            @Override
            public Optional<DeploymentRecord> get(String id) {
                if (failGet) {
                    throw new StateStoreException("the state store at test did not answer: deployment " + id + " not read");
                }
                return d.get(id).map(FailingStore.this::asRead);
            }

            @Override
            public List<DeploymentRecord> list() {
                return d.list().stream().map(FailingStore.this::asRead).toList();
            }

            @Override
            public List<MemberRecord> members(String deploymentId) {
                if (failMembers.test(deploymentId)) {
                    throw new StateStoreException("the state store at test did not answer: the members of deployment " + deploymentId
                            + " not read");
                }
                return d.members(deploymentId);
            }

            @Override
            public List<OperationRecord> operations(String deploymentId) {
                return d.operations(deploymentId);
            }

            @Override
            public List<OperationRecord> unfinishedOperations() {
                return d.unfinishedOperations();
            }
        };
    }
}
