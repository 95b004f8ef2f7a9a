package dev.strata.platform.core.commitment;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.telemetry.FullPages;
import dev.strata.platform.core.telemetry.TelemetryService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry as the verifier reads it: every call on a thread of its own with a deadline, so that
 * a telemetry source that hangs (a vendor's, against the SPI's word) cannot hold a pass, which holds
 * the verifier. A call past its deadline, or one that throws, answers nothing (the pass goes on
 * without that telemetry, as where no source covers a GPU), and while such a call is still in the
 * source no other is made: one hung source costs a pass one deadline, not one per GPU. A pass reads
 * through {@link #forPass()}, whose calls together wait at most the deadline: a source that answers
 * every call just under it would otherwise cost a pass one deadline per GPU. Logged once until
 * telemetry answers again.
 *
 * <p>The core's merged view leaves out a source that does not answer within a shorter deadline of
 * its own, so that a hung source costs a pass at most that, the other sources read; this bound stays
 * for what that one does not cover: a pass's calls in all, and a telemetry service other than the core's.
 * The core's merged view (the usual wiring) is called on the pass's thread instead, {@linkplain TelemetryService#within
 * within} the same deadline: it already calls its sources on threads of its own and waits for them, so a thread of this
 * one's as well would cost every call a second hand-off (some 15 to 35 µs each, {@code TelemetryCalls} in
 * {@code docs/benchmarks.md}) for nothing more. It answers by that deadline as this thread's wait would, and a source
 * with a call still in it is left out by the merged view itself, so the answers, the deadline of a pass and what is
 * logged are those of a call on this thread.
 */
final class BoundedTelemetry implements Telemetry, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedTelemetry.class);

    /**
     * What {@link #since} answers where the call was not answered (past its deadline, failed, not made): told apart by
     * identity from an empty page, so that a walk cut short is not taken for one that reached the newest sample.
     */
    static final List<GpuSample> UNANSWERED = Collections.unmodifiableList(new ArrayList<>());

    private final Supplier<Telemetry> telemetry;
    private final Duration deadline;
    private final ExecutorService calls = Executors.newSingleThreadExecutor(r -> TenantAccess.platformThread(r, "strata-commitments-telemetry"));
    private Future<?> pending;
    private boolean told;
    /** The view of the latest pass ({@link #forPass()}). */
    private PassTelemetry lastPass;

    /**
     * @param telemetry the telemetry now (null: none)
     * @param deadline how long one call may take
     */
    BoundedTelemetry(Supplier<Telemetry> telemetry, Duration deadline) {
        this.telemetry = telemetry;
        this.deadline = deadline;
    }

    @Override
    public List<GpuSample> latestGpuSamples() {
        return latestGpuSamples(null);
    }

    @Override
    public Optional<GpuSample> latest(String acceleratorId) {
        return latest(acceleratorId, null);
    }

    @Override
    public List<GpuSample> recent(String acceleratorId, int limit) {
        return recent(acceleratorId, limit, null);
    }

    @Override
    public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        return since(acceleratorId, from, limit, null);
    }

    private List<GpuSample> since(String acceleratorId, Instant from, int limit, PassTelemetry pass) {
        return call("since(" + acceleratorId + ")", t -> fullPage(t, acceleratorId, from, limit), UNANSWERED, pass);
    }

    /**
     * A telemetry's page of a GPU's samples from {@code from} on, read on the calls' thread without its nulls and as full
     * as the telemetry has it, as the core's merged view reads a source's page: where the page it answered held nulls and
     * was full (as many as asked, so that more may follow), it is asked again for as many more as it held nulls, so that a
     * page shorter than {@code limit} still means the end of the GPU's samples. Before, a telemetry other than the core's
     * that answered a null among a full page had it left out here, one short of a full page, which the walk of a window
     * ({@link TelemetryClauses}) took for its end: the window's start was averaged as if it were all of it. A telemetry
     * that answers more nulls than the samples asked for fails the call, and so does one that answers null for a page (as
     * a source's does in the merged view): read as an empty page, it ended the walk there as if at the newest sample.
     */
    private static List<GpuSample> fullPage(Telemetry t, String acceleratorId, Instant from, int limit) {
        List<GpuSample> answer = FullPages.read(asked -> page(t, acceleratorId, from, asked), limit, "the telemetry", acceleratorId, from);
        List<GpuSample> page = readable(answer);
        int most = Math.max(0, limit);
        return page.size() > most ? List.copyOf(page.subList(0, most)) : page;
    }

    private List<GpuSample> latestGpuSamples(PassTelemetry pass) {
        return call("latestGpuSamples()", t -> readable(t.latestGpuSamples()), List.of(), pass);
    }

    private Optional<GpuSample> latest(String acceleratorId, PassTelemetry pass) {
        return call("latest(" + acceleratorId + ")", t -> t.latest(acceleratorId), Optional.empty(), pass);
    }

    private List<GpuSample> recent(String acceleratorId, int limit, PassTelemetry pass) {
        return call("recent(" + acceleratorId + ")", t -> readable(t.recent(acceleratorId, limit)), List.of(), pass);
    }

    /** A telemetry's page as it answered it, refused where it answered null instead of a list ({@link #fullPage}). */
    private static List<GpuSample> page(Telemetry t, String acceleratorId, Instant from, int limit) {
        List<GpuSample> answer = t.since(acceleratorId, from, limit);
        if (answer == null) {
            throw new IllegalStateException("the telemetry answered null instead of a page of the samples of " + acceleratorId + " since "
                    + from);
        }
        return answer;
    }

    /**
     * A source's answer read on the calls' thread, without its nulls: a list that cannot be read (a
     * source's live list, changed meanwhile) fails the call, as a call that throws does, and does
     * not fail the pass that reads it.
     */
    private static List<GpuSample> readable(List<GpuSample> answer) {
        if (answer == null) {
            return List.of();
        }
        List<GpuSample> out = new ArrayList<>(answer.size());
        for (GpuSample s : answer) {
            if (s != null) {
                out.add(s);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The telemetry for one pass: its calls together wait at most the deadline, so that a source
     * slow on every call (each under the deadline) costs a pass one deadline, not one per GPU; once
     * the pass has spent it, its calls answer nothing. Telemetry is told to answer again once a
     * pass's calls were all answered in time.
     */
    synchronized Telemetry forPass() {
        if (told && lastPass != null && lastPass.called && !lastPass.unanswered) {
            told = false;
            LOG.info("GPU telemetry answers the verifier again");
        }
        lastPass = new PassTelemetry(deadline.toNanos());
        return lastPass;
    }

    /**
     * Whether the calls of the latest pass ({@link #forPass()}) were all answered in time so far:
     * none past the deadline, none that failed, none left unmade while an earlier call was still in
     * the source. True where the pass made none (no telemetry: not the source's lateness). A pass
     * that was not answered cannot tell a GPU without recent samples from its own lateness.
     */
    synchronized boolean answered() {
        return lastPass == null || !lastPass.unanswered;
    }

    /**
     * The calls of one pass, which together wait at most the deadline (the time they wait, not the
     * pass's own work between them: a first pass reads every contract from the store).
     */
    private final class PassTelemetry implements Telemetry {
        /** What is left of the deadline, whether a call was made, and whether one was not answered (guarded by the outer instance). */
        private long leftNanos;
        private boolean called;
        private boolean unanswered;

        PassTelemetry(long leftNanos) {
            this.leftNanos = leftNanos;
        }

        @Override
        public List<GpuSample> latestGpuSamples() {
            return BoundedTelemetry.this.latestGpuSamples(this);
        }

        @Override
        public Optional<GpuSample> latest(String acceleratorId) {
            return BoundedTelemetry.this.latest(acceleratorId, this);
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            return BoundedTelemetry.this.recent(acceleratorId, limit, this);
        }

        @Override
        public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
            return BoundedTelemetry.this.since(acceleratorId, from, limit, this);
        }
    }

    /**
     * A call of the telemetry on the calls' thread, waiting at most the deadline, and within a pass
     * ({@code pass} not null) at most what is left of the pass's; of the core's merged view, on the
     * caller's thread within the same ({@link #direct}).
     */
    private synchronized <T> T call(String what, java.util.function.Function<Telemetry, T> call, T none, PassTelemetry pass) {
        Telemetry t = telemetry.get();
        if (t == null) {
            return none;
        }
        long waitNanos = deadline.toNanos();
        if (pass != null) {
            pass.called = true;
            waitNanos = Math.min(waitNanos, pass.leftNanos);
            if (waitNanos <= 0) {
                pass.unanswered = true;
                tell("the telemetry calls of one pass took more than " + deadline.toMillis() + " ms in all");
                return none;
            }
        }
        if (t instanceof TelemetryService merged) {
            return direct(what, call, none, pass, merged, waitNanos);
        }
        if (pending != null && !pending.isDone()) {
            if (pass != null) {
                pass.unanswered = true;
            }
            return none; // the last call is still in the source
        }
        Callable<T> task = () -> call.apply(t);
        Future<T> f;
        try {
            f = calls.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return none; // closed: the verifier is going
        }
        pending = f;
        long started = System.nanoTime();
        try {
            T answer = f.get(waitNanos, TimeUnit.NANOSECONDS);
            if (told && pass == null) {
                told = false;
                LOG.info("GPU telemetry answers the verifier again");
            }
            return answer == null ? none : answer;
        } catch (TimeoutException e) {
            tell("telemetry call " + what + " did not answer within " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms"
                    + (waitNanos < deadline.toNanos() ? ", what was left of the pass's " + deadline.toMillis() + " ms" : ""));
        } catch (ExecutionException e) {
            tell("telemetry call " + what + " failed: " + shown(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (pass != null) {
                pass.leftNanos -= System.nanoTime() - started;
            }
        }
        if (pass != null) {
            pass.unanswered = true;
        }
        return none;
    }

    /**
     * A call of the core's merged view on the caller's thread, answered by the deadline {@code waitNanos} from now: as
     * {@link #call} on the calls' thread answers, without that hand-off (the merged view makes its own to each source).
     */
    private <T> T direct(String what, java.util.function.Function<Telemetry, T> call, T none, PassTelemetry pass, TelemetryService merged,
            long waitNanos) {
        if (Thread.currentThread().isInterrupted()) {
            if (pass != null) {
                pass.unanswered = true; // as a wait cut short by the interrupt
            }
            return none;
        }
        long started = System.nanoTime();
        try {
            T answer = call.apply(merged.within(started + waitNanos));
            if (told && pass == null) {
                told = false;
                LOG.info("GPU telemetry answers the verifier again");
            }
            return answer == null ? none : answer;
        } catch (TelemetryService.CutShort e) {
            if (!e.interrupted()) {
                tell("telemetry call " + what + " did not answer within " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms"
                        + (waitNanos < deadline.toNanos() ? ", what was left of the pass's " + deadline.toMillis() + " ms" : ""));
            }
        } catch (RuntimeException e) {
            tell("telemetry call " + what + " failed: " + shown(e));
        } finally {
            if (pass != null) {
                pass.leftNanos -= System.nanoTime() - started;
            }
        }
        if (pass != null) {
            pass.unanswered = true;
        }
        return none;
    }

    /**
     * What a telemetry call threw, as the warning shows it: cleaned as provider text (a vendor's telemetry may quote a
     * credential or a control character, which went into the log as it came), with its class.
     */
    private static String shown(Throwable e) {
        return dev.strata.platform.core.provenance.ProviderText.message(e) + " (" + e.getClass().getName() + ")";
    }

    private void tell(String problem) {
        if (!told) {
            told = true;
            LOG.warn("The verifier goes on without GPU telemetry (power ceilings and ECC errors unchecked) until it answers: {}", problem);
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
