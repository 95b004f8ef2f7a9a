package dev.strata.platform.api.provisioning;

import java.util.List;
import java.util.Objects;

/**
 * What a member needs of its machine.
 *
 * @param cpuMillis CPUs in thousandths
 * @param memoryBytes memory
 * @param gpus the number of whole GPUs (0 when none or when a partition or share is bound)
 * @param gpuIds the GPUs placement bound on the target node, empty for an offer or when none
 * @param partitionProfile the MIG profile bound, or null
 */
public record MachineResources(long cpuMillis, long memoryBytes, int gpus, List<String> gpuIds, String partitionProfile) {

    public MachineResources {
        if (cpuMillis < 0 || memoryBytes < 0 || gpus < 0) {
            throw new IllegalArgumentException("resources: cpuMillis, memoryBytes and gpus must be 0 or more");
        }
        gpuIds = List.copyOf(Objects.requireNonNull(gpuIds, "resources.gpuIds"));
    }
}
