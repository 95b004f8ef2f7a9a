package dev.strata.platform.core.inventory;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.MachineIdentity;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import java.time.Instant;
import java.util.List;

/** Small model objects for core tests. */
final class TestNodes {

    private TestNodes() {
    }

    static Node node(String id, String provider, String hostname, PciDevice... pci) {
        return Node.builder().id(id).providerId(provider).siteId("site-" + provider).hostname(hostname).kind(NodeKind.BARE_METAL)
                .numaNodes(List.of(new NumaNode(0, CpuSet.of(0, 1), 1L << 30, List.of(10)))).memoryBytes(1L << 30)
                .pciDevices(List.of(pci)).build();
    }

    /** A node of a machine with this identity ({@link MachineIdentity#ATTRIBUTE}). */
    static Node machine(String id, String provider, String hostname, String machineId, PciDevice... pci) {
        return node(id, provider, hostname, pci).toBuilder().attribute(MachineIdentity.ATTRIBUTE, machineId).build();
    }

    static ComputeSnapshot compute(long generation, Node... nodes) {
        String provider = nodes.length == 0 ? "x" : nodes[0].providerId();
        return ComputeSnapshot.builder(generation, Instant.now()).sites(List.of(Site.local("site-" + provider, provider)))
                .nodes(List.of(nodes)).build();
    }
}
