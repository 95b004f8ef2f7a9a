package dev.strata.provider.nvidia;

import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.GpuSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the GPUs of the current source every interval on one daemon thread
 * ({@code strata-nvidia-telemetry}) and keeps the last {@code history} samples of each GPU in a
 * ring, oldest first, in the order they were taken, which is the order of their instants (a sample
 * stamped before the newest kept, the clock having been set back, drops those stamped after it).
 * Reads ({@link #latest()}, {@link #recent}, {@link #since}) serve from memory and never wait for
 * the device; a page from an instant on finds it by binary search in the ring and copies only what
 * it answers.
 * Until a discovery has found GPUs there is no source and nothing is sampled.
 *
 * <p>A round starts an interval after the previous one started, or as soon as it finished where it
 * took longer: an interval shorter than one nvidia-smi run samples as often as nvidia-smi answers
 * (said once in the log), and a round is given the command's own deadline, not the interval.
 */
final class GpuSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GpuSampler.class);

    private final Duration interval;
    private final int history;
    private final Duration timeout;
    private final Map<String, Ring> rings = new LinkedHashMap<>();
    private volatile GpuSource source;
    private ScheduledExecutorService scheduler;
    /**
     * Whether {@link #close} has begun: a round it cuts short (an nvidia-smi run killed as the thread
     * is interrupted) is no failure, and is logged at DEBUG only.
     */
    private volatile boolean closing;
    private String lastFailure;
    /** Whether a round was said to take longer than the interval. */
    private boolean slowSaid;

    /**
     * @param interval time between samples
     * @param history samples kept per GPU
     * @param timeout the most one round of sampling may take (the command's deadline: a round may
     *     take longer than the interval, and the next one then starts when it has finished)
     */
    GpuSampler(Duration interval, int history, Duration timeout) {
        this.interval = interval;
        this.history = history;
        this.timeout = timeout;
    }

    /** Starts the sampling thread; idempotent. */
    synchronized void start() {
        if (scheduler == null) {
            closing = false;
            scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "strata-nvidia-telemetry");
                thread.setDaemon(true);
                return thread;
            });
            next(scheduler, interval.toNanos());
        }
    }

    /** Schedules the next round; none once the sampler is closed. */
    private void next(ScheduledExecutorService on, long delayNanos) {
        try {
            on.schedule(() -> round(on), delayNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: no more rounds
        }
    }

    private void round(ScheduledExecutorService on) {
        long started = System.nanoTime();
        try {
            sampleOnce();
        } finally {
            long took = System.nanoTime() - started;
            if (took > interval.toNanos() && source != null && !slowSaid) {
                slowSaid = true;
                GpuSource current = source;
                LOG.warn("GPU telemetry through {}: a round took {} ms, longer than telemetryInterval {} ms; each round starts when the"
                        + " previous one has finished, so samples come as often as {} answers", current.name(),
                        TimeUnit.NANOSECONDS.toMillis(took), interval.toMillis(), current.name());
            }
            next(on, Math.max(0, interval.toNanos() - took));
        }
    }

    /**
     * Takes over the samples that {@code previous} kept, the newest of each GPU that fit this sampler's history: a
     * configuration change replaces the sampler (its interval, history or deadline), and the telemetry sampled before the
     * change stays readable after it. Called once {@code previous} is closed and before this sampler is read or started, so
     * that no round adds to either meanwhile.
     */
    void keepHistoryOf(GpuSampler previous) {
        Map<String, List<GpuSample>> kept = new LinkedHashMap<>();
        synchronized (previous.rings) {
            previous.rings.forEach((id, ring) -> kept.put(id, ring.copy(Math.max(0, ring.size() - history), ring.size())));
        }
        synchronized (rings) {
            kept.forEach((id, samples) -> {
                Ring ring = new Ring(history);
                samples.forEach(ring::add);
                rings.put(id, ring);
            });
        }
    }

    /** Samples through this source from now on (null: sample nothing). */
    void use(GpuSource newSource) {
        source = newSource;
    }

    /** Keeps only the rings of these GPUs (the others left the host). */
    void retain(Collection<String> ids) {
        synchronized (rings) {
            rings.keySet().retainAll(ids);
        }
    }

    /**
     * One round: sample every GPU of the current source and record the samples. Never throws,
     * whatever the round throws (an {@link Error} too, such as an {@link OutOfMemoryError} while
     * nvidia-smi's output is read): a periodic task that throws is never run again, so one bad round would end the
     * sampling for good without a word. A failure is logged once until sampling succeeds or fails
     * otherwise; one without message is named by its class. A round that {@link #close} cuts short
     * is logged at DEBUG: stopping the provider is no failure.
     */
    void sampleOnce() {
        GpuSource current = source;
        if (current == null) {
            return;
        }
        try {
            current.sample(timeout).forEach(this::record);
            lastFailure = null;
        } catch (StrataException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            if (closing) {
                LOG.debug("GPU telemetry through {} stopped with the provider: {}", current.name(), message);
            } else if (!message.equals(lastFailure)) {
                LOG.warn("GPU telemetry through {} failed: {}", current.name(), message);
                lastFailure = message;
            }
        } catch (RuntimeException | Error e) {
            String failure = e.toString();
            if (closing) {
                LOG.debug("GPU telemetry through {} stopped with the provider: {}", current.name(), failure);
            } else if (!failure.equals(lastFailure)) {
                LOG.warn("GPU telemetry through {} failed; sampling goes on every {} ms", current.name(), interval.toMillis(), e);
                lastFailure = failure;
            }
        }
    }

    /**
     * Keeps a sample as its GPU's newest. A sample taken before the newest kept (the clock was set back: an NTP step, a
     * virtual machine resumed) drops first the samples kept that are stamped after it, so that the ring stays in time
     * order, which {@link #since}'s binary search, {@link #recent}'s "oldest first" and a walk page by page rely on: those
     * were stamped by a clock that ran ahead of the one that stamps the samples from now on. Said once per GPU at each
     * setting back.
     */
    void record(GpuSample sample) {
        int dropped = 0;
        GpuSample newest = null;
        synchronized (rings) {
            // grown as samples come, not reserved up front: a history of millions would otherwise
            // claim its whole array (or fail to) with the first sample of each GPU
            Ring ring = rings.computeIfAbsent(sample.acceleratorId(), k -> new Ring(history));
            while (ring.size() > 0 && ring.get(ring.size() - 1).at().isAfter(sample.at())) {
                newest = newest == null ? ring.get(ring.size() - 1) : newest;
                ring.removeNewest();
                dropped++;
            }
            ring.add(sample);
        }
        if (dropped > 0) {
            LOG.warn("GPU telemetry of {}: the clock was set back (a sample taken at {}, the newest kept at {}); the {} sample(s) "
                    + "stamped after {} are dropped so that the history stays in time order", sample.acceleratorId(), sample.at(),
                    newest.at(), dropped, sample.at());
        }
    }

    List<GpuSample> latest() {
        synchronized (rings) {
            List<GpuSample> latest = new ArrayList<>();
            rings.values().forEach(ring -> {
                if (ring.size() > 0) {
                    latest.add(ring.get(ring.size() - 1));
                }
            });
            return latest;
        }
    }

    List<GpuSample> recent(String acceleratorId, int limit) {
        synchronized (rings) {
            Ring ring = rings.get(acceleratorId);
            if (ring == null || limit <= 0) {
                return List.of();
            }
            return ring.copy(Math.max(0, ring.size() - limit), ring.size());
        }
    }

    /**
     * The samples of a GPU taken at or after {@code from}, oldest first, at most {@code limit}: the first is found by
     * binary search (the ring is in the order the samples were taken), and only the page is copied.
     */
    List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        synchronized (rings) {
            Ring ring = rings.get(acceleratorId);
            if (ring == null || limit <= 0) {
                return List.of();
            }
            int low = 0;
            int high = ring.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (ring.get(mid).at().isBefore(from)) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return ring.copy(low, (int) Math.min(ring.size(), (long) low + limit));
        }
    }

    /**
     * The last {@code history} samples of one GPU, oldest first: a circular array, grown as samples come (doubling, up to
     * {@code history}) rather than reserved up front, so that a history of millions does not claim its whole array (or
     * fail to) with the first sample of each GPU. Guarded by the sampler's {@code rings}.
     */
    private static final class Ring {
        private final int history;
        /** As long as {@code history} once full, so that the oldest is overwritten in place. */
        private GpuSample[] samples;
        private int first;
        private int size;

        Ring(int history) {
            this.history = history;
            this.samples = new GpuSample[Math.min(16, history)];
        }

        int size() {
            return size;
        }

        /** The {@code index}th oldest sample kept. */
        GpuSample get(int index) {
            return samples[(first + index) % samples.length];
        }

        void add(GpuSample sample) {
            if (size == history) {
                samples[first] = sample; // the oldest makes room
                first = (first + 1) % samples.length;
                return;
            }
            if (size == samples.length) {
                GpuSample[] grown = new GpuSample[(int) Math.min(history, 2L * samples.length)];
                for (int i = 0; i < size; i++) {
                    grown[i] = get(i);
                }
                samples = grown;
                first = 0;
            }
            samples[(first + size) % samples.length] = sample;
            size++;
        }

        /** Forgets the newest sample kept; there is one. */
        void removeNewest() {
            size--;
            samples[(first + size) % samples.length] = null;
        }

        /** The samples from the {@code from}th oldest to before the {@code to}th, as an immutable list. */
        List<GpuSample> copy(int from, int to) {
            List<GpuSample> out = new ArrayList<>(Math.max(0, to - from));
            for (int i = from; i < to; i++) {
                out.add(get(i));
            }
            return List.copyOf(out);
        }
    }

    /** Whether the sampling thread runs. */
    synchronized boolean running() {
        return scheduler != null && !scheduler.isShutdown();
    }

    @Override
    public void close() {
        ScheduledExecutorService running;
        closing = true;
        synchronized (this) {
            running = scheduler;
            scheduler = null;
        }
        source = null;
        if (running != null) {
            running.shutdownNow();
            try {
                running.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
