package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.cluster.ClusterInstance;
import dev.strata.platform.api.cluster.ClusterStatus;
import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.placement.Allocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several store instances (each its own pool and leadership connection) sharing one real
 * PostgreSQL: one leader, followers refuse writes naming it, a deposed leader is fenced by the
 * database, failover within the stated bound with no acknowledged write lost, and concurrent
 * writers that never double-book.
 */
@ExtendWith(PostgresClusterExtension.class)
class ClusterTest {

    static PostgresCluster pg;
    static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path etc;

    List<JdbcStateStore> instances(String url, int n, boolean ha, String interval) throws Exception {
        List<JdbcStateStore> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path dir = Files.createDirectories(etc.resolve("i" + i));
            out.add(Stores.postgres(Stores.postgresSettings(pg, url, dir, "strata-" + (char) ('a' + i), ha, interval)));
        }
        return out;
    }

    static JdbcStateStore leader(List<JdbcStateStore> stores) {
        return stores.stream().filter(s -> s.leadership().isLeader()).findFirst().orElse(null);
    }

    static void closeAll(List<JdbcStateStore> stores) {
        for (JdbcStateStore s : stores) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // already closed
            }
        }
    }

    @Test
    void exactlyOneLeaderAndFollowersRefuseWritesNamingIt() throws Exception {
        List<JdbcStateStore> stores = instances(pg.newDatabase("ha_" + DATABASES.incrementAndGet()), 3, true, "300ms");
        try {
            Thread.sleep(1500);
            assertThat(stores.stream().filter(s -> s.leadership().isLeader()).count()).isEqualTo(1);
            JdbcStateStore leader = leader(stores);
            String leaderId = leader.leadership().instanceId();
            StateStoreContract.join(leader.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("x", 1))));
            for (JdbcStateStore s : stores) {
                if (s == leader) {
                    continue;
                }
                assertThatThrownBy(() -> StateStoreContract.join(s.ledger().commit(0, Capacity.one("a-x", "n", "g"), null, null)))
                        .isInstanceOf(NotLeaderException.class)
                        .hasMessageContaining("is a follower and refuses writes; the leader is " + leaderId + " at " + leaderId + ".example:8101")
                        .satisfies(e -> assertThat(((NotLeaderException) e).leaderId()).isEqualTo(leaderId));
                // reads work on a follower and see what the leader wrote
                assertThat(s.provenance().head().seq()).isEqualTo(1);
                // the providers' journal: a follower's provider may not note an operation (so it does not act), and
                // reads what the leader's provider noted (so after a failover it resumes instead of repeating)
                StoreJournal followerJournal = new StoreJournal(s);
                assertThatThrownBy(() -> followerJournal.put("bmc", "op-follower", "{\"phase\":\"CLAIMED\"}"))
                        .isInstanceOf(NotLeaderException.class).hasMessageContaining("the leader is " + leaderId);
                new StoreJournal(leader).put("bmc", "op-" + s.leadership().instanceId(), "{\"phase\":\"POWER_SENT\"}");
                assertThat(followerJournal.get("bmc", "op-" + s.leadership().instanceId())).hasValue("{\"phase\":\"POWER_SENT\"}");
                assertThat(followerJournal.get("bmc", "op-follower")).isEmpty();
            }
            ClusterStatus status = stores.get(1).clusterStatus();
            assertThat(status.highAvailability()).isTrue();
            assertThat(status.leader()).isEqualTo(leaderId);
            assertThat(status.leaderSince()).isNotNull();
            assertThat(status.instances()).extracting(i -> i.id() + " " + i.role() + " " + i.alive()).containsExactlyInAnyOrder(
                    "strata-a " + (leaderId.equals("strata-a") ? "leader" : "follower") + " true",
                    "strata-b " + (leaderId.equals("strata-b") ? "leader" : "follower") + " true",
                    "strata-c " + (leaderId.equals("strata-c") ? "leader" : "follower") + " true");
        } finally {
            closeAll(stores);
        }
    }

    @Test
    void anInstanceWhoseHighAvailabilityDiffersFromTheRunningInstancesIsRefusedAtStart() throws Exception {
        String url = pg.newDatabase("mixed_" + DATABASES.incrementAndGet());
        Path a = Files.createDirectories(etc.resolve("a"));
        Path b = Files.createDirectories(etc.resolve("b"));
        Path c = Files.createDirectories(etc.resolve("c"));
        JdbcStateStore elected = Stores.postgres(Stores.postgresSettings(pg, url, a, "strata-a", true, "300ms"));
        try {
            long records = elected.provenance().head().seq();
            // a shared writer beside an elected leader would write without its fence: refused, naming the instance and the setting
            assertThatThrownBy(() -> Stores.postgres(Stores.postgresSettings(pg, url, b, "strata-b", false, "300ms")))
                    .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("instance strata-b cannot start with highAvailability = false")
                    .hasMessageContaining("instance strata-a runs on it with highAvailability = true")
                    .hasMessageContaining("set highAvailability = true in " + StoreSettings.PID);
            // nothing of the refused instance was written
            assertThat(elected.clusterStatus().instances()).extracting(ClusterInstance::id).containsExactly("strata-a");
            assertThat(elected.provenance().head().seq()).isEqualTo(records);
            // an elected instance beside it is welcome
            Stores.postgres(Stores.postgresSettings(pg, url, c, "strata-c", true, "300ms")).close();
        } finally {
            elected.close();
        }
        // once the elected instance stopped, shared writers may use the database; an elected instance is then refused
        JdbcStateStore shared = Stores.postgres(Stores.postgresSettings(pg, url, b, "strata-b", false, "300ms"));
        try {
            assertThatThrownBy(() -> Stores.postgres(Stores.postgresSettings(pg, url, a, "strata-a", true, "300ms")))
                    .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("instance strata-a cannot start with highAvailability = true")
                    .hasMessageContaining("instance strata-b runs on it with highAvailability = false")
                    .hasMessageContaining("set highAvailability = false in " + StoreSettings.PID);
        } finally {
            shared.close();
        }
    }

    /**
     * PostgreSQL keeps 63 characters of a session's application name, and an instance id may have 128: one generated from a
     * long host name (an EC2 machine's) cut off the mode the name carries after the id, and the refusal named no instance
     * but "an instance whose session this database user cannot see", sending the user after a permission that was there.
     */
    @Test
    void aRefusedStartNamesTheRunningInstanceOfTheOtherModeWhoseIdIsLong() throws Exception {
        String url = pg.newDatabase("modelongid_" + DATABASES.incrementAndGet());
        Path a = Files.createDirectories(etc.resolve("a"));
        Path b = Files.createDirectories(etc.resolve("b"));
        // as generated into data/strata/instance-id on a machine so named: the mode is cut off the session's name
        String generated = "ip-10-0-12-34.eu-west-1.compute.internal-1a2b3c4d";
        // and one whose id itself is cut off
        String longer = "strata-" + "x".repeat(60) + "-node-7";
        for (String id : List.of(generated, longer)) {
            try (JdbcStateStore shared = Stores.postgres(Stores.postgresSettings(pg, url, a, id, false, "300ms"))) {
                String shown = id.equals(generated) ? id : id.substring(0, 56) + "... (an id longer than PostgreSQL shows";
                assertThatThrownBy(() -> Stores.postgres(Stores.postgresSettings(pg, url, b, "strata-b", true, "300ms")))
                        .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                        .hasMessageContaining("instance strata-b cannot start with highAvailability = true")
                        .hasMessageContaining("instance " + shown)
                        .hasMessageNotContaining("cannot see");
            }
        }
    }

    /** The server processes of the admin statement's database that hold an advisory lock, in sessions of the given application name. */
    static List<Long> lockHolders(java.sql.Statement admin, String applicationName) throws java.sql.SQLException {
        List<Long> out = new ArrayList<>();
        try (java.sql.ResultSet rs = admin.executeQuery("SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name = '"
                + applicationName + "' ORDER BY l.pid")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    static long count(java.sql.Statement admin, String sql) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = admin.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void anInstanceWhoseModeLockWasLostTakesItAgainSoThatAStartInTheOtherModeIsStillRefused() throws Exception {
        String url = pg.newDatabase("modelost_" + DATABASES.incrementAndGet());
        Path a = Files.createDirectories(etc.resolve("a"));
        Path b = Files.createDirectories(etc.resolve("b"));
        String mode = "strata strata-a highAvailability=true";
        JdbcStateStore elected = Stores.postgres(Stores.postgresSettings(pg, url, a, "strata-a", true, "300ms"));
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            List<Long> lost = lockHolders(s, mode);
            assertThat(lost).hasSize(1);
            // the session holding strata-a's mode lock ends (a DBA's pg_terminate_backend; a server restart or a network failure
            // ends it as well), and the lock with it
            assertThat(pg.terminate(mode)).isEqualTo(1);
            // strata-a notices within its check interval and holds the lock again, on a session of its own
            long until = System.nanoTime() + 10_000_000_000L;
            List<Long> holders = lockHolders(s, mode);
            while ((holders.isEmpty() || lost.containsAll(holders)) && System.nanoTime() < until) {
                Thread.sleep(50);
                holders = lockHolders(s, mode);
            }
            // so a shared writer is refused as before the loss (it was let in, and wrote beside the elected leader)
            assertThatThrownBy(() -> Stores.postgres(Stores.postgresSettings(pg, url, b, "strata-b", false, "300ms")))
                    .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("instance strata-b cannot start with highAvailability = false")
                    .hasMessageContaining("instance strata-a runs on it with highAvailability = true")
                    .hasMessageContaining("set highAvailability = true in " + StoreSettings.PID);
            // and strata-a writes on
            StateStoreContract.join(elected.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("x", 1))));
            assertThat(elected.clusterStatus().instances()).extracting(ClusterInstance::id).containsExactly("strata-a");
        } finally {
            elected.close();
        }
    }

    /**
     * The session holding the mode lock ends about 10 s after the network to its instance fails, as the leadership's does:
     * left to the kernel's keepalive (two hours by default), a machine cut off without closing its connections kept its mode
     * marked, and every start of the other mode on the database was refused meanwhile.
     */
    @Test
    void theSessionHoldingTheModeLockEndsSoonAfterTheNetworkFails() throws Exception {
        String url = pg.newDatabase("modekeepalive_" + DATABASES.incrementAndGet());
        Path a = Files.createDirectories(etc.resolve("a"));
        for (boolean elected : new boolean[] {true, false}) {
            try (JdbcStateStore store = Stores.postgres(Stores.postgresSettings(pg, url, a, "strata-a", elected, "300ms"));
                    java.sql.Statement s = store.modeConnection().createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT name, setting FROM pg_settings WHERE name IN "
                            + "('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count') ORDER BY name")) {
                Map<String, String> settings = new java.util.TreeMap<>();
                while (rs.next()) {
                    settings.put(rs.getString(1), rs.getString(2));
                }
                assertThat(settings).as("highAvailability = %s", elected)
                        .containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("tcp_keepalives_count", "3", "tcp_keepalives_idle", "3",
                                "tcp_keepalives_interval", "2")));
            }
        }
    }

    @Test
    void anInstanceOfTheOtherModeStartedWhileTheModeLockWasLostStopsThisInstancesWritesUntilItStops() throws Exception {
        String url = pg.newDatabase("modemixed_" + DATABASES.incrementAndGet());
        Path a = Files.createDirectories(etc.resolve("a"));
        Path b = Files.createDirectories(etc.resolve("b"));
        Path c = Files.createDirectories(etc.resolve("c"));
        long interval = 100;
        JdbcStateStore shared = Stores.postgres(Stores.postgresSettings(pg, url, a, "strata-a", false, interval + "ms"));
        JdbcStateStore elected = null;
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            StateStoreContract.join(shared.ledger().commit(0, Capacity.one("a-1", "node-0", "gpu0"), null, null));
            // another shared writer's long write transaction holds the lock that orders them: strata-a's next batch waits for it
            s.execute("SELECT pg_advisory_lock(" + JdbcStateStore.SHARED_WRITERS_LOCK + ")");
            var held = shared.ledger().commit(1, Capacity.one("a-2", "node-0", "gpu1"), null, null);
            long until = System.nanoTime() + 10_000_000_000L;
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata strata-a' AND wait_event_type = 'Lock'";
            while (count(s, waiting) == 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(count(s, waiting)).as("strata-a's batch waits for the lock").isEqualTo(1);
            long waitingSince = System.nanoTime();
            // meanwhile the session holding strata-a's mode lock ends, and an elected instance starts: nothing marks strata-a's mode
            assertThat(pg.terminate("strata strata-a highAvailability=false")).isEqualTo(1);
            while (!lockHolders(s, "strata strata-a highAvailability=false").isEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            elected = Stores.postgres(Stores.postgresSettings(pg, url, b, "strata-b", true, interval + "ms"));
            // the batch has waited longer than strata-a's check interval, so it checks the mode lock before it writes
            Thread.sleep(Math.max(0, 2 * interval - (System.nanoTime() - waitingSince) / 1_000_000));
            s.execute("SELECT pg_advisory_unlock(" + JdbcStateStore.SHARED_WRITERS_LOCK + ")");
            assertThatThrownBy(() -> StateStoreContract.join(held))
                    .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("instance strata-a refuses writes with highAvailability = false")
                    .hasMessageContaining("instance strata-b runs on it with highAvailability = true")
                    .hasMessageContaining("set highAvailability = true in " + StoreSettings.PID)
                    .hasMessageContaining("writes are refused until no instance runs on it with highAvailability = true");
            // so are its writes while strata-b runs, though strata-a keeps checking; nothing of them was stored
            for (int i = 0; i < 3; i++) {
                Thread.sleep(interval);
                assertThatThrownBy(() -> StateStoreContract.join(shared.ledger().commit(1, Capacity.one("a-3", "node-0", "gpu2"), null, null)))
                        .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                        .hasMessageContaining("instance strata-b runs on it with highAvailability = true");
            }
            assertThat(elected.ledger().load().allocations()).extracting(Allocation::id).containsExactly("a-1");
        } finally {
            if (elected != null) {
                elected.close();
            }
        }
        try {
            // once strata-b stopped, strata-a holds its mode lock again at its next check, and its writes go on
            long until = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try {
                    StateStoreContract.join(shared.ledger().commit(1, Capacity.one("a-2", "node-0", "gpu1"), null, null));
                    break;
                } catch (dev.strata.platform.api.exception.StateStoreException e) {
                    assertThat(e).hasMessageContaining("instance strata-a refuses writes");
                    if (System.nanoTime() > until) {
                        throw e;
                    }
                    Thread.sleep(interval);
                }
            }
            assertThat(shared.ledger().load().allocations()).extracting(Allocation::id).containsExactly("a-1", "a-2");
            // and it marks its mode again: an elected instance is refused at start
            assertThatThrownBy(() -> Stores.postgres(Stores.postgresSettings(pg, url, c, "strata-c", true, interval + "ms")))
                    .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("instance strata-a runs on it with highAvailability = false");
        } finally {
            shared.close();
        }
    }

    /** A data source that hands out {@code real}'s connections, or fails as an unreachable database does while {@code refuse} is set. */
    static javax.sql.DataSource refusing(javax.sql.DataSource real, AtomicBoolean refuse) {
        return around(javax.sql.DataSource.class, real, (method, args, call) -> {
            if (method.equals("getConnection") && refuse.get()) {
                throw new java.sql.SQLException("FATAL: sorry, too many clients already", "53300");
            }
            return call.proceed();
        });
    }

    /** A call to the object a proxy of {@link #around} stands for, as the caller made it. */
    interface Call {
        Object proceed() throws Throwable;
    }

    /** What a proxy of {@link #around} does with each call: {@code call.proceed()} makes it on the real object. */
    interface Around {
        Object call(String method, Object[] args, Call call) throws Throwable;
    }

    /**
     * {@code real} seen as {@code type} through {@code around}, which makes each call on it, or fails or waits first, as a
     * database or a network in trouble would; what the real object throws reaches the caller as it is, unwrapped.
     */
    static <T> T around(Class<T> type, T real, Around around) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(ClusterTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, m, args) -> around.call(m.getName(), args, () -> {
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                })));
    }

    /**
     * An elected leader that cannot write for a reason of its own (the connection holding its mode lock was lost, and it
     * cannot take the lock again: no new connection is to be had) gives the leadership up, so that a follower that can
     * write is elected. Before, it kept the leadership lock on its own connection, which still answered: it refused every
     * write, and so did every follower, naming it as the leader, for as long as it could not take its mode lock again.
     */
    @Test
    void aLeaderThatCannotTakeItsModeLockAgainGivesTheLeadershipUpToAFollowerThatCanWrite() throws Exception {
        String url = pg.newDatabase("modeuntaken_" + DATABASES.incrementAndGet());
        long interval = 100;
        StoreSettings settingsA = Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("a")), "strata-a", true,
                interval + "ms");
        AtomicBoolean refuse = new AtomicBoolean();
        JdbcStateStore a = JdbcStateStore.open(settingsA, refusing(DataSources.direct(settingsA, new org.postgresql.osgi.PGDataSourceFactory()),
                refuse), java.time.Clock.systemUTC());
        JdbcStateStore b = null;
        try {
            assertThat(a.leadership().isLeader()).as("strata-a, alone, leads after its first round").isTrue();
            b = Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("b")), "strata-b", true, interval + "ms"));
            assertThat(b.leadership().isLeader()).isFalse();
            // strata-a's database takes no new connection of it, and the session holding its mode lock ends
            refuse.set(true);
            assertThat(pg.terminate("strata strata-a highAvailability=true")).isEqualTo(1);
            long until = System.nanoTime() + 20_000_000_000L;
            while (a.leadership().isLeader() && System.nanoTime() < until) {
                Thread.sleep(interval);
            }
            assertThat(a.leadership().isLeader()).as("strata-a, which cannot write, gives the leadership up").isFalse();
            // strata-b is elected, and writes
            while (!b.leadership().isLeader() && System.nanoTime() < until) {
                Thread.sleep(interval);
            }
            assertThat(b.leadership().isLeader()).as("strata-b is elected in its place").isTrue();
            StateStoreContract.join(b.ledger().commit(0, Capacity.one("b-1", "node-0", "gpu0"), null, null));
            assertThat(b.clusterStatus().leader()).isEqualTo("strata-b");
            // strata-a says why it does not write (not that an election is under way)
            JdbcStateStore refused = a;
            assertThatThrownBy(refused::requireLeader).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-a refuses writes on the state store at")
                    .hasMessageContaining("taking the lock that marks the mode again failed");
            // once it can connect again it holds its mode again, and follows strata-b
            refuse.set(false);
            while (true) {
                try {
                    StateStoreContract.join(a.ledger().commit(1, Capacity.one("a-1", "node-0", "gpu1"), null, null));
                    throw new AssertionError("strata-a wrote as a follower");
                } catch (NotLeaderException e) {
                    if (e.getMessage().contains("is a follower and refuses writes; the leader is strata-b")) {
                        break;
                    }
                    if (System.nanoTime() > until) {
                        throw e;
                    }
                } catch (dev.strata.platform.api.exception.StateStoreException e) {
                    assertThat(e).hasMessageContaining("instance strata-a refuses writes");
                    if (System.nanoTime() > until) {
                        throw e;
                    }
                }
                Thread.sleep(interval);
            }
            assertThat(b.ledger().load().allocations()).extracting(Allocation::id).containsExactly("b-1");
        } finally {
            refuse.set(false);
            if (b != null) {
                b.close();
            }
            a.close();
        }
    }

    /**
     * An elected leader whose writes are refused because an instance of the other mode came into the database while its mode
     * lock was lost gives the leadership up, says why it does not write ({@code strata:cluster}, and to a caller that asks
     * it to lead), and leads again by itself once that instance stopped. Before, it kept the leadership and showed as the
     * leader, writing nothing.
     */
    @Test
    void anElectedLeaderThatFindsAnInstanceOfTheOtherModeGivesTheLeadershipUpAndSaysWhyUntilItStops() throws Exception {
        String url = pg.newDatabase("modemixedleader_" + DATABASES.incrementAndGet());
        long interval = 100;
        JdbcStateStore elected = Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("a")), "strata-a", true,
                interval + "ms"));
        JdbcStateStore shared = null;
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            assertThat(elected.leadership().isLeader()).isTrue();
            StateStoreContract.join(elected.ledger().commit(0, Capacity.one("a-1", "node-0", "gpu0"), null, null));
            // an election's transaction holds the leader row: strata-a's next batch waits for it in its fence
            admin.setAutoCommit(false);
            s.executeQuery("SELECT epoch FROM cluster_leader WHERE id = 1 FOR UPDATE").close();
            var held = elected.ledger().commit(1, Capacity.one("a-2", "node-0", "gpu1"), null, null);
            long until = System.nanoTime() + 20_000_000_000L;
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata strata-a' AND wait_event_type = 'Lock'";
            while (count(s, waiting) == 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(count(s, waiting)).as("strata-a's batch waits for the leader row").isEqualTo(1);
            long waitingSince = System.nanoTime();
            // meanwhile the session holding strata-a's mode lock ends, and a shared writer starts: nothing marks strata-a's mode
            assertThat(pg.terminate("strata strata-a highAvailability=true")).isEqualTo(1);
            while (!lockHolders(s, "strata strata-a highAvailability=true").isEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            shared = Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("c")), "strata-c", false,
                    interval + "ms"));
            // the batch has waited longer than strata-a's check interval, so it checks the mode lock before it writes
            Thread.sleep(Math.max(0, 2 * interval - (System.nanoTime() - waitingSince) / 1_000_000));
            admin.rollback();
            admin.setAutoCommit(true);
            assertThatThrownBy(() -> StateStoreContract.join(held))
                    .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("instance strata-a refuses writes with highAvailability = true")
                    .hasMessageContaining("instance strata-c runs on it with highAvailability = false");
            // strata-a gives the leadership up at its next round
            while (elected.leadership().isLeader() && System.nanoTime() < until) {
                Thread.sleep(interval);
            }
            assertThat(elected.leadership().isLeader()).as("strata-a, which cannot write, does not lead").isFalse();
            ClusterStatus status = elected.clusterStatus();
            assertThat(status.leader()).as("the record of the leader names it no more").isNull();
            assertThat(status.writesRefused()).contains("instance strata-a refuses writes with highAvailability = true")
                    .contains("instance strata-c runs on it with highAvailability = false")
                    .contains("meanwhile this instance does not lead");
            assertThat(status.instances()).filteredOn(i -> i.id().equals("strata-a")).extracting(ClusterInstance::role)
                    .containsExactly("follower");
            assertThatThrownBy(elected::requireLeader).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-c runs on it with highAvailability = false")
                    .hasMessageNotContaining("an election is under way");
            // nor does it lead again while strata-c runs
            Thread.sleep(3 * interval);
            assertThat(elected.leadership().isLeader()).isFalse();
            assertThat(shared.ledger().load().allocations()).extracting(Allocation::id).containsExactly("a-1");
        } finally {
            if (shared != null) {
                shared.close();
            }
        }
        try {
            // once strata-c stopped, strata-a holds its mode again, leads again, and writes
            long until = System.nanoTime() + 20_000_000_000L;
            while (true) {
                try {
                    StateStoreContract.join(elected.ledger().commit(1, Capacity.one("a-2", "node-0", "gpu1"), null, null));
                    break;
                } catch (dev.strata.platform.api.exception.StateStoreException | NotLeaderException e) {
                    assertThat(e).hasMessageContaining("instance strata-a");
                    if (System.nanoTime() > until) {
                        throw e;
                    }
                    Thread.sleep(interval);
                }
            }
            assertThat(elected.leadership().isLeader()).isTrue();
            assertThat(elected.clusterStatus().writesRefused()).isNull();
            assertThat(elected.ledger().load().allocations()).extracting(Allocation::id).containsExactly("a-1", "a-2");
        } finally {
            elected.close();
        }
    }

    /**
     * An elected instance that refuses writes because an instance of the other mode came into the database while its mode
     * lock was lost, and that sees another instance lead, refuses a deploy with that reason, as the store's own refusal does,
     * and names the leader after it. Before, its deployment engine said only that it was a follower and named the leader, as
     * if a deploy sent there were all that was wrong.
     */
    @Test
    void aDeployRefusedWhileTheOtherModeRunsSaysWhyBesideTheLeader() throws Exception {
        String url = pg.newDatabase("modemixeddeploy_" + DATABASES.incrementAndGet());
        long interval = 100;
        List<JdbcStateStore> stores = instances(url, 2, true, interval + "ms");
        JdbcStateStore a = stores.get(0);
        JdbcStateStore b = stores.get(1);
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement();
                dev.strata.platform.core.deployment.DeploymentEngine engine = new dev.strata.platform.core.deployment.DeploymentEngine(
                        a, null, null, null, null, dev.strata.platform.core.deployment.DeploymentSettings.DEFAULTS,
                        java.time.Clock.systemUTC())) {
            assertThat(a.leadership().isLeader()).as("strata-a, started first, leads").isTrue();
            assertThat(a.clusterStatus().mode()).isEqualTo(dev.strata.platform.api.cluster.ClusterMode.ELECTED_LEADER);
            // a session that holds the shared writers' mode lock as an instance strata-c with highAvailability = false would (strata-b
            // holds its own mode lock, so such an instance would be refused at start), and the session holding strata-a's ends
            s.execute("SET application_name = 'strata strata-c highAvailability=false'");
            s.execute("SELECT pg_advisory_lock_shared(" + JdbcStateStore.SHARED_WRITERS_MODE_LOCK + ")");
            assertThat(pg.terminate("strata strata-a highAvailability=true")).isEqualTo(1);
            // strata-a takes its mode lock again, finds strata-c, gives the leadership up, and strata-b is elected
            long until = System.nanoTime() + 20_000_000_000L;
            while ((a.leadership().isLeader() || !b.leadership().isLeader()) && System.nanoTime() < until) {
                Thread.sleep(interval);
            }
            assertThat(a.leadership().isLeader()).as("strata-a, which cannot write, does not lead").isFalse();
            assertThat(b.leadership().isLeader()).as("strata-b, which holds its mode lock, is elected").isTrue();
            assertThat(a.clusterStatus().writesRefused()).contains("instance strata-c runs on it with highAvailability = false");
            assertThatThrownBy(a::requireLeader).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-c runs on it with highAvailability = false")
                    .hasMessageContaining("; the leader is strata-b at ");

            assertThatThrownBy(() -> engine.undeploy("d-1", "alice")).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-a does not deploy: instance strata-a refuses writes with highAvailability = true")
                    .hasMessageContaining("instance strata-c runs on it with highAvailability = false")
                    .hasMessageContaining("; the leader is strata-b at ")
                    .hasMessageNotContaining("is a follower")
                    .satisfies(e -> assertThat(((NotLeaderException) e).leaderId()).isEqualTo("strata-b"));
        } finally {
            closeAll(stores);
        }
    }

    /**
     * {@code writeQueueLimit} and {@code writeQueueWait} bound the writes waiting for the store's writer: with the writer held
     * (another writer's transaction holds the lock that orders them), 100 writes wait, and the next one, after 200 ms without
     * room, fails, not stored; once the writer goes on, every write that waited is stored. Before, the queue held 10,000
     * writes whatever the configuration said, and a write waited 10 s for room.
     */
    @Test
    void theWriteQueueHoldsTheConfiguredNumberOfWritesAndTheNextWaitsTheConfiguredTime() throws Exception {
        String url = pg.newDatabase("writequeue_" + DATABASES.incrementAndGet());
        JdbcStateStore a = Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("a")), "strata-a", false, "1s",
                Map.of("writeQueueLimit", 100, "writeQueueWait", "200ms")));
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + JdbcStateStore.SHARED_WRITERS_LOCK + ")");
            List<java.util.concurrent.CompletableFuture<dev.strata.platform.audit.LogRecord>> writes = new ArrayList<>();
            writes.add(a.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("n", 0))));
            long until = System.nanoTime() + 20_000_000_000L;
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata strata-a' AND wait_event_type = 'Lock'";
            while (count(s, waiting) == 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(count(s, waiting)).as("strata-a's writer waits for the lock with the first write").isEqualTo(1);
            for (int i = 1; i <= 100; i++) {
                writes.add(a.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("n", i))));
            }
            var refused = a.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("n", "one too many")));
            assertThat(refused).as("failed once its wait for room was over, not queued").isCompletedExceptionally();
            assertThatThrownBy(() -> StateStoreContract.join(refused)).isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .hasMessageContaining("has 100 writes waiting for its writer, and no room came within 200 ms")
                    .hasMessageContaining("this write is not stored");
            assertThat(writes).noneMatch(java.util.concurrent.CompletableFuture::isDone);
            s.execute("SELECT pg_advisory_unlock(" + JdbcStateStore.SHARED_WRITERS_LOCK + ")");
            for (var w : writes) {
                StateStoreContract.join(w);
            }
            assertThat(a.provenance().head().seq()).isEqualTo(101);
        } finally {
            a.close();
        }
    }

    /**
     * {@code electionStartWait} is how long a start waits for the first election round: with the round held (another
     * session holds the leader row) and the wait set to 10 minutes, the start is still waiting past the default 5 s, and
     * once the row is free the round elects the instance and the start ends with it leading. Before, the start went on as a
     * follower after 5 s whatever the configuration said.
     */
    @Test
    void aStartWaitsForTheFirstElectionRoundAsLongAsElectionStartWaitSays() throws Exception {
        String url = pg.newDatabase("startwait_" + DATABASES.incrementAndGet());
        Path dir = Files.createDirectories(etc.resolve("a"));
        Stores.postgres(Stores.postgresSettings(pg, url, dir, "strata-schema", false, "1h")).close(); // the schema
        StoreSettings settings = Stores.postgresSettings(pg, url, dir, "strata-a", true, "1h", Map.of("electionStartWait", "10m"));
        AtomicReference<JdbcStateStore> opened = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread starting = new Thread(() -> {
            try {
                opened.set(Stores.postgres(settings));
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "starting");
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            admin.setAutoCommit(false);
            s.executeQuery("SELECT epoch FROM cluster_leader WHERE id = 1 FOR UPDATE").close();
            starting.start();
            starting.join(DatabaseLeadership.START_WAIT.toMillis() + 3000);
            assertThat(starting.isAlive()).as("the start still waits for its first election round past the default wait").isTrue();
            admin.rollback();
            starting.join(60_000);
            assertThat(failed.get()).isNull();
            assertThat(opened.get()).isNotNull();
            assertThat(opened.get().leadership().isLeader()).as("the first round, waited for, elected it").isTrue();
        } finally {
            starting.join(60_000);
            if (opened.get() != null) {
                opened.get().close();
            }
        }
    }

    /**
     * A connection whose {@code isValid} (the mode lock's check) first tells {@code checking} which thread checks, then hangs
     * until {@code answer} opens, as a check on a failing network hangs until its timeout; the rest goes to {@code real}.
     */
    static java.sql.Connection hangingCheck(java.sql.Connection real, AtomicReference<Thread> checking, CountDownLatch checked,
            CountDownLatch answer) {
        return around(java.sql.Connection.class, real, (method, args, call) -> {
            if (method.equals("isValid")) {
                checking.set(Thread.currentThread());
                checked.countDown();
                answer.await(60, TimeUnit.SECONDS);
            }
            Object result = call.proceed();
            if (method.equals("close")) {
                answer.countDown(); // a check hanging on this connection ends when it is closed
            }
            return result;
        });
    }

    /**
     * The check of the mode lock, due before a batch writes, runs while its instance holds no lock another writer waits for:
     * it ran after the shared writers' commit lock was taken, so a check hanging on a failing network (up to its timeout) held
     * every other instance's writes meanwhile.
     */
    @Test
    void aModeCheckThatHangsDoesNotHoldAnotherWritersWrites() throws Exception {
        String url = pg.newDatabase("modecheckhangs_" + DATABASES.incrementAndGet());
        long interval = 100;
        List<JdbcStateStore> stores = instances(url, 2, false, interval + "ms");
        JdbcStateStore a = stores.get(0);
        JdbcStateStore b = stores.get(1);
        AtomicReference<Thread> checking = new AtomicReference<>();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            // another writer's long transaction holds the lock that orders the shared writers: strata-a's batch waits for it
            s.execute("SELECT pg_advisory_lock(" + JdbcStateStore.SHARED_WRITERS_LOCK + ")");
            var held = a.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("by", "strata-a")));
            long until = System.nanoTime() + 10_000_000_000L;
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata strata-a' AND wait_event_type = 'Lock'";
            while (count(s, waiting) == 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(count(s, waiting)).as("strata-a's batch waits for the lock").isEqualTo(1);
            long waitingSince = System.nanoTime();
            // strata-a's next check of its mode lock hangs until the test lets it answer
            a.wrapModeConnection(real -> hangingCheck(real, checking, checked, answer));
            // the batch waits longer than strata-a's check interval, so a check is due once it has the lock
            Thread.sleep(Math.max(0, 2 * interval - (System.nanoTime() - waitingSince) / 1_000_000));
            s.execute("SELECT pg_advisory_unlock(" + JdbcStateStore.SHARED_WRITERS_LOCK + ")");
            assertThat(checked.await(30, TimeUnit.SECONDS)).as("strata-a checks its mode lock").isTrue();
            // while that check hangs, strata-b writes: nothing of strata-a's holds the lock
            long seq = b.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("by", "strata-b")))
                    .get(30, TimeUnit.SECONDS).seq();
            assertThat(answer.getCount()).as("strata-a's check still hangs").isEqualTo(1);
            // once the check answers, strata-a's write is stored after strata-b's
            answer.countDown();
            assertThat(StateStoreContract.join(held).seq()).isGreaterThan(seq);
        } finally {
            answer.countDown();
            closeAll(stores);
        }
    }

    /**
     * The interval between checks of the mode lock counts from the end of a check: counted from its start, a check that took
     * longer than the interval (a slow network) made the next one due as soon as it ended, so the batch written right after it
     * checked the lock once more before writing (and, after its lock wait, let the lock go and took it again).
     */
    @Test
    void aWriteRightAfterASlowModeCheckDoesNotCheckAgain() throws Exception {
        String url = pg.newDatabase("slowmodecheck_" + DATABASES.incrementAndGet());
        long interval = 5_000;
        JdbcStateStore a = instances(url, 1, false, interval + "ms").get(0);
        AtomicInteger checks = new AtomicInteger();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try {
            a.wrapModeConnection(real -> around(java.sql.Connection.class, real, (method, args, call) -> {
                if (method.equals("isValid") && checks.incrementAndGet() == 1) {
                    checked.countDown();
                    answer.await(60, TimeUnit.SECONDS); // the first check answers only after more than an interval
                }
                return call.proceed();
            }));
            assertThat(checked.await(30, TimeUnit.SECONDS)).as("strata-a's writer checks its mode lock").isTrue();
            Thread.sleep(interval + 500); // the check takes longer than the interval
            var held = a.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("by", "strata-a")));
            answer.countDown();
            StateStoreContract.join(held);
            assertThat(checks.get()).as("the write, made within an interval of the check's end, checks the mode lock no more").isEqualTo(1);
        } finally {
            answer.countDown();
            closeAll(List.of(a));
        }
    }

    /**
     * A close of the store while the check of its mode lock hangs ends the check by closing its connection, and that is no
     * loss of the mode lock: no warning says so, and no new connection takes the lock again.
     */
    @Test
    void closingWhileTheModeCheckHangsLogsNoLossOfTheModeLock() throws Exception {
        String url = pg.newDatabase("modecheckclose_" + DATABASES.incrementAndGet());
        Path a = Files.createDirectories(etc.resolve("a"));
        JdbcStateStore shared = Stores.postgres(Stores.postgresSettings(pg, url, a, "strata-a", false, "100ms"));
        AtomicReference<Thread> checking = new AtomicReference<>();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            try {
                // the writer's idle check of the mode lock hangs (a failing network) until its connection is closed
                shared.wrapModeConnection(real -> hangingCheck(real, checking, checked, answer));
                assertThat(checked.await(30, TimeUnit.SECONDS)).as("the writer checks its mode lock").isTrue();
            } finally {
                shared.close();
            }
            checking.get().join(30_000);
            assertThat(checking.get().isAlive()).as("the writer ended").isFalse();
            assertThat(log.text()).doesNotContain("The connection holding the mode of instance strata-a");
        } finally {
            answer.countDown();
        }
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement s = admin.createStatement()) {
            assertThat(lockHolders(s, "strata strata-a highAvailability=false")).isEmpty();
        }
    }

    @Test
    void aDeposedLeaderIsFencedByTheDatabase() throws Exception {
        // a long interval: the rounds run only when the test says
        List<JdbcStateStore> stores = instances(pg.newDatabase("fence_" + DATABASES.incrementAndGet()), 2, true, "1h");
        try {
            JdbcStateStore a = stores.get(0);
            JdbcStateStore b = stores.get(1);
            assertThat(a.leadership().isLeader()).isTrue();
            assertThat(b.leadership().isLeader()).isFalse();
            long epochA = a.leadership().epoch();
            StateStoreContract.join(a.ledger().commit(0, Capacity.one("a-1", "node-0", "gpu0"), null, null));
            // A's lock session dies (a network cut, say); A has not noticed yet
            assertThat(pg.terminate("strata strata-a leadership")).isEqualTo(1);
            // B's next rounds (the terminated session may take a moment to end and free the lock)
            long until = System.nanoTime() + 15_000_000_000L;
            while (!b.leadership().isLeader() && System.nanoTime() < until) {
                ((DatabaseLeadership) b.leadership()).tickNow();
                Thread.sleep(50);
            }
            assertThat(b.leadership().isLeader()).isTrue();
            assertThat(b.leadership().epoch()).isGreaterThan(epochA);
            assertThat(a.leadership().isLeader()).as("A still believes it leads").isTrue();
            // A's write reaches the database, which refuses it: the epoch moved
            assertThatThrownBy(() -> StateStoreContract.join(a.ledger().commit(1, Capacity.one("a-2", "node-0", "gpu1"), null, null)))
                    .isInstanceOf(NotLeaderException.class).hasMessageContaining("the leader is strata-b");
            assertThat(a.leadership().isLeader()).as("A stepped down").isFalse();
            assertThat(b.ledger().load().allocations()).extracting(Allocation::id).containsExactly("a-1");
            StateStoreContract.join(b.ledger().commit(1, Capacity.one("a-3", "node-0", "gpu1"), null, null));
        } finally {
            closeAll(stores);
        }
    }

    /**
     * A leader's close has freed the leadership lock by the time it returns. Before, only closing the connection freed it,
     * and the database ends the session after the client's close has returned, so a follower's round right after the
     * leader stopped could still find the lock taken and stay a follower for one more interval (seen on a loaded machine:
     * {@link #aLeaderThatStopsGivesTheLeadershipUpSoThatNoFollowerNamesIt} found strata-b not elected by its next round).
     * Checked from another session through {@code pg_locks}, over several stops, since the window is short.
     */
    @Test
    void aLeaderThatStopsHasFreedTheLeadershipLockWhenItsCloseReturns() throws Exception {
        String url = pg.newDatabase("unlock_" + DATABASES.incrementAndGet());
        String held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                + "AND classid::bigint * 4294967296 + objid::bigint = " + DatabaseLeadership.LEADER_LOCK;
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement admin = connection.createStatement()) {
            for (int i = 0; i < 20; i++) {
                JdbcStateStore a = instances(url, 1, true, "1h").get(0);
                assertThat(a.leadership().isLeader()).isTrue();
                assertThat(count(admin, held)).as("the lock held while it leads").isEqualTo(1);
                a.close();
                assertThat(count(admin, held)).as("the lock held once the close of stop " + (i + 1) + " returned").isZero();
            }
        }
    }

    /** A data source that hands out {@code real}'s connections, each through {@code wrap}, and keeps the last in {@code handed}. */
    static javax.sql.DataSource handing(javax.sql.DataSource real, java.util.function.UnaryOperator<java.sql.Connection> wrap,
            AtomicReference<java.sql.Connection> handed) {
        return around(javax.sql.DataSource.class, real, (method, args, call) -> {
            Object out = call.proceed();
            if (method.equals("getConnection")) {
                java.sql.Connection c = wrap.apply((java.sql.Connection) out);
                handed.set(c);
                return c;
            }
            return out;
        });
    }

    /**
     * A leader whose session no longer holds the leadership lock steps down at its next round. Here the lock is freed
     * behind its back on its own connection, as a session changed under it (a transaction-mode pooler between it and
     * PostgreSQL) would not hold it either. Before, the round checked the lock by {@code SELECT 1} on the connection,
     * which still answered: the instance went on leading while another took the lock and was elected.
     */
    @Test
    void aLeaderWhoseSessionNoLongerHoldsTheLockStepsDownAtItsNextRound() throws Exception {
        String url = pg.newDatabase("lockgone_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-a", false, "1h");
        Stores.postgres(settings).close(); // the schema
        javax.sql.DataSource real = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        AtomicReference<java.sql.Connection> handed = new AtomicReference<>();
        DatabaseLeadership a = new DatabaseLeadership(handing(real, c -> c, handed), "strata-a", "strata-a.example:8101",
                java.time.Duration.ofHours(1), java.time.Clock.systemUTC());
        DatabaseLeadership b = new DatabaseLeadership(real, "strata-b", "strata-b.example:8101", java.time.Duration.ofHours(1),
                java.time.Clock.systemUTC());
        try {
            a.tickNow();
            assertThat(a.isLeader()).as("strata-a, alone, leads after its first round").isTrue();
            long epochA = a.epoch();
            try (java.sql.Statement s = handed.get().createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT pg_advisory_unlock(" + DatabaseLeadership.LEADER_LOCK + ")")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("strata-a's session held the lock").isTrue();
            }
            a.tickNow();
            assertThat(a.isLeader()).as("strata-a, whose session no longer holds the lock, has stepped down").isFalse();
            b.tickNow();
            assertThat(b.isLeader()).as("strata-b takes the free lock").isTrue();
            assertThat(b.epoch()).isGreaterThan(epochA);
            a.tickNow();
            assertThat(a.isLeader()).as("strata-a follows").isFalse();
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * A leader that cannot write gives the leadership up and has freed the lock by the time its round returns, also where
     * clearing the record of the leader failed (here its statement fails on the leader's connection). Before, the lock was
     * freed explicitly only where the record was cleared; else only closing the connection freed it, once the database had
     * ended the session, after the round had returned. Checked from another session through {@code pg_locks}, over several
     * rounds, since that window is short.
     */
    @Test
    void aLeaderThatCannotWriteHasFreedTheLockWhenItsRoundReturnsThoughClearingTheRecordFailed() throws Exception {
        String url = pg.newDatabase("unclearable_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-a", false, "1h");
        Stores.postgres(settings).close(); // the schema
        javax.sql.DataSource real = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        // the leader's connection fails the statement that clears the record of the leader, and only that one
        java.util.function.UnaryOperator<java.sql.Connection> failingClear = c -> around(java.sql.Connection.class, c, (method, args, call) -> {
            if (method.equals("prepareStatement") && ((String) args[0]).startsWith("UPDATE cluster_leader SET instance_id = NULL")) {
                throw new java.sql.SQLException("canceling statement due to lock timeout", "55P03");
            }
            return call.proceed();
        });
        String held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                + "AND classid::bigint * 4294967296 + objid::bigint = " + DatabaseLeadership.LEADER_LOCK;
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Statement admin = connection.createStatement()) {
            for (int i = 0; i < 20; i++) {
                AtomicReference<String> refusal = new AtomicReference<>();
                DatabaseLeadership a = new DatabaseLeadership(handing(real, failingClear, new AtomicReference<>()), "strata-a",
                        "strata-a.example:8101", java.time.Duration.ofHours(1), java.time.Clock.systemUTC(), refusal::get);
                try {
                    a.tickNow();
                    assertThat(a.isLeader()).isTrue();
                    assertThat(count(admin, held)).as("the lock held while it leads").isEqualTo(1);
                    refusal.set("the lock that marks the mode is lost");
                    a.tickNow();
                    assertThat(a.isLeader()).as("it gives the leadership up").isFalse();
                    assertThat(count(admin, held)).as("the lock held once round " + (i + 1) + " that gave it up returned").isZero();
                } finally {
                    a.close();
                }
            }
        }
    }

    /**
     * A leader that stops normally gives the leadership up as its store closes: once the close returned, before any further
     * election round, a follower names it neither in its refusals nor in its status (an election is under way), and shows it
     * stopped; the follower's next round elects it. Before, the record still named the stopped leader until that round, and
     * the follower sent callers to an instance that was gone.
     */
    @Test
    void aLeaderThatStopsGivesTheLeadershipUpSoThatNoFollowerNamesIt() throws Exception {
        // a long interval: the rounds after the first run only when the test says
        List<JdbcStateStore> stores = instances(pg.newDatabase("stop_" + DATABASES.incrementAndGet()), 2, true, "1h");
        try {
            JdbcStateStore a = stores.get(0);
            JdbcStateStore b = stores.get(1);
            assertThat(a.leadership().isLeader()).isTrue();
            long epochA = a.leadership().epoch();
            assertThatThrownBy(b::requireLeader).isInstanceOf(NotLeaderException.class).hasMessageContaining("the leader is strata-a");
            assertThat(b.clusterStatus().leader()).isEqualTo("strata-a");

            a.close();

            assertThat(b.leadership().isLeader()).as("strata-b has had no round since").isFalse();
            assertThatThrownBy(b::requireLeader).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-b is not the leader and no leader is known yet (an election is under way)")
                    .satisfies(e -> assertThat(((NotLeaderException) e).leaderId()).isNull());
            assertThatThrownBy(() -> StateStoreContract.join(b.ledger().commit(0, Capacity.one("b-0", "node-0", "gpu0"), null, null)))
                    .isInstanceOf(NotLeaderException.class).hasMessageNotContaining("strata-a");
            ClusterStatus status = b.clusterStatus();
            assertThat(status.leader()).isNull();
            assertThat(status.leaderAddress()).isNull();
            assertThat(status.instances()).extracting(i -> i.id() + " " + i.role() + " " + i.alive())
                    .containsExactlyInAnyOrder("strata-a stopped false", "strata-b follower true");

            // strata-b's next round elects it, in a later epoch
            ((DatabaseLeadership) b.leadership()).tickNow();
            assertThat(b.leadership().isLeader()).isTrue();
            assertThat(b.leadership().epoch()).isGreaterThan(epochA);
            assertThat(b.clusterStatus().leader()).isEqualTo("strata-b");
            StateStoreContract.join(b.ledger().commit(0, Capacity.one("b-1", "node-0", "gpu0"), null, null));
        } finally {
            closeAll(stores);
        }
    }

    /**
     * A follower's deployment engine refuses a deploy naming the leader as the database records it, as the store's own
     * refusals do: right after the leader stopped (and cleared the record) it names none, where before it named the stopped
     * leader its last election round read, up to one election interval old.
     */
    @Test
    void aFollowersDeploymentEngineNamesNoLeaderOnceTheLeaderStopped() throws Exception {
        // a long interval: the rounds after the first run only when the test says
        List<JdbcStateStore> stores = instances(pg.newDatabase("deploystop_" + DATABASES.incrementAndGet()), 2, true, "1h");
        try (dev.strata.platform.core.deployment.DeploymentEngine engine = new dev.strata.platform.core.deployment.DeploymentEngine(
                stores.get(1), null, null, null, null, dev.strata.platform.core.deployment.DeploymentSettings.DEFAULTS,
                java.time.Clock.systemUTC())) {
            JdbcStateStore a = stores.get(0);
            assertThat(a.leadership().isLeader()).isTrue();
            assertThatThrownBy(() -> engine.undeploy("d-1", "alice")).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-b is a follower and does not deploy; the leader is strata-a at ")
                    .satisfies(e -> assertThat(((NotLeaderException) e).leaderId()).isEqualTo("strata-a"));

            a.close();

            assertThat(stores.get(1).leadership().isLeader()).as("strata-b has had no round since").isFalse();
            assertThatThrownBy(() -> engine.undeploy("d-1", "alice")).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("instance strata-b does not deploy: ")
                    .hasMessageContaining("no leader is known yet (an election is under way)")
                    .hasMessageNotContaining("strata-a")
                    .satisfies(e -> assertThat(((NotLeaderException) e).leaderId()).isNull())
                    .satisfies(e -> assertThat(((NotLeaderException) e).leaderAddress()).isNull());
        } finally {
            closeAll(stores);
        }
    }

    /**
     * A follower's refusals read the leader's record on one thread the store keeps, started at the first refusal. Before,
     * each read started a thread of its own, so a caller retrying a refused write in a loop made the follower start a
     * thread per try.
     */
    @Test
    void aFollowersRefusalsReadTheLeaderOnOneThreadOfTheStore() throws Exception {
        // a long interval: no round runs during the test
        List<JdbcStateStore> stores = instances(pg.newDatabase("readthread_" + DATABASES.incrementAndGet()), 2, true, "1h");
        try {
            JdbcStateStore b = stores.get(1);
            assertThat(stores.get(0).leadership().isLeader()).isTrue();
            assertThatThrownBy(b::requireLeader).isInstanceOf(NotLeaderException.class).hasMessageContaining("the leader is strata-a");
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long startedBefore = threads.getTotalStartedThreadCount();
            // the record's address changes before each refusal: each is answered by a read of its own
            for (int i = 0; i < 20; i++) {
                String address = "strata-a-" + i + ".example:8101";
                b.read(c -> {
                    try (java.sql.PreparedStatement p = c.prepareStatement("UPDATE cluster_leader SET address = ? WHERE id = 1")) {
                        p.setString(1, address);
                        return p.executeUpdate();
                    }
                });
                long deadline = System.currentTimeMillis() + 5000;
                String message = "";
                while (!message.contains(address) && System.currentTimeMillis() < deadline) {
                    try {
                        b.requireLeader();
                    } catch (NotLeaderException e) {
                        message = e.getMessage();
                    }
                }
                assertThat(message).contains("the leader is strata-a at " + address);
            }
            long started = threads.getTotalStartedThreadCount() - startedBefore;
            assertThat(started).as("threads started in this JVM during 20 refusals that each read the record").isLessThan(10);
            assertThat(leaderReadThreads("strata-b")).as("strata-b's leader-read threads").isEqualTo(1);

            b.close();
            long deadline = System.currentTimeMillis() + 5000;
            while (leaderReadThreads("strata-b") != 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(leaderReadThreads("strata-b")).as("strata-b's leader-read threads once it closed").isZero();
            // a refusal of the closed store starts no read and is still a refusal
            assertThatThrownBy(b::requireLeader).isInstanceOf(NotLeaderException.class);
        } finally {
            closeAll(stores);
        }
    }

    /**
     * A read of the leader's record stuck on a database that does not answer (here another session locks
     * {@code cluster_leader}; with a one-hour interval the connection's network timeout is three hours) holds no refusal
     * past {@link JdbcStateStore#LEADER_READ_WAIT}: the refusals meanwhile share that one read, none queued behind it, and
     * name the leader the last round read. Once the database answers, refusals name the leader as it records it again.
     */
    @Test
    void refusalsWhileTheLeaderReadIsStuckWaitTheBoundEachAndShareOneRead() throws Exception {
        String url = pg.newDatabase("readstuck_" + DATABASES.incrementAndGet());
        List<JdbcStateStore> stores = instances(url, 2, true, "1h");
        try (java.sql.Connection holder = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                java.sql.Connection watcher = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD)) {
            JdbcStateStore b = stores.get(1);
            assertThat(stores.get(0).leadership().isLeader()).isTrue();
            holder.setAutoCommit(false);
            try (java.sql.Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE cluster_leader IN ACCESS EXCLUSIVE MODE");
            }
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                assertThatThrownBy(b::requireLeader).isInstanceOf(NotLeaderException.class).hasMessageContaining("the leader is strata-a");
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(tookMs).as("refusal " + i + " while the read is stuck, in ms")
                        .isLessThan(JdbcStateStore.LEADER_READ_WAIT.toMillis() + 500);
            }
            try (java.sql.Statement s = watcher.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM "
                    + "pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM cluster_leader%'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("reads of the leader waiting for the lock").isEqualTo(1);
            }
            assertThat(leaderReadThreads("strata-b")).as("strata-b's leader-read threads").isEqualTo(1);

            // the database answers again, the leader having given the leadership up meanwhile
            try (java.sql.Statement s = holder.createStatement()) {
                s.executeUpdate("UPDATE cluster_leader SET instance_id = NULL, address = NULL, since_ms = NULL WHERE id = 1");
            }
            holder.commit();
            long deadline = System.currentTimeMillis() + 10_000;
            String message = "";
            while (!message.contains("no leader is known yet") && System.currentTimeMillis() < deadline) {
                try {
                    b.requireLeader();
                } catch (NotLeaderException e) {
                    message = e.getMessage();
                }
            }
            assertThat(message).contains("instance strata-b is not the leader and no leader is known yet");
        } finally {
            closeAll(stores);
        }
    }

    /** The live threads that read the leader's record for refusals of the instance. */
    static long leaderReadThreads(String instance) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals("strata-leader-read-" + instance))
                .count();
    }

    /**
     * Whether an instance is alive is judged by its own election interval, which it writes with its heartbeat. Before,
     * each instance judged the others by its own interval, so instances whose intervals differ showed each other as gone:
     * here strata-a (200 ms) read strata-b (one hour), last seen a minute ago, as gone though its next heartbeat is not due
     * for an hour. A row of an earlier version has no interval, and is judged by the reader's, as before.
     */
    @Test
    void instancesWhoseElectionIntervalsDifferEachSeeTheOtherAlive() throws Exception {
        String url = pg.newDatabase("intervals_" + DATABASES.incrementAndGet());
        List<JdbcStateStore> stores = new ArrayList<>();
        try {
            stores.add(Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("a")), "strata-a", true, "200ms")));
            stores.add(Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("b")), "strata-b", true, "1h")));
            JdbcStateStore a = stores.get(0);
            JdbcStateStore b = stores.get(1);
            // strata-b's last heartbeat a minute ago: within its own interval, past five of strata-a's (and the 5 s floor)
            a.read(c -> {
                try (java.sql.Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE cluster_instance SET seen_ms = seen_ms - 60000 WHERE id = 'strata-b'");
                }
            });
            assertThat(a.clusterStatus().instances()).extracting(i -> i.id() + " " + i.alive())
                    .containsExactlyInAnyOrder("strata-a true", "strata-b true");
            assertThat(b.clusterStatus().instances()).extracting(i -> i.id() + " " + i.alive())
                    .containsExactlyInAnyOrder("strata-a true", "strata-b true");

            // the same row as an earlier version wrote it, without an interval: judged by strata-a's
            a.read(c -> {
                try (java.sql.Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE cluster_instance SET interval_ms = NULL WHERE id = 'strata-b'");
                }
            });
            assertThat(a.clusterStatus().instances()).extracting(i -> i.id() + " " + i.role() + " " + i.alive())
                    .contains("strata-b gone false");
        } finally {
            closeAll(stores);
        }
    }

    /**
     * The epoch fence refuses a write in an epoch whose leader gave the leadership up (the record names no leader at that
     * epoch), as it refuses one of an earlier epoch: a batch the stopped leader's writer was stuck in, or a write of a leader
     * that gives the leadership up because it cannot write, does not commit after the leadership was given up. Before, the
     * fence compared the epoch alone, which giving the leadership up leaves as it was.
     */
    @Test
    void aWriteInAnEpochWhoseLeadershipWasGivenUpIsFenced() throws Exception {
        List<JdbcStateStore> stores = instances(pg.newDatabase("givenup_" + DATABASES.incrementAndGet()), 1, true, "1h");
        try {
            JdbcStateStore a = stores.get(0);
            assertThat(a.leadership().isLeader()).isTrue();
            long epochA = a.leadership().epoch();
            StateStoreContract.join(a.ledger().commit(0, Capacity.one("a-1", "node-0", "gpu0"), null, null));
            // the record is cleared at strata-a's epoch, as giving the leadership up clears it; strata-a still believes it leads
            a.read(c -> {
                try (java.sql.PreparedStatement p = c.prepareStatement("UPDATE cluster_leader SET instance_id = NULL, address = NULL, "
                        + "since_ms = NULL WHERE id = 1 AND epoch = ?")) {
                    p.setLong(1, epochA);
                    return p.executeUpdate();
                }
            });
            assertThat(a.leadership().isLeader()).isTrue();
            assertThatThrownBy(() -> StateStoreContract.join(a.ledger().commit(1, Capacity.one("a-2", "node-0", "gpu1"), null, null)))
                    .isInstanceOf(NotLeaderException.class).hasMessageContaining("no leader is known yet");
            assertThat(a.leadership().isLeader()).as("strata-a stepped down").isFalse();
            assertThat(a.ledger().load().allocations()).extracting(Allocation::id).containsExactly("a-1");
        } finally {
            closeAll(stores);
        }
    }

    /**
     * Closing a leader while the database does not answer the statement that gives the leadership up (here another session
     * holds the {@code cluster_leader} row, so the statement waits for its lock; with a one-hour interval the connection's
     * network timeout is three hours): the close still returns within its wait.
     */
    @Test
    void closingALeaderWhoseDatabaseDoesNotAnswerEndsWithinItsWait() throws Exception {
        String url = pg.newDatabase("hung_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-hung", false, "1s");
        Stores.postgres(settings).close(); // the schema
        javax.sql.DataSource direct = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        DatabaseLeadership election = new DatabaseLeadership(direct, "strata-hung", "hung.example:8101", java.time.Duration.ofHours(1),
                java.time.Clock.systemUTC());
        election.start();
        assertThat(election.isLeader()).isTrue();
        java.time.Duration wait = java.time.Duration.ofSeconds(2);
        Thread closing = new Thread(() -> election.close(wait), "closing");
        try (java.sql.Connection holder = direct.getConnection(); java.sql.Connection watcher = direct.getConnection()) {
            holder.setAutoCommit(false);
            try (java.sql.Statement s = holder.createStatement()) {
                s.executeQuery("SELECT 1 FROM cluster_leader WHERE id = 1 FOR UPDATE").close();
            }
            long started = System.nanoTime();
            closing.start();
            closing.join(wait.toMillis() + 10_000);
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(closing.isAlive()).as("the close, after " + tookMs + " ms").isFalse();
            assertThat(election.isLeader()).isFalse();
            // the server ends the session whose client went once its wait is over, freeing the lock
            holder.rollback();
            assertThat(advisoryLocksHeldOnceFreed(watcher)).as("leadership locks held once the session ended").isZero();
        } finally {
            closing.join(60_000);
        }
    }

    @Test
    void failoverWithinTheBoundLosesNoAcknowledgedWrite() throws Exception {
        List<JdbcStateStore> stores = instances(pg.newDatabase("failover_" + DATABASES.incrementAndGet()), 3, true, "500ms");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lastAck = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        try {
            Thread.sleep(1200);
            for (int t = 0; t < 3; t++) {
                int salt = t;
                Thread w = new Thread(() -> {
                    while (!stop.get()) {
                        JdbcStateStore s = leader(stores);
                        if (s == null) {
                            sleep(50);
                            continue;
                        }
                        try {
                            LedgerState state = s.ledger().load();
                            String[] gpu = Capacity.freeGpu(state.allocations(), 100, salt);
                            if (gpu == null) {
                                return;
                            }
                            String id = s.ledger().nextId();
                            StateStoreContract.join(s.ledger().commit(state.generation(), Capacity.one(id, gpu[0], gpu[1]), null,
                                    ProvenanceEntry.of("placement", "test", Map.of("gpu", gpu[1]), "allocation", id)));
                            acknowledged.add(id);
                            lastAck.set(System.nanoTime());
                        } catch (StaleLedgerException | NotLeaderException e) {
                            sleep(20);
                        } catch (RuntimeException e) {
                            // a write in flight when the leader went away: not acknowledged
                            if (!(e instanceof dev.strata.platform.api.exception.StateStoreException)) {
                                unexpected.add(e);
                            }
                            sleep(20);
                        }
                    }
                });
                writers.add(w);
                w.start();
            }
            Thread.sleep(1500);
            JdbcStateStore old = leader(stores);
            int before = acknowledged.size();
            assertThat(before).isGreaterThan(0);
            // kill the leader: its lock session and its pool go, as when its process dies
            long killed = System.nanoTime();
            old.close();
            long newLeaderAt = 0;
            while (System.nanoTime() - killed < 30_000_000_000L) {
                JdbcStateStore l = leader(stores.stream().filter(s -> s != old).toList());
                if (l != null && newLeaderAt == 0) {
                    newLeaderAt = System.nanoTime();
                }
                if (newLeaderAt != 0 && lastAck.get() > newLeaderAt) {
                    break;
                }
                Thread.sleep(20);
            }
            double leaderSeconds = (newLeaderAt - killed) / 1e9;
            double writeSeconds = (lastAck.get() - killed) / 1e9;
            System.out.printf("failover: new leader after %.2f s, first acknowledged write after %.2f s%n", leaderSeconds, writeSeconds);
            assertThat(newLeaderAt).isNotZero();
            assertThat(leaderSeconds).as("stated bound: 15 s").isLessThan(15);
            assertThat(writeSeconds).isLessThan(15);
            Thread.sleep(500);
        } finally {
            stop.set(true);
            for (Thread w : writers) {
                w.join(10_000);
            }
        }
        JdbcStateStore survivor = leader(stores.subList(1, 3)) != null ? leader(stores.subList(1, 3)) : stores.get(1);
        List<Allocation> held = survivor.ledger().load().allocations();
        assertThat(unexpected).isEmpty();
        assertThat(held).extracting(Allocation::id).containsAll(acknowledged);
        assertThat(Capacity.doubleBooked(held)).isEmpty();
        assertThat(StateStoreContract.verifyChain(survivor).holds()).isTrue();
        closeAll(stores);
    }

    @Test
    void concurrentWritersOnSeparatePoolsNeverDoubleBook() throws Exception {
        // no election: every instance writes, and only the database's generation check stands between them
        List<JdbcStateStore> stores = instances(pg.newDatabase("multi_" + DATABASES.incrementAndGet()), 4, false, "1s");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger stale = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        int nodes = 6;
        for (int t = 0; t < 8; t++) {
            JdbcStateStore s = stores.get(t % stores.size());
            int salt = t;
            Thread w = new Thread(() -> {
                while (true) {
                    try {
                        LedgerState state = s.ledger().load();
                        String[] gpu = Capacity.freeGpu(state.allocations(), nodes, salt);
                        if (gpu == null) {
                            return;
                        }
                        String id = s.ledger().nextId();
                        StateStoreContract.join(s.ledger().commit(state.generation(), Capacity.one(id, gpu[0], gpu[1]), null, null));
                        acknowledged.add(id);
                    } catch (StaleLedgerException e) {
                        stale.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e);
                        return;
                    }
                }
            });
            threads.add(w);
            w.start();
        }
        for (Thread w : threads) {
            w.join(120_000);
        }
        try {
            assertThat(failures).isEmpty();
            List<Allocation> held = stores.get(0).ledger().load().allocations();
            assertThat(held).hasSize(nodes * 8);
            assertThat(Capacity.doubleBooked(held)).isEmpty();
            assertThat(held).extracting(Allocation::id).containsExactlyInAnyOrderElementsOf(acknowledged);
            assertThat(stale.get()).as("the writers did race").isGreaterThan(0);
            System.out.printf("multi-writer: %d allocations by 8 writers on 4 pools, %d commits refused as stale%n", held.size(), stale.get());
        } finally {
            closeAll(stores);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
    /**
     * Before, an election round that threw anything but a {@code SQLException} (the driver's data
     * source failing with a runtime exception, as one does while its bundle is refreshed) ended the
     * scheduled rounds for good, silently: the instance, having stepped down, never led again, though
     * it was the only one and the database answered once more. Now such a round is logged and
     * counted as failed like any other, and the next round runs.
     */
    @Test
    void anElectionRoundThatThrowsAnUnexpectedExceptionDoesNotEndTheElection() throws Exception {
        String url = pg.newDatabase("round_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-round", false, "1s");
        Stores.postgres(settings).close(); // the schema
        javax.sql.DataSource real = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        AtomicInteger calls = new AtomicInteger();
        javax.sql.DataSource flaky = around(javax.sql.DataSource.class, real, (method, args, call) -> {
            if (method.equals("getConnection") && calls.incrementAndGet() == 2) {
                throw new IllegalStateException("Invalid BundleContext (the driver's bundle is being refreshed)");
            }
            return call.proceed();
        });
        DatabaseLeadership election = new DatabaseLeadership(flaky, "strata-round", "round.example:8101", java.time.Duration.ofMillis(100),
                java.time.Clock.systemUTC());
        try {
            election.start();
            assertThat(election.isLeader()).as("leads after the first round").isTrue();
            election.stepDown("a test deposes it");
            long deadline = System.currentTimeMillis() + 5000;
            while (!election.isLeader() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(calls.get()).as("connections asked for: the round that threw, and one after it").isGreaterThanOrEqualTo(3);
            assertThat(election.isLeader()).as("leads again after the round that threw").isTrue();
        } finally {
            election.close();
        }
    }

    /**
     * A first election round that fails beyond what the round answers for (here its connection's
     * close throws after the round failed, quoting the password with a zero-width space and a
     * line break) is logged with the text escaped and the password masked. Before, the warning
     * printed the exception's message as it was.
     */
    @Test
    void aFirstElectionRoundThatFailsIsLoggedEscapedAndMasked() throws Exception {
        String url = pg.newDatabase("firstround_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-first", false, "1s");
        Stores.postgres(settings).close(); // the schema
        javax.sql.DataSource real = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        AtomicBoolean roundFails = new AtomicBoolean(true);
        AtomicBoolean closeFails = new AtomicBoolean(true);
        javax.sql.DataSource failing = handing(real, c -> around(java.sql.Connection.class, c, (method, args, call) -> {
            if (method.equals("setNetworkTimeout") && roundFails.getAndSet(false)) {
                throw new IllegalStateException("the round fails");
            }
            Object out = call.proceed();
            if (method.equals("close") && closeFails.getAndSet(false)) {
                throw new IllegalStateException("closing \"" + PostgresCluster.PASSWORD + "\u200b\u061c\"\n2026-01-01 forged line");
            }
            return out;
        }), new AtomicReference<>());
        DatabaseLeadership election = new DatabaseLeadership(failing, "strata-first", "first.example:8101", java.time.Duration.ofHours(1),
                java.time.Clock.systemUTC());
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            election.start();
            String line = log.text().lines().filter(l -> l.contains("First leader election round failed")).findFirst().orElseThrow();
            assertThat(line).endsWith("java.lang.IllegalStateException: closing \"****\\u200b\\u061c\"\\u000a2026-01-01 forged line");
            assertThat(log.text()).doesNotContain(PostgresCluster.PASSWORD).doesNotContain("\u200b").doesNotContain("\u061c")
                    .doesNotContain("\n2026-01-01 forged line");
        } finally {
            election.close();
        }
    }

    /**
     * Closing while an election round hangs on the database: here another session holds the
     * instance's row, so the round's heartbeat waits for its lock, as on a database that does not
     * answer (with a one-hour interval the connection's network timeout is three hours). Before,
     * the close waited for the round until it ended; now it waits {@link DatabaseLeadership#CLOSE_WAIT},
     * then abandons the round, aborting its connection, which ends the round and frees the
     * leadership lock.
     */
    @Test
    void closingWhileAnElectionRoundHangsOnTheDatabaseWaitsABoundedTime() throws Exception {
        String url = pg.newDatabase("hung_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-hung", false, "1s");
        Stores.postgres(settings).close(); // the schema, and this instance's row
        javax.sql.DataSource direct = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        DatabaseLeadership election = new DatabaseLeadership(direct, "strata-hung", "hung.example:8101", java.time.Duration.ofHours(1),
                java.time.Clock.systemUTC());
        Thread round = new Thread(election::tickNow, "hung-round");
        Thread closing = new Thread(election::close, "closing");
        try (java.sql.Connection holder = direct.getConnection(); java.sql.Connection watcher = direct.getConnection()) {
            holdTheInstanceRowUntilTheRoundWaits(holder, watcher, round);
            long started = System.nanoTime();
            closing.start();
            closing.join(DatabaseLeadership.CLOSE_WAIT.toMillis() + 5000);
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(closing.isAlive()).as("the close, after " + tookMs + " ms").isFalse();
            round.join(5000);
            assertThat(round.isAlive()).as("the round whose connection was aborted").isFalse();
            assertThat(election.isLeader()).isFalse();
            // the server ends the aborted session once its wait is over (a backend waiting for a lock does not see its client go)
            holder.rollback();
            assertThat(advisoryLocksHeldOnceFreed(watcher)).as("leadership locks held once the aborted session ended").isZero();
        } finally {
            closing.join(60_000);
            round.join(10_000);
        }
    }

    /**
     * Starting while the first election round hangs on the database: another session holds the
     * {@code cluster_leader} row, so the round, having taken the leadership lock, waits to write the
     * new epoch (with a one-hour interval its connection's network timeout is three hours). Before,
     * start() waited for the round until it ended, and with it the store's opening; now it waits
     * {@link DatabaseLeadership#START_WAIT} and goes on as a follower. Once the row is free the
     * round ends, and the instance leads.
     */
    @Test
    void startingWhileTheFirstElectionRoundHangsOnTheDatabaseGoesOnAsAFollower() throws Exception {
        String url = pg.newDatabase("hung_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-hung", false, "1s");
        Stores.postgres(settings).close(); // the schema
        javax.sql.DataSource direct = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        DatabaseLeadership election = new DatabaseLeadership(direct, "strata-hung", "hung.example:8101", java.time.Duration.ofHours(1),
                java.time.Clock.systemUTC());
        Thread starting = new Thread(election::start, "starting");
        try (java.sql.Connection holder = direct.getConnection()) {
            holder.setAutoCommit(false);
            try (java.sql.Statement s = holder.createStatement()) {
                s.executeQuery("SELECT 1 FROM cluster_leader WHERE id = 1 FOR UPDATE").close();
            }
            starting.start();
            starting.join(DatabaseLeadership.START_WAIT.toMillis() + 5000);
            assertThat(starting.isAlive()).as("start() while its first round waits for the cluster_leader row").isFalse();
            assertThat(election.isLeader()).as("leads after a start whose first round has not ended").isFalse();

            holder.rollback();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!election.isLeader() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(election.isLeader()).as("leads once the round ended").isTrue();
        } finally {
            election.close();
            starting.join(60_000);
        }
    }

    /**
     * Stepping down (a write found the epoch moved) while an election round hangs on the database:
     * another session holds the instance's {@code cluster_instance} row, so the leader's round waits
     * in its heartbeat. Before, stepDown() waited for the round until it ended, and the store's
     * writer, which steps down, with it; now the epoch is given up at once, and after
     * {@link DatabaseLeadership#STEP_DOWN_WAIT} the round's connection is aborted, which frees the
     * leadership lock once the server ends the session.
     */
    @Test
    void steppingDownWhileAnElectionRoundHangsOnTheDatabaseGivesUpTheEpochWithoutWaitingForIt() throws Exception {
        String url = pg.newDatabase("hung_" + DATABASES.incrementAndGet());
        StoreSettings settings = Stores.postgresSettings(pg, url, etc, "strata-hung", false, "1s");
        Stores.postgres(settings).close(); // the schema, and this instance's row
        javax.sql.DataSource direct = DataSources.direct(settings, new org.postgresql.osgi.PGDataSourceFactory());
        DatabaseLeadership election = new DatabaseLeadership(direct, "strata-hung", "hung.example:8101", java.time.Duration.ofHours(1),
                java.time.Clock.systemUTC());
        election.start();
        assertThat(election.isLeader()).as("leads after its first round").isTrue();
        Thread round = new Thread(election::tickNow, "hung-round");
        Thread steppingDown = new Thread(() -> election.stepDown("a test deposes it"), "stepping-down");
        try (java.sql.Connection holder = direct.getConnection(); java.sql.Connection watcher = direct.getConnection()) {
            holdTheInstanceRowUntilTheRoundWaits(holder, watcher, round);

            steppingDown.start();
            steppingDown.join(DatabaseLeadership.STEP_DOWN_WAIT.toMillis() + 5000);
            assertThat(steppingDown.isAlive()).as("stepDown() while a round waits for the cluster_instance row").isFalse();
            assertThat(election.isLeader()).isFalse();
            round.join(5000);
            assertThat(round.isAlive()).as("the round whose connection was aborted").isFalse();
            // the server ends the aborted session once its wait is over (a backend waiting for a lock does not see its client go)
            holder.rollback();
            assertThat(advisoryLocksHeldOnceFreed(watcher)).as("leadership locks held once the aborted session ended").isZero();
        } finally {
            election.close();
            steppingDown.join(60_000);
            round.join(10_000);
        }
    }

    /**
     * Holds strata-hung's {@code cluster_instance} row on {@code holder}, in a transaction left open, starts {@code round}
     * and waits, up to 10 s, until its heartbeat waits for the row's lock as {@code watcher} sees it in pg_stat_activity: an
     * election round that hangs on the database, as on one that does not answer.
     */
    private static void holdTheInstanceRowUntilTheRoundWaits(java.sql.Connection holder, java.sql.Connection watcher, Thread round)
            throws Exception {
        holder.setAutoCommit(false);
        try (java.sql.Statement s = holder.createStatement()) {
            s.executeQuery("SELECT 1 FROM cluster_instance WHERE id = 'strata-hung' FOR UPDATE").close();
        }
        round.start();
        long deadline = System.currentTimeMillis() + 10_000;
        boolean waiting = false;
        while (!waiting && System.currentTimeMillis() < deadline) {
            try (java.sql.Statement s = watcher.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM "
                    + "pg_stat_activity WHERE application_name = 'strata strata-hung leadership' AND wait_event_type = 'Lock'")) {
                rs.next();
                waiting = rs.getInt(1) == 1;
            }
            Thread.sleep(50);
        }
        assertThat(waiting).as("the round waits for the row's lock").isTrue();
    }

    /**
     * The advisory locks granted, as {@code watcher} reads pg_locks, once none is or after 10 s: the server ends a session
     * whose client went only once its wait is over, and frees its leadership lock then.
     */
    private static int advisoryLocksHeldOnceFreed(java.sql.Connection watcher) throws Exception {
        int held = -1;
        long deadline = System.currentTimeMillis() + 10_000;
        while (held != 0 && System.currentTimeMillis() < deadline) {
            try (java.sql.Statement s = watcher.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM "
                    + "pg_locks WHERE locktype = 'advisory' AND granted")) {
                rs.next();
                held = rs.getInt(1);
            }
            Thread.sleep(50);
        }
        return held;
    }
}
