package dev.strata.platform.api.model;

import java.util.List;
import java.util.Objects;

/**
 * The processors of a node.
 *
 * @param packages the packages with at least one online thread, ordered by their first thread
 * @param online the online logical CPUs
 * @param offline logical CPUs that are present but offline (not counted anywhere else)
 */
public record CpuTopology(List<CpuPackage> packages, CpuSet online, CpuSet offline) {
    public CpuTopology {
        packages = Checks.copyList(packages, "cpu.packages");
        Objects.requireNonNull(online, "cpu.online");
        Objects.requireNonNull(offline, "cpu.offline");
    }

    public static final CpuTopology NONE = new CpuTopology(List.of(), CpuSet.EMPTY, CpuSet.EMPTY);

    public int cores() {
        return packages.stream().mapToInt(p -> p.cores().size()).sum();
    }

    public int threads() {
        return online.size();
    }

    /** The model of the first package that reports one, or null. */
    public String model() {
        return packages.stream().map(CpuPackage::model).filter(Objects::nonNull).findFirst().orElse(null);
    }
}
