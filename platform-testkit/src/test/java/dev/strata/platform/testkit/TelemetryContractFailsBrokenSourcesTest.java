package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The telemetry contract must fail a source that breaks a promise of {@link GpuTelemetrySource}:
 * each contract below runs the kit against an in-memory source that breaks exactly one, and the
 * test checks which of the kit's tests fail, and with what; a correct source passes all of them,
 * and so does one that implements only {@code latest} and {@code recent} and inherits the API's
 * default {@code since}.
 */
class TelemetryContractFailsBrokenSourcesTest {

    static final String GPU_0 = "example:gpu-0";
    static final String GPU_1 = "example:gpu-1";
    /** An accelerator the source covers that has no sample yet. */
    static final String GPU_2 = "example:gpu-2";
    /** An accelerator the sources do not cover. */
    static final String GPU_9 = "example:gpu-9";
    static final Instant T0 = Instant.parse("2026-11-27T03:40:17.203Z");

    /**
     * What the sources hold: GPU 0 has 14 samples with runs of up to three taken at one instant (two
     * GPUs read in one round, a coarse clock), GPU 1 has 7 taken half a second apart, GPU 2 none.
     */
    static Map<String, List<GpuSample>> samples() {
        Map<String, List<GpuSample>> samples = new LinkedHashMap<>();
        int[] halfSeconds = {0, 0, 1, 2, 2, 2, 3, 5, 5, 6, 7, 7, 7, 9};
        List<GpuSample> gpu0 = new ArrayList<>();
        for (int i = 0; i < halfSeconds.length; i++) {
            gpu0.add(GpuSample.builder().acceleratorId(GPU_0).at(T0.plusMillis(500L * halfSeconds[i])).powerWatts(600 + i).build());
        }
        samples.put(GPU_0, gpu0);
        List<GpuSample> gpu1 = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            gpu1.add(GpuSample.builder().acceleratorId(GPU_1).at(T0.plusMillis(500L * i + 20)).powerWatts(300 + i).build());
        }
        samples.put(GPU_1, gpu1);
        samples.put(GPU_2, List.of());
        return samples;
    }

    /** How a source under test breaks its promises. */
    enum Flaw { NONE, NEWEST_FIRST, IGNORES_LIMIT, BEFORE_FROM, DROPS_AT_FROM, NULL_ELEMENTS, SINCE_HANGS, SAMPLES_WHILE_READ,
        LATEST_WITHOUT_HISTORY, LATEST_OF_AN_UNCOVERED_ACCELERATOR }

    /** A source of {@link #samples()} with the flaw it is given, implementing every method. */
    static final class Source implements GpuTelemetrySource {
        private final Map<String, List<GpuSample>> samples = samples();
        private final Flaw flaw;

        Source(Flaw flaw) {
            this.flaw = flaw;
        }

        @Override
        public List<GpuSample> latest() {
            if (flaw == Flaw.SAMPLES_WHILE_READ) {
                // a sampler that runs on: a sample taken just before this call
                List<GpuSample> gpu1 = samples.get(GPU_1);
                gpu1.add(gpu1.get(gpu1.size() - 1).toBuilder().at(gpu1.get(gpu1.size() - 1).at().plusMillis(500)).build());
            }
            List<GpuSample> latest = new ArrayList<>();
            samples.values().stream().filter(s -> !s.isEmpty()).forEach(s -> latest.add(s.get(s.size() - 1)));
            if (flaw == Flaw.LATEST_WITHOUT_HISTORY) {
                // a source that keeps its latest readings apart from its history: a reading of GPU 2 that the history never kept
                latest.add(GpuSample.builder().acceleratorId(GPU_2).at(T0).powerWatts(0).build());
            }
            if (flaw == Flaw.LATEST_OF_AN_UNCOVERED_ACCELERATOR) {
                // a source that answers the readings of every GPU its sampler sees, one it does not cover (keeps no history of) too
                latest.add(GpuSample.builder().acceleratorId(GPU_9).at(T0).powerWatts(0).build());
            }
            return flaw == Flaw.NULL_ELEMENTS ? withNull(latest) : latest;
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            List<GpuSample> all = samples.getOrDefault(acceleratorId, List.of());
            if (flaw == Flaw.IGNORES_LIMIT) {
                return List.copyOf(all);
            }
            List<GpuSample> page = limit <= 0 ? List.of() : all.subList(Math.max(0, all.size() - limit), all.size());
            return flaw == Flaw.NEWEST_FIRST ? reversed(page) : List.copyOf(page);
        }

        @Override
        public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
            if (flaw == Flaw.SINCE_HANGS) {
                hang();
            }
            Objects.requireNonNull(acceleratorId, "acceleratorId");
            Objects.requireNonNull(from, "from");
            List<GpuSample> all = samples.getOrDefault(acceleratorId, List.of());
            if (limit <= 0 && flaw != Flaw.IGNORES_LIMIT) {
                return List.of();
            }
            int first = 0;
            while (first < all.size() && (flaw == Flaw.DROPS_AT_FROM ? !all.get(first).at().isAfter(from) : all.get(first).at().isBefore(from))) {
                first++;
            }
            if (flaw == Flaw.BEFORE_FROM && first > 0) {
                first--; // the bug: an off-by-one that answers the sample before from too
            }
            int end = flaw == Flaw.IGNORES_LIMIT ? all.size() : (int) Math.min(all.size(), (long) first + limit);
            List<GpuSample> page = all.subList(first, end);
            return switch (flaw) {
                case NEWEST_FIRST -> reversed(page);
                case NULL_ELEMENTS -> withNull(page);
                default -> List.copyOf(page);
            };
        }

        private static List<GpuSample> reversed(List<GpuSample> page) {
            List<GpuSample> reversed = new ArrayList<>(page);
            java.util.Collections.reverse(reversed);
            return reversed;
        }

        /** The list with its last sample replaced by null, as a source that lost it answers. */
        private static List<GpuSample> withNull(List<GpuSample> page) {
            List<GpuSample> nulled = new ArrayList<>(page);
            if (!nulled.isEmpty()) {
                nulled.set(nulled.size() - 1, null);
            }
            return nulled;
        }

        /** Blocks 10 s, heeding no interruption, as a read from the device in the caller's thread does. */
        private static void hang() {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                Thread.interrupted();
            }
        }
    }

    /** A correct source built against the API before 1.2: {@code latest} and {@code recent} only, the default {@code since}. */
    static final class RecentOnlySource implements GpuTelemetrySource {
        private final Map<String, List<GpuSample>> samples = samples();

        @Override
        public List<GpuSample> latest() {
            return samples.values().stream().filter(s -> !s.isEmpty()).map(s -> s.get(s.size() - 1)).toList();
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            List<GpuSample> all = samples.getOrDefault(acceleratorId, List.of());
            return limit <= 0 ? List.of() : List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
        }
    }

    /** The telemetry contract with a source of a given flaw; the subclasses below pick the flaw. */
    abstract static class FlawedContract extends GpuTelemetrySourceContract<GpuTelemetrySource> {
        abstract Flaw flaw();

        @Override
        protected GpuTelemetrySource createSource() {
            return new Source(flaw());
        }

        @Override
        protected Collection<String> acceleratorIds() {
            return List.of(GPU_0, GPU_1, GPU_2);
        }
    }

    static class Correct extends FlawedContract {
        Flaw flaw() {
            return Flaw.NONE;
        }
    }

    static class RecentOnly extends GpuTelemetrySourceContract<RecentOnlySource> {
        @Override
        protected RecentOnlySource createSource() {
            return new RecentOnlySource();
        }

        @Override
        protected Collection<String> acceleratorIds() {
            return List.of(GPU_0, GPU_1, GPU_2);
        }
    }

    static class NewestFirst extends FlawedContract {
        Flaw flaw() {
            return Flaw.NEWEST_FIRST;
        }
    }

    static class IgnoresLimit extends FlawedContract {
        Flaw flaw() {
            return Flaw.IGNORES_LIMIT;
        }
    }

    static class BeforeFrom extends FlawedContract {
        Flaw flaw() {
            return Flaw.BEFORE_FROM;
        }
    }

    static class DropsAtFrom extends FlawedContract {
        Flaw flaw() {
            return Flaw.DROPS_AT_FROM;
        }
    }

    static class NullElements extends FlawedContract {
        Flaw flaw() {
            return Flaw.NULL_ELEMENTS;
        }
    }

    static class SinceHangs extends FlawedContract {
        Flaw flaw() {
            return Flaw.SINCE_HANGS;
        }

        @Override
        protected Duration callBound() {
            return Duration.ofMillis(300);
        }
    }

    static class LatestOfAnUncoveredAccelerator extends FlawedContract {
        Flaw flaw() {
            return Flaw.LATEST_OF_AN_UNCOVERED_ACCELERATOR;
        }
    }

    /** A correct source whose test names only one of the accelerators it covers: latest() answers GPU 1's newest sample too. */
    static class CorrectReadingOneAccelerator extends FlawedContract {
        Flaw flaw() {
            return Flaw.NONE;
        }

        @Override
        protected Collection<String> acceleratorIds() {
            return List.of(GPU_0);
        }
    }

    static class LatestWithoutHistory extends FlawedContract {
        Flaw flaw() {
            return Flaw.LATEST_WITHOUT_HISTORY;
        }
    }

    /** A correct source whose sampler was left running: it samples between the kit's calls. */
    static class SamplesWhileRead extends FlawedContract {
        Flaw flaw() {
            return Flaw.SAMPLES_WHILE_READ;
        }
    }

    /** A correct source that holds too few samples for the kit to check. */
    static class TooFewSamples extends FlawedContract {
        Flaw flaw() {
            return Flaw.NONE;
        }

        @Override
        protected int minimumSamples() {
            return 15;
        }
    }

    /** The kit's tests that failed for a contract, each with what it failed with (the exception and its message). */
    private static Map<String, String> failures(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        assertThat(tests.started().count()).as("tests of the kit run for " + contract.getSimpleName()).isEqualTo(13);
        return tests.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse(""),
                (a, b) -> a, TreeMap::new));
    }

    @Test
    void aCorrectSourcePassesEveryTest() {
        assertThat(failures(Correct.class)).isEmpty();
    }

    @Test
    void aSourceThatInheritsTheDefaultSincePassesEveryTest() {
        assertThat(failures(RecentOnly.class)).isEmpty();
    }

    @Test
    void aSourceThatAnswersNewestFirstFailsEveryTestThatReadsItsHistory() {
        Map<String, String> failed = failures(NewestFirst.class);
        assertThat(failed).hasSize(13);
        assertThat(failed.values()).allSatisfy(m -> assertThat(m).contains("is not oldest first: sample 2 was taken at"));
    }

    @Test
    void aSourceThatIgnoresTheLimitFailsTheLimitChecks() {
        Map<String, String> failed = failures(IgnoresLimit.class);
        assertThat(failed).containsOnlyKeys("recentIsOldestFirstTheNewestAndAtMostTheLimit", "recentAnswersNoneForALimitOfZeroOrLess",
                "sinceAnswersNoneForALimitOfZeroOrLess", "sinceIsOldestFirstAndAtMostTheLimit", "sinceFromBeforeTheOldestKeptStartsAtTheOldest",
                "sinceFromASamplesOwnInstantIncludesIt", "walkingTheHistoryPageByPageWithSinceReassemblesRecent");
        assertThat(failed.get("recentIsOldestFirstTheNewestAndAtMostTheLimit")).contains("recent(example:gpu-0, 1) answered 14 samples; "
                + "expected at most 1");
        assertThat(failed.get("recentAnswersNoneForALimitOfZeroOrLess")).contains("recent(example:gpu-0, 0) answered 14 samples; "
                + "expected at most 0 (none for a limit of 0 or less)");
        assertThat(failed.get("sinceAnswersNoneForALimitOfZeroOrLess")).contains("answered 14 samples; expected at most 0");
        assertThat(failed.get("walkingTheHistoryPageByPageWithSinceReassemblesRecent")).contains("answered 14 samples; expected at most 4");
    }

    @Test
    void aSourceThatAnswersASampleBeforeFromFailsTheSinceChecks() {
        Map<String, String> failed = failures(BeforeFrom.class);
        assertThat(failed).containsOnlyKeys("sinceAnswersNoSampleTakenBeforeFrom", "sinceFromASamplesOwnInstantIncludesIt",
                "sinceFromAfterTheNewestAnswersNone", "walkingTheHistoryPageByPageWithSinceReassemblesRecent");
        assertThat(failed.get("sinceAnswersNoSampleTakenBeforeFrom")).contains("since(example:gpu-0, " + T0.plusNanos(1)
                + ", 1) answered a sample taken at " + T0 + ", before from");
    }

    @Test
    void aSourceThatDropsTheSampleAtFromFailsTheSinceChecks() {
        Map<String, String> failed = failures(DropsAtFrom.class);
        assertThat(failed).containsOnlyKeys("sinceFromASamplesOwnInstantIncludesIt", "walkingTheHistoryPageByPageWithSinceReassemblesRecent");
        assertThat(failed.get("sinceFromASamplesOwnInstantIncludesIt")).contains("since(example:gpu-0, " + T0 + ", 1), at the instant "
                + "of a sample kept, must answer from the first sample taken at that instant on, it included");
    }

    @Test
    void aSourceThatAnswersNullSamplesFailsWhereItDoes() {
        Map<String, String> failed = failures(NullElements.class);
        assertThat(failed).containsOnlyKeys("latestHoldsTheNewestSampleOfEachAcceleratorOnce", "sinceIsOldestFirstAndAtMostTheLimit",
                "sinceFromBeforeTheOldestKeptStartsAtTheOldest", "sinceFromASamplesOwnInstantIncludesIt", "sinceAnswersNoSampleTakenBeforeFrom",
                "walkingTheHistoryPageByPageWithSinceReassemblesRecent", "everyCallAnswersWithinItsBound");
        assertThat(failed.get("latestHoldsTheNewestSampleOfEachAcceleratorOnce")).contains("latest() answered null as sample 2 of 2; "
                + "a source answers samples, never null");
        assertThat(failed.values()).allSatisfy(m -> assertThat(m).contains("answered null as sample"));
    }

    /**
     * A source whose latest() answers a sample of an accelerator whose history keeps none fails,
     * naming the accelerator. Before, the kit skipped an accelerator with an empty history, and such
     * a source passed, its latest reading one that recent and since, which page through its history,
     * never answer.
     */
    @Test
    void aLatestSampleOfAnAcceleratorWithoutHistoryFails() {
        Map<String, String> failed = failures(LatestWithoutHistory.class);
        assertThat(failed).containsOnlyKeys("latestHoldsTheNewestSampleOfEachAcceleratorOnce");
        assertThat(failed.get("latestHoldsTheNewestSampleOfEachAcceleratorOnce")).contains("latest() answered a sample of example:gpu-2, "
                + "taken at " + T0 + ", of which recent(example:gpu-2, Integer.MAX_VALUE) keeps none");
    }

    /**
     * A source whose latest() answers a sample of an accelerator it does not cover (of which recent
     * keeps nothing) fails, naming the accelerator; a correct source whose test names only some of
     * the accelerators it covers passes. Before, latest()'s samples of accelerators that
     * acceleratorIds() does not name were compared with nothing, and such a source passed.
     */
    @Test
    void aLatestSampleOfAnAcceleratorTheSourceDoesNotCoverFails() {
        Map<String, String> failed = failures(LatestOfAnUncoveredAccelerator.class);
        assertThat(failed).containsOnlyKeys("latestHoldsTheNewestSampleOfEachAcceleratorOnce");
        assertThat(failed.get("latestHoldsTheNewestSampleOfEachAcceleratorOnce")).contains("latest() answered a sample of example:gpu-9, "
                + "taken at " + T0 + ", an accelerator that acceleratorIds() does not name and of which recent(example:gpu-9, "
                + "Integer.MAX_VALUE) keeps none");
        assertThat(failures(CorrectReadingOneAccelerator.class)).isEmpty();
    }

    /** A source whose since blocks fails each test that calls it, saying so, within the bound, and passes the others. */
    @Test
    void aSourceThatHangsFailsItsTestsInsteadOfHangingThem() {
        long start = System.nanoTime();
        Map<String, String> failed = failures(SinceHangs.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(failed).containsOnlyKeys("anUnknownAcceleratorHasNoSamples", "sinceAnswersNoneForALimitOfZeroOrLess",
                "sinceIsOldestFirstAndAtMostTheLimit", "sinceFromBeforeTheOldestKeptStartsAtTheOldest", "sinceFromASamplesOwnInstantIncludesIt",
                "sinceAnswersNoSampleTakenBeforeFrom", "sinceFromAfterTheNewestAnswersNone", "sinceThrowsNullPointerExceptionForANullIdOrFrom",
                "walkingTheHistoryPageByPageWithSinceReassemblesRecent", "everyCallAnswersWithinItsBound");
        assertThat(failed.values()).allSatisfy(m -> assertThat(m).contains("the source hangs: since(").contains("had not answered within 300 ms"));
    }

    /** A source whose sampler runs on fails saying so, not as if it broke a promise (its latest() answered a newer sample). */
    @Test
    void aSourceThatSamplesWhileTheKitReadsItFailsSayingSo() {
        Map<String, String> failed = failures(SamplesWhileRead.class);
        assertThat(failed).containsOnlyKeys("latestHoldsTheNewestSampleOfEachAcceleratorOnce");
        assertThat(failed.get("latestHoldsTheNewestSampleOfEachAcceleratorOnce")).contains("the source took samples of example:gpu-1 while "
                + "the test compared its answers (7 kept before, 8 after").contains("createSource() must return a source whose sampler is "
                + "stopped or paused");
    }

    @Test
    void aSourceWithTooFewSamplesFailsSayingSo() {
        Map<String, String> failed = failures(TooFewSamples.class);
        assertThat(failed).hasSize(13);
        assertThat(failed.values()).allSatisfy(m -> assertThat(m).contains("the source supplied holds 14 sample(s) of its most sampled "
                + "accelerator of [example:gpu-0, example:gpu-1, example:gpu-2]; createSource() must return a source that has sampled at "
                + "least minimumSamples() = 15 times"));
    }
}
