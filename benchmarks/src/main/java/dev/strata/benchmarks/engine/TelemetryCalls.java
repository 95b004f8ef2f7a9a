package dev.strata.benchmarks.engine;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.core.telemetry.TelemetryService;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
 * there are two).
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
