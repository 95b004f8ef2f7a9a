package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeclaredInventoryTest {

    private final InventoryDocumentReader reader = InventoryDocumentReader.withBuiltInCatalogue();

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
    }

    @Test
    void catalogueHoldsTheVendorFigures() {
        assertThat(reader.modelNames()).contains("dgx-h100", "dgx-h200", "dgx-a100", "l40s-4", "cpu-2s-genoa");
        NodeModel h100 = reader.model("dgx-h100");
        assertThat(h100.gpus().count()).isEqualTo(8);
        assertThat(h100.gpus().memoryBytes()).isEqualTo(80L << 30);
        assertThat(h100.gpus().nvlinkGBps()).isEqualTo(450);
        assertThat(h100.gpus().powerLimitWatts()).isEqualTo(700);
        assertThat(h100.gpus().profiles()).extracting(p -> p.name() + ":" + p.maxInstances())
                .containsExactly("1g.10gb:7", "1g.10gb+me:1", "1g.20gb:4", "2g.20gb:3", "3g.40gb:2", "4g.40gb:1", "7g.80gb:1");
        assertThat(h100.cpu().cores()).isEqualTo(112);
        assertThat(h100.cpu().threads()).isEqualTo(224);
        assertThat(h100.numaNodes()).hasSize(2);
        assertThat(h100.power().maxWatts()).isEqualTo(10_200);
        assertThat(h100.nics().speedMbps()).isEqualTo(400_000);
        assertThat(reader.model("dgx-a100").gpus().nvlinkGBps()).isEqualTo(300);
        assertThat(reader.model("l40s-4").gpus().interconnect()).isNull();
    }

    @Test
    void theShippedExampleDescribesFourSitesWithTheirJurisdictions() throws Exception {
        Path example = Path.of(System.getProperty("strata.example.inventory"));
        DeclaredInventory inventory = reader.read(Files.readString(example), example.toString(), "declared");

        Map<String, Site> sites = inventory.sites().stream().collect(Collectors.toMap(Site::id, s -> s));
        assertThat(sites).containsOnlyKeys("fra-1", "par-1", "cloud-fra", "us-east");
        assertThat(sites.get("fra-1").country()).isEqualTo("DE");
        assertThat(sites.get("fra-1").operator().jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(sites.get("cloud-fra").country()).isEqualTo("DE");
        assertThat(sites.get("cloud-fra").operator().jurisdictions()).contains("US");
        assertThat(sites.get("fra-1").powerBudgetWatts()).isEqualTo(1_500_000);
        assertThat(inventory.nodes()).hasSize(92);

        Node h100 = inventory.nodes().stream().filter(n -> n.id().equals("fra-1-h100-01")).findFirst().orElseThrow();
        assertThat(h100.siteId()).isEqualTo("fra-1");
        assertThat(h100.powerDomainId()).isEqualTo("fra-1-rack-a01");
        assertThat(h100.accelerators()).hasSize(8).allSatisfy(a -> assertThat(a.interconnectDomain()).isEqualTo("fra-1-h100-01/nvlink"));
        assertThat(h100.accelerators()).extracting(Accelerator::numaNode).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(h100.nics()).hasSize(8).allSatisfy(n -> assertThat(n.linkType()).isEqualTo("infiniband"));
        Node last = inventory.nodes().stream().filter(n -> n.id().equals("fra-1-h100-16")).findFirst().orElseThrow();
        assertThat(last.powerDomainId()).isEqualTo("fra-1-rack-a04");

        Fabric ib = inventory.fabrics().stream().filter(f -> f.id().equals("fra-1-ib-ndr")).findFirst().orElseThrow();
        assertThat(ib.type()).isEqualTo(FabricType.RDMA);
        assertThat(ib.members()).hasSize(16).contains("fra-1-h100-01");
        assertThat(ib.linkBandwidthGbps()).isEqualTo(400);
        Fabric wan = inventory.fabrics().stream().filter(f -> f.id().equals("wan-fra-us")).findFirst().orElseThrow();
        assertThat(wan.latencyMicros()).isEqualTo(90_000);
        assertThat(wan.members()).containsExactlyInAnyOrder("fra-1", "us-east");
    }

    /**
     * Ids are case-sensitive throughout Strata, so a node gpu-01 and a node GPU-01 were taken as
     * two; in a file typed by hand they are far likelier one node typed twice. Two sites, power
     * domains, fabrics or nodes whose ids differ only in case are refused, naming both.
     */
    @Test
    void idsThatDifferOnlyInCaseAreRefusedNamingBoth() {
        String text = """
                sites:
                  - {id: fra-1, country: DE}
                  - {id: FRA-1, country: DE}
                powerDomains:
                  - {id: r1, site: fra-1, budget: 40kW}
                  - {id: R1, site: fra-1, budget: 40kW}
                fabrics:
                  - {id: ib, type: RDMA, site: fra-1, bandwidth: 400Gbps}
                  - {id: IB, type: RDMA, site: fra-1, bandwidth: 400Gbps}
                nodes:
                  - {id: gpu-01, model: dgx-h100, site: fra-1}
                  - {id: GPU-01, model: dgx-h100, site: fra-1}
                  - {count: 2, idPrefix: Gpu-, model: dgx-h100, site: fra-1}
                """;
        assertThatThrownBy(() -> reader.read(text, "inv.yaml", "declared"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 5 errors:")
                .hasMessageContaining("sites[1].id: 'FRA-1'; expected an id that differs by more than case from every other site's (FRA-1 "
                        + "differs only in case from fra-1, sites[0].id; ids are case-sensitive, and two that differ only in case are likely "
                        + "one typed twice)")
                .hasMessageContaining("powerDomains[1].id: 'R1'; expected an id that differs by more than case from every other power "
                        + "domain's (R1 differs only in case from r1, powerDomains[0].id;")
                .hasMessageContaining("fabrics[1].id: 'IB'; expected an id that differs by more than case from every other fabric's (IB "
                        + "differs only in case from ib, fabrics[0].id;")
                .hasMessageContaining("nodes[1].id: 'GPU-01'; expected an id that differs by more than case from every other node's (GPU-01 "
                        + "differs only in case from gpu-01, nodes[0].id;")
                .hasMessageContaining("nodes[2].idPrefix: 'Gpu-'; expected an id that differs by more than case from every other node's "
                        + "(Gpu-01 differs only in case from gpu-01, nodes[0].id;");
        // ids that differ by more than case are still taken
        DeclaredInventory fine = reader.read("""
                sites:
                  - {id: fra-1, country: DE}
                nodes:
                  - {id: gpu-01, model: dgx-h100, site: fra-1}
                  - {id: gpu-02, model: dgx-h100, site: fra-1}
                """, "inv.yaml", "declared");
        assertThat(fine.nodes()).extracting(Node::id).containsExactly("gpu-01", "gpu-02");
    }

    /**
     * A fabric's latency had no upper bound: 10h, or 3000d, was taken as the fabric's one-way
     * latency. It is from 1ns to 1s, and a value outside is refused naming the fabric, the value
     * and the range.
     */
    @Test
    void aFabricsLatencyIsBounded() {
        String template = """
                sites:
                  - {id: fra-1, country: DE}
                  - {id: par-1, country: FR}
                fabrics:
                  - {id: wan-fra-par, type: WAN, members: [fra-1, par-1], bandwidth: 100Gbps, latency: %s}
                """;
        for (String wrong : new String[] {"10h", "3000d", "1001ms", "-5us", "0us", "2", "fast"}) {
            assertThatThrownBy(() -> reader.read(template.formatted(wrong), "inv.yaml", "declared")).as(wrong)
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("fabrics[0].latency: '" + wrong + "'; expected the one-way latency of fabric wan-fra-par, a "
                            + "duration from 1ns to 1s, such as 2us (a fabric in a hall) or 90ms (a WAN between continents); leave it out "
                            + "where it is unknown");
        }
        for (Map.Entry<String, Double> right : Map.of("1ns", 0.001, "2us", 2.0, "90ms", 90_000.0, "1s", 1_000_000.0).entrySet()) {
            Fabric wan = reader.read(template.formatted(right.getKey()), "inv.yaml", "declared").fabrics().get(0);
            assertThat(wan.latencyMicros()).as(right.getKey()).isEqualTo(right.getValue());
        }
    }

    /**
     * A value's problem named its path (nodes[1].site) but not the line, which in a file of
     * hundreds of lines is what an operator looks for. It starts with the line of the value, or,
     * for a value that is missing, of the entry that lacks it.
     */
    @Test
    void aValuesProblemNamesItsLine() {
        String text = """
                sites:
                  - {id: fra-1, country: DE}
                nodes:
                  - {id: a, model: dgx-h100, site: fra-1}
                  - id: b
                    model: dgx-h100
                    site: fra-9
                  - id: c
                    site: fra-1
                fabrics:
                  - id: ib
                    type: RDMA
                    bandwidth: 400Gbps
                    latency: 10h
                """;
        assertThatThrownBy(() -> reader.read(text, "inv.yaml", "declared"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 3 errors:")
                .hasMessageContaining("\n  line 7, nodes[1].site: 'fra-9'; expected the id of a site (known: fra-1)")
                .hasMessageContaining("\n  line 8, nodes[2].model: missing; expected ")
                .hasMessageContaining("\n  line 14, fabrics[0].latency: '10h'; expected the one-way latency of fabric ib");
    }

    /**
     * A reference to a power domain or site in a file that declares none says so. Before, the list
     * of known ids was left empty: "expected the id of a power domain (known: )".
     */
    @Test
    void aReferenceInAFileThatDeclaresNoneOfItsKindSaysSo() {
        String text = """
                sites:
                  - {id: fra-1, country: DE}
                nodes:
                  - {id: n1, model: dgx-h100, site: fra-1, powerDomain: rack-a01}
                """;
        assertThatThrownBy(() -> reader.read(text, "inv.yaml", "declared"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nodes[0].powerDomain: 'rack-a01'; expected the id of a power domain (the file declares none)")
                .hasMessageNotContaining("(known: )");
        assertThatThrownBy(() -> reader.read("nodes:\n  - {id: n1, model: dgx-h100, site: fra-1}\n", "inv.yaml", "declared"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nodes[0].site: 'fra-1'; expected the id of a site (the file declares none)");
    }

    @Test
    void everyProblemIsListedWithItsPath() {
        String text = """
                sites:
                  - {id: fra-1, country: Germany}
                powerDomains:
                  - {id: r1, site: fra-9, budget: 40 kilowatts}
                fabrics:
                  - {id: ib, type: INFINIBAND, bandwidth: 400Gbps}
                nodes:
                  - {count: 4, model: dgx-h1000, idPrefix: n-, site: fra-1}
                  - {model: dgx-h100, site: fra-1, fabrics: [nope]}
                racks: []
                """;
        assertThatThrownBy(() -> reader.read(text, "inv.yaml", "declared"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 8 errors:")
                .hasMessageContaining("racks: '[]'; expected one of the fields fabrics, models, nodes, powerDomains, sites")
                .hasMessageContaining("sites[0].country: 'Germany'; expected an ISO 3166-1 alpha-2 country code such as DE")
                .hasMessageContaining("powerDomains[0].site: 'fra-9'; expected the id of a site (known: fra-1)")
                .hasMessageContaining("powerDomains[0].budget: '40 kilowatts'; expected the domain's power budget, a power from 1W to 1GW, such as 40kW")
                .hasMessageContaining("fabrics[0].type: 'INFINIBAND'; expected one of DATA, WAN, PCIE, RDMA")
                .hasMessageContaining("nodes[0].model: 'dgx-h1000'; expected one of the models cpu-2s-genoa, dgx-a100, dgx-h100, dgx-h200, l40s-4")
                .hasMessageContaining("nodes[1].id: missing; expected an id (one node) or an idPrefix (count nodes)")
                .hasMessageContaining("nodes[1].fabrics[0]: 'nope'; expected the id of a fabric");
    }

    /**
     * A node draws from a rack of its own site and is cabled to a fabric there: a power domain or a
     * site's fabric declared at another site is refused at the node, naming both sites. A fabric
     * without a site is not checked (a WAN, which joins sites, has sites as members, no node). Before, such a node was
     * accepted, and its draw counted against another site's rack.
     */
    @Test
    void aNodesPowerDomainOrFabricAtAnotherSiteIsRefused() {
        String text = """
                sites:
                  - {id: fra-1, country: DE, jurisdictions: [EU, DE]}
                  - {id: ams-1, country: NL, jurisdictions: [EU, NL]}
                powerDomains:
                  - {id: fra-r1, site: fra-1, budget: 40kW}
                  - {id: ams-r1, site: ams-1, budget: 40kW}
                fabrics:
                  - {id: fra-ib, type: RDMA, site: fra-1, bandwidth: 400Gbps}
                  - {id: ams-ib, type: RDMA, site: ams-1, bandwidth: 400Gbps}
                  - {id: eu-wan, type: WAN, site: fra-1, members: [fra-1, ams-1], bandwidth: 100Gbps}
                  - {id: any, type: DATA, bandwidth: 100Gbps}
                nodes:
                  - {id: a, model: dgx-h100, site: fra-1, powerDomain: ams-r1, fabrics: [fra-ib, ams-ib, any]}
                  - {count: 2, idPrefix: b-, model: dgx-h100, site: ams-1, powerDomains: [ams-r1, fra-r1]}
                  - {id: c, model: dgx-h100, site: ams-1, powerDomain: ams-r1, fabrics: [ams-ib, any]}
                """;
        assertThatThrownBy(() -> reader.read(text, "inv.yaml", "declared"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 3 errors:")
                .hasMessageContaining("nodes[0].powerDomain: 'ams-r1'; expected a power domain at the node's site fra-1 (ams-r1 is at ams-1)")
                .hasMessageContaining("nodes[0].fabrics[1]: 'ams-ib'; expected a fabric at the node's site fra-1 (ams-ib is at ams-1)")
                .hasMessageContaining("nodes[1].powerDomains[1]: 'fra-r1'; expected a power domain at the node's site ams-1 (fra-r1 is at fra-1)");
    }

    /**
     * The same rule for a fabric's own members list: a declared node at another site than the
     * fabric was taken as its member (its draw was refused through the node's fabrics list, not
     * through the fabric's). A node listing a WAN was made a member of it beside the WAN's sites.
     * A member that is no node of this inventory may be another provider's and is taken.
     */
    @Test
    void aFabricMemberAtAnotherSiteAndANodeInAWanAreRefused() {
        String text = """
                sites:
                  - {id: fra-1, country: DE, jurisdictions: [EU, DE]}
                  - {id: ams-1, country: NL, jurisdictions: [EU, NL]}
                fabrics:
                  - {id: fra-ib, type: RDMA, site: fra-1, members: [a, b, other-providers-node], bandwidth: 400Gbps}
                  - {id: any, type: DATA, members: [a, b], bandwidth: 100Gbps}
                  - {id: eu-wan, type: WAN, members: [fra-1, ams-1], bandwidth: 100Gbps}
                nodes:
                  - {id: a, model: dgx-h100, site: fra-1, fabrics: [eu-wan]}
                  - {id: b, model: dgx-h100, site: ams-1}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 2 errors:")
                .hasMessageContaining("fabrics[0].members[1]: 'b'; expected a node at the fabric's site fra-1 (b is at ams-1)")
                .hasMessageContaining("nodes[0].fabrics[0]: 'eu-wan'; expected the id of a fabric that is no WAN (eu-wan is a WAN, whose"
                        + " members are sites: list the node's site in its members)");
        DeclaredInventory fixed = read(text.replace("members: [a, b, other", "members: [a, other").replace("fabrics: [eu-wan]", "fabrics: []"));
        assertThat(fixed.fabrics()).extracting(f -> f.id() + "=" + new java.util.TreeSet<>(f.members()))
                .containsExactly("fra-ib=[a, other-providers-node]", "any=[a, b]", "eu-wan=[ams-1, fra-1]");
    }

    @Test
    void providerReloadsTheFileWhenItChangesAndKeepsNothingOfABadOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        assertThat(provider.discoverCompute(context()).nodes()).as("no file, no nodes").isEmpty();

        Files.writeString(file, "sites: [{id: s1, country: DE}]\nnodes: [{count: 2, model: dgx-a100, idPrefix: a-, site: s1}]\n");
        ComputeSnapshot first = provider.discoverCompute(context());
        assertThat(first.nodes()).extracting(Node::id).containsExactly("a-01", "a-02");

        Files.writeString(file, "sites: [{id: s1, country: DE}]\nnodes: [{count: 3, model: dgx-a100, idPrefix: a-, site: s1}]\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        ComputeSnapshot second = provider.discoverCompute(context());
        assertThat(second.nodes()).hasSize(3);
        assertThat(second.generation()).isGreaterThan(first.generation());

        Files.writeString(file, "sites: [{id: s1, country: DEU}]\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertThatThrownBy(() -> provider.discoverCompute(context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("sites[0].country: 'DEU'");
    }

    // ---- values of the wrong kind -------------------------------------------------------------------

    private DeclaredInventory read(String text) {
        return reader.read(text, "inv.yaml", "declared");
    }

    /** A site's country of the right shape that no country has (XX, EU) met no contract's countries: it is refused. */
    @Test
    void aSiteCountryThatIsNoIsoCountryCodeIsRefused() {
        String iso = "an ISO 3166-1 alpha-2 country code such as DE (EU and other unions go in jurisdictions)";
        assertThatThrownBy(() -> read("sites: [{id: s1, country: XX}, {id: s2, country: eu, jurisdictions: [EU]}]\n"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 2 errors:")
                .hasMessageContaining("sites[0].country: 'XX' is not an ISO 3166-1 alpha-2 country code; expected " + iso)
                .hasMessageContaining("sites[1].country: 'eu' is not an ISO 3166-1 alpha-2 country code; expected " + iso);
        assertThat(read("sites: [{id: s1, country: de}, {id: s2, country: GB}, {id: s3, country: XK}]\n").sites())
                .extracting(Site::country).containsExactly("DE", "GB", "XK");
    }

    /**
     * An operator declared without jurisdictions, or with an empty list, was taken as subject to
     * no law at all, and a contract with {@code excludeOperatorJurisdictions: [US]} was placed at
     * its site. Every operator is subject to some law: the list must name at least one, and an
     * operator whose jurisdictions are unknown is left out (operator unknown, which such a
     * contract refuses).
     */
    @Test
    void anOperatorWithoutJurisdictionsIsRefused() {
        String text = """
                sites:
                  - {id: s1, country: DE, operator: {name: Hyperscale Cloud Inc.}}
                  - {id: s2, country: DE, operator: {name: Hyperscale Cloud Inc., jurisdictions: []}}
                  - {id: s3, country: DE, operator: {name: Hyperscale Cloud Inc., jurisdictions: ~}}
                  - {id: s4, country: DE, operator: {name: Hyperscale Cloud Inc., jurisdictions: [~]}}
                """;
        String expected = "expected the jurisdictions whose law reaches the operator, at least one, such as [EU, DE] (leave the"
                + " operator out where they are unknown: an operator subject to none would pass every excludeOperatorJurisdictions)";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 4 errors:")
                .hasMessageContaining("sites[0].operator.jurisdictions: missing; " + expected)
                .hasMessageContaining("sites[1].operator.jurisdictions: '[]'; " + expected)
                .hasMessageContaining("sites[2].operator.jurisdictions: missing; " + expected)
                .hasMessageContaining("sites[3].operator.jurisdictions[0]: missing; expected a jurisdiction code such as EU, DE or US");
        Site unknownOperator = read("sites: [{id: s1, country: DE, jurisdictions: [EU, DE]}]\n").sites().get(0);
        assertThat(unknownOperator.operator()).isNull();
        assertThat(read("sites: [{id: s1, country: DE, operator: {name: X, jurisdictions: [us]}}]\n").sites().get(0).operator()
                .jurisdictions()).containsExactly("US");
    }

    /**
     * A jurisdiction written as a country's ISO 3166-1 alpha-3 code was taken as written: an
     * operator subject to [USA] passed a contract's excludeOperatorJurisdictions: [US], which
     * names the country by its alpha-2 code as contracts do. It is refused, naming the alpha-2
     * code; codes of no country (EU, EEA) are taken.
     */
    @Test
    void aJurisdictionWrittenAsAnAlpha3CountryCodeIsRefused() {
        String text = """
                sites:
                  - {id: s1, country: DE, jurisdictions: [EU, DEU], operator: {name: Hyperscale Cloud Inc., jurisdictions: [usa, EU]}}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 2 errors:")
                .hasMessageContaining("sites[0].jurisdictions[1]: 'DEU'; expected a jurisdiction code such as EU, DE or US: a country's"
                        + " alpha-2 code, DE (DEU is its ISO 3166-1 alpha-3 code, which no contract matches)")
                .hasMessageContaining("sites[0].operator.jurisdictions[0]: 'usa'; expected a jurisdiction code such as EU, DE or US: a"
                        + " country's alpha-2 code, US (USA is its ISO 3166-1 alpha-3 code, which no contract matches)");
        Site site = read(text.replace("DEU", "DE").replace("usa", "US").replace("EU]}}", "EEA]}}")).sites().get(0);
        assertThat(site.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(site.operator().jurisdictions()).containsExactlyInAnyOrder("US", "EEA");
    }

    /** A two-letter jurisdiction that is no country's (UK, XX) matches no contract's: refused, EU and country codes taken. */
    @Test
    void aTwoLetterJurisdictionThatIsNoCountrysIsRefused() {
        String text = """
                sites:
                  - {id: s1, country: GB, jurisdictions: [UK], operator: {name: Albion Hosting Ltd, jurisdictions: [XX, EU]}}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 2 errors:")
                .hasMessageContaining("sites[0].jurisdictions[0]: 'UK'; expected a jurisdiction code such as EU, DE or US: a country's"
                        + " ISO 3166-1 alpha-2 code, GB for the United Kingdom (UK is no country's)")
                .hasMessageContaining("sites[0].operator.jurisdictions[0]: 'XX'; expected a jurisdiction code such as EU, DE or US: a"
                        + " country's ISO 3166-1 alpha-2 code (XX is no country's)");
        Site site = read(text.replace("[UK]", "[GB]").replace("XX", "GB")).sites().get(0);
        assertThat(site.jurisdictions()).containsExactly("GB");
        assertThat(site.operator().jurisdictions()).containsExactlyInAnyOrder("GB", "EU");
    }

    /** YAML reads an unquoted NO (Norway) as the boolean false and ~ as null: neither becomes a code. */
    @Test
    void aCodeYamlReadsAsABooleanOrNullIsRefusedAndToldToBeQuoted() {
        String text = """
                sites:
                  - {id: osl-1, country: NO, jurisdictions: [EEA, NO]}
                  - {id: fra-1, country: DE, jurisdictions: [EU, ~], operator: {name: Mainufer GmbH, jurisdictions: [EU, 49]}}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 4 errors:")
                .hasMessageContaining("sites[0].country: 'NO'; expected an ISO 3166-1 alpha-2 country code such as DE as text"
                        + " (YAML reads an unquoted NO as false; quote it to keep it as written: 'NO')")
                .hasMessageContaining("sites[0].jurisdictions[1]: 'NO'; expected a jurisdiction code such as EU, DE or US as text"
                        + " (YAML reads an unquoted NO as false; quote it to keep it as written: 'NO')")
                .hasMessageContaining("sites[1].jurisdictions[1]: missing; expected a jurisdiction code such as EU, DE or US")
                .hasMessageContaining("sites[1].operator.jurisdictions[1]: '49'; expected a jurisdiction code such as EU, DE or US as text"
                        + " (YAML reads it as a number; quote it)");

        Site norway = read("sites: [{id: osl-1, country: 'NO', jurisdictions: [EEA, \"NO\"]}]\n").sites().get(0);
        assertThat(norway.country()).isEqualTo("NO");
        assertThat(norway.jurisdictions()).containsExactlyInAnyOrder("EEA", "NO");
    }

    /**
     * YAML 1.1 reads yes, no, on and off, in any case, as true and false (JSON and YAML 1.2 as text):
     * a refusal showed the true or false made of them, a value their author never wrote
     * ({@code country: NO} as 'false'), and told whoever wrote {@code off} or {@code yes} to quote it as
     * 'NO'. Each is shown as written, in a text field with the hint to quote it as written, and so in
     * a field of any other kind.
     */
    @Test
    void wordsYamlReadsAsTrueOrFalseAreShownAsWritten() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 4}, memory: yes, gpus: {count: 1, model: X, memory: 80GiB, migProfiles: [On]}}
                sites:
                  - {id: osl-1, country: off, jurisdictions: [EEA, No], powerBudget: OFF, staffed: yes}
                fabrics:
                  - {id: f1, type: on}
                nodes:
                  - {count: Yes, model: dgx-a100, idPrefix: a-, site: osl-1, tenant: NO, traits: [gpu, True]}
                """;
        String quote = "; quote it to keep it as written: ";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 10 errors:")
                .hasMessageContaining("models.m.memory: 'yes'; expected a size such as 80GiB or 2TiB")
                .hasMessageContaining("models.m.gpus.migProfiles[0]: 'On'; expected a MIG profile with its instance count")
                .hasMessageContaining("sites[0].country: 'off'; expected an ISO 3166-1 alpha-2 country code such as DE as text"
                        + " (YAML reads an unquoted off as false" + quote + "'off')")
                .hasMessageContaining("sites[0].jurisdictions[1]: 'No'; expected a jurisdiction code such as EU, DE or US as text"
                        + " (YAML reads an unquoted No as false" + quote + "'No')")
                .hasMessageContaining("sites[0].powerBudget: 'OFF'; expected a power from 1W to 10GW")
                .hasMessageContaining("sites[0].staffed: 'yes'; expected one of the fields")
                .hasMessageContaining("fabrics[0].type: 'on'; expected one of DATA, WAN, PCIE, RDMA")
                .hasMessageContaining("nodes[0].count: 'Yes'; expected a whole number from 1 to 100000")
                .hasMessageContaining("nodes[0].tenant: 'NO'; expected the owning tenant as text (YAML reads an unquoted NO as false"
                        + quote + "'NO')")
                .hasMessageContaining("nodes[0].traits[1]: 'True'; expected a trait as text (YAML reads an unquoted True as true" + quote
                        + "'True')")
                .hasMessageNotContaining("'true'")
                .hasMessageNotContaining("'false'");
    }

    /**
     * An empty value ({@code memory:}) is null to YAML, as {@code ~} is: a required one is missing, with
     * the message of one left out, and an optional one is left out; it is never read as empty text.
     * Quoted, {@code ''} is text, and refused as blank.
     */
    @Test
    void anEmptyValueIsMissingAsALeftOutOneIs() {
        String model = "models:\n  m:\n    cpu: {coresPerSocket: 4}\n%s";
        String absent = "models.m.memory: missing; expected the node's memory, a size such as 2TiB";
        for (String none : List.of("    memory:\n", "    memory: ~\n", "")) {
            assertThatThrownBy(() -> read(String.format(model, none)))
                    .as("memory written as %s", none)
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("has 1 error:")
                    .hasMessageContaining(absent);
        }
        assertThatThrownBy(() -> read(String.format(model, "    memory: ''\n")))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.m.memory: ''; expected a size such as 80GiB or 2TiB");
        Site site = read("sites:\n  - id: fra-1\n    region:\n    country:\n    jurisdictions:\n").sites().get(0);
        assertThat(site.region()).isNull();
        assertThat(site.country()).isNull();
        assertThat(site.jurisdictions()).isEmpty();
        assertThatThrownBy(() -> read("sites:\n  - id: fra-1\n    region: ''\n"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("sites[0].region: ''; expected the region");
    }

    /** Where the reader takes text or a list of text, a mapping, list, number or boolean is refused, never read as its text or skipped. */
    @Test
    void textFieldsAndListsTakeOnlyText() {
        String text = """
                sites:
                  - {id: fra-1, region: {name: eu}, certifications: ISO27001}
                  - {id: 7, operator: Mainufer GmbH}
                powerDomains:
                  - {id: r1, site: fra-1, kind: [rack], budget: 40kW}
                fabrics:
                  - {id: wan, type: WAN, members: fra-1, bandwidth: 10Gbps, tiers: [{leaf: 1}]}
                nodes:
                  - {count: 2, model: dgx-a100, idPrefix: a-, site: fra-1, powerDomains: r1, traits: [gpu, {x: 1}], tenant: yes}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 10 errors:")
                .hasMessageContaining("sites[0].region: '{\"name\":\"eu\"}'; expected the region as text")
                .hasMessageContaining("sites[0].certifications: 'ISO27001'; expected a list of certifications such as [ISO27001, BSI-C5]")
                .hasMessageContaining("sites[1].id: '7'; expected a site id such as fra-1 as text (YAML reads it as a number; quote it)")
                .hasMessageContaining("sites[1].operator: 'Mainufer GmbH'; expected the operator, a mapping such as"
                        + " {name: Mainufer Rechenzentrum GmbH, jurisdictions: [EU, DE]}")
                .hasMessageContaining("powerDomains[0].kind: '[\"rack\"]'; expected the kind of domain (rack, pdu, hall) as text")
                .hasMessageContaining("fabrics[0].members: 'fra-1'; expected a list of member ids")
                .hasMessageContaining("fabrics[0].tiers[0]: '{\"leaf\":1}'; expected a tier name such as leaf or spine")
                .hasMessageContaining("nodes[0].powerDomains: 'r1'; expected a list of power domain ids, filled in order")
                .hasMessageContaining("nodes[0].traits[1]: '{\"x\":1}'; expected a trait as text")
                .hasMessageContaining("nodes[0].tenant: 'yes'; expected the owning tenant as text (YAML reads an unquoted yes as true;"
                        + " quote it to keep it as written: 'yes')");
    }

    /**
     * A problem showed its value whole: a document written as a list, or sites written as a
     * mapping, was dumped into the message entire (and the provider's message is cut where the
     * core shows it, losing the errors after it); a value's line break split the message, a
     * direction override made it read backwards; an unknown site listed every site known. A
     * value is shown on one line, escaped, and cut with its length said; the ids known are the
     * first 20 and how many more.
     */
    @Test
    void aProblemShowsNoWholeDocumentAndNoControlCharacters() {
        StringBuilder list = new StringBuilder();
        StringBuilder sites = new StringBuilder("sites:\n");
        for (int i = 0; i < 50; i++) {
            list.append("- {id: s").append(i).append(", country: DE, jurisdictions: [EU, DE]}\n");
            sites.append("  - {id: s").append(100 + i).append(", country: DE}\n");
        }
        assertThatThrownBy(() -> read(list.toString()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("declared inventory inv.yaml has 1 error:\n  (document): '[{\"id\":\"s0\",")
                .hasMessageContaining("... (2791 characters)'; expected a mapping with sites, powerDomains, fabrics and nodes")
                .hasMessageNotContaining("s49");
        assertThatThrownBy(() -> read(sites + "nodes: [{id: n1, model: dgx-a100, site: \"fra-1\\n\\u202Ex\"}]\n"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 1 error:\n  line 52, nodes[0].site: 'fra-1\\n\\u202Ex'; expected the id of a site (known:"
                        + " s100, s101, s102, s103, s104, s105, s106, s107, s108, s109, s110, s111, s112, s113, s114, s115, s116, s117,"
                        + " s118, s119 and 30 more)");
    }

    /**
     * An id was taken whatever it held: a direction override made a site read as another in the
     * shell, a tab or line break split the shell's tab-separated rows and the log's lines, and a
     * site id of thousands of characters was taken though a binding stores it in 256. An id is one
     * word of at most 128 characters (an idPrefix 122, room for the number after it).
     */
    @Test
    void anIdWithSpacesControlOrFormatCharactersOrTooLongIsRefused() {
        String text = """
                sites:
                  - {id: "fra-1\\u202E", country: DE}
                  - {id: "par 1", country: FR}
                  - {id: %s, country: FR}
                powerDomains:
                  - {id: "r\\t1", site: par 1, budget: 40kW}
                fabrics:
                  - {id: "ib\\n", type: RDMA, bandwidth: 400Gbps}
                nodes:
                  - {id: "n\\u0000", model: dgx-a100, site: "fra-1\\u202E"}
                  - {count: 2, idPrefix: "a\\u00A0", model: dgx-a100, site: "par 1"}
                  - {count: 2, idPrefix: %s, model: dgx-a100, site: "par 1"}
                """.formatted("s".repeat(129), "p".repeat(123));
        String word = ": one word of at most %d characters, without spaces, line breaks, control or format characters";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 8 errors:")
                .hasMessageContaining("sites[0].id: 'fra-1\\u202E'; expected a site id such as fra-1" + word.formatted(128))
                .hasMessageContaining("sites[1].id: 'par 1'; expected a site id such as fra-1" + word.formatted(128))
                .hasMessageContaining("sites[2].id: '" + "s".repeat(100) + "... (129 characters)'; expected a site id such as fra-1"
                        + word.formatted(128))
                .hasMessageContaining("powerDomains[0].id: 'r\\t1'; expected a power domain id" + word.formatted(128))
                .hasMessageContaining("fabrics[0].id: 'ib\\n'; expected a fabric id" + word.formatted(128))
                .hasMessageContaining("nodes[0].id: 'n\\u0000'; expected the node's id" + word.formatted(128))
                .hasMessageContaining("nodes[1].idPrefix: 'a\u00A0'; expected the prefix of the nodes' ids (such as fra-1-h100-)"
                        + word.formatted(122))
                .hasMessageContaining("nodes[2].idPrefix: '" + "p".repeat(100) + "... (123 characters)'; expected the prefix of the"
                        + " nodes' ids (such as fra-1-h100-)" + word.formatted(122));
        assertThat(read("sites: [{id: %s}]\nnodes: [{count: 2, idPrefix: %s, model: dgx-a100, site: %1$s}]\n"
                .formatted("s".repeat(128), "p".repeat(122))).nodes()).extracting(Node::id).containsExactly("p".repeat(122) + "01",
                        "p".repeat(122) + "02");
    }

    /**
     * A problem shows every value of the file escaped, also where it names another entry's id or
     * site that is itself refused: the messages of a power domain that is its own parent, under a
     * parent at another site, or at another site than its node carried a direction override of
     * the file as it was, into the provider's message and the log.
     */
    @Test
    void aProblemNamingAnotherEntrysRefusedIdShowsItEscaped() {
        String text = """
                sites: [{id: fra-1, country: DE}]
                powerDomains:
                  - {id: "r\\u202E1", site: "ams\\u202E1", parent: "r\\u202E1", budget: 40kW}
                  - {id: h1, site: fra-1, parent: "r\\u202E1", budget: 1MW}
                nodes:
                  - {id: n1, model: dgx-a100, site: fra-1, powerDomain: "r\\u202E1"}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("powerDomains[0].parent: 'r\\u202E1'; expected the id of another power domain (r\\u202E1 cannot be"
                        + " its own parent)")
                .hasMessageContaining("powerDomains[1].parent: 'r\\u202E1'; expected a power domain at the domain's site fra-1"
                        + " (r\\u202E1 is at ams\\u202E1)")
                .hasMessageContaining("nodes[0].powerDomain: 'r\\u202E1'; expected a power domain at the node's site fra-1 (r\\u202E1 is at"
                        + " ams\\u202E1)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u202E"));
    }

    /**
     * YAML 1.1 reads a number with a leading 0 as octal, one starting 0x or 0b as hexadecimal or
     * binary, and drops underscores: {@code count: 010} declared 8 nodes, {@code coresPerSocket:
     * 010} 8 cores. A number not read as written is refused with what it is read as.
     */
    /**
     * A contract's tenant holds no control or format character, so a node dedicated to a tenant
     * written with a tab or a zero-width space (pasted from a web page) was accepted and then
     * placed on by no contract at all; a line break in it reached the log as it was.
     */
    @Test
    void aTenantNoContractCouldNameIsRefused() {
        String text = """
                sites: [{id: s1, country: DE}]
                nodes:
                  - {id: n1, model: dgx-a100, site: s1, tenant: "bank\\trisk"}
                  - {id: n2, model: dgx-a100, site: s1, tenant: "bank\\u200Brisk"}
                  - {id: n3, model: dgx-a100, site: s1, tenant: "bank\\nrisk"}
                  - {id: n4, model: dgx-a100, site: s1, tenant: %s}
                  - {id: n5, model: dgx-a100, site: s1, tenant: bank risk}
                """.formatted("t".repeat(257));
        String expected = "; expected the owning tenant as contracts name it: text on one line of at most 256 characters, without"
                + " control or format characters (a tab, a line break, a zero-width space, a direction override)";
        assertThatThrownBy(() -> reader.read(text, "f.yaml", "declared")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory f.yaml has 4 errors")
                .hasMessageContaining("nodes[0].tenant: 'bank\\trisk'" + expected)
                .hasMessageContaining("nodes[1].tenant: 'bank\\u200Brisk'" + expected)
                .hasMessageContaining("nodes[2].tenant: 'bank\\nrisk'" + expected)
                .hasMessageContaining("nodes[3].tenant: '" + "t".repeat(100) + "... (257 characters)'" + expected)
                .hasMessageNotContaining("nodes[4]");

        // 256 characters, and a space, are a tenant a contract can name
        assertThat(reader.read(text.replace("t".repeat(257), "t".repeat(256)).replaceAll("(?m)^.*n[123],.*$\n", ""), "f.yaml",
                "declared").nodes()).extracting(Node::ownerTenant).containsExactly("t".repeat(256), "bank risk");
    }

    @Test
    void aNumberYamlReadsAsOtherThanWrittenIsRefused() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 010, threadsPerCore: 0b10}, memory: 64GiB, nics: {count: 0x2, speed: 1Gbps}}
                sites: [{id: s1, floorSpace: 1_000.5}]
                nodes:
                  - {count: 010, idPrefix: a-, model: m, site: s1}
                  - {count: 1_0, idPrefix: b-, model: m, site: s1}
                  - {id: 010, model: m, site: s1}
                """;
        String plain = "; expected a plain decimal number, without a leading 0, underscores or a 0x or 0b prefix (quote it where it is"
                + " text, such as an id)";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 7 errors:")
                .hasMessageContaining("models.m.cpu.coresPerSocket: '010' (line 2) is read by YAML as 8 (YAML takes a number with a leading 0"
                        + " for octal)" + plain)
                .hasMessageContaining("models.m.cpu.threadsPerCore: '0b10' (line 2) is read by YAML as 2 (YAML takes a number starting 0b"
                        + " for binary)" + plain)
                .hasMessageContaining("models.m.nics.count: '0x2' (line 2) is read by YAML as 2 (YAML takes a number starting 0x for"
                        + " hexadecimal)" + plain)
                .hasMessageContaining("sites[0].floorSpace: '1_000.5' (line 3) is read by YAML as 1000.5 (YAML drops the underscores in a"
                        + " number)" + plain)
                .hasMessageContaining("nodes[0].count: '010' (line 5) is read by YAML as 8 (YAML takes a number with a leading 0 for octal)"
                        + plain)
                .hasMessageContaining("nodes[1].count: '1_0' (line 6) is read by YAML as 10 (YAML drops the underscores in a number)" + plain)
                .hasMessageContaining("nodes[2].id: '010' (line 7) is read by YAML as 8");
        DeclaredInventory read = read("models:\n  m: {cpu: {coresPerSocket: 10}, memory: 64GiB}\nsites: [{id: s1}]\n"
                + "nodes: [{count: 10, idPrefix: a-, model: m, site: s1}]\n");
        assertThat(read.nodes()).hasSize(10).allSatisfy(n -> assertThat(n.cpu().cores()).isEqualTo(10));
    }

    /**
     * A node's memory split over its NUMA nodes dropped what an even split leaves over: 100GiB over
     * 3 sockets held a byte less than the node, and 1025 bytes over 16 sockets lost 1. The NUMA nodes
     * hold the node's memory to the byte, the remainder on the first.
     */
    @Test
    void theNumaNodesHoldTheNodesMemoryToTheByte() {
        DeclaredInventory read = read("""
                models:
                  three: {cpu: {sockets: 3, coresPerSocket: 4}, memory: 100GiB}
                  sixteen: {cpu: {sockets: 16, coresPerSocket: 1}, memory: 1025B}
                sites: [{id: s1}]
                nodes:
                  - {id: a, model: three, site: s1}
                  - {id: b, model: sixteen, site: s1}
                """);
        for (Node n : read.nodes()) {
            assertThat(n.numaNodes().stream().mapToLong(dev.strata.platform.api.model.NumaNode::memoryBytes).sum())
                    .as("the memory of the NUMA nodes of %s", n.id()).isEqualTo(n.memoryBytes());
        }
        Node three = read.nodes().get(0);
        assertThat(three.numaNodes()).extracting(dev.strata.platform.api.model.NumaNode::memoryBytes)
                .containsExactly((100L << 30) / 3 + 1, (100L << 30) / 3, (100L << 30) / 3);
    }

    /**
     * A model's name and description, an operator's name and a node's traits were taken with any
     * character in them: a line break or a direction override (U+202E) reached the log, the
     * provenance log and the shell's rows as it was. Each is refused by the rule a node's tenant
     * is held to, naming where it is; a space is text like any other.
     */
    @Test
    void aNameDescriptionOrTraitWithAControlOrFormatCharacterIsRefused() {
        String text = """
                models:
                  "m\\u202E1": {cpu: {coresPerSocket: 4}, memory: 64GiB}
                  m2: {description: "GPU node\\nINFO forged line", cpu: {coresPerSocket: 4}, memory: 64GiB}
                  m3: {description: a node of three words, cpu: {coresPerSocket: 4}, memory: 64GiB}
                sites:
                  - {id: s1, operator: {name: "Mainufer\\u202E GmbH", jurisdictions: [DE]}}
                  - {id: s2, operator: {name: Mainufer Rechenzentrum GmbH, jurisdictions: [DE]}}
                nodes:
                  - {id: n1, model: m3, site: s2, traits: [gpu, "ib\\tfast", "a\\u200Bb"]}
                  - {id: n2, model: m3, site: s2, traits: [gpu, fast ib]}
                """;
        String expected = " on one line, without control or format characters (a tab, a line break, a zero-width space, a direction"
                + " override)";
        assertThatThrownBy(() -> read(text)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 5 errors:")
                .hasMessageContaining("models.m\\u202E1: the model's name holds a control or format character; expected a model name"
                        + expected)
                .hasMessageContaining("models.m2.description: 'GPU node\\nINFO forged line'; expected a description" + expected)
                .hasMessageContaining("sites[0].operator.name: 'Mainufer\\u202E GmbH'; expected the operator's legal name" + expected)
                .hasMessageContaining("nodes[0].traits[1]: 'ib\\tfast'; expected a trait" + expected)
                .hasMessageContaining("nodes[0].traits[2]: 'a\\u200Bb'; expected a trait" + expected)
                .hasMessageNotContaining("m3").hasMessageNotContaining("sites[1]").hasMessageNotContaining("nodes[1]");

        // spaces are text: the same file without the control and format characters is read
        DeclaredInventory read = read(text.replace("\\u202E", "").replace("\\n", " ").replace("\\t", " ").replace("\\u200B", ""));
        assertThat(read.sites().get(0).operator().name()).isEqualTo("Mainufer GmbH");
        assertThat(read.nodes().get(0).traits()).containsExactlyInAnyOrder("gpu", "ib fast", "ab");
        assertThat(read.nodes().get(1).attributes()).containsEntry("description", "a node of three words");
    }

    /**
     * The other text a declared inventory hands on as it is (a site's region, zone and certifications,
     * a power domain's kind, a fabric's technology, a model's CPU vendor and model, its GPU model) is
     * held to the same rule: each reached the inventory, the shell and the log with its line break or
     * direction override.
     */
    @Test
    void theOtherTextsShownAsTheyAreAreRefusedWithAControlOrFormatCharacter() {
        String text = """
                models:
                  m1: {cpu: {coresPerSocket: 4, vendor: "Genuine\\u202EIntel", model: "Xeon\\nINFO forged"}, memory: 64GiB,
                       gpus: {count: 1, model: "H100\\u200B", memory: 80GiB}}
                sites:
                  - {id: s1, region: "eu\\tcentral", zone: "a\\u2028b", certifications: [ISO27001, "C5\\u202E"]}
                powerDomains:
                  - {id: r1, site: s1, kind: "rack\\r", budget: 40kW}
                fabrics:
                  - {id: ib, type: RDMA, site: s1, technology: "InfiniBand\\u202ENDR", bandwidth: 400Gbps}
                nodes:
                  - {id: n1, model: m1, site: s1}
                """;
        String expected = " on one line, without control or format characters (a tab, a line break, a zero-width space, a direction"
                + " override)";
        assertThatThrownBy(() -> read(text)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 8 errors:")
                .hasMessageContaining("models.m1.cpu.vendor: 'Genuine\\u202EIntel'; expected the CPU vendor" + expected)
                .hasMessageContaining("models.m1.cpu.model: 'Xeon\\nINFO forged'; expected the CPU's product name" + expected)
                .hasMessageContaining("models.m1.gpus.model: 'H100\\u200B'; expected the GPU product name" + expected)
                .hasMessageContaining("sites[0].region: 'eu\\tcentral'; expected the region" + expected)
                .hasMessageContaining("sites[0].zone: 'a\\u2028b'; expected the zone" + expected)
                .hasMessageContaining("sites[0].certifications[1]: 'C5\\u202E'; expected a certification" + expected)
                .hasMessageContaining("powerDomains[0].kind: 'rack\\r'; expected the kind of domain" + expected)
                .hasMessageContaining("fabrics[0].technology: 'InfiniBand\\u202ENDR'; expected the technology" + expected);

        DeclaredInventory read = read(text.replace("\\u202E", " ").replace("\\n", " ").replace("\\t", " ").replace("\\u200B", "")
                .replace("\\u2028", "").replace("\\r", ""));
        assertThat(read.sites().get(0).region()).isEqualTo("eu central");
        assertThat(read.sites().get(0).certifications()).containsExactlyInAnyOrder("ISO27001", "C5 ");
    }

    /**
     * A fabric's tiers and members and a GPU's compute capability were taken with a line break or a direction override and
     * handed on as they were to the inventory and the shell (strata:gpu shows the capability), where a fabric's technology
     * beside them was refused. They are held to the same rule, each refusal naming where it is.
     */
    @Test
    void aFabricsTiersAndMembersAndAGpusComputeCapabilityAreRefusedWithAControlOrFormatCharacter() {
        String text = """
                models:
                  m1: {cpu: {coresPerSocket: 4}, memory: 64GiB, gpus: {count: 1, model: H100, memory: 80GiB, computeCapability: "9.0\\u202E"}}
                sites: [{id: s1}]
                fabrics:
                  - {id: ib, type: RDMA, site: s1, members: ["bmc-n\\u202E07"], tiers: [leaf, "spine\\nINFO forged"]}
                nodes:
                  - {id: n1, model: m1, site: s1, fabrics: [ib]}
                """;
        String expected = " on one line, without control or format characters (a tab, a line break, a zero-width space, a direction"
                + " override)";
        assertThatThrownBy(() -> read(text)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 3 errors:\n"
                        + "  line 2, models.m1.gpus.computeCapability: '9.0\\u202E'; expected the compute capability" + expected + "\n"
                        + "  line 5, fabrics[0].members[0]: 'bmc-n\\u202E07'; expected a member id" + expected + "\n"
                        + "  line 5, fabrics[0].tiers[1]: 'spine\\nINFO forged'; expected a tier name" + expected);

        DeclaredInventory read = read(text.replace("\\u202E", "").replace("\\nINFO forged", ""));
        assertThat(read.fabrics().get(0).members()).containsExactlyInAnyOrder("bmc-n07", "n1");
        assertThat(read.fabrics().get(0).tiers()).containsExactly("leaf", "spine");
        assertThat(read.nodes().get(0).accelerators().get(0).computeCapability()).isEqualTo("9.0");
    }

    /** A number too large for a long is refused with the bounds, not wrapped into them (2^64 + 1 would read as 1). */
    @Test
    void aWholeNumberTooLargeToHoldIsRefusedWithItsBounds() {
        assertThatThrownBy(() -> read("""
                sites: [{id: s1}]
                nodes: [{count: 18446744073709551617, model: dgx-a100, idPrefix: a-, site: s1}]
                """))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nodes[0].count: '18446744073709551617'; expected a whole number from 1 to 100000");
        assertThatThrownBy(() -> read("""
                models:
                  x: {cpu: {sockets: 18446744073709551617, coresPerSocket: 8}, memory: 64GiB}
                """))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.x.cpu.sockets: '18446744073709551617'; expected a whole number from 1 to 16");
    }

    /**
     * A power beyond any real equipment was read and rounded into a whole number of watts, which
     * saturates: a budget of 10^39 W (written out) became 9.2 * 10^18 W, and one below half a
     * watt became 0, which means no budget at all. Every power field is refused outside its
     * bounds, which the message states; the bounds themselves are taken.
     */
    /**
     * Each entry's count is bounded, their sum was not: ten lines of {@code count: 100000} made a
     * million nodes and filled the server's memory. The file's total is bounded and checked before
     * any node is made, at the entry that crosses it.
     */
    @Test
    void nodesOrDevicesBeyondTheFilesTotalAreRefusedAtTheEntryThatCrossesIt() {
        String models = """
                models:
                  tiny: {cpu: {coresPerSocket: 1}, memory: 1GiB}
                  wide: {cpu: {coresPerSocket: 1}, memory: 1GiB, gpus: {count: 64, model: X, memory: 1GiB}, nics: {count: 64, speed: 1Gbps}}
                sites:
                  - {id: s1, country: DE}
                nodes:
                """;
        String nodes = models + """
                  - {idPrefix: a-, count: 60000, model: tiny, site: s1}
                  - {idPrefix: b-, count: 40000, model: tiny, site: s1}
                  - {id: c-1, model: tiny, site: s1}
                  - {idPrefix: d-, count: 100000, model: tiny, site: s1}
                """;
        assertThatThrownBy(() -> reader.read(nodes, "f.yaml", "declared")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory f.yaml has 1 error")
                .hasMessageContaining("nodes[2].count: '1' x tiny brings the file to 100001 nodes with 0 GPUs and NICs; expected at most"
                        + " 100000 nodes and 1000000 GPUs and NICs in all the file's entries together");

        String devices = models + """
                  - {idPrefix: w-, count: 7000, model: wide, site: s1}
                  - {idPrefix: x-, count: 813, model: wide, site: s1}
                """;
        assertThatThrownBy(() -> reader.read(devices, "f.yaml", "declared")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nodes[1].count: '813' x wide brings the file to 7813 nodes with 1000064 GPUs and NICs;");

        // at the bounds: read
        assertThat(reader.read(models + "  - {idPrefix: a-, count: 100000, model: tiny, site: s1}\n", "f.yaml", "declared").nodes())
                .hasSize(100_000);
        assertThat(reader.read(models + "  - {idPrefix: w-, count: 7812, model: wide, site: s1}\n", "f.yaml", "declared").nodes())
                .hasSize(7812);
    }

    @Test
    void aPowerOutsideItsBoundsIsRefusedWithThem() {
        String huge = "1" + "0".repeat(39) + "W";
        String text = """
                models:
                  big:
                    cpu: {coresPerSocket: 8}
                    memory: 1TiB
                    gpus: {count: 1, model: H100, memory: 80GiB, powerLimit: 10.5kW}
                    power: {idle: %1$s, max: 2MW}
                  tiny:
                    cpu: {coresPerSocket: 8}
                    memory: 1TiB
                    gpus: {count: 1, model: H100, memory: 80GiB, powerLimit: 0W}
                    power: {idle: 400mW, max: 0W}
                sites:
                  - {id: s1, powerBudget: 20GW}
                  - {id: s2, powerBudget: %1$s}
                powerDomains:
                  - {id: a, site: s1, budget: %1$s}
                  - {id: b, site: s1, budget: 1.5GW}
                  - {id: c, site: s1, budget: 400mW}
                  - {id: d, site: s1, budget: 1e39W}
                """.formatted(huge);
        String node = "; expected a power from 1W to 1MW, such as 10.2kW (leave it out where it is unknown)";
        String gpu = "; expected a power from 1W to 10kW, such as 700W (leave it out where it is unknown)";
        String site = "; expected a power from 1W to 10GW, such as 1.5MW (leave it out where it is unknown)";
        String domain = "; expected the domain's power budget, a power from 1W to 1GW, such as 40kW";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 12 errors:")
                .hasMessageContaining("models.big.gpus.powerLimit: '10.5kW'" + gpu)
                .hasMessageContaining("models.big.power.idle: '" + huge + "'" + node)
                .hasMessageContaining("models.big.power.max: '2MW'" + node)
                .hasMessageContaining("models.tiny.gpus.powerLimit: '0W'" + gpu)
                .hasMessageContaining("models.tiny.power.idle: '400mW'" + node)
                .hasMessageContaining("models.tiny.power.max: '0W'" + node)
                .hasMessageContaining("sites[0].powerBudget: '20GW'" + site)
                .hasMessageContaining("sites[1].powerBudget: '" + huge + "'" + site)
                .hasMessageContaining("powerDomains[0].budget: '" + huge + "'" + domain)
                .hasMessageContaining("powerDomains[1].budget: '1.5GW'" + domain)
                .hasMessageContaining("powerDomains[2].budget: '400mW'" + domain)
                .hasMessageContaining("powerDomains[3].budget: '1e39W'" + domain);

        DeclaredInventory bounds = read("""
                models:
                  edge:
                    cpu: {coresPerSocket: 8}
                    memory: 1TiB
                    gpus: {count: 1, model: H100, memory: 80GiB, powerLimit: 10kW}
                    power: {idle: 1W, max: 1MW}
                sites: [{id: s1, powerBudget: 10GW}]
                powerDomains: [{id: a, site: s1, budget: 1GW}, {id: b, site: s1, budget: 1W}]
                nodes: [{id: n1, model: edge, site: s1, powerDomain: a}]
                """);
        assertThat(bounds.sites().get(0).powerBudgetWatts()).isEqualTo(10_000_000_000L);
        assertThat(bounds.powerDomains()).extracting(PowerDomain::budgetWatts).containsExactly(1_000_000_000L, 1L);
        Node n1 = bounds.nodes().get(0);
        assertThat(n1.power().idleWatts()).isEqualTo(1);
        assertThat(n1.power().maxWatts()).isEqualTo(1_000_000);
        assertThat(n1.accelerators().get(0).power().enforcedWatts()).isEqualTo(10_000);
    }

    /**
     * A quantity whose unit was written in another case ({@code 40KW}, {@code 2tib}, {@code 400gbps}, {@code 2US}) or is no unit
     * at all ({@code 40 kilowatts}) was refused with the bounds and an example alone, which do not say that the unit is what is
     * wrong, nor that units are case-sensitive. The refusal names the units; a value refused
     * for its size, or without a unit, is told so as before.
     */
    @Test
    void aQuantityWithAnUnknownUnitIsRefusedNamingTheUnits() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 8}, memory: 2tib, nics: {count: 2, speed: 400gbps}, power: {max: 10 kilowatts}}
                sites: [{id: s1}]
                powerDomains: [{id: r1, site: s1, budget: 40KW}]
                fabrics: [{id: f, type: RDMA, site: s1, latency: 2US}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 5 errors:\n"
                        + "  line 2, models.m.memory: '2tib'; expected a size such as 80GiB or 2TiB (units are case-sensitive: B, kB, MB, GB,"
                        + " TB, PB, EB, KiB, MiB, GiB, TiB, PiB, EiB, Ki, Mi, Gi, Ti, Pi, Ei)\n"
                        + "  line 2, models.m.nics.speed: '400gbps'; expected each NIC's speed, a bandwidth from 1Mbps to 100Tbps, such as"
                        + " 400Gbps (units are case-sensitive: bps, kbps, Mbps, Gbps, Tbps, bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, b/s,"
                        + " kb/s, Mb/s, Gb/s, Tb/s, B/s, kB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s, TiB/s)\n"
                        + "  line 2, models.m.power.max: '10 kilowatts'; expected a power from 1W to 1MW, such as 10.2kW (leave it out where"
                        + " it is unknown) (units are case-sensitive: mW, W, kW, MW, GW)\n"
                        + "  line 4, powerDomains[0].budget: '40KW'; expected the domain's power budget, a power from 1W to 1GW, such as"
                        + " 40kW (units are case-sensitive: mW, W, kW, MW, GW)\n"
                        + "  line 5, fabrics[0].latency: '2US'; expected the one-way latency of fabric f, a duration from 1ns to 1s, such as"
                        + " 2us (a fabric in a hall) or 90ms (a WAN between continents); leave it out where it is unknown (units are"
                        + " case-sensitive: ns, us, µs, ms, s, m, min, h, d)");
        assertThat(read(text.replace("2tib", "2TiB").replace("400gbps", "400Gbps").replace("10 kilowatts", "10kW")
                .replace("40KW", "40kW").replace("2US", "2us")).powerDomains()).extracting(PowerDomain::budgetWatts).containsExactly(40_000L);
    }

    /**
     * A bandwidth was read without bounds: a NIC's speed, rounded into whole Mbit/s, saturated
     * (10^39 Gbit/s written out became 9.2 * 10^18 Mbit/s) or became 0 below half a Mbit/s, which
     * means unknown or link down; a fabric's was taken as written, however large. Both are refused
     * outside 1 Mbit/s to 100 Tbit/s, which the message states; the bounds themselves are taken.
     */
    @Test
    void aBandwidthOutsideItsBoundsIsRefusedWithThem() {
        String huge = "1" + "0".repeat(39) + "Gbps";
        String text = """
                models:
                  big: {cpu: {coresPerSocket: 8}, memory: 1TiB, nics: {count: 2, speed: %1$s}}
                  fast: {cpu: {coresPerSocket: 8}, memory: 1TiB, nics: {count: 2, speed: 101Tbps}}
                  slow: {cpu: {coresPerSocket: 8}, memory: 1TiB, nics: {count: 2, speed: 400bps}}
                  none: {cpu: {coresPerSocket: 8}, memory: 1TiB, nics: {count: 0, speed: 0Gbps}}
                fabrics:
                  - {id: a, type: DATA, bandwidth: %1$s}
                  - {id: b, type: DATA, bandwidth: 200Tbps}
                  - {id: c, type: DATA, bandwidth: 500kbps}
                  - {id: d, type: DATA, bandwidth: 0Gbps}
                  - {id: e, type: DATA, bandwidth: 1e39Gbps}
                """.formatted(huge);
        String nic = "; expected each NIC's speed, a bandwidth from 1Mbps to 100Tbps, such as 400Gbps";
        String fabric = "; expected each member's link bandwidth, a bandwidth from 1Mbps to 100Tbps, such as 400Gbps"
                + " (leave it out where it is unknown)";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 9 errors:")
                .hasMessageContaining("models.big.nics.speed: '" + huge + "'" + nic)
                .hasMessageContaining("models.fast.nics.speed: '101Tbps'" + nic)
                .hasMessageContaining("models.slow.nics.speed: '400bps'" + nic)
                .hasMessageContaining("models.none.nics.speed: '0Gbps'" + nic)
                .hasMessageContaining("fabrics[0].bandwidth: '" + huge + "'" + fabric)
                .hasMessageContaining("fabrics[1].bandwidth: '200Tbps'" + fabric)
                .hasMessageContaining("fabrics[2].bandwidth: '500kbps'" + fabric)
                .hasMessageContaining("fabrics[3].bandwidth: '0Gbps'" + fabric)
                .hasMessageContaining("fabrics[4].bandwidth: '1e39Gbps'" + fabric);

        DeclaredInventory bounds = read("""
                models:
                  fast: {cpu: {coresPerSocket: 8}, memory: 1TiB, nics: {count: 1, speed: 100Tbps}}
                  slow: {cpu: {coresPerSocket: 8}, memory: 1TiB, nics: {count: 1, speed: 1Mbps}}
                sites: [{id: s1}]
                fabrics:
                  - {id: fast, type: DATA, bandwidth: 100Tbps}
                  - {id: slow, type: WAN, members: [s1], bandwidth: 1000kbps}
                  - {id: unknown, type: DATA}
                nodes:
                  - {id: n1, model: fast, site: s1}
                  - {id: n2, model: slow, site: s1}
                """);
        assertThat(bounds.nodes()).extracting(n -> n.nics().get(0).speedMbps()).containsExactly(100_000_000L, 1L);
        assertThat(bounds.fabrics()).extracting(Fabric::linkBandwidthGbps).containsExactly(100_000.0, 0.001, 0.0);
    }

    /**
     * A model whose idle draw is above its maximum draw was taken, so a node seemed to draw more
     * at rest than at full load. It is refused, naming both values; an idle draw equal to the
     * maximum, or one of them left out (unknown), is taken.
     */
    @Test
    void anIdleDrawAboveTheMaximumIsRefusedNamingBoth() {
        assertThatThrownBy(() -> read("""
                models:
                  upside-down: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {idle: 2kW, max: 1kW}}
                  barely: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {idle: 1000.5W, max: 1kW}}
                """))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 2 errors:\n"
                        + "  line 2, models.upside-down.power.idle: '2kW'; expected at most the maximum draw, power.max: '1kW'"
                        + " (a node draws no more idle than at full load)\n"
                        + "  line 3, models.barely.power.idle: '1000.5W'; expected at most the maximum draw, power.max: '1kW'"
                        + " (a node draws no more idle than at full load)");

        DeclaredInventory taken = read("""
                models:
                  flat: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {idle: 1kW, max: 1kW}}
                  idleOnly: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {idle: 2kW}}
                  maxOnly: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {max: 1kW}}
                sites: [{id: s1}]
                nodes:
                  - {id: n1, model: flat, site: s1}
                  - {id: n2, model: idleOnly, site: s1}
                  - {id: n3, model: maxOnly, site: s1}
                """);
        assertThat(taken.nodes()).extracting(n -> n.power().idleWatts() + "/" + n.power().maxWatts())
                .containsExactly("1000/1000", "2000/0", "0/1000");
    }

    /**
     * A power that parses with a line break or tab around its number ({@code "1kW\n"}) was quoted as it stood in the problem
     * of the value beside it (an idle draw above it, a maximum draw below the GPUs' power limits), so the line break reached
     * the provider's message and the log. It is shown escaped, as every other value of the file.
     */
    @Test
    void aPowerQuotedBesideAnotherValueIsShownEscaped() {
        assertThatThrownBy(() -> read("""
                models:
                  a: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {idle: 2kW, max: "1kW\\n"}}
                  b:
                    cpu: {coresPerSocket: 8}
                    memory: 1TiB
                    gpus: {count: 8, model: H100, memory: 80GiB, powerLimit: "700W\\t"}
                    power: {max: 5kW}
                """))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 2 errors:\n"
                        + "  line 2, models.a.power.idle: '2kW'; expected at most the maximum draw, power.max: '1kW\\n'"
                        + " (a node draws no more idle than at full load)\n"
                        + "  line 7, models.b.power.max: '5kW'; expected at least what the GPUs may draw together, 8 x 700W\\t"
                        + " (a node draws at full load at least its GPUs' power limits)");
    }

    /** A key given twice in one mapping is refused with its path and line, not read as its last value. */
    @Test
    void aKeyGivenTwiceIsRefusedWithItsLine() {
        assertThatThrownBy(() -> read("""
                sites: [{id: s1, country: DE}]
                nodes: [{count: 2, model: dgx-a100, idPrefix: a-, site: s1}]
                powerDomains: []
                nodes: [{count: 1, model: dgx-a100, idPrefix: b-, site: s1}]
                """))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 1 error:\n  nodes: given twice (again at line 4); expected each key once in a mapping");
        assertThatThrownBy(() -> read("""
                sites:
                  - id: s1
                    country: DE
                  - id: s2
                    country: DE
                    country: FR
                """))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("sites[1].country: given twice (again at line 6); expected each key once in a mapping");
        assertThatThrownBy(() -> reader.withModels("models:\n  x: {cpu: {coresPerSocket: 8}, memory: 1TiB, memory: 2TiB}\n", "models.yaml"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("models.yaml has 1 error:\n  models.x.memory: given twice (again at line 2); expected each key once in a mapping");
    }

    /** A model's nested fields are checked like the top: the wrong kind, an unknown field or a missing figure is named, never a default. */
    @Test
    void aModelIsCheckedAtEveryLevel() {
        String text = """
                models:
                  a: {cpu: 128, memory: 1TiB}
                  b: {cpu: {socket: 2, coresPerSocket: 8}, memory: 1TiB, power: 2kW}
                  c: {cpu: {coresPerSocket: 8}}
                  d: {memory: 1TiB}
                  e: {cpu: {sockets: 2}, memory: 0GiB}
                  f:
                    cpu: {coresPerSocket: 8}
                    memory: 1TiB
                    gpus: {count: 8, model: H100, memory: 80GiB, nvlinkGBps: 900GB/s, colour: green}
                    nics: {count: 2, sped: 100Gbps}
                  g: {cpu: {coresPerSocket: 8}, memory: 1TiB, gpus: {count: 8, model: H100}, power: {idle: 1kW, peak: 2kW}}
                  h:
                sites:
                  - {id: s1, floorSpace: 200m2}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 15 errors:")
                .hasMessageContaining("models.a.cpu: '128'; expected the CPUs, a mapping such as {sockets: 2, coresPerSocket: 56, threadsPerCore: 2}")
                .hasMessageContaining("models.b.cpu.socket: '2'; expected one of the fields coresPerSocket, model, sockets, threadsPerCore, vendor")
                .hasMessageContaining("models.b.power: '2kW'; expected the power draw, a mapping such as {idle: 3kW, max: 10.2kW}")
                .hasMessageContaining("models.c.memory: missing; expected the node's memory, a size such as 2TiB")
                .hasMessageContaining("models.d.cpu: missing; expected the CPUs, a mapping such as {sockets: 2, coresPerSocket: 56, threadsPerCore: 2}")
                .hasMessageContaining("models.e.cpu.coresPerSocket: missing; expected a whole number from 1 to 1024")
                .hasMessageContaining("models.e.memory: '0GiB'; expected the node's memory, a size such as 2TiB (more than 0 and at most 1PiB)")
                .hasMessageContaining("models.f.gpus.nvlinkGBps: '900GB/s'; expected the NVLink bandwidth per GPU and direction in GB/s,"
                        + " a number from 0 to 10000 such as 450 (NVIDIA's 900 GB/s for NVLink 4 counts both directions)")
                .hasMessageContaining("models.f.gpus.colour: 'green'; expected one of the fields computeCapability, count, interconnect,"
                        + " memory, migProfiles, model, nvlinkGBps, powerLimit")
                .hasMessageContaining("models.f.nics.sped: '100Gbps'; expected one of the fields count, model, speed, type")
                .hasMessageContaining("models.f.nics.speed: missing; expected each NIC's speed, a bandwidth from 1Mbps to 100Tbps, such as 400Gbps")
                .hasMessageContaining("models.g.gpus.memory: missing; expected each GPU's memory, a size such as 80GiB")
                .hasMessageContaining("models.g.power.peak: '2kW'; expected one of the fields idle, max")
                .hasMessageContaining("models.h: missing; expected a model: a mapping with cpu and memory, and gpus, nics and power if it has them")
                .hasMessageContaining("sites[0].floorSpace: '200m2'; expected the floor space in square metres, a number from 0 to 10000000"
                        + " such as 200 (no unit)");
    }

    /**
     * A node's or a GPU's memory had no upper bound (a unit slipped, 2PiB for 2TiB, made a node
     * that placement filled with work its real memory cannot hold), and a model whose maximum
     * draw was less than its GPUs' power limits together was taken, so that its power domain was
     * charged less than the GPUs alone may draw. Both are refused; the bounds are taken.
     */
    @Test
    void anAbsurdMemoryOrAMaximumDrawBelowTheGpusIsRefused() {
        String text = """
                models:
                  a: {cpu: {coresPerSocket: 8}, memory: 2PiB, gpus: {count: 1, model: H100, memory: 80TiB}}
                  b:
                    cpu: {coresPerSocket: 8}
                    memory: 1TiB
                    gpus: {count: 8, model: H100, memory: 80GiB, powerLimit: 700W}
                    power: {idle: 1kW, max: 5kW}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 3 errors:")
                .hasMessageContaining("models.a.memory: '2PiB'; expected the node's memory, a size such as 2TiB (more than 0 and at most 1PiB)")
                .hasMessageContaining("models.a.gpus.memory: '80TiB'; expected each GPU's memory, a size such as 80GiB (more than 0 and at"
                        + " most 16TiB)")
                .hasMessageContaining("models.b.power.max: '5kW'; expected at least what the GPUs may draw together, 8 x 700W (a node draws"
                        + " at full load at least its GPUs' power limits)");
        DeclaredInventory bounds = read(text.replace("2PiB", "1PiB").replace("80TiB", "16TiB").replace("max: 5kW", "max: 5.6kW")
                + "sites: [{id: s1}]\nnodes: [{id: a1, model: a, site: s1}, {id: b1, model: b, site: s1}]\n");
        assertThat(bounds.nodes()).extracting(Node::memoryBytes).containsExactly(1L << 50, 1L << 40);
        assertThat(bounds.nodes().get(0).accelerators().get(0).memoryBytes()).isEqualTo(16L << 40);
        assertThat(bounds.nodes().get(1).power().maxWatts()).isEqualTo(5_600);
    }

    /** A size without a unit is refused, not read as bytes: {@code memory: 2048} means GiB to whoever wrote it. */
    @Test
    void aMemoryWithoutUnitIsRefusedNotReadAsBytes() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 8}, memory: 2048, gpus: {count: 1, model: H100, memory: '80'}}
                sites: [{id: s1}]
                nodes: [{id: n1, model: m, site: s1}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.m.memory: '2048'; expected a size such as 80GiB or 2TiB (with a unit: a bare number is not"
                        + " taken as bytes)")
                .hasMessageContaining("models.m.gpus.memory: '80'; expected a size such as 80GiB or 2TiB (with a unit: a bare number is not"
                        + " taken as bytes)");
    }

    /**
     * Fields that would be dropped without a word are refused: an idPrefix beside an id (count 1), an NVLink bandwidth without
     * an interconnect (the GPUs have no NVLink domain to carry it).
     */
    @Test
    void fieldsThatWouldBeDroppedAreRefused() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 8}, memory: 64GiB, gpus: {count: 2, model: H100, memory: 80GiB, nvlinkGBps: 450}}
                sites: [{id: s1}]
                nodes: [{id: n1, idPrefix: fra-, model: m, site: s1}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.m.gpus.nvlinkGBps: '450'; expected nvlinkGBps with an interconnect (such as interconnect:"
                        + " NVSwitch), or neither for GPUs joined by PCIe only")
                .hasMessageContaining("nodes[0].idPrefix: 'fra-'; expected id or idPrefix, not both");
        assertThat(read(text.replace("nvlinkGBps: 450", "interconnect: NVSwitch, nvlinkGBps: 450").replace("idPrefix: fra-, ", ""))
                .nodes().get(0).accelerators()).allSatisfy(a -> assertThat(a.linkBandwidthGBps()).isEqualTo(450));
    }

    /**
     * A node entry with both powerDomain and powerDomains had them merged, the one domain first
     * and the list filled after it, so that nodes meant for one domain landed in another. Either
     * is taken alone; both are refused, naming both.
     */
    @Test
    void aNodeWithBothPowerDomainAndPowerDomainsIsRefusedNamingBoth() {
        String text = """
                sites: [{id: s1}]
                powerDomains: [{id: r1, site: s1, budget: 40kW}, {id: r2, site: s1, budget: 40kW}, {id: r3, site: s1, budget: 40kW}]
                nodes: [{count: 4, model: dgx-a100, idPrefix: a-, site: s1, powerDomain: r1, powerDomains: [r2, r3]}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nodes[0].powerDomain: 'r1'; expected powerDomain or powerDomains, not both (powerDomain puts every"
                        + " node of the entry in one domain, powerDomains fills the domains listed in order)");
        assertThat(read(text.replace("powerDomain: r1, ", "")).nodes()).extracting(Node::powerDomainId)
                .containsExactly("r2", "r2", "r3", "r3");
        assertThat(read(text.replace(", powerDomains: [r2, r3]", "")).nodes()).extracting(Node::powerDomainId)
                .containsExactly("r1", "r1", "r1", "r1");
    }

    /**
     * A power domain listed twice in a node entry's powerDomains ({@code [r1, r2, r1]}, r3 meant) was taken: the list is filled
     * in order, so r1 was given the nodes of two places in it, twice those of r2, and nothing said so. It is refused naming
     * where it is listed first; each domain listed once is taken.
     */
    @Test
    void aPowerDomainListedTwiceInANodeEntryIsRefused() {
        String text = """
                sites: [{id: s1}]
                powerDomains: [{id: r1, site: s1, budget: 40kW}, {id: r2, site: s1, budget: 40kW}, {id: r3, site: s1, budget: 40kW}]
                nodes: [{count: 6, model: dgx-a100, idPrefix: a-, site: s1, powerDomains: [r1, r2, r1]}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 1 error:\n"
                        + "  line 3, nodes[0].powerDomains[2]: 'r1'; expected each power domain once (r1 is powerDomains[0] too; the"
                        + " domains listed are filled in order, so one listed twice would take the nodes of two places)");
        assertThat(read(text.replace("[r1, r2, r1]", "[r1, r2, r3]")).nodes()).extracting(Node::powerDomainId)
                .containsExactly("r1", "r1", "r2", "r2", "r3", "r3");
    }

    /**
     * A model's NIC type was free text: {@code infiniban} or {@code ether net} was carried into the inventory as the NICs'
     * link type, which no one reads (placement takes only infiniband as RDMA), so a misspelt InfiniBand node was silently
     * not RDMA-capable. A type other than those the providers report is refused naming them; a known one in another
     * case is taken in that spelling, and one left out is ethernet.
     */
    @Test
    void aNicTypeOtherThanTheKnownLinkTypesIsRefused() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 8}, memory: 64GiB, nics: {count: 2, speed: 200Gbps, type: TYPE}}
                sites: [{id: s1}]
                nodes: [{id: n1, model: m, site: s1}]
                """;
        for (String typo : List.of("infiniban", "'ether net'", "roce", "'10'")) {
            assertThatThrownBy(() -> read(text.replace("TYPE", typo)))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("models.m.nics.type: '" + typo.replace("'", "") + "'; expected the NICs' link type, one of "
                            + "ethernet, infiniband, efa (leave it out for ethernet)");
        }
        assertThat(read(text.replace("TYPE", "InfiniBand")).nodes().get(0).nics())
                .hasSize(2).allSatisfy(n -> assertThat(n.linkType()).isEqualTo("infiniband"));
        assertThat(read(text.replace(", type: TYPE", "")).nodes().get(0).nics()).allSatisfy(n -> assertThat(n.linkType()).isEqualTo("ethernet"));
    }

    /**
     * A model the file declared under a built-in model's name replaced the catalogue's figures
     * (GPUs, power, NICs) for every node of that model without a word. It is refused; a model of
     * its own name is taken.
     */
    @Test
    void aModelNamedLikeABuiltInOneIsRefused() {
        String text = """
                models:
                  dgx-h100: {cpu: {coresPerSocket: 8}, memory: 64GiB}
                sites: [{id: s1}]
                nodes: [{id: n1, model: dgx-h100, site: s1}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 1 error:")
                .hasMessageContaining("models.dgx-h100: is a model of the built-in catalogue; expected a name of its own for a model the"
                        + " file declares, such as dgx-h100-custom (built in: cpu-2s-genoa, dgx-a100, dgx-h100, dgx-h200, l40s-4)");
        Node node = read(text.replace("dgx-h100", "dgx-h100-lab")).nodes().get(0);
        assertThat(node.accelerators()).isEmpty();
        assertThat(node.attributes()).containsEntry("model", "dgx-h100-lab");
    }

    /**
     * Model names are case-sensitive: a model the file declared as DGX-H100 was taken beside the built-in dgx-h100, and a
     * node of {@code model: DGX-H100} got the file's figures where whoever reads the file sees the built-in model; two
     * models of the file named big and BIG were two models, as a site or node id typed twice in another case is not. Both
     * are refused naming the other name; models of names of their own are taken.
     */
    @Test
    void aModelNamedLikeAnotherButForCaseIsRefused() {
        String text = """
                models:
                  DGX-H100: {cpu: {coresPerSocket: 8}, memory: 64GiB}
                  big: {cpu: {coresPerSocket: 8}, memory: 1TiB}
                  BIG: {cpu: {coresPerSocket: 8}, memory: 2TiB}
                sites: [{id: s1}]
                nodes: [{id: n1, model: DGX-H100, site: s1}, {id: n2, model: BIG, site: s1}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml has 2 errors:\n"
                        + "  models.DGX-H100: differs only in case from the built-in model dgx-h100; expected a name of its own for a model"
                        + " the file declares, such as dgx-h100-custom (built in: cpu-2s-genoa, dgx-a100, dgx-h100, dgx-h200, l40s-4)\n"
                        + "  models.BIG: differs only in case from the model big, models.big; expected a name that differs by more than case"
                        + " from every other model's (model names are case-sensitive, and two that differ only in case are likely one"
                        + " typed twice)");
        assertThat(read(text.replace("DGX-H100", "dgx-h100-lab").replace("BIG", "huge")).nodes())
                .extracting(n -> n.attributes().get("model") + "/" + n.memoryBytes())
                .containsExactly("dgx-h100-lab/" + (64L << 30), "huge/" + (2L << 40));
    }

    /** A model the file declares but that is refused is named once, at its field, not again as an unknown model at each node of it. */
    @Test
    void aRefusedModelIsNotReportedAgainAsUnknownAtItsNodes() {
        String text = """
                models:
                  m: {cpu: {coresPerSocket: 8}, memory: 1TiB, power: {idle: 2kW, max: 1kW}}
                sites: [{id: s1}]
                nodes:
                  - {id: n1, model: m, site: s1}
                  - {id: n2, model: m2, site: s1}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 2 errors:")
                .hasMessageContaining("models.m.power.idle: '2kW'; expected at most the maximum draw")
                .hasMessageContaining("nodes[1].model: 'm2'; expected one of the models")
                .hasMessageNotContaining("nodes[0]");
    }

    /**
     * A site or power domain whose id an earlier, refused one had was not named a duplicate: only
     * the first's fault was said, and the duplicate surfaced once that was put right. Every
     * problem is said at once.
     */
    @Test
    void anIdTakenByARefusedEntryIsStillADuplicate() {
        String text = """
                sites:
                  - {id: s1, country: XX}
                  - {id: s1, country: DE}
                powerDomains:
                  - {id: r1, site: s1, budget: 0W}
                  - {id: r1, site: s1, budget: 40kW}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 4 errors:")
                .hasMessageContaining("sites[0].country: 'XX' is not an ISO 3166-1 alpha-2 country code")
                .hasMessageContaining("sites[1].id: 's1'; expected an id no other site has")
                .hasMessageContaining("powerDomains[0].budget: '0W'")
                .hasMessageContaining("powerDomains[1].id: 'r1'; expected an id no other power domain has");
    }

    /** A power domain that is its own parent, or a cycle of parents, is refused: placement would charge the same budget again and again. */
    @Test
    void aCycleOfPowerDomainsIsRefusedWithItsPath() {
        String text = """
                sites: [{id: s1}]
                powerDomains:
                  - {id: a, site: s1, parent: b, budget: 10kW}
                  - {id: b, site: s1, parent: a, budget: 10kW}
                  - {id: c, site: s1, parent: c, budget: 10kW}
                  - {id: d, site: s1, parent: a, budget: 10kW}
                  - {id: e, site: s1, parent: g, budget: 10kW}
                  - {id: f, site: s1, parent: e, budget: 10kW}
                  - {id: g, site: s1, parent: f, budget: 10kW}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("has 3 errors:")
                .hasMessageContaining("powerDomains[0].parent: 'b'; expected a chain of parents that ends at a domain without a parent,"
                        + " not the cycle a -> b -> a")
                .hasMessageContaining("powerDomains[2].parent: 'c'; expected the id of another power domain (c cannot be its own parent)")
                .hasMessageContaining("powerDomains[4].parent: 'g'; expected a chain of parents that ends at a domain without a parent,"
                        + " not the cycle e -> g -> f -> e");
        assertThat(read("""
                sites: [{id: s1}]
                powerDomains:
                  - {id: rack, site: s1, parent: row, budget: 10kW}
                  - {id: row, site: s1, parent: hall, budget: 40kW}
                  - {id: hall, site: s1, budget: 400kW}
                """).powerDomains()).extracting(d -> d.id() + "<" + d.parentId()).containsExactly("rack<row", "row<hall", "hall<null");
    }

    /**
     * A power domain under a parent at another site was taken, and its draw charged to the other
     * site's budget; a parent refused for its own fault (here a field unknown) was reported a
     * second time at its children as no power domain at all.
     */
    @Test
    void aParentAtAnotherSiteIsRefusedAndARefusedParentIsNotCalledUnknown() {
        String text = """
                sites: [{id: s1}, {id: s2}]
                powerDomains:
                  - {id: hall-1, site: s1, budget: 1MW}
                  - {id: rack-2, site: s2, parent: hall-1, budget: 40kW}
                  - {id: hall-2, site: s2, budget: 1MW, feed: A}
                  - {id: rack-3, site: s2, parent: hall-2, budget: 40kW}
                  - {id: rack-4, site: s2, parent: hall-9, budget: 40kW}
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 3 errors:")
                .hasMessageContaining("powerDomains[1].parent: 'hall-1'; expected a power domain at the domain's site s2 (hall-1 is at s1)")
                .hasMessageContaining("powerDomains[2].feed: 'A'; expected one of the fields budget, id, kind, parent, site")
                .hasMessageContaining("powerDomains[4].parent: 'hall-9'; expected the id of another power domain")
                .hasMessageNotContaining("powerDomains[3]");
    }

    // ---- empty, truncated, half-written and watched files ----------------------------------------

    private static final String TWO_NODES = "sites: [{id: s1, country: DE}]\nnodes: [{count: 2, model: dgx-a100, idPrefix: a-, site: s1}]\n";

    /** Writes a file and dates it in the past, so that it counts as settled at once. */
    private static void writeSettled(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60 + text.length() % 50)));
    }

    @Test
    void anEmptyFileIsRefusedLikeABrokenOneAndTheLastGoodContentStays(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        for (String empty : new String[] {"", "\n\n", "# being saved\n", "---\n"}) {
            writeSettled(file, empty);
            assertThatThrownBy(() -> provider.discoverCompute(context())).as("'%s'", empty)
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessage("declared inventory " + file + " is empty; expected a mapping with sites, powerDomains, fabrics and nodes "
                            + "(to declare nothing, delete the file or write {})");
        }
        writeSettled(file, "{}\n");
        assertThat(provider.discoverCompute(context()).nodes()).as("an explicit empty mapping declares nothing").isEmpty();
    }

    /**
     * A file that cannot be read is refused naming its path once and what failed. Before, the
     * message quoted Java's exception after the path, whose message is the path again: {@code cannot
     * read the declared inventory F: F: Not a directory} for a path through a plain file, and
     * {@code cannot read the declared inventory F: F} alone for a file Strata may not read.
     */
    @Test
    void aFileThatCannotBeReadIsRefusedNamingItsPathOnceAndWhy(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "not a folder");
        Path file = plain.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());

        assertThatThrownBy(() -> provider.discoverCompute(context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("cannot read the declared inventory " + file + ": Not a directory");
        // root reads any file, so a refusal of the file system is built as Java builds it: the path is its whole message
        assertThat(DeclaredInventoryProvider.why(new java.nio.file.AccessDeniedException(file.toString())))
                .isEqualTo("access denied (the user Strata runs as may not read the file, or not enter one of the folders above it)");
    }

    /**
     * A file replaced by a copy that keeps its modification time ({@code cp -p}, {@code rsync -t},
     * an archive unpacked), of the same size, looked unchanged: size, modification time and inode
     * were all the same, and the old content stayed for good. Its change time tells them apart.
     */
    @Test
    void aCopyKeepingTheModificationTimeIsReadAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        writeSettled(file, TWO_NODES);
        FileTime modified = Files.getLastModifiedTime(file);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        Thread.sleep(20); // a change time of its own, whatever the file system's resolution
        String five = TWO_NODES.replace("count: 2", "count: 5");
        assertThat(five).hasSameSizeAs(TWO_NODES);
        Files.writeString(file, five);
        Files.setLastModifiedTime(file, modified);
        assertThat(provider.discoverCompute(context()).nodes()).as("the copy's nodes").hasSize(5);
    }

    /**
     * A directory at the configured path was reported as unavailable (no failure: the core shows a
     * provider that sees nothing as UNAVAILABLE), and a named pipe blocked the discovery, and every
     * one after it, until something wrote to the pipe. Both are refused as no YAML file, at once,
     * and the last good content stays.
     */
    @Test
    void aDirectoryOrAPipeAtThePathIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        Files.delete(file);
        Files.createDirectory(file);
        assertThatThrownBy(() -> provider.discoverCompute(context())).isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory " + file + " is a directory; expected a YAML file (to declare nothing, remove it or set"
                        + " file to a path where there is none)");

        Files.delete(file);
        assertThat(new ProcessBuilder("mkfifo", file.toString()).start().waitFor()).isZero();
        try {
            assertThatThrownBy(() -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> provider.discoverCompute(context())))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessage("declared inventory " + file + " is not a regular file (a pipe, a device or a socket); expected a YAML"
                            + " file (to declare nothing, remove it or set file to a path where there is none)");
        } catch (AssertionError e) {
            // only where a read is blocked on the pipe: opening it for writing when none is would race the delete below,
            // and create an empty file at the path that the next read took for the inventory
            Thread unblock = new Thread(() -> {
                try (var out = new java.io.FileOutputStream(file.toFile())) {
                    // opening the pipe for writing lets a read blocked on it end (the old code's)
                } catch (java.io.IOException gone) {
                    // gone: nothing to unblock
                }
            });
            unblock.setDaemon(true);
            unblock.start();
            throw e;
        }

        Files.delete(file);
        writeSettled(file, TWO_NODES.replace("count: 2", "count: 3"));
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(3);
    }

    /**
     * A symbolic link whose file is gone (its target deleted or moved, a mount not there) was read
     * as no file, which declares nothing: every declared node left the inventory. It is refused
     * and the last good content stays; a link to an existing file is read, and no link at all
     * still declares nothing.
     */
    @Test
    void aSymbolicLinkToNothingIsRefusedAndTheLastGoodContentStays(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        Path target = dir.resolve("inventories").resolve("fra.yaml");
        Files.createDirectories(target.getParent());
        writeSettled(target, TWO_NODES);
        Files.createSymbolicLink(file, target);
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        Files.delete(target);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> provider.discoverCompute(context()))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessage("declared inventory " + file + " is a symbolic link to " + target + ", which does not exist; expected a"
                            + " link to the inventory file (to declare nothing, delete the link)");
        }
        writeSettled(target, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        Files.delete(file);
        assertThat(provider.discoverCompute(context()).nodes()).as("no file, nothing declared").isEmpty();
    }

    /**
     * Where a link to nothing leads is anyone's text: a target holding a line break and a direction
     * override reached the provider's message (and the log) as it was; it is shown escaped.
     */
    @Test
    void aSymbolicLinkToNothingNamesItsTargetEscaped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        Files.createSymbolicLink(file, dir.resolve("gone\n\u202Efra.yaml"));
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        assertThatThrownBy(() -> provider.discoverCompute(context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory " + file + " is a symbolic link to " + dir.resolve("gone") + "\\n\\u202Efra.yaml, which does"
                        + " not exist; expected a link to the inventory file (to declare nothing, delete the link)");
    }

    /**
     * An alias's anchor name and a tag are the file's text too: a direction override in one reached
     * the message as it was; they are shown escaped as every value is.
     */
    @Test
    void anAliasOrATagIsShownEscaped() {
        assertThatThrownBy(() -> read("sites: [{id: fra-1, country: DE, name: &t\u202Eb x}]\n"
                + "nodes: [{id: n1, model: dgx-a100, site: fra-1, tenant: *t\u202Eb}]\n"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nodes[0].tenant: '*t\\u202Eb' (line 2) is an alias of the anchor &t\\u202Eb; expected the value"
                        + " written out")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u202E"));
        assertThatThrownBy(() -> read("sites: [{id: !x%E2%80%AE fra-1, country: DE}]\n"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("sites[0].id: the YAML tag !x\\u202E (line 1); expected a plain YAML value without a tag")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u202E"));
    }

    /**
     * A file under 16 MiB may hold more text than the YAML reader takes (3 MiB): it was refused as
     * "not well-formed YAML", which it is not, without a word of what was expected. It is refused as
     * too long, with the bound; a document within the bound is read.
     */
    @Test
    void aDocumentLongerThanTheYamlReaderTakesIsRefusedAsSuch() {
        StringBuilder text = new StringBuilder("sites:\n");
        for (int i = 0; text.length() < 3_300_000; i++) {
            text.append("  - {id: site-").append(i).append(", country: DE, name: A site named at some length}\n");
        }
        assertThatThrownBy(() -> read(text.toString()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("declared inventory inv.yaml is longer than the YAML reader takes: more than 3145728 characters"
                        + " (the bound is passed at line ")
                .hasMessageEndingWith("; expected a YAML document of at most 3145728 characters (declare nodes with count and idPrefix"
                        + " rather than one by one)");
        String within = text.substring(0, text.lastIndexOf("\n", 1_000_000) + 1);
        assertThat(read(within).sites()).hasSize((int) within.lines().count() - 1);
    }

    /**
     * The bound holds for the bytes read, not only for the size looked at before: a file that holds
     * more than its size says is refused once 16 MiB have been read, naming the file and the bound;
     * a good file after it is read. The file is Linux's /proc/self/smaps, through a link at the
     * inventory's path: a regular file whose size is 0 and that reads as some 800 bytes for each
     * mapping of the process, here over 16 MiB once a page of a file is mapped some 25,000 times (the
     * kernel allows 65,530 by default), as a file grown between the size check and the read would.
     * Before, it was read whole into memory, however large.
     */
    @Test
    void aFileHoldingMoreThanItsSizeSaysIsRefusedPastTheBound(@TempDir Path dir) throws Exception {
        Path proc = Path.of("/proc/self/smaps");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(proc) && Files.size(proc) == 0, "a /proc that tells no size");
        Path page = Files.write(dir.resolve("page"), new byte[4096]);
        List<java.nio.MappedByteBuffer> mappings = new ArrayList<>();
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(page)) {
            while (readableBytes(proc) <= DeclaredInventoryProvider.MAX_BYTES + (1 << 20) && mappings.size() < 50_000) {
                for (int i = 0; i < 5000; i++) {
                    mappings.add(channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 4096));
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(readableBytes(proc) > DeclaredInventoryProvider.MAX_BYTES, "smaps over 16 MiB");

        Path file = dir.resolve("strata-inventory.yaml");
        Path good = dir.resolve("good.yaml");
        writeSettled(good, TWO_NODES);
        Files.createSymbolicLink(file, good);
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        Files.delete(file);
        Files.createSymbolicLink(file, proc);
        assertThatThrownBy(() -> provider.discoverCompute(context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory " + file + " holds more than 16777216 bytes when read, more than its size said (it grew"
                        + " meanwhile, or tells no size, as a file under /proc); expected a YAML document of at most 16777216 bytes (16 MiB)");
        mappings.clear(); // unmapped when collected

        Files.delete(file);
        writeSettled(good, TWO_NODES.replace("count: 2", "count: 3"));
        Files.createSymbolicLink(file, good);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(3);
    }

    /** How many bytes a file reads as, counted without keeping them. */
    private static long readableBytes(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /**
     * A file of gigabytes (a log or an image copied over the inventory by mistake) was read into
     * memory whole: the read failed with an OutOfMemoryError, an error rather than a refusal, or
     * exhausted the server's heap. It is refused by its size, unread, and the last good content stays.
     */
    @Test
    void aHugeFileIsRefusedUnread(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            huge.setLength(3L << 30); // sparse: takes no room on disk
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(30)));
        assertThatThrownBy(() -> provider.discoverCompute(context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory " + file + " is 3221225472 bytes; expected a YAML document of at most 16777216 bytes (16 MiB)");
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);
    }

    /** The example inventory cut at several places inside an entry: every cut is refused, none read as a smaller inventory. */
    @Test
    void aTruncatedDocumentIsRefused(@TempDir Path dir) throws Exception {
        String example = Files.readString(Path.of(System.getProperty("strata.example.inventory")));
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        writeSettled(file, example);
        int declared = provider.discoverCompute(context()).nodes().size();
        assertThat(declared).isEqualTo(92);

        for (String cutAfter : new String[] {"country: D", "model: dgx-h1", "{id: fra-1-rack-a01, kind: rack, site: fra-1, par",
                "bandwidth: 400G", "jurisdictions: [EU"}) {
            String truncated = example.substring(0, example.indexOf(cutAfter) + cutAfter.length());
            writeSettled(file, truncated);
            assertThatThrownBy(() -> provider.discoverCompute(context())).as("cut after '%s'", cutAfter)
                    .isInstanceOf(ProviderFailureException.class);
        }
        writeSettled(file, example);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(declared);
    }

    /**
     * A document cut in the middle of a line (a save read half-written) is refused on one line
     * that names where it broke and what was expected there, and where the unfinished part
     * began; the parser's own message spanned several lines, each quoting the document around a
     * caret, and did not say it was the declared inventory. The last good content stays.
     */
    @Test
    void aDocumentThatDoesNotParseIsRefusedOnOneLineNamingTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC());
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        writeSettled(file, "sites:\n  - id: s1\n    jurisdictions: [EU, D");
        assertThatThrownBy(() -> provider.discoverCompute(context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory " + file + " is not well-formed YAML at line 3, column 26: expected ',' or ']', but got"
                        + " <stream end> (while parsing a flow sequence that starts at line 3, column 20)");
        writeSettled(file, "sites:\n\t- {id: s1}\n");
        assertThatThrownBy(() -> provider.discoverCompute(context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory " + file + " is not well-formed YAML at line 2, column 1: found character '\\t(TAB)' that"
                        + " cannot start any token. (Do not use \\t(TAB) for indentation) (while scanning for the next token)");
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);
    }

    /** A second YAML document (after ---) is refused, not dropped: its sites and nodes would be missing without a word. */
    @Test
    void aSecondDocumentIsRefusedNotDropped() {
        String text = """
                ---
                sites: [{id: fra-1, country: DE}]
                ---
                sites: [{id: par-1, country: FR}]
                """;
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("declared inventory inv.yaml holds more than one YAML document (another starts at line 4); expected one"
                        + " document with sites, powerDomains, fabrics and nodes (remove the --- between them)");
        // a leading ---, a trailing one and an end marker are one document
        assertThat(read("---\nsites: [{id: fra-1}]\n---\n").sites()).extracting(Site::id).containsExactly("fra-1");
        assertThat(read("sites: [{id: fra-1}]\n...\n").sites()).extracting(Site::id).containsExactly("fra-1");
    }

    /**
     * An alias was handed over as the text of its anchor's name, not the value it stands for: a
     * node's {@code tenant: *t} made it the tenant t's, {@code certifications: [*iso]} gave the
     * site the certification iso, a merge key was an unknown field named after its anchor. A tag
     * was dropped without a word. Each is refused with its path and line; an anchor alone reads
     * nothing wrong and is taken.
     */
    @Test
    void anAliasOrATagIsRefusedNotReadAsItsName() {
        String text = """
                sites:
                  - {id: s1, country: DE, certifications: [&iso ISO27001], operator: &op {name: Mainufer GmbH, jurisdictions: [EU, DE]}}
                  - {id: s2, country: DE, certifications: [*iso], operator: *op}
                  - {<<: *op, id: s3}
                  - {id: !!str s4, country: !!bool DE, operator: !!map {name: X, jurisdictions: [EU]}}
                nodes:
                  - {id: n1, model: dgx-a100, site: s1, tenant: &t bank-risk}
                  - {id: n2, model: dgx-a100, site: s2, tenant: *t}
                """;
        String alias = "expected the value written out: the declared inventory does not read YAML anchors and aliases";
        String tag = "expected a plain YAML value without a tag: the declared inventory takes no tags (quote text to keep it as written)";
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("declared inventory inv.yaml has 7 errors:")
                .hasMessageContaining("sites[1].certifications[0]: '*iso' (line 3) is an alias of the anchor &iso; " + alias)
                .hasMessageContaining("sites[1].operator: '*op' (line 3) is an alias of the anchor &op; " + alias)
                .hasMessageContaining("sites[2].<<: '*op' (line 4) is an alias of the anchor &op; " + alias)
                .hasMessageContaining("sites[3].id: the YAML tag !!str (line 5); " + tag)
                .hasMessageContaining("sites[3].country: the YAML tag !!bool (line 5); " + tag)
                .hasMessageContaining("sites[3].operator: the YAML tag !!map (line 5); " + tag)
                .hasMessageContaining("nodes[1].tenant: '*t' (line 8) is an alias of the anchor &t; " + alias);
        assertThat(read("sites: [{id: s1, country: DE, certifications: [&iso ISO27001]}]\n").sites().get(0).certifications())
                .containsExactly("ISO27001");
        assertThat(read("sites: [{id: s1, name: 'Hall *1 & 2!', country: DE}]\n").sites()).hasSize(1);
    }

    /**
     * A file written slowly, a few lines at a time, is never read half-written: every discovery
     * during the write returns the old content or, once the file has settled, the whole new one.
     */
    @Test
    void aFileStillBeingWrittenIsNotRead(@TempDir Path dir) throws Exception {
        String example = Files.readString(Path.of(System.getProperty("strata.example.inventory")));
        Path file = dir.resolve("strata-inventory.yaml");
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC(), Duration.ofSeconds(1), false);
        writeSettled(file, TWO_NODES);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        java.util.List<String> lines = example.lines().toList();
        Thread writer = new Thread(() -> {
            try (var out = Files.newBufferedWriter(file)) {
                for (int i = 0; i < lines.size(); i++) {
                    out.write(lines.get(i));
                    out.write('\n');
                    if (i % 10 == 9) {
                        out.flush();
                        Thread.sleep(20);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        while (writer.isAlive()) {
            seen.add(provider.discoverCompute(context()).nodes().size());
        }
        writer.join();
        seen.add(provider.discoverCompute(context()).nodes().size());
        assertThat(seen).as("node counts seen while the file was written").isSubsetOf(2, 92).contains(92);
    }

    /**
     * The watched file: a saved change reaches the registry within two seconds, without any
     * periodic discovery. The registry here stands in for the core and only records when the
     * provider asks for a rediscovery (the Pax Exam test does the same with the real core).
     */
    @Test
    void aSavedChangeIsPickedUpWithinTwoSeconds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        writeSettled(file, TWO_NODES);
        java.util.concurrent.BlockingQueue<Integer> discovered = new java.util.concurrent.LinkedBlockingQueue<>();
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC(), Duration.ofMillis(250), true);
        try {
            provider.registry = new RecordingRegistry(() -> discovered.add(provider.discoverCompute(context()).nodes().size()));
            assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

            long start = System.nanoTime();
            Files.writeString(file, TWO_NODES.replace("count: 2", "count: 5"));
            Integer nodes = discovered.poll(2, java.util.concurrent.TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(nodes).as("rediscovered within 2 s (took %d ms)", millis).isEqualTo(5);

            // replaced by a rename, as many editors save
            Path temp = dir.resolve(".strata-inventory.yaml.swp");
            Files.writeString(temp, TWO_NODES.replace("count: 2", "count: 7"));
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertThat(discovered.poll(2, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(7);

            // another file in the directory is no change of the inventory
            Files.writeString(dir.resolve("other.cfg"), "x = 1\n");
            assertThat(discovered.poll(700, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
        } finally {
            provider.deactivate();
        }
    }

    /**
     * An inventory kept elsewhere and linked into etc/: only the link's directory was watched, so an
     * edit of the file it leads to was not read until the next periodic discovery. The linked
     * file's directory is watched too, and followed when the link is pointed at another file.
     */
    @Test
    void aChangeOfTheFileASymbolicLinkLeadsToIsPickedUp(@TempDir Path dir) throws Exception {
        Path etc = Files.createDirectory(dir.resolve("etc"));
        Path fra = Files.createDirectory(dir.resolve("srv-fra")).resolve("fra.yaml");
        Path par = Files.createDirectory(dir.resolve("srv-par")).resolve("par.yaml");
        writeSettled(fra, TWO_NODES);
        Path file = etc.resolve("strata-inventory.yaml");
        Files.createSymbolicLink(file, fra);
        java.util.concurrent.BlockingQueue<Integer> discovered = new java.util.concurrent.LinkedBlockingQueue<>();
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC(), Duration.ofMillis(250), true);
        try {
            provider.registry = new RecordingRegistry(() -> discovered.add(provider.discoverCompute(context()).nodes().size()));
            assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

            Files.writeString(fra, TWO_NODES.replace("count: 2", "count: 5"));
            assertThat(discovered.poll(2, java.util.concurrent.TimeUnit.SECONDS)).as("an edit of the linked file").isEqualTo(5);

            // the link pointed at another file, in another directory, as a deployment tool switches it
            writeSettled(par, TWO_NODES.replace("count: 2", "count: 7"));
            Path link = etc.resolve(".strata-inventory.yaml.new");
            Files.createSymbolicLink(link, par);
            Files.move(link, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertThat(discovered.poll(2, java.util.concurrent.TimeUnit.SECONDS)).as("the link switched").isEqualTo(7);

            Files.writeString(par, TWO_NODES.replace("count: 2", "count: 9"));
            assertThat(discovered.poll(2, java.util.concurrent.TimeUnit.SECONDS)).as("an edit of the file it leads to now").isEqualTo(9);
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A file replaced by renaming another over it, or deleted and written again at once (as editors
     * and configuration management save), never declares nothing in between, however often it is
     * discovered meanwhile: a missing file counts as nothing declared only once it has stayed
     * missing for the settle time. A file deleted for good then declares nothing.
     */
    @Test
    void aFileReplacedByARenameOrADeleteAndCreateNeverDeclaresNothingInBetweenAndADeletedOneDoes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        writeSettled(file, TWO_NODES);
        // a settle time far above the moment between a delete and a create, even on a loaded machine
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC(), Duration.ofSeconds(1), false);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(2);

        java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean replacing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread discoverer = new Thread(() -> {
            while (replacing.get()) {
                try {
                    seen.add(provider.discoverCompute(context()).nodes().size());
                } catch (ProviderFailureException e) {
                    seen.add(-1);
                }
            }
        });
        discoverer.start();
        try {
            for (int i = 0; i < 6; i++) {
                String text = TWO_NODES.replace("count: 2", "count: " + (i % 2 == 0 ? 5 : 2));
                if (i < 3) {
                    Path temp = dir.resolve(".strata-inventory.yaml.tmp");
                    Files.writeString(temp, text);
                    Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.delete(file);
                    Files.writeString(file, text);
                }
                Thread.sleep(1500); // one replacement at a time, as a save is; not asserted on
            }
        } finally {
            replacing.set(false);
            discoverer.join(10_000);
        }
        assertThat(seen).as("node counts discovered while the file was replaced").isSubsetOf(2, 5).contains(5);

        Files.delete(file);
        assertThat(provider.discoverCompute(context()).nodes()).as("deleted for good, nothing declared").isEmpty();
    }

    /** A registry that discovers when asked to refresh and records the node count, or -1 where the discovery failed. */
    private static RecordingRegistry counting(DeclaredInventoryProvider provider, java.util.concurrent.BlockingQueue<Integer> discovered) {
        return new RecordingRegistry(() -> {
            try {
                discovered.add(provider.discoverCompute(context()).nodes().size());
            } catch (ProviderFailureException e) {
                discovered.add(-1);
            }
        });
    }

    /** Waits, generously, for a rediscovery that finds {@code nodes} nodes; other counts on the way are passed over. */
    private static void awaitDiscovered(java.util.concurrent.BlockingQueue<Integer> discovered, int nodes, String what) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Integer> seen = new ArrayList<>();
        while (System.nanoTime() < end) {
            Integer n = discovered.poll(end - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (n != null && n == nodes) {
                return;
            }
            if (n != null) {
                seen.add(n);
            }
        }
        throw new AssertionError(what + ": no rediscovery found " + nodes + " nodes within 20 s (found " + seen + ")");
    }

    /**
     * A symbolic link that led nowhere when the watch began (its directory not there yet), a link
     * through a link in a third directory, and an {@code etc/} that did not exist at activation
     * were not watched: fixed or created later, the file was not read until the next periodic
     * discovery (the watcher watched nothing for a missing directory, and only the link's own and
     * the final file's directories). The nearest existing directory is watched for what is missing,
     * and every link on the way.
     */
    @Test
    void aBrokenLinkFixedLaterALinkThroughAnotherLinkAndAFolderCreatedLaterArePickedUp(@TempDir Path dir) throws Exception {
        Path etc = Files.createDirectory(dir.resolve("etc"));
        Path file = etc.resolve("strata-inventory.yaml");
        Path srv = dir.resolve("srv"); // not there yet
        Path hop = Files.createDirectory(dir.resolve("links")).resolve("current.yaml");
        Files.createSymbolicLink(file, hop);
        Files.createSymbolicLink(hop, srv.resolve("fra.yaml"));
        java.util.concurrent.BlockingQueue<Integer> discovered = new java.util.concurrent.LinkedBlockingQueue<>();
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, reader, Clock.systemUTC(), Duration.ofMillis(250), true);
        try {
            provider.registry = counting(provider, discovered);
            assertThatThrownBy(() -> provider.discoverCompute(context())).isInstanceOf(ProviderFailureException.class);

            Files.createDirectory(srv);
            Files.writeString(srv.resolve("fra.yaml"), TWO_NODES);
            awaitDiscovered(discovered, 2, "the broken link's file created in a directory created later");

            // the link in the third directory pointed elsewhere: the inventory's own link is unchanged
            Path par = Files.createDirectory(dir.resolve("srv-par")).resolve("par.yaml");
            writeSettled(par, TWO_NODES.replace("count: 2", "count: 7"));
            Path next = hop.resolveSibling(".current.yaml.new");
            Files.createSymbolicLink(next, par);
            Files.move(next, hop, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            awaitDiscovered(discovered, 7, "the link on the way switched");
            Files.writeString(par, TWO_NODES.replace("count: 2", "count: 9"));
            awaitDiscovered(discovered, 9, "an edit of the file the links lead to now");
        } finally {
            provider.deactivate();
        }

        Path later = dir.resolve("instance").resolve("etc").resolve("strata-inventory.yaml");
        DeclaredInventoryProvider second = new DeclaredInventoryProvider(later, reader, Clock.systemUTC(), Duration.ofMillis(250), true);
        try {
            second.registry = counting(second, discovered);
            assertThat(second.discoverCompute(context()).nodes()).as("no etc/, nothing declared").isEmpty();
            discovered.clear();
            Files.createDirectories(later.getParent());
            Files.writeString(later, TWO_NODES.replace("count: 2", "count: 3"));
            awaitDiscovered(discovered, 3, "the file in an etc/ created after activation");
        } finally {
            second.deactivate();
        }
    }

    /**
     * A file that is no path at all (a NUL in it, as a mistyped {@code .cfg} can carry) is refused
     * naming the property, its control character shown escaped (<code>&#92;u0000</code>); before, {@code Path.of}'s
     * {@code InvalidPathException} left the constructor, naming neither the PID nor the property.
     */
    @Test
    void aFileThatIsNoPathIsRefusedNamingTheProperty() {
        DeclaredInventoryConfig config = org.osgi.util.converter.Converters.standardConverter()
                .convert(Map.of("file", "inventory\0.yaml")).to(DeclaredInventoryConfig.class);
        assertThatThrownBy(() -> new DeclaredInventoryProvider(config))
                .isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.declared: file = 'inventory\\u0000.yaml' is invalid; expected the path of a YAML inventory file, "
                        + "e.g. strata-inventory.yaml");
    }

    /** Stands in for the core's registry: runs the given discovery when asked to refresh. */
    private record RecordingRegistry(Runnable onRefresh) implements dev.strata.platform.api.inventory.ProviderRegistry {
        @Override
        public java.util.List<dev.strata.platform.api.inventory.ProviderStatus> providers() {
            return java.util.List.of();
        }

        @Override
        public java.util.Optional<dev.strata.platform.api.inventory.ProviderStatus> provider(String id) {
            return java.util.Optional.empty();
        }

        @Override
        public dev.strata.platform.api.inventory.ProviderStatus refresh(String id, Duration maxWait) {
            onRefresh.run();
            return null;
        }
    }
}
