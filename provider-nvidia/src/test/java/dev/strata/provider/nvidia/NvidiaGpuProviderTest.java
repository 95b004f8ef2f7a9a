package dev.strata.provider.nvidia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuSource;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.XidLog;
import dev.strata.provider.nvidia.nvml.NvmlTestAccess;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.nvidia.smi.SmiSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/** The component: no GPU stack, a hanging nvidia-smi, a replayed nvidia-smi, telemetry, configuration. */
class NvidiaGpuProviderTest {

    @TempDir
    Path dir;

    private NvidiaGpuProvider provider;

    @AfterEach
    void deactivate() {
        if (provider != null) {
            provider.deactivate();
        }
    }

    private static NvidiaConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(NvidiaConfig.class);
    }

    private NvidiaGpuProvider provider(Map<String, Object> properties) throws Exception {
        writeHost();
        provider = new NvidiaGpuProvider(NvidiaSettings.from(config(properties)), Clock.systemUTC(), new PciSysfs(dir.resolve("sys")),
                dir);
        return provider;
    }

    /** The host's name and machine identity under {@code dir}. */
    private void writeHost() throws Exception {
        Files.createDirectories(dir.resolve("proc/sys/kernel"));
        Files.writeString(dir.resolve("proc/sys/kernel/hostname"), "gpu-host-1\n");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    }

    private static Map<String, Object> nothingInstalled() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("nvmlLibrary", "/nonexistent/libnvidia-ml.so.1");
        properties.put("nvidiaSmi", "/nonexistent/nvidia-smi");
        return properties;
    }

    @Test
    void withoutNvmlAndNvidiaSmiReportsNoDevicesPromptlyAndDoesNotThrow() throws Exception {
        NvidiaGpuProvider gpus = provider(nothingInstalled());

        long start = System.nanoTime();
        GpuSnapshot first = gpus.discoverGpus(DiscoveryContext.withTimeout("op-1", Duration.ofSeconds(30)));
        GpuSnapshot second = gpus.discoverGpus(DiscoveryContext.withTimeout("op-2", Duration.ofSeconds(30)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(first.unavailableReason()).isEqualTo("no NVML and no nvidia-smi");
        assertThat(first.accelerators()).isEmpty();
        assertThat(first.interconnects()).isEmpty();
        assertThat(first.paths()).isEmpty();
        assertThat(first.hostname()).isEqualTo("gpu-host-1");
        assertThat(first.machineId()).as("the identity the inventory joins on").isEqualTo("machine-id:0123456789abcdef0123456789abcdef");
        assertThat(second.generation()).isGreaterThan(first.generation());
        assertThat(second.unavailableReason()).isEqualTo(NvidiaGpuProvider.UNAVAILABLE);
        assertThat(gpus.latest()).isEmpty();
        assertThat(gpus.recent("GPU-anything", 10)).isEmpty();
    }

    /**
     * A new instance of the provider (its bundle restarted or updated, Karaf restarted) whose clock is an hour behind the
     * earlier instance's hands out generations above the earlier instance's, through the mark in the data folder. Before,
     * generations were the clock from memory: the new instance's went back an hour, and the core warned that they must
     * increase across bundle versions until the clock caught up.
     */
    @Test
    void generationsStayAboveAnEarlierInstancesAfterARestartWithTheClockSetBack() throws Exception {
        writeHost();
        Path data = dir.resolve("data");
        Instant t = Instant.parse("2026-06-01T12:00:00Z");
        NvidiaSettings settings = NvidiaSettings.from(config(nothingInstalled()));
        NvidiaGpuProvider before = new NvidiaGpuProvider(settings, Clock.fixed(t, ZoneOffset.UTC), new PciSysfs(dir.resolve("sys")), dir, data);
        long last;
        try {
            before.discoverGpus(DiscoveryContext.withTimeout("op-1", Duration.ofSeconds(30)));
            last = before.discoverGpus(DiscoveryContext.withTimeout("op-2", Duration.ofSeconds(30))).generation();
        } finally {
            before.deactivate();
        }

        provider = new NvidiaGpuProvider(settings, Clock.fixed(t.minus(Duration.ofHours(1)), ZoneOffset.UTC), new PciSysfs(dir.resolve("sys")),
                dir, data);
        GpuSnapshot after = provider.discoverGpus(DiscoveryContext.withTimeout("op-3", Duration.ofSeconds(30)));
        assertThat(after.generation()).as("above the earlier instance's, its clock an hour ahead").isGreaterThan(last);
        assertThat(after.warnings()).isEmpty();
        assertThat(Generations.file(data, "nvidia", NvidiaGpuProvider.ID)).isRegularFile();
    }

    /**
     * After a driver upgrade without reboot NVML answers {@code NVML_ERROR_LIB_RM_VERSION_MISMATCH}:
     * the discovery fails and says what to do, instead of reporting a host without NVIDIA driver
     * (here there is no nvidia-smi to fall back to, as in a container with only the library).
     */
    @Test
    void anNvmlWhoseDriverDoesNotMatchTheKernelModuleFailsTheDiscoveryNamingTheRemedy() throws Exception {
        writeHost();
        Clock clock = Clock.systemUTC();
        PciSysfs sysfs = new PciSysfs(dir.resolve("sys"));
        String host = "machine-id:0123456789abcdef0123456789abcdef";
        provider = new NvidiaGpuProvider(NvmlTestAccess.failingToStart(18, new XidLog(clock), sysfs, clock, host),
                new SmiSource("/nonexistent/nvidia-smi", Duration.ofSeconds(10), sysfs, clock, host),
                new GpuSampler(Duration.ofSeconds(5), 3, Duration.ofSeconds(5)), clock, dir);

        assertThatThrownBy(() -> provider.discoverGpus(DiscoveryContext.withTimeout("op-mismatch", Duration.ofSeconds(30))))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("NVML_ERROR_LIB_RM_VERSION_MISMATCH")
                .hasMessageContaining("reboot the host, or unload and reload the nvidia kernel modules");
    }

    /**
     * nvidia-smi exits with 18 and prints what it prints after a driver upgrade without reboot: the
     * discovery fails quoting it and says what to do. Exit status 9 (no driver loaded) still leaves
     * the host without GPUs, unavailable, and does not fail.
     */
    @Test
    void anNvidiaSmiThatExitsWithAVersionMismatchFailsTheDiscoveryNamingTheRemedy() throws Exception {
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.failing(dir, 18,
                "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 535.161").toString());
        NvidiaGpuProvider gpus = provider(properties);

        assertThatThrownBy(() -> gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi-18", Duration.ofSeconds(30))))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("nvidia-smi -q -x exited with 18: Failed to initialize NVML: Driver/library version mismatch")
                .hasMessageContaining("reboot the host, or unload and reload the nvidia kernel modules");

        gpus.deactivate();
        properties.put("nvidiaSmi", FakeNvidiaSmi.failing(dir, 9,
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.").toString());
        NvidiaGpuProvider noDriver = provider(properties);
        assertThat(noDriver.discoverGpus(DiscoveryContext.withTimeout("op-smi-9", Duration.ofSeconds(30))).unavailableReason())
                .isEqualTo(NvidiaGpuProvider.UNAVAILABLE);
    }

    @Test
    void aHangingNvidiaSmiIsKilledAtTheDeadline() throws Exception {
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.hanging(dir).toString());
        NvidiaGpuProvider gpus = provider(properties);

        long start = System.nanoTime();
        assertThatThrownBy(() -> gpus.discoverGpus(DiscoveryContext.withTimeout("op-hang", Duration.ofMillis(800))))
                .isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("nvidia-smi -q -x").hasMessageContaining("killed");
        // the script hangs for 60 s: the bound leaves a loaded machine room and still tells the deadline from the hang
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));

        for (String pidFile : new String[] {"smi.pid", "child.pid"}) {
            long pid = Long.parseLong(Files.readString(dir.resolve(pidFile)).strip());
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (process.isPresent() && process.get().isAlive() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(process.map(ProcessHandle::isAlive).orElse(false)).as("process %s from %s alive", pid, pidFile).isFalse();
        }
    }

    /**
     * An nvidia-smi that prints without end (no capture shows one; the script prints one line over
     * and over) is killed once its output passes the limit, long before the deadline, and the
     * discovery fails saying so instead of filling the disk and the heap until the deadline.
     */
    @Test
    void anNvidiaSmiThatPrintsWithoutEndIsKilledAtTheOutputLimit() throws Exception {
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.printingWithoutEnd(dir).toString());
        properties.put("commandTimeout", "20s");
        NvidiaGpuProvider gpus = provider(properties);

        long start = System.nanoTime();
        assertThatThrownBy(() -> gpus.discoverGpus(DiscoveryContext.withTimeout("op-flood", Duration.ofSeconds(60))))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("nvidia-smi -q -x")
                .hasMessageContaining("printed more than 64 MiB").hasMessageContaining("killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        long pid = Long.parseLong(Files.readString(dir.resolve("smi.pid")).strip());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aHangingNvidiaSmiIsKilledWhenTheCallerIsInterrupted() throws Exception {
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.hanging(dir).toString());
        NvidiaGpuProvider gpus = provider(properties);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                gpus.discoverGpus(DiscoveryContext.withTimeout("op-interrupted", Duration.ofSeconds(30)));
            } catch (RuntimeException e) {
                thrown.set(e);
            }
        });
        caller.start();
        Path pidFile = dir.resolve("smi.pid");
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(Files.exists(pidFile) && Files.size(pidFile) > 0) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        caller.interrupt();
        caller.join(3_000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("interrupted");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /**
     * A {@code telemetryInterval} (100ms) shorter than one nvidia-smi run of the sampler's query
     * (300 ms, {@link FakeNvidiaSmi#replayingSlowSamples}) samples as often as nvidia-smi answers, a
     * run starting when the previous one finished, and says once that the interval is shorter than
     * a run. Before, each run was given the interval as its deadline and killed at 100 ms: there
     * was no telemetry at all, and only a failure in the log.
     */
    @Test
    void anIntervalShorterThanOneNvidiaSmiRunSamplesAsOftenAsNvidiaSmiAnswersAndSaysSoOnce() throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.replayingSlowSamples(dir, fixtures, 300).toString());
        properties.put("telemetryInterval", "100ms");
        properties.put("telemetryHistory", 100);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            NvidiaGpuProvider gpus = provider(properties);
            Accelerator gpu = gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi", Duration.ofSeconds(30))).accelerators().get(0);

            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (gpus.recent(gpu.id(), 100).size() < 4 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            List<GpuSample> samples = gpus.recent(gpu.id(), 100);
            assertThat(samples).as("samples after up to 10 s").hasSizeGreaterThanOrEqualTo(4);
            assertThat(samples.get(samples.size() - 1).powerWatts()).isEqualTo(691.37);
            // read before the provider stops: stopping cuts short the run under way
            String text = log.text();
            gpus.deactivate();
            provider = null;

            String warning = "GPU telemetry through nvidia-smi: a round took ";
            assertThat(text).contains(warning).contains("longer than telemetryInterval 100 ms; each round starts when the previous one"
                    + " has finished, so samples come as often as nvidia-smi answers");
            assertThat(text.split(java.util.regex.Pattern.quote(warning), -1)).as("the warning, once").hasSize(2);
            assertThat(text).doesNotContain("GPU telemetry through nvidia-smi failed");
        }
    }

    /**
     * Stopping the provider while an nvidia-smi run of the sampler is under way (it does not answer,
     * {@link FakeNvidiaSmi#replayingSamplesThatHang}) kills the run and logs no warning: a stop is
     * no failure. Before, "GPU telemetry through nvidia-smi failed: interrupted while waiting for
     * ..." was logged as a WARNING at every stop that found a run under way.
     */
    @Test
    void stoppingTheProviderDuringAnNvidiaSmiRunLogsNoFailure() throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Path started = dir.resolve("sample-started");
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.replayingSamplesThatHang(dir, fixtures, started).toString());
        properties.put("telemetryInterval", "100ms");
        try (StderrCapture log = new StderrCapture()) {
            NvidiaGpuProvider gpus = provider(properties);
            gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi", Duration.ofSeconds(30)));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.exists(started) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(started).as("the sampler's nvidia-smi run under way").exists();

            gpus.deactivate();
            provider = null;

            assertThat(gpus.sampler().running()).isFalse();
            assertThat(log.text()).doesNotContain("GPU telemetry through nvidia-smi failed").doesNotContain("WARN");
        }
    }

    /**
     * A source whose discovery holds until released, recording whether it was closed while a discovery ran on it: NVML
     * closed so is shut down under its discovery, and the next call on it starts its thread and the library anew.
     */
    private static final class HeldSource implements GpuSource {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicInteger discoveries = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicBoolean closedUnderADiscovery = new AtomicBoolean();

        @Override
        public String name() {
            return "nvml";
        }

        @Override
        public DiscoveredGpus discover(DiscoveryContext context) {
            discoveries.incrementAndGet();
            running.incrementAndGet();
            try {
                entered.countDown();
                assertThat(release.await(10, TimeUnit.SECONDS)).as("released").isTrue();
                return new DiscoveredGpus("nvml", List.of(), List.of(), List.of());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderTimeoutException("interrupted");
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public List<GpuSample> sample(Duration timeout) {
            return List.of();
        }

        @Override
        public void close() {
            if (running.get() > 0) {
                closedUnderADiscovery.set(true);
            }
            closed.countDown();
        }
    }

    /**
     * Stopping the provider while a discovery runs leaves its sources open until that discovery ends, then closes them, and
     * a discovery asked for afterwards is refused without touching them. Before, deactivation closed the sources at once,
     * under the running discovery (NVML shut down under it, or, for one not yet on NVML's thread, its thread and library
     * started anew and never closed), and a later discovery ran on the closed sources.
     */
    @Test
    void stoppingTheProviderDuringADiscoveryClosesItsSourcesWhenTheDiscoveryEndsAndRefusesLaterOnes() throws Exception {
        writeHost();
        HeldSource nvml = new HeldSource();
        SmiSource smi = new SmiSource("/nonexistent/nvidia-smi", Duration.ofSeconds(10), new PciSysfs(dir.resolve("sys")),
                Clock.systemUTC(), "host:gpu-host-1");
        NvidiaGpuProvider gpus = new NvidiaGpuProvider(nvml, smi, new GpuSampler(Duration.ofHours(1), 10, Duration.ofSeconds(5)),
                Clock.systemUTC(), dir);
        provider = gpus;
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<GpuSnapshot> discovery = caller.submit(() -> gpus.discoverGpus(DiscoveryContext.withTimeout("op-held",
                    Duration.ofSeconds(30))));
            assertThat(nvml.entered.await(10, TimeUnit.SECONDS)).as("the discovery under way").isTrue();

            gpus.deactivate();

            assertThat(nvml.closed.getCount()).as("sources closed while the discovery still runs on them").isEqualTo(1);
            nvml.release.countDown();
            assertThat(discovery.get(10, TimeUnit.SECONDS).unavailableReason()).isNull();
            assertThat(nvml.closed.await(10, TimeUnit.SECONDS)).as("sources closed once the discovery ended").isTrue();
            assertThat(nvml.closedUnderADiscovery).isFalse();

            assertThatThrownBy(() -> gpus.discoverGpus(DiscoveryContext.withTimeout("op-after", Duration.ofSeconds(30))))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessage("GPU discovery: the NVIDIA provider was stopped");
            assertThat(nvml.discoveries).as("discoveries that reached the source").hasValue(1);
        } finally {
            nvml.release.countDown();
            caller.shutdownNow();
        }
    }

    @Test
    void discoversThroughAReplayedNvidiaSmiAndSamplesInTheBackground() throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.replaying(dir, fixtures).toString());
        properties.put("telemetryInterval", "100ms");
        properties.put("telemetryHistory", 3);
        NvidiaGpuProvider gpus = provider(properties);
        assertThat(gpus.latest()).isEmpty();

        GpuSnapshot snapshot = gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi", Duration.ofSeconds(30)));

        assertThat(snapshot.unavailableReason()).isNull();
        assertThat(snapshot.accelerators()).hasSize(1);
        Accelerator gpu = snapshot.accelerators().get(0);
        assertThat(gpu.id()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(gpu.model()).isEqualTo("NVIDIA H200");
        assertThat(gpu.computeCapability()).isEqualTo("9.0");
        assertThat(gpu.memoryBytes()).isEqualTo(143771L << 20);
        assertThat(gpu.pciAddress()).isEqualTo("0000:00:06.0");
        assertThat(gpu.power()).isEqualTo(new PowerLimits(700, 700, 200, 700));
        assertThat(gpu.partitionProfiles()).hasSize(7);
        assertThat(gpu.attributes()).containsEntry("source", "nvidia-smi");

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gpus.recent(gpu.id(), 10).size() < 3 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(gpus.recent(gpu.id(), 10)).hasSize(3);
        assertThat(gpus.recent(gpu.id(), 2)).hasSize(2);
        GpuSample latest = gpus.latest().get(0);
        assertThat(latest.acceleratorId()).isEqualTo(gpu.id());
        assertThat(latest.powerWatts()).isEqualTo(691.37);
        assertThat(latest.gpuUtilisationPercent()).isEqualTo(100);
        assertThat(latest.memoryUsedBytes()).isEqualTo(883L << 20);
        assertThat(latest.throttleReasons()).containsExactly("SW_POWER_CAP");

        gpus.deactivate();
        provider = null;
        assertThat(gpus.sampler().running()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("strata-nvidia-telemetry") && t.isAlive());
    }

    /**
     * Output that is no UTF-8 does not fail the discovery: the replayed nvidia-smi prints the real
     * H200 capture with the bytes 0xFF 0xFE in the GPU's serial
     * ({@link DerivedCaptures#serialWithBytesThatAreNoUtf8}). The GPU is discovered with every
     * fact, the serial with the two bytes shown as replacement characters.
     */
    @Test
    void outputThatIsNoUtf8IsReadWithReplacementCharactersInsteadOfFailingTheDiscovery() throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Path xml = dir.resolve("garbled-serial.xml");
        Files.write(xml, DerivedCaptures.serialWithBytesThatAreNoUtf8(Fixtures.bytes(fixtures.resolve("nvidia-smi-q.xml"))));
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.replaying(dir, fixtures, xml).toString());
        NvidiaGpuProvider gpus = provider(properties);

        GpuSnapshot snapshot = gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi", Duration.ofSeconds(30)));

        assertThat(snapshot.unavailableReason()).isNull();
        assertThat(snapshot.accelerators()).hasSize(1);
        Accelerator gpu = snapshot.accelerators().get(0);
        assertThat(gpu.id()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(gpu.model()).isEqualTo("NVIDIA H200");
        assertThat(gpu.health()).isEqualTo(Health.OK);
        assertThat(gpu.attributes()).containsEntry("serial", "\uFFFD\uFFFD1653724063754");
    }

    /**
     * One GPU without UUID on an eight-GPU host does not hide the other seven: the replayed
     * nvidia-smi prints the real H200 capture copied to eight GPUs with GPU 3's UUID made N/A
     * ({@link DerivedCaptures#eightGpusOneWithoutUuid}), and its sampler query a row for the
     * captured GPU and one with uuid [N/A]. The snapshot holds all eight, GPU 3 FAILED under an id
     * made of the host's machine identity and its PCI address, the same in the next snapshot; no
     * sample is recorded under anything but a UUID.
     */
    @Test
    void oneGpuWithoutUuidIsReportedFailedAndDoesNotHideTheOtherSeven() throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Path xml = dir.resolve("eight-gpus.xml");
        Files.writeString(xml, DerivedCaptures.eightGpusOneWithoutUuid(Fixtures.text(fixtures.resolve("nvidia-smi-q.xml")), 3));
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.replayingWithoutUuid(dir, fixtures, xml).toString());
        properties.put("telemetryInterval", "100ms");
        NvidiaGpuProvider gpus = provider(properties);

        GpuSnapshot snapshot = gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi", Duration.ofSeconds(30)));

        assertThat(snapshot.unavailableReason()).isNull();
        assertThat(snapshot.accelerators()).hasSize(8);
        assertThat(snapshot.accelerators()).filteredOn(a -> a.health().status() == Health.Status.OK).hasSize(7)
                .allSatisfy(a -> assertThat(a.id()).startsWith("GPU-5bbcfe84-3fb3-862e-7650-f3b57e50"));
        Accelerator broken = snapshot.accelerators().get(3);
        assertThat(broken.id()).isEqualTo("nvidia-no-uuid:machine-id:0123456789abcdef0123456789abcdef/0000:13:00.0");
        assertThat(broken.pciAddress()).isEqualTo("0000:13:00.0");
        assertThat(broken.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(broken.health().reasons()).containsExactly("GPU 3 at PCI 0000:13:00.0 has no UUID (nvidia-smi -q -x shows none)");
        assertThat(gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi-2", Duration.ofSeconds(30))).accelerators())
                .extracting(Accelerator::id).isEqualTo(snapshot.accelerators().stream().map(Accelerator::id).toList());

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gpus.recent(snapshot.accelerators().get(0).id(), 10).size() < 2 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(gpus.recent(snapshot.accelerators().get(0).id(), 10)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(gpus.latest()).extracting(GpuSample::acceleratorId).containsExactly(snapshot.accelerators().get(0).id());
    }

    /**
     * One GPU without product name on an eight-GPU host does not hide the other seven: the replayed
     * nvidia-smi prints the real H200 capture copied to eight GPUs with GPU 0's product name made
     * N/A ({@link DerivedCaptures#eightGpusOneWithoutProductName}). The snapshot holds all eight,
     * GPU 0 FAILED under its UUID with model unknown.
     */
    @Test
    void oneGpuWithoutProductNameIsReportedFailedAndDoesNotHideTheOtherSeven() throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Path xml = dir.resolve("eight-gpus.xml");
        Files.writeString(xml, DerivedCaptures.eightGpusOneWithoutProductName(Fixtures.text(fixtures.resolve("nvidia-smi-q.xml")), 0));
        Map<String, Object> properties = nothingInstalled();
        properties.put("nvidiaSmi", FakeNvidiaSmi.replaying(dir, fixtures, xml).toString());
        NvidiaGpuProvider gpus = provider(properties);

        GpuSnapshot snapshot = gpus.discoverGpus(DiscoveryContext.withTimeout("op-smi", Duration.ofSeconds(30)));

        assertThat(snapshot.unavailableReason()).isNull();
        assertThat(snapshot.accelerators()).hasSize(8);
        assertThat(snapshot.accelerators()).filteredOn(a -> a.health().status() == Health.Status.OK).hasSize(7)
                .allSatisfy(a -> assertThat(a.model()).isEqualTo("NVIDIA H200"));
        Accelerator unnamed = snapshot.accelerators().get(0);
        assertThat(unnamed.id()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(unnamed.model()).isEqualTo("unknown");
        assertThat(unnamed.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(unnamed.health().reasons()).containsExactly("GPU 0 at PCI 0000:00:06.0 has no product name (nvidia-smi -q -x shows none)");
    }

    /**
     * One GPU NVML cannot reach on an eight-GPU host neither fails the discovery nor hides the other
     * seven: NVML is the recorded H200 copied to eight GPUs, GPU 3 answering
     * {@code NVML_ERROR_GPU_IS_LOST} for its handle ({@link NvmlTestAccess#eightH200sOneLost}), and
     * there is no nvidia-smi to fall back to. The snapshot holds all eight, read through NVML, GPU 3
     * FAILED under the id of a GPU without UUID or PCI address; the other seven are sampled.
     */
    @Test
    void oneGpuNvmlCannotReachIsReportedFailedAndDoesNotHideTheOtherSeven() throws Exception {
        writeHost();
        String host = "machine-id:0123456789abcdef0123456789abcdef";
        Clock clock = Clock.systemUTC();
        PciSysfs sysfs = new PciSysfs(dir.resolve("sys"));
        provider = new NvidiaGpuProvider(NvmlTestAccess.eightH200sOneLost(3, new XidLog(clock), sysfs, clock, host),
                new SmiSource("/nonexistent/nvidia-smi", Duration.ofSeconds(10), sysfs, clock, host),
                new GpuSampler(Duration.ofMillis(100), 3, Duration.ofSeconds(5)), clock, dir);

        GpuSnapshot snapshot = provider.discoverGpus(DiscoveryContext.withTimeout("op-nvml", Duration.ofSeconds(30)));

        assertThat(snapshot.unavailableReason()).isNull();
        assertThat(snapshot.accelerators()).hasSize(8).allSatisfy(a -> assertThat(a.attributes()).containsEntry("source", "nvml"));
        Accelerator lost = snapshot.accelerators().get(3);
        assertThat(lost.id()).isEqualTo("nvidia-no-uuid:" + host + "/index-3");
        assertThat(lost.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(lost.health().reasons()).containsExactly(
                "GPU 3 at PCI unknown cannot be read (nvmlDeviceGetHandleByIndex_v2 returned NVML_ERROR_GPU_IS_LOST (15))");
        List<String> seven = snapshot.accelerators().stream().filter(a -> a.health().status() == Health.Status.OK)
                .map(Accelerator::id).toList();
        assertThat(seven).hasSize(7).allSatisfy(id -> assertThat(id).startsWith("GPU-5bbcfe84-3fb3-862e-7650-f3b57e50"));

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (provider.latest().size() < 7 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(provider.latest()).extracting(GpuSample::acceleratorId).containsExactlyInAnyOrderElementsOf(seven);
    }

    @Test
    void everyGpuReportedFailedIsLoggedOnceWithItsReasonsWhetherItHasAUuidOrNot() throws Exception {
        writeHost();
        String host = "machine-id:0123456789abcdef0123456789abcdef";
        Clock clock = Clock.systemUTC();
        PciSysfs sysfs = new PciSysfs(dir.resolve("sys"));
        // GPU 5 still answers its UUID, then is lost: FAILED under its UUID, which the warning once named only for GPUs without one
        provider = new NvidiaGpuProvider(NvmlTestAccess.eightH200sOneLostAfterItsUuid(5, new XidLog(clock), sysfs, clock, host),
                new SmiSource("/nonexistent/nvidia-smi", Duration.ofSeconds(10), sysfs, clock, host),
                new GpuSampler(Duration.ofMillis(100), 3, Duration.ofSeconds(5)), clock, dir);

        try (StderrCapture err = new StderrCapture()) {
            GpuSnapshot first = provider.discoverGpus(DiscoveryContext.withTimeout("op-nvml-1", Duration.ofSeconds(30)));
            provider.discoverGpus(DiscoveryContext.withTimeout("op-nvml-2", Duration.ofSeconds(30)));

            Accelerator lost = first.accelerators().stream().filter(a -> a.health().status() == Health.Status.FAILED).findFirst()
                    .orElseThrow();
            assertThat(lost.id()).startsWith("GPU-");
            String warning = "NVIDIA GPU " + lost.id() + " reported with health FAILED";
            String log = err.text();
            assertThat(log.split(java.util.regex.Pattern.quote(warning), -1)).as("the warning, once in two discoveries").hasSize(2);
            assertThat(log).contains(lost.health().reasons().get(0));
        }
    }

    @Test
    void rejectsMalformedDurationsNamingTheProperty() {
        assertInvalid("telemetryInterval", "5x");
        assertInvalid("telemetryInterval", "-1s");
        assertInvalid("telemetryInterval", "50ms");
        assertInvalid("telemetryInterval", "");
        assertInvalid("commandTimeout", "ten seconds");
        assertInvalid("commandTimeout", "0");
        assertInvalid("telemetryHistory", 0);
        // the overflow the two drifted duration parsers once handled differently
        assertInvalid("commandTimeout", "9999999999999999h");
        // units are case-sensitive as SI writes them
        assertInvalid("telemetryInterval", "5S");
    }

    /**
     * A .cfg value is text that Declarative Services converts to the method's int only when it is read: one that is no
     * number is refused like any other bad value, naming the PID, the property, the value and what was expected.
     */
    @Test
    void rejectsATelemetryHistoryThatIsNoWholeNumberNamingTheProperty() {
        for (String value : new String[] {"ten", "120 samples", "1.5", "99999999999"}) {
            assertInvalid("telemetryHistory", value);
            assertThatThrownBy(() -> NvidiaSettings.from(config(Map.of("telemetryHistory", value)))).hasMessage(
                    "dev.strata.provider.nvidia: telemetryHistory = '" + value + "' is invalid; expected a number of samples from 1 to 100000"
                    + " (kept per GPU in memory)");
        }
    }

    /**
     * Samples are kept in memory, per GPU: a history of millions (a typo, or "keep everything") would
     * let one setting fill the platform's heap, so it is refused, naming the property, the value and
     * the range; the largest accepted is kept as given.
     */
    @Test
    void rejectsATelemetryHistoryBeyondWhatMemoryCanHoldNamingTheRange() {
        for (Object value : new Object[] {100_001, Integer.MAX_VALUE, "2147483647"}) {
            assertInvalid("telemetryHistory", value);
            assertThatThrownBy(() -> NvidiaSettings.from(config(Map.of("telemetryHistory", value)))).hasMessage(
                    "dev.strata.provider.nvidia: telemetryHistory = '" + value + "' is invalid; expected a number of samples from 1 to 100000"
                    + " (kept per GPU in memory)");
        }
        assertThat(NvidiaSettings.from(config(Map.of("telemetryHistory", 100_000))).telemetryHistory()).isEqualTo(100_000);
    }

    @Test
    void acceptsTheDefaultsAndOtherUnits() {
        NvidiaSettings defaults = NvidiaSettings.from(config(Map.of()));
        assertThat(defaults.nvmlLibrary()).isEmpty();
        assertThat(defaults.nvidiaSmi()).isEqualTo("nvidia-smi");
        assertThat(defaults.telemetryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.telemetryHistory()).isEqualTo(120);
        assertThat(defaults.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(NvidiaSettings.from(config(Map.of("telemetryInterval", "100ms", "commandTimeout", "2m"))))
                .satisfies(s -> {
                    assertThat(s.telemetryInterval()).isEqualTo(Duration.ofMillis(100));
                    assertThat(s.commandTimeout()).isEqualTo(Duration.ofMinutes(2));
                });
        assertThat(NvidiaSettings.from(config(Map.of("telemetryInterval", "30"))).telemetryInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    private static void assertInvalid(String property, Object value) {
        assertThatThrownBy(() -> NvidiaSettings.from(config(Map.of(property, value))))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.property()).isEqualTo(property);
                    assertThat(e.pid()).isEqualTo("dev.strata.provider.nvidia");
                })
                .hasMessageContaining(property).hasMessageContaining("'" + value + "'");
    }
}
