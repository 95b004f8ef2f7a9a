package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.baremetal.peers.FaultInjectingProxy;
import dev.strata.provider.baremetal.peers.ImageServer;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyEmulator;
import dev.strata.provider.baremetal.peers.SushyEmulator.FakeSystem;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The provisioning SPI on BMC-managed nodes of sushy-emulator (the real, stateful Redfish peer:
 * power changes land 1-11 s after the request, the boot override and virtual media stick),
 * behind {@link FaultInjectingProxy} used here only to count the power requests the BMC received.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BmcProvisioningTest {

    static final String USER = "strata";
    static final String PASSWORD = "provision-Pa55";
    static final int CRASHES = 5;

    private final List<FakeSystem> systems = new ArrayList<>();
    private SushyEmulator emulator;
    private FaultInjectingProxy proxy;
    private ImageServer images;
    private FakeSystem signed;
    private FakeSystem unfetchable;
    private FakeSystem overrideGone;
    private FakeSystem heldByADamagedRecord;

    @BeforeAll
    void start() throws Exception {
        for (int i = 0; i < 6 + CRASHES; i++) {
            systems.add(new FakeSystem(String.format("9a7d3c1e-5b2f-4e8a-9c0d-%012d", i), "node-" + i, i == 1 || i >= 6 ? "On" : "Off",
                    String.format("52:54:00:00:02:%02x", i)));
        }
        signed = new FakeSystem("9a7d3c1e-5b2f-4e8a-9c0d-0000000000aa", "node-signed", "Off", "52:54:00:00:02:aa");
        systems.add(signed);
        unfetchable = new FakeSystem("9a7d3c1e-5b2f-4e8a-9c0d-0000000000ab", "node-unfetchable", "Off", "52:54:00:00:02:ab");
        systems.add(unfetchable);
        overrideGone = new FakeSystem("9a7d3c1e-5b2f-4e8a-9c0d-0000000000ac", "node-override-gone", "Off", "52:54:00:00:02:ac");
        systems.add(overrideGone);
        heldByADamagedRecord = new FakeSystem("9a7d3c1e-5b2f-4e8a-9c0d-0000000000ad", "node-damaged-record", "Off", "52:54:00:00:02:ad");
        systems.add(heldByADamagedRecord);
        // the last system's BMC reports a power state that is neither On nor Off
        systems.add(new FakeSystem("9a7d3c1e-5b2f-4e8a-9c0d-0000000000ff", "node-paused", "Paused", "52:54:00:00:02:ff"));
        emulator = SushyEmulator.start(Peers.workDir("provisioning"), systems, USER, PASSWORD, null);
        proxy = FaultInjectingProxy.start(emulator.address());
        images = ImageServer.start("installer.iso", "an installer".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {images, proxy, emulator}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private BmcProvider provider(Path journal) {
        // generous per-BMC time: sushy-emulator (Python) answers slowly on a loaded 2-core machine, and a BMC
        // read that times out would leave the systems' nodes out of the snapshot these tests inspect
        BmcProvider provider = new BmcProvider(journal, 4, Duration.ofSeconds(60), Duration.ofSeconds(60), Clock.systemUTC());
        provider.bind(TestBmcs.bmc(TestBmcs.redfish("sushy", proxy.address(), USER, PASSWORD)));
        return provider;
    }

    private static DiscoveryContext context(int seconds) {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(seconds));
    }

    private static String node(FakeSystem s) {
        return "bmc:" + s.uuid();
    }

    private static MachineRequest request(String op, FakeSystem s, Map<String, String> parameters) {
        return new MachineRequest(op, "dep-7", "trainer-" + s.name(), "tenant-bank", MachineTarget.node(node(s)),
                new MachineResources(8000, 64L << 30, 0, List.of(), null), parameters);
    }

    private int resets(FakeSystem s) {
        return proxy.requests("POST", "/Systems/" + s.uuid() + "/Actions/ComputerSystem.Reset").size();
    }

    /** Polls describe until the machine settles; create may return PENDING before power lands. */
    private static MachineStatus settle(BmcProvider provider, MachineStatus status) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((status.state() == MachineState.PENDING || status.state() == MachineState.DELETING) && System.nanoTime() < end) {
            Thread.sleep(500);
            status = provider.describe(status.handle(), context(10));
        }
        return status;
    }

    @Test
    void createSetsPxeOncePowersOnAndIsIdempotent() throws Exception {
        FakeSystem s = systems.get(0);
        BmcProvider provider = provider(Peers.workDir("journal"));
        Bmc bmc = provider.fleet().byName("sushy").orElseThrow().bmc();
        MachineStatus status = settle(provider, provider.create(request("op-create", s, Map.of()), context(30)));

        assertThat(status.state()).isEqualTo(MachineState.RUNNING);
        assertThat(bmc.powerState(SushyEmulator.systemPath(s), context(10))).isEqualTo(PowerState.ON);
        assertThat(bmc.bootOverride(SushyEmulator.systemPath(s), context(10))).isEqualTo(BootTarget.PXE);
        assertThat(resets(s)).isEqualTo(1);
        assertThat(status.nodeId()).isEqualTo(node(s));
        assertThat(status.handle()).isEqualTo(new MachineHandle("bmc", node(s), Map.of("bmc", "sushy", "system", SushyEmulator.systemPath(s),
                "operation", "op-create", "bootDevice", "pxe", "shutdown", "force")));
        assertThat(status.labels()).containsEntry(MachineLabels.DEPLOYMENT, "dep-7").containsEntry(MachineLabels.OPERATION, "op-create")
                .containsEntry(MachineLabels.MEMBER, "trainer-" + s.name()).containsEntry(MachineLabels.TENANT, "tenant-bank");
        assertThat(names(status)).as("the steps reported to the core").containsExactly("boot-override-set pxe once", "power-requested On",
                "powered-on");

        MachineStatus again = provider.create(request("op-create", s, Map.of()), context(30));
        assertThat(again.state()).isEqualTo(MachineState.RUNNING);
        assertThat(again.handle()).isEqualTo(status.handle());
        assertThat(resets(s)).as("a repeated create sends no second power request").isEqualTo(1);

        // the node in the compute snapshot carries the labels
        Node n = provider.discoverCompute(context(90)).nodes().stream().filter(x -> x.id().equals(node(s))).findFirst().orElseThrow();
        assertThat(n.attributes()).containsEntry(MachineLabels.DEPLOYMENT, "dep-7").containsEntry(MachineLabels.OPERATION, "op-create");

        assertThat(provider.find("op-create", context(10))).map(MachineStatus::state).contains(MachineState.RUNNING);
        assertThat(provider.machines(context(10))).extracting(MachineStatus::operationId).contains("op-create");

        assertThatThrownBy(() -> provider.create(request("op-other", s, Map.of()), context(10)))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("node " + node(s) + " is provisioned for deployment dep-7").hasMessageContaining("op-create");

        MachineStatus deleted = settle(provider, provider.delete(status.handle(), context(30)));
        assertThat(deleted.state()).isEqualTo(MachineState.GONE);
        assertThat(bmc.powerState(SushyEmulator.systemPath(s), context(10))).isEqualTo(PowerState.OFF);
        assertThat(names(deleted)).containsExactly("boot-override-set pxe once", "power-requested On", "powered-on", "boot-override-cleared",
                "power-off-requested ForceOff", "powered-off");
        assertThat(bmc.bootOverride(SushyEmulator.systemPath(s), context(10))).as("override cleared").isNull();
        assertThat(provider.delete(status.handle(), context(10)).state()).isEqualTo(MachineState.GONE);
        assertThat(provider.find("op-create", context(10))).isEmpty();
        assertThat(provider.machines(context(10))).extracting(MachineStatus::operationId).doesNotContain("op-create");
        provider.close();
    }

    @Test
    void aMachineThatIsOnIsResetOnceToBootTheVirtualMedia() throws Exception {
        FakeSystem s = systems.get(1);
        BmcProvider provider = provider(Peers.workDir("journal"));
        Bmc bmc = provider.fleet().byName("sushy").orElseThrow().bmc();
        String image = images.url("installer.iso");
        MachineStatus status = settle(provider, provider.create(request("op-media", s, Map.of("virtualMedia", image)), context(30)));

        assertThat(status.state()).isEqualTo(MachineState.RUNNING);
        assertThat(bmc.insertedMedia(SushyEmulator.systemPath(s), context(10))).isEqualTo(image);
        assertThat(bmc.bootOverride(SushyEmulator.systemPath(s), context(10))).isEqualTo(BootTarget.CD);
        assertThat(resets(s)).isEqualTo(1);
        assertThat(provider.provisioner().journal().get("op-media").orElseThrow().powerAction()).isEqualTo(PowerAction.FORCE_RESTART);
        assertThat(names(status)).containsExactly("virtual-media-inserted " + image, "boot-override-set cd once",
                "power-requested ForceRestart", "powered-on");

        MachineStatus deleted = settle(provider, provider.delete(status.handle(), context(30)));
        assertThat(deleted.state()).isEqualTo(MachineState.GONE);
        assertThat(bmc.insertedMedia(SushyEmulator.systemPath(s), context(10))).as("media ejected").isNull();
        provider.close();
    }

    /**
     * A signed image URL (the token in its query, as a presigned S3 URL carries it) is handed to the
     * BMC whole, and logged without its query, as the steps show it. Before, the provider's log
     * quoted the whole URL, signature included, on provisioning and on inserting the media.
     */
    @Test
    void aSignedImageUrlReachesTheBmcButNotTheLog() throws Exception {
        FakeSystem s = signed;
        BmcProvider provider = provider(Peers.workDir("journal"));
        Bmc bmc = provider.fleet().byName("sushy").orElseThrow().bmc();
        String signature = "9c4f1e0b7d2a4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f";
        String image = images.url("installer.iso") + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=" + signature;
        MachineStatus status;
        try (StderrCapture log = new StderrCapture()) {
            status = settle(provider, provider.create(request("op-signed", s, Map.of("virtualMedia", image)), context(30)));
            assertThat(log.text()).as("what was logged").contains("op-signed").contains(images.url("installer.iso"))
                    .doesNotContain(signature);
        }
        assertThat(status.state()).isEqualTo(MachineState.RUNNING);
        assertThat(bmc.insertedMedia(SushyEmulator.systemPath(s), context(10))).as("the BMC got the whole URL").isEqualTo(image);
        assertThat(settle(provider, provider.delete(status.handle(), context(30))).state()).isEqualTo(MachineState.GONE);
        provider.close();
    }

    /**
     * A signed image URL the BMC cannot fetch (nothing listens where it points): sushy-emulator,
     * like real BMCs, refuses the insert quoting the URL it could not fetch, query and all, and in
     * the words of the HTTP library it used, its path and query once more. The token stays out of
     * the create's exception, the step that records the refusal (reported to the provenance log)
     * and the log; the URL without its query is there, so it is clear which image failed. Before,
     * the BMC's words went everywhere as they came, signature included.
     */
    @Test
    void aSignedImageUrlTheBmcCannotFetchIsNotQuotedWithItsToken() throws Exception {
        FakeSystem s = unfetchable;
        BmcProvider provider = provider(Peers.workDir("journal"));
        String signature = "5d0c3b7a9e1f2a4c6e8b0d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c";
        String url;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            url = "http://127.0.0.1:" + closed.getLocalPort() + "/installer.iso";
        }
        String image = url + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=" + signature;
        try (StderrCapture log = new StderrCapture()) {
            assertThatThrownBy(() -> provider.create(request("op-unfetchable", s, Map.of("virtualMedia", image)), context(30)))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("VirtualMedia.InsertMedia answered HTTP 500")
                    .hasMessageContaining(url + " (query omitted)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(signature).doesNotContain("X-Amz-Algorithm"));
            assertThat(log.text()).as("what was logged").contains("op-unfetchable").doesNotContain(signature);
        }
        Operation op = provider.provisioner().journal().get("op-unfetchable").orElseThrow();
        assertThat(op.phase()).isEqualTo(Operation.Phase.GONE);
        assertThat(op.steps()).anySatisfy(step -> assertThat(step).contains(" refused ").contains(url));
        assertThat(String.join("\n", op.steps())).as("the steps").doesNotContain(signature).doesNotContain("X-Amz-Algorithm");
        assertThat(resets(s)).as("nothing powered").isZero();
        provider.close();
    }

    /**
     * The deployment engine describes a machine while its create waits for the power change (and
     * while its delete waits for power-off): whichever sees the change first records it, and the
     * step is reported once, not once per caller: every status any caller got carries the same
     * line for it (the core records each distinct line).
     */
    @Test
    void describesDuringCreateAndDeleteReportPoweredOnAndOffOnce() throws Exception {
        FakeSystem s = systems.get(2);
        BmcProvider provider = provider(Peers.workDir("journal"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<MachineStatus> create = pool.submit(() -> provider.create(request("op-race", s, Map.of()), context(40)));
            int describes = 0;
            java.util.Set<String> reported = new java.util.LinkedHashSet<>();
            while (!create.isDone()) {
                java.util.Optional<MachineStatus> seen = provider.find("op-race", context(10));
                if (seen.isPresent()) {
                    describes++;
                    reported.addAll(seen.get().steps());
                }
                Thread.sleep(50);
            }
            reported.addAll(create.get().steps());
            MachineStatus status = settle(provider, create.get());
            reported.addAll(status.steps());
            assertThat(status.state()).isEqualTo(MachineState.RUNNING);
            assertThat(describes).as("described while the create waited").isPositive();
            assertThat(names(provider.describe(status.handle(), context(10)))).containsExactly("boot-override-set pxe once", "power-requested On",
                    "powered-on");

            java.util.concurrent.Future<MachineStatus> delete = pool.submit(() -> provider.delete(status.handle(), context(40)));
            while (!delete.isDone()) {
                reported.addAll(provider.describe(status.handle(), context(10)).steps());
                Thread.sleep(50);
            }
            reported.addAll(delete.get().steps());
            MachineStatus gone = settle(provider, delete.get());
            reported.addAll(gone.steps());
            assertThat(reported).as("every line any caller was given").hasSize(6).containsExactlyElementsOf(gone.steps());
            assertThat(gone.state()).isEqualTo(MachineState.GONE);
            assertThat(names(gone)).containsExactly("boot-override-set pxe once", "power-requested On", "powered-on", "boot-override-cleared",
                    "power-off-requested ForceOff", "powered-off");
        } finally {
            pool.shutdownNow();
            provider.close();
        }
    }

    /**
     * A node whose BMC reads neither On nor Off gets no power request ("On" to a machine in fact on would leave it running
     * what it ran, not booting from the override): create fails as unavailable, to be tried again, and once the BMC reads
     * On the same operation resumes with one reset.
     */
    @Test
    void aNodeWhosePowerStateIsUnknownGetsNoPowerRequestUntilItReadsOnOrOff() throws Exception {
        FakeSystem s = systems.get(systems.size() - 1);
        BmcProvider provider = provider(Peers.workDir("journal"));
        Bmc bmc = provider.fleet().byName("sushy").orElseThrow().bmc();
        assertThat(bmc.powerState(SushyEmulator.systemPath(s), context(10))).isEqualTo(PowerState.UNKNOWN);
        assertThatThrownBy(() -> provider.create(request("op-paused", s, Map.of()), context(30)))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("reads power state Unknown")
                .hasMessageContaining("op-paused");
        assertThat(resets(s)).isZero();
        assertThat(provider.provisioner().journal().get("op-paused").orElseThrow().phase()).isEqualTo(Operation.Phase.BOOT_SET);

        bmc.power(SushyEmulator.systemPath(s), PowerAction.ON, context(10)); // the machine settles, on (the emulator takes 1-11 s)
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (bmc.powerState(SushyEmulator.systemPath(s), context(10)) != PowerState.ON && System.nanoTime() < end) {
            Thread.sleep(500);
        }
        MachineStatus status = settle(provider, provider.create(request("op-paused", s, Map.of()), context(30)));
        assertThat(status.state()).isEqualTo(MachineState.RUNNING);
        assertThat(resets(s)).as("the power-on that settled it, then one reset").isEqualTo(2);
        assertThat(provider.provisioner().journal().get("op-paused").orElseThrow().powerAction()).isEqualTo(PowerAction.FORCE_RESTART);
        settle(provider, provider.delete(status.handle(), context(30)));
        provider.close();
    }

    @Test
    void badParametersAndUnknownNodesAreRefusedBeforeAnythingIsSent() throws Exception {
        FakeSystem s = systems.get(2);
        BmcProvider provider = provider(Peers.workDir("journal"));
        proxy.clear();
        assertThatThrownBy(() -> provider.create(request("op-bad", s, Map.of("bootDevice", "floppy")), context(10)))
                .isInstanceOf(ProviderFailureException.class).hasMessage("parameter bootDevice = 'floppy' is invalid; expected pxe, disk or cd");
        assertThatThrownBy(() -> provider.create(request("op-bad", s, Map.of("virtualMedia", "ftp://x/y.iso")), context(10)))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("virtualMedia");
        assertThatThrownBy(() -> provider.create(request("op-bad", s, Map.of("virtualMedia", "http://user:pw@host/y.iso")), context(10)))
                .isInstanceOf(ProviderFailureException.class).hasMessageNotContaining("pw@");
        // a URL refused for another reason is quoted without its credentials too
        for (String url : List.of("ftp://admin:Hunter2Secret@images.lab/x.iso", "http://admin:Hunter2Secret@images.lab:iso/x.iso",
                "http://admin:Hunter2Secret@images lab/x.iso")) {
            assertThatThrownBy(() -> provider.create(request("op-bad", s, Map.of("virtualMedia", url)), context(10)))
                    .isInstanceOf(ProviderFailureException.class).hasMessageStartingWith("parameter virtualMedia = '")
                    .hasMessageContaining("://****@images").hasMessageNotContaining("Hunter2Secret");
        }
        assertThatThrownBy(() -> provider.create(new MachineRequest("op-bad", "d", "m", "t", MachineTarget.node("bmc:nope"),
                new MachineResources(0, 0, 0, List.of(), null), Map.of()), context(20)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("bmc:nope");
        assertThat(proxy.seen()).noneMatch(r -> !r.method().equals("GET"));
        assertThat(provider.provisioner().journal().get("op-bad")).isEmpty();
        provider.close();
    }

    /**
     * The provider stopped right after recording each phase (the record is what kill -9 leaves
     * behind); a new provider on the same journal finishes the operation with the same id, and
     * the BMC receives at most one power request for it.
     */
    @Test
    void resumesFromEveryPhaseWithoutASecondPowerCycle() throws Exception {
        List<Operation.Phase> phases = List.of(Operation.Phase.CLAIMED, Operation.Phase.BOOT_SET, Operation.Phase.POWER_INTENT);
        List<java.util.concurrent.Callable<Void>> runs = new ArrayList<>();
        for (int k = 0; k < phases.size(); k++) {
            Operation.Phase phase = phases.get(k);
            FakeSystem s = systems.get(3 + k);
            runs.add(() -> {
                Path journal = Peers.workDir("journal");
                Instant now = Instant.now();
                PowerAction action = phase == Operation.Phase.POWER_INTENT ? PowerAction.ON : null;
                new OperationJournal(journal).put(new Operation("op-" + phase, "dep-7", "m", "t", node(s), "sushy", SushyEmulator.systemPath(s),
                        "pxe", null, "force", phase, action, action == null ? null : now, now, now, null));
                BmcProvider provider = provider(journal);
                provider.discoverCompute(context(20));
                MachineStatus status = settle(provider, provider.create(request("op-" + phase, s, Map.of()), context(30)));
                assertThat(status.state()).as(phase.name()).isEqualTo(MachineState.RUNNING);
                assertThat(resets(s)).as(phase + ": one power-on").isEqualTo(1);
                provider.close();
                return null;
            });
        }
        all(runs);
    }

    /**
     * The provider stopped after setting the boot override (the record says BOOT_SET), and by the
     * time the create is tried again the override is gone: an IPMI BMC clears its boot flags 60 s
     * after they were set unless the machine restarts, and a boot in between uses up an override
     * set once (here it is cleared on the BMC). The resumed create sets it again before the power
     * request, and says so in a step: the machine boots from the network as asked. Before, it was
     * powered on with no override and booted from its disk, and the operation was RUNNING.
     */
    @Test
    void aCreateResumedAfterTheBootOverrideWasSetSetsItAgainBeforePoweringOn() throws Exception {
        FakeSystem s = overrideGone;
        Path journal = Peers.workDir("journal");
        Instant now = Instant.now();
        new OperationJournal(journal).put(new Operation("op-override-gone", "dep-7", "m", "t", node(s), "sushy", SushyEmulator.systemPath(s),
                "pxe", null, "force", Operation.Phase.BOOT_SET, null, null, now, now, null,
                List.of(now + " boot-override-set pxe once")));
        BmcProvider provider = provider(journal);
        Bmc bmc = provider.fleet().byName("sushy").orElseThrow().bmc();
        bmc.clearBootOverride(SushyEmulator.systemPath(s), context(10));
        assertThat(bmc.bootOverride(SushyEmulator.systemPath(s), context(10))).as("the override is gone").isNull();

        MachineStatus status = settle(provider, provider.create(request("op-override-gone", s, Map.of()), context(30)));
        assertThat(status.state()).isEqualTo(MachineState.RUNNING);
        assertThat(bmc.bootOverride(SushyEmulator.systemPath(s), context(10))).as("boots from the network").isEqualTo(BootTarget.PXE);
        assertThat(resets(s)).as("one power-on").isEqualTo(1);
        assertThat(names(status)).containsExactly("boot-override-set pxe once", "boot-override-set pxe once (again before the power "
                + "request: what an earlier try set may have expired or been used by a boot since)", "power-requested On", "powered-on");
        assertThat(settle(provider, provider.delete(status.handle(), context(30))).state()).isEqualTo(MachineState.GONE);
        provider.close();
    }

    /**
     * The record of an earlier operation that was powering a node on is cut short in the journal
     * directory (written from outside: a copy, an editor; the provider replaces its files
     * atomically), beside a temporary file a crash left while a record was written. Before, the
     * record was logged and skipped when the journal was read: the node was free, and a create of
     * another operation powered it on for a second deployment. Now every use of the journal is
     * refused as unavailable, naming the file and what is wrong with it, nothing is sent to the BMC
     * and the file is left as it was; discovery goes on and says why the labels are not shown. Once
     * the operator puts the record back, the directory is read again without a restart, and the
     * node is held by the earlier operation. The temporary file stops nothing.
     */
    @Test
    void aRecordThatCannotBeReadRefusesTheJournalUntilItIsRepairedRatherThanFreeingItsNode() throws Exception {
        FakeSystem s = heldByADamagedRecord;
        Path journal = Peers.workDir("journal");
        Instant now = Instant.now();
        new OperationJournal(journal).put(new Operation("op-earlier", "dep-1", "m", "t", node(s), "sushy", SushyEmulator.systemPath(s),
                "pxe", null, "force", Operation.Phase.POWER_SENT, PowerAction.ON, now, now, now, null));
        Path file = journal.resolve(OperationJournal.fileName("op-earlier"));
        byte[] whole = Files.readAllBytes(file);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        Files.write(file, cut);
        Files.writeString(journal.resolve(OperationJournal.fileName("op-crashed") + ".tmp"), "{\"operationId\": \"op-cra");

        BmcProvider provider = provider(journal);
        assertThatThrownBy(() -> provider.create(request("op-later", s, Map.of()), context(30)))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC operation journal " + journal + " holds a record that cannot be read: " + file
                        + " (not JSON: Unexpected end-of-input")
                .hasMessageContaining("no machine is provisioned or deleted until the file is repaired, or removed once that machine is "
                        + "known to be free")
                .hasMessageEndingWith("; nothing was sent to the BMC");
        assertThat(resets(s)).as("no power request").isZero();
        assertThat(Files.readAllBytes(file)).as("the file is left as it was").isEqualTo(cut);
        assertThat(journal.resolve(OperationJournal.fileName("op-later"))).doesNotExist();
        assertThat(provider.discoverCompute(context(60)).warnings())
                .anySatisfy(w -> assertThat(w).startsWith("the labels of provisioned machines are not shown: ").contains(file.toString()));

        Files.writeString(file, new String(whole, StandardCharsets.UTF_8).replace("\"POWER_SENT\"", "\"POWERING_ON\""));
        assertThatThrownBy(() -> provider.create(request("op-later", s, Map.of()), context(30)))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(file + " (phase 'POWERING_ON', none of [CLAIMED, BOOT_SET, POWER_INTENT, POWER_SENT, RUNNING");

        Files.write(file, whole);
        assertThatThrownBy(() -> provider.create(request("op-later", s, Map.of()), context(30)))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("node " + node(s) + " is provisioned for deployment dep-1 member m by operation op-earlier (POWER_SENT); delete "
                        + "that machine first");
        assertThat(resets(s)).as("no power request").isZero();
        assertThat(provider.provisioner().journal().get("op-earlier").orElseThrow().phase()).isEqualTo(Operation.Phase.POWER_SENT);
        provider.close();
    }

    private static void all(List<java.util.concurrent.Callable<Void>> runs) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(runs.size());
        try {
            for (java.util.concurrent.Future<Void> f : pool.invokeAll(runs)) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A real kill -9: a separate JVM provisions a machine that is on (so provisioning resets it)
     * and is killed at a random moment; this JVM resumes with the same operation id. The BMC sees
     * at most one reset per machine, exactly one unless the kill fell between announcing the
     * reset and the BMC taking it (then the record says the reset may not have been sent).
     */
    @Test
    void killNineAtRandomMomentsNeverResetsAMachineTwice() throws Exception {
        long seed = Long.getLong("strata.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<java.util.concurrent.Callable<Void>> runs = new ArrayList<>();
        for (int k = 0; k < CRASHES; k++) {
            FakeSystem s = systems.get(6 + k);
            // spread over the whole create: discovery, claim, boot override, reset, waiting for power
            long delay = k * 2000L + random.nextInt(2000);
            String op = "op-kill-" + k;
            runs.add(() -> {
                Path journal = Peers.workDir("journal");
                Path out = journal.resolveSibling(journal.getFileName() + ".child.log");
                String java = ProcessHandle.current().info().command().orElse("java");
                Process child = new ProcessBuilder(java, "-Dorg.slf4j.simpleLogger.showDateTime=true",
                        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-cp", System.getProperty("java.class.path"), CrashingCreate.class.getName(),
                        journal.toString(), proxy.address(), USER, PASSWORD, op, node(s)).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!read(out).contains("STARTED") && child.isAlive() && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertThat(read(out)).as("the child started provisioning").contains("STARTED");
                boolean finished = child.waitFor(delay, TimeUnit.MILLISECONDS);
                if (!finished) {
                    child.destroyForcibly(); // SIGKILL
                    child.waitFor(10, TimeUnit.SECONDS);
                }
                Operation left = new OperationJournal(journal).get(op).orElse(null);

                BmcProvider provider = provider(journal);
                MachineStatus status = settle(provider, provider.create(request(op, s, Map.of()), context(40)));
                Operation done = provider.provisioner().journal().get(op).orElseThrow();
                int resets = resets(s);
                String outcome = "kill " + delay + " ms into create: " + (finished ? "child had finished" : "left "
                        + (left == null ? "no record" : left.phase())) + ", resets " + resets + (done.note() == null ? "" : ", note");
                outcomes.add(outcome);
                assertThat(status.state()).as(outcome).isEqualTo(MachineState.RUNNING);
                assertThat(resets).as(outcome).isLessThanOrEqualTo(1);
                if (resets == 0) {
                    assertThat(done.note()).as(outcome).contains("may not have reached the BMC");
                }
                try (var files = Files.list(journal)) {
                    assertThat(files.filter(f -> f.toString().endsWith(".json")).count()).as("one record per operation").isEqualTo(1);
                }
                provider.close();
                return null;
            });
        }
        all(runs);
        System.out.println("kill -9 outcomes (seed " + seed + "):\n  " + String.join("\n  ", outcomes));
    }

    /** The steps of a status without their times. */
    static List<String> names(MachineStatus status) {
        return status.steps().stream().map(l -> {
            assertThat(Instant.parse(l.substring(0, l.indexOf(' ')))).isNotNull();
            return l.substring(l.indexOf(' ') + 1);
        }).toList();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
