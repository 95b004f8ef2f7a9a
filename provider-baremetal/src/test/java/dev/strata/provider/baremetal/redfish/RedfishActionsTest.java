package dev.strata.provider.baremetal.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.NodeIdentity;
import dev.strata.provider.baremetal.bmc.Bmc;
import dev.strata.provider.baremetal.bmc.BootTarget;
import dev.strata.provider.baremetal.bmc.ConfiguredBmc;
import dev.strata.provider.baremetal.bmc.NodeTemplate;
import dev.strata.provider.baremetal.bmc.PowerAction;
import dev.strata.provider.baremetal.bmc.PowerState;
import dev.strata.provider.baremetal.peers.ImageServer;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyEmulator;
import dev.strata.provider.baremetal.peers.SushyEmulator.FakeSystem;
import dev.strata.provider.baremetal.peers.TestBmcs;
import dev.strata.provider.baremetal.peers.TestCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Power, boot source override and virtual media against sushy-emulator (the real Redfish peer
 * with state: its fake driver changes power 1 to 11 s after a request), over TLS with the
 * emulator's certificate pinned and basic authentication from its bcrypt htpasswd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedfishActionsTest {

    static final String USER = "strata";
    static final String PASSWORD = "s3cret-Pa55";
    static final FakeSystem OFF = new FakeSystem("4c4c4544-0000-4a10-8000-000000000001", "off-node", "Off", "52:54:00:00:00:01");
    static final FakeSystem GRACEFUL = new FakeSystem("4c4c4544-0000-4a10-8000-000000000002", "graceful-node", "On", "52:54:00:00:00:02");
    static final FakeSystem FORCE = new FakeSystem("4c4c4544-0000-4a10-8000-000000000003", "force-node", "On", "52:54:00:00:00:03");
    static final FakeSystem RESTART = new FakeSystem("4c4c4544-0000-4a10-8000-000000000004", "restart-node", "On", "52:54:00:00:00:04");
    static final FakeSystem BOOT = new FakeSystem("4c4c4544-0000-4a10-8000-000000000005", "boot-node", "Off", "52:54:00:00:00:05");

    private SushyEmulator emulator;
    private ConfiguredBmc configured;
    private Bmc bmc;

    @BeforeAll
    void start() throws Exception {
        Path dir = Peers.workDir("sushy-emulator");
        TestCertificate certificate = TestCertificate.create(dir, "bmc");
        emulator = SushyEmulator.start(dir, List.of(OFF, GRACEFUL, FORCE, RESTART, BOOT), USER, PASSWORD, certificate);
        Map<String, Object> config = TestBmcs.redfish("sushy", emulator.address(), USER, PASSWORD);
        config.put("certificateFingerprint", certificate.fingerprint());
        configured = TestBmcs.bmc(config);
        bmc = configured.bmc();
    }

    @AfterAll
    void stop() {
        if (configured != null) {
            configured.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(30));
    }

    /** Polls until the state is reached; sushy changes power 1-11 s after the request. */
    private PowerState await(FakeSystem system, PowerState wanted) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        PowerState now = bmc.powerState(SushyEmulator.systemPath(system), context());
        while (now != wanted && System.nanoTime() < end) {
            Thread.sleep(250);
            now = bmc.powerState(SushyEmulator.systemPath(system), context());
        }
        return now;
    }

    @Test
    void discoversEverySystemByItsUuidOverPinnedTls() {
        List<Node> nodes = bmc.discover(configured.template("bmc"), context());
        assertThat(nodes).extracting(Node::id).containsExactlyInAnyOrder("bmc:" + OFF.uuid(), "bmc:" + GRACEFUL.uuid(), "bmc:" + FORCE.uuid(),
                "bmc:" + RESTART.uuid(), "bmc:" + BOOT.uuid());
        Node off = nodes.stream().filter(n -> n.id().equals("bmc:" + OFF.uuid())).findFirst().orElseThrow();
        assertThat(off.attributes()).containsEntry(NodeIdentity.SYSTEM_UUID, OFF.uuid())
                .containsEntry(NodeTemplate.ADDRESS, emulator.address());
        assertThat(off.nics()).extracting(n -> n.macAddress()).containsExactly(OFF.mac());
        // sushy's fake driver has no processor or memory detail: nothing is invented
        assertThat(off.cpu().packages()).isEmpty();
        assertThat(off.memoryBytes()).isZero();
        // sushy has no session service: the client uses basic authentication
        assertThat(((RedfishBmc) bmc).client().usesSession()).isFalse();
    }

    @Test
    void powerOnGracefulShutdownForceOffAndResetLandWithinTheirDeadline() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PowerState>> results = new ArrayList<>();
            results.add(pool.submit(() -> {
                bmc.power(SushyEmulator.systemPath(OFF), PowerAction.ON, context());
                return await(OFF, PowerState.ON);
            }));
            results.add(pool.submit(() -> {
                bmc.power(SushyEmulator.systemPath(GRACEFUL), PowerAction.GRACEFUL_SHUTDOWN, context());
                return await(GRACEFUL, PowerState.OFF);
            }));
            results.add(pool.submit(() -> {
                bmc.power(SushyEmulator.systemPath(FORCE), PowerAction.FORCE_OFF, context());
                return await(FORCE, PowerState.OFF);
            }));
            results.add(pool.submit(() -> {
                long sent = System.nanoTime();
                bmc.power(SushyEmulator.systemPath(RESTART), PowerAction.FORCE_RESTART, context());
                // the fake driver drops power at once and brings it back 1-11 s later: read within that second it is off; on a
                // machine so loaded that the reading came later, power may be back already, which is no failure of the reset
                PowerState right = bmc.powerState(SushyEmulator.systemPath(RESTART), context());
                if (System.nanoTime() - sent < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(900)) {
                    assertThat(right).isEqualTo(PowerState.OFF);
                }
                return await(RESTART, PowerState.ON);
            }));
            assertThat(results.get(0).get()).isEqualTo(PowerState.ON);
            assertThat(results.get(1).get()).isEqualTo(PowerState.OFF);
            assertThat(results.get(2).get()).isEqualTo(PowerState.OFF);
            assertThat(results.get(3).get()).isEqualTo(PowerState.ON);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bootOverridePxeOnceThenDiskThenCleared() {
        String system = SushyEmulator.systemPath(BOOT);
        bmc.setBootOverride(system, BootTarget.PXE, true, context());
        assertThat(bmc.bootOverride(system, context())).isEqualTo(BootTarget.PXE);
        bmc.setBootOverride(system, BootTarget.DISK, false, context());
        assertThat(bmc.bootOverride(system, context())).isEqualTo(BootTarget.DISK);
        bmc.clearBootOverride(system, context());
        assertThat(bmc.bootOverride(system, context())).isNull();
    }

    @Test
    void virtualMediaInsertedFetchedAndEjected() throws Exception {
        try (ImageServer images = ImageServer.start("installer.iso", "not really an ISO".getBytes())) {
            String system = SushyEmulator.systemPath(BOOT);
            String url = images.url("installer.iso");
            bmc.insertMedia(system, url, context());
            assertThat(bmc.insertedMedia(system, context())).isEqualTo(url);
            assertThat(images.downloads()).as("the emulator fetched the image itself").isGreaterThanOrEqualTo(1);
            bmc.insertMedia(system, url, context());
            assertThat(images.downloads()).as("inserting the same image again is a no-op").isEqualTo(1);
            bmc.ejectMedia(system, context());
            assertThat(bmc.insertedMedia(system, context())).isNull();
            bmc.ejectMedia(system, context());
        }
    }

    /**
     * The other trust mode: a CA file for this BMC only, with the host name checked. The
     * emulator's self-signed certificate is its own CA and names 127.0.0.1: trusted. Another CA:
     * refused. A second emulator whose certificate does not name 127.0.0.1: refused under its own
     * CA (host name), yet accepted when pinned (the pin is the identity).
     */
    @Test
    void caFileTrustChecksTheIssuerAndTheHostNameWhileAPinChecksOnlyTheCertificate() throws Exception {
        DiscoveryContext c = context();
        Map<String, Object> good = TestBmcs.redfish("ca-good", emulator.address(), USER, PASSWORD);
        good.put("caFile", emulator.certificate().certificate().toString());
        ConfiguredBmc trusted = TestBmcs.bmc(good);
        assertThat(trusted.bmc().discover(trusted.template("bmc"), c)).hasSize(5);
        trusted.close();

        Path dir = Peers.workDir("sushy-other-name");
        TestCertificate otherName = TestCertificate.create(dir, "named", "DNS:bmc.example");
        Map<String, Object> wrongCa = TestBmcs.redfish("ca-wrong", emulator.address(), USER, PASSWORD);
        wrongCa.put("caFile", otherName.certificate().toString());
        ConfiguredBmc untrusted = TestBmcs.bmc(wrongCa);
        assertThatThrownBy(() -> untrusted.bmc().discover(untrusted.template("bmc"), c))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                .hasMessageContaining("BMC ca-wrong").hasMessageContaining("TLS handshake failed");
        untrusted.close();

        try (SushyEmulator named = SushyEmulator.start(dir, List.of(OFF), USER, PASSWORD, otherName)) {
            Map<String, Object> byCa = TestBmcs.redfish("ca-name", named.address(), USER, PASSWORD);
            byCa.put("caFile", otherName.certificate().toString());
            ConfiguredBmc hostChecked = TestBmcs.bmc(byCa);
            assertThatThrownBy(() -> hostChecked.bmc().discover(hostChecked.template("bmc"), c))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                    .hasMessageContaining("TLS handshake failed").hasMessageContaining("127.0.0.1");
            hostChecked.close();
            Map<String, Object> byPin = TestBmcs.redfish("pin-name", named.address(), USER, PASSWORD);
            byPin.put("certificateFingerprint", otherName.fingerprint());
            ConfiguredBmc pinned = TestBmcs.bmc(byPin);
            assertThat(pinned.bmc().discover(pinned.template("bmc"), c)).hasSize(1);
            pinned.close();
        }
    }

    /**
     * A reset whose TLS handshake fails on the certificate (issued by another CA; issued for another
     * name than the address) surely was not sent, since a request goes only after the handshake:
     * it is {@link dev.strata.provider.baremetal.bmc.RequestNotApplied}, so the provisioner sends
     * it again once the trust settings are fixed, and then it goes through. The error still says
     * the certificate was not trusted and holds no credential. With {@code auth = basic} nothing
     * is read before the reset, so its own handshake is the one that fails. Before, such a reset
     * was an error that left it unknown whether the BMC had acted, and a reset is never repeated then.
     */
    @Test
    void aResetWhoseHandshakeRefusesTheCertificateIsKnownNotSentAndGoesOnceTrusted() throws Exception {
        FakeSystem tls = new FakeSystem("4c4c4544-0000-4a10-8000-000000000006", "tls-node", "Off", "52:54:00:00:00:06");
        Path dir = Peers.workDir("sushy-untrusted");
        TestCertificate otherName = TestCertificate.create(dir, "named", "DNS:bmc.example");
        String reset = SushyEmulator.systemPath(tls) + "/Actions/ComputerSystem.Reset";
        com.fasterxml.jackson.databind.node.ObjectNode on = RedfishClient.JSON.createObjectNode().put("ResetType", "On");
        String basic = java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (SushyEmulator named = SushyEmulator.start(dir, List.of(tls), USER, PASSWORD, otherName)) {
            Map<String, Object> otherCa = TestBmcs.redfish("tls-other-ca", named.address(), USER, PASSWORD);
            otherCa.put("caFile", emulator.certificate().certificate().toString());
            Map<String, Object> otherHost = TestBmcs.redfish("tls-other-name", named.address(), USER, PASSWORD);
            otherHost.put("caFile", otherName.certificate().toString());
            for (Map<String, Object> untrusted : List.of(otherCa, otherHost)) {
                untrusted.put("auth", "basic");
                ConfiguredBmc refused = TestBmcs.bmc(untrusted);
                try {
                    RedfishClient client = ((RedfishBmc) refused.bmc()).client();
                    assertThatThrownBy(() -> client.action(reset, on, context())).as(untrusted.get("name").toString())
                            .isInstanceOfSatisfying(dev.strata.provider.baremetal.bmc.RequestNotApplied.class, n -> assertThat(n.failure())
                                    .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                                    .hasMessageContaining("BMC " + untrusted.get("name")).hasMessageContaining("TLS handshake failed for POST " + reset)
                                    .hasMessageContaining("check certificateFingerprint or caFile")
                                    .hasMessageNotContaining(PASSWORD).hasMessageNotContaining(basic));
                } finally {
                    refused.close();
                }
            }
            // the trust fixed (the certificate pinned): the same reset goes through and the system comes on
            Map<String, Object> pinned = TestBmcs.redfish("tls-pinned", named.address(), USER, PASSWORD);
            pinned.put("certificateFingerprint", otherName.fingerprint());
            pinned.put("auth", "basic");
            ConfiguredBmc trusted = TestBmcs.bmc(pinned);
            try {
                Bmc fixed = trusted.bmc();
                assertThat(fixed.powerState(SushyEmulator.systemPath(tls), context())).isEqualTo(PowerState.OFF);
                ((RedfishBmc) fixed).client().action(reset, on, context());
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (fixed.powerState(SushyEmulator.systemPath(tls), context()) != PowerState.ON && System.nanoTime() < end) {
                    Thread.sleep(250);
                }
                assertThat(fixed.powerState(SushyEmulator.systemPath(tls), context())).isEqualTo(PowerState.ON);
            } finally {
                trusted.close();
            }
        }
    }

    /** A close waits for the session delete as long as requestTimeout, but never more than 10 s (BmcFaultsTest has a BMC that hangs). */
    @Test
    void theSessionDeleteAtCloseWaitsTheRequestTimeoutAtMostTenSeconds() {
        assertThat(RedfishClient.sessionDeleteBound(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(RedfishClient.sessionDeleteBound(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(300));
        assertThat(RedfishClient.sessionDeleteBound(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
        assertThat(RedfishClient.sessionDeleteBound(Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void wrongPasswordIsRefusedNamingTheUserNeverThePassword() {
        Map<String, Object> config = TestBmcs.redfish("sushy-wrong", emulator.address(), USER, "not-the-password");
        config.put("certificateFingerprint", emulator.certificate().fingerprint());
        ConfiguredBmc wrong = TestBmcs.bmc(config);
        try {
            assertThatThrownBy(() -> wrong.bmc().discover(wrong.template("bmc"), context()))
                    .isInstanceOf(AuthorizationException.class)
                    .hasMessageContaining("sushy-wrong").hasMessageContaining("HTTP 401").hasMessageContaining("user 'strata'")
                    .hasMessageNotContaining("not-the-password");
        } finally {
            wrong.close();
        }
    }
}
