package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.StoragePool;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a storage provider sees. Make one with {@link #builder(long, Instant)}.
 *
 * @param generation see {@link ComputeProvider#discoverCompute} for the rule
 * @param takenAt when the provider read its sources
 * @param pools every storage pool seen
 * @param warnings what went wrong without failing the discovery; see {@link ComputeSnapshot#warnings()}
 */
public record StorageSnapshot(long generation, Instant takenAt, List<StoragePool> pools, List<String> warnings) {
    public StorageSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        pools = List.copyOf(pools);
        warnings = List.copyOf(warnings);
    }

    /**
     * A snapshot without warnings.
     *
     * @deprecated kept for providers built against the first API; use {@link #builder(long, Instant)}
     */
    @Deprecated
    public StorageSnapshot(long generation, Instant takenAt, List<StoragePool> pools) {
        this(generation, takenAt, pools, List.of());
    }

    /** A builder for a snapshot of this generation, taken at this instant; everything else starts empty. */
    public static Builder builder(long generation, Instant takenAt) {
        return new Builder(generation, takenAt);
    }

    /** Builds a {@link StorageSnapshot}; not thread-safe. */
    public static final class Builder {
        private final long generation;
        private final Instant takenAt;
        private List<StoragePool> pools = List.of();
        private List<String> warnings = List.of();

        private Builder(long generation, Instant takenAt) {
            this.generation = generation;
            this.takenAt = takenAt;
        }

        /** See {@link StorageSnapshot#pools()}. */
        public Builder pools(List<StoragePool> value) {
            pools = value;
            return this;
        }

        /** See {@link StorageSnapshot#warnings()}. */
        public Builder warnings(List<String> value) {
            warnings = value;
            return this;
        }

        public StorageSnapshot build() {
            return new StorageSnapshot(generation, takenAt, pools, warnings);
        }
    }
}
