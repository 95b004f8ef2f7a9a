package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.machine;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.model.StorageClass;
import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.provider.StorageSnapshot;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link InventoryMerger}: site precedence, conflicts, and accelerators joined by machine identity. */
class InventoryMergerTest {

    private static final Site DECLARED_FRA = Site.builder().id("fra-1").providerId("declared").country("DE")
            .jurisdictions(Set.of("EU", "DE")).operator(new Operator("Mainufer Rechenzentrum GmbH", Set.of("EU", "DE")))
            .certifications(Set.of("ISO27001")).powerBudgetWatts(1_500_000).build();

    private static InventoryMerger.Result merge(InventoryMerger.Contribution... contributions) {
        return InventoryMerger.mergeWithWarnings(1, Instant.EPOCH, List.of(contributions));
    }

    /**
     * A provider's compute snapshot of these sites and nodes; a node's site that {@code sites} does
     * not hold is reported as a discovered placeholder ({@code Site.local}), as the bare-metal
     * provider reports its own, so that a test of something else is not told of a site no provider
     * reports.
     */
    private static InventoryMerger.Contribution compute(String provider, List<Site> sites, Node... nodes) {
        List<Site> all = new ArrayList<>(sites);
        for (Node n : nodes) {
            if (all.stream().noneMatch(s -> s.id().equals(n.siteId()))) {
                all.add(Site.local(n.siteId(), provider));
            }
        }
        return new InventoryMerger.Contribution(provider, false,
                List.of(ComputeSnapshot.builder(1, Instant.EPOCH).sites(all).nodes(List.of(nodes)).build()));
    }

    private static InventoryMerger.Contribution gpus(String provider, GpuSnapshot snapshot) {
        return new InventoryMerger.Contribution(provider, false, List.of(snapshot));
    }

    /**
     * The case from the README: the bare-metal provider configured with site=fra-1 reports an empty
     * placeholder site; the declared fra-1 must keep its country, jurisdictions and operator.
     */
    @Test
    void declaredFactsAboutASiteWinOverADiscoveredPlaceholder() {
        // "baremetal" sorts before "declared": the order of providers must not matter
        InventoryMerger.Result result = merge(
                compute("baremetal", List.of(Site.local("fra-1", "baremetal")), node("baremetal:host", "baremetal", "host")),
                compute("declared", List.of(DECLARED_FRA)));

        Site fra = result.snapshot().site("fra-1").orElseThrow();
        assertThat(fra.country()).isEqualTo("DE");
        assertThat(fra.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(fra.operator().name()).isEqualTo("Mainufer Rechenzentrum GmbH");
        assertThat(fra.certifications()).containsExactly("ISO27001");
        assertThat(fra.powerBudgetWatts()).isEqualTo(1_500_000);
        assertThat(fra.providerId()).isEqualTo("declared");
        assertThat(result.warnings()).as("a placeholder is no conflict").isEmpty();
    }

    /**
     * Bare-metal nodes name a power domain the declared inventory reports: no warning. Nodes that
     * name one nobody reports (a typo), or one whose parent nobody reports, are warned of once per
     * provider and domain, naming them, since placement will not use them.
     */
    @Test
    void nodesInAPowerDomainNoProviderReportsAreWarnedOfOncePerDomain() {
        PowerDomain rack = new PowerDomain("fra-1-rack-a01", "rack", "fra-1", null, 20_000);
        List<Node> metal = new ArrayList<>();
        metal.add(node("metal:n1", "metal", "n1").toBuilder().powerDomainId("fra-1-rack-a01").build());
        for (int i = 2; i <= 6; i++) {
            metal.add(node("metal:n" + i, "metal", "n" + i).toBuilder().powerDomainId("fra-1-rack-a0l").build());
        }
        metal.add(node("metal:x", "metal", "x").toBuilder().powerDomainId("fra-1-rack-b07").build());
        metal.add(node("metal:y", "metal", "y").toBuilder().powerDomainId("fra-1-rack-c01").build());
        PowerDomain orphan = new PowerDomain("fra-1-rack-c01", "rack", "fra-1", "fra-1-hall-c", 20_000);
        InventoryMerger.Result result = merge(compute("metal", List.of(Site.local("site-metal", "metal")), metal.toArray(new Node[0])),
                new InventoryMerger.Contribution("declared", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(DECLARED_FRA)).powerDomains(List.of(rack, orphan)).build())));

        assertThat(result.warnings()).containsOnlyKeys("metal");
        assertThat(result.warnings().get("metal")).containsExactly(
                "power domain fra-1-hall-c, above fra-1-rack-c01, of node metal:y is reported by no provider: its budget is unknown, so "
                        + "nothing is placed on the node until a provider reports it",
                "power domain fra-1-rack-a0l of 5 nodes (metal:n2, metal:n3, metal:n4 and 2 more) is reported by no provider: its budget is "
                        + "unknown, so nothing is placed on them until a provider reports it",
                "power domain fra-1-rack-b07 of node metal:x is reported by no provider: its budget is unknown, so nothing is placed on the "
                        + "node until a provider reports it");
        assertThat(result.snapshot().node("metal:n2").orElseThrow().powerDomainId()).as("the node is kept as reported").isEqualTo("fra-1-rack-a0l");
    }

    /**
     * The chain of parents was followed at most 16 levels up, so a parent no provider reports
     * above that went unwarned, and a cycle of parents (a provider's error: it has no top) was
     * not warned of at all. A gap 20 levels up is warned of like one at the first; a cycle is
     * warned of under the provider that reports its domains, naming the nodes under it.
     */
    @Test
    void aGapFarUpAndACycleOfPowerDomainsAreWarnedOf() {
        List<PowerDomain> domains = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            domains.add(new PowerDomain("level" + k, "feed", "fra-1", "level" + (k + 1), 0));
        }
        domains.add(new PowerDomain("hall-c", "hall", "fra-1", "rack-c", 50_000));
        domains.add(new PowerDomain("rack-c", "rack", "fra-1", "hall-c", 20_000));
        domains.add(new PowerDomain("rack-d", "rack", "fra-1", "hall-c", 20_000));
        domains.add(new PowerDomain("pdu-x", "pdu", "fra-1", "pdu-y", 0));
        domains.add(new PowerDomain("pdu-y", "pdu", "fra-1", "pdu-x", 0));
        InventoryMerger.Result result = merge(compute("metal", List.of(Site.local("site-metal", "metal")),
                node("metal:deep", "metal", "deep").toBuilder().powerDomainId("level0").build(),
                node("metal:c", "metal", "c").toBuilder().powerDomainId("rack-c").build(),
                node("metal:d", "metal", "d").toBuilder().powerDomainId("rack-d").build()),
                new InventoryMerger.Contribution("declared", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(DECLARED_FRA)).powerDomains(domains).build())));

        assertThat(result.warnings().get("metal")).containsExactly(
                "power domain level20, above level0, of node metal:deep is reported by no provider: its budget is unknown, so nothing is "
                        + "placed on the node until a provider reports it");
        assertThat(result.warnings().get("declared")).containsExactly(
                "power domains hall-c -> rack-c -> hall-c form a cycle of parents, which has no top: the budgets that hold them are "
                        + "unknown, so nothing is placed on the 2 nodes under them (metal:c, metal:d)",
                "power domains pdu-x -> pdu-y -> pdu-x form a cycle of parents, which has no top: the budgets that hold them are "
                        + "unknown, so nothing is placed under them");
        assertThat(result.snapshot().powerDomains()).as("the domains are kept as reported").hasSize(25);
    }

    @Test
    void factsOnlyOneProviderStatesAreMergedFactByFact() {
        Site cloud = Site.builder().id("fra-1").providerId("aws").region("eu-central-1").zone("euc1-az1").build();
        InventoryMerger.Result result = merge(compute("aws", List.of(cloud)), compute("declared", List.of(DECLARED_FRA)));

        Site fra = result.snapshot().site("fra-1").orElseThrow();
        assertThat(fra.region()).isEqualTo("eu-central-1");
        assertThat(fra.zone()).isEqualTo("euc1-az1");
        assertThat(fra.country()).isEqualTo("DE");
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void conflictingFactsAreReportedToBothProvidersAndTheRicherDescriptionIsKept() {
        Site other = Site.builder().id("fra-1").providerId("aws").country("US").operator(new Operator("US Cloud Inc.", Set.of("US"))).build();
        InventoryMerger.Result result = merge(compute("aws", List.of(other)), compute("declared", List.of(DECLARED_FRA)));

        Site fra = result.snapshot().site("fra-1").orElseThrow();
        assertThat(fra.country()).isEqualTo("DE");
        assertThat(fra.operator().name()).isEqualTo("Mainufer Rechenzentrum GmbH");
        List<String> expected = List.of(
                "conflict: site fra-1 country is DE for declared but US for aws; keeping declared's",
                "conflict: site fra-1 operator is Mainufer Rechenzentrum GmbH [DE, EU] for declared but US Cloud Inc. [US] for aws; keeping declared's");
        assertThat(result.warnings()).containsOnlyKeys("aws", "declared");
        assertThat(result.warnings().get("aws")).containsExactlyElementsOf(expected);
        assertThat(result.warnings().get("declared")).containsExactlyElementsOf(expected);
    }

    @Test
    void aNodeOrPowerDomainReportedTwiceDifferentlyIsAConflict() {
        PowerDomain rackA = new PowerDomain("rack-1", "rack", "s", null, 40_000);
        PowerDomain rackB = new PowerDomain("rack-1", "rack", "s", null, 30_000);
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("a", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .nodes(List.of(node("n1", "a", "h"))).powerDomains(List.of(rackA)).build())),
                new InventoryMerger.Contribution("b", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .nodes(List.of(node("n1", "b", "h"))).powerDomains(List.of(rackB)).build())));

        assertThat(result.snapshot().node("n1").orElseThrow().providerId()).isEqualTo("a");
        assertThat(result.snapshot().powerDomains()).containsExactly(rackA);
        assertThat(result.warnings().get("b")).containsExactly(
                "conflict: power domain rack-1 differs between a and b; keeping a's",
                "conflict: node n1 is reported by a and b; keeping a's");
    }

    /**
     * A node whose id holds a line break, an ESC, a line separator or half of a surrogate pair is
     * left out of the inventory, and its provider is told, naming itself and the id escaped as the
     * API shows a configured value; the provider's other nodes and the other providers' are merged.
     * Before, such an id went into the inventory as it was, and from there into the log, the ledger
     * and the provenance log.
     */
    @Test
    void aNodeWhoseIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarningAndTheRestAreMerged() {
        String expected = " of provider odd is left out of the inventory: its id holds a control or format character, a line or "
                + "paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), which would forge "
                + "a line of the log or act on a terminal; expected an id of characters that show as themselves";
        InventoryMerger.Result result = merge(compute("odd", List.of(), node("odd-1\nINFO forged", "odd", "h"), node("odd-2", "odd", "h2"),
                        node("odd-3\u001b[2J", "odd", "h3"), node("odd-4\u2028x", "odd", "h4"), node("odd-5\ud800", "odd", "h5"),
                        node("odd-6\u0000", "odd", "h6")),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().nodes()).extracting(Node::id).containsExactly("g1", "odd-2");
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly("node odd-1\\u000aINFO forged" + expected, "node odd-3\\u001b[2J" + expected,
                "node odd-4\\u2028x" + expected, "node odd-5\\ud800" + expected, "node odd-6\\u0000" + expected);
    }

    /** What each warning of a resource left out for its id says after the id. */
    private static final String LEFT_OUT = " of provider odd is left out of the inventory: its id holds a control or format character, a "
            + "line or paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), which would "
            + "forge a line of the log or act on a terminal; expected an id of characters that show as themselves";

    /**
     * A power domain whose id holds a line break, an ESC, a line separator or half of a surrogate
     * pair is left out of the inventory, its provider told as for a node, and so is the node that
     * names it, the id shown escaped alike, so nothing is placed there; the provider's other domains
     * and nodes are merged. Before, the domain went in as it was:
     * "rack-1\nx" and "rack-1 x" were two budgets, one log line apart from the other only by what
     * the log's cleaning made of them, and an allocation named a domain as no log showed it.
     */
    @Test
    void aPowerDomainWhoseIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        List<PowerDomain> domains = List.of(new PowerDomain("rack-1\nINFO forged", "rack", "s", null, 20_000),
                new PowerDomain("rack-1 INFO forged", "rack", "s", null, 20_000), new PowerDomain("rack-2\u001b[2J", "rack", "s", null, 20_000),
                new PowerDomain("rack-3\u2028", "rack", "s", null, 20_000), new PowerDomain("rack-4\ud800", "rack", "s", null, 20_000));
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(Site.local("site-odd", "odd"))).powerDomains(domains)
                        .nodes(List.of(node("n1", "odd", "h1").toBuilder().powerDomainId("rack-1\nINFO forged").build(),
                                node("n2", "odd", "h2").toBuilder().powerDomainId("rack-1 INFO forged").build())).build())),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().powerDomains()).extracting(PowerDomain::id).containsExactly("rack-1 INFO forged");
        assertThat(result.snapshot().nodes()).extracting(Node::id).containsExactly("g1", "n2");
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly("power domain rack-1\\u000aINFO forged" + LEFT_OUT,
                "power domain rack-2\\u001b[2J" + LEFT_OUT, "power domain rack-3\\u2028" + LEFT_OUT, "power domain rack-4\\ud800" + LEFT_OUT,
                referenceLeftOut("node n1", "power domain", "rack-1\\u000aINFO forged"));
    }

    /**
     * A fabric whose id holds a control or format character, from a fabric provider or a GPU
     * provider's interconnects, is left out of the inventory, its provider told as for a node; the
     * provider's other fabrics are merged. Before, it went in as it was, and an allocation named it
     * as no log showed it ("ib-1\nx" and "ib-1 x" read as one there).
     */
    @Test
    void aFabricWhoseIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        Fabric forged = Fabric.builder().id("ib-1\nINFO forged").type(FabricType.RDMA).technology("InfiniBand").siteId("s").build();
        Fabric spaced = Fabric.builder().id("ib-1 INFO forged").type(FabricType.RDMA).technology("InfiniBand").siteId("s").build();
        Fabric escape = Fabric.builder().id("ib-2\u001b[2J\u2028").type(FabricType.RDMA).technology("InfiniBand").siteId("s").build();
        Fabric nvlink = Fabric.builder().id("nvl-1\ud800").type(FabricType.PCIE).technology("NVLink 4").siteId("s").build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("odd", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("s",
                        "odd"))).build(), FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(forged, spaced, escape)).build(),
                        new GpuSnapshot(1, Instant.EPOCH, "h", null, List.of(), List.of(nvlink), List.of(), null, List.of()))),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().fabrics()).extracting(Fabric::id).containsExactly("ib-1 INFO forged");
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactlyInAnyOrder("fabric ib-1\\u000aINFO forged" + LEFT_OUT,
                "fabric ib-2\\u001b[2J\\u2028" + LEFT_OUT, "fabric nvl-1\\ud800" + LEFT_OUT);
    }

    /**
     * A capacity offer whose id holds a control or format character is left out of the inventory,
     * its provider told as for a node; its other offers are merged. Before, it went in as it was, and
     * the node ids of its slots, which allocations name, and a deployment's offer held it.
     */
    @Test
    void aCapacityOfferWhoseIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        CapacityOffer p5 = CapacityOffer.builder().id("aws:eu-central-1a:p5.48xlarge").providerId("odd").siteId("eu-central-1a")
                .shape("p5.48xlarge").machine(node("p5", "odd", "p5").toBuilder().siteId("eu-central-1a").build()).limit(4).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(Site.local("eu-central-1a", "odd"))).offers(List.of(p5.toBuilder().id("aws:p5\nINFO forged").build(), p5,
                                p5.toBuilder().id("aws:p5\u001b[2J\u2028\ud800").build())).build())),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().offers()).containsExactly(p5);
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly("capacity offer aws:p5\\u000aINFO forged" + LEFT_OUT,
                "capacity offer aws:p5\\u001b[2J\\u2028\\ud800" + LEFT_OUT);
    }

    /**
     * A node whose id is one placement gives a launch slot of a capacity offer ({@code <offer id>#<n>}) is left out of the
     * inventory, its provider told; the offer, and a node whose id only looks like a slot's of no offer, are kept. Before,
     * the node went in, placement held it and the slot under one id (its index finding only the slot by it), and a member
     * bound to either was taken as bound to the node.
     */
    @Test
    void aNodeWhoseIdIsALaunchSlotsOfAnOfferIsLeftOutWithAWarning() {
        CapacityOffer p5 = CapacityOffer.builder().id("aws:eu-central-1a:p5.48xlarge").providerId("aws").siteId("eu-central-1a")
                .shape("p5.48xlarge").machine(node("p5", "aws", "p5").toBuilder().siteId("eu-central-1a").build()).limit(4).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("aws", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(Site.local("eu-central-1a", "aws"))).offers(List.of(p5)).build())),
                compute("metal", List.of(), node("aws:eu-central-1a:p5.48xlarge#1", "metal", "m1"), node("rack-7#1", "metal", "m2"),
                        node("g1", "metal", "g")));

        assertThat(result.snapshot().offers()).containsExactly(p5);
        assertThat(result.snapshot().nodes()).extracting(Node::id).containsExactly("g1", "rack-7#1");
        assertThat(result.warnings()).containsOnlyKeys("metal");
        assertThat(result.warnings().get("metal")).containsExactly("node aws:eu-central-1a:p5.48xlarge#1 has the id of a launch slot of "
                + "capacity offer aws:eu-central-1a:p5.48xlarge (placement names an offer's slots <offer id>#<n>); left out of the "
                + "inventory (give the node another id)");
    }

    /**
     * An accelerator whose id holds a control or format character, from a GPU provider or on a
     * compute provider's node, is left out of the inventory with the device paths that name it, its
     * provider told as for a node; its node and the node's other accelerators are merged, since one
     * GPU's id is no fault of the machine. Before, it went in as it was, and an allocation named it
     * as no log showed it.
     */
    @Test
    void anAcceleratorWhoseIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarningAndItsNodeIsKept() {
        Accelerator forged = H200.toBuilder().id("GPU-2\nINFO forged").pciAddress(null).build();
        Accelerator escape = Accelerator.builder().id("bmc-gpu-1\u001b[2J\u2028\ud800").model("NVIDIA H200").build();
        List<dev.strata.platform.api.model.DevicePath> paths = List.of(
                new dev.strata.platform.api.model.DevicePath("GPU-1", "GPU-2\nINFO forged", dev.strata.platform.api.model.TopologyLevel.SINGLE, 18),
                new dev.strata.platform.api.model.DevicePath("GPU-1", "mlx5_0", dev.strata.platform.api.model.TopologyLevel.SINGLE, 0));
        InventoryMerger.Result result = merge(
                compute("metal", List.of(), machine("a", "metal", "h1", MACHINE, GPU_FUNCTION)),
                compute("odd", List.of(), node("b", "odd", "h2").toBuilder().accelerators(List.of(BMC_GPU.toBuilder().nodeId("b").build(),
                        escape)).build()),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE).accelerators(List.of(H200, forged))
                        .paths(paths).build()));

        Node a = result.snapshot().node("a").orElseThrow();
        assertThat(a.accelerators()).extracting(Accelerator::id).containsExactly("GPU-1");
        assertThat(a.devicePaths()).containsExactly(paths.get(1));
        assertThat(result.snapshot().node("b").orElseThrow().accelerators()).extracting(Accelerator::id).containsExactly("bmc-gpu-0");
        assertThat(result.warnings()).containsOnlyKeys("nvidia", "odd");
        assertThat(result.warnings().get("nvidia")).containsExactly("accelerator GPU-2\\u000aINFO forged" + LEFT_OUT.replace("odd", "nvidia"));
        assertThat(result.warnings().get("odd")).containsExactly("accelerator bmc-gpu-1\\u001b[2J\\u2028\\ud800" + LEFT_OUT);
    }

    /**
     * A node's, an offer's machine's and an accelerator's attribute keys and values that hold a line
     * break, an ESC or a direction override (U+202E) reach the inventory shown printable, the
     * resource kept; a GPU snapshot still joins the node by its machine identity. Two keys that show
     * alike keep the first in key order, the provider told; a record whose attributes all show as
     * themselves is passed on as it is. Before, attributes went in as the provider wrote them, to
     * JSON, placement's evidence and the provenance log, which escapes no direction override.
     */
    @Test
    void attributeKeysAndValuesHoldingControlOrBidiCharactersAreShownPrintableAndTheResourceKept() {
        Accelerator gpu = H200.toBuilder().attribute("vbios\u202e", "96.00\n\u001b[2J").attribute("driver", "550.54").build();
        Node a = machine("a", "metal", "h1", MACHINE, GPU_FUNCTION).toBuilder().attribute("tag\u001b[31m", "prod\nINFO forged\u202e")
                .attribute("kernel", "6.1").build();
        Node b = node("b", "metal", "h2").toBuilder().attribute("kernel", "6.1").build();
        Node c = node("c", "metal", "h3").toBuilder().attribute("k\n", "x").attribute("k\\u000a", "y").build();
        CapacityOffer offer = CapacityOffer.builder().id("aws:eu-central-1a:p5.48xlarge").providerId("metal").siteId("eu-central-1a")
                .shape("p5.48xlarge").machine(node("p5", "metal", "p5").toBuilder().siteId("eu-central-1a")
                        .attribute("Name", "gpu\u202e-box\r").build()).limit(4).build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("metal", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(Site.local("site-metal", "metal"), Site.local("eu-central-1a", "metal"))).nodes(List.of(a, b, c))
                        .offers(List.of(offer)).build())),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE).accelerators(List.of(gpu)).build()));

        Node merged = result.snapshot().node("a").orElseThrow();
        assertThat(merged.attributes()).containsOnly(java.util.Map.entry("tag\\u001b[31m", "prod\\u000aINFO forged\\u202e"),
                java.util.Map.entry("kernel", "6.1"), java.util.Map.entry(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE, MACHINE));
        assertThat(merged.accelerators()).singleElement().satisfies(g -> assertThat(g.attributes()).containsOnly(
                java.util.Map.entry("vbios\\u202e", "96.00\\u000a\\u001b[2J"), java.util.Map.entry("driver", "550.54")));
        assertThat(result.snapshot().offers()).singleElement().satisfies(o -> assertThat(o.machine().attributes())
                .containsOnly(java.util.Map.entry("Name", "gpu\\u202e-box\\u000d")));
        assertThat(result.snapshot().node("b").orElseThrow()).as("nothing to escape: the node as reported").isSameAs(b);
        assertThat(result.snapshot().node("c").orElseThrow().attributes()).containsOnly(java.util.Map.entry("k\\u000a", "x"));
        assertThat(result.warnings()).containsOnlyKeys("metal");
        assertThat(result.warnings().get("metal")).containsExactly("node c of provider metal has two attributes whose keys show alike as "
                + "k\\u000a once a control or format character, a line or paragraph separator or half of a surrogate pair in one is shown "
                + "as a backslash, u and four hex digits; the first in key order is kept, with value x, and the other, with value y, left "
                + "out; expected attribute keys that differ as shown");
    }

    /**
     * A node's hostname, its NICs' link types, an accelerator's vendor, model and compute
     * capability, a site's region, zone and operator's name and a fabric's technology holding a
     * line break, an ESC or a direction override reach the merged inventory shown printable, as
     * attributes do, the resource kept; a resource with nothing to escape is the one reported.
     * Before, each went to JSON, placement's evidence and the provenance log as the provider wrote it.
     */
    @Test
    void freeTextHoldingControlOrBidiCharactersIsShownPrintableAndACleanResourceKeptAsReported() {
        String odd = "x\n\u001b[2J\u202e";
        String shown = "x\\u000a\\u001b[2J\\u202e";
        Accelerator gpu = H200.toBuilder().vendor(odd).model(odd).computeCapability(odd).build();
        Node a = machine("a", "metal", odd, MACHINE, GPU_FUNCTION).toBuilder()
                .nics(List.of(new Nic("ib0", null, null, 0, -1, odd), new Nic("eth0", null, null, 0, -1, "ethernet"))).build();
        Node b = node("b", "metal", "h2").toBuilder().nics(List.of(new Nic("eth0", null, null, 0, -1, "ethernet"))).build();
        Site site = Site.builder().id("site-metal").providerId("metal").region(odd).zone(odd).operator(new Operator(odd, Set.of("DE")))
                .build();
        Site clean = Site.builder().id("fra-1").providerId("metal").region("eu").zone("fra-1a").operator(new Operator("Acme", Set.of("DE")))
                .build();
        Fabric ib = Fabric.builder().id("ib-1").type(FabricType.RDMA).technology(odd).siteId("site-metal").build();
        Fabric efa = Fabric.builder().id("efa-1").type(FabricType.RDMA).technology("EFA").siteId("fra-1").build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("metal", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(site, clean)).nodes(List.of(a, b)).build(),
                        FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(ib, efa)).build())),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE).accelerators(List.of(gpu)).build()));

        Node merged = result.snapshot().node("a").orElseThrow();
        assertThat(merged.hostname()).isEqualTo(shown);
        assertThat(merged.nics()).extracting(Nic::linkType).containsExactly(shown, "ethernet");
        assertThat(merged.accelerators()).singleElement().satisfies(g -> assertThat(List.of(g.vendor(), g.model(), g.computeCapability()))
                .containsOnly(shown));
        Site mergedSite = result.snapshot().site("site-metal").orElseThrow();
        assertThat(List.of(mergedSite.region(), mergedSite.zone(), mergedSite.operator().name())).containsOnly(shown);
        assertThat(result.snapshot().fabrics()).filteredOn(f -> f.id().equals("ib-1")).singleElement()
                .satisfies(f -> assertThat(f.technology()).isEqualTo(shown));
        assertThat(result.snapshot().node("b").orElseThrow()).as("nothing to escape: the node as reported").isSameAs(b);
        assertThat(result.snapshot().site("fra-1").orElseThrow()).as("nothing to escape: the site as reported").isSameAs(clean);
        assertThat(result.snapshot().fabrics()).filteredOn(f -> f.id().equals("efa-1")).singleElement()
                .as("nothing to escape: the fabric as reported").isSameAs(efa);
        assertThat(result.warnings()).isEmpty();
    }

    /**
     * A PCI function's vendor name, device name and driver, a CPU package's vendor and model, a NIC's
     * MAC address, an accelerator's health reasons and links' peer kinds, a power domain's kind and a
     * fabric's tiers holding a line break, an ESC or a direction override reach the merged inventory
     * shown printable, the resource kept; a resource with nothing to escape is the one reported.
     * Before, each went to JSON, placement's evidence, the shell and the provenance log as the
     * provider wrote it.
     */
    @Test
    void moreFreeTextHoldingControlOrBidiCharactersIsShownPrintableAndACleanResourceKeptAsReported() {
        String odd = "x\n\u001b[2J\u202e";
        String shown = "x\\u000a\\u001b[2J\\u202e";
        Accelerator gpu = H200.toBuilder().health(new Health(Health.Status.DEGRADED, List.of(odd, "ecc")))
                .links(List.of(new DeviceLink(0, null, odd, 25, true), new DeviceLink(1, null, "GPU", 25, true))).build();
        PciDevice function = GPU_FUNCTION.toBuilder().vendorName(odd).deviceName(odd).driver(odd).build();
        CpuTopology cpu = new CpuTopology(List.of(new CpuPackage(0, odd, odd, List.of(new CpuCore(0, CpuSet.of(0, 1))))), CpuSet.of(0, 1),
                CpuSet.EMPTY);
        Node a = machine("a", "metal", "h1", MACHINE, function).toBuilder().cpu(cpu)
                .nics(List.of(new Nic("ib0", null, odd, 0, -1, "infiniband"), new Nic("eth0", null, "52:54:00:12:34:56", 0, -1, "ethernet")))
                .build();
        Node b = node("b", "metal", "h2", GPU_FUNCTION.toBuilder().vendorName("NVIDIA Corporation").driver("nvidia").build()).toBuilder()
                .cpu(new CpuTopology(List.of(new CpuPackage(0, "GenuineIntel", "Xeon", List.of())), CpuSet.EMPTY, CpuSet.EMPTY))
                .nics(List.of(new Nic("eth0", null, "52:54:00:12:34:56", 0, -1, "ethernet"))).build();
        PowerDomain rack = new PowerDomain("rack-1", odd, "site-metal", null, 20_000);
        PowerDomain pdu = new PowerDomain("pdu-1", "pdu", "site-metal", null, 20_000);
        Fabric ib = Fabric.builder().id("ib-1").type(FabricType.RDMA).technology("InfiniBand").siteId("site-metal")
                .tiers(List.of("leaf", odd)).build();
        Fabric efa = Fabric.builder().id("efa-1").type(FabricType.RDMA).technology("EFA").siteId("site-metal").tiers(List.of("leaf"))
                .build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("metal", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(Site.local("site-metal", "metal"))).powerDomains(List.of(rack, pdu)).nodes(List.of(a, b)).build(),
                        FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(ib, efa)).build())),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE).accelerators(List.of(gpu)).build()));

        Node merged = result.snapshot().node("a").orElseThrow();
        assertThat(merged.pciDevices()).singleElement().satisfies(d -> assertThat(List.of(d.vendorName(), d.deviceName(), d.driver()))
                .containsOnly(shown));
        assertThat(merged.cpu().packages()).singleElement().satisfies(p -> assertThat(List.of(p.vendor(), p.model())).containsOnly(shown));
        assertThat(merged.cpu().online()).isEqualTo(CpuSet.of(0, 1));
        assertThat(merged.nics()).extracting(Nic::macAddress).containsExactly(shown, "52:54:00:12:34:56");
        assertThat(merged.accelerators()).singleElement().satisfies(g -> {
            assertThat(g.health().reasons()).containsExactly(shown, "ecc");
            assertThat(g.health().status()).isEqualTo(Health.Status.DEGRADED);
            assertThat(g.links()).extracting(DeviceLink::peerKind).containsExactly(shown, "GPU");
        });
        assertThat(result.snapshot().powerDomains()).filteredOn(p -> p.id().equals("rack-1")).singleElement()
                .satisfies(p -> assertThat(p.kind()).isEqualTo(shown));
        assertThat(result.snapshot().fabrics()).filteredOn(f -> f.id().equals("ib-1")).singleElement()
                .satisfies(f -> assertThat(f.tiers()).containsExactly("leaf", shown));
        assertThat(result.snapshot().node("b").orElseThrow()).as("nothing to escape: the node as reported").isSameAs(b);
        assertThat(result.snapshot().powerDomains()).filteredOn(p -> p.id().equals("pdu-1")).singleElement()
                .as("nothing to escape: the power domain as reported").isSameAs(pdu);
        assertThat(result.snapshot().fabrics()).filteredOn(f -> f.id().equals("efa-1")).singleElement()
                .as("nothing to escape: the fabric as reported").isSameAs(efa);
        assertThat(result.warnings()).isEmpty();
    }

    /**
     * A node's (or an offer's machine's) trait holding a line break, an ESC or a direction override
     * reaches the merged inventory shown printable, the node kept: no contract clause asks for a
     * trait and placement matches on none, so it is free text, only shown. A node whose traits all
     * show as themselves is the one reported. Before, each went to JSON and the shell as the
     * provider wrote it.
     */
    @Test
    void aNodesTraitHoldingControlOrBidiCharactersIsShownPrintableAndTheNodeKept() {
        String odd = "x\n\u001b[2J\u202e";
        String shown = "x\\u000a\\u001b[2J\\u202e";
        Node a = node("a", "metal", "h1").toBuilder().traits(Set.of("efa", odd)).build();
        Node b = node("b", "metal", "h2").toBuilder().traits(Set.of("efa", "arch:x86_64")).build();
        CapacityOffer p5 = CapacityOffer.builder().id("metal:p5").providerId("metal").siteId("site-metal").shape("p5.48xlarge")
                .machine(node("metal:p5", "metal", "p5").toBuilder().traits(Set.of("aws", "efa\u2028")).build()).limit(1).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("metal", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                .sites(List.of(Site.local("site-metal", "metal"))).offers(List.of(p5)).nodes(List.of(a, b)).build())));

        assertThat(result.snapshot().node("a").orElseThrow().traits()).containsExactlyInAnyOrder("efa", shown);
        assertThat(result.snapshot().offers()).singleElement()
                .satisfies(o -> assertThat(o.machine().traits()).containsExactlyInAnyOrder("aws", "efa\\u2028"));
        assertThat(result.snapshot().node("b").orElseThrow()).as("nothing to escape: the node as reported").isSameAs(b);
        assertThat(result.warnings()).isEmpty();
    }

    /**
     * A capacity offer whose shape, or whose machine's owner tenant, and a node whose owner tenant
     * holds a line break, an ESC or a direction override are left out of the inventory, their
     * provider told, naming the value escaped, as for an unprintable id: a launch names the shape as
     * its instance type and placement matches the owner tenant against a contract's tenant, so
     * neither may be shown escaped as free text is. Before, each went in as the provider wrote it.
     */
    @Test
    void anOfferWhoseShapeOrANodeWhoseOwnerTenantHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        CapacityOffer p5 = CapacityOffer.builder().id("aws:eu-central-1a:p5.48xlarge").providerId("odd").siteId("eu-central-1a")
                .shape("p5.48xlarge").machine(node("p5", "odd", "p5").toBuilder().siteId("eu-central-1a").build()).limit(4).build();
        CapacityOffer forgedShape = p5.toBuilder().id("aws:p5-a").shape("p5.48xlarge\nINFO forged\u202e").build();
        CapacityOffer forgedOwner = p5.toBuilder().id("aws:p5-b").machine(p5.machine().toBuilder().ownerTenant("acme\u001b[2J").build())
                .build();
        Node owned = node("n1", "odd", "h1").toBuilder().ownerTenant("acme").build();
        Node forgedNode = node("n2", "odd", "h2").toBuilder().ownerTenant("acme\u2028").build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                .sites(List.of(Site.local("eu-central-1a", "odd"), Site.local("site-odd", "odd")))
                .offers(List.of(forgedShape, p5, forgedOwner)).nodes(List.of(owned, forgedNode)).build())));

        assertThat(result.snapshot().offers()).containsExactly(p5);
        assertThat(result.snapshot().nodes()).containsExactly(owned);
        String control = " holds a control or format character, a line or paragraph separator or half of a surrogate pair (shown here as a "
                + "backslash, u and four hex digits), which would forge a line of the log or act on a terminal; ";
        String tenant = "placement and the commitment check match it against a contract's tenant, and escaped it would match none while "
                + "the log read it as another tenant's";
        assertThat(result.warnings().get("odd")).containsExactly(
                "capacity offer aws:p5-a of provider odd is left out of the inventory: its shape p5.48xlarge\\u000aINFO forged\\u202e"
                        + control + "a launch names its instance type by it, and escaped it would name one the cloud does not know; "
                        + "expected a shape of characters that show as themselves",
                "capacity offer aws:p5-b of provider odd is left out of the inventory: its machine's owner tenant acme\\u001b[2J" + control
                        + tenant + "; expected a machine's owner tenant of characters that show as themselves",
                "node n2 of provider odd is left out of the inventory: its owner tenant acme\\u2028" + control + tenant
                        + "; expected an owner tenant of characters that show as themselves");
    }

    /**
     * A site whose jurisdiction, or whose operator's, holds a line break, an ESC or a direction
     * override is left out of the inventory, its provider told, naming it escaped: a sovereignty
     * clause matches them, so one may be neither shown escaped nor dropped alone (an excluded
     * operator jurisdiction dropped would let the operator pass). Its nodes are then at a site no
     * provider reports, told of as such, and placed for no contract with a sovereignty clause;
     * another provider's clean report of the site is kept. A certification, which no clause reads,
     * is shown printable, the site kept. Before, each went in as the provider wrote it.
     */
    @Test
    void aSiteWhoseJurisdictionOrOperatorJurisdictionHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        Site fra1 = DECLARED_FRA.toBuilder().providerId("odd").jurisdictions(Set.of("EU", "DE\u202e")).build();
        Site fra2 = Site.builder().id("fra-2").providerId("odd").country("DE").jurisdictions(Set.of("EU"))
                .operator(new Operator("Acme Cloud Inc.", Set.of("EU", "US\nINFO forged"))).build();
        Site fra3 = fra2.toBuilder().id("fra-3").operator(new Operator("Acme GmbH", Set.of("EU"))).certifications(Set.of("ISO27001",
                "C5\u001b[2J")).build();
        Site fra4 = fra3.toBuilder().id("fra-4").certifications(Set.of("ISO27001")).build();
        Node n1 = node("n1", "odd", "h1").toBuilder().siteId("fra-1").build();
        Node n2 = node("n2", "odd", "h2").toBuilder().siteId("fra-2").build();
        InventoryMerger.Result result = merge(compute("declared", List.of(DECLARED_FRA)),
                compute("odd", List.of(fra1, fra2, fra3, fra4), n1, n2));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.sites()).extracting(Site::id).containsExactly("fra-1", "fra-3", "fra-4");
        assertThat(inventory.site("fra-1").orElseThrow()).as("the other provider's report, alone").isSameAs(DECLARED_FRA);
        assertThat(inventory.site("fra-3").orElseThrow().certifications()).containsExactlyInAnyOrder("ISO27001", "C5\\u001b[2J");
        assertThat(inventory.site("fra-4").orElseThrow()).as("nothing to escape: the site as reported").isSameAs(fra4);
        assertThat(inventory.nodes()).containsExactly(n1, n2);
        String control = " holds a control or format character, a line or paragraph separator or half of a surrogate pair (shown here as a "
                + "backslash, u and four hex digits), which would forge a line of the log or act on a terminal; placement and the commitment "
                + "check match it against ";
        String unknown = " while the log read it as another; its nodes and offers are then at a site no provider reports, placed for no "
                + "contract with a sovereignty clause; expected ";
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                "site fra-1 of provider odd is left out of the inventory: its jurisdiction DE\\u202e" + control + "the jurisdictions a "
                        + "contract's sovereignty clause allows, and escaped it would match a jurisdiction the provider did not name"
                        + unknown + "a jurisdiction of characters that show as themselves",
                "site fra-2 of provider odd is left out of the inventory: its operator jurisdiction US\\u000aINFO forged" + control
                        + "the operator jurisdictions a contract's sovereignty clause excludes, and escaped it would be excluded by none"
                        + unknown + "an operator jurisdiction of characters that show as themselves",
                "site fra-2 of node n2 is reported by no provider: its country, jurisdictions and operator are unknown, so nothing there is "
                        + "placed for a contract with a sovereignty clause until a provider reports it (a contract without one is placed "
                        + "there as usual)");
    }

    /**
     * A site or a storage pool whose id holds a line break, an ESC, a line separator or half of a
     * surrogate pair is left out of the inventory, its provider told as for a node; the provider's
     * other sites and pools are merged. Before, both went in as they were, unlike a node: a binding
     * names its node's site, and "fra-1\nx" and "fra-1 x" were two sites the log showed as one.
     */
    @Test
    void aSiteOrStoragePoolWhoseIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        Site forged = Site.builder().id("fra-1\nINFO forged").providerId("odd").country("DE").build();
        Site spaced = forged.toBuilder().id("fra-1 INFO forged").build();
        StoragePool pool = StoragePool.builder().id("odd:/data").storageClass(StorageClass.FILE).siteId("fra-1 INFO forged")
                .capacityBytes(1L << 40).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                        ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(forged, spaced, Site.local("fra-2\u001b[2J\u2028\ud800", "odd")))
                                .build(),
                        StorageSnapshot.builder(1, Instant.EPOCH).pools(List.of(pool.toBuilder().id("odd:/data\nINFO forged").build(), pool,
                                pool.toBuilder().id("odd:/x\u001b[2J\u2028\ud800").build())).build())),
                compute("good", List.of(Site.local("site-good", "good")), node("g1", "good", "g")));

        assertThat(result.snapshot().sites()).extracting(Site::id).containsExactly("fra-1 INFO forged", "site-good");
        assertThat(result.snapshot().storagePools()).containsExactly(pool);
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly("site fra-1\\u000aINFO forged" + LEFT_OUT,
                "site fra-2\\u001b[2J\\u2028\\ud800" + LEFT_OUT, "storage pool odd:/data\\u000aINFO forged" + LEFT_OUT,
                "storage pool odd:/x\\u001b[2J\\u2028\\ud800" + LEFT_OUT);
    }

    /** The warning to provider odd that leaves out a resource ({@code what}) for its reference to a site or power domain. */
    private static String referenceLeftOut(String what, String reference, String escaped) {
        return what + " of provider odd is left out of the inventory: its " + reference + " id " + escaped + " holds a control or format "
                + "character, a line or paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), "
                + "which would forge a line of the log or act on a terminal; " + (reference.endsWith("site")
                        ? "its sovereignty and jurisdiction come from its site, and a site that cannot be shown cannot be audited"
                        : reference.equals("machine")
                                ? "its machine describes every machine launched from it, whose accelerators' ids are made from the "
                                        + "machine's, and a machine that cannot be shown cannot be audited"
                                : "a power budget that holds it is that domain's, and a power domain that cannot be shown cannot be audited")
                + "; expected a " + reference + " id of characters that show as themselves";
    }

    /**
     * A resource whose site id holds a control or format character (a node's, a capacity offer's, a
     * fabric's from a fabric or a GPU provider, a storage pool's, a power domain's), or whose power
     * domain id does (a node's, a power domain's parent), is left out of the inventory, its provider
     * told, naming the reference escaped; a node under a domain so left out is told of as under one
     * no provider reports, and nothing is placed on it. The provider's other resources are merged.
     * Before, each went in as it was: placement took a node at such a site, which no provider can
     * report as the site ids are checked, as at a site of unknown country and operator for every
     * contract without a sovereignty clause, and its binding named a site no log showed as it was.
     */
    @Test
    void aResourceWhoseSiteOrPowerDomainIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        String forged = "fra-1\nINFO forged";
        PowerDomain rack = new PowerDomain("rack-1", "rack", "fra-1", null, 20_000);
        Node n1 = node("n1", "odd", "h1").toBuilder().siteId("fra-1").build();
        Fabric ib = Fabric.builder().id("ib-1").type(FabricType.RDMA).technology("InfiniBand").siteId("fra-1").build();
        StoragePool pool = StoragePool.builder().id("odd:/data").storageClass(StorageClass.FILE).siteId("fra-1").capacityBytes(1L << 40).build();
        CapacityOffer offer = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("fra-1").shape("p5.48xlarge")
                .machine(node("p5", "odd", "p5").toBuilder().siteId("fra-1").build()).limit(4).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("fra-1", "odd")))
                        .powerDomains(List.of(rack, new PowerDomain("rack-2", "rack", forged, null, 20_000),
                                new PowerDomain("rack-3", "rack", "fra-1", "hall\u001b[2J", 20_000)))
                        .offers(List.of(offer, offer.toBuilder().id("odd:p4").siteId("fra-1\ud800").build()))
                        .nodes(List.of(n1, n1.toBuilder().id("n2").siteId(forged).build(),
                                n1.toBuilder().id("n3").powerDomainId("rack-1\u2028").build(),
                                n1.toBuilder().id("n4").powerDomainId("rack-3").build()))
                        .build(),
                FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(ib, ib.toBuilder().id("ib-2").siteId(forged).build())).build(),
                new GpuSnapshot(1, Instant.EPOCH, "h", null, List.of(), List.of(ib.toBuilder().id("nvl-1").siteId("fra-1\u001b[2J").build()),
                        List.of(), null, List.of()),
                StorageSnapshot.builder(1, Instant.EPOCH).pools(List.of(pool, pool.toBuilder().id("odd:/x").siteId(forged).build())).build())));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.nodes()).extracting(Node::id).containsExactly("n1", "n4");
        assertThat(inventory.powerDomains()).containsExactly(rack);
        assertThat(inventory.offers()).containsExactly(offer);
        assertThat(inventory.fabrics()).containsExactly(ib);
        assertThat(inventory.storagePools()).containsExactly(pool);
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                referenceLeftOut("power domain rack-2", "site", "fra-1\\u000aINFO forged"),
                referenceLeftOut("power domain rack-3", "parent power domain", "hall\\u001b[2J"),
                referenceLeftOut("capacity offer odd:p4", "site", "fra-1\\ud800"),
                referenceLeftOut("node n2", "site", "fra-1\\u000aINFO forged"),
                referenceLeftOut("node n3", "power domain", "rack-1\\u2028"),
                referenceLeftOut("fabric ib-2", "site", "fra-1\\u000aINFO forged"),
                referenceLeftOut("fabric nvl-1", "site", "fra-1\\u001b[2J"),
                referenceLeftOut("storage pool odd:/x", "site", "fra-1\\u000aINFO forged"),
                "power domain rack-3 of node n4 is reported by no provider: its budget is unknown, so nothing is placed on the node until a "
                        + "provider reports it");
    }

    /**
     * A capacity offer whose machine's id, site id or power domain id holds a control or format
     * character is left out of the inventory, its provider told, naming the reference escaped; an
     * accelerator of an offer's machine whose id holds one is left out as one of a node is, with its
     * device paths, and the offer is kept. Before, each went in as it was: placement made the offer's
     * launch slots from the machine, booked an allocation on a slot against a power domain no log
     * showed as it was, and named the slot's GPUs by such ids.
     */
    @Test
    void aCapacityOfferWhoseMachineIdSiteOrPowerDomainIdHoldsAControlOrFormatCharacterIsLeftOutWithAWarning() {
        Accelerator gpu = Accelerator.builder().id("odd:p5-gpu-0").model("NVIDIA H100").nodeId("odd:p5").build();
        Accelerator escape = gpu.toBuilder().id("odd:p5-gpu-1\u001b[2J").build();
        List<dev.strata.platform.api.model.DevicePath> paths = List.of(
                new dev.strata.platform.api.model.DevicePath("odd:p5-gpu-0", "odd:p5-gpu-1\u001b[2J",
                        dev.strata.platform.api.model.TopologyLevel.SINGLE, 18),
                new dev.strata.platform.api.model.DevicePath("odd:p5-gpu-0", "efa0", dev.strata.platform.api.model.TopologyLevel.SINGLE, 0));
        Node machine = node("odd:p5", "odd", "p5").toBuilder().siteId("fra-1").powerDomainId("rack-1").accelerators(List.of(gpu, escape))
                .devicePaths(paths).build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("fra-1").shape("p5.48xlarge").machine(machine)
                .limit(4).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("fra-1", "odd")))
                        .powerDomains(List.of(new PowerDomain("rack-1", "rack", "fra-1", null, 20_000)))
                        .offers(List.of(p5.toBuilder().id("odd:p4").machine(machine.toBuilder().id("odd:p4\nINFO forged").build()).build(),
                                p5.toBuilder().id("odd:p3").machine(machine.toBuilder().siteId("fra-1\u2028").build()).build(),
                                p5.toBuilder().id("odd:p2").machine(machine.toBuilder().powerDomainId("rack-1\ud800").build()).build(), p5))
                        .build())),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().offers()).extracting(CapacityOffer::id).containsExactly("odd:p5");
        Node kept = result.snapshot().offers().get(0).machine();
        assertThat(kept.accelerators()).containsExactly(gpu);
        assertThat(kept.devicePaths()).containsExactly(paths.get(1));
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                referenceLeftOut("capacity offer odd:p4", "machine", "odd:p4\\u000aINFO forged"),
                referenceLeftOut("capacity offer odd:p3", "machine's site", "fra-1\\u2028"),
                referenceLeftOut("capacity offer odd:p2", "machine's power domain", "rack-1\\ud800"),
                "accelerator odd:p5-gpu-1\\u001b[2J" + LEFT_OUT);
    }

    /** The warning to provider odd that drops an id a resource ({@code what}) lists as a {@code member}, and keeps the resource. */
    private static String memberDropped(String what, String member, String escaped, String dropped) {
        return what + " of provider odd lists " + member + " id " + escaped + ", which holds a control or format character, a line or "
                + "paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), which would forge a "
                + "line of the log or act on a terminal; " + dropped + "; expected " + (member.startsWith("i") ? "an " : "a ") + member
                + " id of characters that show as themselves";
    }

    /**
     * A fabric's member id (a node's, an offer's, an accelerator's of an NVLink domain) or a capacity
     * offer's fabric id that holds a control or format character is dropped from the fabric's
     * members or the offer's fabrics, its provider told, naming it escaped; the fabric and the offer
     * are kept, and placement still sees the fabric hold the offer's launch slots: no resource with
     * such an id is in the inventory for the member to name. Before, each went in as it was, and the
     * inventory showed ids no log could.
     */
    @Test
    void aFabricMemberIdOrAnOffersFabricIdHoldingAControlOrFormatCharacterIsDroppedWithAWarningAndTheFabricOrOfferKept() {
        Node n1 = node("n1", "odd", "h1");
        Fabric ib = Fabric.builder().id("ib-1").type(FabricType.RDMA).technology("EFA").siteId("site-odd")
                .members(Set.of("n1", "odd:p5", "n1\nINFO forged", "n2\u001b[2J")).build();
        Fabric nvlink = Fabric.builder().id("nvl-1").type(FabricType.PCIE).technology("NVLink 4").members(Set.of("GPU-1", "GPU-2\ud800")).build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("site-odd").shape("p5.48xlarge")
                .machine(node("odd:p5", "odd", "p5")).limit(2).fabricIds(Set.of("ib-1", "ib-1\u2028")).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("site-odd", "odd"))).nodes(List.of(n1)).offers(List.of(p5))
                        .build(),
                FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(ib)).build(),
                new GpuSnapshot(1, Instant.EPOCH, "h", null, List.of(), List.of(nvlink), List.of(), null, List.of()))));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.fabrics()).containsExactlyInAnyOrder(ib.toBuilder().members(Set.of("n1", "odd:p5")).build(),
                nvlink.toBuilder().members(Set.of("GPU-1")).build());
        assertThat(inventory.offers()).containsExactly(p5.toBuilder().fabricIds(Set.of("ib-1")).build());
        assertThat(inventory.node("n1")).isPresent();
        assertThat(dev.strata.platform.core.placement.OfferSlots.expand(inventory).fabrics().stream().filter(f -> f.id().equals("ib-1"))
                .findFirst().orElseThrow().members()).containsExactlyInAnyOrder("n1", "odd:p5", "odd:p5#0", "odd:p5#1");
        String fabricKept = "no node, site, accelerator or capacity offer with such an id is in the inventory, so it is dropped from the "
                + "fabric's members and the fabric is kept";
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                memberDropped("capacity offer odd:p5", "fabric", "ib-1\\u2028",
                        "no fabric with such an id is in the inventory, so it is dropped from the offer's fabrics and the offer is kept"),
                memberDropped("fabric ib-1", "member", "n1\\u000aINFO forged", fabricKept),
                memberDropped("fabric ib-1", "member", "n2\\u001b[2J", fabricKept),
                memberDropped("fabric nvl-1", "member", "GPU-2\\ud800", fabricKept));
    }

    /**
     * An accelerator's interconnect (NVLink or NVSwitch) domain id that holds a control or format
     * character, on a node, from a GPU provider or on an offer's machine, is dropped, its provider
     * told, naming it escaped, and the accelerator kept as in no domain; an offer's launch slots
     * rebase a domain that shows as itself from the machine's id to theirs, and have none for the
     * one dropped. Before, each went in as it was: placement grouped the GPUs by it, and a binding
     * asking for one NVLink domain named it, in the ledger and the log, as no log showed it.
     */
    @Test
    void anAcceleratorsInterconnectDomainHoldingAControlOrFormatCharacterIsDroppedWithAWarningAndTheAcceleratorKept() {
        Accelerator onNode = H200.toBuilder().id("GPU-0").pciAddress(null).nodeId("n1").interconnectDomain("nvl-1\nINFO forged").build();
        Accelerator fromGpus = H200.toBuilder().interconnectDomain("nvl\u001b[2J").build();
        Accelerator dropped = Accelerator.builder().id("odd:p5/gpu0").model("NVIDIA H100").nodeId("odd:p5")
                .interconnectDomain("odd:p5/nvswitch\u2028").build();
        Accelerator kept = dropped.toBuilder().id("odd:p5/gpu1").interconnectDomain("odd:p5/nvswitch").build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("site-odd").shape("p5.48xlarge")
                .machine(node("odd:p5", "odd", "p5").toBuilder().accelerators(List.of(dropped, kept)).build()).limit(1).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("site-odd", "odd"))).offers(List.of(p5))
                        .nodes(List.of(machine("n1", "odd", "h1", MACHINE, GPU_FUNCTION).toBuilder().accelerators(List.of(onNode)).build()))
                        .build(),
                GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE).accelerators(List.of(fromGpus)).build())));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.node("n1").orElseThrow().accelerators()).containsExactly(onNode.toBuilder().interconnectDomain(null).build(),
                fromGpus.toBuilder().interconnectDomain(null).nodeId("n1").numaNode(1).build());
        assertThat(inventory.offers().get(0).machine().accelerators()).containsExactly(dropped.toBuilder().interconnectDomain(null).build(),
                kept);
        assertThat(dev.strata.platform.core.placement.OfferSlots.expand(inventory).node("odd:p5#0").orElseThrow().accelerators())
                .extracting(Accelerator::interconnectDomain).containsExactly(null, "odd:p5#0/nvswitch");
        String domainDropped = "no NVLink or NVSwitch domain can be shown by such an id, so it is dropped and the accelerator is kept as in no "
                + "interconnect domain";
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                memberDropped("accelerator odd:p5/gpu0", "interconnect domain", "odd:p5/nvswitch\\u2028", domainDropped),
                memberDropped("accelerator GPU-0", "interconnect domain", "nvl-1\\u000aINFO forged", domainDropped),
                memberDropped("accelerator GPU-1", "interconnect domain", "nvl\\u001b[2J", domainDropped));
    }

    /**
     * A partition (MIG) profile whose name holds a control or format character, of an accelerator from
     * a GPU provider or on an offer's machine, is dropped from the accelerator, its provider told,
     * naming it escaped, and the accelerator kept with its other profiles: placement matches the name
     * against a contract's gpus.partition, so it may be neither shown escaped, as free text is, nor
     * kept raw. An accelerator whose profiles all show as themselves is the one reported. Before,
     * each went in as the provider wrote it.
     */
    @Test
    void aPartitionProfileWhoseNameHoldsAControlOrFormatCharacterIsDroppedWithAWarningAndTheAcceleratorKept() {
        PartitionProfile small = PartitionProfile.builder().name("1g.18gb").profileId(19).maxInstances(7).memoryBytes(18L << 30)
                .computeSlices(1).totalSlices(7).build();
        PartitionProfile forged = small.toBuilder().name("2g.35gb\nINFO forged").profileId(14).build();
        PartitionProfile bidi = small.toBuilder().name("7g.141gb\u202e").profileId(0).build();
        Accelerator fromGpus = H200.toBuilder().partitionProfiles(List.of(forged, small, bidi)).build();
        Accelerator clean = Accelerator.builder().id("odd:p5/gpu1").model("NVIDIA H100").nodeId("odd:p5").partitionProfiles(List.of(small))
                .build();
        Accelerator onMachine = clean.toBuilder().id("odd:p5/gpu0").partitionProfiles(List.of(small.toBuilder().name("1g\u001b[2J").build()))
                .build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("site-odd").shape("p5.48xlarge")
                .machine(node("odd:p5", "odd", "p5").toBuilder().accelerators(List.of(onMachine, clean)).build()).limit(1).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("site-odd", "odd"))).offers(List.of(p5))
                        .nodes(List.of(machine("n1", "odd", "h1", MACHINE, GPU_FUNCTION))).build(),
                GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE).accelerators(List.of(fromGpus)).build())));

        assertThat(result.snapshot().node("n1").orElseThrow().accelerators()).singleElement()
                .satisfies(a -> assertThat(a.partitionProfiles()).containsExactly(small));
        List<Accelerator> machineGpus = result.snapshot().offers().get(0).machine().accelerators();
        assertThat(machineGpus.get(0).partitionProfiles()).isEmpty();
        assertThat(machineGpus.get(1)).as("nothing to drop: the accelerator as reported").isSameAs(clean);
        String dropped = "placement matches it against a contract's gpus.partition, and escaped it would match a name the GPU does not "
                + "have while the log read it as this one, so the profile is dropped from the accelerator and the accelerator kept with "
                + "its other profiles";
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                listedDropped("accelerator odd:p5/gpu0", "partition profile name", "1g\\u001b[2J", dropped),
                listedDropped("accelerator GPU-1", "partition profile name", "2g.35gb\\u000aINFO forged", dropped),
                listedDropped("accelerator GPU-1", "partition profile name", "7g.141gb\\u202e", dropped));
    }

    /** The warning to provider odd that drops a value it lists ({@code field}) from a resource ({@code what}), the resource kept. */
    private static String listedDropped(String what, String field, String escaped, String dropped) {
        return listedDropped(what, "odd", field, escaped, dropped);
    }

    /** The warning to {@code provider} that drops a value it lists ({@code field}) from a resource ({@code what}), the resource kept. */
    private static String listedDropped(String what, String provider, String field, String escaped, String dropped) {
        return what + " of provider " + provider + " lists " + field + " " + escaped + ", which holds a control or format character, a line or "
                + "paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), which would forge a "
                + "line of the log or act on a terminal; " + dropped + "; expected a " + field + " of characters that show as themselves";
    }

    /**
     * A PCI function whose address holds a control or format character is dropped from its node, and
     * such an accelerator's PCI address from the accelerator, their providers told, naming it
     * escaped, the node and the accelerator kept: the merge attaches a GPU provider's accelerators to
     * the node that has their PCI functions by address, so neither may be shown escaped nor kept
     * raw; here the GPUs are then attached to no node rather than by an address no log shows. A NIC's
     * or a disk's PCI address and an accelerator link's peer address, which nothing matches, are
     * shown printable.
     * A node with nothing to drop or escape is the one reported. Before, each went in raw, and the
     * GPUs were attached by the raw address.
     */
    @Test
    void aPciAddressHoldingAControlOrFormatCharacterIsDroppedWhereMatchedAndShownPrintableElsewhere() {
        PciDevice forged = GPU_FUNCTION.toBuilder().address("0000:3b:00.0\u2028").build();
        Accelerator linked = Accelerator.builder().id("b/gpu0").model("NVIDIA H200").nodeId("b")
                .links(List.of(new DeviceLink(0, "0000:3c:00.0\nINFO forged", "GPU", 25, true))).build();
        Node a = node("a", "metal", "h1", forged, GPU_FUNCTION.toBuilder().address("0000:5e:00.0").build());
        Node b = node("b", "metal", "h2").toBuilder().accelerators(List.of(linked))
                .nics(List.of(new Nic("ib0", "0000:5e:00.0\u001b[2J", null, 0, -1, "infiniband")))
                .disks(List.of(new Disk("nvme0n1", 1L << 40, false, "0000:d8:00.0\u202e"))).build();
        Node c = node("c", "metal", "h3", GPU_FUNCTION).toBuilder()
                .accelerators(List.of(linked.toBuilder().id("c/gpu0").nodeId("c").pciAddress("0000:3b:00.0")
                        .links(List.of(new DeviceLink(0, "0000:3c:00.0", "GPU", 25, true))).build()))
                .nics(List.of(new Nic("ib0", "0000:5e:00.0", null, 0, -1, "infiniband")))
                .disks(List.of(new Disk("nvme0n1", 1L << 40, false, "0000:d8:00.0"))).build();
        Accelerator gpu = H200.toBuilder().pciAddress("0000:3b:00.0\u2028").build();
        InventoryMerger.Result result = merge(compute("metal", List.of(), a, b, c),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").accelerators(List.of(gpu)).build()));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.node("a").orElseThrow().pciDevices()).extracting(PciDevice::address).containsExactly("0000:5e:00.0");
        assertThat(inventory.node("a").orElseThrow().accelerators()).isEmpty();
        assertThat(inventory.unattached()).containsExactly(H200.toBuilder().pciAddress(null).build());
        Node shown = inventory.node("b").orElseThrow();
        assertThat(shown.nics()).extracting(Nic::pciAddress).containsExactly("0000:5e:00.0\\u001b[2J");
        assertThat(shown.disks()).extracting(Disk::pciAddress).containsExactly("0000:d8:00.0\\u202e");
        assertThat(shown.accelerators()).singleElement().satisfies(g -> assertThat(g.links()).extracting(DeviceLink::peerPciAddress)
                .containsExactly("0000:3c:00.0\\u000aINFO forged"));
        assertThat(inventory.node("c").orElseThrow()).as("nothing to drop or escape: the node as reported").isSameAs(c);
        String matched = "the merge attaches a GPU provider's accelerators to the node that has their PCI functions, and gives each the "
                + "NUMA node of its own, matched by address, and escaped it would match ";
        assertThat(result.warnings()).containsOnlyKeys("metal", "nvidia");
        assertThat(result.warnings().get("metal")).containsExactly(listedDropped("node a", "metal", "PCI device address", "0000:3b:00.0\\u2028",
                matched + "an address the device does not have while the log read it as this one, so the PCI device is dropped from the "
                        + "node and the node kept"));
        assertThat(result.warnings().get("nvidia")).containsExactly(
                listedDropped("accelerator GPU-1", "nvidia", "PCI address", "0000:3b:00.0\\u2028", matched + "a function the GPU is not "
                        + "while the log read it as this one, so it is dropped and the accelerator kept as at no known PCI address"),
                "1 accelerator of host h1 attached to no node: the snapshot has no machine identity and its accelerators no PCI addresses");
    }

    /**
     * A NIC or a disk whose name holds a control or format character is left out of its node (or an
     * offer's machine), its provider told as for an accelerator, and the node kept; a device path to
     * a NIC so left out goes with it, and one from or to any other id that cannot be shown (a GPU
     * provider's too) is dropped, its provider told, naming the path escaped. Before, each went in as
     * it was, and the shell and the inventory showed names no log could.
     */
    @Test
    void aNicDiskOrDevicePathIdHoldingAControlOrFormatCharacterIsLeftOutWithAWarningAndTheNodeKept() {
        Nic eth0 = new Nic("eth0", null, null, 25_000, 0, "ethernet");
        Nic forged = new Nic("ib0\nINFO forged", null, null, 400_000, 0, "infiniband");
        Disk nvme0 = new Disk("nvme0n1", 1L << 40, false, null);
        Disk escape = new Disk("nvme1n1\u001b[2J", 1L << 40, false, null);
        Accelerator gpu = H200.toBuilder().pciAddress(null).nodeId("n1").build();
        DevicePath toEth0 = new DevicePath("GPU-1", "eth0", TopologyLevel.SINGLE, 0);
        List<DevicePath> paths = List.of(toEth0, new DevicePath("GPU-1", "ib0\nINFO forged", TopologyLevel.SINGLE, 0),
                new DevicePath("mlx5_1\u2028", "GPU-1", TopologyLevel.SINGLE, 0));
        Node n1 = machine("n1", "odd", "h1", MACHINE).toBuilder().accelerators(List.of(gpu)).nics(List.of(eth0, forged))
                .disks(List.of(nvme0, escape)).devicePaths(paths).build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("site-odd").shape("p5.48xlarge")
                .machine(node("odd:p5", "odd", "p5").toBuilder().nics(List.of(eth0, new Nic("efa0\ud800", null, null, 0, -1, null))).build())
                .limit(1).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("site-odd", "odd"))).offers(List.of(p5)).nodes(List.of(n1))
                        .build(),
                GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").machineId(MACHINE)
                        .paths(List.of(new DevicePath("GPU-1", "mlx5_2\ud800", TopologyLevel.SINGLE, 0))).build())));

        Node kept = result.snapshot().node("n1").orElseThrow();
        assertThat(kept.nics()).containsExactly(eth0);
        assertThat(kept.disks()).containsExactly(nvme0);
        assertThat(kept.accelerators()).containsExactly(gpu);
        assertThat(kept.devicePaths()).containsExactly(toEth0);
        assertThat(result.snapshot().offers().get(0).machine().nics()).containsExactly(eth0);
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                "NIC efa0\\ud800" + LEFT_OUT,
                "NIC ib0\\u000aINFO forged" + LEFT_OUT,
                "disk nvme1n1\\u001b[2J" + LEFT_OUT,
                memberDropped("node n1", "device path end", "mlx5_1\\u2028", "no accelerator or NIC with such an id is in the inventory, so "
                        + "the path from mlx5_1\\u2028 to GPU-1 is dropped"),
                memberDropped("host h1", "device path end", "mlx5_2\\ud800", "no accelerator or NIC with such an id is in the inventory, so "
                        + "the path from GPU-1 to mlx5_2\\ud800 is dropped"));
    }

    /**
     * An accelerator on a node (or an offer's machine) that names another node as its own, or one
     * whose id cannot be shown, is taken as on the node whose accelerators list it, its provider
     * told, naming the other escaped; one that names none is put on it silently. Before, the
     * inventory handed it on naming a node it was not on, and placement and the ledger put it on
     * the node that listed it, in silence.
     */
    @Test
    void anAcceleratorNamingAnotherNodeIsTakenAsOnTheNodeThatListsItWithAWarning() {
        Accelerator none = Accelerator.builder().id("GPU-0").model("NVIDIA H200").build();
        Accelerator other = none.toBuilder().id("GPU-1").nodeId("n2").build();
        Accelerator forged = none.toBuilder().id("GPU-2").nodeId("n1\nINFO forged").build();
        Accelerator own = none.toBuilder().id("GPU-3").nodeId("n1").build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("site-odd").shape("p5.48xlarge")
                .machine(node("odd:p5", "odd", "p5").toBuilder().accelerators(List.of(none.toBuilder().id("odd:p5/gpu0").nodeId("p5").build()))
                        .build()).limit(1).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("site-odd", "odd"))).offers(List.of(p5))
                        .nodes(List.of(node("n1", "odd", "h1").toBuilder().accelerators(List.of(none, other, forged, own)).build()))
                        .build())));

        assertThat(result.snapshot().node("n1").orElseThrow().accelerators()).extracting(Accelerator::nodeId)
                .containsExactly("n1", "n1", "n1", "n1");
        assertThat(result.snapshot().offers().get(0).machine().accelerators()).extracting(Accelerator::nodeId).containsExactly("odd:p5");
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                "accelerator odd:p5/gpu0 of provider odd names node p5 as its node, but the machine of capacity offer odd:p5 lists it; it is "
                        + "taken as on node odd:p5 (an accelerator is on the node whose accelerators list it)",
                "accelerator GPU-1 of provider odd names node n2 as its node, but node n1 lists it; it is taken as on node n1 (an "
                        + "accelerator is on the node whose accelerators list it)",
                "accelerator GPU-2 of provider odd names node n1\\u000aINFO forged as its node, but node n1 lists it; it is taken as on node "
                        + "n1 (an accelerator is on the node whose accelerators list it)");
    }

    /**
     * A capacity offer whose machine names another provider than the offer's (a copied example), or
     * is at another site than the offer, is left out of the inventory, its provider told, naming both
     * escaped: a launch slot is at the offer's site, which placement decides sovereignty on, while the
     * machine says where a launch would be. The provider's other offers are kept. Before, both went
     * in, in silence: placement put a sovereign contract's member on the offer's site, which the
     * machine contradicted.
     */
    @Test
    void aCapacityOfferWhoseMachineNamesAnotherProviderOrIsAtAnotherSiteIsLeftOutWithAWarning() {
        Node machine = node("odd:p5", "odd", "p5").toBuilder().siteId("fra-1").build();
        CapacityOffer p5 = CapacityOffer.builder().id("odd:p5").providerId("odd").siteId("fra-1").shape("p5.48xlarge").machine(machine)
                .limit(1).build();
        InventoryMerger.Result result = merge(new InventoryMerger.Contribution("odd", false, List.of(
                ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("fra-1", "odd"), Site.local("us-east-1a", "odd")))
                        .offers(List.of(p5, p5.toBuilder().id("odd:p4").machine(machine.toBuilder().siteId("us-east-1a").build()).build(),
                                p5.toBuilder().id("odd:p3").machine(machine.toBuilder().providerId("metal\nINFO forged").build()).build()))
                        .build())));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.offers()).containsExactly(p5);
        assertThat(dev.strata.platform.core.placement.OfferSlots.expand(inventory).nodes()).extracting(Node::id, Node::siteId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("odd:p5#0", "fra-1"));
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                "capacity offer odd:p4 of provider odd is left out of the inventory: it is at site fra-1 but its machine at site us-east-1a; "
                        + "its sovereignty and jurisdiction come from its site, and an offer whose machines' site is not one cannot be "
                        + "audited; expected the machine's site id to be the offer's",
                "capacity offer odd:p3's machine names provider metal\\u000aINFO forged, not odd, as the one that reports it; left out of "
                        + "the inventory (a resource's providerId is the id of the provider service that reports it)");
    }

    /**
     * A site that names another provider than the one that reports it (a copied declared inventory)
     * is left out, as a node so named is, its provider told naming the other escaped; the provider's
     * nodes at the site are kept, and the site's facts are the reporting provider's own. Before, it
     * went in as the named provider's: its conflict with that provider's own report of the site was
     * told to that provider alone, as one it listed twice, and the one that reported it heard nothing.
     */
    @Test
    void aSiteNamingAnotherProviderIsLeftOutWithAWarning() {
        Site copied = DECLARED_FRA.toBuilder().country("FR").build();
        InventoryMerger.Result result = merge(
                compute("odd", List.of(copied, Site.local("site-odd", "metal\nINFO forged")), node("odd:n1", "odd", "n1").toBuilder()
                        .siteId("fra-1").build()),
                compute("declared", List.of(DECLARED_FRA)));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.sites()).containsExactly(DECLARED_FRA);
        assertThat(inventory.nodes()).extracting(Node::id).containsExactly("odd:n1");
        assertThat(result.warnings()).containsOnlyKeys("odd");
        assertThat(result.warnings().get("odd")).containsExactly(
                "site fra-1 names provider declared, not odd, as the one that reports it; left out of the inventory (a resource's "
                        + "providerId is the id of the provider service that reports it)",
                "site site-odd names provider metal\\u000aINFO forged, not odd, as the one that reports it; left out of the inventory (a "
                        + "resource's providerId is the id of the provider service that reports it)");
    }

    /**
     * Nodes, capacity offers, fabrics and storage pools at a site no provider reports (a typo in a
     * provider's configuration, a declared inventory not loaded) are warned of once per provider and
     * site, naming at most three of them, with what placement does: the site's country,
     * jurisdictions and operator are unknown, so nothing there is placed for a contract with a
     * sovereignty clause ("site ... is not in the inventory"); another provider's first report may
     * settle it, as it may a power domain no provider reports yet. A resource at a site another
     * provider reports, or with no site, is not warned of. Before, nothing was said, and a typo in a
     * site id kept every sovereign contract off the machines in silence.
     */
    @Test
    void resourcesAtASiteNoProviderReportsAreWarnedOfOncePerProviderAndSite() {
        List<Node> metal = new ArrayList<>();
        metal.add(node("metal:n1", "metal", "n1").toBuilder().siteId("fra-1").build());
        for (int i = 2; i <= 6; i++) {
            metal.add(node("metal:n" + i, "metal", "n" + i).toBuilder().siteId("fra-l").build());
        }
        CapacityOffer p5 = CapacityOffer.builder().id("aws:p5").providerId("aws").siteId("eu-central-1z").shape("p5.48xlarge")
                .machine(node("p5", "aws", "p5").toBuilder().siteId("eu-central-1z").build()).limit(4).build();
        Fabric efa = Fabric.builder().id("aws:efa-1").type(FabricType.RDMA).technology("EFA").siteId("eu-central-1z").build();
        Fabric nvlink = Fabric.builder().id("nvl-1").type(FabricType.PCIE).technology("NVLink 4").build();
        StoragePool pool = StoragePool.builder().id("local:/data").storageClass(StorageClass.FILE).siteId("lcoal").capacityBytes(1L << 40)
                .build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("metal", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH).nodes(metal).build())),
                new InventoryMerger.Contribution("aws", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH).offers(List.of(p5)).build(),
                        FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(efa)).build())),
                new InventoryMerger.Contribution("local", false, List.of(StorageSnapshot.builder(1, Instant.EPOCH).pools(List.of(pool)).build(),
                        FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(nvlink)).build())),
                compute("declared", List.of(DECLARED_FRA)));

        String placed = " is reported by no provider: its country, jurisdictions and operator are unknown, so nothing there is placed for "
                + "a contract with a sovereignty clause until a provider reports it (a contract without one is placed there as usual)";
        assertThat(result.warnings()).containsOnlyKeys("metal", "aws", "local");
        assertThat(result.warnings().get("metal")).containsExactly(
                "site fra-l of 5 resources (node metal:n2, node metal:n3, node metal:n4 and 2 more)" + placed);
        assertThat(result.warnings().get("aws")).containsExactly("site eu-central-1z of 2 resources (capacity offer aws:p5, fabric aws:efa-1)"
                + placed);
        assertThat(result.warnings().get("local")).containsExactly("site lcoal of storage pool local:/data is reported by no provider: its "
                + "country, jurisdictions and operator are unknown until a provider reports it");
        assertThat(result.awaitingProviders()).as("settled by another provider's first report, as at start-up")
                .containsAll(result.warnings().values().stream().flatMap(List::stream).toList());
        assertThat(result.snapshot().node("metal:n2").orElseThrow().siteId()).as("the node is kept as reported").isEqualTo("fra-l");
        assertThat(result.snapshot().offers()).containsExactly(p5);
        assertThat(result.snapshot().storagePools()).containsExactly(pool);
    }

    /**
     * One provider listing a node twice is told so, and the merge goes on for everyone. Before, the
     * conflict warning was built with {@code Set.of(provider, provider)}, which throws: the merge
     * failed for every provider.
     */
    @Test
    void aNodeListedTwiceByOneProviderIsWarnedOfAndTheOthersAreMerged() {
        Node twice = node("dup-1", "dup", "h");
        InventoryMerger.Result result = merge(compute("dup", List.of(), twice, twice.toBuilder().hostname("h2").build()),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().nodes()).extracting(Node::id).containsExactly("dup-1", "g1");
        assertThat(result.snapshot().node("dup-1").orElseThrow().hostname()).isEqualTo("h");
        assertThat(result.warnings()).containsOnlyKeys("dup");
        assertThat(result.warnings().get("dup")).containsExactly("conflict: node dup-1 is listed twice by dup; keeping the first");
    }

    /**
     * One provider listing a site twice with different facts is told so, and the merge goes on.
     * Before, the fact's conflict warning threw ({@code Set.of} of one provider twice).
     */
    @Test
    void aSiteListedTwiceByOneProviderWithDifferentFactsIsWarnedOf() {
        Site de = Site.builder().id("fra-1").providerId("dup").country("DE").build();
        Site at = Site.builder().id("fra-1").providerId("dup").country("AT").build();
        InventoryMerger.Result result = merge(compute("dup", List.of(de, at)), compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().site("fra-1").orElseThrow().country()).isEqualTo("DE");
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("dup");
        assertThat(result.warnings().get("dup")).containsExactly("conflict: site fra-1 is listed twice by dup, with country DE and AT; keeping DE");
    }

    /**
     * One provider listing a power domain or a fabric twice, differently, is told so, and the merge
     * goes on. Before, the conflict warning threw ({@code Set.of} of one provider twice).
     */
    @Test
    void aPowerDomainOrFabricListedTwiceByOneProviderDifferentlyIsWarnedOf() {
        PowerDomain rackA = new PowerDomain("rack-1", "rack", "s", null, 40_000);
        PowerDomain rackB = new PowerDomain("rack-1", "rack", "s", null, 30_000);
        Fabric ib = Fabric.builder().id("ib-1").type(FabricType.RDMA).technology("InfiniBand").siteId("s").build();
        Fabric roce = Fabric.builder().id("ib-1").type(FabricType.RDMA).technology("RoCE").siteId("s").build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("dup", false, List.of(
                        ComputeSnapshot.builder(1, Instant.EPOCH).sites(List.of(Site.local("s", "dup"))).powerDomains(List.of(rackA, rackB))
                                .build(),
                        FabricSnapshot.builder(1, Instant.EPOCH).fabrics(List.of(ib, roce)).build())),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().powerDomains()).containsExactly(rackA);
        assertThat(result.snapshot().fabrics()).containsExactly(ib);
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("dup");
        assertThat(result.warnings().get("dup")).containsExactly(
                "conflict: power domain rack-1 is listed twice by dup, differently; keeping the first",
                "conflict: fabric ib-1 is listed twice by dup, differently; keeping the first");
    }

    /**
     * One provider listing a capacity offer twice, which its snapshot does not refuse, has one offer
     * in the inventory, the first it lists, and is told where the two differ; the merge goes on for
     * everyone.
     */
    @Test
    void aCapacityOfferListedTwiceByOneProviderKeepsTheFirstAndIsWarnedOfWhereTheyDiffer() {
        CapacityOffer p5 = CapacityOffer.builder().id("aws:eu-central-1a:p5.48xlarge").providerId("dup").siteId("eu-central-1a")
                .shape("p5.48xlarge").machine(node("p5", "dup", "p5").toBuilder().siteId("eu-central-1a").build()).limit(4).build();
        CapacityOffer p4 = p5.toBuilder().id("aws:eu-central-1a:p4d.24xlarge").shape("p4d.24xlarge").build();
        InventoryMerger.Result result = merge(
                new InventoryMerger.Contribution("dup", false, List.of(ComputeSnapshot.builder(1, Instant.EPOCH)
                        .sites(List.of(Site.local("eu-central-1a", "dup"))).offers(List.of(p5, p4, p5.toBuilder().limit(8).build(), p4))
                        .build())),
                compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().offers()).as("one offer per id, by id order, the first listed").containsExactly(p4, p5);
        assertThat(result.snapshot().node("g1")).isPresent();
        assertThat(result.warnings()).containsOnlyKeys("dup");
        assertThat(result.warnings().get("dup")).as("the same offer twice changes nothing and is not told").containsExactly(
                "conflict: capacity offer aws:eu-central-1a:p5.48xlarge is listed twice by dup, differently; keeping the first");
    }

    /**
     * A provider whose snapshots the merge cannot take, for a fault it does not foresee, is left out
     * and told why; every other provider is merged as usual. Before, the merge threw for everyone.
     */
    @Test
    void aProviderWhoseSnapshotsTheMergeCannotTakeIsLeftOutAndTheOthersAreMerged() {
        Collection<Object> unreadable = new AbstractList<>() {
            @Override
            public Object get(int index) {
                throw new IllegalStateException("unreadable snapshot");
            }

            @Override
            public int size() {
                return 1;
            }
        };
        InventoryMerger.Result result = merge(compute("a", List.of(), node("a1", "a", "a")),
                new InventoryMerger.Contribution("bad", false, unreadable), compute("good", List.of(), node("g1", "good", "g")));

        assertThat(result.snapshot().nodes()).extracting(Node::id).containsExactly("a1", "g1");
        assertThat(result.warnings()).containsOnlyKeys("bad");
        assertThat(result.warnings().get("bad")).containsExactly("its snapshots could not be merged into the inventory "
                + "(IllegalStateException: unreadable snapshot), so its resources are left out of it");
    }

    // ---- accelerators --------------------------------------------------------------------------

    private static final PciDevice GPU_FUNCTION = PciDevice.builder().address("0000:3b:00.0").vendorId(0x10de).classCode(0x030200)
            .numaNode(1).build();
    private static final Accelerator H200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();

    @Test
    void acceleratorsJoinOnMachineIdentityNotHostName() {
        InventoryMerger.Result result = merge(
                compute("metal", List.of(), machine("a", "metal", "same-name", "dmi:" + "a".repeat(8) + "-0000-0000-0000-" + "1".repeat(12), GPU_FUNCTION),
                        machine("b", "metal", "same-name", "dmi:" + "b".repeat(8) + "-0000-0000-0000-" + "1".repeat(12), GPU_FUNCTION)),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("same-name")
                        .machineId("dmi:" + "b".repeat(8) + "-0000-0000-0000-" + "1".repeat(12)).accelerators(List.of(H200)).build()));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.node("a").orElseThrow().accelerators()).isEmpty();
        Accelerator attached = inventory.node("b").orElseThrow().accelerators().get(0);
        assertThat(attached.nodeId()).isEqualTo("b");
        assertThat(attached.numaNode()).as("from the node's PCI function").isEqualTo(1);
        assertThat(inventory.unattached()).isEmpty();
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void withoutMachineIdentityTheSingleNodeWithThePciFunctionsIsTaken() {
        InventoryMerger.Result result = merge(
                compute("metal", List.of(), node("a", "metal", "h1", GPU_FUNCTION), node("b", "metal", "h2")),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).accelerators(List.of(H200)).build()));
        assertThat(result.snapshot().node("a").orElseThrow().accelerators()).hasSize(1);
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void withoutMachineIdentityTwoNodesWithThePciFunctionsLeaveTheAcceleratorsUnattached() {
        InventoryMerger.Result result = merge(
                compute("metal", List.of(), node("a", "metal", "h1", GPU_FUNCTION), node("b", "metal", "h2", GPU_FUNCTION)),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h1").accelerators(List.of(H200)).build()));
        assertThat(result.snapshot().nodes()).allSatisfy(n -> assertThat(n.accelerators()).isEmpty());
        assertThat(result.snapshot().unattached()).containsExactly(H200);
        assertThat(result.warnings().get("nvidia")).containsExactly("1 accelerator of host h1 attached to no node: the snapshot has no "
                + "machine identity and 2 nodes have the PCI functions 0000:3b:00.0 (a, b)");
    }

    @Test
    void acceleratorsWithoutAnyNodeAreKeptUnattached() {
        InventoryMerger.Result result = merge(gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("lonely")
                .machineId("machine-id:" + "9".repeat(32)).accelerators(List.of(H200)).build()));
        assertThat(result.snapshot().unattached()).extracting(Accelerator::id).containsExactly("GPU-1");
        assertThat(result.warnings().get("nvidia")).containsExactly(
                "1 accelerator of host lonely attached to no node: no node has machine identity machine-id:" + "9".repeat(32));
    }

    /**
     * The warning that a GPU snapshot's accelerators are attached to no node shows the snapshot's
     * host name and machine identity printable: they are the GPU provider's text (nvidia-smi's, a
     * host's files), and the inventory shows a machine identity so; a PCI address that would need
     * escaping is dropped before, as the merge matches on it. Before, the
     * warning's cleaning turned a line break or a direction override into a blank, so it named a
     * machine identity no node shows, and two that differ only there read alike.
     */
    @Test
    void theWarningOfAcceleratorsAttachedToNoNodeShowsTheSnapshotsTextPrintable() {
        InventoryMerger.Result result = merge(gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("lonely\u202e")
                        .machineId("machine-id:\n" + "9".repeat(32)).accelerators(List.of(H200)).build()),
                gpus("amd", GpuSnapshot.builder(1, Instant.EPOCH).hostname("h\u001b[2J")
                        .accelerators(List.of(H200.toBuilder().id("GPU-2").pciAddress("0000:3b:00.0\n").build())).build()));
        assertThat(result.warnings().get("nvidia")).containsExactly("1 accelerator of host lonely\\u202e attached to no node: no node "
                + "has machine identity machine-id:\\u000a" + "9".repeat(32));
        assertThat(result.warnings().get("amd")).containsExactly(listedDropped("accelerator GPU-2", "amd", "PCI address",
                "0000:3b:00.0\\u000a", "the merge attaches a GPU provider's accelerators to the node that has their PCI functions, and "
                        + "gives each the NUMA node of its own, matched by address, and escaped it would match a function the GPU is not "
                        + "while the log read it as this one, so it is dropped and the accelerator kept as at no known PCI address"),
                "1 accelerator of host h\\u001b[2J attached to no node: the snapshot has no machine identity and its accelerators no PCI "
                        + "addresses");
    }

    // ---- one machine, one node -------------------------------------------------------------------

    private static final String MACHINE = "dmi:4c4c4544-0042-3510-8052-b4c04f563232";
    private static final PciDevice NIC_FUNCTION = PciDevice.builder().address("0000:17:00.0").vendorId(0x15b3).classCode(0x020700)
            .numaNode(0).build();

    /** The machine as the bare-metal provider reads it in band: PCI functions, NUMA, OS facts, no power figures. */
    private static Node inBand() {
        return machine("baremetal:gpu-07", "baremetal", "gpu-07", MACHINE, NIC_FUNCTION, GPU_FUNCTION).toBuilder()
                .attribute("os", "Debian GNU/Linux 12").build();
    }

    /** The same machine through its BMC: power draw, the BMC's GPUs, no PCI functions, no host name. */
    private static Node outOfBand(Accelerator... gpus) {
        return Node.builder().id("bmc:4c4c4544-0042-3510-8052-b4c04f563232").providerId("bmc").siteId("site-bmc")
                .kind(dev.strata.platform.api.model.NodeKind.BARE_METAL).memoryBytes(1L << 40)
                .power(new dev.strata.platform.api.model.PowerDraw(800, 6_500)).traits(Set.of("bmc-managed"))
                .attributes(java.util.Map.of(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE, MACHINE, "system.uuid",
                        "4c4c4544-0042-3510-8052-b4c04f563232", "os", "from the BMC"))
                .accelerators(List.of(gpus)).build();
    }

    private static final Accelerator BMC_GPU = Accelerator.builder().id("bmc-gpu-0").model("NVIDIA H200")
            .nodeId("bmc:4c4c4544-0042-3510-8052-b4c04f563232").build();

    @Test
    void theInBandAndTheOutOfBandViewOfOneMachineAreOneNode() {
        InventoryMerger.Result result = merge(compute("baremetal", List.of(), inBand()), compute("bmc", List.of(), outOfBand(BMC_GPU)));

        InventorySnapshot inventory = result.snapshot();
        assertThat(inventory.nodes()).extracting(Node::id).containsExactly("baremetal:gpu-07");
        Node node = inventory.nodes().get(0);
        assertThat(node.providerId()).as("the node with the PCI functions is kept").isEqualTo("baremetal");
        assertThat(node.pciDevices()).hasSize(2);
        assertThat(node.power().maxWatts()).as("the power draw only the BMC knows").isEqualTo(6_500);
        assertThat(node.memoryBytes()).as("the kept node's own figure").isEqualTo(1L << 30);
        assertThat(node.traits()).contains("bmc-managed");
        assertThat(node.attributes()).containsEntry("os", "Debian GNU/Linux 12").containsEntry("system.uuid",
                "4c4c4544-0042-3510-8052-b4c04f563232").containsEntry(InventoryMerger.JOINED, "bmc:4c4c4544-0042-3510-8052-b4c04f563232")
                .containsEntry(InventoryMerger.JOINED_PROVIDERS, "bmc=bmc:4c4c4544-0042-3510-8052-b4c04f563232");
        assertThat(node.accelerators()).extracting(Accelerator::nodeId).containsExactly("baremetal:gpu-07");
        assertThat(result.warnings()).isEmpty();
    }

    /**
     * A node id is any text its provider chooses (a Redfish system id, a configured in-band id):
     * one holding a comma was listed as two joined nodes, and a deployment went to the part before
     * the comma. Each id is now written with its {@code \} and {@code ,} escaped and read back whole.
     */
    @Test
    void aJoinedNodeIdHoldingACommaOrABackslashReadsBackWhole() {
        String id = "bmc:rack-1,slot\\4";
        Node bmc = outOfBand().toBuilder().id(id).build();
        InventoryMerger.Result result = merge(compute("baremetal", List.of(), inBand()), compute("bmc", List.of(), bmc));

        Node node = result.snapshot().node("baremetal:gpu-07").orElseThrow();
        assertThat(JoinedIds.split(node.attributes().get(InventoryMerger.JOINED))).containsExactly(id);
        assertThat(JoinedIds.split(node.attributes().get(InventoryMerger.JOINED_PROVIDERS))).containsExactly("bmc=" + id);
        assertThat(node.attributes()).containsEntry(InventoryMerger.JOINED, "bmc:rack-1\\,slot\\\\4");
    }

    @Test
    void aGpuProvidersSnapshotOfTheJoinedMachineReplacesTheBmcsGpusAndIsAttachedOnce() {
        InventoryMerger.Result result = merge(compute("baremetal", List.of(), inBand()), compute("bmc", List.of(), outOfBand(BMC_GPU)),
                gpus("nvidia", GpuSnapshot.builder(1, Instant.EPOCH).hostname("gpu-07").machineId(MACHINE).accelerators(List.of(H200)).build()));

        Node node = result.snapshot().node("baremetal:gpu-07").orElseThrow();
        assertThat(node.accelerators()).extracting(Accelerator::id).containsExactly("GPU-1");
        assertThat(node.accelerators().get(0).numaNode()).isEqualTo(1);
        assertThat(result.snapshot().unattached()).isEmpty();
        assertThat(result.warnings()).as("two nodes with the machine's identity would have left the GPUs unattached").isEmpty();
    }

    @Test
    void oneProviderReportingTwoNodesWithOneIdentityIsAConflictAndNothingIsJoined() {
        Node clone = machine("baremetal:gpu-08", "baremetal", "gpu-08", MACHINE);
        InventoryMerger.Result result = merge(compute("baremetal", List.of(), inBand(), clone), compute("bmc", List.of(), outOfBand()));

        assertThat(result.snapshot().nodes()).extracting(Node::id).containsExactlyInAnyOrder("baremetal:gpu-07", "baremetal:gpu-08",
                "bmc:4c4c4544-0042-3510-8052-b4c04f563232");
        assertThat(result.warnings().get("baremetal")).containsExactly("conflict: nodes baremetal:gpu-07, baremetal:gpu-08 have one machine "
                + "identity " + MACHINE + " (a cloned machine id?); they are kept apart and joined with no other provider's node");
    }

    /**
     * For any nodes of any providers with identities drawn from a few: no node is lost (each input
     * node is in the result or named as joined by exactly one node), a joined node holds exactly the
     * nodes of its identity, and an identity that no provider reports twice appears on one node only.
     * The oracle groups the input by identity on its own.
     */
    @Property(tries = 500)
    void everyNodeIsKeptOrJoinedOnceAndEachMachineIsOneNode(@ForAll("machineNodes") List<Node> input) {
        java.util.Map<String, Node> unique = new java.util.LinkedHashMap<>();
        input.forEach(n -> unique.putIfAbsent(n.id(), n));
        java.util.Map<String, List<Node>> byProvider = new java.util.TreeMap<>();
        unique.values().forEach(n -> byProvider.computeIfAbsent(n.providerId(), k -> new ArrayList<>()).add(n));
        List<InventoryMerger.Contribution> contributions = new ArrayList<>();
        byProvider.forEach((p, nodes) -> contributions.add(compute(p, List.of(), nodes.toArray(Node[]::new))));
        InventorySnapshot inventory = InventoryMerger.mergeWithWarnings(1, Instant.EPOCH, contributions).snapshot();

        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (Node n : inventory.nodes()) {
            seen.merge(n.id(), 1, Integer::sum);
            String joined = n.attributes().get(InventoryMerger.JOINED);
            if (joined != null) {
                // the joined nodes with their own providers, in the same order
                assertThat(JoinedIds.split(n.attributes().get(InventoryMerger.JOINED_PROVIDERS))).containsExactly(JoinedIds.split(joined).stream()
                        .map(j -> unique.get(j).providerId() + "=" + j).toArray(String[]::new));
                for (String j : JoinedIds.split(joined)) {
                    seen.merge(j, 1, Integer::sum);
                    assertThat(unique.get(j).attributes().get(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE))
                            .isEqualTo(n.attributes().get(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE));
                }
            }
        }
        assertThat(seen).as("every input node kept or joined, once").containsOnlyKeys(unique.keySet()).allSatisfy((id, count) -> assertThat(count).isOne());

        java.util.Map<String, List<Node>> byMachine = new java.util.HashMap<>();
        unique.values().stream().filter(n -> n.attributes().containsKey(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE))
                .forEach(n -> byMachine.computeIfAbsent(n.attributes().get(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE),
                        k -> new ArrayList<>()).add(n));
        byMachine.forEach((machine, nodes) -> {
            boolean cloned = nodes.stream().collect(java.util.stream.Collectors.groupingBy(Node::providerId)).values().stream()
                    .anyMatch(l -> l.size() > 1);
            long carrying = inventory.nodes().stream()
                    .filter(n -> machine.equals(n.attributes().get(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE))).count();
            assertThat(carrying).as("nodes of machine " + machine).isEqualTo(cloned ? nodes.size() : 1);
        });
    }

    @Provide
    Arbitrary<List<Node>> machineNodes() {
        Arbitrary<String> provider = Arbitraries.of("baremetal", "bmc", "openstack");
        Arbitrary<String> identity = Arbitraries.of("dmi:a", "dmi:b", "dmi:c", "machine-id:d").injectNull(0.3);
        Arbitrary<Integer> pci = Arbitraries.integers().between(0, 3);
        // a node id is any text its provider chooses: some hold the separator of the joined ids, or its escape
        Arbitrary<String> suffix = Arbitraries.of("", "", ",rack-1", "\\", "\\,", ",");
        Arbitrary<Node> node = Combinators.combine(Arbitraries.integers().between(0, 9), provider, identity, pci, suffix).as((i, p, m, functions, x) -> {
            PciDevice[] devices = new PciDevice[functions];
            for (int k = 0; k < functions; k++) {
                devices[k] = PciDevice.builder().address(String.format("0000:%02x:00.0", k + 1)).build();
            }
            Node n = node(p + ":n" + i + x, p, "h" + i, devices);
            return m == null ? n : n.toBuilder().attribute(dev.strata.platform.api.model.MachineIdentity.ATTRIBUTE, m).build();
        });
        return node.list().ofMinSize(0).ofMaxSize(8);
    }

    // ---- every input: sites merged fact by fact -------------------------------------------------

    /**
     * For any sites several providers report under one id: each merged fact is one of the values
     * stated for it (none when nobody states it); a fact is reported as a conflict exactly when two
     * providers state different values for it; a provider that states nothing causes no conflict.
     * The oracle counts the distinct stated values per fact, independently of the merger's order.
     */
    @Property(tries = 1000)
    void sitesMergeFactByFact(@ForAll("siteReports") List<Site> reports) {
        List<InventoryMerger.Contribution> contributions = new ArrayList<>();
        for (Site s : reports) {
            contributions.add(compute(s.providerId(), List.of(s)));
        }
        InventoryMerger.Result result = InventoryMerger.mergeWithWarnings(1, Instant.EPOCH, contributions);
        Site merged = result.snapshot().site("fra-1").orElseThrow();

        checkFact("country", reports, Site::country, merged.country(), result);
        checkFact("operator", reports, Site::operator, merged.operator(), result);
        checkFact("jurisdictions", reports, s -> s.jurisdictions().isEmpty() ? null : s.jurisdictions(),
                merged.jurisdictions().isEmpty() ? null : merged.jurisdictions(), result);
        checkFact("power budget", reports, s -> s.powerBudgetWatts() == 0 ? null : s.powerBudgetWatts(),
                merged.powerBudgetWatts() == 0 ? null : merged.powerBudgetWatts(), result);
        long conflicts = result.warnings().values().stream().flatMap(List::stream).distinct().count();
        long expectedConflicts = java.util.stream.Stream.of("country", "operator", "jurisdictions", "power budget")
                .filter(f -> distinctStated(reports, f).size() > 1).count();
        assertThat(conflicts).as("one conflict per fact with several values, whatever the number of providers")
                .isGreaterThanOrEqualTo(expectedConflicts);
        if (expectedConflicts == 0) {
            assertThat(result.warnings()).isEmpty();
        }
    }

    private static <T> void checkFact(String fact, List<Site> reports, java.util.function.Function<Site, T> value, T merged,
            InventoryMerger.Result result) {
        Set<Object> stated = distinctStated(reports, fact);
        if (stated.isEmpty()) {
            assertThat(merged).as(fact).isNull();
        } else {
            assertThat(stated).as(fact).contains(merged);
        }
        boolean reported = result.warnings().values().stream().flatMap(List::stream)
                .anyMatch(w -> w.startsWith("conflict: site fra-1 " + fact + " is "));
        assertThat(reported).as(fact + " reported as a conflict").isEqualTo(stated.size() > 1);
        for (Site s : reports) {
            if (value.apply(s) == null) {
                assertThat(result.warnings().getOrDefault(s.providerId(), List.of()))
                        .as(s.providerId() + " states no " + fact).noneMatch(w -> w.startsWith("conflict: site fra-1 " + fact + " is ")
                                && w.contains(" for " + s.providerId() + ";"));
            }
        }
    }

    private static Set<Object> distinctStated(List<Site> reports, String fact) {
        Set<Object> values = new HashSet<>();
        for (Site s : reports) {
            Object v = switch (fact) {
                case "country" -> s.country();
                case "operator" -> s.operator();
                case "jurisdictions" -> s.jurisdictions().isEmpty() ? null : s.jurisdictions();
                default -> s.powerBudgetWatts() == 0 ? null : s.powerBudgetWatts();
            };
            if (v != null) {
                values.add(v);
            }
        }
        values.removeIf(Objects::isNull);
        return values;
    }

    @Provide
    Arbitrary<List<Site>> siteReports() {
        Arbitrary<String> country = Arbitraries.of("DE", "FR", "US").injectNull(0.5);
        Arbitrary<Operator> operator = Arbitraries.of(new Operator("EU Colo GmbH", Set.of("EU")), new Operator("US Cloud Inc.", Set.of("US")))
                .injectNull(0.5);
        Arbitrary<Set<String>> jurisdictions = Arbitraries.of(Set.<String>of(), Set.of("EU"), Set.of("EU", "DE"), Set.of("US"));
        Arbitrary<Long> budget = Arbitraries.of(0L, 0L, 40_000L, 80_000L);
        Arbitrary<Site> site = Combinators.combine(country, operator, jurisdictions, budget)
                .as((c, o, j, b) -> Site.builder().id("fra-1").providerId("p").country(c).operator(o).jurisdictions(j).powerBudgetWatts(b).build());
        return site.list().ofMinSize(1).ofMaxSize(4).map(list -> {
            List<Site> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                named.add(list.get(i).toBuilder().providerId("p" + i).build());
            }
            return named;
        });
    }
}
