package dev.strata.platform.core.deployment;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The provisioning providers that are running, by provider id. A provider that departs (its
 * bundle updated or removed) leaves; the deployments it serves wait for it to return (their
 * operations are resumed by id on the new version). Thread-safe: registrations change under one
 * lock, which readers do not take.
 *
 * <p>A provider id that had a registration and lost its last one is <em>departed</em> until one
 * returns: it is being replaced (or was removed), as the provider registry's
 * {@link dev.strata.platform.api.inventory.ProviderState#DEPARTED} says of a provider's other
 * services; an id never registered is not. A caller that needs a departed provider waits for it
 * within a bound ({@link #await}), as a refresh of a departed provider does.
 */
public final class ProvisioningProviders {

    /** Per provider id, every registration still present, by service id; the newest (highest) serves. */
    private final Map<String, NavigableMap<Long, ProvisioningProvider>> byId = new ConcurrentHashMap<>();
    /** Ids whose last registration left and none has returned since. */
    private final Set<String> departed = ConcurrentHashMap.newKeySet();
    /** Every id that had a registration: it runs now, or is departed. */
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /**
     * Adds (or replaces) the provider with an id.
     *
     * @param serviceId distinguishes registrations of one id (a newer version registering before the older one leaves)
     */
    public void add(String providerId, long serviceId, ProvisioningProvider provider) {
        lock.lock();
        try {
            NavigableMap<Long, ProvisioningProvider> held = byId.get(providerId);
            NavigableMap<Long, ProvisioningProvider> next = held == null ? new TreeMap<>() : new TreeMap<>(held);
            next.put(serviceId, provider);
            byId.put(providerId, next);
            registered.add(providerId);
            departed.remove(providerId);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the provider registered under {@code serviceId}; another registration of the same id (newer or older) stays and serves. */
    public void remove(String providerId, long serviceId) {
        lock.lock();
        try {
            NavigableMap<Long, ProvisioningProvider> held = byId.get(providerId);
            if (held == null || !held.containsKey(serviceId)) {
                return;
            }
            NavigableMap<Long, ProvisioningProvider> next = new TreeMap<>(held);
            next.remove(serviceId);
            if (next.isEmpty()) {
                byId.remove(providerId);
                departed.add(providerId);
            } else {
                byId.put(providerId, next);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public Optional<ProvisioningProvider> get(String providerId) {
        NavigableMap<Long, ProvisioningProvider> held = byId.get(providerId);
        return held == null ? Optional.empty() : Optional.of(held.lastEntry().getValue());
    }

    /** Every provider running now, by id. */
    public Map<String, ProvisioningProvider> all() {
        Map<String, ProvisioningProvider> out = new TreeMap<>();
        byId.forEach((id, held) -> out.put(id, held.lastEntry().getValue()));
        return out;
    }

    /**
     * Whether a provider with this id ran and left, and none has returned since: it is being
     * replaced (its bundle updated), or was removed. False for an id that never ran, and for one
     * that runs.
     */
    public boolean departed(String providerId) {
        return departed.contains(providerId);
    }

    /**
     * Whether a provider with this id ran: it runs now, or it is {@linkplain #departed departed}.
     * Unlike those two, which a provider leaving or returning changes, this never changes back, so
     * that a caller that found no provider running can tell one being replaced (whether it has
     * returned since or not) from one that never ran.
     */
    public boolean ran(String providerId) {
        return registered.contains(providerId);
    }

    /**
     * The provider with this id; while it is {@linkplain #departed departed}, waits up to
     * {@code maxWait} for it to return. Takes no lock but this one's, and that only between
     * changes.
     *
     * @return the provider, or empty when it is not running at the end of the wait (at once for one
     *     that is not departed)
     * @throws ProviderUnavailableException when the calling thread is interrupted while it waits
     *     (its interrupt flag is set again)
     */
    public Optional<ProvisioningProvider> await(String providerId, Duration maxWait) {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        lock.lock();
        try {
            while (true) {
                Optional<ProvisioningProvider> running = get(providerId);
                long left = deadline - System.nanoTime();
                if (running.isPresent() || !departed.contains(providerId) || left <= 0) {
                    return running;
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProviderUnavailableException("interrupted while waiting for provisioning provider " + providerId
                            + " to return", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
