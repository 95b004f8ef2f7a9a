package dev.strata.platform.api.placement;

import java.util.List;
import java.util.Objects;

/**
 * Where one member of a contract was placed.
 *
 * @param member the member's name
 * @param nodeId the node
 * @param siteId the node's site
 * @param acceleratorIds the GPUs bound (ids), empty for a CPU-only member
 * @param gpuFraction the share of each bound GPU (1 for whole GPUs; for a partition, its share of the GPU's compute)
 * @param nvlinkDomain the NVLink domain of the bound GPUs, or null
 * @param numaNode the NUMA node the GPUs are on when they share one, else -1
 * @param fabricId the RDMA fabric the node was chosen on, or null
 * @param cpuMilli CPU reserved
 * @param memoryBytes memory reserved
 * @param powerWatts power reserved in the node's power domain (or, without one, against the node's maximum draw)
 * @param powerDomainId the node's power domain, or null
 * @param partition the partition profile bound (MIG, e.g. {@code 3g.40gb}), or null for whole GPUs and fractions
 * @param partitionSlot the slot the partition starts at on its GPU (MIG: the placement start, 0-7), -1 without a partition
 */
public record MemberBinding(String member, String nodeId, String siteId, List<String> acceleratorIds, double gpuFraction,
        String nvlinkDomain, int numaNode, String fabricId, long cpuMilli, long memoryBytes, double powerWatts, String powerDomainId,
        String partition, int partitionSlot) {
    public MemberBinding {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(nodeId, "nodeId");
        acceleratorIds = List.copyOf(acceleratorIds);
        if ((partition == null) != (partitionSlot < 0)) {
            throw new IllegalArgumentException("member " + member + ": partition " + partition + " at slot " + partitionSlot
                    + "; expected a partition with a slot (0 or more), or neither");
        }
    }

    /** A binding without a partition. */
    public MemberBinding(String member, String nodeId, String siteId, List<String> acceleratorIds, double gpuFraction,
            String nvlinkDomain, int numaNode, String fabricId, long cpuMilli, long memoryBytes, double powerWatts, String powerDomainId) {
        this(member, nodeId, siteId, acceleratorIds, gpuFraction, nvlinkDomain, numaNode, fabricId, cpuMilli, memoryBytes, powerWatts,
                powerDomainId, null, -1);
    }
}
