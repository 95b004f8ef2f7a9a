package dev.strata.provider.nvidia;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuSource;
import dev.strata.provider.nvidia.smi.QueryCsv;
import dev.strata.provider.nvidia.smi.SmiSamples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The telemetry rings: the captured full-load loop fed through the sampler's mapping and kept per GPU. */
class GpuSamplerTest {

    private static final String H200 = "GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444";

    /** A source that hands out the captured metrics loop row by row. */
    private static final class LoopSource implements GpuSource {
        final List<GpuSample> rows = new ArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        RuntimeException failure;
        /** Thrown by the next call only. */
        Error error;

        @Override
        public String name() {
            return "loop";
        }

        @Override
        public DiscoveredGpus discover(DiscoveryContext context) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public List<GpuSample> sample(Duration timeout) {
            if (error != null) {
                Error once = error;
                error = null;
                throw once;
            }
            if (failure != null) {
                throw failure;
            }
            int call = calls.getAndIncrement();
            return call < rows.size() ? List.of(rows.get(call)) : List.of();
        }

        @Override
        public void close() {
        }
    }

    private static LoopSource capturedLoop() {
        LoopSource source = new LoopSource();
        Instant at = Instant.parse("2026-11-27T03:40:17.203Z");
        for (var row : QueryCsv.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("query-loop.csv")))) {
            source.rows.add(SmiSamples.of(H200, at, row));
            at = at.plusMillis(500);
        }
        return source;
    }

    @Test
    void keepsTheLastSamplesOfEachGpuOldestFirst() {
        LoopSource source = capturedLoop();
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), 4, Duration.ofSeconds(1));
        sampler.use(source);

        for (int i = 0; i < 10; i++) {
            sampler.sampleOnce();
        }

        List<GpuSample> kept = sampler.recent(H200, 100);
        assertThat(kept).hasSize(4).containsExactlyElementsOf(source.rows.subList(6, 10));
        assertThat(kept).extracting(GpuSample::powerWatts).containsExactly(692.04, 691.60, 693.91, 692.04);
        assertThat(sampler.recent(H200, 2)).containsExactlyElementsOf(source.rows.subList(8, 10));
        assertThat(sampler.latest()).containsExactly(source.rows.get(9));
        assertThat(sampler.recent("GPU-other", 5)).isEmpty();
        assertThat(sampler.recent(H200, 0)).isEmpty();

        sampler.retain(List.of("GPU-other"));
        assertThat(sampler.latest()).isEmpty();
    }

    /**
     * A page of a GPU's samples from an instant on is found in the ring as it is kept, grown and wrapped (50 samples taken
     * with a history of 40: the oldest 10 made room): from before the oldest kept, between two samples, at a sample's own
     * time, after the newest, one at a time; and a window walked page by page reads every sample kept once, in order.
     */
    @Test
    void pagesFromAnInstantOnAreFoundInTheRingOldestFirst() {
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), 40, Duration.ofSeconds(1));
        List<GpuSample> rows = capturedLoop().rows;
        Instant t0 = rows.get(0).at();
        List<GpuSample> taken = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            GpuSample s = rows.get(i % rows.size()).toBuilder().at(t0.plusMillis(500L * i)).build();
            taken.add(s);
            sampler.record(s);
        }
        List<GpuSample> kept = taken.subList(10, 50);
        assertThat(sampler.recent(H200, 100)).containsExactlyElementsOf(kept);

        assertThat(sampler.since(H200, t0, 5)).as("before the oldest kept").containsExactlyElementsOf(taken.subList(10, 15));
        assertThat(sampler.since(H200, t0.plusMillis(500L * 20 + 250), 3)).as("between samples").containsExactlyElementsOf(taken.subList(21, 24));
        assertThat(sampler.since(H200, t0.plusMillis(500L * 20), 3)).as("at a sample's time").containsExactlyElementsOf(taken.subList(20, 23));
        assertThat(sampler.since(H200, t0.plusMillis(500L * 47), 10)).as("fewer than the limit left").containsExactlyElementsOf(taken.subList(47, 50));
        assertThat(sampler.since(H200, t0.plusMillis(500L * 49 + 1), 10)).as("after the newest").isEmpty();
        assertThat(sampler.since(H200, t0.plusMillis(500L * 30), 1)).as("limit 1").containsExactly(taken.get(30));
        assertThat(sampler.since(H200, t0, 0)).as("limit 0").isEmpty();
        assertThat(sampler.since("GPU-other", t0, 10)).isEmpty();

        List<GpuSample> walked = new ArrayList<>();
        Instant from = t0;
        while (true) {
            List<GpuSample> page = sampler.since(H200, from, 7);
            walked.addAll(page);
            if (page.size() < 7) {
                break;
            }
            from = page.get(page.size() - 1).at().plusNanos(1);
        }
        assertThat(walked).containsExactlyElementsOf(kept);
    }

    /**
     * A sample stamped before the newest kept (the clock set back by 2 s after ten samples half a second apart, with a
     * history of 8 that has wrapped) drops the samples stamped after it, and is kept as the newest: the ring stays in time
     * order, so recent is oldest first, latest is the newest, and a page from an instant is found by the binary search.
     * Before, it was kept after them: recent answered out of time order, and since from 03:40:19.803 answered the samples
     * stamped 03:40:20.203 to 03:40:21.703 before the one just taken at 03:40:19.953.
     */
    @Test
    void aSampleStampedBeforeTheNewestKeptDropsThoseStampedAfterIt() {
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), 8, Duration.ofSeconds(1));
        List<GpuSample> rows = capturedLoop().rows;
        Instant t0 = rows.get(0).at();
        for (int i = 0; i < 10; i++) {
            sampler.record(rows.get(i));
        }
        GpuSample setBack = rows.get(0).toBuilder().at(t0.plusMillis(500L * 9 - 2000 + 250)).build();

        String logged;
        try (StderrCapture log = new StderrCapture()) {
            sampler.record(setBack);
            logged = log.text();
        }

        List<GpuSample> kept = new ArrayList<>(rows.subList(2, 6));
        kept.add(setBack);
        assertThat(sampler.recent(H200, 100)).containsExactlyElementsOf(kept);
        assertThat(sampler.latest()).containsExactly(setBack);
        assertThat(sampler.since(H200, t0.plusMillis(2600), 10)).as("from after the samples kept before it").containsExactly(setBack);
        assertThat(sampler.since(H200, t0, 10)).containsExactlyElementsOf(kept);
        assertThat(logged).contains("WARN").contains("GPU telemetry of " + H200 + ": the clock was set back (a sample taken at "
                + setBack.at() + ", the newest kept at " + rows.get(9).at() + "); the 4 sample(s) stamped after " + setBack.at()
                + " are dropped");

        GpuSample next = setBack.toBuilder().at(setBack.at().plusMillis(500)).build();
        sampler.record(next);
        kept.add(next);
        assertThat(sampler.recent(H200, 100)).containsExactlyElementsOf(kept);
        assertThat(sampler.since(H200, setBack.at(), 1)).containsExactly(setBack);
    }

    @Test
    void samplesNothingWithoutASourceAndSurvivesFailures() {
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), 4, Duration.ofSeconds(1));
        sampler.sampleOnce();
        assertThat(sampler.latest()).isEmpty();

        LoopSource source = capturedLoop();
        source.failure = new ProviderTimeoutException("nvidia-smi --query-gpu did not finish within 1000 ms; killed");
        sampler.use(source);
        sampler.sampleOnce();
        sampler.sampleOnce();
        assertThat(sampler.latest()).isEmpty();

        source.failure = null;
        sampler.sampleOnce();
        assertThat(sampler.latest()).hasSize(1);
    }

    /**
     * A round that throws an {@link Error} (hand-made; an {@link OutOfMemoryError} while nvidia-smi's
     * output is read, say) does not end the sampling: the next interval samples
     * as usual. A periodic task that throws is never run again, silently.
     */
    @Test
    void aRoundThatThrowsAnErrorDoesNotStopTheSampling() throws Exception {
        LoopSource source = capturedLoop();
        source.error = new OutOfMemoryError("Java heap space");
        GpuSampler sampler = new GpuSampler(Duration.ofMillis(100), 120, Duration.ofMillis(100));
        sampler.use(source);
        sampler.start();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (sampler.recent(H200, 100).size() < 3 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(source.error).as("the failing round ran").isNull();
            assertThat(sampler.recent(H200, 100)).hasSizeGreaterThanOrEqualTo(3);
        } finally {
            sampler.close();
        }
    }

    /**
     * A run cut short while the sampler is not closing (hand-made: the interruption as nvidia-smi's
     * runner reports it) is still a warning; only a stop of the sampler makes it no failure.
     */
    @Test
    void anInterruptionThatIsNoStopIsStillAWarning() {
        LoopSource source = capturedLoop();
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), 4, Duration.ofSeconds(1));
        sampler.use(source);
        source.failure = new ProviderTimeoutException("interrupted while waiting for nvidia-smi --query-gpu; killed");
        try (StderrCapture log = new StderrCapture()) {
            sampler.sampleOnce();
            assertThat(log.text()).contains("WARN").contains("GPU telemetry through loop failed: interrupted while waiting for nvidia-smi");
        }
    }

    /** A failure without message (hand-made) is logged by its class; the round does not throw, and the next one samples. */
    @Test
    void aFailureWithoutMessageDoesNotEscapeTheRound() {
        LoopSource source = capturedLoop();
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), 4, Duration.ofSeconds(1));
        sampler.use(source);
        source.failure = new IllegalArgumentException();

        sampler.sampleOnce();
        sampler.sampleOnce();
        assertThat(sampler.latest()).isEmpty();

        source.failure = null;
        sampler.sampleOnce();
        assertThat(sampler.latest()).containsExactly(source.rows.get(0));
    }

    /**
     * The ring grows with its samples instead of reserving its whole history with the first one:
     * a large history costs nothing until samples fill it (reserving Integer.MAX_VALUE slots fails
     * with an OutOfMemoryError, which would end the sampling).
     */
    @Test
    void aLargeHistoryIsNotReservedUpFront() {
        LoopSource source = capturedLoop();
        GpuSampler sampler = new GpuSampler(Duration.ofHours(1), Integer.MAX_VALUE, Duration.ofSeconds(1));

        source.rows.forEach(sampler::record);

        assertThat(sampler.recent(H200, Integer.MAX_VALUE)).containsExactlyElementsOf(source.rows);
        assertThat(sampler.latest()).containsExactly(source.rows.get(source.rows.size() - 1));
    }

    @Test
    void theThreadSamplesEveryIntervalAndStopsOnClose() throws Exception {
        LoopSource source = capturedLoop();
        GpuSampler sampler = new GpuSampler(Duration.ofMillis(100), 120, Duration.ofMillis(100));
        sampler.use(source);
        sampler.start();
        assertThat(sampler.running()).isTrue();

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sampler.recent(H200, 100).size() < 3 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(sampler.recent(H200, 100)).hasSizeGreaterThanOrEqualTo(3);

        sampler.close();
        assertThat(sampler.running()).isFalse();
        int calls = source.calls.get();
        Thread.sleep(300);
        assertThat(source.calls.get()).isEqualTo(calls);
    }
}
