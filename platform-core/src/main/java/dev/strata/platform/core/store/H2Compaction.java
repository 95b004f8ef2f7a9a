package dev.strata.platform.core.store;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online compaction of the embedded store's file, run by the store's writer.
 *
 * <p>Why: the embedded store runs H2 with {@code WRITE_DELAY=0} so that a commit is in the file
 * before it returns. That also turns off H2's background thread, which is where H2 compacts: every
 * commit writes a new chunk (the pages it changed and their parents), and a chunk stays in the file
 * as long as one of its pages is live. Under churn the file then holds a small share of live data
 * and keeps growing. This class asks H2 to rewrite the live pages of the sparsest chunks into new
 * ones, a bounded amount at a time, so that the old chunks die and their space is reused. H2 only
 * rewrites chunks older than its retention time (45 s by default, H2's margin for disks that flush
 * their write buffers late); that a crash finds the newest commit is {@link H2HeaderGuard}'s part.
 *
 * <p>How: H2 has no SQL statement for this. Its {@code MVStore} (a public class in an exported
 * package) is reached through public methods of the JDBC connection's session
 * ({@code getSession().getDatabase().getStore().getMvStore()}), by reflection, so that the core
 * bundle imports nothing of H2. A connection is kept open for the store's life, which also keeps
 * the database open. Where H2's classes do not offer these methods (another H2 version),
 * {@link #attach} says so once in the log and the store runs without online compaction, as before.
 *
 * <p>Not thread-safe: only the writer thread calls {@link #step}.
 */
final class H2Compaction implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(H2Compaction.class);

    /**
     * Live bytes rewritten at most per step while the writer is idle, and in the first step after one
     * that found nothing. H2 rewrites no chunk with more live data than a step's budget: such a chunk
     * keeps its dead space until the store is closed (H2 compacts the file then).
     */
    static final int STEP_BYTES = 4 << 20;
    /**
     * Live bytes rewritten at most per step under load: the writes waiting meanwhile wait for it
     * (4 MB steps raised the throughput benchmark's p99 latency from 110 to 140 and 200 ms).
     */
    static final int BUSY_STEP_BYTES = 1 << 20;
    /** Under load, at most one step a second. */
    static final long BUSY_INTERVAL_NANOS = 1_000_000_000L;
    /**
     * After a step that found nothing to rewrite, the next try (chunks age past the retention time
     * meanwhile). That try is given {@link #STEP_BYTES} even under load: H2 never picks a chunk
     * whose live pages exceed a step's budget, so a writer that is never idle would otherwise never
     * rewrite a sparse chunk holding more than {@link #BUSY_STEP_BYTES} of live data (a bulk write's
     * chunk), and the file would keep its dead space for as long as the load lasts.
     */
    static final long RETRY_INTERVAL_NANOS = 10_000_000_000L;

    private final Connection connection;
    private final Object mvStore;
    private final Method compact;
    private final Method underStoreLock;
    private final Method dropUnusedChunks;
    private final Method chunksFillRate;
    private final Method retentionTime;
    private final Object fileStore;
    private final int targetFillRate;
    private final String where;
    private volatile long steps;
    private volatile long rewritingSteps;
    /** When the next step may run (System.nanoTime). */
    private long nextStepAt;
    /** Rewriting steps in the current run, and the fill rate before it. */
    private int run;
    private int fillBefore;
    /** Whether the last step found nothing to rewrite: the next one gets {@link #STEP_BYTES}, idle or not. */
    private boolean missed;

    /** Forces the file to disk. */
    interface Sync {
        void run() throws java.io.IOException;
    }

    private H2Compaction(Connection connection, Object mvStore, Object fileStore, int targetFillRate, String where) throws NoSuchMethodException {
        this.connection = connection;
        this.mvStore = mvStore;
        this.fileStore = fileStore;
        this.compact = mvStore.getClass().getMethod("compact", int.class, int.class);
        this.underStoreLock = mvStore.getClass().getMethod("executeFilestoreOperation", Runnable.class);
        this.dropUnusedChunks = fileStore.getClass().getMethod("dropUnusedChunks");
        this.chunksFillRate = fileStore.getClass().getMethod("getChunksFillRate");
        this.retentionTime = mvStore.getClass().getMethod("getRetentionTime");
        this.targetFillRate = targetFillRate;
        this.where = where;
        this.nextStepAt = System.nanoTime();
    }

    /**
     * Reaches the H2 store behind {@code direct}, or returns null (with one warning in the log)
     * where that is not possible. The connection opened for it is kept until {@link #close()}.
     *
     * @param targetFillRate percent of live data below which chunks are rewritten (1 to 90)
     */
    static H2Compaction attach(DataSource direct, int targetFillRate, String where) {
        Connection c = null;
        try {
            c = direct.getConnection();
            Object mvStore = mvStore(c);
            H2Compaction compaction = new H2Compaction(c, mvStore, invoke(mvStore, "getFileStore"), targetFillRate, where);
            compaction.chunksFillRate(); // fails here, not on the writer, if the method does not answer
            return compaction;
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            String why = e instanceof ReflectiveOperationException ? "this H2 does not offer " + e
                    : "H2's store could not be reached: " + JdbcStateStore.describe(e);
            LOG.warn("The embedded state store at {} runs without online compaction (its file will hold old chunks until "
                    + "Strata stops): {}", where, why);
            discard(c, e);
            return null;
        }
    }

    /** Closes the connection an attach opened before it failed ({@code c} may be null). */
    static void discard(Connection c, Exception failure) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                failure.addSuppressed(suppressed);
            }
        }
    }

    /** H2's {@code MVStore} behind an embedded connection, through the public methods named above. */
    static Object mvStore(Connection c) throws ReflectiveOperationException {
        Object session = invoke(c, "getSession");
        Object database = invoke(session, "getDatabase");
        Object store = invoke(database, "getStore");
        return invoke(store, "getMvStore");
    }

    /** H2's {@code FileStore} (the file's chunks and header) behind an embedded connection. */
    static Object fileStore(Connection c) throws ReflectiveOperationException {
        return invoke(mvStore(c), "getFileStore");
    }

    private static Object invoke(Object target, String method) throws ReflectiveOperationException {
        Object result = target.getClass().getMethod(method).invoke(target);
        if (result == null) {
            throw new NoSuchMethodException(target.getClass().getName() + "." + method + "() answered null");
        }
        return result;
    }

    /**
     * Called by the writer between batches: runs a {@link #step} when one is due. Idle, steps follow
     * each other while they find work; under load, one a second at most, of {@link #BUSY_STEP_BYTES};
     * after a step with nothing to do, the next in {@link #RETRY_INTERVAL_NANOS}, of
     * {@link #STEP_BYTES} whether idle or not. A run of steps ends with one line in the log.
     */
    void housekeeping(boolean idle, long now, Sync sync) throws ReflectiveOperationException, SQLException, java.io.IOException {
        if (now - nextStepAt < 0) {
            return;
        }
        if (run == 0) {
            fillBefore = chunksFillRate();
        }
        boolean rewrote = step(idle || missed ? STEP_BYTES : BUSY_STEP_BYTES);
        missed = !rewrote;
        if (rewrote) {
            // the moved pages are in new chunks: on disk before the space of the old ones is reused
            sync.run();
            run++;
            nextStepAt = now + (idle ? 0 : BUSY_INTERVAL_NANOS);
            return;
        }
        if (run > 0) {
            LOG.info("State store file {} compacted online: {} steps rewrote live pages; live data is {} % of the file's chunks (was "
                    + "{} %; chunks emptied in the last {} s are freed later)", where, run, chunksFillRate(), fillBefore, retentionSeconds());
            run = 0;
        }
        nextStepAt = now + RETRY_INTERVAL_NANOS;
    }

    private long retentionSeconds() throws ReflectiveOperationException {
        return ((Integer) retentionTime.invoke(mvStore)) / 1000;
    }

    /**
     * One bounded compaction step. It frees the chunks that hold no live page since longer than
     * H2's retention time (a write does that too; an idle store otherwise keeps them), then, when
     * the chunks' fill rate is below the target, rewrites up to {@code bytes} of live pages
     * out of the sparsest chunks older than the retention time and writes them as a new version
     * ({@code CHECKPOINT}). The chunks they came from die, and are freed by a later step or write
     * once the retention time has passed.
     *
     * @return whether anything was rewritten (the caller then forces the file to disk)
     */
    boolean step(int bytes) throws ReflectiveOperationException, SQLException {
        steps++;
        dropUnusedChunks();
        boolean rewrote = (Boolean) compact.invoke(mvStore, targetFillRate, bytes);
        if (rewrote) {
            try (Statement s = connection.createStatement()) {
                s.execute("CHECKPOINT");
            }
            rewritingSteps++;
        }
        return rewrote;
    }

    /** {@code FileStore.dropUnusedChunks()} wants H2's store lock: {@code MVStore.executeFilestoreOperation} holds it. */
    private void dropUnusedChunks() throws ReflectiveOperationException {
        ReflectiveOperationException[] failure = {null};
        underStoreLock.invoke(mvStore, (Runnable) () -> {
            try {
                dropUnusedChunks.invoke(fileStore);
            } catch (ReflectiveOperationException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** The share (percent) of the chunks' bytes that is live data. */
    int chunksFillRate() throws ReflectiveOperationException {
        return (Integer) chunksFillRate.invoke(fileStore);
    }

    int targetFillRate() {
        return targetFillRate;
    }

    /** Steps run so far, and those that rewrote something. */
    long[] counts() {
        return new long[] {steps, rewritingSteps};
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing the compaction connection: {}", JdbcStateStore.describe(e));
        }
    }
}
