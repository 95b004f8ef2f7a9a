package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.PostgresClusterExtension;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreTestAccess;
import dev.strata.platform.core.store.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several instances on one PostgreSQL with {@code highAvailability = false}: every instance
 * writes, "kept apart by the ledger's generation check alone" (README). A real PostgreSQL, started
 * privately ({@link PostgresCluster}).
 */
@ExtendWith(PostgresClusterExtension.class)
class SharedWritersPostgresTest {

    static PostgresCluster pg;
    static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path etc;

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

    // ---- placement while another instance keeps changing the ledger ------------------------------

    /** The advisory lock every instance's write transaction takes with {@code highAvailability = false} (JdbcStateStore). */
    static final long SHARED_WRITERS_LOCK = 0x5374726174610003L;

    static Contract gpus(String name, String tenant, int gpus) {
        return new ContractDocumentReader().read("{name: " + name + ", tenant: " + tenant + ", members: [{name: m, cpu: 1, gpus: " + gpus + "}]}",
                "test");
    }

    static PlacementService placement(JdbcStateStore store, Inventory inventory) {
        return new PlacementService(inventory, store, DurablePlacementTest.config(Map.of("deciders", 4)), Map.of());
    }

    /** Instance B changing the ledger: it places a one-GPU contract while it holds fewer than three, else releases the oldest. */
    static final class Churn {
        private final PlacementService onB;
        private final ArrayDeque<String> held = new ArrayDeque<>();
        private int changes;

        Churn(PlacementService onB) {
            this.onB = onB;
        }

        void change() {
            changes++;
            if (held.size() < 3) {
                PlacementDecision d = onB.place(gpus("b" + changes, "other", 1), false);
                assertThat(d.placed()).as(d.summary()).isTrue();
                held.add(d.allocationId());
            } else {
                onB.release(held.poll());
            }
        }

        int changes() {
            return changes;
        }
    }

    /** Where placements read the quotas they are held to: {@code onRead} runs on the test's thread, right after its decision read them. */
    static void afterEachDecision(PlacementService on, JdbcStateStore store, Thread decider, java.util.function.IntConsumer onRead) {
        StoreQuotas quotas = new StoreQuotas(store);
        AtomicInteger reads = new AtomicInteger();
        on.engine().quotas(() -> {
            TenantQuotas read = quotas.get();
            if (Thread.currentThread() == decider) {
                onRead.accept(reads.incrementAndGet());
            }
            return read;
        });
    }

    /**
     * What a placement that committed must have left, and one that did not must not: no GPU booked
     * twice, no node given more GPUs than it has, one {@code placement} record for every allocation
     * made (held now, or released since, with a {@code release} record) and none for a decision
     * the store refused, and the contract as submitted of every allocation held.
     */
    static void consistent(JdbcStateStore store, int gpusPerNode) {
        List<Allocation> held = store.ledger().load().allocations();
        assertThat(bookedTwice(held)).as("GPUs booked twice").isEmpty();
        Map<String, Integer> perNode = new java.util.TreeMap<>();
        for (Allocation a : held) {
            for (MemberBinding b : a.bindings()) {
                perNode.merge(b.nodeId(), b.acceleratorIds().size(), Integer::sum);
            }
        }
        assertThat(perNode.values()).as("GPUs held per node " + perNode).allMatch(n -> n <= gpusPerNode);
        List<String> placed = records(store, "placement");
        List<String> released = records(store, "release");
        assertThat(placed).as("placement records").doesNotHaveDuplicates();
        assertThat(released).as("released").doesNotHaveDuplicates().doesNotContainAnyElementsOf(held.stream().map(Allocation::id).toList());
        List<String> made = new ArrayList<>(held.stream().map(Allocation::id).toList());
        made.addAll(released);
        assertThat(placed).as("a placement record for each allocation made, and no other").containsExactlyInAnyOrderElementsOf(made);
        for (Allocation a : held) {
            assertThat(store.contracts().get("c-" + a.id())).as("the contract of " + a.id()).isPresent();
        }
    }

    /** The allocations that the records of a kind name, oldest first. */
    static List<String> records(JdbcStateStore store, String kind) {
        return store.provenance().find(new AuditFilter(null, null, null, null, kind, null, null, 10_000, false)).stream()
                .map(r -> r.subjects().get("allocation")).toList();
    }

    /**
     * The key case: instance A's placement has lost {@link PlacementEngine#COMMIT_ATTEMPTS} races
     * to instance B and decides under the commit lock, on a ledger that holds another placement of
     * A's still on its way to the store; B's change came first, so the store refuses that one, and
     * A's ledger is read again before the attempt under the lock commits. The attempt is decided
     * again and commits. Before, it failed with "decided under the commit lock went stale"
     * (IllegalStateException), an internal error for the ordinary contention of two instances.
     * Deterministic: the other placement is held in A's store writer by the shared writers' lock,
     * taken by the test, until the attempt under the lock has decided.
     */
    @Test
    void anAttemptUnderTheCommitLockThatAnotherInstanceMadeStaleIsDecidedAgainAndCommits() throws Exception {
        String url = pg.newDatabase("shared_locked_stale_" + DATABASES.incrementAndGet());
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null).inventory();
        Thread decider = Thread.currentThread();
        AtomicReference<Runnable> beforeLastAttempt = new AtomicReference<>();
        // the decider reads the inventory twice in an attempt: for its model, and before its commit (whether a node it
        // bound changed); the hook, set during the attempt before the last, runs at the next attempt's first read
        AtomicInteger readsBeforeHook = new AtomicInteger(1);
        Inventory hooked = new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                Runnable hook = Thread.currentThread() == decider && beforeLastAttempt.get() != null
                        && readsBeforeHook.getAndDecrement() == 0 ? beforeLastAttempt.getAndSet(null) : null;
                if (hook != null) {
                    hook.run();
                }
                return inventory.snapshot();
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return inventory.refresh(maxWait);
            }
        };
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b");
                Connection other = DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD)) {
            other.setAutoCommit(false);
            PlacementService onA = placement(a, hooked);
            PlacementService onB = placement(b, inventory);
            Churn churn = new Churn(onB);
            CountDownLatch decidingAgain = new CountDownLatch(1);
            AtomicReference<Object> second = new AtomicReference<>();
            Thread[] secondPlacer = new Thread[1];
            StoreQuotas quotas = new StoreQuotas(a);
            AtomicInteger reads = new AtomicInteger();
            AtomicInteger secondReads = new AtomicInteger();
            onA.engine().quotas(() -> {
                TenantQuotas read = quotas.get();
                if (Thread.currentThread() == decider) {
                    int n = reads.incrementAndGet();
                    if (n < PlacementEngine.COMMIT_ATTEMPTS) {
                        churn.change(); // B changes the ledger right after A's decision read it: A's commit is refused
                    } else if (n == PlacementEngine.COMMIT_ATTEMPTS) {
                        churn.change();
                        beforeLastAttempt.set(() -> {
                            // before the last attempt takes the commit lock: A places "y" on another thread; B's change comes
                            // first, and the test holds A's commit of y in A's store writer
                            secondPlacer[0] = new Thread(() -> {
                                try {
                                    second.set(onA.place(gpus("y", "bank", 1), false));
                                } catch (RuntimeException | Error e) {
                                    second.set(e);
                                }
                            });
                            secondPlacer[0].start();
                            waitFor(() -> {
                                try (Statement st = other.createStatement(); ResultSet rs = st.executeQuery(
                                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
                                    rs.next();
                                    return rs.getInt(1) >= 1;
                                } catch (java.sql.SQLException e) {
                                    throw new IllegalStateException(e);
                                }
                            });
                        });
                    } else if (n == PlacementEngine.COMMIT_ATTEMPTS + 1) {
                        // the last attempt, under the commit lock, has decided on a ledger holding y: the writer goes on, the
                        // store refuses y, and A's ledger is read again (y is decided again) before this attempt commits
                        try {
                            other.commit();
                            assertThat(decidingAgain.await(20, TimeUnit.SECONDS)).as("y is decided again").isTrue();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                } else if (Thread.currentThread() == secondPlacer[0]) {
                    if (secondReads.incrementAndGet() == 1) {
                        churn.change(); // B's change, before A's commit of y
                        try (Statement st = other.createStatement()) {
                            st.executeQuery("SELECT pg_advisory_xact_lock(" + SHARED_WRITERS_LOCK + ")").close();
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    } else {
                        decidingAgain.countDown();
                    }
                }
                return read;
            });

            PlacementDecision d = onA.place(gpus("a", "bank", 1), false);
            secondPlacer[0].join(20_000);

            assertThat(d.placed()).as(d.summary()).isTrue();
            assertThat(onA.engine().serialised()).as("attempts under the commit lock: the one refused, and the one that committed")
                    .isEqualTo(2);
            assertThat(second.get()).isInstanceOfSatisfying(PlacementDecision.class, y -> assertThat(y.placed()).isTrue());
            List<Allocation> held = b.ledger().load().allocations();
            assertThat(held).extracting(Allocation::contract).contains("a", "y").hasSize(2 + churn.held.size());
            consistent(b, 8);
        }
    }

    /**
     * Instance B changes the ledger (a placement or a release) right after each decision of A's
     * placement has read it, 17 times: every commit of A's is refused by the store, the last nine
     * decided under the commit lock. A decides again until B stops, and commits on what B left.
     * Before, the seventeenth refusal failed the placement ("was refused by the ledger 17 times",
     * an IllegalStateException), although the cluster had room.
     */
    @Test
    void aPlacementThatKeepsLosingToAnotherInstanceCommitsOnceTheOtherStops() throws Exception {
        String url = pg.newDatabase("shared_starved_" + DATABASES.incrementAndGet());
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null).inventory();
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b")) {
            PlacementService onA = placement(a, inventory);
            Churn churn = new Churn(placement(b, inventory));
            int refusals = 2 * PlacementEngine.COMMIT_ATTEMPTS + 1;
            afterEachDecision(onA, a, Thread.currentThread(), n -> {
                if (n <= refusals) {
                    churn.change();
                }
            });

            PlacementDecision d = onA.place(gpus("a", "bank", 1), false);

            assertThat(d.placed()).as(d.summary()).isTrue();
            assertThat(onA.engine().retries()).as("commits refused").isEqualTo(refusals);
            assertThat(onA.engine().serialised()).isEqualTo(refusals + 1 - PlacementEngine.COMMIT_ATTEMPTS);
            assertThat(a.ledger().load().allocations()).extracting(Allocation::contract).containsOnlyOnce("a");
            consistent(a, 8);
        }
    }

    /**
     * Instance B never stops changing the ledger between A's decisions and their commits: A's
     * placement fails once its bound has passed, with a ConflictException that says why (not an
     * IllegalStateException), and leaves nothing: no allocation, no contract, no placement record.
     * Once B stops, the same placement commits. Before, it failed at the seventeenth refusal with
     * an IllegalStateException.
     */
    @Test
    void aPlacementThatAnotherInstanceNeverLetsCommitFailsAfterItsBoundAndLeavesNothing() throws Exception {
        String url = pg.newDatabase("shared_bound_" + DATABASES.incrementAndGet());
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null).inventory();
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b")) {
            PlacementService onA = placement(a, inventory);
            PlacementService onB = placement(b, inventory);
            Churn churn = new Churn(onB);
            java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
            afterEachDecision(onA, a, Thread.currentThread(), n -> {
                if (busy.get()) {
                    if (n % 3 == 0) {
                        onB.setQuota("other", Map.of("gpus", String.valueOf(8 + n))); // a quota change moves the ledger too
                    } else {
                        churn.change();
                    }
                }
            });
            onA.engine().contentionBound(Duration.ofSeconds(1));

            long start = System.nanoTime();
            assertThatThrownBy(() -> onA.place(gpus("a", "bank", 1), false)).isInstanceOf(ConflictException.class)
                    .hasMessageStartingWith("placement of a of tenant bank was not made: other instances writing to the same state store "
                            + "(PostgreSQL with highAvailability = false) kept changing the allocation ledger between its decisions and "
                            + "their commits, and the ledger refused it ")
                    .hasMessageContaining("decided under the commit lock, which a placement gives up after 1.0 s); nothing was placed or "
                            + "recorded; place it again");
            long took = System.nanoTime() - start;

            assertThat(Duration.ofNanos(took)).as("the bound, 1 s from the first attempt under the lock").isGreaterThan(Duration.ofSeconds(1))
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(onA.engine().retries()).as("refused well past the " + 2 * PlacementEngine.COMMIT_ATTEMPTS + " refusals that ended it before")
                    .isGreaterThan(2 * PlacementEngine.COMMIT_ATTEMPTS);
            assertThat(b.ledger().load().allocations()).extracting(Allocation::contract).doesNotContain("a");
            assertThat(a.contracts().list("bank", 100)).as("no contract of a placement that was not made").isEmpty();
            assertThat(a.provenance().find(new AuditFilter("a", null, null, null, null, null, null, 100, false)))
                    .as("no record of a placement that was not made").isEmpty();
            consistent(a, 8);

            busy.set(false);
            PlacementDecision d = onA.place(gpus("a", "bank", 1), false);
            assertThat(d.placed()).as(d.summary()).isTrue();
            consistent(a, 8);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long until = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
