package dev.strata.platform.core.placement.packing;

import java.util.List;
import java.util.Random;

/**
 * FGD, Fragmentation Gradient Descent (Weng et al., "Beware of Fragmentation: Scheduling
 * GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC 2023): place the demand
 * where it increases the fragmentation of the cluster the least, fragmentation being the expected
 * milli-GPU the target workload's typical demands could not use ({@link GpuFragmentation}). Since
 * only the chosen node changes, the cluster's increase is that node's:
 * {@code score = F(node after) - F(node before)}, in milli-GPU, lower is better. Within a node the
 * GPU (for a fraction) or GPUs (per {@link GpuChoices}) are chosen the same way.
 *
 * <p>{@link #asSimulated} reproduces the paper's simulator (hkust-adsl/kubernetes-scheduler-simulator,
 * {@code FGDScore}) where it differs from the definition: the score is quantised to the Kubernetes
 * scheduler's integer node score, {@code floor(100 * sigmoid((F before - F after) / 1000))}, the
 * first GPU with the best quantised score is taken, and equal node scores go to the node first in
 * the scheduler's order ({@link #tiesToFirstNode()}: the simulator picks the lexicographically
 * smallest node name, names carrying a random prefix). The target workload is the caller's (the
 * simulator's is its 95 % most popular request shapes). {@link #asPublished} draws equal scores
 * uniformly at random instead. CPU and memory feasibility are checked, memory is not part of
 * fragmentation (as in the paper).
 *
 * <p>Not thread-safe (scratch buffers, and the tie-breaking random of {@link #asPublished}).
 */
public final class FragmentationGradientPolicy implements PackingPolicy {

    private final GpuFragmentation fragmentation;
    private final boolean quantised;

    private final Random ties;
    private final boolean firstNode;
    private final Scratch scratch = new Scratch();

    /** FGD as defined: exact fragmentation increase, ties to the first node. */
    public FragmentationGradientPolicy(WorkloadProfile profile) {
        this(profile, false, null, false);
    }

    private FragmentationGradientPolicy(WorkloadProfile profile, boolean quantised, Random ties, boolean firstNode) {
        this.fragmentation = new GpuFragmentation(profile, false);
        this.quantised = quantised;
        this.ties = ties;
        this.firstNode = firstNode;
    }

    /** FGD with the simulator's quantised scores but equal scores drawn uniformly at random (seeded). */
    public static FragmentationGradientPolicy asPublished(WorkloadProfile profile, long seed) {
        return new FragmentationGradientPolicy(profile, true, new Random(seed), false);
    }

    /** FGD as the paper's simulator runs it: quantised scores, equal scores to the first node in the packer's order. */
    public static FragmentationGradientPolicy asSimulated(WorkloadProfile profile) {
        return new FragmentationGradientPolicy(profile, true, null, true);
    }

    @Override
    public boolean tiesToFirstNode() {
        return firstNode;
    }

    @Override
    public String name() {
        return firstNode ? "fgd" : quantised ? "fgd-randomties" : "fgd-exact";
    }

    @Override
    public Fit fit(NodeCapacity node, Demand demand) {
        List<int[]> candidates = GpuChoices.onHost(node, demand);
        if (candidates.isEmpty()) {
            return null;
        }
        int[] free = node.gpuFreeArray();
        int[] buf = scratch.of(free.length);
        System.arraycopy(free, 0, buf, 0, free.length);
        GpuFragmentation.sortDesc(buf);
        String model = node.model();
        double before = fragmentation.of(model, node.cpuFreeMilli(), node.memoryFreeMiB(), buf);
        long cpuAfter = node.cpuFreeMilli() - demand.cpuMilli();
        long memAfter = node.memoryFreeMiB() - demand.memoryMiB();
        double best = Double.POSITIVE_INFINITY;
        int[] choice = null;
        for (int[] gpus : candidates) {
            System.arraycopy(free, 0, buf, 0, free.length);
            for (int g : gpus) {
                buf[g] -= demand.gpuMilli();
            }
            GpuFragmentation.sortDesc(buf);
            double increase = fragmentation.of(model, cpuAfter, memAfter, buf) - before;
            double score = quantised ? -Math.floor(100 / (1 + Math.exp(increase / 1000))) : increase;
            if (score < best) {
                best = score;
                choice = gpus;
            }
        }
        return new Fit(node.id(), choice, best);
    }

    @Override
    public int breakTie(int tied) {
        return ties == null ? 0 : ties.nextInt(tied);
    }

    /** Reusable int buffers per GPU count. */
    static final class Scratch {
        private int[][] bySize = new int[17][];

        int[] of(int n) {
            if (n >= bySize.length) {
                bySize = java.util.Arrays.copyOf(bySize, n + 1);
            }
            int[] b = bySize[n];
            if (b == null) {
                b = bySize[n] = new int[n];
            }
            return b;
        }
    }
}
