package dev.strata.platform.core.placement;

import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every distinct way a node's GPUs can hold one member now, up to symmetry: GPUs alike in NVLink
 * domain, NUMA node, health, free share and MIG layout are interchangeable for any later member,
 * so of each kind only the lowest-indexed are taken. For whole GPUs that is one option per choice
 * of how many GPUs of each kind (at most {@code C(k + n - 1, n)} for {@code k} kinds and {@code n}
 * GPUs, a few dozen on an 8-GPU server); for a share of one GPU, one option per kind of GPU; for a
 * MIG instance, one per kind and free start slot. Options respect the member's topology: all GPUs
 * in one NVLink domain when it asks for that, on one NUMA node (with an RDMA NIC when the gang
 * needs one) when it asks for NUMA alignment, never on GPUs whose NUMA node is unknown. Stateless.
 */
final class GpuOptions {

    /**
     * One choice of GPUs.
     *
     * @param gpus GPU indexes on the node, ascending
     * @param slot the MIG start slot, -1 for other demands
     */
    record Option(int[] gpus, int slot) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Option other && Arrays.equals(gpus, other.gpus) && slot == other.slot;
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(gpus) + slot;
        }

        @Override
        public String toString() {
            return Arrays.toString(gpus) + (slot >= 0 ? "@" + slot : "");
        }
    }

    static final Option NO_GPUS = new Option(new int[0], -1);

    private GpuOptions() {
    }

    /**
     * The options, at most {@code limit} of them, in GPU index order.
     *
     * @param numaAligned all GPUs on one NUMA node
     * @param needNic that NUMA node must have an RDMA NIC (only with {@code numaAligned})
     */
    static List<Option> of(NodeFacts f, NodeCapacity c, Demand d, boolean numaAligned, boolean needNic, int limit) {
        if (d.gpuCount() == 0) {
            return List.of(NO_GPUS);
        }
        if (!d.allows(c.model())) {
            return List.of();
        }
        int n = c.gpuCount();
        int[] numa = f.gpuNuma();
        List<Option> out = new ArrayList<>();
        if (d.gpuCount() == 1 && (d.gpuMilli() < Demand.WHOLE_GPU || d.partitioned())) {
            Set<List<Long>> seen = new HashSet<>();
            for (int g = 0; g < n && out.size() < limit; g++) {
                if (!c.gpuServes(g, d) || numaAligned && (numa[g] < 0 || needNic && !nic(f, numa[g]))) {
                    continue;
                }
                if (d.partitioned()) {
                    int p = c.mig().profile(d.partition());
                    for (int s : c.mig().feasibleStarts(c.gpuLayout(g), p)) {
                        if (seen.add(List.of((long) c.gpuDomain(g), (long) numa[g], (long) c.gpuHealth(g), (long) c.gpuFreeMilli(g),
                                c.gpuLayout(g), (long) s)) && out.size() < limit) {
                            out.add(new Option(new int[] {g}, s));
                        }
                    }
                } else if (seen.add(List.of((long) c.gpuDomain(g), (long) numa[g], (long) c.gpuHealth(g), (long) c.gpuFreeMilli(g)))) {
                    out.add(new Option(new int[] {g}, -1));
                }
            }
            return out;
        }
        // whole GPUs: kinds by (domain, NUMA node, health), within scopes the topology allows
        boolean oneDomain = d.oneDomain() && d.gpuCount() > 1;
        Map<List<Integer>, Map<List<Integer>, List<Integer>>> scopes = new LinkedHashMap<>();
        for (int g = 0; g < n; g++) {
            if (!c.gpuServes(g, d) || oneDomain && c.gpuDomain(g) < 0 || numaAligned && (numa[g] < 0 || needNic && !nic(f, numa[g]))) {
                continue;
            }
            List<Integer> scope = List.of(numaAligned ? numa[g] : 0, oneDomain ? c.gpuDomain(g) : 0);
            List<Integer> kind = List.of(c.gpuDomain(g), numa[g], c.gpuHealth(g));
            scopes.computeIfAbsent(scope, k -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new ArrayList<>()).add(g);
        }
        for (Map<List<Integer>, List<Integer>> kinds : scopes.values()) {
            List<List<Integer>> lists = new ArrayList<>(kinds.values());
            choose(lists, 0, d.gpuCount(), new int[lists.size()], out, limit);
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    private static boolean nic(NodeFacts f, int numa) {
        return f.rdmaNicNuma().contains(numa);
    }

    /** Every way to take {@code left} GPUs from kinds {@code k..}: the first {@code x[k]} of each kind. */
    private static void choose(List<List<Integer>> kinds, int k, int left, int[] x, List<Option> out, int limit) {
        if (out.size() >= limit) {
            return;
        }
        if (left == 0) {
            int total = 0;
            for (int v : x) {
                total += v;
            }
            int[] gpus = new int[total];
            int at = 0;
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < x[i]; j++) {
                    gpus[at++] = kinds.get(i).get(j);
                }
            }
            Arrays.sort(gpus);
            out.add(new Option(gpus, -1));
            return;
        }
        if (k == kinds.size()) {
            return;
        }
        int room = 0;
        for (int i = k; i < kinds.size(); i++) {
            room += kinds.get(i).size();
        }
        if (room < left) {
            return;
        }
        for (int take = Math.min(left, kinds.get(k).size()); take >= 0; take--) {
            x[k] = take;
            choose(kinds, k + 1, left - take, x, out, limit);
        }
        x[k] = 0;
    }
}
