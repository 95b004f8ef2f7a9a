package dev.strata.provider.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import dev.strata.provider.nvidia.device.XidLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NvmlSource}: lazy loading, unavailability, deadlines, sampling and XIDs, over {@link RecordedNvml}. */
class NvmlSourceTest {

    @TempDir
    Path noSysfs;

    private NvmlSource source(NvmlSource.Loader loader, XidLog xids) {
        return new NvmlSource(loader, xids, new PciSysfs(noSysfs), Clock.systemUTC(), "host:test");
    }

    private static DiscoveryContext deadline(Duration timeout) {
        return DiscoveryContext.withTimeout("test", timeout);
    }

    @Test
    void aMissingLibraryMakesTheSourceUnavailable() {
        try (NvmlSource source = source(() -> {
            throw new SourceUnavailableException("NVML library not loadable (libnvidia-ml.so.1: not found)");
        }, new XidLog(Clock.systemUTC()))) {
            assertThatThrownBy(() -> source.discover(deadline(Duration.ofSeconds(5))))
                    .isInstanceOf(SourceUnavailableException.class).hasMessageContaining("libnvidia-ml.so.1");
            assertThat(source.sample(Duration.ofSeconds(1))).isEmpty();
        }
    }

    @Test
    void aDriverThatIsNotLoadedMakesTheSourceUnavailable() {
        RecordedNvml nvml = new RecordedNvml();
        nvml.initCode = NvmlErrors.DRIVER_NOT_LOADED;
        try (NvmlSource source = source(() -> nvml, new XidLog(Clock.systemUTC()))) {
            assertThatThrownBy(() -> source.discover(deadline(Duration.ofSeconds(5))))
                    .isInstanceOf(SourceUnavailableException.class).hasMessageContaining("NVML_ERROR_DRIVER_NOT_LOADED");
        }
    }

    /**
     * A driver whose libraries no longer match the loaded kernel module (after an upgrade without
     * reboot) is a failure that says what to do, not a host without NVML: its GPUs are there.
     */
    @Test
    void aDriverLibraryVersionMismatchIsAFailureThatSaysToRebootOrReloadTheDriver() {
        RecordedNvml nvml = new RecordedNvml();
        nvml.initCode = NvmlErrors.LIB_RM_VERSION_MISMATCH;
        try (NvmlSource source = source(() -> nvml, new XidLog(Clock.systemUTC()))) {
            assertThatThrownBy(() -> source.discover(deadline(Duration.ofSeconds(5))))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("nvmlInit_v2 returned NVML_ERROR_LIB_RM_VERSION_MISMATCH (18)")
                    .hasMessageContaining("reboot the host, or unload and reload the nvidia kernel modules");
        }
    }

    @Test
    void otherInitialisationErrorsAreFailuresNamingTheNvmlError() {
        RecordedNvml nvml = new RecordedNvml();
        nvml.initCode = 999;
        try (NvmlSource source = source(() -> nvml, new XidLog(Clock.systemUTC()))) {
            assertThatThrownBy(() -> source.discover(deadline(Duration.ofSeconds(5))))
                    .isInstanceOf(ProviderFailureException.class).hasMessageContaining("nvmlInit_v2").hasMessageContaining("NVML_ERROR_UNKNOWN");
        }
    }

    @Test
    void aHangingLibraryCannotHoldDiscoveryPastTheDeadline() {
        RecordedNvml nvml = RecordedNvml.h200();
        nvml.initDelayMillis = 60_000;
        try (NvmlSource source = source(() -> nvml, new XidLog(Clock.systemUTC()))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> source.discover(deadline(Duration.ofMillis(300))))
                    .isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("NVML discovery");
            // the library hangs for 60 s: the bound leaves a loaded machine room and still tells the deadline from the hang
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void discoversSamplesAndTurnsXidEventsIntoHealth() throws Exception {
        RecordedNvml nvml = RecordedNvml.h200();
        XidLog xids = new XidLog(Clock.systemUTC());
        NvmlSource source = source(() -> nvml, xids);
        assertThat(source.sample(Duration.ofSeconds(1))).isEmpty();

        DiscoveredGpus found = source.discover(deadline(Duration.ofSeconds(5)));
        assertThat(found.accelerators()).hasSize(1);
        assertThat(found.accelerators().get(0).health()).isEqualTo(Health.OK);

        List<GpuSample> samples = source.sample(Duration.ofSeconds(1));
        assertThat(samples).singleElement().satisfies(s -> {
            assertThat(s.acceleratorId()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
            assertThat(s.powerWatts()).isEqualTo(115.752);
        });

        nvml.xids.add(new Nvml.XidEvent(0, 48));
        source.sample(Duration.ofSeconds(1));
        assertThat(xids.recent("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444")).containsExactly(48);
        Health health = source.discover(deadline(Duration.ofSeconds(5))).accelerators().get(0).health();
        assertThat(health.status()).isEqualTo(Health.Status.FAILED);
        assertThat(health.reasons()).contains("XID 48 reported");

        source.close();
        assertThat(nvml.closed).isTrue();
        assertThat(source.sample(Duration.ofSeconds(1))).isEmpty();
    }
    /**
     * A GPU whose UUID NVML cannot read is discovered FAILED under its own id, its XIDs (even those
     * drained before the first discovery) count towards its health under that id, and it is not
     * sampled.
     */
    @Test
    void aGpuWithoutUuidIsDiscoveredFailedKeepsItsXidsAndIsNotSampled() throws Exception {
        RecordedNvml nvml = RecordedNvml.h200();
        nvml.devices.get(0).uuid = null;
        nvml.xids.add(new Nvml.XidEvent(0, 79));
        XidLog xids = new XidLog(Clock.systemUTC());
        try (NvmlSource source = source(() -> nvml, xids)) {
            DiscoveredGpus found = source.discover(deadline(Duration.ofSeconds(5)));

            assertThat(found.accelerators()).singleElement().satisfies(gpu -> {
                assertThat(gpu.id()).isEqualTo("nvidia-no-uuid:host:test/0000:00:06.0");
                assertThat(gpu.health().status()).isEqualTo(Health.Status.FAILED);
                assertThat(gpu.health().reasons()).containsExactly(
                        "GPU 0 at PCI 0000:00:06.0 has no UUID (nvmlDeviceGetUUID returned NVML_ERROR_NOT_SUPPORTED (3))",
                        "XID 79 reported");
            });
            assertThat(source.sample(Duration.ofSeconds(1))).isEmpty();
        }
    }

    /**
     * On the eight recorded H200s ({@link RecordedNvml#eightH200s}), GPU 3 answers
     * {@code NVML_ERROR_GPU_IS_LOST} for its handle: discovery still succeeds, with GPU 3 FAILED
     * and the other seven as usual, and sampling samples those seven. When GPU 6 then answers
     * {@code NVML_ERROR_GPU_IS_LOST} for its utilisation too (lost after discovery), the next round
     * samples the other six.
     */
    @Test
    void aGpuNvmlCannotReachIsDiscoveredFailedAndTheOthersAreDiscoveredAndSampled() throws Exception {
        RecordedNvml nvml = RecordedNvml.eightH200s();
        nvml.devices.get(3).failWith = NvmlErrors.GPU_IS_LOST;
        try (NvmlSource source = source(() -> nvml, new XidLog(Clock.systemUTC()))) {
            DiscoveredGpus found = source.discover(deadline(Duration.ofSeconds(5)));

            assertThat(found.accelerators()).hasSize(8);
            assertThat(found.accelerators().get(3).id()).isEqualTo("nvidia-no-uuid:host:test/index-3");
            assertThat(found.accelerators().get(3).health().status()).isEqualTo(Health.Status.FAILED);
            assertThat(found.accelerators()).filteredOn(a -> a.health().equals(Health.OK)).hasSize(7);
            List<String> seven = found.accelerators().stream().filter(a -> a.health().equals(Health.OK)).map(a -> a.id()).toList();
            assertThat(source.sample(Duration.ofSeconds(1))).extracting(GpuSample::acceleratorId).isEqualTo(seven);

            nvml.devices.get(6).failing.put("nvmlDeviceGetUtilizationRates", NvmlErrors.GPU_IS_LOST);
            assertThat(source.sample(Duration.ofSeconds(1))).extracting(GpuSample::acceleratorId)
                    .isEqualTo(seven.stream().filter(id -> !id.equals(found.accelerators().get(6).id())).toList());
        }
    }
}
