package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.model.PartitionProfile;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The memory size of a MIG-enabled GPU whose source withholds its total (NVML answers
 * {@code NVML_ERROR_NO_PERMISSION} to a caller that cannot see every instance; {@code nvidia-smi}
 * prints {@code N/A}): the memory of its largest GPU instance profile (the one spanning every
 * slice: {@code 7g.141gb}, 140 GiB, on an H200 of 143,771 MiB). That is what the GPU can give one
 * workload, a little under its total, never more; 0 (unknown) would make placement take the GPU
 * for one without memory and refuse every contract that asks for some.
 */
public final class MigMemory {

    private MigMemory() {
    }

    /** The profile whose memory stands for a withheld total: the largest, or none without profiles. */
    public static Optional<PartitionProfile> standIn(long reportedBytes, boolean migEnabled, List<PartitionProfile> profiles) {
        if (reportedBytes > 0 || !migEnabled) {
            return Optional.empty();
        }
        return profiles.stream().filter(p -> p.memoryBytes() > 0).max(Comparator.comparingLong(PartitionProfile::memoryBytes));
    }
}
