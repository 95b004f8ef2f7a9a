package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.Fabric;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a fabric provider sees.
 *
 * @param generation see {@link ComputeProvider#discoverCompute} for the rule
 * @param takenAt when the provider read its sources
 * @param fabrics every fabric seen
 */
public record FabricSnapshot(long generation, Instant takenAt, List<Fabric> fabrics) {
    public FabricSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        fabrics = List.copyOf(fabrics);
    }
}
