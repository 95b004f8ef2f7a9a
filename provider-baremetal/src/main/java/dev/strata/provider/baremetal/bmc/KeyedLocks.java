package dev.strata.provider.baremetal.bmc;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per key, kept only while a thread holds it or waits for it: the last to release a
 * key's lock drops it, so the number of locks follows the threads at work, not the keys ever seen.
 * Two keys never share a lock, unlike lock striping, where a create that holds its lock through
 * the whole power-on wait would stall every operation whose key hashes to the same stripe.
 * Reentrant, like {@code synchronized}; not interruptible.
 */
final class KeyedLocks {

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        /** Threads holding or waiting for the lock; changed only inside the map's compute for the key. */
        int users;
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Takes the lock of {@code key}, waiting while another thread holds it; {@link #unlock} releases it. */
    void lock(String key) {
        Entry entry = entries.compute(key, (k, e) -> {
            Entry current = e == null ? new Entry() : e;
            current.users++;
            return current;
        });
        entry.lock.lock();
    }

    /** Takes the lock of {@code key} if no other thread holds it, without waiting; true if taken ({@link #unlock} releases it). */
    boolean tryLock(String key) {
        Entry entry = entries.compute(key, (k, e) -> {
            Entry current = e == null ? new Entry() : e;
            current.users++;
            return current;
        });
        if (entry.lock.tryLock()) {
            return true;
        }
        entries.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
        return false;
    }

    /**
     * Releases the lock of {@code key}, which this thread holds.
     *
     * @throws IllegalMonitorStateException where it does not
     */
    void unlock(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            throw new IllegalMonitorStateException("no lock is held for " + key);
        }
        // an entry this thread holds stays in the map until this thread's own count is taken off below
        entry.lock.unlock();
        entries.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }

    /** The locks kept now: one per key that a thread holds or waits for. */
    int size() {
        return entries.size();
    }
}
