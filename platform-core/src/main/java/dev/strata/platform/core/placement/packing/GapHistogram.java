package dev.strata.platform.core.placement.packing;

/**
 * How many GPUs of the cluster have each amount of free milli-GPU (0 to 1000), failed GPUs left
 * out: the gaps that demands of each size can still fill. The {@link Packer} keeps it exact through
 * every commit, release and restore, and hands it to a policy that {@link PackingPolicy#weighsGaps()
 * weighs the cluster's gaps}. Read-only outside the packer; not thread-safe (the packer's thread).
 */
public final class GapHistogram {

    private final long[] count = new long[Demand.WHOLE_GPU + 1];

    GapHistogram() {
    }

    /** GPUs (not failed) with exactly {@code gap} milli-GPU free. */
    public long count(int gap) {
        return count[gap];
    }

    /** Adds ({@code sign = 1}) or removes ({@code sign = -1}) the GPUs of a node in this state. */
    void add(NodeCapacity node, int sign) {
        int[] free = node.gpuFreeArray();
        for (int g = 0; g < free.length; g++) {
            if (node.gpuHealth(g) != NodeCapacity.FAILED) {
                count[free[g]] += sign;
            }
        }
    }

    /** A histogram of these nodes, recomputed from scratch. */
    static GapHistogram of(Iterable<NodeCapacity> nodes) {
        GapHistogram h = new GapHistogram();
        for (NodeCapacity n : nodes) {
            h.add(n, 1);
        }
        return h;
    }
}
