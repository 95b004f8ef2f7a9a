package dev.strata.provider.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciAddresses;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import dev.strata.provider.nvidia.device.XidLog;
import dev.strata.provider.nvidia.smi.SmiGpu;
import dev.strata.provider.nvidia.smi.SmiLog;
import dev.strata.provider.nvidia.smi.SmiRunner;
import dev.strata.provider.nvidia.smi.SmiSource;
import dev.strata.provider.nvidia.smi.SmiXmlParser;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real binding. Loading fails cleanly everywhere without a driver; where NVML loads (a GPU
 * host), the real library's answers are checked against {@code nvidia-smi -q -x}.
 */
class JnaNvmlTest {

    @Test
    void aLibraryThatIsNotThereIsUnavailableNotAnError() {
        assertThatThrownBy(() -> JnaNvml.load("/nonexistent/libnvidia-ml.so.1"))
                .isInstanceOf(SourceUnavailableException.class).hasMessageContaining("/nonexistent/libnvidia-ml.so.1");
    }

    /**
     * The configured {@code nvmlLibrary} path reaches the reason NVML is unavailable, which the
     * provider logs, quoted by the provider and by the loader's message: a line break or a terminal
     * escape in it would forge or rewrite that log line, so it is shown escaped, whether the file is
     * missing or is no library.
     */
    @Test
    void aConfiguredLibraryPathIsShownEscaped(@TempDir Path dir) throws Exception {
        Path odd = Files.createDirectories(dir.resolve("lib\u001b[31m\nforged"));
        Path notALibrary = Files.writeString(odd.resolve("libnvidia-ml.so.1"), "not a library\n");
        for (Path configured : List.of(odd.resolve("missing.so"), notALibrary)) {
            assertThatThrownBy(() -> JnaNvml.load(configured.toString())).isInstanceOf(SourceUnavailableException.class)
                    .satisfies(e -> {
                        assertThat(e.getMessage()).as("%s", configured.getFileName()).startsWith("NVML library not loadable (")
                                .contains("lib\\u001b[31m\\u000aforged");
                        assertThat(InvalidConfigurationException.printable(e.getMessage())).isEqualTo(e.getMessage());
                    });
        }
    }

    /**
     * A device whose {@code nvmlDeviceGetHandleByIndex_v2} fails with an error of its own keeps its
     * index, and each of its calls answers that error, while the other devices are read: a
     * stand-in {@code libnvidia-ml} (a proxy of {@link NvmlLibrary}, not the real library) counts
     * eight devices, answers the name and UUID of the recorded H200 ({@link RecordedNvml#eightH200s})
     * and {@code NVML_ERROR_GPU_IS_LOST} for the handle of device 3. An error of the handle call that
     * concerns NVML as a whole ({@code NVML_ERROR_UNINITIALIZED}) still fails {@code init}.
     */
    @Test
    void aDeviceWithoutHandleAnswersItsErrorAndTheOthersAreRead() {
        RecordedNvml recorded = RecordedNvml.eightH200s();
        JnaNvml nvml = new JnaNvml(standIn(recorded, 3, NvmlErrors.GPU_IS_LOST), "stand-in");

        nvml.init();

        assertThat(nvml.deviceCount()).isEqualTo(8);
        for (int gpu : new int[] {0, 1, 2, 4, 5, 6, 7}) {
            assertThat(nvml.name(gpu)).isEqualTo("NVIDIA H200");
            assertThat(nvml.uuid(gpu)).isEqualTo(recorded.devices.get(gpu).uuid);
        }
        assertThatThrownBy(() -> nvml.name(3)).isInstanceOfSatisfying(NvmlException.class, e -> {
            assertThat(e.function()).isEqualTo("nvmlDeviceGetHandleByIndex_v2");
            assertThat(e.code()).isEqualTo(NvmlErrors.GPU_IS_LOST);
        });
        assertThatThrownBy(() -> nvml.uuid(3)).hasMessage("nvmlDeviceGetHandleByIndex_v2 returned NVML_ERROR_GPU_IS_LOST (15)");
        nvml.close();

        JnaNvml uninitialised = new JnaNvml(standIn(recorded, 3, NvmlErrors.UNINITIALIZED), "stand-in");
        assertThatThrownBy(uninitialised::init).hasMessage("nvmlDeviceGetHandleByIndex_v2 returned NVML_ERROR_UNINITIALIZED (1)");
    }

    /**
     * A name as the board stores it reaches the model, the shell and the log: terminal escapes and
     * other control characters in it (hand-made on the recorded H200: no capture has one) become
     * spaces, so that {@code strata:gpus} cannot be made to recolour or rewrite the screen.
     */
    @Test
    void aNameWithControlCharactersIsCleaned() {
        RecordedNvml recorded = RecordedNvml.h200();
        recorded.devices.get(0).name = "NVIDIA\u001b[2J H200\u0007\u007f";
        JnaNvml nvml = new JnaNvml(standIn(recorded, -1, NvmlErrors.SUCCESS), "stand-in");

        nvml.init();

        assertThat(nvml.name(0)).isEqualTo("NVIDIA [2J H200");
        assertThat(nvml.uuid(0)).isEqualTo(recorded.devices.get(0).uuid);
        nvml.close();
    }

    /**
     * The driver's version as NVML answers it reaches every GPU's attributes, the shell and the
     * log, as a board's name does, and is cleaned as the name is: terminal escapes and other control
     * characters (hand-made on the recorded H200's driver, 580.159.04: no capture has one) become
     * spaces. Before, it was passed on as NVML wrote it.
     */
    @Test
    void theDriverVersionWithControlCharactersIsCleanedAsANameIs() {
        RecordedNvml recorded = RecordedNvml.h200();
        recorded.driver = "580.159.04\u001b[2J\r\n\u0007\t";
        JnaNvml nvml = new JnaNvml(standIn(recorded, -1, NvmlErrors.SUCCESS), "stand-in");

        nvml.init();

        assertThat(nvml.systemDriverVersion()).isEqualTo("580.159.04 [2J");
        nvml.close();
    }

    /**
     * A stand-in for {@code libnvidia-ml} answering from recorded devices: their count, handles (the
     * device index plus 0x1000), names and UUIDs, the driver's version; {@code handleError} for the handle of device
     * {@code lost}; {@code NVML_ERROR_NOT_SUPPORTED} for anything else.
     */
    private static NvmlLibrary standIn(RecordedNvml recorded, int lost, int handleError) {
        return (NvmlLibrary) Proxy.newProxyInstance(NvmlLibrary.class.getClassLoader(), new Class<?>[] {NvmlLibrary.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "nvmlInit_v2", "nvmlShutdown":
                            return NvmlErrors.SUCCESS;
                        case "nvmlDeviceGetCount_v2":
                            ((IntByReference) args[0]).setValue(recorded.devices.size());
                            return NvmlErrors.SUCCESS;
                        case "nvmlDeviceGetHandleByIndex_v2":
                            int index = (Integer) args[0];
                            if (index == lost) {
                                return handleError;
                            }
                            ((PointerByReference) args[1]).setValue(new Pointer(0x1000L + index));
                            return NvmlErrors.SUCCESS;
                        case "nvmlSystemGetDriverVersion":
                            byte[] version = recorded.driver.getBytes(StandardCharsets.US_ASCII);
                            System.arraycopy(version, 0, (byte[]) args[0], 0, version.length);
                            return NvmlErrors.SUCCESS;
                        case "nvmlDeviceGetName", "nvmlDeviceGetUUID":
                            RecordedNvml.Device device = recorded.devices.get((int) (Pointer.nativeValue((Pointer) args[0]) - 0x1000L));
                            byte[] text = (method.getName().endsWith("Name") ? device.name : device.uuid).getBytes(StandardCharsets.US_ASCII);
                            System.arraycopy(text, 0, (byte[]) args[1], 0, text.length);
                            return NvmlErrors.SUCCESS;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "toString":
                            return "stand-in libnvidia-ml";
                        default:
                            return NvmlErrors.NOT_SUPPORTED;
                    }
                });
    }

    @Test
    void theRealLibraryAgreesWithNvidiaSmi() throws Exception {
        JnaNvml nvml;
        try {
            nvml = JnaNvml.load("");
        } catch (SourceUnavailableException e) {
            assumeTrue(false, "NVML cannot be loaded on this machine (no NVIDIA driver), skipping: " + e.getMessage());
            return;
        }
        Path smi = new SmiSource("nvidia-smi", Duration.ofSeconds(30), new PciSysfs(), Clock.systemUTC(), "host:test").locate();
        assumeTrue(smi != null, "nvidia-smi is not on PATH, skipping the comparison with the real library");
        SmiLog log = SmiXmlParser.parse(new SmiRunner(smi).run(Duration.ofSeconds(30), "-q", "-x").stdout()
                .getBytes(StandardCharsets.UTF_8));

        nvml.init();
        try {
            DiscoveredGpus found = NvmlMapper.map(nvml, new XidLog(Clock.systemUTC()), new PciSysfs(), "host:test");
            assertThat(found.accelerators()).hasSameSizeAs(log.gpus());
            for (SmiGpu expected : log.gpus()) {
                Accelerator gpu = found.accelerators().stream().filter(a -> a.id().equals(expected.uuid())).findFirst().orElseThrow();
                assertThat(gpu.model()).isEqualTo(expected.productName());
                assertThat(gpu.memoryBytes()).isEqualTo(expected.memoryTotalMiB() << 20);
                assertThat(gpu.pciAddress()).isEqualTo(PciAddresses.normalise(expected.pciBusId()));
                assertThat(gpu.power()).isEqualTo(new PowerLimits(expected.powerEnforcedWatts(), expected.powerDefaultWatts(),
                        expected.powerMinWatts(), expected.powerMaxWatts()));
                assertThat(gpu.pcie().maxGeneration()).isEqualTo(expected.pcieGenMax());
                assertThat(gpu.pcie().maxWidth()).isEqualTo(expected.pcieWidthMax());
                assertThat(gpu.partitioningEnabled()).isEqualTo(Boolean.TRUE.equals(expected.migCurrent()));
                assertThat(gpu.attributes()).containsEntry("driverVersion", log.driverVersion());
            }
        } finally {
            nvml.close();
        }
    }
}
