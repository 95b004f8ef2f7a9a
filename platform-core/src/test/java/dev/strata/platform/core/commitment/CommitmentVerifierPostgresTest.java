package dev.strata.platform.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.PostgresClusterExtension;
import dev.strata.platform.core.store.StoreTestAccess;
import dev.strata.platform.testkit.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier's release race on a real PostgreSQL (started privately, {@link PostgresCluster}):
 * an allocation released after the verifier found it in the ledger and before its change reached
 * the log is not recorded after its release, where every instance writes (the release made by
 * another instance) and under an elected leader (the writes fenced by its epoch).
 */
@ExtendWith(PostgresClusterExtension.class)
class CommitmentVerifierPostgresTest {

    static PostgresCluster pg;
    static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path etc;

    private final AtomicReference<InventorySnapshot> current = new AtomicReference<>();
    private final AtomicLong generation = new AtomicLong(1);
    private final Inventory inventory = new Inventory() {
        @Override
        public InventorySnapshot snapshot() {
            return current.get();
        }

        @Override
        public InventorySnapshot refresh(Duration maxWait) {
            return current.get();
        }
    };

    private void inventory(Site site, Node node) {
        current.set(new InventorySnapshot(generation.incrementAndGet(), Instant.now(), List.of(site), List.of(node), List.of(), List.of(),
                List.of(), List.of()));
    }

    private JdbcStateStore instance(String url, String id, boolean ha) throws Exception {
        return StoreTestAccess.postgres(url, Files.createDirectories(etc.resolve(id)), id, ha, "300ms");
    }

    /**
     * Places on {@code placement}, then lets the verifier over {@code store} find a change of the
     * allocation, which {@code releasing} releases just before the change's record is handed to the
     * log: nothing is recorded, and the verifier forgets the allocation.
     */
    private void releasedBetweenTheLookAndTheRecord(JdbcStateStore store, Placement placement, Placement releasing) {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        AtomicReference<Runnable> hook = new AtomicReference<>();
        CommitmentVerifier verifier = new CommitmentVerifier(CommitmentVerifierTest.wrapped(store, store.leadership().exclusive(),
                store.contracts(), CommitmentVerifierTest.releasingFirst(store.provenance(), hook)), placement, inventory, Clock.systemUTC());
        String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
        assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

        inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
        AtomicBoolean released = new AtomicBoolean();
        hook.set(() -> released.set(releasing.release(id) != null));
        List<Commitment> pass = verifier.verifyAll();
        assertThat(released).as("released between the look and the record").isTrue();
        assertThat(CommitmentVerifierTest.kindsOf(store, id)).containsExactly("placement", "release");
        assertThat(pass).isEmpty();
        assertThat(verifier.commitments()).isEmpty();
        assertThat(StoreTestAccess.verifyChain(store).holds()).isTrue();
    }

    private static void elected(JdbcStateStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!store.leadership().isLeader() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(store.leadership().isLeader()).as("%s elected", store.leadership().instanceId()).isTrue();
    }

    /**
     * Under an elected leader, a restart while a telemetry source is gone for good finds the same gap in the same words
     * and records nothing: the leader kept the GPUs telemetry covered in the database, and the restarted instance, elected
     * again, reads them before its first pass. A follower verifying on demand (with a newer sample of its own) writes
     * nothing: only the leader does.
     */
    @Test
    void underAnElectedLeaderAGpuWhoseSourceWentForGoodIsTheSameGapAfterARestart() throws Exception {
        String url = pg.newDatabase("verifier_coverage_leader_" + DATABASES.incrementAndGet());
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Instant now = Instant.now();
        Instant sampled = now.minusSeconds(1).plusNanos(1);
        List<String> gpus;
        Commitment gap;
        try (JdbcStateStore leader = instance(url, "strata-a", true)) {
            elected(leader);
            Placement placement = PlacementEngines.durable(inventory, leader, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentVerifierTest.withCeiling(600), false).allocationId();
            gpus = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(leader, placement, inventory, clock);
            CommitmentVerifierTest.Held source = new CommitmentVerifierTest.Held();
            source.power(gpus, sampled, 200);
            verifier.telemetry = source;
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            try (JdbcStateStore follower = instance(url, "strata-b", true)) {
                StoreTestAccess.electionRound(follower);
                assertThat(follower.leadership().isLeader()).isFalse();
                CommitmentVerifier onFollower = new CommitmentVerifier(follower, placement, inventory, clock);
                CommitmentVerifierTest.Held newer = new CommitmentVerifierTest.Held();
                newer.power(gpus, now.minusMillis(500), 200);
                onFollower.telemetry = newer;
                assertThat(onFollower.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
                assertThat(CommitmentVerifierTest.covered(follower)).as("the follower wrote nothing").doesNotContainValue(now.minusMillis(500));
                onFollower.deactivate();
            }

            source.byGpu.clear();
            clock.set(now.plusSeconds(90));
            gap = verifier.verifyAll().get(0);
            assertThat(CommitmentVerifierTest.described(gap)).isEqualTo(CommitmentVerifierTest.gap(gpus, sampled, "600.0 W"));
            assertThat(CommitmentVerifierTest.records(leader)).hasSize(1);
            verifier.deactivate();
        }

        try (JdbcStateStore restarted = instance(url, "strata-a", true)) {
            elected(restarted);
            Placement placement = PlacementEngines.durable(inventory, restarted, "strata", Clock.systemUTC(), 1);
            CommitmentVerifier verifier = new CommitmentVerifier(restarted, placement, inventory,
                    SettableClock.at(now.plusSeconds(150)));
            verifier.telemetry = new TelemetryClausesTest.Samples();
            assertThat(verifier.verifyAll()).singleElement().satisfies(c -> {
                assertThat(c.status()).isEqualTo(CommitmentStatus.AT_RISK);
                assertThat(c.findings()).as("the same findings in the same words").isEqualTo(gap.findings());
            });
            assertThat(CommitmentVerifierTest.records(restarted)).as("nothing changed, nothing recorded").hasSize(1);
            assertThat(CommitmentVerifierTest.covered(restarted)).as("as the leader read them").isEqualTo(Map.of(gpus.get(0), sampled,
                    gpus.get(1), sampled));
            verifier.deactivate();
        }
    }

    /**
     * Where every instance writes, the newest sample of a GPU stays stored whichever instance writes last: an instance
     * whose source lags (an older sample) does not overwrite the newer one another instance wrote, and one that no longer
     * checks the GPUs does not remove rows newer than what it read; the instance that wrote them removes them once it no
     * longer checks them either.
     */
    @Test
    void whereEveryInstanceWritesTheNewestSampleOfAGpuStaysStored() throws Exception {
        String url = pg.newDatabase("verifier_coverage_shared_" + DATABASES.incrementAndGet());
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Instant now = Instant.now();
        try (JdbcStateStore a = instance(url, "strata-a", false); JdbcStateStore b = instance(url, "strata-b", false)) {
            Placement onA = PlacementEngines.durable(inventory, a, "strata", Clock.systemUTC(), 1);
            String id = onA.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            List<String> gpus = onA.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            Placement onB = PlacementEngines.durable(inventory, b, "strata", Clock.systemUTC(), 1);
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifierA = new CommitmentVerifier(CommitmentVerifierTest.shared(a), onA, inventory, clock);
            CommitmentVerifier verifierB = new CommitmentVerifier(CommitmentVerifierTest.shared(b), onB, inventory, clock);
            CommitmentVerifierTest.Held sourceA = new CommitmentVerifierTest.Held();
            CommitmentVerifierTest.Held sourceB = new CommitmentVerifierTest.Held();
            verifierA.telemetry = sourceA;
            verifierB.telemetry = sourceB;
            sourceB.sample(gpus, now.minusSeconds(10));
            verifierB.verifyAll();
            sourceA.sample(gpus, now.minusSeconds(1));
            verifierA.verifyAll();
            assertThat(CommitmentVerifierTest.covered(a)).as("a's newer samples").isEqualTo(Map.of(gpus.get(0), now.minusSeconds(1),
                    gpus.get(1), now.minusSeconds(1)));
            sourceB.sample(gpus, now.minusSeconds(5)); // b's source lags: newer than it wrote, older than a's
            verifierB.verifyAll();
            assertThat(CommitmentVerifierTest.covered(a)).as("b wrote last, a's newer samples stay").isEqualTo(Map.of(gpus.get(0),
                    now.minusSeconds(1), gpus.get(1), now.minusSeconds(1)));
            sourceB.sample(List.of(gpus.get(1)), now);
            verifierB.verifyAll();
            assertThat(CommitmentVerifierTest.covered(a)).as("a newer sample from b").isEqualTo(Map.of(gpus.get(0), now.minusSeconds(1),
                    gpus.get(1), now));

            // released and gone from the inventory, their sources with them: b removes only what is not newer than it read
            onA.release(id);
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node().withAccelerators(List.of()));
            sourceA.byGpu.clear();
            sourceB.byGpu.clear();
            clock.set(now.plusSeconds(90));
            verifierB.verifyAll();
            assertThat(CommitmentVerifierTest.covered(a)).as("a's newer sample of gpu0 stays").isEqualTo(Map.of(gpus.get(0),
                    now.minusSeconds(1)));
            verifierA.verifyAll();
            assertThat(CommitmentVerifierTest.covered(a)).isEmpty();
            verifierA.deactivate();
            verifierB.deactivate();
        }
    }

    /** Every instance writes ({@code highAvailability = false}): the release is made by the other instance. */
    @Test
    void whereEveryInstanceWritesAReleaseByAnotherInstanceIsNotFollowedByARecord() throws Exception {
        String url = pg.newDatabase("verifier_shared_" + DATABASES.incrementAndGet());
        try (JdbcStateStore a = instance(url, "strata-a", false); JdbcStateStore b = instance(url, "strata-b", false)) {
            assertThat(a.leadership().exclusive()).as("other instances write").isFalse();
            Placement onA = PlacementEngines.durable(inventory, a, "strata", Clock.systemUTC(), 1);
            Placement onB = PlacementEngines.durable(inventory, b, "strata", Clock.systemUTC(), 1);
            releasedBetweenTheLookAndTheRecord(a, onA, onB);
        }
    }

    /**
     * Where every instance writes, two instances whose verifiers both saw the same change, each after reading the log and
     * before either appended (b's pass made just before a's record is handed to the log), record it once: a's append finds
     * b's record the latest, not the none it read, and is not made; a takes the log's record as the truth (the change shown
     * since its time) and records the next change from it. Before, the log held the change twice, the second from a status
     * that was no longer the log's.
     */
    @Test
    void whereEveryInstanceWritesAChangeTwoInstancesSawIsRecordedOnce() throws Exception {
        String url = pg.newDatabase("verifier_shared_once_" + DATABASES.incrementAndGet());
        try (JdbcStateStore a = instance(url, "strata-a", false); JdbcStateStore b = instance(url, "strata-b", false)) {
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
            Placement onA = PlacementEngines.durable(inventory, a, "strata", Clock.systemUTC(), 1);
            Placement onB = PlacementEngines.durable(inventory, b, "strata", Clock.systemUTC(), 1);
            AtomicReference<Runnable> hook = new AtomicReference<>();
            CommitmentVerifier verifierA = new CommitmentVerifier(CommitmentVerifierTest.wrapped(a, false, a.contracts(),
                    CommitmentVerifierTest.releasingFirst(a.provenance(), hook)), onA, inventory, Clock.systemUTC());
            CommitmentVerifier verifierB = new CommitmentVerifier(CommitmentVerifierTest.shared(b), onB, inventory, Clock.systemUTC());
            String id = onA.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            assertThat(verifierA.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(verifierB.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            // the site moved to a country the contract excludes: a breach, which both verifiers see
            inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
            AtomicReference<List<Commitment>> seenByB = new AtomicReference<>();
            hook.set(() -> seenByB.set(verifierB.verifyAll()));
            List<Commitment> pass = verifierA.verifyAll();
            assertThat(seenByB.get()).as("b's pass, between a's read of the log and a's append").extracting(Commitment::status)
                    .containsExactly(CommitmentStatus.BREACHED);
            List<LogRecord> records = CommitmentVerifierTest.records(a);
            assertThat(records).as("the change, recorded once").extracting(r -> r.payload().get("previous") + "->" + r.payload().get("status"))
                    .containsExactly("HONORED->BREACHED");
            Instant recordedAt = Instant.parse(records.get(0).time());
            assertThat(pass).singleElement().satisfies(c -> {
                assertThat(c.status()).isEqualTo(CommitmentStatus.BREACHED);
                assertThat(c.since()).as("since the log's record").isEqualTo(recordedAt);
            });
            assertThat(verifierA.verifyAll()).extracting(Commitment::since).as("nothing more recorded").containsExactly(recordedAt);
            assertThat(CommitmentVerifierTest.records(a)).hasSize(1);

            // the next change, from the log's record
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
            assertThat(verifierA.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(verifierB.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(CommitmentVerifierTest.records(a)).extracting(r -> r.payload().get("previous") + "->" + r.payload().get("status"))
                    .containsExactly("HONORED->BREACHED", "BREACHED->HONORED");
            assertThat(StoreTestAccess.verifyChain(a).holds()).isTrue();
            verifierA.deactivate();
            verifierB.deactivate();
        }
    }

    /** An elected leader ({@code highAvailability = true}), whose writes its epoch fences. */
    @Test
    void underAnElectedLeaderAReleaseIsNotFollowedByARecord() throws Exception {
        String url = pg.newDatabase("verifier_leader_" + DATABASES.incrementAndGet());
        try (JdbcStateStore leader = instance(url, "strata-a", true)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!leader.leadership().isLeader() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(leader.leadership().isLeader()).as("elected").isTrue();
            assertThat(leader.leadership().exclusive()).isTrue();
            Placement placement = PlacementEngines.durable(inventory, leader, "strata", Clock.systemUTC(), 1);
            releasedBetweenTheLookAndTheRecord(leader, placement, placement);
        }
    }
}
