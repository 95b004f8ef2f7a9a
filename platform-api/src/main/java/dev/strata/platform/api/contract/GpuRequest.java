package dev.strata.platform.api.contract;

import java.util.Objects;
import java.util.Set;

/**
 * The GPUs one member needs.
 *
 * @param count how many GPUs (1 when a fraction or partition is asked for); 0 for none
 * @param models the allowed models, matched case-insensitively against the accelerator model
 *     (e.g. {@code H100} matches {@code NVIDIA H100 80GB HBM3}); empty allows any
 * @param minMemoryBytes the least memory each GPU (or partition) must have; 0 for no minimum
 * @param fraction the share of one GPU, in (0, 1]; 1 for whole GPUs
 * @param partitionProfile a partition profile (MIG, e.g. {@code 1g.10gb}) the GPU must support, or null
 * @param allowDegraded whether GPUs whose health is {@code DEGRADED} may be used; GPUs that have
 *     {@code FAILED} are never used, GPUs of unknown health always may be
 */
public record GpuRequest(int count, Set<String> models, long minMemoryBytes, double fraction, String partitionProfile,
        boolean allowDegraded) {

    public static final GpuRequest NONE = new GpuRequest(0, Set.of(), 0, 1, null, false);

    public GpuRequest {
        if (count < 0) {
            throw new IllegalArgumentException("gpus.count is " + count + "; expected 0 or more");
        }
        models = Set.copyOf(Objects.requireNonNull(models, "gpus.models"));
        if (minMemoryBytes < 0) {
            throw new IllegalArgumentException("gpus.memory is negative; expected 0 or more");
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("gpus.fraction is " + fraction + "; expected more than 0 and at most 1");
        }
        if ((fraction < 1 || partitionProfile != null) && count != 1) {
            throw new IllegalArgumentException("gpus.fraction " + fraction + " or partition " + partitionProfile + " needs gpus.count 1, not "
                    + count);
        }
        if (fraction < 1 && partitionProfile != null) {
            throw new IllegalArgumentException("gpus: a fraction and a partition were both asked for; expected one of them");
        }
    }

    /** GPUs of healthy (or unknown) state only. */
    public GpuRequest(int count, Set<String> models, long minMemoryBytes, double fraction, String partitionProfile) {
        this(count, models, minMemoryBytes, fraction, partitionProfile, false);
    }

    /** True when the member shares one GPU (a fraction or a partition). */
    public boolean shared() {
        return fraction < 1 || partitionProfile != null;
    }
}
