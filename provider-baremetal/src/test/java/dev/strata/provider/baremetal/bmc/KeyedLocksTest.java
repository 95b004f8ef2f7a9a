package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The provisioner's per-operation locks: kept only while in use, and exclusive per key. */
class KeyedLocksTest {

    private final KeyedLocks locks = new KeyedLocks();

    @Test
    void theLocksKeptDoNotGrowWithTheKeysSeen() {
        for (int i = 0; i < 10_000; i++) {
            String key = "op-" + i;
            locks.lock(key);
            assertThat(locks.size()).isEqualTo(1);
            locks.unlock(key);
        }
        assertThat(locks.size()).isZero();

        locks.lock("op-a");
        locks.lock("op-a");
        locks.unlock("op-a");
        assertThat(locks.size()).as("still held once (reentrant)").isEqualTo(1);
        locks.unlock("op-a");
        assertThat(locks.size()).isZero();
        assertThatThrownBy(() -> locks.unlock("op-a")).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void twoThreadsOnOneKeyExcludeEachOtherAndOtherKeysDoNotWait() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            locks.lock("op-1");
            CountDownLatch entered = new CountDownLatch(1);
            Future<?> second = pool.submit(() -> {
                locks.lock("op-1");
                try {
                    entered.countDown();
                } finally {
                    locks.unlock("op-1");
                }
            });
            assertThat(entered.await(300, TimeUnit.MILLISECONDS)).as("the second thread waits while the first holds op-1").isFalse();
            // another key is not held up by op-1
            pool.submit(() -> {
                locks.lock("op-2");
                locks.unlock("op-2");
            }).get(5, TimeUnit.SECONDS);
            assertThat(locks.size()).as("op-1: held and waited for").isEqualTo(1);

            locks.unlock("op-1");
            assertThat(entered.await(5, TimeUnit.SECONDS)).as("the second thread enters once the first released op-1").isTrue();
            second.get(5, TimeUnit.SECONDS);
            assertThat(locks.size()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Many threads on few keys, a lock dropped and made again all the while: no two threads ever inside one key's section. */
    @Test
    void exclusionHoldsWhileLocksAreDroppedAndMadeAgain() throws Exception {
        int threads = 4;
        int rounds = 5_000;
        int[] inside = new int[3];
        int[] counts = new int[3];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] runs = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                int seed = t;
                runs[t] = pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        int k = (i + seed) % 3;
                        locks.lock("op-" + k);
                        try {
                            if (++inside[k] != 1) {
                                throw new AssertionError("two threads hold op-" + k);
                            }
                            counts[k]++;
                            inside[k]--;
                        } finally {
                            locks.unlock("op-" + k);
                        }
                    }
                    return null;
                });
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(counts[0] + counts[1] + counts[2]).isEqualTo(threads * rounds);
        assertThat(locks.size()).isZero();
    }

    @Test
    void tryLockTakesAFreeOrOwnLockAndNeverWaitsForAnotherThreads() throws Exception {
        KeyedLocks locks = new KeyedLocks();
        assertThat(locks.tryLock("op-1")).isTrue();
        assertThat(locks.tryLock("op-1")).as("reentrant").isTrue();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            assertThat(pool.submit(() -> locks.tryLock("op-1")).get()).as("held by another thread").isFalse();
            assertThat(pool.submit(() -> {
                boolean taken = locks.tryLock("op-2");
                locks.unlock("op-2");
                return taken;
            }).get()).as("another key").isTrue();
            locks.unlock("op-1");
            locks.unlock("op-1");
            assertThat(locks.size()).as("a failed try keeps nothing").isZero();
            assertThat(pool.submit(() -> {
                boolean taken = locks.tryLock("op-1");
                locks.unlock("op-1");
                return taken;
            }).get()).as("free again").isTrue();
            assertThat(locks.size()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
