package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import dev.strata.provider.baremetal.peers.TestCertificate;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The {@code @Modified} path of one BMC's configuration. Without one, Declarative Services made the
 * component again for every change, and a change the settings refused left that BMC's node
 * UNAVAILABLE with the error until the file was corrected, its previous client gone. The BMCs are
 * {@link StandInRedfish} stand-ins (the emulator neither counts logins nor holds a read): each
 * makes sessions (recording the user that logged in and the sessions deleted) and answers every
 * other request with HTTP 500 and its own label, so a node's error says which BMC a discovery read. The core's {@link ConfigurationRejections} is bound
 * as the descriptor binds it, recording what it is told.
 */
class ConfiguredBmcModifiedTest {

    static final String PID = "dev.strata.provider.bmc~rack1";
    /** What the BMC's component told the core's ConfigurationRejections: each refused change, with whether the settings before stay in force. */
    final RecordingRejections rejections = new RecordingRejections();
    static final String PASSWORD = "Stand-in-Pw1";
    static final String NEW_PASSWORD = "Changed-Pw-77";

    @TempDir
    Path dir;
    String dataFolder;
    ExecutorService threads;
    StandInRedfish first;
    StandInRedfish second;
    Map<String, Object> config;
    BmcProvider provider;

    @BeforeEach
    void start() {
        dataFolder = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.resolve("data").toString());
        threads = Executors.newFixedThreadPool(6);
        first = StandInRedfish.start("first", 3).failReads();
        second = StandInRedfish.start("second", 3).failReads();
        config = TestBmcs.redfish("rack1", first.address(), "operator", PASSWORD);
        config.put("auth", "session");
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        first.close();
        second.close();
        threads.shutdownNow();
        if (dataFolder == null) {
            System.clearProperty("karaf.data");
        } else {
            System.setProperty("karaf.data", dataFolder);
        }
    }

    /** The BMC as Declarative Services activates it, bound to a provider. */
    private ConfiguredBmc bmc() {
        ConfiguredBmc bmc = unbound();
        ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, rejections);
        return bmc;
    }

    /** The BMC as Declarative Services activates it before the core's ConfigurationRejections is there, bound to a provider. */
    private ConfiguredBmc unbound() {
        ConfiguredBmc bmc = new ConfiguredBmc(TestBmcs.config(config), PID, dir);
        provider = new BmcProvider(Converters.standardConverter().convert(new HashMap<>(Map.of("journal", "directory",
                "stateDirectory", dir.resolve("journal").toString(), "discoveryThreads", "2", "bmcTimeout", "30s")))
                .to(BmcProviderConfig.class));
        provider.bind(bmc);
        return bmc;
    }

    private Node discover() {
        List<Node> nodes = provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(60))).nodes();
        assertThat(nodes).hasSize(1);
        assertThat(nodes.get(0).state()).isEqualTo(ResourceState.UNAVAILABLE);
        return nodes.get(0);
    }

    private static String error(Node node) {
        return node.attributes().get(NodeTemplate.ERROR);
    }

    private void change(ConfiguredBmc bmc, Map<String, Object> changes) throws Exception {
        config.putAll(changes);
        ComponentDescriptors.modified(bmc, TestBmcs.config(config), Map.<String, Object>of("service.pid", PID));
    }

    /**
     * A change the settings refuse (an address that is no URL, a password file that cannot be read,
     * an unknown protocol) is logged, without a password, and leaves the previous settings serving:
     * the BMC is still read, at its previous address. Each refusal is recorded in the provenance log
     * through the core's ConfigurationRejections, once, under the PID of the factory configuration's
     * instance (the one the change's own record names), without a password.
     */
    @Test
    void aRefusedChangeLeavesThePreviousSettingsServing() throws Exception {
        ConfiguredBmc bmc = bmc();
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in first)");
        Map<String, Map<String, Object>> refused = Map.of(
                "address", Map.of("address", "http://bmc rack1:8000"),
                "passwordFile", Map.of("passwordFile", dir.resolve("missing.pw").toString(), ".password", ""),
                "protocol", Map.of("protocol", "smoke-signals"));
        int told = 0;
        for (Map.Entry<String, Map<String, Object>> e : refused.entrySet()) {
            Map<String, Object> previous = new HashMap<>(config);
            try (StderrCapture log = new StderrCapture()) {
                Map<String, Object> changes = new HashMap<>(e.getValue());
                changes.putIfAbsent(".password", NEW_PASSWORD);
                change(bmc, changes);
                assertThat(log.text()).as(e.getKey()).contains("Configuration change rejected, previous settings stay in force: " + PID
                        + ": " + e.getKey() + " = ").doesNotContain(PASSWORD).doesNotContain(NEW_PASSWORD);
            }
            assertThat(rejections.told()).as(e.getKey()).hasSize(++told);
            assertThat(rejections.told().get(told - 1)).startsWith(PID + " | " + PID + ": " + e.getKey() + " = ").doesNotContain(PASSWORD)
                    .doesNotContain(NEW_PASSWORD);
            assertThat(rejections.previousSettingsInForce()).as(e.getKey() + ": the settings before it stay in force").containsOnly(true);
            config = previous;
            assertThat(bmc.problem()).as(e.getKey()).isNull();
            assertThat(bmc.settings().address()).isEqualTo(first.address());
            assertThat(error(discover())).as(e.getKey()).contains("answered HTTP 500 (stand-in first)");
        }
        assertThat(first.logins()).as("one session, kept through the refused changes").containsExactly("operator");
        assertThat(first.deletes()).as("the session is not deleted").isZero();
    }

    /** A valid change (a new address and user) applies to the next discovery; the previous session is deleted. */
    @Test
    void aValidChangeAppliesToTheNextDiscovery() throws Exception {
        ConfiguredBmc bmc = bmc();
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in first)");
        try (StderrCapture log = new StderrCapture()) {
            change(bmc, Map.of("address", second.address(), "user", "operator2", ".password", NEW_PASSWORD));
            assertThat(log.text()).doesNotContain(PASSWORD).doesNotContain(NEW_PASSWORD).doesNotContain("Configuration change rejected");
        }
        assertThat(first.awaitDelete(Duration.ofSeconds(30))).as("the previous client's session is deleted").isTrue();
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in second)");
        assertThat(second.logins()).containsExactly("operator2");
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }

    /**
     * A change made while a discovery reads the BMC lets that read finish on the client it began
     * with (its session is not deleted under it); that client is closed once the read has ended.
     */
    @Test
    void aCallInProgressFinishesOnItsClientWhichIsClosedAfterwards() throws Exception {
        ConfiguredBmc bmc = bmc();
        StandInRedfish.Gate latch = first.holdReads();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Node> discovery = CompletableFuture.supplyAsync(this::discover, caller);
            assertThat(latch.arrived(Duration.ofSeconds(30))).as("the discovery reads the first BMC").isTrue();
            change(bmc, Map.of("address", second.address()));
            assertThat(first.deletes()).as("the session in use is not deleted while the discovery reads").isZero();
            latch.release();
            assertThat(error(discovery.get(60, TimeUnit.SECONDS))).as("the read ends on the client it began with")
                    .contains("answered HTTP 500 (stand-in first)");
            assertThat(first.awaitDelete(Duration.ofSeconds(30))).as("the previous client is closed after the read").isTrue();
        } finally {
            latch.release();
            caller.shutdownNow();
        }
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in second)");
    }

    /**
     * A new name is not applied while the BMC serves (operations are journalled by the name): it is
     * said so, the BMC keeps its name, and the rest of the change applies.
     */
    @Test
    void aNewNameWaitsForARestartWhileTheRestApplies() throws Exception {
        ConfiguredBmc bmc = bmc();
        try (StderrCapture log = new StderrCapture()) {
            change(bmc, Map.of("name", "rack2", "address", second.address()));
            assertThat(log.text()).contains("Configuration change of the name of BMC rack1 (" + PID + ") to rack2 is not applied while "
                    + "Strata runs").contains("the rest of the change applies");
        }
        assertThat(bmc.name()).isEqualTo("rack1");
        Node node = discover();
        assertThat(node.attributes().get(NodeTemplate.BMC)).isEqualTo("rack1");
        assertThat(error(node)).contains("BMC rack1").contains("answered HTTP 500 (stand-in second)");
        assertThat(provider.fleet().byName("rack1")).containsSame(bmc);
    }

    /**
     * The new name that is not applied is recorded in the provenance log as a refusal of that part,
     * the settings before it in force (the name in force stays until the BMC's component is made
     * again), in the words of the log; it was only logged, so the log's record of the change read as
     * the name in force. A change that puts the name back is no refusal.
     */
    @Test
    void aNewNameNotAppliedIsRecordedAsRefused() throws Exception {
        ConfiguredBmc bmc = bmc();
        change(bmc, Map.of("name", "rack2", "address", second.address()));
        assertThat(rejections.told()).singleElement().asString().startsWith(PID + " | Configuration change of the name of BMC rack1 ("
                + PID + ") to rack2 is not applied while Strata runs").contains("the BMC keeps the name rack1 until its configuration is "
                + "made again").endsWith("the rest of the change applies");
        assertThat(rejections.previousSettingsInForce()).as("the name in force stays").containsExactly(true);
        assertThat(bmc.settings().address()).as("the rest of the change applies").isEqualTo(second.address());

        change(bmc, Map.of("name", "rack1", "address", first.address()));
        assertThat(rejections.told()).as("the name as it is in force: no refusal").hasSize(1);
        assertThat(bmc.settings().address()).isEqualTo(first.address());
    }

    /**
     * A BMC activated with a configuration its settings refuse is recorded in the provenance log
     * as refused, nothing of the BMC serving, once the core's ConfigurationRejections is bound
     * (the component is made before any reference is bound), and once only, a later bind telling
     * nothing again; it was only logged.
     */
    @Test
    void aBmcActivatedWithARefusedConfigurationIsRecordedAsRefusedOnceTheCoreIsBound() throws Exception {
        config.put("protocol", "smoke-signals");
        ConfiguredBmc bmc = unbound();
        assertThat(rejections.told()).isEmpty();
        ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, rejections);
        assertThat(rejections.told()).singleElement().asString().startsWith(PID + " | " + PID + ": protocol = 'smoke-signals' is invalid");
        assertThat(rejections.previousSettingsInForce()).as("nothing of the BMC serves").containsExactly(false);

        RecordingRejections again = new RecordingRejections();
        ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, again);
        assertThat(again.told()).as("told once: not again at a later bind").isEmpty();
        assertThat(rejections.told()).hasSize(1);
    }

    /**
     * A change refused while the refusal of the BMC's configuration is in force (nothing of the BMC
     * serving) is recorded in the provenance log as refused, nothing of the BMC serving still; it
     * was only logged. A valid change then is no refusal.
     */
    @Test
    void aChangeRefusedWhileARefusalIsInForceIsRecordedAsRefusedWithNothingServing() throws Exception {
        config.put("protocol", "smoke-signals");
        ConfiguredBmc bmc = bmc();
        int before = rejections.told().size();
        change(bmc, Map.of("protocol", "carrier-pigeon"));
        assertThat(bmc.problem()).isNotNull();
        assertThat(rejections.told()).hasSize(before + 1);
        assertThat(rejections.told().get(before)).startsWith(PID + " | " + PID + ": protocol = 'carrier-pigeon' is invalid");
        assertThat(rejections.previousSettingsInForce().get(before)).as("nothing of the BMC serves").isFalse();

        change(bmc, Map.of("protocol", "redfish"));
        assertThat(bmc.problem()).isNull();
        assertThat(rejections.told()).as("a valid change is no refusal").hasSize(before + 1);
    }

    /**
     * A refusal made before the core's ConfigurationRejections is bound that a valid change has
     * since replaced is not told at the bind: a record of it after the valid change's record would
     * say that the change was refused. Of several refused before the bind, that of the latest change is told, once.
     */
    @Test
    void onlyTheRefusalOfTheLatestChangeIsToldOnceTheCoreIsBound() throws Exception {
        config.put("protocol", "smoke-signals");
        ConfiguredBmc bmc = unbound();
        change(bmc, Map.of("protocol", "redfish"));
        assertThat(bmc.problem()).isNull();
        ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, rejections);
        assertThat(rejections.told()).as("the refused configuration was corrected before the bind").isEmpty();

        ConfiguredBmc another = new ConfiguredBmc(TestBmcs.config(config), PID, dir);
        try {
            change(another, Map.of("name", "rack2"));
            change(another, Map.of("name", "rack3"));
            ComponentDescriptors.bindOptional(another, ConfigurationRejections.class, rejections);
            assertThat(rejections.told()).singleElement().asString().startsWith(PID + " | Configuration change of the name of BMC "
                    + "rack1 (" + PID + ") to rack3 is not applied");
            assertThat(rejections.previousSettingsInForce()).containsExactly(true);
        } finally {
            another.close();
        }
    }

    /** Another BMC's configuration giving the same name as {@link #config} (a file copied with its address changed, its name not). */
    private ConfiguredBmc copy(String pid, RecordingRejections to) {
        Map<String, Object> copied = new HashMap<>(config);
        copied.put("address", second.address());
        ConfiguredBmc bmc = new ConfiguredBmc(TestBmcs.config(copied), pid, dir);
        if (to != null) {
            ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, to);
        }
        return bmc;
    }

    /** The refusal the fleet tells for {@code pid} while {@code other} gives its name rack1 too. */
    private static String clash(String pid, String other) {
        return pid + " | " + pid + ": name = 'rack1' is invalid; expected a name unique among the BMCs; configuration " + other
                + " gives it too; the machines of both are neither discovered nor provisioned until one of them is removed, or renamed and "
                + "Strata restarted (a new name waits for the next start)";
    }

    /**
     * Two BMC configurations giving the same name are both refused by the fleet (neither's machines
     * are discovered or provisioned), which was logged and shown on the nodes only, so the
     * provenance log's record of the second read as settings in force. Each now tells its refusal
     * to the core's ConfigurationRejections when the clash begins, under its own PID, naming the
     * other configuration and the name, with nothing of the BMC in force; once, not at each
     * discovery. Once the copy is removed the first serves again and nothing more is told; a later
     * clash is told again.
     */
    @Test
    void twoBmcsGivingOneNameEachTellTheirRefusalOncePerClash() throws Exception {
        ConfiguredBmc bmc = bmc();
        String copyPid = "dev.strata.provider.bmc~rack1-copy";
        ConfiguredBmc copy = copy(copyPid, rejections);
        ConfiguredBmc again = null;
        try {
            provider.bind(copy);
            assertThat(rejections.told()).containsExactlyInAnyOrder(clash(PID, copyPid), clash(copyPid, PID));
            assertThat(rejections.previousSettingsInForce()).as("nothing of either BMC serves").containsExactly(false, false);
            for (int i = 0; i < 2; i++) {
                List<Node> nodes = provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(60))).nodes();
                assertThat(nodes).isNotEmpty().allSatisfy(n -> assertThat(error(n)).contains("expected a name unique among the BMCs"));
            }
            assertThat(rejections.told()).as("told once, not at each discovery").hasSize(2);

            provider.unbind(copy);
            assertThat(error(discover())).as("the first BMC serves again").contains("answered HTTP 500 (stand-in first)");
            assertThat(rejections.told()).as("the clash's end tells nothing").hasSize(2);

            again = copy(copyPid, rejections);
            provider.bind(again);
            assertThat(rejections.told()).as("a later clash is told again").hasSize(4);
            assertThat(rejections.told().subList(2, 4)).containsExactlyInAnyOrder(clash(PID, copyPid), clash(copyPid, PID));
            assertThat(rejections.previousSettingsInForce()).containsOnly(false);
        } finally {
            copy.close();
            if (again != null) {
                again.close();
            }
        }
    }

    /**
     * A clash that begins before the core's ConfigurationRejections is bound (both BMCs activated
     * at start-up, before the core's state store is up) is told once it binds, once.
     */
    @Test
    void aClashBeforeTheCoreIsBoundIsToldOnceItBinds() throws Exception {
        ConfiguredBmc bmc = unbound();
        String copyPid = "dev.strata.provider.bmc~rack1-copy";
        ConfiguredBmc copy = copy(copyPid, null);
        try {
            provider.bind(copy);
            assertThat(rejections.told()).isEmpty();
            ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, rejections);
            ComponentDescriptors.bindOptional(copy, ConfigurationRejections.class, rejections);
            assertThat(rejections.told()).containsExactly(clash(PID, copyPid), clash(copyPid, PID));
            assertThat(rejections.previousSettingsInForce()).containsExactly(false, false);

            RecordingRejections later = new RecordingRejections();
            ComponentDescriptors.bindOptional(bmc, ConfigurationRejections.class, later);
            assertThat(later.told()).as("told once: not again at a later bind").isEmpty();
        } finally {
            copy.close();
        }
    }

    /**
     * A valid change of a BMC's configuration while another gives its name is told as refused,
     * with the clash and nothing of the BMC in force: the core's record of the change says
     * {@code updated}, while the fleet still serves nothing of it.
     */
    @Test
    void aChangeWhileTheNameClashesIsToldAsRefusedWithNothingServing() throws Exception {
        ConfiguredBmc bmc = bmc();
        String copyPid = "dev.strata.provider.bmc~rack1-copy";
        ConfiguredBmc copy = copy(copyPid, rejections);
        try {
            provider.bind(copy);
            assertThat(rejections.told()).hasSize(2);
            change(bmc, Map.of("site", "fra-1"));
            assertThat(bmc.settings().siteId()).isEqualTo("fra-1");
            assertThat(rejections.told()).hasSize(3);
            assertThat(rejections.told().get(2)).isEqualTo(clash(PID, copyPid));
            assertThat(rejections.previousSettingsInForce().get(2)).as("nothing of the BMC serves").isFalse();
        } finally {
            copy.close();
        }
    }

    /** A BMC activated with a configuration its settings refuse serves once a valid configuration is saved. */
    @Test
    void aBmcActivatedWithARefusedConfigurationServesOnceItIsCorrected() throws Exception {
        config.put("protocol", "smoke-signals");
        ConfiguredBmc bmc = bmc();
        assertThat(error(discover())).contains("protocol = 'smoke-signals' is invalid");
        change(bmc, Map.of("protocol", "redfish"));
        assertThat(bmc.problem()).isNull();
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in first)");
    }

    /**
     * A change of nothing the BMC's client is made from (the site, the power domain, the password
     * saved again as it was) keeps the client and its Redfish session: no logout and login again.
     * A change of the password makes a new client, the previous session deleted, as one of the
     * address does ({@link #aValidChangeAppliesToTheNextDiscovery}).
     */
    @Test
    void aChangeOfNothingTheClientIsMadeFromKeepsItsSession() throws Exception {
        ConfiguredBmc bmc = bmc();
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in first)");
        assertThat(first.logins()).containsExactly("operator");
        change(bmc, Map.of("site", "fra-1", "powerDomain", "rack1-pdu", ".password", PASSWORD));
        Node node = discover();
        assertThat(node.siteId()).as("the change applies").isEqualTo("fra-1");
        assertThat(first.logins()).as("no new login: the client and its session are kept").containsExactly("operator");
        assertThat(first.deletes()).as("the session is not deleted").isZero();

        change(bmc, Map.of(".password", NEW_PASSWORD));
        assertThat(first.awaitDelete(Duration.ofSeconds(30))).as("a new password: the previous client's session is deleted").isTrue();
        assertThat(error(discover())).contains("answered HTTP 500 (stand-in first)");
        assertThat(first.logins()).as("a new client logs in").containsExactly("operator", "operator");
    }

    /**
     * A BMC that trusts a CA file keeps its client through a change of nothing else while the file
     * holds what it held when the client was made (read again at each change and compared by a
     * digest of its bytes), written again as it was included; it got a new client on every change,
     * as the file might have been replaced at the same path. Another CA written to the same path
     * makes a new client. Nothing listens at the address: the clients are made, never used to send.
     */
    @Test
    void aCaFileOfTheSameContentKeepsTheClientAndAnotherMakesANewOne() throws Exception {
        Path certificates = Peers.workDir("ca-files");
        TestCertificate one = TestCertificate.create(certificates, "one");
        TestCertificate two = TestCertificate.create(certificates, "two");
        Path ca = dir.resolve("ca.pem");
        Files.copy(one.certificate(), ca);
        config.put("address", "https://127.0.0.1:9");
        config.put("caFile", ca.toString());
        ConfiguredBmc bmc = new ConfiguredBmc(TestBmcs.config(config), PID, dir);
        try {
            Bmc client = bmc.bmc();
            change(bmc, Map.of("site", "fra-1"));
            assertThat(bmc.bmc()).as("the same CA file: the client is kept").isSameAs(client);
            Files.copy(one.certificate(), ca, StandardCopyOption.REPLACE_EXISTING);
            change(bmc, Map.of("powerDomain", "rack1-pdu"));
            assertThat(bmc.bmc()).as("the CA file written again as it was: the client is kept").isSameAs(client);

            Files.copy(two.certificate(), ca, StandardCopyOption.REPLACE_EXISTING);
            change(bmc, Map.of("site", "fra-2"));
            Bmc replaced = bmc.bmc();
            assertThat(replaced).as("another CA at the same path: a new client").isNotSameAs(client);
            change(bmc, Map.of("site", "fra-3"));
            assertThat(bmc.bmc()).as("that CA unchanged since: the new client is kept").isSameAs(replaced);
        } finally {
            bmc.close();
        }
    }

    /**
     * A change made while a discovery waits for the BMC's login (a BMC that accepts the connection
     * and never answers) applies at once: the client is made and logs in outside the BMC's lock,
     * which a change takes, so the change does not wait for the login's timeout.
     */
    @Test
    void aChangeDoesNotWaitForALoginInProgress() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CountDownLatch accepted = new CountDownLatch(1);
            List<Socket> connections = new CopyOnWriteArrayList<>();
            threads.submit(() -> {
                while (!silent.isClosed()) {
                    connections.add(silent.accept());
                    accepted.countDown();
                }
                return null;
            });
            config.put("address", "http://127.0.0.1:" + silent.getLocalPort());
            config.put("requestTimeout", "20s");
            ConfiguredBmc bmc = bmc();
            ExecutorService caller = Executors.newSingleThreadExecutor();
            java.util.concurrent.Future<?> discovery = caller.submit(() -> provider.discoverCompute(DiscoveryContext.withTimeout("test",
                    Duration.ofSeconds(60))));
            try {
                assertThat(accepted.await(30, TimeUnit.SECONDS)).as("the discovery connects to log in").isTrue();
                long began = System.nanoTime();
                change(bmc, Map.of("address", second.address()));
                assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the change, while the login waits up to 20 s")
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(bmc.settings().address()).isEqualTo(second.address());
            } finally {
                silent.close();
                for (Socket s : connections) {
                    s.close();
                }
                // the login fails once its connection is gone: the discovery ends before the test's folder is deleted
                org.assertj.core.api.Assertions.catchThrowable(() -> discovery.get(60, TimeUnit.SECONDS));
                caller.shutdownNow();
            }
        }
    }
}
