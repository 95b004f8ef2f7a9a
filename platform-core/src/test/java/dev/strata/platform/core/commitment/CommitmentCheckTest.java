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
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** One case per clause the verifier re-reads, each with the status and the evidence it gives. */
class CommitmentCheckTest {

    static final String NODE = "fra-1-h100-03";
    static final Set<String> EU_DE = Set.of("EU", "DE");

    static Site fra1() {
        return Site.builder().id("fra-1").providerId("declared").country("DE").jurisdictions(EU_DE)
                .operator(new Operator("EU Colo GmbH", EU_DE)).build();
    }

    static Accelerator gpu(String id, String model, Health health) {
        return Accelerator.builder().id(id).vendor("NVIDIA").model(model).memoryBytes(80L << 30).nodeId(NODE).numaNode(0).health(health).build();
    }

    static Node node() {
        List<CpuCore> cores = new ArrayList<>();
        for (int c = 0; c < 32; c++) {
            cores.add(new CpuCore(c, CpuSet.of(c)));
        }
        CpuTopology cpu = new CpuTopology(List.of(new CpuPackage(0, "x", "x", cores)), CpuSet.parseList("0-31"), CpuSet.EMPTY);
        return Node.builder().id(NODE).providerId("declared").siteId("fra-1").kind(NodeKind.DECLARED).cpu(cpu).memoryBytes(512L << 30)
                .accelerators(List.of(gpu(NODE + "/gpu0", "NVIDIA H100 80GB HBM3", Health.OK), gpu(NODE + "/gpu1", "NVIDIA H100 80GB HBM3", Health.OK)))
                .build();
    }

    static Contract contract(Isolation isolation, boolean allowDegraded) {
        Member trainer = new Member("trainer", 8000, 64L << 30, new GpuRequest(2, Set.of("H100"), 0, 1, null, allowDegraded),
                TopologyRequest.ANY, 0);
        return new Contract("train", "t1", 10, List.of(trainer), FabricRequest.ANY,
                new Sovereignty(Set.of("DE", "FR"), Set.of("EU"), Set.of("US"), "confidential"), isolation);
    }

    static Allocation allocation(String id, String tenant, boolean dedicated, String node, String... gpus) {
        return new Allocation(id, "train", tenant, 10, dedicated, Instant.parse("2025-01-01T00:00:00Z"),
                List.of(new MemberBinding("trainer", node, "fra-1", List.of(gpus), 1, null, 0, null, 8000, 64L << 30, 700, null)));
    }

    static final Allocation PLACED = allocation("a-1", "t1", false, NODE, NODE + "/gpu0", NODE + "/gpu1");
    static final Allocation DEDICATED = allocation("a-1", "t1", true, NODE, NODE + "/gpu0", NODE + "/gpu1");

    static InventorySnapshot inventory(Site site, Node... nodes) {
        return new InventorySnapshot(7, Instant.now(), List.of(site), List.of(nodes), List.of(), List.of(), List.of(), List.of());
    }

    static Node withGpu(int index, UnaryOperator<Accelerator> change) {
        Node n = node();
        List<Accelerator> gpus = new ArrayList<>(n.accelerators());
        gpus.set(index, change.apply(gpus.get(index)));
        return n.withAccelerators(gpus);
    }

    static CommitmentCheck.Verdict check(Allocation a, Contract c, InventorySnapshot inventory) {
        return CommitmentCheck.check(a, c, inventory, List.of(a));
    }

    private static void assertOne(CommitmentCheck.Verdict v, CommitmentStatus status, String clause, String evidence) {
        assertThat(v.status()).isEqualTo(status);
        assertThat(v.findings()).containsExactly(new Finding("trainer", clause, status, evidence));
    }

    @Test
    void whatPlacementBoundIsHonoredWhileNothingChanged() {
        CommitmentCheck.Verdict v = check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), node()));
        assertThat(v.status()).isEqualTo(CommitmentStatus.HONORED);
        assertThat(v.findings()).isEmpty();
    }

    @Test
    void aSiteWhoseCountryChangedIsABreach() {
        Site moved = fra1().toBuilder().country("US").build();
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(moved, node())), CommitmentStatus.BREACHED,
                "sovereignty.countries", "node fra-1-h100-03 is at site fra-1, country US, not in [DE, FR]");
    }

    @Test
    void aNodeNowAtAnotherSiteIsJudgedThereAndSaysWhereItWasPlaced() {
        Site us = Site.builder().id("us-east").providerId("declared").country("US").jurisdictions(Set.of("EU"))
                .operator(new Operator("EU Colo GmbH", EU_DE)).build();
        InventorySnapshot inv = new InventorySnapshot(7, Instant.now(), List.of(fra1(), us), List.of(node().toBuilder().siteId("us-east").build()),
                List.of(), List.of(), List.of(), List.of());
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inv), CommitmentStatus.BREACHED, "sovereignty.countries",
                "node fra-1-h100-03 (placed at site fra-1) is at site us-east, country US, not in [DE, FR]");
    }

    @Test
    void aSiteNoLongerUnderAnAllowedJurisdictionIsABreach() {
        Site site = fra1().toBuilder().jurisdictions(Set.of("CH")).build();
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(site, node())), CommitmentStatus.BREACHED,
                "sovereignty.jurisdictions", "node fra-1-h100-03 is at site fra-1, under [CH], none of [EU]");
    }

    @Test
    void anOperatorNowSubjectToAnExcludedJurisdictionIsABreach() {
        Site sold = fra1().toBuilder().operator(new Operator("US Cloud Inc.", Set.of("US", "EU", "DE"))).build();
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(sold, node())), CommitmentStatus.BREACHED,
                "sovereignty.excludeOperatorJurisdictions",
                "node fra-1-h100-03 is at site fra-1, operator US Cloud Inc. subject to [DE, EU, US], excluded [US]");
    }

    @Test
    void aSiteWhoseOperatorIsNoLongerKnownIsAtRisk() {
        Site unknown = fra1().toBuilder().operator(null).build();
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(unknown, node())), CommitmentStatus.AT_RISK,
                "sovereignty.excludeOperatorJurisdictions", "node fra-1-h100-03 is at site fra-1, operator unknown, cannot exclude [US]");
    }

    @Test
    void aNodeGoneFromTheInventoryIsABreach() {
        Node other = node().toBuilder().id("fra-1-h100-04").build();
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), other)), CommitmentStatus.BREACHED,
                "members.trainer.node", "node fra-1-h100-03 is no longer in the inventory");
    }

    @Test
    void aStaleNodeIsAtRiskNamingItsProvider() {
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), node().withState(ResourceState.STALE))),
                CommitmentStatus.AT_RISK, "members.trainer.node", "node fra-1-h100-03 is STALE: its provider declared no longer reports it");
    }

    @Test
    void aDrainingOrUnavailableNodeIsAtRisk() {
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), node().withState(ResourceState.DRAINING))),
                CommitmentStatus.AT_RISK, "members.trainer.node", "node fra-1-h100-03 is DRAINING");
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), node().withState(ResourceState.UNAVAILABLE))),
                CommitmentStatus.AT_RISK, "members.trainer.node", "node fra-1-h100-03 is UNAVAILABLE");
    }

    @Test
    void aFailedGpuIsABreachWithItsReasons() {
        Node n = withGpu(1, a -> a.toBuilder().health(new Health(Health.Status.FAILED, List.of("XID 79: fell off the bus"))).build());
        assertOne(check(PLACED, contract(Isolation.SHARED, true), inventory(fra1(), n)), CommitmentStatus.BREACHED, "members.trainer.gpus",
                "GPU fra-1-h100-03/gpu1 on node fra-1-h100-03 has FAILED (XID 79: fell off the bus)");
    }

    @Test
    void aDegradedGpuIsAtRiskUnlessTheMemberAllowsDegradedGpus() {
        Node n = withGpu(1, a -> a.toBuilder().health(new Health(Health.Status.DEGRADED, List.of("row remap pending"))).build());
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), n)), CommitmentStatus.AT_RISK,
                "members.trainer.gpus.allowDegraded",
                "GPU fra-1-h100-03/gpu1 on node fra-1-h100-03 is DEGRADED (row remap pending); the member does not allow degraded GPUs");
        CommitmentCheck.Verdict allowed = check(PLACED, contract(Isolation.SHARED, true), inventory(fra1(), n));
        assertThat(allowed.status()).isEqualTo(CommitmentStatus.HONORED);
        assertThat(allowed.findings()).isEmpty();
    }

    @Test
    void aGpuOfUnknownHealthIsHonored() {
        Node n = withGpu(0, a -> a.toBuilder().health(Health.UNKNOWN).build());
        assertThat(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), n)).status()).isEqualTo(CommitmentStatus.HONORED);
    }

    @Test
    void aGpuGoneFromItsNodeIsABreach() {
        Node n = node().withAccelerators(List.of(node().accelerators().get(0)));
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), n)), CommitmentStatus.BREACHED, "members.trainer.gpus",
                "GPU fra-1-h100-03/gpu1 is no longer on node fra-1-h100-03");
    }

    @Test
    void aGpuNoLongerOfAnAllowedModelIsABreachModelsMatchedAsWholeWords() {
        Node n = withGpu(0, a -> a.toBuilder().model("NVIDIA A100-SXM4-80GB").build());
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), n)), CommitmentStatus.BREACHED,
                "members.trainer.gpus.models", "GPU fra-1-h100-03/gpu0 on node fra-1-h100-03 is a NVIDIA A100-SXM4-80GB, not one of [H100]");
        assertThat(CommitmentCheck.wordOf("NVIDIA h100 PCIe", "H100")).isTrue();
        assertThat(CommitmentCheck.wordOf("NVIDIA A100-SXM4-80GB", "A100")).isTrue();
        assertThat(CommitmentCheck.wordOf("NVIDIA A100-SXM4-80GB", "A10")).isFalse();
        assertThat(CommitmentCheck.wordOf("NVIDIA H100", "H10")).isFalse();
    }

    @Test
    void aNodeNowDedicatedToAnotherTenantIsABreachForSharedAndDedicatedContracts() {
        Node owned = node().toBuilder().ownerTenant("t2").build();
        assertOne(check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), owned)), CommitmentStatus.BREACHED, "isolation",
                "node fra-1-h100-03 is dedicated to tenant t2, not t1");
        assertOne(check(DEDICATED, contract(Isolation.DEDICATED_NODE, false), inventory(fra1(), owned)), CommitmentStatus.BREACHED, "isolation",
                "node fra-1-h100-03 is dedicated to tenant t2, not t1");
        Node ours = node().toBuilder().ownerTenant("t1").build();
        assertThat(check(DEDICATED, contract(Isolation.DEDICATED_NODE, false), inventory(fra1(), ours)).status()).isEqualTo(CommitmentStatus.HONORED);
    }

    /** A tenant's user is shown the isolation findings without the other tenant and its allocation; other evidence as it is. */
    @Test
    void theIsolationFindingsNameNoOtherTenantToATenantsUser() {
        assertThat(CommitmentCheck.withoutOtherTenants("node n-1 also holds allocation a-7 of tenant bank, payments; isolation "
                + "dedicated-node allows no other tenant", "t1"))
                .isEqualTo("node n-1 also holds an allocation of another tenant; isolation dedicated-node allows no other tenant");
        assertThat(CommitmentCheck.withoutOtherTenants("node n-1 is dedicated to tenant bank-payments, not t1", "t1"))
                .isEqualTo("node n-1 is dedicated to another tenant, not t1");
        assertThat(CommitmentCheck.withoutOtherTenants("node n-1 is DRAINING", "t1")).isEqualTo("node n-1 is DRAINING");
        assertThat(CommitmentCheck.withoutOtherTenants("GPU g-1 on node n-1 has FAILED", "t1")).isEqualTo("GPU g-1 on node n-1 has FAILED");
    }

    @Test
    void anotherTenantsAllocationOnADedicatedNodeIsABreachOfTheDedicatedOneOnly() {
        Allocation theirs = allocation("a-2", "t2", false, NODE);
        Allocation mineToo = allocation("a-3", "t1", false, NODE);
        List<Allocation> ledger = List.of(DEDICATED, theirs, mineToo);
        CommitmentCheck.Verdict v = CommitmentCheck.check(DEDICATED, contract(Isolation.DEDICATED_NODE, false), inventory(fra1(), node()), ledger);
        assertOne(v, CommitmentStatus.BREACHED, "isolation",
                "node fra-1-h100-03 also holds allocation a-2 of tenant t2; isolation dedicated-node allows no other tenant");
        // a shared contract allows other tenants beside it
        CommitmentCheck.Verdict shared = CommitmentCheck.check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), node()),
                List.of(PLACED, theirs));
        assertThat(shared.status()).isEqualTo(CommitmentStatus.HONORED);
    }

    @Test
    void theStatusIsTheWorstFindingAndEveryFindingIsListed() {
        Node n = withGpu(1, a -> a.toBuilder().health(new Health(Health.Status.FAILED, List.of())).build()).withState(ResourceState.STALE);
        CommitmentCheck.Verdict v = check(PLACED, contract(Isolation.SHARED, false), inventory(fra1(), n));
        assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
        assertThat(v.findings()).extracting(Finding::status).containsExactly(CommitmentStatus.AT_RISK, CommitmentStatus.BREACHED);
        assertThat(v.findings().get(1).evidence()).isEqualTo("GPU fra-1-h100-03/gpu1 on node fra-1-h100-03 has FAILED");
    }

    /**
     * A member bound to a launch slot is checked against its offer's site; once the offer is gone
     * (its provider dropped past the grace period, the shape no longer offered in the zone) the
     * facts are no longer known: AT_RISK. Before, nothing was said and the verdict stayed HONORED,
     * and a node whose id merely ended in {@code #<digits>} was taken for a slot and skipped when it
     * left the inventory.
     */
    @Test
    void aMemberBoundToCloudCapacityIsCheckedAgainstTheOffersSiteWhileTheOfferIsThere() {
        Site zone = Site.builder().id("eu-central-1a").providerId("aws").country("US").jurisdictions(EU_DE)
                .operator(new Operator("EU Colo GmbH", EU_DE)).build();
        Node shape = node().toBuilder().id("aws:eu-central-1a:p5.48xlarge").siteId("eu-central-1a").build();
        CapacityOffer offer = CapacityOffer.builder().id("aws:eu-central-1a:p5.48xlarge").providerId("aws").siteId("eu-central-1a")
                .shape("p5.48xlarge").machine(shape).limit(4).build();
        Allocation onOffer = allocation("a-9", "t1", false, "aws:eu-central-1a:p5.48xlarge#0", "aws:eu-central-1a:p5.48xlarge#0/gpu0");
        InventorySnapshot with = new InventorySnapshot(7, Instant.now(), List.of(fra1(), zone), List.of(), List.of(), List.of(), List.of(),
                List.of(offer));
        assertOne(check(onOffer, contract(Isolation.SHARED, false), with), CommitmentStatus.BREACHED, "sovereignty.countries",
                "offer aws:eu-central-1a:p5.48xlarge is at site eu-central-1a, country US, not in [DE, FR]");
        CommitmentCheck.Verdict without = check(onOffer, contract(Isolation.SHARED, false), inventory(fra1()));
        assertOne(without, CommitmentStatus.AT_RISK, "members.trainer.node", "neither node aws:eu-central-1a:p5.48xlarge#0 nor offer "
                + "aws:eu-central-1a:p5.48xlarge is in the inventory any more; what the member was placed on cannot be checked");

        // a bare-metal node named like a slot, gone from the inventory
        Allocation onRack = allocation("a-10", "t1", false, "rack-7#12", "rack-7#12/gpu0");
        assertThat(check(onRack, contract(Isolation.SHARED, false), inventory(fra1())).status()).isEqualTo(CommitmentStatus.AT_RISK);
    }

    @Test
    void withoutTheContractTheNodesAndGpusAreStillCheckedAndTheVerdictIsAtRiskAtBest() {
        CommitmentCheck.Verdict v = check(PLACED, null, inventory(fra1(), node()));
        assertThat(v.status()).isEqualTo(CommitmentStatus.AT_RISK);
        assertThat(v.findings()).containsExactly(new Finding("*", "contract", CommitmentStatus.AT_RISK,
                "contract train is not in the store or cannot be read; its sovereignty and GPU clauses cannot be verified"));
        Node gone = node().withAccelerators(List.of());
        assertThat(check(PLACED, null, inventory(fra1(), gone)).status()).isEqualTo(CommitmentStatus.BREACHED);
    }

    /**
     * A contract stored without the member an allocation binds (an older allocation's) leaves what the member asked for
     * unverified: AT_RISK, once per member, naming the contract and the member, as a contract not known at all is. Before,
     * the member's GPU, topology and power clauses were skipped without a word and the allocation read HONORED; the
     * contract's own clauses (sovereignty) and the nodes and GPUs are still checked.
     */
    @Test
    void aContractWithoutTheBoundMemberIsAtRiskNotHonored() {
        Contract renamed = new Contract("train", "t1", 10, List.of(new Member("worker", 8000, 64L << 30,
                new GpuRequest(2, Set.of("H100"), 0, 1, null, false), TopologyRequest.ANY, 600)), FabricRequest.ANY,
                contract(Isolation.SHARED, false).sovereignty(), Isolation.SHARED);
        String evidence = "contract train as stored has no member trainer, which the allocation binds; the member's GPU, topology and"
                + " power clauses cannot be verified";
        assertOne(check(PLACED, renamed, inventory(fra1(), node())), CommitmentStatus.AT_RISK, "members.trainer", evidence);

        Allocation twice = new Allocation("a-1", "train", "t1", 10, false, Instant.parse("2025-01-01T00:00:00Z"), List.of(
                new MemberBinding("trainer", NODE, "fra-1", List.of(NODE + "/gpu0"), 1, null, 0, null, 8000, 64L << 30, 700, null),
                new MemberBinding("trainer", NODE, "fra-1", List.of(NODE + "/gpu1"), 1, null, 0, null, 8000, 64L << 30, 700, null)));
        assertOne(check(twice, renamed, inventory(fra1(), node())), CommitmentStatus.AT_RISK, "members.trainer", evidence);

        CommitmentCheck.Verdict moved = check(PLACED, renamed, inventory(fra1().toBuilder().country("US").build(), node()));
        assertThat(moved.status()).as("the contract's sovereignty is still checked").isEqualTo(CommitmentStatus.BREACHED);
        assertThat(moved.findings()).extracting(Finding::clause).containsExactly("members.trainer", "sovereignty.countries");
    }
}
