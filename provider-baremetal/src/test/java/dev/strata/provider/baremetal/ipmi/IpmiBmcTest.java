package dev.strata.provider.baremetal.ipmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.baremetal.NodeIdentity;
import dev.strata.provider.baremetal.bmc.Bmc;
import dev.strata.provider.baremetal.bmc.BmcProvider;
import dev.strata.provider.baremetal.bmc.BootTarget;
import dev.strata.provider.baremetal.bmc.ConfiguredBmc;
import dev.strata.provider.baremetal.bmc.PowerAction;
import dev.strata.provider.baremetal.bmc.PowerState;
import dev.strata.provider.baremetal.bmc.RequestNotApplied;
import dev.strata.provider.baremetal.peers.IpmiSim;
import dev.strata.provider.baremetal.peers.LossyUdpRelay;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * IPMI through the real {@code ipmitool} against {@code ipmi_sim} (Debian's openipmi), the real
 * peer for IPMI: power, boot device, system GUID, cipher-suite fallback (ipmi_sim refuses 17 and
 * takes 3), wrong password, a BMC that does not answer, and provisioning through the SPI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IpmiBmcTest {

    static final String USER = "admin";
    static final String PASSWORD = "ipmi-Pa55word";
    static final String GUID = "a123456789abcdefa123456789abcdef";

    private IpmiSim sim;
    private Path work;
    private Path recordingIpmitool;

    @BeforeAll
    void start() throws Exception {
        work = Peers.workDir("ipmi");
        sim = IpmiSim.start(work, USER, PASSWORD, GUID);
        Path ipmitool = Peers.command("ipmitool", "ipmitool");
        // the real ipmitool, behind a script that writes down its command line and whether the password was in its environment
        recordingIpmitool = work.resolve("ipmitool-recording");
        Files.writeString(recordingIpmitool, "#!/bin/sh\necho \"$@\" >> " + work.resolve("argv.log") + "\n"
                + "[ -n \"$IPMI_PASSWORD\" ] && echo set >> " + work.resolve("env.log") + "\nexec " + ipmitool + " \"$@\"\n");
        Files.setPosixFilePermissions(recordingIpmitool, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(30));
    }

    private Map<String, Object> config(String name, String address, String password) {
        Map<String, Object> c = TestBmcs.ipmi(name, address, USER, password);
        c.put("ipmitool", recordingIpmitool.toString());
        return c;
    }

    /** ipmitool's SMBIOS decoding of the GUID bytes: the first three fields little-endian. */
    private static String smbios(String hex) {
        StringBuilder s = new StringBuilder();
        for (int[] field : new int[][] {{3, 2, 1, 0}, {5, 4}, {7, 6}, {8, 9}, {10, 11, 12, 13, 14, 15}}) {
            if (s.length() > 0) {
                s.append('-');
            }
            for (int b : field) {
                s.append(hex, 2 * b, 2 * b + 2);
            }
        }
        return s.toString();
    }

    @Test
    void powerBootDeviceAndIdentityThroughIpmitool() throws Exception {
        ConfiguredBmc configured = TestBmcs.bmc(config("sim", sim.address(), PASSWORD));
        IpmiBmc bmc = (IpmiBmc) configured.bmc();

        List<Node> nodes = bmc.discover(configured.template("bmc"), context());
        assertThat(nodes).hasSize(1);
        String uuid = smbios(GUID);
        assertThat(nodes.get(0).id()).isEqualTo("bmc:" + uuid);
        assertThat(nodes.get(0).attributes()).containsEntry(NodeIdentity.SYSTEM_UUID, uuid).containsEntry("ipmi.cipherSuite", "3");

        bmc.power(IpmiBmc.SYSTEM, PowerAction.ON, context());
        assertThat(bmc.powerState(IpmiBmc.SYSTEM, context())).isEqualTo(PowerState.ON);
        bmc.setBootOverride(IpmiBmc.SYSTEM, BootTarget.PXE, true, context());
        assertThat(bmc.bootOverride(IpmiBmc.SYSTEM, context())).isEqualTo(BootTarget.PXE);
        bmc.clearBootOverride(IpmiBmc.SYSTEM, context());
        assertThat(bmc.bootOverride(IpmiBmc.SYSTEM, context())).isNull();
        int before = sim.chassisLog().size();
        bmc.power(IpmiBmc.SYSTEM, PowerAction.FORCE_RESTART, context());
        Thread.sleep(2500);
        assertThat(sim.chassisLog().subList(before, sim.chassisLog().size())).as("a cycle: off, then on")
                .anySatisfy(l -> assertThat(l).endsWith("power=0")).anySatisfy(l -> assertThat(l).endsWith("power=1"));
        bmc.power(IpmiBmc.SYSTEM, PowerAction.FORCE_OFF, context());
        assertThat(bmc.powerState(IpmiBmc.SYSTEM, context())).isEqualTo(PowerState.OFF);

        // 17 was tried first and refused; 3 is kept
        assertThat(bmc.discover(configured.template("bmc"), context())).hasSize(1);
        List<String> argv = Files.readAllLines(work.resolve("argv.log"));
        assertThat(argv).anySatisfy(l -> assertThat(l).contains("-C 17")).anySatisfy(l -> assertThat(l).contains("-C 3"));
        assertThat(argv.get(argv.size() - 1)).contains("-C 3");
        // the password travels in the environment only
        assertThat(argv).allSatisfy(l -> assertThat(l).contains("-E").contains("-I lanplus").doesNotContain(PASSWORD));
        assertThat(Files.readAllLines(work.resolve("env.log"))).hasSameSizeAs(argv);

        assertThatThrownBy(() -> bmc.insertMedia(IpmiBmc.SYSTEM, "http://127.0.0.1/x.iso", context()))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("speaks IPMI, which has no virtual media");
    }

    /**
     * A host name with an underscore reaches the BMC: it goes to ipmitool as written, and its
     * resolver takes it. The real ipmitool runs in a mount namespace of its own whose /etc/hosts
     * names bmc_rack1.lab for the simulator's 127.0.0.1 (unshare -m, which needs root; skipped
     * where it is not allowed). Before, the address was refused in the configuration.
     */
    @Test
    void aHostNameWithAnUnderscoreReachesTheBmc() throws Exception {
        Path hosts = work.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 bmc_rack1.lab\n");
        Path ipmitool = Peers.command("ipmitool", "ipmitool");
        Path ownHosts = work.resolve("ipmitool-own-hosts");
        Files.writeString(ownHosts, "#!/bin/sh\nexec unshare -m sh -c 'mount --bind " + hosts + " /etc/hosts && exec " + ipmitool
                + " \"$@\"' sh \"$@\"\n");
        Files.setPosixFilePermissions(ownHosts, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process probe = new ProcessBuilder(ownHosts.toString(), "-V").redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor() == 0, "no private mount namespace here (unshare -m needs root)");

        Map<String, Object> c = TestBmcs.ipmi("sim-underscore", "bmc_rack1.lab:" + sim.port(), USER, PASSWORD);
        c.put("ipmitool", ownHosts.toString());
        ConfiguredBmc configured = TestBmcs.bmc(c);
        List<Node> nodes = configured.bmc().discover(configured.template("bmc"), context());
        assertThat(nodes).extracting(Node::id).containsExactly("bmc:" + smbios(GUID));
        assertThat(nodes.get(0).attributes()).containsEntry(dev.strata.provider.baremetal.bmc.NodeTemplate.ADDRESS,
                "ipmi://bmc_rack1.lab:" + sim.port());
    }

    /**
     * What ipmitool prints of a BMC's answer is quoted in failures shown printable: the real ipmitool behind a script that,
     * as a BMC answering garbage makes it, prints a terminal escape, a BEL and a right-to-left override in the answer to
     * {@code chassis power status} and in the error of {@code chassis bootdev pxe}. The messages name them as
     * <code>&#92;u001b</code>, <code>&#92;u0007</code> and <code>&#92;u202e</code>, and hold none of them. Before, they were
     * quoted as they came, into the log, the shell and the node's {@code bmc.error}.
     */
    @Test
    void whatIpmitoolPrintsOfABmcsAnswerIsQuotedPrintable() throws Exception {
        Path ipmitool = Peers.command("ipmitool", "ipmitool");
        Path garbled = work.resolve("ipmitool-garbled");
        Files.writeString(garbled, "#!/bin/sh\ncase \"$*\" in\n"
                + "  *'power status') printf 'Chassis Power \\033[2Jis\\342\\200\\256 unknown\\n'; exit 0;;\n"
                + "  *'bootdev pxe') printf 'Set Boot Device to pxe failed: \\033]0;x\\007Invalid\\342\\200\\256 data\\n' >&2; exit 1;;\n"
                + "esac\nexec " + ipmitool + " \"$@\"\n");
        Files.setPosixFilePermissions(garbled, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Object> c = TestBmcs.ipmi("sim-garbled", sim.address(), USER, PASSWORD);
        c.put("ipmitool", garbled.toString());
        c.put("cipherSuites", "3");
        Bmc bmc = TestBmcs.bmc(c).bmc();

        assertThatThrownBy(() -> bmc.powerState(IpmiBmc.SYSTEM, context())).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("unexpected answer to ipmitool chassis power status: Chassis Power \\u001b[2Jis\\u202e unknown")
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\u202e");
        assertThatThrownBy(() -> bmc.setBootOverride(IpmiBmc.SYSTEM, BootTarget.PXE, true, context())).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("ipmitool chassis bootdev pxe failed (exit 1): Set Boot Device to pxe failed: \\u001b]0;x\\u0007Invalid\\u202e data")
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\u0007").hasMessageNotContaining("\u202e");
    }

    /**
     * Output of ipmitool that is no UTF-8 (bytes of a BMC's passed on, here {@code 0xff 0xfe} after the answer to
     * {@code chassis power status}, and in the error of {@code chassis bootdev pxe}) is read, not refused: the power state
     * is read from the answer, and the failure names what ipmitool said. Before, reading the output failed with
     * Java's MalformedInputException, so both failed as "failed: Input length = 1", which names nothing of the BMC's answer.
     */
    @Test
    void outputOfIpmitoolThatIsNoUtf8IsReadNotRefused() throws Exception {
        Path ipmitool = Peers.command("ipmitool", "ipmitool");
        Path garbled = work.resolve("ipmitool-not-utf8");
        Files.writeString(garbled, "#!/bin/sh\ncase \"$*\" in\n"
                + "  *'power status') printf 'Chassis Power is on\\n\\377\\376\\n'; exit 0;;\n"
                + "  *'bootdev pxe') printf 'Set Boot Device to pxe failed: \\377 Invalid data\\n' >&2; exit 1;;\n"
                + "esac\nexec " + ipmitool + " \"$@\"\n");
        Files.setPosixFilePermissions(garbled, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Object> c = TestBmcs.ipmi("sim-not-utf8", sim.address(), USER, PASSWORD);
        c.put("ipmitool", garbled.toString());
        c.put("cipherSuites", "3");
        Bmc bmc = TestBmcs.bmc(c).bmc();

        assertThat(bmc.powerState(IpmiBmc.SYSTEM, context())).isEqualTo(PowerState.ON);
        assertThatThrownBy(() -> bmc.setBootOverride(IpmiBmc.SYSTEM, BootTarget.PXE, true, context())).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("ipmitool chassis bootdev pxe failed (exit 1): Set Boot Device to pxe failed: \ufffd Invalid data");
    }

    /**
     * A power cycle asked of a chassis that is off is sent as power on. IPMI 2.0 (Chassis Control)
     * recommends that a BMC do nothing then, or refuse it ("not supported in present state");
     * ipmi_sim carries it out as power off and, a second later, power on, which its chassis log
     * shows, so the log tells which was sent. Before, the cycle was sent.
     */
    @Test
    void aPowerCycleOfAChassisThatIsOffIsSentAsPowerOn() throws Exception {
        Bmc bmc = TestBmcs.bmc(config("sim-cycle-off", sim.address(), PASSWORD)).bmc();
        bmc.power(IpmiBmc.SYSTEM, PowerAction.FORCE_OFF, context());
        assertThat(bmc.powerState(IpmiBmc.SYSTEM, context())).isEqualTo(PowerState.OFF);
        int before = sim.chassisLog().size();
        assertThat(bmc.power(IpmiBmc.SYSTEM, PowerAction.FORCE_RESTART, context())).isEqualTo(PowerAction.ON);
        Thread.sleep(2500); // a cycle's power-on would come a second after its power-off
        assertThat(sim.chassisLog().subList(before, sim.chassisLog().size())).as("one power-on, no cycle")
                .hasSize(1).allSatisfy(l -> assertThat(l).endsWith("power=1"));
        assertThat(bmc.powerState(IpmiBmc.SYSTEM, context())).isEqualTo(PowerState.ON);

        before = sim.chassisLog().size();
        assertThat(bmc.power(IpmiBmc.SYSTEM, PowerAction.FORCE_RESTART, context())).as("on: a cycle").isEqualTo(PowerAction.FORCE_RESTART);
        Thread.sleep(2500);
        assertThat(sim.chassisLog().subList(before, sim.chassisLog().size())).as("a cycle: off, then on")
                .anySatisfy(l -> assertThat(l).endsWith("power=0")).anySatisfy(l -> assertThat(l).endsWith("power=1"));
    }

    @Test
    void wrongPasswordIsAnAuthorizationErrorWithoutThePassword() {
        ConfiguredBmc configured = TestBmcs.bmc(config("sim-wrong", sim.address(), "not-" + PASSWORD));
        assertThat(configured.settings().toString()).doesNotContain(PASSWORD);
        assertThatThrownBy(() -> configured.bmc().powerState(IpmiBmc.SYSTEM, context()))
                .isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("BMC sim-wrong (ipmi://127.0.0.1:" + sim.port() + ")")
                .hasMessageContaining("refused user 'admin'").hasMessageContaining("HMAC is invalid")
                .hasMessageNotContaining(PASSWORD);
    }

    /**
     * A configured user name holding a terminal escape and a right-to-left override, refused by the BMC (the simulator
     * knows no such user): the authorization error names it printable, as <code>&#92;u001b</code> and
     * <code>&#92;u202e</code>, and holds neither. Before, it was quoted as configured, into the log, the shell and the
     * node's {@code bmc.error}.
     */
    @Test
    void aRefusedUserNameIsQuotedPrintable() {
        Map<String, Object> c = TestBmcs.ipmi("sim-odd-user", sim.address(), "adm\u001b[2J\u202ein", PASSWORD);
        c.put("ipmitool", recordingIpmitool.toString());
        c.put("cipherSuites", "3");
        ConfiguredBmc configured = TestBmcs.bmc(c);
        assertThatThrownBy(() -> configured.bmc().powerState(IpmiBmc.SYSTEM, context()))
                .isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("refused user 'adm\\u001b[2J\\u202ein'")
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\u202e").hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aBmcThatDoesNotAnswerFailsWithoutTryingEverySuite() throws Exception {
        int silent = Peers.freePort();
        ConfiguredBmc configured = TestBmcs.bmc(config("silent", "127.0.0.1:" + silent, PASSWORD));
        Instant start = Instant.now();
        assertThatThrownBy(() -> configured.bmc().powerState(IpmiBmc.SYSTEM, context()))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("BMC silent").hasMessageContaining("does not answer");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(20));
    }

    /**
     * A power command that got no session (the credentials refused, the BMC silent) surely did not
     * reach the BMC, so the provisioner may send it again; the simulator's chassis saw nothing.
     */
    @Test
    void aPowerCommandWithoutASessionIsKnownNotToHaveReachedTheBmc() throws Exception {
        int before = sim.chassisLog().size();
        ConfiguredBmc wrong = TestBmcs.bmc(config("sim-wrong-power", sim.address(), "not-" + PASSWORD));
        assertThatThrownBy(() -> wrong.bmc().power(IpmiBmc.SYSTEM, PowerAction.FORCE_RESTART, context()))
                .isInstanceOfSatisfying(RequestNotApplied.class, n -> assertThat(n.failure()).isInstanceOf(AuthorizationException.class)
                        .hasMessageContaining("refused user 'admin'").hasMessageNotContaining(PASSWORD));
        ConfiguredBmc silent = TestBmcs.bmc(config("silent-power", "127.0.0.1:" + Peers.freePort(), PASSWORD));
        assertThatThrownBy(() -> silent.bmc().power(IpmiBmc.SYSTEM, PowerAction.FORCE_RESTART, context()))
                .isInstanceOfSatisfying(RequestNotApplied.class, n -> assertThat(n.failure()).isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining("does not answer"));
        assertThat(sim.chassisLog()).hasSize(before);
    }

    /**
     * A power command whose answer the network lost is sent once: ipmitool does not retransmit it
     * (the simulator would carry it out again: with {@code -R 2} it logged two power-ons), and the
     * failure says that the BMC may have acted (not {@link RequestNotApplied}), so the provisioner
     * does not send it again within the call, nor a reset ever.
     */
    @Test
    void aPowerCommandWhoseAnswerIsLostIsSentOnceAndMayHaveActed() throws Exception {
        try (LossyUdpRelay relay = LossyUdpRelay.start(sim.port())) {
            Map<String, Object> c = config("sim-lossy", relay.address(), PASSWORD);
            c.put("cipherSuites", "3");
            Bmc bmc = TestBmcs.bmc(c).bmc();
            // without loss: where the power command comes among the session's requests (the last before Close Session)
            bmc.power(IpmiBmc.SYSTEM, PowerAction.FORCE_OFF, context());
            LossyUdpRelay.Session clean = relay.lastSession();
            assertThat(clean.requests()).isGreaterThanOrEqualTo(2);
            int powerCommand = clean.requests() - 1;

            int before = sim.chassisLog().size();
            relay.loseAnswerTo(powerCommand);
            Throwable thrown = catchThrowable(() -> bmc.power(IpmiBmc.SYSTEM, PowerAction.ON, context()));

            assertThat(sim.chassisLog().subList(before, sim.chassisLog().size())).as("the BMC carried out the power-on once")
                    .hasSize(1).allSatisfy(l -> assertThat(l).endsWith("power=1"));
            LossyUdpRelay.Session lossy = relay.lastSession();
            assertThat(lossy.lostAnswerTo()).isEqualTo(powerCommand);
            assertThat(lossy.requests()).as("requests after the session came up: the power command once, then Close Session")
                    .isEqualTo(clean.requests());
            assertThat(thrown).as("no answer: the BMC may have acted").isInstanceOf(ProviderTimeoutException.class)
                    .isNotInstanceOf(RequestNotApplied.class)
                    .hasMessageContaining("BMC sim-lossy").hasMessageContaining("no answer to ipmitool chassis power on")
                    .hasMessageContaining("Unable to set Chassis Power Control").hasMessageContaining("ipmitool did not send it again");
        }
    }

    /** ipmitool's words for a power command the BMC refused (sure) and for one that got no answer (the BMC may have acted). */
    @Test
    void whatIpmitoolSaysOfAFailedPowerCommandTellsWhetherItMayHaveActed() {
        assertThat(IpmiErrors.surelyNotApplied(new IpmiTool.Output(1, "",
                "Set Chassis Power Control to Cycle failed: Command not supported in present state\n", 17))).isTrue();
        assertThat(IpmiErrors.surelyNotApplied(new IpmiTool.Output(1, "", "Unable to set Chassis Power Control to Cycle\n", 17))).isFalse();
        // what ipmitool 1.8.19 -v -R 1 printed when the answer to the power command was lost
        String lost = "Loading IANA PEN Registry...\nRunning Get VSO Capabilities my_addr 0x20, transit 0, target 0x20\n"
                + "Invalid completion code received: Invalid command\nDiscovered IPMB address 0x0\nUnable to set Chassis Power Control to Up/On\n";
        assertThat(IpmiErrors.surelyNotApplied(new IpmiTool.Output(1, "", lost, 3))).isFalse();
        assertThat(IpmiErrors.classify(lost)).isEqualTo(IpmiErrors.Kind.NO_ANSWER);
        assertThat(IpmiErrors.surelyNotApplied(new IpmiTool.Output(1, "",
                "Error: Unable to establish IPMI v2 / RMCP+ session\n", 17))).isTrue();
        assertThat(IpmiErrors.surelyNotApplied(new IpmiTool.Output(1, "", "> Error: no response from RAKP 1 message\nNo response from remote\n", 17)))
                .as("silence, and nothing says when").isFalse();
        assertThat(IpmiErrors.surelyNotApplied(new IpmiTool.Output(1, "", "something else went wrong\n", 17))).isFalse();
        assertThat(IpmiErrors.surelyNotApplied(null)).isTrue();
    }

    /**
     * With {@code -v}, ipmitool probes VSO capabilities before every command, and most BMCs answer
     * "Invalid completion code received: Invalid command". That line was in every IPMI failure
     * message, ahead of what really went wrong. It is left out now; the same words after any other
     * line are kept.
     */
    @Test
    void theAnswerToIpmitoolsCapabilityProbeIsNotInAFailuresMessage() {
        String refused = "Loading IANA PEN Registry...\nRunning Get VSO Capabilities my_addr 0x20, transit 0, target 0x20\n"
                + "Invalid completion code received: Invalid command\nDiscovered IPMB address 0x0\n"
                + "Set Chassis Power Control to Cycle failed: Command not supported in present state\n";
        assertThat(IpmiErrors.errorLines(refused)).isEqualTo("Set Chassis Power Control to Cycle failed: Command not supported in present state");
        String real = "Running Get VSO Capabilities my_addr 0x20, transit 0, target 0x20\n\nInvalid completion code received: Invalid command\n"
                + "Discovered IPMB address 0x0\nGet Chassis Power Status\nInvalid completion code received: Invalid command\n";
        assertThat(IpmiErrors.errorLines(real)).isEqualTo("Invalid completion code received: Invalid command");
    }

    @Test
    void provisioningThroughIpmiSetsPxeAndPowersOnThenOff() throws Exception {
        BmcProvider provider = new BmcProvider(Peers.workDir("ipmi-journal"), 2, Duration.ofSeconds(20), Duration.ofSeconds(60), Clock.systemUTC());
        try {
            ConfiguredBmc configured = TestBmcs.bmc(config("sim-provision", sim.address(), PASSWORD));
            provider.bind(configured);
            configured.bmc().power(IpmiBmc.SYSTEM, PowerAction.FORCE_OFF, context());
            String node = "bmc:" + smbios(GUID);
            int before = sim.chassisLog().size();
            MachineStatus status = provider.create(new MachineRequest("op-ipmi", "dep-ipmi", "m0", "tenant", MachineTarget.node(node),
                    new MachineResources(0, 0, 0, List.of(), null), Map.of()), context());
            assertThat(status.state()).isEqualTo(MachineState.RUNNING);
            assertThat(configured.bmc().bootOverride(IpmiBmc.SYSTEM, context())).isEqualTo(BootTarget.PXE);
            assertThat(sim.chassisLog().subList(before, sim.chassisLog().size())).as("one power-on, no reset")
                    .containsExactly(sim.chassisLog().get(before)).allSatisfy(l -> assertThat(l).endsWith("power=1"));

            assertThat(provider.create(new MachineRequest("op-ipmi", "dep-ipmi", "m0", "tenant", MachineTarget.node(node),
                    new MachineResources(0, 0, 0, List.of(), null), Map.of()), context()).state()).isEqualTo(MachineState.RUNNING);
            assertThat(sim.chassisLog()).hasSize(before + 1);

            MachineStatus gone = provider.delete(status.handle(), context());
            assertThat(gone.state()).isEqualTo(MachineState.GONE);
            assertThat(configured.bmc().powerState(IpmiBmc.SYSTEM, context())).isEqualTo(PowerState.OFF);
            assertThat(configured.bmc().bootOverride(IpmiBmc.SYSTEM, context())).isNull();
        } finally {
            provider.close();
        }
    }
}
