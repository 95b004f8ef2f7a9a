package dev.strata.platform.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A NUMA node: memory and the CPUs local to it. A node may have no CPUs (memory-only, e.g. CXL
 * or GPU memory exposed as NUMA) or no memory (CPU-only).
 *
 * @param id the OS NUMA node number
 * @param cpus the online CPUs of the node, possibly empty
 * @param memoryBytes the node's memory in bytes, 0 when it has none
 * @param distances the ACPI SLIT distances to every node in ascending id order (may be empty)
 */
public record NumaNode(int id, CpuSet cpus, long memoryBytes, List<Integer> distances) {
    public NumaNode {
        if (id < 0) {
            throw new IllegalArgumentException("numa node id is " + id + "; expected 0 or more");
        }
        Objects.requireNonNull(cpus, "numa.cpus");
        Checks.requireNonNegative(memoryBytes, "numa.memoryBytes");
        distances = Checks.copyList(distances, "numa.distances");
    }
}
