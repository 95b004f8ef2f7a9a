package dev.strata.platform.core.commitment;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.core.placement.TenantAccess;
import java.time.Duration;
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
 * source no other is made: one hung source costs a pass one deadline, not one per GPU. Logged once
 * until telemetry answers again.
 */
final class BoundedTelemetry implements Telemetry, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedTelemetry.class);

    private final Supplier<Telemetry> telemetry;
    private final Duration deadline;
    private final ExecutorService calls = Executors.newSingleThreadExecutor(r -> TenantAccess.platformThread(r, "strata-commitments-telemetry"));
    private Future<?> pending;
    private boolean told;

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
        return call("latestGpuSamples()", Telemetry::latestGpuSamples, List.of());
    }

    @Override
    public Optional<GpuSample> latest(String acceleratorId) {
        return call("latest(" + acceleratorId + ")", t -> t.latest(acceleratorId), Optional.empty());
    }

    @Override
    public List<GpuSample> recent(String acceleratorId, int limit) {
        return call("recent(" + acceleratorId + ")", t -> t.recent(acceleratorId, limit), List.of());
    }

    private synchronized <T> T call(String what, java.util.function.Function<Telemetry, T> call, T none) {
        Telemetry t = telemetry.get();
        if (t == null) {
            return none;
        }
        if (pending != null && !pending.isDone()) {
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
        try {
            T answer = f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (told) {
                told = false;
                LOG.info("GPU telemetry answers the verifier again");
            }
            return answer == null ? none : answer;
        } catch (TimeoutException e) {
            tell("telemetry call " + what + " did not answer within " + deadline.toMillis() + " ms");
            return none;
        } catch (ExecutionException e) {
            tell("telemetry call " + what + " failed: " + e.getCause());
            return none;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return none;
        }
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
