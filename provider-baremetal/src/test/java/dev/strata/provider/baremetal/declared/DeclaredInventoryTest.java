package dev.strata.provider.baremetal.declared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
                .hasMessageContaining("powerDomains[0].budget: '40 kilowatts'; expected a power such as 700W, 40kW or 2MW")
                .hasMessageContaining("fabrics[0].type: 'INFINIBAND'; expected one of DATA, WAN, PCIE, RDMA")
                .hasMessageContaining("nodes[0].model: 'dgx-h1000'; expected one of the models cpu-2s-genoa, dgx-a100, dgx-h100, dgx-h200, l40s-4")
                .hasMessageContaining("nodes[1].id: missing; expected an id (one node) or an idPrefix (count nodes)")
                .hasMessageContaining("nodes[1].fabrics[0]: 'nope'; expected the id of a fabric");
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
}
