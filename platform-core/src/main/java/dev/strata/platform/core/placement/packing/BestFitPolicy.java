package dev.strata.platform.core.placement.packing;

import java.util.List;
import java.util.Random;

/**
 * BestFit as the FGD paper's baseline: the node left with the least capacity after the placement,
 * capacity being {@code 0.5 * freeCpu / maxCpu + 0.5 * freeGpu / maxGpu} (milli units, normalised by
 * the largest node of the cluster). Within the node: the GPU with the least free milli-GPU that still
 * holds a fraction; for whole GPUs the domain with the fewest free GPUs that holds them all.
 *
 * <p>{@link #asSimulated} quantises the score to the Kubernetes scheduler's integer node score
 * ({@code floor(100 * (1 - capacity))}) and gives equal scores to the first node in the packer's
 * order, as the paper's simulator does (its scheduler takes the smallest node name);
 * {@link #asPublished} draws equal scores at random (seeded).
 * Not thread-safe.
 */
public final class BestFitPolicy implements PackingPolicy {

    private final double maxCpuMilli;
    private final double maxGpuMilli;
    private final boolean quantised;
    private final Random ties;
    private final boolean firstNode;

    /**
     * @param maxCpuMilli the largest node's CPU in milli-CPU
     * @param maxGpuMilli the largest node's GPUs in milli-GPU
     */
    public BestFitPolicy(long maxCpuMilli, long maxGpuMilli) {
        this(maxCpuMilli, maxGpuMilli, false, null, false);
    }

    private BestFitPolicy(long maxCpuMilli, long maxGpuMilli, boolean quantised, Random ties, boolean firstNode) {
        if (maxCpuMilli <= 0 || maxGpuMilli <= 0) {
            throw new IllegalArgumentException("maxCpuMilli " + maxCpuMilli + ", maxGpuMilli " + maxGpuMilli + "; expected > 0");
        }
        this.maxCpuMilli = maxCpuMilli;
        this.maxGpuMilli = maxGpuMilli;
        this.quantised = quantised;
        this.ties = ties;
        this.firstNode = firstNode;
    }

    /** BestFit with quantised scores and equal scores drawn uniformly at random (seeded). */
    public static BestFitPolicy asPublished(long maxCpuMilli, long maxGpuMilli, long seed) {
        return new BestFitPolicy(maxCpuMilli, maxGpuMilli, true, new Random(seed), false);
    }

    /** BestFit as the paper's simulator runs it: quantised scores, equal scores to the first node in the packer's order. */
    public static BestFitPolicy asSimulated(long maxCpuMilli, long maxGpuMilli) {
        return new BestFitPolicy(maxCpuMilli, maxGpuMilli, true, null, true);
    }

    @Override
    public boolean tiesToFirstNode() {
        return firstNode;
    }

    @Override
    public String name() {
        return firstNode ? "bestfit" : quantised ? "bestfit-randomties" : "bestfit-exact";
    }

    @Override
    public Fit fit(NodeCapacity node, Demand demand) {
        List<int[]> candidates = GpuChoices.onHost(node, demand);
        if (candidates.isEmpty()) {
            return null;
        }
        int[] choice = tightest(node, candidates);
        double left = 0.5 * (node.cpuFreeMilli() - demand.cpuMilli()) / maxCpuMilli
                + 0.5 * (node.gpuFreeMilliTotal() - demand.gpuMilliTotal()) / maxGpuMilli;
        double score = quantised ? -Math.floor((1 - left) * 100) : left;
        return new Fit(node.id(), choice, score);
    }

    /** The candidate whose GPUs have the least free milli-GPU in their domain (first on equality). */
    static int[] tightest(NodeCapacity node, List<int[]> candidates) {
        int[] best = candidates.get(0);
        if (candidates.size() == 1) {
            return best;
        }
        long bestKey = Long.MAX_VALUE;
        for (int[] c : candidates) {
            long key = c.length == 1 ? node.gpuFreeMilli(c[0]) : domainFree(node, c[0]);
            if (key < bestKey) {
                bestKey = key;
                best = c;
            }
        }
        return best;
    }

    private static long domainFree(NodeCapacity node, int gpu) {
        int d = node.gpuDomain(gpu);
        long sum = 0;
        for (int i = 0; i < node.gpuCount(); i++) {
            if (node.gpuDomain(i) == d) {
                sum += node.gpuFreeMilli(i);
            }
        }
        return sum;
    }

    @Override
    public int breakTie(int tied) {
        return ties == null ? 0 : ties.nextInt(tied);
    }
}
