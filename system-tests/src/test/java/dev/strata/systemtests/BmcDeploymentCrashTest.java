package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.provider.baremetal.bmc.Operation;
import dev.strata.provider.baremetal.bmc.OperationJournal;
import dev.strata.provider.baremetal.peers.FaultInjectingProxy;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyEmulator;
import dev.strata.provider.baremetal.peers.SushyEmulator.FakeSystem;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code kill -9} of Strata's deployment path while a BMC is power-cycling the machine it
 * provisions, then a restart on the same data folder and BMC operation journal: the deployment
 * finishes READY on the same node, and the BMC received one reset for it, not two. Strata runs as
 * a separate JVM ({@link BmcDeploymentProcess}); the BMC is sushy-emulator, behind the counting
 * proxy of the BMC tests ({@link FaultInjectingProxy}, which here only counts requests). The
 * machine is on before the deployment, so provisioning resets it (a power cycle, the step that
 * must never be repeated), and the emulator turns it off at once and on again 1 to 11 s later;
 * or the machine is off, and provisioning powers it on, which lands 1 to 11 s later. The kill
 * lands in that window. Each scenario ends with an undeploy of the resumed deployment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BmcDeploymentCrashTest {

    static final String USER = "strata";
    static final String PASSWORD = "crash-Pa55word";
    static final FakeSystem SYSTEM = new FakeSystem("c0a5e000-1d2e-4f3a-8b4c-000000000001", "crash-node", "On", "52:54:00:00:08:01");

    private SushyEmulator emulator;
    private FaultInjectingProxy proxy;

    @BeforeAll
    void start() throws Exception {
        emulator = SushyEmulator.start(Peers.workDir("crash-sushy"), List.of(SYSTEM), USER, PASSWORD, null, BmcDeploymentTest.MEMORY);
        proxy = FaultInjectingProxy.start(emulator.address());
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    /** Strata deploying {@code contract} through the BMC behind the proxy, in a JVM of its own ({@link BmcDeploymentProcess}). */
    StrataProcess strata(Path data, Path journal, Path contract) throws IOException {
        return strata(data, journal, contract, List.of(), null);
    }

    /** @param properties system properties of the process; @param dbPassword PostgreSQL's, or null */
    StrataProcess strata(Path data, Path journal, Path contract, List<String> properties, String dbPassword) throws IOException {
        Map<String, String> environment = new HashMap<>();
        environment.put(BmcDeploymentProcess.PASSWORD_VARIABLE, PASSWORD);
        if (dbPassword != null) {
            environment.put(BmcDeploymentProcess.DB_PASSWORD_VARIABLE, dbPassword);
        }
        return new StrataProcess(BmcDeploymentProcess.class, properties,
                List.of(data.toString(), journal.toString(), proxy.address(), USER, contract.toString()), environment);
    }

    private int resets() {
        return proxy.requests("POST", "/Systems/" + SYSTEM.uuid() + "/Actions/ComputerSystem.Reset").size();
    }

    /** The machine is on: provisioning resets it; kill -9 as soon as the BMC has received the reset (off now, on again within 1-11 s). */
    @Test
    void killedAsTheBmcReceivesTheResetStrataResumesWithoutASecondPowerCycle() throws Exception {
        power("On");
        crashAndResume("ForceRestart", "the BMC's reset", journal -> resets() > 0);
    }

    /** The machine is off: provisioning powers it on; kill -9 once the journal says the power-on was sent (the machine still off). */
    @Test
    void killedWhileTheMachineIsPoweringOnStrataResumesWithoutASecondPowerOn() throws Exception {
        power("Off");
        crashAndResume("On", "the power-on sent", journal -> {
            List<Operation> ops = new OperationJournal(journal).all();
            return !ops.isEmpty() && ops.get(0).phase() == Operation.Phase.POWER_SENT;
        });
    }

    /**
     * High availability: two Strata instances share one PostgreSQL, their BMC operations journalled
     * in it (as in Karaf, {@code journal = store}). The leader deploys and is killed with
     * {@code kill -9} as the BMC receives the reset; the standby leads within an election interval
     * and its reconciler resumes the operation from the record the dead leader wrote: the machine
     * is not reset a second time. (With each instance's journal in a local folder, the new leader
     * knew nothing of the reset and sent another.)
     */
    @Test
    void theLeaderKilledAsTheBmcReceivesTheResetTheStandbyResumesWithoutASecondPowerCycle() throws Exception {
        power("On");
        Path work = Peers.workDir("failover-deploy");
        Path contract = Files.writeString(work.resolve("bmc.yaml"), "name: failover\ntenant: lab-ops\ndeployment:\n  parameters: {bootDevice: pxe}\n"
                + "members:\n  - {name: worker, replicas: 1, memory: 8GiB}\n");
        Path go = work.resolve("go");
        String node = "bmc:" + SYSTEM.uuid();
        try (dev.strata.platform.core.store.PostgresCluster pg = dev.strata.platform.core.store.PostgresCluster.start()) {
            String url = pg.newDatabase("bmc_failover");
            String db = dev.strata.platform.core.store.PostgresCluster.PASSWORD;
            proxy.clear();
            String deployment;
            try (StrataProcess a = strata(work.resolve("a"), work.resolve("a-journal"), contract, List.of("-D" + BmcDeploymentProcess.STORE_URL + "="
                    + url, "-D" + BmcDeploymentProcess.STORE_INSTANCE + "=strata-a", "-D" + BmcDeploymentProcess.DEPLOY_AFTER + "=" + go), db)) {
                a.await("leading", () -> a.printed(l -> l.startsWith("LEADER ")), Duration.ofSeconds(60));
                assertThat(a.line("LEADER ")).isEqualTo("LEADER true");
                try (StrataProcess b = strata(work.resolve("b"), work.resolve("b-journal"), contract, List.of("-D" + BmcDeploymentProcess.STORE_URL
                        + "=" + url, "-D" + BmcDeploymentProcess.STORE_INSTANCE + "=strata-b", "-D" + BmcDeploymentProcess.FOLLOW + "=true"), db)) {
                    b.await("standing by", () -> b.printed(l -> l.startsWith("FOLLOWING ")), Duration.ofSeconds(60));
                    assertThat(b.line("FOLLOWING ")).isEqualTo("FOLLOWING false");
                    Files.writeString(go, "deploy\n");
                    a.await("the BMC's reset", () -> resets() > 0, Duration.ofSeconds(120));
                    a.kill();
                    assertThat(a.line("BOUND worker ")).isEqualTo("BOUND worker " + node);
                    assertThat(a.printed(l -> l.contains(" READY "))).as("killed before the deployment was ready: %s", a.lines).isFalse();
                    deployment = a.line("DEPLOYED ").substring("DEPLOYED ".length());

                    b.await("READY on the standby", () -> b.printed(l -> l.equals("STATE " + deployment + " READY 1")), Duration.ofSeconds(180));
                    assertThat(b.line("RESUMING ")).startsWith("RESUMING " + deployment);
                    b.kill();
                }
            }
            assertThat(resets()).as("one power request reached the BMC, not two").isEqualTo(1);
            assertThat(get().path("PowerState").asText()).isEqualTo("On");
            // one record of the one operation, written by both instances, in the shared store; none in either folder
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "strata", db);
                    java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT operation_id, record FROM provider_journal WHERE provider_id = 'bmc'")) {
                assertThat(rs.next()).isTrue();
                String record = rs.getString(2);
                assertThat(record).contains("\"phase\" : \"RUNNING\"").contains("\"nodeId\" : \"" + node + "\"")
                        .contains("boot-override-set pxe once").doesNotContain(PASSWORD);
                assertThat(rs.next()).as("one operation").isFalse();
            }
            for (String folder : List.of("a-journal", "b-journal")) {
                assertThat(work.resolve(folder)).as("no journal in a local folder").doesNotExist();
            }
        }
        System.out.println("BMC failover: the leader killed as the BMC received the reset; the standby finished the deployment; "
                + "power requests the BMC received: " + resets());
    }

    private void crashAndResume(String action, String killWhen, Predicate<Path> kill) throws Exception {
        Path work = Peers.workDir("crash-deploy");
        Path data = work.resolve("data");
        Path journal = Files.createDirectories(work.resolve("journal"));
        Path contract = Files.writeString(work.resolve("bmc.yaml"), "name: crash\ntenant: lab-ops\ndeployment:\n  parameters: {bootDevice: pxe}\n"
                + "members:\n  - {name: worker, replicas: 1, memory: 8GiB}\n");
        String node = "bmc:" + SYSTEM.uuid();
        proxy.clear();
        String left;
        // 1. kill -9 in the middle of the BMC operation
        try (StrataProcess s = strata(data, journal, contract)) {
            s.await(killWhen, () -> kill.test(journal), Duration.ofSeconds(120));
            s.kill();
            assertThat(s.line("BOUND worker ")).isEqualTo("BOUND worker " + node);
            assertThat(s.printed(l -> l.contains(" READY "))).as("killed before the deployment was ready: %s", s.lines).isFalse();
            Operation op = new OperationJournal(journal).all().get(0);
            left = op.phase().name();
            assertThat(op.phase()).as("the BMC operation was in progress").isIn(Operation.Phase.POWER_INTENT, Operation.Phase.POWER_SENT);
            assertThat(op.powerAction().redfishResetType()).isEqualTo(action);
        }
        // 2. restart on the same data and journal: the deployment finishes
        try (StrataProcess s = strata(data, journal, contract)) {
            s.await("READY", () -> s.printed(l -> l.matches("STATE d-\\d+ READY 1")), Duration.ofSeconds(180));
            assertThat(s.printed(l -> l.startsWith("RESUMING "))).isTrue();
            s.kill();
        }
        int powerRequests = resets();
        assertThat(powerRequests).as("one power request reached the BMC, not two (killed at %s)", left).isEqualTo(1);
        JsonNode system = get();
        assertThat(system.path("PowerState").asText()).isEqualTo("On");
        assertThat(system.path("Boot").path("BootSourceOverrideTarget").asText()).isEqualTo("Pxe");

        try (BmcStrata strata = new BmcStrata(data, journal, List.of(TestBmcs.redfish("sushy", proxy.address(), USER, PASSWORD)),
                BmcStrata.SETTINGS)) {
            Deployment d = strata.engine.list().get(0);
            assertThat(d.state()).isEqualTo(DeploymentState.READY);
            DeploymentMember m = d.members().get(0);
            assertThat(m.state()).isEqualTo(MemberState.RUNNING);
            assertThat(m.nodeId()).as("the same node").isEqualTo(node);
            Operation op = new OperationJournal(journal).all().get(0);
            assertThat(op.operationId()).as("the BMC operation is the member's create").isEqualTo(m.operationId());
            assertThat(strata.store.deployments().unfinishedOperations()).isEmpty();
            // each step once in the provenance log, although two processes reported them
            List<String> steps = BmcDeploymentTest.steps(strata, d.id());
            String prefix = m.operationId() + " " + node + " ";
            if (op.note() == null) {
                assertThat(steps).containsExactly(prefix + "boot-override-set pxe once", prefix + "power-requested " + action,
                        prefix + "powered-on");
            } else {
                // killed between announcing the reset and the BMC's answer: the reset is not sent again, and the log says so
                assertThat(action).isEqualTo("ForceRestart");
                assertThat(steps).hasSize(3).startsWith(prefix + "boot-override-set pxe once").endsWith(prefix + "powered-on");
                assertThat(steps.get(1)).startsWith(prefix + "power-request-not-repeated ForceRestart");
            }

            // 3. undeploy after the resumed deployment: off, override cleared, deleted
            strata.engine.start();
            strata.engine.undeploy(d.id(), "alice");
            BmcDeploymentTest.await(strata, d.id(), java.util.Set.of(DeploymentState.DELETED), Duration.ofSeconds(120));
            system = get();
            assertThat(system.path("PowerState").asText()).isEqualTo("Off");
            assertThat(system.path("Boot").path("BootSourceOverrideTarget").asText()).isEqualTo("None");
            assertThat(BmcDeploymentTest.steps(strata, d.id())).endsWith(prefix + "boot-override-cleared", prefix + "power-off-requested ForceOff",
                    prefix + "powered-off");
            BmcDeploymentTest.assertNoCredentials(strata, d.id(), PASSWORD);
        }
        System.out.println("BMC kill -9 at " + killWhen + " (" + action + "): the journal was at " + left
                + "; power requests the BMC received for the deployment: " + powerRequests);
    }

    private JsonNode get() throws IOException, InterruptedException {
        return BmcDeploymentTest.redfishGet(emulator.address(), USER, PASSWORD, SushyEmulator.systemPath(SYSTEM));
    }

    /** Puts the machine in a power state directly on the emulator (not through Strata), and waits until it is there. */
    private void power(String state) throws Exception {
        if (get().path("PowerState").asText().equals(state)) {
            return;
        }
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(emulator.address()
                + SushyEmulator.systemPath(SYSTEM) + "/Actions/ComputerSystem.Reset")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"ResetType\": \"" + (state.equals("On") ? "On" : "ForceOff") + "\"}"))
                .build();
        int status = BmcDeploymentTest.HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
        assertThat(status).isBetween(200, 299);
        Instant deadline = Instant.now().plusSeconds(30);
        while (!get().path("PowerState").asText().equals(state)) {
            assertThat(Instant.now()).as("the emulator reaches %s", state).isBefore(deadline);
            Thread.sleep(250);
        }
    }
}
