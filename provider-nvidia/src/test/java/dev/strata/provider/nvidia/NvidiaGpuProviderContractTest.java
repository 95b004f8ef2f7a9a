package dev.strata.provider.nvidia;

import dev.strata.platform.testkit.GpuProviderContract;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The GPU contract of the test kit, run on the NVIDIA provider twice: on a host without NVIDIA
 * driver (its normal state on most machines: no devices, a reason), and with nvidia-smi answering
 * from the real H200 capture ({@code <strata.fixtures>/nvidia/h200-vm}, through the replaying
 * script of {@link FakeNvidiaSmi}, since no GPU is on the build machine). NVML is pointed at a
 * path that does not exist in both, so that a GPU on the test machine does not change the result.
 */
class NvidiaGpuProviderContractTest {

    @TempDir
    static Path dir;

    static NvidiaGpuProvider provider(String nvidiaSmi) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("nvmlLibrary", "/nonexistent/libnvidia-ml.so.1");
        properties.put("nvidiaSmi", nvidiaSmi);
        NvidiaConfig config = Converters.standardConverter().convert(properties).to(NvidiaConfig.class);
        return new NvidiaGpuProvider(NvidiaSettings.from(config), Clock.systemUTC(), new PciSysfs(dir.resolve("sys")), Path.of("/"));
    }

    @Nested
    class WithoutDriver extends GpuProviderContract<NvidiaGpuProvider> {
        @Override
        protected NvidiaGpuProvider createProvider() {
            return provider("/nonexistent/nvidia-smi");
        }

        @Override
        protected void release(NvidiaGpuProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return NvidiaGpuProvider.ID;
        }
    }

    @Nested
    class ReplayingAnH200 extends GpuProviderContract<NvidiaGpuProvider> {
        @Override
        protected NvidiaGpuProvider createProvider() throws Exception {
            Path script = dir.resolve("replay");
            Files.createDirectories(script);
            return provider(FakeNvidiaSmi.replaying(script, Fixtures.nvidia("h200-vm")).toString());
        }

        /** nvidia-smi that prints what is no XML: the provider must fail with a Strata exception or say it sees nothing. */
        @Override
        protected Optional<NvidiaGpuProvider> createBrokenProvider() throws Exception {
            Path script = dir.resolve("garbage-smi");
            Files.writeString(script, "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'\nexit 9\n");
            script.toFile().setExecutable(true);
            return Optional.of(provider(script.toString()));
        }

        @Override
        protected void release(NvidiaGpuProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return NvidiaGpuProvider.ID;
        }
    }
}
