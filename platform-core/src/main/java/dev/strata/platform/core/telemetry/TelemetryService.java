package dev.strata.platform.core.telemetry;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.provenance.ProviderText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry of every {@link GpuTelemetrySource}: sources come and go with their providers.
 * A source that throws is skipped so it cannot hide the others, and logged once until it answers
 * again: its callers (the verifier reads every GPU's recent samples each pass) call it often. A
 * null among a source's samples (vendor code, against the SPI) is left out, the others it answered
 * kept, and logged once, with how many, until the source answers without one again. Pages of a GPU's samples
 * ({@link #since}) are isolated alike.
 *
 * <p>A source is called on a thread of the service's own, all sources of a call at once, and each
 * call waits for them until one deadline ({@link #DEFAULT_DEADLINE} unless constructed with another):
 * a source that hangs (vendor code, against the SPI's word that calls never block) is left out of
 * that call, the others answered, and is not called again while a call past its deadline is still
 * in it (it is left out at once meanwhile), so that it costs one deadline, not one per call. Nor is a
 * source called while {@link #MAX_CALLS_PER_SOURCE} calls of it are in it, past their deadline or not
 * (it is left out of the call at once, logged once as such until it is called again): before its first
 * deadline passes a source that hangs is not known to, and every call made meanwhile entered it, so that
 * one source could hold every call thread and the others, with none to be called on, were left out of
 * every call. A source that hangs is logged once, naming what it was asked, until it answers in time again. A call whose caller is interrupted while it waits (a shell
 * command's Ctrl-C) counts as one past its deadline while it is still in the source, without being logged as a hang
 * until it is still in it past the deadline, which the next call that leaves the source out logs.
 * A source's answer is read (copied) on the call thread, so that its callers run none of its code. A caller with a
 * deadline of its own (the verifier's budget of a pass) calls it {@link #within} that deadline, on its own thread.
 */
@Component(service = Telemetry.class)
public class TelemetryService implements Telemetry {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryService.class);

    /** How long a call of the merged view waits for its sources unless constructed with another deadline. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(1);
    /** The most source calls running at once. */
    private static final int MAX_CALL_THREADS = 32;
    /**
     * The most calls of one source in it at once, and so the most call threads a source that hangs holds: a quarter of
     * them, so that the other sources keep three quarters. One that answers at once, as the SPI asks, seldom has even
     * two, so the calls that overlap in normal use (the verifier's pass, a metrics scrape, a shell command) never
     * reach it and never leave a healthy source out.
     */
    static final int MAX_CALLS_PER_SOURCE = 8;

    private final List<GpuTelemetrySource> sources = new CopyOnWriteArrayList<>();
    private final Duration deadline;
    private final ThreadPoolExecutor calls;
    /**
     * Per source, its calls past their deadline still in it: while there is one, it is not called. A removal drops the
     * count, and a source added again gets a new one, which the calls of the time before do not take from.
     */
    private final Map<GpuTelemetrySource, StuckCount> stuck = new ConcurrentHashMap<>();
    /**
     * Per source, its calls in it (on a call thread, not yet left), past their deadline or not; none: absent. Kept
     * while a source is removed and added again: the calls of the time before still hold their threads.
     */
    private final Map<GpuTelemetrySource, Integer> inSource = new ConcurrentHashMap<>();
    /** The sources left out of a call for {@link #MAX_CALLS_PER_SOURCE} calls in them (logged then), until called again. */
    private final Set<GpuTelemetrySource> full = ConcurrentHashMap.newKeySet();
    /** Whether a call was last refused for want of a call thread (logged then), until one is taken again. */
    private final java.util.concurrent.atomic.AtomicBoolean refusing = new java.util.concurrent.atomic.AtomicBoolean();
    /** The sources that did not answer a call in time (logged then), until one answers in time again. */
    private final Set<GpuTelemetrySource> hung = ConcurrentHashMap.newKeySet();
    /** The sources whose latest samples, and those whose recent samples, failed when last asked (logged then). */
    private final Set<GpuTelemetrySource> latestFailing = ConcurrentHashMap.newKeySet();
    private final Set<GpuTelemetrySource> recentFailing = ConcurrentHashMap.newKeySet();
    private final Set<GpuTelemetrySource> sinceFailing = ConcurrentHashMap.newKeySet();
    /**
     * The sources whose latest samples held a null when last asked, and the sources and GPUs whose recent samples did
     * ({@link RecentOf}), logged then.
     */
    private final Set<Object> latestWithNulls = ConcurrentHashMap.newKeySet();
    private final Set<Object> recentWithNulls = ConcurrentHashMap.newKeySet();
    private final Set<Object> sinceWithNulls = ConcurrentHashMap.newKeySet();

    /**
     * A count of {@link #stuck}, changed only in that map's compute methods, with when the call that began it was
     * started and what it asked (so that a source that got there by a caller's interrupt is logged once it is late).
     */
    private static final class StuckCount {
        final long startedAt;
        final String what;
        int calls;

        StuckCount(long startedAt, String what) {
            this.startedAt = startedAt;
            this.what = what;
        }
    }

    /** A source's recent samples of one GPU. */
    private record RecentOf(GpuTelemetrySource source, String acceleratorId) {
    }

    public TelemetryService() {
        this(DEFAULT_DEADLINE);
    }

    /**
     * @param deadline how long a call of the merged view waits for its sources (a {@link #since} waits
     *     it twice: for the sources' newest samples, then for the page)
     */
    TelemetryService(Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive: " + deadline);
        }
        this.deadline = deadline;
        AtomicInteger counter = new AtomicInteger();
        // started as the platform: threads start when calls come, and a call may come from a tenant's login
        this.calls = new ThreadPoolExecutor(0, MAX_CALL_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> TenantAccess.platformThread(r, "strata-telemetry-call-" + counter.incrementAndGet()));
    }

    /** Stops the call threads: a call still in a source is interrupted, and later calls answer no samples. */
    @Deactivate
    void deactivate() {
        calls.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSource(GpuTelemetrySource source) {
        sources.add(source);
    }

    /**
     * Forgets a source for good: a call of it still waiting when it is removed records nothing of it afterwards (see
     * {@link Call#stuck}), so that the service keeps no reference to it nor a stale state of it.
     */
    void removeSource(GpuTelemetrySource source) {
        sources.remove(source);
        stuck.remove(source);
        latestFailing.remove(source);
        recentFailing.remove(source);
        sinceFailing.remove(source);
        hung.remove(source);
        full.remove(source);
        latestWithNulls.remove(source);
        recentWithNulls.removeIf(k -> ((RecentOf) k).source() == source);
        sinceWithNulls.removeIf(k -> ((RecentOf) k).source() == source);
    }

    /**
     * The merged view for a caller with a deadline of its own (the verifier's telemetry budget of a pass): its calls are
     * this service's, made on the caller's thread, but each waits for the sources at most until {@code until} (a
     * {@link System#nanoTime()} instant) where that comes before the service's own deadline, so that the caller needs no
     * thread of its own to bound them, and a page costs one hand-off to a call thread rather than two. Where a source
     * has not answered by {@code until} (before the service's own deadline), or the caller is interrupted while it waits,
     * the call throws {@link CutShort} rather than answering what the other sources answered: the caller's deadline is
     * spent and it reads that call as not answered, as where it had stopped waiting itself. The call still in the source
     * is counted as one past its deadline (the source is left out, not entered again, while it is in it), but the source
     * is not logged as hung, since it was not late by the service's deadline. Answers are otherwise those of the calls
     * without a deadline of the caller's: a source that does not answer within the service's deadline is left out, or
     * fails a page, as there.
     *
     * @param until the instant ({@link System#nanoTime()}) by which each call of the view answers
     */
    public Telemetry within(long until) {
        return new Telemetry() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                return TelemetryService.this.latestGpuSamples(new Bound(until));
            }

            @Override
            public Optional<GpuSample> latest(String acceleratorId) {
                return TelemetryService.this.latest(acceleratorId, new Bound(until));
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return TelemetryService.this.recent(acceleratorId, limit, new Bound(until));
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return TelemetryService.this.since(acceleratorId, from, limit, new Bound(until));
            }
        };
    }

    /**
     * Thrown by a call of {@link #within} whose caller's deadline came before a source answered, or whose caller was
     * interrupted while it waited (its interrupt status kept): the call answers nothing.
     */
    public static final class CutShort extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean interrupted;

        CutShort(boolean interrupted) {
            super(interrupted ? "the caller was interrupted" : "the caller's deadline came first", null, false, false);
            this.interrupted = interrupted;
        }

        /** Whether the caller was interrupted, rather than its deadline come. */
        public boolean interrupted() {
            return interrupted;
        }
    }

    /** A caller's own deadline for one call ({@link #within}), and whether it cut the call short. */
    private static final class Bound {
        final long until;
        /** Null, or why a source's wait was cut short: the caller's deadline came first, or it was interrupted. */
        private CutShort cut;

        Bound(long until) {
            this.until = until;
        }

        void cut(boolean interrupted) {
            if (cut == null || interrupted) {
                cut = new CutShort(interrupted);
            }
        }

        /** Throws, once every call started has been waited for, where one of them was cut short. */
        static void check(Bound bound) {
            if (bound != null && bound.cut != null) {
                throw bound.cut;
            }
        }
    }

    /** Whether the service still holds a call past its deadline in the source, or the source as one that hung. */
    boolean tracksAsHung(GpuTelemetrySource source) {
        return stuck.containsKey(source) || hung.contains(source);
    }

    @Override
    public List<GpuSample> latestGpuSamples() {
        return latestGpuSamples(null);
    }

    private List<GpuSample> latestGpuSamples(Bound bound) {
        List<GpuTelemetrySource> asked = List.copyOf(sources);
        List<Call<List<GpuSample>>> answers = new ArrayList<>(asked.size());
        for (GpuTelemetrySource source : asked) {
            answers.add(start(source, "its latest samples", () -> withoutNulls(latestWithNulls, source, source, "its latest samples",
                    source.latest()), bound));
        }
        long until = System.nanoTime() + deadline.toNanos();
        List<GpuSample> all = new ArrayList<>();
        for (Call<List<GpuSample>> call : answers) {
            try {
                all.addAll(call.await(until));
                answered(latestFailing, call.source);
            } catch (NotAnswered e) {
                // hung: logged as such
            } catch (RuntimeException e) {
                failed(latestFailing, call.source, "its latest samples", e);
            }
        }
        Bound.check(bound);
        return all;
    }

    /**
     * The newest sample of a GPU among every source's latest (the last source's where two were taken at the same
     * instant, as {@code strata:gpus} and the metrics show it); the first source's, whatever its age, before.
     */
    @Override
    public Optional<GpuSample> latest(String acceleratorId) {
        return latest(acceleratorId, null);
    }

    private Optional<GpuSample> latest(String acceleratorId, Bound bound) {
        GpuSample newest = null;
        for (GpuSample s : latestGpuSamples(bound)) {
            if (s.acceleratorId().equals(acceleratorId) && (newest == null || !s.at().isBefore(newest.at()))) {
                newest = s;
            }
        }
        return Optional.ofNullable(newest);
    }

    /**
     * The recent samples of a GPU from the source with its newest sample (the last source's where two have one taken at
     * the same instant), as {@link #latest} answers; the first source's with any, whatever their age, before: a GPU two
     * sources sample (a source stopped sampling, another one taking over) was averaged over the stopped one's samples.
     */
    @Override
    public List<GpuSample> recent(String acceleratorId, int limit) {
        return recent(acceleratorId, limit, null);
    }

    private List<GpuSample> recent(String acceleratorId, int limit, Bound bound) {
        List<Call<List<GpuSample>>> answers = recentOfEach(List.copyOf(sources), acceleratorId, limit, bound);
        long until = System.nanoTime() + deadline.toNanos();
        List<GpuSample> newest = List.of();
        Instant newestAt = null;
        for (Call<List<GpuSample>> call : answers) {
            GpuTelemetrySource source = call.source;
            try {
                List<GpuSample> samples = call.await(until);
                Instant at = null;
                for (GpuSample s : samples) {
                    if (at == null || s.at().isAfter(at)) {
                        at = s.at();
                    }
                }
                if (at != null && (newestAt == null || !at.isBefore(newestAt))) {
                    newest = samples;
                    newestAt = at;
                }
                answered(recentFailing, source);
            } catch (NotAnswered e) {
                // hung: logged as such
            } catch (RuntimeException e) {
                failed(recentFailing, source, "its recent samples", e);
            }
        }
        Bound.check(bound);
        return newest;
    }

    /**
     * A page of a GPU's samples from {@code from} on, from the source {@link #recent} reads: the one with the GPU's newest
     * sample (its {@code recent(acceleratorId, 1)}; the last source's where two have one taken at the same instant), so
     * that the pages of one walk come from one source while the sources stay. A source that throws on {@code recent} is
     * left out as {@link #recent} leaves it out, and so is one that does not answer it in time; where the source chosen
     * throws on the page itself or does not answer it in time, the call fails ({@link ProviderUnavailableException},
     * logged once), since an empty page would read as the end of the GPU's samples. For that reason too, the call fails
     * where no source answered a newest sample of the GPU and one did not answer at all (it threw, did not answer in time,
     * was not called while a call past its deadline is still in it, or could not be called): a page is empty only where
     * every source answered that it has none. Nulls among a page are left out and logged once.
     */
    @Override
    public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        return since(acceleratorId, from, limit, null);
    }

    private List<GpuSample> since(String acceleratorId, Instant from, int limit, Bound bound) {
        Objects.requireNonNull(acceleratorId, "acceleratorId");
        Objects.requireNonNull(from, "from");
        if (limit <= 0) {
            return List.of();
        }
        List<GpuTelemetrySource> asked = List.copyOf(sources);
        if (asked.size() == 1) {
            return sinceOfOne(asked.get(0), acceleratorId, from, limit, bound);
        }
        List<Call<List<GpuSample>>> answers = recentOfEach(asked, acceleratorId, 1, bound);
        long until = System.nanoTime() + deadline.toNanos();
        GpuTelemetrySource newest = null;
        Instant newestAt = null;
        GpuTelemetrySource unanswered = null;
        for (Call<List<GpuSample>> call : answers) {
            GpuTelemetrySource source = call.source;
            try {
                for (GpuSample s : call.await(until)) {
                    if (newestAt == null || !s.at().isBefore(newestAt)) {
                        newest = source;
                        newestAt = s.at();
                    }
                }
                answered(recentFailing, source);
            } catch (NotAnswered e) {
                unanswered = source; // hung: logged as such
            } catch (RuntimeException e) {
                unanswered = source;
                failed(recentFailing, source, "its recent samples", e);
            }
        }
        Bound.check(bound);
        if (newest == null && unanswered != null) {
            throw newestNotAnswered(unanswered, acceleratorId, from);
        }
        if (newest == null) {
            return List.of();
        }
        GpuTelemetrySource chosen = newest;
        String what = "its samples of " + acceleratorId + " since " + from;
        try {
            List<GpuSample> page = start(chosen, what, () -> atMost(limit, withoutNulls(sinceWithNulls, new RecentOf(chosen, acceleratorId),
                    chosen, what, fullPage(chosen, acceleratorId, from, limit))), bound).await(System.nanoTime() + deadline.toNanos());
            answered(sinceFailing, chosen);
            return page;
        } catch (NotAnswered e) {
            Bound.check(bound);
            // not an empty page: that would read as the end of the GPU's samples, and a walk cut short as a whole one
            throw new ProviderUnavailableException("telemetry source " + chosen + " did not answer the samples of " + acceleratorId
                    + " since " + from + " within " + deadline.toMillis() + " ms");
        } catch (RuntimeException e) {
            failed(sinceFailing, chosen, "its pages of samples", e);
            throw new ProviderUnavailableException("telemetry source " + chosen + " did not answer the samples of " + acceleratorId
                    + " since " + from, e);
        }
    }

    /**
     * {@link #since} where one source is registered (the usual case: the NVIDIA provider's), with the
     * same answers, in one call of the source's thread rather than two: its newest sample, then, where
     * it has one, the page. The verifier reads a page of every bound GPU per pass, and a hand-off to a
     * call thread and back is most of what such a call costs ({@code TelemetryCalls} in
     * {@code docs/benchmarks.md}). Waits two deadlines, as the two calls of several sources do; a source
     * that does not answer its newest sample (throws, is late, or is not called while a call is stuck
     * in it) or the page fails the call, as where no source of several answered a newest sample.
     */
    private List<GpuSample> sinceOfOne(GpuTelemetrySource source, String acceleratorId, Instant from, int limit, Bound bound) {
        String newestWhat = "its recent samples of " + acceleratorId;
        String pageWhat = "its samples of " + acceleratorId + " since " + from;
        java.util.concurrent.atomic.AtomicBoolean paging = new java.util.concurrent.atomic.AtomicBoolean();
        Call<Object> call = start(source, pageWhat, () -> {
            List<GpuSample> newest;
            try {
                newest = withoutNulls(recentWithNulls, new RecentOf(source, acceleratorId), source, newestWhat,
                        source.recent(acceleratorId, 1));
            } catch (RuntimeException e) {
                return new NewestFailed(e);
            }
            if (newest.isEmpty()) {
                return NO_SAMPLES;
            }
            paging.set(true);
            return atMost(limit, withoutNulls(sinceWithNulls, new RecentOf(source, acceleratorId), source, pageWhat,
                    fullPage(source, acceleratorId, from, limit)));
        }, bound);
        Object answer;
        try {
            answer = call.await(System.nanoTime() + 2 * deadline.toNanos());
        } catch (NotAnswered e) {
            Bound.check(bound);
            if (!paging.get()) {
                throw newestNotAnswered(source, acceleratorId, from); // as where no source of several answered it
            }
            throw new ProviderUnavailableException("telemetry source " + source + " did not answer the samples of " + acceleratorId
                    + " since " + from + " within " + deadline.toMillis() + " ms");
        } catch (RuntimeException e) {
            answered(recentFailing, source);
            failed(sinceFailing, source, "its pages of samples", e);
            throw new ProviderUnavailableException("telemetry source " + source + " did not answer the samples of " + acceleratorId
                    + " since " + from, e);
        }
        if (answer instanceof NewestFailed f) {
            failed(recentFailing, source, "its recent samples", f.cause());
            throw newestNotAnswered(source, acceleratorId, from);
        }
        answered(recentFailing, source);
        if (answer == NO_SAMPLES) {
            return List.of();
        }
        answered(sinceFailing, source);
        @SuppressWarnings("unchecked")
        List<GpuSample> page = (List<GpuSample>) answer;
        return page;
    }

    /**
     * A source's page of a GPU's samples from {@code from} on, on the call thread, as full as the source has it: where the
     * page it answered held nulls and was full (as many as asked, so that more may follow), it is asked again for as many
     * more as it held nulls, so that the page without them ({@link #withoutNulls}, cut to {@code limit} by {@link #atMost})
     * still holds {@code limit} samples where the source has that many, and a page shorter than {@code limit} still means
     * the end of its samples. A caller walking a window stops at such a page (the verifier does): a null in a full page made
     * it shorter, the walk ended there, and the window's start was averaged as if it were the whole window. A source that
     * answers more nulls than the samples asked for fails the call.
     */
    private static List<GpuSample> fullPage(GpuTelemetrySource source, String acceleratorId, Instant from, int limit) {
        return FullPages.read(asked -> source.since(acceleratorId, from, asked), limit, "the source", acceleratorId, from);
    }

    /** The first {@code limit} samples of a page read without its nulls ({@link #fullPage} may have asked for more). */
    private static List<GpuSample> atMost(int limit, List<GpuSample> page) {
        return page.size() > limit ? List.copyOf(page.subList(0, limit)) : page;
    }

    /**
     * The failure of a {@link #since} where no source answered a newest sample of the GPU and {@code source} did not
     * answer: not an empty page, which would read as the end of the GPU's samples, and a walk cut short as a whole one.
     */
    private static ProviderUnavailableException newestNotAnswered(GpuTelemetrySource source, String acceleratorId, Instant from) {
        return new ProviderUnavailableException("telemetry source " + source + " did not answer the samples of " + acceleratorId
                + " since " + from + ": it did not answer its newest sample of " + acceleratorId + ", and no source had one");
    }

    /** {@link #sinceOfOne}'s answer where the source threw on its newest sample. */
    private record NewestFailed(RuntimeException cause) {
    }

    /** {@link #sinceOfOne}'s answer where the source has no sample of the GPU. */
    private static final Object NO_SAMPLES = new Object();

    /** The recent samples of a GPU of each source asked, each call started on a call thread. */
    private List<Call<List<GpuSample>>> recentOfEach(List<GpuTelemetrySource> asked, String acceleratorId, int limit, Bound bound) {
        List<Call<List<GpuSample>>> answers = new ArrayList<>(asked.size());
        for (GpuTelemetrySource source : asked) {
            String what = "its recent samples of " + acceleratorId;
            answers.add(start(source, what, () -> withoutNulls(recentWithNulls, new RecentOf(source, acceleratorId), source, what,
                    source.recent(acceleratorId, limit)), bound));
        }
        return answers;
    }

    /**
     * Starts a call of a source on a call thread; a source with a call past its deadline still in it is not called (the
     * call answers {@link NotAnswered} at once), nor one with {@link #MAX_CALLS_PER_SOURCE} calls in it (logged once as
     * such, until it is called again), and neither is one the threads cannot take (all busy, or the service
     * stopped): that is the service's lack, not the source's failure, so it is logged once as such (until a call is taken
     * again) and leaves the source out as one that did not answer, no source logged as failing.
     */
    private <T> Call<T> start(GpuTelemetrySource source, String what, Callable<T> work, Bound bound) {
        Call<T> call = new Call<>(source, what, bound);
        StuckCount held = stuck.get(source);
        if (held != null) {
            // counted by a caller that gave up before the deadline: late now, so hung, and said so once
            if (System.nanoTime() - held.startedAt >= deadline.toNanos()) {
                late(source, held.what);
            }
            return call;
        }
        if (!enter(source)) {
            if (full.add(source) && !removedMeanwhile(full, source, source)) {
                LOG.warn("Telemetry source {} is not called for {}: {} calls of it are still in it, the most it is given at once; it is "
                        + "left out of the calls until one of them returns", source, what, MAX_CALLS_PER_SOURCE);
            }
            return call;
        }
        try {
            call.future = calls.submit(() -> {
                try {
                    return work.call();
                } finally {
                    leave(source);
                    call.left();
                }
            });
        } catch (RejectedExecutionException e) {
            leave(source);
            if (refusing.compareAndSet(false, true)) {
                LOG.warn("Telemetry source {} is not called for {}: {}; the sources not called are left out of their calls until a "
                        + "call thread is free", source, what, calls.isShutdown() ? "telemetry is stopped"
                                : "all " + MAX_CALL_THREADS + " telemetry call threads are busy");
            }
            return call;
        }
        if (refusing.compareAndSet(true, false)) {
            LOG.info("Telemetry sources are called again: a call thread was free");
        }
        if (full.remove(source)) {
            LOG.info("Telemetry source {} is called again: a call of it returned", source);
        }
        return call;
    }

    /** Counts a call of {@code source} in it; false, counting nothing, where {@link #MAX_CALLS_PER_SOURCE} are already. */
    private boolean enter(GpuTelemetrySource source) {
        boolean[] entered = new boolean[1];
        inSource.compute(source, (s, n) -> {
            if (n != null && n >= MAX_CALLS_PER_SOURCE) {
                return n;
            }
            entered[0] = true;
            return n == null ? 1 : n + 1;
        });
        return entered[0];
    }

    /** Takes back the count of a call of {@code source} that has left it (or was never made). */
    private void leave(GpuTelemetrySource source) {
        inSource.computeIfPresent(source, (s, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * A source found past the deadline in a call that a caller gave up before it: counted as hung and logged where it was
     * not already, unless it was removed meanwhile.
     */
    private void late(GpuTelemetrySource source, String what) {
        if (hung.add(source)) {
            if (!sources.contains(source)) {
                hung.remove(source);
                return;
            }
            LOG.warn("Telemetry source {} did not answer {} within {} ms; it is left out, and not called again while that call "
                    + "is in it, until it answers in time again", source, what, deadline.toMillis());
        }
    }

    /**
     * Thrown by {@link Call#await} where the source did not answer in time, or was not called (a call still in it, or no
     * call thread free).
     */
    private static final class NotAnswered extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAnswered() {
            super(null, null, false, false);
        }
    }

    private static final NotAnswered NOT_ANSWERED = new NotAnswered();

    /** One call of a source on a call thread (none where the source was not called). */
    private final class Call<T> {
        /** Running, left the source, or past its deadline or given up by its caller (counted in {@link #stuck} until it leaves). */
        private static final int RUNNING = 0;
        private static final int LEFT = 1;
        private static final int OVERRAN = 2;

        final GpuTelemetrySource source;
        final String what;
        /** The caller's own deadline ({@link #within}); null: none. */
        final Bound bound;
        final AtomicInteger state = new AtomicInteger(RUNNING);
        final long startedAt = System.nanoTime();
        Future<T> future;
        /** The count in {@link #stuck} this call was counted in, written before it is marked {@link #OVERRAN}. */
        private StuckCount counted;

        Call(GpuTelemetrySource source, String what, Bound bound) {
            this.source = source;
            this.what = what;
            this.bound = bound;
        }

        /** On the call thread, once it has left the source. */
        void left() {
            if (state.getAndSet(LEFT) == OVERRAN) {
                unstick();
            }
        }

        /** Takes back the count of this call in {@link #stuck}. */
        private void unstick() {
            StuckCount mine = counted;
            // only its own count: the source removed and added again meanwhile has a new one
            stuck.computeIfPresent(source, (s, c) -> c != mine ? c : --c.calls == 0 ? null : c);
        }

        /**
         * The source's answer, waiting for it until {@code until} ({@link System#nanoTime()}), or the caller's own deadline
         * where that comes first; throws what the source threw, or {@link NotAnswered} where it was not called or did not
         * answer by then (the caller's call then cut short where its own deadline came first, or it was interrupted).
         */
        T await(long until) {
            if (future == null) {
                throw NOT_ANSWERED;
            }
            boolean callersFirst = bound != null && bound.until - until < 0;
            try {
                T answer = future.get(Math.max(0, (callersFirst ? bound.until : until) - System.nanoTime()), TimeUnit.NANOSECONDS);
                inTime();
                return answer;
            } catch (ExecutionException e) {
                inTime();
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause().toString(), e.getCause());
            } catch (TimeoutException e) {
                if (callersFirst) {
                    // the caller's deadline, not the source's: still in the source, so counted as stuck, but not late
                    stuck(false);
                    bound.cut(false);
                } else {
                    stuck(true);
                }
            } catch (InterruptedException e) {
                // the caller gave up (a shell command's Ctrl-C) while the call is still in the source: counted as stuck, so
                // that the next call does not enter the source again and hold another thread, but not logged as a hang,
                // since the source was not late
                stuck(false);
                Thread.currentThread().interrupt();
                if (bound != null) {
                    bound.cut(true);
                }
            }
            throw NOT_ANSWERED;
        }

        private void inTime() {
            if (hung.remove(source)) {
                LOG.info("Telemetry source {} answers in time again", source);
            }
        }

        /**
         * Counts the call in {@link #stuck} while it is still in the source, and, where it ran past its deadline
         * ({@code late}), the source as hung (logged where it was not already); nothing where the source was removed.
         */
        private void stuck(boolean late) {
            // counted before it is marked, so that the call thread leaving meanwhile finds the count to take back
            counted = stuck.compute(source, (s, c) -> {
                StuckCount count = c == null ? new StuckCount(startedAt, what) : c;
                count.calls++;
                return count;
            });
            if (!state.compareAndSet(RUNNING, OVERRAN)) {
                unstick();
            }
            boolean first = late && hung.add(source);
            if (!sources.contains(source)) {
                // removed meanwhile: removal is final, so what was recorded is taken back (once, whether or not the call
                // thread has left since), and a removal after this check clears it itself
                if (state.compareAndSet(OVERRAN, LEFT)) {
                    unstick();
                }
                if (first) {
                    hung.remove(source);
                }
                return;
            }
            if (first) {
                LOG.warn("Telemetry source {} did not answer {} within {} ms; it is left out, and not called again while that call "
                        + "is in it, until it answers in time again", source, what, deadline.toMillis());
            }
        }
    }

    /**
     * A source's answer without its null elements, copied on the call thread, so that no caller runs the source's code
     * (its list's) on a thread of its own: a caller with a deadline of its own ({@link #within}) waits for nothing else.
     * Where it held nulls, they are counted and logged where its answer to the same call ({@code key}) before did not
     * hold any (once until it answers without one). A null answer is thrown as a failure of the call, and so is one that
     * cannot be read (a source's live list, changed meanwhile). Nothing is recorded of a source removed meanwhile (its
     * call answered after its removal): removal is final.
     */
    private List<GpuSample> withoutNulls(Set<Object> withNulls, Object key, GpuTelemetrySource source, String what,
            List<GpuSample> answer) {
        if (answer == null) {
            throw new IllegalStateException("the source answered null instead of a list of samples");
        }
        List<GpuSample> out = new ArrayList<>(answer.size());
        int nulls = 0;
        for (GpuSample s : answer) {
            if (s == null) {
                nulls++;
            } else {
                out.add(s);
            }
        }
        if (nulls == 0) {
            withNulls.remove(key);
        } else if (withNulls.add(key) && !removedMeanwhile(withNulls, key, source)) {
            LOG.warn("Telemetry source {} answered {} null sample{} among {} ({} in all); {} left out until it answers without one", source,
                    nulls, nulls == 1 ? "" : "s", what, out.size() + nulls, nulls == 1 ? "it is" : "they are");
        }
        return java.util.Collections.unmodifiableList(out);
    }

    /**
     * A call of a source failed: logged where the one before it did not fail (once until it answers again); nothing where
     * the source was removed meanwhile (its call answered after its removal), since removal is final. What it threw is
     * vendor text, logged cleaned as provider text ({@link ProviderText#message}): it logged a credential and control
     * characters (a forged line of the log) as they came.
     */
    private void failed(Set<GpuTelemetrySource> failing, GpuTelemetrySource source, String what, RuntimeException e) {
        if (failing.add(source) && !removedMeanwhile(failing, source, source)) {
            LOG.warn("Telemetry source {} failed; {} are left out until it answers again: {} ({})", source, what, ProviderText.message(e),
                    e.getClass().getName());
        }
    }

    /**
     * Whether {@code source} was removed, {@code key} having just been added to {@code state} for it: it is taken back
     * then, and a removal after this check clears it itself.
     */
    private boolean removedMeanwhile(Set<?> state, Object key, GpuTelemetrySource source) {
        if (sources.contains(source)) {
            return false;
        }
        state.remove(key);
        return true;
    }

    private static void answered(Set<GpuTelemetrySource> failing, GpuTelemetrySource source) {
        if (failing.remove(source)) {
            LOG.info("Telemetry source {} answers again", source);
        }
    }
}
