package dev.strata.platform.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The fabric and topology clauses the verifier reads again: the RDMA fabric a gang was bound on
 * (still there, still RDMA, the node still a member, its bandwidth still enough) and each member's
 * GPUs still in the NVLink domain and on the NUMA node they were placed in.
 */
class TopologyAndFabricClausesTest {

    static final String NODE = CommitmentCheckTest.NODE;
    static final String GPU0 = NODE + "/gpu0";
    static final String GPU1 = NODE + "/gpu1";

    static Node node(UnaryOperator<Accelerator> gpu1) {
        Node n = CommitmentCheckTest.node();
        List<Accelerator> gpus = n.accelerators().stream().map(a -> a.toBuilder().interconnectDomain("nvl-1").numaNode(1).build()).toList();
        return n.withAccelerators(List.of(gpus.get(0), gpu1.apply(gpus.get(1))));
    }

    static Fabric ib(UnaryOperator<Fabric.Builder> change) {
        return change.apply(Fabric.builder().id("ib-1").type(FabricType.RDMA).technology("InfiniBand NDR").siteId("fra-1")
                .members(Set.of(NODE, "other-node")).linkBandwidthGbps(400).latencyMicros(1).tiers(List.of("leaf"))).build();
    }

    static Contract contract(FabricRequest fabric, TopologyRequest topology) {
        Member trainer = new Member("trainer", 8000, 64L << 30, new GpuRequest(2, Set.of("H100"), 0, 1, null, false), topology, 0);
        return new Contract("train", "t1", 10, List.of(trainer), fabric, Sovereignty.ANY, Isolation.SHARED);
    }

    static final Allocation PLACED = new Allocation("a-1", "train", "t1", 10, false, Instant.parse("2026-01-01T00:00:00Z"),
            List.of(new MemberBinding("trainer", NODE, "fra-1", List.of(GPU0, GPU1), 1, "nvl-1", 1, "ib-1", 8000, 64L << 30, 700, null)));

    static final Contract RDMA_400 = contract(new FabricRequest(true, 400), TopologyRequest.ANY);
    static final Contract ONE_DOMAIN_ONE_NUMA = contract(FabricRequest.ANY, new TopologyRequest(true, true));

    static List<Finding> check(Contract c, Node node, Fabric... fabrics) {
        InventorySnapshot inv = new InventorySnapshot(7, Instant.now(), List.of(CommitmentCheckTest.fra1()), List.of(node), List.of(fabrics),
                List.of(), List.of(), List.of(), List.of());
        return CommitmentCheck.check(PLACED, c, inv, List.of(PLACED)).findings();
    }

    @Test
    void whileTheFabricAndTopologyAreAsPlacedEveryClauseHolds() {
        assertThat(check(RDMA_400, node(g -> g), ib(f -> f))).isEmpty();
        assertThat(check(ONE_DOMAIN_ONE_NUMA, node(g -> g), ib(f -> f))).isEmpty();
        assertThat(check(contract(new FabricRequest(true, 400), new TopologyRequest(true, true)), node(g -> g), ib(f -> f))).isEmpty();
    }

    @Test
    void theRdmaFabricGoneChangedOrLeftBreachesTheGang() {
        assertThat(check(RDMA_400, node(g -> g))).containsExactly(new Finding("trainer", "fabric.rdma", CommitmentStatus.BREACHED,
                "fabric ib-1, which the members were placed on, is no longer in the inventory"));
        assertThat(check(RDMA_400, node(g -> g), ib(f -> f.type(FabricType.DATA)))).containsExactly(new Finding("trainer", "fabric.rdma",
                CommitmentStatus.BREACHED, "fabric ib-1 is now DATA, not RDMA"));
        assertThat(check(RDMA_400, node(g -> g), ib(f -> f.members(Set.of("other-node"))))).containsExactly(new Finding("trainer",
                "fabric.rdma", CommitmentStatus.BREACHED, "node " + NODE + " is no longer a member of RDMA fabric ib-1, which the other "
                        + "members were placed on"));
        assertThat(check(RDMA_400, node(g -> g), ib(f -> f.linkBandwidthGbps(200)))).containsExactly(new Finding("trainer",
                "fabric.bandwidth", CommitmentStatus.BREACHED, "fabric ib-1 now gives 200Gbps per member, less than the 400Gbps asked for"));
        // a contract that asked for no RDMA fabric is not held to the one it happened to be bound on
        assertThat(check(contract(FabricRequest.ANY, TopologyRequest.ANY), node(g -> g))).isEmpty();
        // nor to a bandwidth it did not ask for
        assertThat(check(contract(new FabricRequest(true, 0), TopologyRequest.ANY), node(g -> g), ib(f -> f.linkBandwidthGbps(1)))).isEmpty();
    }

    @Test
    void aGpuThatLeftTheMembersNvlinkDomainOrNumaNodeBreachesItsTopology() {
        assertThat(check(ONE_DOMAIN_ONE_NUMA, node(g -> g.toBuilder().interconnectDomain("nvl-2").build()))).containsExactly(
                new Finding("trainer", "members.trainer.topology.nvlinkDomain", CommitmentStatus.BREACHED, "GPU " + GPU1 + " on node " + NODE
                        + " is now in NVLink domain nvl-2, not in nvl-1 with the member's other GPUs"));
        assertThat(check(ONE_DOMAIN_ONE_NUMA, node(g -> g.toBuilder().interconnectDomain(null).build()))).extracting(Finding::evidence)
                .containsExactly("GPU " + GPU1 + " on node " + NODE + " is now in no NVLink domain, not in nvl-1 with the member's other GPUs");
        assertThat(check(ONE_DOMAIN_ONE_NUMA, node(g -> g.toBuilder().numaNode(0).build()))).containsExactly(new Finding("trainer",
                "members.trainer.topology.numaAligned", CommitmentStatus.BREACHED, "GPU " + GPU1 + " on node " + NODE + " is now on NUMA node 0, "
                        + "where the member's GPUs were placed on NUMA node 1"));
        assertThat(check(ONE_DOMAIN_ONE_NUMA, node(g -> g.toBuilder().numaNode(-1).build()))).containsExactly(new Finding("trainer",
                "members.trainer.topology.numaAligned", CommitmentStatus.AT_RISK, "GPU " + GPU1 + " on node " + NODE + " is on a NUMA node no "
                        + "longer known, where the member's GPUs were placed on NUMA node 1"));
        // a member that asked for neither is not held to where its GPUs happened to be
        assertThat(check(contract(FabricRequest.ANY, TopologyRequest.ANY), node(g -> g.toBuilder().interconnectDomain("nvl-2").numaNode(0)
                .build()))).isEmpty();
    }
}
