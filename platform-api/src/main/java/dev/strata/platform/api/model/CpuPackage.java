package dev.strata.platform.api.model;

import java.util.List;

/**
 * A physical processor package (socket).
 *
 * @param id the package id ({@code topology/physical_package_id})
 * @param vendor CPU vendor, or null when unknown
 * @param model CPU model name, or null when unknown
 * @param cores the package's cores with at least one online thread, ordered by their first thread
 */
public record CpuPackage(int id, String vendor, String model, List<CpuCore> cores) {
    public CpuPackage {
        cores = Checks.copyList(cores, "package.cores");
    }

    /** The online threads of the package. */
    public CpuSet threads() {
        CpuSet all = CpuSet.EMPTY;
        for (CpuCore core : cores) {
            all = all.union(core.threads());
        }
        return all;
    }
}
