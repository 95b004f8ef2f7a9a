package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.PostgresClusterExtension;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement on the durable ledger of a real PostgreSQL (started privately, see
 * {@link PostgresCluster}): kill -9 while placing and releasing, placements sent to two instances
 * at once while the leadership moves, and kill -9 of the leading JVM.
 */
@ExtendWith(PostgresClusterExtension.class)
class DurablePlacementPostgresTest {

    private static PostgresCluster pg;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path etc;

    private JdbcStateStore instance(String url, String id, boolean ha) throws Exception {
        return StoreTestAccess.postgres(url, Files.createDirectories(etc.resolve(id)), id, ha, "300ms");
    }

    @Test
    void killMinusNineWhilePlacingLosesNothingAcknowledged() throws Exception {
        String url = pg.newDatabase("crash_" + DATABASES.incrementAndGet());
        Files.writeString(etc.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        DurablePlacementTest.CrashLoop.run(6, seed -> List.of("pg", url, etc.toString(), "strata-a", Long.toString(seed)),
                () -> instance(url, "checker", true));
    }

    /**
     * Two instances, eight callers sending placements and releases to both at once; halfway the
     * leader's database session is ended, so the other instance takes over while commits are in
     * flight. The follower refuses naming the leader; nothing acknowledged is lost and no capacity
     * is booked twice (the database's generation check and epoch fence, not a lock in one JVM).
     */
    @Test
    void placementsSentToBothInstancesNeverDoubleBook() throws Exception {
        String url = pg.newDatabase("both_" + DATABASES.incrementAndGet());
        Inventory inventory = DurablePlacements.infra().inventory();
        JdbcStateStore a = instance(url, "strata-a", true);
        Thread.sleep(1000);
        JdbcStateStore b = instance(url, "strata-b", true);
        List<JdbcStateStore> stores = List.of(a, b);
        List<PlacementService> services = List.of(DurablePlacements.durable(inventory, a), DurablePlacements.durable(inventory, b));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> releaseAsked = ConcurrentHashMap.newKeySet();
        List<String> refusals = new CopyOnWriteArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        List<Thread> callers = new ArrayList<>();
        try {
            for (int t = 0; t < 8; t++) {
                int caller = t;
                Thread th = new Thread(() -> {
                    Random random = new Random(caller);
                    for (int k = 0; System.nanoTime() < end; k++) {
                        PlacementService s = services.get((caller + k) % 2);
                        try {
                            List<Allocation> held = s.allocations();
                            if (held.size() > 20 && random.nextBoolean()) {
                                String id = held.get(random.nextInt(held.size())).id();
                                releaseAsked.add(id);
                                s.release(id);
                            } else {
                                PlacementDecision d = s.place(DurablePlacements.contract(random, caller * 100_000 + k), false);
                                if (d.placed()) {
                                    acked.add(d.allocationId());
                                }
                            }
                        } catch (NotLeaderException e) {
                            refusals.add(e.getMessage());
                        } catch (dev.strata.platform.api.exception.NotFoundException e) {
                            // released by another caller first
                        } catch (RuntimeException e) {
                            unexpected.add(e);
                        }
                    }
                });
                callers.add(th);
                th.start();
            }
            Thread.sleep(4000);
            JdbcStateStore leader = stores.stream().filter(s -> s.leadership().isLeader()).findFirst().orElseThrow();
            String leaderId = leader.leadership().instanceId();
            assertThat(pg.terminate("strata " + leaderId + " leadership")).isEqualTo(1);
            for (Thread th : callers) {
                th.join(60_000);
            }
            assertThat(refusals).isNotEmpty().allMatch(m -> m.contains("the leader is strata-") || m.contains("no leader is known yet"));
            // while the leadership moves, a commit in flight may fail (never acknowledged); anything else is a defect
            assertThat(unexpected).allMatch(e -> e instanceof dev.strata.platform.api.exception.StrataException, "store failures only: "
                    + unexpected);
            try (JdbcStateStore check = instance(url, "checker", true)) {
                List<String> held = check.ledger().load().allocations().stream().map(Allocation::id).toList();
                Set<String> expected = new HashSet<>(acked);
                expected.removeAll(releaseAsked);
                assertThat(held).containsAll(expected);
                assertThat(new HashSet<>(held)).hasSize(held.size());
                assertThat(DurablePlacements.check(check, inventory)).isEmpty();
                assertThat(StoreTestAccess.verifyChain(check).holds()).isTrue();
                System.out.printf("both instances at once: %d placements acknowledged, %d refusals by the follower, %d failed in the "
                        + "failover%n", acked.size(), refusals.size(), unexpected.size());
            }
        } finally {
            a.close();
            b.close();
        }
    }

    /** Two placing JVMs; the leader is killed with SIGKILL; the other leads, places, and nothing the dead one acknowledged is lost. */
    @Test
    void killingTheLeadingJvmLosesNoAcknowledgedPlacement() throws Exception {
        String url = pg.newDatabase("failover_" + DATABASES.incrementAndGet());
        Files.writeString(etc.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        Inventory inventory = DurablePlacements.infra().inventory();
        List<String> aLines = new CopyOnWriteArrayList<>();
        List<String> bLines = new CopyOnWriteArrayList<>();
        Process a = DurablePlacementTest.CrashLoop.start(List.of("pg", url, etc.toString(), "strata-a", "1"), aLines);
        Process b = null;
        try {
            await(() -> aLines.stream().filter(l -> l.startsWith("PLACED")).count() >= 20, "strata-a to place 20");
            b = DurablePlacementTest.CrashLoop.start(List.of("pg", url, etc.toString(), "strata-b", "2"), bLines);
            await(() -> bLines.contains("STARTED"), "strata-b to start");
            long killed = System.nanoTime();
            a.destroyForcibly();
            a.waitFor(10, TimeUnit.SECONDS);
            await(() -> bLines.stream().filter(l -> l.startsWith("PLACED")).count() >= 10, "strata-b to lead and place 10");
            System.out.printf("kill -9 of the leading JVM: the other placed 10 after %.1f s%n", (System.nanoTime() - killed) / 1e9);
        } finally {
            a.destroyForcibly();
            if (b != null) {
                b.destroyForcibly();
                b.waitFor(10, TimeUnit.SECONDS);
            }
        }
        // both JVMs' output read to its end: a RELEASING line read late would make a release look like a lost placement
        await(() -> aLines.contains(DurablePlacementTest.CrashLoop.END), "strata-a's output to be read to its end");
        if (b != null) {
            List<String> bl = bLines;
            await(() -> bl.contains(DurablePlacementTest.CrashLoop.END), "strata-b's output to be read to its end");
        }
        Set<String> placed = new HashSet<>();
        Set<String> releaseAsked = new HashSet<>();
        // judged from what each JVM wrote to its file (the pipe may lose the last lines at a kill)
        List<String> said = new ArrayList<>(DurablePlacementTest.CrashLoop.said(a));
        if (b != null) {
            said.addAll(DurablePlacementTest.CrashLoop.said(b));
        }
        for (String l : said) {
            if (l.startsWith("PLACED ")) {
                placed.add(l.substring(7));
            } else if (l.startsWith("RELEASING ")) {
                releaseAsked.add(l.substring(10));
            }
        }
        placed.removeAll(releaseAsked);
        try (JdbcStateStore check = instance(url, "checker", true)) {
            List<String> held = check.ledger().load().allocations().stream().map(Allocation::id).toList();
            assertThat(held).containsAll(placed);
            assertThat(DurablePlacements.check(check, inventory)).isEmpty();
            assertThat(StoreTestAccess.verifyChain(check).holds()).isTrue();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
