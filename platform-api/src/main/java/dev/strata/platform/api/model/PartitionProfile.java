package dev.strata.platform.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A way an accelerator can be partitioned: an NVIDIA MIG GPU instance profile, for example, as
 * {@code nvidia-smi mig -lgip} and {@code -lgipp} list them.
 *
 * @param name the profile name, e.g. {@code 1g.18gb} or {@code 1g.18gb+me}
 * @param profileId the vendor's profile id (MIG: 19 for 1g.18gb on H200)
 * @param maxInstances how many instances of this profile fit on an empty device
 * @param memoryBytes memory of one instance
 * @param multiprocessors streaming multiprocessors of one instance, 0 when unknown
 * @param computeSlices compute slices of one instance (MIG: the {@code g} count)
 * @param totalSlices compute slices of the whole device (MIG: 7)
 * @param placements the slot indexes at which an instance may start (MIG: {@code {0,2,4,6}})
 * @param placementSize the memory slots one instance occupies from its start (MIG: the {@code :2})
 */
public record PartitionProfile(String name, int profileId, int maxInstances, long memoryBytes, int multiprocessors,
        int computeSlices, int totalSlices, List<Integer> placements, int placementSize) {
    public PartitionProfile {
        Checks.requireText(name, "partitionProfile.name");
        Checks.requireNonNegative(maxInstances, "partitionProfile.maxInstances");
        Checks.requireNonNegative(memoryBytes, "partitionProfile.memoryBytes");
        placements = List.copyOf(Objects.requireNonNull(placements, "partitionProfile.placements"));
    }

    /** The share of the device's compute one instance gets, in (0, 1]; 0 when unknown. */
    public double fraction() {
        return totalSlices <= 0 ? 0 : (double) computeSlices / totalSlices;
    }
}
