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
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier's release race on a real PostgreSQL (started privately, {@link PostgresCluster}):
 * an allocation released after the verifier found it in the ledger and before its change reached
 * the log is not recorded after its release, where every instance writes (the release made by
 * another instance) and under an elected leader (the writes fenced by its epoch).
 */
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

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresCluster.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

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
