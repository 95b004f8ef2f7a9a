package dev.strata.platform.api.model;

import java.util.Objects;

/**
 * A physical core.
 *
 * @param id the core id within its package ({@code topology/core_id}); not unique across packages
 * @param threads the online hardware threads (PUs) of the core
 */
public record CpuCore(int id, CpuSet threads) {
    public CpuCore {
        Objects.requireNonNull(threads, "core.threads");
    }
}
