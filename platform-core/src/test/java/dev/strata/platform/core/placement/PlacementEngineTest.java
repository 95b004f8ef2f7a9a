package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.placement.packing.BestFitPolicy;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.Fit;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Deciding outside any global lock: parallel decisions, the ledger's generation check and the retry behind it. */
class PlacementEngineTest {

    private final ContractDocumentReader reader = new ContractDocumentReader();

    /** A ledger where another placement commits first, once, just before the given commit: a lost race, on demand. */
    private static final class RacedLedger implements AllocationLedger {
        private final InMemoryLedger ledger = new InMemoryLedger();
        private final Allocation racer;
        private final AtomicBoolean raced = new AtomicBoolean();

        RacedLedger(Allocation racer) {
            this.racer = racer;
        }

        @Override
        public long commit(long expectedGeneration, Allocation allocation) {
            if (raced.compareAndSet(false, true)) {
                ledger.commit(ledger.generation(), racer);
            }
            return ledger.commit(expectedGeneration, allocation);
        }

        @Override
        public long generation() {
            return ledger.generation();
        }

        @Override
        public String nextId() {
            return ledger.nextId();
        }

        @Override
        public Allocation release(String id) {
            return ledger.release(id);
        }

        @Override
        public List<Allocation> all() {
            return ledger.all();
        }

        @Override
        public Optional<Allocation> get(String id) {
            return ledger.get(id);
        }

        @Override
        public Snapshot snapshot() {
            return ledger.snapshot();
        }

        @Override
        public Optional<List<Change>> changesSince(long since) {
            return ledger.changesSince(since);
        }
    }

    @Test
    void aCommitThatLostTheRaceIsDecidedAgainOnTheLedgerThatWon() {
        Infra infra = new Infra().s1().node("n", "s1", null, 64, 512, 3, "NVIDIA L40S", 48, 0, 1, 350, 2000);
        MemberBinding taken = new MemberBinding("other", "n", "s1", List.of("n/gpu0", "n/gpu1"), 1, null, 0, null, 1000, 0, 0, null);
        RacedLedger ledger = new RacedLedger(new Allocation("race-1", "racer", "t2", 0, false, Instant.now(), List.of(taken)));
        PlacementService service = new PlacementService(infra.inventory(), ledger, "strata", Clock.systemUTC());
        PlacementDecision d = service.place(reader.read("{name: c, tenant: t1, members: [{name: m, gpus: 2}]}", "c"), false);
        assertThat(service.engine().retries()).as("the stale commit was decided again").isEqualTo(1);
        assertThat(d.placed()).as("one GPU is left after the racer took two").isFalse();
        assertThat(d.ledgerGeneration()).as("decided on the ledger the racer left").isEqualTo(1);
        assertThat(service.allocations()).extracting(Allocation::id).containsExactly("race-1");

        RacedLedger second = new RacedLedger(new Allocation("race-2", "racer", "t2", 0, false, Instant.now(),
                List.of(new MemberBinding("other", "n", "s1", List.of("n/gpu0"), 1, null, 0, null, 1000, 0, 0, null))));
        PlacementService again = new PlacementService(infra.inventory(), second, "strata", Clock.systemUTC());
        PlacementDecision ok = again.place(reader.read("{name: c, tenant: t1, members: [{name: m, gpus: 2}]}", "c"), false);
        assertThat(again.engine().retries()).isEqualTo(1);
        assertThat(ok.placed()).isTrue();
        assertThat(ok.bindings().get(0).acceleratorIds()).containsExactly("n/gpu1", "n/gpu2");
        assertThat(again.allocations()).hasSize(2);
    }

    @Test
    void aDecisionThatKeepsLosingRacesIsDecidedUnderTheCommitLockAndWins() throws Exception {
        Infra infra = new Infra().s1().node("n", "s1", null, 64, 512, 4, "NVIDIA L40S", 48, 0, 1, 350, 0);
        Contract cpuOnly = reader.read("{name: r, tenant: t2, members: [{name: m, cpu: 1}]}", "r");
        PlacementService[] service = new PlacementService[1];
        java.util.concurrent.atomic.AtomicInteger gpuDecisions = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> racers = new java.util.concurrent.CopyOnWriteArrayList<>();
        // while the GPU contract is being decided, another placement commits (and releases) on another thread
        BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> racing = (nodes, demands) -> new PackingPolicy() {
            private final BestFitPolicy delegate = new BestFitPolicy(64_000, 4000);

            @Override
            public String name() {
                return "racing";
            }

            @Override
            public boolean cacheable() {
                return false;
            }

            @Override
            public Fit fit(NodeCapacity node, Demand demand) {
                if (demand.gpuCount() > 0) {
                    gpuDecisions.incrementAndGet();
                    Thread racer = new Thread(() -> service[0].release(service[0].place(cpuOnly, false).allocationId()));
                    racers.add(racer);
                    racer.start();
                    try {
                        racer.join(2_000); // under the commit lock it cannot finish: the wait runs out and the decision goes on
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return delegate.fit(node, demand);
            }
        };
        service[0] = new PlacementService(infra.inventory(), new InMemoryLedger(), "racing", racing, Clock.systemUTC(), 4);
        PlacementDecision d = service[0].place(reader.read("{name: c, tenant: t1, members: [{name: m, gpus: 1}]}", "c"), false);
        for (Thread racer : racers) {
            racer.join(10_000);
        }
        assertThat(d.placed()).isTrue();
        // eight races lost by the GPU contract, and one by the last racer, which decided while the commit lock was held
        assertThat(service[0].engine().retries()).as("races lost").isEqualTo(PlacementEngine.COMMIT_ATTEMPTS + 1);
        assertThat(service[0].engine().serialised()).as("decided under the commit lock").isEqualTo(1);
        assertThat(gpuDecisions.get()).isEqualTo(PlacementEngine.COMMIT_ATTEMPTS + 1);
        assertThat(service[0].allocations()).extracting(Allocation::contract).containsExactly("c");
    }

    @Test
    void decisionsRunInParallel() throws Exception {
        Infra infra = new Infra().s1().h100("n1", "s1", null).h100("n2", "s1", null);
        CountDownLatch bothInside = new CountDownLatch(2);
        Map<Thread, Boolean> sawTheOther = new ConcurrentHashMap<>();
        BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> meeting = (nodes, demands) -> new PackingPolicy() {
            private final BestFitPolicy delegate = new BestFitPolicy(112_000, 8000);

            @Override
            public String name() {
                return "meeting";
            }

            @Override
            public boolean cacheable() {
                return false;
            }

            @Override
            public Fit fit(NodeCapacity node, Demand demand) {
                if (!sawTheOther.containsKey(Thread.currentThread())) {
                    bothInside.countDown();
                    try {
                        // both deciders are inside a decision at once only if nothing serialises them
                        sawTheOther.put(Thread.currentThread(), bothInside.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return delegate.fit(node, demand);
            }
        };
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), "meeting", meeting, Clock.systemUTC(), 2);
        Contract one = reader.read("{name: c, tenant: t1, members: [{name: m, gpus: 1}]}", "c");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<PlacementDecision> a = pool.submit(() -> service.place(one, true));
            Future<PlacementDecision> b = pool.submit(() -> service.place(one, true));
            assertThat(a.get().placed()).isTrue();
            assertThat(b.get().placed()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(sawTheOther.values()).as("each decider saw the other inside a decision").containsExactly(true, true);
    }

    @Test
    void concurrentPlacementsAndReleasesNeverBreakAClause() throws Exception {
        Random seeds = new Random(11);
        for (int round = 0; round < 4; round++) {
            Random r = new Random(seeds.nextLong());
            Infra infra = PlacementOracleTest.inventory(r);
            InventorySnapshot snapshot = infra.snapshot();
            PlacementService service = new PlacementService(PlacementOracleTest.fixed(snapshot), new InMemoryLedger(), "strata",
                    PackingPolicies.byName("strata"), Clock.systemUTC(), 4);
            Map<String, Contract> contracts = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = r.nextLong();
                work.add(pool.submit(() -> {
                    Random tr = new Random(seed);
                    for (int i = 0; i < 60; i++) {
                        List<Allocation> held = service.allocations();
                        if (!held.isEmpty() && tr.nextInt(3) == 0) {
                            try {
                                service.release(held.get(tr.nextInt(held.size())).id());
                            } catch (dev.strata.platform.api.exception.NotFoundException raced) {
                                // another thread released it first
                            }
                            continue;
                        }
                        Contract c = PlacementOracleTest.contract(tr, Thread.currentThread().getName() + "-" + i, snapshot);
                        PlacementDecision d = service.place(c, false);
                        if (d.placed()) {
                            contracts.put(d.allocationId(), c);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            // the ledger, in commit order, holds only allocations that were sound when they were committed
            List<Allocation> before = new ArrayList<>();
            for (Allocation a : service.allocations()) {
                assertThat(new ExhaustivePlacement(snapshot, before, contracts.get(a.id()), 1_000_000).check(a.bindings()))
                        .as("allocation %s with %s", a.id(), before.size()).isNull();
                before.add(a);
            }
            Map<String, Integer> booked = new HashMap<>();
            for (Allocation a : service.allocations()) {
                for (MemberBinding b : a.bindings()) {
                    for (String gpu : b.acceleratorIds()) {
                        booked.merge(gpu, (int) Math.round(b.gpuFraction() * 1000), Integer::sum);
                    }
                }
            }
            booked.forEach((gpu, milli) -> assertThat(milli).as("GPU %s", gpu).isLessThanOrEqualTo(1000));
        }
    }
}
