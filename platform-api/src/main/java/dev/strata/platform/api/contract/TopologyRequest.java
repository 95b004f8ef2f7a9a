package dev.strata.platform.api.contract;

/**
 * Where a member's devices must sit relative to each other.
 *
 * @param oneNvlinkDomain all of the member's GPUs in one NVLink/NVSwitch domain
 * @param numaAligned the member's GPUs, and its RDMA NIC where it needs one, on one NUMA node
 */
public record TopologyRequest(boolean oneNvlinkDomain, boolean numaAligned) {
    public static final TopologyRequest ANY = new TopologyRequest(false, false);
}
