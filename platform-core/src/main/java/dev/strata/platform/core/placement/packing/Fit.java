package dev.strata.platform.core.placement.packing;

import java.util.Arrays;
import java.util.Objects;

/**
 * One way to place a demand: the node, the GPUs on it, and the policy's score. Immutable (the GPU
 * array is copied in and out).
 *
 * @param nodeId the node's id
 * @param gpus indexes of the chosen GPUs on that node, {@code demand.gpuCount()} of them (empty for
 *     a CPU-only demand)
 * @param score the policy's score; <b>lower is better</b>. Comparable only between fits of the same
 *     policy for the same demand
 * @param slot for a MIG instance, the slot it starts at on its GPU; -1 otherwise
 */
public record Fit(String nodeId, int[] gpus, double score, int slot) {

    public Fit {
        Objects.requireNonNull(nodeId, "nodeId");
        gpus = gpus.clone();
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("Fit.score is NaN; expected a number (lower is better)");
        }
    }

    /** A fit without a MIG slot. */
    public Fit(String nodeId, int[] gpus, double score) {
        this(nodeId, gpus, score, -1);
    }

    /** A copy of the chosen GPU indexes. */
    @Override
    public int[] gpus() {
        return gpus.clone();
    }

    /** The same choice on another node of identical state, with the score it has there now. */
    Fit on(String otherNodeId, int[] otherGpus, int otherSlot, double scoreNow) {
        return new Fit(otherNodeId, otherGpus, scoreNow, otherSlot);
    }

    int[] gpusUnsafe() {
        return gpus;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fit f && nodeId.equals(f.nodeId) && Arrays.equals(gpus, f.gpus) && Double.compare(score, f.score) == 0
                && slot == f.slot;
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeId, Arrays.hashCode(gpus), score, slot);
    }

    @Override
    public String toString() {
        return "Fit[" + nodeId + " gpus " + Arrays.toString(gpus) + (slot >= 0 ? " slot " + slot : "") + " score " + score + "]";
    }
}
