package dev.strata.platform.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through PostgreSQL. Each instance keeps one dedicated connection, outside the
 * pool (a pool that recycles a connection would drop its lock silently). Every
 * {@code electionInterval} a follower tries {@code pg_try_advisory_lock}; the one that gets it
 * increments the epoch in {@code cluster_leader} and leads. The leader checks at the same
 * interval that its session still holds the lock ({@code pg_locks}) and steps down the moment it
 * does not, or the check fails. The lock dies with the session:
 * when the leader's process is killed its socket closes and PostgreSQL ends the session at once;
 * when the network to it fails, the keepalives set on the session end it within about 10 s. The
 * epoch fences what falls between: every write transaction reads it ({@code FOR SHARE}) and is
 * refused when it moved. An instance that cannot write for a reason of its own (the store does not
 * hold its mode lock) does not lead: a leader gives the leadership up at its next round, so that an
 * instance that can write is elected.
 */
final class DatabaseLeadership implements Leadership, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseLeadership.class);
    /** The advisory lock key of the leadership ('strata' + 2). */
    static final long LEADER_LOCK = 0x5374726174610002L;

    /**
     * Sets the server-side keepalives of a session whose lock must die with the network to this
     * instance: PostgreSQL probes an idle connection after 3 s, every 2 s, and ends the session
     * (freeing its advisory locks) after 3 probes unanswered, about 10 s after the network failed,
     * rather than after the operating system's default of two hours. A connection through a Unix
     * socket ignores them (none is used here).
     */
    static void keepAliveBriefly(Statement s) throws SQLException {
        s.execute("SET tcp_keepalives_idle = 3");
        s.execute("SET tcp_keepalives_interval = 2");
        s.execute("SET tcp_keepalives_count = 3");
    }
    /**
     * How long {@link #close()} waits for an election round under way. A round stuck on a database
     * that does not answer (a lock wait, a silent server) ends only at the connection's network
     * timeout, three election intervals; past this wait the round is abandoned and its connection
     * aborted.
     */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /**
     * How long {@link #start()} waits for the first election round by default (the store's
     * {@code electionStartWait}). A database that does not answer
     * held the store's opening (and Strata's start) until the round's network timeout; past this
     * wait the instance goes on as a follower, and the round, once it ends, elects as any other.
     */
    static final Duration START_WAIT = Duration.ofSeconds(5);
    /**
     * How long {@link #stepDown} waits for an election round under way before it aborts the round's
     * connection. The epoch is given up at once either way: the store's writer, which steps down
     * when it finds the epoch moved, is not held behind a round stuck on the database.
     */
    static final Duration STEP_DOWN_WAIT = Duration.ofSeconds(1);

    private final DataSource direct;
    private final String instanceId;
    private final String address;
    private final Duration interval;
    private final Clock clock;
    private final Instant started;
    private final ScheduledExecutorService timer;
    /** Held by a round, a step-down and the close: one at a time. */
    private final ReentrantLock rounds = new ReentrantLock();
    /** The leadership connection; volatile so that a close that cannot wait for a hung round can abort it. */
    private volatile Connection lock;
    private volatile long roundStarted;
    private volatile long epoch;
    private volatile Leader leader;
    private volatile boolean closed;
    /**
     * Why this instance may not write for a reason of its own (its mode lock is not held: lost and
     * not taken again, or the database is used in the other mode meanwhile), or null while it may.
     */
    private final Supplier<String> refusal;
    /** Whether the last round left the leadership, or passed it by, for {@link #refusal}: logged once per episode. */
    private boolean refusing;

    DatabaseLeadership(DataSource direct, String instanceId, String address, Duration interval, Clock clock) {
        this(direct, instanceId, address, interval, clock, () -> null);
    }

    /**
     * @param refusal why this instance refuses writes for a reason of its own, or null while it
     *     writes: while there is one it does not lead (a leader gives the leadership up at its next
     *     round), so that an instance that can write is elected in its place
     */
    DatabaseLeadership(DataSource direct, String instanceId, String address, Duration interval, Clock clock, Supplier<String> refusal) {
        this.refusal = refusal;
        this.direct = direct;
        this.instanceId = instanceId;
        this.address = address;
        this.interval = interval;
        this.clock = clock;
        this.started = clock.instant();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-leader-election-" + instanceId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs the first round now (so that a lone instance leads once this returns), then every
     * interval. The first round is waited for up to {@link #START_WAIT}: one stuck on a database
     * that does not answer (a lock wait, a silent server) is left to end on its own, and the
     * instance starts as a follower, saying so; the next rounds run after it.
     */
    void start() {
        start(START_WAIT);
    }

    void start(Duration wait) {
        java.util.concurrent.Future<?> first = timer.submit(this::tick);
        try {
            first.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("The first leader election round of {} has not ended within {} ms (its database does not answer); the instance "
                    + "starts as a follower, and leads should the round, or a later one, elect it", instanceId, wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting for the first leader election round of {}; the instance starts as a follower", instanceId);
        } catch (Exception e) {
            LOG.warn("First leader election round failed: {}", JdbcStateStore.describe(e));
        }
        timer.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One election round now (tests drive rounds by hand with a long interval). */
    void tickNow() {
        tick();
    }

    private void tick() {
        rounds.lock();
        try {
            roundStarted = System.nanoTime();
            round();
        } finally {
            rounds.unlock();
        }
    }

    private void round() {
        if (closed) {
            return;
        }
        try {
            if (lock == null) {
                lock = direct.getConnection();
                if (closed) {
                    // a close that gave up waiting for this round found no connection to abort: it ends here
                    lost("it is stopping");
                    return;
                }
                lock.setAutoCommit(true);
                try (Statement s = lock.createStatement()) {
                    keepAliveBriefly(s);
                    s.execute("SET application_name = 'strata " + instanceId.replace("'", "") + " leadership'");
                }
                lock.setNetworkTimeout(Runnable::run, (int) Math.max(2000, interval.toMillis() * 3));
            }
            String refused = refusal.get();
            if (refused != null && epoch != 0) {
                // a leader that cannot write held every instance's writes: no other could be elected while it held the lock.
                // It gives the lock up (closing its connection), and takes part in the election again once it can write
                refusing = true;
                long was = epoch;
                // the record of the leader names it no more: no instance is told to send its writes here meanwhile
                try (PreparedStatement p = lock.prepareStatement("UPDATE cluster_leader SET instance_id = NULL, address = NULL, "
                        + "since_ms = NULL WHERE id = 1 AND epoch = ?")) {
                    p.setLong(1, was);
                    p.executeUpdate();
                } catch (SQLException e) {
                    LOG.debug("Clearing the leader record of {} (epoch {}): {}", instanceId, was, JdbcStateStore.describe(e));
                }
                // freed whether or not the record was cleared: else the lock stayed taken until the database ended the closed
                // session, and a follower's round meanwhile found it held and waited one more interval to be elected
                try {
                    unlockLeadership();
                } catch (SQLException e) {
                    LOG.debug("Freeing the leadership lock of {} (epoch {}): {}", instanceId, was, JdbcStateStore.describe(e));
                }
                lost(was, "it cannot write: " + refused + "; it does not try to lead again until it can write");
                leader = null;
                return;
            }
            if (refused != null && !refusing) {
                refusing = true;
                LOG.info("Instance {} does not try to lead while it cannot write: {}", instanceId, refused);
            } else if (refused == null && refusing) {
                refusing = false;
                LOG.info("Instance {} can write again and takes part in the leader election again", instanceId);
            }
            if (epoch == 0 && refused == null) {
                try (Statement s = lock.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LEADER_LOCK + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        try (PreparedStatement p = lock.prepareStatement("UPDATE cluster_leader SET epoch = epoch + 1, instance_id = ?, "
                                + "address = ?, since_ms = ? WHERE id = 1 RETURNING epoch")) {
                            p.setString(1, instanceId);
                            p.setString(2, address);
                            p.setLong(3, clock.millis());
                            try (ResultSet e = p.executeQuery()) {
                                e.next();
                                epoch = e.getLong(1);
                            }
                        }
                        LOG.info("Instance {} is the leader now (epoch {})", instanceId, epoch);
                    }
                }
            } else if (epoch != 0 && !holdsLeadership()) {
                lost("its database session no longer holds the leadership lock");
                return;
            }
            heartbeat();
            readLeader();
        } catch (SQLException e) {
            lost("its database connection failed: " + JdbcStateStore.describe(e));
        } catch (RuntimeException | Error e) {
            // the rounds run on a scheduled executor, which ends them for good, silently, when one throws: an instance that
            // stepped down would never lead again, a leader never check its lock again. This round failed; the next one runs
            LOG.warn("Leader election round of {} failed unexpectedly: {}", instanceId, JdbcStateStore.describe(e));
            lost("its election round failed: " + e.getClass().getName());
        }
    }

    /**
     * Frees the leadership lock on its own connection, before that connection is closed: closing it
     * frees the lock too, but only once the database has ended the session, which it does after the
     * close has returned here, so a follower whose round came right after the leader stopped could
     * still find the lock taken and wait a whole interval more to be elected.
     */
    private void unlockLeadership() throws SQLException {
        try (Statement s = lock.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_advisory_unlock(" + LEADER_LOCK + ")")) {
            rs.next();
        }
    }

    /**
     * Whether this instance's session holds the leadership lock, as the database's {@code pg_locks}
     * says: the key of {@code pg_try_advisory_lock(bigint)} is shown split in two, its high 32 bits
     * as {@code classid} and its low 32 bits as {@code objid}, with {@code objsubid} 1. Before, the
     * leader checked its lock by {@code SELECT 1} on its connection: that tells the connection
     * answers, not that its session still holds the lock (one freed behind its back, or a session
     * that changed under it, as behind a transaction-mode pooler), and such a leader went on leading
     * while another instance could be elected.
     */
    private boolean holdsLeadership() throws SQLException {
        try (PreparedStatement p = lock.prepareStatement("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                + "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                + "AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1")) {
            p.setLong(1, LEADER_LOCK >>> 32);
            p.setLong(2, LEADER_LOCK & 0xFFFF_FFFFL);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void heartbeat() throws SQLException {
        long now = clock.millis();
        String role = epoch != 0 ? "leader" : "follower";
        // the interval with the heartbeat: others judge whether this instance is alive by how often it writes one
        try (PreparedStatement p = lock.prepareStatement("UPDATE cluster_instance SET address = ?, seen_ms = ?, role = ?, interval_ms = ? "
                + "WHERE id = ?")) {
            p.setString(1, address);
            p.setLong(2, now);
            p.setString(3, role);
            p.setLong(4, interval.toMillis());
            p.setString(5, instanceId);
            if (p.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement p = lock.prepareStatement("INSERT INTO cluster_instance (id, address, started_ms, seen_ms, role, interval_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, started_ms = EXCLUDED.started_ms, "
                + "seen_ms = EXCLUDED.seen_ms, role = EXCLUDED.role, interval_ms = EXCLUDED.interval_ms")) {
            p.setString(1, instanceId);
            p.setString(2, address);
            p.setLong(3, started.toEpochMilli());
            p.setLong(4, now);
            p.setString(5, role);
            p.setLong(6, interval.toMillis());
            p.executeUpdate();
        }
    }

    private void readLeader() throws SQLException {
        try (Statement s = lock.createStatement();
                ResultSet rs = s.executeQuery("SELECT instance_id, address, since_ms, epoch FROM cluster_leader WHERE id = 1")) {
            rs.next();
            String id = rs.getString(1);
            leader = id == null ? null : new Leader(id, rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getLong(4));
        }
    }

    /**
     * Gives up the leadership (a write found the epoch moved, or the connection failed): at once,
     * whatever a round under way does. Its connection, which holds the leadership lock, is closed
     * once the round is over, waited for up to {@link #STEP_DOWN_WAIT}; a round that takes longer
     * (stuck on a database that does not answer) has its connection aborted, which ends it and, with
     * the session, frees the lock. Before, the step-down, and the store's writer with it, waited for
     * such a round until it ended.
     */
    void stepDown(String why) {
        stepDown(why, STEP_DOWN_WAIT);
    }

    void stepDown(String why, Duration wait) {
        long was = epoch;
        epoch = 0;
        boolean idle;
        try {
            idle = rounds.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (idle) {
            try {
                lost(was, why);
            } finally {
                rounds.unlock();
            }
            return;
        }
        Connection hung = lock;
        LOG.warn("Instance {} is no longer the leader{}: {}; an election round has not ended within {} ms (its database does not "
                + "answer): {}", instanceId, was == 0 ? "" : " (epoch " + was + ")", why, wait.toMillis(),
                hung == null ? "it has no connection yet" : "its connection is aborted, which ends it and frees the leadership lock");
        if (hung != null) {
            try {
                hung.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Aborting the leadership connection of {}: {}", instanceId, JdbcStateStore.describe(e));
            }
        }
    }

    private void lost(String why) {
        lost(epoch, why);
    }

    private void lost(long was, String why) {
        if (was != 0) {
            LOG.warn("Instance {} is no longer the leader (epoch {}): {}", instanceId, was, why);
        } else if (!closed) {
            LOG.debug("Leader election round of {} failed: {}", instanceId, why);
        }
        epoch = 0;
        if (lock != null) {
            try {
                lock.close();
            } catch (SQLException e) {
                LOG.debug("Closing the leadership connection: {}", JdbcStateStore.describe(e));
            }
            lock = null;
        }
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public boolean isLeader() {
        return epoch != 0;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public Optional<Leader> leader() {
        return Optional.ofNullable(leader);
    }

    Instant started() {
        return started;
    }

    /**
     * Stops the election. A leader gives the leadership up first: it clears the record of the leader
     * where it still holds its epoch (so that no instance names it as the leader any more, and the
     * next election does not wait for it), then records this instance as stopped and closes the
     * leadership connection, which frees the lock. A round under way is waited for up to
     * {@link #CLOSE_WAIT}; one that takes longer (stuck on a database that does not answer) is
     * abandoned: the instance steps down, the round's connection is aborted (which ends the round
     * and, with the session, frees the lock), and a warning says so. The statements of the close
     * itself have what is left of that wait as their network timeout: a database that stops answering
     * then fails them, and the connection is closed.
     */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    void close(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        closed = true;
        timer.shutdownNow();
        boolean idle;
        try {
            idle = rounds.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            abandonRound(wait);
            return;
        }
        try {
            long was = epoch;
            // no write of this instance starts in its epoch from here on
            epoch = 0;
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (lock != null && leftMs > 0) {
                try {
                    // the round's timeout is three intervals: the close answers within its own wait
                    lock.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, leftMs));
                    if (was != 0) {
                        try (PreparedStatement p = lock.prepareStatement("UPDATE cluster_leader SET instance_id = NULL, address = NULL, "
                                + "since_ms = NULL WHERE id = 1 AND epoch = ?")) {
                            p.setLong(1, was);
                            if (p.executeUpdate() == 1) {
                                LOG.info("Instance {} gives the leadership up (epoch {}): it is stopping", instanceId, was);
                            }
                        }
                        unlockLeadership();
                    }
                } catch (SQLException e) {
                    if (was != 0) {
                        LOG.info("Instance {} stops without clearing the record of the leader (epoch {}), which names it until the "
                                + "next election: {}", instanceId, was, JdbcStateStore.describe(e));
                    } else {
                        LOG.debug("Stopping the leader election of {}: {}", instanceId, JdbcStateStore.describe(e));
                    }
                }
                try (PreparedStatement p = lock.prepareStatement("UPDATE cluster_instance SET role = 'stopped', seen_ms = ? WHERE id = ?")) {
                    p.setLong(1, clock.millis());
                    p.setString(2, instanceId);
                    p.executeUpdate();
                } catch (SQLException e) {
                    LOG.debug("Recording the stop of {}: {}", instanceId, JdbcStateStore.describe(e));
                }
            }
            leader = null;
            lost(0, "it is stopping");
        } finally {
            rounds.unlock();
        }
    }

    /** The close could not wait for the round under way: steps down and aborts the round's connection. */
    private void abandonRound(Duration waited) {
        long wasLeader = epoch;
        epoch = 0;
        Connection hung = lock;
        LOG.warn("Stopping the leader election of {}: an election round has not ended within {} ms (it has run {} ms; its database "
                + "does not answer); abandoning it: {}{}, and the instance is not recorded as stopped in cluster_instance (it shows as "
                + "gone once not seen)", instanceId, waited.toMillis(), (System.nanoTime() - roundStarted) / 1_000_000,
                hung == null ? "it has no connection yet, and ends once it gets one" : "its connection is aborted, which ends it",
                wasLeader == 0 ? "" : "; the instance steps down from epoch " + wasLeader
                        + " (the database frees the lock when it ends the aborted session)");
        if (hung != null) {
            try {
                hung.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Aborting the leadership connection of {}: {}", instanceId, JdbcStateStore.describe(e));
            }
        }
    }
}
