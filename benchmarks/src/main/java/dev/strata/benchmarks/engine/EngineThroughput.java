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
import dev.strata.platform.core.placement.packing.PackingPolicy;
import dev.strata.platform.core.placement.packing.StrataPackingPolicy;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 *     trace's pods as the workload profile ({@code --openb-profile trace}, the default) or the
 *     engine's own ledger-following profile ({@code ledger}), {@code --openb-rounds} rounds in one
 *     JVM; placements per second and the allocation ratio reached.</li>
 * </ul>
 * <pre>java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.engine.EngineThroughput [--nodes 10000] [--seconds 10]
 *     [--scenarios openb,generated] [--openb-rounds 5] [--openb-profile trace|ledger]</pre>
 */
public final class EngineThroughput {

    private EngineThroughput() {
    }

    public static void main(String[] args) throws Exception {
        // one INFO line per placement would time the console, not the engine (set the property to see them)
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        int nodes = Integer.parseInt(opts.getOrDefault("--nodes", "10000"));
        int seconds = Integer.parseInt(opts.getOrDefault("--seconds", "10"));
        int rounds = Integer.parseInt(opts.getOrDefault("--rounds", "5"));
        String scenarios = opts.getOrDefault("--scenarios", "openb,generated");
        // placement's policy setting: strata (the default), or strata:name=value;... for other weights (e.g. strata:ss=1000)
        policy = opts.getOrDefault("--policy", "strata");
        System.out.printf("java %s, %d cores, max heap %d MiB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        if (scenarios.contains("openb")) {
            openb(Integer.parseInt(opts.getOrDefault("--openb-rounds", "5")), opts.getOrDefault("--openb-profile", "trace"));
        }
        if (scenarios.contains("generated")) {
            generated(nodes, seconds, rounds);
        }
    }

    /** The placement policy setting the benchmark runs with ({@code --policy}). */
    private static String policy = "strata";

    /** Strata's weights for {@link #policy}: the frozen defaults for {@code strata}, changed as named for {@code strata:...}. */
    private static StrataPackingPolicy.Options strataOptions() {
        if (policy.equals("strata")) {
            return StrataPackingPolicy.Options.DEFAULTS;
        }
        if (!policy.startsWith("strata:")) {
            throw new IllegalArgumentException("--policy is " + policy + "; expected strata or strata:name=value;... for the openb trace profile");
        }
        return StrataPackingPolicy.Options.parse(policy.substring("strata:".length()).replace(';', ','));
    }

    // ---- the openb cluster through the engine ---------------------------------------------------

    /**
     * @param profile {@code trace}: the policy protects room for the trace's pods, one fixed profile
     *     (built once per model: the engine keeps what it scored); {@code ledger}: the engine's own
     *     default, the typical demands plus what the ledger holds, rebuilt as the ledger grows
     */
    static void openb(int rounds, String profile) throws Exception {
        if (!profile.equals("trace") && !profile.equals("ledger")) {
            throw new IllegalArgumentException("--openb-profile is " + profile + "; expected trace or ledger");
        }
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
        for (int round = 0; round < rounds; round++) {
            // one policy per model (a model's nodes are its own list): handed the same policy again, the engine keeps what it scored
            Map<List<NodeCapacity>, PackingPolicy> built = Collections.synchronizedMap(new IdentityHashMap<>());
            Placement service = profile.equals("ledger") ? PlacementEngines.create(fixed(snapshot), policy, Clock.systemUTC())
                    : PlacementEngines.create(fixed(snapshot), policy,
                            (nodes, demands) -> built.computeIfAbsent(nodes, n -> StrataPackingPolicy.forWorkload(n, pods, strataOptions())), Clock.systemUTC());
            long placedMilli = 0;
            int placed = 0;
            long start = System.nanoTime();
            long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            for (Contract c : contracts) {
                PlacementDecision d = service.place(c, false);
                if (d.placed()) {
                    placed++;
                    MemberBinding b = d.bindings().get(0);
                    placedMilli += Math.round(b.acceleratorIds().size() * b.gpuFraction() * 1000);
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double cpuSecs = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "openb default seed 42 through the engine, profile %s, round %d: %d contracts (%d placed) in %.2f s = %,.0f placements/s "
                    + "(%,.0f per CPU-second of the placing thread); GPU allocation %.2f %% at 130 %% arrived; load average %.1f%n", profile, round + 1,
                    contracts.size(), placed, secs, contracts.size() / secs, contracts.size() / cpuSecs, 100.0 * placedMilli / OpenbReplay.capacity(capacities),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
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

    static void generated(int nodeCount, int seconds, int rounds) throws Exception {
        long base = usedHeap();
        long t0 = System.nanoTime();
        InventorySnapshot snapshot = GeneratedCluster.build(nodeCount, 42);
        long built = System.nanoTime();
        long inventoryHeap = usedHeap() - base;
        int gpuTotal = snapshot.nodes().stream().mapToInt(n -> n.accelerators().size()).sum();
        System.out.printf(Locale.ROOT, "generated: %,d nodes, %,d GPUs, %d sites, %d RDMA fabrics, %,d power domains; built in %d ms; "
                + "inventory heap %,d MiB%n", snapshot.nodes().size(), gpuTotal, snapshot.sites().size(), snapshot.fabrics().size(),
                snapshot.powerDomains().size(), (built - t0) / 1_000_000, inventoryHeap >> 20);

        Placement service = PlacementEngines.create(fixed(snapshot), policy, Clock.systemUTC());
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
        {
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
            System.out.printf(Locale.ROOT, "warm-up, 1 thread, dry runs on the loaded cluster: %,.0f decisions/s (%d %% placeable); "
                    + "latency median %.0f us, p99 %.0f us, p99.9 %.0f us%n", n / secs, 100 * accepted / Math.max(1, n),
                    sorted[n / 2] / 1e3, sorted[(int) (n * 0.99)] / 1e3, sorted[(int) (n * 0.999)] / 1e3);
        }

        // the two-thread path compiled too before anything is timed
        dryRuns(service, probes, 2, seconds);
        // one thread and two threads, alternately, so that both see the same machine; medians
        List<double[]> one = new ArrayList<>();
        List<double[]> two = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            double[] a = dryRuns(service, probes, 1, seconds);
            double[] b = dryRuns(service, probes, 2, seconds);
            one.add(a);
            two.add(b);
            System.out.printf(Locale.ROOT, "round %d, dry runs: 1 thread %,.0f decisions/s (%,.0f per CPU-second); 2 threads %,.0f decisions/s in all "
                    + "(%,.0f per CPU-second of the deciding threads); ratio %.2f; load average %.1f%n", round + 1, a[0], a[1], b[0], b[1], b[0] / a[0],
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        double oneMedian = median(one, 0);
        double twoMedian = median(two, 0);
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = two.get(r)[0] / one.get(r)[0];
        }
        Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "dry runs, medians of %d rounds: 1 thread %,.0f decisions/s (%,.0f per CPU-second), 2 threads %,.0f decisions/s "
                + "(%,.0f per CPU-second); ratio of the medians %.2f, median of the round ratios %.2f (min %.2f, max %.2f)%n", rounds, oneMedian,
                median(one, 1), twoMedian, median(two, 1), twoMedian / oneMedian, ratios[rounds / 2], ratios[0], ratios[rounds - 1]);

        // commit cycles: place for real, release the oldest; one thread, then two (the commit path and its retries)
        
        for (int threads = 1; threads <= 2; threads++) {
            long retries0 = PlacementEngines.races(service).retries();
            long serialised0 = PlacementEngines.races(service).serialised();
            int ts = threads;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Future<Integer>> counts = new ArrayList<>();
            ArrayDeque<String> shared = held;
            long s0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int offset = t * 5_000;
                counts.add(pool.submit(() -> {
                    int k = 0;
                    while (System.nanoTime() < end) {
                        PlacementDecision d = service.place(probes.get((offset + k) % probes.size()), false);
                        String oldest;
                        synchronized (shared) {
                            if (d.placed()) {
                                shared.add(d.allocationId());
                            }
                            oldest = shared.poll();
                        }
                        service.release(oldest);
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
            System.out.printf(Locale.ROOT, "%d thread(s), place + release of the oldest: %,.0f cycles/s in all; lost races retried: %,d; "
                    + "decided under the commit lock after %d lost races: %,d%n", ts, total / secs, PlacementEngines.races(service).retries() - retries0,
                    PlacementEngines.COMMIT_ATTEMPTS, PlacementEngines.races(service).serialised() - serialised0);
        }
        if (service.allocations().size() != held.size()) {
            throw new IllegalStateException("ledger holds " + service.allocations().size() + ", expected " + held.size());
        }
    }

    /** Dry runs on {@code threads} threads for {@code seconds}: {decisions per second in all, decisions per CPU-second of those threads}. */
    private static double[] dryRuns(Placement service, List<Contract> probes, int threads, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(threads + 1);
        long[] cpu = new long[threads];
        List<Future<Integer>> counts = new ArrayList<>();
        long[] window = new long[1];
        for (int t = 0; t < threads; t++) {
            int offset = t * 5_000;
            int slot = t;
            counts.add(pool.submit(() -> {
                go.await();
                long c0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                long end = window[0];
                int k = 0;
                while (System.nanoTime() < end) {
                    service.place(probes.get((offset + k) % probes.size()), true);
                    k++;
                }
                cpu[slot] = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0;
                return k;
            }));
        }
        long s0 = System.nanoTime();
        window[0] = s0 + Duration.ofSeconds(seconds).toNanos();
        go.await();
        int total = 0;
        for (Future<Integer> f : counts) {
            total += f.get();
        }
        double secs = (System.nanoTime() - s0) / 1e9;
        pool.shutdown();
        long cpuSum = 0;
        for (long c : cpu) {
            cpuSum += c;
        }
        return new double[] {total / secs, total / (cpuSum / 1e9)};
    }

    private static double median(List<double[]> rows, int column) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rows.get(i)[column];
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
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
