package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.exception.StrataException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's single writer: group commit. Callers submit units of work; one thread takes every
 * unit waiting (up to {@code maxBatch}), runs them in submission order in one transaction,
 * commits, makes the commit durable (the embedded store forces its file to disk), and only then
 * completes the callers' futures. Under load many writes share one commit and one flush; alone, a
 * write costs one of each.
 *
 * <p>A unit refuses by throwing {@link StoreRefusedException} (or another {@link StrataException})
 * <em>before it writes anything</em> (every unit checks its precondition with its first
 * statement); the others in the batch go on. When the transaction fails, it is rolled back and
 * each unit is run again alone, so that one bad unit fails only itself; a failure before any unit
 * ran (no connection, the fence's read failed) is the database's, and fails every unit at once.
 * When the commit itself fails (the connection lost while committing), the database may have
 * committed the batch: it is
 * not run again, and every unit fails as not acknowledged, perhaps stored; a failure to give the
 * connection back after the commit fails no unit.
 *
 * <p>An {@link Error} while a batch runs (an {@code OutOfMemoryError} on a batch of large writes, a
 * {@code NoClassDefFoundError} after a bundle refresh) fails every unit of that batch, naming the
 * error, and the writer goes on with the next: it is the only writer, and a write behind it would
 * otherwise wait for good. A {@link VirtualMachineError} included: the batch's memory is free once
 * it has failed, and a writer that stopped would stop every write for good, where the next batch
 * may well succeed. Closing fails what is still queued.
 *
 * <p>At most {@code writeQueueLimit} ({@link #QUEUE_LIMIT} by default) writes wait for the writer: one
 * submitted beyond that waits for room (its caller is held back while the writer catches up, as a
 * burst of appends is), for at most {@code writeQueueWait} ({@link #QUEUE_WAIT} by default); where none comes (the database is slow or does not answer, and writes
 * keep coming) it fails, not stored, so that the queue does not grow until the heap is spent.
 */
final class WritePipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);

    /** One unit of work, run inside the batch's transaction. */
    interface Work<T> {
        T apply(Tx tx) throws SQLException;
    }

    /** What the pipeline needs from the store around a batch. */
    interface Host {
        Connection connection() throws SQLException;

        /** Called in the transaction before the batch: refuses (throws) when this instance may not write. */
        void fence(Connection c) throws SQLException;

        /** A transaction context for a batch. */
        Tx begin(Connection c) throws SQLException;

        /** The batch committed: keep what {@code tx} changed in memory (the chain's head). */
        void committed(Tx tx);

        /** The batch failed: forget in-memory state that may not match the database. */
        void rolledBack();

        /** A batch, or a unit run alone, failed on the database with {@code e} (not a unit's refusal), and nothing was acknowledged. */
        default void failed(Exception e) {
        }

        /** Makes a commit findable by the database's crash recovery and durable (fsync), where the database does not do so itself. */
        void sync() throws java.io.IOException;

        /** Names the store in messages. */
        String where();

        /**
         * Maintenance between batches, on the writer thread with no transaction open: called after
         * each batch ({@code idle} false) and whenever no write came for a poll interval
         * ({@code idle} true). It must not throw; it may take a few tens of milliseconds.
         */
        default void housekeeping(boolean idle) {
        }
    }

    private record Pending<T>(Work<T> work, CompletableFuture<T> future) {
    }

    private final Host host;
    private final int maxBatch;
    /** How many writes may wait for the writer by default; one more waits for room ({@link #QUEUE_WAIT}). */
    static final int QUEUE_LIMIT = 10_000;
    /** How long a write submitted to a full queue waits for room before it fails, by default. */
    static final java.time.Duration QUEUE_WAIT = java.time.Duration.ofSeconds(10);

    private final BlockingQueue<Pending<?>> queue;
    /** How many writes may wait for the writer here ({@code writeQueueLimit}; {@link #QUEUE_LIMIT} unless configured). */
    private final int queueLimit;
    private final Thread thread;
    private volatile boolean running = true;
    /** Set by the writer before its last look at the queue: a unit queued after that is failed by whoever queued it. */
    private volatile boolean stopped;
    /** Whether the batch being run reached its commit: what a failure of it can say about the batch. */
    private boolean commitReached;
    private volatile long batches;
    private volatile long writes;

    private final java.time.Duration queueWait;

    WritePipeline(Host host, int maxBatch, String name) {
        this(host, maxBatch, name, QUEUE_WAIT);
    }

    /** A pipeline whose writes wait at most {@code queueWait} for room in a full queue (tests). */
    WritePipeline(Host host, int maxBatch, String name, java.time.Duration queueWait) {
        this(host, maxBatch, name, QUEUE_LIMIT, queueWait);
    }

    /**
     * A pipeline where at most {@code queueLimit} writes wait for the writer, and one more waits at
     * most {@code queueWait} for room (the store's {@code writeQueueLimit} and {@code writeQueueWait}).
     */
    WritePipeline(Host host, int maxBatch, String name, int queueLimit, java.time.Duration queueWait) {
        this.queueLimit = queueLimit;
        this.queue = new LinkedBlockingQueue<>(queueLimit);
        this.host = host;
        this.maxBatch = maxBatch;
        this.queueWait = queueWait;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    <T> CompletableFuture<T> submit(Work<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new StateStoreException("the state store at " + host.where() + " is closed"));
            return future;
        }
        Pending<T> pending = new Pending<>(work, future);
        boolean queued;
        try {
            // a full queue holds the caller back until the writer has made room, never the writer itself (it would wait on itself)
            queued = queue.offer(pending) || Thread.currentThread() != thread
                    && queue.offer(pending, queueWait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.completeExceptionally(new StateStoreException("interrupted while waiting for room among the " + queueLimit
                    + " writes waiting for the writer of the state store at " + host.where() + "; this write is not stored"));
            return future;
        }
        if (!queued) {
            future.completeExceptionally(new StateStoreException("the state store at " + host.where() + " has " + queueLimit
                    + " writes waiting for its writer, and " + (Thread.currentThread() == thread
                            // it waited for nothing: code run on the writer's thread (a caller's continuation of a write it completed)
                            ? "this write was made on the writer's own thread (by code run when an earlier write completed), which "
                                    + "cannot wait for room, since the writer would wait on itself; this write is not stored, nor queued: "
                                    + "make it from another thread (an executor of the caller's), or try it again once the store has "
                                    + "caught up"
                            : "no room came within " + queueWait.toMillis() + " ms (its database is slow or does not answer); this write "
                                    + "is not stored, nor queued: try it again once the store has caught up")));
            return future;
        }
        if (stopped) {
            // the writer was gone before this unit was queued, or is taking its last look at the queue
            failQueued();
        }
        return future;
    }

    /** Batches committed so far and writes in them: their ratio is the mean group size. */
    long[] counts() {
        return new long[] {batches, writes};
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>(maxBatch);
        try {
            while (running || !queue.isEmpty()) {
                try {
                    Pending<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        housekeeping(true);
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - 1);
                    run(batch);
                    housekeeping(false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (Throwable e) {
                    // an Error (out of memory, a class gone after a bundle refresh), or a runtime exception no unit answers for
                    // (one after the commit, while making it durable): this batch fails, saying whether it may be stored, and the
                    // writer goes on
                    failBatch(batch, e);
                } finally {
                    batch.clear();
                    commitReached = false;
                }
            }
        } finally {
            // closed; or, should the writer ever end otherwise, no write is queued for a thread that is gone
            running = false;
            stopped = true;
            failQueued();
        }
    }

    /** Fails every unit of a batch that an {@link Error} (or another throwable no unit answers for) ended. */
    private void failBatch(List<Pending<?>> batch, Throwable e) {
        boolean maybeStored = commitReached;
        try {
            LOG.error("State store writer at {}: {} while running a batch of {} writes; they failed ({}), the writer goes on", host.where(),
                    e.getClass().getName(), batch.size(), maybeStored ? "perhaps stored" : "not stored", JdbcStateStore.trace(e));
        } catch (Throwable logging) {
            // out of memory may fail the log line too: the callers must still get their answer
        }
        StateStoreException failure = new StateStoreException("the state store at " + host.where() + " failed to write: its writer hit "
                + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + JdbcStateStore.shown(e.getMessage()))
                + (maybeStored ? "; the write is not acknowledged, and it may or may not be stored" : "; the write is not stored"), e);
        for (Pending<?> p : batch) {
            p.future().completeExceptionally(failure);
        }
        try {
            host.rolledBack();
        } catch (Throwable ignored) {
            // forgetting in-memory state is best effort here; the batch is answered either way
        }
    }

    /** Fails every unit still queued as closed; one the writer has taken is its to answer. */
    private void failQueued() {
        Pending<?> p = queue.poll();
        if (p == null) {
            return;
        }
        StateStoreException closed = new StateStoreException("the state store at " + host.where() + " is closed");
        do {
            p.future().completeExceptionally(closed);
        } while ((p = queue.poll()) != null);
    }

    private void housekeeping(boolean idle) {
        if (!running) {
            return;
        }
        try {
            host.housekeeping(idle);
        } catch (RuntimeException | Error e) {
            LOG.warn("State store writer: housekeeping at {} failed: {}", host.where(), JdbcStateStore.shown(e.toString()));
        }
    }

    private void run(List<Pending<?>> batch) {
        commitReached = false;
        List<Object> results = new ArrayList<>(batch.size());
        Tx tx = null;
        boolean committing = false;
        boolean committed = false;
        boolean unitsRun = false;
        try (Connection c = host.connection()) {
            c.setAutoCommit(false);
            try {
                host.fence(c);
                tx = host.begin(c);
                unitsRun = true;
                for (Pending<?> p : batch) {
                    try {
                        results.add(p.work().apply(tx));
                    } catch (StrataException refused) {
                        results.add(new Refusal(refused));
                    }
                }
                committing = true;
                commitReached = true;
                c.commit();
                committed = true;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(c, e);
                throw e;
            } finally {
                if (tx != null) {
                    tx.close();
                }
            }
        } catch (NotLeaderException e) {
            host.rolledBack();
            for (Pending<?> p : batch) {
                p.future().completeExceptionally(e);
            }
            return;
        } catch (SQLException | RuntimeException e) {
            if (committed) {
                // only giving the connection back failed: the batch is committed, and running it again would write it twice
                LOG.debug("Closing the connection after a commit to {} failed: {}", host.where(), JdbcStateStore.describe(e));
            } else {
                host.rolledBack();
                host.failed(e);
                if (committing) {
                    // the commit itself failed (a connection lost mid-commit): the database may have committed the batch, so it
                    // is not run again (that would write it twice) and no caller is told that it was not written
                    StateStoreException unknown = new StateStoreException("the state store at " + host.where() + " failed while "
                            + "committing the write (" + JdbcStateStore.describe(e) + "); it is not acknowledged, and it may or may "
                            + "not be stored", JdbcStateStore.trace(e));
                    for (Pending<?> p : batch) {
                        p.future().completeExceptionally(unknown);
                    }
                    return;
                }
                if (batch.size() > 1 && unitsRun) {
                    LOG.debug("A batch of {} writes failed ({}); running them one by one", batch.size(), JdbcStateStore.describe(e));
                    for (Pending<?> p : batch) {
                        run(List.of(p));
                    }
                    return;
                }
                // one unit alone, or a failure before any unit ran (no connection, the fence's or the head's read failed: the
                // database, not a unit): running the units one by one would only ask the database again for each of them
                Exception failure = e instanceof StrataException se ? se : translate(e);
                for (Pending<?> p : batch) {
                    p.future().completeExceptionally(failure);
                }
                return;
            }
        }
        try {
            host.sync();
        } catch (java.io.IOException e) {
            // committed but not known to be on disk, or (the store header not rewritten) not known to be found again after a
            // stop: the callers must not take it as durable
            host.rolledBack();
            StateStoreException failure = new StateStoreException("the state store at " + host.where()
                    + " could not make the write durable (" + e.getMessage() + "); it is not acknowledged, and it may be lost if Strata "
                    + "or the machine stops before a later write reaches the disk", e);
            for (Pending<?> p : batch) {
                p.future().completeExceptionally(failure);
            }
            return;
        }
        host.committed(tx);
        batches++;
        writes += batch.size();
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Pending<T> p, Object result) {
        if (result instanceof Refusal r) {
            p.future().completeExceptionally(r.cause());
        } else {
            p.future().complete((T) result);
        }
    }

    private record Refusal(StrataException cause) {
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    StateStoreException translate(Exception e) {
        return new StateStoreException("the state store at " + host.where() + " failed to write: " + JdbcStateStore.describe(e),
                JdbcStateStore.trace(e));
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the writer runs what was queued before it stops; what is left (it is stuck in a batch, or gone) is failed, not left waiting
        failQueued();
    }
}
