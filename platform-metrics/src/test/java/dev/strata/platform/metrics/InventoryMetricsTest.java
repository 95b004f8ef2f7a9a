package dev.strata.platform.metrics;

import static dev.strata.platform.metrics.Series.labels;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.Capability;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InventoryMetricsTest {

    static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    static Accelerator gpu(String id, String model, Health.Status health, DeviceLink... links) {
        return Accelerator.builder().id(id).vendor("nvidia").model(model).health(new Health(health, List.of())).links(List.of(links)).build();
    }

    static Node node(String id, String provider, ResourceState state, String domain, long maxWatts, Accelerator... gpus) {
        return Node.builder().id(id).providerId(provider).siteId("lab").kind(NodeKind.BARE_METAL).state(state).powerDomainId(domain)
                .power(new PowerDraw(100, maxWatts)).accelerators(List.of(gpus)).build();
    }

    static InventorySnapshot snapshot() {
        DeviceLink up = new DeviceLink(0, "0000:02:00.0", "gpu", 50, true);
        DeviceLink down = new DeviceLink(1, "0000:03:00.0", "gpu", 50, false);
        List<Node> nodes = List.of(
                node("n1", "baremetal", ResourceState.AVAILABLE, "rack-1", 3000, gpu("g1", "H100", Health.Status.OK, up, down),
                        gpu("g2", "H100", Health.Status.DEGRADED, up)),
                node("n2", "baremetal", ResourceState.AVAILABLE, "rack-1", 2000, gpu("g3", "H100", Health.Status.OK)),
                node("n3", "baremetal", ResourceState.STALE, "rack-2", 500),
                node("n4", "aws", ResourceState.AVAILABLE, null, 0, gpu("g4", "A10G", Health.Status.OK)),
                node("n5", "aws", ResourceState.DRAINING, null, 0, gpu("g5", "A10G", Health.Status.FAILED)));
        List<Fabric> fabrics = List.of(
                Fabric.builder().id("ib-0").type(FabricType.RDMA).members(Set.of("n1", "n2")).build(),
                Fabric.builder().id("eth-0").type(FabricType.DATA).members(Set.of("n1", "n2", "n3")).build(),
                Fabric.builder().id("eth-1").type(FabricType.DATA).members(Set.of("n4")).build());
        List<PowerDomain> domains = List.of(new PowerDomain("rack-1", "rack", "lab", null, 10_000), new PowerDomain("rack-2", "rack", "lab", null, 4_000),
                new PowerDomain("rack-3", "rack", "lab", null, 1_000));
        return new InventorySnapshot(42, T, List.of(), nodes, fabrics, List.of(), domains, List.of(), List.of(gpu("loose", "L4", Health.Status.UNKNOWN)));
    }

    static ProviderStatus status(String id, ProviderState state, Duration took, int resources, int swaps, List<String> warnings) {
        return new ProviderStatus(id, "vendor", "1.0", "bundle", Set.of(Capability.COMPUTE), state, T, took == null ? null : T.minusSeconds(5),
                took, 3, resources, null, swaps, warnings, null);
    }

    /** An inventory that serves a snapshot and fails the test if a scrape asks for a discovery. */
    static Inventory inventory(InventorySnapshot snapshot) {
        return new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                throw new AssertionError("a scrape must not discover");
            }
        };
    }

    static ProviderRegistry registry(List<ProviderStatus> statuses) {
        return new ProviderRegistry() {
            @Override
            public List<ProviderStatus> providers() {
                return statuses;
            }

            @Override
            public Optional<ProviderStatus> provider(String id) {
                return statuses.stream().filter(s -> s.id().equals(id)).findFirst();
            }

            @Override
            public ProviderStatus refresh(String id, Duration maxWait) {
                throw new AssertionError("a scrape must not discover");
            }
        };
    }

    final InventorySnapshot snapshot = snapshot();
    final List<ProviderStatus> statuses = List.of(status("aws", ProviderState.ACTIVE, Duration.ofMillis(1500), 2, 0, List.of()),
            status("baremetal", ProviderState.FAILED, null, 3, 2, List.of("a", "b")));
    final MetricSnapshots scrape = new InventoryMetrics(inventory(snapshot), registry(statuses)).collect();

    @Test
    void nodesAreCountedByProviderAndStateAsTheSnapshotHoldsThem() {
        Map<Map<String, String>, Double> expected = new HashMap<>();
        snapshot.nodes().stream().collect(groupingBy(n -> labels("provider", n.providerId(), "state", n.state().name()), counting()))
                .forEach((k, v) -> expected.put(k, v.doubleValue()));
        assertThat(Series.of(scrape, "strata_nodes")).isEqualTo(expected).hasSize(4);
        assertThat(Series.of(scrape, "strata_inventory_generation")).containsEntry(labels(), 42.0);
    }

    @Test
    void acceleratorsAreCountedByProviderModelAndHealthUnattachedOnesWithoutProvider() {
        Map<Map<String, String>, Double> expected = new HashMap<>();
        for (Node n : snapshot.nodes()) {
            for (Accelerator a : n.accelerators()) {
                expected.merge(labels("provider", n.providerId(), "model", a.model(), "health", a.health().status().name()), 1.0, Double::sum);
            }
        }
        for (Accelerator a : snapshot.unattached()) {
            expected.merge(labels("provider", "", "model", a.model(), "health", a.health().status().name()), 1.0, Double::sum);
        }
        assertThat(Series.of(scrape, "strata_accelerators")).isEqualTo(expected);
        assertThat(Series.of(scrape, "strata_accelerators")).containsEntry(labels("provider", "baremetal", "model", "H100", "health", "OK"), 2.0);
        assertThat(Series.of(scrape, "strata_accelerator_links")).isEqualTo(Map.of(
                labels("peer_kind", "gpu", "state", "active"), 2.0, labels("peer_kind", "gpu", "state", "inactive"), 1.0));
    }

    @Test
    void fabricsAndPowerDomainsAsTheSnapshotHoldsThem() {
        assertThat(Series.of(scrape, "strata_fabrics")).isEqualTo(Map.of(labels("type", "RDMA"), 1.0, labels("type", "DATA"), 2.0));
        assertThat(Series.of(scrape, "strata_fabric_members")).isEqualTo(Map.of(labels("fabric", "ib-0", "type", "RDMA"), 2.0,
                labels("fabric", "eth-0", "type", "DATA"), 3.0, labels("fabric", "eth-1", "type", "DATA"), 1.0));
        assertThat(Series.of(scrape, "strata_power_domain_budget_watts")).isEqualTo(Map.of(labels("domain", "rack-1", "kind", "rack"), 10_000.0,
                labels("domain", "rack-2", "kind", "rack"), 4_000.0, labels("domain", "rack-3", "kind", "rack"), 1_000.0));
        // nodes' declared maximum draw summed per domain; a domain without nodes declares 0
        assertThat(Series.of(scrape, "strata_power_domain_declared_watts")).isEqualTo(Map.of(labels("domain", "rack-1"), 5000.0,
                labels("domain", "rack-2"), 500.0, labels("domain", "rack-3"), 0.0));
    }

    /**
     * A power domain whose budget is 0 has none: placement holds no limit there (it places whatever the domain's nodes
     * draw). Written as a budget of 0 W, every such domain read as over budget (reserved / budget is +Inf) to whoever
     * alerts on it; it has no budget series, its declared draw is still written.
     */
    @Test
    void aPowerDomainWithoutABudgetHasNoBudgetSeries() {
        InventorySnapshot open = new InventorySnapshot(1, Instant.EPOCH, List.of(), List.of(node("o1", "aws", ResourceState.AVAILABLE,
                "open", 700)), List.of(), List.of(), List.of(new PowerDomain("open", "region", "lab", null, 0),
                new PowerDomain("rack-1", "rack", "lab", null, 10_000)), List.of(), List.of());
        MetricSnapshots scraped = new InventoryMetrics(inventory(open), registry(List.of())).collect();
        assertThat(Series.of(scraped, "strata_power_domain_budget_watts")).isEqualTo(Map.of(labels("domain", "rack-1", "kind", "rack"),
                10_000.0));
        assertThat(Series.of(scraped, "strata_power_domain_declared_watts")).isEqualTo(Map.of(labels("domain", "open"), 700.0,
                labels("domain", "rack-1"), 0.0));
    }

    /**
     * Power domains nested as placement sees them: hall-a > row-a1 > rack-a1/rack-a2 (three levels,
     * rack-a2 with no nodes, row-a2 with none under it either), a rack under a parent the inventory
     * lacks, two domains that are each other's parent, and a node in a domain the inventory lacks.
     */
    static InventorySnapshot nested() {
        List<PowerDomain> domains = List.of(new PowerDomain("hall-a", "hall", "lab", null, 100_000),
                new PowerDomain("row-a1", "row", "lab", "hall-a", 40_000), new PowerDomain("row-a2", "row", "lab", "hall-a", 40_000),
                new PowerDomain("rack-a1", "rack", "lab", "row-a1", 10_000), new PowerDomain("rack-a2", "rack", "lab", "row-a1", 10_000),
                new PowerDomain("rack-b1", "rack", "lab", "row-gone", 10_000), new PowerDomain("rack-c", "rack", "lab", "hall-c", 10_000),
                new PowerDomain("hall-c", "hall", "lab", "rack-c", 10_000));
        List<Node> nodes = List.of(node("a1-1", "baremetal", ResourceState.AVAILABLE, "rack-a1", 3000),
                node("a1-2", "baremetal", ResourceState.AVAILABLE, "rack-a1", 2000),
                node("row-1", "baremetal", ResourceState.AVAILABLE, "row-a1", 700),
                node("hall-1", "baremetal", ResourceState.AVAILABLE, "hall-a", 50),
                node("b1-1", "baremetal", ResourceState.AVAILABLE, "rack-b1", 400),
                node("c-1", "baremetal", ResourceState.AVAILABLE, "rack-c", 800),
                node("stray", "baremetal", ResourceState.AVAILABLE, "rack-gone", 9000),
                node("cloud", "aws", ResourceState.AVAILABLE, null, 0));
        return new InventorySnapshot(7, T, List.of(), nodes, List.of(), List.of(), domains, List.of(), List.of());
    }

    /** Whether following the parents from {@code from} (itself first) reaches {@code domain} over domains the inventory holds. */
    static boolean within(String from, String domain, Map<String, PowerDomain> byId) {
        String d = from;
        for (int steps = 0; steps <= byId.size() && d != null && byId.containsKey(d); steps++) {
            if (d.equals(domain)) {
                return true;
            }
            d = byId.get(d).parentId();
        }
        return false;
    }

    @Test
    void aPowerDomainDeclaresTheDrawOfTheNodesInItAndInEveryDomainUnderItAsPlacementHoldsIt() {
        InventorySnapshot nested = nested();
        Map<String, PowerDomain> byId = new HashMap<>();
        nested.powerDomains().forEach(d -> byId.put(d.id(), d));
        Map<Map<String, String>, Double> expected = new HashMap<>();
        for (PowerDomain d : nested.powerDomains()) {
            double sum = 0;
            for (Node n : nested.nodes()) {
                if (n.powerDomainId() != null && within(n.powerDomainId(), d.id(), byId)) {
                    sum += n.power().maxWatts();
                }
            }
            expected.put(labels("domain", d.id()), sum);
        }
        Map<Map<String, String>, Double> declared = Series.of(new InventoryMetrics(inventory(nested), registry(List.of())).collect(),
                "strata_power_domain_declared_watts");
        assertThat(declared).isEqualTo(expected);
        // three levels up; a domain without nodes; a parent the inventory lacks stops the chain; a cycle holds each node once per domain
        assertThat(declared).containsEntry(labels("domain", "rack-a1"), 5000.0).containsEntry(labels("domain", "row-a1"), 5700.0)
                .containsEntry(labels("domain", "hall-a"), 5750.0).containsEntry(labels("domain", "rack-a2"), 0.0)
                .containsEntry(labels("domain", "row-a2"), 0.0).containsEntry(labels("domain", "rack-b1"), 400.0)
                .containsEntry(labels("domain", "rack-c"), 800.0).containsEntry(labels("domain", "hall-c"), 800.0);
    }

    @Test
    void eachProviderIsInExactlyOneStateWithItsDiscoveryFigures() {
        Map<Map<String, String>, Double> state = Series.of(scrape, "strata_provider_state");
        assertThat(state).hasSize(2 * ProviderState.values().length);
        for (ProviderStatus p : statuses) {
            for (ProviderState s : ProviderState.values()) {
                assertThat(state.get(labels("provider", p.id(), "state", s.name()))).isEqualTo(p.state() == s ? 1.0 : 0.0);
            }
        }
        assertThat(Series.of(scrape, "strata_provider_last_discovery_duration_seconds")).isEqualTo(Map.of(labels("provider", "aws"), 1.5));
        assertThat(Series.of(scrape, "strata_provider_last_discovery_timestamp_seconds"))
                .isEqualTo(Map.of(labels("provider", "aws"), (double) T.minusSeconds(5).getEpochSecond()));
        assertThat(Series.of(scrape, "strata_provider_resources")).isEqualTo(Map.of(labels("provider", "aws"), 2.0, labels("provider", "baremetal"), 3.0));
        assertThat(Series.of(scrape, "strata_provider_swaps")).isEqualTo(Map.of(labels("provider", "aws"), 0.0, labels("provider", "baremetal"), 2.0));
        assertThat(Series.of(scrape, "strata_provider_warnings")).isEqualTo(Map.of(labels("provider", "aws"), 0.0, labels("provider", "baremetal"), 2.0));
    }

    /**
     * A provider whose last discovery is stamped past about 292 million years (a clock gone wrong) has
     * that time in the scrape, in seconds as any other. Before, {@code toEpochMilli()} threw, and the
     * whole collector failed: every provider's and node's figures left out of the scrape.
     */
    @Test
    void aLastDiscoveryFarInTheFutureIsScrapedNotAFailure() {
        Instant far = Instant.MAX;
        ProviderStatus wrong = new ProviderStatus("aws", "vendor", "1.0", "bundle", Set.of(Capability.COMPUTE), ProviderState.ACTIVE, T, far,
                Duration.ofMillis(1500), 3, 2, null, 0, List.of(), null);
        MetricSnapshots scraped = new InventoryMetrics(inventory(snapshot), registry(List.of(wrong))).collect();
        assertThat(Series.of(scraped, "strata_provider_last_discovery_timestamp_seconds"))
                .isEqualTo(Map.of(labels("provider", "aws"), far.getEpochSecond() + far.getNano() / 1e9));
        assertThat(Series.of(scraped, "strata_nodes")).isNotEmpty();
    }

    @Test
    void oddProviderIdsAreEscapedInTheTextFormat() {
        List<Node> nodes = new ArrayList<>(snapshot.nodes());
        nodes.add(node("odd", "we\"ird\\id\nx", ResourceState.AVAILABLE, null, 0));
        InventorySnapshot odd = new InventorySnapshot(1, T, List.of(), nodes, List.of(), List.of(), List.of(), List.of(), List.of());
        String text = new String(Exposition.render(new InventoryMetrics(inventory(odd), registry(List.of())).collect(), null).body(),
                StandardCharsets.UTF_8);
        assertThat(text).contains("strata_nodes{provider=\"we\\\"ird\\\\id\\nx\",state=\"AVAILABLE\"} 1");
        assertThat(text.lines().filter(l -> l.startsWith("strata_nodes{")).count()).isEqualTo(5);
    }
}
