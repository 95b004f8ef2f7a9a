package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.provider.nvidia.DerivedCaptures;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything the nvidia-smi commands printed on the real H200 and H100, mapped to Strata's model. */
class SmiMapperTest {

    static DiscoveredGpus mapCaptured(String machine, PciSysfs sysfs) {
        Path dir = Fixtures.nvidia(machine);
        SmiLog log = SmiXmlParser.parse(Fixtures.bytes(dir.resolve("nvidia-smi-q.xml")));
        Map<String, String> ccs = new HashMap<>();
        QueryCsv.parse(Fixtures.text(dir.resolve("query.csv"))).forEach(row -> ccs.put(row.get("uuid"), row.get("compute_cap")));
        return SmiMapper.map(log, ccs, TopoMatrix.parse(Fixtures.text(dir.resolve("topo-m.txt"))),
                MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), Fixtures.text(dir.resolve("mig-lgipp.txt"))),
                Map.of(), sysfs, "host:test");
    }

    @Test
    void mapsTheH200(@TempDir Path noSysfs) {
        DiscoveredGpus found = mapCaptured("h200-vm", new PciSysfs(noSysfs));

        assertThat(found.source()).isEqualTo("nvidia-smi");
        assertThat(found.accelerators()).hasSize(1);
        assertThat(found.interconnects()).isEmpty();
        assertThat(found.paths()).isEmpty();
        Accelerator gpu = found.accelerators().get(0);
        assertThat(gpu.id()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(gpu.vendor()).isEqualTo("NVIDIA");
        assertThat(gpu.model()).isEqualTo("NVIDIA H200");
        assertThat(gpu.memoryBytes()).isEqualTo(143771L << 20).isEqualTo(150754820096L);
        assertThat(gpu.computeCapability()).isEqualTo("9.0");
        assertThat(gpu.pciAddress()).isEqualTo("0000:00:06.0");
        assertThat(gpu.nodeId()).isNull();
        assertThat(gpu.numaNode()).isZero();
        assertThat(gpu.cpuAffinity()).isEqualTo(CpuSet.parseList("0-15"));
        assertThat(gpu.pcie()).isEqualTo(new PciLink(32, 16, 32, 16));
        assertThat(gpu.pcie().currentGeneration()).isEqualTo(5);
        assertThat(gpu.links()).isEmpty();
        assertThat(gpu.interconnectDomain()).isNull();
        assertThat(gpu.linkBandwidthGBps()).isZero();
        assertThat(gpu.partitionProfiles()).hasSize(7);
        assertThat(gpu.partitionProfiles().get(0).name()).isEqualTo("1g.18gb");
        assertThat(gpu.partitioningEnabled()).isFalse();
        assertThat(gpu.power()).isEqualTo(new PowerLimits(700, 700, 200, 700));
        assertThat(gpu.health()).isEqualTo(Health.OK);
        assertThat(gpu.attributes()).containsEntry("serial", "1653724063754").containsEntry("driverVersion", "580.159.04")
                .containsEntry("cudaVersion", "13.0").containsEntry("vbiosVersion", "96.00.A5.00.1A")
                .containsEntry("eccMode", "Enabled").containsEntry("migModePending", "Disabled")
                .containsEntry("source", "nvidia-smi").doesNotContainKey("gpuNumaNode");
    }

    @Test
    void mapsTheH100(@TempDir Path noSysfs) {
        Accelerator gpu = mapCaptured("h100-vm", new PciSysfs(noSysfs)).accelerators().get(0);

        assertThat(gpu.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpu.memoryBytes()).isEqualTo(81559L << 20).isEqualTo(85520809984L);
        assertThat(gpu.computeCapability()).isEqualTo("9.0");
        assertThat(gpu.partitionProfiles()).extracting(p -> p.name())
                .containsExactly("1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb");
        assertThat(gpu.power().enforcedWatts()).isEqualTo(700);
    }

    @Test
    void fallsBackToSysfsForLocalityAndReadsNvLinkStatus(@TempDir Path sysfs) throws Exception {
        Path device = Files.createDirectories(sysfs.resolve("0000:00:06.0"));
        Files.writeString(device.resolve("numa_node"), "1\n");
        Files.writeString(device.resolve("local_cpulist"), "8-15\n");
        Path dir = Fixtures.nvidia("h200-vm");
        SmiLog log = SmiXmlParser.parse(Fixtures.bytes(dir.resolve("nvidia-smi-q.xml")));
        String uuid = log.gpus().get(0).uuid();
        Map<String, List<DeviceLink>> links = NvLinkStatusParser.parse("GPU 0: NVIDIA H200 (UUID: " + uuid + ")\n"
                + "\t Link 0: 26.562 GB/s\n\t Link 1: <inactive>\n");

        Accelerator gpu = SmiMapper.map(log, Map.of(), null, Map.of(), links, new PciSysfs(sysfs), "host:test").accelerators().get(0);

        assertThat(gpu.numaNode()).isEqualTo(1);
        assertThat(gpu.cpuAffinity()).isEqualTo(CpuSet.parseList("8-15"));
        assertThat(gpu.computeCapability()).isNull();
        assertThat(gpu.partitionProfiles()).isEmpty();
        assertThat(gpu.links()).containsExactly(new DeviceLink(0, null, null, 26.562, true), new DeviceLink(1, null, null, 0, false));
        assertThat(gpu.linkBandwidthGBps()).isEqualTo(26.562);
        assertThat(gpu.interconnectDomain()).isEqualTo("nvlink:" + uuid);
    }
    /**
     * An eight-GPU host whose GPU 3 has no UUID ({@link DerivedCaptures#eightGpusOneWithoutUuid}:
     * the real H200 capture copied to eight GPUs, GPU 3's {@code <uuid>} made N/A). GPU 3 is
     * reported FAILED, with every other fact it shows, under an id made of the host and its PCI
     * address that no UUID can equal; the other seven are mapped as usual.
     */
    @Test
    void oneGpuWithoutUuidIsReportedFailedAndTheOtherSevenAsUsual(@TempDir Path noSysfs) {
        Path dir = Fixtures.nvidia("h200-vm");
        String captured = Fixtures.text(dir.resolve("nvidia-smi-q.xml"));
        SmiLog log = SmiXmlParser.parse(DerivedCaptures.eightGpusOneWithoutUuid(captured, 3).getBytes(StandardCharsets.UTF_8));
        String host = "machine-id:0123456789abcdef0123456789abcdef";

        DiscoveredGpus found = SmiMapper.map(log, Map.of(), TopoMatrix.parse(Fixtures.text(dir.resolve("topo-m.txt"))),
                MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), Fixtures.text(dir.resolve("mig-lgipp.txt"))),
                Map.of(), new PciSysfs(noSysfs), host);

        assertThat(found.accelerators()).hasSize(8);
        String uuid = "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444";
        for (int i = 0; i < 8; i++) {
            Accelerator gpu = found.accelerators().get(i);
            assertThat(gpu.pciAddress()).isEqualTo(i == 0 ? "0000:00:06.0" : String.format("0000:%02x:00.0", 0x10 + i));
            assertThat(gpu.model()).isEqualTo("NVIDIA H200");
            assertThat(gpu.memoryBytes()).isEqualTo(143771L << 20);
            if (i != 3) {
                assertThat(gpu.id()).isEqualTo(DerivedCaptures.uuidOf(uuid, i));
                assertThat(gpu.health()).isEqualTo(Health.OK);
            }
        }
        Accelerator broken = found.accelerators().get(3);
        assertThat(broken.id()).isEqualTo("nvidia-no-uuid:machine-id:0123456789abcdef0123456789abcdef/0000:13:00.0")
                .doesNotStartWith("GPU-");
        assertThat(broken.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(broken.health().reasons()).containsExactly("GPU 3 at PCI 0000:13:00.0 has no UUID (nvidia-smi -q -x shows none)");
        assertThat(broken.power()).isEqualTo(new PowerLimits(700, 700, 200, 700));
        assertThat(broken.attributes()).containsEntry("serial", "1653724063754").containsEntry("source", "nvidia-smi");
        // the same document mapped again: the same id, so the GPU keeps it from one discovery to the next
        assertThat(SmiMapper.map(log, Map.of(), null, Map.of(), Map.of(), new PciSysfs(noSysfs), host).accelerators().get(3).id())
                .isEqualTo(broken.id());
    }

    /**
     * The real H200 capture with MIG enabled and its frame buffer's total printed N/A, as
     * {@code nvidia-smi} prints what NVML withholds (hand-made on the capture: no fixture has a
     * MIG-enabled GPU). Its memory size is its largest MIG profile's, 7g.141gb of the captured
     * {@code mig -lgip} (140 GiB), named in its attributes, and its health is OK. Before, it was 0.
     */
    @Test
    void aMigEnabledGpuWhoseTotalIsNotShownHasItsLargestProfilesMemory(@TempDir Path noSysfs) {
        Path dir = Fixtures.nvidia("h200-vm");
        String captured = Fixtures.text(dir.resolve("nvidia-smi-q.xml"));
        String withheld = captured.replace("<current_mig>Disabled</current_mig>", "<current_mig>Enabled</current_mig>")
                .replaceFirst("(<fb_memory_usage>\\s*<total>)[^<]*(</total>)", "$1N/A$2");
        assertThat(withheld).contains("<current_mig>Enabled</current_mig>").doesNotContain("<total>143771 MiB</total>");
        SmiLog log = SmiXmlParser.parse(withheld.getBytes(StandardCharsets.UTF_8));

        Accelerator gpu = SmiMapper.map(log, Map.of(), TopoMatrix.parse(Fixtures.text(dir.resolve("topo-m.txt"))),
                MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), Fixtures.text(dir.resolve("mig-lgipp.txt"))),
                Map.of(), new PciSysfs(noSysfs), "host:test").accelerators().get(0);

        assertThat(gpu.partitioningEnabled()).isTrue();
        assertThat(gpu.memoryBytes()).isEqualTo(140L << 30);
        assertThat(gpu.attributes()).containsEntry("memoryFromProfile", "7g.141gb");
        assertThat(gpu.health()).isEqualTo(Health.OK);

        Accelerator whole = SmiMapper.map(SmiXmlParser.parse(Fixtures.bytes(dir.resolve("nvidia-smi-q.xml"))), Map.of(), null,
                MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), Fixtures.text(dir.resolve("mig-lgipp.txt"))),
                Map.of(), new PciSysfs(noSysfs), "host:test").accelerators().get(0);
        assertThat(whole.memoryBytes()).as("the total, where it is shown").isEqualTo(143771L << 20);
        assertThat(whole.attributes()).doesNotContainKey("memoryFromProfile");
    }

    /**
     * An eight-GPU host whose GPU 5 has no product name ({@link DerivedCaptures#eightGpusOneWithoutProductName}:
     * the real H200 capture copied to eight GPUs, GPU 5's {@code <product_name>} made N/A). GPU 5 is
     * reported FAILED under its UUID, with model unknown and every other fact it shows; the other
     * seven are mapped as usual.
     */
    @Test
    void oneGpuWithoutProductNameIsReportedFailedAndTheOtherSevenAsUsual(@TempDir Path noSysfs) {
        Path dir = Fixtures.nvidia("h200-vm");
        String captured = Fixtures.text(dir.resolve("nvidia-smi-q.xml"));
        SmiLog log = SmiXmlParser.parse(DerivedCaptures.eightGpusOneWithoutProductName(captured, 5).getBytes(StandardCharsets.UTF_8));

        DiscoveredGpus found = SmiMapper.map(log, Map.of(), TopoMatrix.parse(Fixtures.text(dir.resolve("topo-m.txt"))),
                MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), Fixtures.text(dir.resolve("mig-lgipp.txt"))),
                Map.of(), new PciSysfs(noSysfs), "host:test");

        assertThat(found.accelerators()).hasSize(8);
        String uuid = "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444";
        for (int i = 0; i < 8; i++) {
            Accelerator gpu = found.accelerators().get(i);
            assertThat(gpu.id()).isEqualTo(DerivedCaptures.uuidOf(uuid, i));
            assertThat(gpu.memoryBytes()).isEqualTo(143771L << 20);
            if (i != 5) {
                assertThat(gpu.model()).isEqualTo("NVIDIA H200");
                assertThat(gpu.health()).isEqualTo(Health.OK);
            }
        }
        Accelerator unnamed = found.accelerators().get(5);
        assertThat(unnamed.model()).isEqualTo("unknown");
        assertThat(unnamed.pciAddress()).isEqualTo("0000:15:00.0");
        assertThat(unnamed.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(unnamed.health().reasons()).containsExactly("GPU 5 at PCI 0000:15:00.0 has no product name (nvidia-smi -q -x shows none)");
        assertThat(unnamed.power()).isEqualTo(new PowerLimits(700, 700, 200, 700));
        assertThat(unnamed.attributes()).containsEntry("serial", "1653724063754").containsEntry("source", "nvidia-smi");
    }
    /**
     * The memory repair flags drivers from 570 print under {@code <ecc_errors>} count towards
     * health. No capture shows a GPU with one set, so each case is the real H200 {@code -q -x} with
     * one flag changed from {@code No} to {@code Yes} by hand.
     */
    @Test
    void memoryThatCannotBeRepairedFailsAGpuAndAPendingRepairOrSramErrorsOverTheirThresholdDegradeIt(@TempDir Path noSysfs) {
        String captured = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));

        assertThat(healthWith(captured, "unrepairable_memory", noSysfs))
                .isEqualTo(new Health(Health.Status.FAILED, List.of("memory unrepairable")));
        assertThat(healthWith(captured, "channel_repair_pending", noSysfs))
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("memory channel repair pending (reset required)")));
        assertThat(healthWith(captured, "tpc_repair_pending", noSysfs))
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("TPC repair pending (reset required)")));
        assertThat(healthWith(captured, "sram_threshold_exceeded", noSysfs))
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("SRAM uncorrectable errors over their threshold")));
        assertThat(healthWith(captured, null, noSysfs)).isEqualTo(Health.OK);
    }

    /**
     * The recovery action the driver asks for after an uncorrectable error ({@code <gpu_recovery_action>},
     * {@code None} in both captures) counts towards health: a reset or a reboot fails the GPU, which
     * cannot be used until then; a drain degrades it. No capture shows another action than
     * {@code None}, so each case is the real H200 {@code -q -x} with that element changed by hand.
     */
    @Test
    void aRecoveryActionTheDriverAsksForFailsOrDegradesTheGpu(@TempDir Path noSysfs) {
        String captured = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        String none = "<gpu_recovery_action>None</gpu_recovery_action>";
        assertThat(captured).contains(none);

        for (String action : new String[] {"Reset", "Reboot"}) {
            assertThat(healthOf(captured.replace(none, "<gpu_recovery_action>" + action + "</gpu_recovery_action>"), noSysfs))
                    .isEqualTo(new Health(Health.Status.FAILED, List.of("the driver asks for recovery action " + action)));
        }
        for (String action : new String[] {"Drain P2P", "Drain and Reset"}) {
            assertThat(healthOf(captured.replace(none, "<gpu_recovery_action>" + action + "</gpu_recovery_action>"), noSysfs))
                    .isEqualTo(new Health(Health.Status.DEGRADED, List.of("the driver asks for recovery action " + action)));
        }
        assertThat(healthOf(captured, noSysfs)).isEqualTo(Health.OK);
    }

    /**
     * A recovery action nvidia-smi cannot read is no action the driver asks for: the element then holds the error text
     * nvidia-smi prints in place of a value ({@code Insufficient Permissions} to a caller without the privileges,
     * {@code ERR!}, or the bracketed forms such as {@code [Unknown Error]} of its CSV output). Before, each was taken for an
     * action and the GPU made DEGRADED, reason {@code the driver asks for recovery action Insufficient Permissions}. Each
     * case is the real H200 {@code -q -x} with that element changed by hand.
     */
    @Test
    void aRecoveryActionNvidiaSmiCannotReadLeavesTheGpuOk(@TempDir Path noSysfs) {
        String captured = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        String none = "<gpu_recovery_action>None</gpu_recovery_action>";
        assertThat(captured).contains(none);

        for (String unread : new String[] {"Insufficient Permissions", "[Insufficient Permissions]", "[Unknown Error]", "ERR!",
            "[N/A]", "[Not Supported]"}) {
            assertThat(healthOf(captured.replace(none, "<gpu_recovery_action>" + unread + "</gpu_recovery_action>"), noSysfs))
                    .as(unread).isEqualTo(Health.OK);
        }
    }

    private static Health healthOf(String xml, Path noSysfs) {
        SmiLog log = SmiXmlParser.parse(xml.getBytes(StandardCharsets.UTF_8));
        return SmiMapper.map(log, Map.of(), null, Map.of(), Map.of(), new PciSysfs(noSysfs), "host:test").accelerators().get(0).health();
    }

    /** The health nvidia-smi's capture maps to with the flag {@code element} set to Yes (none when null). */
    private static Health healthWith(String captured, String element, Path noSysfs) {
        String xml = captured;
        if (element != null) {
            String no = "<" + element + ">No</" + element + ">";
            assertThat(captured).contains(no);
            xml = captured.replace(no, "<" + element + ">Yes</" + element + ">");
        }
        SmiLog log = SmiXmlParser.parse(xml.getBytes(StandardCharsets.UTF_8));
        return SmiMapper.map(log, Map.of(), null, Map.of(), Map.of(), new PciSysfs(noSysfs), "host:test").accelerators().get(0).health();
    }
}
