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
 * <p>{@link #asPublished} reproduces the paper's simulator where it differs from the definition:
 * the score is quantised to the Kubernetes scheduler's integer node score,
 * {@code floor(100 * sigmoid((F before - F after) / 1000))}, and equal scores are broken uniformly
 * at random (as the scheduler does); the first GPU with the best quantised score is taken. CPU and
 * memory feasibility are checked, memory is not part of fragmentation (as in the paper).
 *
 * <p>Not thread-safe (scratch buffers, and the tie-breaking random of {@link #asPublished}).
 */
public final class FragmentationGradientPolicy implements PackingPolicy {

    private final GpuFragmentation fragmentation;
    private final boolean quantised;

    private final Random ties;
    private final Scratch scratch = new Scratch();

    /** FGD as defined: exact fragmentation increase, ties to the first node. */
    public FragmentationGradientPolicy(WorkloadProfile profile) {
        this(profile, false, null);
    }

    private FragmentationGradientPolicy(WorkloadProfile profile, boolean quantised, Random ties) {
        this.fragmentation = new GpuFragmentation(profile, false);
        this.quantised = quantised;
        this.ties = ties;
    }

    /** FGD as the paper's simulator scores it: quantised scores, seeded random ties. */
    public static FragmentationGradientPolicy asPublished(WorkloadProfile profile, long seed) {
        return new FragmentationGradientPolicy(profile, true, new Random(seed));
    }

    @Override
    public String name() {
        return quantised ? "fgd" : "fgd-exact";
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
