package dev.strata.platform.core.inventory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Waits the inventory's tests share. */
final class Waits {

    private Waits() {
    }

    /**
     * Whether {@code thread} comes to wait parked with a time limit within 30 s: a caller waiting for
     * a provider call thread, or a refresh waiting for its provider, is seen waiting rather than given
     * a fixed time to get there.
     */
    static boolean parks(Thread thread) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() - until > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
