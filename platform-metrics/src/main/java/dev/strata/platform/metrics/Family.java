package dev.strata.platform.metrics;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One gauge family being built during a scrape: values by label values, in the order first seen.
 * A null label value is written as the empty string (which Prometheus reads as no label). Not
 * thread-safe: each scrape builds its own.
 */
final class Family {

    private final String name;
    private final String help;
    private final String[] labelNames;
    private final Map<List<String>, Double> values = new LinkedHashMap<>();

    Family(String name, String help, String... labelNames) {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames.clone();
    }

    /** Adds {@code value} to the series with these label values (a count: {@code add(1, ...)}). */
    Family add(double value, String... labelValues) {
        values.merge(key(labelValues), value, Double::sum);
        return this;
    }

    /** Sets the series with these label values. */
    Family set(double value, String... labelValues) {
        values.put(key(labelValues), value);
        return this;
    }

    private List<String> key(String... labelValues) {
        if (labelValues.length != labelNames.length) {
            throw new IllegalArgumentException(name + ": " + labelValues.length + " label values for labels " + Arrays.toString(labelNames));
        }
        List<String> key = new ArrayList<>(labelValues.length);
        for (String v : labelValues) {
            key.add(v == null ? "" : v);
        }
        return key;
    }

    GaugeSnapshot snapshot() {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        values.forEach((labelValues, value) -> b.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(Labels.of(labelNames, labelValues.toArray(String[]::new)))
                .value(value)
                .build()));
        return b.build();
    }
}
