package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.Fabric;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a fabric provider sees. Make one with {@link #builder(long, Instant)}.
 *
 * @param generation see {@link ComputeProvider#discoverCompute} for the rule
 * @param takenAt when the provider read its sources
 * @param fabrics every fabric seen
 * @param warnings what went wrong without failing the discovery; see {@link ComputeSnapshot#warnings()}
 */
public record FabricSnapshot(long generation, Instant takenAt, List<Fabric> fabrics, List<String> warnings) {
    public FabricSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        fabrics = List.copyOf(fabrics);
        warnings = List.copyOf(warnings);
    }

    /**
     * A snapshot without warnings.
     *
     * @deprecated kept for providers built against the first API; use {@link #builder(long, Instant)}
     */
    @Deprecated
    public FabricSnapshot(long generation, Instant takenAt, List<Fabric> fabrics) {
        this(generation, takenAt, fabrics, List.of());
    }

    /** A builder for a snapshot of this generation, taken at this instant; everything else starts empty. */
    public static Builder builder(long generation, Instant takenAt) {
        return new Builder(generation, takenAt);
    }

    /** Builds a {@link FabricSnapshot}; not thread-safe. */
    public static final class Builder {
        private final long generation;
        private final Instant takenAt;
        private List<Fabric> fabrics = List.of();
        private List<String> warnings = List.of();

        private Builder(long generation, Instant takenAt) {
            this.generation = generation;
            this.takenAt = takenAt;
        }

        /** See {@link FabricSnapshot#fabrics()}. */
        public Builder fabrics(List<Fabric> value) {
            fabrics = value;
            return this;
        }

        /** See {@link FabricSnapshot#warnings()}. */
        public Builder warnings(List<String> value) {
            warnings = value;
            return this;
        }

        public FabricSnapshot build() {
            return new FabricSnapshot(generation, takenAt, fabrics, warnings);
        }
    }
}
