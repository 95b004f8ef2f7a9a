package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreTestAccess;
import dev.strata.platform.core.store.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several instances on one PostgreSQL with {@code highAvailability = false}: every instance
 * writes, "kept apart by the ledger's generation check alone" (README). A real PostgreSQL, started
 * privately ({@link PostgresCluster}).
 */
class SharedWritersPostgresTest {

    static PostgresCluster pg;
    static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path etc;

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

    private JdbcStateStore instance(String url, String id) throws Exception {
        Path folder = Files.createDirectories(etc.resolve(id));
        Files.writeString(folder.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        return StoreTestAccess.postgres(url, folder, id, false, "1s");
    }

    static Allocation gpu(String id, String node, String gpu) {
        return new Allocation(id, "c-" + id, "tenant-a", 50, false, Instant.now(),
                List.of(new MemberBinding("m", node, "site", List.of(gpu), 1.0, null, 0, null, 1000, 1L << 30, 300.0, null)));
    }

    static List<String> bookedTwice(List<Allocation> held) {
        Set<String> seen = new HashSet<>();
        List<String> twice = new ArrayList<>();
        for (Allocation a : held) {
            for (MemberBinding b : a.bindings()) {
                for (String g : b.acceleratorIds()) {
                    if (!seen.add(b.nodeId() + "/" + g)) {
                        twice.add(b.nodeId() + "/" + g);
                    }
                }
            }
        }
        return twice;
    }

    /**
     * Instance A decides on generation 0 and submits gpu0 (change k), then gpu1 built on it (k+1);
     * meanwhile instance B booked gpu1 on generation 0, which moved the ledger by the one step k
     * would have taken. k is refused; k+1 must be too. Before, A's ledger submitted k+1 while k was
     * in flight, the database found "its" generation 1 (B's), and gpu1 was booked twice.
     */
    @Test
    void aChangeBuiltOnARefusedOneIsRefusedAndNothingIsBookedTwice() throws Exception {
        String url = pg.newDatabase("shared_ledger_" + DATABASES.incrementAndGet());
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b")) {
            assertThat(a.leadership().exclusive()).as("other instances write").isFalse();
            StoreLedger ledger = new StoreLedger(a);
            long decidedOn = ledger.snapshot().generation();

            StoreLedger.join(b.ledger().commit(b.ledger().generation(), gpu(b.ledger().nextId(), "node-0", "gpu1"), null, null));

            AllocationLedger.Pending<Allocation> k = ledger.submit(decidedOn, gpu(a.ledger().nextId(), "node-0", "gpu0"),
                    new AllocationLedger.Intent(null, null, null));
            assertThatThrownBy(() -> ledger.submit(decidedOn + 1, gpu(a.ledger().nextId(), "node-0", "gpu1"),
                    new AllocationLedger.Intent(null, null, null))).isInstanceOf(AllocationLedger.StaleGenerationException.class);
            assertThatThrownBy(() -> StoreLedger.join(k.durable())).isInstanceOf(AllocationLedger.StaleGenerationException.class);

            List<Allocation> held = b.ledger().load().allocations();
            assertThat(bookedTwice(held)).isEmpty();
            assertThat(held).hasSize(1);
        }
    }

    /**
     * Instance A places an allocation for a deployment; before A stores the deployment, instance B
     * releases the allocation by force. A's create checks the ledger in its own transaction, after
     * B's release (the lock every instance's writes take orders them): refused, nothing written.
     * Before, the deployment was stored on capacity B had freed.
     */
    @Test
    void aDeploymentIsNotStoredOnAnAllocationAnotherInstanceReleased() throws Exception {
        String url = pg.newDatabase("shared_deploy_" + DATABASES.incrementAndGet());
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b")) {
            String allocation = a.ledger().nextId();
            String deployment = a.deployments().nextId();
            StoreLedger.join(a.ledger().commitPlacement(a.ledger().generation(), gpu(allocation, "node-0", "gpu0"), null, null, deployment));
            StoreLedger.join(b.ledger().release(allocation, dev.strata.platform.core.store.ReleaseGuard.FORCED, null));
            assertThatThrownBy(() -> StoreLedger.join(a.deployments().create(new dev.strata.platform.core.store.NewDeployment(deployment,
                    allocation, null, "tenant-a", "requested", null, List.of()), null)))
                    .isInstanceOf(dev.strata.platform.api.exception.ConflictException.class)
                    .hasMessageStartingWith("deployment " + deployment + " is not stored: its allocation " + allocation + " is no longer in the ledger");
            assertThat(b.deployments().get(deployment)).isEmpty();
        }
    }

    /**
     * Two instances, four threads, 200 writes of distinct tenants, each with its provenance record.
     * Before, two instances' transactions both read the log's head and appended after it, and one
     * failed on the primary key ({@code duplicate key value violates unique constraint
     * "provenance_record_pkey"}): writes that conflict in nothing failed. The log is one chain.
     */
    @Test
    void twoInstancesWritingAtOnceStoreEveryWriteInOneChain() throws Exception {
        String url = pg.newDatabase("shared_log_" + DATABASES.incrementAndGet());
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b")) {
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicInteger stored = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                JdbcStateStore s = t % 2 == 0 ? a : b;
                String prefix = "tenant-" + t + "-";
                Thread w = new Thread(() -> {
                    for (int i = 0; i < 50; i++) {
                        String id = prefix + i;
                        try {
                            s.tenants().put(new Tenant(id, id, null, Map.of()),
                                    ProvenanceEntry.of("tenant", "karaf", Map.of("action", "created"), "tenant", id)).join();
                            stored.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(String.valueOf(e.getMessage()));
                        }
                    }
                });
                writers.add(w);
                w.start();
            }
            for (Thread w : writers) {
                w.join(120_000);
            }
            assertThat(failures).as("of 200 writes of distinct tenants by two instances, %d stored", stored.get()).isEmpty();
            assertThat(StoreTestAccess.verifyChain(a).holds()).isTrue();
            assertThat(a.provenance().head().seq()).isEqualTo(200);
        }
    }
}
