package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.DeploymentRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release guard in the core: {@link Placement#release} refuses an allocation a deployment
 * holds, whoever calls it (an integrator's bundle, not only {@code strata:release}), with the
 * check in the release's own transaction of the state store. The placement is durable, on the
 * same store as the deployments, as Strata runs it. Before, only the shell looked, and any other
 * caller freed capacity under running machines.
 */
class ReleaseGuardTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static List<LogRecord> releases(Lab lab, String allocation) {
        return lab.store.provenance().find(new AuditFilter(null, null, allocation, null, "release", null, null, 100, false));
    }

    /** A deployment that runs: ready, its allocation held. */
    static Deployment running(Lab lab, DeploymentEngine engine, String name) {
        Deployment d = engine.deploy(lab.workers(name, 2, "lab", ""), "alice").deployment();
        return Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
    }

    @Test
    void aReleaseByAnyCallerOfAnAllocationALiveDeploymentHoldsIsRefusedAndFreesNothing() {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            try (DeploymentEngine engine = UnstoredDeploymentTest.engine(lab, placement)) {
                Deployment d = running(lab, engine, "train");
                String a = d.allocationId();
                long generation = lab.store.ledger().generation();
                long head = lab.store.provenance().head().seq();

                assertThatThrownBy(() -> placement.release(a)).isInstanceOf(ConflictException.class).hasMessage("allocation " + a
                        + " is held by deployment " + d.id() + " of contract train (ready); releasing it would leave its machines running "
                        + "on capacity placement gives to others. 'strata:undeploy " + d.id() + "' deletes the machines and then releases "
                        + "it; a forced release (strata:release --force " + a + ", or Placement.forceRelease) releases it anyway");

                assertThat(placement.allocation(a)).as("still held").isPresent();
                assertThat(placement.allocations()).extracting(Allocation::id).containsExactly(a);
                assertThat(lab.store.ledger().get(a)).as("the ledger as stored").isPresent();
                assertThat(lab.store.ledger().generation()).as("the ledger unchanged").isEqualTo(generation);
                assertThat(lab.store.provenance().head().seq()).as("nothing recorded").isEqualTo(head);
                assertThat(releases(lab, a)).isEmpty();

                // the capacity stays held after the refusal: the mirror placement decides on has it again
                // 24 nodes of 16 CPUs hold 96 workers of 4 CPUs: 94 beside the deployment's 2, not 95
                assertThat(placement.place(lab.workers("big", 94, "lab", ""), true).placed()).isTrue();
                assertThat(placement.place(lab.workers("big", 95, "lab", ""), true).placed()).as("2 workers' capacity held").isFalse();
                assertThat(engine.get(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.READY);
            }
        }
    }

    @Test
    void aForcedReleaseFreesItAndTheRecordSaysItWasForcedAndFromWhom() {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            try (DeploymentEngine engine = UnstoredDeploymentTest.engine(lab, placement)) {
                Deployment d = running(lab, engine, "train");
                String a = d.allocationId();
                Allocation freed = placement.forceRelease(a);
                assertThat(freed.id()).isEqualTo(a);
                assertThat(placement.allocation(a)).isEmpty();
                assertThat(lab.store.ledger().get(a)).isEmpty();
                List<LogRecord> records = releases(lab, a);
                assertThat(records).hasSize(1);
                assertThat(records.get(0).payload()).containsEntry("forced", true).containsEntry("heldBy", List.of(d.id() + " (ready)"));

                // undeploying it afterwards finds the allocation gone and says so
                engine.undeploy(d.id(), "alice");
                Deployment deleted = Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
                assertThat(deleted.message()).contains("allocation " + a + " was no longer held");
                assertThatThrownBy(() -> placement.forceRelease(a)).isInstanceOf(NotFoundException.class);
            }
        }
    }

    @Test
    void undeployStillFreesItsAllocationUnforced() {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            try (DeploymentEngine engine = UnstoredDeploymentTest.engine(lab, placement)) {
                Deployment d = running(lab, engine, "train");
                String a = d.allocationId();
                engine.undeploy(d.id(), "alice");
                Deployment deleted = Lab.settle(engine, d.id(), Set.of(DeploymentState.DELETED), PATIENCE);
                assertThat(deleted.message()).contains("allocation " + a + " released");
                assertThat(placement.allocation(a)).isEmpty();
                List<LogRecord> records = releases(lab, a);
                assertThat(records).hasSize(1);
                assertThat(records.get(0).payload()).doesNotContainKey("forced");
            }
        }
    }

    /**
     * A deployment stored between placement's first look and the release (made here by a first
     * look that sees nothing) is seen by the check in the release's own transaction: refused,
     * nothing freed or recorded, and placement decides on a ledger that still holds it.
     */
    @Test
    void theReleasesOwnTransactionRefusesWhatTheFirstLookMissed() {
        try (Lab lab = new Lab(dir)) {
            FailingStore store = new FailingStore(lab.store);
            Placement placement = dev.strata.platform.core.placement.PlacementEngines.durable(lab.inventory, store, "strata",
                    java.time.Clock.systemUTC(), 0);
            try (DeploymentEngine engine = new DeploymentEngine(store, placement, lab.inventory, lab.providers, null, Lab.FAST,
                    java.time.Clock.systemUTC())) {
                Deployment d = running(lab, engine, "train");
                String a = d.allocationId();
                long generation = lab.store.ledger().generation();
                long head = lab.store.provenance().head().seq();
                store.blindFirstLook = true;
                assertThatThrownBy(() -> placement.release(a)).isInstanceOf(ConflictException.class)
                        .hasMessageStartingWith("allocation " + a + " is held by deployment " + d.id() + " of contract train (ready)");
                assertThat(lab.store.ledger().generation()).isEqualTo(generation);
                assertThat(lab.store.provenance().head().seq()).isEqualTo(head);
                assertThat(placement.allocation(a)).isPresent();
                assertThat(placement.place(lab.workers("big", 94, "lab", ""), true).placed()).isTrue();
                assertThat(placement.place(lab.workers("big", 95, "lab", ""), true).placed()).as("2 workers' capacity held").isFalse();
                Deployment next = running(lab, engine, "next");
                assertThat(placement.allocations()).extracting(Allocation::id).containsExactly(a, next.allocationId());
            }
        }
    }

    /**
     * A forced release between a deploy's placement and its deployment being stored (an operator's,
     * while the engine prepares the deployment) fails the deploy cleanly: the store refuses the
     * deployment on an allocation no longer in the ledger, in the create's own transaction, so no
     * deployment is stored, no provider is called, nothing is recorded of it, and the message names
     * the allocation. Before, the deployment was stored and its machines made on capacity placement
     * had freed.
     */
    @Test
    void aForcedReleaseBetweenPlacementAndStoringFailsTheDeployCleanly() {
        try (Lab lab = new Lab(dir)) {
            FailingStore store = new FailingStore(lab.store);
            Placement placement = dev.strata.platform.core.placement.PlacementEngines.durable(lab.inventory, store, "strata",
                    java.time.Clock.systemUTC(), 0);
            java.util.concurrent.atomic.AtomicReference<dev.strata.platform.core.store.NewDeployment> creating =
                    new java.util.concurrent.atomic.AtomicReference<>();
            store.beforeCreate = n -> {
                if (creating.compareAndSet(null, n)) {
                    placement.forceRelease(n.allocationId());
                }
            };
            try (DeploymentEngine engine = new DeploymentEngine(store, placement, lab.inventory, lab.providers, null, Lab.FAST,
                    java.time.Clock.systemUTC())) {
                Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> engine.deploy(lab.workers("train", 2, "lab", ""),
                        "alice"));
                String d = creating.get().id();
                String a = creating.get().allocationId();
                assertThat(failed).isInstanceOf(ConflictException.class).hasMessage("deployment " + d + " of train was not started: its "
                        + "allocation " + a + " was released after placement placed it and before the deployment was stored (a forced "
                        + "release: strata:release --force, or Placement.forceRelease); nothing was provisioned and nothing of the "
                        + "deployment is stored; deploy the contract again to place it anew");
                assertThat(lab.store.deployments().get(d)).as("no deployment stored").isEmpty();
                assertThat(engine.list()).isEmpty();
                assertThat(lab.store.deployments().unfinishedOperations()).isEmpty();
                assertThat(placement.allocation(a)).isEmpty();
                assertThat(lab.store.provenance().find(new AuditFilter(null, null, a, null, null, null, null, 100, false)))
                        .extracting(LogRecord::kind).containsExactly("placement", "release");
                engine.reconcileNow();
                engine.awaitIdle(PATIENCE);
                assertThat(lab.lab.creates).as("no provider called").isEmpty();
                assertThat(lab.lab.live()).isEmpty();

                // the next deploy is placed and stored as any
                Deployment next = running(lab, engine, "next");
                assertThat(placement.allocations()).extracting(Allocation::id).containsExactly(next.allocationId());
            }
        }
    }

    /** A deleted deployment holds nothing: an allocation it left (kept after a restart) is released as any other. */
    @Test
    void anAllocationOnlyADeletedDeploymentNamesIsReleasedWithoutForce() {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            try (DeploymentEngine engine = UnstoredDeploymentTest.engine(lab, placement)) {
                Deployment d = running(lab, engine, "train");
                String a = d.allocationId();
                DeploymentRecord stored = lab.store.deployments().get(d.id()).orElseThrow();
                lab.store.deployments().update(d.id(), stored.version(), DeploymentState.DELETED.name(), "deleted by hand", null).join();
                assertThat(placement.release(a).id()).isEqualTo(a);
                assertThat(placement.allocation(a)).isEmpty();
                assertThat(releases(lab, a)).singleElement().satisfies(r -> assertThat(r.payload()).doesNotContainKey("forced"));
            }
        }
    }

    /**
     * Between a deploy's placement and its deployment being stored, the allocation is held by the
     * deployment being made: a release then would let its machines be made on capacity placement
     * gives to others. Only the deployment (the engine, when the deploy fails) frees it, or a forced release.
     */
    @Test
    void anAllocationPlacedForADeploymentNotStoredYetIsFreedOnlyOnItsBehalf() {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            PlacementDecision placed = placement.placeFor(lab.workers("train", 2, "lab", ""), "d-000777");
            String a = placed.allocationId();
            assertThatThrownBy(() -> placement.release(a)).isInstanceOf(ConflictException.class).hasMessageStartingWith("allocation " + a
                    + " is held by deployment d-000777 of contract train (being deployed: placed for it, not stored yet)");
            assertThatThrownBy(() -> placement.releaseFor(a, "d-000778")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("d-000777");
            assertThat(placement.allocation(a)).isPresent();
            assertThat(placement.releaseFor(a, "d-000777").id()).isEqualTo(a);
            assertThat(placement.allocation(a)).isEmpty();
        }
    }

    /** The engine's own path frees a deployment's allocation only while it is being deleted, never under machines that run. */
    @Test
    void aDeploymentsOwnReleaseIsRefusedWhileItRuns() {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            try (DeploymentEngine engine = UnstoredDeploymentTest.engine(lab, placement)) {
                Deployment d = running(lab, engine, "train");
                Deployment other = running(lab, engine, "serve");
                assertThatThrownBy(() -> placement.releaseFor(d.allocationId(), d.id())).isInstanceOf(ConflictException.class)
                        .hasMessageContaining("is released on its behalf only once it is being deleted, and it is ready");
                assertThatThrownBy(() -> placement.releaseFor(d.allocationId(), other.id())).isInstanceOf(ConflictException.class)
                        .hasMessageContaining("held by deployment " + d.id());
                assertThatThrownBy(() -> placement.releaseFor(d.allocationId(), " ")).isInstanceOf(IllegalArgumentException.class);
                assertThat(placement.allocations()).extracting(Allocation::id).containsExactlyInAnyOrder(d.allocationId(), other.allocationId());
            }
        }
    }

    /**
     * Deploys race releases of every allocation in the ledger, by a caller that is not the shell:
     * never a released allocation with a deployment (not deleted) on it. Every deployment that was
     * stored keeps its allocation; only allocations of deploys that failed are freed.
     */
    @Test
    void deploysRacingReleasesNeverLeaveALiveDeploymentOnAFreedAllocation() throws Exception {
        try (Lab lab = new Lab(dir)) {
            Placement placement = UnstoredDeploymentTest.durable(lab);
            try (DeploymentEngine engine = UnstoredDeploymentTest.engine(lab, placement)) {
                int deployers = 3;
                int each = 4;
                ExecutorService pool = Executors.newFixedThreadPool(deployers + 1);
                AtomicBoolean deploying = new AtomicBoolean(true);
                AtomicInteger refused = new AtomicInteger();
                Map<String, Instant> freed = new ConcurrentHashMap<>();
                CountDownLatch start = new CountDownLatch(1);
                // each deployer goes on after its first deploy only once the releaser has met a held allocation: with the
                // deployers' threads quicker than the releaser's (all of them on a loaded machine's cores), every deploy
                // could end before the releaser first looked, and nothing raced
                CountDownLatch met = new CountDownLatch(1);
                try {
                    List<Future<List<String>>> deploys = new ArrayList<>();
                    for (int t = 0; t < deployers; t++) {
                        int thread = t;
                        deploys.add(pool.submit(() -> {
                            start.await();
                            List<String> ids = new ArrayList<>();
                            for (int i = 0; i < each; i++) {
                                Deployment d = engine.deploy(lab.workers("c" + thread + "-" + i, 1, "lab", ""), "alice").deployment();
                                ids.add(d.id());
                                if (i == 0) {
                                    assertThat(met.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the releaser met an allocation")
                                            .isTrue();
                                }
                            }
                            return ids;
                        }));
                    }
                    Future<?> releaser = pool.submit(() -> {
                        start.await();
                        while (deploying.get()) {
                            for (Allocation a : placement.allocations()) {
                                try {
                                    placement.release(a.id());
                                    freed.put(a.id(), Instant.now());
                                } catch (ConflictException held) {
                                    refused.incrementAndGet();
                                    met.countDown();
                                } catch (NotFoundException gone) {
                                    // released by another pass
                                }
                            }
                        }
                        return null;
                    });
                    start.countDown();
                    List<String> ids = new ArrayList<>();
                    for (Future<List<String>> f : deploys) {
                        ids.addAll(f.get(60, TimeUnit.SECONDS));
                    }
                    deploying.set(false);
                    releaser.get(60, TimeUnit.SECONDS);

                    assertThat(ids).hasSize(deployers * each);
                    for (String id : ids) {
                        DeploymentRecord d = lab.store.deployments().get(id).orElseThrow();
                        assertThat(d.state()).isNotEqualToIgnoringCase("DELETED");
                        assertThat(freed).as("deployment %s's allocation was freed under it", id).doesNotContainKey(d.allocationId());
                        Optional<Allocation> held = lab.store.ledger().get(d.allocationId());
                        assertThat(held).as("deployment %s keeps allocation %s", id, d.allocationId()).isPresent();
                    }
                    assertThat(placement.allocations()).hasSize(ids.size());
                    assertThat(refused.get()).as("the releaser met held allocations").isPositive();
                } finally {
                    deploying.set(false);
                    pool.shutdownNow();
                }
            }
        }
    }
}
