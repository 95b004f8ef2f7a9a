package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.contract.ContractDocumentReader;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The defects found when placement was checked clause by clause and against exhaustive search,
 * each as its minimal case. Every inventory has the site {@code s1} (DE, under EU and DE).
 */
class PlacementIssueCasesTest {

    private final ContractDocumentReader reader = new ContractDocumentReader();

    /** MIG on an H100 as nvidia-smi mig -lgipp lists it (shared/fixtures/nvidia/h100-vm). */
    static final List<PartitionProfile> H100_MIG = dev.strata.platform.core.placement.packing.MigTableTest.h100();

    private Contract contract(String yaml) {
        return reader.read(yaml, "test");
    }

    private static PlacementService service(Infra infra) {
        return new PlacementService(infra.inventory(), new InMemoryLedger(), "strata", Clock.systemUTC());
    }

    /** The issue's {@code h100p}: 16 cores, 256 GiB, 500-1500 W, one H100 PCIe 80 GiB at 350 W with MIG. */
    private static Infra h100p() {
        return new Infra().s1().node("n1", "s1", null, 16, 256, 1, "NVIDIA H100 PCIe", 80, 0, 1, 350, 1500).mig("n1", H100_MIG);
    }

    /** Every member's rows add up to the nodes considered: each node counted once. */
    private static void everyNodeCountedOnce(PlacementDecision d) {
        Map<String, Integer> perMember = d.rejections().stream().filter(r -> !r.member().equals("*"))
                .collect(Collectors.groupingBy(Rejection::member, Collectors.summingInt(Rejection::nodes)));
        assertThat(perMember).isNotEmpty();
        perMember.forEach((member, nodes) -> assertThat(nodes).as("nodes counted for %s", member).isEqualTo(d.nodesConsidered()));
    }

    @Test
    void case1_migPartitionsAreNotOverCommitted() {
        PlacementService service = service(h100p());
        PlacementDecision five = service.place(contract("""
                {name: five, tenant: t1, members: [{name: w, replicas: 5, cpu: 1, gpus: {partition: 1g.20gb}}]}"""), false);
        assertThat(five.placed()).as("the GPU allows four 1g.20gb").isFalse();
        assertThat(five.summary()).isEqualTo("not placed: every member fits on some node, but not all of them at once");
        everyNodeCountedOnce(five);
        PlacementDecision four = service.place(contract("""
                {name: four, tenant: t1, members: [{name: w, replicas: 4, cpu: 1, gpus: {partition: 1g.20gb}}]}"""), false);
        assertThat(four.placed()).isTrue();
        assertThat(four.bindings()).extracting(MemberBinding::partitionSlot).containsExactlyInAnyOrder(0, 2, 4, 6);
        assertThat(four.evidence()).extracting(ClauseEvidence::toString).anyMatch(e -> e.matches(
                "members.w-0.gpus: partition 1g.20gb at slot \\d of 1x NVIDIA H100 PCIe \\(80 GiB each\\): n1/gpu0"));
        assertThat(service.place(contract("{name: one, tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.10gb}}]}"), true).placed())
                .as("no memory slot left").isFalse();
    }

    @Test
    void case2_aGpuFillsExactlyAsFarAsItsTableAllows() {
        PlacementService service = service(h100p());
        PlacementDecision fourPlusThree = service.place(contract("""
                {name: a, tenant: t1, members: [{name: big, cpu: 1, gpus: {partition: 4g.40gb}}, {name: small, cpu: 1, gpus: {partition: 3g.40gb}}]}"""),
                true);
        assertThat(fourPlusThree.placed()).isTrue();
        assertThat(fourPlusThree.bindings()).extracting(MemberBinding::partition, MemberBinding::partitionSlot)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("4g.40gb", 0), org.assertj.core.groups.Tuple.tuple("3g.40gb", 4));
        PlacementDecision seven = service.place(contract("""
                {name: b, tenant: t1, members: [{name: w, replicas: 7, cpu: 1, gpus: {partition: 1g.10gb}}]}"""), false);
        assertThat(seven.placed()).isTrue();
        assertThat(seven.bindings()).extracting(MemberBinding::partitionSlot).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    }

    /** The issue's a100x4 (big-mem) and l40sx4 (small-mem). */
    private static Infra twoMemories() {
        return new Infra().s1()
                .node("big-mem", "s1", null, 4, 64, 4, "NVIDIA A100-SXM4-80GB", 80, 0, 1, 400, 2600)
                .node("small-mem", "s1", null, 8, 32, 4, "NVIDIA L40S", 48, 0, 1, 350, 2000);
    }

    @Test
    void case3_gangMembersAreNotBoundOneByOneWithoutBacktracking() {
        Infra infra = twoMemories();
        Contract gang = contract("{name: g, tenant: t1, members: [{name: db, cpu: 1, memory: 64GiB}, {name: gpu, cpu: 1, memory: 32GiB, gpus: 1}]}");
        assertThat(greedyAlone(infra, gang)).as("the policy alone binds gpu to big-mem first, then db fits nowhere").isFalse();
        PlacementDecision d = service(infra).place(gang, false);
        assertThat(d.placed()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::member, MemberBinding::nodeId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("db", "big-mem"), org.assertj.core.groups.Tuple.tuple("gpu", "small-mem"));
    }

    @Test
    void case3_theSameThroughCpu() {
        Infra infra = new Infra().s1()
                .node("big-cpu", "s1", null, 8, 256, 2, "NVIDIA A100-SXM4-80GB", 80, 0, 1, 400, 2600)
                .node("small-cpu", "s1", null, 4, 256, 4, "NVIDIA A100-SXM4-80GB", 80, 0, 1, 400, 2600);
        Contract gang = contract("{name: g, tenant: t1, members: [{name: cpu, cpu: 8}, {name: gpu, cpu: 1, gpus: 1}]}");
        assertThat(greedyAlone(infra, gang)).isFalse();
        PlacementDecision d = service(infra).place(gang, true);
        assertThat(d.bindings()).extracting(MemberBinding::member, MemberBinding::nodeId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu", "big-cpu"), org.assertj.core.groups.Tuple.tuple("gpu", "small-cpu"));
    }

    @Test
    void case3_theSameThroughPowerBudgets() {
        // each node holds both members' GPUs, but the L40S rack's 1 kW budget holds only one of them
        Infra infra = new Infra().s1().domain("rack-l", "s1", 1_000).domain("rack-a", "s1", 2_500)
                .node("l40s", "s1", "rack-l", 64, 1024, 7, "NVIDIA L40S", 48, 0, 1, 300, 2600)
                .node("a100", "s1", "rack-a", 64, 1024, 5, "NVIDIA A100-SXM4-80GB", 80, 0, 1, 300, 2000);
        Contract gang = contract("{name: g, tenant: t1, members: [{name: x, cpu: 1, gpus: 2}, {name: y, cpu: 1, gpus: {count: 2, models: [L40S]}}]}");
        assertThat(greedyAlone(infra, gang)).as("the policy puts x on the L40S node first").isFalse();
        PlacementDecision d = service(infra).place(gang, true);
        assertThat(d.placed()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::member, MemberBinding::nodeId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("x", "a100"), org.assertj.core.groups.Tuple.tuple("y", "l40s"));
    }

    /** Whether the packing policy's member-by-member binding alone places the gang. */
    private static boolean greedyAlone(Infra infra, Contract contract) {
        PlacementModel model = new PlacementModel(new InventoryIndex(infra.snapshot()), PackingPolicies.byName("strata"),
                PackingPolicies.typicalDemands());
        GangBinder binder = new GangBinder(model, new NodeFilter(model, contract));
        return binder.greedy(contract.members(), null, false).isPresent();
    }

    @Test
    void case4_theRdmaPrefilterCountsEveryMembersNodesAndPartitionsAsShares() {
        Infra infra = new Infra().s1()
                .node("four", "s1", null, 64, 512, 4, "NVIDIA H100 80GB HBM3", 80, 4, 1, 700, 6000)
                .node("eight", "s1", null, 112, 2048, 8, "NVIDIA H100 80GB HBM3", 80, 8, 2, 700, 10_200)
                .rdma("ib", "s1", 400, "four", "eight");
        PlacementDecision d = service(infra).place(contract("""
                {name: g, tenant: t1, fabric: {rdma: true}, members: [{name: big, gpus: 8}, {name: small, gpus: 1}]}"""), true);
        assertThat(d.placed()).as("was refused: no RDMA fabric has 9 free GPUs (most: ib with 8)").isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("eight", "four");

        Infra one = h100p().rdma("ib", "s1", 400, "n1");
        PlacementDecision migs = service(one).place(contract("""
                {name: m, tenant: t1, fabric: {rdma: true}, members: [{name: w, replicas: 2, cpu: 1, gpus: {partition: 1g.10gb}}]}"""), true);
        assertThat(migs.placed()).as("two 1g.10gb are 2/7 of one GPU, not two GPUs").isTrue();
    }

    @Test
    void case5_rdmaRefusalsCountEveryNodeAndBlameTheFabricNotAMember() {
        Infra infra = new Infra().s1()
                .h100("a1", "s1", null).h100("a2", "s1", null).h100("b1", "s1", null).h100("off", "s1", null)
                .rdma("ib-a", "s1", 400, "a1", "a2").rdma("ib-b", "s1", 400, "b1");
        PlacementDecision d = service(infra).place(contract("""
                {name: g, tenant: t1, fabric: {rdma: true}, members: [{name: w, replicas: 3, gpus: 8}]}"""), true);
        assertThat(d.placed()).isFalse();
        assertThat(d.nodesConsidered()).isEqualTo(4);
        everyNodeCountedOnce(d);
        assertThat(d.rejections()).extracting(Rejection::toString).contains("3 nodes: " + DecisionExplainer.FITS_ALONE_RDMA,
                "1 node: not on an RDMA fabric");
        assertThat(d.summary()).isEqualTo("not placed: no RDMA fabric has the free GPUs the gang needs on nodes that meet the contract");
        assertThat(d.rejections()).extracting(Rejection::toString).contains(
                "RDMA fabric ib-a has 16 free GPUs on nodes that meet the contract; the gang needs 24",
                "no RDMA fabric has 24 free GPUs on nodes that meet the contract (most: ib-a with 16)");
        // a fabric with room whose power domain cannot take the whole gang: the fabric is blamed, every node counted once
        Infra racked = new Infra().s1().domain("rack", "s1", 15_000)
                .h100("a1", "s1", "rack").h100("a2", "s1", "rack").h100("a3", "s1", "rack").h100("b1", "s1", null).h100("off", "s1", null)
                .rdma("ib-a", "s1", 400, "a1", "a2", "a3").rdma("ib-b", "s1", 400, "b1");
        PlacementDecision tight = service(racked).place(contract("""
                {name: g, tenant: t1, fabric: {rdma: true}, members: [{name: w, replicas: 3, gpus: 8}]}"""), true);
        assertThat(tight.placed()).isFalse();
        everyNodeCountedOnce(tight);
        assertThat(tight.rejections()).extracting(Rejection::toString).contains("4 nodes: " + DecisionExplainer.FITS_ALONE_RDMA,
                "1 node: not on an RDMA fabric", "the gang does not fit on RDMA fabric ib-a (24 free GPUs on nodes that meet the contract)");
        assertThat(tight.summary()).isEqualTo("not placed: every member fits on some node, but the gang fits on no single RDMA fabric "
                + "(1 fabric with room tried)");
    }

    /**
     * The RDMA refusal writes free GPUs exactly, in the thousandths placement counts in. Before, two
     * decimals wrote 1.999 free GPUs as 2.00, beside a gang that needs 2 and was refused for it.
     */
    @Test
    void case5_rdmaRefusalsWriteFreeGpusInTheThousandthsTheyAreCountedIn() {
        Infra infra = new Infra().s1()
                .node("a", "s1", null, 8, 64, 1, "NVIDIA H100", 80, 0, 1, 700, 0)
                .node("b", "s1", null, 8, 64, 1, "NVIDIA H100", 80, 0, 1, 700, 0)
                .rdma("ib-a", "s1", 400, "a", "b");
        PlacementService service = service(infra);
        assertThat(service.place(contract("{name: x, tenant: u, members: [{name: m, gpus: {fraction: 0.001}}]}"), false).placed()).isTrue();
        PlacementDecision d = service.place(contract("""
                {name: g, tenant: t1, fabric: {rdma: true}, members: [{name: w, replicas: 2, gpus: 1}]}"""), true);
        assertThat(d.placed()).isFalse();
        assertThat(d.rejections()).extracting(Rejection::toString).contains(
                "RDMA fabric ib-a has 1.999 free GPUs on nodes that meet the contract; the gang needs 2",
                "no RDMA fabric has 2 free GPUs on nodes that meet the contract (most: ib-a with 1.999)");
    }

    @Test
    void case5_aPowerCeilingWithoutAPowerDomainHasEvidenceAndIsHeldAgainstTheNodesMaximumDraw() {
        Infra infra = new Infra().s1().node("n", "s1", null, 64, 512, 4, "NVIDIA L40S", 48, 0, 1, 350, 2000);
        PlacementService service = service(infra);
        PlacementDecision first = service.place(contract("{name: a, tenant: t1, members: [{name: m, cpu: 1, gpus: 1, power: 1200W}]}"), false);
        assertThat(first.placed()).as(first.summary()).isTrue();
        assertThat(first.evidence()).extracting(ClauseEvidence::toString).contains("members.m.power: ceiling 1.2 kW, estimated draw 359 W; "
                + "node n is in no power domain: holds 1.2 kW against its maximum draw of 2.0 kW (1.2 kW held)");
        PlacementDecision second = service.place(contract("{name: b, tenant: t1, members: [{name: m, cpu: 1, gpus: 1, power: 1200W}]}"), true);
        assertThat(second.placed()).as("1.2 + 1.2 kW over the node's 2.0 kW").isFalse();
        assertThat(second.rejections()).extracting(Rejection::toString)
                .containsExactly("1 node: in no power domain, and its maximum draw of 2.0 kW has no room for it");
        everyNodeCountedOnce(second);
    }

    @Test
    void case6_aDryRunAgreesWithThePlacementAfterIt() {
        Infra infra = new Infra().s1().h100("n1", "s1", null).h100("n2", "s1", null).h100("n3", "s1", null).owner("n1", "other");
        PlacementService service = service(infra);
        Contract one = contract("{name: c, tenant: t1, members: [{name: m, gpus: 1}]}");
        for (int i = 0; i < 12; i++) {
            PlacementDecision dry = service.place(one, true);
            PlacementDecision real = service.place(one, false);
            assertThat(real.bindings()).as("placement %d", i).isEqualTo(dry.bindings());
        }
        assertThat(service.allocations().get(0).bindings().get(0).nodeId()).isEqualTo("n2");
    }

    @Test
    void case7_failedGpusAreNeverPlacedOnAndDegradedOnlyWhenAllowed() {
        Infra infra = new Infra().s1().h100("n", "s1", null).health("n", 0, Health.Status.FAILED).health("n", 1, Health.Status.DEGRADED);
        PlacementService service = service(infra);
        PlacementDecision eight = service.place(contract("{name: a, tenant: t1, members: [{name: m, gpus: 8}]}"), true);
        assertThat(eight.placed()).isFalse();
        assertThat(eight.rejections()).extracting(Rejection::toString)
                .containsExactly("1 node: has 6 healthy GPUs, fewer than 8 (1 failed, 1 degraded, not allowed)");
        PlacementDecision seven = service.place(contract("{name: a, tenant: t1, members: [{name: m, gpus: {count: 7, allowDegraded: true}}]}"),
                true);
        assertThat(seven.bindings().get(0).acceleratorIds()).doesNotContain("n/gpu0").contains("n/gpu1");
        for (int i = 0; i < 6; i++) {
            PlacementDecision d = service.place(contract("{name: b, tenant: t1, members: [{name: m, gpus: 1}]}"), false);
            assertThat(d.bindings().get(0).acceleratorIds()).doesNotContain("n/gpu0", "n/gpu1");
        }
        assertThat(service.place(contract("{name: c, tenant: t1, members: [{name: m, gpus: {fraction: 0.1}}]}"), true).placed()).isFalse();
        assertThat(service.place(contract("{name: c, tenant: t1, members: [{name: m, gpus: {fraction: 0.1, allowDegraded: true}}]}"), true)
                .bindings().get(0).acceleratorIds()).containsExactly("n/gpu1");
    }

    /**
     * A FAILED GPU may be known only in part: the NVIDIA provider reports a GPU that its driver
     * cannot reach at all with model {@code unknown}, memory 0, no MIG profiles and unknown power
     * limits. As the node's first GPU it must not stand for the others: the node's GPU model,
     * memory, power limit and MIG table come from its first GPU that is not FAILED.
     */
    @Test
    void case7_aFailedFirstGpuKnownOnlyInPartDoesNotHideWhatTheOthersAre() {
        Infra infra = new Infra().s1().h100("n", "s1", null).mig("n", H100_MIG).change("n", n -> {
            List<dev.strata.platform.api.model.Accelerator> gpus = new java.util.ArrayList<>(n.accelerators());
            gpus.set(0, gpus.get(0).toBuilder().model("unknown").memoryBytes(0).partitionProfiles(List.of()).partitioningEnabled(false)
                    .power(dev.strata.platform.api.model.PowerLimits.UNKNOWN)
                    .health(new Health(Health.Status.FAILED, List.of("GPU 0 at PCI unknown cannot be read"))).build());
            return n.withAccelerators(gpus);
        });
        PlacementService service = service(infra);

        PlacementDecision seven = service.place(contract("{name: a, tenant: t1, members: [{name: m, gpus: {count: 7, models: [H100], "
                + "memory: 80GiB}, power: 9kW}]}"), true);
        assertThat(seven.placed()).as(seven.summary() + " " + seven.rejections()).isTrue();
        assertThat(seven.bindings().get(0).acceleratorIds()).hasSize(7).doesNotContain("n/gpu0");
        PlacementDecision partition = service.place(contract("{name: b, tenant: t1, members: [{name: m, cpu: 1, gpus: {partition: 1g.20gb}}]}"),
                true);
        assertThat(partition.placed()).as(partition.summary() + " " + partition.rejections()).isTrue();
        assertThat(partition.bindings().get(0).acceleratorIds()).doesNotContain("n/gpu0");
        PlacementDecision eight = service.place(contract("{name: c, tenant: t1, members: [{name: m, gpus: {count: 8, models: [H100]}}]}"),
                true);
        assertThat(eight.rejections()).extracting(Rejection::toString).containsExactly("1 node: has 7 healthy GPUs, fewer than 8 (1 failed)");
    }

    @Test
    void case8_capacityArithmeticIsOverflowChecked() {
        assertThat(PlacementModel.fits(0, PlacementModel.milliwatts(1_000_000), Long.MAX_VALUE)).as("a budget past the milliwatt range").isTrue();
        assertThat(PlacementModel.fits(Long.MAX_VALUE - 5, 5, Long.MAX_VALUE)).isTrue();
        assertThat(PlacementModel.fits(Long.MAX_VALUE - 5, 10, Long.MAX_VALUE)).as("no wrap-around").isFalse();
        assertThat(PlacementModel.fits(5_000_000, 18_000_000, 20_000)).as("18 kW more in a 20 kW rack holding 5 kW").isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PlacementModel.milliwatts(1e19)).isInstanceOf(ArithmeticException.class);
        // a rack holding 5 kW refuses an 18 kW contract (the bypass the issue found came from an overflowed counter)
        Infra infra = new Infra().s1().domain("rack", "s1", 20_000).h100("n1", "s1", "rack").h100("n2", "s1", "rack");
        PlacementService service = service(infra);
        assertThat(service.place(contract("{name: a, tenant: t1, members: [{name: m, cpu: 1, power: 5kW}]}"), false).placed()).isTrue();
        assertThat(service.place(contract("{name: b, tenant: t1, members: [{name: m, cpu: 1, power: 18kW}]}"), true).placed()).isFalse();
        assertThat(Set.of(1)).isNotEmpty();
    }

    // ---- issue 10: "Why not" lines ----------------------------------------------------------------

    private static void hold(InMemoryLedger ledger, String node, int gpus, double watts, String domain) {
        List<String> ids = new java.util.ArrayList<>();
        for (int g = 0; g < gpus; g++) {
            ids.add(node + "/gpu" + g);
        }
        ledger.commit(ledger.generation(), new dev.strata.platform.api.placement.Allocation("held-" + node, "earlier", "t1", 0, false,
                java.time.Instant.now(), List.of(new MemberBinding("m", node, "s1", ids, 1, null, -1, null, 0, 0, watts, domain))));
    }

    @Test
    void whyNotLinesAddUpToTheNodesConsideredAndNameTheFullPowerDomains() {
        Infra infra = new Infra().s1().site("us", "US", Set.of("US"), "US Cloud Inc.", Set.of("US"))
                .node("us-small", "us", null, 16, 128, 8, "NVIDIA H100 80GB HBM3", 80, 8, 2, 700, 10_200)
                .node("us-big", "us", null, 112, 2048, 8, "NVIDIA H100 80GB HBM3", 80, 8, 2, 700, 10_200);
        for (int r = 0; r < 5; r++) {
            infra.domain("rack-" + r, "s1", 5_000).h100("n" + r, "s1", "rack-" + r);
        }
        infra.domain("rack-x", "s1", 30_000).h100("full", "s1", "rack-x");
        // what the ledger holds: six GPUs of each racked node (4.2 kW of its rack's 5 kW), all eight of the last
        InMemoryLedger ledger = new InMemoryLedger();
        for (int r = 0; r < 5; r++) {
            hold(ledger, "n" + r, 6, 4_200, "rack-" + r);
        }
        hold(ledger, "full", 8, 5_600, "rack-x");
        PlacementService service = new PlacementService(infra.inventory(), ledger, "strata", Clock.systemUTC());
        PlacementDecision d = service.place(contract("""
                {name: late, tenant: t1, sovereignty: {countries: [DE]}, members: [{name: m, gpus: 2}]}"""), true);
        assertThat(d.placed()).isFalse();
        everyNodeCountedOnce(d);
        assertThat(d.rejections()).extracting(Rejection::toString).containsExactly(
                "5 nodes: in a power domain with no room for it: 5 domains full (rack-0, rack-1, rack-2 and 2 more)",
                "2 nodes: country US not in [DE]",
                "1 node: fewer than 2 free GPUs");
        InMemoryLedger one = new InMemoryLedger();
        hold(one, "n0", 6, 4_200, "rack-0");
        PlacementDecision named = new PlacementService(new Infra().s1().domain("rack-0", "s1", 5_000).h100("n0", "s1", "rack-0").inventory(), one,
                "strata", Clock.systemUTC()).place(contract("{name: x, tenant: t1, members: [{name: m, gpus: 2}]}"), true);
        assertThat(named.rejections()).extracting(Rejection::toString)
                .containsExactly("1 node: power domain rack-0 (rack): 4.2 kW of its 5.0 kW budget reserved, no room for it");
    }

    /**
     * Regression (found by {@link PlacementOracleTest}): the power ceiling was judged once per node
     * shape, and the shape left out the node's maximum draw, so two CPU nodes alike but for their
     * draw shared the first one's verdict. Here the first node draws little (a 12-CPU member is
     * estimated at 375 W of its 500 W), the second much (2,250 W of 3,000 W): only one node keeps
     * each member under 400 W, so two such members cannot both be placed.
     */
    @Test
    void aPowerCeilingIsJudgedOnEachNodesOwnDraw() {
        Infra infra = new Infra().s1().node("low", "s1", null, 16, 128, 0, null, 0, 0, 1, 0, 500)
                .node("high", "s1", null, 16, 128, 0, null, 0, 0, 1, 0, 3000);
        PlacementService service = service(infra);
        PlacementDecision two = service.place(contract("""
                {name: two, tenant: t1, members: [{name: w, replicas: 2, cpu: 12, power: 400W}]}"""), true);
        assertThat(two.placed()).as("%s", two.bindings()).isFalse();
        assertThat(two.rejections()).extracting(Rejection::reason)
                .anyMatch(r -> r.startsWith("would draw more than the power ceiling of 400 W"));
        everyNodeCountedOnce(two);
        PlacementDecision one = service.place(contract("""
                {name: one, tenant: t1, members: [{name: w, cpu: 12, power: 400W}]}"""), true);
        assertThat(one.bindings()).extracting(MemberBinding::nodeId).containsExactly("low");
    }

    /**
     * A node in a power domain the inventory does not hold (a typo in a BMC's configuration, a
     * declared inventory not loaded) was placed on with no power check at all: neither a domain's
     * budget nor its own maximum draw. Its budget is unknown, so it is not used, and the rejection
     * says why; the same for a node whose domain is there but under a parent that is not (the
     * parent's budget went unchecked). A node in a domain that is there, and one in none, still are.
     */
    @Test
    void aNodeInAPowerDomainTheInventoryLacksIsNotPlacedOn() {
        Infra infra = new Infra().s1().domain("rack-a01", "s1", 4_000)
                .node("typo", "s1", "rack-a0l", 16, 128, 0, null, 0, 0, 1, 0, 3000)
                .node("orphan", "s1", "rack-b01", 16, 128, 0, null, 0, 0, 1, 0, 3000)
                .node("racked", "s1", "rack-a01", 16, 128, 0, null, 0, 0, 1, 0, 3000)
                .node("loose", "s1", null, 16, 128, 0, null, 0, 0, 1, 0, 3000);
        infra.domains.add(new dev.strata.platform.api.model.PowerDomain("rack-b01", "rack", "s1", "hall-b", 4_000));
        PlacementService service = service(infra);
        PlacementDecision three = service.place(contract("""
                {name: three, tenant: t1, members: [{name: w, replicas: 3, cpu: 16}]}"""), true);
        assertThat(three.placed()).as("%s", three.bindings()).isFalse();
        assertThat(three.rejections()).anyMatch(r -> r.nodes() == 1
                && r.reason().equals("in power domain rack-a0l, which the inventory does not hold (its budget is unknown)"));
        assertThat(three.rejections()).anyMatch(r -> r.nodes() == 1
                && r.reason().equals("in power domain rack-b01, under hall-b, which the inventory does not hold (its budget is unknown)"));
        everyNodeCountedOnce(three);
        PlacementDecision two = service.place(contract("""
                {name: two, tenant: t1, members: [{name: w, replicas: 2, cpu: 16}]}"""), true);
        assertThat(two.bindings()).extracting(MemberBinding::nodeId).containsExactlyInAnyOrder("racked", "loose");
    }

    /** A CPU node (16 CPUs, 128 GiB, 3 kW) in the given power domain. */
    private static Infra cpuNode(Infra infra, String id, String domain) {
        return infra.node(id, "s1", domain, 16, 128, 0, null, 0, 0, 1, 0, 3000);
    }

    private static Allocation held(String id, String node, double watts, String domain) {
        return new Allocation(id, "earlier", "t1", 0, false, java.time.Instant.now(),
                List.of(new MemberBinding("m", node, "s1", List.of(), 1, null, -1, null, 1000, 0, watts, domain)));
    }

    private static PlacementModel model(Infra infra) {
        return new PlacementModel(new InventoryIndex(infra.snapshot()), PackingPolicies.byName("strata"), PackingPolicies.typicalDemands());
    }

    /**
     * The chain of power domains above a node was followed at most 16 levels up, so a budget
     * higher than that (a feed above PDUs, rows, halls) was neither held nor checked: placement
     * went past it. Here 20 domains are nested and only the top one has a budget, 1 kW: one 600 W
     * member fits under it, a second does not, and what the ledger holds is held at every level.
     */
    @Test
    void aBudgetAboveTheSixteenthLevelOfPowerDomainsIsHeld() {
        Infra infra = new Infra().s1();
        for (int k = 0; k < 20; k++) {
            infra.domains.add(new PowerDomain("level" + k, "feed", "s1", k < 19 ? "level" + (k + 1) : null, k < 19 ? 0 : 1_000));
        }
        cpuNode(cpuNode(infra, "a", "level0"), "b", "level0");
        PlacementService service = service(infra);
        PlacementDecision first = service.place(contract("{name: first, tenant: t1, members: [{name: w, cpu: 2, power: 600W}]}"), false);
        assertThat(first.placed()).as(first.summary()).isTrue();
        PlacementDecision second = service.place(contract("{name: second, tenant: t1, members: [{name: w, cpu: 2, power: 600W}]}"), true);
        assertThat(second.placed()).as("%s", second.bindings()).isFalse();
        assertThat(second.rejections()).extracting(Rejection::reason)
                .containsExactly("power domain level19 (feed): 600 W of its 1.0 kW budget reserved, no room for it");
        everyNodeCountedOnce(second);

        PlacementModel model = model(infra);
        Allocation held = held("held", "a", 600, "level0");
        model.apply(held);
        for (int k = 0; k < 20; k++) {
            assertThat(model.reservedWatts("level" + k)).as("level%d", k).isEqualTo(600);
        }
        assertThat(model.overBudget(model.inv.index.get("b"), 400)).isNull();
        assertThat(model.overBudget(model.inv.index.get("b"), 401)).extracting(PowerDomain::id).isEqualTo("level19");
        model.unapply(held);
        assertThat(model.reservedWatts("level19")).isZero();
    }

    /**
     * Power domains whose parents form a cycle (a provider's error; the declared inventory refuses
     * it, others may report it) were followed round the cycle until the depth limit: the nodes
     * under it were placed on with their draw charged to the cycle's domains several times over.
     * A cycle has no top, so the budgets that hold those nodes are unknown: they are not used, and
     * the rejection says why, for a node in a domain of the cycle, one under it and one in a domain
     * that is its own parent, while a node in a sound domain still is. Power the ledger holds there
     * is counted once in every domain of the cycle, and given back exactly.
     */
    @Test
    void nodesUnderACycleOfPowerDomainsAreNotPlacedOnAndTheWalkEnds() {
        Infra infra = new Infra().s1().domain("rack-ok", "s1", 10_000);
        infra.domains.add(new PowerDomain("hall-c", "hall", "s1", "rack-c", 50_000));
        infra.domains.add(new PowerDomain("rack-c", "rack", "s1", "hall-c", 20_000));
        infra.domains.add(new PowerDomain("rack-d", "rack", "s1", "hall-c", 20_000));
        infra.domains.add(new PowerDomain("rack-e", "rack", "s1", "rack-e", 20_000));
        cpuNode(cpuNode(cpuNode(cpuNode(infra, "in-cycle", "rack-c"), "under-cycle", "rack-d"), "own-parent", "rack-e"), "fine", "rack-ok");
        PlacementService service = service(infra);
        PlacementDecision two = service.place(contract("{name: two, tenant: t1, members: [{name: w, replicas: 2, cpu: 16}]}"), true);
        assertThat(two.placed()).as("%s", two.bindings()).isFalse();
        assertThat(two.rejections()).extracting(Rejection::reason).contains(
                "in power domain rack-c, in a cycle of parents (hall-c -> rack-c -> hall-c) that has no top (the budgets that hold it are unknown)",
                "in power domain rack-d, under a cycle of parents (hall-c -> rack-c -> hall-c) that has no top (the budgets that hold it are "
                        + "unknown)",
                "in power domain rack-e, in a cycle of parents (rack-e -> rack-e) that has no top (the budgets that hold it are unknown)");
        everyNodeCountedOnce(two);
        PlacementDecision one = service.place(contract("{name: one, tenant: t1, members: [{name: w, cpu: 16}]}"), true);
        assertThat(one.bindings()).extracting(MemberBinding::nodeId).containsExactly("fine");

        PlacementModel model = model(infra);
        Allocation held = held("held", "under-cycle", 700, "rack-d");
        model.apply(held);
        assertThat(List.of("rack-d", "hall-c", "rack-c")).allSatisfy(d -> assertThat(model.reservedWatts(d)).as(d).isEqualTo(700));
        assertThat(model.overBudget(model.inv.index.get("in-cycle"), 19_300)).isNull();
        assertThat(model.overBudget(model.inv.index.get("in-cycle"), 19_301)).extracting(PowerDomain::id).isEqualTo("rack-c");
        Allocation own = held("own", "own-parent", 300, "rack-e");
        model.apply(own);
        assertThat(model.reservedWatts("rack-e")).isEqualTo(300);
        model.unapply(held);
        model.unapply(own);
        assertThat(List.of("rack-d", "hall-c", "rack-c", "rack-e")).allSatisfy(d -> assertThat(model.reservedWatts(d)).as(d).isZero());
    }

    /**
     * A declared GPU model whose MIG table has 8 compute slices (as {@code gpus.migProfiles} may
     * give in full form): a {@code 1g} is 1/8 of it, so it holds eight. Counted as 1/7 before its
     * GPU was known, the eighth was refused by the kernel's first check, with 125 thousandths free
     * against 142 wanted, and the refusal said a one-member gang did not fit "all at once".
     */
    @Test
    void aPartitionFitsAGpuOfMoreThanSevenSlicesAsItsTableAllows() {
        PlacementService service = service(new Infra().s1().node("n1", "s1", null, 16, 256, 1, "Declared G8", 80, 0, 1, 350, 1500)
                .mig("n1", dev.strata.platform.core.placement.packing.MigTableTest.eightSlices()));
        for (int i = 0; i < 8; i++) {
            PlacementDecision d = service.place(contract("{name: p" + i + ", tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.10gb}}]}"),
                    false);
            assertThat(d.placed()).as("1g.10gb number %d of 8: %s %s", i + 1, d.summary(), d.rejections()).isTrue();
        }
        PlacementDecision ninth = service.place(contract("{name: p8, tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.10gb}}]}"),
                false);
        assertThat(ninth.placed()).as("the table allows eight 1g.10gb").isFalse();
        assertThat(ninth.rejections()).extracting(Rejection::reason).contains("no GPU with free slots for partition 1g.10gb");
    }

    /**
     * A MIG instance's power is estimated as its share of its GPU by the GPU's own table, as its
     * slots are booked. Counted in sevenths whatever the GPU, a {@code 1g.6gb} on an A30 (a quarter
     * of it) was estimated at 23.6 W of the GPU's 165 W where it may draw 41.3 W, so four of them
     * were committed in a rack of 100 W, which holds two.
     */
    @Test
    void aPartitionsPowerIsEstimatedAsItsShareOfItsOwnGpu() {
        PlacementService service = service(new Infra().s1().domain("rack", "s1", 100)
                .node("n1", "s1", "rack", 16, 256, 1, "NVIDIA A30", 24, 0, 1, 165, 165)
                .mig("n1", dev.strata.platform.core.placement.packing.MigTableTest.a30()));
        for (int i = 0; i < 2; i++) {
            PlacementDecision d = service.place(contract("{name: p" + i + ", tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.6gb}}]}"),
                    false);
            assertThat(d.placed()).as("1g.6gb number %d: %s %s", i + 1, d.summary(), d.rejections()).isTrue();
        }
        PlacementDecision third = service.place(contract("{name: p2, tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.6gb}}]}"),
                false);
        assertThat(third.placed()).as("two quarters of a 165 W GPU fill 82.5 W of the rack's 100 W: %s", third.summary()).isFalse();
        assertThat(third.rejections()).extracting(Rejection::reason)
                .containsExactly("power domain rack (rack): 83 W of its 100 W budget reserved, no room for it");
    }

    /**
     * A node whose GPUs are not all alike (one H100 and one T4 reported by its provider): the
     * clauses and the evidence read the node's first GPU, so the T4 was bound as an H100 with 80 GiB.
     */
    @Test
    void aGpuOfAnotherModelOrMemoryThanTheNodesIsNotBound() {
        Infra infra = new Infra().s1().node("n1", "s1", null, 16, 256, 2, "NVIDIA H100 PCIe", 80, 0, 1, 350, 1500)
                .change("n1", n -> {
                    List<dev.strata.platform.api.model.Accelerator> gpus = new java.util.ArrayList<>(n.accelerators());
                    gpus.set(1, gpus.get(1).toBuilder().model("NVIDIA T4").memoryBytes(16L << 30).build());
                    return n.withAccelerators(gpus);
                });
        PlacementService service = service(infra);
        PlacementDecision two = service.place(contract("""
                {name: two, tenant: t1, members: [{name: w, cpu: 1, gpus: {count: 2, models: [H100], memory: 80GiB}}]}"""), true);
        assertThat(two.placed()).as("the node has one H100: %s", two.bindings()).isFalse();
        assertThat(two.rejections()).extracting(Rejection::reason)
                .containsExactly("has 1 healthy GPUs, fewer than 2 (1 of another model or memory than NVIDIA H100 PCIe (80 GiB))");
        PlacementDecision one = service.place(contract("""
                {name: one, tenant: t1, members: [{name: w, cpu: 1, gpus: {count: 1, models: [H100], memory: 80GiB}}]}"""), true);
        assertThat(one.bindings()).extracting(MemberBinding::acceleratorIds).containsExactly(List.of("n1/gpu0"));
    }

    /**
     * A NUMA node id near 2^31, as a provider may report one: the NUMA nodes with an RDMA NIC were
     * kept in an array as long as the highest id, and every placement on the inventory failed with an
     * OutOfMemoryError. The NIC on that NUMA node still counts for a NUMA-aligned RDMA member.
     */
    @Test
    void aNumaNodeIdNear2To31IsPlacedOnAsAnyOther() {
        int far = Integer.MAX_VALUE - 1;
        Infra infra = new Infra().s1().h100("a", "s1", null).rdma("ib", "s1", 400, "a").change("a", n -> n.toBuilder()
                .numaNodes(List.of(new dev.strata.platform.api.model.NumaNode(0, dev.strata.platform.api.model.CpuSet.EMPTY, 1L << 40, List.of()),
                        new dev.strata.platform.api.model.NumaNode(far, dev.strata.platform.api.model.CpuSet.EMPTY, 1L << 40, List.of())))
                .nics(List.of(new dev.strata.platform.api.model.Nic("ib0", null, null, 400_000, far, "infiniband")))
                .accelerators(n.accelerators().stream().map(g -> g.onNode(n.id(), far)).toList()).build());
        PlacementDecision d = service(infra).place(contract("""
                {name: far, tenant: t1, fabric: {rdma: true}, members: [{name: w, cpu: 1, gpus: 2, topology: {numaAligned: true}}]}"""), true);
        assertThat(d.placed()).as(d.summary()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::numaNode).containsExactly(far);
    }

    /**
     * A ceiling just under the estimate: both were written rounded, and the refusal read "would
     * draw more than the power ceiling of 422 W (estimate 422 W)"; figures that read alike are
     * written to the milliwatt.
     */
    @Test
    void aCeilingJustUnderTheEstimateIsNotWrittenAsEqualToIt() {
        // one 350 W GPU and a sixteenth of the 1150 W beyond it: 421.875 W
        PlacementDecision d = service(h100p()).place(contract("""
                {name: p, tenant: t1, members: [{name: w, cpu: 1, gpus: 1, power: 421.8W}]}"""), true);
        assertThat(d.placed()).isFalse();
        assertThat(d.rejections()).extracting(Rejection::reason)
                .containsExactly("would draw more than the power ceiling of 421.8 W (estimate 421.875 W)");
    }

    /**
     * A full power domain's refusal names what it holds and its budget; where both read the same to
     * a tenth of a kilowatt (1,031.25 W of 1,040 W), both are written to the milliwatt. Before, it
     * read "1.0 kW of its 1.0 kW budget reserved", as if the domain were full to the watt.
     */
    @Test
    void aDomainNearlyFullIsNotWrittenAsFull() {
        Infra infra = new Infra().s1().domain("rack", "s1", 1040);
        for (int n = 0; n < 7; n++) {
            infra.node("n" + n, "s1", "rack", 16, 256, 1, "NVIDIA A30", 24, 0, 1, 165, 165)
                    .mig("n" + n, dev.strata.platform.core.placement.packing.MigTableTest.a30());
        }
        PlacementService service = service(infra);
        for (int i = 0; i < 25; i++) {
            PlacementDecision d = service.place(contract("{name: p" + i + ", tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.6gb}}]}"),
                    false);
            assertThat(d.placed()).as("1g.6gb number %d: %s %s", i + 1, d.summary(), d.rejections()).isTrue();
        }
        PlacementDecision refused = service.place(contract("{name: px, tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.6gb}}]}"),
                false);
        assertThat(refused.placed()).isFalse();
        assertThat(refused.rejections()).extracting(Rejection::reason)
                .containsExactly("power domain rack (rack): 1031.25 W of its 1040 W budget reserved, no room for it");
    }

    /**
     * A placement's power evidence writes the figures it compares as the refusals do: where a domain's reservations and its
     * budget, a node's held power and its maximum draw, or a ceiling and the estimate would read the same, both are written
     * to the milliwatt. Before, a domain with 8.75 W left read "1.0 kW of 1.0 kW reserved", a node with 50 W left "its
     * maximum draw of 2.0 kW (2.0 kW held)" and a ceiling just over the estimate "ceiling 422 W, estimated draw 422 W".
     */
    @Test
    void powerEvidenceDoesNotWriteANearlyFullDomainOrNodeAsFullNorACeilingAsTheEstimate() {
        Infra infra = new Infra().s1().domain("rack", "s1", 1040);
        for (int n = 0; n < 7; n++) {
            infra.node("n" + n, "s1", "rack", 16, 256, 1, "NVIDIA A30", 24, 0, 1, 165, 165)
                    .mig("n" + n, dev.strata.platform.core.placement.packing.MigTableTest.a30());
        }
        PlacementService service = service(infra);
        PlacementDecision last = null;
        for (int i = 0; i < 25; i++) {
            last = service.place(contract("{name: p" + i + ", tenant: t1, members: [{name: w, cpu: 1, gpus: {partition: 1g.6gb}}]}"), false);
            assertThat(last.placed()).as("1g.6gb number %d: %s %s", i + 1, last.summary(), last.rejections()).isTrue();
        }
        assertThat(last.evidence()).extracting(ClauseEvidence::toString).filteredOn(e -> e.startsWith("members.w.power"))
                .singleElement().asString().endsWith("(1031.25 W of 1040 W reserved)");

        PlacementService node = service(new Infra().s1().node("n", "s1", null, 64, 512, 4, "NVIDIA L40S", 48, 0, 1, 350, 2000));
        assertThat(node.place(contract("{name: a, tenant: t1, members: [{name: m, cpu: 1, gpus: 1, power: 1200W}]}"), false).placed()).isTrue();
        PlacementDecision second = node.place(contract("{name: b, tenant: t1, members: [{name: m, cpu: 1, gpus: 1, power: 750W}]}"), false);
        assertThat(second.placed()).as(second.summary()).isTrue();
        assertThat(second.evidence()).extracting(ClauseEvidence::toString).contains("members.m.power: ceiling 750 W, estimated draw 359 W; "
                + "node n is in no power domain: holds 750 W against its maximum draw of 2000 W (1950 W held)");

        // one 350 W GPU and a sixteenth of the 1150 W beyond it: 421.875 W, under a ceiling of 422 W
        PlacementDecision ceiling = service(h100p()).place(contract("""
                {name: p, tenant: t1, members: [{name: w, cpu: 1, gpus: 1, power: 422W}]}"""), true);
        assertThat(ceiling.placed()).as(ceiling.summary()).isTrue();
        assertThat(ceiling.evidence()).extracting(ClauseEvidence::toString).filteredOn(e -> e.startsWith("members.w.power"))
                .singleElement().asString().startsWith("members.w.power: ceiling 422 W, estimated draw 421.875 W; ");
    }
}
