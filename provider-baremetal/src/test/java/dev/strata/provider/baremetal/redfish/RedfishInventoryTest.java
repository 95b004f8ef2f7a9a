package dev.strata.provider.baremetal.redfish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.NaturalOrder;
import dev.strata.provider.baremetal.NodeIdentity;
import dev.strata.provider.baremetal.bmc.BootTarget;
import dev.strata.provider.baremetal.bmc.ConfiguredBmc;
import dev.strata.provider.baremetal.bmc.NodeTemplate;
import dev.strata.provider.baremetal.peers.FaultInjectingProxy;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyStatic;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real HPE BMC trees in {@code ../shared/fixtures/redfish}, served over HTTP by
 * {@code sushy-static} (the real peer for read-only Redfish trees), discovered by the Redfish
 * client and inventory. Every expected figure is computed here from the tree's JSON files, read
 * directly from the folder (not through the client): processors by their type, GPUs of the
 * ProLiant by their PCI device names (the code goes by PCI class), memory from the DIMMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedfishInventoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path fixtures;
    private SushyStatic ex235n;
    private SushyStatic xl675d;

    @BeforeAll
    void startPeers() throws IOException {
        fixtures = Peers.fixtures("redfish");
        Path logs = Peers.workDir("sushy-static");
        ex235n = SushyStatic.start(fixtures.resolve("EX235n"), logs);
        xl675d = SushyStatic.start(fixtures.resolve("XL675d_A100"), logs);
    }

    @AfterAll
    void stopPeers() {
        if (ex235n != null) {
            ex235n.close();
        }
        if (xl675d != null) {
            xl675d.close();
        }
    }

    private static List<Node> discover(String name, String address) {
        ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish(name, address, "root", "unused-by-sushy-static"));
        try {
            return bmc.bmc().discover(bmc.template("bmc"), DiscoveryContext.withTimeout("test", Duration.ofSeconds(60)));
        } finally {
            bmc.close();
        }
    }

    @Test
    void crayEx235nBladeIsTwoNodesWithFourA100sEach() throws IOException {
        List<Node> nodes = discover("ex235n", ex235n.address());

        Path systems = fixtures.resolve("EX235n/Systems");
        List<Path> systemDirs = dirs(systems);
        assertThat(nodes).hasSize(systemDirs.size()).hasSize(2);
        for (Path dir : systemDirs) {
            JsonNode system = read(dir.resolve("index.json"));
            String id = system.path("Id").asText();
            // no UUID in the Cray tree: the id falls back to BMC name and system id
            assertThat(system.has("UUID")).isFalse();
            Node node = nodes.stream().filter(n -> n.id().equals("bmc:ex235n/" + id)).findFirst().orElseThrow();

            List<JsonNode> processors = files(dir.resolve("Processors"));
            List<JsonNode> cpus = processors.stream().filter(p -> p.path("ProcessorType").asText().equals("CPU")).toList();
            List<JsonNode> gpus = processors.stream().filter(p -> p.path("ProcessorType").asText().equals("GPU")).toList();
            assertThat(gpus).hasSize(4);
            assertThat(node.cpu().packages()).hasSize(cpus.size());
            assertThat(node.cpu().cores()).isEqualTo(cpus.stream().mapToInt(p -> p.path("TotalCores").asInt()).sum());
            assertThat(node.cpu().threads()).isEqualTo(cpus.stream().mapToInt(p -> p.path("TotalThreads").asInt()).sum());
            assertThat(node.cpu().model()).isEqualTo(cpus.get(0).path("Model").asText().strip());

            assertThat(node.accelerators()).hasSize(gpus.size());
            assertThat(node.accelerators()).extracting(Accelerator::model).containsExactlyInAnyOrderElementsOf(
                    gpus.stream().map(g -> g.path("Model").asText().replace('_', ' ')).toList());
            assertThat(node.accelerators()).extracting(Accelerator::vendor).containsOnly("NVIDIA");
            assertThat(node.accelerators()).extracting(a -> a.attributes().get("serial")).containsExactlyInAnyOrderElementsOf(
                    gpus.stream().map(g -> g.path("SerialNumber").asText()).toList());
            assertThat(node.accelerators()).allSatisfy(a -> assertThat(a.nodeId()).isEqualTo(node.id()));

            long memoryMiB = files(dir.resolve("Memory")).stream().mapToLong(d -> d.path("CapacityMiB").asLong()).sum();
            assertThat(node.memoryBytes()).isEqualTo(memoryMiB << 20)
                    .isEqualTo(system.path("MemorySummary").path("TotalSystemMemoryGiB").asLong() << 30);
            assertThat(node.nics()).hasSize(dirs(dir.resolve("EthernetInterfaces")).size());
            assertThat(node.attributes()).containsEntry("system.model", system.path("Model").asText())
                    .containsEntry("system.serial", system.path("SerialNumber").asText())
                    .containsEntry(NodeTemplate.POWER_STATE, system.path("PowerState").asText())
                    .containsEntry(NodeTemplate.SYSTEM, system.path("@odata.id").asText())
                    .containsEntry(NodeTemplate.BMC, "ex235n");
            // the chassis of the same id (the Cray tree links none): its thermal readings
            JsonNode thermal = read(fixtures.resolve("EX235n/Chassis/" + id + "/Thermal/index.json"));
            double hottest = 0;
            for (JsonNode t : thermal.path("Temperatures")) {
                hottest = Math.max(hottest, t.path("ReadingCelsius").asDouble());
            }
            assertThat(Double.parseDouble(node.attributes().get("thermal.maxCelsius"))).isEqualTo(hottest);
            assertThat(node.kind()).isEqualTo(NodeKind.BARE_METAL);
            assertThat(node.state()).isEqualTo(ResourceState.AVAILABLE);
        }
    }

    @Test
    void proLiantXl675dIsOneNodeWithEightA100sFoundThroughHpePciDevices() throws IOException {
        List<Node> nodes = discover("xl675d", xl675d.address());

        Path dir = fixtures.resolve("XL675d_A100/Systems/1");
        JsonNode system = read(dir.resolve("index.json"));
        assertThat(nodes).hasSize(1);
        Node node = nodes.get(0);
        String uuid = system.path("UUID").asText().toLowerCase(Locale.ROOT);
        assertThat(node.id()).isEqualTo("bmc:" + uuid);
        assertThat(node.attributes()).containsEntry(NodeIdentity.SYSTEM_UUID, uuid);

        List<JsonNode> cpus = files(dir.resolve("Processors"));
        assertThat(node.cpu().packages()).hasSize(2).hasSize(cpus.size());
        assertThat(node.cpu().cores()).isEqualTo(cpus.stream().mapToInt(p -> p.path("TotalCores").asInt()).sum()).isEqualTo(128);
        assertThat(node.cpu().threads()).isEqualTo(cpus.stream().mapToInt(p -> p.path("TotalThreads").asInt()).sum());
        // HPE pads the model with spaces
        assertThat(node.cpu().model()).isEqualTo(cpus.get(0).path("Model").asText().strip()).isEqualTo("AMD EPYC 7702 64-Core Processor");

        // The oracle picks GPUs by name; the code by PCI class (3D controller), skipping the embedded VGA and the NVSwitches
        List<JsonNode> a100 = files(dir.resolve("PCIDevices")).stream()
                .filter(d -> d.path("Name").asText().startsWith("NVIDIA A100")).toList();
        assertThat(a100).hasSize(8);
        assertThat(node.accelerators()).hasSize(a100.size());
        assertThat(node.accelerators()).extracting(Accelerator::model).containsOnly(a100.get(0).path("Name").asText());
        assertThat(node.accelerators()).extracting(Accelerator::pciAddress).containsExactlyInAnyOrderElementsOf(a100.stream()
                .map(d -> String.format("%04x:%02x:%02x.%x", d.path("SegmentNumber").asInt(), d.path("BusNumber").asInt(),
                        d.path("DeviceNumber").asInt(), d.path("FunctionNumber").asInt())).toList());
        assertThat(node.pciDevices()).hasSize(files(dir.resolve("PCIDevices")).size());

        List<JsonNode> dimms = files(dir.resolve("Memory"));
        long memoryMiB = dimms.stream().mapToLong(d -> d.path("CapacityMiB").asLong()).sum();
        assertThat(node.memoryBytes()).isEqualTo(memoryMiB << 20).isEqualTo(256L << 30);
        // one NUMA node per socket, with the memory of that socket's DIMMs
        assertThat(node.numaNodes()).hasSize(2);
        for (int socket = 1; socket <= 2; socket++) {
            int s = socket;
            long mib = dimms.stream().filter(d -> d.path("MemoryLocation").path("Socket").asInt() == s)
                    .mapToLong(d -> d.path("CapacityMiB").asLong()).sum();
            assertThat(node.numaNodes().get(socket - 1).memoryBytes()).isEqualTo(mib << 20);
        }

        JsonNode power = read(fixtures.resolve("XL675d_A100/Chassis/1/Power/index.json")).path("PowerControl").path(0);
        assertThat(node.attributes()).containsEntry("power.consumedWatts", power.path("PowerConsumedWatts").asText());
        assertThat(node.power().maxWatts()).isEqualTo(power.path("PowerCapacityWatts").asLong());
        assertThat(node.nics()).hasSize(dirs(dir.resolve("EthernetInterfaces")).size());
        assertThat(node.attributes()).containsEntry("system.model", system.path("Model").asText());

        // HPE lists sensors of empty bays and slots as State Absent with ReadingCelsius 0: not readings
        List<JsonNode> temperatures = new java.util.ArrayList<>();
        read(fixtures.resolve("XL675d_A100/Chassis/1/Thermal/index.json")).path("Temperatures").forEach(temperatures::add);
        List<JsonNode> present = temperatures.stream().filter(t -> !t.path("Status").path("State").asText().equals("Absent")).toList();
        assertThat(present).hasSizeLessThan(temperatures.size());
        assertThat(node.attributes()).containsEntry("thermal.sensors", Integer.toString(present.size()))
                .containsEntry("thermal.maxCelsius", Long.toString(present.stream().mapToLong(t -> t.path("ReadingCelsius").asLong())
                        .max().orElseThrow()));
    }

    /**
     * sushy-static behind the recording proxy: the ProLiant's root advertises {@code $expand},
     * sushy-static answers it 404, and the client reads members one by one instead. A boot
     * override PATCH carries the system's ETag as {@code If-Match}.
     */
    @Test
    void expandFallsBackWhenRefusedAndPatchCarriesTheEtag() throws IOException {
        JsonNode root = read(fixtures.resolve("XL675d_A100/index.json"));
        assertThat(root.path("ProtocolFeaturesSupported").path("ExpandQuery").path("Levels").asBoolean()).isTrue();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(xl675d.address())) {
            ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("xl675d", proxy.address(), "root", "x"));
            DiscoveryContext context = DiscoveryContext.withTimeout("t", Duration.ofSeconds(60));
            List<Node> nodes = bmc.bmc().discover(bmc.template("bmc"), context);
            assertThat(nodes.get(0).accelerators()).hasSize(8);
            List<FaultInjectingProxy.Seen> expands = proxy.seen().stream().filter(s -> s.path().contains("$expand")).toList();
            assertThat(expands).hasSize(1);
            assertThat(expands.get(0).status()).isEqualTo(404);
            assertThat(proxy.seen().stream().filter(s -> s.path().contains("/Memory/proc")).count()).isEqualTo(32);

            proxy.clear();
            String system = nodes.get(0).attributes().get(NodeTemplate.SYSTEM);
            bmc.bmc().setBootOverride(system, BootTarget.PXE, true, context);
            List<FaultInjectingProxy.Seen> patches = proxy.requests("PATCH", "/Systems/1");
            assertThat(patches).hasSize(1);
            assertThat(patches.get(0).ifMatch()).isEqualTo(read(fixtures.resolve("XL675d_A100/Systems/1/index.json")).path("@odata.etag").asText());
            bmc.close();
        }
    }

    /** Collections served in pages of 5 (by the proxy; sushy-static does not page): every page is followed. */
    @Test
    void pagedCollectionsAreFollowedThroughNextLinks() throws IOException {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(xl675d.address()).paging(5)) {
            List<Node> nodes = discover("xl675d", proxy.address());
            Path dir = fixtures.resolve("XL675d_A100/Systems/1");
            long memoryMiB = files(dir.resolve("Memory")).stream().mapToLong(d -> d.path("CapacityMiB").asLong()).sum();
            assertThat(nodes.get(0).memoryBytes()).isEqualTo(memoryMiB << 20);
            assertThat(nodes.get(0).pciDevices()).hasSize(files(dir.resolve("PCIDevices")).size());
            assertThat(nodes.get(0).accelerators()).hasSize(8);
            // 32 DIMMs in pages of 5: the first page and six more
            assertThat(proxy.seen()).filteredOn(s -> s.path().contains("/Memory/?$skip=") || s.path().contains("/Memory?$skip=")).hasSize(6);
        }
    }

    /**
     * A collection that lists one member twice (the ProLiant's real tree behind a proxy that adds
     * its first DIMM to the memory collection again, once as listed and once without the trailing
     * slash, as a collection that changed between two pages does): the DIMM is one resource and
     * counts once, for the machine and for its socket's NUMA node. Before, each listing counted, and
     * the machine had 32 GiB it does not have.
     */
    @Test
    void aMemberListedTwiceCountsOnce() throws IOException {
        Path dir = fixtures.resolve("XL675d_A100/Systems/1");
        List<JsonNode> dimms = files(dir.resolve("Memory"));
        long memoryMiB = dimms.stream().mapToLong(d -> d.path("CapacityMiB").asLong()).sum();
        long socket1MiB = dimms.stream().filter(d -> d.path("MemoryLocation").path("Socket").asInt() == 1)
                .mapToLong(d -> d.path("CapacityMiB").asLong()).sum();
        assertThat(read(dir.resolve("Memory/proc1dimm1/index.json")).path("CapacityMiB").asLong()).isPositive();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(xl675d.address())) {
            proxy.rewrite("/redfish/v1/Systems/1/Memory", collection -> {
                com.fasterxml.jackson.databind.node.ArrayNode members = (com.fasterxml.jackson.databind.node.ArrayNode) collection.get("Members");
                members.add(members.get(0).deepCopy());
                members.addObject().put("@odata.id", "/redfish/v1/Systems/1/Memory/proc1dimm1");
                return collection;
            });
            Node node = discover("xl675d", proxy.address()).get(0);
            assertThat(node.memoryBytes()).isEqualTo(memoryMiB << 20).isEqualTo(256L << 30);
            assertThat(node.numaNodes().get(0).memoryBytes()).isEqualTo(socket1MiB << 20);
            assertThat(proxy.seen()).filteredOn(seen -> seen.path().matches(".*/Memory/proc1dimm1/?")).as("the DIMM read once").hasSize(1);
        }
    }

    /**
     * Collections whose members are not what Redfish says they are (the ProLiant's real tree behind
     * a proxy that changes one collection): {@code Members} that is an object rather than an array,
     * a member that is a bare string rather than an object with its link, and a member that links
     * back to the collection itself. Each is the BMC's error, naming the collection, what it found
     * and what was expected: the systems collection's fails the BMC, a system's own collection's
     * that system (its node UNAVAILABLE, the error in {@code bmc.error}). Before, the systems of the first were silently none (a BMC without
     * machines), the second member was skipped, and the third was read as a processor of no cores,
     * a third package of the machine.
     */
    @Test
    void membersThatAreNoListOfLinksAreTheBmcsError() throws IOException {
        record Odd(String collection, java.util.function.UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> change, String message) {
        }
        List<Odd> cases = List.of(
                new Odd("/redfish/v1/Systems", c -> {
                    c.putObject("Members").put("@odata.id", "/redfish/v1/Systems/1/");
                    return c;
                }, "/redfish/v1/Systems/: Members is an object; expected an array of the members"),
                new Odd("/redfish/v1/Systems/1/Memory", c -> {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) c.get("Members")).add("/redfish/v1/Systems/1/Memory/proc1dimm1/");
                    return c;
                }, "/redfish/v1/Systems/1/Memory/: a member is a string; expected an object with the member's @odata.id"),
                new Odd("/redfish/v1/Systems/1/Processors", c -> {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) c.get("Members")).addObject().put("@odata.id", "/redfish/v1/Systems/1/Processors");
                    return c;
                }, "/redfish/v1/Systems/1/Processors/: member /redfish/v1/Systems/1/Processors is the collection itself; "
                        + "expected links to its members"));
        for (Odd odd : cases) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(xl675d.address())) {
                proxy.rewrite(odd.collection(), odd.change());
                if (odd.collection().equals("/redfish/v1/Systems")) {
                    // the BMC's systems collection: the whole BMC's error
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> discover("odd", proxy.address()))
                            .as(odd.collection())
                            .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                            .hasMessageStartingWith("BMC odd (" + proxy.address())
                            .hasMessageContaining(odd.message());
                } else {
                    // a collection of one system: that system's error, its node UNAVAILABLE
                    assertThat(unreadable(discover("odd", proxy.address()))).as(odd.collection())
                            .startsWith("BMC odd (" + proxy.address()).contains(odd.message());
                }
            }
        }
    }

    /**
     * A BMC of two systems (the Cray EX235n's real tree, through a proxy) where one system's data is bad: a member of Node1's
     * memory collection that is a bare string, or Node1's CPU of fifty million cores. Node1's node is UNAVAILABLE, its
     * {@code bmc.error} naming the BMC, the system and what was wrong, with a warning; Node0 is read as always. Through the
     * provider, Node1 shows what was last read of it (its CPU, memory and GPUs) with that error, and is whole again once its
     * data is. Before, the one system's bad data failed the whole BMC's discovery: both nodes were UNAVAILABLE.
     */
    @Test
    void aSystemThatCannotBeReadIsUnavailableAloneAndTheBmcsOtherSystemsAreRead() throws IOException {
        String system = "/redfish/v1/Systems/Node1";
        record Bad(String path, java.util.function.UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> change, String problem) {
        }
        List<Bad> cases = List.of(
                new Bad(system + "/Memory", c -> {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) c.get("Members")).add(system + "/Memory/DIMM0");
                    return c;
                }, system + "/Memory: a member is a string; expected an object with the member's @odata.id"),
                new Bad(system + "/Processors/CPU0", c -> c.put("TotalCores", 50000000),
                        system + "/Processors/CPU0: TotalCores = 50000000; expected 0 to 4096 cores in one processor"));
        for (Bad bad : cases) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(ex235n.address());
                    dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
                proxy.rewrite(bad.path(), bad.change());
                List<Node> nodes = discover("half", proxy.address());
                assertThat(nodes).extracting(Node::id).as(bad.path()).containsExactlyInAnyOrder("bmc:half/Node0", "bmc:half/Node1");
                Node healthy = nodes.stream().filter(n -> n.id().endsWith("/Node0")).findFirst().orElseThrow();
                assertThat(healthy.state()).isEqualTo(ResourceState.AVAILABLE);
                assertThat(healthy.attributes()).doesNotContainKey(NodeTemplate.ERROR);
                assertThat(healthy.accelerators()).hasSize(4);
                Node broken = nodes.stream().filter(n -> n.id().endsWith("/Node1")).findFirst().orElseThrow();
                String error = "BMC half (" + proxy.address() + "): system " + system + " could not be read: ";
                assertThat(broken.state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(broken.attributes()).containsEntry(NodeTemplate.SYSTEM, system).containsEntry(NodeTemplate.BMC, "half");
                assertThat(broken.attributes().get(NodeTemplate.ERROR)).startsWith(error).contains(bad.problem());
                assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(error)))
                        .anySatisfy(l -> assertThat(l).contains(bad.problem()).contains("its node is UNAVAILABLE"));
            }
        }

        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(ex235n.address())) {
            dev.strata.provider.baremetal.bmc.BmcProvider provider = new dev.strata.provider.baremetal.bmc.BmcProvider(
                    Peers.workDir("journal"), 2, Duration.ofSeconds(30), Duration.ofSeconds(60), java.time.Clock.systemUTC());
            try {
                provider.bind(TestBmcs.bmc(TestBmcs.redfish("cray", proxy.address(), "root", "unused-by-sushy-static")));
                Node first = node(provider, "bmc:cray/Node1");
                assertThat(first.state()).isEqualTo(ResourceState.AVAILABLE);
                proxy.rewrite(cases.get(1).path(), cases.get(1).change());
                Node during = node(provider, "bmc:cray/Node1");
                assertThat(during.state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(during.attributes().get(NodeTemplate.ERROR)).contains("system " + system + " could not be read")
                        .contains(cases.get(1).problem());
                assertThat(during.attributes()).containsEntry(NodeTemplate.POWER_STATE, "Unknown");
                assertThat(during.cpu()).as("what was last read of it").isEqualTo(first.cpu());
                assertThat(during.memoryBytes()).isEqualTo(first.memoryBytes()).isPositive();
                assertThat(during.accelerators()).isEqualTo(first.accelerators());
                assertThat(node(provider, "bmc:cray/Node0").state()).isEqualTo(ResourceState.AVAILABLE);
                proxy.noRewrites();
                Node after = node(provider, "bmc:cray/Node1");
                assertThat(after.state()).isEqualTo(ResourceState.AVAILABLE);
                assertThat(after.attributes()).doesNotContainKey(NodeTemplate.ERROR);
            } finally {
                provider.close();
            }
        }
    }

    /**
     * A BMC of two systems (the Cray EX235n's real tree, through a proxy; it offers no {@code $expand}, so each system is read
     * by its own GET) where the GET of Node1's own resource answers HTTP 500 with a Redfish error, a page that is no JSON, or
     * JSON that is no object. Node1's node is UNAVAILABLE alone, its {@code bmc.error} naming the BMC, the system and what was
     * wrong, with a warning; Node0 is read as always. Through the provider, Node1 (read with a UUID) keeps its id and shows
     * what was last read of it with that error, and is whole again once it answers. What fails the BMC as a whole still fails
     * it: its systems collection answering 500, or Node1's GET refused for the credentials or answered busy. Before, the one
     * system's failed read failed the whole BMC's discovery: both nodes were UNAVAILABLE.
     */
    @Test
    void aSystemWhoseOwnResourceCannotBeReadIsUnavailableAlone() throws IOException {
        String system = "/redfish/v1/Systems/Node1";
        record Failing(int status, String type, String body, String problem) {
        }
        List<Failing> cases = List.of(
                new Failing(500, "application/json", "{\"error\":{\"code\":\"Base.1.8.InternalError\",\"message\":\"sensor data not ready\"}}",
                        "GET " + system + " answered HTTP 500 (sensor data not ready)"),
                new Failing(200, "text/html", "<html><body>Loading...</body></html>", system + ": the answer is not a JSON object"),
                new Failing(200, "application/json", "[]", system + ": the answer is not a JSON object"));
        for (Failing failing : cases) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(ex235n.address());
                    dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
                proxy.replace(system, failing.status(), failing.type(), failing.body());
                List<Node> nodes = discover("half", proxy.address());
                assertThat(nodes).extracting(Node::id).as(failing.body()).containsExactlyInAnyOrder("bmc:half/Node0", "bmc:half/Node1");
                Node healthy = nodes.stream().filter(n -> n.id().endsWith("/Node0")).findFirst().orElseThrow();
                assertThat(healthy.state()).isEqualTo(ResourceState.AVAILABLE);
                assertThat(healthy.attributes()).doesNotContainKey(NodeTemplate.ERROR);
                assertThat(healthy.accelerators()).hasSize(4);
                Node broken = nodes.stream().filter(n -> n.id().endsWith("/Node1")).findFirst().orElseThrow();
                String error = "BMC half (" + proxy.address() + "): system " + system + " could not be read: ";
                assertThat(broken.state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(broken.attributes()).containsEntry(NodeTemplate.SYSTEM, system).containsEntry(NodeTemplate.BMC, "half");
                assertThat(broken.attributes().get(NodeTemplate.ERROR)).isEqualTo(error + failing.problem());
                assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(error)))
                        .anySatisfy(l -> assertThat(l).contains(failing.problem()).contains("its node is UNAVAILABLE"));
            }
        }

        record Whole(String path, int status, Class<? extends Exception> type, String message) {
        }
        for (Whole whole : List.of(
                new Whole("/redfish/v1/Systems", 500, dev.strata.platform.api.exception.ProviderFailureException.class,
                        "GET /redfish/v1/Systems answered HTTP 500"),
                new Whole(system, 401, dev.strata.platform.api.exception.AuthorizationException.class,
                        "GET " + system + " answered HTTP 401"),
                new Whole(system, 503, dev.strata.platform.api.exception.ProviderUnavailableException.class,
                        "GET " + system + " answered HTTP 503"))) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(ex235n.address())) {
                proxy.replace(whole.path(), whole.status(), "application/json", "{}");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> discover("whole", proxy.address()))
                        .as("%s %d", whole.path(), whole.status()).isInstanceOf(whole.type())
                        .hasMessageStartingWith("BMC whole (" + proxy.address()).hasMessageContaining(whole.message());
            }
        }

        String uuid = "4c4c4544-0053-3510-8052-b4c04f4d4d32";
        java.util.function.UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> withUuid = c -> c.put("UUID", uuid);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(ex235n.address())) {
            dev.strata.provider.baremetal.bmc.BmcProvider provider = new dev.strata.provider.baremetal.bmc.BmcProvider(
                    Peers.workDir("journal"), 2, Duration.ofSeconds(30), Duration.ofSeconds(60), java.time.Clock.systemUTC());
            try {
                provider.bind(TestBmcs.bmc(TestBmcs.redfish("cray", proxy.address(), "root", "unused-by-sushy-static")));
                proxy.rewrite(system, withUuid);
                Node first = node(provider, "bmc:" + uuid);
                assertThat(first.state()).isEqualTo(ResourceState.AVAILABLE);
                assertThat(first.attributes()).containsEntry(NodeTemplate.SYSTEM, system);
                proxy.replace(system, cases.get(0).status(), cases.get(0).type(), cases.get(0).body());
                List<Node> nodes = provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(60))).nodes();
                assertThat(nodes).extracting(Node::id).as("the system's id as last read, no second node for it")
                        .containsExactlyInAnyOrder("bmc:cray/Node0", "bmc:" + uuid);
                Node during = nodes.stream().filter(n -> n.id().equals("bmc:" + uuid)).findFirst().orElseThrow();
                assertThat(during.state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(during.attributes().get(NodeTemplate.ERROR)).contains("system " + system + " could not be read: "
                        + cases.get(0).problem());
                assertThat(during.attributes()).containsEntry(NodeTemplate.POWER_STATE, "Unknown").containsEntry(NodeTemplate.SYSTEM, system);
                assertThat(during.cpu()).as("what was last read of it").isEqualTo(first.cpu());
                assertThat(during.memoryBytes()).isEqualTo(first.memoryBytes()).isPositive();
                assertThat(during.accelerators()).isEqualTo(first.accelerators());
                assertThat(nodes.stream().filter(n -> n.id().equals("bmc:cray/Node0")).findFirst().orElseThrow().state())
                        .isEqualTo(ResourceState.AVAILABLE);
                proxy.noRewrites();
                proxy.rewrite(system, withUuid);
                Node after = node(provider, "bmc:" + uuid);
                assertThat(after.state()).isEqualTo(ResourceState.AVAILABLE);
                assertThat(after.attributes()).doesNotContainKey(NodeTemplate.ERROR);
            } finally {
                provider.close();
            }
        }
    }

    /**
     * A system that stays unreadable (the Cray EX235n's real tree through a proxy, Node1's CPU of fifty million cores) across
     * discoveries of the provider: warned of once for that reason, not at every discovery; once it is read well again and then
     * bad again, warned of again; and again when the reason changes (its own GET answering HTTP 500). Before, every discovery
     * warned again while the system stayed bad.
     */
    @Test
    void aSystemThatStaysUnreadableIsWarnedOfOncePerReason() throws IOException {
        String system = "/redfish/v1/Systems/Node1";
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(ex235n.address());
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            dev.strata.provider.baremetal.bmc.BmcProvider provider = new dev.strata.provider.baremetal.bmc.BmcProvider(
                    Peers.workDir("journal"), 2, Duration.ofSeconds(30), Duration.ofSeconds(60), java.time.Clock.systemUTC());
            String warning = "BMC cray (" + proxy.address() + "): system " + system + " could not be read: ";
            java.util.function.Supplier<List<String>> warnings = () -> log.text().lines()
                    .filter(l -> l.contains("WARN") && l.contains(warning)).toList();
            try {
                provider.bind(TestBmcs.bmc(TestBmcs.redfish("cray", proxy.address(), "root", "unused-by-sushy-static")));
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.AVAILABLE);
                proxy.rewrite(system + "/Processors/CPU0", c -> c.put("TotalCores", 50000000));
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(warnings.get()).as("two discoveries of the same bad system").hasSize(1)
                        .allSatisfy(l -> assertThat(l).contains("TotalCores = 50000000"));

                proxy.noRewrites();
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.AVAILABLE);
                proxy.rewrite(system + "/Processors/CPU0", c -> c.put("TotalCores", 50000000));
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(warnings.get()).as("bad again after it was read well").hasSize(2);

                proxy.replace(system, 500, "application/json", "{}");
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(node(provider, "bmc:cray/Node1").state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(warnings.get()).as("another reason").hasSize(3)
                        .last().satisfies(l -> assertThat(l).contains("GET " + system + " answered HTTP 500"));
            } finally {
                provider.close();
            }
        }
    }

    private static Node node(dev.strata.provider.baremetal.bmc.BmcProvider provider, String id) {
        List<Node> nodes = provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(60))).nodes();
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + id + " in " + nodes.stream().map(Node::id).toList()));
    }

    /**
     * A BMC that reports nonsense numbers (the ProLiant's real tree, copied to a temporary folder
     * with one value changed, served by sushy-static): a processor of two billion threads or fifty
     * million cores, a DIMM of 8 EiB, a GPU's memory past a long's range in bytes. Each is the BMC's
     * error, naming the resource, the field and the range expected, and nothing is built from it: the
     * system's node is UNAVAILABLE with the error in {@code bmc.error}.
     * Before, the threads filled the heap (OutOfMemoryError) and the DIMM wrapped to a negative
     * size that the model refused with an IllegalArgumentException.
     */
    @Test
    void nonsenseNumbersFromABmcAreItsErrorNamingTheFieldNotAFullHeap(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        record Corruption(String file, String field, String value, String message) {
        }
        List<Corruption> cases = List.of(
                new Corruption("Systems/1/Processors/1/index.json", "TotalThreads", "2000000000",
                        "/redfish/v1/Systems/1/Processors/1/: TotalThreads = 2000000000; expected 0 to 1024 threads (16 per core)"),
                new Corruption("Systems/1/Processors/1/index.json", "TotalCores", "50000000",
                        "/redfish/v1/Systems/1/Processors/1/: TotalCores = 50000000; expected 0 to 4096 cores in one processor"),
                new Corruption("Systems/1/Memory/proc1dimm1/index.json", "CapacityMiB", "8796093022208",
                        "CapacityMiB = 8796093022208; expected 0 to 1099511627776 MiB"),
                new Corruption("Systems/1/Memory/proc1dimm1/index.json", "CapacityMiB", "123456789012345678901234567890",
                        "CapacityMiB = 123456789012345678901234567890; expected 0 to 1099511627776 MiB"));
        Path logs = Peers.workDir("sushy-static");
        int n = 0;
        for (Corruption c : cases) {
            Path tree = tmp.resolve("tree-" + n++);
            copy(fixtures.resolve("XL675d_A100"), tree);
            Path file = tree.resolve(c.file());
            com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
            json.set(c.field(), JSON.readTree(c.value()));
            Files.writeString(file, JSON.writeValueAsString(json));
            try (SushyStatic bmc = SushyStatic.start(tree, logs)) {
                assertThat(unreadable(discover("garbage", bmc.address()))).as("%s %s", c.field(), c.value())
                        .startsWith("BMC garbage (" + bmc.address()).contains(c.message());
            }
        }
    }

    /**
     * A BMC whose power readings are negative (the ProLiant's real tree with its {@code MinConsumedWatts} and a power
     * limit below zero, as a BMC whose meter is not calibrated reports them): the node is described, its idle draw
     * unknown (0) and its maximum its capacity. Before, the negative idle draw failed the model's check and the whole
     * BMC's discovery with it ("cannot be described"), every node of the BMC lost over one reading.
     */
    @Test
    void negativePowerReadingsAreUnknownNotTheBmcsWholeDiscovery(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("tree");
        copy(fixtures.resolve("XL675d_A100"), tree);
        Path file = tree.resolve("Chassis/1/Power/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
        com.fasterxml.jackson.databind.node.ObjectNode control = (com.fasterxml.jackson.databind.node.ObjectNode) json.path("PowerControl").path(0);
        ((com.fasterxml.jackson.databind.node.ObjectNode) control.path("PowerMetrics")).put("MinConsumedWatts", -3);
        control.putObject("PowerLimit").put("LimitInWatts", -1);
        Files.writeString(file, JSON.writeValueAsString(json));
        try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"))) {
            List<Node> nodes = discover("uncalibrated", bmc.address());
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).power().idleWatts()).isZero();
            assertThat(nodes.get(0).power().maxWatts()).isEqualTo(control.path("PowerCapacityWatts").asLong());
            assertThat(nodes.get(0).attributes()).doesNotContainKey("power.limitWatts");
        }
    }

    /**
     * A BMC whose wattage figures are out of range (the Cray's real tree with its GPUs' {@code TDPWatts} and
     * {@code MaxTDPWatts} made {@code 1e400}, which reads as infinity, or negative; the ProLiant's with its power capacity
     * and consumption {@code 1e400} and {@code 1e300}): each such figure is unknown, as a negative power reading is, and the
     * rest is kept (a GPU's valid maximum stands in for its invalid TDP). Before, the GPU's infinite or negative figure failed
     * the model's check and the whole BMC's discovery with it ("cannot be described"), and the chassis' capacity became a
     * maximum draw of 9.2e18 W.
     */
    @Test
    void outOfRangeWattsAreUnknownNotTheBmcsWholeDiscovery(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path cray = tmp.resolve("cray");
        copy(fixtures.resolve("EX235n"), cray);
        Path processors = cray.resolve("Systems/Node0/Processors");
        setWatts(processors.resolve("GPU0/index.json"), "1e400", null);
        setWatts(processors.resolve("GPU1/index.json"), "400", "-1");
        setWatts(processors.resolve("GPU2/index.json"), "-5", "500");
        setWatts(processors.resolve("GPU3/index.json"), "400", "1e400");
        try (SushyStatic bmc = SushyStatic.start(cray, Peers.workDir("sushy-static"))) {
            List<Node> nodes = discover("odd-tdp", bmc.address());
            assertThat(nodes).extracting(Node::id).containsExactlyInAnyOrder("bmc:odd-tdp/Node0", "bmc:odd-tdp/Node1");
            Node node = nodes.stream().filter(n -> n.id().equals("bmc:odd-tdp/Node0")).findFirst().orElseThrow();
            assertThat(node.accelerators()).hasSize(4);
            java.util.Map<String, dev.strata.platform.api.model.PowerLimits> power = new java.util.HashMap<>();
            node.accelerators().forEach(a -> power.put(a.id(), a.power()));
            assertThat(power).containsEntry(node.id() + "/GPU0", dev.strata.platform.api.model.PowerLimits.UNKNOWN)
                    .containsEntry(node.id() + "/GPU1", new dev.strata.platform.api.model.PowerLimits(0, 400, 0, 400))
                    .containsEntry(node.id() + "/GPU2", new dev.strata.platform.api.model.PowerLimits(0, 500, 0, 500))
                    .containsEntry(node.id() + "/GPU3", new dev.strata.platform.api.model.PowerLimits(0, 400, 0, 400));
        }

        Path proliant = tmp.resolve("proliant");
        copy(fixtures.resolve("XL675d_A100"), proliant);
        Path file = proliant.resolve("Chassis/1/Power/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
        com.fasterxml.jackson.databind.node.ObjectNode control = (com.fasterxml.jackson.databind.node.ObjectNode) json.path("PowerControl").path(0);
        control.put("PowerCapacityWatts", new java.math.BigDecimal("1e400")).put("PowerConsumedWatts", new java.math.BigDecimal("1e300"));
        Files.writeString(file, JSON.writeValueAsString(json));
        try (SushyStatic bmc = SushyStatic.start(proliant, Peers.workDir("sushy-static"))) {
            List<Node> nodes = discover("odd-capacity", bmc.address());
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).power().maxWatts()).as("capacity unknown").isZero();
            assertThat(nodes.get(0).power().idleWatts()).isEqualTo(control.path("PowerMetrics").path("MinConsumedWatts").asLong());
            assertThat(nodes.get(0).attributes()).doesNotContainKeys("power.capacityWatts", "power.consumedWatts");
        }
    }

    /**
     * A BMC whose temperatures and NIC speeds are beyond any machine's (the ProLiant's real tree with a CPU sensor reading
     * {@code 1e400}, which reads as infinity, another {@code 1e300}, and its first two Ethernet interfaces at {@code 1e400}
     * and {@code 1e30} Mbit/s, more than a long holds): each such figure is unknown, as an out-of-range wattage is, the
     * rest is kept, and a warning names the BMC, the resource, the field and the value, the sensor's name printable.
     * Before, the infinite reading became the node's hottest reading of 9223372036854775807 °C and both speeds NICs of
     * 9.2e18 Mbit/s, without a word.
     */
    @Test
    void implausibleTemperaturesAndNicSpeedsAreUnknownWithAWarning(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("proliant");
        copy(fixtures.resolve("XL675d_A100"), tree);
        Path thermalFile = tree.resolve("Chassis/1/Thermal/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode thermal = (com.fasterxml.jackson.databind.node.ObjectNode) read(thermalFile);
        com.fasterxml.jackson.databind.node.ArrayNode temperatures = (com.fasterxml.jackson.databind.node.ArrayNode) thermal.path("Temperatures");
        ((com.fasterxml.jackson.databind.node.ObjectNode) temperatures.get(1)).put("ReadingCelsius", new java.math.BigDecimal("1e400"))
                .put("Name", "02-CPU 1\u001b[2J\u202e");
        ((com.fasterxml.jackson.databind.node.ObjectNode) temperatures.get(2)).put("ReadingCelsius", new java.math.BigDecimal("1e300"));
        Files.writeString(thermalFile, JSON.writeValueAsString(thermal));
        double hottest = Double.NEGATIVE_INFINITY;
        int sensors = 0;
        for (int i = 0; i < temperatures.size(); i++) {
            JsonNode t = temperatures.get(i);
            if (i != 1 && i != 2 && t.path("ReadingCelsius").isNumber() && !t.path("Status").path("State").asText().equals("Absent")) {
                hottest = Math.max(hottest, t.path("ReadingCelsius").asDouble());
                sensors++;
            }
        }
        Path nics = tree.resolve("Systems/1/EthernetInterfaces");
        for (String[] speed : new String[][] {{"1", "1e400"}, {"2", "1e30"}, {"3", "100000"}}) {
            com.fasterxml.jackson.databind.node.ObjectNode nic = (com.fasterxml.jackson.databind.node.ObjectNode) read(nics.resolve(speed[0] + "/index.json"));
            nic.put("SpeedMbps", new java.math.BigDecimal(speed[1]));
            Files.writeString(nics.resolve(speed[0] + "/index.json"), JSON.writeValueAsString(nic));
        }
        try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Node node = discover("odd-readings", bmc.address()).get(0);
            assertThat(sensors).isPositive();
            assertThat(node.attributes()).containsEntry("thermal.maxCelsius", Long.toString((long) hottest))
                    .containsEntry("thermal.sensors", Integer.toString(sensors));
            java.util.Map<String, Long> speeds = new java.util.HashMap<>();
            node.nics().forEach(n -> speeds.put(n.name(), n.speedMbps()));
            assertThat(speeds).containsEntry("1", 0L).containsEntry("2", 0L).containsEntry("3", 100000L);
            String prefix = "BMC odd-readings (" + bmc.address();
            assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(prefix) && l.contains("no plausible value")))
                    .anySatisfy(l -> assertThat(l).contains("02-CPU 1\\u001b[2J\\u202e ReadingCelsius = Infinity").contains("-273.15 to 1000"))
                    .anySatisfy(l -> assertThat(l).contains("ReadingCelsius = 1.0E300"))
                    .anySatisfy(l -> assertThat(l).contains("EthernetInterfaces/1/ SpeedMbps = Infinity").contains("0 to 10000000 Mbit/s"))
                    .anySatisfy(l -> assertThat(l).contains("EthernetInterfaces/2/ SpeedMbps = 1.0E30"))
                    .noneSatisfy(l -> assertThat(l).contains("\u001b"));
        }
    }

    /**
     * PCI ids and class codes beyond what PCI has (16-bit ids, a 24-bit class): in HPE's list (the ProLiant's real tree with
     * its embedded video controller's vendor made {@code 4294971614}, {@code 0x1000010de}, and a network controller's class
     * {@code 259}) and in a standard PCIeFunction (vendor {@code 0x110de}, device {@code 0x120b0}, class {@code 0x1030200}):
     * each is unknown, as the sysfs reader takes such ids, with a warning naming the BMC, the resource and the value. Before,
     * HPE's vendor was cut to NVIDIA's {@code 0x10de} and the BMC's own VGA controller counted as a ninth GPU, and the other
     * values passed as they came, without a word.
     */
    @Test
    void pciIdsAndClassesOutOfRangeAreUnknownWithAWarning(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path hpe = tmp.resolve("hpe");
        copy(fixtures.resolve("XL675d_A100"), hpe);
        Path devices = hpe.resolve("Systems/1/PCIDevices");
        com.fasterxml.jackson.databind.node.ObjectNode video = (com.fasterxml.jackson.databind.node.ObjectNode) read(devices.resolve("1/index.json"));
        video.put("VendorID", 0x1000010deL);
        Files.writeString(devices.resolve("1/index.json"), JSON.writeValueAsString(video));
        com.fasterxml.jackson.databind.node.ObjectNode network = (com.fasterxml.jackson.databind.node.ObjectNode) read(devices.resolve("29/index.json"));
        network.put("ClassCode", 259);
        Files.writeString(devices.resolve("29/index.json"), JSON.writeValueAsString(network));
        try (SushyStatic bmc = SushyStatic.start(hpe, Peers.workDir("sushy-static"));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Node node = discover("odd-hpe-ids", bmc.address()).get(0);
            assertThat(node.accelerators()).as("the BMC's VGA controller is no NVIDIA GPU").hasSize(8)
                    .allSatisfy(a -> assertThat(a.model()).startsWith("NVIDIA A100"));
            java.util.Map<String, PciDevice> byAddress = new java.util.HashMap<>();
            node.pciDevices().forEach(d -> byAddress.put(d.address(), d));
            assertThat(byAddress.get("0000:61:00.1").vendorId()).isEqualTo(0xffff);
            assertThat(byAddress.get("0000:45:00.0").classCode()).isZero();
            assertThat(byAddress.get("0000:45:00.0").vendorId()).isEqualTo(5555);
            String prefix = "BMC odd-hpe-ids (" + bmc.address();
            assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(prefix) && l.contains("no plausible value")))
                    .anySatisfy(l -> assertThat(l).contains("PCIDevices/1/ VendorID = 4294971614").contains("16-bit PCI vendor id"))
                    .anySatisfy(l -> assertThat(l).contains("PCIDevices/29/ ClassCode = 259").contains("0 to 255"));
        }

        Path standard = tmp.resolve("standard");
        copy(fixtures.resolve("XL675d_A100"), standard);
        Path system = standard.resolve("Systems/1/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(system);
        json.putArray("PCIeDevices").addObject().put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/");
        Files.writeString(system, JSON.writeValueAsString(json));
        Path device = standard.resolve("Systems/1/PCIeDevices/gpu");
        Files.createDirectories(device.resolve("PCIeFunctions"));
        com.fasterxml.jackson.databind.node.ObjectNode gpu = JSON.createObjectNode().put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/")
                .put("Id", "gpu").put("Name", "GPU");
        gpu.putObject("PCIeFunctions").put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/PCIeFunctions/");
        Files.writeString(device.resolve("index.json"), JSON.writeValueAsString(gpu));
        com.fasterxml.jackson.databind.node.ObjectNode functions = JSON.createObjectNode()
                .put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/PCIeFunctions/").put("Members@odata.count", 2);
        String[][] ids = {{"0", "0x110de", "0x120b0", "0x030200"}, {"1", "0x10de", "0x20b0", "0x1030200"}};
        for (String[] f : ids) {
            String id = "/redfish/v1/Systems/1/PCIeDevices/gpu/PCIeFunctions/" + f[0] + "/";
            functions.withArray("Members").addObject().put("@odata.id", id);
            Files.createDirectories(device.resolve("PCIeFunctions/" + f[0]));
            Files.writeString(device.resolve("PCIeFunctions/" + f[0] + "/index.json"), JSON.writeValueAsString(JSON.createObjectNode()
                    .put("@odata.id", id).put("Id", f[0]).put("FunctionId", Integer.parseInt(f[0])).put("VendorId", f[1]).put("DeviceId", f[2])
                    .put("ClassCode", f[3])));
        }
        Files.writeString(device.resolve("PCIeFunctions/index.json"), JSON.writeValueAsString(functions));
        try (SushyStatic bmc = SushyStatic.start(standard, Peers.workDir("sushy-static"));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Node node = discover("odd-ids", bmc.address()).get(0);
            java.util.Map<String, PciDevice> byAddress = new java.util.HashMap<>();
            node.pciDevices().forEach(d -> byAddress.put(d.address(), d));
            assertThat(byAddress).containsOnlyKeys("redfish:gpu.0", "redfish:gpu.1");
            assertThat(byAddress.get("redfish:gpu.0").vendorId()).isEqualTo(0xffff);
            assertThat(byAddress.get("redfish:gpu.0").deviceId()).isEqualTo(0xffff);
            assertThat(byAddress.get("redfish:gpu.0").classCode()).isEqualTo(0x030200);
            assertThat(byAddress.get("redfish:gpu.1").vendorId()).isEqualTo(0x10de);
            assertThat(byAddress.get("redfish:gpu.1").classCode()).isZero();
            String prefix = "BMC odd-ids (" + bmc.address();
            assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(prefix) && l.contains("no plausible value")))
                    .anySatisfy(l -> assertThat(l).contains("PCIeFunctions/0/ VendorId = \"0x110de\"").contains("16-bit PCI vendor id"))
                    .anySatisfy(l -> assertThat(l).contains("PCIeFunctions/0/ DeviceId = \"0x120b0\""))
                    .anySatisfy(l -> assertThat(l).contains("PCIeFunctions/1/ ClassCode = \"0x1030200\"").contains("24-bit PCI class code"));
        }
    }

    /**
     * PCI address parts beyond what PCI has in HPE's list (the ProLiant's real tree with an A100's segment made {@code 70000},
     * the video controller's function {@code 8}, a network controller's bus the text {@code "0x45"} and the I350's device
     * {@code -1}): each such device is left out with a warning naming the BMC, the resource and the value, and every address
     * kept is one a PCI function can have; and a standard PCIeFunction without a DeviceId has the unknown device id
     * {@code 0xffff}. Before, the A100 came out at {@code 11170:05:00.0}, counted as a GPU at an address none has, the
     * others at {@code 0000:61:00.8}, {@code 0000:00:00.0} and {@code 0000:af:ffffffff.0}, without a word, and the missing
     * DeviceId became device 0, as did an HPE device without a DeviceID.
     */
    @Test
    void pciAddressPartsOutOfRangeLeaveTheDeviceOutWithAWarningAndAMissingDeviceIdIsUnknown(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws IOException {
        Path hpe = tmp.resolve("hpe");
        copy(fixtures.resolve("XL675d_A100"), hpe);
        Path devices = hpe.resolve("Systems/1/PCIDevices");
        String[][] garbled = {{"10", "SegmentNumber", "70000"}, {"1", "FunctionNumber", "8"}, {"29", "BusNumber", "\"0x45\""},
            {"31", "DeviceNumber", "-1"}};
        for (String[] g : garbled) {
            com.fasterxml.jackson.databind.node.ObjectNode device = (com.fasterxml.jackson.databind.node.ObjectNode) read(devices.resolve(g[0]
                    + "/index.json"));
            device.set(g[1], JSON.readTree(g[2]));
            Files.writeString(devices.resolve(g[0] + "/index.json"), JSON.writeValueAsString(device));
        }
        com.fasterxml.jackson.databind.node.ObjectNode smartArray = (com.fasterxml.jackson.databind.node.ObjectNode) read(devices.resolve(
                "32/index.json"));
        smartArray.remove("DeviceID");
        Files.writeString(devices.resolve("32/index.json"), JSON.writeValueAsString(smartArray));
        try (SushyStatic bmc = SushyStatic.start(hpe, Peers.workDir("sushy-static"));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Node node = discover("odd-hpe-address", bmc.address()).get(0);
            assertThat(node.pciDevices()).hasSize(files(devices).size() - garbled.length)
                    .allSatisfy(d -> assertThat(d.address()).matches("[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]"));
            assertThat(node.accelerators()).as("the A100 at no PCI address is left out").hasSize(7);
            assertThat(node.pciDevices()).filteredOn(d -> d.address().equals("0000:64:00.0")).singleElement()
                    .satisfies(d -> assertThat(d.deviceId()).as("HPE's device without a DeviceID: unknown, not device 0").isEqualTo(0xffff));
            String prefix = "BMC odd-hpe-address (" + bmc.address();
            assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(prefix) && l.contains("no plausible value")
                    && l.contains("the PCI device is left out")))
                    .anySatisfy(l -> assertThat(l).contains("PCIDevices/10/ SegmentNumber = 70000").contains("0 to 65535"))
                    .anySatisfy(l -> assertThat(l).contains("PCIDevices/1/ FunctionNumber = 8").contains("0 to 7"))
                    .anySatisfy(l -> assertThat(l).contains("PCIDevices/29/ BusNumber = \"0x45\"").contains("0 to 255"))
                    .anySatisfy(l -> assertThat(l).contains("PCIDevices/31/ DeviceNumber = -1").contains("0 to 31"));
        }

        Path standard = tmp.resolve("standard");
        copy(fixtures.resolve("XL675d_A100"), standard);
        Path system = standard.resolve("Systems/1/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(system);
        json.putArray("PCIeDevices").addObject().put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/");
        Files.writeString(system, JSON.writeValueAsString(json));
        Path device = standard.resolve("Systems/1/PCIeDevices/gpu");
        Files.createDirectories(device.resolve("PCIeFunctions/0"));
        com.fasterxml.jackson.databind.node.ObjectNode gpu = JSON.createObjectNode().put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/")
                .put("Id", "gpu").put("Name", "GPU");
        gpu.putObject("PCIeFunctions").put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/PCIeFunctions/");
        Files.writeString(device.resolve("index.json"), JSON.writeValueAsString(gpu));
        String id = "/redfish/v1/Systems/1/PCIeDevices/gpu/PCIeFunctions/0/";
        com.fasterxml.jackson.databind.node.ObjectNode functions = JSON.createObjectNode()
                .put("@odata.id", "/redfish/v1/Systems/1/PCIeDevices/gpu/PCIeFunctions/").put("Members@odata.count", 1);
        functions.withArray("Members").addObject().put("@odata.id", id);
        Files.writeString(device.resolve("PCIeFunctions/index.json"), JSON.writeValueAsString(functions));
        Files.writeString(device.resolve("PCIeFunctions/0/index.json"), JSON.writeValueAsString(JSON.createObjectNode()
                .put("@odata.id", id).put("Id", "0").put("FunctionId", 0).put("VendorId", "0x10de").put("ClassCode", "0x030200")));
        try (SushyStatic bmc = SushyStatic.start(standard, Peers.workDir("sushy-static"))) {
            Node node = discover("no-device-id", bmc.address()).get(0);
            assertThat(node.pciDevices()).singleElement().satisfies(d -> {
                assertThat(d.address()).isEqualTo("redfish:gpu.0");
                assertThat(d.vendorId()).isEqualTo(0x10de);
                assertThat(d.deviceId()).as("no DeviceId: unknown, not device 0").isEqualTo(0xffff);
            });
        }
    }

    /**
     * Wattages out of range (the ProLiant's real tree with its chassis' capacity {@code 1e400}, which reads as infinity, and
     * its consumption {@code -5}; the Cray's GPU0 with a TDP of {@code 1e300}): each is unknown, as before, and now a warning
     * names the BMC, the resource, the field and the value, as for a temperature. Before, the figures vanished without a word.
     */
    @Test
    void outOfRangeWattsAreWarnedOf(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path proliant = tmp.resolve("proliant");
        copy(fixtures.resolve("XL675d_A100"), proliant);
        Path file = proliant.resolve("Chassis/1/Power/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.path("PowerControl").path(0))
                .put("PowerCapacityWatts", new java.math.BigDecimal("1e400")).put("PowerConsumedWatts", -5);
        Files.writeString(file, JSON.writeValueAsString(json));
        try (SushyStatic bmc = SushyStatic.start(proliant, Peers.workDir("sushy-static"));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Node node = discover("odd-power", bmc.address()).get(0);
            assertThat(node.attributes()).doesNotContainKeys("power.capacityWatts", "power.consumedWatts");
            String prefix = "BMC odd-power (" + bmc.address();
            assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(prefix) && l.contains("no plausible value")))
                    .anySatisfy(l -> assertThat(l).contains("Power/ PowerCapacityWatts = Infinity").contains("0 to 10000000 W"))
                    .anySatisfy(l -> assertThat(l).contains("Power/ PowerConsumedWatts = -5"));
        }

        Path cray = tmp.resolve("cray");
        copy(fixtures.resolve("EX235n"), cray);
        setWatts(cray.resolve("Systems/Node0/Processors/GPU0/index.json"), "1e300", "500");
        try (SushyStatic bmc = SushyStatic.start(cray, Peers.workDir("sushy-static"));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Node node = discover("odd-gpu-tdp", bmc.address()).stream().filter(n -> n.id().endsWith("/Node0")).findFirst().orElseThrow();
            assertThat(node.accelerators()).filteredOn(a -> a.id().endsWith("/GPU0")).singleElement()
                    .satisfies(a -> assertThat(a.power()).isEqualTo(new dev.strata.platform.api.model.PowerLimits(0, 500, 0, 500)));
            assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains("BMC odd-gpu-tdp (" + bmc.address())))
                    .anySatisfy(l -> assertThat(l).contains("Processors/GPU0 TDPWatts = 1.0E300").contains("0 to 10000000 W"));
        }
    }

    /**
     * Temperature sensors the BMC reports as not in use (the ProLiant's real tree with "02-CPU 1" made {@code Disabled} at
     * 120 °C and {@code Critical}, "03-CPU 2" {@code UnavailableOffline} at 110 °C and {@code Warning}, "108-CPU 1 PkgTmp"
     * {@code StandbyOffline} at 105 °C): Redfish calls each unavailable, so their readings and health are none of the
     * machine's, as an {@code Absent} sensor's are not; the node's hottest reading, sensor count and health come from the
     * others. Before, the disabled sensor's 120 °C was the node's hottest reading and its health Critical.
     */
    @Test
    void readingsOfSensorsNotInUseAreNotCounted(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("proliant");
        copy(fixtures.resolve("XL675d_A100"), tree);
        Path thermalFile = tree.resolve("Chassis/1/Thermal/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode thermal = (com.fasterxml.jackson.databind.node.ObjectNode) read(thermalFile);
        com.fasterxml.jackson.databind.node.ArrayNode temperatures = (com.fasterxml.jackson.databind.node.ArrayNode) thermal.path("Temperatures");
        String[][] changes = {{"1", "Disabled", "120", "Critical"}, {"2", "UnavailableOffline", "110", "Warning"}, {"3", "StandbyOffline", "105", "OK"}};
        for (String[] c : changes) {
            com.fasterxml.jackson.databind.node.ObjectNode t = (com.fasterxml.jackson.databind.node.ObjectNode) temperatures.get(Integer.parseInt(c[0]));
            t.put("ReadingCelsius", Integer.parseInt(c[2]));
            t.putObject("Status").put("State", c[1]).put("Health", c[3]);
        }
        Files.writeString(thermalFile, JSON.writeValueAsString(thermal));
        double hottest = Double.NEGATIVE_INFINITY;
        int sensors = 0;
        for (JsonNode t : temperatures) {
            if (t.path("Status").path("State").asText().equals("Enabled") && t.path("ReadingCelsius").isNumber()) {
                hottest = Math.max(hottest, t.path("ReadingCelsius").asDouble());
                sensors++;
                assertThat(t.path("Status").path("Health").asText()).isEqualTo("OK");
            }
        }
        try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"))) {
            Node node = discover("sensors-off", bmc.address()).get(0);
            assertThat(hottest).isLessThan(105);
            assertThat(node.attributes()).containsEntry("thermal.maxCelsius", Long.toString((long) hottest))
                    .containsEntry("thermal.sensors", Integer.toString(sensors)).containsEntry("thermal.health", "OK");
        }
    }

    /**
     * A DIMM and a processor the BMC reports {@code Disabled} (the ProLiant's real tree with {@code proc1dimm1} and processor 2
     * made so, as a BMC reports a DIMM mapped out after errors), and a GPU so (the Cray's GPU0): they give the operating
     * system nothing, so the node's memory, cores and GPUs leave them out, and its attributes name them. Before, only an
     * {@code Absent} one was left out: the node promised placement the DIMM's memory, the processor's cores and the GPU.
     */
    @Test
    void disabledDimmsAndProcessorsAreNotCountedButNamed(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("proliant");
        copy(fixtures.resolve("XL675d_A100"), tree);
        Path system = tree.resolve("Systems/1");
        JsonNode dimm = setState(system.resolve("Memory/proc1dimm1/index.json"), "Disabled");
        JsonNode processor = setState(system.resolve("Processors/2/index.json"), "Disabled");
        long memoryMiB = 0;
        for (JsonNode d : files(system.resolve("Memory"))) {
            if (d.path("Status").path("State").asText().equals("Enabled")) {
                memoryMiB += d.path("CapacityMiB").asLong();
            }
        }
        int cores = 0;
        for (JsonNode p : files(system.resolve("Processors"))) {
            if (p.path("Status").path("State").asText().equals("Enabled")) {
                cores += p.path("TotalCores").asInt();
            }
        }
        try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"))) {
            Node node = discover("disabled", bmc.address()).get(0);
            assertThat(node.memoryBytes()).as("memory of the enabled DIMMs").isEqualTo(memoryMiB << 20).isPositive();
            assertThat(node.cpu().packages()).hasSize(1);
            assertThat(node.cpu().cores()).isEqualTo(cores).isPositive();
            assertThat(node.attributes())
                    .containsEntry("bmc.disabledMemory", dimm.path("Id").asText() + " (" + dimm.path("CapacityMiB").asLong() + " MiB)")
                    .containsEntry("bmc.disabledProcessors", processor.path("Id").asText() + " (CPU)");
        }

        Path cray = tmp.resolve("cray");
        copy(fixtures.resolve("EX235n"), cray);
        setState(cray.resolve("Systems/Node0/Processors/GPU0/index.json"), "Disabled");
        try (SushyStatic bmc = SushyStatic.start(cray, Peers.workDir("sushy-static"))) {
            Node node = discover("disabled-gpu", bmc.address()).stream().filter(n -> n.id().endsWith("/Node0")).findFirst().orElseThrow();
            assertThat(node.accelerators()).extracting(Accelerator::id).doesNotContain(node.id() + "/GPU0").hasSize(3);
            assertThat(node.attributes()).containsEntry("bmc.disabledProcessors", "GPU0 (GPU)");
        }
    }

    /**
     * A DIMM the BMC reports {@code UnavailableOffline} (present but unusable), one it reports {@code StandbySpare} (the
     * spare rank of memory sparing, which the operating system gets only after a failover) and a processor
     * {@code UnavailableOffline} (the ProLiant's real tree), and a GPU {@code StandbySpare} (the Cray's GPU1): like a
     * {@code Disabled} one, none gives the operating system anything, so the node leaves them out and its attributes name
     * them with their state. Before, only {@code Disabled} and {@code Absent} were left out: the node promised placement the
     * two DIMMs' 32 GiB, the processor's 64 cores and the GPU.
     */
    @Test
    void unavailableAndSpareDimmsAndProcessorsAreNotCountedButNamed(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("proliant");
        copy(fixtures.resolve("XL675d_A100"), tree);
        Path system = tree.resolve("Systems/1");
        JsonNode offline = setState(system.resolve("Memory/proc1dimm1/index.json"), "UnavailableOffline");
        JsonNode spare = setState(system.resolve("Memory/proc2dimm3/index.json"), "StandbySpare");
        JsonNode processor = setState(system.resolve("Processors/2/index.json"), "UnavailableOffline");
        long memoryMiB = 0;
        for (JsonNode d : files(system.resolve("Memory"))) {
            if (d.path("Status").path("State").asText().equals("Enabled")) {
                memoryMiB += d.path("CapacityMiB").asLong();
            }
        }
        int cores = 0;
        for (JsonNode p : files(system.resolve("Processors"))) {
            if (p.path("Status").path("State").asText().equals("Enabled")) {
                cores += p.path("TotalCores").asInt();
            }
        }
        try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"))) {
            Node node = discover("unavailable", bmc.address()).get(0);
            assertThat(node.memoryBytes()).as("memory of the enabled DIMMs").isEqualTo(memoryMiB << 20).isPositive();
            assertThat(node.cpu().packages()).hasSize(1);
            assertThat(node.cpu().cores()).isEqualTo(cores).isPositive();
            assertThat(node.attributes())
                    .containsEntry("bmc.disabledMemory", offline.path("Id").asText() + " (" + offline.path("CapacityMiB").asLong()
                            + " MiB, UnavailableOffline), " + spare.path("Id").asText() + " (" + spare.path("CapacityMiB").asLong() + " MiB, StandbySpare)")
                    .containsEntry("bmc.disabledProcessors", processor.path("Id").asText() + " (CPU, UnavailableOffline)");
        }

        Path cray = tmp.resolve("cray");
        copy(fixtures.resolve("EX235n"), cray);
        setState(cray.resolve("Systems/Node0/Processors/GPU1/index.json"), "StandbySpare");
        try (SushyStatic bmc = SushyStatic.start(cray, Peers.workDir("sushy-static"))) {
            Node node = discover("spare-gpu", bmc.address()).stream().filter(n -> n.id().endsWith("/Node0")).findFirst().orElseThrow();
            assertThat(node.accelerators()).extracting(Accelerator::id).doesNotContain(node.id() + "/GPU1").hasSize(3);
            assertThat(node.attributes()).containsEntry("bmc.disabledProcessors", "GPU1 (GPU, StandbySpare)");
        }
    }

    /**
     * A DIMM whose {@code MemoryLocation.Socket} is no whole number in an int's range (the ProLiant's real tree, two sockets of
     * eight 16 GiB DIMMs each, with {@code proc2dimm1}'s socket made {@code 1.5}, {@code 4294967297} or {@code -2}): its memory
     * still counts to the node, but to no socket, so the node is one NUMA node of all its memory, as where a DIMM names no
     * socket, and a warning names the BMC, the DIMM and the value. Before, the socket was read with {@code asInt()}: 1.5 and
     * 4294967297 were socket 1, and the DIMM's 16 GiB counted to the first socket's NUMA node (144 GiB against 112).
     */
    @Test
    void aDimmSocketThatIsNoWholeNumberInRangeCountsToNoSocketWithAWarning(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path memory = fixtures.resolve("XL675d_A100/Systems/1/Memory");
        long totalMiB = 0;
        java.util.Map<Integer, Long> bySocket = new java.util.TreeMap<>();
        for (JsonNode d : files(memory)) {
            if (d.path("Status").path("State").asText().equals("Enabled")) {
                totalMiB += d.path("CapacityMiB").asLong();
                bySocket.merge(d.path("MemoryLocation").path("Socket").intValue(), d.path("CapacityMiB").asLong(), Long::sum);
            }
        }
        assertThat(bySocket).as("the real tree: two sockets").hasSize(2);
        try (SushyStatic bmc = SushyStatic.start(fixtures.resolve("XL675d_A100"), Peers.workDir("sushy-static"))) {
            Node node = discover("whole-sockets", bmc.address()).get(0);
            assertThat(node.numaNodes()).extracting(dev.strata.platform.api.model.NumaNode::memoryBytes)
                    .as("whole sockets: one NUMA node each").containsExactlyElementsOf(bySocket.values().stream().map(m -> m << 20).toList());
        }
        int n = 0;
        for (String socket : List.of("1.5", "4294967297", "-2")) {
            Path tree = tmp.resolve("tree-" + n++);
            copy(fixtures.resolve("XL675d_A100"), tree);
            Path file = tree.resolve("Systems/1/Memory/proc2dimm1/index.json");
            com.fasterxml.jackson.databind.node.ObjectNode dimm = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
            ((com.fasterxml.jackson.databind.node.ObjectNode) dimm.path("MemoryLocation")).put("Socket", new java.math.BigDecimal(socket));
            Files.writeString(file, JSON.writeValueAsString(dimm));
            try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"));
                    dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
                Node node = discover("odd-socket", bmc.address()).get(0);
                assertThat(node.memoryBytes()).as("socket %s: the DIMM still counts to the node", socket).isEqualTo(totalMiB << 20);
                assertThat(node.numaNodes()).as("socket %s: no NUMA node gets the DIMM", socket).hasSize(1);
                assertThat(node.numaNodes().get(0).memoryBytes()).isEqualTo(totalMiB << 20);
                String prefix = "BMC odd-socket (" + bmc.address();
                assertThat(log.text().lines().filter(l -> l.contains("WARN") && l.contains(prefix) && l.contains("no plausible value")))
                        .as("socket %s", socket)
                        .anySatisfy(l -> assertThat(l).contains("proc2dimm1").contains("MemoryLocation.Socket = " + socket)
                                .contains("a whole socket number from 0 to 2147483647"));
            }
        }
    }

    /** Sets a resource's {@code Status.State}; the resource as it is now. */
    private static JsonNode setState(Path file, String state) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
        JsonNode status = json.path("Status");
        (status.isObject() ? (com.fasterxml.jackson.databind.node.ObjectNode) status : json.putObject("Status")).put("State", state);
        Files.writeString(file, JSON.writeValueAsString(json));
        return json;
    }

    /** Sets a processor's {@code TDPWatts} and {@code MaxTDPWatts} (null: removed) to the JSON numbers given as they are written. */
    private static void setWatts(Path file, String tdp, String maxTdp) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) read(file);
        json.put("TDPWatts", new java.math.BigDecimal(tdp));
        if (maxTdp == null) {
            json.remove("MaxTDPWatts");
        } else {
            json.put("MaxTDPWatts", new java.math.BigDecimal(maxTdp));
        }
        Files.writeString(file, JSON.writeValueAsString(json));
    }

    /**
     * A machine of twelve sockets (the ProLiant's real tree, copied with its processor made twelve,
     * "Proc 1" to "Proc 12", listed by the BMC in reverse): the packages come out in socket order,
     * package 0 from "Proc 1" and package 11 from "Proc 12". Before, the sockets were sorted as
     * text, so "Proc 10" to "Proc 12" came before "Proc 2" and took its place as package 1.
     */
    @Test
    void twelveSocketsComeOutInSocketOrderNotAsText(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("twelve-sockets");
        copy(fixtures.resolve("XL675d_A100"), tree);
        Path processors = tree.resolve("Systems/1/Processors");
        com.fasterxml.jackson.databind.node.ObjectNode template = (com.fasterxml.jackson.databind.node.ObjectNode) read(processors.resolve("1/index.json"));
        com.fasterxml.jackson.databind.node.ObjectNode collection = (com.fasterxml.jackson.databind.node.ObjectNode) read(processors.resolve("index.json"));
        com.fasterxml.jackson.databind.node.ArrayNode members = collection.putArray("Members");
        for (int socket = 12; socket >= 1; socket--) {
            String id = "/redfish/v1/Systems/1/Processors/" + socket + "/";
            com.fasterxml.jackson.databind.node.ObjectNode processor = template.deepCopy();
            processor.put("@odata.id", id).put("Id", Integer.toString(socket)).put("Socket", "Proc " + socket)
                    .put("Model", "model of socket " + socket).put("TotalCores", 4).put("TotalThreads", 8);
            Files.createDirectories(processors.resolve(Integer.toString(socket)));
            Files.writeString(processors.resolve(socket + "/index.json"), JSON.writeValueAsString(processor));
            members.addObject().put("@odata.id", id);
        }
        collection.put("Members@odata.count", 12);
        Files.writeString(processors.resolve("index.json"), JSON.writeValueAsString(collection));

        try (SushyStatic bmc = SushyStatic.start(tree, Peers.workDir("sushy-static"))) {
            Node node = discover("twelve", bmc.address()).get(0);
            List<String> expected = new ArrayList<>();
            for (int socket = 1; socket <= 12; socket++) {
                expected.add("model of socket " + socket);
            }
            assertThat(node.cpu().packages()).extracting(dev.strata.platform.api.model.CpuPackage::model).containsExactlyElementsOf(expected);
            assertThat(node.cpu().packages()).extracting(dev.strata.platform.api.model.CpuPackage::id)
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            assertThat(node.cpu().packages().get(1).threads().first()).as("socket 2's threads follow socket 1's").isEqualTo(8);
        }
    }

    /** Names compare by the numbers in them; names equal that way by their text, so no two differ yet compare equal. */
    @Test
    void processorNamesCompareByTheirNumbers() {
        List<String> names = new ArrayList<>(List.of("Proc 10", "Proc 2", "CPU10", "CPU9", "Proc 1", "CPU01", "CPU1", "", "P0", "Proc 100"));
        names.sort(NaturalOrder::compare);
        assertThat(names).containsExactly("", "CPU01", "CPU1", "CPU9", "CPU10", "P0", "Proc 1", "Proc 2", "Proc 10", "Proc 100");
    }

    /** The {@code bmc.error} of the one system of a BMC that could not be read, its node UNAVAILABLE. */
    private static String unreadable(List<Node> nodes) {
        assertThat(nodes).hasSize(1);
        assertThat(nodes.get(0).state()).isEqualTo(ResourceState.UNAVAILABLE);
        assertThat(nodes.get(0).attributes()).containsKey(NodeTemplate.ERROR);
        return nodes.get(0).attributes().get(NodeTemplate.ERROR);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    // ---- reading the tree directly ----------------------------------------------------------

    private static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    private static List<Path> dirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(d -> Files.exists(d.resolve("index.json"))).sorted(Comparator.naturalOrder()).toList();
        }
    }

    private static List<JsonNode> files(Path dir) throws IOException {
        List<JsonNode> list = new ArrayList<>();
        for (Path d : dirs(dir)) {
            list.add(read(d.resolve("index.json")));
        }
        return list;
    }
}
