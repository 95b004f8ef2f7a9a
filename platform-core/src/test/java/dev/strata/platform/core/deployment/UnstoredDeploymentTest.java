package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.AuditFilter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An allocation placed for a deployment that was never stored: the instance stopped between
 * placing and storing (here: the placement made, the store closed before the deployment was
 * written, and a new instance opening the same folder), or the release after a failed deploy
 * failed too. The placement is durable, as Strata runs it. Before, such an allocation was held
 * for good: nothing but an operator's {@code strata:release} freed it.
 */
class UnstoredDeploymentTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static Placement durable(Lab lab) {
        return PlacementEngines.durable(lab.inventory, lab.store, "strata", Clock.systemUTC(), 0);
    }

    static DeploymentEngine engine(Lab lab, Placement placement) {
        DeploymentEngine engine = new DeploymentEngine(lab.store, placement, lab.inventory, lab.providers, null, Lab.FAST, Clock.systemUTC());
        return engine;
    }

    static List<LogRecord> records(Lab lab, String kind, String deployment) {
        return lab.store.provenance().find(new AuditFilter(null, null, null, deployment, kind, null, null, 100, false));
    }

    @Test
    void anAllocationPlacedForADeploymentNeverStoredIsFreedByTheNextLeaderAndRecorded() {
        String allocation;
        try (Lab lab = new Lab(dir)) {
            Placement placement = durable(lab);
            PlacementDecision placed = placement.placeFor(lab.workers("train", 2, "lab", ""), "d-000777");
            assertThat(placed.placed()).isTrue();
            allocation = placed.allocationId();
            assertThat(lab.store.ledger().placedForMissingDeployments()).containsExactly(entry(allocation, "d-000777"));
            assertThat(lab.store.provenance().find(new AuditFilter(null, null, allocation, null, "placement", null, null, 10, false)))
                    .as("the placement record names the deployment").singleElement()
                    .satisfies(r -> assertThat(r.payload()).containsEntry("deployment", "d-000777"));
            // the instance stops here: the deployment is never stored
        }
        try (Lab lab = new Lab(dir)) {
            Placement placement = durable(lab);
            assertThat(placement.allocation(allocation)).as("the ledger is durable").isPresent();
            try (DeploymentEngine engine = engine(lab, placement)) {
                assertThat(engine.reconcileNow().leader()).isTrue();
                assertThat(placement.allocations()).as("freed on the first pass as leader").isEmpty();
                assertThat(lab.store.ledger().placedForMissingDeployments()).isEmpty();
                List<LogRecord> leaks = records(lab, "leak", "d-000777");
                assertThat(leaks).hasSize(1);
                assertThat(leaks.get(0).payload()).containsEntry("allocation", allocation).containsEntry("action", "released")
                        .containsEntry("summary", "allocation " + allocation + " of train was placed for deployment d-000777, which was never "
                                + "stored (the instance placing it stopped before storing it); released");
                assertThat(leaks.get(0).subjects()).containsEntry("allocation", allocation).containsEntry("tenant", "bank-risk");
                assertThat(lab.store.provenance().find(new AuditFilter(null, null, allocation, null, "release", null, null, 10, false)))
                        .hasSize(1);

                // and the capacity it held is there again: a deployment of the same size is placed and made
                Deployment d = engine.deploy(lab.workers("again", 2, "lab", ""), "alice").deployment();
                Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
                engine.reconcileNow();
                assertThat(placement.allocations()).extracting(a -> a.id()).containsExactly(d.allocationId());
                assertThat(records(lab, "leak", null)).hasSize(1);
            }
        }
    }

    /**
     * A deploy placed and waiting for its provisioning provider (being replaced) is between the two
     * writes as well: the first pass as leader, running meanwhile, leaves its allocation alone, and
     * the deploy goes on with it.
     */
    @Test
    void aDeployUnderWayBetweenPlacingAndStoringIsLeftAlone() throws Exception {
        try (Lab lab = new Lab(dir)) {
            Placement placement = durable(lab);
            try (DeploymentEngine engine = engine(lab, placement)) {
                engine.swapWaitFrom(() -> PATIENCE);
                lab.providers.remove("lab", 1);
                ExecutorService caller = Executors.newSingleThreadExecutor();
                try {
                    Future<DeploymentResult> waiting = caller.submit(() -> engine.deploy(lab.workers("train", 2, "lab", ""), "alice"));
                    Instant deadline = Instant.now().plus(PATIENCE);
                    while (placement.allocations().isEmpty()) {
                        assertThat(Instant.now()).as("the deploy was not placed").isBefore(deadline);
                        Thread.sleep(10);
                    }
                    String allocation = placement.allocations().get(0).id();
                    assertThat(lab.store.ledger().placedForMissingDeployments()).containsOnlyKeys(allocation);

                    assertThat(engine.reconcileNow().leader()).isTrue();
                    assertThat(placement.allocation(allocation)).as("a deploy under way keeps its allocation").isPresent();
                    assertThat(waiting.isDone()).isFalse();

                    lab.providers.add("lab", 3, lab.lab);
                    Deployment d = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).deployment();
                    assertThat(d.allocationId()).isEqualTo(allocation);
                    Lab.settle(engine, d.id(), Set.of(DeploymentState.READY), PATIENCE);
                    assertThat(placement.allocation(allocation)).isPresent();
                    assertThat(lab.store.ledger().placedForMissingDeployments()).isEmpty();
                    assertThat(records(lab, "leak", null)).isEmpty();
                } finally {
                    caller.shutdownNow();
                }
            }
        }
    }

    /**
     * The store refuses the deployment and then the release of its allocation as well (the
     * database went away between the two): the allocation is left, and the reconciler's next pass
     * frees it once the store answers again.
     */
    @Test
    void anAllocationWhoseReleaseFailedAfterTheStoreRefusedTheDeploymentIsFreedByTheNextPass() {
        try (Lab lab = new Lab(dir)) {
            FailingStore flaky = new FailingStore(lab.store);
            Placement placement = PlacementEngines.durable(lab.inventory, flaky, "strata", Clock.systemUTC(), 0);
            try (DeploymentEngine engine = new DeploymentEngine(flaky, placement, lab.inventory, lab.providers, null, Lab.FAST,
                    Clock.systemUTC())) {
                assertThat(engine.reconcileNow().leader()).as("the first pass as leader is made, with nothing to free").isTrue();
                flaky.failCreate = FailingStore.once(n -> true);
                flaky.failRelease = true;
                assertThatThrownBy(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice")).isInstanceOf(StateStoreException.class);
                assertThat(placement.allocations()).as("the release failed").hasSize(1);

                flaky.failRelease = false;
                engine.reconcileNow();
                assertThat(placement.allocations()).isEmpty();
                assertThat(lab.store.deployments().list()).isEmpty();
                assertThat(records(lab, "leak", "d-000001")).hasSize(1);
            }
        }
    }
    /**
     * The ledger commits a deploy's placement and the store fails to acknowledge it (a connection
     * lost while committing): the deploy fails saying so, and the allocation, placed for a
     * deployment that is never stored, is freed by the reconciler's next pass. Before, nothing told
     * the reconciler to look again, and the allocation was held until a new leader's first pass.
     */
    @Test
    void anAllocationWhosePlacementWasNotAcknowledgedIsFreedByTheNextPass() {
        try (Lab lab = new Lab(dir)) {
            FailingStore flaky = new FailingStore(lab.store);
            Placement placement = PlacementEngines.durable(lab.inventory, flaky, "strata", Clock.systemUTC(), 0);
            try (DeploymentEngine engine = new DeploymentEngine(flaky, placement, lab.inventory, lab.providers, null, Lab.FAST,
                    Clock.systemUTC())) {
                assertThat(engine.reconcileNow().leader()).as("the first pass as leader is made, with nothing to free").isTrue();
                flaky.losePlacementAcknowledgement = FailingStore.once(id -> true);
                Throwable refused = catchThrowable(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice"));
                assertThat(lab.store.ledger().placedForMissingDeployments()).as("the placement was committed").containsValue("d-000001");

                engine.reconcileNow();
                assertThat(placement.allocations()).isEmpty();
                assertThat(lab.store.ledger().placedForMissingDeployments()).isEmpty();
                assertThat(lab.store.deployments().list()).isEmpty();
                assertThat(records(lab, "leak", "d-000001")).hasSize(1);
                assertThat(lab.lab.creates).isEmpty();
                assertThat(refused).isInstanceOf(StateStoreException.class)
                        .hasMessageStartingWith("deployment d-000001 of train was not started: its placement failed (")
                        .hasMessageContaining("it is not acknowledged, and it may or may not be stored")
                        .hasMessageEndingWith("nothing was provisioned; should the store have kept its allocation anyway, the reconciler "
                                + "frees it, as one placed for a deployment that was never stored");
            }
        }
    }

    /**
     * The release of an allocation placed for a deployment that was never stored fails on the
     * reconciler's pass as well (the store still does not answer): the pass after it tries again,
     * and frees it once the store answers. Before, the failed pass had already cleared the mark
     * that asks for another look, and the allocation was held until a new leader's first pass.
     */
    @Test
    void aReleaseThatFailsAgainOnTheReconcilersPassIsTriedOnThePassAfter() {
        try (Lab lab = new Lab(dir)) {
            FailingStore flaky = new FailingStore(lab.store);
            Placement placement = PlacementEngines.durable(lab.inventory, flaky, "strata", Clock.systemUTC(), 0);
            try (DeploymentEngine engine = new DeploymentEngine(flaky, placement, lab.inventory, lab.providers, null, Lab.FAST,
                    Clock.systemUTC())) {
                assertThat(engine.reconcileNow().leader()).as("the first pass as leader is made, with nothing to free").isTrue();
                flaky.failCreate = FailingStore.once(n -> true);
                flaky.failRelease = true;
                assertThatThrownBy(() -> engine.deploy(lab.workers("train", 1, "lab", ""), "alice")).isInstanceOf(StateStoreException.class);
                engine.reconcileNow();
                assertThat(placement.allocations()).as("the release failed on the pass too").hasSize(1);

                flaky.failRelease = false;
                engine.reconcileNow();
                assertThat(placement.allocations()).isEmpty();
                assertThat(lab.store.ledger().placedForMissingDeployments()).isEmpty();
                assertThat(records(lab, "leak", "d-000001")).hasSize(1);
            }
        }
    }
}
