package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs provider calls on a bounded pool, each with a deadline. When the deadline passes the
 * returned future fails with {@link ProviderTimeoutException} and the call's thread is
 * interrupted; a provider that ignores the interruption keeps that thread until it returns, and
 * the caller learns when it does ({@code ended}), so as not to call it again meanwhile.
 */
final class DeadlineExecutor implements AutoCloseable {

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;

    DeadlineExecutor(int maxThreads) {
        this.pool = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("strata-provider-call"));
        ScheduledThreadPoolExecutor scheduled = new ScheduledThreadPoolExecutor(1, threads("strata-provider-deadline"));
        scheduled.setRemoveOnCancelPolicy(true);
        this.timer = scheduled;
    }

    /**
     * Starts {@code task}; the future completes with its result, its exception, or a
     * {@link ProviderTimeoutException} after {@code timeout}.
     *
     * @param what names the call in messages, e.g. {@code discovery of baremetal/COMPUTE}
     */
    <T> CompletableFuture<T> call(String what, Duration timeout, Callable<T> task) {
        return call(what, timeout, task, () -> { });
    }

    /**
     * As {@link #call(String, Duration, Callable)}; {@code ended} runs when the call's thread has
     * left {@code task}, whether before the deadline or after it (or at once if the call is refused),
     * and before the future completes with what the task returned.
     *
     * <p>Completing the returned future from outside while the task runs (as the inventory does
     * when the provider's service leaves in the middle of its discovery) interrupts the task as
     * its deadline would: a departed bundle's code is not left running on Strata's thread, its
     * class loader held, until the deadline.
     */
    <T> CompletableFuture<T> call(String what, Duration timeout, Callable<T> task, Runnable ended) {
        CompletableFuture<T> result = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
        Future<?> running;
        try {
            running = pool.submit(() -> {
                // ended first: whoever sees the result complete finds the call over
                T value = null;
                Throwable failure = null;
                try {
                    value = task.call();
                } catch (Throwable t) {
                    failure = t;
                }
                left.set(true);
                try {
                    ended.run();
                } finally {
                    if (failure == null) {
                        result.complete(value);
                    } else {
                        result.completeExceptionally(failure);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            ended.run();
            result.completeExceptionally(new ProviderUnavailableException(
                    what + " refused: all " + pool.getMaximumPoolSize() + " provider call threads are busy"));
            return result;
        }
        Future<?> deadline = timer.schedule(() -> result.completeExceptionally(new ProviderTimeoutException(
                what + " did not finish within " + InventorySettings.describe(timeout))), timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((value, error) -> {
            deadline.cancel(false);
            if (!left.get()) {
                // completed by the deadline or from outside while the task still runs: stop it
                running.cancel(true);
            }
        });
        return result;
    }

    /**
     * Runs {@code task} every {@code period}, first after {@code period}, on the timer thread:
     * the task must not block. An exception from one run does not cancel the next.
     */
    Future<?> every(Duration period, Runnable task, java.util.function.Consumer<RuntimeException> onError) {
        return timer.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                onError.accept(e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        // started as the platform: threads start when calls come, and a call may come from a tenant's login
        return runnable -> dev.strata.platform.core.placement.TenantAccess.platformThread(runnable, prefix + "-" + counter.incrementAndGet());
    }
}
