package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.SettableClock;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.compute.NovaClient;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.placement.Inventory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flavors whose extra specs Strata must read as Nova does, on the Nova stand-in and a real
 * Placement (the host: 16 VCPU, 64 GiB, 1000 GB).
 */
class FlavorSpecsStandInTest {

    static final String PROVIDER = "os-standin";
    static final Instant T = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir
    Path dir;
    final SettableClock clock = SettableClock.at(T);
    final String host = "host-" + UUID.randomUUID().toString().substring(0, 8);
    final String root = UUID.randomUUID().toString();
    final List<OpenStackCloud> clouds = new ArrayList<>();
    final List<Runnable> cleanUp = new ArrayList<>();
    NovaStandIn nova;
    URI placement;

    @BeforeEach
    void start() throws Exception {
        nova = NovaStandIn.start(root, host);
        placement = SharedPlacement.get().url();
        OpenStackCloud writer = cloud();
        DiscoveryContext c = context();
        writer.placement().createProvider(root, host, null, c);
        writer.placement().putInventories(root, 0, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536),
                "DISK_GB", Inventory.of("DISK_GB", 1000)), c);
        cleanUp.add(() -> writer.placement().deleteProvider(root, context()));
    }

    @AfterEach
    void stop() {
        cleanUp.forEach(Runnable::run);
        clouds.forEach(c -> c.close(true));
        nova.close();
    }

    OpenStackCloud cloud() {
        return cloud(Map.of());
    }

    OpenStackCloud cloud(Map<String, Object> more) {
        java.util.Map<String, Object> m = TestClouds.passwordConfig(dir, "http://127.0.0.1:1/v3", "unused");
        m.put("strata.provider.id", PROVIDER);
        m.put("image", "76208bca-7c50-46e6-9d3c-503081dddf8d");
        m.put("networks", "none");
        m.put("flavorPolicy", "match");
        m.putAll(more);
        OpenStackSettings settings = OpenStackSettings.from(TestClouds.config(m));
        StaticSession session = new StaticSession(new OpenStackHttp(Duration.ofSeconds(2), Duration.ofSeconds(5)),
                Map.of("compute", nova.url(), "placement", placement), NovaStandIn.CALLER_PROJECT);
        OpenStackCloud cloud = new OpenStackCloud(settings, session, clock);
        clouds.add(cloud);
        return cloud;
    }

    static DiscoveryContext context() {
        return TestClouds.context(Duration.ofSeconds(20));
    }

    /**
     * Before, a flavor whose {@code resources:} extra spec is not a whole number of 0 or more
     * ({@code resources:CUSTOM_MAGIC=one}, set by an operator through a compute microversion before
     * 2.86, where Nova does not validate extra specs; Nova's scheduler ignores such an amount with a
     * warning) made {@code FitModel.forFlavor} throw a {@link NumberFormatException} out of the
     * discovery of every host and out of every create without a flavor parameter. Now such a flavor,
     * and one with a negative amount, is left out of the flavors Strata considers, logged once at
     * WARN with the flavor and the spec; a member that names it is refused with a
     * {@link StrataException} that says why.
     */
    @Test
    void aFlavorWithAResourceAmountThatIsNotANumberIsLeftOutOfDiscoveryAndCreate() throws Exception {
        String typo = "magic.typo-" + UUID.randomUUID().toString().substring(0, 8);
        String negative = "a1.minus-" + UUID.randomUUID().toString().substring(0, 8);
        nova.addFlavor("m1.small", 1, 512, 1, Map.of());
        nova.addFlavor(typo, 2, 2048, 1, Map.of("resources:CUSTOM_MAGIC", "one"));
        nova.addFlavor(negative, 1, 512, 1, Map.of("resources:DISK_GB", "-1"));
        OpenStackCloud cloud = cloud();

        assertThatCode(() -> cloud.discoverCompute(context())).as("discovery of a cloud with flavors whose extra spec is malformed")
                .doesNotThrowAnyException();
        ComputeSnapshot snapshot = cloud.discoverCompute(context());
        Node node = snapshot.nodes().get(0);
        assertThat(node.attributes().get("nova.flavorsThatFitNow")).isEqualTo("m1.small");

        MachineRequest request = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m0", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
        MachineStatus made = cloud.create(request, context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.flavorOf(made.handle().machineId())).isEqualTo("m1.small");

        MachineRequest naming = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", typo));
        assertThatThrownBy(() -> cloud.create(naming, context())).isInstanceOf(StrataException.class)
                .hasMessageContaining("names flavor '" + typo + "', whose extra spec resources:CUSTOM_MAGIC=one is not a whole number");

        String log = Files.readString(LogFile.path());
        assertThat(occurrences(log, "WARN " + NovaClient.class.getName() + " - Nova flavor " + typo + " (")).as("warnings about %s", typo)
                .isEqualTo(1);
        assertThat(log).contains("Nova flavor " + typo + " (").contains("has extra spec resources:CUSTOM_MAGIC=one");
        assertThat(occurrences(log, "WARN " + NovaClient.class.getName() + " - Nova flavor " + negative + " (")).as("warnings about %s",
                negative).isEqualTo(1);
        assertThat(log).contains("has extra spec resources:DISK_GB=-1");
    }

    /**
     * Before, a flavor whose {@code vcpus}, {@code ram} or {@code disk} Nova gave as text, left out
     * or negative was read as 0 (or the negative): it was listed as fitting every host, and one
     * without its disk, being the smallest that holds a member, was chosen for it. Now such a
     * flavor is Nova's malformed answer: left out of discovery and of the choice, logged once at
     * WARN naming it (printable) and what is wrong, and a member that names it is refused saying
     * why; the other flavors are used as before.
     */
    @Test
    void aFlavorWhoseSizesNovaGivesMalformedIsLeftOutOfDiscoveryAndCreate() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String textCpus = "a0.text-" + tag;
        String noDisk = "a1.nodisk-" + tag;
        String minusRam = "a0.minus\u001b[2J-" + tag;
        nova.addFlavor("m1.small", 1, 512, 1, Map.of());
        com.fasterxml.jackson.databind.node.JsonNodeFactory n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        nova.describeFlavor(nova.addFlavor(textCpus, 1, 512, 1, Map.of()), "vcpus", n.textNode("four"));
        nova.describeFlavor(nova.addFlavor(noDisk, 1, 512, 1, Map.of()), "disk", null);
        nova.describeFlavor(nova.addFlavor(minusRam, 1, 512, 1, Map.of()), "ram", n.numberNode(-1));
        OpenStackCloud cloud = cloud();

        Node node = cloud.discoverCompute(context()).nodes().get(0);
        assertThat(node.attributes().get("nova.flavorsThatFitNow")).as("flavors that fit, those Nova describes malformed left out")
                .isEqualTo("m1.small");

        MachineRequest request = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m0", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
        MachineStatus made = cloud.create(request, context());
        assertThat(nova.flavorOf(made.handle().machineId())).as("the flavor chosen for a 1-CPU, 512 MiB member").isEqualTo("m1.small");

        MachineRequest naming = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", textCpus));
        assertThatThrownBy(() -> cloud.create(naming, context())).isInstanceOf(StrataException.class)
                .hasMessageContaining("names flavor '" + textCpus + "', which Nova describes with vcpus \"four\", where a whole number of 1 "
                        + "or more was expected");

        // read by its id, as after Strata makes a flavor: the malformed answer, named, not a flavor of 0 VCPU
        NovaClient client = new NovaClient(new StaticSession(new OpenStackHttp(Duration.ofSeconds(2), Duration.ofSeconds(5)),
                Map.of("compute", nova.url()), NovaStandIn.CALLER_PROJECT), new com.fasterxml.jackson.databind.ObjectMapper());
        String id = nova.flavorId(textCpus);
        assertThatThrownBy(() -> client.flavor(id, context())).isInstanceOf(StrataException.class)
                .hasMessageEndingWith("/flavors/" + id + " with flavor " + id + " described with vcpus \"four\", where a whole number of 1 or "
                        + "more was expected");

        String log = Files.readString(LogFile.path());
        assertThat(occurrences(log, "WARN " + NovaClient.class.getName() + " - Nova flavor " + textCpus + " (")).as("warnings about %s",
                textCpus).isEqualTo(1);
        assertThat(log).contains("Nova flavor " + noDisk + " (").contains("has disk missing, where a whole number of 0 or more was expected");
        assertThat(log).as("the flavor's name, printable").contains("Nova flavor a0.minus\\u001b[2J-" + tag + " (")
                .contains("has ram -1, where a whole number of 1 or more was expected").doesNotContain("a0.minus\u001b");
    }

    /**
     * Text Nova gives about its flavors reaches the log, the refusals and the node's attributes
     * printable: a control, line-breaking or bidi character in a flavor's name or in a malformed
     * extra spec is shown escaped, as the provider shows Nova's other text. Before, the WARN about a
     * malformed extra spec named the flavor and the spec as Nova gave them, a member naming the
     * flavor was refused with the spec as it was, and {@code nova.flavorsThatFitNow} joined the
     * names of the flavors that fit as they were.
     */
    @Test
    void theTextNovaGivesAboutFlavorsIsShownPrintable() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String malformed = "magic\u001b[2J\n-" + tag;
        String fits = "m1.small\u202e-" + tag;
        nova.addFlavor(fits, 1, 512, 1, Map.of());
        nova.addFlavor(malformed, 2, 2048, 1, Map.of("resources:CUSTOM_MAGIC", "1\u001b]0;x\u0007"));
        OpenStackCloud cloud = cloud();

        Node node = cloud.discoverCompute(context()).nodes().get(0);
        assertThat(node.attributes().get("nova.flavorsThatFitNow")).as("the names of the flavors that fit, printable")
                .isEqualTo("m1.small\\u202e-" + tag);

        MachineRequest naming = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", malformed));
        assertThatThrownBy(() -> cloud.create(naming, context())).isInstanceOf(StrataException.class)
                .hasMessageContaining("', whose extra spec resources:CUSTOM_MAGIC=1\\u001b]0;x\\u0007 is not a whole number");

        String log = Files.readString(LogFile.path());
        assertThat(log).as("the WARN about the malformed extra spec").contains("WARN " + NovaClient.class.getName() + " - Nova flavor magic\\u001b[2J"
                + "\\u000a-" + tag + " (").contains("has extra spec resources:CUSTOM_MAGIC=1\\u001b]0;x\\u0007, an amount")
                .doesNotContain(malformed).doesNotContain("\u001b]0;x");
    }

    /**
     * The {@code flavor} parameter a member names is the contract's text, and a contract built in
     * code is not read by the contract reader that refuses control characters: each of the three
     * refusals (a flavor Nova does not have, one Nova describes with malformed sizes, one with a
     * malformed extra spec) quotes it printable. Before, they quoted it as it was, so a line break,
     * an escape or a bidi override in it reached the exception's message and from there the log
     * and the shell.
     */
    @Test
    void theFlavorAMemberNamesIsQuotedPrintableInItsRefusals() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String missing = "nosuch\u001b[2J\n[main] INFO forged\u202e-" + tag;
        String wrongSize = "text\u001b]0;x\u0007-" + tag;
        String badSpec = "magic\u2028-" + tag;
        nova.describeFlavor(nova.addFlavor(wrongSize, 1, 512, 1, Map.of()), "vcpus",
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode("four"));
        nova.addFlavor(badSpec, 1, 512, 1, Map.of("resources:CUSTOM_MAGIC", "one"));
        OpenStackCloud cloud = cloud();

        Map<String, String> refusals = Map.of(missing, "', which Nova does not have", wrongSize, "', which Nova describes with vcpus \"four\"",
                badSpec, "', whose extra spec resources:CUSTOM_MAGIC=one is not a whole number");
        refusals.forEach((named, why) -> {
            MachineRequest naming = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                    MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", named));
            assertThatThrownBy(() -> cloud.create(naming, context())).as("the refusal of flavor %s",
                    dev.strata.platform.api.exception.InvalidConfigurationException.printable(named)).isInstanceOf(StrataException.class)
                    .hasMessageContaining("names flavor '" + dev.strata.platform.api.exception.InvalidConfigurationException.printable(named) + why)
                    .message().doesNotContain(named);
        });
    }

    /**
     * A flavor whose id holds a space (Nova's API allows one inside a flavor's id, as an operator
     * may give with {@code openstack flavor create --id}) is read at {@code /flavors/my%20flavor},
     * as its extra specs are read and set. Before, the id was encoded for a form, {@code my+flavor},
     * which a path keeps as a plus: Nova answered 404, so the flavor read by its id was taken for
     * none (and one under Strata's name whose creation was cut short could not be completed).
     */
    @Test
    void aFlavorWhoseIdHoldsASpaceIsReadByItsId() {
        String id = "my flavor " + UUID.randomUUID().toString().substring(0, 8);
        nova.addFlavorAs(id, "m1.spaced", 1, 512, 1, 0, 0, Map.of(), true);
        NovaClient client = new NovaClient(new StaticSession(new OpenStackHttp(Duration.ofSeconds(2), Duration.ofSeconds(5)),
                Map.of("compute", nova.url()), NovaStandIn.CALLER_PROJECT), new com.fasterxml.jackson.databind.ObjectMapper());

        assertThat(client.flavor(id, context())).as("the flavor read by its id").hasValueSatisfying(f -> assertThat(f.name())
                .isEqualTo("m1.spaced"));
        assertThat(nova.count("GET", "/v2\\.1/flavors/my%20flavor%20.*")).as("reads at the id percent-encoded").isEqualTo(1);
    }

    static int occurrences(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Before, {@code Flavor.special()} looked at {@code resources:} classes alone, so a flavor that
     * asks Nova for a device another way was taken for a plain one: one that passes a GPU through
     * by PCI alias ({@code pci_passthrough:alias = a100:1}), being the smallest that holds a 1-CPU
     * member, was chosen for a member that asked for no GPU, whose server then took a GPU of the
     * host (or failed with No valid host where none was free). Now a flavor with a PCI alias, a
     * Cyborg device profile or dedicated CPUs (PCPU) is special: chosen only when the member names
     * it in its {@code flavor} parameter.
     */
    @Test
    void aFlavorThatAsksForDevicesOtherThanByResourcesIsChosenOnlyByName() {
        nova.addFlavor("gpu.a100.small", 1, 1024, 1, Map.of("pci_passthrough:alias", "a100:1"));
        nova.addFlavor("accel.small", 1, 1024, 1, Map.of("accel:device_profile", "fpga-gzip"));
        nova.addFlavor("pinned.small", 1, 1024, 1, Map.of("hw:cpu_policy", "dedicated"));
        nova.addFlavor("m1.medium", 2, 2048, 1, Map.of());
        OpenStackCloud cloud = cloud();

        MachineRequest request = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m0", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
        MachineStatus made = cloud.create(request, context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.flavorOf(made.handle().machineId())).as("the flavor of a member that asked for no GPU").isEqualTo("m1.medium");

        MachineRequest naming = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null),
                Map.of("flavor", "gpu.a100.small"));
        MachineStatus named = cloud.create(naming, context());
        assertThat(nova.flavorOf(named.handle().machineId())).as("the flavor a member names").isEqualTo("gpu.a100.small");
    }

    /**
     * Before, Strata counted a flavor's root {@code disk} alone as its DISK_GB, where Nova's
     * scheduler asks Placement for the root, ephemeral and swap disks together (swap in MiB, rounded
     * up to whole GiB): a flavor with a large ephemeral or swap disk was listed as fitting a host
     * that cannot hold it, and, being the smallest that holds a member, was chosen for it, whose
     * server then failed with No valid host. Now DISK_GB is what Nova asks for. The host has
     * 1000 GB.
     */
    @Test
    void aFlavorsEphemeralAndSwapDisksCountAsNovaCountsThem() {
        nova.addFlavor("m1.small", 1, 512, 1, Map.of());
        nova.addFlavor("a1.ephemeral", 1, 512, 10, 991, 0, Map.of(), true);        // 1001 GB
        nova.addFlavor("a1.swap", 1, 512, 1, 0, 1000 * 1024, Map.of(), true);      // 1001 GB
        nova.addFlavor("a1.swap-rounded", 1, 512, 2, 0, 998 * 1024 + 1, Map.of(), true); // 2 + 999 = 1001 GB
        nova.addFlavor("b1.all", 1, 512, 500, 400, 100 * 1024, Map.of(), true);   // 1000 GB: fits exactly
        OpenStackCloud cloud = cloud();

        Node node = cloud.discoverCompute(context()).nodes().get(0);
        assertThat(node.attributes().get("nova.flavorsThatFitNow")).as("flavors that fit a host of 1000 GB").isEqualTo("b1.all,m1.small");

        MachineRequest request = new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m0", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
        MachineStatus made = cloud.create(request, context());
        assertThat(nova.flavorOf(made.handle().machineId())).as("the flavor of a 1-CPU member").isEqualTo("m1.small");
    }

    /** What Nova parses: {@code swap} as {@code ""} (no swap, before compute 2.75) or MiB, {@code OS-FLV-EXT-DATA:ephemeral} in GiB. */
    @Test
    void theDiskGbAFlavorAsksPlacementFor() {
        dev.strata.provider.openstack.compute.Flavor f = new dev.strata.provider.openstack.compute.Flavor("id", "f", 1, 1024, 20, 30, 1025, true,
                Map.of());
        assertThat(f.placementDiskGiB()).isEqualTo(20 + 30 + 2);
        assertThat(f.request().resources()).containsEntry("DISK_GB", 52L);
        assertThat(new dev.strata.provider.openstack.compute.Flavor("id", "f", 1, 1024, 20, 30, 1025, true, Map.of("resources:DISK_GB", "5"))
                .request().resources()).as("resources:DISK_GB replaces what Nova computes").containsEntry("DISK_GB", 5L);
        assertThat(f.shape()).contains("20 GiB disk, 30 GiB ephemeral, 1025 MiB swap, public");
    }

    /** Which extra specs make a flavor special, and that a GPU member's flavor asks for its PGPU and nothing else. */
    @Test
    void theExtraSpecsThatMakeAFlavorSpecial() {
        assertThat(flavor(Map.of()).special()).isFalse();
        assertThat(flavor(Map.of("hw:cpu_policy", "shared", "trait:HW_CPU_X86_AVX2", "required", "resources:VCPU", "2")).special()).isFalse();
        assertThat(flavor(Map.of("pci_passthrough:alias", "a100:1")).special()).isTrue();
        assertThat(flavor(Map.of("accel:device_profile", "fpga-gzip")).special()).isTrue();
        assertThat(flavor(Map.of("hw:cpu_policy", "dedicated")).special()).isTrue();
        assertThat(flavor(Map.of("hw:cpu_policy", "mixed", "hw:cpu_dedicated_mask", "^0")).special()).isTrue();
        assertThat(flavor(Map.of("hw:vpmem", "4GB")).special()).isTrue();
        assertThat(flavor(Map.of("resources:CUSTOM_MAGIC", "1")).special()).isTrue();
        assertThat(flavor(Map.of("resources1:VGPU", "1")).special()).isTrue();
        assertThat(FlavorChooser.holds(flavor(Map.of("resources:PGPU", "1")), 1, 512, 1)).isTrue();
        assertThat(FlavorChooser.holds(flavor(Map.of("resources:PGPU", "1", "pci_passthrough:alias", "a100:1")), 1, 512, 1))
                .as("a flavor with one PGPU and one more GPU by PCI alias, for a member of one GPU").isFalse();
    }

    static dev.strata.provider.openstack.compute.Flavor flavor(Map<String, String> extraSpecs) {
        return new dev.strata.provider.openstack.compute.Flavor("id", "f", 1, 1024, 1, true, extraSpecs);
    }

    /**
     * A member placed on two H100 passed through by PCI (two child providers of the host in the real
     * Placement, as nova-compute reports them) gets a server whose flavor asks Nova for them by the
     * alias pciGpus names: an existing flavor of exactly that alias where one holds it (not a PGPU
     * flavor, not one with another alias besides), else, with flavorPolicy create, one Strata makes,
     * strata-4c-2048m-1g-2xh100 with pci_passthrough:alias = h100:2 for a member of 4 CPUs. Before, the member's flavor asked
     * for resources:PGPU, which the host does not have.
     */
    @Test
    void aMemberOnPciGpusGetsAFlavorAskingForThemByAlias() {
        DiscoveryContext c = context();
        OpenStackCloud writer = cloud();
        writer.placement().ensureResourceClass("CUSTOM_PCI_10DE_2330", c);
        for (String address : List.of("0000:1B:00.0", "0000:43:00.0")) {
            String gpu = UUID.randomUUID().toString();
            writer.placement().createProvider(gpu, host + "_" + address, root, c);
            writer.placement().putInventories(gpu, 0, Map.of("CUSTOM_PCI_10DE_2330", Inventory.of("CUSTOM_PCI_10DE_2330", 1)), c);
            cleanUp.add(0, () -> writer.placement().deleteProvider(gpu, context()));
        }
        nova.addFlavor("gpu.pgpu.2", 2, 2048, 1, Map.of("resources:PGPU", "2"));
        nova.addFlavor("gpu.h100.2.qat", 2, 2048, 1, Map.of("pci_passthrough:alias", "h100:2,qat:1"));
        Map<String, Object> pci = Map.of("pciGpus", "CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100");
        OpenStackCloud matching = cloud(pci);
        Node node = matching.discoverCompute(context()).nodes().get(0);
        assertThat(node.accelerators()).extracting(a -> a.model()).containsExactly("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3");
        MachineResources two = new MachineResources(2000, 2048L << 20, 2, node.accelerators().stream().map(a -> a.id()).toList(), null);

        assertThatThrownBy(() -> matching.create(new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m0", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), two, Map.of()), context())).isInstanceOf(StrataException.class)
                .hasMessageStartingWith("no flavor holds member m0 (needs 2 VCPU, 2048 MiB, 2 CUSTOM_PCI_10DE_2330 (PCI alias h100))");

        nova.addFlavor("gpu.h100.2", 2, 4096, 1, Map.of("pci_passthrough:alias", "h100:2"));
        MachineStatus chosen = matching.create(new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), two, Map.of()), context());
        assertThat(nova.flavorOf(chosen.handle().machineId())).isEqualTo("gpu.h100.2");

        Map<String, Object> create = new java.util.HashMap<>(pci);
        create.put("flavorPolicy", "create");
        MachineResources fourCpus = new MachineResources(4000, 2048L << 20, 2, two.gpuIds(), null);
        MachineStatus made = cloud(create).create(new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m2", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + host), fourCpus, Map.of()), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.flavorOf(made.handle().machineId())).isEqualTo("strata-4c-2048m-1g-2xh100");
        String madeId = cloud().nova().flavors(context()).stream().filter(f -> f.name().equals("strata-4c-2048m-1g-2xh100")).findFirst()
                .orElseThrow().id();
        assertThat(nova.extraSpecs(madeId)).isEqualTo(Map.of("pci_passthrough:alias", "h100:2"));
    }
}
