package dev.strata.benchmarks.engine;

import dev.strata.benchmarks.openb.OpenbReplay;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.StrataPackingPolicy;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decision speed of the whole placement engine (the core's placement service, through {@link PlacementEngines}: contract clauses,
 * counted rejections, evidence, packing, ledger), not just the packing kernel.
 *
 * <ul>
 * <li>{@code generated}: {@link GeneratedCluster} (10,000 nodes, 80,000 GPUs, 6 sites), filled to
 *     70 % of its GPUs with contracts using every clause, then timed: dry-run decisions, and
 *     place + release cycles, single-threaded and on two threads; heap of inventory, model and
 *     ledger.</li>
 * <li>{@code openb}: the openb cluster (1,213 nodes, 6,212 GPUs) with the inflated default trace
 *     (seed 42), each pod a one-member contract, placed one at a time through the engine with the
 *     trace's pods as the workload profile; placements per second and the allocation ratio reached.</li>
 * </ul>
 * <pre>java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.engine.EngineThroughput [--nodes 10000] [--seconds 10]</pre>
 */
public final class EngineThroughput {

    private EngineThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        int nodes = Integer.parseInt(opts.getOrDefault("--nodes", "10000"));
        int seconds = Integer.parseInt(opts.getOrDefault("--seconds", "10"));
        String scenarios = opts.getOrDefault("--scenarios", "openb,generated");
        System.out.printf("java %s, %d cores, max heap %d MiB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        if (scenarios.contains("openb")) {
            openb();
        }
        if (scenarios.contains("generated")) {
            generated(nodes, seconds);
        }
    }

    // ---- the openb cluster through the engine ---------------------------------------------------

    static void openb() throws Exception {
        List<NodeCapacity> capacities = OpenbReplay.readNodes(OpenbReplay.fixtures().resolve("openb_node_list_gpu_node.csv"));
        List<Demand> pods = OpenbReplay.readPods(OpenbReplay.fixtures().resolve("openb_pod_list_default.csv"));
        List<Demand> workload = OpenbReplay.inflate(pods, OpenbReplay.capacity(capacities), 42);
        InventorySnapshot snapshot = openbInventory(capacities);
        List<Contract> contracts = new ArrayList<>(workload.size());
        for (int i = 0; i < workload.size(); i++) {
            Demand d = workload.get(i);
            GpuRequest gpus = d.gpuCount() == 0 ? GpuRequest.NONE
                    : new GpuRequest(d.gpuCount(), d.models(), 0, d.gpuCount() == 1 ? d.gpuMilli() / 1000.0 : 1, null);
            contracts.add(new Contract("pod-" + i, "openb", 0, List.of(new Member("pod", d.cpuMilli(), d.memoryMiB() << 20, gpus,
                    TopologyRequest.ANY, 0)), FabricRequest.ANY, Sovereignty.ANY, Isolation.SHARED));
        }
        for (int round = 0; round < 3; round++) {
            Placement service = PlacementEngines.create(fixed(snapshot), "strata",
                    (nodes, demands) -> StrataPackingPolicy.forWorkload(nodes, pods), Clock.systemUTC());
            long placedMilli = 0;
            int placed = 0;
            long start = System.nanoTime();
            for (Contract c : contracts) {
                PlacementDecision d = service.place(c, false);
                if (d.placed()) {
                    placed++;
                    MemberBinding b = d.bindings().get(0);
                    placedMilli += Math.round(b.acceleratorIds().size() * b.gpuFraction() * 1000);
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "openb default seed 42 through the engine, round %d: %d contracts (%d placed) in %.2f s = %,.0f placements/s; "
                    + "GPU allocation %.2f %% at 130 %% arrived%n", round + 1, contracts.size(), placed, secs, contracts.size() / secs,
                    100.0 * placedMilli / OpenbReplay.capacity(capacities));
        }
    }

    private static InventorySnapshot openbInventory(List<NodeCapacity> capacities) {
        Map<Long, CpuTopology> cpus = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (NodeCapacity c : capacities) {
            int threads = (int) (c.cpuTotalMilli() / 1000);
            CpuTopology cpu = cpus.computeIfAbsent(c.cpuTotalMilli(), k -> {
                List<CpuCore> cores = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    cores.add(new CpuCore(t, CpuSet.of(t)));
                }
                return new CpuTopology(List.of(new CpuPackage(0, null, null, cores)), CpuSet.parseList("0-" + (threads - 1)), CpuSet.EMPTY);
            });
            List<Accelerator> gpus = new ArrayList<>();
            for (int g = 0; g < c.gpuCount(); g++) {
                gpus.add(new Accelerator(c.id() + "/gpu" + g, "NVIDIA", c.model(), 16L << 30, null, null, c.id(), -1, CpuSet.EMPTY, null, null,
                        0, List.of(), List.of(), false, PowerLimits.UNKNOWN, Health.OK, Map.of()));
            }
            nodes.add(new Node(c.id(), "openb", "openb", c.id(), NodeKind.DECLARED, cpu, List.of(), c.memoryTotalMiB() << 20, List.of(), gpus,
                    List.of(), List.of(), PowerDraw.UNKNOWN, null, Set.of(), ResourceState.AVAILABLE, null, Map.of()));
        }
        return new InventorySnapshot(1, Instant.now(), List.of(Site.local("openb", "openb")), nodes, List.of(), List.of(), List.of());
    }

    // ---- the generated cluster ---------------------------------------------------------------

    static void generated(int nodeCount, int seconds) throws Exception {
        long base = usedHeap();
        long t0 = System.nanoTime();
        InventorySnapshot snapshot = GeneratedCluster.build(nodeCount, 42);
        long built = System.nanoTime();
        long inventoryHeap = usedHeap() - base;
        int gpuTotal = snapshot.nodes().stream().mapToInt(n -> n.accelerators().size()).sum();
        System.out.printf(Locale.ROOT, "generated: %,d nodes, %,d GPUs, %d sites, %d RDMA fabrics, %,d power domains; built in %d ms; "
                + "inventory heap %,d MiB%n", snapshot.nodes().size(), gpuTotal, snapshot.sites().size(), snapshot.fabrics().size(),
                snapshot.powerDomains().size(), (built - t0) / 1_000_000, inventoryHeap >> 20);

        Placement service = PlacementEngines.create(fixed(snapshot), "strata", Clock.systemUTC());
        Random random = new Random(7);
        long m0 = System.nanoTime();
        service.place(GeneratedCluster.contract(random, 0), true);
        System.out.printf(Locale.ROOT, "placement model built (first decision) in %d ms; inventory + model heap %,d MiB%n",
                (System.nanoTime() - m0) / 1_000_000, (usedHeap() - base) >> 20);

        // fill to 70 % of the GPUs
        ArrayDeque<String> held = new ArrayDeque<>();
        int placed = 0;
        int refused = 0;
        int consecutive = 0;
        double gpusHeld = 0;
        long f0 = System.nanoTime();
        for (int i = 1; gpusHeld < 0.7 * gpuTotal && consecutive < 500; i++) {
            PlacementDecision d = service.place(GeneratedCluster.contract(random, i), false);
            if (d.placed()) {
                placed++;
                consecutive = 0;
                held.add(d.allocationId());
                gpusHeld += gpus(d);
            } else {
                refused++;
                consecutive++;
            }
        }
        double fillSecs = (System.nanoTime() - f0) / 1e9;
        System.out.printf(Locale.ROOT, "filled to %.1f %% of GPUs: %,d placed, %,d refused in %.1f s = %,.0f placements/s (1 thread, committing)%n",
                100 * gpusHeld / gpuTotal, placed, refused, fillSecs, (placed + refused) / fillSecs);
        System.out.printf(Locale.ROOT, "heap with inventory, model and a ledger of %,d allocations: %,d MiB%n", held.size(), (usedHeap() - base) >> 20);

        // dry runs on the loaded cluster, one thread, with per-decision latency
        List<Contract> probes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            probes.add(GeneratedCluster.contract(random, 1_000_000 + i));
        }
        for (int round = 0; round < 3; round++) {
            long[] latency = new long[2_000_000];
            int n = 0;
            int accepted = 0;
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            long s0 = System.nanoTime();
            while (System.nanoTime() < end && n < latency.length) {
                long a = System.nanoTime();
                accepted += service.place(probes.get(n % probes.size()), true).placed() ? 1 : 0;
                latency[n++] = System.nanoTime() - a;
            }
            double secs = (System.nanoTime() - s0) / 1e9;
            long[] sorted = Arrays.copyOf(latency, n);
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "round %d, 1 thread, dry runs on the loaded cluster: %,.0f decisions/s (%d %% placeable); "
                    + "latency median %.0f us, p99 %.0f us%n", round + 1, n / secs, 100 * accepted / Math.max(1, n),
                    sorted[n / 2] / 1e3, sorted[(int) (n * 0.99)] / 1e3);
        }

        // commit cycles: place for real, release the oldest
        for (int round = 0; round < 2; round++) {
            int cycles = 0;
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            long s0 = System.nanoTime();
            while (System.nanoTime() < end) {
                PlacementDecision d = service.place(probes.get(cycles % probes.size()), false);
                if (d.placed()) {
                    held.add(d.allocationId());
                }
                service.release(held.poll());
                cycles++;
            }
            double secs = (System.nanoTime() - s0) / 1e9;
            System.out.printf(Locale.ROOT, "round %d, 1 thread, place + release of the oldest: %,.0f cycles/s%n", round + 1, cycles / secs);
        }

        // two threads deciding at once (dry runs)
        for (int round = 0; round < 2; round++) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Future<Integer>> counts = new ArrayList<>();
            long s0 = System.nanoTime();
            for (int t = 0; t < 2; t++) {
                int offset = t * 5_000;
                counts.add(pool.submit(() -> {
                    int k = 0;
                    while (System.nanoTime() < end) {
                        service.place(probes.get((offset + k) % probes.size()), true);
                        k++;
                    }
                    return k;
                }));
            }
            int total = 0;
            for (Future<Integer> f : counts) {
                total += f.get();
            }
            pool.shutdown();
            double secs = (System.nanoTime() - s0) / 1e9;
            System.out.printf(Locale.ROOT, "round %d, 2 threads, dry runs: %,.0f decisions/s in all%n", round + 1, total / secs);
        }
        if (service.allocations().size() != held.size()) {
            throw new IllegalStateException("ledger holds " + service.allocations().size() + ", expected " + held.size());
        }
    }

    private static double gpus(PlacementDecision d) {
        return d.bindings().stream().mapToDouble(b -> b.acceleratorIds().size() * b.gpuFraction()).sum();
    }

    private static Inventory fixed(InventorySnapshot snapshot) {
        return new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

}
