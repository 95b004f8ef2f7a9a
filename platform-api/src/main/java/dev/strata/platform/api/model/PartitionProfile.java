package dev.strata.platform.api.model;

/**
 * A way an accelerator can be partitioned (an NVIDIA MIG GPU instance profile, for example).
 *
 * @param name the profile name, e.g. {@code 1g.18gb}
 * @param profileId the vendor's profile id
 * @param maxInstances how many instances of this profile fit on an empty device
 * @param memoryBytes memory of one instance
 * @param computeSlices compute slices of one instance (MIG: of 7)
 * @param totalSlices compute slices of the whole device
 */
public record PartitionProfile(String name, int profileId, int maxInstances, long memoryBytes, int computeSlices, int totalSlices) {
    public PartitionProfile {
        Checks.requireText(name, "partitionProfile.name");
        Checks.requireNonNegative(maxInstances, "partitionProfile.maxInstances");
        Checks.requireNonNegative(memoryBytes, "partitionProfile.memoryBytes");
    }

    /** The share of the device's compute one instance gets, in (0, 1]. */
    public double fraction() {
        return totalSlices <= 0 ? 0 : (double) computeSlices / totalSlices;
    }
}
