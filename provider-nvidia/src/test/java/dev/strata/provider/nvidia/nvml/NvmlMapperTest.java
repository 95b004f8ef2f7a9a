package dev.strata.provider.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.DerivedCaptures;
import dev.strata.provider.nvidia.FakeNvidiaSmi;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.XidLog;
import dev.strata.provider.nvidia.smi.MigProfileParser;
import dev.strata.provider.nvidia.smi.SmiLog;
import dev.strata.provider.nvidia.smi.SmiMapper;
import dev.strata.provider.nvidia.smi.SmiMapperTestAccess;
import dev.strata.provider.nvidia.smi.SmiSource;
import dev.strata.provider.nvidia.smi.SmiXmlParser;
import dev.strata.provider.nvidia.smi.TopoMatrix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NvmlMapper} over {@link RecordedNvml}: the H200's recorded NVML values (a fixture-backed
 * stand-in for the real library, which this machine lacks) and synthetic NVLink/NVSwitch systems.
 */
class NvmlMapperTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T03:40:05Z"), ZoneOffset.UTC);
    private static final String HOST = "machine-id:0123456789abcdef0123456789abcdef";

    @TempDir
    Path noSysfs;

    private DiscoveredGpus map(RecordedNvml nvml, XidLog xids) {
        nvml.init();
        return NvmlMapper.map(nvml, xids, new PciSysfs(noSysfs), HOST);
    }

    @Test
    void mapsTheRecordedH200() {
        DiscoveredGpus found = map(RecordedNvml.h200(), new XidLog(CLOCK));

        assertThat(found.source()).isEqualTo("nvml");
        assertThat(found.accelerators()).hasSize(1);
        assertThat(found.interconnects()).isEmpty();
        assertThat(found.paths()).isEmpty();
        Accelerator gpu = found.accelerators().get(0);
        assertThat(gpu.id()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(gpu.vendor()).isEqualTo("NVIDIA");
        assertThat(gpu.model()).isEqualTo("NVIDIA H200");
        assertThat(gpu.memoryBytes()).isEqualTo(150754820096L);
        assertThat(gpu.computeCapability()).isEqualTo("9.0");
        assertThat(gpu.pciAddress()).isEqualTo("0000:00:06.0");
        assertThat(gpu.numaNode()).isZero();
        assertThat(gpu.cpuAffinity()).isEqualTo(CpuSet.parseList("0-15"));
        assertThat(gpu.pcie()).isEqualTo(new PciLink(32, 16, 32, 16));
        assertThat(gpu.links()).isEmpty();
        assertThat(gpu.interconnectDomain()).isNull();
        assertThat(gpu.partitioningEnabled()).isFalse();
        assertThat(gpu.partitionProfiles()).extracting(p -> p.name())
                .containsExactly("1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb");
        assertThat(gpu.partitionProfiles().get(2).placements()).containsExactly(0, 2, 4, 6);
        assertThat(gpu.partitionProfiles()).extracting(p -> p.totalSlices()).containsOnly(7);
        assertThat(gpu.power()).isEqualTo(new PowerLimits(700, 700, 200, 700));
        assertThat(gpu.health()).isEqualTo(Health.OK);
        assertThat(gpu.attributes()).containsEntry("serial", "1653724063754").containsEntry("driverVersion", "580.159.04")
                .containsEntry("cudaVersion", "13.0").containsEntry("vbiosVersion", "96.00.A5.00.1A")
                .containsEntry("eccMode", "Enabled").containsEntry("migModePending", "Disabled").containsEntry("source", "nvml")
                .doesNotContainKey("gpuNumaNode");
    }

    @Test
    void agreesWithWhatNvidiaSmiPrintedOnTheSameGpu() {
        Accelerator viaNvml = map(RecordedNvml.h200(), new XidLog(CLOCK)).accelerators().get(0);
        Accelerator viaSmi = SmiMapperTestAccess.mapCaptured("h200-vm", new PciSysfs(noSysfs)).accelerators().get(0);

        Map<String, String> nvmlAttributes = new HashMap<>(viaNvml.attributes());
        Map<String, String> smiAttributes = new HashMap<>(viaSmi.attributes());
        nvmlAttributes.remove("source");
        smiAttributes.remove("source");
        assertThat(nvmlAttributes).isEqualTo(smiAttributes);
        assertThat(viaNvml).usingRecursiveComparison().withEqualsForType(CpuSet::equals, CpuSet.class).ignoringFields("attributes")
                .isEqualTo(viaSmi);
    }

    @Test
    void samplesTheRecordedTelemetry() {
        RecordedNvml nvml = RecordedNvml.h200();
        nvml.init();

        GpuSample sample = NvmlSamples.of(nvml, 0, "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444", CLOCK.instant());

        assertThat(sample.powerWatts()).isEqualTo(115.752);
        assertThat(sample.temperatureCelsius()).isEqualTo(41);
        assertThat(sample.gpuUtilisationPercent()).isZero();
        assertThat(sample.memoryUsedBytes()).isEqualTo(644939776L);
        assertThat(sample.smClockMHz()).isEqualTo(1980);
        assertThat(sample.throttleReasons()).containsExactly("GPU_IDLE");
        assertThat(sample.eccCorrected()).isZero();
        assertThat(sample.eccUncorrected()).isZero();
    }

    @Test
    void healthFollowsXidsThrottlingAndRowRemapping() {
        RecordedNvml nvml = RecordedNvml.h200();
        RecordedNvml.Device device = nvml.devices.get(0);
        device.clocksEventReasons = 0x1L | 0x4L | 0x40L;
        device.remappedRows = new Nvml.RemappedRows(0, 2, true, false);
        XidLog xids = new XidLog(CLOCK);

        Health degraded = map(nvml, xids).accelerators().get(0).health();
        assertThat(degraded.status()).isEqualTo(Health.Status.DEGRADED);
        assertThat(degraded.reasons()).containsExactly("remapped rows pending (reset required)",
                "clocks throttled: HW_THERMAL_SLOWDOWN");

        xids.record(device.uuid, 79);
        Health failed = NvmlMapper.map(nvml, xids, new PciSysfs(noSysfs), HOST).accelerators().get(0).health();
        assertThat(failed.status()).isEqualTo(Health.Status.FAILED);
        assertThat(failed.reasons()).startsWith("XID 79 reported");
    }

    @Test
    void unsupportedValuesAreUnknownNotErrors() {
        RecordedNvml nvml = new RecordedNvml();
        RecordedNvml.Device device = new RecordedNvml.Device();
        device.name = "NVIDIA GeForce RTX 4090";
        device.uuid = "GPU-consumer";
        device.pci = new Nvml.PciInfo("00000000:01:00.0", 0, 1, 0, 0, 0);
        device.memory = new Nvml.MemoryInfo(24L << 30, 0, 0);
        nvml.devices.add(device);

        Accelerator gpu = map(nvml, new XidLog(CLOCK)).accelerators().get(0);

        assertThat(gpu.computeCapability()).isNull();
        assertThat(gpu.pcie()).isNull();
        assertThat(gpu.power()).isEqualTo(PowerLimits.UNKNOWN);
        assertThat(gpu.partitionProfiles()).isEmpty();
        assertThat(gpu.partitioningEnabled()).isFalse();
        assertThat(gpu.links()).isEmpty();
        assertThat(gpu.numaNode()).isEqualTo(-1);
        assertThat(gpu.cpuAffinity()).isEqualTo(CpuSet.EMPTY);
        assertThat(gpu.health()).isEqualTo(Health.OK);
        assertThat(gpu.attributes()).containsOnlyKeys("source");
    }

    /**
     * The recorded H200 with MIG mode enabled and {@code nvmlDeviceGetMemoryInfo} answering
     * {@code NVML_ERROR_NO_PERMISSION}, as NVML answers a caller without the privileges to see every
     * MIG instance (hand-made on the capture: no fixture has a MIG-enabled GPU). Its memory size is
     * its largest MIG profile's, 7g.141gb of the captured {@code mig -lgip} (140 GiB, a little under
     * the 143,771 MiB NVML reports without MIG), named in its attributes; the GPU is not one NVML
     * "cannot read": its health is what its facts say (OK), and it keeps its UUID, MIG profiles and
     * everything else. Before, its memory was 0, and placement took the node for one whose GPUs have
     * none, refusing every contract that asks for GPU memory.
     */
    @Test
    void aMigEnabledGpuWhoseMemoryNvmlWithholdsHasItsLargestProfilesMemoryNotZero() {
        RecordedNvml nvml = RecordedNvml.h200();
        RecordedNvml.Device device = nvml.devices.get(0);
        device.mig = new Nvml.Modes(true, true);
        device.failing.put("nvmlDeviceGetMemoryInfo", NvmlErrors.NO_PERMISSION);

        Accelerator gpu = map(nvml, new XidLog(CLOCK)).accelerators().get(0);

        assertThat(gpu.health()).isEqualTo(Health.OK);
        assertThat(gpu.id()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(gpu.memoryBytes()).isEqualTo(140L << 30);
        assertThat(gpu.attributes()).containsEntry("memoryFromProfile", "7g.141gb");
        assertThat(gpu.partitioningEnabled()).isTrue();
        assertThat(gpu.partitionProfiles()).hasSize(7);
        assertThat(gpu.power()).isEqualTo(new PowerLimits(700, 700, 200, 700));
        assertThat(gpu.model()).isEqualTo("NVIDIA H200");

        GpuSample sample = NvmlSamples.of(nvml, 0, gpu.id(), CLOCK.instant());
        assertThat(sample.memoryUsedBytes()).isEqualTo(-1);
        assertThat(sample.powerWatts()).isEqualTo(115.752);
    }

    /**
     * A GPU whose name NVML answers blank (a driver that left the buffer empty) is, as nvidia-smi's
     * GPU without product name, FAILED with a reason naming it, of model {@value GpuIds#UNKNOWN_MODEL},
     * with everything else it answers; it does not fail the discovery of the host's other GPUs.
     */
    @Test
    void aGpuWithABlankNameIsOfUnknownModelAndTheOthersAreAsUsual() {
        RecordedNvml nvml = new RecordedNvml();
        for (String name : new String[] {" ", "NVIDIA L4"}) {
            RecordedNvml.Device device = new RecordedNvml.Device();
            device.name = name;
            device.uuid = "GPU-" + nvml.devices.size();
            device.pci = new Nvml.PciInfo("00000000:0" + (nvml.devices.size() + 1) + ":00.0", 0, nvml.devices.size() + 1, 0, 0, 0);
            device.memory = new Nvml.MemoryInfo(24L << 30, 0, 0);
            nvml.devices.add(device);
        }

        List<Accelerator> gpus = map(nvml, new XidLog(CLOCK)).accelerators();

        assertThat(gpus).extracting(Accelerator::model).containsExactly(GpuIds.UNKNOWN_MODEL, "NVIDIA L4");
        assertThat(gpus.get(0).memoryBytes()).isEqualTo(24L << 30);
        assertThat(gpus.get(0).health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(gpus.get(0).health().reasons()).containsExactly("GPU 0 at PCI 0000:01:00.0 has no name (nvmlDeviceGetName answers a blank one)");
        assertThat(gpus.get(1).health()).isEqualTo(Health.OK);
    }

    /**
     * An error that concerns NVML as a whole, not one GPU (here the recorded H200's
     * {@code nvmlDeviceGetMemoryInfo} answers {@code NVML_ERROR_LIB_RM_VERSION_MISMATCH}, as after a
     * driver upgrade under a running process), still fails the mapping, naming the NVML error.
     */
    @Test
    void errorsOfNvmlAsAWholeFailAndNameTheNvmlError() {
        RecordedNvml nvml = RecordedNvml.h200();
        nvml.init();
        nvml.devices.get(0).failing.put("nvmlDeviceGetMemoryInfo", NvmlErrors.LIB_RM_VERSION_MISMATCH);

        assertThatThrownBy(() -> {
            try {
                NvmlMapper.map(nvml, new XidLog(CLOCK), new PciSysfs(noSysfs), HOST);
            } catch (NvmlException e) {
                throw NvmlErrors.translate(e);
            }
        }).isInstanceOf(ProviderFailureException.class).hasMessageContaining("nvmlDeviceGetMemoryInfo")
                .hasMessageContaining("NVML_ERROR_LIB_RM_VERSION_MISMATCH");
    }

    /**
     * An eight-GPU host ({@link RecordedNvml#eightH200s}: the recorded H200 copied to eight GPUs)
     * whose GPU 3 NVML cannot reach at all: its {@code nvmlDeviceGetHandleByIndex_v2} answered
     * {@code NVML_ERROR_GPU_IS_LOST}, so every call of it does. GPU 3 is reported FAILED with the
     * reason naming its index and what NVML answered, under the id of a GPU without UUID whose PCI
     * address is unknown too, with model unknown, memory 0 and no links, profiles or paths; the
     * other seven are mapped as the recorded H200 is, with their paths.
     */
    @Test
    void oneGpuNvmlCannotReachIsReportedFailedAndTheOtherSevenAsUsual() {
        RecordedNvml nvml = RecordedNvml.eightH200s();
        for (int a = 0; a < 8; a++) {
            for (int b = a + 1; b < 8; b++) {
                nvml.topology.put(a + "-" + b, Nvml.TOPOLOGY_SYSTEM);
            }
        }
        nvml.devices.get(3).failWith = NvmlErrors.GPU_IS_LOST;
        Accelerator recorded = map(RecordedNvml.h200(), new XidLog(CLOCK)).accelerators().get(0);

        DiscoveredGpus found = map(nvml, new XidLog(CLOCK));

        assertThat(found.accelerators()).hasSize(8);
        for (int gpu : new int[] {0, 1, 2, 4, 5, 6, 7}) {
            Accelerator a = found.accelerators().get(gpu);
            assertThat(a.id()).isEqualTo(DerivedCaptures.uuidOf(recorded.id(), gpu));
            assertThat(a).usingRecursiveComparison().withEqualsForType(CpuSet::equals, CpuSet.class).ignoringFields("id", "pciAddress")
                    .isEqualTo(recorded);
        }
        Accelerator lost = found.accelerators().get(3);
        assertThat(lost.id()).isEqualTo("nvidia-no-uuid:" + HOST + "/index-3");
        assertThat(lost.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(lost.health().reasons()).containsExactly(
                "GPU 3 at PCI unknown cannot be read (nvmlDeviceGetHandleByIndex_v2 returned NVML_ERROR_GPU_IS_LOST (15))");
        assertThat(lost.vendor()).isEqualTo("NVIDIA");
        assertThat(lost.model()).isEqualTo("unknown");
        assertThat(lost.memoryBytes()).isZero();
        assertThat(lost.pciAddress()).isNull();
        assertThat(lost.computeCapability()).isNull();
        assertThat(lost.links()).isEmpty();
        assertThat(lost.partitionProfiles()).isEmpty();
        assertThat(lost.interconnectDomain()).isNull();
        assertThat(lost.power()).isEqualTo(PowerLimits.UNKNOWN);
        assertThat(lost.attributes()).containsEntry("driverVersion", "580.159.04").containsEntry("source", "nvml");
        assertThat(found.paths()).hasSize(7 * 6).noneMatch(p -> p.from().equals(lost.id()) || p.to().equals(lost.id()));
        // mapped again: the same ids
        assertThat(map(nvml, new XidLog(CLOCK)).accelerators()).extracting(Accelerator::id)
                .isEqualTo(found.accelerators().stream().map(Accelerator::id).toList());
    }

    /**
     * GPUs that NVML answers in part, on the eight recorded H200s: GPU 5's
     * {@code nvmlDeviceGetMemoryInfo} answers {@code NVML_ERROR_UNKNOWN} (its handle, PCI
     * information, UUID and name are answered); GPU 6's {@code nvmlDeviceGetPciInfo_v3} and
     * {@code nvmlDeviceGetUUID} answer {@code NVML_ERROR_GPU_IS_LOST}. Each is reported FAILED with
     * what it still answered: GPU 5 under its UUID and PCI address with its model and memory 0, GPU 6
     * under the id of a GPU without UUID, saying both what NVML answered instead of its PCI
     * information and instead of its UUID.
     */
    @Test
    void gpusNvmlAnswersInPartAreReportedFailedWithWhatTheyStillAnswer() {
        RecordedNvml nvml = RecordedNvml.eightH200s();
        nvml.devices.get(5).failing.put("nvmlDeviceGetMemoryInfo", 999);
        nvml.devices.get(6).failing.put("nvmlDeviceGetPciInfo_v3", NvmlErrors.GPU_IS_LOST);
        nvml.devices.get(6).failing.put("nvmlDeviceGetUUID", NvmlErrors.GPU_IS_LOST);

        DiscoveredGpus found = map(nvml, new XidLog(CLOCK));

        assertThat(found.accelerators()).hasSize(8).filteredOn(a -> a.health().equals(Health.OK)).hasSize(6);
        Accelerator five = found.accelerators().get(5);
        assertThat(five.id()).isEqualTo(nvml.devices.get(5).uuid);
        assertThat(five.pciAddress()).isEqualTo("0000:15:00.0");
        assertThat(five.model()).isEqualTo("NVIDIA H200");
        assertThat(five.memoryBytes()).isZero();
        assertThat(five.health()).isEqualTo(new Health(Health.Status.FAILED,
                List.of("GPU 5 at PCI 0000:15:00.0 cannot be read (nvmlDeviceGetMemoryInfo returned NVML_ERROR_UNKNOWN (999))")));
        Accelerator six = found.accelerators().get(6);
        assertThat(six.id()).isEqualTo("nvidia-no-uuid:" + HOST + "/index-6");
        assertThat(six.pciAddress()).isNull();
        assertThat(six.model()).isEqualTo("NVIDIA H200");
        assertThat(six.memoryBytes()).isEqualTo(150754820096L);
        assertThat(six.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(six.health().reasons()).containsExactly(
                "GPU 6 at PCI unknown cannot be read (nvmlDeviceGetPciInfo_v3 returned NVML_ERROR_GPU_IS_LOST (15))",
                "GPU 6 at PCI unknown has no UUID (nvmlDeviceGetUUID returned NVML_ERROR_GPU_IS_LOST (15))");
    }

    /**
     * An eight-GPU host whose GPU 3 answers {@code nvmlDeviceGetUUID} with an error: GPU 3 is
     * reported FAILED, with every other fact NVML gives, under an id made of the host and its PCI
     * address that no UUID can equal; the other seven are mapped as usual. An answer that is no
     * {@code GPU-} UUID (empty) counts as none too.
     */
    @Test
    void oneGpuWhoseUuidNvmlCannotReadIsReportedFailedAndTheOtherSevenAsUsual() {
        RecordedNvml nvml = new RecordedNvml();
        for (int gpu = 0; gpu < 8; gpu++) {
            nvml.devices.add(synthetic(gpu));
        }
        nvml.devices.get(3).uuid = null;
        nvml.devices.get(3).uuidFailsWith = 14; // NVML_ERROR_CORRUPTED_INFOROM
        nvml.devices.get(3).remappedRows = new Nvml.RemappedRows(0, 1, true, false);
        nvml.devices.get(6).uuid = "";

        DiscoveredGpus found = map(nvml, new XidLog(CLOCK));

        assertThat(found.accelerators()).hasSize(8);
        for (int gpu : new int[] {0, 1, 2, 4, 5, 7}) {
            assertThat(found.accelerators().get(gpu).id()).isEqualTo("GPU-" + gpu);
            assertThat(found.accelerators().get(gpu).health()).isEqualTo(Health.OK);
        }
        Accelerator broken = found.accelerators().get(3);
        assertThat(broken.id()).isEqualTo("nvidia-no-uuid:" + HOST + "/0000:13:00.0").doesNotStartWith("GPU-");
        assertThat(broken.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(broken.memoryBytes()).isEqualTo(81559L << 20);
        assertThat(broken.pciAddress()).isEqualTo("0000:13:00.0");
        assertThat(broken.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(broken.health().reasons()).containsExactly(
                "GPU 3 at PCI 0000:13:00.0 has no UUID (nvmlDeviceGetUUID returned NVML_ERROR_CORRUPTED_INFOROM (14))",
                "remapped rows pending (reset required)");
        assertThat(found.accelerators().get(6).id()).isEqualTo("nvidia-no-uuid:" + HOST + "/0000:16:00.0");
        assertThat(found.accelerators().get(6).health().reasons())
                .containsExactly("GPU 6 at PCI 0000:16:00.0 has no UUID (nvmlDeviceGetUUID returned no GPU- UUID)");
        // mapped again: the same ids
        assertThat(map(nvml, new XidLog(CLOCK)).accelerators()).extracting(Accelerator::id)
                .isEqualTo(found.accelerators().stream().map(Accelerator::id).toList());
    }

    /**
     * A GPU whose infoROM is corrupted, on the eight recorded H200s: GPU 3's {@code nvmlDeviceValidateInforom} answers
     * {@code NVML_ERROR_CORRUPTED_INFOROM} (changed from the recording, which lacks the call), GPU 0's answers success, and
     * the others' are left unrecorded (not supported, as on a driver without the call). GPU 3 alone is DEGRADED, with the
     * reason {@code infoROM corrupted} and everything else as the recorded H200's; an unrecorded answer is no finding.
     * Before, the infoROM was not validated and GPU 3 was OK.
     */
    @Test
    void aGpuWhoseInforomIsCorruptedIsDegradedAndTheOthersAsUsual() {
        RecordedNvml nvml = RecordedNvml.eightH200s();
        nvml.devices.get(0).inforomCorrupted = false;
        nvml.devices.get(3).inforomCorrupted = true;
        Accelerator recorded = map(RecordedNvml.h200(), new XidLog(CLOCK)).accelerators().get(0);

        DiscoveredGpus found = map(nvml, new XidLog(CLOCK));

        assertThat(found.accelerators()).hasSize(8);
        for (int gpu = 0; gpu < 8; gpu++) {
            Accelerator a = found.accelerators().get(gpu);
            assertThat(a).usingRecursiveComparison().withEqualsForType(CpuSet::equals, CpuSet.class)
                    .ignoringFields("id", "pciAddress", "health").isEqualTo(recorded);
            assertThat(a.health()).as("GPU %d", gpu).isEqualTo(gpu == 3
                    ? new Health(Health.Status.DEGRADED, List.of("infoROM corrupted")) : recorded.health());
        }
        assertThat(recorded.health()).isEqualTo(Health.OK);
    }

    /**
     * The same corrupted infoROM gets the same health through NVML as through nvidia-smi: the recorded H200 with
     * {@code nvmlDeviceValidateInforom} answering {@code NVML_ERROR_CORRUPTED_INFOROM}, and the real H200 captures replayed
     * with {@code WARNING: infoROM is corrupted at gpu 0000:00:06.0} in front of each command's output and exit status 14
     * (where {@code -q -x} prints the bus id as {@code 00000000:00:06.0}). Before, NVML did not validate the infoROM and
     * nvidia-smi's discovery failed on the exit status.
     */
    @Test
    void aCorruptedInforomIsTheSameThroughNvmlAndNvidiaSmi() throws Exception {
        RecordedNvml nvml = RecordedNvml.h200();
        nvml.devices.get(0).inforomCorrupted = true;
        Accelerator viaNvml = map(nvml, new XidLog(CLOCK)).accelerators().get(0);
        Path replay = FakeNvidiaSmi.replaying(noSysfs, Fixtures.nvidia("h200-vm"));
        Path smi = FakeNvidiaSmi.answering(noSysfs, Map.of("*",
                "echo 'WARNING: infoROM is corrupted at gpu 0000:00:06.0'; '" + replay + "' \"$@\" || exit; exit 14"));
        SmiSource source = new SmiSource(smi.toString(), Duration.ofSeconds(10), new PciSysfs(noSysfs.resolve("sys")), CLOCK, HOST);
        Accelerator viaSmi = source.discover(DiscoveryContext.withTimeout("op-inforom", Duration.ofSeconds(30))).accelerators().get(0);

        assertThat(viaNvml.id()).isEqualTo(viaSmi.id());
        assertThat(viaNvml.health()).isEqualTo(viaSmi.health())
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("infoROM corrupted")));
    }

    /**
     * The same GPU without UUID gets the same id and health through NVML as through nvidia-smi: the
     * recorded H200 with {@code nvmlDeviceGetUUID} not supported, and the real H200 capture with its
     * {@code <uuid>} made N/A.
     */
    @Test
    void aGpuWithoutUuidIsTheSameThroughNvmlAndNvidiaSmi() {
        RecordedNvml nvml = RecordedNvml.h200();
        nvml.devices.get(0).uuid = null;
        Accelerator viaNvml = map(nvml, new XidLog(CLOCK)).accelerators().get(0);
        Path dir = Fixtures.nvidia("h200-vm");
        String xml = Fixtures.text(dir.resolve("nvidia-smi-q.xml")).replaceFirst("<uuid>[^<]*</uuid>", "<uuid>N/A</uuid>");
        SmiLog log = SmiXmlParser.parse(xml.getBytes(StandardCharsets.UTF_8));
        Accelerator viaSmi = SmiMapper.map(log, Map.of(), TopoMatrix.parse(Fixtures.text(dir.resolve("topo-m.txt"))),
                MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), Fixtures.text(dir.resolve("mig-lgipp.txt"))),
                Map.of(), new PciSysfs(noSysfs), HOST).accelerators().get(0);

        assertThat(viaNvml.id()).isEqualTo(viaSmi.id()).isEqualTo("nvidia-no-uuid:" + HOST + "/0000:00:06.0");
        assertThat(viaNvml.health().status()).isEqualTo(viaSmi.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(viaNvml.health().reasons()).singleElement().asString()
                .startsWith("GPU 0 at PCI 0000:00:06.0 has no UUID (nvmlDeviceGetUUID returned NVML_ERROR_NOT_SUPPORTED");
        assertThat(viaSmi.health().reasons()).containsExactly("GPU 0 at PCI 0000:00:06.0 has no UUID (nvidia-smi -q -x shows none)");
        assertThat(viaNvml).usingRecursiveComparison().withEqualsForType(CpuSet::equals, CpuSet.class)
                .ignoringFields("attributes", "health", "computeCapability").isEqualTo(viaSmi);
    }

    @Test
    void groupsAnNvSwitchSystemIntoOneDomain() {
        RecordedNvml nvml = new RecordedNvml();
        for (int gpu = 0; gpu < 4; gpu++) {
            RecordedNvml.Device device = synthetic(gpu);
            device.nvLinkActive = new ArrayList<>();
            for (int link = 0; link < 18; link++) {
                device.nvLinkActive.add(true);
                device.remotePci.put(link, new Nvml.PciInfo(String.format("00000000:%02X:00.0", 0xA0 + link % 4), 0, 0, 0, 0, 0));
                device.remoteType.put(link, Nvml.NVLINK_DEVICE_SWITCH);
            }
            nvml.devices.add(device);
        }
        for (int a = 0; a < 4; a++) {
            for (int b = a + 1; b < 4; b++) {
                nvml.topology.put(a + "-" + b, a / 2 == b / 2 ? Nvml.TOPOLOGY_NODE : Nvml.TOPOLOGY_SYSTEM);
            }
        }

        DiscoveredGpus found = map(nvml, new XidLog(CLOCK));

        assertThat(found.interconnects()).hasSize(1);
        Fabric domain = found.interconnects().get(0);
        assertThat(domain.technology()).isEqualTo("NVSwitch");
        assertThat(domain.members()).containsExactlyInAnyOrder("GPU-0", "GPU-1", "GPU-2", "GPU-3");
        assertThat(domain.linkBandwidthGbps()).isEqualTo(18 * 25 * 8);
        Accelerator gpu0 = found.accelerators().get(0);
        assertThat(gpu0.interconnectDomain()).isEqualTo("nvlink:GPU-0");
        assertThat(gpu0.linkBandwidthGBps()).isEqualTo(450);
        assertThat(gpu0.links()).hasSize(18).allSatisfy(l -> {
            assertThat(l.peerKind()).isEqualTo("SWITCH");
            assertThat(l.bandwidthGBps()).isEqualTo(25);
            assertThat(l.active()).isTrue();
        });
        assertThat(found.paths()).hasSize(12).contains(new DevicePath("GPU-0", "GPU-1", TopologyLevel.NODE, 18),
                new DevicePath("GPU-3", "GPU-0", TopologyLevel.SYSTEM, 18));
    }

    @Test
    void groupsDirectNvLinksIntoPairsAndLeavesTheLoneGpuOut() {
        RecordedNvml nvml = new RecordedNvml();
        for (int gpu = 0; gpu < 3; gpu++) {
            nvml.devices.add(synthetic(gpu));
        }
        for (int gpu = 0; gpu < 2; gpu++) {
            RecordedNvml.Device device = nvml.devices.get(gpu);
            device.nvLinkActive = new ArrayList<>(List.of(true, true, true, true, false));
            for (int link = 0; link < 4; link++) {
                device.remotePci.put(link, nvml.devices.get(1 - gpu).pci);
                device.remoteType.put(link, Nvml.NVLINK_DEVICE_GPU);
            }
        }
        nvml.devices.get(2).nvLinkActive = new ArrayList<>(List.of(false, false));
        nvml.topology.put("0-1", Nvml.TOPOLOGY_HOSTBRIDGE);
        nvml.topology.put("0-2", Nvml.TOPOLOGY_SYSTEM);
        nvml.topology.put("1-2", Nvml.TOPOLOGY_SYSTEM);

        DiscoveredGpus found = map(nvml, new XidLog(CLOCK));

        assertThat(found.interconnects()).singleElement().satisfies(f -> {
            assertThat(f.members()).isEqualTo(Set.of("GPU-0", "GPU-1"));
            assertThat(f.technology()).isEqualTo("NVLink");
        });
        assertThat(found.accelerators().get(2).interconnectDomain()).isNull();
        assertThat(found.accelerators().get(2).links()).extracting(DeviceLink::active).containsOnly(false);
        assertThat(found.accelerators().get(0).links().get(0))
                .isEqualTo(new DeviceLink(0, "0000:11:00.0", "GPU", 25, true));
        assertThat(found.accelerators().get(0).linkBandwidthGBps()).isEqualTo(100);
        assertThat(found.paths()).contains(new DevicePath("GPU-0", "GPU-1", TopologyLevel.HOSTBRIDGE, 4),
                new DevicePath("GPU-1", "GPU-0", TopologyLevel.HOSTBRIDGE, 4),
                new DevicePath("GPU-0", "GPU-2", TopologyLevel.SYSTEM, 0));
    }

    private static RecordedNvml.Device synthetic(int index) {
        RecordedNvml.Device device = new RecordedNvml.Device();
        device.name = "NVIDIA H100 80GB HBM3";
        device.uuid = "GPU-" + index;
        device.pci = new Nvml.PciInfo(String.format("00000000:%02X:00.0", 0x10 + index), 0, 0x10 + index, 0, 0, 0);
        device.memory = new Nvml.MemoryInfo(81559L << 20, 0, 0);
        device.cc = new int[] {9, 0};
        return device;
    }
}
