package dev.strata.platform.core.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Optional;

/** One scrape of a core collector, read back by family name (without {@code _total}) and labels; a series not there reads 0. */
public final class Scraped {

    private final MetricSnapshots families;

    public Scraped(MetricSnapshots families) {
        this.families = families;
    }

    private Optional<DataPointSnapshot> point(String name, String... labels) {
        Labels wanted = Labels.of(labels);
        for (MetricSnapshot family : families) {
            if (family.getMetadata().getName().equals(name)) {
                for (DataPointSnapshot p : family.getDataPoints()) {
                    if (p.getLabels().equals(wanted)) {
                        return Optional.of(p);
                    }
                }
                return Optional.empty();
            }
        }
        throw new AssertionError("no family " + name);
    }

    /** A counter's value. */
    public double value(String name, String... labels) {
        return point(name, labels).map(p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue()).orElse(0.0);
    }

    /** How many observations a histogram's series holds. */
    public long histogramCount(String name, String... labels) {
        return point(name, labels).map(p -> ((HistogramSnapshot.HistogramDataPointSnapshot) p).getCount()).orElse(0L);
    }
}
