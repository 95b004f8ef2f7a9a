package dev.strata.platform.core.placement.packing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's GPU fragmentation for a target workload, as the FGD paper defines it: the expected
 * milli-GPU of the node that a demand drawn from the workload could not use.
 *
 * <p>For one typical demand {@code m} of share {@code p}: if the node can host {@code m} (model
 * allowed, at least {@code m.gpuCount} GPUs with {@code m.gpuMilli} free each, enough CPU and, when
 * memory-aware, memory), the fragment is the free milli-GPU of the GPUs too small for it (free below
 * {@code m.gpuMilli}); otherwise all of the node's free milli-GPU is fragment. A CPU-only typical
 * demand uses no GPU, so all free milli-GPU is fragment for it. The node's fragmentation is the sum
 * over typical demands weighted by their shares. Written with {@code L} = free milli-GPU and
 * {@code U(r)} = free milli-GPU on GPUs with at least {@code r} free:
 * {@code F = L - sum over hostable m of p(m) * U(m.gpuMilli)}, which is what {@link #of} computes,
 * grouped by (milli-GPU, count) with a cumulative share over CPU so that one evaluation costs a few
 * dozen operations.
 *
 * <p>Not thread-safe (lazily builds one view per GPU model).
 */
final class GpuFragmentation {

    private final WorkloadProfile profile;
    private final boolean memoryAware;
    private final Map<String, View> views = new HashMap<>();

    GpuFragmentation(WorkloadProfile profile, boolean memoryAware) {
        this.profile = profile;
        this.memoryAware = memoryAware;
    }

    /** The typical GPU demands a node of one model could host, grouped by (milli-GPU, count). */
    private static final class View {
        int[] milli;
        int[] count;
        long[][] cpu;        // ascending per group
        long[][] mem;        // same order as cpu
        double[][] share;    // per entry
        double[][] cumShare; // cumulative over cpu order
    }

    View view(String model) {
        View v = views.get(model);
        if (v == null) {
            v = build(model);
            views.put(model, v);
        }
        return v;
    }

    private View build(String model) {
        Map<Long, List<WorkloadProfile.Entry>> groups = new java.util.TreeMap<>();
        for (WorkloadProfile.Entry e : profile.entries()) {
            Demand d = e.demand();
            if (d.gpuCount() == 0 || model == null || !d.allows(model)) {
                continue;
            }
            long key = ((long) d.gpuMilli() << 32) | d.gpuCount();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
        View v = new View();
        int n = groups.size();
        v.milli = new int[n];
        v.count = new int[n];
        v.cpu = new long[n][];
        v.mem = new long[n][];
        v.share = new double[n][];
        v.cumShare = new double[n][];
        int g = 0;
        for (Map.Entry<Long, List<WorkloadProfile.Entry>> e : groups.entrySet()) {
            List<WorkloadProfile.Entry> list = e.getValue();
            list.sort((a, b) -> Long.compare(a.demand().cpuMilli(), b.demand().cpuMilli()));
            v.milli[g] = (int) (e.getKey() >>> 32);
            v.count[g] = (int) (e.getKey() & 0xFFFFFFFFL);
            int m = list.size();
            v.cpu[g] = new long[m];
            v.mem[g] = new long[m];
            v.share[g] = new double[m];
            v.cumShare[g] = new double[m];
            double cum = 0;
            for (int i = 0; i < m; i++) {
                Demand d = list.get(i).demand();
                v.cpu[g][i] = d.cpuMilli();
                v.mem[g][i] = d.memoryMiB();
                v.share[g][i] = list.get(i).share();
                cum += v.share[g][i];
                v.cumShare[g][i] = cum;
            }
            g++;
        }
        return v;
    }

    /**
     * Fragmentation in milli-GPU of a node state.
     *
     * @param freeDesc free milli-GPU per GPU, sorted in descending order
     */
    double of(String model, long cpuFree, long memFree, int[] freeDesc) {
        int n = freeDesc.length;
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += freeDesc[i];
        }
        if (total == 0) {
            return 0;
        }
        View v = view(model);
        double usable = 0;
        int[] milli = v.milli;
        for (int g = 0; g < milli.length; g++) {
            int k = v.count[g];
            int r = milli[g];
            if (k > n || freeDesc[k - 1] < r) {
                continue;
            }
            double share = satisfied(v, g, cpuFree, memFree);
            if (share == 0) {
                continue;
            }
            long u = 0;
            for (int i = 0; i < n && freeDesc[i] >= r; i++) {
                u += freeDesc[i];
            }
            usable += share * u;
        }
        return total - usable;
    }

    private double satisfied(View v, int g, long cpuFree, long memFree) {
        long[] cpu = v.cpu[g];
        if (!memoryAware) {
            // last index with cpu <= cpuFree
            int lo = 0;
            int hi = cpu.length - 1;
            int idx = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (cpu[mid] <= cpuFree) {
                    idx = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return idx < 0 ? 0 : v.cumShare[g][idx];
        }
        long[] mem = v.mem[g];
        double[] share = v.share[g];
        double s = 0;
        for (int i = 0; i < cpu.length && cpu[i] <= cpuFree; i++) {
            if (mem[i] <= memFree) {
                s += share[i];
            }
        }
        return s;
    }

    /** Sorts {@code a[0..n)} in descending order (insertion sort: GPU counts are small). */
    static void sortDesc(int[] a) {
        for (int i = 1; i < a.length; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] < x) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }
}
