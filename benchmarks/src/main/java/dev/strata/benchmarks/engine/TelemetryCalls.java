package dev.strata.benchmarks.engine;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.core.telemetry.TelemetryService;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a call of the core's merged telemetry view ({@link TelemetryService}) costs beside a call of
 * its one source made directly: the merged view calls each source on a thread of its own and waits
 * a deadline for it, so that a source that hangs cannot hold its callers (the verifier reads a page
 * of each bound GPU's samples per pass; {@code strata:gpus} and the metrics endpoint read the
 * latest). The source answers from memory (100 samples of one GPU), as the NVIDIA provider's ring
 * does, so what is measured is the merged view's own cost: the hand-off to a call thread and back
 * (one for a page where one source is registered, the newest samples of each and then the page where
 * there are two). {@link #verifierSince} is a page as the commitment verifier reads it (its
 * {@code BoundedTelemetry}, which bounds the calls of a pass), over the merged view of one or two
 * sources: {@code path=handoff} hands each call to the verifier's telemetry thread first, as it does
 * for a telemetry service other than the core's (and did for the core's too); {@code path=direct}
 * calls the core's merged view on the caller's thread within the same deadline, as it now does.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TelemetryCalls</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class TelemetryCalls {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private GpuTelemetrySource source;
    private TelemetryService merged;
    /** The merged view of the same source and a second one that has no sample of the GPU. */
    private TelemetryService mergedOfTwo;

    @Setup
    public void setUp() throws Exception {
        List<GpuSample> kept = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            kept.add(GpuSample.builder().acceleratorId("GPU-0").at(T0.plusSeconds(i)).gpuUtilisationPercent(i % 100).build());
        }
        List<GpuSample> samples = List.copyOf(kept);
        source = new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(samples.get(samples.size() - 1));
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return samples.subList(Math.max(0, samples.size() - limit), samples.size());
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                int first = (int) Math.max(0, Math.min(samples.size(), from.getEpochSecond() - T0.getEpochSecond()));
                return samples.subList(first, Math.min(samples.size(), first + limit));
            }
        };
        merged = new TelemetryService();
        // bound by Declarative Services in Karaf; package-private there
        Method add = TelemetryService.class.getDeclaredMethod("addSource", GpuTelemetrySource.class);
        add.setAccessible(true);
        add.invoke(merged, source);
        mergedOfTwo = new TelemetryService();
        add.invoke(mergedOfTwo, source);
        add.invoke(mergedOfTwo, new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of();
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }
        });
    }

    @TearDown
    public void tearDown() throws Exception {
        Method stop = TelemetryService.class.getDeclaredMethod("deactivate");
        stop.setAccessible(true);
        stop.invoke(merged);
        stop.invoke(mergedOfTwo);
    }

    /** The verifier's telemetry over the merged view of {@link TelemetryCalls}'s source (and a second one). */
    @State(Scope.Benchmark)
    public static class Verifier {
        /** {@code handoff}: on the verifier's telemetry thread, then the merged view's; {@code direct}: the merged view's only. */
        @Param({"handoff", "direct"})
        public String path;
        /** How many sources the merged view has: 1, or 2 (the second without samples of the GPU). */
        @Param({"1", "2"})
        public int sources;

        Telemetry bounded;

        @Setup
        public void setUp(TelemetryCalls calls) throws Exception {
            TelemetryService merged = sources == 1 ? calls.merged : calls.mergedOfTwo;
            Telemetry seen = switch (path) {
                case "direct" -> merged;
                case "handoff" -> notTheCores(merged);
                default -> throw new IllegalArgumentException(path);
            };
            // package-private in the core: the verifier builds it
            Class<?> type = Class.forName("dev.strata.platform.core.commitment.BoundedTelemetry");
            Constructor<?> make = type.getDeclaredConstructor(Supplier.class, Duration.class);
            make.setAccessible(true);
            Supplier<Telemetry> now = () -> seen;
            bounded = (Telemetry) make.newInstance(now, Duration.ofSeconds(2));
            List<GpuSample> page = bounded.since("GPU-0", T0.plusSeconds(50), 1000);
            if (page.size() != 50) {
                throw new IllegalStateException("the page was not read: " + page.size() + " samples");
            }
        }

        @TearDown
        public void tearDown() throws Exception {
            ((AutoCloseable) bounded).close();
        }

        /** The merged view as a telemetry that is not the core's: the verifier hands its calls to a thread of its own. */
        private static Telemetry notTheCores(Telemetry t) {
            return new Telemetry() {
                @Override
                public List<GpuSample> latestGpuSamples() {
                    return t.latestGpuSamples();
                }

                @Override
                public Optional<GpuSample> latest(String acceleratorId) {
                    return t.latest(acceleratorId);
                }

                @Override
                public List<GpuSample> recent(String acceleratorId, int limit) {
                    return t.recent(acceleratorId, limit);
                }

                @Override
                public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                    return t.since(acceleratorId, from, limit);
                }
            };
        }
    }

    /**
     * A page of the GPU's samples as the verifier reads it, through its bound on telemetry calls and the merged view
     * ({@link Verifier#path}: one hand-off, or two).
     */
    @Benchmark
    public List<GpuSample> verifierSince(Verifier verifier) {
        return verifier.bounded.since("GPU-0", T0.plusSeconds(50), 1000);
    }

    /** A page of the GPU's samples from the source itself. */
    @Benchmark
    public List<GpuSample> sinceDirect() {
        return source.since("GPU-0", T0.plusSeconds(50), 1000);
    }

    /** The same page through the merged view: the sources' newest samples, then the page from the newest. */
    @Benchmark
    public List<GpuSample> sinceMerged() {
        return merged.since("GPU-0", T0.plusSeconds(50), 1000);
    }

    /**
     * The same page through the merged view of two sources: each source's newest sample (two calls at
     * once), then the page from the one with the newest.
     */
    @Benchmark
    public List<GpuSample> sinceMergedOfTwo() {
        return mergedOfTwo.since("GPU-0", T0.plusSeconds(50), 1000);
    }

    /** The GPU's recent samples from the source itself. */
    @Benchmark
    public List<GpuSample> recentDirect() {
        return source.recent("GPU-0", 10);
    }

    /** The same through the merged view. */
    @Benchmark
    public List<GpuSample> recentMerged() {
        return merged.recent("GPU-0", 10);
    }
}
