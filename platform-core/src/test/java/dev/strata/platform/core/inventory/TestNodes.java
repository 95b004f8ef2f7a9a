package dev.strata.platform.core.inventory;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small model objects for core tests. */
final class TestNodes {

    private TestNodes() {
    }

    static Node node(String id, String provider, String hostname, PciDevice... pci) {
        return new Node(id, provider, "site-" + provider, hostname, NodeKind.BARE_METAL, CpuTopology.NONE,
                List.of(new NumaNode(0, CpuSet.of(0, 1), 1L << 30, List.of(10))), 1L << 30, List.of(pci), List.of(),
                List.of(), List.of(), PowerDraw.UNKNOWN, null, Set.of(), ResourceState.AVAILABLE, null, Map.of());
    }

    static ComputeSnapshot compute(long generation, Node... nodes) {
        String provider = nodes.length == 0 ? "x" : nodes[0].providerId();
        return new ComputeSnapshot(generation, Instant.now(), List.of(Site.local("site-" + provider, provider)),
                List.of(nodes), List.of());
    }
}
