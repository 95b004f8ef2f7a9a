package dev.strata.platform.core.commitment;

import static dev.strata.platform.core.commitment.TelemetryClausesTest.GPU0;
import static dev.strata.platform.core.commitment.TelemetryClausesTest.GPU1;
import static dev.strata.platform.core.commitment.TelemetryClausesTest.NOW;
import static dev.strata.platform.core.commitment.TelemetryClausesTest.WHOLE;
import static dev.strata.platform.core.commitment.TelemetryClausesTest.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.core.telemetry.TelemetryService;
import dev.strata.platform.core.telemetry.TelemetryServices;
import dev.strata.platform.testkit.StderrCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The verifier's telemetry over the core's merged view, the usual wiring: called on the pass's thread within what is
 * left of the pass's budget, rather than on a thread of its own, with the same answers and the same bounds.
 */
class BoundedTelemetryTest {

    private static final String CALLS_THREAD = "strata-commitments-telemetry";

    /** A source of the samples of {@code samples}, as the NVIDIA provider's ring answers. */
    private static class Source implements GpuTelemetrySource {
        final TelemetryClausesTest.Samples samples;
        final AtomicInteger calls = new AtomicInteger();

        Source(TelemetryClausesTest.Samples samples) {
            this.samples = samples;
        }

        @Override
        public List<GpuSample> latest() {
            calls.incrementAndGet();
            return samples.latestGpuSamples();
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            calls.incrementAndGet();
            return samples.recent(acceleratorId, limit);
        }

        @Override
        public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
            calls.incrementAndGet();
            return samples.since(acceleratorId, from, limit);
        }

        @Override
        public String toString() {
            return "healthy";
        }
    }

    /**
     * A null among a full page of a source's samples (vendor code, against the SPI) is left out without ending the pass's
     * walk of the window there: the samples after that page are read, and the mean is the whole window's. Before, the
     * merged view answered the page without its null, one short of a full page, which the walk took for the end of the
     * GPU's samples: the window's first 999 samples were averaged as if they were all of it, and a member drawing more
     * than its ceiling in the rest of the window was HONORED.
     */
    @Test
    void aNullInAFullPageOfASourceDoesNotEndTheWalkOfTheWindow() {
        TelemetryClausesTest.Samples samples = new TelemetryClausesTest.Samples();
        TelemetryClausesTest.every(samples, GPU0, TelemetryClausesTest.WINDOW, 40_000_000L, 1000, 100, 900); // 1,500: 1,000 at 100 W, 500 at 900 W
        samples.power(GPU1, 5, 100);
        Source sloppy = new Source(samples) {
            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                List<GpuSample> page = new java.util.ArrayList<>(super.since(acceleratorId, from, limit));
                page.add(Math.min(1, page.size()), null); // a null among what it answers, as many answered as asked at most
                return page.subList(0, Math.min(limit, page.size()));
            }
        };
        TelemetryService merged = TelemetryServices.of(Duration.ofSeconds(30), sloppy);
        try (StderrCapture log = new StderrCapture();
                BoundedTelemetry bounded = new BoundedTelemetry(() -> merged, Duration.ofSeconds(30))) {
            CommitmentCheck.Verdict v = TelemetryClausesTest.check(WHOLE, contract(400), bounded.forPass());
            assertThat(v.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).startsWith("GPUs " + GPU0 + ", " + GPU1
                    + " on node " + TelemetryClausesTest.NODE + " drew 466.7 W in all (mean of 1501 samples within the last 60s)"));
            assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(bounded.answered()).isTrue();
            assertThat(log.text()).contains("null sample among its samples of " + GPU0);
        } finally {
            TelemetryServices.stop(merged);
        }
    }

    /**
     * A telemetry other than the core's merged view that answers a null among a full page is read as the merged view reads
     * a source's: the null left out without ending the pass's walk of the window there, the mean the whole window's.
     * Before, the verifier's own reading left the null out, one short of a full page, which the walk took for the end of
     * the GPU's samples: the window's first 999 samples were averaged as if they were all of it, and a member drawing more
     * than its ceiling in the rest of the window was HONORED.
     */
    @Test
    void aNullInAFullPageOfATelemetryOtherThanTheCoresDoesNotEndTheWalkOfTheWindow() {
        TelemetryClausesTest.Samples sloppy = new TelemetryClausesTest.Samples() {
            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                List<GpuSample> page = new java.util.ArrayList<>(super.since(acceleratorId, from, limit));
                page.add(Math.min(1, page.size()), null); // a null among what it answers, as many answered as asked at most
                return page.subList(0, Math.min(limit, page.size()));
            }
        };
        TelemetryClausesTest.every(sloppy, GPU0, TelemetryClausesTest.WINDOW, 40_000_000L, 1000, 100, 900); // 1,500: 1,000 at 100 W, 500 at 900 W
        sloppy.power(GPU1, 5, 100);
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> sloppy, Duration.ofSeconds(30))) {
            CommitmentCheck.Verdict v = TelemetryClausesTest.check(WHOLE, contract(400), bounded.forPass());
            assertThat(v.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).startsWith("GPUs " + GPU0 + ", " + GPU1
                    + " on node " + TelemetryClausesTest.NODE + " drew 466.7 W in all (mean of 1501 samples within the last 60s)"));
            assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(bounded.answered()).isTrue();
        }
    }

    /**
     * A telemetry other than the core's that answers null for a page of a GPU's samples fails that call, as a source that
     * does fails the merged view's: the GPU's samples could not be read, and its member's ceiling is unchecked, AT_RISK.
     * Before, the null was read as an empty page, the end of the GPU's samples: the walk of the window stopped after its
     * first page, which was averaged as if it were all of it, and a member drawing more than its ceiling in the rest of
     * the window was HONORED.
     */
    @Test
    void aNullPageOfATelemetryOtherThanTheCoresIsNotTheEndOfTheWindow() {
        Instant windowStart = NOW.minus(TelemetryClausesTest.WINDOW);
        TelemetryClausesTest.Samples sloppy = new TelemetryClausesTest.Samples() {
            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return from.isAfter(windowStart) ? null : super.since(acceleratorId, from, limit); // null after the first page
            }
        };
        TelemetryClausesTest.every(sloppy, GPU0, TelemetryClausesTest.WINDOW, 40_000_000L, 1000, 100, 900); // 1,500: 1,000 at 100 W, 500 at 900 W
        sloppy.power(GPU1, 5, 100);
        try (StderrCapture log = new StderrCapture();
                BoundedTelemetry bounded = new BoundedTelemetry(() -> sloppy, Duration.ofSeconds(30))) {
            CommitmentCheck.Verdict v = TelemetryClausesTest.check(WHOLE, contract(400), bounded.forPass());
            assertThat(v.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).isEqualTo("the samples of GPU " + GPU0
                    + " on node " + TelemetryClausesTest.NODE + " within the last 60s could not be read: the member's ceiling of 400.0 W"
                    + " cannot be checked"));
            assertThat(v.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(bounded.answered()).isFalse();
            assertThat(log.text()).contains("answered null instead of a page of the samples of " + GPU0);
        }
    }

    /** A source that hangs on every call until released (against the SPI's word). */
    private static final class Hanging implements GpuTelemetrySource {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        private List<GpuSample> hang() {
            calls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(GpuSample.builder().acceleratorId("GPU-h").at(NOW.minusSeconds(5)).powerWatts(100).eccUncorrected(0).build());
        }

        @Override
        public List<GpuSample> latest() {
            return hang();
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            return hang();
        }

        @Override
        public String toString() {
            return "hung";
        }
    }

    /**
     * What a telemetry that fails says reaches the verifier's warning cleaned as provider text: a credential masked, a
     * line break, an escape and a direction override each a space. Before, the exception was written into the warning as
     * it came: a vendor's telemetry could leak a password into the log or forge a line of it.
     */
    @Test
    void whatAFailingTelemetrySaysIsWarnedOfCleaned() {
        String said = "exporter https://admin:Hunter2Secret@10.0.0.5/ gone\u001b[2J\u202e\n[main] INFO forged line";
        Telemetry failing = (Telemetry) java.lang.reflect.Proxy.newProxyInstance(Telemetry.class.getClassLoader(),
                new Class<?>[] {Telemetry.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("toString") ? "failing" : method.getName().equals("hashCode") ? 0 : proxy == args[0];
                    }
                    throw new IllegalStateException(said);
                });
        try (StderrCapture log = new StderrCapture();
                BoundedTelemetry bounded = new BoundedTelemetry(() -> failing, Duration.ofSeconds(30))) {
            TelemetryClausesTest.check(WHOLE, contract(1000), bounded.forPass());
            assertThat(log.text()).contains("The verifier goes on without GPU telemetry").contains("gone").contains("IllegalStateException")
                    .doesNotContain("Hunter2Secret").doesNotContain("\u001b").doesNotContain("\u202e").doesNotContain("\n[main] INFO forged");
        }
    }

    /** The core's merged view behind a telemetry that is not it: read on the verifier's thread of its own, as any other. */
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

    private static Set<Thread> callsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(CALLS_THREAD)).collect(Collectors.toSet());
    }

    private static Set<Thread> started(Set<Thread> before) {
        Set<Thread> now = new HashSet<>(callsThreads());
        now.removeAll(before);
        return now;
    }

    /**
     * The core's merged view is called on the pass's own thread (it calls its sources on threads of its own): a page
     * costs one hand-off to a thread and back, not two. Its verdicts are those of the same view called on the verifier's
     * thread, and of the samples given directly. Before, every call of it was handed to the verifier's thread first.
     */
    @Test
    void theCoresMergedViewIsCalledOnThePassesThreadWithTheSameVerdict() {
        TelemetryClausesTest.Samples samples = new TelemetryClausesTest.Samples().power(GPU0, 5, 700).power(GPU0, 15, 700)
                .power(GPU1, 5, 700).power(GPU1, 15, 700);
        TelemetryService merged = TelemetryServices.of(Duration.ofSeconds(30), new Source(samples));
        try {
            CommitmentCheck.Verdict given = TelemetryClausesTest.check(WHOLE, contract(1000), samples);
            assertThat(given.status()).isEqualTo(CommitmentStatus.BREACHED);

            Set<Thread> before = callsThreads();
            try (BoundedTelemetry bounded = new BoundedTelemetry(() -> merged, Duration.ofSeconds(30))) {
                assertThat(TelemetryClausesTest.check(WHOLE, contract(1000), bounded.forPass())).isEqualTo(given);
                assertThat(bounded.answered()).isTrue();
                assertThat(started(before)).as("no thread of the verifier's own for the core's view").isEmpty();
            }

            try (BoundedTelemetry bounded = new BoundedTelemetry(() -> notTheCores(merged), Duration.ofSeconds(30))) {
                assertThat(TelemetryClausesTest.check(WHOLE, contract(1000), bounded.forPass())).isEqualTo(given);
                assertThat(bounded.answered()).isTrue();
                assertThat(started(before)).as("another telemetry: read on the verifier's thread").hasSize(1);
            }
        } finally {
            TelemetryServices.stop(merged);
        }
    }

    /**
     * A source of the core's merged view that hangs costs a pass what is left of its budget, not the view's longer
     * deadline: the call answers nothing by then, the pass reads as not answered, and its later calls answer nothing at
     * once, as when the verifier's thread stopped waiting. The call still in the source is not made again; the next
     * pass reads the other sources without it (before, it read none of them until the view's call returned), and once
     * the source answers, it is read again. The verifier logs that it goes on without telemetry; the view does not log
     * the source as hung, as it was not late by its own deadline.
     */
    @Test
    void aHungSourceOfTheMergedViewCostsAPassItsBudgetNotTheViewsDeadline() {
        Hanging hung = new Hanging();
        Source healthy = new Source(new TelemetryClausesTest.Samples().power(GPU0, 5, 700).power(GPU1, 5, 700));
        TelemetryService merged = TelemetryServices.of(Duration.ofSeconds(60), hung, healthy);
        try (StderrCapture log = new StderrCapture();
                BoundedTelemetry bounded = new BoundedTelemetry(() -> merged, Duration.ofSeconds(1))) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                Telemetry first = bounded.forPass();
                assertThat(first.latestGpuSamples()).as("cut short by the pass's budget").isEmpty();
                assertThat(bounded.answered()).isFalse();
                while (healthy.calls.get() < 1) {
                    Thread.onSpinWait(); // its call of the first pass counted
                }
                int healthyCalls = healthy.calls.get();
                assertThat(first.since(GPU0, NOW.minusSeconds(60), 10)).as("the budget spent").isSameAs(BoundedTelemetry.UNANSWERED);
                assertThat(first.recent(GPU0, 10)).isEmpty();
                assertThat(healthy.calls).as("no call made once the budget is spent").hasValue(healthyCalls);
            });
            assertThat(hung.calls).hasValue(1);
            assertThat(log.text()).contains("The verifier goes on without GPU telemetry")
                    .contains("telemetry call latestGpuSamples() did not answer within 1000 ms")
                    .doesNotContain("Telemetry source hung did not answer");

            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                Telemetry next = bounded.forPass();
                assertThat(next.latestGpuSamples()).as("the other source, the hung one left out while its call is in it")
                        .extracting(GpuSample::acceleratorId).containsExactlyInAnyOrder(GPU0, GPU1);
                assertThat(next.since(GPU0, NOW.minusSeconds(60), 10)).extracting(GpuSample::powerWatts).containsExactly(700.0);
                assertThat(bounded.answered()).isTrue();
            });
            assertThat(hung.calls).as("not entered again while its call is in it").hasValue(1);
            assertThat(TelemetryServices.tracksAsHung(merged, hung)).isTrue();

            hung.release.countDown();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                while (TelemetryServices.tracksAsHung(merged, hung)) {
                    Thread.onSpinWait();
                }
                assertThat(bounded.forPass().latestGpuSamples()).extracting(GpuSample::acceleratorId).contains("GPU-h", GPU0, GPU1);
            });
        } finally {
            hung.release.countDown();
            TelemetryServices.stop(merged);
        }
    }

    /**
     * A source of the core's merged view slow on every call, each under the view's deadline, is given the pass's
     * budget once in all, not once per GPU, as where the verifier's thread made the calls: the call that would run
     * past the budget is cut short by it, and the pass's later calls answer nothing without calling the source.
     */
    @Test
    void aSourceOfTheMergedViewSlowOnEveryCallCostsAPassItsBudgetInAll() {
        AtomicInteger recentCalls = new AtomicInteger();
        TelemetryClausesTest.Samples samples = new TelemetryClausesTest.Samples();
        GpuTelemetrySource slow = new Source(samples) {
            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                recentCalls.incrementAndGet();
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.recent(acceleratorId, limit);
            }
        };
        List<dev.strata.platform.api.placement.Allocation> ledger = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String a = TelemetryClausesTest.NODE + "/gpu" + (2 * i);
            String b = TelemetryClausesTest.NODE + "/gpu" + (2 * i + 1);
            samples.power(a, 5, 400).power(b, 5, 400);
            ledger.add(new dev.strata.platform.api.placement.Allocation("a-" + i, "train", "t1", 10, false,
                    Instant.parse("2026-01-01T00:00:00Z"), List.of(new dev.strata.platform.api.placement.MemberBinding("trainer",
                            TelemetryClausesTest.NODE, "fra-1", List.of(a, b), 1, null, 0, null, 8000, 64L << 30, 600, null))));
        }
        dev.strata.platform.api.model.InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(),
                CommitmentCheckTest.node());
        TelemetryService merged = TelemetryServices.of(Duration.ofSeconds(60), slow);
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> merged, Duration.ofMillis(250))) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                CommitmentCheck.Pass pass = new CommitmentCheck.Pass(inv, ledger, bounded.forPass(), NOW, TelemetryClausesTest.WINDOW);
                ledger.forEach(a -> pass.check(a, contract(100)));
            });
            assertThat(recentCalls.get()).as("calls made in one pass of 20 GPUs, each call 150 ms, 250 ms in all").isLessThanOrEqualTo(2);
            assertThat(bounded.answered()).isFalse();
        } finally {
            TelemetryServices.stop(merged);
        }
    }

    /**
     * Where the pass's budget outlasts the view's own deadline, a hung source is left out by the view's deadline, the
     * other sources answered, as when the view was called on the verifier's thread: the pass reads as answered, and the
     * view logs the source as hung.
     */
    @Test
    void theViewsOwnDeadlineStillLeavesOutAHungSource() {
        Hanging hung = new Hanging();
        Source healthy = new Source(new TelemetryClausesTest.Samples().power(GPU0, 5, 700).power(GPU1, 5, 700));
        TelemetryService merged = TelemetryServices.of(Duration.ofMillis(500), hung, healthy);
        try (StderrCapture log = new StderrCapture(); BoundedTelemetry bounded = new BoundedTelemetry(() -> merged, Duration.ofSeconds(60))) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertThat(bounded.forPass().latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactlyInAnyOrder(GPU0, GPU1);
                assertThat(bounded.answered()).isTrue();
            });
            assertThat(log.text()).contains("Telemetry source hung did not answer its latest samples within 500 ms")
                    .doesNotContain("The verifier goes on without GPU telemetry");
        } finally {
            hung.release.countDown();
            TelemetryServices.stop(merged);
        }
    }

    /**
     * A pass interrupted while the core's view waits for a source (the verifier stopped) answers nothing at once and
     * keeps its interrupt, the pass read as not answered and nothing logged, as when the verifier's thread was waited
     * for; the call still in the source is not made again. A pass already interrupted calls no source.
     */
    @Test
    void anInterruptedPassAnswersNothingAndKeepsItsInterrupt() throws Exception {
        Hanging hung = new Hanging();
        Source healthy = new Source(new TelemetryClausesTest.Samples().power(GPU0, 5, 700).power(GPU1, 5, 700));
        TelemetryService merged = TelemetryServices.of(Duration.ofSeconds(60), hung, healthy);
        try (StderrCapture log = new StderrCapture(); BoundedTelemetry bounded = new BoundedTelemetry(() -> merged, Duration.ofSeconds(60))) {
            AtomicReference<List<GpuSample>> answered = new AtomicReference<>();
            AtomicBoolean keptInterrupt = new AtomicBoolean();
            AtomicBoolean passAnswered = new AtomicBoolean(true);
            Thread pass = new Thread(() -> {
                answered.set(bounded.forPass().latestGpuSamples());
                keptInterrupt.set(Thread.currentThread().isInterrupted());
                passAnswered.set(bounded.answered());
            }, "interrupted-pass");
            pass.start();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                // both sources entered: the healthy one's call counted before the pass is interrupted
                while (hung.calls.get() < 1 || healthy.calls.get() < 1) {
                    Thread.onSpinWait();
                }
            });
            pass.interrupt();
            pass.join(20_000);
            assertThat(pass.isAlive()).as("the interrupted pass returned").isFalse();
            assertThat(answered.get()).isEmpty();
            assertThat(keptInterrupt).isTrue();
            assertThat(passAnswered).isFalse();

            int healthyCalls = healthy.calls.get();
            Thread.currentThread().interrupt();
            try {
                assertThat(bounded.forPass().since(GPU0, NOW.minusSeconds(60), 10)).isSameAs(BoundedTelemetry.UNANSWERED);
                assertThat(bounded.answered()).isFalse();
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt kept").isTrue();
            }
            assertThat(healthy.calls).as("an interrupted pass calls no source").hasValue(healthyCalls);

            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThat(bounded.forPass().latestGpuSamples())
                    .extracting(GpuSample::acceleratorId).containsExactlyInAnyOrder(GPU0, GPU1));
            assertThat(hung.calls).as("not entered again while the given-up call is in it").hasValue(1);
            assertThat(log.text()).as("nothing logged: %s", log.text()).doesNotContain("did not answer").doesNotContain("goes on without");
        } finally {
            hung.release.countDown();
            TelemetryServices.stop(merged);
        }
    }
}
