package dev.strata.platform.core.placement.packing;

import java.util.Set;

/**
 * What one workload member asks of a single node. Immutable.
 *
 * @param cpuMilli CPU in milli-CPU (1000 = one CPU), at least 0
 * @param memoryMiB memory in MiB, at least 0
 * @param gpuCount number of GPUs, 0 for a CPU-only demand
 * @param gpuMilli milli-GPU per GPU: 1000 = whole GPUs; 1..999 = a shared fraction of one GPU
 *     (only with {@code gpuCount == 1}); 0 exactly when {@code gpuCount == 0}
 * @param models GPU models allowed (e.g. {@code V100M16}); empty = any model. Empty for a CPU-only
 *     demand
 * @param oneDomain whether all GPUs of the demand must share one interconnect domain (NVLink clique)
 * @param partition a MIG profile name ({@code 3g.40gb}): the demand takes one instance of it on one
 *     GPU, in the slots the GPU's {@link MigTable} allows; {@code gpuMilli} is then its share of the
 *     GPU's compute, for accounting. Null for whole GPUs and plain fractions
 * @param allowDegraded whether GPUs of degraded health may serve it (failed ones never do)
 */
public record Demand(long cpuMilli, long memoryMiB, int gpuCount, int gpuMilli, Set<String> models, boolean oneDomain,
        String partition, boolean allowDegraded) {

    /** Milli-GPU in one whole GPU. */
    public static final int WHOLE_GPU = 1000;

    /**
     * @throws IllegalArgumentException naming the field, its value and what was expected
     */
    public Demand {
        if (cpuMilli < 0) {
            throw invalid("cpuMilli", cpuMilli, "milli-CPU >= 0");
        }
        if (memoryMiB < 0) {
            throw invalid("memoryMiB", memoryMiB, "MiB >= 0");
        }
        if (gpuCount < 0) {
            throw invalid("gpuCount", gpuCount, "a GPU count >= 0 (0 = CPU only)");
        }
        if (gpuCount == 0 && gpuMilli != 0) {
            throw invalid("gpuMilli", gpuMilli, "0 for a CPU-only demand (gpuCount 0)");
        }
        if (gpuCount > 0 && (gpuMilli < 1 || gpuMilli > WHOLE_GPU)) {
            throw invalid("gpuMilli", gpuMilli, "milli-GPU per GPU in 1..1000 (1000 = a whole GPU)");
        }
        if (gpuCount > 1 && gpuMilli != WHOLE_GPU) {
            throw invalid("gpuMilli", gpuMilli, "1000 when gpuCount is " + gpuCount + " (a fraction is only for one GPU)");
        }
        if (models == null) {
            throw invalid("models", null, "a set of GPU models, empty for any model");
        }
        for (String model : models) {
            if (model == null || model.isBlank()) {
                throw invalid("models", models, "GPU model names that are not blank");
            }
        }
        if (gpuCount == 0 && !models.isEmpty()) {
            throw invalid("models", models, "empty for a CPU-only demand (gpuCount 0)");
        }
        models = Set.copyOf(models);
        if (partition != null && (gpuCount != 1 || oneDomain)) {
            throw invalid("partition", partition, "one GPU (gpuCount 1, no interconnect domain) for a MIG partition");
        }
    }

    /** A demand for whole GPUs or a fraction, on healthy GPUs. */
    public Demand(long cpuMilli, long memoryMiB, int gpuCount, int gpuMilli, Set<String> models, boolean oneDomain) {
        this(cpuMilli, memoryMiB, gpuCount, gpuMilli, models, oneDomain, null, false);
    }

    /**
     * One MIG instance of {@code profile} with {@code computeSlices} compute slices; before its GPU
     * is known it counts {@code floor(1000 * computeSlices / 7)} milli-GPU (7 slices, as on A100,
     * H100, H200), for the packing policies' estimates. On a GPU it takes its profile's share of
     * that GPU's own compute slices ({@link MigTable#milli}: a {@code 1g} is 1/4 of an A30), which
     * is what {@link NodeCapacity} books and what the member's binding records.
     */
    public static Demand partition(long cpuMilli, long memoryMiB, String profile, int computeSlices, Set<String> models, boolean allowDegraded) {
        int milli = Math.max(1, Math.min(WHOLE_GPU, WHOLE_GPU * computeSlices / 7));
        return new Demand(cpuMilli, memoryMiB, 1, milli, models, false, profile, allowDegraded);
    }

    /** Whether this is one MIG instance. */
    public boolean partitioned() {
        return partition != null;
    }

    /** The same demand allowed (or not) on degraded GPUs. */
    public Demand withDegradedAllowed(boolean allowed) {
        return new Demand(cpuMilli, memoryMiB, gpuCount, gpuMilli, models, oneDomain, partition, allowed);
    }

    /** A CPU-only demand. */
    public static Demand cpuOnly(long cpuMilli, long memoryMiB) {
        return new Demand(cpuMilli, memoryMiB, 0, 0, Set.of(), false);
    }

    /** {@code count} whole GPUs of any model, not necessarily in one domain. */
    public static Demand wholeGpus(long cpuMilli, long memoryMiB, int count) {
        return new Demand(cpuMilli, memoryMiB, count, WHOLE_GPU, Set.of(), false);
    }

    /** A share of one GPU of any model, {@code gpuMilli} in 1..1000. */
    public static Demand sharedGpu(long cpuMilli, long memoryMiB, int gpuMilli) {
        return new Demand(cpuMilli, memoryMiB, 1, gpuMilli, Set.of(), false);
    }

    /** The same demand restricted to the given GPU models. */
    public Demand withModels(Set<String> allowed) {
        return new Demand(cpuMilli, memoryMiB, gpuCount, gpuMilli, allowed, oneDomain, partition, allowDegraded);
    }

    /** The same demand with all its GPUs required in one interconnect domain. */
    public Demand inOneDomain() {
        return new Demand(cpuMilli, memoryMiB, gpuCount, gpuMilli, models, true, partition, allowDegraded);
    }

    /** Total milli-GPU requested: {@code gpuCount * gpuMilli}. */
    public long gpuMilliTotal() {
        return (long) gpuCount * gpuMilli;
    }

    /** Whether a GPU of this health may serve the demand (0 = OK or unknown, 1 = degraded, 2 = failed). */
    public boolean accepts(int health) {
        return health == NodeCapacity.HEALTHY || health == NodeCapacity.DEGRADED && allowDegraded;
    }

    /** Whether this is a shared fraction of one GPU. */
    public boolean fractional() {
        return gpuCount == 1 && gpuMilli < WHOLE_GPU && partition == null;
    }

    /** Whether a GPU of this model may serve the demand; always true for a CPU-only demand. */
    public boolean allows(String model) {
        return gpuCount == 0 || models.isEmpty() || (model != null && models.contains(model));
    }

    private static IllegalArgumentException invalid(String field, Object value, String expected) {
        return new IllegalArgumentException("Demand." + field + " is " + value + "; expected " + expected);
    }
}
