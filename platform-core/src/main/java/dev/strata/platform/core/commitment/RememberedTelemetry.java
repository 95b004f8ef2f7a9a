package dev.strata.platform.core.commitment;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The samples the verifier read, kept so that a source that goes (its provider replaced, stopped, or
 * not answering a pass in time) does not take them with it. Without this, every telemetry finding
 * vanished for the length of a provider swap: its allocations were recorded HONORED, then their
 * findings again a pass later. What a source answers is taken as it is; where it answers nothing
 * for a GPU, what was read before is answered instead.
 *
 * <p>The latest sample read of a GPU is kept for as long as the window holds it, and past the window
 * for as long as the GPU is one the verifier still checks (the inventory holds it or an allocation
 * binds it), and answered among the latest samples: a GPU whose source went for good (its provider
 * stopped or removed, a source that no longer answers) stays one that telemetry covered, with no
 * sample within the window, and its clauses read as unchecked rather than as holding
 * ({@link CommitmentCheck}).
 *
 * <p>What the last pass that read a GPU's samples read of them is kept: not the samples, which a
 * window may hold 100,000 of, but its sums ({@link TelemetryClauses.Walk}: the draw over its window,
 * since each instant an allocation binding the GPU was placed, and its latest sample), with that
 * pass's instant. A pass that cannot read them (its
 * telemetry calls late, or the source answering none) is answered those, as of that pass, so that it
 * judges the GPU's draw as that pass did ({@link TelemetryClauses#meanPower}): one late pass does not
 * turn a GPU over its member's ceiling into one merely not measured, and an allocation BREACHED into
 * one HONORED that nothing verified. This lasts one window from the first pass that could not read
 * them, as {@link CommitmentVerifier}'s judging of gaps from the last pass that could read does; after
 * that the samples are forgotten, and the draw is not known until they are read again. And it is only
 * done where the pass that read them was the one before: samples read longer ago than the reach
 * ({@link CommitmentSettings#latePassReach}, {@code interval + telemetryWindow}: 2 minutes with the
 * defaults, one window with passes on demand only) are forgotten, so that a pass hours after the last
 * one that read them (passes on demand, a verifier stopped, a machine suspended) finds the draw not
 * known, the ceiling unchecked, rather than the draw of hours ago as if it were now's.
 *
 * <p>The latest samples are also kept in the state store by the verifier ({@link StoredCoverage}) and
 * {@link #restore}d from it when it starts, so that a restart does not forget which GPUs had telemetry;
 * what passes read of the samples is kept in memory only (a late pass leans on the pass before it, which a restart
 * is not). Not thread-safe: a verifier's passes run one at a time.
 */
final class RememberedTelemetry {

    /** The telemetry of one pass ({@link #over}), which also keeps what the pass read of each GPU's samples. */
    interface Reading extends Telemetry {
        /**
         * What the last pass that read a GPU's samples read of them ({@link TelemetryClauses.Walk}, its sums, not the
         * samples), where this pass could not read them: for one window from the first pass that could not, and where
         * that pass was within the reach ({@link RememberedTelemetry}); else null.
         */
        TelemetryClauses.Walk walked(String acceleratorId);

        /** Keeps what this pass read of a GPU's samples, for a later pass that cannot read them ({@link #walked}). */
        void keep(String acceleratorId, TelemetryClauses.Walk walk);
    }

    /** The latest sample of every GPU read, each GPU's recent samples as last read, and since when a pass could not read them. */
    private final Map<String, GpuSample> latest = new HashMap<>();
    private final Map<String, TelemetryClauses.Walk> recent = new HashMap<>();
    private final Map<String, Instant> unreadSince = new HashMap<>();

    /**
     * The telemetry of one pass: {@code source}'s answers, completed from what was read before; its latest samples
     * are read from the source once. What is no longer kept is forgotten first: a latest sample older than
     * {@code now - window} of a GPU {@code checked} no longer holds, recent samples a window after the first pass
     * that could not read them or read longer than {@code reach} before {@code now}, and those older than the window of
     * a GPU no longer checked.
     *
     * @param reach how long before {@code now} the pass that read a GPU's recent samples may have been for this one to
     *     be answered them where it cannot read them ({@link CommitmentSettings#latePassReach}): an older one was not
     *     the pass before it
     * @param checked the GPUs the verifier still checks (in the inventory or bound by an
     *     allocation): their latest sample is kept past the window, as the mark of a GPU telemetry covered
     */
    Reading over(Telemetry source, Instant now, Duration window, Duration reach, Predicate<String> checked) {
        Instant oldest = now.minus(window);
        Instant reached = now.minus(reach);
        latest.entrySet().removeIf(e -> e.getValue().at().isBefore(oldest) && !checked.test(e.getKey()));
        recent.entrySet().removeIf(e -> e.getValue().at().isBefore(reached) || (unreadSince.containsKey(e.getKey())
                ? !now.isBefore(unreadSince.get(e.getKey()).plus(window))
                : e.getValue().at().isBefore(oldest) && !checked.test(e.getKey())));
        unreadSince.keySet().retainAll(recent.keySet());
        return new Reading() {
            private List<GpuSample> latestRead;

            @Override
            public List<GpuSample> latestGpuSamples() {
                if (latestRead == null) {
                    Map<String, GpuSample> out = new LinkedHashMap<>();
                    for (GpuSample s : source.latestGpuSamples()) {
                        // a GPU two sources sample is listed twice: its newest sample, as a pass given the source judges it
                        out.merge(s.acceleratorId(), s, (a, b) -> b.at().isAfter(a.at()) ? b : a);
                        latest.merge(s.acceleratorId(), s, (a, b) -> b.at().isAfter(a.at()) ? b : a);
                    }
                    latest.forEach(out::putIfAbsent);
                    latestRead = List.copyOf(out.values());
                }
                return latestRead;
            }

            @Override
            public Optional<GpuSample> latest(String acceleratorId) {
                Optional<GpuSample> s = source.latest(acceleratorId);
                return s.isPresent() ? s : Optional.ofNullable(latest.get(acceleratorId));
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return source.recent(acceleratorId, limit);
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return source.since(acceleratorId, from, limit);
            }

            @Override
            public void keep(String acceleratorId, TelemetryClauses.Walk walk) {
                recent.put(acceleratorId, walk);
                unreadSince.remove(acceleratorId);
            }

            @Override
            public TelemetryClauses.Walk walked(String acceleratorId) {
                TelemetryClauses.Walk before = recent.get(acceleratorId);
                if (before == null) {
                    return null;
                }
                if (before.at().isBefore(now)) {
                    Instant since = unreadSince.computeIfAbsent(acceleratorId, k -> now);
                    if (!now.isBefore(since.plus(window))) {
                        return null; // a window on: forgotten with the next pass
                    }
                }
                return before;
            }
        };
    }

    /**
     * Takes latest samples read before (by this instance before a restart, or by another one), each kept where it is newer
     * than the one remembered of its GPU: a GPU among them is one telemetry covered, as if a pass had read it. What the
     * next pass no longer keeps ({@link #over}) is forgotten then.
     */
    void restore(Collection<GpuSample> samples) {
        for (GpuSample s : samples) {
            latest.merge(s.acceleratorId(), s, (a, b) -> b.at().isAfter(a.at()) ? b : a);
        }
    }

    /** The latest sample of every GPU remembered, by GPU id, as the last pass left them (a view, not a copy). */
    Map<String, GpuSample> latestSamples() {
        return Collections.unmodifiableMap(latest);
    }

    /** Whether nothing is remembered. */
    boolean isEmpty() {
        return latest.isEmpty() && recent.isEmpty();
    }

    /** How many GPUs are remembered (for tests). */
    int gpus() {
        return Math.max(latest.size(), recent.size());
    }
}
