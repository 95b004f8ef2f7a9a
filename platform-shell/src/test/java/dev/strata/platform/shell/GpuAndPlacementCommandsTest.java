package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GpuAndPlacementCommandsTest {

    static final String UUID = "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444";

    static Node gpuNode() {
        Accelerator h200 = new Accelerator(UUID, "NVIDIA", "NVIDIA H200", 143771L << 20, "9.0", "0000:00:06.0", null, 0, CpuSet.parseList("0-15"),
                new PciLink(32, 16, 32, 16), null, 0, List.of(),
                List.of(new PartitionProfile("1g.18gb", 19, 7, 16L << 30, 16, 1, 7, List.of(0, 1, 2, 3, 4, 5, 6), 1)), false,
                new PowerLimits(700, 700, 200, 700), Health.OK, Map.of("driverVersion", "580.159.04"));
        return Fixtures.node().withDevices(List.of(h200.onNode("baremetal:gpu1", 0)),
                List.of(new DevicePath(UUID, "mlx5_0", TopologyLevel.SINGLE, 0), new DevicePath("mlx5_0", UUID, TopologyLevel.SINGLE, 0)));
    }

    static Telemetry telemetry(GpuSample... samples) {
        return new Telemetry() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                return List.of(samples);
            }

            @Override
            public Optional<GpuSample> latest(String acceleratorId) {
                return latestGpuSamples().stream().filter(s -> s.acceleratorId().equals(acceleratorId)).findFirst();
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return latestGpuSamples().stream().filter(s -> s.acceleratorId().equals(acceleratorId)).limit(limit).toList();
            }
        };
    }

    private static List<String> cells(String line) {
        return CommandsTest.cells(line);
    }

    @Test
    void gpusListsModelMemoryMigAndLiveTelemetry() throws Exception {
        GpusCommand command = new GpusCommand();
        command.inventory = Fixtures.inventory(gpuNode());
        command.telemetry = telemetry(new GpuSample(UUID, Instant.now(), 97, 60, 80L << 30, 692, 61, 1980, Set.of("SW_POWER_CAP"), 0, 0));
        command.noFormat = true;
        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(cells(lines.get(0))).containsExactly("baremetal:gpu1", UUID, "NVIDIA H200", "140.4 GiB", "off (1 profiles)", "-", "0",
                "97 %", "80.0 GiB", "692 W / 700 W", "61 C", "OK");
    }

    /**
     * Telemetry answers every source's latest sample, two for a GPU two sources sample (one that
     * stopped sampling, another that took over): the newest is shown, whichever source's it is. The
     * later source's was shown whatever its age: the stopped source's utilisation and power of an
     * hour ago read as the GPU's now.
     */
    @Test
    void gpusShowsTheNewestSampleOfAGpuThatTwoSourcesSample() throws Exception {
        Instant now = Instant.now();
        GpuSample current = new GpuSample(UUID, now, 97, 60, 80L << 30, 692, 61, 1980, Set.of(), 0, 0);
        GpuSample anHourOld = new GpuSample(UUID, now.minusSeconds(3600), 3, 1, 1L << 30, 90, 35, 210, Set.of(), 0, 0);
        GpusCommand command = new GpusCommand();
        command.inventory = Fixtures.inventory(gpuNode());
        command.noFormat = true;
        for (List<GpuSample> answered : List.of(List.of(current, anHourOld), List.of(anHourOld, current))) {
            command.telemetry = telemetry(answered.toArray(GpuSample[]::new));
            List<String> lines = CommandOutput.of(command::execute).lines().toList();
            assertThat(lines).hasSize(1);
            assertThat(cells(lines.get(0)).subList(7, 11)).as("the newest sample, answered %s", answered.get(0) == current ? "first" : "last").containsExactly("97 %", "80.0 GiB", "692 W / 700 W", "61 C");
        }
    }

    @Test
    void gpusSaysSoWhenThereAreNone() throws Exception {
        GpusCommand command = new GpusCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        assertThat(CommandOutput.of(command::execute)).startsWith("No GPUs in the inventory");
    }

    @Test
    void gpuShowsDetailAndSamples() throws Exception {
        GpuCommand command = new GpuCommand();
        command.inventory = Fixtures.inventory(gpuNode());
        command.telemetry = telemetry(new GpuSample(UUID, Instant.parse("2026-11-27T05:00:00Z"), 97, 60, 80L << 30, 692, 61, 1980,
                Set.of("SW_POWER_CAP"), 0, 0));
        command.id = UUID;
        command.noFormat = true;
        String out = CommandOutput.of(command::execute);
        assertThat(out).contains("PCIe          gen5 x16 (max gen5 x16)", "Power limit   700 W enforced, default 700 W, range 200 W to 700 W",
                "driverVersion 580.159.04");
        assertThat(out.lines().map(GpuAndPlacementCommandsTest::cells)).contains(
                List.of("1g.18gb", "19", "7", "16.0 GiB", "16", "1/7", "{0,1,2,3,4,5,6}:1"),
                List.of("2026-11-27T05:00:00Z", "97 %", "60 %", "80.0 GiB", "692 W", "61 C", "1980 MHz", "SW_POWER_CAP", "0", "0"),
                List.of("mlx5_0", "SINGLE", "-"));

        command.id = "GPU-nope";
        assertThatThrownBy(command::execute).hasMessage("no GPU 'GPU-nope'; known GPUs: " + UUID);
    }

    /**
     * A negative sample count is a clear error naming the option (it printed "No telemetry samples
     * (yet)." for a GPU that has samples); -s 0 shows no sample section at all.
     */
    /**
     * Two nodes whose providers report a GPU with one id (a declared rack and a BMC that both know
     * the card): strata:gpu showed only the last node's, silently, as if the inventory held one
     * GPU of that id. It says how many there are and shows each, with its node.
     */
    @Test
    void gpuShowsEveryGpuThatSharesAnId() throws Exception {
        Node first = gpuNode();
        Accelerator same = first.accelerators().get(0);
        Node second = Fixtures.node().toBuilder().id("declared:rack1-n07").build().withDevices(List.of(same.onNode("declared:rack1-n07", 0)),
                List.of());
        GpuCommand command = new GpuCommand();
        command.inventory = Fixtures.inventory(first, second);
        command.telemetry = telemetry();
        command.id = UUID;
        command.noFormat = true;

        List<String> lines = CommandOutput.of(command::execute).lines().toList();

        assertThat(lines.get(0)).isEqualTo("2 GPUs have the id " + UUID + ", on nodes baremetal:gpu1, declared:rack1-n07; each is shown, "
                + "and the samples are those reported for the id.");
        assertThat(lines.stream().filter(l -> l.startsWith("Node "))).containsExactly(
                "Node          baremetal:gpu1, PCI 0000:00:06.0, NUMA 0, CPUs 0-15",
                "Node          declared:rack1-n07, PCI 0000:00:06.0, NUMA 0, CPUs 0-15");
        assertThat(lines).containsOnlyOnce("No telemetry samples (yet).");
    }

    @Test
    void gpuRefusesANegativeSampleCount() throws Exception {
        GpuCommand command = new GpuCommand();
        command.inventory = Fixtures.inventory(gpuNode());
        command.telemetry = telemetry(new GpuSample(UUID, Instant.parse("2026-11-27T05:00:00Z"), 97, 60, 80L << 30, 692, 61, 1980,
                Set.of(), 0, 0));
        command.id = UUID;
        command.samples = -1;
        assertThatThrownBy(command::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--samples -1 is negative; expected how many samples to show, 0 or more");
        command.samples = 0;
        String out = CommandOutput.of(command::execute);
        assertThat(out).contains("Power limit").doesNotContain("No telemetry samples").doesNotContain("Latest samples");
    }

    @Test
    void aProfileWithoutVendorIdOrMultiprocessorCountShowsDashesNotMinusOneAndZero() throws Exception {
        Accelerator declared = new Accelerator("fra-1-h100-01/gpu0", "NVIDIA", "NVIDIA H100", 80L << 30, null, null, null, -1, CpuSet.EMPTY,
                null, null, 0, List.of(), List.of(new PartitionProfile("1g.10gb", -1, 7, 10L << 30, 0, 1, 7, List.of(), 1)), false,
                new PowerLimits(700, 700, 200, 700), Health.OK, Map.of());
        GpuCommand command = new GpuCommand();
        command.inventory = Fixtures.inventory(Fixtures.node().withDevices(List.of(declared.onNode("baremetal:gpu1", -1)), List.of()));
        command.id = declared.id();
        command.noFormat = true;

        String out = CommandOutput.of(command::execute);

        assertThat(out.lines().map(GpuAndPlacementCommandsTest::cells)).contains(List.of("1g.10gb", "-", "7", "10.0 GiB", "-", "1/7", "-"));
    }

    /** The SHARE column to a tenth of a percent, as placement counts shares: a whole percent showed a 0.001 share as 0%. */
    @Test
    void placeShowsTheShareOfAGpuReservedToATenthOfAPercent() {
        PlacementDecision d = new PlacementDecision("tiny", "bank", true, false, "a-000001",
                List.of(new MemberBinding("probe", "fra-1-h100-01", "fra-1", List.of("fra-1-h100-01/gpu0"), 0.001, null, -1, null, 100, 1L << 30, 40,
                        null)),
                List.of(), List.of(), "placed 1 member on 1 node at fra-1", 7, 3, 1, Duration.ofMillis(1));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PlaceCommand.print(d, new PrintStream(buffer, true, StandardCharsets.UTF_8), true);
        assertThat(buffer.toString(StandardCharsets.UTF_8).lines().map(GpuAndPlacementCommandsTest::cells)).contains(List.of("probe",
                "fra-1-h100-01", "fra-1", "gpu0", "0.1%", "-", "-", "-", "-", "0.1", "1.0 GiB", "40.0 W"));
    }

    @Test
    void placeExplainsBindingsEvidenceAndRejections() {
        PlacementDecision d = new PlacementDecision("llm", "bank", true, true, null,
                List.of(new MemberBinding("trainer", "fra-1-h100-01", "fra-1", List.of("fra-1-h100-01/gpu0", "fra-1-h100-01/gpu1"), 1, "fra-1-h100-01/nvlink", 0, "fra-1-ib",
                        8000, 64L << 30, 1400, "rack-1")),
                List.of(new ClauseEvidence("sovereignty.countries", "site fra-1 country=DE in [DE, FR]")),
                List.of(new Rejection("trainer", "country US not in [DE, FR]", 48)), "placed 1 member on 1 node at fra-1", 7, 3, 92,
                Duration.ofMillis(2));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PlaceCommand.print(d, new PrintStream(buffer, true, StandardCharsets.UTF_8), true);
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("Contract llm of tenant bank: would be placed (dry run, nothing reserved)");
        assertThat(out).contains("  sovereignty.countries: site fra-1 country=DE in [DE, FR]",
                "Nodes considered: 92 nodes, each counted once under every member (members alike share their lines)\n  trainer\n"
                        + "    48 nodes: country US not in [DE, FR]\n", "Decided in 2.0 ms on inventory generation 7, ledger generation 3.");
        assertThat(out.lines().map(GpuAndPlacementCommandsTest::cells)).contains(List.of("trainer", "fra-1-h100-01", "fra-1", "gpu0,gpu1", "100%", "-",
                "fra-1-h100-01/nvlink", "0", "fra-1-ib", "8.0", "64.0 GiB", "1.4 kW"));
    }

    /**
     * Numbers are written as the README shows them whatever the JVM's locale (Karaf's is the
     * system's): in a German locale the time a placement took read {@code 2,0 ms}, in an Arabic one
     * every number of the line and of a GPU's PCIe link was written in that locale's digits.
     */
    @Test
    void placeAndGpuWriteTheirNumbersAlikeWhateverTheLocale() throws Exception {
        PlacementDecision d = new PlacementDecision("llm", "bank", true, true, null, List.of(), List.of(), List.of(),
                "placed 1 member on 1 node at fra-1", 7, 3, 92, Duration.ofMillis(2));
        GpuCommand gpu = new GpuCommand();
        gpu.inventory = Fixtures.inventory(gpuNode());
        gpu.id = UUID;
        gpu.samples = 0;
        for (String tag : List.of("de-DE", "ar-EG")) {
            assertThat(CommandOutput.inLocale(tag, () -> {
                PlaceCommand.print(d, System.out, true);
                return null;
            })).as(tag).contains("Decided in 2.0 ms on inventory generation 7, ledger generation 3.");
            assertThat(CommandOutput.inLocale(tag, gpu::execute)).as(tag).contains("PCIe          gen5 x16 (max gen5 x16)");
        }
    }

    @Test
    void aRefusalListsEveryMembersNodesOnceAndTheGangsOwnLinesApart() {
        PlacementDecision d = new PlacementDecision("g", "t1", false, true, null, List.of(), List.of(),
                List.of(new Rejection("w-0, w-1", "could hold it alone, but no RDMA fabric it is on can hold the whole gang", 3),
                        new Rejection("w-0, w-1", "power domain rack-1 (rack): 39.0 kW of its 41.0 kW budget reserved, no room for it", 1),
                        new Rejection("*", "the gang does not fit on RDMA fabric ib-a (24 free GPUs on nodes that meet the contract)", 0)),
                "not placed: every member fits on some node, but the gang fits on no single RDMA fabric (1 fabric with room tried)", 1, 0, 4,
                Duration.ofMillis(1));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PlaceCommand.print(d, new PrintStream(buffer, true, StandardCharsets.UTF_8), true);
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("""
                Why not: 4 nodes, each counted once under every member (members alike share their lines)
                  w-0, w-1
                    3 nodes: could hold it alone, but no RDMA fabric it is on can hold the whole gang
                    1 node: power domain rack-1 (rack): 39.0 kW of its 41.0 kW budget reserved, no room for it
                  the gang as a whole
                    the gang does not fit on RDMA fabric ib-a (24 free GPUs on nodes that meet the contract)
                """);
    }
}
