package dev.strata.platform.core.placement.packing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few GPU sets worth scoring for a demand on a node; the bound that keeps every policy's work
 * per node small (at most one candidate per GPU, never the combinations).
 * <ul>
 *   <li>CPU only: one candidate, no GPU.
 *   <li>A fraction of one GPU: one GPU per distinct (domain, health, free milli-GPU) that has room; the
 *       first of each in the node's {@link NodeCapacity#canonicalOrder canonical order}. GPUs alike
 *       leave the node in the same state.
 *   <li>A MIG instance: likewise one GPU per distinct (domain, free milli-GPU, MIG layout) that has a
 *       free placement for the profile; the slot is then {@link NodeCapacity#bestSlot}.
 *   <li>Whole GPUs: entirely free GPUs only. For each interconnect domain that can hold them all,
 *       its first free GPUs in canonical order. When no single domain can and the demand does not require one,
 *       one spread set: GPUs without a domain first, then domains from the fewest free GPUs up, so
 *       that large free cliques stay intact.
 * </ul>
 * Only GPUs that {@link NodeCapacity#gpuServes serve} the demand are candidates: a failed GPU never,
 * a degraded one only for a demand that allows it. Stateless.
 */
public final class GpuChoices {

    private static final int[] NONE = new int[0];

    private GpuChoices() {
    }

    /**
     * The candidate GPU sets when the node can host the demand at all (CPU, memory, model: see
     * {@link NodeCapacity#canHost}), else none: where every policy's {@code fit} starts.
     */
    public static List<int[]> onHost(NodeCapacity node, Demand demand) {
        return node.canHost(demand) ? candidates(node, demand) : List.of();
    }

    /**
     * The candidate GPU sets, each valid for {@link NodeCapacity#allocate}; empty when the GPUs
     * cannot hold the demand. CPU, memory and model are not checked here.
     */
    public static List<int[]> candidates(NodeCapacity node, Demand demand) {
        int count = demand.gpuCount();
        if (count == 0) {
            return List.of(NONE);
        }
        int[] free = node.gpuFreeArray();
        int[] domain = node.gpuDomainArray();
        int n = free.length;
        // positions in the node's canonical order: equal states give equal choices whichever node is asked
        int[] order = node.canonicalOrder();
        List<int[]> out = new ArrayList<>(4);
        if (demand.gpuMilli() < Demand.WHOLE_GPU || count == 1) {
            outer:
            for (int k = 0; k < n; k++) {
                int i = order[k];
                if (!node.gpuServes(i, demand)) {
                    continue;
                }
                for (int l = 0; l < k; l++) {
                    int j = order[l];
                    if (free[j] == free[i] && domain[j] == domain[i] && node.gpuLayout(j) == node.gpuLayout(i) && node.gpuHealth(j) == node.gpuHealth(i)
                            && node.gpuServes(j, demand)) {
                        continue outer;
                    }
                }
                out.add(new int[] {i});
            }
            return out;
        }
        // whole GPUs, count > 1: per domain, its first usable GPUs in canonical order
        boolean[] usable = new boolean[n];
        for (int i = 0; i < n; i++) {
            usable[i] = node.gpuServes(i, demand);
        }
        boolean[] seen = null;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            int d = domain[i];
            if (d < 0 || !usable[i]) {
                continue;
            }
            if (seen == null) {
                seen = new boolean[n];
            }
            if (seen[i]) {
                continue;
            }
            int[] pick = new int[count];
            int taken = 0;
            for (int l = k; l < n; l++) {
                int j = order[l];
                if (domain[j] == d && usable[j]) {
                    seen[j] = true;
                    if (taken < count) {
                        pick[taken++] = j;
                    }
                }
            }
            if (taken == count) {
                Arrays.sort(pick);
                out.add(pick);
            }
        }
        if (!out.isEmpty() || demand.oneDomain()) {
            return out;
        }
        int[] spread = spread(usable, domain, order, count);
        if (spread != null) {
            out.add(spread);
        }
        return out;
    }

    private static int[] spread(boolean[] usable, int[] domain, int[] order, int count) {
        int n = usable.length;
        int[] rank = new int[n];
        for (int k = 0; k < n; k++) {
            rank[order[k]] = k;
        }
        // order usable GPUs by (no domain first, then size of the domain's usable set, canonical position)
        long[] keyed = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (!usable[i]) {
                continue;
            }
            long size = 0;
            if (domain[i] >= 0) {
                for (int j = 0; j < n; j++) {
                    if (domain[j] == domain[i] && usable[j]) {
                        size++;
                    }
                }
            }
            keyed[m++] = (size << 48) | ((long) rank[i] << 24) | i;
        }
        if (m < count) {
            return null;
        }
        Arrays.sort(keyed, 0, m);
        int[] pick = new int[count];
        for (int k = 0; k < count; k++) {
            pick[k] = (int) (keyed[k] & 0xFFFFFF);
        }
        Arrays.sort(pick);
        return pick;
    }
}
