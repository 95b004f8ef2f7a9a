package dev.strata.platform.metrics;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One gauge family being built during a scrape: values by label values, in the order first seen.
 * A null label value is written as the empty string (which Prometheus reads as no label). A label
 * value that is not Unicode text (an id with an unpaired surrogate, which a JSON {@code \}{@code ud800}
 * escape gives) has each unpaired surrogate written as the six characters {@code \}{@code uD800}:
 * UTF-8 cannot hold it, and the writer wrote {@code ?} for it, so that two GPUs whose ids differed
 * there were written as two series with the same labels, which Prometheus cannot tell apart. Two
 * series {@link #set} that still come to the same labels (an id that holds that text itself) are
 * left out, as neither value is the series'. Not thread-safe: each scrape builds its own.
 */
final class Family {

    private final String name;
    private final String help;
    private final String[] labelNames;
    private final Map<List<String>, Double> values = new LinkedHashMap<>();
    /** The label values as given, by those written, for the series set so far. */
    private final Map<List<String>, List<String>> given = new HashMap<>();
    /** Labels that two different series set came to: left out. */
    private final Set<List<String>> ambiguous = new HashSet<>();

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
        List<String> key = key(labelValues);
        if (ambiguous.contains(key)) {
            return this;
        }
        List<String> asGiven = Arrays.stream(labelValues).map(v -> v == null ? "" : v).toList();
        List<String> earlier = given.putIfAbsent(key, asGiven);
        if (earlier != null && !earlier.equals(asGiven)) {
            ambiguous.add(key);
            values.remove(key);
            return this;
        }
        values.put(key, value);
        return this;
    }

    private List<String> key(String... labelValues) {
        if (labelValues.length != labelNames.length) {
            throw new IllegalArgumentException(name + ": " + labelValues.length + " label values for labels " + Arrays.toString(labelNames));
        }
        List<String> key = new ArrayList<>(labelValues.length);
        for (String v : labelValues) {
            key.add(v == null ? "" : unicode(v));
        }
        return key;
    }

    /**
     * {@code at} as seconds since the epoch, for a {@code _timestamp_seconds} gauge. Not {@code toEpochMilli()}, which throws
     * for an instant past about 292 million years: one time from a clock gone wrong (or a garbled timestamp) failed a whole
     * collector, every series it writes left out of the scrape.
     */
    static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }

    /** The value with each unpaired surrogate written as the text {@code \}{@code uXXXX}; the value itself when it has none. */
    static String unicode(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
            if (!paired && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (out != null) {
                if (paired) {
                    out.append(c);
                } else {
                    out.append(String.format("\\u%04X", (int) c));
                }
            }
        }
        return out == null ? value : out.toString();
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
