package dev.strata.platform.api.model;

import java.util.List;

/**
 * A way an accelerator can be partitioned: an NVIDIA MIG GPU instance profile, for example, as
 * {@code nvidia-smi mig -lgip} and {@code -lgipp} list them.
 *
 * @param name the profile name, e.g. {@code 1g.18gb} or {@code 1g.18gb+me}
 * @param profileId the vendor's profile id (MIG: 19 for 1g.18gb on H200)
 * @param maxInstances how many instances of this profile fit on an empty device
 * @param memoryBytes memory of one instance
 * @param multiprocessors streaming multiprocessors of one instance, 0 when unknown
 * @param computeSlices compute slices of one instance (MIG: the {@code g} count), 0 or more and at
 *     most {@code totalSlices} where that is known
 * @param totalSlices compute slices of the whole device (MIG: 7), 0 when unknown
 * @param placements the slot indexes at which an instance may start (MIG: {@code {0,2,4,6}})
 * @param placementSize the memory slots one instance occupies from its start (MIG: the {@code :2})
 */
public record PartitionProfile(String name, int profileId, int maxInstances, long memoryBytes, int multiprocessors,
        int computeSlices, int totalSlices, List<Integer> placements, int placementSize) {
    public PartitionProfile {
        Checks.requireText(name, "partitionProfile.name");
        Checks.requireNonNegative(maxInstances, "partitionProfile.maxInstances");
        Checks.requireNonNegative(memoryBytes, "partitionProfile.memoryBytes");
        Checks.requireNonNegative(computeSlices, "partitionProfile.computeSlices");
        Checks.requireNonNegative(totalSlices, "partitionProfile.totalSlices");
        if (totalSlices > 0 && computeSlices > totalSlices) {
            // an instance cannot have more of the device than the device has: fraction() promises at most 1
            throw new IllegalArgumentException("partitionProfile " + Checks.printable(name) + ": computeSlices is " + computeSlices
                    + ", more than the device's totalSlices, " + totalSlices + "; expected 0 to " + totalSlices);
        }
        placements = Checks.copyList(placements, "partitionProfile.placements");
    }

    /** The share of the device's compute one instance gets, in (0, 1]; 0 when unknown (either count 0). */
    public double fraction() {
        return totalSlices <= 0 ? 0 : (double) computeSlices / totalSlices;
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this partitionProfile's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link PartitionProfile}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: profile id -1, no placements, zero counts; the name has none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String name;
        private int profileId = -1;
        private int maxInstances;
        private long memoryBytes;
        private int multiprocessors;
        private int computeSlices;
        private int totalSlices;
        private List<Integer> placements = List.of();
        private int placementSize;

        private Builder() {
        }

        private Builder(PartitionProfile r) {
            name = r.name;
            profileId = r.profileId;
            maxInstances = r.maxInstances;
            memoryBytes = r.memoryBytes;
            multiprocessors = r.multiprocessors;
            computeSlices = r.computeSlices;
            totalSlices = r.totalSlices;
            placements = r.placements;
            placementSize = r.placementSize;
        }

        /** See {@link PartitionProfile#name()}. */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /** See {@link PartitionProfile#profileId()}. */
        public Builder profileId(int value) {
            profileId = value;
            return this;
        }

        /** See {@link PartitionProfile#maxInstances()}. */
        public Builder maxInstances(int value) {
            maxInstances = value;
            return this;
        }

        /** See {@link PartitionProfile#memoryBytes()}. */
        public Builder memoryBytes(long value) {
            memoryBytes = value;
            return this;
        }

        /** See {@link PartitionProfile#multiprocessors()}. */
        public Builder multiprocessors(int value) {
            multiprocessors = value;
            return this;
        }

        /** See {@link PartitionProfile#computeSlices()}. */
        public Builder computeSlices(int value) {
            computeSlices = value;
            return this;
        }

        /** See {@link PartitionProfile#totalSlices()}. */
        public Builder totalSlices(int value) {
            totalSlices = value;
            return this;
        }

        /** See {@link PartitionProfile#placements()}. */
        public Builder placements(List<Integer> value) {
            placements = value;
            return this;
        }

        /** See {@link PartitionProfile#placementSize()}. */
        public Builder placementSize(int value) {
            placementSize = value;
            return this;
        }

        /**
         * The partitionProfile.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public PartitionProfile build() {
            return new PartitionProfile(name, profileId, maxInstances, memoryBytes, multiprocessors, computeSlices, totalSlices, placements, placementSize);
        }
    }
}
