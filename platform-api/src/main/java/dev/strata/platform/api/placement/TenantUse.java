package dev.strata.platform.api.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a tenant's allocations hold in all, and its quota. A bound GPU counts as the binding's
 * share of it ({@link MemberBinding#gpuFraction()}: 1 for a whole GPU, a share or a MIG partition's
 * share), in thousandths of a GPU rounded up per GPU bound, as placement reserves it; CPU and
 * memory as the bindings reserve them.
 *
 * @param tenant the tenant
 * @param allocations how many allocations of the ledger it holds
 * @param gpuMilli GPUs held, in thousandths
 * @param cpuMilli CPUs held, in thousandths
 * @param memoryBytes memory held
 * @param gpuQuotaMilli at most this many thousandths of GPUs; -1 without a limit
 * @param cpuQuotaMilli at most this many thousandths of CPUs; -1 without a limit
 * @param memoryQuotaBytes at most this much memory; -1 without a limit
 * @since 1.3
 */
public record TenantUse(String tenant, int allocations, long gpuMilli, long cpuMilli, long memoryBytes, long gpuQuotaMilli,
        long cpuQuotaMilli, long memoryQuotaBytes) {
    public TenantUse {
        Objects.requireNonNull(tenant, "tenant");
    }

    /** Whether any resource of the tenant has a limit. */
    public boolean limited() {
        return gpuQuotaMilli >= 0 || cpuQuotaMilli >= 0 || memoryQuotaBytes >= 0;
    }

    /**
     * The thousandths of a GPU one binding holds towards its tenant's quota: each bound GPU at the
     * binding's share, rounded up to a thousandth as placement reserves it (a share of 0.0014 holds
     * 0.002 of its GPU, so it counts 2).
     */
    public static long gpuMilli(MemberBinding b) {
        int gpus = b.acceleratorIds().size();
        if (gpus == 0) {
            return 0;
        }
        // the 1e-9 keeps a share that is a whole number of thousandths, such as 0.3 (300.00000000000006), at that number
        long each = Math.min(1000, Math.max(1, (long) Math.ceil(b.gpuFraction() * 1000 - 1e-9)));
        return gpus * each;
    }

    /** What the allocations hold, per tenant, by tenant, without quotas. */
    public static List<TenantUse> of(Collection<Allocation> allocations) {
        Map<String, long[]> sums = new TreeMap<>();
        for (Allocation a : allocations) {
            long[] s = sums.computeIfAbsent(a.tenant(), t -> new long[4]);
            s[0]++;
            for (MemberBinding b : a.bindings()) {
                s[1] += gpuMilli(b);
                s[2] += b.cpuMilli();
                s[3] += b.memoryBytes();
            }
        }
        List<TenantUse> out = new ArrayList<>();
        sums.forEach((t, s) -> out.add(new TenantUse(t, (int) s[0], s[1], s[2], s[3], -1, -1, -1)));
        return out;
    }
}
