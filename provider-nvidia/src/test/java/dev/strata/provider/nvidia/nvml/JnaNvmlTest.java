package dev.strata.provider.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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
