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
            Thread releaser = new Thread(() -> {
                sleep(200);
                back.countDown();
            });
            releaser.start();
            assertThat(executor.call("second", Duration.ofSeconds(30), () -> "two").join()).isEqualTo("two");
            releaser.join();
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

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
