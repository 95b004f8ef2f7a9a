package dev.strata.platform.core.inventory;

import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes provider changes to the provenance log: kind {@code swap} when a provider is replaced
 * (another service of the same id takes over, as on a bundle update), kind
 * {@code provider-state} for every other change (registered, active, unavailable, failed,
 * departed, dropped), with the provider as subject and actor {@code system}.
 *
 * <p>Changes seen before the state store is there (providers often start first) wait in a bounded
 * backlog and are written when it comes; what overflows is counted in the next record. Only the
 * leader writes (the log is the leader's): an instance that does not lead keeps its backlog and
 * writes it with the next change once it leads. Each record is durable before the next is written,
 * so the log keeps the order the changes happened in. All writing happens on the directory's
 * event thread ({@link #accept} and {@link #flush} are only called there), so nothing is written twice.
 */
final class ProviderRecorder implements Consumer<ProviderChange> {

    static final String KIND_STATE = "provider-state";
    static final String KIND_SWAP = "swap";
    static final int BACKLOG = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRecorder.class);

    private final Deque<ProviderChange> backlog = new ArrayDeque<>();
    private StateStore store;
    private long overflowed;

    /** The store to write to; call {@link #flush} (on the event thread) afterwards to write the backlog. */
    synchronized void store(StateStore newStore) {
        store = newStore;
    }

    /** Unsets the store only if it is still the given one (a dynamic reference's unbind). */
    synchronized void unsetStore(StateStore old) {
        if (store == old) {
            store = null;
        }
    }

    @Override
    public void accept(ProviderChange change) {
        synchronized (this) {
            if (backlog.size() >= BACKLOG) {
                backlog.removeFirst();
                overflowed++;
            }
            backlog.addLast(change);
        }
        flush();
    }

    /** Writes the backlog, oldest first, while there is a store that leads. */
    void flush() {
        while (true) {
            StateStore s;
            ProviderChange next;
            long lost;
            synchronized (this) {
                s = store;
                next = backlog.peekFirst();
                lost = overflowed;
                if (s == null || next == null) {
                    return;
                }
            }
            if (!s.leadership().isLeader()) {
                LOG.debug("Not the leader: provider change {} of {} waits to be recorded", next.event(), next.provider());
                return;
            }
            try {
                s.provenance().append(entry(next, lost)).join();
            } catch (RuntimeException e) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                LOG.warn("Provider change {} of {} is not recorded in the provenance log yet ({}); it is tried again with the next change",
                        next.event(), next.provider(), cause.getMessage());
                return;
            }
            synchronized (this) {
                if (backlog.peekFirst() == next) {
                    backlog.removeFirst();
                    overflowed -= lost;
                }
            }
        }
    }

    static ProvenanceEntry entry(ProviderChange c, long lost) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", c.summary());
        payload.put("event", c.event());
        payload.put("from", c.from() == null ? null : c.from().name());
        payload.put("to", c.to().name());
        if (c.message() != null) {
            payload.put("message", c.message());
        }
        payload.put("vendor", c.vendor());
        payload.put("version", c.version());
        if (c.previousVersion() != null) {
            payload.put("previousVersion", c.previousVersion());
        }
        payload.put("bundle", c.bundle());
        payload.put("resources", c.resources());
        payload.put("seenAt", c.at().toString());
        if (lost > 0) {
            payload.put("unrecordedBefore", lost);
        }
        return ProvenanceEntry.of(c.event().equals("returned") ? KIND_SWAP : KIND_STATE, "system", payload, "provider", c.provider());
    }
}
