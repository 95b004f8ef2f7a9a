package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.contract.ContractDocumentReader;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PlacementServiceTest {

    private final ContractDocumentReader reader = new ContractDocumentReader();

    private Contract contract(String yaml) {
        return reader.read(yaml, "test");
    }

    private static PlacementService service(Infra infra) {
        return new PlacementService(infra.inventory(), new InMemoryLedger(), "strata", Clock.systemUTC());
    }

    private static List<String> reasons(PlacementDecision d) {
        return d.rejections().stream().map(r -> r.member() + ": " + r).toList();
    }

    private static List<String> evidence(PlacementDecision d) {
        return d.evidence().stream().map(ClauseEvidence::toString).toList();
    }

    @Test
    void countriesPickTheAllowedSiteAndSayWhy() {
        Infra infra = Infra.threeSites().h100("fra-n1", "fra-1", null).h100("us-n1", "us-east", null).h100("us-n2", "us-east", null);
        PlacementDecision d = service(infra).place(contract("""
                {name: c, tenant: t, sovereignty: {countries: [DE]}, members: [{name: m, gpus: 8}]}"""), true);
        assertThat(d.placed()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("fra-n1");
        assertThat(evidence(d)).contains("sovereignty.countries: site fra-1 country=DE in [DE]");
        assertThat(reasons(d)).contains("m: 2 nodes: country US not in [DE]");
    }

    /**
     * A node at a site no provider reports (here fra-l, a typo of fra-1) has no country,
     * jurisdiction or operator: every sovereignty clause refuses it, naming the site, and a contract
     * without one is placed there as usual (what the inventory's warning of such a site says).
     */
    @Test
    void aNodeAtASiteNoProviderReportsServesNoSovereigntyClauseAndServesTheRest() {
        Infra infra = Infra.threeSites().h100("typo-n1", "fra-l", null);
        PlacementService service = service(infra);
        for (String clause : List.of("{countries: [DE]}", "{jurisdictions: [EU]}", "{excludeOperatorJurisdictions: [US]}")) {
            PlacementDecision d = service.place(contract("{name: c, tenant: t, sovereignty: " + clause + ", members: [{name: m, gpus: 1}]}"), true);
            assertThat(d.placed()).as(clause).isFalse();
            assertThat(reasons(d)).as(clause).containsExactly("m: 1 node: site fra-l is not in the inventory (country and operator unknown)");
        }
        PlacementDecision free = service.place(contract("{name: c, tenant: t, members: [{name: m, gpus: 1}]}"), true);
        assertThat(free.placed()).isTrue();
        assertThat(free.bindings()).extracting(MemberBinding::nodeId).containsExactly("typo-n1");
    }

    @Test
    void identicalMembersShareOneCountOfRejectedNodes() {
        Infra infra = Infra.threeSites().h100("fra-n1", "fra-1", null).h100("fra-n2", "fra-1", null).h100("us-n1", "us-east", null);
        PlacementDecision d = service(infra).place(contract("""
                {name: c, tenant: t, sovereignty: {countries: [DE]}, members: [{name: w, replicas: 2, gpus: 8}, {name: x, cpu: 1}]}"""), true);
        assertThat(d.placed()).isTrue();
        assertThat(reasons(d)).containsExactlyInAnyOrder("w-0, w-1: 1 node: country US not in [DE]", "x: 1 node: country US not in [DE]",
                "w-0, w-1: 2 nodes: " + DecisionExplainer.PASSED, "x: 2 nodes: " + DecisionExplainer.PASSED);
    }

    @Test
    void excludedOperatorJurisdictionRejectsTheUsOwnedFrankfurtRegion() {
        Infra infra = Infra.threeSites().h100("cloud-n1", "cloud-fra", null).h100("cloud-n2", "cloud-fra", null);
        PlacementDecision d = service(infra).place(contract("""
                {name: c, tenant: t, sovereignty: {jurisdictions: [EU], excludeOperatorJurisdictions: [US]},
                 members: [{name: m, gpus: 1}]}"""), true);
        assertThat(d.placed()).isFalse();
        assertThat(d.summary()).isEqualTo("not placed: member m fits on no node");
        assertThat(reasons(d)).containsExactly("m: 2 nodes: operator subject to excluded jurisdiction [US]");

        infra.h100("fra-n1", "fra-1", null);
        PlacementDecision ok = service(infra).place(contract("""
                {name: c, tenant: t, sovereignty: {jurisdictions: [EU], excludeOperatorJurisdictions: [US]},
                 members: [{name: m, gpus: 1}]}"""), true);
        assertThat(ok.bindings().get(0).nodeId()).isEqualTo("fra-n1");
        assertThat(evidence(ok)).contains("sovereignty.jurisdictions: site fra-1 under [DE, EU]",
                "sovereignty.excludeOperatorJurisdictions: site fra-1 operator EU Colo GmbH subject to [DE, EU], none of [US]");
    }

    @Test
    void gpuModelMemoryAndCountAreHardConstraints() {
        Infra infra = Infra.threeSites()
                .node("a100", "fra-1", null, 64, 1024, 8, "NVIDIA A100-SXM4-40GB", 40, 8, 2, 400, 6500)
                .node("l40s", "fra-1", null, 64, 512, 4, "NVIDIA L40S", 48, 0, 2, 350, 2400)
                .h100("h100", "fra-1", null);
        PlacementService service = service(infra);
        PlacementDecision d = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: {count: 8, models: [H100, A100], memory: 80GiB}}]}"""), true);
        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("h100");
        assertThat(reasons(d)).containsExactlyInAnyOrder("m: 1 node: GPU model NVIDIA L40S not in [A100, H100]",
                "m: 1 node: GPU memory 40 GiB less than 80 GiB", "m: 1 node: " + DecisionExplainer.PASSED);
        PlacementDecision five = service.place(contract("{name: c, tenant: t, members: [{name: m, gpus: {count: 5, models: [L40S]}}]}"), true);
        assertThat(five.placed()).isFalse();
        assertThat(reasons(five)).contains("m: 1 node: has 4 GPUs, fewer than 5");
    }

    /**
     * A failed GPU is never placed on, so it makes no NUMA node or NVLink domain large enough: the
     * refusal says so. Before, the node passed those checks counting its failed GPUs, and was then
     * refused with a reason that did not name the topology.
     */
    @Test
    void failedGpusDoNotCountTowardsANumaNodeOrAnNvlinkDomain() {
        Infra infra = Infra.threeSites()
                // two NVLink domains of 4, one per NUMA node; one GPU of each has failed
                .node("split", "fra-1", null, 64, 1024, 8, "NVIDIA H100", 80, 4, 2, 700, 10_200)
                .health("split", 0, Health.Status.FAILED).health("split", 4, Health.Status.FAILED);
        PlacementService service = service(infra);
        PlacementDecision numa = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 4, topology: {numaAligned: true}}]}"""), true);
        assertThat(numa.placed()).isFalse();
        assertThat(reasons(numa)).containsExactly("m: 1 node: no NUMA node with 4 GPUs (2 failed, not counted)");
        PlacementDecision nvlink = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 4, topology: {nvlinkDomain: true}}]}"""), true);
        assertThat(nvlink.placed()).isFalse();
        assertThat(reasons(nvlink)).containsExactly("m: 1 node: no NVLink domain of 4 GPUs (2 failed, not counted)");
        // three still fit, on one NUMA node and in one domain
        PlacementDecision three = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 3, topology: {nvlinkDomain: true, numaAligned: true}}]}"""), true);
        assertThat(three.placed()).isTrue();
    }

    @Test
    void nvlinkDomainAndNumaAlignment() {
        Infra infra = Infra.threeSites()
                // two NVLink domains of 4 (one per NUMA node)
                .node("split", "fra-1", null, 64, 1024, 8, "NVIDIA H100", 80, 4, 2, 700, 10_200);
        PlacementService service = service(infra);
        PlacementDecision eight = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 8, topology: {nvlinkDomain: true}}]}"""), true);
        assertThat(reasons(eight)).containsExactly("m: 1 node: no NVLink domain of 8 GPUs");

        PlacementDecision four = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 4, topology: {nvlinkDomain: true, numaAligned: true}}]}"""), false);
        MemberBinding b = four.bindings().get(0);
        assertThat(b.nvlinkDomain()).isIn("split/nv0", "split/nv1");
        assertThat(b.numaNode()).isIn(0, 1);
        assertThat(evidence(four)).contains("members.m.topology.nvlinkDomain: 4 GPUs in NVLink domain " + b.nvlinkDomain(),
                "members.m.topology.numaAligned: GPUs on NUMA node " + b.numaNode());
        // one domain is taken: another 4 fit in the other, but not 5 NUMA-aligned
        PlacementDecision five = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 5, topology: {numaAligned: true}}]}"""), true);
        assertThat(reasons(five)).containsExactly("m: 1 node: no NUMA node with 5 GPUs");
        PlacementDecision again = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 4, topology: {nvlinkDomain: true, numaAligned: true}}]}"""), false);
        assertThat(again.bindings().get(0).nvlinkDomain()).isNotEqualTo(b.nvlinkDomain());
        PlacementDecision full = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: 1}]}"""), true);
        assertThat(reasons(full)).containsExactly("m: 1 node: fewer than 1 free GPUs");
    }

    @Test
    void gangSharesOneRdmaFabricOfEnoughBandwidth() {
        Infra infra = Infra.threeSites()
                .h100("a1", "fra-1", null).h100("a2", "fra-1", null)
                .h100("b1", "fra-1", null).h100("b2", "fra-1", null).h100("b3", "fra-1", null)
                .rdma("ib-hdr", "fra-1", 200, "a1", "a2", "b1", "b2", "b3")
                .rdma("ib-ndr-a", "fra-1", 400, "a1", "a2")
                .rdma("ib-ndr-b", "fra-1", 400, "b1", "b2", "b3");
        PlacementService service = service(infra);
        PlacementDecision d = service.place(contract("""
                {name: c, tenant: t, fabric: {rdma: true, bandwidth: 400Gbps},
                 members: [{name: w, replicas: 3, gpus: 8}]}"""), false);
        assertThat(d.placed()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::fabricId).containsOnly("ib-ndr-b");
        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactlyInAnyOrder("b1", "b2", "b3");
        assertThat(evidence(d)).contains("fabric.rdma: all members on ib-ndr-b (InfiniBand, 400 Gbit/s >= 400 Gbit/s)");

        PlacementDecision no = service.place(contract("""
                {name: c2, tenant: t, fabric: {rdma: true, bandwidth: 400Gbps},
                 members: [{name: w, replicas: 3, gpus: 8}]}"""), true);
        assertThat(no.placed()).isFalse();
        assertThat(no.rejections()).extracting(Rejection::reason)
                .contains("no RDMA fabric of at least 400 Gbit/s has 24 free GPUs on nodes that meet the contract (most: ib-ndr-a with 16)");
    }

    @Test
    void powerDomainBudgetAndMemberCeiling() {
        Infra infra = Infra.threeSites().domain("rack-1", "fra-1", 15_000)
                .h100("n1", "fra-1", "rack-1").h100("n2", "fra-1", "rack-1");
        PlacementService service = service(infra);
        PlacementDecision first = service.place(contract("{name: a, tenant: t, members: [{name: m, gpus: 8, cpu: 112}]}"), false);
        assertThat(first.placed()).isTrue();
        assertThat(first.bindings().get(0).powerWatts()).isEqualTo(10_200);
        assertThat(evidence(first)).contains("members.m.power: reserves 10.2 kW in power domain rack-1 (10.2 kW of 15.0 kW reserved)");
        PlacementDecision second = service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: 8, cpu: 112}]}"), true);
        assertThat(second.placed()).isFalse();
        assertThat(reasons(second)).containsExactly("m: 2 nodes: power domain rack-1 (rack): 10.2 kW of its 15.0 kW budget reserved, no room for it");

        PlacementDecision capped = service.place(contract("{name: c, tenant: t, members: [{name: m, gpus: 4, power: 2kW}]}"), true);
        assertThat(capped.placed()).isFalse();
        assertThat(reasons(capped)).anyMatch(r -> r.contains("would draw more than the power ceiling of 2.0 kW"));
    }

    @Test
    void dedicatedNodesAreNotShared() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        PlacementService service = service(infra);
        PlacementDecision shared = service.place(contract("{name: a, tenant: other, members: [{name: m, gpus: 1}]}"), false);
        String sharedNode = shared.bindings().get(0).nodeId();
        PlacementDecision dedicated = service.place(contract("""
                {name: b, tenant: bank, isolation: dedicated-node, members: [{name: m, gpus: 1}]}"""), false);
        String dedicatedNode = dedicated.bindings().get(0).nodeId();
        assertThat(dedicatedNode).isNotEqualTo(sharedNode);
        assertThat(evidence(dedicated)).contains("isolation: dedicated-node: no other tenant on " + dedicatedNode);

        PlacementDecision third = service.place(contract("""
                {name: c, tenant: bank, isolation: dedicated-node, members: [{name: m, gpus: 1}]}"""), true);
        assertThat(third.bindings().get(0).nodeId()).as("the same tenant may use its dedicated node").isEqualTo(dedicatedNode);
        PlacementDecision intruder = service.place(contract("{name: d, tenant: other, members: [{name: m, gpus: 8}]}"), true);
        assertThat(intruder.placed()).isFalse();
        assertThat(reasons(intruder)).contains("m: 1 node: node dedicated to another tenant");
    }

    /**
     * A binding that no longer fits its node (here: its GPU is no longer listed, as when an
     * OpenStack host's free PGPU units are renumbered or a GPU falls off the bus) is not counted
     * against the node's room, but its tenant still holds the node: a dedicated node stays
     * dedicated, and another tenant's dedicated contract does not go where the tenant is. Before,
     * the skipped binding dropped its tenant and dedication too, and another tenant was placed on
     * a node dedicated to the first.
     */
    @Test
    void aBindingThatNoLongerFitsItsNodeStillHoldsItForItsTenant() {
        Infra.Swapped inventory = Infra.threeSites().h100("n1", "fra-1", null).swappable();
        PlacementService service = new PlacementService(inventory, new InMemoryLedger(), "strata", Clock.systemUTC());
        PlacementDecision dedicated = service.place(contract("{name: b, tenant: bank, isolation: dedicated-node, members: [{name: m, gpus: 1}]}"),
                false);
        PlacementDecision shared = service.place(contract("{name: s, tenant: lab, members: [{name: m, cpu: 1}]}"), true);
        assertThat(shared.placed()).as("the node is dedicated to bank").isFalse();
        String gpu = dedicated.bindings().get(0).acceleratorIds().get(0);

        // rediscovered without the bound GPU: the binding no longer fits and is not counted
        inventory.change("n1", n -> n.withAccelerators(n.accelerators().stream().filter(a -> !a.id().equals(gpu)).toList()));
        PlacementDecision intruder = service.place(contract("{name: s, tenant: lab, members: [{name: m, cpu: 1}]}"), true);
        assertThat(intruder.placed()).as("another tenant on bank's dedicated node: %s", intruder.summary()).isFalse();
        assertThat(reasons(intruder)).contains("m: 1 node: node dedicated to another tenant");
        assertThat(service.place(contract("{name: c, tenant: lab, isolation: dedicated-node, members: [{name: m, cpu: 1}]}"), true).placed())
                .as("a dedicated node for lab where bank is").isFalse();
        assertThat(service.place(contract("{name: c, tenant: bank, members: [{name: m, gpus: 7}]}"), true).placed())
                .as("bank's own members still fit its node's 7 GPUs").isTrue();

        // once released, the node is free for anyone, and releasing gave back nothing it did not hold
        service.release(dedicated.allocationId());
        assertThat(service.place(contract("{name: s, tenant: lab, members: [{name: m, gpus: 7}]}"), true).placed()).isTrue();
        assertThat(service.place(contract("{name: s, tenant: lab, members: [{name: m, gpus: 8}]}"), true).placed()).isFalse();
    }

    /**
     * A node whose provider makes no machine as large as the node's room (an OpenStack host's
     * {@code max_unit}, or its room split over NUMA providers) says how large one can be
     * ({@link dev.strata.platform.api.provisioning.LargestMachine}): no member larger than that is
     * bound there, however much room the node has, and the refusal says why. Before, such a member
     * was placed and then refused by the provider.
     */
    @Test
    void noMemberLargerThanTheLargestMachineItsProviderMakesIsBoundToTheNode() {
        Infra infra = Infra.threeSites().node("n1", "fra-1", null, 16, 64, 0, "none", 0, 0, 1, 0, 0)
                .change("n1", n -> n.toBuilder().attributes(java.util.Map.of(dev.strata.platform.api.provisioning.LargestMachine.CPU_MILLI,
                        "4000", dev.strata.platform.api.provisioning.LargestMachine.MEMORY_BYTES, Long.toString(16L << 30))).build());
        PlacementService service = service(infra);
        PlacementDecision big = service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 6}]}"), true);
        assertThat(big.placed()).isFalse();
        assertThat(reasons(big)).containsExactly("m: 1 node: its provider makes machines of at most 4 CPUs here, fewer than 6 CPUs");
        PlacementDecision memory = service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, memory: 17GiB}]}"), true);
        assertThat(reasons(memory)).containsExactly("m: 1 node: its provider makes machines of at most 16 GiB memory here, less than 17 GiB");
        PlacementDecision four = service.place(contract("{name: b, tenant: t, members: [{name: m, cpu: 4, memory: 16GiB}, "
                + "{name: n, cpu: 4, memory: 16GiB}, {name: o, cpu: 4, memory: 16GiB}, {name: p, cpu: 4, memory: 16GiB}]}"), true);
        assertThat(four.placed()).as("four machines of the largest size fill the node's room: %s", four.summary()).isTrue();

        Infra pci = Infra.threeSites().h100("n1", "fra-1", null)
                .change("n1", n -> n.toBuilder().attributes(java.util.Map.of(dev.strata.platform.api.provisioning.LargestMachine.GPUS, "1"))
                        .build());
        PlacementDecision two = service(pci).place(contract("{name: g, tenant: t, members: [{name: m, gpus: 2}]}"), true);
        assertThat(reasons(two)).containsExactly("m: 1 node: its provider makes machines of at most 1 GPU here, fewer than 2");
        assertThat(service(pci).place(contract("{name: g, tenant: t, members: [{name: m, gpus: 1}, {name: n, gpus: 1}]}"), true).placed())
                .isTrue();
    }

    @Test
    void gangIsAllOrNothingAndLeavesTheLedgerAlone() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        PlacementService service = service(infra);
        PlacementDecision d = service.place(contract("{name: a, tenant: t, members: [{name: m, replicas: 3, gpus: 8}]}"), false);
        assertThat(d.placed()).isFalse();
        assertThat(d.allocationId()).isNull();
        assertThat(service.allocations()).isEmpty();
        PlacementDecision two = service.place(contract("{name: b, tenant: t, members: [{name: m, replicas: 2, gpus: 8}]}"), false);
        assertThat(two.placed()).as("the failed gang left nothing reserved").isTrue();
    }

    @Test
    void dryRunReservesNothingAndReleaseFreesExactly() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra);
        Contract six = contract("{name: a, tenant: t, members: [{name: m, gpus: 6}]}");
        assertThat(service.place(six, true).placed()).isTrue();
        assertThat(service.place(six, true).placed()).isTrue();
        assertThat(service.allocations()).isEmpty();

        PlacementDecision real = service.place(six, false);
        assertThat(real.allocationId()).isEqualTo("a-000001");
        assertThat(service.place(six, true).placed()).isFalse();
        service.release(real.allocationId());
        assertThat(service.allocations()).isEmpty();
        assertThat(service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: 8}]}"), true).placed()).isTrue();
        assertThatThrownBy(() -> service.release("a-000001")).isInstanceOf(NotFoundException.class)
                .hasMessage("no allocation 'a-000001'; the ledger is empty");
    }

    /**
     * A binding that no longer fits its node when placement's model is rebuilt (the node was
     * rediscovered with less room) is not counted; releasing its allocation later must give back
     * nothing, though by then its node's room may be held by others. Before, the release took the
     * skipped binding's CPUs from what a later member held, and a member was placed on room that
     * was not there: a placement service built afresh on the same ledger and inventory refused it.
     */
    @Test
    void releasingABindingThatWasNotCountedGivesBackNothing() {
        Infra.Swapped inventory = Infra.threeSites().node("n1", "fra-1", null, 8, 64, 0, "none", 0, 0, 1, 0, 0).swappable();
        InMemoryLedger ledger = new InMemoryLedger();
        PlacementService service = new PlacementService(inventory, ledger, "strata", Clock.systemUTC());
        String first = service.place(contract("{name: c, tenant: t, members: [{name: m, cpu: 4}]}"), false).allocationId();
        String second = service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 4}]}"), false).allocationId();
        Contract one = contract("{name: d, tenant: t, members: [{name: m, cpu: 1}]}");
        assertThat(service.place(one, true).placed()).as("the node is full").isFalse();

        // rediscovered with 6 CPUs: the first allocation's 4 are counted, the second's 4 do not fit the 2 left
        inventory.change("n1", n -> n.toBuilder().cpu(six(n)).build());
        assertThat(service.place(one, true).placed()).as("the second binding is not counted (README, known limitations)").isTrue();
        service.release(first);
        PlacementDecision big = service.place(contract("{name: b, tenant: t, members: [{name: m, cpu: 6}]}"), false);
        assertThat(big.placed()).as("the uncounted binding leaves the node's 6 CPUs free: %s", big.summary()).isTrue();
        service.release(second);

        assertThat(new PlacementService(inventory, ledger, "strata", Clock.systemUTC()).place(one, true).placed())
                .as("a service built afresh: the 6 CPUs are held").isFalse();
        assertThat(service.place(one, true).placed()).as("after releasing the binding that was not counted").isFalse();
    }

    private static dev.strata.platform.api.model.CpuTopology six(dev.strata.platform.api.model.Node n) {
        List<dev.strata.platform.api.model.CpuCore> cores = new java.util.ArrayList<>();
        for (int c = 0; c < 6; c++) {
            cores.add(new dev.strata.platform.api.model.CpuCore(c, dev.strata.platform.api.model.CpuSet.of(c)));
        }
        return new dev.strata.platform.api.model.CpuTopology(List.of(new dev.strata.platform.api.model.CpuPackage(0, "x", "x", cores)),
                dev.strata.platform.api.model.CpuSet.parseList("0-5"), dev.strata.platform.api.model.CpuSet.EMPTY);
    }

    @Test
    void fractionsShareOneGpu() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra);
        Contract quarter = contract("{name: q, tenant: t, members: [{name: m, gpus: {fraction: 0.25}}]}");
        List<String> gpus = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.addAll(service.place(quarter, false).bindings().get(0).acceleratorIds());
        }
        assertThat(Set.copyOf(gpus)).as("four quarters packed on one GPU").hasSize(1);
        assertThat(service.place(contract("{name: w, tenant: t, members: [{name: m, gpus: 7}]}"), true).placed()).isTrue();
        assertThat(service.place(contract("{name: w, tenant: t, members: [{name: m, gpus: 8}]}"), true).placed()).isFalse();
    }

    /**
     * The evidence states the share placement reserved, to the tenth of a percent it counts in: a
     * thousandth of a GPU is 0.1 %, not 0 %, and an eighth 12.5 %, not 13 %.
     */
    @Test
    void evidenceStatesTheShareOfAGpuThatWasReserved() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra);
        PlacementDecision thousandth = service.place(contract("{name: a, tenant: t, members: [{name: m, gpus: {fraction: 0.001}}]}"), true);
        assertThat(evidence(thousandth)).anyMatch(e -> e.startsWith("members.m.gpus: 0.1 % of 1x NVIDIA H100"));
        PlacementDecision eighth = service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: {fraction: 0.125}}]}"), true);
        assertThat(evidence(eighth)).anyMatch(e -> e.startsWith("members.m.gpus: 12.5 % of 1x NVIDIA H100"));
        PlacementDecision quarter = service.place(contract("{name: c, tenant: t, members: [{name: m, gpus: {fraction: 0.25}}]}"), true);
        assertThat(evidence(quarter)).anyMatch(e -> e.startsWith("members.m.gpus: 25 % of 1x NVIDIA H100"));
    }

    /**
     * A share finer than a thousandth (a contract given through the API, not read from a document)
     * is reserved as the thousandths above it, and the evidence states those: 0.3334 reserves 0.334
     * and is 33.4 % of the GPU. Before, the evidence rounded to the nearest and said 33.3 %.
     */
    @Test
    void evidenceStatesTheThousandthsAFinerShareReserved() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra);
        Contract fine = new Contract("fine", "t", 0, List.of(new dev.strata.platform.api.contract.Member("m", 0, 0,
                new dev.strata.platform.api.contract.GpuRequest(1, Set.of(), 0, 0.3334, null, false),
                dev.strata.platform.api.contract.TopologyRequest.ANY, 0)), dev.strata.platform.api.contract.FabricRequest.ANY,
                dev.strata.platform.api.contract.Sovereignty.ANY, dev.strata.platform.api.contract.Isolation.SHARED);
        PlacementDecision d = service.place(fine, false);
        assertThat(evidence(d)).anyMatch(e -> e.startsWith("members.m.gpus: 33.4 % of 1x NVIDIA H100"));
        String gpu = d.bindings().get(0).acceleratorIds().get(0);
        // what is left of that GPU is 0.666: the evidence names what the ledger holds
        for (int i = 0; i < 7; i++) {
            assertThat(service.place(contract("{name: w" + i + ", tenant: t, members: [{name: m, gpus: 1}]}"), false).placed()).isTrue();
        }
        PlacementDecision rest = service.place(contract("{name: r, tenant: t, members: [{name: m, gpus: {fraction: 0.666}}]}"), true);
        assertThat(rest.placed()).isTrue();
        assertThat(rest.bindings().get(0).acceleratorIds()).containsExactly(gpu);
        assertThat(service.place(contract("{name: s, tenant: t, members: [{name: m, gpus: {fraction: 0.667}}]}"), true).placed()).isFalse();
    }

    /**
     * A partition whose name does not start with its compute slices (a contract given through the
     * API; a contract document's is checked when read) is refused naming the member and the
     * partition. Before, placement failed with an index or number error that named neither.
     */
    @Test
    void aPartitionNamedWithoutItsComputeSlicesIsRefusedNamingIt() {
        PlacementService service = service(Infra.threeSites().h100("n1", "fra-1", null));
        for (String name : List.of("mig", "xg.10gb", "0g.10gb", "99999999999g.10gb")) {
            Contract c = new Contract("c", "t", 0, List.of(new dev.strata.platform.api.contract.Member("m", 0, 0,
                    new dev.strata.platform.api.contract.GpuRequest(1, Set.of(), 0, 1, name, false),
                    dev.strata.platform.api.contract.TopologyRequest.ANY, 0)), dev.strata.platform.api.contract.FabricRequest.ANY,
                    dev.strata.platform.api.contract.Sovereignty.ANY, dev.strata.platform.api.contract.Isolation.SHARED);
            assertThatThrownBy(() -> service.place(c, true)).as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("member m: gpus.partition '" + name + "' does not start with its compute slices; expected a MIG profile name "
                            + "such as 1g.10gb or 3g.40gb");
        }
        assertThat(service.allocations()).isEmpty();
    }

    @Test
    void partitionsNeedTheProfileAndTakeTheirShareOfTheGpu() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra);
        PlacementDecision mig = service.place(contract("{name: a, tenant: t, members: [{name: m, gpus: {partition: 1g.10gb}}]}"), false);
        assertThat(mig.placed()).isTrue();
        assertThat(mig.bindings().get(0).gpuFraction()).as("1 of 7 compute slices, rounded down").isEqualTo(0.142);
        assertThat(mig.bindings().get(0).partition()).isEqualTo("1g.10gb");
        assertThat(mig.bindings().get(0).partitionSlot()).as("only 1g.10gb is listed: every slot alike, the lowest").isZero();
        assertThat(evidence(mig)).anyMatch(e -> e.startsWith("members.m.gpus: partition 1g.10gb at slot 0 of 1x NVIDIA H100 80GB HBM3"));
        PlacementDecision missing = service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: {partition: 3g.40gb}}]}"), true);
        assertThat(reasons(missing)).containsExactly("m: 1 node: GPUs do not support partition 3g.40gb");
        PlacementDecision small = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: {partition: 1g.10gb, memory: 20GiB}}]}"""), true);
        assertThat(reasons(small)).containsExactly("m: 1 node: partition 1g.10gb has 10 GiB, less than 20 GiB");
    }

    @Test
    void concurrentPlacementsNeverDoubleBook() throws Exception {
        Infra infra = Infra.threeSites();
        for (int i = 0; i < 10; i++) {
            infra.h100("n" + i, "fra-1", null);
        }
        PlacementService service = service(infra);
        Contract two = contract("{name: a, tenant: t, members: [{name: m, gpus: 2}]}");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<PlacementDecision>> futures = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            futures.add(pool.submit(() -> service.place(two, false)));
        }
        int placed = 0;
        for (Future<PlacementDecision> f : futures) {
            placed += f.get().placed() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(placed).isEqualTo(40);
        List<String> gpus = service.allocations().stream().flatMap(a -> a.bindings().stream())
                .flatMap(b -> b.acceleratorIds().stream()).toList();
        assertThat(gpus).hasSize(80).doesNotHaveDuplicates();
    }

    @Test
    void aNegativeNumberOfDecidersIsRefusedNamingThePidAndProperty() {
        Infra infra = Infra.threeSites();
        assertThatThrownBy(() -> new PlacementService(infra.inventory(), new InMemoryLedger(),
                DurablePlacementTest.config(java.util.Map.of("deciders", -4)), Clock.systemUTC()))
                .isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.placement: deciders = '-4' is invalid; expected a whole number of decisions at once, "
                        + "at least 1, or 0 for as many as the machine has processors");
        assertThat(new PlacementService(infra.inventory(), new InMemoryLedger(), DurablePlacementTest.config(java.util.Map.of("deciders", 0)),
                Clock.systemUTC()).policyName()).isEqualTo("strata");
    }

    /** A .cfg value that is no number is refused naming the PID, the property, the value and what was expected. */
    @Test
    void aNumberOfDecidersThatIsNoWholeNumberIsRefusedNamingThePidAndProperty() {
        Infra infra = Infra.threeSites();
        for (String value : new String[] {"ten", "4x", "1.5"}) {
            assertThatThrownBy(() -> new PlacementService(infra.inventory(), new InMemoryLedger(),
                    DurablePlacementTest.config(java.util.Map.of("deciders", value)), Clock.systemUTC()))
                    .as(value).isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.placement: deciders = '" + value + "' is invalid; expected a whole number of "
                            + "decisions at once, at least 1, or 0 for as many as the machine has processors");
        }
    }

    /** recordDryRuns written yes is refused naming it, not read as false (as Declarative Services would read it). */
    @Test
    void aRecordDryRunsThatIsNeitherTrueNorFalseIsRefused() {
        java.util.Map<String, Object> p = java.util.Map.of("recordDryRuns", "yes");
        assertThatThrownBy(() -> new PlacementService(Infra.threeSites().inventory(), (dev.strata.platform.core.store.StateStore) null, DurablePlacementTest.config(p), p))
                .isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.placement: recordDryRuns = 'yes' is invalid; expected true or false");
    }

    @Test
    void ledgerRefusesACommitDecidedOnAnOlderGeneration() {
        InMemoryLedger ledger = new InMemoryLedger();
        dev.strata.platform.api.placement.Allocation a = new dev.strata.platform.api.placement.Allocation("a-1", "c", "t", 0, false,
                java.time.Instant.now(), List.of());
        long g = ledger.commit(0, a);
        assertThat(g).isEqualTo(1);
        assertThatThrownBy(() -> ledger.commit(0, new dev.strata.platform.api.placement.Allocation("a-2", "c", "t", 0, false,
                java.time.Instant.now(), List.of()))).isInstanceOf(AllocationLedger.StaleGenerationException.class)
                .hasMessage("ledger moved from generation 0 to 1 while deciding");
    }

    /**
     * An inventory without nodes counts no node under any reason, so the refusal says that it holds
     * none. Before, with no row at all, its summary said that every member fits on some node, but not
     * all of them at once.
     */
    @Test
    void aContractOnAnInventoryWithoutNodesIsRefusedSayingItHoldsNone() {
        PlacementService service = service(Infra.threeSites());
        for (String yaml : List.of("{name: a, tenant: t, members: [{name: m, gpus: 1}]}",
                "{name: b, tenant: t, fabric: {rdma: true}, members: [{name: m, replicas: 2, gpus: 8}]}")) {
            PlacementDecision d = service.place(contract(yaml), true);
            assertThat(d.placed()).isFalse();
            assertThat(d.summary()).as(yaml).isEqualTo("not placed: the inventory holds no nodes");
            assertThat(reasons(d)).as(yaml).containsExactly("*: the inventory holds no nodes");
        }
    }

    /**
     * A binding names its GPUs by id: a node that reports one id for two of its GPUs gets no member
     * that asks for GPUs, and says why. Before, the second GPU's binding was taken for the first's
     * when the ledger was applied, was not counted, and the same GPU was booked again and again.
     */
    @Test
    void aNodeReportingOneIdForTwoGpusGetsNoGpuMember() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        infra.change("n1", n -> {
            List<dev.strata.platform.api.model.Accelerator> gpus = new java.util.ArrayList<>(n.accelerators());
            dev.strata.platform.api.model.Accelerator a = gpus.get(1);
            gpus.set(1, new dev.strata.platform.api.model.Accelerator(gpus.get(0).id(), a.vendor(), a.model(), a.memoryBytes(),
                    a.computeCapability(), a.pciAddress(), a.nodeId(), a.numaNode(), a.cpuAffinity(), a.pcie(), a.interconnectDomain(),
                    a.linkBandwidthGBps(), a.links(), a.partitionProfiles(), a.partitioningEnabled(), a.power(), a.health(),
                    a.attributes()));
            return n.withAccelerators(gpus);
        });
        PlacementService service = service(infra);
        Set<String> booked = new java.util.HashSet<>();
        for (int i = 0; i < 10; i++) {
            PlacementDecision d = service.place(contract("{name: c" + i + ", tenant: t, members: [{name: m, gpus: 1}]}"), false);
            if (d.placed()) {
                String gpu = d.bindings().get(0).acceleratorIds().get(0);
                assertThat(booked.add(gpu)).as("GPU %s booked twice", gpu).isTrue();
            }
        }
        assertThat(booked).hasSize(8).allMatch(id -> id.startsWith("n2/"));
        PlacementDecision refused = service.place(contract("{name: d, tenant: t, members: [{name: m, gpus: 1}]}"), true);
        assertThat(reasons(refused)).contains("m: 1 node: GPU id n1/gpu0 is reported for more than one of its GPUs; expected one id per GPU");
        assertThat(service.place(contract("{name: e, tenant: t, members: [{name: m, cpu: 4}]}"), true).placed())
                .as("a member without GPUs may still use the node").isTrue();
    }

    /**
     * A member that wants its GPUs NUMA-aligned is not placed on GPUs whose NUMA node is unknown:
     * their alignment cannot be known. Before, they counted as one NUMA node, the member was placed
     * on them and the evidence said "GPUs on NUMA node -1".
     */
    @Test
    void gpusOnNoKnownNumaNodeHoldNoNumaAlignedMember() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        for (int g = 0; g < 6; g++) {
            infra.numa("n1", g, -1);
        }
        PlacementService service = service(infra);
        PlacementDecision four = service.place(contract("{name: a, tenant: t, members: [{name: m, gpus: 4, topology: {numaAligned: true}}]}"),
                true);
        assertThat(four.placed()).isFalse();
        assertThat(reasons(four)).containsExactly("m: 1 node: no NUMA node with 4 GPUs (6 on no known NUMA node, not counted)");
        PlacementDecision two = service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: 2, topology: {numaAligned: true}}]}"),
                false);
        assertThat(two.bindings().get(0).acceleratorIds()).containsExactly("n1/gpu6", "n1/gpu7");
        assertThat(evidence(two)).contains("members.m.topology.numaAligned: GPUs on NUMA node 1");
        PlacementDecision share = service.place(contract("""
                {name: c, tenant: t, members: [{name: m, gpus: {fraction: 0.5}, topology: {numaAligned: true}}]}"""), true);
        assertThat(share.placed()).as("the two GPUs on a known NUMA node are taken").isFalse();
        assertThat(service.place(contract("{name: d, tenant: t, members: [{name: m, gpus: {fraction: 0.5}}]}"), true).placed()).isTrue();
        PlacementDecision cpu = service.place(contract("{name: e, tenant: t, members: [{name: m, cpu: 4, topology: {numaAligned: true}}]}"),
                true);
        assertThat(cpu.placed()).isTrue();
        assertThat(evidence(cpu)).as("no GPUs, so no NUMA node they are on").noneMatch(e -> e.contains("NUMA node"));
    }

    /**
     * A binding's NVLink domain is the one its GPUs share, null when they span two. Before, it was
     * the domain of the binding's last GPU: eight GPUs over two domains of four were said to be in
     * the second.
     */
    @Test
    void aBindingNamesAnNvlinkDomainOnlyWhenItsGpusShareOne() {
        Infra infra = Infra.threeSites().node("n1", "fra-1", null, 32, 256, 8, "NVIDIA H100", 80, 4, 1, 700, 0);
        PlacementService service = service(infra);
        PlacementDecision spread = service.place(contract("{name: a, tenant: t, members: [{name: m, gpus: 8}]}"), true);
        assertThat(spread.bindings().get(0).acceleratorIds()).hasSize(8);
        assertThat(spread.bindings().get(0).nvlinkDomain()).isNull();
        PlacementDecision one = service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: 4, topology: {nvlinkDomain: true}}]}"),
                true);
        assertThat(one.bindings().get(0).nvlinkDomain()).isIn("n1/nv0", "n1/nv1");
        assertThat(evidence(one)).contains("members.m.topology.nvlinkDomain: 4 GPUs in NVLink domain " + one.bindings().get(0).nvlinkDomain());
    }

    /**
     * A change of etc/dev.strata.platform.core.placement.cfg while Strata runs that holds a value
     * placement refuses leaves the settings before it in force, as the README says of every rejected
     * change, and is recorded as rejected. Before, the component had no modified method: Declarative
     * Services made it again from the changed configuration, the refused value failed that, and
     * placement (and the deployments and the commitment verifier, which need it) stopped until the
     * file was corrected. The method is called as Declarative Services calls it, named by the
     * component's descriptor.
     */
    @Test
    void aRejectedChangeOfTheConfigurationLeavesThePreviousSettingsInForce() throws Exception {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(),
                DurablePlacementTest.config(java.util.Map.of()), Clock.systemUTC());
        dev.strata.platform.testkit.RecordingRejections rejections = new dev.strata.platform.testkit.RecordingRejections();
        dev.strata.platform.testkit.ComponentDescriptors.bindOptional(service, dev.strata.platform.api.provider.ConfigurationRejections.class,
                rejections);
        String placed = service.place(contract("{name: a, tenant: t, members: [{name: m, gpus: 8}]}"), false).allocationId();

        PlacementEngine before = service.engine();
        for (java.util.Map<String, Object> change : List.<java.util.Map<String, Object>>of(java.util.Map.of("recordDryRuns", "yes"),
                java.util.Map.of("deciders", -1), java.util.Map.of("deciders", "ten"), java.util.Map.of("policy", "bestfti"))) {
            dev.strata.platform.testkit.ComponentDescriptors.modified(service, DurablePlacementTest.config(change), change);
            assertThat(service.engine()).as("%s: the engine before it stays", change).isSameAs(before);
        }
        assertThat(service.policyName()).isEqualTo("strata");
        assertThat(rejections.told()).containsExactly(
                "dev.strata.platform.core.placement | dev.strata.platform.core.placement: recordDryRuns = 'yes' is invalid; expected true or false",
                "dev.strata.platform.core.placement | dev.strata.platform.core.placement: deciders = '-1' is invalid; expected a whole number of "
                        + "decisions at once, at least 1, or 0 for as many as the machine has processors",
                "dev.strata.platform.core.placement | dev.strata.platform.core.placement: deciders = 'ten' is invalid; expected a whole number of "
                        + "decisions at once, at least 1, or 0 for as many as the machine has processors",
                "dev.strata.platform.core.placement | dev.strata.platform.core.placement: policy = 'bestfti' is invalid; expected one of strata, "
                        + "fgd, bestfit, random, or strata:name=value,... for Strata with other weights");
        assertThat(rejections.previousSettingsInForce()).as("each refusal leaves the settings before it in force")
                .containsExactly(true, true, true, true);
        assertThat(service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: 8}]}"), true).placed()).isTrue();

        // a valid change takes effect, on the same ledger
        java.util.Map<String, Object> bestfit = java.util.Map.of("policy", "bestfit", "deciders", 3);
        dev.strata.platform.testkit.ComponentDescriptors.modified(service, DurablePlacementTest.config(bestfit), bestfit);
        assertThat(service.policyName()).isEqualTo("bestfit");
        assertThat(service.engine()).isNotSameAs(before);
        assertThat(service.allocations()).extracting(a -> a.id()).containsExactly(placed);
        PlacementDecision second = service.place(contract("{name: b, tenant: t, members: [{name: m, gpus: 8}]}"), false);
        assertThat(second.placed()).isTrue();
        assertThat(second.bindings().get(0).nodeId()).isNotEqualTo(service.allocation(placed).orElseThrow().bindings().get(0).nodeId());
        assertThat(service.place(contract("{name: c, tenant: t, members: [{name: m, gpus: 1}]}"), true).placed())
                .as("both nodes are held").isFalse();
        PlacementEngine changed = service.engine();
        dev.strata.platform.testkit.ComponentDescriptors.modified(service, DurablePlacementTest.config(bestfit), bestfit);
        assertThat(service.engine()).as("a change that leaves the settings as they are keeps the engine").isSameAs(changed);
        assertThat(rejections.told()).hasSize(4);
    }
}
