package dev.strata.platform.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every collector the endpoint writes, as they come and go with their bundles, and one scrape of
 * them all. A scrape reads every collector on threads of its own, all at once, and waits for each
 * until one deadline ({@value #TIMEOUT_PROPERTY}, {@value #DEFAULT_TIMEOUT_MILLIS} ms unless set),
 * so a collector that hangs cannot hold the scrape: it is left out of that scrape, and it is not
 * called again until its call has returned (a scrape meanwhile leaves it out too). Each collector
 * has at most one call running, so the threads are at most as many as the collectors.
 *
 * <p>A collector that throws or misses the deadline is left out of that scrape (the others are
 * written) and logged once until it collects again; every scrape writes how many were left out as
 * {@value #ERRORS}, so that a scraper sees metrics are missing. A family whose name, or one of
 * whose sample names ({@code x_count} of a histogram {@code x}, {@code x_total} of a counter), an
 * earlier family already writes is left out and logged once naming both: Prometheus refuses a
 * whole scrape in which two families write one sample name. Thread-safe.
 */
final class MetricSources {

    /** The system property that sets how long a scrape waits for each collector, in milliseconds. */
    static final String TIMEOUT_PROPERTY = "strata.metrics.collectTimeoutMillis";
    static final long DEFAULT_TIMEOUT_MILLIS = 5000;
    /**
     * The longest deadline the system property may set: an hour, far past any scrape timeout a
     * scraper waits. A longer one is a mistake (a value in another unit), and one past about 292
     * years could not even be counted in nanoseconds, which failed every scrape.
     */
    static final long MAX_TIMEOUT_MILLIS = 3_600_000;

    /** The gauge of the collectors a scrape left out (they threw or missed the deadline). */
    static final String ERRORS = "strata_metrics_collector_errors";

    private static final Logger LOG = LoggerFactory.getLogger(MetricSources.class);

    private final List<Source> multiCollectors = new CopyOnWriteArrayList<>();
    private final List<Source> collectors = new CopyOnWriteArrayList<>();
    /** Collectors whose last collect failed or ran past the deadline (by identity), and families refused as clashing (with whom): logged once. */
    private final Set<Object> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> duplicates = ConcurrentHashMap.newKeySet();
    private final Duration timeout;
    private final ExecutorService threads;
    /** Set once {@link #close} begins: a scrape from then on is answered as stopping, and logs nothing of its collectors. */
    private volatile boolean closed;

    /** Waits {@value #TIMEOUT_PROPERTY} (or {@value #DEFAULT_TIMEOUT_MILLIS} ms) for each collector, on daemon threads of its own. */
    MetricSources() {
        this(timeout(System.getProperty(TIMEOUT_PROPERTY)), Executors.newCachedThreadPool(new CollectorThreads()));
    }

    /**
     * @param timeout how long a scrape waits for each collector
     * @param threads where collectors are called; shut down by {@link #close}
     */
    MetricSources(Duration timeout, ExecutorService threads) {
        this.timeout = timeout;
        this.threads = threads;
    }

    void add(MultiCollector collector) {
        multiCollectors.add(new Source(collector, () -> {
            MetricSnapshots families = collector.collect();
            return families == null ? MetricSnapshots.of() : families;
        }));
    }

    void remove(MultiCollector collector) {
        multiCollectors.removeIf(s -> s.collector == collector);
        failing.remove(collector);
    }

    void add(Collector collector) {
        collectors.add(new Source(collector, () -> {
            MetricSnapshot family = collector.collect();
            return family == null ? MetricSnapshots.of() : MetricSnapshots.of(family);
        }));
    }

    void remove(Collector collector) {
        collectors.removeIf(s -> s.collector == collector);
        failing.remove(collector);
    }

    /**
     * One scrape: every collector's families that came within the deadline, sorted by name; null
     * once {@link #close} began (before or while the scrape ran), since the collectors are then no
     * longer called, or were interrupted: a scrape while the endpoint stops is no collector's failure.
     */
    MetricSnapshots collect() {
        if (closed) {
            return null;
        }
        List<Source> all = new ArrayList<>(multiCollectors);
        all.addAll(collectors);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<MetricSnapshots>> calls = new ArrayList<>(all.size());
        for (Source s : all) {
            calls.add(s.call(threads));
        }
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        // every sample name written so far, with the family that writes it; the endpoint's own gauges first
        Map<String, String> written = new HashMap<>();
        written.put(ERRORS, ERRORS);
        written.put(Exposition.RENDER_ERRORS, Exposition.RENDER_ERRORS);
        int errors = 0;
        for (int i = 0; i < all.size(); i++) {
            Object collector = all.get(i).collector;
            MetricSnapshots families = await(collector, calls.get(i), deadline);
            if (families == null) {
                errors++;
                continue;
            }
            for (MetricSnapshot family : families) {
                add(out, written, family, collector);
            }
        }
        if (closed) {
            return null; // the collectors left out were stopped, not failing
        }
        out.metricSnapshot(new Family(ERRORS, "Metrics collectors left out of this scrape: they failed or did not answer in time "
                + "(Strata's log names them)").set(errors).snapshot());
        return out.build();
    }

    /** Stops the threads; a collector still running is interrupted. */
    void close() {
        closed = true;
        threads.shutdownNow();
    }

    /** A collector's families, or null when it failed or missed the deadline. */
    private MetricSnapshots await(Object collector, CompletableFuture<MetricSnapshots> call, long deadline) {
        if (closed) {
            return null; // refused or interrupted by close: the scrape is answered as stopping, nothing is logged
        }
        try {
            MetricSnapshots families = call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            collected(collector);
            return families;
        } catch (TimeoutException e) {
            if (closed) {
                return null; // closed while it waited: the collector was stopped, not overdue
            }
            overdue(collector);
        } catch (ExecutionException e) {
            if (closed) {
                return null; // interrupted or refused by close meanwhile: no failure of the collector's
            }
            failed(collector, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("Scrape interrupted while waiting for metrics collector {}; left out", collector);
        }
        return null;
    }

    private void add(MetricSnapshots.Builder out, Map<String, String> written, MetricSnapshot family, Object from) {
        String name = family.getMetadata().getPrometheusName();
        Set<String> samples = sampleNames(family);
        for (String sample : samples) {
            String owner = written.get(sample);
            if (owner != null) {
                if (duplicates.add(name + " " + owner)) {
                    LOG.warn("Metric family {} of {} left out: {}", name, from, owner.equals(name)
                            ? "a family of that name is already written (by another collector, or earlier by this one)"
                            : "its sample name " + sample + " is already written by the family " + owner + "; expected names that no "
                                    + "other family's samples take (a histogram x writes x_bucket, x_count and x_sum; a counter x writes x_total)");
                }
                return;
            }
        }
        samples.forEach(sample -> written.put(sample, name));
        out.metricSnapshot(family);
    }

    /**
     * The names a family takes in the text formats: its own, and those of its samples and of their
     * {@code _created} companions, as either format writes them.
     */
    static Set<String> sampleNames(MetricSnapshot family) {
        String n = family.getMetadata().getPrometheusName();
        Set<String> names = new LinkedHashSet<>();
        names.add(n);
        if (family instanceof CounterSnapshot) {
            names.addAll(List.of(n + "_total", n + "_created"));
        } else if (family instanceof HistogramSnapshot) {
            names.addAll(List.of(n + "_bucket", n + "_count", n + "_sum", n + "_created", n + "_gcount", n + "_gsum"));
        } else if (family instanceof SummarySnapshot) {
            names.addAll(List.of(n + "_count", n + "_sum", n + "_created"));
        } else if (family instanceof InfoSnapshot) {
            names.add(n + "_info");
        }
        return names;
    }

    private void failed(Object collector, Throwable e) {
        if (failing.add(collector)) {
            LOG.warn("Metrics collector {} failed; its metrics are left out until it collects again", collector, e);
        } else {
            LOG.debug("Metrics collector {} failed again: {}", collector, e.toString());
        }
    }

    private void overdue(Object collector) {
        if (failing.add(collector)) {
            LOG.warn("Metrics collector {} did not answer within {} ms; its metrics are left out, and it is not called again until "
                    + "its call returns", collector, timeout.toMillis());
        } else {
            LOG.debug("Metrics collector {} is still busy; left out again", collector);
        }
    }

    private void collected(Object collector) {
        if (failing.remove(collector)) {
            LOG.info("Metrics collector {} collects again", collector);
        }
    }

    /**
     * The deadline the system property sets, or the default when it is unset or not a number of
     * milliseconds from 1 to {@value #MAX_TIMEOUT_MILLIS} (logged, naming the property and the range).
     */
    static Duration timeout(String millis) {
        if (millis != null) {
            try {
                long ms = Long.parseLong(millis.trim());
                if (ms > 0 && ms <= MAX_TIMEOUT_MILLIS) {
                    return Duration.ofMillis(ms);
                }
            } catch (NumberFormatException e) {
                // as below
            }
            LOG.warn("System property {}={} is not a number of milliseconds from 1 to {} (an hour); metrics collectors are read with "
                    + "a deadline of {} ms", TIMEOUT_PROPERTY, millis, MAX_TIMEOUT_MILLIS, DEFAULT_TIMEOUT_MILLIS);
        }
        return Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS);
    }

    /** One collector and the call of it that is running, if any. */
    private static final class Source {

        final Object collector;
        private final Supplier<MetricSnapshots> read;
        /** The last call; while it runs, every scrape waits on it instead of calling again. Guarded by this. */
        private CompletableFuture<MetricSnapshots> call;

        Source(Object collector, Supplier<MetricSnapshots> read) {
            this.collector = collector;
            this.read = read;
        }

        /** The call still running, or a new one. */
        synchronized CompletableFuture<MetricSnapshots> call(ExecutorService threads) {
            if (call == null || call.isDone()) {
                try {
                    call = CompletableFuture.supplyAsync(read, threads);
                } catch (RejectedExecutionException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
            return call;
        }
    }

    /** Daemon threads, named so that a thread dump shows which were calling collectors. */
    private static final class CollectorThreads implements ThreadFactory {

        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "strata-metrics-collector-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
