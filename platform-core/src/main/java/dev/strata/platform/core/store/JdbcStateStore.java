package dev.strata.platform.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.platform.api.cluster.ClusterInstance;
import dev.strata.platform.api.cluster.ClusterMode;
import dev.strata.platform.api.cluster.ClusterStatus;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.core.provenance.ProviderText;
import dev.strata.platform.audit.Checkpoint;
import dev.strata.platform.audit.Hashes;
import dev.strata.platform.audit.Jcs;
import dev.strata.platform.audit.Json;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.store.ProvenanceStore.Stored;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state store on JDBC: H2 embedded (a file under {@code data/}) or PostgreSQL. Reads go
 * through a HikariCP pool; writes through one {@link WritePipeline} (group commit). The embedded
 * store runs H2 with {@code WRITE_DELAY=0} (each commit is written to the file before it returns,
 * so a killed process loses nothing acknowledged) and, with durability {@code fsync}, forces the
 * file to disk once per group commit. On PostgreSQL the server's commit is durable.
 */
public final class JdbcStateStore implements StateStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcStateStore.class);

    private final StoreSettings settings;
    private final DataSource direct;
    private final HikariDataSource pool;
    private final boolean postgres;
    private final Clock clock;
    private final String logId;
    private final int schemaVersion;
    private final Leadership leadership;
    private final DatabaseLeadership election;
    private final WritePipeline writer;
    private final Instant opened;
    private volatile ProvenanceHead head;
    private long headEpoch = -1;
    private FileChannel h2Channel;
    /**
     * PostgreSQL: the connection, outside the pool, that holds this instance's mode lock for as long as the store is open;
     * null while the lock, lost with its connection, is not held again ({@link #checkModeIfDue}).
     */
    private volatile Connection modeConnection;
    /** Why writes are refused while the mode lock is not held, or the database is used in the other mode; null while it is held. */
    private volatile String modeRefusal;
    /**
     * Why writes are refused while the mode lock could not be taken again, or the database is used in the other mode: what
     * {@link #modeRefusal} says once a check has ended so (not while it takes the lock again); null otherwise. An elected
     * instance does not lead meanwhile, so that one that can write leads.
     */
    private volatile String modeBlocked;
    /** Set by the close before it closes the mode connection: a check under way then closes the connection it took. */
    private volatile boolean modeClosed;
    /** Set once the start held the mode lock: the writer, running before that, checks the lock only from then on. */
    private volatile boolean modeHeld;
    // the writer thread's alone: when the mode lock was last checked (System.nanoTime), and whether the last check could not
    // take it again or found the database used in the other mode (each logged once per episode)
    private long modeChecked;
    private boolean modeUntaken;
    private boolean modeMixed;
    private volatile H2Compaction compaction;
    private volatile H2HeaderGuard headerGuard;
    /** Whether a read found the embedded database closed under the pool, or opening it again failed: the writer opens it (again). */
    private volatile boolean embeddedClosed;
    /**
     * How long the writer waits, after it opened the embedded database again, before it opens it once
     * more should no write be stored meanwhile (a disk still full): doubled at each reopening, up to
     * {@link #REOPEN_MAX}.
     */
    static final Duration REOPEN_FIRST = Duration.ofSeconds(1);
    static final Duration REOPEN_MAX = Duration.ofSeconds(30);
    // written by the writer thread alone: the reopenings since H2 closed the embedded database and no write was stored since
    // (an episode), when the next may be made, and why the database was last closed or could not be opened (the last two
    // read by reads too, which wait as writes do)
    private int reopens;
    /** How often the writer opened the embedded database again, in all ({@link #embeddedReopens}). */
    private final java.util.concurrent.atomic.AtomicInteger reopenedInAll = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Instant reopenAt;
    private volatile String closedBy;

    private final LedgerStore ledgerView = new LedgerView();
    private final ContractStore contractView = new ContractView();
    private final TenantStore tenantView = new TenantView();
    private final DeploymentStore deploymentView = new DeploymentView();
    private final ProvenanceStore provenanceView = new ProvenanceView();
    private final JournalStore journalView = new JournalView();
    private final TelemetryCoverageStore telemetryCoverage = new JdbcTelemetryCoverage(this);

    private JdbcStateStore(StoreSettings settings, DataSource direct, HikariDataSource pool, Clock clock, Migrations.Result schema) {
        this.settings = settings;
        this.direct = direct;
        this.pool = pool;
        this.postgres = settings.kind() == StoreSettings.Kind.POSTGRESQL;
        this.clock = clock;
        this.logId = schema.logId();
        this.schemaVersion = schema.version();
        this.opened = clock.instant();
        this.leaderReads = leaderReads(settings.instanceId()); // no thread until the first refusal
        if (settings.highAvailability()) {
            election = new DatabaseLeadership(direct, settings.instanceId(), settings.advertisedAddress(), settings.electionInterval(), clock,
                    () -> modeBlocked);
            leadership = election;
        } else {
            election = null;
            leadership = new SoloLeadership(settings.instanceId(), settings.advertisedAddress(), opened, !postgres);
        }
        this.writer = new WritePipeline(new Host(), 512, "strata-store-writer", settings.writeQueueLimit(), settings.writeQueueWait());
    }

    /**
     * Opens the store: connects, applies the migrations, starts the pool, the writer and (on
     * PostgreSQL with high availability) the leader election.
     *
     * @param direct the driver's own, unpooled data source, already given URL, user and password
     * @throws StateStoreException naming the store and what failed (unreachable, refused
     *     credentials, a migration); nothing is left open
     */
    public static JdbcStateStore open(StoreSettings settings, DataSource direct, Clock clock) {
        String where = settings.location();
        Migrations.Result schema;
        try (Connection c = direct.getConnection()) {
            if (settings.kind() == StoreSettings.Kind.EMBEDDED) {
                H2RecoveryRepair.repair(c, where); // before anything closes the database: see there
            }
            schema = Migrations.migrate(c, settings.kind() == StoreSettings.Kind.POSTGRESQL, where);
        } catch (SQLException e) {
            throw new StateStoreException("cannot open the state store at " + where + " as user " + settings.user() + ": " + describe(e),
                    trace(e));
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(direct);
        config.setPoolName("strata-store");
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(settings.connectTimeout().toMillis());
        config.setAutoCommit(true);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StateStoreException("cannot open a connection pool to the state store at " + where + ": " + describe(e),
                    trace(e));
        }
        JdbcStateStore store = new JdbcStateStore(settings, direct, pool, clock, schema);
        try {
            store.start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        LOG.info("State store open: {} {} (schema version {}, provenance log {}, durability {}, instance {})", store.info().kind(), where,
                schema.version(), schema.logId(), store.info().durability(), settings.instanceId());
        return store;
    }

    private void start() {
        if (settings.kind() == StoreSettings.Kind.EMBEDDED && settings.fsync()) {
            try {
                h2Channel = FileChannel.open(settings.h2File(), StandardOpenOption.READ);
            } catch (IOException e) {
                throw new StateStoreException("cannot open " + settings.h2File() + " to force it to disk: " + e.getMessage(), e);
            }
            forceFolders(settings.h2File());
        }
        if (settings.kind() == StoreSettings.Kind.EMBEDDED) {
            headerGuard = H2HeaderGuard.attach(direct, settings.location());
        }
        if (settings.kind() == StoreSettings.Kind.EMBEDDED && settings.compactFillRate() > 0) {
            compaction = H2Compaction.attach(direct, settings.compactFillRate(), settings.location());
        }
        if (postgres) {
            holdMode();
        }
        if (election != null) {
            election.start(settings.electionStartWait());
        } else {
            try (Connection c = pool.getConnection()) {
                instanceRow(c, "leader");
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    // both deleted the row that was not there yet, then inserted it: only a second process with this id does that
                    throw new StateStoreException("cannot record this instance in the state store at " + settings.location()
                            + ": another Strata instance with instanceId '" + settings.instanceId() + "' recorded itself there at the same "
                            + "moment; every instance writing to one database needs an instanceId of its own (the instanceId property of "
                            + StoreSettings.PID + ", or the id generated into data/strata/instance-id at first start, which a copied data "
                            + "folder carries along): " + describe(e), trace(e));
                }
                throw new StateStoreException("cannot record this instance in the state store at " + settings.location() + ": " + describe(e),
                        trace(e));
            }
        }
    }

    /** The advisory lock key every instance electing a leader holds shared while it runs ('strata' + 4). */
    static final long ELECTED_MODE_LOCK = 0x5374726174610004L;
    /** The advisory lock key every instance with {@code highAvailability=false} holds shared while it runs ('strata' + 5). */
    static final long SHARED_WRITERS_MODE_LOCK = 0x5374726174610005L;

    /**
     * Holds this instance's mode (elected leader, or shared writers) on the database, and refuses
     * to start beside running instances of the other mode. The two modes keep writers apart by
     * different means (the elected leader's epoch fence, the shared writers' commit lock), and
     * neither takes the other's: an instance of one mode would write between the other's
     * writes, each chaining the provenance log from a head the other moves and each committing
     * ledger changes the other does not wait for. A lock held shared on a connection of its own
     * (a pool may recycle its connections) marks a running instance of each mode; PostgreSQL
     * frees it when the instance's session ends, so a stopped or dead instance does not count.
     * Each instance takes its own lock before it looks for the other, so of two started at once
     * at least one sees the other. Should the connection be lost while the store is open, the
     * writer takes the lock again ({@link #checkModeIfDue}).
     */
    private void holdMode() {
        boolean elected = settings.highAvailability();
        List<String> others;
        try {
            others = takeMode();
        } catch (SQLException e) {
            throw new StateStoreException("cannot record the mode of this instance (highAvailability = " + elected + ") in the state store at "
                    + settings.location() + ": " + describe(e), trace(e));
        }
        if (!others.isEmpty()) {
            throw new StateStoreException("instance " + settings.instanceId() + " cannot start with highAvailability = " + elected
                    + " on the state store at " + settings.location() + ": " + otherMode(others));
        }
        modeChecked = System.nanoTime();
        modeHeld = true;
    }

    /**
     * Takes this instance's mode lock on a new connection, which becomes {@link #modeConnection}, and
     * names the instances of the other mode running on the database (empty when none runs).
     */
    private List<String> takeMode() throws SQLException {
        boolean elected = settings.highAvailability();
        long mine = elected ? ELECTED_MODE_LOCK : SHARED_WRITERS_MODE_LOCK;
        long other = elected ? SHARED_WRITERS_MODE_LOCK : ELECTED_MODE_LOCK;
        List<String> others = new ArrayList<>();
        Connection c = direct.getConnection();
        try {
            try (Statement s = c.createStatement()) {
                // a machine cut off from the network must not keep its mode marked for hours (the kernel's keepalive)
                DatabaseLeadership.keepAliveBriefly(s);
                s.execute("SET application_name = 'strata " + settings.instanceId().replace("'", "") + " highAvailability=" + elected + "'");
                s.execute("SELECT pg_advisory_lock_shared(" + mine + ")");
            }
            try (PreparedStatement p = c.prepareStatement("SELECT l.pid, a.application_name FROM pg_locks l "
                    + "LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    + "AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 1 ORDER BY l.pid")) {
                p.setLong(1, other >>> 32);
                p.setLong(2, other & 0xFFFFFFFFL);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        others.add(instanceOf(rs.getString(2), rs.getLong(1)));
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeModeConnection(c);
            throw e;
        }
        modeConnection = c;
        if (modeClosed) {
            // the store closed while the lock was being taken: it does not outlive the store
            modeConnection = null;
            closeModeConnection(c);
        }
        return others;
    }

    /** The connection holding this instance's mode lock; null while it is not held (embedded, or lost and not taken again). */
    Connection modeConnection() {
        return modeConnection;
    }

    /** Tests: puts {@code wrap}'s connection in place of the one holding the mode lock (one whose check hangs), while no check runs. */
    void wrapModeConnection(java.util.function.UnaryOperator<Connection> wrap) {
        modeConnection = wrap.apply(modeConnection);
    }

    /** Why an instance of this mode may not run beside {@code others}, and what to set: the reason of a start's and of a write's refusal. */
    private String otherMode(List<String> others) {
        boolean elected = settings.highAvailability();
        return (others.size() == 1 ? "instance " : "instances ") + String.join(", ", others) + (others.size() == 1 ? " runs" : " run")
                + " on it with highAvailability = " + !elected
                + (elected ? " (every instance writes, without a leader)" : " (one leader elected through the database)")
                + ", and the two modes do not keep each other's writes apart; every instance on one database needs the same "
                + "highAvailability: set highAvailability = " + !elected + " in " + StoreSettings.PID + ", or stop "
                + (others.size() == 1 ? "that instance" : "those instances") + " and set it to " + elected + " on each";
    }

    /**
     * Checks, on the writer thread, that the connection holding this instance's mode lock is still
     * there, at most once per {@code electionInterval}: after each batch and while idle (the writer's
     * housekeeping), and before a batch takes the lock it writes under when a check is due (a writer
     * held up in a long batch checks before it writes again). The check never runs while that lock is
     * held, since its round trip (up to its timeout on a failing network) would hold every other
     * writer: where the wait for the lock outlasted the interval, the lock is let go for the check
     * and taken again. A connection that is lost (a network
     * failure, a server restart, a session ended by a DBA) took the lock with it, and this instance
     * was invisible to the starts of instances of the other mode, which were then let in. The lock
     * is taken again at once on a new connection; should an instance of the other mode run on the
     * database by then, writes are refused naming it and what to set, one error is logged, and the
     * lock is given up and tried again at each check, so that writes go on once no instance of the
     * other mode runs. Writes are refused too while the lock cannot be taken again (the database
     * does not answer). A check costs one round trip on the idle mode connection per interval; one
     * before every batch would cost one per batch. Loss is thus noticed within one interval of the last check's end (and a
     * batch, and a second wait for the lock after a long first one), and at most what this instance
     * wrote in that time falls among another mode's writes.
     */
    private void checkModeIfDue() {
        if (modeCheckDue()) {
            try {
                checkMode();
            } finally {
                // the interval counts from the check's end: counted from its start, a check slower than the interval (a
                // round trip on a slow network) made the next due at once, and a batch after it checked, and took its lock, twice
                modeChecked = System.nanoTime();
            }
        }
    }

    /** Whether a check of the mode lock is due (the writer thread's). */
    private boolean modeCheckDue() {
        return modeHeld && System.nanoTime() - modeChecked >= settings.electionInterval().toNanos();
    }

    /** One check of the mode lock ({@link #checkModeIfDue}): taken again where its connection was lost, or where it is not held. */
    private void checkMode() {
        if (modeClosed) {
            return;
        }
        boolean elected = settings.highAvailability();
        Connection held = modeConnection;
        if (held != null) {
            boolean valid;
            try {
                valid = held.isValid((int) Math.max(2, Math.min(settings.socketTimeout().toSeconds(), settings.electionInterval().toSeconds() * 3)));
            } catch (SQLException | RuntimeException e) {
                valid = false;
            }
            if (valid || modeClosed) {
                // a close under way closed the connection (before it, modeClosed was set): no loss, and nothing taken again
                return;
            }
            modeConnection = null;
            modeRefusal = "instance " + settings.instanceId() + " refuses writes on the state store at " + settings.location()
                    + ": the connection holding its mode (highAvailability = " + elected + ") was lost, and the lock that marks the mode "
                    + "is being taken again";
            closeModeConnection(held);
            LOG.warn("The connection holding the mode of instance {} (highAvailability = {}) on the state store at {} was lost (a network "
                    + "failure, a server restart or a session ended on the server), and the lock that marks the mode with it; taking it "
                    + "again on a new connection", settings.instanceId(), elected, settings.location());
        }
        List<String> others;
        try {
            others = takeMode();
        } catch (SQLException | RuntimeException e) {
            modeRefusal = "instance " + settings.instanceId() + " refuses writes on the state store at " + settings.location()
                    + ": the connection holding its mode (highAvailability = " + elected + ") was lost, and taking the lock that marks "
                    + "the mode again failed (" + describe(e) + "); it is tried again every " + settings.electionInterval().toMillis()
                    + " ms, and writes go on once it is held";
            modeBlocked = modeRefusal;
            if (!modeUntaken) {
                LOG.warn("{}", modeRefusal);
                modeUntaken = true;
            } else {
                LOG.debug("Taking the mode lock of instance {} again failed: {}", settings.instanceId(), describe(e));
            }
            return;
        }
        modeUntaken = false;
        if (modeClosed) {
            return;
        }
        if (others.isEmpty()) {
            if (modeRefusal != null) {
                LOG.info("Instance {} holds its mode (highAvailability = {}) on the state store at {} again{}; writes go on", settings.instanceId(),
                        elected, settings.location(), modeMixed ? ", no instance of the other mode running there any more" : "");
            }
            modeRefusal = null;
            modeBlocked = null;
            modeMixed = false;
            return;
        }
        // the database is used in the other mode now: this instance does not write beside it, nor keeps instances of that mode out
        Connection taken = modeConnection;
        modeConnection = null;
        closeModeConnection(taken);
        modeRefusal = "instance " + settings.instanceId() + " refuses writes with highAvailability = " + elected + " on the state store at "
                + settings.location() + ": the connection holding its mode was lost, and meanwhile " + otherMode(others)
                + "; writes are refused until no instance runs on it with highAvailability = " + !elected + ", and go on by themselves then"
                + (elected ? " (meanwhile this instance does not lead: a leader gives the leadership up)" : "");
        modeBlocked = modeRefusal;
        if (!modeMixed) {
            LOG.error("{}", modeRefusal);
            modeMixed = true;
        } else {
            LOG.debug("Instance {} still finds the state store at {} used with highAvailability = {}: {}", settings.instanceId(),
                    settings.location(), !elected, String.join(", ", others));
        }
    }

    private static void closeModeConnection(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close(); // frees the mode lock
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Closing the state store's mode connection: {}", describe(e));
        }
    }

    /**
     * The instance a mode lock's session belongs to, from its application name ({@code strata <instanceId> highAvailability=<mode>});
     * its server process where that is not shown. PostgreSQL cuts an application name at 63 characters, and an instance id
     * may have 128 (one generated from a long host name has 50 or more): the id ends at the first space after
     * {@code strata } (an id has none), and one cut off is named by its start.
     */
    private static String instanceOf(String applicationName, long pid) {
        if (applicationName != null && applicationName.startsWith("strata ") && applicationName.length() > "strata ".length()) {
            String rest = applicationName.substring("strata ".length());
            int end = rest.indexOf(' ');
            if (end > 0) {
                return rest.substring(0, end);
            }
            if (end < 0 && applicationName.length() >= APPLICATION_NAME_LIMIT) {
                return rest + "... (an id longer than PostgreSQL shows, cut at " + rest.length() + " characters)";
            }
        }
        return "(an instance whose session, server process " + pid + ", this database user cannot see)";
    }

    /** How many characters of an application name PostgreSQL keeps (NAMEDATALEN - 1). */
    private static final int APPLICATION_NAME_LIMIT = 63;

    /**
     * Forces the embedded file's folder, and the folder holding it, to disk, before the first write
     * is acknowledged. H2 forces the file's content, and the writer the file, but nothing forced the
     * directory entries that name the file (and {@code data/strata} itself, and the
     * {@code instance-id} beside the file): after a power cut or a kernel crash soon after the first
     * start (a killed process loses nothing: the kernel keeps the entries) the file could be gone,
     * and every write acknowledged in it with the file. On every open, since a start cut short
     * before this may have left them unforced; a folder with nothing new costs next to nothing.
     * (No file lock is taken on a folder, so closing the channel releases none.)
     */
    private void forceFolders(java.nio.file.Path file) {
        java.nio.file.Path dir = file.toAbsolutePath().getParent();
        for (int i = 0; i < 2 && dir != null; i++, dir = dir.getParent()) {
            try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
                folder.force(true);
            } catch (IOException | RuntimeException e) {
                // a platform that cannot open a folder as a channel (Windows) or a folder that cannot be read
                LOG.warn("Cannot force the folder {} of the embedded state store to disk ({}): a power cut soon after the store file was "
                        + "first made may lose the file", dir, shown(e.toString()));
            }
        }
    }

    private void instanceRow(Connection c, String role) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM cluster_instance WHERE id = ?")) {
            p.setString(1, settings.instanceId());
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO cluster_instance (id, address, started_ms, seen_ms, role, interval_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setString(1, settings.instanceId());
            p.setString(2, settings.advertisedAddress());
            p.setLong(3, opened.toEpochMilli());
            p.setLong(4, clock.millis());
            p.setString(5, role);
            p.setLong(6, settings.electionInterval().toMillis());
            p.executeUpdate();
        }
    }

    /**
     * A one-line description of a database failure: the driver's message and SQL state, never a
     * credential, cleaned as a provider's text is ({@link ProviderText#clean}): a driver quotes what
     * it was given (a URL with its user and password, a value a statement was refused for) with its
     * control and bidirectional characters, which replacing only the line breaks let into the log
     * and the messages that carry this text. Each such character (a line break, an ESC, a format or
     * direction character) is shown as its escape ({@link InvalidConfigurationException#printable}),
     * so that what the value held can still be read; before, the line breaks became spaces, the
     * other controls too, and a format character such as a zero-width space or U+061C went out as it was.
     * The secrets the cleaning knows are masked before the escaping, as {@link #shown} masks them: a
     * password holding such a character, escaped first, was no longer found and showed.
     */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Throwable t = e;
        while (t != null && sb.length() < 400) {
            String m = t.getMessage() == null ? null : maskedPrintable(t.getMessage().strip());
            if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(m);
                if (t instanceof SQLException s && s.getSQLState() != null) {
                    sb.append(" (SQL state ").append(s.getSQLState()).append(')');
                }
            }
            t = t.getCause();
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : ProviderText.clean(sb.toString());
    }

    /**
     * A driver's or a server's text as the store shows it: each secret the cleaning knows (the
     * store's password, a URL's user part, see {@link DataSources#knowCredentials}) masked first
     * ({@link ProviderText#maskKnown}), then each character a terminal or a log does not show as
     * itself escaped ({@link InvalidConfigurationException#printable}), then cleaned as a
     * provider's text is ({@link ProviderText#clean}). Escaped first, a password holding such a
     * character (a zero-width space) would no longer be found, and would show.
     */
    static String shown(String text) {
        return text == null ? null : ProviderText.clean(maskedPrintable(text));
    }

    /**
     * The first two steps of {@link #shown} and {@link #describe}: the secrets the cleaning knows
     * masked ({@link ProviderText#maskKnown}), then the text escaped printable
     * ({@link InvalidConfigurationException#printable}), in that order.
     */
    private static String maskedPrintable(String text) {
        return InvalidConfigurationException.printable(ProviderText.maskKnown(text));
    }

    /**
     * What the store chains in place of a driver's exception: one whose message is the original's
     * class name and its message as {@link #shown} shows it, with the original's stack trace, and
     * its causes made the same way ({@link ProviderText#trace(Throwable, java.util.function.UnaryOperator)}).
     * Before, they were cleaned as a provider's text is ({@link ProviderText#trace(Throwable)}), which
     * makes a control character a space and leaves a format character (a zero-width space, U+061C)
     * as it is, so the stack trace a log line prints showed less, or other, than the store's own
     * message ({@link #describe}) of the same failure.
     *
     * @param e what the driver threw
     */
    static Throwable trace(Throwable e) {
        return ProviderText.trace(e, JdbcStateStore::shown);
    }

    @Override
    public StoreInfo info() {
        String durability = postgres ? "server" : settings.fsync() ? "fsync" : "write";
        return new StoreInfo(postgres ? "postgresql" : "embedded", settings.location(), settings.user(), schemaVersion, logId, durability);
    }

    @Override
    public LedgerStore ledger() {
        return ledgerView;
    }

    @Override
    public ContractStore contracts() {
        return contractView;
    }

    @Override
    public TenantStore tenants() {
        return tenantView;
    }

    @Override
    public DeploymentStore deployments() {
        return deploymentView;
    }

    @Override
    public ProvenanceStore provenance() {
        return provenanceView;
    }

    @Override
    public JournalStore journal() {
        return journalView;
    }

    @Override
    public TelemetryCoverageStore telemetryCoverage() {
        return telemetryCoverage;
    }

    @Override
    public Leadership leadership() {
        return leadership;
    }

    /** Group commits so far and the writes in them. */
    public long[] writeCounts() {
        return writer.counts();
    }

    /** The cluster as the database records it. */
    public ClusterStatus clusterStatus() {
        return read(c -> {
            String leaderId = null;
            String leaderAddress = null;
            Instant since = null;
            long epoch = 0;
            if (settings.highAvailability()) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT instance_id, address, since_ms, epoch FROM cluster_leader WHERE id = 1")) {
                    if (rs.next() && rs.getString(1) != null) {
                        leaderId = rs.getString(1);
                        leaderAddress = rs.getString(2);
                        since = Instant.ofEpochMilli(rs.getLong(3));
                        epoch = rs.getLong(4);
                    }
                }
            } else {
                leaderId = settings.instanceId();
                leaderAddress = settings.advertisedAddress();
                since = opened;
            }
            long now = clock.millis();
            List<ClusterInstance> instances = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, address, started_ms, seen_ms, role, interval_ms "
                    + "FROM cluster_instance ORDER BY started_ms, id")) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    String role = rs.getString(5);
                    boolean self = id.equals(settings.instanceId());
                    // within five of its own heartbeats (at least 5 s): judged by this instance's interval, an instance whose
                    // interval is longer showed as gone between its heartbeats; a row of an earlier version has no interval
                    long interval = rs.getLong(6);
                    if (rs.wasNull()) {
                        interval = settings.electionInterval().toMillis();
                    }
                    long aliveWithin = Math.max(5000, interval * 5);
                    boolean alive = self || (!role.equals("stopped") && now - rs.getLong(4) <= aliveWithin);
                    if (!settings.highAvailability() && !self) {
                        continue; // without an election only this instance's row means anything
                    }
                    if (self) {
                        role = leadership.isLeader() ? "leader" : "follower";
                    } else if (!alive) {
                        role = role.equals("stopped") ? "stopped" : "gone";
                    } else {
                        role = id.equals(leaderId) ? "leader" : "follower";
                    }
                    instances.add(new ClusterInstance(id, rs.getString(2), role, Instant.ofEpochMilli(rs.getLong(3)),
                            Instant.ofEpochMilli(rs.getLong(4)), alive));
                }
            }
            return new ClusterStatus((postgres ? "postgresql " + settings.location() : "embedded (H2) " + settings.location() + embeddedFile())
                    + ", installation " + logId,
                    settings.highAvailability(),
                    settings.instanceId(), leaderId, leaderAddress, since, epoch, instances, modeRefusal,
                    !postgres ? ClusterMode.EMBEDDED : settings.highAvailability() ? ClusterMode.ELECTED_LEADER : ClusterMode.SHARED_WRITERS);
        });
    }

    @Override
    public void close() {
        writer.close();
        if (election != null) {
            election.close();
        }
        H2Compaction c = compaction;
        compaction = null;
        if (c != null) {
            c.close();
        }
        if (headerGuard != null) {
            headerGuard.close();
        }
        leaderReads.shutdownNow();
        pool.close();
        modeClosed = true;
        Connection mode = modeConnection;
        modeConnection = null;
        closeModeConnection(mode);
        if (h2Channel != null) {
            closeFsyncChannel(h2Channel);
        }
        LOG.info("State store closed: {}", settings.location());
    }

    /** Channels {@link #closeFsyncChannel} kept open, so that nothing closes them while H2 holds their file. */
    private static final List<FileChannel> KEPT_OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Closes the channel the embedded file is forced to disk through, unless H2 still holds the file
     * in this JVM. Java's file locks are the process's POSIX locks on Linux: closing any channel on a
     * file releases every lock the process holds on it. So closing this one while the database was
     * still open here (a connection to it that outlived the store) released H2's lock, and another
     * process could open and write the same file under a database still open in this JVM. Such a
     * channel is kept open, and the close says so.
     */
    private void closeFsyncChannel(FileChannel channel) {
        boolean heldHere = false;
        try {
            java.nio.channels.FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe != null) {
                probe.release();
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            heldHere = true; // H2's lock, taken in this JVM
        } catch (IOException e) {
            LOG.debug("Could not tell whether H2 still holds {}: {}", settings.h2File(), describe(e));
        }
        if (heldHere) {
            KEPT_OPEN.add(channel);
            LOG.warn("The embedded state store {} is closed, but its database is still open in this JVM (a connection outlived the "
                    + "store): the file stays locked, and a descriptor on it stays open until the JVM ends", settings.location());
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", settings.h2File(), describe(e));
        }
    }

    // ---- plumbing ----

    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    <T> T read(SqlFunction<T> f) {
        return read(f, true);
    }

    /**
     * @param runAgain whether a read that found the embedded database closed runs once more; not for
     *     a read that hands what it reads to a caller's consumer as it goes (a scan), which would
     *     hand the consumer the same rows twice
     */
    private <T> T read(SqlFunction<T> f, boolean runAgain) {
        if (!postgres && embeddedClosed()) {
            // before the pool, whose new connection would open the closed database itself: during the writer's wait, at once
            refuseReadBeforeReopen(null);
        }
        try {
            return readOnce(f);
        } catch (SQLException e) {
            if (!postgres && closedByH2(e)) {
                // H2 closed the embedded database (see reopenEmbedded): the pool's connections to it are dead, and are
                // dropped; the next connection opens the database again, and the writer reattaches to it before its next commit
                embeddedClosed = true;
                pool.getHikariPoolMXBean().softEvictConnections();
                refuseReadBeforeReopen(e);
            }
            if (runAgain && !postgres && closedByH2(e)) {
                try {
                    return readOnce(f);
                } catch (SQLException again) {
                    again.addSuppressed(e);
                    throw new StateStoreException("the state store at " + settings.location() + " failed to read: " + describe(again),
                            trace(again));
                }
            }
            throw new StateStoreException("the state store at " + settings.location() + " failed to read: " + describe(e), trace(e));
        }
    }

    private <T> T readOnce(SqlFunction<T> f) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return f.apply(c);
        }
    }

    /** Whether a read found the embedded database closed, or the store the header guard is attached to is closed. */
    private boolean embeddedClosed() {
        H2HeaderGuard guard = headerGuard;
        return embeddedClosed || guard != null && guard.storeClosed();
    }

    /** H2's error codes for a database closed under a connection: 90121 (closed at shutdown, or after a fatal error) and 90098. */
    private static boolean closedByH2(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getErrorCode() == 90121 || s.getErrorCode() == 90098)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens the embedded database again after H2 closed it under the store, on the writer thread
     * before a batch. H2 closes its database when it cannot write a commit (a full disk, an I/O
     * error); every connection to it then answers "Database is already closed". Without this, the
     * pool kept handing out those connections (it checks one only when it was idle for half a
     * second), so that every write failed until Strata restarted, though the operator had freed
     * the space. Opening the database again is what a start does after a crash: H2 recovers the
     * file to its last commit (a commit it could not write was never acknowledged), the recovery's
     * leftovers are repaired before anything can close the database again, and the header guard
     * and online compaction, which held the closed database's store, attach to the new one.
     */
    private void reopenEmbedded() throws SQLException {
        embeddedClosed = false;
        reopens++;
        reopenedInAll.incrementAndGet();
        Duration wait = reopenWait(reopens);
        reopenAt = clock.instant().plus(wait);
        if (reopens == 1) {
            LOG.warn("The embedded state store {} was closed by H2 (it closes its database when it cannot write a commit, on a full disk "
                    + "for one){}; opening it again from its file. Until a write is stored again it is opened at most once per wait ({} "
                    + "doubling up to {}), and the writes in between fail at once", settings.location(), closedBy == null ? "" : ": " + closedBy,
                    REOPEN_FIRST.toSeconds() + " s", REOPEN_MAX.toSeconds() + " s");
        } else {
            LOG.debug("The embedded state store {} is closed still ({}); opening it again (try {}, the next in {} s at the earliest)",
                    settings.location(), closedBy, reopens, wait.toSeconds());
        }
        Connection c;
        try {
            c = direct.getConnection();
        } catch (SQLException e) {
            embeddedClosed = true;
            closedBy = "opening it again failed: " + describe(e);
            throw new SQLException("H2 closed the embedded database (as it does when it cannot write a commit, on a full disk for one), and "
                    + closedBy + "; it is opened again by the first write from " + reopenAt + " on (in " + wait.toSeconds() + " s)",
                    e.getSQLState(), e.getErrorCode(), e);
        }
        try {
            H2RecoveryRepair.repair(c, settings.location());
            H2HeaderGuard oldGuard = headerGuard;
            headerGuard = null;
            if (oldGuard != null) {
                oldGuard.close();
            }
            headerGuard = H2HeaderGuard.attach(direct, settings.location());
            H2Compaction oldCompaction = compaction;
            compaction = null;
            if (oldCompaction != null) {
                oldCompaction.close();
            }
            if (settings.compactFillRate() > 0) {
                // on again where the failure that closed the database turned it off (its step failed too)
                compaction = H2Compaction.attach(direct, settings.compactFillRate(), settings.location());
            }
            // connections to the closed database still in the pool are closed, those in use when they come back
            pool.getHikariPoolMXBean().softEvictConnections();
        } finally {
            c.close(); // the header guard's connection (or the pool's) keeps the database open
        }
        LOG.debug("The embedded state store {} is open again", settings.location());
    }

    /**
     * How often the writer has opened the embedded database again after H2 closed it, since the store opened: what the
     * wait between reopenings bounds. (The connection pool, which keeps one connection, may open it once more on its own
     * after the writer dropped a dead connection; that is not counted here.)
     */
    int embeddedReopens() {
        return reopenedInAll.get();
    }

    /** The wait after an episode's {@code n}th reopening: {@link #REOPEN_FIRST} doubled {@code n - 1} times, at most {@link #REOPEN_MAX}. */
    static Duration reopenWait(int n) {
        Duration wait = REOPEN_FIRST.multipliedBy(1L << Math.min(n - 1, 20));
        return wait.compareTo(REOPEN_MAX) > 0 ? REOPEN_MAX : wait;
    }

    /**
     * Fails a write at once while the embedded database, found closed, was opened again less than its
     * wait ago and no write was stored since: on a disk that stays full, each write opened the whole
     * database again (H2's recovery of the file included) and failed once more.
     */
    private void refuseBeforeReopen() throws SQLException {
        String wait = waitBeforeReopen("every write fails at once and nothing is stored");
        if (wait != null) {
            throw new ReopenWait(wait);
        }
    }

    /**
     * Fails a read at once while the embedded database, found closed, waits to be opened again by
     * the writer ({@link #refuseBeforeReopen}): before, each such read took a new connection from
     * the pool, which opened the whole database again (H2's recovery of the file included) on a disk
     * that stays full, as each write did before writes waited.
     *
     * @param cause what the read failed with, when it found the database closed; null before it tried
     */
    private void refuseReadBeforeReopen(SQLException cause) {
        String wait = waitBeforeReopen("every read and write fails at once");
        if (wait != null) {
            throw new StateStoreException("the state store at " + settings.location() + " failed to read: " + wait, cause);
        }
    }

    /** Why a read or write is refused while the embedded database waits to be opened again; null when it is due. */
    private String waitBeforeReopen(String meanwhile) {
        Instant at = reopenAt;
        Instant now = clock.instant();
        if (at == null || !now.isBefore(at) || now.isBefore(at.minus(REOPEN_MAX))) {
            // due; or the clock was set back since (by more than the longest wait), which no write is to wait out
            return null;
        }
        String why = closedBy;
        return "the embedded database is closed: H2 closed it after a write it could not store" + (why == null ? "" : " (" + why + ")")
                + ", and it is opened again from its file by the first write from " + at + " on (in "
                + (Duration.between(now, at).toMillis() + 999) / 1000 + " s); until then " + meanwhile + ". Free space where the store "
                + "lives (" + settings.h2File().getParent() + ") if the disk is full";
    }

    /** A write refused while the embedded database waits to be opened again ({@link #refuseBeforeReopen}); it is no cause of its own. */
    private static final class ReopenWait extends SQLException {
        private static final long serialVersionUID = 1L;

        ReopenWait(String message) {
            super(message);
        }
    }

    interface SqlSupplier<T> {
        T get() throws SQLException;
    }

    /**
     * Runs a streaming read in a transaction of its own (PostgreSQL streams with a cursor only
     * inside one) and commits it. When the read fails (the caller's consumer threw, or the
     * database), the transaction is rolled back and that failure is what the caller gets, with a
     * failure of the rollback added to it as suppressed; a commit in a {@code finally} put the
     * commit's own failure in its place.
     */
    static <T> T streamed(Connection c, SqlSupplier<T> body) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        T result;
        try {
            result = body.get();
        } catch (SQLException | RuntimeException | Error e) {
            try {
                c.rollback();
                c.setAutoCommit(auto);
            } catch (SQLException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        c.commit();
        c.setAutoCommit(auto);
        return result;
    }

    @Override
    public void requireLeader() {
        if (!leadership.isLeader()) {
            throw notLeader();
        }
    }

    NotLeaderException notLeader() {
        Optional<Leadership.Leader> other = recordedLeader().filter(l -> !l.instanceId().equals(settings.instanceId()));
        String blocked = modeBlocked;
        if (blocked != null) {
            // it does not lead because it cannot write: the reason, not an election under way
            return new WritesRefusedException(blocked + other.map(l -> "; the leader is " + l.instanceId() + " at " + l.address() + " (leading since "
                    + l.since() + ")").orElse(""), other.map(Leadership.Leader::instanceId).orElse(null),
                    other.map(Leadership.Leader::address).orElse(null));
        }
        return notLeader(other);
    }

    /**
     * How long a refusal waits for the record of the leader read from the database before it names
     * the leader this instance's last election round read.
     */
    static final Duration LEADER_READ_WAIT = Duration.ofMillis(500);

    /** The record of the leader being read for refusals, or null: refusals at the same moment share one read. */
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Optional<Leadership.Leader>>> leaderRead =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Runs the reads of the leader's record for refusals: one thread, started at the first refusal and kept, where a thread
     * of its own per read made every refusal start one. One read is in flight at a time (refusals meanwhile wait for it,
     * each at most {@link #LEADER_READ_WAIT}), so a read stuck on a database that does not answer leaves none queued behind
     * it; the queue holds at most the next read while the last one's thread is still ending it.
     */
    private final java.util.concurrent.ThreadPoolExecutor leaderReads;

    private static java.util.concurrent.ThreadPoolExecutor leaderReads(String instanceId) {
        return new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(1), r -> {
                    Thread t = new Thread(r, "strata-leader-read-" + instanceId);
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * The leader a refusal names: as the database records it now, read within {@link #LEADER_READ_WAIT}, else as the last
     * election round read it. A leader that stopped cleared the record as it stopped, and the last round, up to one
     * {@code electionInterval} old, may still name it: a caller sent there would find it gone.
     */
    private Optional<Leadership.Leader> recordedLeader() {
        if (election == null) {
            return leadership.leader();
        }
        CompletableFuture<Optional<Leadership.Leader>> reading = leaderRead.get();
        if (reading == null) {
            CompletableFuture<Optional<Leadership.Leader>> mine = new CompletableFuture<>();
            if (leaderRead.compareAndSet(null, mine)) {
                // on the store's leader-read thread: a database that does not answer holds it up to the socket timeout, and the
                // refusal not
                try {
                    leaderReads.execute(() -> {
                        try {
                            mine.complete(read(JdbcStateStore::leaderRecord));
                        } catch (RuntimeException e) {
                            mine.completeExceptionally(e);
                        } finally {
                            leaderRead.compareAndSet(mine, null);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the store is closed: no read, the last round's record
                    leaderRead.compareAndSet(mine, null);
                    mine.completeExceptionally(e);
                }
                reading = mine;
            } else {
                reading = leaderRead.get();
            }
        }
        if (reading == null) {
            return leadership.leader();
        }
        try {
            return reading.get(LEADER_READ_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("Reading the leader for a refusal of {}: {}", settings.instanceId(), describe(e.getCause() == null ? e : e.getCause()));
        }
        return leadership.leader();
    }

    /** The record of the leader: empty while none leads (none elected yet, or the leader gave the leadership up). */
    static Optional<Leadership.Leader> leaderRecord(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT instance_id, address, since_ms, epoch FROM cluster_leader WHERE id = 1")) {
            if (!rs.next() || rs.getString(1) == null) {
                return Optional.empty();
            }
            return Optional.of(new Leadership.Leader(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getLong(4)));
        }
    }

    NotLeaderException notLeader(Optional<Leadership.Leader> leader) {
        if (leader.isEmpty()) {
            return new NotLeaderException("instance " + settings.instanceId() + " is not the leader and no leader is known yet "
                    + "(an election is under way); try again in a few seconds", null, null);
        }
        Leadership.Leader l = leader.get();
        return new NotLeaderException("instance " + settings.instanceId() + " is a follower and refuses writes; the leader is "
                + l.instanceId() + " at " + l.address() + " (leading since " + l.since() + ")", l.instanceId(), l.address());
    }

    /** The advisory lock key that orders write transactions when every instance writes ('strata' + 3). */
    static final long SHARED_WRITERS_LOCK = 0x5374726174610003L;

    private final class Host implements WritePipeline.Host {
        @Override
        public Connection connection() throws SQLException {
            if (!postgres && embeddedClosed()) {
                // before the pool, whose new connection would open the closed database itself
                refuseBeforeReopen();
            }
            Connection c = pool.getConnection();
            if (postgres || !embeddedClosed() && c.isValid(0)) {
                return c;
            }
            // H2 closed the embedded database under the pool (a read saw it, the header guard's store is closed, or this
            // connection is dead: a connection whose database closed after a failed write may still pass isValid)
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("Closing a connection to the closed embedded database: {}", describe(e));
            }
            refuseBeforeReopen();
            reopenEmbedded();
            return pool.getConnection();
        }

        @Override
        public void fence(Connection c) throws SQLException {
            if (!postgres) {
                return; // embedded: H2's file lock keeps other processes out, and there is no election (highAvailability is false)
            }
            // the mode lock's check, where due, runs before the lock that orders the shared writers' transactions (or the leader
            // row's) is taken: its round trip, up to its timeout on a failing network, would hold every other writer meanwhile
            requireMode();
            lockForWrites(c);
            if (modeCheckDue()) {
                // the wait for that lock outlasted the check interval: it is let go for the check (nothing is written yet in this
                // transaction), and taken again, once, so that a writer whose every wait is that long still writes
                c.rollback();
                requireMode();
                lockForWrites(c);
            }
        }

        /** Takes the lock a batch writes under: the shared writers' commit lock, or the leader row's (the epoch fence). */
        private void lockForWrites(Connection c) throws SQLException {
            if (!settings.highAvailability()) {
                // every instance writes: one write transaction at a time across them (held to its commit), so that each
                // reads the provenance log's head after the last one committed and appends after it
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_advisory_xact_lock(" + SHARED_WRITERS_LOCK
                        + ")")) {
                    rs.next();
                }
                return;
            }
            long mine = leadership.epoch();
            if (mine == 0) {
                throw notLeader();
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT epoch, instance_id, address, since_ms FROM cluster_leader WHERE id = 1 FOR SHARE")) {
                rs.next();
                long current = rs.getLong(1);
                String id = rs.getString(2);
                if (current != mine) {
                    Optional<Leadership.Leader> now = id == null ? Optional.empty()
                            : Optional.of(new Leadership.Leader(id, rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), current));
                    election.stepDown("the database holds epoch " + current + ": " + (id == null ? "an instance was elected since and "
                            + "gave the leadership up" : id + " was elected since"));
                    throw notLeader(now);
                }
                if (id == null) {
                    // the leader of this epoch gave the leadership up (it stopped, or it cannot write): a write of its epoch that
                    // comes after (a batch its writer was stuck in when it stopped) is refused as one of a later epoch would be
                    election.stepDown("the leadership of epoch " + current + " was given up");
                    throw notLeader(Optional.empty());
                }
            }
        }

        /** Before a batch takes its lock: the mode lock checked where due, and the batch refused while it is not held. */
        private void requireMode() {
            checkModeIfDue();
            String refused = modeRefusal;
            if (refused != null) {
                throw new StateStoreException(refused);
            }
        }

        @Override
        public Tx begin(Connection c) throws SQLException {
            // Every batch chains from the head as stored, read in its own transaction (one step down
            // the primary key): the log stays one linked chain whatever this instance remembers, and
            // a concurrent append (which the leader's fence and H2's file lock exclude) meets the
            // primary key on seq.
            ProvenanceHead stored = readHead(c);
            if (head != null && headEpoch == leadership.epoch() && !head.equals(stored) && leadership.exclusive()) {
                LOG.warn("The provenance log at {} ends at record {} ({}), not at record {} ({}) that this instance appended last: "
                        + "something else wrote to it; appending after the stored head", settings.location(), stored.seq(),
                        abbreviate(stored.hash()), head.seq(), abbreviate(head.hash()));
            }
            head = stored;
            headEpoch = leadership.epoch();
            return new Tx(c, head, clock);
        }

        @Override
        public void committed(Tx tx) {
            head = tx.head();
            closedBy = null;
            if (reopens > 0) {
                LOG.info("The embedded state store {} stores writes again (its database was opened again {} {} since H2 closed it)",
                        settings.location(), reopens, reopens == 1 ? "time" : "times");
                reopens = 0;
                reopenAt = null;
            }
        }

        @Override
        public void failed(Exception e) {
            if (!postgres && !(e instanceof ReopenWait)) {
                closedBy = describe(e);
            }
        }

        @Override
        public void rolledBack() {
            head = null;
        }

        @Override
        public void sync() throws IOException {
            if (headerGuard != null) {
                headerGuard.ensure();
            }
            if (h2Channel != null) {
                h2Channel.force(false);
            }
        }

        @Override
        public String where() {
            return settings.location();
        }

        @Override
        public void housekeeping(boolean idle) {
            if (postgres) {
                checkModeIfDue();
            }
            H2Compaction c = compaction;
            if (c == null) {
                return;
            }
            try {
                c.housekeeping(idle, System.nanoTime(), this::sync);
            } catch (ReflectiveOperationException | SQLException | IOException | RuntimeException e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
                if (reopens > 0) {
                    // its database was opened again and no write was stored since (a disk full still): the warning that it
                    // was closed says it all for the episode
                    LOG.debug("Online compaction of the state store file {} failed again while no write can be stored: {}",
                            settings.location(), shown(cause.toString()));
                } else {
                    LOG.warn("Online compaction of the state store file {} failed and is off until Strata restarts (or until the store "
                            + "opens its database again after H2 closed it): {}", settings.location(), shown(cause.toString()));
                }
                compaction = null;
                c.close();
            }
        }
    }

    /** The embedded store's header guard (null on PostgreSQL, or where H2 does not offer what it needs). */
    H2HeaderGuard headerGuard() {
        return headerGuard;
    }

    /**
     * The embedded file's size, how much of it is live data, and whether the store header is kept on
     * the newest commit, as {@code strata:cluster} shows them.
     */
    private String embeddedFile() {
        String size;
        try {
            size = String.format(java.util.Locale.ROOT, "%,.1f MB", java.nio.file.Files.size(settings.h2File()) / 1e6);
        } catch (IOException e) {
            size = "size unknown (" + e.getMessage() + ")";
        }
        H2HeaderGuard guard = headerGuard;
        return ", " + size + compaction().map(c -> ", " + c.fillRate() + " % of its chunks live (compacted online below " + c.targetFillRate() + " %)")
                .orElse(", online compaction off")
                + (guard == null ? ", store header NOT kept on the newest commit (a crash may lose the last acknowledged writes)"
                        : ", store header kept on the newest commit (rewritten "
                        + String.format(java.util.Locale.ROOT, "%,d", guard.rewrites()) + " times)");
    }

    /**
     * The embedded file's online compaction: the share of the chunks' bytes that is live data and
     * the steps run; empty on PostgreSQL, with {@code compactFillRate = 0}, or where H2 does not
     * allow it.
     */
    public Optional<CompactionStatus> compaction() {
        H2Compaction c = compaction;
        if (c == null) {
            return Optional.empty();
        }
        try {
            long[] counts = c.counts();
            return Optional.of(new CompactionStatus(c.chunksFillRate(), c.targetFillRate(), counts[0], counts[1]));
        } catch (ReflectiveOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * @param fillRate percent of the chunks' bytes that is live data now
     * @param targetFillRate below it, the writer compacts
     * @param steps compaction steps run
     * @param rewritingSteps steps that rewrote pages
     */
    public record CompactionStatus(int fillRate, int targetFillRate, long steps, long rewritingSteps) {
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    private ProvenanceHead readHead(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, hash FROM provenance_record ORDER BY seq DESC LIMIT 1")) {
            return rs.next() ? new ProvenanceHead(rs.getLong(1), rs.getString(2)) : new ProvenanceHead(0, Hashes.genesis(logId));
        }
    }

    /** Allocation numbers come in blocks of {@link #ALLOCATION_BLOCK} from the sequence: one round trip per block. */
    private static final int ALLOCATION_BLOCK = 64;
    private long allocationNext;
    private long allocationLimit;

    private synchronized long nextAllocationNumber() {
        if (allocationNext >= allocationLimit) {
            allocationNext = nextval("allocation_seq");
            allocationLimit = allocationNext + ALLOCATION_BLOCK;
        }
        return allocationNext++;
    }

    private long nextval(String sequence) {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT nextval('" + sequence + "')")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Hands a unit of work to the writer (group commit); refused at once on an instance that is not the leader. */
    <T> CompletableFuture<T> write(WritePipeline.Work<T> work) {
        if (!leadership.isLeader()) {
            return CompletableFuture.failedFuture(notLeader());
        }
        return writer.submit(work);
    }

    private static String json(Object value) {
        return Jcs.canonicalize(value);
    }

    private static void setNullable(PreparedStatement p, int i, String v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.VARCHAR);
        } else {
            p.setString(i, v);
        }
    }

    // ---- ledger ----

    private final class LedgerView implements LedgerStore {
        @Override
        public LedgerState load() {
            return read(c -> {
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    long generation;
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT generation FROM ledger_state WHERE id = 1")) {
                        rs.next();
                        generation = rs.getLong(1);
                    }
                    List<Allocation> all = allocations(c, null);
                    c.commit();
                    return new LedgerState(generation, all);
                } finally {
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    c.setAutoCommit(auto);
                }
            });
        }

        @Override
        public long generation() {
            return read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT generation FROM ledger_state WHERE id = 1")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
        }

        @Override
        public Optional<Allocation> get(String id) {
            return read(c -> allocations(c, id).stream().findFirst());
        }

        @Override
        public String nextId() {
            return dev.strata.platform.core.placement.AllocationIds.of(nextAllocationNumber());
        }

        @Override
        public CompletableFuture<LedgerChange> commit(long expectedGeneration, Allocation a, String contractId, ProvenanceEntry why) {
            return commitWith(expectedGeneration, a, contractId, null, why, null);
        }

        @Override
        public CompletableFuture<LedgerChange> commitPlacement(long expectedGeneration, Allocation a, NewContract contract, ProvenanceEntry why,
                String deploymentId) {
            return commitWith(expectedGeneration, a, contract == null ? null : "c-" + a.id(), contract, why, deploymentId);
        }

        @Override
        public java.util.SortedMap<String, String> placedForMissingDeployments() {
            return read(c -> {
                java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT a.id, a.deployment_id FROM allocation a "
                        + "WHERE a.deployment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deployment d WHERE d.id = a.deployment_id)")) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                }
                return out;
            });
        }

        @Override
        public java.util.Set<String> deploymentTenants(String deploymentId) {
            return read(c -> {
                java.util.Set<String> out = new java.util.TreeSet<>();
                // (allocation.deployment_id has no index: read for a tenant's user's placement for a deployment only)
                try (PreparedStatement p = c.prepareStatement("SELECT tenant FROM deployment WHERE id = ? UNION "
                        + "SELECT tenant FROM allocation WHERE deployment_id = ?")) {
                    p.setString(1, deploymentId);
                    p.setString(2, deploymentId);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(1));
                        }
                    }
                }
                return out;
            });
        }

        private CompletableFuture<LedgerChange> commitWith(long expectedGeneration, Allocation a, String contractId, NewContract contract,
                ProvenanceEntry why, String deploymentId) {
            return write(tx -> {
                Connection c = tx.connection;
                {
                    PreparedStatement p = tx.prepare("UPDATE ledger_state SET generation = generation + 1 WHERE id = 1 AND generation = ?");
                    p.setLong(1, expectedGeneration);
                    if (p.executeUpdate() != 1) {
                        throw new StaleLedgerException(expectedGeneration, currentGeneration(c));
                    }
                }
                if (contract != null) {
                    PreparedStatement p = tx.prepare("INSERT INTO contract (id, name, tenant, format, document, sha256, submitted_ms, "
                        + "submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                    p.setString(1, contractId);
                    p.setString(2, contract.name());
                    p.setString(3, contract.tenant());
                    p.setString(4, contract.format());
                    p.setString(5, contract.document());
                    p.setString(6, Hashes.sha256(contract.document().getBytes(StandardCharsets.UTF_8)));
                    p.setLong(7, tx.nowMillis());
                    p.setString(8, contract.submittedBy());
                    p.executeUpdate();
                }
                {
                    PreparedStatement p = tx.prepare("INSERT INTO allocation (id, contract, tenant, priority, dedicated, created_ms, "
                        + "contract_id, generation, deployment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
                    p.setString(1, a.id());
                    p.setString(2, a.contract());
                    p.setString(3, a.tenant());
                    p.setInt(4, a.priority());
                    p.setBoolean(5, a.dedicated());
                    p.setLong(6, (a.createdAt() == null ? Instant.ofEpochMilli(tx.nowMillis()) : a.createdAt()).toEpochMilli());
                    setNullable(p, 7, contractId);
                    p.setLong(8, expectedGeneration + 1);
                    setNullable(p, 9, deploymentId);
                    p.executeUpdate();
                }
                if (!a.bindings().isEmpty()) {
                    {
                        PreparedStatement p = tx.prepare("INSERT INTO allocation_binding (allocation_id, idx, member, node_id, site_id, "
                            + "accelerator_ids, gpu_fraction, nvlink_domain, numa_node, fabric_id, cpu_milli, memory_bytes, power_watts, "
                            + "power_domain_id, partition_profile, partition_slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                        int i = 0;
                        for (MemberBinding b : a.bindings()) {
                            p.setString(1, a.id());
                            p.setInt(2, i++);
                            p.setString(3, b.member());
                            p.setString(4, b.nodeId());
                            setNullable(p, 5, b.siteId());
                            p.setString(6, json(b.acceleratorIds()));
                            p.setDouble(7, b.gpuFraction());
                            setNullable(p, 8, b.nvlinkDomain());
                            p.setInt(9, b.numaNode());
                            setNullable(p, 10, b.fabricId());
                            p.setLong(11, b.cpuMilli());
                            p.setLong(12, b.memoryBytes());
                            p.setDouble(13, b.powerWatts());
                            setNullable(p, 14, b.powerDomainId());
                            setNullable(p, 15, b.partition());
                            p.setInt(16, b.partitionSlot());
                            p.addBatch();
                        }
                        p.executeBatch();
                    }
                }
                LogRecord r = tx.append(why);
                return new LedgerChange(expectedGeneration + 1, a, r == null ? 0 : r.seq());
            });
        }

        @Override
        public Optional<String> releaseRefusal(Allocation allocation, ReleaseGuard guard) {
            if (guard.forced()) {
                return Optional.empty();
            }
            return read(c -> {
                try (PreparedStatement byAllocation = c.prepareStatement(HOLDERS_BY_ALLOCATION);
                        PreparedStatement placedFor = c.prepareStatement(HOLDER_PLACED_FOR)) {
                    return holders(byAllocation, placedFor, allocation.id()).stream().filter(h -> !h.allows(guard)).findFirst()
                            .map(h -> h.refusal(allocation, guard));
                }
            });
        }

        @Override
        public CompletableFuture<LedgerChange> release(String id, ReleaseGuard guard, ProvenanceEntry why) {
            java.util.Objects.requireNonNull(guard, "guard");
            return write(tx -> {
                // every statement prepared once per batch: a batch under load holds dozens of releases
                Allocation found = allocation(tx, id);
                if (found == null) {
                    throw new StoreRefusedException("no allocation '" + id + "'", new NotFoundException("no allocation '" + id + "'"));
                }
                // read in this transaction, after every write before it (one writer; on PostgreSQL the leader's fence or the
                // shared writers' lock): a deployment stored or moved before this release is seen, and none after it can
                // have been checked against an allocation that was still there
                List<Holder> holders = holders(tx.prepare(HOLDERS_BY_ALLOCATION), tx.prepare(HOLDER_PLACED_FOR), id);
                ProvenanceEntry record = why;
                if (guard.forced()) {
                    if (!holders.isEmpty() && why != null) {
                        Map<String, Object> payload = new LinkedHashMap<>(why.payload());
                        payload.put("heldBy", holders.stream().map(Holder::describe).toList());
                        record = new ProvenanceEntry(why.kind(), why.actor(), why.subjects(), payload);
                    }
                } else {
                    for (Holder h : holders) {
                        if (!h.allows(guard)) {
                            String message = h.refusal(found, guard);
                            throw new StoreRefusedException(message, new ConflictException(message));
                        }
                    }
                }
                PreparedStatement delete = tx.prepare("DELETE FROM allocation WHERE id = ?");
                delete.setString(1, id);
                if (delete.executeUpdate() != 1) {
                    throw new StoreRefusedException("no allocation '" + id + "'", new NotFoundException("no allocation '" + id + "'"));
                }
                tx.prepare("UPDATE ledger_state SET generation = generation + 1 WHERE id = 1").executeUpdate();
                long generation;
                try (ResultSet rs = tx.prepare("SELECT generation FROM ledger_state WHERE id = 1").executeQuery()) {
                    rs.next();
                    generation = rs.getLong(1);
                }
                LogRecord r = tx.append(record);
                return new LedgerChange(generation, found, r == null ? 0 : r.seq());
            });
        }
    }

    /**
     * A deployment that holds an allocation: stored with it and not deleted ({@code state} its
     * state), or the one it was placed for, not stored yet ({@code state} null).
     */
    private record Holder(String deploymentId, String state) {

        boolean stored() {
            return state != null;
        }

        /** Whether a release under {@code guard} (not forced) may free what this deployment holds. */
        boolean allows(ReleaseGuard guard) {
            // the deployment itself frees what it holds once its machines are deleted, or when it was never stored
            return deploymentId.equals(guard.deploymentId()) && (!stored() || "DELETING".equalsIgnoreCase(state));
        }

        String describe() {
            return deploymentId + " (" + (stored() ? state.toLowerCase(java.util.Locale.ROOT) : "not stored") + ")";
        }

        String refusal(Allocation a, ReleaseGuard guard) {
            String force = "a forced release (strata:release --force " + a.id() + ", or Placement.forceRelease) releases it anyway";
            if (!stored()) {
                return "allocation " + a.id() + " is held by deployment " + deploymentId + " of contract " + a.contract() + " (being "
                        + "deployed: placed for it, not stored yet); releasing it would leave the machines it makes running on capacity "
                        + "placement gives to others. Should the deployment never be stored, the deployment engine releases it; " + force;
            }
            String lower = state.toLowerCase(java.util.Locale.ROOT);
            if (deploymentId.equals(guard.deploymentId())) {
                return "allocation " + a.id() + " of deployment " + deploymentId + " of contract " + a.contract() + " is released on its "
                        + "behalf only once it is being deleted, and it is " + lower + ". 'strata:undeploy " + deploymentId + "' deletes "
                        + "the machines and then releases it; " + force;
            }
            return "allocation " + a.id() + " is held by deployment " + deploymentId + " of contract " + a.contract() + " (" + lower
                    + "); releasing it would leave its machines running on capacity placement gives to others. 'strata:undeploy "
                    + deploymentId + "' deletes the machines and then releases it; " + force;
        }
    }

    /** The deployments stored with an allocation that are not deleted (by the index of migration 8, deployment_by_allocation). */
    private static final String HOLDERS_BY_ALLOCATION = "SELECT id, state FROM deployment WHERE allocation_id = ? "
            + "AND UPPER(state) <> 'DELETED' ORDER BY created_ms, id";
    /** The deployment an allocation was placed for, and whether and how it is stored. */
    private static final String HOLDER_PLACED_FOR = "SELECT a.deployment_id, d.id, d.state FROM allocation a LEFT JOIN deployment d "
            + "ON d.id = a.deployment_id WHERE a.id = ? AND a.deployment_id IS NOT NULL";

    /**
     * The deployments holding an allocation, read in a write batch's transaction (or, for a first look, one of its own): those stored with
     * it that are not deleted, oldest first, then the one it was placed for if that is not stored.
     */
    private static List<Holder> holders(PreparedStatement byAllocation, PreparedStatement placedFor, String allocationId) throws SQLException {
        List<Holder> out = new ArrayList<>();
        byAllocation.setString(1, allocationId);
        try (ResultSet rs = byAllocation.executeQuery()) {
            while (rs.next()) {
                out.add(new Holder(rs.getString(1), rs.getString(2)));
            }
        }
        placedFor.setString(1, allocationId);
        try (ResultSet rs = placedFor.executeQuery()) {
            if (rs.next()) {
                String deploymentId = rs.getString(1);
                boolean stored = rs.getString(2) != null;
                String state = rs.getString(3);
                boolean known = out.stream().anyMatch(h -> h.deploymentId().equals(deploymentId));
                if (!known && !stored) {
                    out.add(new Holder(deploymentId, null));
                } else if (!known && !"DELETED".equalsIgnoreCase(state)) {
                    out.add(new Holder(deploymentId, state)); // stored with another allocation id, which a deploy never does
                }
            }
        }
        return out;
    }

    private static long currentGeneration(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT generation FROM ledger_state WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static final String BINDINGS = "SELECT allocation_id, member, node_id, site_id, accelerator_ids, gpu_fraction, "
            + "nvlink_domain, numa_node, fabric_id, cpu_milli, memory_bytes, power_watts, power_domain_id, partition_profile, partition_slot "
            + "FROM allocation_binding";
    private static final String ALLOCATIONS = "SELECT id, contract, tenant, priority, dedicated, created_ms FROM allocation";

    /** Whether the ledger holds an allocation, read in a write batch's transaction (one statement per batch, however many units ask). */
    private static boolean allocated(Tx tx, String id) throws SQLException {
        PreparedStatement p = tx.prepare("SELECT 1 FROM allocation WHERE id = ?");
        p.setString(1, id);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next();
        }
    }

    /** One allocation with its bindings, read in a write batch's transaction; null when there is none. */
    private static Allocation allocation(Tx tx, String id) throws SQLException {
        PreparedStatement b = tx.prepare(BINDINGS + " WHERE allocation_id = ? ORDER BY idx");
        b.setString(1, id);
        Map<String, List<MemberBinding>> bindings = bindings(b);
        PreparedStatement a = tx.prepare(ALLOCATIONS + " WHERE id = ?");
        a.setString(1, id);
        List<Allocation> found = allocations(a, bindings);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Allocations with their bindings: all (oldest first) or the one with {@code id}. */
    private static List<Allocation> allocations(Connection c, String id) throws SQLException {
        Map<String, List<MemberBinding>> bindings;
        try (PreparedStatement p = c.prepareStatement(BINDINGS + (id == null ? "" : " WHERE allocation_id = ?") + " ORDER BY allocation_id, idx")) {
            if (id != null) {
                p.setString(1, id);
            }
            bindings = bindings(p);
        }
        try (PreparedStatement p = c.prepareStatement(ALLOCATIONS + (id == null ? "" : " WHERE id = ?") + " ORDER BY generation, id")) {
            if (id != null) {
                p.setString(1, id);
            }
            return allocations(p, bindings);
        }
    }

    /** Runs {@link #BINDINGS} (parameters set): the bindings by allocation id, in the order read. */
    private static Map<String, List<MemberBinding>> bindings(PreparedStatement p) throws SQLException {
        Map<String, List<MemberBinding>> bindings = new LinkedHashMap<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                List<String> gpus = new ArrayList<>();
                for (Object o : (List<?>) Json.parse(rs.getString(5))) {
                    gpus.add((String) o);
                }
                bindings.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new MemberBinding(rs.getString(2), rs.getString(3),
                        rs.getString(4), gpus, rs.getDouble(6), rs.getString(7), rs.getInt(8), rs.getString(9), rs.getLong(10),
                        rs.getLong(11), rs.getDouble(12), rs.getString(13), rs.getString(14), rs.getInt(15)));
            }
        }
        return bindings;
    }

    /** Runs {@link #ALLOCATIONS} (parameters set) and joins the bindings. */
    private static List<Allocation> allocations(PreparedStatement p, Map<String, List<MemberBinding>> bindings) throws SQLException {
        List<Allocation> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new Allocation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5),
                        Instant.ofEpochMilli(rs.getLong(6)), bindings.getOrDefault(rs.getString(1), List.of())));
            }
        }
        return out;
    }

    // ---- contracts ----

    private final class ContractView implements ContractStore {
        @Override
        public CompletableFuture<StoredContract> put(NewContract n, ProvenanceEntry why) {
            String id = String.format("c-%06d", nextval("contract_seq"));
            return write(tx -> {
                String sha = Hashes.sha256(n.document().getBytes(StandardCharsets.UTF_8));
                long now = tx.nowMillis();
                try (PreparedStatement p = tx.connection.prepareStatement("INSERT INTO contract (id, name, tenant, format, document, sha256, "
                        + "submitted_ms, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    p.setString(1, id);
                    p.setString(2, n.name());
                    p.setString(3, n.tenant());
                    p.setString(4, n.format());
                    p.setString(5, n.document());
                    p.setString(6, sha);
                    p.setLong(7, now);
                    p.setString(8, n.submittedBy());
                    p.executeUpdate();
                }
                tx.append(why);
                return new StoredContract(id, n.name(), n.tenant(), n.format(), n.document(), sha, Instant.ofEpochMilli(now), n.submittedBy());
            });
        }

        @Override
        public Optional<StoredContract> get(String id) {
            return read(c -> contracts(c, "WHERE id = ?", id, 1).stream().findFirst());
        }

        @Override
        public List<StoredContract> list(String tenant, int limit) {
            return read(c -> tenant == null ? contracts(c, "", null, limit) : contracts(c, "WHERE tenant = ?", tenant, limit));
        }

        private List<StoredContract> contracts(Connection c, String where, String arg, int limit) throws SQLException {
            List<StoredContract> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, name, tenant, format, document, sha256, submitted_ms, submitted_by "
                    + "FROM contract " + where + " ORDER BY submitted_ms DESC, id DESC LIMIT " + Math.max(1, limit))) {
                if (arg != null) {
                    p.setString(1, arg);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StoredContract(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), rs.getString(8)));
                    }
                }
            }
            return out;
        }
    }

    // ---- the providers' journal ----

    private final class JournalView implements JournalStore {
        @Override
        public Optional<String> get(String providerId, String operationId) {
            return read(c -> {
                try (PreparedStatement p = c.prepareStatement("SELECT record FROM provider_journal WHERE provider_id = ? AND operation_id = ?")) {
                    p.setString(1, providerId);
                    p.setString(2, operationId);
                    try (ResultSet rs = p.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                    }
                }
            });
        }

        @Override
        public Map<String, String> all(String providerId) {
            return read(c -> {
                Map<String, String> out = new java.util.TreeMap<>();
                try (PreparedStatement p = c.prepareStatement("SELECT operation_id, record FROM provider_journal WHERE provider_id = ?")) {
                    p.setString(1, providerId);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getString(2));
                        }
                    }
                }
                return out;
            });
        }

        @Override
        public CompletableFuture<Void> put(String providerId, String operationId, String record) {
            return write(tx -> {
                Connection c = tx.connection;
                int updated;
                try (PreparedStatement p = c.prepareStatement("UPDATE provider_journal SET record = ?, updated_ms = ? WHERE provider_id = ? "
                        + "AND operation_id = ?")) {
                    p.setString(1, record);
                    p.setLong(2, tx.nowMillis());
                    p.setString(3, providerId);
                    p.setString(4, operationId);
                    updated = p.executeUpdate();
                }
                if (updated == 0) {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO provider_journal (provider_id, operation_id, record, updated_ms) "
                            + "VALUES (?, ?, ?, ?)")) {
                        p.setString(1, providerId);
                        p.setString(2, operationId);
                        p.setString(3, record);
                        p.setLong(4, tx.nowMillis());
                        p.executeUpdate();
                    }
                }
                return null;
            });
        }
    }

    // ---- tenants ----

    private final class TenantView implements TenantStore {
        /** Tenant writes through this store begun or ended. */
        private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        /** Tenant writes through this store under way. */
        private final java.util.concurrent.atomic.AtomicInteger writing = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public CompletableFuture<Tenant> put(Tenant t, ProvenanceEntry why) {
            return counted(() -> write(tx -> store(tx, t, why)));
        }

        @Override
        public CompletableFuture<Tenant> update(String id, java.util.function.Function<Optional<Tenant>, Change> change) {
            return update(id, change, false);
        }

        @Override
        public CompletableFuture<Tenant> updateHoldingPlacements(String id, java.util.function.Function<Optional<Tenant>, Change> change) {
            return update(id, change, true);
        }

        private CompletableFuture<Tenant> update(String id, java.util.function.Function<Optional<Tenant>, Change> change, boolean holdsPlacements) {
            return counted(() -> write(tx -> {
                Change c = change.apply(tenants(tx.connection, id).stream().findFirst());
                if (!c.tenant().id().equals(id)) {
                    throw new IllegalArgumentException("a change of tenant " + id + " stores tenant " + c.tenant().id());
                }
                if (holdsPlacements) {
                    // a commit is the conditional update of this row: one decided on the generation before this change fails
                    tx.prepare("UPDATE ledger_state SET generation = generation + 1 WHERE id = 1").executeUpdate();
                }
                return store(tx, c.tenant(), c.why());
            }));
        }

        /**
         * Counts a write from before it is handed to the writer until it is durable or failed. The
         * count moves first, then the write is submitted: submitting counts too late when the writer
         * commits it at once, since a reader could then see the old count after the new state.
         */
        private CompletableFuture<Tenant> counted(java.util.function.Supplier<CompletableFuture<Tenant>> write) {
            writing.incrementAndGet();
            changes.incrementAndGet();
            CompletableFuture<Tenant> f;
            try {
                f = write.get();
            } catch (RuntimeException e) {
                changes.incrementAndGet();
                writing.decrementAndGet();
                throw e;
            }
            return f.whenComplete((t, e) -> {
                changes.incrementAndGet();
                writing.decrementAndGet();
            });
        }

        @Override
        public long changes() {
            return changes.get();
        }

        @Override
        public boolean writing() {
            return writing.get() > 0;
        }

        private Tenant store(Tx tx, Tenant t, ProvenanceEntry why) throws SQLException {
            Connection c = tx.connection;
            long now = tx.nowMillis();
            int updated;
            try (PreparedStatement p = c.prepareStatement("UPDATE tenant SET name = ?, attributes = ? WHERE id = ?")) {
                p.setString(1, t.name());
                p.setString(2, json(t.attributes()));
                p.setString(3, t.id());
                updated = p.executeUpdate();
            }
            Instant created = Instant.ofEpochMilli(now);
            if (updated == 0) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO tenant (id, name, created_ms, attributes) VALUES (?, ?, ?, ?)")) {
                    p.setString(1, t.id());
                    p.setString(2, t.name());
                    p.setLong(3, now);
                    p.setString(4, json(t.attributes()));
                    p.executeUpdate();
                }
            } else {
                created = tenants(c, t.id()).get(0).createdAt();
            }
            tx.append(why);
            return new Tenant(t.id(), t.name(), created, t.attributes());
        }

        @Override
        public Optional<Tenant> get(String id) {
            return read(c -> tenants(c, id).stream().findFirst());
        }

        @Override
        public List<Tenant> list() {
            return read(c -> tenants(c, null));
        }

        private List<Tenant> tenants(Connection c, String id) throws SQLException {
            List<Tenant> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, name, created_ms, attributes FROM tenant" + (id == null ? "" : " WHERE id = ?")
                    + " ORDER BY id")) {
                if (id != null) {
                    p.setString(1, id);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Map<String, String> attributes = new TreeMap<>();
                        Json.parseObject(rs.getString(4)).forEach((k, v) -> attributes.put(k, String.valueOf(v)));
                        out.add(new Tenant(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), attributes));
                    }
                }
            }
            return out;
        }
    }

    // ---- deployments ----

    private final class DeploymentView implements DeploymentStore {
        @Override
        public String nextId() {
            return String.format("d-%06d", nextval("deployment_seq"));
        }

        @Override
        public CompletableFuture<DeploymentRecord> create(NewDeployment d, ProvenanceEntry why) {
            return write(tx -> {
                Connection c = tx.connection;
                if (deployment(c, d.id()).isPresent()) {
                    throw new StoreRefusedException("deployment " + d.id() + " exists already");
                }
                // read in this transaction, after every write before it, as a release's check of the deployments holding its
                // allocation is: a release before it is seen here, and one after it sees this deployment
                if (d.allocationId() != null && !allocated(tx, d.allocationId())) {
                    String message = "deployment " + d.id() + " is not stored: its allocation " + d.allocationId() + " is no longer in the "
                            + "ledger (released after placement placed it for the deployment, before the deployment was stored, as a "
                            + "forced release does: strata:release --force, Placement.forceRelease)";
                    throw new StoreRefusedException(message, new ConflictException(message));
                }
                long now = tx.nowMillis();
                try (PreparedStatement p = c.prepareStatement("INSERT INTO deployment (id, allocation_id, contract_id, tenant, state, message, "
                        + "spec, version, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, NULL, ?, 1, ?, ?)")) {
                    p.setString(1, d.id());
                    setNullable(p, 2, d.allocationId());
                    setNullable(p, 3, d.contractId());
                    p.setString(4, d.tenant());
                    p.setString(5, d.state());
                    setNullable(p, 6, d.spec());
                    p.setLong(7, now);
                    p.setLong(8, now);
                    p.executeUpdate();
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO deployment_member (deployment_id, idx, member, node_id, provider_id, "
                        + "state, handle, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    int i = 0;
                    for (MemberRecord m : d.members()) {
                        p.setString(1, d.id());
                        p.setInt(2, i++);
                        p.setString(3, m.member());
                        setNullable(p, 4, m.nodeId());
                        setNullable(p, 5, m.providerId());
                        p.setString(6, m.state());
                        setNullable(p, 7, m.handle());
                        p.setLong(8, now);
                        p.addBatch();
                    }
                    if (!d.members().isEmpty()) {
                        p.executeBatch();
                    }
                }
                tx.append(why);
                return deployment(c, d.id()).orElseThrow();
            });
        }

        @Override
        public CompletableFuture<DeploymentRecord> update(String id, long expectedVersion, String state, String message, ProvenanceEntry why) {
            return write(tx -> {
                Connection c = tx.connection;
                try (PreparedStatement p = c.prepareStatement("UPDATE deployment SET state = ?, message = ?, version = version + 1, updated_ms = ? "
                        + "WHERE id = ? AND version = ?")) {
                    p.setString(1, state);
                    setNullable(p, 2, message);
                    p.setLong(3, tx.nowMillis());
                    p.setString(4, id);
                    p.setLong(5, expectedVersion);
                    if (p.executeUpdate() != 1) {
                        Optional<DeploymentRecord> now = deployment(c, id);
                        throw new StoreRefusedException(now.isEmpty() ? "no deployment '" + id + "'"
                                : "deployment " + id + " moved from version " + expectedVersion + " to " + now.get().version());
                    }
                }
                tx.append(why);
                return deployment(c, id).orElseThrow();
            });
        }

        @Override
        public CompletableFuture<MemberRecord> updateMember(MemberRecord m, ProvenanceEntry why) {
            return write(tx -> {
                Connection c = tx.connection;
                long now = tx.nowMillis();
                try (PreparedStatement p = c.prepareStatement("UPDATE deployment_member SET node_id = ?, provider_id = ?, state = ?, handle = ?, "
                        + "updated_ms = ? WHERE deployment_id = ? AND member = ?")) {
                    setNullable(p, 1, m.nodeId());
                    setNullable(p, 2, m.providerId());
                    p.setString(3, m.state());
                    setNullable(p, 4, m.handle());
                    p.setLong(5, now);
                    p.setString(6, m.deploymentId());
                    p.setString(7, m.member());
                    if (p.executeUpdate() != 1) {
                        throw new StoreRefusedException("deployment " + m.deploymentId() + " has no member '" + m.member() + "'");
                    }
                }
                tx.append(why);
                return new MemberRecord(m.deploymentId(), m.member(), m.nodeId(), m.providerId(), m.state(), m.handle(), Instant.ofEpochMilli(now));
            });
        }

        @Override
        public CompletableFuture<OperationRecord> beginOperation(NewOperation op) {
            return write(tx -> {
                Connection c = tx.connection;
                Optional<DeploymentRecord> deployment = deployment(c, op.deploymentId());
                if (deployment.isEmpty()) {
                    throw new StoreRefusedException("no deployment '" + op.deploymentId() + "'");
                }
                String state = deployment.get().state();
                if ("create".equals(op.action()) && ("DELETING".equals(state) || "DELETED".equals(state))) {
                    // checked in the transaction that records it, which the undeploy's does not overlap (one writer): looked at
                    // before, an undeploy in between let the create be recorded and sent, a machine made only to be deleted
                    throw new StoreRefusedException("deployment " + op.deploymentId() + " is " + state + " (undeployed): no create is "
                            + "begun for member " + op.member());
                }
                String id = "op-" + UUID.randomUUID();
                // a deployment's operations are read newest last, by created_ms (then id, which is random): each is made later
                // than every one before it, even where the clock went back (an NTP correction, a new leader whose clock is
                // behind) or within the millisecond of the last, so that a member's latest create is the one made last. By the
                // clock alone, a replacement made after the clock went back counted as older than the create it replaced, and
                // the reconciler, taking the member up after a crash, made a third machine
                long now = tx.nowMillis();
                try (PreparedStatement p = c.prepareStatement("SELECT MAX(created_ms) FROM provider_operation WHERE deployment_id = ?")) {
                    p.setString(1, op.deploymentId());
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            long last = rs.getLong(1);
                            if (!rs.wasNull() && last >= now) {
                                now = last + 1;
                            }
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO provider_operation (id, deployment_id, member, provider_id, action, "
                        + "attempt, state, created_ms) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?)")) {
                    p.setString(1, id);
                    p.setString(2, op.deploymentId());
                    p.setString(3, op.member());
                    p.setString(4, op.providerId());
                    p.setString(5, op.action());
                    p.setInt(6, op.attempt());
                    p.setLong(7, now);
                    p.executeUpdate();
                }
                return new OperationRecord(id, op.deploymentId(), op.member(), op.providerId(), op.action(), op.attempt(), OperationState.PENDING,
                        null, null, Instant.ofEpochMilli(now), null);
            });
        }

        @Override
        public CompletableFuture<OperationRecord> finishOperation(String operationId, OperationState outcome, String handle, String error,
                ProvenanceEntry why) {
            if (outcome == OperationState.PENDING) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("an operation finishes as SUCCEEDED or FAILED, not PENDING"));
            }
            return write(tx -> {
                Connection c = tx.connection;
                try (PreparedStatement p = c.prepareStatement("UPDATE provider_operation SET state = ?, handle = ?, error = ?, finished_ms = ? "
                        + "WHERE id = ? AND state = 'PENDING'")) {
                    p.setString(1, outcome.name());
                    setNullable(p, 2, handle);
                    setNullable(p, 3, error);
                    p.setLong(4, tx.nowMillis());
                    p.setString(5, operationId);
                    if (p.executeUpdate() != 1) {
                        throw new StoreRefusedException(operations(c, "WHERE id = ?", operationId).isEmpty() ? "no operation '" + operationId + "'"
                                : "operation " + operationId + " has finished already");
                    }
                }
                OperationRecord done = operations(c, "WHERE id = ?", operationId).get(0);
                if (outcome == OperationState.SUCCEEDED && handle != null) {
                    try (PreparedStatement p = c.prepareStatement("UPDATE deployment_member SET handle = ?, updated_ms = ? WHERE deployment_id = ? "
                            + "AND member = ?")) {
                        p.setString(1, handle);
                        p.setLong(2, tx.nowMillis());
                        p.setString(3, done.deploymentId());
                        p.setString(4, done.member());
                        p.executeUpdate();
                    }
                }
                tx.append(why);
                return done;
            });
        }

        @Override
        public Optional<DeploymentRecord> get(String id) {
            return read(c -> deployment(c, id));
        }

        @Override
        public List<DeploymentRecord> list() {
            return read(c -> deployments(c, "", null));
        }

        @Override
        public List<MemberRecord> members(String deploymentId) {
            return read(c -> {
                List<MemberRecord> out = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT deployment_id, member, node_id, provider_id, state, handle, updated_ms "
                        + "FROM deployment_member WHERE deployment_id = ? ORDER BY idx")) {
                    p.setString(1, deploymentId);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(new MemberRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                    rs.getString(6), Instant.ofEpochMilli(rs.getLong(7))));
                        }
                    }
                }
                return out;
            });
        }

        @Override
        public List<OperationRecord> operations(String deploymentId) {
            return read(c -> operations(c, "WHERE deployment_id = ?", deploymentId));
        }

        @Override
        public List<OperationRecord> unfinishedOperations() {
            return read(c -> operations(c, "WHERE state = ?", "PENDING"));
        }

        private Optional<DeploymentRecord> deployment(Connection c, String id) throws SQLException {
            return deployments(c, "WHERE id = ?", id).stream().findFirst();
        }

        private List<DeploymentRecord> deployments(Connection c, String where, String arg) throws SQLException {
            List<DeploymentRecord> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, allocation_id, contract_id, tenant, state, message, spec, version, "
                    + "created_ms, updated_ms FROM deployment " + where + " ORDER BY created_ms, id")) {
                if (arg != null) {
                    p.setString(1, arg);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DeploymentRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), rs.getString(7), rs.getLong(8), Instant.ofEpochMilli(rs.getLong(9)),
                                Instant.ofEpochMilli(rs.getLong(10))));
                    }
                }
            }
            return out;
        }

        private List<OperationRecord> operations(Connection c, String where, String arg) throws SQLException {
            List<OperationRecord> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, deployment_id, member, provider_id, action, attempt, state, handle, error, "
                    + "created_ms, finished_ms FROM provider_operation " + where + " ORDER BY created_ms, id")) {
                p.setString(1, arg);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        long finished = rs.getLong(11);
                        boolean unfinished = rs.wasNull();
                        out.add(new OperationRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getInt(6), OperationState.valueOf(rs.getString(7)), rs.getString(8), rs.getString(9),
                                Instant.ofEpochMilli(rs.getLong(10)), unfinished ? null : Instant.ofEpochMilli(finished)));
                    }
                }
            }
            return out;
        }
    }

    // ---- provenance ----

    private final class ProvenanceView implements ProvenanceStore {
        @Override
        public String logId() {
            return logId;
        }

        @Override
        public CompletableFuture<LogRecord> append(ProvenanceEntry entry) {
            return write(tx -> tx.append(entry));
        }

        @Override
        public CompletableFuture<LogRecord> appendWhileAllocated(String allocationId, ProvenanceEntry entry) {
            java.util.Objects.requireNonNull(allocationId, "allocationId");
            java.util.Objects.requireNonNull(entry, "entry");
            return write(tx -> {
                requireAllocated(tx, allocationId, entry);
                return tx.append(entry);
            });
        }

        /**
         * Refuses the entry where the allocation is not in the ledger, read in this transaction, after every write before
         * it, as a release's check of the deployments holding the allocation is: a release before it is seen, and one after
         * it appends its record after this one.
         */
        private void requireAllocated(Tx tx, String allocationId, ProvenanceEntry entry) throws SQLException {
            if (!allocated(tx, allocationId)) {
                String message = "no allocation '" + allocationId + "' in the ledger: the " + entry.kind() + " record of it is not appended";
                throw new StoreRefusedException(message, new NotFoundException(message));
            }
        }

        @Override
        public CompletableFuture<LogRecord> appendWhileAllocatedAfter(String allocationId, ProvenanceEntry entry, long latestSeq) {
            java.util.Objects.requireNonNull(allocationId, "allocationId");
            java.util.Objects.requireNonNull(entry, "entry");
            return write(tx -> {
                requireAllocated(tx, allocationId, entry);
                // read in this transaction, after every write before it (another instance's included, under the shared
                // writers' lock): a record appended since the caller read the log is seen, and this one is not appended
                PreparedStatement p = tx.prepare("SELECT seq FROM provenance_record WHERE allocation_id = ? AND kind = ? "
                        + "ORDER BY seq DESC LIMIT 1");
                p.setString(1, allocationId);
                p.setString(2, entry.kind());
                long latest;
                try (ResultSet rs = p.executeQuery()) {
                    latest = rs.next() ? rs.getLong(1) : 0;
                }
                if (latest != latestSeq) {
                    String message = "the latest " + entry.kind() + " record of allocation '" + allocationId + "' is "
                            + (latest == 0 ? "none" : "record " + latest) + ", not " + (latestSeq == 0 ? "none" : "record " + latestSeq)
                            + " as expected: the record is not appended";
                    throw new StoreRefusedException(message, new ConflictException(message));
                }
                return tx.append(entry);
            });
        }

        @Override
        public ProvenanceHead head() {
            ProvenanceHead h = head;
            // the head this instance appended last is the log's only where no other instance writes
            if (h != null && leadership.isLeader() && leadership.exclusive() && headEpoch == leadership.epoch()) {
                return h;
            }
            return read(JdbcStateStore.this::readHead);
        }

        @Override
        public List<LogRecord> find(AuditFilter f) {
            StringBuilder where = new StringBuilder(" WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            condition(where, args, "contract", f.contract());
            condition(where, args, "tenant", f.tenant());
            condition(where, args, "allocation_id", f.allocation());
            condition(where, args, "deployment_id", f.deployment());
            condition(where, args, "kind", f.kind());
            if (f.from() != null) {
                where.append(" AND time_ms >= ?");
                args.add(f.from().toEpochMilli());
            }
            if (f.to() != null) {
                where.append(" AND time_ms < ?");
                args.add(f.to().toEpochMilli());
            }
            return read(c -> {
                List<LogRecord> out = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement(SELECT_RECORD + where + " ORDER BY seq " + (f.newestFirst() ? "DESC" : "ASC")
                        + " LIMIT " + f.limit())) {
                    for (int i = 0; i < args.size(); i++) {
                        p.setObject(i + 1, args.get(i));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(record(rs));
                        }
                    }
                }
                return out;
            });
        }

        private void condition(StringBuilder where, List<Object> args, String column, String value) {
            if (value != null) {
                where.append(" AND ").append(column).append(" = ?");
                args.add(value);
            }
        }

        @Override
        public Optional<LogRecord> get(long seq) {
            return read(c -> {
                try (PreparedStatement p = c.prepareStatement(SELECT_RECORD + " WHERE seq = ?")) {
                    p.setLong(1, seq);
                    try (ResultSet rs = p.executeQuery()) {
                        return rs.next() ? Optional.of(record(rs)) : Optional.<LogRecord>empty();
                    }
                }
            });
        }

        @Override
        public long scan(long fromSeq, Predicate<LogRecord> consumer) {
            return read(c -> streamed(c, () -> {
                long n = 0;
                try (PreparedStatement p = c.prepareStatement(SELECT_RECORD + " WHERE seq >= ? ORDER BY seq")) {
                    p.setFetchSize(2000);
                    p.setLong(1, fromSeq);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            n++;
                            if (!consumer.test(record(rs))) {
                                break;
                            }
                        }
                    }
                }
                return n;
            }), false);
        }

        @Override
        public long scanStored(long fromSeq, Predicate<Stored> consumer) {
            return read(c -> streamed(c, () -> {
                long n = 0;
                try (PreparedStatement p = c.prepareStatement(SELECT_STORED + " WHERE seq >= ? ORDER BY seq")) {
                    p.setFetchSize(2000);
                    p.setLong(1, fromSeq);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            n++;
                            if (!consumer.test(stored(rs, true))) {
                                break;
                            }
                        }
                    }
                }
                return n;
            }), false);
        }

        @Override
        public CompletableFuture<Checkpoint> putCheckpoint(Checkpoint cp) {
            if (!cp.log().equals(logId)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("checkpoint of log " + cp.log() + ", not " + logId));
            }
            return write(tx -> {
                Connection c = tx.connection;
                try (PreparedStatement p = c.prepareStatement("SELECT hash FROM provenance_record WHERE seq = ?")) {
                    p.setLong(1, cp.seq());
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next() || !rs.getString(1).equals(cp.hash())) {
                            throw new StoreRefusedException("checkpoint for record " + cp.seq() + " does not match the stored record");
                        }
                    }
                }
                // another instance writing to the same database (highAvailability=false) may have signed this head already: its
                // checkpoint stands for this one (the write transactions take turns, so this sees one committed before it)
                try (PreparedStatement p = c.prepareStatement("SELECT seq, hash, record_time, key_id, signature FROM provenance_checkpoint "
                        + "WHERE seq = ?")) {
                    p.setLong(1, cp.seq());
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            return checkpoint(rs);
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO provenance_checkpoint (seq, hash, record_time, key_id, signature) "
                        + "VALUES (?, ?, ?, ?, ?)")) {
                    p.setLong(1, cp.seq());
                    p.setString(2, cp.hash());
                    p.setString(3, cp.time());
                    p.setString(4, cp.keyId());
                    p.setString(5, cp.signature());
                    p.executeUpdate();
                }
                return cp;
            });
        }

        @Override
        public List<Checkpoint> checkpoints(long afterSeq, int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a page of checkpoints holds at least 1, not " + limit);
            }
            return read(c -> {
                List<Checkpoint> out = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT seq, hash, record_time, key_id, signature FROM provenance_checkpoint "
                        + "WHERE seq > ? ORDER BY seq LIMIT " + limit)) {
                    p.setLong(1, afterSeq);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(checkpoint(rs));
                        }
                    }
                }
                return out;
            });
        }

        @Override
        public Optional<Checkpoint> lastCheckpoint() {
            return read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT seq, hash, record_time, key_id, signature FROM provenance_checkpoint ORDER BY seq DESC LIMIT 1")) {
                    return rs.next() ? Optional.of(checkpoint(rs)) : Optional.<Checkpoint>empty();
                }
            });
        }

        private Checkpoint checkpoint(ResultSet rs) throws SQLException {
            return new Checkpoint(logId, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), false, rs.getString(5));
        }

        @Override
        public CompletableFuture<Boolean> registerKey(String keyId, String publicKeyPem, String instanceId, ProvenanceEntry why) {
            java.util.Objects.requireNonNull(why, "why");
            return write(tx -> {
                Connection c = tx.connection;
                try (PreparedStatement p = c.prepareStatement("SELECT public_key FROM provenance_key WHERE key_id = ?")) {
                    p.setString(1, keyId);
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            return false;
                        }
                    }
                }
                LogRecord recorded = tx.append(why);
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO provenance_key (key_id, public_key, instance_id, created_ms, record_seq) VALUES (?, ?, ?, ?, ?)")) {
                    p.setString(1, keyId);
                    p.setString(2, publicKeyPem);
                    p.setString(3, instanceId);
                    p.setLong(4, tx.nowMillis());
                    p.setLong(5, recorded.seq());
                    p.executeUpdate();
                }
                return true;
            });
        }

        @Override
        public CompletableFuture<Boolean> recordKey(String keyId, ProvenanceEntry why) {
            java.util.Objects.requireNonNull(why, "why");
            return write(tx -> {
                Connection c = tx.connection;
                try (PreparedStatement p = c.prepareStatement("SELECT record_seq FROM provenance_key WHERE key_id = ?")) {
                    p.setString(1, keyId);
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalArgumentException("no provenance key '" + keyId + "' is registered: register it (and its record) first");
                        }
                        rs.getLong(1);
                        if (!rs.wasNull()) {
                            return false; // its record's seq is kept with it: one row read, at each start
                        }
                    }
                }
                // a key registered before its record's seq was kept with it: its record is looked for once, then kept
                Long found = null;
                try (PreparedStatement p = c.prepareStatement(SELECT_RECORD + " WHERE kind = ? ORDER BY seq")) {
                    p.setString(1, why.kind());
                    try (ResultSet rs = p.executeQuery()) {
                        while (found == null && rs.next()) {
                            LogRecord r = record(rs);
                            if (keyId.equals(r.payload().get("keyId"))) {
                                found = r.seq();
                            }
                        }
                    }
                }
                boolean appended = found == null;
                long seq = appended ? tx.append(why).seq() : found;
                try (PreparedStatement p = c.prepareStatement("UPDATE provenance_key SET record_seq = ? WHERE key_id = ?")) {
                    p.setLong(1, seq);
                    p.setString(2, keyId);
                    p.executeUpdate();
                }
                return appended;
            });
        }

        @Override
        public Map<String, String> keys() {
            return read(c -> {
                Map<String, String> out = new LinkedHashMap<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key_id, public_key FROM provenance_key ORDER BY created_ms")) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                }
                return out;
            });
        }
    }

    private static final String SELECT_RECORD = "SELECT seq, record_time, kind, actor, subjects, payload, prev, hash FROM provenance_record";

    /** {@link #SELECT_RECORD} and the columns a record is found by, which no hash covers. */
    private static final String SELECT_STORED = "SELECT seq, record_time, kind, actor, subjects, payload, prev, hash, contract, tenant, "
            + "allocation_id, deployment_id, time_ms FROM provenance_record";

    /**
     * The record of a row of {@link #SELECT_RECORD}.
     *
     * @throws StateStoreException naming the record when it cannot be read: before, the JSON
     *     parser's message reached the shell, naming an offset and no record
     */
    private static LogRecord record(ResultSet rs) throws SQLException {
        Stored s = stored(rs, false);
        if (s.record() == null) {
            throw new StateStoreException(s.fault());
        }
        return s.record();
    }

    /** The columns a record is found by, with the subject each is filled from. */
    private static final String[][] SUBJECT_COLUMNS = {{"contract", "contract"}, {"tenant", "tenant"}, {"allocation_id", "allocation"},
        {"deployment_id", "deployment"}};

    /**
     * A row of {@link #SELECT_RECORD} (or, {@code columns}, of {@link #SELECT_STORED}) as a
     * record, with what is wrong with how it is kept ({@link ProvenanceStore.Stored}): only
     * whether it can be read, unless {@code columns}.
     */
    private static Stored stored(ResultSet rs, boolean columns) throws SQLException {
        long seq = rs.getLong(1);
        String subjectsText = rs.getString(5);
        String payloadText = rs.getString(6);
        Map<String, Object> subjectsJson;
        Map<String, Object> payload;
        try {
            subjectsJson = Json.parseObject(subjectsText);
        } catch (IllegalArgumentException e) {
            return new Stored(seq, null, "provenance record " + seq + " cannot be read: its subjects as stored are not a JSON object ("
                    + e.getMessage() + "); expected a JSON object of strings, as Strata writes it");
        }
        try {
            payload = Json.parseObject(payloadText);
        } catch (IllegalArgumentException e) {
            return new Stored(seq, null, "provenance record " + seq + " cannot be read: its payload as stored is not a JSON object ("
                    + e.getMessage() + "); expected a JSON object, as Strata writes it");
        }
        Map<String, String> subjects = new TreeMap<>();
        for (Map.Entry<String, Object> e : subjectsJson.entrySet()) {
            if (!(e.getValue() instanceof String v)) {
                // read as its text before, a subject 1 hashed as "1.0": a record that no Strata wrote read as one
                return new Stored(seq, null, "provenance record " + seq + " cannot be read: its subject '" + e.getKey() + "' as stored is "
                        + (e.getValue() == null ? "null" : e.getValue() instanceof Map ? "an object" : e.getValue() instanceof List ? "an array"
                        : e.getValue() instanceof Boolean ? "a boolean" : "a number") + "; expected a string, as Strata writes every subject");
            }
            subjects.put(e.getKey(), v);
        }
        LogRecord r = new LogRecord(seq, rs.getString(2), rs.getString(3), rs.getString(4), subjects, payload, rs.getString(7),
                rs.getString(8));
        if (!columns) {
            // a listing: what is read is shown; encoding it again to compare is a verification's (and an export's) cost
            return new Stored(seq, r, null);
        }
        String fault = notCanonical(seq, "subjects", subjectsText, subjectsJson);
        if (fault == null) {
            fault = notCanonical(seq, "payload", payloadText, payload);
        }
        for (int i = 0; fault == null && i < SUBJECT_COLUMNS.length; i++) {
            String column = rs.getString(SUBJECT_COLUMNS[i][0]);
            String subject = subjects.get(SUBJECT_COLUMNS[i][1]);
            if (!java.util.Objects.equals(column, subject)) {
                fault = "provenance record " + seq + " is stored with " + (column == null ? "no " + SUBJECT_COLUMNS[i][1] : SUBJECT_COLUMNS[i][1]
                        + " '" + column + "'") + " in its " + SUBJECT_COLUMNS[i][0] + " column, but the record names "
                        + (subject == null ? "none" : SUBJECT_COLUMNS[i][1] + " '" + subject + "'") + ": the column, which no hash covers "
                        + "and which strata:audit selects records by (and a tenant's user's reads), was changed in the database; expected "
                        + "the record's own";
            }
        }
        if (fault == null) {
            long millis = rs.getLong("time_ms");
            Instant time;
            try {
                time = Instant.parse(r.time());
            } catch (java.time.DateTimeException e) {
                time = null;
            }
            if (time == null || !LogRecord.formatTime(time).equals(r.time())) {
                fault = "provenance record " + seq + "'s time '" + r.time() + "' is no UTC time with milliseconds; expected one such as "
                        + "2026-11-27T10:15:30.125Z, as Strata writes it";
            } else if (time.toEpochMilli() != millis) {
                fault = "provenance record " + seq + " is stored with time " + Instant.ofEpochMilli(millis) + " in its time_ms column, but "
                        + "its time is " + r.time() + ": the column, which no hash covers and which strata:audit --from and --to compare, "
                        + "was changed in the database; expected the record's own time";
            }
        }
        return new Stored(seq, r, fault);
    }

    /**
     * Why a record's subjects or payload as stored are not the canonical text of what they hold,
     * the text its hash covers; null when they are. Strata stores that text, and reading it back
     * to values passed any text of the same values (a space, {@code 6.0} for {@code 6}, members
     * reordered) as the record hashed.
     */
    private static String notCanonical(long seq, String column, String stored, Map<String, Object> values) {
        String canonical;
        try {
            canonical = Jcs.canonicalize(values);
        } catch (IllegalArgumentException e) {
            return "provenance record " + seq + "'s " + column + " as stored has no canonical form (" + e.getMessage() + ")";
        }
        if (canonical.equals(stored)) {
            return null;
        }
        int at = 0;
        while (at < stored.length() && at < canonical.length() && stored.charAt(at) == canonical.charAt(at)) {
            at++;
        }
        return "provenance record " + seq + "'s " + column + " as stored is not in the RFC 8785 canonical form its hash covers, in which "
                + "Strata stores it: at offset " + at + " it has " + excerpt(stored, at) + " where the canonical form has "
                + excerpt(canonical, at) + "; the text was changed in the database";
    }

    private static String excerpt(String text, int at) {
        return at >= text.length() ? "the end" : "'" + text.substring(at, Math.min(text.length(), at + 24)) + "'";
    }
}
