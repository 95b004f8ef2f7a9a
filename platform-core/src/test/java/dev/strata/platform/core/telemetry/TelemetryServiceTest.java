package dev.strata.platform.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.api.telemetry.Telemetry;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TelemetryServiceTest {

    private static GpuSample sample(String id, double power) {
        return new GpuSample(id, Instant.now(), 50, 10, 1L << 30, power, 40, 1980, Set.of(), 0, 0);
    }

    private static GpuTelemetrySource source(GpuSample... samples) {
        return new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(samples);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of(samples).stream().filter(s -> s.acceleratorId().equals(acceleratorId)).limit(limit).toList();
            }
        };
    }

    @Test
    void mergesSourcesAndSkipsOneThatThrows() {
        TelemetryService telemetry = new TelemetryService();
        telemetry.addSource(source(sample("GPU-a", 300)));
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                throw new IllegalStateException("NVML gone");
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                throw new IllegalStateException("NVML gone");
            }
        });
        telemetry.addSource(source(sample("GPU-b", 650)));

        assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-a", "GPU-b");
        assertThat(telemetry.latest("GPU-b")).hasValueSatisfying(s -> assertThat(s.powerWatts()).isEqualTo(650));
        assertThat(telemetry.recent("GPU-b", 5)).hasSize(1);
        assertThat(telemetry.recent("GPU-x", 5)).isEmpty();
    }

    /**
     * What a source that throws says is logged as provider text: a credential in it masked, a line break, an escape and a
     * direction override each a space, so that a source (vendor code) can neither leak a password into the log nor forge
     * a line of it. Before, its exception was logged as it came.
     */
    @Test
    void whatAFailingSourceSaysIsLoggedCleaned() {
        TelemetryService telemetry = new TelemetryService();
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                throw new IllegalStateException("exporter https://admin:Hunter2Secret@10.0.0.5/ gone\u001b[2J\u202e\n"
                        + "[main] INFO forged line");
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }
        });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            assertThat(telemetry.latestGpuSamples()).isEmpty();
            assertThat(log.text()).contains("failed; its latest samples are left out until it answers again").contains("gone")
                    .contains("IllegalStateException").doesNotContain("Hunter2Secret").doesNotContain("\u001b").doesNotContain("\u202e")
                    .doesNotContain("\n[main] INFO forged");
        } finally {
            telemetry.deactivate();
        }
    }

    /** A GPU two sources sample is answered by its newest sample, not by whichever source was bound first. */
    @Test
    void theLatestSampleOfAGpuTwoSourcesSampleIsTheNewest() {
        TelemetryService telemetry = new TelemetryService();
        Instant now = Instant.now();
        telemetry.addSource(source(new GpuSample("GPU-a", now.minusSeconds(300), 50, 10, 1L << 30, 300, 40, 1980, Set.of(), 0, 0)));
        telemetry.addSource(source(new GpuSample("GPU-a", now, 50, 10, 1L << 30, 650, 40, 1980, Set.of(), 0, 0)));
        assertThat(telemetry.latest("GPU-a")).hasValueSatisfying(s -> assertThat(s.powerWatts()).isEqualTo(650));
        telemetry.addSource(source(new GpuSample("GPU-a", now, 50, 10, 1L << 30, 700, 40, 1980, Set.of(), 0, 0)));
        assertThat(telemetry.latest("GPU-a")).as("taken at the same instant: the last source's")
                .hasValueSatisfying(s -> assertThat(s.powerWatts()).isEqualTo(700));
        assertThat(telemetry.latest("GPU-x")).isEmpty();
    }

    /**
     * The recent samples of a GPU two sources sample are those of the source with the newest sample of it, as its latest
     * sample is: the first bound source's, whatever their age, before, so that the verifier averaged a stopped source's
     * draw of minutes ago (or found none within its window) while the other source sampled the GPU over its ceiling.
     */
    @Test
    void theRecentSamplesOfAGpuTwoSourcesSampleAreTheNewestSources() {
        TelemetryService telemetry = new TelemetryService();
        Instant now = Instant.now();
        telemetry.addSource(source(new GpuSample("GPU-a", now.minusSeconds(310), 50, 10, 1L << 30, 300, 40, 1980, Set.of(), 0, 0),
                new GpuSample("GPU-a", now.minusSeconds(300), 50, 10, 1L << 30, 300, 40, 1980, Set.of(), 0, 0)));
        telemetry.addSource(source(new GpuSample("GPU-a", now.minusSeconds(5), 50, 10, 1L << 30, 650, 40, 1980, Set.of(), 0, 0),
                new GpuSample("GPU-a", now, 50, 10, 1L << 30, 660, 40, 1980, Set.of(), 0, 0)));
        assertThat(telemetry.recent("GPU-a", 10)).extracting(GpuSample::powerWatts).containsExactly(650.0, 660.0);
        telemetry.addSource(source(new GpuSample("GPU-a", now, 50, 10, 1L << 30, 700, 40, 1980, Set.of(), 0, 0)));
        assertThat(telemetry.recent("GPU-a", 10)).as("the newest taken at the same instant: the last source's, as latest() answers")
                .extracting(GpuSample::powerWatts).containsExactly(700.0);
        assertThat(telemetry.recent("GPU-a", 10).get(0)).isEqualTo(telemetry.latest("GPU-a").orElseThrow());
        assertThat(telemetry.recent("GPU-x", 10)).isEmpty();
    }

    /**
     * A source that keeps failing is logged once, not at every call: the verifier reads every GPU's recent samples each
     * pass, and a source whose calls threw logged a warning per GPU per pass. Once it has answered again, a new failure
     * is logged again.
     */
    @Test
    void aSourceThatKeepsFailingIsLoggedOnceUntilItAnswersAgain() {
        TelemetryService telemetry = new TelemetryService();
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        GpuTelemetrySource working = source(sample("GPU-a", 300));
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                if (failing.get()) {
                    throw new IllegalStateException("NVML gone");
                }
                return working.latest();
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                if (failing.get()) {
                    throw new IllegalStateException("NVML gone");
                }
                return working.recent(acceleratorId, limit);
            }

            @Override
            public String toString() {
                return "flaky";
            }
        });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 5; pass++) {
                assertThat(telemetry.latestGpuSamples()).isEmpty();
                assertThat(telemetry.latest("GPU-a")).isEmpty();
                assertThat(telemetry.recent("GPU-a", 5)).isEmpty();
                assertThat(telemetry.recent("GPU-b", 5)).isEmpty();
            }
            assertThat(log.text().split("NVML gone", -1)).as("once for its latest samples, once for its recent ones: %s", log.text())
                    .hasSize(3);
            assertThat(log.text()).contains("Telemetry source flaky failed");

            failing.set(false);
            assertThat(telemetry.latestGpuSamples()).hasSize(1);
            assertThat(telemetry.recent("GPU-a", 5)).hasSize(1);
            failing.set(true);
            telemetry.latestGpuSamples();
            telemetry.latestGpuSamples();
            assertThat(log.text().split("NVML gone", -1)).as("failing again: logged again, once").hasSize(4);
        }
    }

    /**
     * A null among a source's samples (vendor code) is left out and logged once, with how many, until the source answers
     * without one: before, {@code latest} threw a NullPointerException for every caller, so one such source broke the
     * telemetry of every other source too, and {@code latestGpuSamples} handed the null on.
     */
    @Test
    void aNullAmongASourcesSamplesIsLeftOutAndLoggedOnce() {
        TelemetryService telemetry = new TelemetryService();
        telemetry.addSource(source(sample("GPU-a", 300)));
        GpuSample b = sample("GPU-b", 650);
        java.util.concurrent.atomic.AtomicBoolean nulls = new java.util.concurrent.atomic.AtomicBoolean(true);
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return nulls.get() ? java.util.Arrays.asList(null, b, null) : List.of(b);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return nulls.get() ? java.util.Arrays.asList(b, null) : List.of(b);
            }

            @Override
            public String toString() {
                return "sloppy";
            }
        });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 3; pass++) {
                assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-a", "GPU-b");
                assertThat(telemetry.latest("GPU-a")).hasValueSatisfying(s -> assertThat(s.powerWatts()).isEqualTo(300));
                assertThat(telemetry.latest("GPU-b")).hasValue(b);
                assertThat(telemetry.recent("GPU-b", 5)).containsExactly(b);
            }
            assertThat(log.text()).contains("Telemetry source sloppy answered 2 null samples among its latest samples (3 in all); "
                    + "they are left out until it answers without one");
            assertThat(log.text()).contains("Telemetry source sloppy answered 1 null sample among its recent samples of GPU-b (2 in all)");
            assertThat(log.text().split("null sample", -1)).as("once for its latest samples, once for its recent ones: %s", log.text())
                    .hasSize(3);
            nulls.set(false);
            telemetry.latestGpuSamples();
            nulls.set(true);
            telemetry.latestGpuSamples();
            assertThat(log.text().split("null sample", -1)).as("answering nulls again: logged again, once").hasSize(4);
        }
    }

    /**
     * A page of a GPU's samples from an instant on comes from the source with the GPU's newest sample, as its recent
     * samples do; a source built against the API before pages were asked (recent alone) is paged through the SPI's
     * default; one that throws is left out, logged once, and nulls in a page are left out.
     */
    @Test
    void pagesFromAnInstantOnComeFromTheNewestSourceLeavingOutOneThatThrowsAndNulls() {
        TelemetryService telemetry = new TelemetryService();
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        GpuSample old = new GpuSample("GPU-a", now.minusSeconds(300), 50, 10, 1L << 30, 300, 40, 1980, Set.of(), 0, 0);
        GpuSample a1 = new GpuSample("GPU-a", now.minusSeconds(20), 50, 10, 1L << 30, 600, 40, 1980, Set.of(), 0, 0);
        GpuSample a2 = new GpuSample("GPU-a", now.minusSeconds(10), 50, 10, 1L << 30, 650, 40, 1980, Set.of(), 0, 0);
        GpuSample a3 = new GpuSample("GPU-a", now, 50, 10, 1L << 30, 700, 40, 1980, Set.of(), 0, 0);
        telemetry.addSource(source(old));
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(a3);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of(a3);
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                throw new IllegalStateException("NVML gone");
            }

            @Override
            public String toString() {
                return "broken";
            }
        });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            for (int pass = 0; pass < 2; pass++) {
                // the newest source fails: the page is not known; neither the stopped source's page nor an empty one, which would
                // read as the end of the samples
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> telemetry.since("GPU-a", now.minusSeconds(400), 5))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                        .hasMessageContaining("telemetry source broken did not answer the samples of GPU-a");
            }
            assertThat(log.text().split("broken failed", -1)).as("a failing source logged once: %s", log.text()).hasSize(2);
        }

        TelemetryService paged = new TelemetryService();
        paged.addSource(source(old));
        paged.addSource(source(a1, a2, a3));
        assertThat(paged.since("GPU-a", now.minusSeconds(400), 2)).as("the newest source's, through the default").containsExactly(a1, a2);
        assertThat(paged.since("GPU-a", now.minusSeconds(10), 5)).containsExactly(a2, a3);
        assertThat(paged.since("GPU-x", now.minusSeconds(400), 5)).isEmpty();
        assertThat(paged.since("GPU-a", now.minusSeconds(400), 0)).isEmpty();

        TelemetryService withNulls = new TelemetryService();
        withNulls.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(a3);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of(a3);
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return java.util.Arrays.asList(a1, null, a3);
            }
        });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            assertThat(withNulls.since("GPU-a", now.minusSeconds(400), 5)).containsExactly(a1, a3);
            assertThat(log.text()).contains("answered 1 null sample among its samples of GPU-a since");
        }
    }

    /** A source whose calls block until {@code release} is counted down, counting its calls; it samples GPU-h. */
    /**
     * With one source (the usual case), a page is asked in one call of the source's thread: its newest sample, then the
     * page; the answers are those of several sources' two calls. A source with no sample of the GPU gives no samples, its
     * page not asked; one that throws on or does not answer its newest sample (its page not asked either), or the page,
     * fails the call, since an empty page would read as the end of the GPU's samples.
     */
    @Test
    void oneSourcesPagesAnswerAsSeveralSourcesDo() {
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        GpuSample a1 = new GpuSample("GPU-a", now.minusSeconds(20), 50, 10, 1L << 30, 600, 40, 1980, Set.of(), 0, 0);
        GpuSample a2 = new GpuSample("GPU-a", now.minusSeconds(10), 50, 10, 1L << 30, 650, 40, 1980, Set.of(), 0, 0);
        GpuSample a3 = new GpuSample("GPU-a", now, 50, 10, 1L << 30, 700, 40, 1980, Set.of(), 0, 0);
        TelemetryService paged = new TelemetryService();
        paged.addSource(source(a1, a2, a3));
        try {
            assertThat(paged.since("GPU-a", now.minusSeconds(400), 2)).containsExactly(a1, a2);
            assertThat(paged.since("GPU-a", now.minusSeconds(10), 5)).containsExactly(a2, a3);
            assertThat(paged.since("GPU-x", now.minusSeconds(400), 5)).isEmpty();
        } finally {
            paged.deactivate();
        }

        java.util.concurrent.atomic.AtomicInteger pages = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<String> mode = new java.util.concurrent.atomic.AtomicReference<>();
        TelemetryService one = new TelemetryService(java.time.Duration.ofMillis(300));
        one.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(a3);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                switch (mode.get()) {
                    case "none":
                        return List.of();
                    case "newest throws":
                        throw new IllegalStateException("NVML gone");
                    case "newest hangs":
                        await(release);
                        return List.of(a3);
                    default:
                        return List.of(a3);
                }
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                pages.incrementAndGet();
                if (mode.get().equals("page throws")) {
                    throw new IllegalStateException("NVML gone");
                }
                await(release);
                return List.of(a3);
            }

            @Override
            public String toString() {
                return "one";
            }
        });
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                mode.set("none");
                assertThat(one.since("GPU-a", now.minusSeconds(400), 5)).isEmpty();
                mode.set("newest throws");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.since("GPU-a", now.minusSeconds(400), 5))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                        .hasMessageContaining("did not answer its newest sample of GPU-a");
                assertThat(pages).as("no page asked of a source without a newest sample").hasValue(0);
                mode.set("page throws");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.since("GPU-a", now.minusSeconds(400), 5))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                        .hasMessageContaining("telemetry source one did not answer the samples of GPU-a since");
                mode.set("page hangs");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.since("GPU-a", now.minusSeconds(400), 5))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                        .hasMessageContaining("telemetry source one did not answer the samples of GPU-a since")
                        .hasMessageContaining("within 300 ms");
            });
        } finally {
            release.countDown();
            one.deactivate();
        }

        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        mode.set("newest hangs");
        TelemetryService stuck = new TelemetryService(java.time.Duration.ofMillis(300));
        stuck.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(a3);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                await(held);
                return List.of(a3);
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return List.of(a3);
            }
        });
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                    () -> org.assertj.core.api.Assertions.assertThatThrownBy(() -> stuck.since("GPU-a", now.minusSeconds(400), 5))
                            .as("not answered, as where no source of several answered").isInstanceOf(
                                    dev.strata.platform.api.exception.ProviderUnavailableException.class));
        } finally {
            held.countDown();
            stuck.deactivate();
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class HangingSource implements GpuTelemetrySource {
        volatile java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        final GpuSample sample = sample("GPU-h", 400);

        private List<GpuSample> hang() {
            calls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(sample);
        }

        @Override
        public List<GpuSample> latest() {
            return hang();
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            return acceleratorId.equals("GPU-h") ? hang() : List.of();
        }

        @Override
        public String toString() {
            return "stuck";
        }
    }

    /**
     * A service of the deadline given over a {@link HangingSource} ({@code stuck}) and {@code others}, for the tests of a call
     * that hangs; closing it lets the hung calls go and deactivates the service, so that a test that fails holds no thread.
     */
    private record WithHungSource(TelemetryService telemetry, HangingSource stuck) implements AutoCloseable {

        static WithHungSource of(java.time.Duration deadline, GpuTelemetrySource... others) {
            TelemetryService telemetry = new TelemetryService(deadline);
            HangingSource stuck = new HangingSource();
            telemetry.addSource(stuck);
            for (GpuTelemetrySource other : others) {
                telemetry.addSource(other);
            }
            return new WithHungSource(telemetry, stuck);
        }

        @Override
        public void close() {
            stuck.release.countDown();
            telemetry.deactivate();
        }
    }

    /**
     * A source that hangs (against the SPI) is left out of a call after the deadline, the healthy source's samples
     * answered: before, every call of the merged view waited for as long as the source hung (the shell's
     * {@code strata:gpus} and {@code strata:gpu} with it). While its call is still in it, it is not called again and
     * costs a call nothing; once that call has returned, it is called and answered again.
     */
    @Test
    void aHungSourceCostsOneDeadlineAndTheOthersAreStillAnswered() {
        TelemetryService telemetry = new TelemetryService(java.time.Duration.ofMillis(500));
        HangingSource stuck = new HangingSource();
        telemetry.addSource(stuck);
        telemetry.addSource(source(sample("GPU-a", 300)));
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-a");
                assertThat(stuck.calls).hasValue(1);
                long started = System.nanoTime();
                // still in the source: not called again, and answered at once
                assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-a");
                assertThat(telemetry.latest("GPU-a")).hasValueSatisfying(s -> assertThat(s.powerWatts()).isEqualTo(300));
                assertThat(telemetry.latest("GPU-h")).isEmpty();
                assertThat(telemetry.recent("GPU-a", 5)).extracting(GpuSample::powerWatts).containsExactly(300.0);
                assertThat(telemetry.since("GPU-a", Instant.EPOCH, 5)).extracting(GpuSample::powerWatts).containsExactly(300.0);
                assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("no call waited for the stuck source")
                        .isLessThan(java.time.Duration.ofMillis(500));
                assertThat(stuck.calls).hasValue(1);
            });
            assertThat(log.text()).contains("Telemetry source stuck did not answer its latest samples within 500 ms");
            assertThat(log.text().split("did not answer", -1)).as("logged once: %s", log.text()).hasSize(2);

            stuck.release.countDown();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                // its call leaves the source on the call thread: called again once it has
                while (telemetry.latestGpuSamples().size() < 2) {
                    Thread.onSpinWait();
                }
                assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-h", "GPU-a");
                assertThat(telemetry.recent("GPU-h", 5)).containsExactly(stuck.sample);
            });

            stuck.release = new java.util.concurrent.CountDownLatch(1);
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                    () -> assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-a"));
            assertThat(log.text().split("did not answer", -1)).as("hanging again once it had answered: logged again").hasSize(3);
        } finally {
            stuck.release.countDown();
            telemetry.deactivate();
        }
    }

    /**
     * A source that hangs on the recent samples of a GPU is left out of {@code recent} and {@code since} as one that
     * throws is, the other sources answered; where the source chosen for a page hangs on the page, the call fails within
     * the deadline rather than answering an empty page.
     */
    @Test
    void recentAndSinceLeaveOutAHungSourceAndFailWhereTheChosenOneHangsOnThePage() {
        TelemetryService telemetry = new TelemetryService(java.time.Duration.ofMillis(500));
        HangingSource stuck = new HangingSource();
        telemetry.addSource(source(sample("GPU-h", 300)));
        telemetry.addSource(stuck);
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                assertThat(telemetry.recent("GPU-h", 5)).extracting(GpuSample::powerWatts).containsExactly(300.0);
                assertThat(telemetry.since("GPU-h", Instant.EPOCH, 5)).extracting(GpuSample::powerWatts).containsExactly(300.0);
                assertThat(stuck.calls).as("not called again while its first call is in it").hasValue(1);
            });
        } finally {
            stuck.release.countDown();
            telemetry.deactivate();
        }

        TelemetryService paged = new TelemetryService(java.time.Duration.ofMillis(500));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        GpuSample newest = sample("GPU-a", 650);
        paged.addSource(source(new GpuSample("GPU-a", Instant.EPOCH, 50, 10, 1L << 30, 300, 40, 1980, Set.of(), 0, 0)));
        paged.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(newest);
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of(newest);
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of(newest);
            }

            @Override
            public String toString() {
                return "slow pages";
            }
        });
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                    () -> org.assertj.core.api.Assertions.assertThatThrownBy(() -> paged.since("GPU-a", Instant.EPOCH, 5))
                            .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                            .hasMessageContaining("telemetry source slow pages did not answer the samples of GPU-a since"));
        } finally {
            release.countDown();
            paged.deactivate();
        }
    }

    /**
     * A page is empty only where every source answered that it has no sample of the GPU. Where none answered one and a
     * source did not answer at all (it hangs on its newest sample, throws on it, or is not called while a call past its
     * deadline is still in it), the call fails: an empty page reads as the end of the GPU's samples, and a walk of the
     * verifier whose later page came back empty was taken for a whole one. Before, each of these answered an empty page.
     */
    @Test
    void aPageIsNotAnsweredEmptyWhereNoSourceAnsweredTheGpusNewestSample() {
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        GpuSample a1 = new GpuSample("GPU-h", now, 50, 10, 1L << 30, 600, 40, 1980, Set.of(), 0, 0);

        // one source, stuck in a call of the shell's that passed its deadline: the verifier's next page is not called of it
        TelemetryService stuckOne = new TelemetryService(java.time.Duration.ofMillis(300));
        HangingSource stuck = new HangingSource();
        stuckOne.addSource(stuck);
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                assertThat(stuckOne.latestGpuSamples()).isEmpty();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> stuckOne.since("GPU-h", Instant.EPOCH, 5))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                        .hasMessageContaining("did not answer the samples of GPU-h since");
                assertThat(stuck.calls).as("not called while its call is in it").hasValue(1);
            });
        } finally {
            stuck.release.countDown();
            stuckOne.deactivate();
        }

        // one source that hangs on, or throws on, its newest sample
        for (String mode : List.of("hangs", "throws")) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            TelemetryService one = new TelemetryService(java.time.Duration.ofMillis(300));
            one.addSource(new GpuTelemetrySource() {
                @Override
                public List<GpuSample> latest() {
                    return List.of(a1);
                }

                @Override
                public List<GpuSample> recent(String acceleratorId, int limit) {
                    if (mode.equals("throws")) {
                        throw new IllegalStateException("NVML gone");
                    }
                    await(release);
                    return List.of(a1);
                }

                @Override
                public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                    return List.of(a1);
                }

                @Override
                public String toString() {
                    return "one";
                }
            });
            try {
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                        () -> org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.since("GPU-h", Instant.EPOCH, 5))
                                .as("a source that %s on its newest sample", mode)
                                .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                                .hasMessageContaining("telemetry source one did not answer the samples of GPU-h since"));
            } finally {
                release.countDown();
                one.deactivate();
            }
        }

        // two sources: one answers that it has no sample of the GPU, the other hangs on its newest
        TelemetryService two = new TelemetryService(java.time.Duration.ofMillis(300));
        HangingSource hung = new HangingSource();
        two.addSource(source(sample("GPU-a", 300)));
        two.addSource(hung);
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> two.since("GPU-h", Instant.EPOCH, 5))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                        .hasMessageContaining("did not answer the samples of GPU-h since");
                assertThat(two.since("GPU-a", Instant.EPOCH, 5)).as("a source with a sample of the GPU answers it, the hung one left out")
                        .extracting(GpuSample::powerWatts).containsExactly(300.0);
            });
        } finally {
            hung.release.countDown();
            two.deactivate();
        }
    }

    /**
     * A call the service cannot make because all its call threads are busy (here, in sources that block, each holding as
     * many as it may) leaves the source out as one that did not answer: the lack of threads is logged once, as such, and
     * no source is said to have failed, nor, once threads are free again, to answer again. Before, each source of such a
     * call was logged as failing with "all 32 telemetry call threads are busy", the healthy one included.
     */
    @Test
    void aCallRefusedForBusyThreadsIsNotBlamedOnTheSource() throws Exception {
        TelemetryService telemetry = new TelemetryService(java.time.Duration.ofSeconds(20));
        List<HangingSource> blocking = new java.util.ArrayList<>();
        for (int i = 0; i < 32 / TelemetryService.MAX_CALLS_PER_SOURCE; i++) {
            HangingSource source = new HangingSource();
            blocking.add(source);
            telemetry.addSource(source);
        }
        GpuTelemetrySource healthy = new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return List.of(sample("GPU-a", 300));
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }

            @Override
            public String toString() {
                return "healthy";
            }
        };
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(
                TelemetryService.MAX_CALLS_PER_SOURCE);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            List<java.util.concurrent.Future<List<GpuSample>>> waiting = new java.util.ArrayList<>();
            for (int i = 0; i < TelemetryService.MAX_CALLS_PER_SOURCE; i++) {
                waiting.add(callers.submit(telemetry::latestGpuSamples));
            }
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (blocking.stream().mapToInt(b -> b.calls.get()).sum() < 32 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(blocking.stream().mapToInt(b -> b.calls.get()).sum()).as("every call thread in a blocking source").isEqualTo(32);
            telemetry.addSource(healthy);

            assertThat(telemetry.latestGpuSamples()).as("no thread to call the healthy source on").isEmpty();

            blocking.forEach(b -> b.release.countDown());
            for (java.util.concurrent.Future<List<GpuSample>> f : waiting) {
                f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).contains("GPU-a");
            assertThat(log.text()).contains("telemetry call threads are busy");
            assertThat(log.text()).as("the healthy source is not blamed: %s", log.text()).doesNotContain("healthy failed")
                    .doesNotContain("healthy answers again");
        } finally {
            blocking.forEach(b -> b.release.countDown());
            callers.shutdownNow();
            telemetry.deactivate();
        }
    }

    /**
     * A source that hangs holds at most {@link TelemetryService#MAX_CALLS_PER_SOURCE} call threads, however many calls
     * reach it before its first deadline: a call made while that many are in it leaves it out at once (logged once, as
     * such), not waiting for it, and the other source is called and answers every call, more calls here than there are
     * call threads. Before, every call made before the first deadline entered the hung source: it held every call thread,
     * the callers waited for it, and the calls past the threads answered nothing (the healthy source left out).
     */
    @Test
    void aHungSourceHoldsNoMoreThreadsThanItsCapAndTheOtherSourcesAreStillCalled() throws Exception {
        // a deadline the test never reaches: the calls in the hung source are not yet known to hang
        int many = 40;
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(many);
        try (WithHungSource withHung = WithHungSource.of(java.time.Duration.ofSeconds(60), source(sample("GPU-a", 300)));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            TelemetryService telemetry = withHung.telemetry();
            HangingSource hung = withHung.stuck();
            List<java.util.concurrent.Future<List<GpuSample>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < many; i++) {
                int entered = hung.calls.get();
                java.util.concurrent.Future<List<GpuSample>> answer = callers.submit(telemetry::latestGpuSamples);
                answers.add(answer);
                // one call at a time: until it has entered the hung source, or answered without it
                long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (hung.calls.get() == entered && !answer.isDone() && System.nanoTime() - until < 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
            assertThat(hung.calls).as("call threads held by the hung source").hasValue(TelemetryService.MAX_CALLS_PER_SOURCE);
            for (java.util.concurrent.Future<List<GpuSample>> answer : answers.subList(TelemetryService.MAX_CALLS_PER_SOURCE, many)) {
                assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the other source called, the hung one left out")
                        .extracting(GpuSample::acceleratorId).containsExactly("GPU-a");
            }
            assertThat(log.text()).contains("Telemetry source stuck is not called for its latest samples: " + TelemetryService.MAX_CALLS_PER_SOURCE + " calls of it are still in it");
            assertThat(log.text().split("is not called for", -1)).as("logged once: %s", log.text()).hasSize(2);
            assertThat(log.text()).as("the threads did not run out: %s", log.text()).doesNotContain("call threads are busy");

            hung.release.countDown();
            for (java.util.concurrent.Future<List<GpuSample>> answer : answers.subList(0, TelemetryService.MAX_CALLS_PER_SOURCE)) {
                assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS)).extracting(GpuSample::acceleratorId)
                        .containsExactly("GPU-h", "GPU-a");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * A hung source removed while a caller still waits for it is forgotten for good: the caller's overrun, recorded after
     * the removal, leaves no trace of it, and the source added again is called at once. Before, the overrun put the
     * removed source back among the hung and stuck ones, keeping a reference to it, and the source added again was left
     * out until its old call returned.
     */
    @Test
    void aHungSourceRemovedWhileACallerWaitsLeavesNoTrace() throws Exception {
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (WithHungSource hung = WithHungSource.of(java.time.Duration.ofMillis(300));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            TelemetryService telemetry = hung.telemetry();
            HangingSource stuck = hung.stuck();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                java.util.concurrent.Future<List<GpuSample>> waiting = callers.submit(telemetry::latestGpuSamples);
                while (stuck.calls.get() < 1) {
                    Thread.onSpinWait();
                }
                telemetry.removeSource(stuck);
                assertThat(waiting.get()).isEmpty();
                assertThat(telemetry.tracksAsHung(stuck)).as("no trace of the removed source").isFalse();

                telemetry.addSource(stuck);
                assertThat(telemetry.latestGpuSamples()).isEmpty();
                assertThat(stuck.calls).as("added again: called at once").hasValue(2);
            });
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * A caller interrupted while it waits for a hung source (a shell command's Ctrl-C) counts its call as still in the
     * source: the next call leaves the source out at once rather than entering it again and holding another call thread,
     * and nothing is logged as a hang, since the source was not late. Before, the next call entered the source again.
     */
    @Test
    void aCallerInterruptedWhileWaitingLeavesTheHungSourceUncalled() {
        // a deadline the test never reaches: a call past it would rightly be logged as a hang
        try (WithHungSource hung = WithHungSource.of(java.time.Duration.ofSeconds(60));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            TelemetryService telemetry = hung.telemetry();
            HangingSource stuck = hung.stuck();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                Thread caller = new Thread(telemetry::latestGpuSamples, "interrupted-caller");
                caller.start();
                while (stuck.calls.get() < 1) {
                    Thread.onSpinWait();
                }
                caller.interrupt();
                caller.join(5_000);
                assertThat(caller.isAlive()).as("the interrupted caller returned").isFalse();
                telemetry.addSource(source(sample("GPU-a", 300)));

                assertThat(telemetry.latestGpuSamples()).extracting(GpuSample::acceleratorId).containsExactly("GPU-a");
                assertThat(stuck.calls).as("not entered again while the given-up call is in it").hasValue(1);
            });
            assertThat(log.text()).as("not logged as a hang: %s", log.text()).doesNotContain("did not answer");
        }
    }

    /**
     * A source removed while a call is stuck in it and added again keeps the calls of each time apart: the old call
     * leaving the source takes back only what it counted, so that the source added again, with a call of its own still
     * stuck in it, is still left out rather than entered again. Before, the old call's leaving took back the new call's
     * count and the next call entered the source again while a call past its deadline was still in it.
     */
    @Test
    void aStuckCallOfASourceRemovedAndAddedAgainLeavesTheNewCallsCountAlone() throws Exception {
        TelemetryService telemetry = new TelemetryService(java.time.Duration.ofMillis(200));
        java.util.concurrent.CountDownLatch releaseFirst = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch releaseOthers = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Thread> firstThread = new java.util.concurrent.atomic.AtomicReference<>();
        GpuTelemetrySource source = new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                if (calls.incrementAndGet() == 1) {
                    firstThread.set(Thread.currentThread());
                    await(releaseFirst);
                } else {
                    await(releaseOthers);
                }
                return List.of();
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }
        };
        telemetry.addSource(source);
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                assertThat(telemetry.latestGpuSamples()).isEmpty(); // the first call, stuck
                telemetry.removeSource(source);
                telemetry.addSource(source);
                assertThat(telemetry.latestGpuSamples()).isEmpty(); // added again: called, and stuck again
                assertThat(calls).hasValue(2);

                releaseFirst.countDown();
                // the first call's thread is back waiting for work once it has left the source
                while (firstThread.get().getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait();
                }
                assertThat(telemetry.tracksAsHung(source)).as("the second call is still in the source").isTrue();
                assertThat(telemetry.latestGpuSamples()).isEmpty();
                assertThat(calls).as("not entered again while the second call is in it").hasValue(2);
            });
        } finally {
            releaseFirst.countDown();
            releaseOthers.countDown();
            telemetry.deactivate();
        }
    }

    /**
     * A source whose only call past the caller's patience was given up by an interrupted caller, and that is still in
     * it once the deadline has passed, is logged as hung when the next call leaves it out: it was late after all, and
     * the calls that leave it out would otherwise leave it out without a word for as long as it hangs. Before, a source
     * hung since a shell command's Ctrl-C was left out of every call and never logged.
     */
    @Test
    void aSourceStillInTheCallAnInterruptedCallerGaveUpIsLoggedAsHungOnceItIsLate() {
        java.time.Duration deadline = java.time.Duration.ofMillis(200);
        TelemetryService telemetry = new TelemetryService(deadline);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicLong entered = new java.util.concurrent.atomic.AtomicLong();
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                entered.compareAndSet(0, System.nanoTime());
                await(release);
                return List.of();
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }

            @Override
            public String toString() {
                return "silent";
            }
        });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                Thread caller = new Thread(telemetry::latestGpuSamples, "interrupted-caller");
                caller.start();
                while (entered.get() == 0) {
                    Thread.onSpinWait();
                }
                caller.interrupt();
                caller.join(5_000);
                assertThat(caller.isAlive()).as("the interrupted caller returned").isFalse();
                while (System.nanoTime() - entered.get() < deadline.toNanos()) {
                    Thread.sleep(10);
                }
                assertThat(telemetry.latestGpuSamples()).isEmpty();
                assertThat(telemetry.latestGpuSamples()).isEmpty();
            });
            assertThat(log.text()).contains("Telemetry source silent did not answer its latest samples within 200 ms");
            assertThat(log.text().split("did not answer", -1)).as("logged once: %s", log.text()).hasSize(2);
        } finally {
            release.countDown();
            telemetry.deactivate();
        }
    }

    /**
     * A source removed while a caller waits for it, whose call then fails, leaves no trace: the failure is not recorded
     * against it, so that the source added again has its first failure logged. Before, the failure recorded after the
     * removal kept the source among the failing ones, and the source added again failed without a word.
     */
    @Test
    void aFailureOfARemovedSourceAnsweredAfterItsRemovalLeavesNoTrace() throws Exception {
        TelemetryService telemetry = new TelemetryService(java.time.Duration.ofSeconds(60));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        GpuTelemetrySource failing = new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                calls.incrementAndGet();
                await(release);
                throw new IllegalStateException("NVML gone");
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }

            @Override
            public String toString() {
                return "failing";
            }
        };
        telemetry.addSource(failing);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                java.util.concurrent.Future<List<GpuSample>> waiting = callers.submit(telemetry::latestGpuSamples);
                while (calls.get() < 1) {
                    Thread.onSpinWait();
                }
                telemetry.removeSource(failing);
                release.countDown();
                assertThat(waiting.get()).isEmpty();

                telemetry.addSource(failing);
                int before = log.text().length();
                assertThat(telemetry.latestGpuSamples()).isEmpty();
                assertThat(log.text().substring(before)).as("the source added again is logged as failing")
                        .contains("Telemetry source failing failed; its latest samples are left out");
            });
        } finally {
            release.countDown();
            callers.shutdownNow();
            telemetry.deactivate();
        }
    }

    /**
     * A call made within a caller's deadline shorter than the service's own (the verifier's budget of a pass) is cut short
     * by it: it throws rather than answering the other sources' samples, within the caller's deadline. The call still in
     * the hung source counts as stuck (the next call leaves the source out at once), and the source is not logged as hung,
     * since it was not late by the service's deadline. Where the caller's deadline is later, the call answers as one
     * without it.
     */
    @Test
    void aCallWithinACallersDeadlineIsCutShortByIt() {
        try (WithHungSource hung = WithHungSource.of(java.time.Duration.ofSeconds(60), source(sample("GPU-a", 300)));
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            TelemetryService telemetry = hung.telemetry();
            HangingSource stuck = hung.stuck();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
                Telemetry within = telemetry.within(System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200));
                org.assertj.core.api.Assertions.assertThatThrownBy(within::latestGpuSamples).isInstanceOfSatisfying(
                        TelemetryService.CutShort.class, e -> assertThat(e.interrupted()).isFalse());
                assertThat(telemetry.tracksAsHung(stuck)).as("its call still in it").isTrue();
                Telemetry later = telemetry.within(System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60));
                assertThat(onceTheHealthyCallHasLeft(later::latestGpuSamples)).containsExactly("GPU-a");
                assertThat(later.recent("GPU-a", 5)).extracting(GpuSample::powerWatts).containsExactly(300.0);
                assertThat(later.since("GPU-a", Instant.EPOCH, 5)).extracting(GpuSample::powerWatts).containsExactly(300.0);
                assertThat(later.latest("GPU-a")).hasValueSatisfying(s -> assertThat(s.powerWatts()).isEqualTo(300));
                assertThat(stuck.calls).as("not entered again while its call is in it").hasValue(1);
            });
            assertThat(log.text()).as("not logged as a hang: %s", log.text()).doesNotContain("did not answer");
        }
    }

    /**
     * The GPUs {@code read} answers once it answers GPU-a, within 10 s. A call cut short (by its caller's deadline or
     * interrupt) counts every source still in it as stuck until it leaves, the healthy one too where its call thread had
     * not yet run (a loaded machine): it leaves moments later, and is read from then on.
     */
    private static List<String> onceTheHealthyCallHasLeft(java.util.function.Supplier<List<GpuSample>> read) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> gpus = read.get().stream().map(GpuSample::acceleratorId).toList();
            if (gpus.equals(List.of("GPU-a")) || System.nanoTime() - until > 0) {
                return gpus;
            }
            Thread.sleep(10);
        }
    }

    /**
     * A caller with a deadline of its own interrupted while it waits (the verifier stopped) is answered nothing: the
     * call throws, the interrupt kept, and the source is left out while the given-up call is in it.
     */
    @Test
    void aCallWithinACallersDeadlineInterruptedIsCutShort() {
        try (WithHungSource hung = WithHungSource.of(java.time.Duration.ofSeconds(60), source(sample("GPU-a", 300)))) {
            TelemetryService telemetry = hung.telemetry();
            HangingSource stuck = hung.stuck();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
                java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
                java.util.concurrent.atomic.AtomicBoolean kept = new java.util.concurrent.atomic.AtomicBoolean();
                Thread caller = new Thread(() -> {
                    try {
                        telemetry.within(System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60)).since("GPU-h",
                                Instant.EPOCH, 5);
                    } catch (RuntimeException e) {
                        thrown.set(e);
                    }
                    kept.set(Thread.currentThread().isInterrupted());
                }, "interrupted-caller");
                caller.start();
                while (stuck.calls.get() < 1) {
                    Thread.onSpinWait();
                }
                caller.interrupt();
                caller.join(10_000);
                assertThat(caller.isAlive()).isFalse();
                assertThat(thrown.get()).isInstanceOfSatisfying(TelemetryService.CutShort.class, e -> assertThat(e.interrupted()).isTrue());
                assertThat(kept).isTrue();
                assertThat(onceTheHealthyCallHasLeft(telemetry::latestGpuSamples)).as("the healthy source is read, the stuck one left out")
                        .containsExactly("GPU-a");
                assertThat(stuck.calls).as("the stuck source is not called again while the given-up call is in it").hasValue(1);
            });
        }
    }

    /**
     * A source's answer is read on the service's call thread, not its caller's: a caller with a deadline of its own
     * (the verifier) waits for nothing else, and a list of the source's that hangs or fails when read (a live list) is
     * the source's hang or failure. Before, the recent samples and a page of one source were answered as the source's
     * own list, read then on the caller's thread.
     */
    @Test
    void aSourcesAnswerIsReadOnTheCallThread() {
        Set<String> readOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        GpuSample s = sample("GPU-a", 300);
        List<GpuSample> recorded = new java.util.AbstractList<>() {
            @Override
            public GpuSample get(int index) {
                readOn.add(Thread.currentThread().getName());
                return s;
            }

            @Override
            public int size() {
                readOn.add(Thread.currentThread().getName());
                return 1;
            }
        };
        TelemetryService telemetry = new TelemetryService();
        telemetry.addSource(new GpuTelemetrySource() {
            @Override
            public List<GpuSample> latest() {
                return recorded;
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return recorded;
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return recorded;
            }
        });
        try {
            List<GpuSample> latest = telemetry.latestGpuSamples();
            List<GpuSample> recent = telemetry.recent("GPU-a", 5);
            List<GpuSample> page = telemetry.since("GPU-a", Instant.EPOCH, 5);
            List<GpuSample> within = telemetry.within(System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60)).recent("GPU-a", 5);
            for (List<GpuSample> answer : List.of(latest, recent, page, within)) {
                assertThat(answer).containsExactly(s);
            }
            assertThat(readOn).isNotEmpty().allSatisfy(name -> assertThat(name).startsWith("strata-telemetry-call-"));
        } finally {
            telemetry.deactivate();
        }
    }

    @Test
    void departedSourceIsForgotten() {
        TelemetryService telemetry = new TelemetryService();
        GpuTelemetrySource nvidia = source(sample("GPU-a", 300));
        telemetry.addSource(nvidia);
        telemetry.removeSource(nvidia);
        assertThat(telemetry.latestGpuSamples()).isEmpty();
    }
}
