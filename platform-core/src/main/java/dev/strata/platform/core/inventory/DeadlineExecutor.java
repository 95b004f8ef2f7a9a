package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
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
 * the caller learns when it does ({@code ended}), so as not to call it again meanwhile. Once
 * closed (Strata stopping) every call still open fails, and every later one is refused, saying
 * so: a caller that waits on a call without a timeout of its own is never left waiting.
 */
final class DeadlineExecutor implements AutoCloseable {

    /**
     * How long a call waits for a thread on its way back to the pool: one that has left its call
     * (whose caller may already have the answer) but has not yet taken new work, which the pool
     * counts as busy.
     */
    static final Duration RETURN_WAIT = Duration.ofMillis(100);

    /**
     * While a call waits for a thread on its way back, how often it asks the pool again: a thread
     * that comes back takes the call at once, but one the pool lets go (idle past its keep-alive)
     * frees its place without coming back, and only the pool can start another in its place.
     */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** A call not yet started by its thread, started, and left (or never to start: its result completed first). */
    private static final int NOT_STARTED = 0;
    private static final int RUNNING = 1;
    private static final int LEFT = 2;

    private final ThreadPoolExecutor pool;
    /** The pool's queue: a thread waiting for work takes a call handed to it here. */
    private final SynchronousQueue<Runnable> handoff = new SynchronousQueue<>();
    /** Ends calls at their deadlines, and does nothing else, so that a deadline is never held up. */
    private final ScheduledExecutorService timer;
    /** Runs the periodic tasks ({@link #every}), which may wait for a call thread: not on the timer's thread. */
    private final ScheduledExecutorService periodic;
    /**
     * Calls handed to the pool, or taking their place to be, and not yet left: at most the pool's size, each taken
     * only while below it, so that a call that takes a place finds a thread free or on its way back.
     */
    private final AtomicInteger inCalls = new AtomicInteger();
    /** The calls whose result is not complete yet, with what they are: completed (failed) when the executor is closed. */
    private final java.util.Map<CompletableFuture<?>, String> open = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;
    private final Duration returnWait;
    /**
     * Tests: runs on a call's thread before it starts the call ({@code beforeStart}), after it has left it, before its
     * end is told ({@code afterLeave}), and after it has completed it.
     */
    private final Runnable beforeStart;
    private final Runnable afterLeave;
    private final Runnable afterCall;
    /** Tests: runs on the caller once its call has taken a place among the calls, before it is handed to a thread. */
    private final Runnable afterCount;

    DeadlineExecutor(int maxThreads) {
        this(maxThreads, RETURN_WAIT, () -> { }, () -> { });
    }

    /** Tests: with a wait for a returning thread of its own, and code run on a call's thread before and after the call. */
    DeadlineExecutor(int maxThreads, Duration returnWait, Runnable beforeStart, Runnable afterCall) {
        this(maxThreads, returnWait, beforeStart, () -> { }, afterCall);
    }

    /** Tests: as above, with code run on a call's thread once it has left the call, before its end is told. */
    DeadlineExecutor(int maxThreads, Duration returnWait, Runnable beforeStart, Runnable afterLeave, Runnable afterCall) {
        this(maxThreads, returnWait, beforeStart, afterLeave, afterCall, () -> { });
    }

    /** Tests: as above, with code run on the caller once its call has taken its place, before it is handed to a thread. */
    DeadlineExecutor(int maxThreads, Duration returnWait, Runnable beforeStart, Runnable afterLeave, Runnable afterCall,
            Runnable afterCount) {
        this.returnWait = returnWait;
        this.beforeStart = beforeStart;
        this.afterLeave = afterLeave;
        this.afterCall = afterCall;
        this.afterCount = afterCount;
        this.pool = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, handoff,
                threads("strata-provider-call"));
        ScheduledThreadPoolExecutor scheduled = new ScheduledThreadPoolExecutor(1, threads("strata-provider-deadline"));
        scheduled.setRemoveOnCancelPolicy(true);
        this.timer = scheduled;
        this.periodic = new ScheduledThreadPoolExecutor(1, threads("strata-provider-refresh"));
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
        if (closed) {
            ended.run();
            result.completeExceptionally(new ProviderUnavailableException(what + " refused: " + CLOSED));
            return result;
        }
        AtomicInteger phase = new AtomicInteger(NOT_STARTED);
        Runnable work = () -> {
            beforeStart.run();
            if (!phase.compareAndSet(NOT_STARTED, RUNNING)) {
                return; // its result completed before this thread started it: the call was ended then
            }
            // ended first: whoever sees the result complete finds the call over
            T value = null;
            Throwable failure = null;
            try {
                value = task.call();
            } catch (Throwable t) {
                failure = t;
            }
            phase.set(LEFT);
            inCalls.decrementAndGet();
            try {
                afterLeave.run();
                ended.run();
            } finally {
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
                afterCall.run();
            }
        };
        Future<?> running;
        try {
            running = submit(work);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended.run();
            result.completeExceptionally(new ProviderUnavailableException(
                    what + " refused: interrupted while waiting for a provider call thread to come back from its last call"));
            return result;
        }
        if (running == null) {
            ended.run();
            result.completeExceptionally(new ProviderUnavailableException(what + " refused: "
                    + (closed || pool.isShutdown() ? CLOSED : busy(pool.getMaximumPoolSize()))));
            return result;
        }
        // open before the check of closed that follows, which close() sets before it fails those open: one of the two sees it
        open.put(result, what);
        Future<?> deadline = deadline(result, what, timeout);
        result.whenComplete((value, error) -> {
            open.remove(result);
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (phase.compareAndSet(NOT_STARTED, LEFT)) {
                // completed before its thread started the task, which now never starts: the call is over here
                running.cancel(false);
                inCalls.decrementAndGet();
                ended.run();
            } else if (phase.get() == RUNNING) {
                // completed by the deadline or from outside while the task still runs: stop it
                running.cancel(true);
            }
        });
        if (deadline == null || closed) {
            // closed while it was being made: no deadline would end it
            result.completeExceptionally(new ProviderUnavailableException(what + " stopped: " + CLOSED));
        }
        return result;
    }

    /** Why a call is refused or stopped once the executor is closed. */
    private static final String CLOSED = "Strata is stopping (its provider calls are closed)";

    /** Why a call is refused when every thread is in a call. */
    private static String busy(int threads) {
        return threads == 1 ? "the only provider call thread is busy" : "all " + threads + " provider call threads are busy";
    }

    /** Fails {@code result} with a {@link ProviderTimeoutException} after {@code timeout}; null where the timer is shut down (closing). */
    private Future<?> deadline(CompletableFuture<?> result, String what, Duration timeout) {
        try {
            return timer.schedule(() -> result.completeExceptionally(new ProviderTimeoutException(
                    what + " did not finish within " + InventorySettings.describe(timeout))), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /**
     * Hands {@code work} to a thread; null where every thread is in a call (or the pool is shut
     * down). A thread that has left its call is busy for the pool until it is back waiting for work:
     * a call made meanwhile waits for it, up to {@link #RETURN_WAIT}, rather than being refused as if
     * every thread were busy. The call waits parked, handed to the returning thread the moment it
     * asks for work. A call first takes its place among the calls, only while there is one: of two
     * made at once with one thread on its way back, one takes it and waits for the thread, the other
     * is refused. (Before, both counted themselves in, each found the calls over the pool's size with
     * the other's count, and both were refused, the returning thread left to nobody.)
     *
     * @throws InterruptedException if the caller is interrupted while it waits; the call is not made
     */
    private Future<?> submit(Runnable work) throws InterruptedException {
        int max = pool.getMaximumPoolSize();
        for (int n = inCalls.get(); ; n = inCalls.get()) {
            if (n >= max) {
                return null; // every thread is in a call
            }
            if (inCalls.compareAndSet(n, n + 1)) {
                break;
            }
        }
        FutureTask<Void> task = new FutureTask<>(work, null);
        boolean handed = false;
        try {
            afterCount.run();
            long until = System.nanoTime() + returnWait.toNanos();
            while (true) {
                try {
                    pool.execute(task);
                    handed = true;
                    return task;
                } catch (RejectedExecutionException e) {
                    long left = until - System.nanoTime();
                    if (pool.isShutdown() || left <= 0) {
                        return null;
                    }
                    // a thread is on its way back: it takes the task when it asks for work
                    if (handoff.offer(task, Math.min(left, RETRY_NANOS), TimeUnit.NANOSECONDS)) {
                        handed = true;
                        return task;
                    }
                }
            }
        } finally {
            if (!handed) {
                inCalls.decrementAndGet();
            }
        }
    }

    /**
     * Runs {@code task} every {@code period}, first after {@code period}, on a thread of its own: not
     * the timer's, since a task that calls (the inventory's refresh) may wait for a thread on its way
     * back ({@link #RETURN_WAIT}), and on the timer's thread that wait held up every deadline due
     * meanwhile. An exception from one run does not cancel the next.
     */
    Future<?> every(Duration period, Runnable task, java.util.function.Consumer<RuntimeException> onError) {
        return periodic.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                onError.accept(e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the threads (a call still in its provider is interrupted) and fails every call still
     * open, whose deadline would never come: the timer is stopped with them. Later calls are refused.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        periodic.shutdownNow();
        pool.shutdownNow();
        open.forEach((result, what) -> result.completeExceptionally(new ProviderUnavailableException(what + " stopped: " + CLOSED)));
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        // started as the platform: threads start when calls come, and a call may come from a tenant's login
        return runnable -> dev.strata.platform.core.placement.TenantAccess.platformThread(runnable, prefix + "-" + counter.incrementAndGet());
    }
}
