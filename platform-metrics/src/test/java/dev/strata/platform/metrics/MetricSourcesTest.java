package dev.strata.platform.metrics;

import static dev.strata.platform.metrics.Series.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricSourcesTest {

    /** The gauge of the collectors a scrape left out. */
    static final String ERRORS = "strata_metrics_collector_errors";

    static MultiCollector multi(String name, double value) {
        return () -> MetricSnapshots.of(new Family(name, "help").set(value).snapshot());
    }

    static Collector single(String name, double value) {
        return () -> new Family(name, "help").set(value).snapshot();
    }

    MetricSources sources = new MetricSources();

    @AfterEach
    void close() {
        sources.close();
    }

    @Test
    void everyCollectorIsWrittenAndARemovedOneIsNot() {
        MultiCollector a = multi("vendor_a", 1);
        Collector b = single("vendor_b", 2);
        sources.add(a);
        sources.add(b);
        MetricSnapshots scrape = sources.collect();
        assertThat(Series.of(scrape, "vendor_a")).isEqualTo(Map.of(labels(), 1.0));
        assertThat(Series.of(scrape, "vendor_b")).isEqualTo(Map.of(labels(), 2.0));
        sources.remove(a);
        sources.remove(b);
        assertThat(names(sources.collect())).containsExactly(ERRORS);
    }

    @Test
    void aCollectorThatThrowsIsLeftOutAndTheOthersAreWritten() {
        sources.add(multi("first", 1));
        sources.add((MultiCollector) () -> {
            throw new IllegalStateException("vendor bug");
        });
        sources.add((Collector) () -> {
            throw new NoClassDefFoundError("bundle went away");
        });
        sources.add(multi("last", 3));
        sources.add(single("single", 4));
        MetricSnapshots scrape = sources.collect();
        assertThat(names(scrape)).containsExactly("first", "last", "single", ERRORS);
        // and again: a collector that keeps failing does not stop later scrapes
        assertThat(sources.collect().size()).isEqualTo(4);
        String text = new String(Exposition.render(sources.collect(), null).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("first 1.0", "last 3.0", "single 4.0");
    }

    static java.util.List<String> names(MetricSnapshots scrape) {
        return scrape.stream().map(m -> m.getMetadata().getName()).toList();
    }

    /**
     * A collector that throws or misses the deadline was left out without a word to the scraper:
     * its series were just missing. Every scrape writes how many collectors it left out, 0 when
     * none, so that an alert can see it.
     */
    @Test
    void everyScrapeSaysHowManyCollectorsItLeftOut() {
        sources.add(multi("first", 1));
        assertThat(Series.of(sources.collect(), ERRORS)).isEqualTo(Map.of(labels(), 0.0));
        sources.add((MultiCollector) () -> {
            throw new IllegalStateException("vendor bug");
        });
        sources.add((Collector) () -> {
            throw new IllegalArgumentException("core bug");
        });
        MetricSnapshots scrape = sources.collect();
        assertThat(Series.of(scrape, ERRORS)).isEqualTo(Map.of(labels(), 2.0));
        assertThat(Series.of(scrape, "first")).isEqualTo(Map.of(labels(), 1.0));
        String text = new String(Exposition.render(scrape, null).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("first 1.0", ERRORS + " 2.0").doesNotContain("vendor bug", "core bug", "Exception");
        // a vendor's family of that name cannot hide it
        sources.add(multi(ERRORS, 0));
        assertThat(Series.of(sources.collect(), ERRORS)).isEqualTo(Map.of(labels(), 2.0));
    }

    /**
     * A vendor's histogram x and another's gauge x_count were both written: two families writing
     * the sample x_count, which Prometheus refuses, failing the whole scrape. The later family is
     * left out, and so is one that clashes with a counter's x_total or a summary's x_sum.
     */
    @Test
    void aFamilyWhoseSampleNamesAnEarlierFamilyWritesIsLeftOut() {
        sources.add((MultiCollector) () -> MetricSnapshots.of(histogram("vendor_latency_seconds"), counter("vendor_requests")));
        sources.add(multi("vendor_latency_seconds_count", 5));
        sources.add(single("vendor_latency_seconds_bucket", 6));
        sources.add(multi("vendor_requests_total", 7));
        sources.add(multi("vendor_other", 8));
        MetricSnapshots scrape = sources.collect();
        assertThat(names(scrape)).containsExactly(ERRORS, "vendor_latency_seconds", "vendor_other", "vendor_requests");
        String text = new String(Exposition.render(scrape, null).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("vendor_latency_seconds_count 3", "vendor_requests_total 4.0", "vendor_other 8.0")
                .doesNotContain("# TYPE vendor_latency_seconds_count gauge", "# TYPE vendor_latency_seconds_bucket", "vendor_requests_total 7.0");
        // the other way round: the histogram is the later family, and is left out
        sources.close();
        sources = new MetricSources();
        sources.add(multi("vendor_latency_seconds_sum", 5));
        sources.add((MultiCollector) () -> MetricSnapshots.of(histogram("vendor_latency_seconds")));
        assertThat(names(sources.collect())).containsExactly(ERRORS, "vendor_latency_seconds_sum");
    }

    static io.prometheus.metrics.model.snapshots.HistogramSnapshot histogram(String name) {
        return io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder().name(name).help("help")
                .dataPoint(io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets.of(
                                new double[] {1, Double.POSITIVE_INFINITY}, new long[] {1, 2}))
                        .sum(3).build())
                .build();
    }

    static io.prometheus.metrics.model.snapshots.CounterSnapshot counter(String name) {
        return io.prometheus.metrics.model.snapshots.CounterSnapshot.builder().name(name).help("help")
                .dataPoint(io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot.builder().value(4).build())
                .build();
    }

    @Test
    void aFamilyAnotherCollectorAlreadyWroteIsLeftOut() {
        sources.add(multi("strata_nodes", 7));
        sources.add(multi("strata_nodes", 99));
        sources.add(single("strata_nodes", 98));
        MetricSnapshots scrape = sources.collect();
        assertThat(Series.of(scrape, "strata_nodes")).isEqualTo(Map.of(labels(), 7.0));
        assertThat(names(scrape)).containsExactly(ERRORS, "strata_nodes");
    }

    @Test
    void aCollectorThatReturnsNothingIsSkipped() {
        sources.add((Collector) () -> (MetricSnapshot) null);
        sources.add(multi("kept", 1));
        assertThat(names(sources.collect())).containsExactly("kept", ERRORS);
    }

    @Test
    void aCollectorPastTheDeadlineIsLeftOutAndNotCalledAgainUntilItReturns() throws InterruptedException {
        // long enough for the collectors that answer at once, on a busy machine
        sources = new MetricSources(Duration.ofSeconds(1), Executors.newCachedThreadPool());
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        sources.add(multi("first", 1));
        sources.add((MultiCollector) () -> {
            calls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return MetricSnapshots.of(new Family("vendor_stuck", "help").set(5).snapshot());
        });
        sources.add(single("single", 2));

        MetricSnapshots scrape = sources.collect();
        assertThat(names(scrape)).containsExactly("first", "single", ERRORS);
        assertThat(calls).hasValue(1);
        // still stuck: left out again, and not called a second time
        scrape = sources.collect();
        assertThat(names(scrape)).containsExactly("first", "single", ERRORS);
        assertThat(calls).hasValue(1);

        release.countDown();
        // the call that was stuck answers this scrape, or has returned and a new one does
        assertThat(Series.of(sources.collect(), "vendor_stuck")).isEqualTo(Map.of(labels(), 5.0));
        // by now no call is running: the next scrape calls it again
        int before = calls.get();
        scrape = sources.collect();
        assertThat(calls).hasValue(before + 1);
        assertThat(names(scrape)).containsExactly("first", "single", ERRORS, "vendor_stuck");
    }

    /**
     * Two scrapes at once while a collector hangs: each is answered at its deadline with the other
     * collectors and the count of those left out, and the hung collector is called once, not once
     * per scrape, so concurrent scrapes pile up no threads in it.
     */
    @Test
    void twoScrapesAtOnceShareTheCallOfAHungCollector() throws Exception {
        // long enough for the collector that answers at once, on a busy machine
        sources = new MetricSources(Duration.ofSeconds(3), Executors.newCachedThreadPool());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        sources.add(multi("first", 1));
        sources.add((MultiCollector) () -> {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return MetricSnapshots.of(new Family("vendor_stuck", "help").set(5).snapshot());
        });
        ExecutorService scrapers = Executors.newFixedThreadPool(2);
        try {
            Future<MetricSnapshots> one = scrapers.submit(sources::collect);
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            Future<MetricSnapshots> two = scrapers.submit(sources::collect);
            for (MetricSnapshots scrape : List.of(one.get(60, TimeUnit.SECONDS), two.get(60, TimeUnit.SECONDS))) {
                assertThat(names(scrape)).containsExactly("first", ERRORS);
                assertThat(Series.of(scrape, ERRORS)).isEqualTo(Map.of(labels(), 1.0));
                assertThat(new String(Exposition.render(scrape, null).body(), StandardCharsets.UTF_8)).contains("first 1.0\n", ERRORS + " 1.0\n")
                        .doesNotContain("vendor_stuck");
            }
            assertThat(calls).hasValue(1);
        } finally {
            release.countDown();
            scrapers.shutdownNow();
        }
    }

    @Test
    void theDeadlineComesFromTheSystemPropertyWhenItIsAPositiveNumber() {
        assertThat(MetricSources.timeout(null)).isEqualTo(Duration.ofMillis(MetricSources.DEFAULT_TIMEOUT_MILLIS));
        assertThat(MetricSources.timeout(" 250 ")).isEqualTo(Duration.ofMillis(250));
        assertThat(MetricSources.timeout("0")).isEqualTo(Duration.ofMillis(MetricSources.DEFAULT_TIMEOUT_MILLIS));
        assertThat(MetricSources.timeout("5s")).isEqualTo(Duration.ofMillis(MetricSources.DEFAULT_TIMEOUT_MILLIS));
    }

    /**
     * A deadline too long to count in nanoseconds (10000000000000 ms, about 317 years) made every scrape fail while
     * computing it; one longer than {@value MetricSources#MAX_TIMEOUT_MILLIS} ms is refused (logged, naming the property
     * and the range expected) for the default, and scrapes are answered.
     */
    @Test
    void aDeadlineLongerThanTheMostAllowedIsRefusedAndScrapesAreAnswered() {
        for (String tooLong : new String[] {"10000000000000", String.valueOf(Long.MAX_VALUE), String.valueOf(MetricSources.MAX_TIMEOUT_MILLIS + 1)}) {
            assertThat(MetricSources.timeout(tooLong)).as(tooLong).isEqualTo(Duration.ofMillis(MetricSources.DEFAULT_TIMEOUT_MILLIS));
            MetricSources scraped = new MetricSources(MetricSources.timeout(tooLong), Executors.newCachedThreadPool());
            try {
                scraped.add(multi("vendor_a", 1));
                assertThat(Series.of(scraped.collect(), "vendor_a")).as(tooLong).isEqualTo(Map.of(labels(), 1.0));
            } finally {
                scraped.close();
            }
        }
        assertThat(MetricSources.timeout(String.valueOf(MetricSources.MAX_TIMEOUT_MILLIS)))
                .isEqualTo(Duration.ofMillis(MetricSources.MAX_TIMEOUT_MILLIS));
    }

    /**
     * A scrape while the endpoint stops logged a warning with a stack trace per collector: close
     * interrupted the collectors being called and refused the calls of a later scrape, and each was
     * taken for a collector's failure (and the page served said they failed). A scrape under way
     * when close begins, and one after, is answered as stopping (null), and no collector counts as
     * failing.
     */
    @Test
    void aScrapeWhileTheSourcesCloseIsAnsweredAsStoppingNotAsFailedCollectors() throws Exception {
        sources = new MetricSources(Duration.ofSeconds(30), Executors.newCachedThreadPool());
        CountDownLatch entered = new CountDownLatch(1);
        sources.add(multi("first", 1));
        sources.add((MultiCollector) () -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await(); // until close interrupts it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while collecting", e);
            }
            return MetricSnapshots.of();
        });
        ExecutorService scraper = Executors.newSingleThreadExecutor();
        try {
            Future<MetricSnapshots> during = scraper.submit(sources::collect);
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            sources.close();
            assertThat(during.get(60, TimeUnit.SECONDS)).as("a scrape under way when close began").isNull();
            assertThat(sources.collect()).as("a scrape after close").isNull();
        } finally {
            scraper.shutdownNow();
        }
    }
}
