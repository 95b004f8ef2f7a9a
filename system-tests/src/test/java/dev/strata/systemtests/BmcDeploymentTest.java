package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.provider.baremetal.peers.ImageServer;
import dev.strata.provider.baremetal.peers.IpmiSim;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyEmulator;
import dev.strata.provider.baremetal.peers.SushyEmulator.FakeSystem;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A contract deployed through Strata's deployment path (the deployment engine, placement, the
 * embedded store) onto BMC-managed machines, and undeployed: on sushy-emulator (Redfish, the
 * stateful fake driver: power changes land 1 to 11 s after the request, the boot override and
 * virtual media stick) and on ipmi_sim (IPMI). What the machines went through is read from the
 * peers themselves, not through Strata's clients: the emulator's Redfish resources over plain
 * HTTP, and ipmi_sim through {@code ipmitool}. sushy-emulator keeps the override's target but
 * not its frequency (it always shows {@code BootSourceOverrideEnabled: Continuous}), so "once"
 * is seen only in the step Strata recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BmcDeploymentTest {

    static final String USER = "strata";
    static final String PASSWORD = "deploy-Pa55word";
    static final String IPMI_USER = "admin";
    static final String IPMI_PASSWORD = "ipmi-Deploy-Pa55";
    static final String IPMI_GUID = "b123456789abcdefb123456789abcdef";
    /** Deployments made one after the other on a node (-Dstrata.bmc.rounds; more for the figures in docs/benchmarks.md). */
    static final int ROUNDS = Integer.getInteger("strata.bmc.rounds", 3);
    static final Set<DeploymentState> READY = Set.of(DeploymentState.READY);
    static final Set<DeploymentState> DELETED = Set.of(DeploymentState.DELETED);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /**
     * The one thing added to the emulator: its fake driver reports no memory (nor processors),
     * where a real BMC reports {@code MemorySummary}; without a size, no member fits on the
     * node. Its configuration file is Python it executes: this gives every fake system 64 GiB,
     * rendered by the emulator's own template as {@code MemorySummary.TotalSystemMemoryGiB}.
     */
    static final String MEMORY = "\nimport sushy_tools.emulator.resources.systems.fakedriver as _fake\n"
            + "_fake.FakeDriver.get_total_memory = lambda self, identity: 64\n";

    private final List<FakeSystem> systems = new ArrayList<>();
    private SushyEmulator emulator;
    private ImageServer images;

    @BeforeAll
    void start() throws Exception {
        for (int i = 0; i < 2; i++) {
            systems.add(new FakeSystem(String.format("5c0ffee0-1d2e-4f3a-8b4c-%012d", i), "bmc-node-" + i, "Off",
                    String.format("52:54:00:00:07:%02x", i)));
        }
        emulator = SushyEmulator.start(Peers.workDir("deploy-sushy"), systems, USER, PASSWORD, null, MEMORY);
        images = ImageServer.start("installer.iso", "an installer image".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    void stop() {
        if (images != null) {
            images.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    // ---- Redfish on sushy-emulator -----------------------------------------------------------

    /**
     * A one-node contract asking for PXE: boot override PXE once and power On on the emulator,
     * the deployment READY with its member bound to the node, each step in the provenance log;
     * undeploy: power Off, override cleared, DELETED. {@link #ROUNDS} rounds (the timings
     * printed are the figures in docs/benchmarks.md).
     */
    @Test
    void aContractDeployedOntoARedfishNodeBootsItFromPxeAndPowersItOnAndUndeployPowersItOff() throws Exception {
        Path work = Peers.workDir("deploy-redfish");
        List<String> timings = new ArrayList<>();
        try (BmcStrata strata = new BmcStrata(work.resolve("data"), work.resolve("journal"), List.of(redfish()), BmcStrata.SETTINGS)) {
            strata.engine.start();
            for (int round = 1; round <= ROUNDS; round++) {
                String yaml = "name: pxe-" + round + "\ntenant: lab-ops\ndeployment:\n  parameters: {bootDevice: pxe}\nmembers:\n"
                        + "  - {name: worker, replicas: 1, memory: 8GiB}\n";
                Instant t0 = Instant.now();
                DeploymentResult result = strata.engine.deploy(strata.reader.read(yaml, "pxe.yaml"), "alice");
                assertThat(result.decision().placed()).as(result.decision().summary()).isTrue();
                String id = result.deployment().id();
                Deployment ready = await(strata, id, READY, Duration.ofSeconds(120));
                Duration deploy = Duration.between(t0, Instant.now());

                DeploymentMember m = ready.members().get(0);
                // placement chose one of the emulator's two nodes: that one is read
                FakeSystem s = systemOf(m.nodeId());
                String node = "bmc:" + s.uuid();
                assertThat(m.state()).isEqualTo(MemberState.RUNNING);
                assertThat(m.target()).isEqualTo(MachineTarget.node(node));
                assertThat(m.nodeId()).isEqualTo(node);
                assertThat(m.providerId()).isEqualTo("bmc");
                assertThat(m.machine().attributes()).containsEntry("system", SushyEmulator.systemPath(s)).containsEntry("operation",
                        m.operationId());

                JsonNode system = get(SushyEmulator.systemPath(s));
                assertThat(system.path("PowerState").asText()).as("the emulator's power state").isEqualTo("On");
                assertThat(system.path("Boot").path("BootSourceOverrideTarget").asText()).isEqualTo("Pxe");

                assertThat(steps(strata, id)).as("the steps of %s in the provenance log", m.name())
                        .containsExactly(m.operationId() + " " + node + " boot-override-set pxe once",
                                m.operationId() + " " + node + " power-requested On", m.operationId() + " " + node + " powered-on");

                Instant t1 = Instant.now();
                strata.engine.undeploy(id, "alice");
                await(strata, id, DELETED, Duration.ofSeconds(120));
                Duration undeploy = Duration.between(t1, Instant.now());

                system = get(SushyEmulator.systemPath(s));
                assertThat(system.path("PowerState").asText()).as("powered off").isEqualTo("Off");
                assertThat(system.path("Boot").path("BootSourceOverrideTarget").asText()).as("override cleared").isEqualTo("None");
                assertThat(steps(strata, id)).containsExactly(m.operationId() + " " + node + " boot-override-set pxe once",
                        m.operationId() + " " + node + " power-requested On", m.operationId() + " " + node + " powered-on",
                        m.operationId() + " " + node + " boot-override-cleared", m.operationId() + " " + node + " power-off-requested ForceOff",
                        m.operationId() + " " + node + " powered-off");
                assertNoCredentials(strata, id, PASSWORD, IPMI_PASSWORD);
                timings.add("round " + round + ": deploy " + deploy.toMillis() + " ms, undeploy " + undeploy.toMillis() + " ms");
            }
        }
        System.out.println("BMC (sushy-emulator, Redfish) one node deployed and undeployed through the deployment engine:\n  "
                + String.join("\n  ", timings));
    }

    /** A member whose contract names a virtual media image: inserted and booted from CD once; undeploy ejects it. */
    @Test
    void aMemberWithVirtualMediaHasTheImageInsertedAndBootsFromItOnce() throws Exception {
        FakeSystem s = systems.get(1);
        Path work = Peers.workDir("deploy-media");
        String image = images.url("installer.iso");
        try (BmcStrata strata = new BmcStrata(work.resolve("data"), work.resolve("journal"), List.of(redfish()), BmcStrata.SETTINGS)) {
            strata.engine.start();
            String yaml = "name: installer\ntenant: lab-ops\nmembers:\n  - name: installer\n    replicas: 1\n    memory: 8GiB\n"
                    + "    provisioning: {virtualMedia: '" + image + "'}\n";
            DeploymentResult result = strata.engine.deploy(strata.reader.read(yaml, "installer.yaml"), "alice");
            assertThat(result.decision().placed()).as(result.decision().summary()).isTrue();
            String id = result.deployment().id();
            Deployment ready = await(strata, id, READY, Duration.ofSeconds(120));
            DeploymentMember m = ready.members().get(0);
            FakeSystem on = systemOf(m.nodeId());
            JsonNode system = get(SushyEmulator.systemPath(on));
            assertThat(system.path("PowerState").asText()).isEqualTo("On");
            assertThat(system.path("Boot").path("BootSourceOverrideTarget").asText()).isEqualTo("Cd");
            JsonNode cd = virtualCd(system);
            assertThat(cd.path("Image").asText()).isEqualTo(image);
            assertThat(cd.path("Inserted").asBoolean()).isTrue();
            assertThat(steps(strata, id)).containsExactly(m.operationId() + " " + m.nodeId() + " virtual-media-inserted " + image,
                    m.operationId() + " " + m.nodeId() + " boot-override-set cd once", m.operationId() + " " + m.nodeId() + " power-requested On",
                    m.operationId() + " " + m.nodeId() + " powered-on");

            strata.engine.undeploy(id, "alice");
            await(strata, id, DELETED, Duration.ofSeconds(120));
            system = get(SushyEmulator.systemPath(on));
            assertThat(system.path("PowerState").asText()).isEqualTo("Off");
            assertThat(system.path("Boot").path("BootSourceOverrideTarget").asText()).as("override cleared").isEqualTo("None");
            assertThat(virtualCd(system).path("Inserted").asBoolean()).as("ejected").isFalse();
            assertThat(steps(strata, id)).contains(m.operationId() + " " + m.nodeId() + " virtual-media-ejected",
                    m.operationId() + " " + m.nodeId() + " boot-override-cleared", m.operationId() + " " + m.nodeId() + " powered-off");
            assertNoCredentials(strata, id, PASSWORD, IPMI_PASSWORD);
        }
    }

    // ---- IPMI on ipmi_sim --------------------------------------------------------------------

    /**
     * The same through IPMI: boot device PXE and power on, checked with ipmitool; undeploy powers
     * off and clears the boot device. IPMI tells nothing of a machine's memory or processors: in
     * Strata those come from the declared inventory or the in-band reader, joined with the BMC's
     * node by machine identity in the OSGi inventory service; here the test gives the node its
     * memory ({@link #declaredMemory}).
     */
    @Test
    void aContractDeployedOntoAnIpmiNodeBootsItFromPxeAndPowersItOn() throws Exception {
        Path work = Peers.workDir("deploy-ipmi");
        try (IpmiSim sim = IpmiSim.start(work.resolve("sim"), IPMI_USER, IPMI_PASSWORD, IPMI_GUID);
                BmcStrata strata = new BmcStrata(work.resolve("data"), work.resolve("journal"),
                        List.of(TestBmcs.ipmi("sim", sim.address(), IPMI_USER, IPMI_PASSWORD)), BmcStrata.SETTINGS, BmcDeploymentTest::declaredMemory)) {
            assertThat(ipmitool(sim, "chassis", "power", "status")).contains("Chassis Power is off");
            strata.engine.start();
            List<String> timings = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                String yaml = "name: ipmi-pxe-" + round + "\ntenant: lab-ops\ndeployment:\n  parameters: {bootDevice: pxe}\nmembers:\n"
                        + "  - {name: worker, replicas: 1, memory: 8GiB}\n";
                int before = sim.chassisLog().size();
                Instant t0 = Instant.now();
                DeploymentResult result = strata.engine.deploy(strata.reader.read(yaml, "ipmi.yaml"), "alice");
                assertThat(result.decision().placed()).as(result.decision().summary()).isTrue();
                String id = result.deployment().id();
                Deployment ready = await(strata, id, READY, Duration.ofSeconds(120));
                Duration deploy = Duration.between(t0, Instant.now());
                DeploymentMember m = ready.members().get(0);
                assertThat(m.nodeId()).startsWith("bmc:").isEqualTo(m.target().id());
                assertThat(ipmitool(sim, "chassis", "power", "status")).contains("Chassis Power is on");
                assertThat(ipmitool(sim, "chassis", "bootparam", "get", "5")).containsPattern("Boot Device Selector : Force PXE");
                List<String> log = sim.chassisLog();
                assertThat(log.subList(before, log.size())).as("one power-on, no reset").hasSize(1)
                        .allSatisfy(l -> assertThat(l).endsWith("power=1"));
                assertThat(steps(strata, id)).containsExactly(m.operationId() + " " + m.nodeId() + " boot-override-set pxe once",
                        m.operationId() + " " + m.nodeId() + " power-requested On", m.operationId() + " " + m.nodeId() + " powered-on");

                Instant t1 = Instant.now();
                strata.engine.undeploy(id, "alice");
                await(strata, id, DELETED, Duration.ofSeconds(120));
                Duration undeploy = Duration.between(t1, Instant.now());
                assertThat(ipmitool(sim, "chassis", "power", "status")).contains("Chassis Power is off");
                assertThat(ipmitool(sim, "chassis", "bootparam", "get", "5")).containsPattern("Boot Device Selector : No override");
                assertThat(steps(strata, id)).endsWith(m.operationId() + " " + m.nodeId() + " boot-override-cleared",
                        m.operationId() + " " + m.nodeId() + " power-off-requested ForceOff", m.operationId() + " " + m.nodeId() + " powered-off");
                assertNoCredentials(strata, id, PASSWORD, IPMI_PASSWORD);
                timings.add("round " + round + ": deploy " + deploy.toMillis() + " ms, undeploy " + undeploy.toMillis() + " ms");
            }
            System.out.println("BMC (ipmi_sim, IPMI) one node deployed and undeployed through the deployment engine:\n  "
                    + String.join("\n  ", timings));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** What the declared inventory would say of an IPMI machine: 64 GiB of memory. */
    static Node declaredMemory(Node n) {
        return n.memoryBytes() > 0 ? n : n.toBuilder().memoryBytes(64L << 30).build();
    }

    /** The emulator's system that is the node {@code nodeId}. */
    private FakeSystem systemOf(String nodeId) {
        return systems.stream().filter(x -> ("bmc:" + x.uuid()).equals(nodeId)).findFirst()
                .orElseThrow(() -> new AssertionError(nodeId + " is no system of the emulator"));
    }

    private Map<String, Object> redfish() {
        return TestBmcs.redfish("sushy", emulator.address(), USER, PASSWORD);
    }

    static Deployment await(BmcStrata strata, String id, Set<DeploymentState> states, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Deployment d = strata.engine.get(id).orElseThrow();
            if (states.contains(d.state())) {
                return d;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("deployment " + id + " is " + d.state() + " (" + d.message() + "), not " + states + " after " + timeout
                        + ": " + d.members() + "; history " + strata.engine.history(id));
            }
            Thread.sleep(100);
        }
    }

    /** The deployment's step records, oldest first, as "operation node step[ detail]". */
    static List<String> steps(BmcStrata strata, String id) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : strata.store.provenance().find(new AuditFilter(null, null, null, id, "provisioning-step", null, null, 1000, false))) {
            assertThat(r.subjects()).containsEntry("deployment", id).containsKeys("member", "operation", "node", "provider");
            Object detail = r.payload().get("detail");
            out.add(r.subjects().get("operation") + " " + r.subjects().get("node") + " " + r.payload().get("step")
                    + (detail == null ? "" : " " + detail));
        }
        return out;
    }

    /** No password in any provenance record of the deployment. */
    static void assertNoCredentials(BmcStrata strata, String id, String... passwords) {
        List<LogRecord> records = strata.store.provenance().find(new AuditFilter(null, null, null, id, null, null, null, 10_000, false));
        assertThat(records).isNotEmpty();
        for (LogRecord r : records) {
            for (String password : passwords) {
                assertThat(r.payloadJson() + r.subjects()).doesNotContain(password);
            }
        }
    }

    /** A Redfish resource of the emulator, read with the JDK's client (not Strata's). */
    JsonNode get(String path) throws IOException, InterruptedException {
        return redfishGet(emulator.address(), USER, PASSWORD, path);
    }

    /** A Redfish resource read with the JDK's HTTP client and basic authentication. */
    static JsonNode redfishGet(String base, String user, String password, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The system's virtual CD: its own VirtualMedia collection, else its manager's. */
    JsonNode virtualCd(JsonNode system) throws IOException, InterruptedException {
        List<String> collections = new ArrayList<>();
        if (system.path("VirtualMedia").has("@odata.id")) {
            collections.add(system.path("VirtualMedia").path("@odata.id").asText());
        }
        for (JsonNode manager : system.path("Links").path("ManagedBy")) {
            JsonNode mgr = get(manager.path("@odata.id").asText());
            if (mgr.path("VirtualMedia").has("@odata.id")) {
                collections.add(mgr.path("VirtualMedia").path("@odata.id").asText());
            }
        }
        for (String collection : collections) {
            for (JsonNode member : get(collection).path("Members")) {
                JsonNode media = get(member.path("@odata.id").asText());
                for (JsonNode type : media.path("MediaTypes")) {
                    if (type.asText().equals("CD") || type.asText().equals("DVD")) {
                        return media;
                    }
                }
            }
        }
        throw new AssertionError("the emulator lists no virtual CD for " + system.path("@odata.id").asText());
    }

    /** ipmitool run directly against the simulator (the password in the environment, as the provider passes it). */
    static String ipmitool(IpmiSim sim, String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", Integer.toString(sim.port()),
                "-U", IPMI_USER, "-E"));
        argv.addAll(List.of(command));
        ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true);
        b.environment().put("IPMI_PASSWORD", IPMI_PASSWORD);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("ipmitool %s: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
