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
