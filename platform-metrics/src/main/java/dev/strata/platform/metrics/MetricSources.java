package dev.strata.platform.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every collector the endpoint writes, as they come and go with their bundles, and one scrape of
 * them all. A collector that throws is left out of that scrape (the others are written) and
 * logged once until it collects again; a family whose name an earlier collector already wrote is
 * left out and logged once. Thread-safe.
 */
final class MetricSources {

    private static final Logger LOG = LoggerFactory.getLogger(MetricSources.class);

    private final List<MultiCollector> multiCollectors = new CopyOnWriteArrayList<>();
    private final List<Collector> collectors = new CopyOnWriteArrayList<>();
    /** Collectors whose last collect failed (by identity), and family names refused as duplicates: logged once. */
    private final Set<Object> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> duplicates = ConcurrentHashMap.newKeySet();

    void add(MultiCollector collector) {
        multiCollectors.add(collector);
    }

    void remove(MultiCollector collector) {
        multiCollectors.remove(collector);
        failing.remove(collector);
    }

    void add(Collector collector) {
        collectors.add(collector);
    }

    void remove(Collector collector) {
        collectors.remove(collector);
        failing.remove(collector);
    }

    /** One scrape: every collector's families, sorted by name. */
    MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (MultiCollector c : multiCollectors) {
            MetricSnapshots families;
            try {
                families = c.collect();
            } catch (RuntimeException | LinkageError e) {
                failed(c, e);
                continue;
            }
            collected(c);
            for (MetricSnapshot family : families) {
                add(out, family, c);
            }
        }
        for (Collector c : collectors) {
            MetricSnapshot family;
            try {
                family = c.collect();
            } catch (RuntimeException | LinkageError e) {
                failed(c, e);
                continue;
            }
            collected(c);
            if (family != null) {
                add(out, family, c);
            }
        }
        return out.build();
    }

    private void add(MetricSnapshots.Builder out, MetricSnapshot family, Object from) {
        String name = family.getMetadata().getPrometheusName();
        if (out.containsMetricName(name)) {
            if (duplicates.add(name)) {
                LOG.warn("Metric family {} of {} left out: another collector already writes it", name, from);
            }
            return;
        }
        out.metricSnapshot(family);
    }

    private void failed(Object collector, Throwable e) {
        if (failing.add(collector)) {
            LOG.warn("Metrics collector {} failed; its metrics are left out until it collects again", collector, e);
        } else {
            LOG.debug("Metrics collector {} failed again: {}", collector, e.toString());
        }
    }

    private void collected(Object collector) {
        if (failing.remove(collector)) {
            LOG.info("Metrics collector {} collects again", collector);
        }
    }
}
