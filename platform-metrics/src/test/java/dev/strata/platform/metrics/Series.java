package dev.strata.platform.metrics;

import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Reads a gauge family of a scrape back: value by labels. */
final class Series {

    private Series() {
    }

    static boolean has(MetricSnapshots scrape, String name) {
        return scrape.stream().anyMatch(m -> m.getMetadata().getName().equals(name));
    }

    static Map<Map<String, String>, Double> of(MetricSnapshots scrape, String name) {
        MetricSnapshot family = scrape.stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no family " + name));
        Map<Map<String, String>, Double> out = new LinkedHashMap<>();
        for (DataPointSnapshot p : family.getDataPoints()) {
            Map<String, String> labels = new TreeMap<>();
            for (Label l : p.getLabels()) {
                labels.put(l.getName(), l.getValue());
            }
            out.put(labels, ((GaugeSnapshot.GaugeDataPointSnapshot) p).getValue());
        }
        return out;
    }

    static Map<String, String> labels(String... namesAndValues) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }
}
