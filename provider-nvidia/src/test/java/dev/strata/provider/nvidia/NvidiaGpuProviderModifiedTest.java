package dev.strata.provider.nvidia;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.smi.QueryCsv;
import dev.strata.provider.nvidia.smi.SmiSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The component's {@code @Modified} path: Declarative Services calls the method the generated
 * descriptor names for a configuration change, and makes the component again from the change where
 * it names none, which for a change the provider refuses left no provider at all ({@code DEPARTED})
 * until the file was corrected. The provider reads the GPUs through a replayed nvidia-smi (the real
 * H200 and H100 captures); there is no NVML on the test host. The core's
 * {@link ConfigurationRejections} is bound as the descriptor binds it, recording what it is told.
 */
class NvidiaGpuProviderModifiedTest {

    private static final String H200 = "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444";
    private static final String H100 = "GPU-a8ab3d52-bf7f-f80b-a39e-bd0ae17afd44";

    @TempDir
    Path dir;

    private NvidiaGpuProvider provider;

    @BeforeEach
    void writeHost() throws Exception {
        Files.createDirectories(dir.resolve("proc/sys/kernel"));
        Files.writeString(dir.resolve("proc/sys/kernel/hostname"), "gpu-host-1\n");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    }

    @AfterEach
    void deactivate() {
        if (provider != null) {
            provider.deactivate();
        }
    }

    private static NvidiaConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(NvidiaConfig.class);
    }

    /** Replays the capture of {@code machine} from a folder of its own (each replay writes a script named nvidia-smi). */
    private Path replaying(String machine) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("replay-" + machine));
        return FakeNvidiaSmi.replaying(folder, Fixtures.nvidia(machine));
    }

    private Map<String, Object> properties(Path nvidiaSmi, String interval, int history) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("nvmlLibrary", "/nonexistent/libnvidia-ml.so.1");
        properties.put("nvidiaSmi", nvidiaSmi.toString());
        properties.put("telemetryInterval", interval);
        properties.put("telemetryHistory", history);
        return properties;
    }

    private NvidiaGpuProvider provider(Map<String, Object> properties) {
        provider = new NvidiaGpuProvider(NvidiaSettings.from(config(properties)), Clock.systemUTC(), new PciSysfs(dir.resolve("sys")), dir);
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
        return provider;
    }

    /** What the provider told the core's ConfigurationRejections: each refused change, with whether the settings before stay in force. */
    private final RecordingRejections rejections = new RecordingRejections();

    private GpuSnapshot discover(String operation) {
        return provider.discoverGpus(DiscoveryContext.withTimeout(operation, Duration.ofSeconds(30)));
    }

    /** Calls the modified method the component's descriptor names, as Declarative Services does for a configuration change. */
    private void change(Map<String, Object> properties) {
        ComponentDescriptors.modified(provider, config(properties), properties);
    }

    /** Waits, up to 10 s, until the GPU's history holds at least {@code count} samples, and returns them. */
    private List<GpuSample> awaitSamples(String gpu, int count) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (provider.recent(gpu, 1000).size() < count && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        return provider.recent(gpu, 1000);
    }

    /** Samples of the H200 built from the captured metrics loop, half a second apart, stamped in the capture's time. */
    private static List<GpuSample> capturedSamples(int count) {
        List<GpuSample> samples = new ArrayList<>();
        Instant at = Instant.parse("2026-11-27T03:40:17.203Z");
        for (Map<String, String> row : QueryCsv.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("query-loop.csv")))) {
            if (samples.size() == count) {
                break;
            }
            samples.add(SmiSamples.of(H200, at, row));
            at = at.plusMillis(500);
        }
        assertThat(samples).as("rows of the captured loop").hasSize(count);
        return samples;
    }

    /**
     * A change the provider refuses ({@code telemetryInterval = 5S}: units are case-sensitive) leaves
     * the previous settings in force: the same sampler goes on sampling at the previous interval, and
     * the GPU is still discovered. Before, the descriptor named no modified method, so Declarative
     * Services made the component again from the change, which its constructor refused: the provider
     * departed until the file was corrected. The refusal is recorded in the provenance log through the
     * core's ConfigurationRejections, once, with the provider's PID and the message logged; before, it
     * was only logged, and the log's record of the change ({@code updated}) read as in force.
     */
    @Test
    void aRefusedChangeLeavesThePreviousSettingsInForceAndTheProviderServing() throws Exception {
        Map<String, Object> properties = properties(replaying("h200-vm"), "100ms", 100);
        provider(properties);
        long before = discover("op-1").generation();
        GpuSampler sampler = provider.sampler();
        assertThat(awaitSamples(H200, 1)).isNotEmpty();

        try (StderrCapture log = new StderrCapture()) {
            properties.put("telemetryInterval", "5S");
            change(properties);

            assertThat(log.text()).contains("ERROR").contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.provider.nvidia: telemetryInterval = '5S' is invalid; expected " + NvidiaSettings.DURATION_EXPECTED);
        }
        assertThat(rejections.told()).containsExactly(NvidiaGpuProvider.PID + " | dev.strata.provider.nvidia: telemetryInterval = '5S' is invalid; "
                + "expected " + NvidiaSettings.DURATION_EXPECTED);
        assertThat(rejections.previousSettingsInForce()).as("the settings before it stay in force").containsExactly(true);
        assertThat(provider.sampler()).as("the sampler of the settings in force").isSameAs(sampler);
        assertThat(sampler.running()).isTrue();
        Instant changed = Instant.now();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (provider.since(H200, changed, 10).size() < 2 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(provider.since(H200, changed, 10)).as("samples taken after the refused change, at the interval in force")
                .hasSizeGreaterThanOrEqualTo(2);
        GpuSnapshot after = discover("op-2");
        assertThat(after.unavailableReason()).isNull();
        assertThat(after.accelerators()).extracting(Accelerator::id).containsExactly(H200);
        assertThat(after.generation()).isGreaterThan(before);
    }

    /**
     * A valid change applies in place: a new nvidia-smi is used from the next discovery on (here it
     * replays another machine, an H100, where there was no nvidia-smi before), the previous sampler's
     * thread stops, and the new one samples at the new interval and keeps the new history. The
     * generations go on from the same mark.
     */
    @Test
    void aValidChangeUsesTheNewNvidiaSmiFromTheNextDiscoveryAndSamplesAtTheNewInterval() throws Exception {
        Map<String, Object> properties = properties(dir.resolve("nonexistent/nvidia-smi"), "1h", 120);
        provider(properties);
        GpuSnapshot first = discover("op-1");
        assertThat(first.unavailableReason()).isEqualTo(NvidiaGpuProvider.UNAVAILABLE);
        GpuSampler previous = provider.sampler();

        properties.put("nvidiaSmi", replaying("h100-vm").toString());
        properties.put("telemetryInterval", "100ms");
        properties.put("telemetryHistory", 4);
        change(properties);

        assertThat(previous.running()).as("the previous settings' sampling thread").isFalse();
        assertThat(provider.sampler()).isNotSameAs(previous);
        assertThat(provider.sampler().running()).isTrue();
        GpuSnapshot next = discover("op-2");
        assertThat(next.unavailableReason()).isNull();
        assertThat(next.accelerators()).extracting(Accelerator::id).containsExactly(H100);
        assertThat(next.accelerators().get(0).model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(next.generation()).isGreaterThan(first.generation());
        // at 1h no sample would come during the test; at 100ms they come, four kept
        List<GpuSample> samples = awaitSamples(H100, 4);
        assertThat(samples).hasSize(4).allSatisfy(s -> assertThat(s.acceleratorId()).isEqualTo(H100));
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }

    /**
     * The INFO line that tells a valid change shows the configured paths with control characters
     * escaped: an {@code nvidiaSmi} holding a line break and an ESC (a value pasted into a
     * {@code .cfg}) was logged as it is, so it began a forged log line and drove the terminal of
     * whoever followed the log.
     */
    @Test
    void theLineThatTellsAChangeShowsThePathsEscaped() throws Exception {
        Map<String, Object> properties = properties(dir.resolve("nonexistent/nvidia-smi"), "1h", 120);
        provider(properties);
        try (StderrCapture log = new StderrCapture()) {
            properties.put("nvidiaSmi", dir.resolve("nvidia-smi\n[main] ERROR forged \u001b[2J").toString());
            properties.put("nvmlLibrary", "/opt/\u202elibnvidia-ml.so");
            change(properties);

            assertThat(log.text()).contains("NVIDIA provider's settings changed: nvmlLibrary '/opt/\\u202elibnvidia-ml.so', nvidiaSmi '"
                    + dir.resolve("nvidia-smi\\u000a[main] ERROR forged \\u001b[2J") + "'")
                    .doesNotContain("\n[main] ERROR forged").doesNotContain("\u001b").doesNotContain("\u202e");
        }
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }

    /**
     * A change of the history keeps the newest samples that fit it, and one of the interval alone
     * keeps the sources: the new sampler samples through the nvidia-smi the last discovery found
     * the GPU with at once, without waiting for the next discovery, and the history sampled before
     * the change stays readable after it.
     */
    @Test
    void aChangedHistoryKeepsTheNewestSamplesAndAChangedIntervalSamplesAtOnceThroughTheSameSource() throws Exception {
        Map<String, Object> properties = properties(replaying("h200-vm"), "1h", 10);
        provider(properties);
        assertThat(discover("op-1").accelerators()).extracting(Accelerator::id).containsExactly(H200);
        List<GpuSample> recorded = capturedSamples(6);
        recorded.forEach(provider.sampler()::record);
        assertThat(provider.recent(H200, 100)).isEqualTo(recorded);

        properties.put("telemetryHistory", 3);
        change(properties);
        assertThat(provider.recent(H200, 100)).as("the newest three samples taken before the change").isEqualTo(recorded.subList(3, 6));

        properties.put("telemetryInterval", "100ms");
        change(properties);
        Instant last = recorded.get(5).at();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (provider.since(H200, last.plusMillis(1), 10).isEmpty() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(provider.since(H200, last.plusMillis(1), 10)).as("sampled through the same nvidia-smi, no discovery since the change")
                .isNotEmpty().allSatisfy(s -> assertThat(s.powerWatts()).isEqualTo(691.37));
        assertThat(provider.recent(H200, 100)).hasSizeLessThanOrEqualTo(3);
    }

    /**
     * A discovery running while a change replaces the nvidia-smi finishes on the one it began with
     * (the H200's, held while it lists the GPUs), and does not fail because of the change; the next
     * discovery reads the new one (the H100's).
     */
    @Test
    void aDiscoveryRunningWhileAChangeAppliesFinishesOnTheSettingsItBeganWith() throws Exception {
        Path started = dir.resolve("listing-started");
        Path release = dir.resolve("listing-released");
        Path held = FakeNvidiaSmi.replayingHeldListing(Files.createDirectories(dir.resolve("held")), Fixtures.nvidia("h200-vm"), started,
                release);
        Map<String, Object> properties = properties(held, "1h", 10);
        provider(properties);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<GpuSnapshot> discovery = CompletableFuture.supplyAsync(() -> discover("op-held"), caller);
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.exists(started) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(started).as("the discovery's nvidia-smi -q -x under way").exists();

            properties.put("nvidiaSmi", replaying("h100-vm").toString());
            change(properties);
            Files.writeString(release, "");

            GpuSnapshot during = discovery.get(30, TimeUnit.SECONDS);
            assertThat(during.unavailableReason()).isNull();
            assertThat(during.accelerators()).extracting(Accelerator::id).containsExactly(H200);
            assertThat(discover("op-after").accelerators()).extracting(Accelerator::id).containsExactly(H100);
        } finally {
            Files.writeString(release, "");
            caller.shutdownNow();
        }
    }
}
