package dev.strata.platform.core.commitment;

import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.TelemetryCoverageStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPUs that telemetry covered, kept by the verifier in the state store ({@link TelemetryCoverageStore}): the latest
 * sample of each GPU it remembers ({@link RememberedTelemetry}). Kept in memory only, they were forgotten with a restart:
 * a GPU whose telemetry source had gone for good (the NVIDIA provider stopped or removed) then read as one no telemetry
 * ever covered, its clauses gave no finding, and the verifier recorded its allocation HONORED where nothing verified it.
 * Read back before the first pass ({@link #load}), they are judged as before the restart: the same gap, in the same
 * words, and nothing recorded.
 *
 * <p>A pass hands the store one write ({@link #write}) of what changed since the store last held it, as far as this
 * instance knows: the GPUs whose latest sample is newer (while a source answers, each GPU it samples), and the GPUs the
 * pass no longer remembers (no longer checked); nothing where nothing changed. One transaction of a few batches, whatever
 * the number of GPUs, handed to the store while the pass judges, so that it shares a commit with the pass's records. Only
 * an instance that may write does (the leader; where every instance writes, each one, the newest sample winning per
 * GPU); a follower keeps what it reads in memory, and reads the store again when it leads. A write that fails does not
 * fail the pass ({@link #settle}): its findings stand, what it remembers stays in memory, and the next pass writes what
 * the store still lacks; logged once until a write succeeds again.
 *
 * <p>Not thread-safe: a verifier's passes run one at a time.
 */
final class StoredCoverage {

    private static final Logger LOG = LoggerFactory.getLogger(StoredCoverage.class);

    /** One pass's write: the samples and the GPUs forgotten it handed to the store, and when the store is done with it. */
    static final class Write {
        private final Map<String, GpuSample> kept;
        private final Map<String, Instant> forgotten;
        private final CompletableFuture<Void> done;

        private Write(Map<String, GpuSample> kept, Map<String, Instant> forgotten, CompletableFuture<Void> done) {
            this.kept = kept;
            this.forgotten = forgotten;
            this.done = done;
        }
    }

    private final StateStore store;
    /** Per GPU, the latest sample this instance knows the store holds: read from it, or written by this instance since. */
    private final Map<String, GpuSample> stored = new HashMap<>();
    /** Whether the store was read, and in which leadership epoch: a new one may follow another leader's writes. */
    private boolean loaded;
    private long loadedEpoch;
    /** Whether a failed write was logged, and no write has succeeded since. */
    private boolean told;

    StoredCoverage(StateStore store) {
        this.store = store;
    }

    /**
     * Reads the GPUs the store holds into {@code remembered} (each sample kept where it is newer than the one remembered),
     * where this instance has not read them since it started, or since its leadership changed (another leader wrote
     * meanwhile); one read of the table, nothing otherwise.
     *
     * @throws StateStoreException when the store cannot be read: a pass that judged without them would read a GPU whose
     *     source is gone as never covered, and record its allocation HONORED where nothing verifies it
     */
    void load(RememberedTelemetry remembered) {
        long epoch = store.leadership().epoch();
        if (loaded && epoch == loadedEpoch) {
            return;
        }
        Map<String, GpuSample> rows;
        try {
            rows = store.telemetryCoverage().all();
        } catch (StateStoreException e) {
            throw new StateStoreException("the GPUs that telemetry covered cannot be read from the state store, and the verifier "
                    + "does not judge without them (a GPU whose telemetry source is gone would read as never covered): " + e.getMessage(), e);
        }
        remembered.restore(rows.values());
        stored.clear();
        stored.putAll(rows);
        loaded = true;
        loadedEpoch = epoch;
    }

    /**
     * Hands the store what changed in {@code latest} (the latest samples the pass remembers, by GPU) since it last held
     * them: one write, or none (nothing changed, nothing read yet, or an instance that may not write).
     *
     * @return the write, to {@link #settle} once the pass is done; null for none
     */
    Write write(Map<String, GpuSample> latest) {
        if (!loaded || !store.leadership().isLeader()) {
            return null;
        }
        Map<String, GpuSample> kept = new HashMap<>();
        latest.forEach((id, s) -> {
            GpuSample known = stored.get(id);
            if (known == null || !known.at().equals(s.at())) {
                kept.put(id, s);
            }
        });
        Map<String, Instant> forgotten = new HashMap<>();
        stored.forEach((id, s) -> {
            if (!latest.containsKey(id)) {
                forgotten.put(id, s.at());
            }
        });
        if (kept.isEmpty() && forgotten.isEmpty()) {
            return null;
        }
        CompletableFuture<Void> done;
        try {
            done = store.telemetryCoverage().write(kept.values(), forgotten);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return new Write(kept, forgotten, done);
    }

    /**
     * Waits for a pass's write. Once it is durable, the store is known to hold what it wrote; where it failed (the store
     * unreachable, refusing, closed), nothing is taken as stored and the next pass writes it again, the pass's findings
     * standing as they are: logged once, until a write succeeds again. Never throws.
     */
    void settle(Write w) {
        if (w == null) {
            return;
        }
        try {
            w.done.join();
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof NotLeaderException) {
                // no longer the leader since the pass began: the new leader keeps them
                LOG.debug("The GPUs that telemetry covered were not written to the state store: {}", cause.getMessage());
                return;
            }
            if (!told) {
                told = true;
                LOG.warn("The GPUs that telemetry covered could not be written to the state store; the verifier keeps them in memory "
                        + "and writes them again with each pass (a restart meanwhile would forget those whose telemetry source is gone): {}",
                        cause.toString());
            }
            return;
        }
        stored.putAll(w.kept);
        stored.keySet().removeAll(w.forgotten.keySet());
        if (told) {
            told = false;
            LOG.info("The GPUs that telemetry covered are written to the state store again");
        }
    }
}
