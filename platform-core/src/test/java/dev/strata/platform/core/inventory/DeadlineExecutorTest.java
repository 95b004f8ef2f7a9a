package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.placement.TenantUsers;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadlineExecutorTest {

    /**
     * The pool starts a thread when a call comes; one started by a call from a tenant's login would
     * otherwise carry that login's subject into every later call on it, every tenant's.
     */
    @Test
    void aThreadStartedByATenantsCallRunsLaterCallsAsThePlatform() {
        try (DeadlineExecutor calls = new DeadlineExecutor(1)) {
            Optional<Set<String>> first = TenantUsers.as("ann", () -> calls.call("first", Duration.ofSeconds(10),
                    TenantAccess::restriction).join(), "tenant:bank");
            Optional<Set<String>> later = laterCall(calls);
            assertThat(first).isEmpty();
            assertThat(later).isEmpty();
        }
    }

    /**
     * The next call, on the pool's one thread: the first call's answer comes before its thread is back waiting for work
     * (a pool whose every thread is busy refuses a call), so a call refused for that is made again until the thread is.
     */
    private static Optional<Set<String>> laterCall(DeadlineExecutor calls) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return calls.call("later", Duration.ofSeconds(10), TenantAccess::restriction).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (!(e.getCause() instanceof ProviderUnavailableException) || System.nanoTime() > until) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * A call made while the pool's only thread has answered its last call but is not yet back waiting for work waits for
     * it (the pool counts it busy until then) rather than being refused as if every thread were in a call. Before, it
     * was refused: "all 1 provider call threads are busy".
     */
    @Test
    void aCallMadeWhileTheOnlyThreadIsOnItsWayBackWaitsForIt() throws Exception {
        java.util.concurrent.CountDownLatch back = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (DeadlineExecutor executor = new DeadlineExecutor(1, Duration.ofSeconds(30), () -> { }, () -> {
            if (calls.incrementAndGet() == 1) {
                await(back); // the first call's thread, its answer given, held before it goes back to the pool
            }
        })) {
            assertThat(executor.call("first", Duration.ofSeconds(30), () -> "one").join()).isEqualTo("one");
            Thread caller = Thread.currentThread();
            java.util.concurrent.atomic.AtomicBoolean waited = new java.util.concurrent.atomic.AtomicBoolean();
            // the thread goes back once the second call waits for it
            Thread releaser = new Thread(() -> {
                waited.set(Waits.parks(caller));
                back.countDown();
            });
            releaser.start();
            assertThat(executor.call("second", Duration.ofSeconds(30), () -> "two").join()).isEqualTo("two");
            releaser.join();
            assertThat(waited).as("the second call waited for the thread").isTrue();
        }
    }

    /**
     * A call whose deadline passes before a thread has started it is over then: its end is told ({@code ended}, which the
     * inventory's record of a provider's running call waits for), it never starts, and its place is free. Before, the
     * end of a call that never started was never told.
     */
    @Test
    void aCallWhoseDeadlinePassesBeforeItsThreadStartsItEndsThenAndNeverStarts() throws Exception {
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        try (DeadlineExecutor executor = new DeadlineExecutor(1, Duration.ofSeconds(30), () -> {
            if (held.incrementAndGet() == 1) {
                await(start); // the first call's thread, held before it starts the call
            }
        }, () -> { })) {
            java.util.concurrent.CompletableFuture<String> late = executor.call("late", Duration.ofMillis(100), () -> {
                ran.incrementAndGet();
                return "never";
            }, ended::countDown);
            org.assertj.core.api.Assertions.assertThatThrownBy(late::join).hasCauseInstanceOf(
                    dev.strata.platform.api.exception.ProviderTimeoutException.class);
            assertThat(ended.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("its end told").isTrue();
            start.countDown();
            assertThat(executor.call("next", Duration.ofSeconds(30), () -> "next").join()).isEqualTo("next");
            assertThat(ran).as("the late call never started").hasValue(0);
        }
    }

    /**
     * A call waiting for the pool's only thread to come back from its last call waits parked, not spinning on a CPU, and
     * is handed to the thread as soon as it is back: long before its wait (an hour here) would end. Before, the caller
     * spun on its CPU for the whole wait.
     */
    @Test
    void aCallWaitingForAThreadOnItsWayBackWaitsParkedAndGoesToItWhenItIsBack() throws Exception {
        java.util.concurrent.CountDownLatch back = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (DeadlineExecutor executor = new DeadlineExecutor(1, Duration.ofHours(1), () -> { }, () -> {
            if (calls.incrementAndGet() == 1) {
                await(back); // the first call's thread, its answer given, held before it goes back to the pool
            }
        })) {
            assertThat(executor.call("first", Duration.ofSeconds(30), () -> "one").join()).isEqualTo("one");
            java.util.concurrent.atomic.AtomicReference<Object> second = new java.util.concurrent.atomic.AtomicReference<>();
            Thread caller = new Thread(() -> second.set(executor.call("second", Duration.ofSeconds(30), () -> "two").join()));
            try {
                caller.start();
                assertThat(Waits.parks(caller)).as("the caller waits parked").isTrue();
            } finally {
                back.countDown();
            }
            caller.join(30_000);
            assertThat(caller.isAlive()).as("the call went to the thread once it was back").isFalse();
            assertThat(second).hasValue("two");
        }
    }

    /**
     * A caller interrupted while it waits for a thread on its way back stops waiting: its call is refused, saying so,
     * its end is told, the interrupt stays set for the caller to see, and the call takes no place in the pool. Before,
     * the caller went on waiting, deaf to the interrupt.
     */
    @Test
    void aCallerInterruptedWhileItWaitsForAThreadIsRefusedAndKeepsTheInterrupt() throws Exception {
        java.util.concurrent.CountDownLatch back = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (DeadlineExecutor executor = new DeadlineExecutor(1, Duration.ofHours(1), () -> { }, () -> {
            if (calls.incrementAndGet() == 1) {
                await(back);
            }
        })) {
            assertThat(executor.call("first", Duration.ofSeconds(30), () -> "one").join()).isEqualTo("one");
            java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<String>> second =
                    new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            Thread caller = new Thread(() -> {
                second.set(executor.call("second", Duration.ofSeconds(30), ran::incrementAndGet, ended::incrementAndGet)
                        .thenApply(String::valueOf));
                interrupted.set(Thread.currentThread().isInterrupted());
            });
            try {
                caller.start();
                assertThat(Waits.parks(caller)).as("the caller waits parked").isTrue();
                caller.interrupt();
                caller.join(30_000);
                assertThat(caller.isAlive()).as("the interrupted caller stopped waiting").isFalse();
            } finally {
                back.countDown();
            }
            assertThat(interrupted).as("the interrupt kept").isTrue();
            assertThat(ended).as("its end told").hasValue(1);
            org.assertj.core.api.Assertions.assertThatThrownBy(second.get()::join)
                    .hasCauseInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("second refused: interrupted while waiting for a provider call thread");
            assertThat(laterCall(executor)).isEmpty();
            assertThat(ran).as("the refused call never ran").hasValue(0);
        }
    }

    /**
     * A call made once the executor is closed (Strata stopping) is refused saying so, its end told. Before, it was
     * refused as if every thread were busy: "all 4 provider call threads are busy".
     */
    @Test
    void aCallMadeAfterCloseIsRefusedAsStrataStoppingNotAsBusyThreads() {
        DeadlineExecutor executor = new DeadlineExecutor(4);
        assertThat(executor.call("first", Duration.ofSeconds(30), () -> "one").join()).isEqualTo("one");
        executor.close();
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<String> late = executor.call("discovery of metal COMPUTE", Duration.ofSeconds(30),
                () -> "never", ended::incrementAndGet);
        org.assertj.core.api.Assertions.assertThatThrownBy(late::join)
                .hasCauseInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("discovery of metal COMPUTE refused: Strata is stopping (its provider calls are closed)")
                .hasMessageNotContaining("busy");
        assertThat(ended).as("its end told").hasValue(1);
    }

    /**
     * A call refused because every thread is in a call says how many there are in words that read: the only thread, or
     * all of them. Before, a pool of one said "all 1 provider call threads are busy".
     */
    @Test
    void aCallRefusedForBusyThreadsSaysSoInTheSingularOrPlural() throws Exception {
        for (int threads : new int[] {1, 2}) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            try (DeadlineExecutor executor = new DeadlineExecutor(threads)) {
                java.util.List<java.util.concurrent.CompletableFuture<String>> busy = new java.util.ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    busy.add(executor.call("busy " + i, Duration.ofSeconds(30), () -> {
                        release.await();
                        return "done";
                    }));
                }
                java.util.concurrent.CompletableFuture<String> refused = executor.call("refused", Duration.ofSeconds(30), () -> "never");
                org.assertj.core.api.Assertions.assertThatThrownBy(refused::join)
                        .hasCauseInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining(threads == 1 ? "refused refused: the only provider call thread is busy"
                                : "refused refused: all 2 provider call threads are busy");
                release.countDown();
                for (java.util.concurrent.CompletableFuture<String> f : busy) {
                    assertThat(f.join()).isEqualTo("done");
                }
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * A call still open when the executor is closed, its provider deaf to the interruption, fails then, saying Strata
     * stops: its deadline, stopped with the timer, would never come, and a caller without a timeout of its own would wait
     * forever. Before, its result was never completed.
     */
    @Test
    void aCallStillOpenWhenTheExecutorClosesFailsThen() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        DeadlineExecutor executor = new DeadlineExecutor(2);
        try {
            java.util.concurrent.CompletableFuture<String> deaf = executor.call("discovery of metal COMPUTE", Duration.ofHours(1), () -> {
                entered.countDown();
                awaitUninterruptibly(release);
                return "late";
            });
            assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            executor.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> deaf.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("discovery of metal COMPUTE stopped: Strata is stopping (its provider calls are closed)");
        } finally {
            release.countDown();
            executor.close();
        }
    }

    /**
     * Of two calls made at once while the pool's only thread is on its way back, one waits for it and gets it, the other
     * is refused: there is one thread for the two. The interleaving is driven: the second call, counted, is held until the
     * first, which waits for the thread, has been decided. Before, the second call's count made the waiting one see more
     * calls than threads and give up: both were refused ("waiting refused: all 1 provider call threads are busy").
     */
    @Test
    void ofTwoCallsMadeAtOnceWhileTheOnlyThreadIsOnItsWayBackOneGetsIt() throws Exception {
        java.util.concurrent.CountDownLatch back = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch waitingDecided = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch eitherDecided = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger returns = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Thread> second = new java.util.concurrent.atomic.AtomicReference<>();
        try (DeadlineExecutor executor = new DeadlineExecutor(1, Duration.ofHours(1), () -> { }, () -> { }, () -> {
            if (returns.incrementAndGet() == 1) {
                await(back); // the first call's thread, its answer given, held before it goes back to the pool
            }
        }, () -> {
            if (Thread.currentThread() == second.get()) {
                await(waitingDecided); // the second call, counted, held until the waiting one has been decided
            }
        })) {
            assertThat(executor.call("first", Duration.ofSeconds(30), () -> "one").join()).isEqualTo("one");
            java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<String>> waiting =
                    new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<String>> other =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = new Thread(() -> {
                waiting.set(executor.call("waiting", Duration.ofSeconds(30), () -> "two"));
                waitingDecided.countDown();
                eitherDecided.countDown();
            });
            Thread later = new Thread(() -> {
                other.set(executor.call("other", Duration.ofSeconds(30), () -> "three"));
                eitherDecided.countDown();
            });
            second.set(later);
            try {
                waiter.start();
                assertThat(Waits.parks(waiter)).as("the first call waits for the thread").isTrue();
                later.start();
                assertThat(eitherDecided.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } finally {
                back.countDown();
                waitingDecided.countDown();
            }
            waiter.join(30_000);
            later.join(30_000);
            assertThat(waiting.get().get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the waiting call got the thread back").isEqualTo("two");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.get().join())
                    .hasCauseInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("other refused: the only provider call thread is busy");
        }
    }

    /**
     * The periodic refresh runs off the timer's thread: while it waits for a thread on its way back (for a provider's
     * discovery), a call's deadline is met on time. The refresh here makes a call that hangs, its deadline 100 ms, then
     * one that waits for the thread held on its way back; the hanging call fails by its deadline while the second still
     * waits. Before, the refresh ran on the timer's thread, and no deadline came while it waited (for up to 100 ms of
     * Strata's wait; here, until the thread was back).
     */
    @Test
    void aDeadlineIsMetWhileThePeriodicRefreshWaitsForAThread() throws Exception {
        java.util.concurrent.CountDownLatch back = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch made = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger returns = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Thread> refresher = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<String>> hung =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<String>> waiting =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (DeadlineExecutor executor = new DeadlineExecutor(2, Duration.ofHours(1), () -> { }, () -> {
            if (returns.incrementAndGet() == 1) {
                awaitUninterruptibly(back); // the first call's thread, its answer given, held until the test lets it go back
            }
        })) {
            assertThat(executor.call("first", Duration.ofSeconds(30), () -> "one").join()).isEqualTo("one");
            java.util.concurrent.Future<?> periodic = executor.every(Duration.ofMillis(1), () -> {
                if (once.compareAndSet(false, true)) {
                    refresher.set(Thread.currentThread());
                    hung.set(executor.call("hung", Duration.ofMillis(100), () -> {
                        awaitUninterruptibly(release); // its thread kept past the deadline: the refresh waits on
                        return "late";
                    }));
                    made.countDown();
                    // the pool's other thread is in the hung call, the first on its way back: this one waits for it
                    waiting.set(executor.call("waiting", Duration.ofSeconds(30), () -> "two"));
                }
            }, e -> { });
            try {
                assertThat(made.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(Waits.parks(refresher.get())).as("the refresh waits for the thread").isTrue();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> hung.get().get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("the hung call's deadline met")
                        .isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .hasCauseInstanceOf(dev.strata.platform.api.exception.ProviderTimeoutException.class);
                assertThat(waiting.get()).as("while the refresh still waits").isNull();
            } finally {
                back.countDown();
                release.countDown();
            }
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (waiting.get() == null && System.nanoTime() - until < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(waiting.get().get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("two");
            periodic.cancel(false);
        }
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a provider deaf to the interruption
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
