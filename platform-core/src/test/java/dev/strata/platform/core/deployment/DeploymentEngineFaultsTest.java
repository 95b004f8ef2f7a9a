package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.platform.core.store.OperationRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment engine against a store that loses an acknowledgement and providers that break
 * the provisioning SPI (an Error from a listing, a create answered with another operation's
 * machine, a delete answered with nothing). Each test failed on the engine before its fix.
 */
class DeploymentEngineFaultsTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Lab lab;

    @BeforeEach
    void open() {
        lab = new Lab(dir);
    }

    @AfterEach
    void close() {
        lab.close();
    }

    /**
     * The store commits the deployment and then reports the write failed (a connection lost while
     * committing; an fsync that failed after the commit). The deployment exists and its machines
     * are made, so its allocation stays, and the error says so. Before, deploy() released the
     * allocation: two machines ran with nothing held for them in the ledger.
     */
    @Test
    void aDeploymentStoredButNotAcknowledgedKeepsItsAllocation() {
        FailingStore flaky = new FailingStore(lab.store);
        flaky.loseCreateAcknowledgement = FailingStore.once(n -> true);
        DeploymentEngine engine = lab.engine(Lab.FAST, flaky);

        assertThatThrownBy(() -> engine.deploy(lab.workers("train", 2, "lab", ""), "alice")).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("deployment d-000001 of train was stored although the store did not acknowledge it (")
                .hasMessageContaining("it goes on with allocation a-000001 (strata:deployment d-000001)");

        Deployment d = Lab.settle(engine, "d-000001", Set.of(DeploymentState.READY), PATIENCE);
        assertThat(d.state()).isEqualTo(DeploymentState.READY);
        assertThat(lab.lab.live()).hasSize(2);
        assertThat(lab.placement.allocation(d.allocationId())).as("the allocation of a deployment whose machines run").isPresent();
    }

    /**
     * The store stores the deployment and then fails to read its members back: the deployment
     * exists and goes on, so the deploy answers with it, its members as they were written. Before,
     * the deploy failed with the store's error, and a caller deploying the contract again made a
     * second deployment, on a second allocation, with machines of its own.
     */
    @Test
    void aDeploymentStoredWhoseMembersCannotBeReadBackIsAnsweredNotFailed() {
        FailingStore flaky = new FailingStore(lab.store);
        flaky.failMembers = FailingStore.once(id -> true);
        DeploymentEngine engine = lab.engine(Lab.FAST, flaky);

        Deployment d = engine.deploy(lab.workers("train", 2, "lab", ""), "alice").deployment();
        assertThat(d.id()).isEqualTo("d-000001");
        assertThat(d.state()).isEqualTo(DeploymentState.REQUESTED);
        assertThat(d.members()).extracting(DeploymentMember::name).containsExactly("worker-0", "worker-1");
        assertThat(d.members()).extracting(DeploymentMember::state).containsOnly(MemberState.REQUESTED);

        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        assertThat(lab.lab.live()).hasSize(2);
        assertThat(lab.placement.allocations()).hasSize(1);
    }

    /** The same, where the store cannot even be read back: the allocation is kept, and the error says how to free it. */
    @Test
    void aDeploymentThatMayHaveBeenStoredKeepsItsAllocationAndSaysHowToFreeIt() {
        FailingStore flaky = new FailingStore(lab.store);
        flaky.loseCreateAcknowledgement = FailingStore.once(n -> true);
        flaky.failGet = true;
        DeploymentEngine engine = lab.engine(Lab.FAST, flaky);

        assertThatThrownBy(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice")).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("deployment d-000001 of train may have been stored although the store did not acknowledge it")
                .hasMessageContaining("its allocation a-000001 is kept, and the reconciler frees it once the store answers if "
                        + "strata:deployment d-000001 is not there");
        assertThat(lab.placement.allocation("a-000001")).isPresent();
    }

    /** A store that refuses the create outright (nothing stored) still frees the allocation at once. */
    @Test
    void aDeploymentTheStoreRefusesFreesItsAllocation() {
        FailingStore flaky = new FailingStore(lab.store);
        flaky.failCreate = FailingStore.once(n -> true);
        DeploymentEngine engine = lab.engine(Lab.FAST, flaky);
        assertThatThrownBy(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice")).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("not written").hasMessageNotContaining("goes on").hasMessageNotContaining("is kept");
        assertThat(lab.placement.allocations()).isEmpty();
        assertThat(lab.store.deployments().list()).isEmpty();
    }

    /**
     * Storing the deployment ends in an Error (an OutOfMemoryError, an assertion in a driver): the
     * Error reaches the caller as it was, and the allocation placed for the deployment is freed at
     * once, as after a refused write. Before, only an Exception freed it: the allocation stayed held
     * in the ledger for a deployment that was never stored, until the next leader's first pass.
     */
    @Test
    void aDeployThatEndsInAnErrorFreesItsAllocation() {
        FailingStore flaky = new FailingStore(lab.store);
        flaky.failCreate = n -> {
            throw new AssertionError("driver assertion while writing");
        };
        DeploymentEngine engine = lab.engine(Lab.FAST, flaky);
        assertThatThrownBy(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice")).isInstanceOf(AssertionError.class)
                .hasMessage("driver assertion while writing");
        assertThat(lab.placement.allocations()).as("allocations held after the deploy failed").isEmpty();
        assertThat(lab.store.deployments().list()).isEmpty();
        assertThat(lab.lab.live()).isEmpty();
    }

    /**
     * A deployment whose spec a later version wrote (a field of another shape), read by this one:
     * reading it names the deployment and why, and undeploying it is refused, changing nothing.
     * Before, get() answered that there was no such deployment (the shell said "no deployment
     * 'd-000001'"), and undeploy moved it to DELETING, where the reconciler could not act on it, and
     * then failed with "No value present".
     */
    @Test
    void aDeploymentWhoseSpecCannotBeReadIsNamedAndNotUndeployed() {
        FailingStore later = new FailingStore(lab.store);
        DeploymentEngine engine = lab.engine(Lab.FAST, later);
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        later.specAsRead = spec -> spec.replace("\"members\":[", "\"members\":{\"v2\":[").replace("]}", "]}}");

        assertThatThrownBy(() -> engine.get(d.id())).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("the spec of deployment " + d.id() + " cannot be read (JSON of another shape at .members");
        assertThatThrownBy(() -> engine.undeploy(d.id(), "bob")).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("deployment " + d.id() + " is not undeployed: the spec of deployment " + d.id() + " cannot be read (")
                .hasMessageEndingWith("; without it the reconciler cannot tell which machines to delete, and nothing was changed");
        assertThat(lab.store.deployments().get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY.name());
        assertThat(lab.lab.live()).hasSize(1);

        later.specAsRead = spec -> spec;
        engine.undeploy(d.id(), "bob");
        Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /**
     * The same deployment, reconciled while its plan cannot be read: it is named in the log once,
     * not on every pass; its machine is not taken for a leak (leaks are deleted here), and its
     * allocation stays held. Before, every pass logged the same error again, for ever.
     */
    @Test
    void aDeploymentWhoseSpecCannotBeReadIsNamedOnceAndItsMachinesAndAllocationAreKept() {
        FailingStore later = new FailingStore(lab.store);
        DeploymentEngine engine = lab.engine(Lab.FAST, later);
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        later.specAsRead = spec -> spec.replace("\"members\":[", "\"members\":{\"v2\":[").replace("]}", "]}}");

        String named = "Deployment " + d.id() + " cannot be read: the spec of deployment " + d.id() + " cannot be read (";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 3; pass++) {
                Reconciler.PassReport report = engine.reconcileNow();
                assertThat(engine.awaitIdle(PATIENCE)).isTrue();
                assertThat(report.leaks()).as("leaks found on pass %s", pass).isZero();
                lab.pastTheLongestBackoff();
            }
            assertThat(log.text().split(java.util.regex.Pattern.quote(named), -1)).as("the deployment named once: %s", log.text()).hasSize(2);
        }
        assertThat(lab.lab.live()).as("the machine of the deployment that cannot be read").hasSize(1);
        assertThat(lab.placement.allocation(d.allocationId())).isPresent();
        assertThat(lab.store.deployments().get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY.name());
    }

    /**
     * A provider that answers the delete with nothing: the member says what the provider did wrong,
     * and the delete is tried again after a backoff. Before, a NullPointerException in the engine
     * was logged as Strata's own failure and the member showed nothing.
     */
    @Test
    void aProviderThatAnswersDeleteWithNothingIsNamed() {
        Delegating broken = new Delegating(lab.lab) {
            @Override
            public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
                lab.lab.deletes.add(handle.machineId());
                return null;
            }
        };
        lab.providers.add("lab", 10, broken);
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);

        engine.undeploy(d.id(), "bob");
        // passes until the provider has answered a delete and the engine has dealt with the answer (its worker went idle)
        Instant deadline = Instant.now().plus(PATIENCE);
        while (lab.lab.deletes.isEmpty()) {
            assertThat(Instant.now()).as("a delete was sent").isBefore(deadline);
            engine.reconcileNow();
            engine.awaitIdle(Duration.ofSeconds(5));
        }
        Deployment now = engine.get(d.id()).orElseThrow();
        assertThat(now.members()).extracting(DeploymentMember::message).anySatisfy(m -> assertThat(m)
                .contains("provider lab answered delete of ").contains("with no machine status; expected DELETING or GONE"));
        List<OperationRecord> deletes = lab.store.deployments().operations(d.id()).stream().filter(op -> op.action().equals("delete")).toList();
        assertThat(deletes).extracting(OperationRecord::error).anySatisfy(e -> assertThat(e).contains("with no machine status"));
    }

    /**
     * A provider whose idempotency look-up goes wrong answers the create of one member with the
     * machine it made for another. That member fails naming both operations, and the other
     * member keeps its machine. Before, both members were recorded on one machine and the
     * deployment was READY with "2 of 2 machines".
     */
    @Test
    void aCreateAnsweredWithTheMachineOfAnotherOperationIsNotTakenForThisMembersMachine() {
        Delegating confused = new Delegating(lab.lab) {
            @Override
            public MachineStatus create(MachineRequest request, DiscoveryContext context) {
                if (request.member().equals("worker-1")) {
                    Optional<ScriptedProvider.Machine> other = lab.lab.live().stream()
                            .filter(m -> "worker-0".equals(m.labels.get(MachineLabels.MEMBER))).findFirst();
                    if (other.isPresent()) {
                        return lab.lab.describe(new MachineHandle("lab", other.get().id, Map.of()), context);
                    }
                    throw new ProviderUnavailableException("worker-0's machine is not made yet");
                }
                return lab.lab.create(request, context);
            }
        };
        lab.providers.add("lab", 10, confused);
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 2, "lab", ""), "alice").deployment();
        Deployment settled = Lab.settle(engine, d.id(), Set.of(DeploymentState.READY, DeploymentState.FAILED, DeploymentState.DEGRADED),
                PATIENCE);
        assertThat(settled.state()).isNotEqualTo(DeploymentState.READY);
        assertThat(settled.members()).extracting(m -> m.machine() == null ? null : m.machine().machineId()).doesNotHaveDuplicates();
        DeploymentMember second = settled.members().stream().filter(m -> m.name().equals("worker-1")).findFirst().orElseThrow();
        assertThat(second.message()).contains("provider lab answered create of operation").contains("which operation")
                .contains("made; expected the machine of");
    }

    /**
     * One listing ends in an Error (a StackOverflowError on a deeply nested vendor answer): the
     * reconciler's next pass is still scheduled, and a machine lost afterwards is replaced.
     * Before, the scheduled passes ended for good.
     */
    @Test
    void aProviderErrorInAScheduledPassDoesNotStopTheReconciler() throws Exception {
        DeploymentEngine engine = lab.engine();
        engine.start();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", "deployment: {onMachineLoss: replace}"), "alice").deployment();
        Deployment ready = engine.await(d.id(), Set.of(DeploymentState.READY), PATIENCE);
        assertThat(ready.state()).isEqualTo(DeploymentState.READY);

        AtomicBoolean once = new AtomicBoolean(true);
        // the listings made up to the one that met the Error; the machine vanishes only once a later pass has listed: the
        // pass that met the Error describes the machine, and had it vanished by then (the test's thread looked at `once`
        // while that pass was still under way), that pass replaced it, and no pass after the Error need have run
        java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger(-1);
        java.util.concurrent.CountDownLatch listedAfterTheError = new java.util.concurrent.CountDownLatch(1);
        lab.lab.afterListing = () -> {
            if (once.get()) {
                listings.set(lab.lab.listings.get());
                once.set(false);
                throw new StackOverflowError("vendor answer nested too deep");
            }
            listedAfterTheError.countDown();
        };
        listedAfterTheError.await(10, TimeUnit.SECONDS);
        assertThat(once.get()).as("a pass met the Error").isFalse();
        assertThat(lab.lab.listings.get()).as("passes after the Error").isGreaterThan(listings.get());
        java.util.concurrent.CountDownLatch replacing = new java.util.concurrent.CountDownLatch(1);
        lab.lab.beforeCreate = r -> replacing.countDown();
        lab.lab.vanish(ready.members().get(0).machine().machineId());
        replacing.await(10, TimeUnit.SECONDS);
        assertThat(lab.lab.creates).as("the lost machine is replaced").hasSize(2);
    }

    /**
     * Provider lab2's listing hangs in a call that ignores interrupts (a blocking socket read). A
     * deployment on provider lab is made and ready all the same: each pass waits for lab2's
     * listing at most its deadline, and does not ask it again until it answers. Before, every
     * pass stopped at lab2's listing, and nothing was made anywhere.
     */
    @Test
    void aProviderWhoseListingHangsDoesNotHoldUpTheDeploymentsOfOtherProviders() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        Delegating hung = new Delegating(lab.lab2) {
            @Override
            public List<MachineStatus> machines(DiscoveryContext context) {
                asked.incrementAndGet();
                while (true) {
                    try {
                        if (release.await(30, TimeUnit.SECONDS)) {
                            return lab.lab2.machines(context);
                        }
                    } catch (InterruptedException ignored) {
                        // not interruptible, as a blocking socket read is not
                    }
                }
            }
        };
        lab.providers.add("lab2", 10, hung);
        // a deadline of 300 ms: what the test waits for is that deadline (and the engine's fixed grace after it), not a second
        DeploymentSettings shortDeadline = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(300),
                Duration.ofMillis(40), Duration.ofMillis(400), 4, true);
        DeploymentEngine engine = lab.engine(shortDeadline, lab.store);
        engine.start();
        try {
            Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
            Deployment after = engine.await(d.id(), Set.of(DeploymentState.READY), Duration.ofSeconds(15));
            assertThat(after.state()).isEqualTo(DeploymentState.READY);
            assertThat(lab.lab.creates).hasSize(1);
            assertThat(asked.get()).as("lab2 is not asked again while its listing hangs").isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    /**
     * A provider whose create ends in an Error (an assertion in its vendor's client library, a
     * StackOverflowError on a nested answer), which the provisioning SPI does not allow: the member
     * fails naming the call and the Error, cleaned (the token in its text reaches neither the
     * member nor the log), and the create is not sent again. Before, the Error left the worker
     * unhandled: the operation stayed pending, the member showed nothing, every pass sent the
     * create again at once, with no backoff, and the thread's death printed the Error, token and
     * all, to standard error.
     */
    @Test
    void aCreateThatEndsInAnErrorFailsTheMemberNamingItAndIsNotSentAgainEveryPass() {
        lab.lab.beforeCreate = r -> {
            throw new AssertionError("vendor client state broken (Authorization: Bearer abcdef0123456789secret)");
        };
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int i = 0; i < 6; i++) {
                engine.reconcileNow();
                engine.awaitIdle(PATIENCE);
            }
            assertThat(log.text()).as("the log").contains("vendor client state broken").doesNotContain("abcdef0123456789secret");
        }

        assertThat(lab.lab.creates).as("creates sent").hasSize(1);
        Deployment after = engine.get(d.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(DeploymentState.FAILED);
        DeploymentMember member = after.members().get(0);
        assertThat(member.state()).isEqualTo(MemberState.FAILED);
        assertThat(member.message()).contains("create of operation " + lab.lab.creates.get(0) + " on provider lab")
                .contains("java.lang.AssertionError").contains("vendor client state broken").doesNotContain("abcdef0123456789secret");
        assertThat(lab.store.deployments().operations(d.id())).extracting(OperationRecord::state)
                .containsExactly(dev.strata.platform.core.store.OperationState.FAILED);
    }

    /**
     * Provider lab cannot list its machines, and describing one of them ends in an Error: a
     * deployment on provider lab2, stored after the one on lab, is made and ready all the same,
     * while the machine on lab is described again only after a backoff. Before, the Error ended
     * every pass at the deployment on lab, so no deployment after it was ever reconciled (nothing
     * made, nothing deleted, no leak reaped) and lab was asked again on every pass.
     */
    @Test
    void anErrorDescribingOneMachineHoldsUpNoOtherDeployment() throws Exception {
        DeploymentEngine engine = lab.engine();
        Deployment first = engine.deploy(lab.workers("first", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, first.id(), Set.of(DeploymentState.READY), PATIENCE);
        java.util.concurrent.atomic.AtomicInteger described = new java.util.concurrent.atomic.AtomicInteger();
        lab.providers.add("lab", 10, new Delegating(lab.lab) {
            @Override
            public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
                described.incrementAndGet();
                throw new StackOverflowError("vendor answer nested too deep");
            }
        });
        lab.lab.listingFails = true;
        engine.start();

        Deployment second = engine.deploy(lab.workers("second", 1, "lab2", ""), "alice").deployment();
        Deployment after = engine.await(second.id(), Set.of(DeploymentState.READY), Duration.ofSeconds(10));

        assertThat(after.state()).as("the deployment on lab2: %s", after.members()).isEqualTo(DeploymentState.READY);
        assertThat(lab.lab2.live()).hasSize(1);
        assertThat(described.get()).as("descriptions of the machine on lab, with a backoff of 40 ms doubling up to 400 ms")
                .isPositive().isLessThan(40);
    }

    /**
     * The store's clock went back a minute (an NTP correction; a new leader whose clock is behind)
     * between a member's first create and the create that replaces its lost machine, and the
     * member's update after the replacement was made failed (the store did not answer; a crash
     * there leaves the same). The next pass takes the member up from the replacement's recorded
     * outcome: one machine is made to replace the lost one, and it is the member's. Before, the
     * member's operations were ordered by their clock time, the first create counted as the
     * latest, and a third machine was made while the second was reaped as a leak.
     */
    @Test
    void aReplacementMadeAfterTheClockWentBackIsTakenUpAndNotMadeAgain() {
        DeploymentEngine first = lab.engine();
        Deployment d = first.deploy(lab.workers("train", 1, "lab", "deployment: {onMachineLoss: replace}"), "alice").deployment();
        String lost = Lab.settle(first, d.id(), Set.of(DeploymentState.READY), PATIENCE).members().get(0).machine().machineId();
        first.close();

        lab.storeClock.back(Duration.ofMinutes(1));
        FailingStore failing = new FailingStore(lab.store);
        failing.failMember = FailingStore.once(r -> r.state().equals(MemberState.PENDING.name()));
        DeploymentEngine engine = lab.engine(Lab.FAST, failing);
        lab.lab.vanish(lost);
        Deployment ready = Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        for (int i = 0; i < 3; i++) {
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
        }

        assertThat(lab.lab.vendor.sequence.get()).as("machines made: the first and its one replacement").isEqualTo(2);
        assertThat(lab.lab.live()).singleElement().satisfies(m -> assertThat(m.id).isEqualTo(ready.members().get(0).machine().machineId()));
        assertThat(lab.store.deployments().operations(d.id())).filteredOn(op -> op.action().equals("create"))
                .extracting(OperationRecord::attempt).containsExactly(1, 2);
    }

    /**
     * A provider that could not be reached (the member shows the wait) answers the create's next
     * try with a refusal, and the member's update after the refusal was recorded fails (the store
     * did not answer; a crash there leaves the same). The next pass takes the member up from the
     * operation's recorded outcome: it fails with the provider's reason, and no other create is
     * sent. Before, the wait's message on the member hid the recorded refusal, and a new create
     * was sent under a new operation, as if the provider had never answered.
     */
    @Test
    void aRefusalRecordedAfterAWaitFailsTheMemberEvenWhenItsUpdateWasLost() {
        FailingStore failing = new FailingStore(lab.store);
        DeploymentEngine engine = lab.engine(Lab.FAST, failing);
        lab.lab.unavailable = true;
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        engine.reconcileNow();
        engine.awaitIdle(PATIENCE);
        assertThat(engine.get(d.id()).orElseThrow().members().get(0).message()).startsWith("waiting for provider lab");

        lab.lab.refuse.put("worker", "quota exceeded: 0 of 0 p4d.24xlarge left in eu-central-1");
        failing.failMember = FailingStore.once(r -> r.state().equals(MemberState.FAILED.name()));
        lab.lab.unavailable = false;
        Deployment failed = Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED, DeploymentState.READY), PATIENCE);

        assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
        assertThat(failed.members().get(0).message()).isEqualTo("quota exceeded: 0 of 0 p4d.24xlarge left in eu-central-1");
        assertThat(lab.store.deployments().operations(d.id())).as("create operations").singleElement()
                .satisfies(op -> assertThat(op.state()).isEqualTo(dev.strata.platform.core.store.OperationState.FAILED));
        assertThat(lab.lab.creates).as("creates sent: the one not answered and the one refused, under one operation").hasSize(2)
                .containsOnly(failed.members().get(0).operationId());
    }

    /**
     * A deployment that failed asks for no machine it had not asked for yet. worker-0 is refused
     * for good (the deployment is FAILED); worker-1's create could not even be recorded (the store
     * did not answer), so it was never sent; worker-2's create was sent and not answered (its
     * provider was unreachable). Once the store and the provider answer again, worker-2's create is
     * followed to its outcome under its operation id (what it made stays until undeployed), and
     * worker-1 is left without a machine, saying why. Before, the reconciler went on to make
     * worker-1's machine for a deployment that had failed.
     */
    @Test
    void aFailedDeploymentStartsNoCreateItHadNotSentAndFollowsTheOneSent() throws Exception {
        FailingStore failing = new FailingStore(lab.store);
        DeploymentEngine engine = lab.engine(Lab.FAST, failing);
        AtomicBoolean storeDown = new AtomicBoolean(true);
        AtomicBoolean providerDown = new AtomicBoolean(true);
        failing.failBegin = o -> storeDown.get() && o.member().equals("worker-1");
        lab.lab.refuse.put("worker-0", "quota exceeded: 0 of 1 left for this shape");
        // worker-0's refusal waits until worker-2's create has been sent: the creates of one pass run at once, and a create
        // that starts after the deployment failed is not sent at all, so without the wait the premise (worker-2's create sent
        // and not answered) held only where worker-2's create happened to start first
        java.util.concurrent.CountDownLatch worker2Sent = new java.util.concurrent.CountDownLatch(1);
        lab.lab.beforeCreate = r -> {
            if (r.member().equals("worker-0")) {
                try {
                    worker2Sent.await(PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (providerDown.get() && r.member().equals("worker-2")) {
                worker2Sent.countDown();
                throw new ProviderUnavailableException("provider lab: cloud unreachable (connection refused)");
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", ""), "alice").deployment();
        Deployment failed = Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
        assertThat(failed.message()).isEqualTo("member worker-0: quota exceeded: 0 of 1 left for this shape");
        String sentForWorker2 = failed.members().get(2).operationId();
        assertThat(sentForWorker2).as("worker-2's create, sent and not answered").isNotNull();

        storeDown.set(false);
        providerDown.set(false);
        // passes, each with the engine's clock moved past the longest backoff (400 ms), at least three, and until a pass has
        // found worker-1 due again (past the backoff its store failure set) and worker-2's create has been answered
        String worker1Key = DeploymentEngine.key(d.id(), "worker-1");
        boolean worker1Due = false;
        Instant deadline = Instant.now().plus(PATIENCE);
        for (int passes = 1; ; passes++) {
            lab.pastTheLongestBackoff();
            boolean due = engine.due(worker1Key);
            engine.reconcileNow();
            engine.awaitIdle(PATIENCE);
            worker1Due |= due;
            boolean worker2Made = engine.get(d.id()).orElseThrow().members().get(2).machine() != null;
            if (worker1Due && worker2Made && passes >= 3) {
                break;
            }
            assertThat(Instant.now()).as("a pass with worker-1 due (%s) and worker-2's machine made (%s)", worker1Due, worker2Made)
                    .isBefore(deadline);
        }

        Deployment after = engine.get(d.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(DeploymentState.FAILED);
        assertThat(lab.lab.creates).as("creates sent: worker-0's refused, worker-2's twice under its one operation, none for worker-1")
                .doesNotContainNull().containsOnly(failed.members().get(0).operationId(), sentForWorker2);
        assertThat(lab.store.deployments().operations(d.id())).extracting(OperationRecord::member).containsOnly("worker-0", "worker-2");
        DeploymentMember worker1 = after.members().get(1);
        assertThat(worker1.state()).isEqualTo(MemberState.REQUESTED);
        assertThat(worker1.machine()).isNull();
        assertThat(worker1.message()).isEqualTo("no machine is asked for: the deployment failed (member worker-0: quota exceeded: 0 of 1"
                + " left for this shape); undeploy it to release what was made");
        DeploymentMember worker2 = after.members().get(2);
        assertThat(worker2.operationId()).isEqualTo(sentForWorker2);
        assertThat(worker2.machine()).as("worker-2's machine, made by the create that was sent").isNotNull();
        assertThat(lab.lab.live()).hasSize(1);

        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
        assertThat(lab.lab.live()).isEmpty();
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /**
     * One worker: the first pass queues the creates of all three members, and worker-0's, the
     * first to run, is refused for good. The creates of worker-1 and worker-2, queued in that same
     * pass, are not sent: the deployment failed before they started, and they stay asked for,
     * saying so. Before, the check was made only when a pass queued a create, so both were sent
     * and made machines for a deployment that had failed.
     */
    @Test
    void aCreateQueuedInThePassWhereAnotherMemberFailedIsNotSent() {
        DeploymentSettings oneWorker = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofSeconds(10),
                Duration.ofMillis(40), Duration.ofMillis(400), 1, true);
        DeploymentEngine engine = lab.engine(oneWorker, lab.store);
        lab.lab.refuse.put("worker-0", "quota exceeded: 0 of 1 left for this shape");
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", ""), "alice").deployment();

        engine.reconcileNow();
        assertThat(engine.awaitIdle(PATIENCE)).isTrue();

        assertThat(lab.lab.creates).as("creates sent in the pass where worker-0 was refused").hasSize(1);
        Deployment failed = Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
        assertThat(failed.message()).isEqualTo("member worker-0: quota exceeded: 0 of 1 left for this shape");
        assertThat(lab.lab.creates).as("creates sent").containsExactly(failed.members().get(0).operationId());
        assertThat(lab.store.deployments().operations(d.id())).extracting(OperationRecord::member).containsExactly("worker-0");
        assertThat(lab.lab.live()).isEmpty();
        for (DeploymentMember queued : failed.members().subList(1, 3)) {
            assertThat(queued.state()).as(queued.name()).isEqualTo(MemberState.REQUESTED);
            assertThat(queued.machine()).as(queued.name()).isNull();
            assertThat(queued.message()).as(queued.name()).isEqualTo("no machine is asked for: the deployment failed (member worker-0: "
                    + "quota exceeded: 0 of 1 left for this shape); undeploy it to release what was made");
        }

        engine.undeploy(d.id(), "alice");
        Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /**
     * One worker: the first pass queues the creates of all three members, and while worker-0's is
     * in the provider the deployment is undeployed. The creates of worker-1 and worker-2, queued
     * before the undeploy, are not sent: worker-0's machine, sent before, is deleted, and the two
     * others are deleted having asked for none. Before, both were sent after the undeploy, and two
     * machines were made for a deployment being deleted, only to be deleted again.
     */
    @Test
    void aCreateQueuedBeforeAnUndeployIsNotSent() throws InterruptedException {
        DeploymentSettings oneWorker = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofSeconds(10),
                Duration.ofMillis(40), Duration.ofMillis(400), 1, true);
        DeploymentEngine engine = lab.engine(oneWorker, lab.store);
        java.util.concurrent.CountDownLatch calling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch undeployed = new java.util.concurrent.CountDownLatch(1);
        lab.lab.beforeCreate = r -> {
            calling.countDown();
            try {
                assertThat(undeployed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the undeploy came").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", ""), "alice").deployment();

        engine.reconcileNow();
        assertThat(calling.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        engine.undeploy(d.id(), "bob");
        undeployed.countDown();
        assertThat(engine.awaitIdle(PATIENCE)).isTrue();

        assertThat(lab.lab.creates).as("creates sent").hasSize(1);
        Deployment deleted = Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
        assertThat(lab.lab.creates).as("creates sent").hasSize(1);
        assertThat(lab.store.deployments().operations(d.id())).filteredOn(op -> op.action().equals("create"))
                .extracting(OperationRecord::member).containsExactly("worker-0");
        assertThat(lab.lab.deletes).hasSize(1);
        assertThat(lab.lab.live()).isEmpty();
        assertThat(deleted.members()).extracting(DeploymentMember::state).containsOnly(MemberState.DELETED);
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /**
     * The undeploy comes after the create's worker looked at the deployment (still provisioning)
     * and before the create's operation is recorded: the store refuses the operation in its own
     * transaction, and the create is not sent. Before, it was recorded and sent, and a machine was
     * made for a deployment being deleted, only to be deleted again.
     */
    @Test
    void anUndeployBetweenACreatesLastLookAndItsOperationSendsNoCreate() {
        FailingStore flaky = new FailingStore(lab.store);
        DeploymentEngine engine = lab.engine(Lab.FAST, flaky);
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        java.util.concurrent.atomic.AtomicBoolean undeployed = new java.util.concurrent.atomic.AtomicBoolean();
        flaky.failBegin = op -> {
            if (op.action().equals("create") && !undeployed.getAndSet(true)) {
                engine.undeploy(d.id(), "bob");
            }
            return false;
        };

        engine.reconcileNow();
        assertThat(engine.awaitIdle(PATIENCE)).isTrue();
        assertThat(undeployed).as("the undeploy came between the look and the operation").isTrue();
        Deployment deleted = Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
        assertThat(lab.lab.creates).as("creates sent").isEmpty();
        assertThat(lab.store.deployments().operations(d.id())).isEmpty();
        assertThat(deleted.members()).extracting(DeploymentMember::state).containsOnly(MemberState.DELETED);
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /**
     * A provider that answers the look-up of an operation with nothing (null, not an empty answer)
     * while a deployment is deleted: the log names the provider, the operation and what was
     * expected, and the look-up is tried again after a backoff. Before, a NullPointerException in
     * the engine was logged as Strata's own failure.
     */
    @Test
    void aProviderThatAnswersALookUpWithNothingIsNamed() {
        DeploymentEngine engine = lab.engine();
        lab.lab.refuse.put("worker", "quota exceeded");
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Deployment failed = Lab.settle(engine, d.id(), Set.of(DeploymentState.FAILED), PATIENCE);
        String op = failed.members().get(0).operationId();
        lab.providers.add("lab", 10, new Delegating(lab.lab) {
            @Override
            public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
                lab.lab.finds.incrementAndGet();
                return null;
            }
        });
        engine.undeploy(d.id(), "bob");
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            engine.reconcileNow();
            assertThat(engine.awaitIdle(PATIENCE)).isTrue();
            assertThat(lab.lab.finds).hasValue(1);
            assertThat(log.text()).contains("provider lab answered the look-up of operation " + op + " with nothing; expected its machine, "
                    + "or an empty answer where it made none (the provisioning SPI's find)").doesNotContain("NullPointerException");
        }
        assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.DELETING);

        lab.providers.remove("lab", 10);
        lab.pastTheLongestBackoff();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
        assertThat(lab.placement.allocations()).isEmpty();
    }

    /**
     * Provider lab answers the description of a member's machine with nothing (its listing fails,
     * so the machine is described): the provider's fault is named in the log once, however many
     * passes ask again, and the member is left as it is. Before, the null was taken for an answer:
     * nothing was said, and the machine was described again on every pass without a backoff.
     */
    @Test
    void aProviderThatAnswersADescriptionWithNothingIsNamedOnce() {
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        String machine = lab.lab.live().get(0).id;
        java.util.concurrent.atomic.AtomicInteger described = new java.util.concurrent.atomic.AtomicInteger();
        lab.providers.add("lab", 10, new Delegating(lab.lab) {
            @Override
            public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
                described.incrementAndGet();
                return null;
            }
        });
        lab.lab.listingFails = true;
        String named = "provider lab answered the description of machine " + machine + " with nothing; expected its status, GONE where "
                + "it no longer exists (the provisioning SPI's describe)";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 3; pass++) {
                engine.reconcileNow();
                lab.pastTheLongestBackoff();
            }
            assertThat(described.get()).as("descriptions, each pass past the backoff").isEqualTo(3);
            assertThat(log.text().split(java.util.regex.Pattern.quote(named), -1)).as("the provider's fault, named once: %s", log.text())
                    .hasSize(2);
        }
        assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
        assertThat(lab.lab.live()).extracting(m -> m.id).containsExactly(machine);
    }

    /**
     * Provider lab's description of a member's machine times out once (its listing fails, so the machine is described),
     * and then answers with nothing: the provider's fault is named in the log once, however many passes ask again. Before,
     * the null counted as the member's second failure in a row, and only a first one was named: it was logged at debug
     * only, and the provider's fault was never named.
     */
    @Test
    void aDescriptionAnsweredWithNothingAfterATimeoutIsNamedOnce() {
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        String machine = lab.lab.live().get(0).id;
        java.util.concurrent.atomic.AtomicInteger described = new java.util.concurrent.atomic.AtomicInteger();
        lab.providers.add("lab", 10, new Delegating(lab.lab) {
            @Override
            public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
                if (described.incrementAndGet() == 1) {
                    throw new dev.strata.platform.api.exception.ProviderTimeoutException("provider lab: DescribeInstances of "
                            + handle.machineId() + " timed out (connect)");
                }
                return null;
            }
        });
        lab.lab.listingFails = true;
        String named = "provider lab answered the description of machine " + machine + " with nothing; expected its status, GONE where "
                + "it no longer exists (the provisioning SPI's describe)";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 4; pass++) {
                engine.reconcileNow();
                lab.pastTheLongestBackoff();
            }
            assertThat(described.get()).as("descriptions, each pass past the backoff").isEqualTo(4);
            assertThat(log.text().split(java.util.regex.Pattern.quote(named), -1)).as("the provider's fault, named once: %s", log.text())
                    .hasSize(2);
        }
        assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
        assertThat(lab.lab.live()).extracting(m -> m.id).containsExactly(machine);
    }

    /**
     * Provider lab refuses the description of a member's machine with an error that names a new
     * request id on every call: it is warned of once, however many passes ask again, and a refusal
     * for another reason is warned of anew. Before, the reasons were told apart by their text, so
     * each try was warned of as a new reason, bounded only by the backoff.
     */
    @Test
    void aDescriptionRefusedWithARequestIdThatChangesOnEveryCallIsWarnedOfOnce() {
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        java.util.concurrent.atomic.AtomicInteger described = new java.util.concurrent.atomic.AtomicInteger();
        lab.providers.add("lab", 10, new Delegating(lab.lab) {
            @Override
            public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
                if (described.incrementAndGet() <= 3) {
                    throw new dev.strata.platform.api.exception.ProviderFailureException("provider lab: DescribeInstances refused "
                            + "(request " + java.util.UUID.randomUUID() + ", attempt " + described.get() + ")");
                }
                throw new dev.strata.platform.api.exception.ProviderFailureException("provider lab: DescribeInstances refused: quota "
                        + "exceeded");
            }
        });
        lab.lab.listingFails = true;
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 5; pass++) {
                engine.reconcileNow();
                lab.pastTheLongestBackoff();
            }
            assertThat(described.get()).as("descriptions, each pass past the backoff").isEqualTo(5);
            assertThat(log.text().lines().filter(line -> line.contains(" WARN ") && line.contains("cannot be described")))
                    .as("warnings: %s", log.text()).satisfiesExactly(
                            first -> assertThat(first).contains("DescribeInstances refused (request ").contains("attempt 1)"),
                            other -> assertThat(other).contains("DescribeInstances refused: quota exceeded"));
        }
        assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
    }

    /**
     * Provider lab answers the listing of its machines with a null among them: the listing's error
     * names the provider's fault and the position, no machine is taken for a leak, and the member's
     * machine is described instead and stays. Before, the listing failed with a
     * NullPointerException's text that named neither the provider's fault nor what was expected.
     */
    @Test
    void aListingWithANullAmongItsMachinesIsNamedAndNotUsed() {
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 1, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
        lab.providers.add("lab", 10, new Delegating(lab.lab) {
            @Override
            public List<MachineStatus> machines(DiscoveryContext context) {
                List<MachineStatus> listed = new java.util.ArrayList<>(super.machines(context));
                listed.add(null);
                return listed;
            }
        });
        Reconciler.PassReport pass = engine.reconcileNow();
        assertThat(engine.awaitIdle(PATIENCE)).isTrue();
        assertThat(pass.listingErrors()).containsEntry("lab", "provider lab answered the listing of its machines with nothing at "
                + "position 2 of 2; expected each machine's status (the provisioning SPI's machines); the listing is not used, and no "
                + "machine is taken for a leak by it");
        assertThat(pass.leaks()).isZero();
        assertThat(lab.lab.live()).hasSize(1);
        assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
    }

    /**
     * Provider lab2's cloud stops answering (its endpoint drops packets): its listing and every
     * description time out at their deadline, as a provider that honours it does. A deployment on
     * provider lab is made and ready in a few passes all the same, and lab2's six machines are not
     * described one after the other meanwhile: their members are left as they are until lab2
     * answers. Before, each pass described every machine of lab2 on its own thread, each taking
     * the whole operationTimeout, so each pass took seven deadlines and the deployment on lab
     * waited for all of them (with the default of 60 s and twenty machines, twenty minutes a pass).
     */
    @Test
    void aProviderThatStopsAnsweringDoesNotHoldUpThePassWithADescriptionOfEachOfItsMachines() throws Exception {
        // a deadline of 300 ms: what the test waits for is that deadline (and the engine's fixed grace after it), not a second
        DeploymentSettings shortDeadline = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(300),
                Duration.ofMillis(40), Duration.ofMillis(400), 4, true);
        DeploymentEngine engine = lab.engine(shortDeadline, lab.store);
        Deployment onLab2 = engine.deploy(lab.workers("first", 6, "lab2", ""), "alice").deployment();
        Lab.settle(engine, onLab2.id(), Set.of(DeploymentState.READY), PATIENCE);
        java.util.concurrent.atomic.AtomicInteger described = new java.util.concurrent.atomic.AtomicInteger();
        lab.providers.add("lab2", 10, new Delegating(lab.lab2) {
            @Override
            public List<MachineStatus> machines(DiscoveryContext context) {
                throw timedOut(context, "DescribeInstances");
            }

            @Override
            public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
                described.incrementAndGet();
                throw timedOut(context, "DescribeInstances of " + handle.machineId());
            }

            private RuntimeException timedOut(DiscoveryContext context, String call) {
                try {
                    // a real wait: the call's own deadline, which the provider waits out as one whose endpoint drops packets does
                    Thread.sleep(Math.max(0, context.remaining().toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new dev.strata.platform.api.exception.ProviderTimeoutException("provider lab2: " + call + " timed out (connect)");
            }
        });
        engine.start();

        Deployment onLab = engine.deploy(lab.workers("second", 1, "lab", ""), "alice").deployment();
        Deployment after = engine.await(onLab.id(), Set.of(DeploymentState.READY), Duration.ofSeconds(10));

        assertThat(after.state()).as("the deployment on lab: %s", after.members()).isEqualTo(DeploymentState.READY);
        assertThat(described.get()).as("machines of lab2 described while it does not answer").isZero();
        assertThat(engine.get(onLab2.id()).orElseThrow().members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
    }

    /** A provider that passes every call on to another. */
    /**
     * A provider whose create for one member hangs and ignores interruption, with one worker: the
     * other member is made meanwhile, the hung member says its create has not returned, nothing is
     * sent for it again while the call is in the provider, and once the call returns the member
     * goes on under the same operation, with one machine. Before, the call held the only worker:
     * no other member of any deployment was made, and the member showed nothing.
     */
    @Test
    void aCreateThatHangsAndIgnoresInterruptionHoldsNoWorkerAndIsNotSentTwice() throws Exception {
        DeploymentSettings oneWorker = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(300),
                Duration.ofMillis(40), Duration.ofMillis(400), 1, true);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger hungCalls = new java.util.concurrent.atomic.AtomicInteger();
        lab.lab.beforeCreate = r -> {
            if (r.member().equals("worker-0")) {
                hungCalls.incrementAndGet();
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // a provider that does not honour interruption
                    }
                }
            }
        };
        try {
            DeploymentEngine engine = lab.engine(oneWorker, lab.store);
            Deployment d = engine.deploy(lab.workers("train", 2, "lab", ""), "alice").deployment();
            Instant deadline = Instant.now().plus(PATIENCE);
            while (true) {
                engine.reconcileNow();
                // the pass's calls are waited for: the hung create holds its worker until the engine gives up on it
                engine.awaitIdle(PATIENCE);
                Deployment now = engine.get(d.id()).orElseThrow();
                DeploymentMember other = now.members().stream().filter(m -> m.name().equals("worker-1")).findFirst().orElseThrow();
                DeploymentMember hung = now.members().stream().filter(m -> m.name().equals("worker-0")).findFirst().orElseThrow();
                if (other.state() == MemberState.RUNNING && hung.message() != null && hung.message().contains("ignores interruption")) {
                    assertThat(hung.message()).contains("create of operation " + hung.operationId() + " on provider lab did not return within 300 ms")
                            .contains("nothing more is sent for it until it returns");
                    break;
                }
                assertThat(Instant.now()).as("worker-1 made and worker-0 waiting: %s", now.members()).isBefore(deadline);
            }
            // past the longest backoff (400 ms), a pass tries the hung member's create again, and the try is waited for before
            // the creates are counted: counted at once, a try that had not run yet passed for one that sent nothing
            lab.pastTheLongestBackoff();
            Reconciler.PassReport again = engine.reconcileNow();
            assertThat(engine.awaitIdle(PATIENCE)).isTrue();
            assertThat(again.started()).as("the hung member's create tried again").isPositive();
            assertThat(hungCalls.get()).as("creates sent for the hung member while its call is in the provider").isEqualTo(1);

            release.countDown();
            Deployment ready = Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
            assertThat(lab.lab.live()).hasSize(2);
            List<OperationRecord> creates = lab.store.deployments().operations(d.id()).stream()
                    .filter(op -> op.action().equals("create") && op.member().equals("worker-0")).toList();
            assertThat(creates).as("one operation for the hung member").hasSize(1);
            assertThat(ready.members()).filteredOn(m -> m.name().equals("worker-0")).singleElement()
                    .satisfies(m -> assertThat(m.operationId()).isEqualTo(creates.get(0).id()));
        } finally {
            release.countDown();
        }
    }

    /**
     * The operationTimeout is changed while a create is in the provider (a configuration update
     * that lengthens it to a minute): the call keeps the deadline it started with, 300 ms, for the
     * provider's context, the engine's wait and the message alike. Before, each read it anew: the
     * provider was given a minute while the engine gave up on it after 300 ms, and the message said
     * it had waited a minute.
     */
    @Test
    void aProviderCallKeepsTheOperationTimeoutItStartedWith() {
        DeploymentSettings shortDeadline = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(300),
                Duration.ofMillis(40), Duration.ofMillis(400), 4, true);
        DeploymentSettings longer = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMinutes(1),
                Duration.ofMillis(40), Duration.ofMillis(400), 4, true);
        DeploymentEngine engine = lab.engine(shortDeadline, lab.store);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Duration> given = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            assertThatThrownBy(() -> engine.call("k", "create of operation op-1 on provider lab", "lab", dev.strata.platform.core.metrics.CallMetrics.CREATE, () -> {
                engine.configure(longer);
                given.set(engine.context("op-1").remaining());
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // a provider that does not honour interruption
                    }
                }
                return null;
            })).isInstanceOf(dev.strata.platform.api.exception.ProviderTimeoutException.class)
                    .hasMessageStartingWith("create of operation op-1 on provider lab did not return within 300 ms (operationTimeout)");
            assertThat(given.get()).as("the deadline the provider was given").isLessThanOrEqualTo(Duration.ofMillis(300));
        } finally {
            release.countDown();
        }
    }

    /**
     * The operationTimeout is changed while provider lab2 lists its machines (a configuration update that lengthens it to
     * a minute), and the listing hangs, ignoring interruption: the pass waits for it by the deadline it was asked with,
     * 300 ms, which the provider was given, and its error names that deadline. Before, the pass read the operationTimeout
     * apart from the call, for its wait and again for its message: the error named a minute, a deadline the listing was
     * never given.
     */
    @Test
    void aListingKeepsTheOperationTimeoutItWasAskedWith() {
        DeploymentSettings shortDeadline = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(300),
                Duration.ofMillis(40), Duration.ofMillis(400), 4, true);
        DeploymentSettings longer = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMinutes(1),
                Duration.ofMillis(40), Duration.ofMillis(400), 4, true);
        DeploymentEngine engine = lab.engine(shortDeadline, lab.store);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Duration> given = new java.util.concurrent.atomic.AtomicReference<>();
        lab.providers.add("lab2", 10, new Delegating(lab.lab2) {
            @Override
            public List<MachineStatus> machines(DiscoveryContext context) {
                engine.configure(longer);
                given.set(context.remaining());
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // not interruptible, as a blocking socket read is not
                    }
                }
                return super.machines(context);
            }
        });
        try {
            Reconciler.PassReport pass = engine.reconcileNow();
            assertThat(pass.listingErrors()).hasEntrySatisfying("lab2", error -> assertThat(error)
                    .startsWith("provider lab2 has not answered the listing of its machines asked at ")
                    .endsWith(" (operationTimeout 300 ms); it is not asked again until it answers"));
            assertThat(given.get()).as("the deadline the provider was given").isLessThanOrEqualTo(Duration.ofMillis(300));
            assertThat(pass.listingErrors()).as("provider lab listed as ever").doesNotContainKey("lab");
        } finally {
            release.countDown();
        }
    }

    /**
     * Each provisioning call is counted by provider, call and outcome as the engine saw it end, and
     * its wait observed: here one create refused as unavailable (tried again) and the others made.
     */
    @Test
    void provisioningCallsAreCountedByProviderCallAndOutcome() {
        AtomicBoolean refuse = new AtomicBoolean(true);
        lab.lab.beforeCreate = r -> {
            if (r.member().equals("worker-1") && refuse.getAndSet(false)) {
                throw new ProviderUnavailableException("the cloud's API is down");
            }
        };
        DeploymentEngine engine = lab.engine();
        Deployment d = engine.deploy(lab.workers("train", 3, "lab", ""), "alice").deployment();
        Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);

        dev.strata.platform.core.metrics.Scraped s = new dev.strata.platform.core.metrics.Scraped(engine.metrics().collect());
        int creates = lab.lab.creates.size();
        assertThat(creates).as("three machines made, one create refused first").isEqualTo(4);
        assertThat(s.value("strata_provisioning_calls", "call", "create", "outcome", "ok", "provider", "lab")).isEqualTo(3);
        assertThat(s.value("strata_provisioning_calls", "call", "create", "outcome", "unavailable", "provider", "lab")).isEqualTo(1);
        assertThat(s.value("strata_provisioning_calls", "call", "create", "outcome", "error", "provider", "lab")).isZero();
        assertThat(s.histogramCount("strata_provisioning_call_duration_seconds", "call", "create", "provider", "lab")).isEqualTo(creates);
        assertThat(s.value("strata_provisioning_calls", "call", "list", "outcome", "ok", "provider", "lab"))
                .as("the reconciler's listings").isPositive().isLessThanOrEqualTo(lab.lab.listings.get());
    }

    static class Delegating implements ProvisioningProvider {
        final ProvisioningProvider to;

        Delegating(ProvisioningProvider to) {
            this.to = to;
        }

        @Override
        public MachineStatus create(MachineRequest request, DiscoveryContext context) {
            return to.create(request, context);
        }

        @Override
        public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
            return to.describe(handle, context);
        }

        @Override
        public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
            return to.find(operationId, context);
        }

        @Override
        public List<MachineStatus> machines(DiscoveryContext context) {
            return to.machines(context);
        }

        @Override
        public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
            return to.delete(handle, context);
        }
    }

    /**
     * As the provenance log's: a store's write that fails with a checked exception (a driver's,
     * naming its JDBC URL with the password, a line break, an ESC and a direction override in its
     * text) is answered with a StateStoreException whose printed stack trace, its cause included,
     * holds neither the password nor a control character, while the cause keeps its class and
     * stack trace. Before, the driver's exception was chained as it was.
     */
    @Test
    void aCheckedStoreFailureIsChainedCleanedSoItsPrintedTraceHoldsNoPasswordNorControlCharacter() {
        String password = "S3cret-" + java.util.UUID.randomUUID();
        java.sql.SQLException driver = new java.sql.SQLException("cannot connect to jdbc:postgresql://strata:" + password
                + "@db:5432/strata\n2026-12-07 12:00:00 INFO [main] forged\u001b[2J\u202e");
        assertThatThrownBy(() -> DeploymentEngine.join(java.util.concurrent.CompletableFuture.failedFuture(driver)))
                .isInstanceOf(StateStoreException.class).satisfies(e -> {
                    java.io.StringWriter printed = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(printed));
                    assertThat(printed.toString()).contains("Caused by: java.sql.SQLException: cannot connect to jdbc:postgresql://****@db")
                            .doesNotContain(password).doesNotContain("\n2026-12-07 12:00:00 INFO [main] forged")
                            .doesNotContain("\u001b").doesNotContain("\u202e");
                    assertThat(e.getCause().getStackTrace()).as("the cause's stack trace, kept for debugging").isEqualTo(driver.getStackTrace());
                });
    }
}
