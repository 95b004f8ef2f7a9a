package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.aws.ec2.Ec2Gateway;
import dev.strata.provider.aws.ec2.Ec2Instance;
import dev.strata.provider.aws.ec2.Shape;
import dev.strata.provider.aws.ec2.ShapeReader;
import dev.strata.provider.aws.ec2.Zone;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The offers, sites and fabrics of every region of the fixture that has per-zone offerings,
 * compared with expectations computed here from the raw JSON: one offer per GPU type and zone the
 * catalogue lists, each describing one machine of the type, limited by the configured quota.
 */
class OfferMappingTest {

    static List<String> regions() {
        return FixtureCatalogue.zoneRegions();
    }

    @ParameterizedTest
    @MethodSource("regions")
    void everyGpuTypeOfferedInAZoneIsOneOfferDescribingOneMachine(String region) {
        Map<String, JsonNode> raw = FixtureCatalogue.rawTypes();
        List<Map.Entry<String, String>> offerings = FixtureCatalogue.zoneOfferings(region);
        AwsSettings settings = TestConfigs.settings(Map.of("regions", region,
                "quotas", new String[] {"p5.48xlarge=4", region + "/p4d.24xlarge=2", "g5.*=3"}, "defaultQuota", 1));
        AwsDiscovery discovery = discovery(settings);

        List<Shape> shapes = raw.values().stream().map(j -> ShapeReader.shape(FixtureCatalogue.sdk(j))).toList();
        List<Zone> zones = offerings.stream().map(Map.Entry::getValue).distinct().sorted().map(z -> new Zone(z, null, region)).toList();
        Catalogue catalogue = discovery.catalogue(region, zones, shapes, offerings, Instant.EPOCH);

        // other instances against the quota: one of a GPU type in the first zone that offers it, not Strata's,
        // and one Strata launched there (it counts against the offers of the type in the other zones only)
        Map.Entry<String, String> busy = offerings.stream().filter(o -> wholeGpus(raw.get(o.getKey())) > 0)
                .min(Map.Entry.comparingByKey()).orElseThrow();
        String strataZone = offerings.stream().filter(o -> o.getKey().equals(busy.getKey())).map(Map.Entry::getValue).sorted().findFirst().orElseThrow();
        List<Ec2Instance> instances = List.of(
                instance("i-other", region, busy.getValue(), busy.getKey(), "running", Map.of()),
                instance("i-strata", region, strataZone, busy.getKey(), "running", Map.of(MachineLabels.OPERATION, "op-1")),
                instance("i-gone", region, strataZone, busy.getKey(), "terminated", Map.of()));

        AwsDiscovery.View view = discovery.region(catalogue, instances, SovereigntyTable.builtIn().facts(region).orElse(null));

        Set<String> expectedIds = new TreeSet<>();
        for (Map.Entry<String, String> o : offerings) {
            if (raw.containsKey(o.getKey()) && wholeGpus(raw.get(o.getKey())) > 0) {
                expectedIds.add("aws:" + o.getValue() + ":" + o.getKey());
            }
        }
        assertThat(view.offers()).extracting(CapacityOffer::id).containsExactlyInAnyOrderElementsOf(expectedIds);
        assertThat(expectedIds).isNotEmpty();
        assertThat(view.sites()).extracting(s -> s.zone()).containsExactlyElementsOf(zones.stream().map(Zone::name).toList());

        for (CapacityOffer offer : view.offers()) {
            JsonNode json = raw.get(offer.shape());
            Node machine = offer.machine();
            assertThat(offer.siteId()).isEqualTo("aws:" + machine.attributes().get("zone"));
            assertThat(machine.id()).isEqualTo(offer.id());
            assertThat(machine.kind()).isEqualTo(json.path("BareMetal").asBoolean() ? NodeKind.BARE_METAL : NodeKind.VIRTUAL_MACHINE);
            assertThat(machine.cpu().threads()).isEqualTo(json.path("VCpuInfo").path("DefaultVCpus").asInt());
            assertThat(machine.memoryBytes()).isEqualTo(json.path("MemoryInfo").path("SizeInMiB").asLong() * 1024 * 1024);
            assertThat(machine.accelerators()).hasSize(wholeGpus(json));
            JsonNode gpu = json.path("GpuInfo").path("Gpus").get(0);
            for (Accelerator a : machine.accelerators()) {
                assertThat(a.model()).isEqualTo(gpu.path("Manufacturer").asText() + " " + gpu.path("Name").asText());
                assertThat(a.memoryBytes()).isEqualTo(gpu.path("MemoryInfo").path("SizeInMiB").asLong() * 1024 * 1024);
                assertThat(a.id()).startsWith(offer.id() + "/gpu");
            }
            String zone = machine.attributes().get("zone");
            assertThat(offer.inUse()).as("in use of " + offer.id()).isZero();
            assertThat(machine.attributes()).containsEntry("regionQuota", String.valueOf(expectedQuota(offer.shape())))
                    .containsEntry("regionQuotaInUseByOthers", String.valueOf(others(offer.shape(), instances)));
            assertThat(offer.limit()).as("%s keeps the slot of Strata's machine there", offer.id())
                    .isGreaterThanOrEqualTo(strataIn(offer.shape(), zone, instances));
            assertThat(machine.state()).isEqualTo(offer.inUse() < offer.limit() ? ResourceState.AVAILABLE : ResourceState.UNAVAILABLE);
            boolean efa = json.path("NetworkInfo").path("EfaSupported").asBoolean(false);
            // efa = all: one EFA interface per card from card 0, up to the type's maximum; the fabric has their bandwidth
            int efaCards = json.path("NetworkInfo").path("EfaInfo").path("MaximumEfaInterfaces").asInt();
            double gbps = 0;
            for (JsonNode card : json.path("NetworkInfo").path("NetworkCards")) {
                if (card.path("NetworkCardIndex").asInt() < efaCards) {
                    gbps += card.path("BaselineBandwidthInGbps").asDouble();
                }
            }
            if (efa) {
                String fabricId = Ids.efaFabric("aws", zone, gbps);
                assertThat(offer.fabricIds()).containsExactly(fabricId);
                Fabric fabric = view.fabrics().stream().filter(f -> f.id().equals(fabricId)).findFirst().orElseThrow();
                assertThat(fabric.type()).isEqualTo(FabricType.RDMA);
                assertThat(fabric.siteId()).isEqualTo("aws:" + zone);
                assertThat(fabric.linkBandwidthGbps()).isEqualTo(gbps);
                assertThat(fabric.members()).contains(offer.id());
                assertThat(machine.traits()).contains("efa");
            } else {
                assertThat(offer.fabricIds()).isEmpty();
            }
        }
        // the region's quota of a type is shared among its zones: their limits add up to what the region has left, the
        // machines Strata launched included, never to the quota once per zone
        Map<String, Integer> limits = new java.util.TreeMap<>();
        view.offers().forEach(o -> limits.merge(o.shape(), o.limit(), Integer::sum));
        limits.forEach((type, sum) -> {
            int strata = (int) instances.stream().filter(i -> i.tags().containsKey(MachineLabels.OPERATION) && type.equals(i.instanceType())
                    && (i.state().equals("running") || i.state().equals("pending"))).count();
            assertThat(sum).as("the limits of %s over its zones", type)
                    .isEqualTo(Math.max(strata, expectedQuota(type) - others(type, instances)));
        });
        // an EFA fabric never spans zones
        for (Fabric f : view.fabrics()) {
            Map<String, String> zoneOf = new java.util.HashMap<>();
            view.offers().forEach(o -> zoneOf.put(o.id(), o.machine().attributes().get("zone")));
            view.nodes().forEach(n -> zoneOf.put(n.id(), n.attributes().get("zone")));
            Set<String> zonesOfMembers = f.members().stream().map(zoneOf::get).collect(Collectors.toSet());
            assertThat(zonesOfMembers).as(f.id()).hasSize(1);
        }
        // the instance Strata launched is a node bound to its operation; the others are not nodes
        assertThat(view.nodes()).extracting(Node::id).containsExactly("aws:i-strata");
        assertThat(view.nodes().get(0).attributes()).containsEntry(MachineLabels.OPERATION, "op-1");
    }

    /**
     * An EFA type's offers, and the instances launched of it, are on the EFA fabric of the bandwidth
     * that the efa setting launches them with: every card's with {@code all} (3200 Gbit/s for
     * p5.48xlarge's 32 cards), card 0's with {@code one}, and on no EFA fabric with {@code off}.
     * Before, the setting was not read by discovery: with {@code off}, a gang that needs RDMA was
     * placed on offers whose instances are launched without any EFA interface, and with {@code one}
     * an instance with one 100 Gbit/s interface was reported at 3200 Gbit/s.
     */
    @Test
    void anOffersEfaFabricIsTheOneTheEfaSettingLaunches() {
        Map<String, JsonNode> raw = FixtureCatalogue.rawTypes();
        Shape p5 = ShapeReader.shape(FixtureCatalogue.sdk(raw.get("p5.48xlarge")));
        String region = "us-east-1";
        String zone = "us-east-1a";
        for (String[] mode : new String[][] {{"all", "3200"}, {"one", "100"}, {"off", null}}) {
            AwsSettings settings = TestConfigs.settings(Map.of("regions", region, "quotas", new String[] {"*=4"}, "efa", mode[0]));
            AwsDiscovery discovery = discovery(settings);
            Catalogue catalogue = discovery.catalogue(region, List.of(new Zone(zone, null, region)), List.of(p5),
                    List.of(Map.entry("p5.48xlarge", zone)), Instant.EPOCH);
            AwsDiscovery.View view = discovery.region(catalogue, List.of(instance("i-strata", region, zone, "p5.48xlarge", "running",
                    Map.of(MachineLabels.OPERATION, "op-1"))), null);
            CapacityOffer offer = view.offers().stream().filter(o -> o.id().equals("aws:" + zone + ":p5.48xlarge")).findFirst().orElseThrow();
            if (mode[1] == null) {
                assertThat(offer.fabricIds()).as("efa = off").isEmpty();
                assertThat(view.fabrics()).as("efa = off").isEmpty();
                continue;
            }
            String fabricId = "aws:" + zone + ":efa-" + mode[1] + "g";
            assertThat(offer.fabricIds()).as("efa = " + mode[0]).containsExactly(fabricId);
            assertThat(view.fabrics()).as("efa = " + mode[0]).singleElement().satisfies(f -> {
                assertThat(f.id()).isEqualTo(fabricId);
                assertThat(f.linkBandwidthGbps()).isEqualTo(Double.parseDouble(mode[1]));
                assertThat(f.members()).containsExactlyInAnyOrder(offer.id(), "aws:i-strata");
            });
        }
    }

    /** The configured quota of a type (the rules of the test's configuration, read here by hand). */
    private static int expectedQuota(String type) {
        return type.equals("p5.48xlarge") ? 4 : type.equals("p4d.24xlarge") ? 2 : type.startsWith("g5.") ? 3 : 1;
    }

    /** Active instances of the type in the region that Strata did not launch. */
    private static int others(String type, List<Ec2Instance> instances) {
        int n = 0;
        for (Ec2Instance i : instances) {
            boolean active = i.state().equals("running") || i.state().equals("pending");
            if (active && type.equals(i.instanceType()) && !i.tags().containsKey(MachineLabels.OPERATION)) {
                n++;
            }
        }
        return n;
    }

    /** Active instances of the type Strata launched in the zone. */
    private static int strataIn(String type, String zone, List<Ec2Instance> instances) {
        return (int) instances.stream().filter(i -> i.tags().containsKey(MachineLabels.OPERATION) && type.equals(i.instanceType())
                && zone.equals(i.zone()) && (i.state().equals("running") || i.state().equals("pending"))).count();
    }

    static int wholeGpus(JsonNode json) {
        int n = 0;
        for (JsonNode gpu : json.path("GpuInfo").path("Gpus")) {
            n += gpu.path("Count").asInt();
        }
        return n;
    }

    static AwsDiscovery discovery(AwsSettings settings) {
        Ec2Gateway unused = new Ec2Gateway(null, null, Duration.ofSeconds(1), s -> s);
        return new AwsDiscovery(settings, unused, SovereigntyTable.builtIn(), Clock.systemUTC());
    }

    static Ec2Instance instance(String id, String region, String zone, String type, String state, Map<String, String> tags) {
        return new Ec2Instance(id, region, zone, type, state, null, tags, Instant.parse("2026-01-01T00:00:00Z"), null, null, "123456789012");
    }

}
