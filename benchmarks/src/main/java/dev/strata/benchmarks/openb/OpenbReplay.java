package dev.strata.benchmarks.openb;

import dev.strata.platform.core.placement.packing.BestFitPolicy;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.FragmentationGradientPolicy;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.Packer;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import dev.strata.platform.core.placement.packing.RandomPolicy;
import dev.strata.platform.core.placement.packing.StrataPackingPolicy;
import dev.strata.platform.core.placement.packing.WorkloadProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Replays Alibaba's openb GPU-cluster trace with the protocol of the FGD paper (USENIX ATC'23) and
 * prints the GPU allocation ratio per policy at 100/110/120/130% arrived demand, next to the
 * published means, with decisions per second.
 *
 * <p>Protocol, as the paper's simulator (hkust-adsl/kubernetes-scheduler-simulator) runs it: the
 * cluster is openb_node_list_gpu_node.csv. Per seed ({@link #inflate}) a {@code java.util.Random(seed)}
 * shuffles the trace's pods, then draws pods uniformly with replacement ({@code nextInt(size)}) and
 * appends them until the next one would push the GPU request past 1.3 x the cluster's milli-GPU. Pods
 * arrive one at a time and never leave; a pod that fits nowhere is skipped. The allocation ratio
 * (allocated milli-GPU / cluster milli-GPU) is read the first time the arrived GPU request reaches 100,
 * 110 and 120% of the capacity, and at the end of the workload for 130%. The policies' own random
 * choices (the random policy, random ties) come from a second generator seeded apart
 * ({@link #tieSeed}). The simulator's scheduler breaks equal node scores by node name, and names each
 * node with a random 4-digit prefix first: equal scores go to the first node in a random order fixed
 * for the run. {@link #replay} does the same for a policy whose {@link PackingPolicy#tiesToFirstNode()}
 * is true: it orders the nodes by a permutation drawn from the tie seed.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.openb.OpenbReplay \
 *     [--nodes CSV] [--pods CSV[,CSV...]] [--seeds 42..51] [--policies random,bestfit,fgd,strata] [--threads 1] [--ceiling]
 * </pre>
 * {@code --ceiling} prints, instead of the table, each replay's allocation at the end of the workload
 * next to {@link OpenbCeiling}'s bound for an offline repacking of its pods ({@link #ceilings}).
 * Defaults: the fixtures in place under {@code ${strata.fixtures}/openb} (system property
 * {@code strata.fixtures}, else {@code ../shared/fixtures} relative to the working directory, the
 * project root) and all five pod lists there.
 */
public final class OpenbReplay {

    /** Arrived-demand levels at which the allocation ratio is read, as fractions of capacity. */
    public static final double[] LEVELS = {1.0, 1.1, 1.2, 1.3};
    /** Workload inflation: total GPU request up to this multiple of the capacity. */
    public static final double INFLATION = 1.3;
    /** Whether workloads are drawn whole (the former protocol) rather than built as the simulator builds them. */
    static final boolean DRAWN_WORKLOAD = Boolean.getBoolean("openb.drawnWorkload");
    /**
     * A robustness check, not the paper's protocol: the trace's pods with each share of one GPU
     * drawn anew ({@link #reshapeShares}); empty for the trace as it is.
     */
    static final String RESHAPE = System.getProperty("openb.reshapeShares", "");
    public static final String RNG = "java.util.Random(seed): the trace shuffled, then nextInt(pods) draws appended; ties and the random"
            + " policy from a second Random seeded apart; simulator ties: the first node in a random order drawn from that seed";

    /**
     * Published means (EXPECTED.md): per trace, {Random, BestFit, FGD} at 100% then at 130%.
     */
    static final Map<String, double[]> PUBLISHED = Map.of(
            "default", new double[] {86.30, 92.86, 95.23, 87.47, 93.08, 95.39},
            "cpu050", new double[] {89.02, 93.56, 95.00, 91.24, 93.79, 95.21},
            "gpushare40", new double[] {84.86, 91.44, 93.96, 86.00, 91.69, 94.15},
            "gpuspec10", new double[] {86.26, 93.10, 94.66, 87.43, 93.30, 94.95},
            "multigpu20", new double[] {86.92, 93.73, 95.53, 88.69, 93.93, 95.65});

    /** The outcome of one replay. */
    public record Result(String policy, long seed, double[] allocationPercent, int pods, int placed, int failed, long nanos, long evaluations) {
        public double decisionsPerSecond() {
            return pods / (nanos / 1e9);
        }
    }

    private OpenbReplay() {
    }

    /** The fixtures folder of the openb data: {@code ${strata.fixtures}/openb}. */
    public static Path fixtures() {
        return Path.of(System.getProperty("strata.fixtures", "../shared/fixtures")).resolve("openb");
    }

    /** Nodes from a node list (sn, cpu_milli, memory_mib, gpu, model); GPUs have no domain. */
    public static List<NodeCapacity> readNodes(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        Map<String, Integer> col = header(lines.get(0), csv, "sn", "cpu_milli", "memory_mib", "gpu", "model");
        List<NodeCapacity> nodes = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                int gpus = Integer.parseInt(f[col.get("gpu")].trim());
                String model = f[col.get("model")].trim();
                nodes.add(new NodeCapacity(f[col.get("sn")].trim(), gpus == 0 ? null : model,
                        Long.parseLong(f[col.get("cpu_milli")].trim()), Long.parseLong(f[col.get("memory_mib")].trim()), gpus));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return nodes;
    }

    /**
     * Demands from a pod list (name, cpu_milli, memory_mib, num_gpu, gpu_milli and, optionally,
     * gpu_spec: allowed models separated by '|', empty for any). GPU request: {@code num_gpu} whole
     * GPUs when {@code num_gpu > 1}, else {@code gpu_milli} of one GPU.
     */
    public static List<Demand> readPods(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        Map<String, Integer> col = header(lines.get(0), csv, "cpu_milli", "memory_mib", "num_gpu", "gpu_milli");
        Integer specCol = col.get("gpu_spec");
        List<Demand> pods = new ArrayList<>();
        Map<Demand, Demand> shared = new HashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                long cpu = Long.parseLong(f[col.get("cpu_milli")].trim());
                long mem = Long.parseLong(f[col.get("memory_mib")].trim());
                int num = Integer.parseInt(f[col.get("num_gpu")].trim());
                int milli = Integer.parseInt(f[col.get("gpu_milli")].trim());
                Set<String> models = new LinkedHashSet<>();
                if (specCol != null && specCol < f.length) {
                    for (String m : f[specCol].split("\\|")) {
                        if (!m.isBlank() && !m.trim().equalsIgnoreCase("nan")) {
                            models.add(m.trim());
                        }
                    }
                }
                Demand d = num == 0
                        ? Demand.cpuOnly(cpu, mem)
                        : new Demand(cpu, mem, num, num > 1 ? Demand.WHOLE_GPU : milli, models, false);
                pods.add(shared.computeIfAbsent(d, x -> x));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return pods;
    }

    /**
     * The pods with every share of one GPU (one GPU, less than 1000 milli-GPU) replaced by a size drawn
     * from {@code java.util.Random(7)} in the order of the list, everything else kept: {@code uniform}
     * 50 to 950 milli-GPU in steps of 10, {@code small} 10 to 300, {@code quarters} 250, 500 or 750.
     * It asks whether a policy's gain on openb holds for other share sizes; "" keeps the pods.
     *
     * @throws IllegalArgumentException for another mode
     */
    public static List<Demand> reshapeShares(List<Demand> pods, String mode) {
        if (mode.isEmpty()) {
            return pods;
        }
        java.util.function.IntSupplier size;
        java.util.Random random = new java.util.Random(7);
        switch (mode) {
            case "uniform" -> size = () -> 10 * (5 + random.nextInt(91));
            case "small" -> size = () -> 10 * (1 + random.nextInt(30));
            case "quarters" -> size = () -> 250 * (1 + random.nextInt(3));
            default -> throw new IllegalArgumentException("openb.reshapeShares is '" + mode + "'; expected uniform, small or quarters");
        }
        List<Demand> out = new ArrayList<>(pods.size());
        for (Demand d : pods) {
            out.add(d.gpuCount() == 1 && d.gpuMilli() < Demand.WHOLE_GPU && !d.partitioned()
                    ? new Demand(d.cpuMilli(), d.memoryMiB(), 1, size.getAsInt(), d.models(), false)
                    : d);
        }
        return out;
    }

    private static Map<String, Integer> header(String line, Path csv, String... required) {
        Map<String, Integer> col = new HashMap<>();
        String[] names = line.split(",", -1);
        for (int i = 0; i < names.length; i++) {
            col.put(names[i].trim(), i);
        }
        for (String r : required) {
            if (!col.containsKey(r)) {
                throw new IllegalArgumentException(csv + ": no column " + r + " in header " + line);
            }
        }
        return col;
    }

    /** Milli-GPU of all nodes. */
    public static long capacity(List<NodeCapacity> nodes) {
        long sum = 0;
        for (NodeCapacity n : nodes) {
            sum += n.gpuCount() * (long) Demand.WHOLE_GPU;
        }
        return sum;
    }

    /**
     * The workload of one seed drawn whole with replacement and shuffled: the protocol this replay
     * used before it followed the simulator ({@link #inflate}); kept for comparison
     * ({@code -Dopenb.drawnWorkload=true}).
     */
    public static List<Demand> inflateDrawn(List<Demand> pods, long capacityMilli, long seed) {
        Random random = new Random(seed);
        long limit = (long) Math.floor(INFLATION * capacityMilli);
        List<Demand> out = new ArrayList<>();
        long total = 0;
        while (true) {
            Demand d = pods.get(random.nextInt(pods.size()));
            if (total + d.gpuMilliTotal() > limit) {
                break;
            }
            total += d.gpuMilliTotal();
            out.add(d);
        }
        Collections.shuffle(out, random);
        return out;
    }

    /**
     * The inflated, shuffled workload of one seed as the paper's simulator builds it
     * ({@code TunePodsByNodeTotalResource}, tune ratio 1.3): every pod of the trace once, then pods
     * drawn uniformly with replacement and appended until the next one's GPU request per GPU would
     * push the total past 1.3 x the capacity (the simulator compares {@code MilliGpu}, the request of
     * one GPU, but adds the pod's whole request); a trace already above the target loses pods drawn
     * at random instead. The appended draws are not shuffled in among the trace's pods (the simulator
     * does not either). The simulator draws with Go's {@code math/rand}, so the workloads are the
     * simulator's in distribution, not pod for pod.
     */
    public static List<Demand> inflate(List<Demand> pods, long capacityMilli, long seed) {
        Random random = new Random(seed);
        double limit = INFLATION * capacityMilli;
        // SortClusterPods: the trace's pods in a random order
        List<Demand> out = new ArrayList<>(pods);
        Collections.shuffle(out, random);
        long total = 0;
        for (Demand d : pods) {
            total += d.gpuMilliTotal();
        }
        if (total > limit) {
            while (total > limit) {
                total -= out.remove(random.nextInt(out.size())).gpuMilliTotal();
            }
        } else {
            // tuneUpPods: draws appended after them, in the order drawn
            while (true) {
                Demand d = pods.get(random.nextInt(pods.size()));
                if (total + d.gpuMilli() > limit) {
                    break;
                }
                total += d.gpuMilliTotal();
                out.add(d);
            }
        }
        return out;
    }

    /** Replays a workload on fresh copies of the nodes. Single-threaded. */
    public static Result replay(List<NodeCapacity> nodes, List<Demand> workload, PackingPolicy policy, long seed) {
        return replay(nodes, workload, policy, seed, null);
    }

    /**
     * Replays a workload on fresh copies of the nodes, telling {@code outcome} (when not null) each pod
     * in arrival order and whether it was placed: what {@link OpenbCeiling} needs. Single-threaded.
     */
    public static Result replay(List<NodeCapacity> nodes, List<Demand> workload, PackingPolicy policy, long seed,
            java.util.function.BiConsumer<Demand, Boolean> outcome) {
        long capacity = capacity(nodes);
        if (policy.tiesToFirstNode()) {
            // the simulator names each node with a random 4-digit prefix and breaks ties by name
            nodes = new ArrayList<>(nodes);
            Collections.shuffle(nodes, new Random(tieSeed(seed) ^ 0x5DEECE66DL));
        }
        Packer packer = new Packer(nodes, policy);
        long[] thresholds = new long[LEVELS.length];
        for (int i = 0; i < LEVELS.length; i++) {
            thresholds[i] = Math.round(LEVELS[i] * capacity);
        }
        double[] ratio = new double[LEVELS.length];
        int level = 0;
        long arrived = 0;
        long allocated = 0;
        int placed = 0;
        long start = System.nanoTime();
        for (Demand d : workload) {
            arrived += d.gpuMilliTotal();
            boolean fits = packer.place(d).isPresent();
            if (fits) {
                allocated += d.gpuMilliTotal();
                placed++;
            }
            if (outcome != null) {
                outcome.accept(d, fits);
            }
            while (level < LEVELS.length && arrived >= thresholds[level]) {
                ratio[level++] = 100.0 * allocated / capacity;
            }
        }
        long nanos = System.nanoTime() - start;
        while (level < LEVELS.length) {
            ratio[level++] = 100.0 * allocated / capacity;
        }
        if (capacity - packer.gpuMilliFree() != allocated) {
            throw new IllegalStateException("ledger mismatch: packer holds " + (capacity - packer.gpuMilliFree()) + ", replay counted " + allocated);
        }
        return new Result(policy.name(), seed, ratio, workload.size(), placed, workload.size() - placed, nanos, packer.evaluations());
    }

    /**
     * A policy by name. As the paper's simulator runs them: {@code random} (a node drawn uniformly
     * among those that fit), {@code bestfit} and {@code fgd} (integer node scores, equal scores to the
     * first node in a random order fixed per seed, FGD's target workload the most popular request
     * shapes that cover 95 % of the trace's pods: {@link FragmentationGradientPolicy#asSimulated}).
     * Variants that show where the published FGD comes from: {@code fgd-allshapes} (every request
     * shape in the target workload), {@code fgd-randomties} (ties drawn uniformly at random),
     * {@code fgd-allshapes-randomties} (both: this replay's FGD before it was matched to the
     * simulator), {@code fgd-exact} (exact scores, all shapes, first-node ties);
     * {@code bestfit-randomties} and {@code bestfit-exact} likewise. {@code strata} and its ablations
     * ({@code strata-nostranded}, ...), and {@code strata:name=value;...} for other weights
     * ({@link StrataPackingPolicy.Options#parse}).
     */
    public static PackingPolicy policy(String name, List<NodeCapacity> nodes, List<Demand> pods, long seed) {
        long maxCpu = 0;
        long maxGpu = 0;
        for (NodeCapacity n : nodes) {
            maxCpu = Math.max(maxCpu, n.cpuTotalMilli());
            maxGpu = Math.max(maxGpu, n.gpuCount() * (long) Demand.WHOLE_GPU);
        }
        return switch (name) {
            case "random" -> new RandomPolicy(tieSeed(seed));
            case "bestfit" -> BestFitPolicy.asSimulated(maxCpu, maxGpu);
            case "bestfit-randomties" -> BestFitPolicy.asPublished(maxCpu, maxGpu, tieSeed(seed));
            case "bestfit-exact" -> new BestFitPolicy(maxCpu, maxGpu);
            case "fgd" -> FragmentationGradientPolicy.asSimulated(simulatorProfile(pods));
            case "fgd-allshapes" -> FragmentationGradientPolicy.asSimulated(WorkloadProfile.typical(pods));
            case "fgd-randomties" -> FragmentationGradientPolicy.asPublished(simulatorProfile(pods), tieSeed(seed));
            case "fgd-allshapes-randomties" -> FragmentationGradientPolicy.asPublished(WorkloadProfile.typical(pods), tieSeed(seed));
            case "fgd-exact" -> new FragmentationGradientPolicy(WorkloadProfile.typical(pods));
            case "strata" -> StrataPackingPolicy.forWorkload(nodes, pods);
            // ablations: Strata without one of its ideas, each a change to the frozen weights (Options.DEFAULTS)
            case "strata-cpuonly" -> strata(nodes, pods, StrataPackingPolicy.Options.parse("memory=false"));
            case "strata-nostranded" -> strata(nodes, pods, StrataPackingPolicy.Options.parse("stranded=0"));
            case "strata-nopressure" -> strata(nodes, pods, StrataPackingPolicy.Options.parse("pressure=0"));
            case "strata-nobestfit" -> strata(nodes, pods, StrataPackingPolicy.Options.parse("bestfit=0"));
            case "strata-fgdonly" -> strata(nodes, pods, StrataPackingPolicy.Options.parse("memory=false,stranded=0,pressure=0,bestfit=0,waste=0,ss=0"));
            case "strata-fgd+bestfit" -> strata(nodes, pods, StrataPackingPolicy.Options.parse("memory=false,stranded=0,pressure=0,waste=0,ss=0"));
            default -> {
                if (name.startsWith("strata:")) {
                    // strata:stranded=1,pressure=0.5,... (see StrataPackingPolicy.Options.parse)
                    yield strata(nodes, pods, StrataPackingPolicy.Options.parse(name.substring("strata:".length()).replace(';', ',')));
                }
                throw new IllegalArgumentException("unknown policy " + name + "; expected one of " + POLICIES + " or strata:name=value;...");
            }
        };
    }

    /**
     * The seed of a policy's random choices (ties, the random policy): derived from the replay's
     * seed but not equal to it, so that the choices do not replay the draws that built the workload
     * from a generator started with the same seed.
     */
    static long tieSeed(long seed) {
        return seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    }

    /**
     * FGD's target workload as the simulator configures it ({@code typicalPodsConfig}: CPU pods
     * involved, popularity threshold 95, increase step 1): the request shapes (CPU, milli-GPU, GPU
     * count, GPU model; memory left out) of the trace's pods, most frequent first, until they cover
     * 95 % of the pods, renormalised.
     */
    public static WorkloadProfile simulatorProfile(List<Demand> pods) {
        return WorkloadProfile.typical(pods, 0.95, WorkloadProfile.Weighting.PODS, false);
    }

    /** Every policy name {@link #policy} knows. */
    public static final List<String> POLICIES = List.of("random", "bestfit", "bestfit-randomties", "bestfit-exact", "fgd", "fgd-allshapes",
            "fgd-randomties", "fgd-allshapes-randomties", "fgd-exact", "strata", "strata-cpuonly",
            "strata-nostranded", "strata-nopressure", "strata-nobestfit", "strata-fgdonly", "strata-fgd+bestfit");

    private static PackingPolicy strata(List<NodeCapacity> nodes, List<Demand> pods, StrataPackingPolicy.Options options) {
        return new StrataPackingPolicy(nodes, WorkloadProfile.typical(pods, 1.0, WorkloadProfile.Weighting.PODS, true), options);
    }

    /** The trace's short name: {@code openb_pod_list_gpushare40.csv} gives {@code gpushare40}. */
    public static String traceName(Path podsCsv) {
        String f = podsCsv.getFileName().toString();
        return f.replaceFirst("^openb_pod_list_", "").replaceFirst("\\.csv$", "");
    }

    public static void main(String[] args) throws Exception {
        Path nodesCsv = fixtures().resolve("openb_node_list_gpu_node.csv");
        List<Path> podCsvs = new ArrayList<>();
        List<Long> seeds = seeds("42..51");
        List<String> policies = List.of("random", "bestfit", "fgd", "strata");
        int threads = 1;
        int warmup = 0;
        boolean loto = false;
        boolean ceiling = false;
        List<Long> selectionSeeds = seeds("52..54");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--nodes" -> nodesCsv = Path.of(require(a, v));
                case "--pods" -> {
                    for (String p : require(a, v).split(",")) {
                        podCsvs.add(Path.of(p));
                    }
                }
                case "--seeds" -> seeds = seeds(require(a, v));
                case "--policies" -> policies = List.of(require(a, v).split(","));
                case "--threads" -> threads = Integer.parseInt(require(a, v));
                case "--warmup" -> warmup = Integer.parseInt(require(a, v));
                case "--loto" -> {
                    loto = true;
                    i--;
                }
                case "--selection-seeds" -> selectionSeeds = seeds(require(a, v));
                case "--ceiling" -> {
                    ceiling = true;
                    i--;
                }
                case "-h", "--help" -> {
                    System.out.println("OpenbReplay [--nodes CSV] [--pods CSV[,CSV...]] [--seeds 42..51|42,43] "
                            + "[--policies random,bestfit,fgd,strata] [--threads N] [--warmup ROUNDS]\n"
                            + "OpenbReplay --loto [--selection-seeds 52..54] [--seeds 42..51] [--threads N]: leave-one-trace-out evaluation of Strata's weights\n"
                            + "OpenbReplay --ceiling [--pods CSV[,CSV...]] [--seeds 42..51] [--policies random,bestfit,fgd,strata] [--threads N]: each replay's allocation at the end "
                            + "of the workload (130% arrived) and the ceiling of an offline repacking of its pods (OpenbCeiling)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
            i++;
        }
        if (podCsvs.isEmpty()) {
            for (String t : List.of("default", "cpu050", "gpushare40", "gpuspec10", "multigpu20")) {
                podCsvs.add(fixtures().resolve("openb_pod_list_" + t + ".csv"));
            }
        }
        if (loto) {
            leaveOneTraceOut(nodesCsv, podCsvs, selectionSeeds, seeds, threads, System.out);
            return;
        }
        if (ceiling) {
            ceilings(nodesCsv, podCsvs, seeds, policies, threads, System.out);
            return;
        }
        run(nodesCsv, podCsvs, seeds, policies, threads, warmup, System.out);
    }

    /**
     * Replays every trace x policy x seed and prints, per replay, the allocation at the end of the
     * workload (130 % arrived) next to {@link OpenbCeiling}'s bound on what an offline repacking of the
     * pods that replay placed, with any of those it refused, could allocate; then per policy the
     * medians over the seeds. Returns the ceilings per trace and policy, in seed order.
     */
    public static Map<String, Map<String, List<OpenbCeiling.Ceiling>>> ceilings(Path nodesCsv, List<Path> podCsvs, List<Long> seeds,
            List<String> policies, int threads, PrintStream out) throws IOException, InterruptedException, ExecutionException {
        List<NodeCapacity> nodes = readNodes(nodesCsv);
        long capacity = capacity(nodes);
        long gpus = capacity / Demand.WHOLE_GPU;
        out.printf(Locale.ROOT, "openb ceiling: %s, %d nodes, %d GPUs; seeds %s; %d thread(s)%n", nodesCsv.getFileName(), nodes.size(), gpus, seeds,
                threads);
        out.println("RNG: " + RNG);
        out.println("ceiling: an upper bound on the GPU allocation of an offline repacking of the placed pods plus any refused ones"
                + " (nodes, models, CPU and memory ignored; OpenbCeiling)");
        Map<String, Map<String, List<OpenbCeiling.Ceiling>>> all = new java.util.LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Path csv : podCsvs) {
                List<Demand> pods = reshapeShares(readPods(csv), RESHAPE);
                String trace = traceName(csv) + (RESHAPE.isEmpty() ? "" : ", shares reshaped " + RESHAPE);
                Map<String, List<Future<OpenbCeiling.Ceiling>>> futures = new java.util.LinkedHashMap<>();
                for (String p : policies) {
                    List<Future<OpenbCeiling.Ceiling>> fs = new ArrayList<>();
                    for (long seed : seeds) {
                        fs.add(pool.submit(() -> {
                            List<Demand> w = DRAWN_WORKLOAD ? inflateDrawn(pods, capacity, seed) : inflate(pods, capacity, seed);
                            List<Demand> placed = new ArrayList<>();
                            List<Demand> refused = new ArrayList<>();
                            replay(nodes, w, policy(p, nodes, pods, seed), seed, (d, fits) -> (fits ? placed : refused).add(d));
                            return OpenbCeiling.of(gpus, placed, refused);
                        }));
                    }
                    futures.put(p, fs);
                }
                out.printf(Locale.ROOT, "%n== %s: GPU allocation %% at the end of the workload (130%% arrived) and its ceiling, per seed%n", trace);
                out.printf(Locale.ROOT, "%-25s %-6s %-10s %-10s %-8s %s%n", "policy", "seed", "allocation", "ceiling", "gap", "refused milli-GPU");
                Map<String, List<OpenbCeiling.Ceiling>> results = new java.util.LinkedHashMap<>();
                for (Map.Entry<String, List<Future<OpenbCeiling.Ceiling>>> e : futures.entrySet()) {
                    List<OpenbCeiling.Ceiling> cs = new ArrayList<>();
                    for (int k = 0; k < seeds.size(); k++) {
                        OpenbCeiling.Ceiling c = e.getValue().get(k).get();
                        cs.add(c);
                        out.printf(Locale.ROOT, "%-25s %-6d %-10.2f %-10.2f %-8.2f %d%n", e.getKey(), seeds.get(k), c.allocationPercent(), c.boundPercent(),
                                c.boundPercent() - c.allocationPercent(), c.refusedMilli());
                    }
                    results.put(e.getKey(), cs);
                }
                out.printf(Locale.ROOT, "%-25s %-10s %-10s %s%n", "policy", "allocation", "ceiling", "(median over seeds; mean allocation / ceiling; ceiling min..max)");
                for (Map.Entry<String, List<OpenbCeiling.Ceiling>> e : results.entrySet()) {
                    double[] a = e.getValue().stream().mapToDouble(OpenbCeiling.Ceiling::allocationPercent).toArray();
                    double[] b = e.getValue().stream().mapToDouble(OpenbCeiling.Ceiling::boundPercent).toArray();
                    double[] sorted = b.clone();
                    Arrays.sort(sorted);
                    out.printf(Locale.ROOT, "%-25s %-10.2f %-10.2f (%.2f / %.2f; %.2f..%.2f)%n", e.getKey(), median(a), median(b), mean(a), mean(b), sorted[0],
                            sorted[sorted.length - 1]);
                }
                all.put(trace, results);
            }
        } finally {
            pool.shutdownNow();
        }
        return all;
    }

    /**
     * The candidate weights of the leave-one-trace-out evaluation: stranded x pressure x best fit x
     * eventual waste x Sum-of-Squares (off, or the default weight with its smallest gap), memory-aware
     * (see {@link StrataPackingPolicy.Options}).
     */
    static List<String> weightGrid() {
        List<String> grid = new ArrayList<>();
        for (String stranded : List.of("0.5", "1", "2")) {
            for (String pressure : List.of("0", "0.25", "0.5", "1")) {
                for (String bestfit : List.of("0", "0.001", "0.01")) {
                    for (String waste : List.of("0", "0.25")) {
                        for (String squares : List.of("0", "1000")) {
                            grid.add("stranded=" + stranded + ",pressure=" + pressure + ",bestfit=" + bestfit + ",waste=" + waste + ",ss=" + squares);
                        }
                    }
                }
            }
        }
        return grid;
    }

    /**
     * Leave-one-trace-out: for each trace, Strata's weights are chosen from {@link #weightGrid} by the
     * mean allocation ratio (the four levels averaged) over the <em>other</em> traces, replayed with
     * {@code selectionSeeds}; the chosen weights are then scored on the held-out trace with
     * {@code seeds} (disjoint from the selection seeds), next to the frozen defaults and the published
     * FGD. Prints one line per fold and the weights chosen on all traces together.
     */
    static void leaveOneTraceOut(Path nodesCsv, List<Path> podCsvs, List<Long> selectionSeeds, List<Long> seeds, int threads, PrintStream out)
            throws IOException, InterruptedException, ExecutionException {
        List<NodeCapacity> nodes = readNodes(nodesCsv);
        long capacity = capacity(nodes);
        List<String> grid = weightGrid();
        out.printf(Locale.ROOT, "leave-one-trace-out: %d weight sets, selection seeds %s, evaluation seeds %s, %d thread(s)%n", grid.size(), selectionSeeds,
                seeds, threads);
        Map<String, List<Demand>> traces = new java.util.LinkedHashMap<>();
        for (Path csv : podCsvs) {
            traces.put(traceName(csv), readPods(csv));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // score[trace][weights]: mean over selection seeds and levels
            Map<String, double[]> score = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, List<Demand>> t : traces.entrySet()) {
                List<Demand> pods = t.getValue();
                List<List<Demand>> workloads = new ArrayList<>();
                for (long seed : selectionSeeds) {
                    workloads.add(inflate(pods, capacity, seed));
                }
                List<Future<Double>> fs = new ArrayList<>();
                for (String w : grid) {
                    StrataPackingPolicy.Options options = StrataPackingPolicy.Options.parse(w);
                    fs.add(pool.submit(() -> {
                        double sum = 0;
                        for (int k = 0; k < workloads.size(); k++) {
                            Result r = replay(nodes, workloads.get(k), strata(nodes, pods, options), selectionSeeds.get(k));
                            sum += mean(r.allocationPercent());
                        }
                        return sum / workloads.size();
                    }));
                }
                double[] v = new double[grid.size()];
                for (int g = 0; g < v.length; g++) {
                    v[g] = fs.get(g).get();
                }
                score.put(t.getKey(), v);
                out.printf(Locale.ROOT, "  selection replays of %s done%n", t.getKey());
            }
            out.printf(Locale.ROOT, "%-11s %-52s %-15s %-15s %-15s%n", "held out", "weights chosen on the other traces", "held-out 100/130",
                    "defaults 100/130", "published FGD");
            for (String heldOut : traces.keySet()) {
                int best = bestWeights(score, grid.size(), heldOut);
                List<Demand> pods = traces.get(heldOut);
                double[] chosen = evaluate(nodes, pods, capacity, seeds, StrataPackingPolicy.Options.parse(grid.get(best)), pool);
                double[] defaults = evaluate(nodes, pods, capacity, seeds, StrataPackingPolicy.Options.DEFAULTS, pool);
                double[] pub = PUBLISHED.get(heldOut);
                out.printf(Locale.ROOT, "%-11s %-52s %.2f / %.2f   %.2f / %.2f   %s%n", heldOut, grid.get(best), chosen[0], chosen[1], defaults[0],
                        defaults[1], pub == null ? "-" : String.format(Locale.ROOT, "%.2f / %.2f", pub[2], pub[5]));
            }
            int all = bestWeights(score, grid.size(), null);
            out.printf(Locale.ROOT, "chosen on all traces: %s (selection score %.3f; the defaults' %s)%n", grid.get(all), meanOver(score, all, null),
                    String.format(Locale.ROOT, "%.3f", meanOver(score, grid.indexOf(defaultsSpec()), null)));
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@link StrataPackingPolicy.Options#DEFAULTS} as a grid entry. */
    static String defaultsSpec() {
        StrataPackingPolicy.Options d = StrataPackingPolicy.Options.DEFAULTS;
        return "stranded=" + trim(d.strandedWeight()) + ",pressure=" + trim(d.pressureWeight()) + ",bestfit=" + trim(d.bestFitWeight()) + ",waste="
                + trim(d.wasteWeight()) + ",ss=" + trim(d.squaresWeight());
    }

    private static String trim(double v) {
        String s = java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return s;
    }

    private static int bestWeights(Map<String, double[]> score, int n, String heldOut) {
        int best = 0;
        for (int g = 1; g < n; g++) {
            if (meanOver(score, g, heldOut) > meanOver(score, best, heldOut)) {
                best = g;
            }
        }
        return best;
    }

    private static double meanOver(Map<String, double[]> score, int g, String heldOut) {
        if (g < 0) {
            return Double.NaN;
        }
        double sum = 0;
        int n = 0;
        for (Map.Entry<String, double[]> e : score.entrySet()) {
            if (!e.getKey().equals(heldOut)) {
                sum += e.getValue()[g];
                n++;
            }
        }
        return sum / n;
    }

    /** Mean allocation at 100 % and at 130 % over the seeds. */
    private static double[] evaluate(List<NodeCapacity> nodes, List<Demand> pods, long capacity, List<Long> seeds, StrataPackingPolicy.Options options,
            ExecutorService pool) throws InterruptedException, ExecutionException {
        List<Future<Result>> fs = new ArrayList<>();
        for (long seed : seeds) {
            fs.add(pool.submit(() -> replay(nodes, inflate(pods, capacity, seed), strata(nodes, pods, options), seed)));
        }
        double a = 0;
        double b = 0;
        for (Future<Result> f : fs) {
            Result r = f.get();
            a += r.allocationPercent()[0];
            b += r.allocationPercent()[LEVELS.length - 1];
        }
        return new double[] {a / fs.size(), b / fs.size()};
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    static List<Long> seeds(String spec) {
        List<Long> out = new ArrayList<>();
        if (spec.contains("..")) {
            String[] r = spec.split("\\.\\.");
            for (long s = Long.parseLong(r[0]); s <= Long.parseLong(r[1]); s++) {
                out.add(s);
            }
        } else {
            for (String s : spec.split(",")) {
                out.add(Long.parseLong(s.trim()));
            }
        }
        return out;
    }

    /**
     * Runs every trace x policy x seed and prints one table per trace.
     *
     * @param threads replays run concurrently, each on one thread
     * @param warmup rounds of the same replays run first and discarded, so that decisions/s are
     *     measured with compiled code (the allocation ratios do not depend on it)
     */
    public static Map<String, Map<String, List<Result>>> run(Path nodesCsv, List<Path> podCsvs, List<Long> seeds, List<String> policies, int threads,
            int warmup, PrintStream out) throws IOException, InterruptedException, ExecutionException {
        List<NodeCapacity> nodes = readNodes(nodesCsv);
        long capacity = capacity(nodes);
        out.printf(Locale.ROOT, "openb replay: %s, %d nodes, %d GPUs; seeds %s; %d thread(s), %d warm-up round(s); JVM %s, %d CPUs%n",
                nodesCsv.getFileName(), nodes.size(), capacity / Demand.WHOLE_GPU, seeds, threads, warmup, System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors());
        out.println("RNG: " + RNG);
        Map<String, Map<String, List<Result>>> all = new java.util.LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Path csv : podCsvs) {
                List<Demand> pods = reshapeShares(readPods(csv), RESHAPE);
                String trace = traceName(csv) + (RESHAPE.isEmpty() ? "" : ", shares reshaped " + RESHAPE);
                Map<Long, List<Demand>> workloads = new HashMap<>();
                for (long seed : seeds) {
                    workloads.put(seed, DRAWN_WORKLOAD ? inflateDrawn(pods, capacity, seed) : inflate(pods, capacity, seed));
                }
                for (int round = 0; round < warmup; round++) {
                    List<Future<Result>> discarded = new ArrayList<>();
                    for (String p : policies) {
                        for (long seed : seeds) {
                            List<Demand> w = workloads.get(seed);
                            discarded.add(pool.submit(() -> replay(nodes, w, policy(p, nodes, pods, seed), seed)));
                        }
                    }
                    for (Future<Result> f : discarded) {
                        f.get();
                    }
                }
                Map<String, List<Future<Result>>> futures = new java.util.LinkedHashMap<>();
                long wallStart = System.nanoTime();
                for (String p : policies) {
                    List<Future<Result>> fs = new ArrayList<>();
                    for (long seed : seeds) {
                        List<Demand> w = workloads.get(seed);
                        fs.add(pool.submit(() -> replay(nodes, w, policy(p, nodes, pods, seed), seed)));
                    }
                    futures.put(p, fs);
                }
                Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
                for (Map.Entry<String, List<Future<Result>>> e : futures.entrySet()) {
                    List<Result> rs = new ArrayList<>();
                    for (Future<Result> f : e.getValue()) {
                        rs.add(f.get());
                    }
                    results.put(e.getKey(), rs);
                }
                long wall = System.nanoTime() - wallStart;
                all.put(trace, results);
                print(out, trace, pods.size(), workloads, results, wall, threads);
            }
        } finally {
            pool.shutdownNow();
        }
        return all;
    }

    private static void print(PrintStream out, String trace, int listed, Map<Long, List<Demand>> workloads, Map<String, List<Result>> results, long wallNanos,
            int threads) {
        double meanPods = workloads.values().stream().mapToInt(List::size).average().orElse(0);
        out.printf(Locale.ROOT, "%n== %s: %d pods listed, %.0f pods per seed on average; GPU allocation ratio %%, mean (std) over %d seeds%n", trace,
                listed, meanPods, workloads.size());
        out.printf(Locale.ROOT, "%-25s %-14s %-14s %-14s %-14s| %-8s %-8s | %-9s %-12s %s%n", "policy", "100%", "110%", "120%", "130%", "pub100",
                "pub130", "failed", "decisions/s", "(median, min..max per replay)");
        double[] pub = PUBLISHED.get(trace);
        long totalPods = 0;
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            List<Result> rs = e.getValue();
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-25s ", e.getKey()));
            for (int l = 0; l < LEVELS.length; l++) {
                double[] v = new double[rs.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rs.get(i).allocationPercent()[l];
                }
                row.append(String.format(Locale.ROOT, "%-14s ", String.format(Locale.ROOT, "%.2f (%.2f)", mean(v), std(v))));
            }
            int col = switch (e.getKey()) {
                case "random" -> 0;
                case "bestfit" -> 1;
                case "fgd" -> 2;
                default -> -1;
            };
            row.append(String.format(Locale.ROOT, "| %-8s %-8s | ", pub != null && col >= 0 ? String.format(Locale.ROOT, "%.2f", pub[col]) : "-",
                    pub != null && col >= 0 ? String.format(Locale.ROOT, "%.2f", pub[col + 3]) : "-"));
            double[] rate = new double[rs.size()];
            double failed = 0;
            for (int i = 0; i < rs.size(); i++) {
                rate[i] = rs.get(i).decisionsPerSecond();
                failed += rs.get(i).failed();
                totalPods += rs.get(i).pods();
            }
            double[] sorted = rate.clone();
            Arrays.sort(sorted);
            row.append(String.format(Locale.ROOT, "%-9.0f %-12.0f (%.0f..%.0f)", failed / rs.size(), median(rate), sorted[0], sorted[sorted.length - 1]));
            out.println(row);
        }
        if (pub != null) {
            out.printf(Locale.ROOT, "published FGD %.2f / %.2f, BestFit %.2f / %.2f, Random %.2f / %.2f (100%% / 130%%)%n", pub[2], pub[5], pub[1], pub[4],
                    pub[0], pub[3]);
        }
        out.printf(Locale.ROOT, "all replays of this trace: %d decisions in %.1f s wall on %d thread(s): %.0f decisions/s together%n", totalPods,
                wallNanos / 1e9, threads, totalPods / (wallNanos / 1e9));
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n - 1). */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
