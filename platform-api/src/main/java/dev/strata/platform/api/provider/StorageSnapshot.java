package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.StoragePool;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a storage provider sees.
 *
 * @param generation see {@link ComputeProvider#discoverCompute} for the rule
 * @param takenAt when the provider read its sources
 * @param pools every storage pool seen
 */
public record StorageSnapshot(long generation, Instant takenAt, List<StoragePool> pools) {
    public StorageSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        pools = List.copyOf(pools);
    }
}
