package dev.strata.platform.metrics;

import static dev.strata.platform.metrics.Series.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricSourcesTest {

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
        assertThat(sources.collect().size()).isZero();
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
        assertThat(scrape.stream().map(m -> m.getMetadata().getName())).containsExactly("first", "last", "single");
        // and again: a collector that keeps failing does not stop later scrapes
        assertThat(sources.collect().size()).isEqualTo(3);
        String text = new String(Exposition.render(sources.collect(), null).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("first 1.0", "last 3.0", "single 4.0");
    }

    @Test
    void aFamilyAnotherCollectorAlreadyWroteIsLeftOut() {
        sources.add(multi("strata_nodes", 7));
        sources.add(multi("strata_nodes", 99));
        sources.add(single("strata_nodes", 98));
        MetricSnapshots scrape = sources.collect();
        assertThat(Series.of(scrape, "strata_nodes")).isEqualTo(Map.of(labels(), 7.0));
        assertThat(scrape.size()).isEqualTo(1);
    }

    @Test
    void aCollectorThatReturnsNothingIsSkipped() {
        sources.add((Collector) () -> (MetricSnapshot) null);
        sources.add(multi("kept", 1));
        assertThat(sources.collect().size()).isEqualTo(1);
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
        assertThat(scrape.stream().map(m -> m.getMetadata().getName())).containsExactly("first", "single");
        assertThat(calls).hasValue(1);
        // still stuck: left out again, and not called a second time
        scrape = sources.collect();
        assertThat(scrape.stream().map(m -> m.getMetadata().getName())).containsExactly("first", "single");
        assertThat(calls).hasValue(1);

        release.countDown();
        // the call that was stuck answers this scrape, or has returned and a new one does
        assertThat(Series.of(sources.collect(), "vendor_stuck")).isEqualTo(Map.of(labels(), 5.0));
        // by now no call is running: the next scrape calls it again
        int before = calls.get();
        scrape = sources.collect();
        assertThat(calls).hasValue(before + 1);
        assertThat(scrape.stream().map(m -> m.getMetadata().getName())).containsExactly("first", "single", "vendor_stuck");
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
}
