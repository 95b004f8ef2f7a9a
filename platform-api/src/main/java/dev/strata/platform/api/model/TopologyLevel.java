package dev.strata.platform.api.model;

/**
 * How two devices of a node are connected, nearest first: NVML's {@code nvmlGpuTopologyLevel_t}
 * and the PCIe legend of {@code nvidia-smi topo -m}.
 */
public enum TopologyLevel {
    /** The same device (MIG instances, multi-GPU boards): {@code X}. */
    INTERNAL,
    /** Through at most one PCIe switch: {@code PIX}. */
    SINGLE,
    /** Through several PCIe switches, not the host bridge: {@code PXB}. */
    MULTIPLE,
    /** Through a PCIe host bridge: {@code PHB}. */
    HOSTBRIDGE,
    /** Through the interconnect between host bridges within a NUMA node: {@code NODE}. */
    NODE,
    /** Through the interconnect between NUMA nodes (QPI/UPI, Infinity Fabric): {@code SYS}. */
    SYSTEM;

    /** The level a {@code topo -m} cell names, or null for cells that are not PCIe levels ({@code NV#}). */
    public static TopologyLevel ofTopoCell(String cell) {
        return switch (cell.strip()) {
            case "X" -> INTERNAL;
            case "PIX" -> SINGLE;
            case "PXB" -> MULTIPLE;
            case "PHB" -> HOSTBRIDGE;
            case "NODE" -> NODE;
            case "SYS", "SOC" -> SYSTEM;
            default -> null;
        };
    }
}
