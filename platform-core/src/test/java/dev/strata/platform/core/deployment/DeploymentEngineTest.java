package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.core.store.NewOperation;
import dev.strata.platform.core.store.OperationRecord;
import dev.strata.platform.core.store.OperationState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment engine on a real embedded store and the real placement engine, with scripted providers. */
class DeploymentEngineTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final Set<DeploymentState> READY = Set.of(DeploymentState.READY);
    static final Set<DeploymentState> DELETED = Set.of(DeploymentState.DELETED);

    @TempDir
    Path dir;

    Lab lab;
    DeploymentEngine engine;

    @BeforeEach
    void open() {
        lab = new Lab(dir);
        engine = lab.engine();
    }

    @AfterEach
    void close() {
        lab.close();
    }

    private List<String> history(String id) {
        return engine.history(id).stream().map(e -> e.kind() + " " + e.actor() + ": " + e.summary()).toList();
    }

    @Test
    void aDeploymentMakesEveryMachineThroughTheProviderOfItsNodeAndBecomesReady() {
        DeploymentResult result = engine.deploy(lab.workers("train", 3, "lab", ""), "alice");
        assertThat(result.decision().placed()).isTrue();
        Deployment d = result.deployment();
        assertThat(d.state()).isEqualTo(DeploymentState.REQUESTED);
        assertThat(d.members()).extracting(DeploymentMember::providerId).containsOnly("lab");
        assertThat(d.members()).extracting(m -> m.target().kind()).containsOnly(MachineTarget.Kind.NODE);

        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(ready.members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
        assertThat(ready.members()).allSatisfy(m -> {
            assertThat(m.machine()).isNotNull();
            assertThat(m.operationId()).startsWith("op-");
            assertThat(m.nodeId()).isEqualTo(m.target().id());
        });
        assertThat(lab.lab.live()).hasSize(3);
        assertThat(lab.lab.live()).extracting(m -> m.labels.get(MachineLabels.DEPLOYMENT)).containsOnly(d.id());
        assertThat(lab.lab.live()).extracting(m -> m.labels.get(MachineLabels.MEMBER))
                .containsExactlyInAnyOrder("worker-0", "worker-1", "worker-2");
        assertThat(lab.lab.live()).extracting(m -> m.labels.get(MachineLabels.TENANT)).containsOnly("bank-risk");
        assertThat(lab.lab.creates).hasSize(3);

        List<String> history = history(d.id());
        assertThat(history.get(0)).startsWith("deployment alice: deployment " + d.id() + " of contract train requested by alice: 3 members");
        assertThat(history).anyMatch(h -> h.startsWith("deployment system: deployment " + d.id() + ": REQUESTED -> PROVISIONING"));
        assertThat(history).filteredOn(h -> h.contains("provider lab made m-")).hasSize(3);
        assertThat(history.get(history.size() - 1)).contains("PROVISIONING -> READY (3 of 3 machines running)");
    }

    @Test
    void undeployDeletesEveryMachineThenReleasesTheAllocation() {
        Deployment d = engine.deploy(lab.workers("train", 4, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(lab.placement.allocations()).hasSize(1);

        Deployment deleting = engine.undeploy(d.id(), "bob");
        assertThat(deleting.state()).isEqualTo(DeploymentState.DELETING);
        Deployment deleted = Lab.settle(engine, d.id(), DELETED, PATIENCE);

        assertThat(lab.lab.live()).isEmpty();
        assertThat(lab.lab.deletes).hasSize(4);
        assertThat(deleted.members()).extracting(DeploymentMember::state).containsOnly(MemberState.DELETED);
        assertThat(lab.placement.allocations()).isEmpty();
        assertThat(deleted.message()).isEqualTo("allocation " + d.allocationId() + " released");
        List<String> history = history(d.id());
        assertThat(history).anyMatch(h -> h.startsWith("deployment bob: undeploy of " + d.id() + " asked by bob"));
        assertThat(history).filteredOn(h -> h.contains("provider lab deleted m-")).hasSize(4);
        assertThat(history.get(history.size() - 1)).contains("deleted: 4 machines deleted, allocation " + d.allocationId() + " released");
        // repeating it is harmless
        assertThat(engine.undeploy(d.id(), "bob").state()).isEqualTo(DeploymentState.DELETED);
    }

    @Test
    void everyOperationIdIsStoredBeforeTheProviderIsCalled() {
        List<String> checked = new CopyOnWriteArrayList<>();
        lab.lab.beforeCreate = request -> {
            OperationRecord op = lab.store.deployments().operations(request.deploymentId()).stream()
                    .filter(o -> o.id().equals(request.operationId())).findFirst()
                    .orElseThrow(() -> new AssertionError("operation " + request.operationId() + " was not stored before the call"));
            assertThat(op.state()).isEqualTo(OperationState.PENDING);
            assertThat(op.action()).isEqualTo("create");
            checked.add(op.id());
        };
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(checked).hasSize(3).doesNotHaveDuplicates();
        assertThat(lab.store.deployments().operations(d.id())).extracting(OperationRecord::state).containsOnly(OperationState.SUCCEEDED);
    }

    @Test
    void aProviderThatCannotBeReachedIsWaitedForUnderTheSameOperationIdAndOthersAreUnaffected() {
        lab.lab.unavailable = true;
        Deployment waiting = engine.deploy(lab.workers("train", 2, "lab", ""), "alice").deployment();
        Deployment other = engine.deploy(lab.workers("infer", 2, "lab2", ""), "alice").deployment();
        Lab.settle(engine, other.id(), READY, PATIENCE);
        for (int i = 0; i < 5; i++) {
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            lab.pastTheLongestBackoff(); // each pass tries the provider again
        }
        Deployment stuck = engine.get(waiting.id()).orElseThrow();
        assertThat(stuck.state()).isEqualTo(DeploymentState.PROVISIONING);
        assertThat(stuck.message()).contains("waiting for provider lab: provider lab: cloud unreachable (connection refused)");
        assertThat(stuck.members()).extracting(DeploymentMember::state).containsOnly(MemberState.CREATING);
        assertThat(lab.lab.creates.size()).isGreaterThan(2);
        // every try of a member gave the provider the same operation id
        assertThat(new HashSet<>(lab.lab.creates)).hasSize(2);

        lab.lab.unavailable = false;
        Deployment ready = Lab.settle(engine, waiting.id(), READY, PATIENCE);
        assertThat(ready.message()).isNull();
        assertThat(lab.lab.live()).hasSize(2);
        assertThat(new HashSet<>(lab.lab.creates)).hasSize(2);
        assertThat(history(waiting.id())).anyMatch(h -> h.contains("did not answer") && h.contains("stays pending"));
    }

    @Test
    void aRefusedMachineFailsTheDeploymentWithTheProvidersReasonAndUndeployCleansUp() {
        lab.lab.refuse.put("worker-1", "quota exceeded: 0 of 2 left for this shape");
        // worker-1's refusal waits until the creates of worker-0 and worker-2 have been sent: the creates of one pass run at
        // once, and a create that starts after the deployment failed is not sent, so without the wait the premise (the
        // others' machines made) held only where both happened to start before worker-1's refusal was recorded
        CountDownLatch othersSent = new CountDownLatch(2);
        lab.lab.beforeCreate = r -> {
            if (r.member().equals("worker-1")) {
                await(othersSent);
            } else {
                othersSent.countDown();
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", ""), "alice").deployment();
        Deployment failed = Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
        assertThat(failed.message()).isEqualTo("member worker-1: quota exceeded: 0 of 2 left for this shape");
        assertThat(failed.members().get(1).state()).isEqualTo(MemberState.FAILED);
        // the others' machines exist (nothing is deleted without an undeploy) and are tracked
        Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
        assertThat(lab.lab.live()).hasSize(2);

        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), DELETED, PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /** A provider that answers create with nothing (breaking the SPI) fails its member with the reason; it is not CREATING for ever. */
    @Test
    void aProviderThatAnswersCreateWithNothingFailsTheMemberNamingIt() {
        lab.lab.answerNull.add("worker");
        Deployment d = engine.deploy(lab.workers("nothing", 1, "lab", ""), "alice").deployment();
        Deployment failed = Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
        assertThat(failed.members().get(0).state()).isEqualTo(MemberState.FAILED);
        assertThat(failed.message()).isEqualTo("member worker: provider lab answered create with no machine status; expected the"
                + " machine's status (the provisioning SPI's create)");
        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), DELETED, PATIENCE);
        assertThat(lab.placement.allocations()).isEmpty();
    }

    @Test
    void aMachineLostBehindStratasBackIsReplacedWhenTheContractSaysReplace() {
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", "deployment: {onMachineLoss: replace}"), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        DeploymentMember victim = ready.members().get(1);
        lab.lab.vanish(victim.machine().machineId());

        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        Deployment after = Lab.settle(engine, d.id(), READY, PATIENCE);
        DeploymentMember replaced = after.members().get(1);
        assertThat(replaced.machine().machineId()).isNotEqualTo(victim.machine().machineId());
        assertThat(replaced.operationId()).isNotEqualTo(victim.operationId());
        assertThat(lab.lab.live()).hasSize(3);
        assertThat(history(d.id())).anyMatch(h -> h.startsWith("drift system: machine " + victim.machine().machineId() + " of worker-1 is gone, "
                + "not by Strata") && h.contains("replacing it"));
        assertThat(history(d.id())).anyMatch(h -> h.contains("READY -> DEGRADED")).anyMatch(h -> h.contains("DEGRADED -> READY"));
    }

    @Test
    void aMachineLostBehindStratasBackDegradesTheDeploymentWhenTheContractSaysDegrade() {
        Deployment d = engine.deploy(lab.workers("train", 2, "lab", "deployment: {onMachineLoss: degrade}"), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        lab.lab.vanish(ready.members().get(0).machine().machineId());
        Deployment degraded = Lab.settle(engine, d.id(), Set.of(DeploymentState.DEGRADED), PATIENCE);
        assertThat(degraded.members().get(0).state()).isEqualTo(MemberState.LOST);
        assertThat(degraded.message()).startsWith("member worker-0: machine " + ready.members().get(0).machine().machineId()
                + " of worker-0 is gone, not by Strata");
        for (int i = 0; i < 3; i++) {
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
        }
        assertThat(lab.lab.live()).hasSize(1);
        assertThat(lab.lab.creates).hasSize(2);
    }

    /**
     * A provider whose bundle is updated while a call runs throws the class-loading error of a stale
     * bundle (NoClassDefFoundError, "bundle wiring is no longer valid"): the member does not fail and
     * no worker is lost; the same operation is tried again and makes one machine.
     */
    @Test
    void aCallOnAProviderWhoseClassesWentAwayIsTriedAgainUnderTheSameOperation() {
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        lab.lab.beforeCreate = r -> {
            if (first.getAndSet(false)) {
                throw new NoClassDefFoundError("dev/strata/provider/lab/Gone (bundle wiring for dev.strata.provider.lab is no longer valid)");
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(ready.members().get(0).state()).isEqualTo(MemberState.RUNNING);
        assertThat(lab.lab.creates).hasSize(2).containsOnly(lab.lab.creates.get(0));
        assertThat(lab.lab.live()).hasSize(1);
        assertThat(history(d.id())).anyMatch(h -> h.contains("classes went away"));
    }

    /**
     * A machine seen in band and through its BMC is one node, kept under the in-band provider,
     * which makes no machines: the deployment is made by the joined provider that provisions
     * (its own node id as the target), not refused. That id holds a comma and a backslash: read
     * by splitting the joined ids at each comma, the machine was asked for on {@code lab:rack-1\}.
     */
    @Test
    void aJoinedNodeIsDeployedThroughTheJoinedProviderThatProvisions() {
        Deployment d = engine.deploy(lab.workers("joined", 1, "inband", ""), "alice").deployment();
        assertThat(d.members().get(0).providerId()).isEqualTo("lab");
        assertThat(d.members().get(0).target().id()).isEqualTo(Lab.JOINED_LAB_NODE);
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(ready.members().get(0).state()).isEqualTo(MemberState.RUNNING);
        assertThat(lab.lab.creates).hasSize(1);
        assertThat(lab.lab.live()).singleElement().satisfies(m -> assertThat(m.target.id()).isEqualTo(Lab.JOINED_LAB_NODE));
    }

    /**
     * A member bound to a launch slot of a capacity offer: the request named the slot's GPU ids
     * ({@code <offer>#0/gpu0}, ...) as its gpuIds, ids of a machine that does not exist yet, which
     * the API says are empty for an offer. The provider is asked for the number of GPUs and for no
     * GPU ids; a member on a node still gets the GPUs placement bound there.
     */
    @Test
    void aMemberOnACapacityOffersLaunchSlotIsAskedForGpusByNumberNotBySlotGpuIds(@TempDir Path elsewhere) {
        String offerId = "lab:lab-3:gpu4";
        List<dev.strata.platform.api.model.Accelerator> gpus = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
            gpus.add(dev.strata.platform.api.model.Accelerator.builder().id(offerId + "/gpu" + g).vendor("NVIDIA").model("NVIDIA H100")
                    .memoryBytes(80L << 30).nodeId(offerId).build());
        }
        dev.strata.platform.api.model.Node machine = Lab.node(offerId, "lab", "lab-3").toBuilder().accelerators(gpus).build();
        dev.strata.platform.api.model.CapacityOffer offer = dev.strata.platform.api.model.CapacityOffer.builder().id(offerId)
                .providerId("lab").siteId("lab-3").shape("gpu4").machine(machine).limit(2).inUse(0).build();
        try (Lab cloud = new Lab(elsewhere, List.of(offer))) {
            List<MachineRequest> requests = new CopyOnWriteArrayList<>();
            cloud.lab.beforeCreate = requests::add;
            DeploymentEngine onCloud = cloud.engine();
            DeploymentResult result = onCloud.deploy(cloud.contract("name: gpu\ntenant: bank-risk\nsovereignty: {countries: [SE]}\n"
                    + "members:\n  - {name: trainer, cpu: 4, memory: 8GiB, gpus: {count: 2}}\n"), "alice");
            assertThat(result.decision().placed()).as(result.decision().summary()).isTrue();
            assertThat(result.decision().bindings()).singleElement().satisfies(b -> {
                assertThat(b.nodeId()).isEqualTo(offerId + "#0");
                assertThat(b.acceleratorIds()).as("the slot's GPUs placement bound").hasSize(2).allMatch(id -> id.startsWith(offerId + "#0/"));
            });

            Lab.settle(onCloud, result.deployment().id(), READY, PATIENCE);

            assertThat(requests).isNotEmpty().allSatisfy(r -> {
                assertThat(r.target()).isEqualTo(MachineTarget.offer(offerId));
                assertThat(r.resources().gpus()).isEqualTo(2);
                assertThat(r.resources().gpuIds()).as("the GPU ids asked of the provider for an offer").isEmpty();
            });
        }
    }

    /**
     * Undeploying a deployment on a joined node releases its allocation: the allocation binds the
     * member to the node placement chose (the in-band one), the deployment made the machine on the
     * joined provider's node. Before, the two ids differed and the allocation was taken for
     * another placement's, left held for good.
     */
    @Test
    void undeployingADeploymentOnAJoinedNodeReleasesItsAllocation() {
        Deployment d = engine.deploy(lab.workers("joined", 1, "inband", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(lab.placement.allocations()).hasSize(1);
        engine.undeploy(d.id(), "alice");
        Deployment deleted = Lab.settle(engine, d.id(), DELETED, PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
        assertThat(deleted.message()).isEqualTo("allocation " + d.allocationId() + " released");
        assertThat(lab.placement.allocations()).isEmpty();
    }

    @Test
    void theDefaultOnMachineLossIsDegrade() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        assertThat(d.onMachineLoss()).isEqualTo(dev.strata.platform.api.contract.OnMachineLoss.DEGRADE);
    }

    @Test
    void aFailedDeleteIsTriedAgainWithABackoffThatDoubles() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        lab.lab.failDeletes = 3;
        engine.undeploy(d.id(), "alice");
        Deployment deleted = Lab.settle(engine, d.id(), DELETED, PATIENCE);
        assertThat(deleted.members().get(0).state()).isEqualTo(MemberState.DELETED);
        assertThat(lab.lab.deletes).hasSize(4);
        List<Instant> t = lab.lab.deleteTimes;
        // retryBackoff 40 ms doubled: at least 40, 80, 160 ms between the tries
        assertThat(Duration.between(t.get(0), t.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(40));
        assertThat(Duration.between(t.get(1), t.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(80));
        assertThat(Duration.between(t.get(2), t.get(3))).isGreaterThanOrEqualTo(Duration.ofMillis(160));
        List<OperationRecord> deletes = lab.store.deployments().operations(d.id()).stream().filter(o -> o.action().equals("delete")).toList();
        assertThat(deletes).extracting(OperationRecord::state).containsExactly(OperationState.FAILED, OperationState.FAILED, OperationState.FAILED,
                OperationState.SUCCEEDED);
        assertThat(deletes).extracting(OperationRecord::attempt).containsExactly(1, 2, 3, 4);
        assertThat(history(d.id())).filteredOn(h -> h.contains("did not delete")).hasSize(3)
                .allMatch(h -> h.contains("resource busy") && h.contains("trying again in"));
    }

    @Test
    void machinesOfUnknownOrDeletedDeploymentsAreLeaksAndAreDeletedAndRecorded() {
        String stranger = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-999999", MachineLabels.MEMBER, "x", MachineLabels.TENANT, "t",
                MachineLabels.OPERATION, "op-unknown"));
        String unlabelled = lab.lab.plant(Map.of("owner", "someone else"));
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(lab.lab.live()).extracting(m -> m.id).doesNotContain(stranger).contains(unlabelled);
        assertThat(lab.lab.live()).hasSize(2);
        List<String> leaks = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, "d-999999", "leak",
                null, null, 10, false)).stream().map(r -> String.valueOf(r.payload().get("summary"))).toList();
        assertThat(leaks).containsExactly("machine " + stranger + " of provider lab is leaked: its deployment d-999999 is unknown to this "
                + "Strata; deleting it");
    }

    /**
     * A machine that carries a live deployment's label but names no operation (its operation
     * label missing, or empty) is a leak, and the reason says so. Before, the reason read
     * "deployment d-000001 recorded no operation null", as if the machine had named one.
     */
    @Test
    void aMachineOfALiveDeploymentThatNamesNoOperationIsALeakThatSaysSo() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        String unnamed = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, d.id(), MachineLabels.MEMBER, "train-0"));
        String empty = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, d.id(), MachineLabels.OPERATION, ""));
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(lab.lab.deletes).containsExactlyInAnyOrder(unnamed, empty);
        List<String> leaks = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, d.id(), "leak",
                null, null, 10, false)).stream().map(r -> String.valueOf(r.payload().get("summary"))).toList();
        String why = " of provider lab is leaked: it names no operation (its strata:operation label is missing or empty), so no operation of "
                + "deployment " + d.id() + " made it; deleting it";
        assertThat(leaks).containsExactlyInAnyOrder("machine " + unnamed + why, "machine " + empty + why);
        assertThat(Lab.settle(engine, d.id(), READY, PATIENCE).members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
    }

    /**
     * Every machine names the ledger binding it is for: the deployment's allocation and the member
     * ({@link MachineLabels#ALLOCATION}, {@link MachineLabels#MEMBER}), by which a provider whose
     * nodes show only the room left after its machines tells placement what a machine already
     * holds ({@link dev.strata.platform.api.provisioning.CountedMachine}).
     */
    @Test
    void everyMachineNamesTheLedgerBindingItIsFor() {
        Deployment d = engine.deploy(lab.workers("train", 2, "lab", ""), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(d.allocationId()).isNotBlank();
        assertThat(lab.lab.live()).extracting(m -> m.labels.get(MachineLabels.ALLOCATION), m -> m.labels.get(MachineLabels.MEMBER))
                .containsExactlyInAnyOrderElementsOf(ready.members().stream().map(m -> tuple(d.allocationId(), m.name())).toList());
        assertThat(lab.placement.allocation(d.allocationId()).orElseThrow().bindings()).extracting(MemberBinding::member)
                .containsExactlyInAnyOrderElementsOf(ready.members().stream().map(DeploymentMember::name).toList());
    }

    /**
     * Two installations (two stores) share one vendor account, with leaks = delete. Their
     * deployment ids collide (both d-000001). Before machines carried the installation's id, each
     * took the other's machines for leaks (an operation its deployment never recorded) and deleted
     * them. A machine of this installation's that no deployment here knows is still a leak, and so
     * is one with no installation id (made before machines carried it).
     */
    @Test
    void twoInstallationsSharingAnAccountLeaveEachOthersMachinesAlone(@TempDir Path elsewhere) {
        try (Lab second = new Lab(elsewhere, lab.lab.vendor, lab.lab2.vendor)) {
            DeploymentEngine other = second.engine();
            String ours = lab.store.info().logId();
            String theirs = second.store.info().logId();
            assertThat(ours).isNotEqualTo(theirs);
            assertThat(lab.store.clusterStatus().store()).as("strata:cluster's store line").endsWith(", installation " + ours);
            // the id providers are given to tell their own machines from another installation's (AWS discovery) is the label's
            assertThat(new dev.strata.platform.core.store.StoreInstallation(lab.store).id()).isEqualTo(ours);
            assertThat(new dev.strata.platform.core.store.StoreInstallation(second.store).id()).isEqualTo(theirs);
            Deployment mine = engine.deploy(lab.workers("train", 2, "lab", ""), "alice").deployment();
            Deployment their = other.deploy(second.workers("train", 2, "lab", ""), "bob").deployment();
            assertThat(their.id()).isEqualTo(mine.id());
            Lab.settle(engine, mine.id(), READY, PATIENCE);
            Lab.settle(other, their.id(), READY, PATIENCE);
            for (int i = 0; i < 3; i++) {
                engine.reconcileNow();
                other.reconcileNow();
                engine.awaitIdle(PATIENCE);
                other.awaitIdle(PATIENCE);
            }
            assertThat(lab.lab.live()).hasSize(4);
            assertThat(lab.lab.live()).extracting(m -> m.labels.get(MachineLabels.INSTALLATION))
                    .containsExactlyInAnyOrder(ours, ours, theirs, theirs);
            assertThat(lab.lab.deletes).isEmpty();
            assertThat(second.lab.deletes).isEmpty();
            assertThat(Lab.settle(engine, mine.id(), READY, PATIENCE).members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
            assertThat(Lab.settle(other, their.id(), READY, PATIENCE).members()).extracting(DeploymentMember::state)
                    .containsOnly(MemberState.RUNNING);
            for (Lab l : List.of(lab, second)) {
                assertThat(l.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, "leak", null, null,
                        10, false))).as("leak records").isEmpty();
            }

            String stray = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, mine.id(), MachineLabels.OPERATION, "op-stray",
                    MachineLabels.INSTALLATION, ours));
            String old = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-777777", MachineLabels.OPERATION, "op-old"));
            String foreign = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-777777", MachineLabels.OPERATION, "op-foreign",
                    MachineLabels.INSTALLATION, "another-installation"));
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            assertThat(lab.lab.deletes).containsExactlyInAnyOrder(stray, old);
            assertThat(lab.lab.live()).extracting(m -> m.id).contains(foreign).doesNotContain(stray, old);
        }
    }

    /**
     * A provider that made the machine and then failed to write its journal in Strata's store
     * (a bare-metal provider records each step there): the operation is tried again with the same
     * id, and the provider finds the machine it made. Before, a store error was a refusal: the
     * operation was recorded as failed, the member failed, and the machine was reaped as a leak.
     */
    @Test
    void aStoreFailureAfterTheMachineWasMadeIsTriedAgainUnderTheSameOperationId() {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(1);
        lab.lab.afterCreate = request -> {
            if (failures.getAndDecrement() > 0) {
                throw new dev.strata.platform.api.exception.StateStoreException("the state store at test did not answer: journal not written");
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(ready.members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
        assertThat(lab.lab.live()).hasSize(1);
        assertThat(lab.lab.deletes).isEmpty();
        List<OperationRecord> ops = lab.store.deployments().operations(d.id());
        assertThat(ops).singleElement().satisfies(op -> {
            assertThat(op.state()).isEqualTo(OperationState.SUCCEEDED);
            assertThat(lab.lab.creates).containsExactly(op.id(), op.id());
        });
        assertThat(history(d.id())).anyMatch(h -> h.contains("stays pending and is tried again with the same id"));
    }

    @Test
    void leaksAreOnlyRecordedWhenConfiguredToReport() {
        DeploymentEngine reporting = lab.engine(new DeploymentSettings(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(10),
                Duration.ofMillis(40), Duration.ofMillis(400), 2, false), lab.store);
        String stranger = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-424242", MachineLabels.OPERATION, "op-x"));
        for (int i = 0; i < 3; i++) {
            reporting.reconcileNow();
            reporting.awaitIdle(PATIENCE);
        }
        assertThat(lab.lab.live()).extracting(m -> m.id).contains(stranger);
        assertThat(lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, "d-424242", "leak", null, null,
                10, false))).hasSize(1).allSatisfy(r -> assertThat(r.payload().get("action")).isEqualTo("reported"));
    }

    /**
     * A leak is reported once while it stays leaked, even when a pass in between could not list
     * its provider. Before, a failed listing made the reconciler forget the leaks it had reported
     * on that provider, and the next pass recorded the same leak again.
     */
    @Test
    void aReportedLeakIsNotReportedAgainAfterAListingFailed() {
        DeploymentEngine reporting = lab.engine(new DeploymentSettings(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(10),
                Duration.ofMillis(40), Duration.ofMillis(400), 2, false), lab.store);
        lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-434343", MachineLabels.OPERATION, "op-y"));
        reporting.reconcileNow();
        lab.lab.listingFails = true;
        assertThat(reporting.reconcileNow().listingErrors()).containsKey("lab");
        lab.lab.listingFails = false;
        for (int i = 0; i < 2; i++) {
            reporting.reconcileNow();
            reporting.awaitIdle(PATIENCE);
        }
        assertThat(lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, "d-434343", "leak", null, null,
                10, false))).hasSize(1);
    }

    /**
     * A leak whose provider leaves (its bundle being replaced) after it listed the machine: the
     * machine is not deleted now, one WARN line names it and the missing provider, without a stack
     * trace, and a later pass deletes it once the provider is back, recording the leak once.
     * Before, the delete was logged at ERROR with a stack trace, as if something had broken.
     */
    @Test
    void aLeakWhoseProviderIsAwayIsKeptForALaterPassWithOneWarning() {
        String stranger = lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-919191", MachineLabels.OPERATION, "op-away"));
        lab.lab.afterListing = () -> lab.providers.remove("lab", 1);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            lab.lab.afterListing = () -> { };
            assertThat(lab.providers.get("lab")).isEmpty();
            assertThat(lab.lab.deletes).isEmpty();
            assertThat(log.text().lines().filter(line -> line.contains(stranger))).singleElement().satisfies(line -> assertThat(line)
                    .contains(" WARN ").contains("Leaked machine " + stranger + " of provider lab is not deleted now: no provisioning provider lab"));
            assertThat(log.text()).doesNotContain("ERROR").doesNotContain("\tat ").doesNotContain("Exception");

            // while the provider is away nothing is listed for it: nothing more is tried, and nothing more is logged
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            assertThat(log.text().lines().filter(line -> line.contains(stranger))).hasSize(1);
        }
        assertThat(lab.lab.live()).extracting(m -> m.id).contains(stranger);

        lab.providers.add("lab", 2, lab.lab);
        lab.pastTheLongestBackoff(); // past the backoff the first try set on the leak's delete
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(lab.lab.deletes).containsExactly(stranger);
        assertThat(lab.lab.live()).extracting(m -> m.id).doesNotContain(stranger);
        assertThat(lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, "d-919191", "leak", null, null,
                10, false))).singleElement().satisfies(r -> assertThat(r.payload().get("result")).isEqualTo("GONE"));
    }

    /**
     * What a provider lists about a leaked machine is provider text like any other: its labels
     * reach the leak's record in the provenance log and the log cleaned, on one line.
     */
    @Test
    void theLabelsOfALeakedMachineAreRecordedCleaned() {
        String password = "hunter2-" + java.util.UUID.randomUUID();
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-999998", MachineLabels.OPERATION, "op-z", MachineLabels.TENANT,
                    "t\n2026-12-01 12:00:00 INFO [main] forged", "console", "https://ops:" + password + "@10.0.0.9/console"));
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            List<String> records = new ArrayList<>();
            lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, "d-999998", "leak", null, null, 10, false))
                    .forEach(r -> records.add(r.subjects() + " " + r.payload()));
            assertThat(records).hasSize(1);
            assertThat(records.get(0)).contains("https://****@10.0.0.9/console").doesNotContain(password).doesNotContain("\n");
            assertThat(log.text()).doesNotContain(password).doesNotContain("\n2026-12-01 12:00:00 INFO [main] forged");
        }
    }

    /**
     * The names of a leaked machine's labels are the provider's text as their values are: one
     * holding a line break, an ESC and a direction override reaches the leak's record and the log
     * printable, each such character as an escape. Before, only the values were cleaned, and the
     * name went into both as it was.
     */
    @Test
    void theLabelNamesOfALeakedMachineAreShownPrintable() {
        String raw = "owner\n2026-12-01 12:00:00 INFO [main] forged\u001b[2J\u202e";
        String shown = "owner\\u000a2026-12-01 12:00:00 INFO [main] forged\\u001b[2J\\u202e";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            lab.lab.plant(Map.of(MachineLabels.DEPLOYMENT, "d-999996", MachineLabels.OPERATION, "op-v", raw, "ops"));
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            List<dev.strata.platform.audit.LogRecord> records = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null,
                    null, null, "d-999996", "leak", null, null, 10, false));
            assertThat(records).singleElement().satisfies(r -> {
                assertThat(r.payload().get("labels")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry(shown, "ops");
                assertThat(r.subjects() + " " + r.payload()).doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u202e");
            });
            assertThat(log.text()).contains(shown + "=ops").doesNotContain("\u001b").doesNotContain("\u202e")
                    .doesNotContain("\n2026-12-01 12:00:00 INFO [main] forged");
        }
    }

    /**
     * A machine id a provider lists is the provider's text: one holding a line break, an ESC and a
     * direction override reaches the leak's record (its summary, its machine and its node) and the
     * log printable, each such character as an escape, while the provider is asked to delete the
     * machine under the id as it wrote it. Before, the id went into the record and the log as it
     * was, so it forged a log line and hid part of itself from an auditor.
     */
    @Test
    void aLeakedMachineWhoseIdHoldsControlOrBidiCharactersIsShownPrintable() {
        String raw = "m-\n2026-12-01 12:00:00 INFO [main] forged\u001b[2J\u202eevil";
        String shown = "m-\\u000a2026-12-01 12:00:00 INFO [main] forged\\u001b[2J\\u202eevil";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            lab.lab.plant(raw, Map.of(MachineLabels.DEPLOYMENT, "d-999997", MachineLabels.OPERATION, "op-w"));
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            assertThat(lab.lab.deletes).containsExactly(raw);
            List<dev.strata.platform.audit.LogRecord> records = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null,
                    null, null, "d-999997", "leak", null, null, 10, false));
            assertThat(records).singleElement().satisfies(r -> {
                assertThat(r.payload().get("summary")).isEqualTo("machine " + shown + " of provider lab is leaked: its deployment d-999997 is "
                        + "unknown to this Strata; deleting it");
                assertThat(r.payload().get("machine")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("id", shown);
                assertThat(r.subjects()).containsEntry("node", "lab:" + shown);
                assertThat(r.subjects() + " " + r.payload()).doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u202e");
            });
            assertThat(log.text()).contains("Deleted leaked machine " + shown + " of provider lab").doesNotContain("\u001b")
                    .doesNotContain("\u202e").doesNotContain("\n2026-12-01 12:00:00 INFO [main] forged");
        }
    }

    /**
     * The node id a provider names for a machine is the provider's text: one holding a line break,
     * an ESC and a direction override reaches every provenance record of the deployment printable
     * (the record of the machine seen running, and the steps reported as it is deleted, whose status
     * names no node), as it does the record of the machine made. Before, the record of the machine
     * seen running named the node as it was, and so did a step's record where the status named none.
     */
    @Test
    void aNodeIdWithControlOrBidiCharactersReachesNoProvenanceRecordRaw() {
        String odd = "\n2026-12-01 12:00:00 INFO [main] forged\u001b[2J\u202e";
        String shown = "\\u000a2026-12-01 12:00:00 INFO [main] forged\\u001b[2J\\u202e";
        lab.lab.nodeIds = node -> node + odd;
        lab.lab.reportSteps = true;
        Deployment d = engine.deploy(lab.workers("odd", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), DELETED, PATIENCE);

        List<dev.strata.platform.audit.LogRecord> records = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null,
                null, null, d.id(), null, null, null, 1000, false));
        assertThat(records).filteredOn(r -> String.valueOf(r.payload().get("summary")).endsWith(shown + ")")
                && String.valueOf(r.payload().get("summary")).contains(" is running (node lab:n")).singleElement()
                .satisfies(r -> assertThat(r.subjects().get("node")).startsWith("lab:n").endsWith(shown));
        assertThat(records).filteredOn(r -> "powered-off".equals(r.payload().get("step"))).singleElement()
                .satisfies(r -> assertThat(r.subjects().get("node")).startsWith("lab:n").endsWith(shown));
        assertThat(records).allSatisfy(r -> assertThat(r.subjects() + " " + r.payload()).doesNotContain("\n").doesNotContain("\u001b")
                .doesNotContain("\u202e"));
    }

    /**
     * A member whose machine could not be described for a while and then was seen again starts
     * afresh: when its provider later stops answering a call that changes something, the wait is
     * recorded and named in the deployment as on a first outage. Before, the failed looks were
     * still counted, so the later wait was neither recorded nor shown.
     */
    @Test
    void aWaitAfterAnEarlierOutageThatEndedIsRecordedAndShown() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        lab.lab.unavailable = true;
        for (int i = 0; i < 2; i++) {
            engine.reconcileNow();
            lab.pastTheLongestBackoff(); // each pass describes the machine again, and fails
        }
        assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
        lab.lab.unavailable = false;
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);

        lab.lab.unavailable = true;
        engine.undeploy(d.id(), "alice");
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        DeploymentMember member = engine.get(d.id()).orElseThrow().members().get(0);
        assertThat(member.state()).isEqualTo(MemberState.DELETING);
        assertThat(member.message()).startsWith("waiting for provider lab: provider lab: cloud unreachable");
        assertThat(history(d.id())).anyMatch(h -> h.contains("did not answer") && h.contains("stays pending"));

        lab.lab.unavailable = false;
        Lab.settle(engine, d.id(), DELETED, PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
    }

    /**
     * A member of a deployment being deleted whose replacement is still being created (its create
     * pending, the provider having made nothing for it) while the provider still has the machine
     * it replaces (being deleted behind Strata's back): that machine is deleted, and the pending
     * create is closed on the provider's own answer for it. Before, the look-up stopped at the
     * first machine it found, and the newer create stayed pending after the deployment was deleted.
     */
    @Test
    void aPendingCreateIsResolvedWhenTheMachineOfAnOlderCreateIsFound() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", "deployment: {onMachineLoss: replace}"), "alice").deployment();
        String first = Lab.settle(engine, d.id(), READY, PATIENCE).members().get(0).machine().machineId();
        lab.lab.beforeCreate = r -> {
            throw new ProviderUnavailableException("provider lab: cloud unreachable (connection refused)");
        };
        lab.lab.vendor.machines.get(first).state = MachineState.DELETING;
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        List<OperationRecord> before = creates(d.id());
        assertThat(before).extracting(OperationRecord::state).containsExactly(OperationState.SUCCEEDED, OperationState.PENDING);
        String replacement = before.get(1).id();

        engine.undeploy(d.id(), "alice");
        lab.lab.beforeCreate = r -> { };
        Lab.settle(engine, d.id(), DELETED, PATIENCE);

        assertThat(lab.lab.deletes).containsExactly(first);
        assertThat(lab.lab.live()).isEmpty();
        assertThat(lab.store.deployments().operations(d.id())).extracting(OperationRecord::state).doesNotContain(OperationState.PENDING);
        assertThat(creates(d.id())).filteredOn(op -> op.id().equals(replacement)).singleElement().satisfies(op -> {
            assertThat(op.state()).isEqualTo(OperationState.FAILED);
            assertThat(op.error()).isEqualTo("the deployment is being deleted and provider lab has no machine for operation " + replacement);
        });
    }

    /**
     * Two creates of one member, both pending and each with a machine the provider made (a second
     * instance that briefly took itself for the leader sent one while the other's answer was not
     * recorded): undeploying records each create as having made its own machine, and deletes each
     * machine once, under delete operations of their own. Before, the first machine found was
     * deleted and the other create stayed pending, its machine left behind.
     */
    @Test
    void everyPendingCreateOfAMemberIsResolvedOnItsOwnAndEachMachineIsDeletedOnce() {
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean(true);
        lab.lab.afterCreate = r -> {
            if (once.getAndSet(false)) {
                throw new ProviderUnavailableException("provider lab: the machine was made; reading it back timed out");
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        OperationRecord a = creates(d.id()).get(0);
        assertThat(a.state()).isEqualTo(OperationState.PENDING);
        OperationRecord b = DeploymentEngine.join(lab.store.deployments().beginOperation(new NewOperation(d.id(), "worker", "lab", "create", 2)));
        DeploymentMember member = d.members().get(0);
        lab.lab.create(new MachineRequest(b.id(), d.id(), member.name(), "bank-risk", member.target(),
                new MachineResources(4000, 8L << 30, 0, List.of(), null), Map.of(), lab.store.info().logId()),
                new DiscoveryContext("test", Instant.now().plusSeconds(10), java.time.Clock.systemUTC()));
        Map<String, String> machineOf = new java.util.HashMap<>();
        lab.lab.live().forEach(m -> machineOf.put(m.labels.get(MachineLabels.OPERATION), m.id));
        assertThat(machineOf).containsOnlyKeys(a.id(), b.id());

        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), DELETED, PATIENCE);
        for (int i = 0; i < 3; i++) {
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
        }

        assertThat(lab.lab.live()).isEmpty();
        assertThat(lab.lab.deletes).containsExactlyInAnyOrder(machineOf.get(a.id()), machineOf.get(b.id()));
        assertThat(creates(d.id())).allSatisfy(op -> {
            assertThat(op.state()).isEqualTo(OperationState.SUCCEEDED);
            assertThat(Spec.Detail.parse(op.handle(), op.deploymentId(), op.member()).machine().machineId()).isEqualTo(machineOf.get(op.id()));
        });
        List<OperationRecord> deletes = lab.store.deployments().operations(d.id()).stream().filter(o -> o.action().equals("delete")).toList();
        assertThat(deletes).extracting(OperationRecord::state).containsOnly(OperationState.SUCCEEDED);
        assertThat(deletes).extracting(OperationRecord::attempt).containsExactly(1, 2);
        assertThat(deletes).extracting(o -> Spec.Detail.parse(o.handle(), o.deploymentId(), o.member()).machine().machineId())
                .containsExactlyInAnyOrder(machineOf.get(a.id()), machineOf.get(b.id()));
        assertThat(lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, d.id(), "leak", null, null, 10,
                false))).as("leak records").isEmpty();
    }

    private List<OperationRecord> creates(String deploymentId) {
        return lab.store.deployments().operations(deploymentId).stream().filter(o -> o.action().equals("create")).toList();
    }

    /**
     * A provider that does not answer a create, while the store fails once to record the wait: the
     * next try is still the first wait of the outage, and it is recorded and shown. Before, the
     * store's failure was counted as a second failure of the provider, so no wait of that outage
     * was ever recorded and the member showed none.
     */
    @Test
    void aWaitTheStoreFailedToRecordIsRecordedOnTheNextTry() {
        FailingStore failing = new FailingStore(lab.store);
        DeploymentEngine deployments = lab.engine(Lab.FAST, failing);
        failing.failMember = FailingStore.once(r -> r.handle() != null && r.handle().contains("waiting for provider"));
        lab.lab.unavailable = true;
        Deployment d = deployments.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        for (int i = 0; i < 4; i++) {
            deployments.reconcileNow();
            deployments.awaitIdle(PATIENCE);
            lab.pastTheLongestBackoff(); // each pass tries the create again (after the store's failure too)
        }
        assertThat(lab.lab.creates).hasSizeGreaterThan(1);
        DeploymentMember member = deployments.get(d.id()).orElseThrow().members().get(0);
        assertThat(member.state()).isEqualTo(MemberState.CREATING);
        assertThat(member.message()).startsWith("waiting for provider lab: provider lab: cloud unreachable");
        assertThat(history(d.id())).filteredOn(h -> h.contains("did not answer") && h.contains("stays pending")).hasSize(1);

        lab.lab.unavailable = false;
        assertThat(Lab.settle(deployments, d.id(), READY, PATIENCE).message()).isNull();
    }

    /**
     * A delete that the store failed to begin (the provider was not called), then a provider that
     * does not answer: the wait is the first of the outage, recorded and shown. Before, the
     * store's failure counted as a failure of the provider, and the wait that followed was neither
     * recorded nor shown (the member stayed RUNNING while its delete waited).
     */
    @Test
    void aFailureOfTheStoreIsNotCountedAsAFailureOfTheProvider() {
        FailingStore failing = new FailingStore(lab.store);
        DeploymentEngine deployments = lab.engine(Lab.FAST, failing);
        Deployment d = deployments.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(deployments, d.id(), READY, PATIENCE);
        failing.failBegin = FailingStore.once(o -> o.action().equals("delete"));
        deployments.undeploy(d.id(), "alice");
        deployments.reconcileNow();
        deployments.awaitIdle(PATIENCE);
        assertThat(lab.lab.deletes).isEmpty();

        lab.lab.unavailable = true;
        lab.pastTheLongestBackoff(); // past the backoff the store's failure set
        for (int i = 0; i < 3; i++) {
            deployments.reconcileNow();
            deployments.awaitIdle(PATIENCE);
            lab.pastTheLongestBackoff(); // each pass tries the delete again
        }
        assertThat(lab.lab.deletes).isNotEmpty();
        DeploymentMember member = deployments.get(d.id()).orElseThrow().members().get(0);
        assertThat(member.state()).isEqualTo(MemberState.DELETING);
        assertThat(member.message()).startsWith("waiting for provider lab: provider lab: cloud unreachable");
        assertThat(history(d.id())).anyMatch(h -> h.contains("did not answer") && h.contains("stays pending"));

        lab.lab.unavailable = false;
        Lab.settle(deployments, d.id(), DELETED, PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
    }

    /**
     * A delete that waited for its provider, was then refused by it (the provider answered: the
     * outage was over), and then waits again: the second wait is the first of a new outage,
     * recorded and shown. Before, the refusal left the first outage's count in place, and the
     * second wait was neither recorded nor shown (the member kept the refusal's message).
     */
    @Test
    void aWaitAfterARefusedDeleteIsRecordedAndShown() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        lab.lab.unavailable = true;
        engine.undeploy(d.id(), "alice");
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(engine.get(d.id()).orElseThrow().members().get(0).message()).startsWith("waiting for provider lab");

        lab.lab.failDeletes = 1;
        lab.lab.unavailable = false;
        lab.pastTheLongestBackoff(); // past the backoff of the wait
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(engine.get(d.id()).orElseThrow().members().get(0).message()).startsWith("delete failed (try 1)");

        lab.lab.unavailable = true;
        lab.pastTheLongestBackoff(); // past the backoff of the refused delete
        for (int i = 0; i < 3; i++) {
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            lab.pastTheLongestBackoff(); // each pass tries the delete again
        }
        assertThat(lab.lab.deletes).hasSizeGreaterThanOrEqualTo(3);
        DeploymentMember member = engine.get(d.id()).orElseThrow().members().get(0);
        assertThat(member.state()).isEqualTo(MemberState.DELETING);
        assertThat(member.message()).startsWith("waiting for provider lab: provider lab: cloud unreachable");
        assertThat(history(d.id())).filteredOn(h -> h.contains("did not answer") && h.contains("stays pending")).hasSize(2);

        lab.lab.unavailable = false;
        Lab.settle(engine, d.id(), DELETED, PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
    }

    @Test
    void aMachineOfASupersededOperationIsALeak() {
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", "deployment: {onMachineLoss: replace}"), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        String first = ready.members().get(0).machine().machineId();
        lab.lab.vanish(first);
        Deployment replaced = Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(replaced.members().get(0).machine().machineId()).isNotEqualTo(first);
        // the lost machine comes back (a vendor restored it): it is no longer the member's, so it is a leak
        lab.lab.vendor.machines.get(first).state = dev.strata.platform.api.provisioning.MachineState.RUNNING;
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(lab.lab.live()).extracting(m -> m.id).containsExactly(replaced.members().get(0).machine().machineId());
        assertThat(history(d.id())).anyMatch(h -> h.startsWith("leak system: machine " + first) && h.contains("has another machine now"));
    }

    @Test
    void onePassListsEachProvidersMachinesOnceAndDescribesOnlyWhatTheListingLacks() {
        Deployment a = engine.deploy(lab.workers("a", 6, "lab", ""), "alice").deployment();
        Deployment b = engine.deploy(lab.workers("b", 3, "lab2", ""), "alice").deployment();
        Lab.settle(engine, a.id(), READY, PATIENCE);
        Lab.settle(engine, b.id(), READY, PATIENCE);
        int describes = lab.lab.describes.get() + lab.lab2.describes.get();
        int listings = lab.lab.listings.get();
        Reconciler.PassReport report = engine.reconcileNow();
        assertThat(report.listed()).isEqualTo(9);
        assertThat(report.described()).isZero();
        assertThat(lab.lab.listings.get()).isEqualTo(listings + 1);
        assertThat(lab.lab.describes.get() + lab.lab2.describes.get()).isEqualTo(describes);

        lab.lab.listingFails = true;
        Reconciler.PassReport fallback = engine.reconcileNow();
        assertThat(fallback.listingErrors()).containsKey("lab");
        assertThat(fallback.described()).isEqualTo(6);
        assertThat(engine.get(a.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
    }

    @Test
    void aMemberBoundToANodeWhoseProviderCannotProvisionIsRefusedAndNothingIsKept() {
        assertThatThrownBy(() -> engine.deploy(lab.workers("decl", 1, "declared", ""), "alice"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("member worker was bound to node declared:n1 of provider declared, which cannot make machines: no provisioning "
                        + "provider with the id declared is running (those that are: lab, lab2)");
        assertThat(lab.placement.allocations()).isEmpty();
        assertThat(engine.list()).isEmpty();
    }

    /**
     * A deploy that arrives while the provisioning provider of its node is being replaced (its
     * bundle updated: the service unregistered, and registered again a moment later) waits for it,
     * up to the inventory's swapWait, and is deployed through the provider that came back; the
     * wait holds no lock: another tenant's deploy meanwhile is placed and stored at once. Before,
     * it was refused at once as if no such provider were installed.
     */
    @Test
    void aDeployWhileItsProvisioningProviderIsBeingReplacedWaitsForItAndGoesOn() throws Exception {
        engine.swapWaitFrom(() -> Duration.ofSeconds(20));
        lab.providers.remove("lab", 1);
        ScriptedProvider next = new ScriptedProvider("lab", lab.lab.vendor);
        java.util.concurrent.atomic.AtomicReference<Thread> deploying = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "deploying train");
            deploying.set(t);
            return t;
        });
        try {
            java.util.concurrent.Future<DeploymentResult> waiting = caller.submit(() -> engine.deploy(lab.workers("train", 2, "lab", ""), "alice"));
            // the deploy is seen waiting for its provider to come back, rather than given a fixed time to get there
            assertThat(waitsForAProvider(deploying.get(), waiting)).as("the deploy waits for provider lab: %s", waiting).isTrue();
            assertThat(lab.placement.allocations()).as("the deploy was not placed").isNotEmpty();
            assertThat(waiting.isDone()).as("the deploy returned before the provider came back").isFalse();

            // another tenant is placed and deployed meanwhile
            Deployment other = engine.deploy(lab.contract("name: infer\ntenant: bank-ops\nsovereignty: {countries: [FR]}\n"
                    + "members:\n  - {name: worker, replicas: 1, cpu: 4, memory: 8GiB}\n"), "bob").deployment();
            assertThat(other.state()).isEqualTo(DeploymentState.REQUESTED);
            assertThat(waiting.isDone()).isFalse();

            lab.providers.add("lab", 3, next);
            Deployment d = waiting.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).deployment();
            assertThat(d.members()).extracting(DeploymentMember::providerId).containsOnly("lab");
            Lab.settle(engine, d.id(), READY, PATIENCE);
            assertThat(next.creates).hasSize(2);
            assertThat(lab.lab.creates).isEmpty();
            assertThat(engine.list()).hasSize(2);
        } finally {
            caller.shutdownNow();
        }
    }

    /**
     * A provisioning provider replaced again and again (its bundle updated over and over) while
     * contracts are deployed on its nodes: every deploy is placed and stored, none refused, as the
     * provider ran throughout. Before, where the provider came back after the deploy's plan had
     * looked for it and before the deploy asked whether it was being replaced, it was no longer
     * departed then, and the deploy was refused at once as if no such provider had ever run ("no
     * provisioning provider with the id lab is running"), its allocation released.
     */
    @Test
    void aDeployWhoseProviderComesBackWhileItIsPlannedIsNotRefused() throws Exception {
        engine.swapWaitFrom(() -> PATIENCE);
        java.util.concurrent.atomic.AtomicBoolean replacing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong replaced = new java.util.concurrent.atomic.AtomicLong();
        Thread replacer = new Thread(() -> {
            long service = 1;
            while (replacing.get()) {
                lab.providers.remove("lab", service);
                lab.providers.add("lab", ++service, lab.lab);
                replaced.incrementAndGet();
            }
        }, "replacing provider lab");
        replacer.start();
        List<String> deployed = new ArrayList<>();
        try {
            Instant until = Instant.now().plusSeconds(5);
            for (int i = 0; i < 300 && (i < 20 || Instant.now().isBefore(until)); i++) {
                DeploymentResult r = engine.deploy(lab.contract("name: c" + i + "\ntenant: bank-risk\nsovereignty: {countries: [DE]}\n"
                        + "members:\n  - {name: worker, cpu: 1}\n"), "alice");
                assertThat(r.deployment()).as("deploy %s", i).isNotNull();
                deployed.add(r.deployment().id());
            }
        } finally {
            replacing.set(false);
            replacer.join();
        }
        assertThat(replaced.get()).as("replacements of provider lab").isPositive();
        assertThat(engine.list()).extracting(Deployment::id).containsExactlyElementsOf(deployed);
        assertThat(lab.placement.allocations()).hasSize(deployed.size());
    }

    /**
     * A provider being replaced that does not come back within swapWait: the deploy is refused
     * saying so, storing and holding nothing. One that never ran (a provider that cannot make
     * machines) is refused at once, as before, however long swapWait is.
     */
    @Test
    void aDeployWhoseProvisioningProviderDoesNotComeBackWithinSwapWaitIsRefusedSayingSo() {
        lab.providers.remove("lab", 1);
        engine.swapWaitFrom(() -> Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("member worker: provisioning provider lab was being replaced and did not come back within 300 ms (swapWait); "
                        + "nothing was deployed");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(lab.placement.allocations()).isEmpty();
        assertThat(engine.list()).isEmpty();

        engine.swapWaitFrom(() -> Duration.ofSeconds(30));
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> engine.deploy(lab.workers("decl", 1, "declared", ""), "alice"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("member worker was bound to node declared:n1 of provider declared, which cannot make machines: no provisioning "
                        + "provider with the id declared is running (those that are: lab2)");
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofSeconds(10));
        assertThat(lab.placement.allocations()).isEmpty();
        assertThat(engine.list()).isEmpty();
    }

    @Test
    void aPlanChangesNothingAndNamesTheProviderOfEachMachine() {
        DeploymentResult plan = engine.plan(lab.workers("train", 2, "lab", "deployment: {parameters: {image: img-7}}"));
        assertThat(plan.dryRun()).isTrue();
        assertThat(plan.deployment()).isNull();
        assertThat(plan.members()).extracting(DeploymentMember::providerId).containsOnly("lab");
        assertThat(plan.members()).extracting(DeploymentMember::parameters).containsOnly(Map.of("image", "img-7"));
        assertThat(lab.placement.allocations()).isEmpty();
        assertThat(engine.list()).isEmpty();
        assertThat(lab.lab.creates).isEmpty();

        DeploymentResult refused = engine.plan(lab.workers("decl", 1, "declared", ""));
        assertThat(refused.members()).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(MemberState.FAILED);
            assertThat(m.message()).contains("cannot make machines");
        });
    }

    @Test
    void aContractThatDoesNotFitMakesNoDeployment() {
        DeploymentResult r = engine.deploy(lab.contract("{name: big, tenant: t, members: [{name: m, cpu: 64}]}"), "alice");
        assertThat(r.decision().placed()).isFalse();
        assertThat(r.deployment()).isNull();
        assertThat(engine.list()).isEmpty();
    }

    @Test
    void providerParametersReachTheProviderMemberOverContract() {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        lab.lab.beforeCreate = request -> seen.add(request.parameters());
        Deployment d = engine.deploy(lab.contract("""
                name: p
                tenant: t
                sovereignty: {countries: [DE]}
                deployment: {parameters: {image: img-1, bootDevice: pxe}}
                members:
                  - {name: a, cpu: 1, provisioning: {image: img-2}}
                  - {name: b, cpu: 1}
                """), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        assertThat(seen).containsExactlyInAnyOrder(Map.of("image", "img-2", "bootDevice", "pxe"), Map.of("image", "img-1", "bootDevice", "pxe"));
    }

    /**
     * A parameter YAML reads as a number or true/false reaches the provider, the deployment and its
     * record as it was written: kernel 1.10 was given as 1.1, efa off as false, 0x1F as 31.
     */
    @Test
    void numericParametersReachTheProviderAndTheRecordAsWritten() {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        lab.lab.beforeCreate = request -> seen.add(request.parameters());
        Deployment d = engine.deploy(lab.contract("""
                name: p
                tenant: t
                sovereignty: {countries: [DE]}
                deployment: {parameters: {kernel: 1.10, efa: off}}
                members:
                  - {name: a, cpu: 1, provisioning: {diskGiB: 0x1F}}
                """), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        Map<String, String> written = Map.of("kernel", "1.10", "efa", "off", "diskGiB", "0x1F");
        assertThat(seen).containsExactly(written);
        assertThat(engine.get(d.id()).orElseThrow().members()).extracting(DeploymentMember::parameters).containsExactly(written);
        List<String> records = new ArrayList<>();
        lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, "deployment", null, null, 100, false))
                .forEach(r -> records.add(r.payloadJson()));
        assertThat(records).anySatisfy(r -> assertThat(r).contains("\"parameters\":{\"diskGiB\":\"0x1F\",\"efa\":\"off\",\"kernel\":\"1.10\"}"));
    }

    @Test
    void unknownDeploymentsAreNamed() {
        assertThatThrownBy(() -> engine.undeploy("d-000404", "alice")).isInstanceOf(NotFoundException.class)
                .hasMessage("no deployment 'd-000404'; there are none");
        assertThatThrownBy(() -> engine.history("d-000404")).isInstanceOf(NotFoundException.class);
        assertThat(engine.get("d-000404")).isEmpty();
    }

    @Test
    void theScheduledReconcilerFinishesDeploymentsOnItsOwnAndAwaitReturnsWhenSettled() {
        engine.start();
        Deployment d = engine.deploy(lab.workers("train", 5, "lab", ""), "alice").deployment();
        Deployment ready = engine.await(d.id(), READY, PATIENCE);
        assertThat(ready.state()).isEqualTo(DeploymentState.READY);
        engine.undeploy(d.id(), "alice");
        assertThat(engine.await(d.id(), DELETED, PATIENCE).state()).isEqualTo(DeploymentState.DELETED);
        assertThat(lab.lab.live()).isEmpty();
        List<DeploymentEvent> events = engine.history(d.id());
        assertThat(events).extracting(DeploymentEvent::seq).isSorted();
        Set<String> kinds = events.stream().map(DeploymentEvent::kind).collect(Collectors.toSet());
        assertThat(kinds).containsExactlyInAnyOrder("deployment", "provisioning");
    }

    /**
     * A deployment with more records than a history shows: the history is the latest of them,
     * oldest first, ending with the last. Before, it was the oldest ones, and what happened last
     * (the undeploy, the drift) was left out.
     */
    @Test
    void theHistoryOfALongDeploymentEndsWithItsLatestRecords() {
        Deployment d = engine.deploy(lab.workers("long", 1, "lab", ""), "alice").deployment();
        java.util.concurrent.CompletableFuture<?> last = null;
        for (int i = 1; i <= 10_001; i++) {
            last = lab.store.provenance().append(dev.strata.platform.core.store.ProvenanceEntry.of("note", "test", Map.of("summary", "note " + i),
                    "deployment", d.id()));
        }
        last.join();
        List<DeploymentEvent> events = engine.history(d.id());
        assertThat(events).hasSize(10_000);
        assertThat(events.get(events.size() - 1).summary()).isEqualTo("note 10001");
        assertThat(events.get(0).summary()).isEqualTo("note 2");
        assertThat(events).extracting(DeploymentEvent::seq).isSorted();
    }

    @Test
    void awaitGivesUpAfterItsTimeoutAndReturnsTheDeploymentAsItIs() {
        lab.lab.unavailable = true;
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Instant start = Instant.now();
        Deployment now = engine.await(d.id(), READY, Duration.ofMillis(300));
        assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(now.state()).isNotEqualTo(DeploymentState.READY);
    }

    /**
     * A provider that breaks the SPI's promise and writes credentials into what it reports: a
     * refusal, the fault of a machine that fails as it is made, the fault of a machine that fails
     * later (the reconciler's path), and a step. None of them reaches the provenance log, the
     * deployment the shell shows, or the log; each reaches them masked, on one line.
     */
    @Test
    void credentialsAProviderWritesReachNeitherTheProvenanceLogNorTheDeploymentNorTheLog() {
        String password = "hunter2-" + java.util.UUID.randomUUID();
        String token = "gAAAAAB" + java.util.UUID.randomUUID().toString().replace("-", "") + java.util.UUID.randomUUID().toString().replace("-", "");
        String bearer = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdHJhdGEifQ." + java.util.UUID.randomUUID().toString().replace("-", "");
        lab.lab.reportSteps = true;
        lab.lab.extraSteps.add("virtual-media-inserted https://admin:" + password + "@images.lab/boot.iso");
        lab.lab.refuse.put("worker-1", "quota exceeded (the request had X-Auth-Token: " + token + ")\n2026-12-01 12:00:00 INFO [main] forged");
        lab.lab.faults.put("worker-0", "no boot device; the BMC answered {\"UserName\": \"root\", \"Password\": \"" + password + "\"}");
        // no create is answered before all three have been sent: the creates of one pass run at once, and a create that starts
        // after the deployment failed (worker-1 refused, or worker-0's machine failed) is not sent, so without the wait the
        // premise (a refusal, a machine failed as it was made and a machine that runs, all three) held only where all three
        // creates happened to start before the first answer was recorded
        CountDownLatch allSent = new CountDownLatch(3);
        lab.lab.beforeCreate = r -> {
            allSent.countDown();
            await(allSent);
        };

        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Deployment d = engine.deploy(lab.workers("leaky", 3, "lab", ""), "alice").deployment();
            Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
            DeploymentMember third = awaitMember(d.id(), "worker-2", MemberState.RUNNING);
            lab.lab.fail(third.machine().machineId(), "kernel panic; console at https://ops:" + password + "@10.0.0.9/console, Authorization: Bearer " + bearer);
            awaitMember(d.id(), "worker-2", MemberState.FAILED);

            Deployment failed = engine.get(d.id()).orElseThrow();
            List<String> seen = new ArrayList<>();
            lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, d.id(), null, null, null, 1000, false))
                    .forEach(r -> seen.add(r.kind() + " " + r.payload()));
            seen.add(failed.message());
            failed.members().forEach(m -> seen.add(m.name() + " " + m.message()));
            seen.addAll(history(d.id()));
            String all = String.join("\n", seen) + "\n" + log.text();

            assertThat(all).doesNotContain(password).doesNotContain(token).doesNotContain(bearer.substring(bearer.lastIndexOf('.')));
            // what they said is there, masked, and one record stays one line
            assertThat(seen).anyMatch(t -> t.contains("X-Auth-Token: ****) 2026-12-01 12:00:00 INFO [main] forged"));
            assertThat(seen).anyMatch(t -> t.contains("\"Password\": \"****\""));
            assertThat(seen).anyMatch(t -> t.contains("console at https://****@10.0.0.9/console, Authorization: ****"));
            assertThat(seen).anyMatch(t -> t.contains("provisioning-step") && t.contains("virtual-media-inserted https://****@images.lab/boot.iso"));
            assertThat(seen).noneMatch(t -> t.contains("\n"));
            assertThat(log.text()).doesNotContain("\n2026-12-01 12:00:00 INFO [main] forged");
        }
    }

    /**
     * A contract parameter may be a signed URL (an S3 presigned image, an Azure shared access
     * signature), and a provider may keep one, or a console URL with a login, in its machine
     * handle: the provider gets them as they are, the deployment keeps them as they are (a provider
     * needs them to resume), and the provenance log, which keeps what it is given for good,
     * records them masked.
     */
    @Test
    void signedUrlsInParametersAndHandleAttributesAreRecordedMaskedAndKeptAsTheyAreWhereNeeded() {
        String signature = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        String keyId = "AKIAIOSFODNN7EXAMPLE";
        String sig = "Xb3kqLm9vT0RkQmFzZTY0U2lnbmF0dXJl";
        String s3 = "https://images.s3.eu-central-1.amazonaws.com/os/ubuntu.img?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + keyId
                + "%2F20261201%2Feu-central-1%2Fs3%2Faws4_request&X-Amz-Expires=3600&X-Amz-Signature=" + signature;
        String azure = "https://acct.blob.core.windows.net/os/ubuntu.vhd?sv=2022-11-02&sr=b&sp=r&sig=" + sig;
        String console = "https://ops:Console-Pass-42@10.0.0.9/console";
        lab.lab.handleAttributes.put("image", azure);
        lab.lab.handleAttributes.put("console", console);
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        lab.lab.beforeCreate = request -> seen.add(request.parameters());
        Deployment d = engine.deploy(lab.contract("""
                name: signed
                tenant: t
                sovereignty: {countries: [DE]}
                deployment: {parameters: {image: "%s", bootDevice: pxe}}
                members:
                  - {name: a, cpu: 1, provisioning: {image: "%s"}}
                  - {name: b, cpu: 1}
                """.formatted(s3, azure)), "alice").deployment();
        Lab.settle(engine, d.id(), READY, PATIENCE);
        Map<String, DeploymentMember> members = engine.get(d.id()).orElseThrow().members().stream()
                .collect(Collectors.toMap(DeploymentMember::name, m -> m));
        // the provider was given them as written; whoever reads the deployment (the shell's strata:deploy) sees them cleaned
        assertThat(seen).anySatisfy(p -> assertThat(p).containsEntry("image", azure)).anySatisfy(p -> assertThat(p).containsEntry("image", s3));
        assertThat(members.get("a").parameters().get("image")).endsWith("&sig=****").doesNotContain(sig);
        assertThat(members.get("b").parameters().get("image")).contains("X-Amz-Signature=****").doesNotContain(signature).doesNotContain(keyId);
        assertThat(engine.plan(lab.contract("""
                name: signed-plan
                tenant: t
                sovereignty: {countries: [DE]}
                members:
                  - {name: a, cpu: 1, provisioning: {image: "%s"}}
                """.formatted(azure))).members().get(0).parameters().get("image")).doesNotContain(sig);
        assertThat(members.get("a").machine().attributes()).containsEntry("image", azure).containsEntry("console", console);
        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), DELETED, PATIENCE);

        List<String> records = new ArrayList<>();
        lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, null, null, null, 10_000, false))
                .forEach(r -> records.add(r.kind() + " " + r.payload()));
        String all = String.join("\n", records);
        assertThat(all).doesNotContain(signature).doesNotContain(keyId).doesNotContain(sig).doesNotContain("Console-Pass-42");
        assertThat(records).anyMatch(r -> r.startsWith("deployment ") && r.contains("X-Amz-Signature=****") && r.contains("X-Amz-Credential=****")
                && r.contains("sig=****"));
        assertThat(records).anyMatch(r -> r.startsWith("provisioning ") && r.contains("sig=****") && r.contains("https://****@10.0.0.9/console"));

        assertThat(seen).containsExactlyInAnyOrder(Map.of("image", azure, "bootDevice", "pxe"), Map.of("image", s3, "bootDevice", "pxe"));
    }

    /** Runs passes, as {@link Lab#settle} does, until a member is in {@code state}, or fails after {@link #PATIENCE}. */
    private DeploymentMember awaitMember(String deploymentId, String member, MemberState state) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            engine.reconcileNow();
            engine.awaitIdle(Duration.ofSeconds(10));
            DeploymentMember m = engine.get(deploymentId).orElseThrow().members().stream().filter(x -> x.name().equals(member)).findFirst()
                    .orElseThrow();
            if (m.state() == state) {
                return m;
            }
            assertThat(Instant.now()).as("%s of %s did not become %s (it is %s)", member, deploymentId, state, m.state()).isBefore(deadline);
        }
    }

    /**
     * Whether {@code thread}, running {@code call}, comes to wait in {@link ProvisioningProviders#await} (a deploy waiting for
     * its provisioning provider to come back) within {@link #PATIENCE}; false at once when the call ends first.
     */
    private static boolean waitsForAProvider(Thread thread, java.util.concurrent.Future<?> call) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (!(thread.getState() == Thread.State.TIMED_WAITING && java.util.Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(ProvisioningProviders.class.getName()) && f.getMethodName().equals("await")))) {
            if (call.isDone() || !Instant.now().isBefore(deadline)) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /**
     * Waits, in a provider's call, for what a test's premise needs to have happened on other
     * workers first: at most half the call's operationTimeout, so that a premise that does not come
     * about fails the create with an AssertionError that says so (the member's message names it),
     * not with the engine's timeout of the call.
     */
    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(Lab.FAST.operationTimeout().toMillis() / 2, TimeUnit.MILLISECONDS)).as("the premise came about").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> ids(List<DeploymentMember> members) {
        List<String> out = new ArrayList<>();
        members.forEach(m -> out.add(m.machine() == null ? "-" : m.machine().machineId()));
        return out;
    }

    /**
     * A provider call in flight when deployments stop (the engine closed as Strata stops, or as
     * the core bundle is updated) is cut short by Strata, not by the provider: the interrupted call
     * leaves no record that the provider did not answer, no message on the member and no warning;
     * the operation stays pending, and the next engine on the same store resumes it under the same
     * id and makes one machine. Before, the interrupted call was taken for an outage of the
     * provider ("provider lab did not answer", "waiting for provider lab: ...").
     */
    @Test
    void aCallCutShortByStoppingLeavesNoWaitAndIsResumedUnderTheSameIdByTheNextEngine() throws Exception {
        java.util.concurrent.CountDownLatch calling = new java.util.concurrent.CountDownLatch(1);
        lab.lab.beforeCreate = r -> {
            calling.countDown();
            try {
                // a real wait: the call hangs until the engine's close interrupts it (bounded, should the interrupt never come)
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderUnavailableException("provider lab: the call was interrupted");
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        String op;
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            engine.reconcileNow();
            assertThat(calling.await(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            op = lab.lab.creates.get(0);
            engine.close();
            assertThat(log.text()).doesNotContain("did not answer").doesNotContain(" WARN ").doesNotContain("ERROR");
        }
        assertCutShortLeftNothing(d.id(), op);

        lab.lab.beforeCreate = r -> { };
        DeploymentEngine again = lab.engine();
        Deployment ready = Lab.settle(again, d.id(), READY, PATIENCE);
        assertThat(ready.members().get(0).operationId()).isEqualTo(op);
        assertThat(lab.lab.creates).containsExactly(op, op);
        assertThat(lab.lab.live()).singleElement().satisfies(m -> assertThat(m.labels.get(MachineLabels.OPERATION)).isEqualTo(op));
        assertThat(lab.store.deployments().operations(d.id())).singleElement().satisfies(o -> {
            assertThat(o.id()).isEqualTo(op);
            assertThat(o.state()).isEqualTo(OperationState.SUCCEEDED);
        });
    }

    /**
     * A call refused because deployments are stopping (the engine closed in the instant between
     * storing the operation and calling the provider: "deployments are stopping") is no outage of
     * the provider either: nothing is recorded, the provider is not called, and the next engine
     * resumes the operation under its id.
     */
    @Test
    void aCallRefusedBecauseDeploymentsAreStoppingLeavesNoWaitAndIsResumedUnderTheSameId() {
        FailingStore closing = new FailingStore(lab.store);
        DeploymentEngine stopping = lab.engine(Lab.FAST, closing);
        Deployment d = stopping.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        // the engine closes on the worker that is about to store the create, so that its call comes after the close
        closing.failBegin = o -> {
            stopping.close();
            return false;
        };
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            stopping.reconcileNow();
            // the pass leaves the create in flight on its worker until the worker has stored it and dealt with the refused call
            assertThat(stopping.awaitIdle(PATIENCE)).as("the create's worker went idle").isTrue();
            assertThat(lab.store.deployments().operations(d.id())).as("the create was not stored").isNotEmpty();
            // the threads that could log about the call (its worker, the engine's reconciler) are waited for to end: close, called
            // again from here, waits for them (closed from the worker, it could not wait for its own thread)
            stopping.close();
            assertThat(log.text()).doesNotContain("did not answer").doesNotContain(" WARN ").doesNotContain("ERROR");
        }
        assertThat(lab.lab.creates).isEmpty();
        String op = lab.store.deployments().operations(d.id()).get(0).id();
        assertCutShortLeftNothing(d.id(), op);

        DeploymentEngine again = lab.engine();
        Deployment ready = Lab.settle(again, d.id(), READY, PATIENCE);
        assertThat(ready.members().get(0).operationId()).isEqualTo(op);
        assertThat(lab.lab.creates).containsExactly(op);
        assertThat(lab.store.deployments().operations(d.id())).singleElement().satisfies(o -> assertThat(o.state())
                .isEqualTo(OperationState.SUCCEEDED));
    }

    /** After a call cut short by the engine's stop: its operation pending, the member and the deployment without a word of the provider. */
    private void assertCutShortLeftNothing(String deploymentId, String op) {
        assertThat(lab.store.deployments().operations(deploymentId)).singleElement().satisfies(o -> {
            assertThat(o.id()).isEqualTo(op);
            assertThat(o.state()).isEqualTo(OperationState.PENDING);
        });
        Deployment after = engine.get(deploymentId).orElseThrow();
        assertThat(after.state()).isEqualTo(DeploymentState.PROVISIONING);
        assertThat(after.message()).isNull();
        assertThat(after.members()).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(MemberState.CREATING);
            assertThat(m.operationId()).isEqualTo(op);
            assertThat(m.message()).isNull();
        });
        assertThat(lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, deploymentId,
                DeploymentEngine.KIND_PROVISIONING, null, null, 100, false))).isEmpty();
        assertThat(history(deploymentId)).noneMatch(h -> h.contains("did not answer") || h.contains("waiting for provider")
                || h.contains("provider lab"));
    }

    /**
     * A provider that reports the steps it took on each machine ({@code MachineStatus.STEPS}):
     * every step lands in the deployment's provenance log once, with the member, operation and
     * node as subjects, although the statuses repeat them on every look and a second engine on
     * the same store (a restart) sees them again; undeploy adds the power-off.
     */
    @Test
    void stepsAProviderReportsAreRecordedOnceEachInTheProvenanceLogAcrossARestart() {
        lab.lab.reportSteps = true;
        lab.lab.pendingPolls = 2;
        Deployment d = engine.deploy(lab.workers("steps", 2, "lab", ""), "alice").deployment();
        Deployment ready = Lab.settle(engine, d.id(), READY, PATIENCE);
        for (int i = 0; i < 5; i++) {
            engine.reconcileNow();
            engine.awaitIdle(Duration.ofSeconds(10));
        }
        engine.close();
        DeploymentEngine again = lab.engine();
        Lab.settle(again, d.id(), READY, PATIENCE);
        again.reconcileNow();
        again.awaitIdle(Duration.ofSeconds(10));

        List<dev.strata.platform.audit.LogRecord> steps = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null,
                null, d.id(), "provisioning-step", null, null, 1000, false));
        // the oracle: the provider's own record of the steps it took
        List<String> taken = new java.util.ArrayList<>();
        for (ScriptedProvider.Machine m : lab.lab.live()) {
            m.steps.forEach(line -> taken.add(m.labels.get(MachineLabels.OPERATION) + " " + line));
        }
        assertThat(taken).hasSize(6);
        assertThat(steps).extracting(r -> r.payload().get("operation") + " " + r.payload().get("line")).containsExactlyInAnyOrderElementsOf(taken);
        for (DeploymentMember m : ready.members()) {
            List<dev.strata.platform.audit.LogRecord> mine = steps.stream().filter(r -> m.name().equals(r.subjects().get("member"))).toList();
            assertThat(mine).extracting(r -> r.payload().get("step")).containsExactly("boot-override-set", "power-requested", "powered-on");
            assertThat(mine).allSatisfy(r -> assertThat(r.subjects()).containsEntry("deployment", d.id()).containsEntry("operation",
                    m.operationId()).containsEntry("node", m.nodeId()).containsEntry("provider", "lab"));
        }
        assertThat(again.history(d.id())).extracting(DeploymentEvent::summary).anyMatch(s -> s.startsWith("worker-0: boot-override-set pxe once on node "));

        again.undeploy(d.id(), "alice");
        Lab.settle(again, d.id(), DELETED, PATIENCE);
        List<dev.strata.platform.audit.LogRecord> after = lab.store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null,
                null, d.id(), "provisioning-step", null, null, 1000, false));
        assertThat(after).hasSize(8);
        assertThat(after.subList(6, 8)).extracting(r -> r.payload().get("step")).containsOnly("powered-off");
    }
}
