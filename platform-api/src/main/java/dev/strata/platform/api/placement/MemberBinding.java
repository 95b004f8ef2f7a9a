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
 * @param gpuFraction the share of each bound GPU (1 for whole GPUs)
 * @param nvlinkDomain the NVLink domain of the bound GPUs, or null
 * @param numaNode the NUMA node the GPUs are on when they share one, else -1
 * @param fabricId the RDMA fabric the node was chosen on, or null
 * @param cpuMilli CPU reserved
 * @param memoryBytes memory reserved
 * @param powerWatts power reserved in the node's power domain
 * @param powerDomainId the node's power domain, or null
 */
public record MemberBinding(String member, String nodeId, String siteId, List<String> acceleratorIds, double gpuFraction,
        String nvlinkDomain, int numaNode, String fabricId, long cpuMilli, long memoryBytes, double powerWatts, String powerDomainId) {
    public MemberBinding {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(nodeId, "nodeId");
        acceleratorIds = List.copyOf(acceleratorIds);
    }
}
