package dev.strata.provider.nvidia;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.testkit.GpuTelemetrySourceContract;
import dev.strata.platform.testkit.SettableClock;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.smi.QueryCsv;
import dev.strata.provider.nvidia.smi.SmiSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The telemetry contract of the test kit, run on the NVIDIA provider as a
 * {@link dev.strata.platform.api.telemetry.GpuTelemetrySource}, from the real H200 capture
 * ({@code <strata.fixtures>/nvidia/h200-vm}; skipped, naming the folder, where it is missing):
 * once with the samples taken through nvidia-smi as the provider takes them (the replaying script
 * of {@link FakeNvidiaSmi}, NVML pointed at a path that does not exist), on a clock that moves on
 * every third reading so that samples come in runs taken at one instant; once with the captured
 * full-load loop kept as taken, at its own timestamps, in a ring that has wrapped; and once sampling
 * across a clock set back by two seconds, as an NTP step sets it. The provider's
 * sampling thread is given an interval of an hour, so it takes no sample while a test runs: the
 * test takes them itself ({@link GpuSampler#sampleOnce()}), before the kit reads the source.
 */
class NvidiaTelemetrySourceContractTest {

    private static final String H200 = "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444";

    @TempDir
    static Path dir;

    static NvidiaGpuProvider provider(String nvidiaSmi, int history, Clock clock) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("nvmlLibrary", "/nonexistent/libnvidia-ml.so.1");
        properties.put("nvidiaSmi", nvidiaSmi);
        properties.put("telemetryInterval", "1h");
        properties.put("telemetryHistory", history);
        NvidiaConfig config = Converters.standardConverter().convert(properties).to(NvidiaConfig.class);
        return new NvidiaGpuProvider(NvidiaSettings.from(config), clock, new PciSysfs(dir.resolve("sys")), Path.of("/"));
    }

    static final Instant START = Instant.parse("2026-11-27T03:40:17.203Z");

    /** A clock that reads coarsely: it moves on by half a second every third reading. */
    static SettableClock coarseClock() {
        return SettableClock.byReading(START, n -> Duration.ofMillis(500 * (n / 3)));
    }

    @Nested
    class SamplingAReplayedH200 extends GpuTelemetrySourceContract<NvidiaGpuProvider> {
        @Override
        protected NvidiaGpuProvider createSource() throws Exception {
            Path script = dir.resolve("replay");
            Files.createDirectories(script);
            NvidiaGpuProvider provider = provider(FakeNvidiaSmi.replaying(script, Fixtures.nvidia("h200-vm")).toString(), 120,
                    coarseClock());
            GpuSnapshot found = provider.discoverGpus(DiscoveryContext.withTimeout("telemetry-contract", Duration.ofSeconds(30)));
            assertThat(found.accelerators()).as("GPUs the replayed nvidia-smi shows").hasSize(1);
            for (int i = 0; i < 9; i++) {
                provider.sampler().sampleOnce();
            }
            List<Instant> taken = provider.recent(H200, Integer.MAX_VALUE).stream().map(GpuSample::at).toList();
            assertThat(new HashSet<>(taken)).as("instants of the samples kept, some taken at one instant").hasSizeLessThan(taken.size());
            return provider;
        }

        @Override
        protected Collection<String> acceleratorIds() {
            return List.of(H200);
        }

        @Override
        protected void release(NvidiaGpuProvider provider) {
            provider.deactivate();
        }
    }

    @Nested
    class KeepingTheCapturedLoop extends GpuTelemetrySourceContract<NvidiaGpuProvider> {
        private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS");

        /** The ten rows of the loop, each at the timestamp nvidia-smi printed, kept in a ring of 7: the oldest three made room. */
        @Override
        protected NvidiaGpuProvider createSource() {
            NvidiaGpuProvider provider = provider("/nonexistent/nvidia-smi", 7, Clock.systemUTC());
            List<Map<String, String>> rows = QueryCsv.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("query-loop.csv")));
            assertThat(rows).as("rows of the captured loop").hasSize(10);
            for (Map<String, String> row : rows) {
                Instant at = LocalDateTime.parse(row.get("timestamp"), TIMESTAMP).toInstant(ZoneOffset.UTC);
                provider.sampler().record(SmiSamples.of(H200, at, row));
            }
            return provider;
        }

        @Override
        protected Collection<String> acceleratorIds() {
            return List.of(H200);
        }

        @Override
        protected void release(NvidiaGpuProvider provider) {
            provider.deactivate();
        }
    }

    /** A clock that moves on by half a second at each reading, and once, at its tenth, is set back by two seconds. */
    static SettableClock clockSetBack() {
        return SettableClock.byReading(START, n -> Duration.ofMillis(500 * n - (n >= 10 ? 2000 : 0)));
    }

    @Nested
    class SamplingAcrossAClockSetBack extends GpuTelemetrySourceContract<NvidiaGpuProvider> {
        @Override
        protected NvidiaGpuProvider createSource() throws Exception {
            Path script = dir.resolve("replay-set-back");
            Files.createDirectories(script);
            NvidiaGpuProvider provider = provider(FakeNvidiaSmi.replaying(script, Fixtures.nvidia("h200-vm")).toString(), 120,
                    clockSetBack());
            provider.discoverGpus(DiscoveryContext.withTimeout("telemetry-contract", Duration.ofSeconds(30)));
            for (int i = 0; i < 12; i++) {
                provider.sampler().sampleOnce();
            }
            return provider;
        }

        @Override
        protected Collection<String> acceleratorIds() {
            return List.of(H200);
        }

        @Override
        protected void release(NvidiaGpuProvider provider) {
            provider.deactivate();
        }
    }
}
