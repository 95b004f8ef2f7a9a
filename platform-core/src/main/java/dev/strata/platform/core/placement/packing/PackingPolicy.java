package dev.strata.platform.core.placement.packing;

/**
 * Scores the ways a demand can be placed on a node; the {@link Packer} picks the lowest score over
 * all nodes.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@link #fit} returns the best way to place the demand on that node (which GPUs), or null if
 *       it does not fit (CPU, memory, GPU model, milli-GPU, interconnect domain). It must not change
 *       the node.
 *   <li>It bounds its own work: it never enumerates every combination of GPUs. A fraction of one GPU
 *       is tried on one GPU per distinct (domain, free milli-GPU) value; whole GPUs are taken per
 *       interconnect domain ({@link GpuChoices}).
 *   <li>When {@link #cacheable()} is true, the result depends only on the node's state (model, free
 *       CPU, memory and the multiset of (domain, free milli-GPU) of its GPUs) and the demand, so the
 *       packer evaluates once per class of identical nodes and remembers the answer while that state
 *       exists.
 * </ul>
 * Threading: a policy is used by the thread that owns its packer; implementations here are not
 * thread-safe unless they say so (a seeded random policy is not).
 */
public interface PackingPolicy {

    /** A short name for reports (e.g. {@code fgd}). */
    String name();

    /**
     * The best placement of the demand on this node, or null when it does not fit.
     *
     * @param node the node, not modified
     * @return a fit whose {@link Fit#gpus()} are valid indexes on {@code node}, or null
     */
    Fit fit(NodeCapacity node, Demand demand);

    /**
     * Whether {@link #fit} is a pure function of the node's state and the demand (see the class
     * comment). Default true.
     */
    default boolean cacheable() {
        return true;
    }

    /**
     * Whether the policy's choice also weighs the free gaps of every GPU in the cluster
     * ({@link GapHistogram}), not only the node's state. Such a policy stays cacheable: what depends
     * on the node alone is scored by {@link #candidates} and remembered per (class, demand) like a
     * fit, and {@link #choose} adds the cluster's part at each decision, over those few candidates.
     * Default false: {@link #fit} is the whole answer.
     */
    default boolean weighsGaps() {
        return false;
    }

    /**
     * For a policy that {@link #weighsGaps()}: every way to place the demand on the node that it
     * would choose among, each with the part of its score that depends on the node and the demand
     * alone, in the order {@link #choose} prefers them on equal scores; null or empty when the
     * demand does not fit. The same contract as {@link #fit} otherwise (bounded, node unchanged).
     */
    default Fit[] candidates(NodeCapacity node, Demand demand) {
        Fit f = fit(node, demand);
        return f == null ? null : new Fit[] {f};
    }

    /**
     * For a policy that {@link #weighsGaps()}: picks one of the {@code candidates} it gave for a node
     * in this state, with the cluster's gaps as they are now, writes that choice's score (lower is
     * better, compared across nodes) to {@code score[0]} and returns its index. It must not keep or
     * change {@code gaps}. The default takes the lowest candidate score, the first on equal scores.
     */
    default int choose(NodeCapacity node, Demand demand, Fit[] candidates, GapHistogram gaps, double[] score) {
        int best = 0;
        for (int i = 1; i < candidates.length; i++) {
            if (candidates[i].score() < candidates[best].score()) {
                best = i;
            }
        }
        score[0] = candidates[best].score();
        return best;
    }

    /**
     * Picks one of {@code tied} nodes whose scores are equal: returns an index in {@code [0, tied)}.
     * The default takes the first; a randomised policy draws.
     */
    default int breakTie(int tied) {
        return 0;
    }

    /**
     * Whether equal scores go to the node given first (lowest index) instead of {@link #breakTie}.
     * Default false.
     */
    default boolean tiesToFirstNode() {
        return false;
    }

    /** Called after the packer committed a placement on {@code node} (already changed). */
    default void allocated(NodeCapacity node, Demand demand, int[] gpus) {
    }

    /** Called after the packer released a placement from {@code node} (already changed). */
    default void released(NodeCapacity node, Demand demand, int[] gpus) {
    }
}
