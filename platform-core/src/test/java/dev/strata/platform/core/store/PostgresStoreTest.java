package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.StateStoreException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The state store contract on a real PostgreSQL (a private cluster this test starts), and bad configurations. */
@ExtendWith(PostgresClusterExtension.class)
class PostgresStoreTest extends StateStoreContract {

    static PostgresCluster pg;
    static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path etc;

    private StoreSettings settings;

    @Override
    JdbcStateStore store() {
        try {
            settings = Stores.postgresSettings(pg, pg.newDatabase("contract_" + DATABASES.incrementAndGet()), etc, "pg-test", false, "1s");
            return Stores.postgres(settings);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    JdbcStateStore reopen(JdbcStateStore closed) {
        closed.close();
        return Stores.postgres(settings);
    }

    @Override
    JdbcStateStore upgradedFrom(int version, OldStore before) {
        settings = upgraded(etc, version, before);
        return Stores.postgres(settings);
    }

    /** A new database as a Strata of schema version {@code version} left it; the settings of an instance on it. */
    static StoreSettings upgraded(Path etc, int version, OldStore before) {
        try {
            String url = pg.newDatabase("v" + version + "_" + DATABASES.incrementAndGet());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD)) {
                Migrations.migrate(c, true, "an older Strata's store", migrationsUpTo(version));
                before.write(c);
            }
            return Stores.postgresSettings(pg, url, etc, "pg-test", false, "1s");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The contract on a PostgreSQL store that a Strata of schema version 7 made, upgraded when this one opened it. */
    @Nested
    class UpgradedFromVersionSeven extends StateStoreContract {

        @TempDir
        Path dir;

        private StoreSettings upgradedSettings;

        @Override
        JdbcStateStore store() {
            return upgradedFrom(7, c -> { });
        }

        @Override
        JdbcStateStore reopen(JdbcStateStore closed) {
            closed.close();
            return Stores.postgres(upgradedSettings);
        }

        @Override
        JdbcStateStore upgradedFrom(int version, OldStore before) {
            upgradedSettings = upgraded(dir, version, before);
            return Stores.postgres(upgradedSettings);
        }
    }

    @Test
    void infoNamesTheServerAndNoPassword() {
        JdbcStateStore store = store();
        assertThat(store.info().kind()).isEqualTo("postgresql");
        assertThat(store.info().durability()).isEqualTo("server");
        assertThat(store.info().toString()).doesNotContain(PostgresCluster.PASSWORD);
        assertThat(settings.toString()).doesNotContain(PostgresCluster.PASSWORD).contains("(secret)");
        store.close();
    }

    @Test
    void aWrongPasswordIsAClearErrorThatShowsNoPasswordAndWritesNothing() throws Exception {
        String url = pg.newDatabase("wrong_pw");
        Files.writeString(etc.resolve("bad"), "not-the-password-xyzzy\n");
        Map<String, Object> p = base(url);
        p.put("passwordFile", "bad");
        StoreSettings s = StoreSettings.from(Stores.config(p), etc, etc);
        assertThatThrownBy(() -> Stores.postgres(s)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("cannot open the state store at " + url + " as user strata")
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(stackText(e)).doesNotContain("not-the-password-xyzzy").doesNotContain(PostgresCluster.PASSWORD));
        // nothing half-written: the database has no table
        try (var c = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void anUnreachableServerIsAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(etc.resolve("pw"), PostgresCluster.PASSWORD);
        Map<String, Object> p = base("jdbc:postgresql://127.0.0.1:" + port + "/strata");
        p.put("passwordFile", "pw");
        p.put("connectTimeout", "2s");
        StoreSettings s = StoreSettings.from(Stores.config(p), etc, etc);
        assertThatThrownBy(() -> Stores.postgres(s)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("cannot open the state store at jdbc:postgresql://127.0.0.1:" + port + "/strata")
                .hasMessageContaining("Connection to 127.0.0.1:" + port + " refused");
    }

    /**
     * A URL that carries a user and password (settings made by hand: {@link StoreSettings#from}
     * refuses one) reaches PostgreSQL's driver, which fails with an {@code UnknownHostException}
     * for {@code strata:PASSWORD@127.0.0.1}: before, that went into the store's message (no form
     * shows it for a credential, so cleaning it left it) and, chained as it was, into every
     * stack trace logged. Now neither the message nor anything chained holds the password.
     */
    @Test
    void aPasswordInTheUrlThatTheDriverQuotesReachesNoMessageOrCause() {
        String password = "Url-" + java.util.UUID.randomUUID();
        String url = "jdbc:postgresql://strata:" + password + "@127.0.0.1:" + pg.port + "/strata";
        StoreSettings s = new StoreSettings(StoreSettings.Kind.POSTGRESQL, url, StoreSettings.shown(url), "strata", Secret.none(), 4,
                java.time.Duration.ofSeconds(2), true, false, "pg-test", "localhost", java.time.Duration.ofSeconds(1), null, 0,
                java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(5), 10_000, java.time.Duration.ofSeconds(10));
        assertThatThrownBy(() -> Stores.postgres(s)).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("cannot open the state store at jdbc:postgresql://****@127.0.0.1:" + pg.port + "/strata as user strata: ")
                .hasMessageContaining("****@127.0.0.1")
                .satisfies(e -> assertThat(stackText(e)).contains("UnknownHostException").doesNotContain(password));
    }

    /**
     * The store's password is masked where a driver quotes it before its text is shown escaped:
     * here a URL's password that holds a zero-width space and U+061C, which the driver quotes in
     * its {@code UnknownHostException}. Before, the store's message escaped the text first, so the
     * password, shown escaped, was no longer the secret the cleaning knew, and showed.
     */
    @Test
    void aPasswordHoldingAFormatCharacterIsMaskedBeforeTheTextIsEscaped() {
        String uuid = java.util.UUID.randomUUID().toString();
        String password = "Url-\u200b" + uuid + "\u061c";
        String url = "jdbc:postgresql://strata:" + password + "@127.0.0.1:" + pg.port + "/strata";
        StoreSettings s = new StoreSettings(StoreSettings.Kind.POSTGRESQL, url, StoreSettings.shown(url), "strata", Secret.none(), 4,
                java.time.Duration.ofSeconds(2), true, false, "pg-test", "localhost", java.time.Duration.ofSeconds(1), null, 0,
                java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(5), 10_000, java.time.Duration.ofSeconds(10));
        assertThatThrownBy(() -> Stores.postgres(s)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("****@127.0.0.1")
                .satisfies(e -> assertThat(e.getMessage() + stackText(e)).contains("UnknownHostException").doesNotContain(uuid)
                        .doesNotContain("\u200b").doesNotContain("\u061c"));
    }

    /**
     * What PostgreSQL quotes of a statement it refused, when a batch of writes fails on it, reaches
     * the writer's log line (before it runs the writes one by one) with each line break and format
     * character escaped and the store's password masked. Before, the line printed the driver's
     * message as it was: its line breaks (the quoted name's, and the one before "Position") forged
     * lines, the zero-width space and U+061C went out unseen, and the password showed.
     */
    @Test
    void aBatchFailureTheServerQuotesIsLoggedEscapedAndMasked() throws Exception {
        JdbcStateStore store = store();
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<Integer> holding = store.write(tx -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            });
            assertThat(running.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the first write runs").isTrue();
            // queued while the writer is held: the two run as one batch, which fails on the first
            java.util.concurrent.CompletableFuture<Integer> refused = store.write(tx -> {
                try (java.sql.Statement st = tx.connection.createStatement()) {
                    st.executeQuery("SELECT 1 FROM \"evil\n" + PostgresCluster.PASSWORD + "\u200b\u061c\"");
                }
                return 1;
            });
            java.util.concurrent.CompletableFuture<Integer> other = store.write(tx -> 2);
            release.countDown();
            assertThat(holding.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
            assertThat(other.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(refused).failsWithin(java.time.Duration.ofSeconds(30));
            String line = log.text().lines().filter(l -> l.contains("A batch of 2 writes failed")).findFirst().orElseThrow();
            assertThat(line).contains("ERROR: relation \"evil\\u000a****\\u200b\\u061c\" does not exist\\u000a  Position:")
                    .endsWith("running them one by one");
            assertThat(log.text()).doesNotContain(PostgresCluster.PASSWORD).doesNotContain("\u200b").doesNotContain("\u061c");
        } finally {
            store.close();
        }
    }

    /**
     * What PostgreSQL quotes of a statement it refused (here a table name holding a line break, an
     * ESC, a direction override and a zero-width space) reaches the store's message with each such
     * character as its escape, and the causes chained show them escaped too. Before, the line break
     * and the controls became spaces in the message, the zero-width space went out as it was, and
     * the cause was PostgreSQL's exception with all of them; later the causes were cleaned as a
     * provider's text is, which made the controls spaces and let the zero-width space through.
     */
    @Test
    void aValueTheServerQuotesIsShownPrintable() {
        JdbcStateStore store = store();
        try {
            assertThatThrownBy(() -> store.read(c -> {
                try (java.sql.Statement st = c.createStatement()) {
                    return st.executeQuery("SELECT 1 FROM \"evil\n\u001b[2J\u202eelbat\u200b\"");
                }
            })).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("failed to read: ERROR: relation \"evil\\u000a\\u001b[2J\\u202eelbat\\u200b\" does not exist")
                    .satisfies(e -> {
                        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u202e")
                                .doesNotContain("\u200b");
                        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                            assertThat(t.getMessage() + " " + t).contains("evil\\u000a\\u001b[2J\\u202eelbat\\u200b")
                                    .doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u202e").doesNotContain("\u200b");
                        }
                    });
        } finally {
            store.close();
        }
    }

    /**
     * A server that goes silent mid-statement (its processes for this store stopped with SIGSTOP,
     * as a hung host or a network that drops everything would leave them) fails the write after
     * {@code socketTimeout}, unacknowledged and not applied, instead of stopping the store's writer
     * for good (the driver waited forever); once the server answers again, writes go through.
     */
    @Test
    void aServerThatGoesSilentFailsTheWriteAfterTheSocketTimeout() throws Exception {
        Files.writeString(etc.resolve("pw"), PostgresCluster.PASSWORD);
        Map<String, Object> p = base(pg.newDatabase("silent"));
        p.put("passwordFile", "pw");
        p.put("instanceId", "pg-silent");
        p.put("socketTimeout", "5s");
        StoreSettings s = StoreSettings.from(Stores.config(p), etc, etc);
        try (JdbcStateStore store = Stores.postgres(s)) {
            join(store.tenants().put(new Tenant("before", "Before", null, Map.of()), null));
            java.util.List<Long> backends = pg.backends("strata pg-silent");
            assertThat(backends).isNotEmpty();
            signal("STOP", backends);
            long t0 = System.nanoTime();
            try {
                // (without a socket timeout the write waited for good: bounded here so that the test fails instead)
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () ->
                        assertThatThrownBy(() -> join(store.tenants().put(new Tenant("during", "During", null, Map.of()), null)))
                                .isInstanceOf(StateStoreException.class));
            } finally {
                signal("CONT", backends);
            }
            long waited = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertThat(waited).as("seconds until the write failed").isBetween(4L, 60L);
            // the server answers again: the pool replaces the connection it gave up on
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            Tenant after = null;
            while (after == null) {
                try {
                    after = join(store.tenants().put(new Tenant("after", "After", null, Map.of()), null));
                } catch (StateStoreException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            assertThat(store.tenants().list()).extracting(Tenant::id).containsExactlyInAnyOrder("before", "after");
        }
    }

    /**
     * A journal record that is not durable in time is refused, and the message says what is true:
     * the write is still queued in the store's writer and may land later (a provider recovering
     * its operations must expect the record). The table is held locked by another session, as a
     * long-running migration or an operator's maintenance would hold it.
     */
    @Test
    void aJournalWriteNotDurableInTimeSaysItMayStillBeStoredAndItIs() throws Exception {
        String url = pg.newDatabase("journal_slow");
        StoreSettings s = Stores.postgresSettings(pg, url, etc, "pg-journal", false, "1s");
        try (JdbcStateStore store = Stores.postgres(s);
                var locker = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD)) {
            StoreJournal journal = new StoreJournal(store, java.time.Duration.ofMillis(1500));
            locker.setAutoCommit(false);
            try (var st = locker.createStatement()) {
                st.execute("LOCK TABLE provider_journal IN ACCESS EXCLUSIVE MODE");
            }
            assertThatThrownBy(() -> journal.put("bmc", "op-1", "{\"phase\":\"CLAIMED\"}"))
                    .isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("the journal record of operation op-1 of provider bmc was not durable in the state store at postgresql ")
                    .hasMessageContaining("within 1.5 s")
                    .hasMessageContaining("the write is still queued and may be stored later")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PostgresCluster.PASSWORD));
            locker.commit();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (journal.get("bmc", "op-1").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(journal.get("bmc", "op-1")).as("the queued write, once the lock is gone").hasValue("{\"phase\":\"CLAIMED\"}");
        }
    }

    /**
     * Two processes started at once under one {@code instanceId} (a copied data folder, one
     * configuration given to two machines): each deletes its instance row, which is not there
     * yet, and inserts it, so the second insert meets the first's key. That start fails saying
     * so, not with the database's bare "duplicate key". The other process is a session that has
     * deleted and inserted the row and not committed yet; this start waits on it, and is let go
     * by its commit.
     */
    @Test
    void aSecondInstanceStartedAtOnceUnderTheSameInstanceIdIsToldItNeedsAnIdOfItsOwn() throws Exception {
        String url = pg.newDatabase("same_instance_id");
        StoreSettings s = Stores.postgresSettings(pg, url, etc, "twin", false, "1s");
        Stores.postgres(s).close(); // the schema
        java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (var other = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD);
                var watcher = java.sql.DriverManager.getConnection(url, "strata", PostgresCluster.PASSWORD)) {
            other.setAutoCommit(false);
            try (var st = other.createStatement()) {
                st.executeUpdate("DELETE FROM cluster_instance WHERE id = 'twin'");
                st.executeUpdate("INSERT INTO cluster_instance (id, address, started_ms, seen_ms, role) VALUES ('twin', 'twin-b.example:8101', 1, 1, 'leader')");
            }
            java.util.concurrent.Future<JdbcStateStore> starting = starter.submit(() -> Stores.postgres(s));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!waitingOnALock(watcher)) {
                assertThat(System.nanoTime()).as("this start waits on the other's uncommitted row").isLessThan(deadline);
                assertThat(starting.isDone()).as("this start ended before meeting the other's row").isFalse();
                Thread.sleep(20);
            }
            other.commit();
            assertThatThrownBy(() -> starting.get(30, java.util.concurrent.TimeUnit.SECONDS).close())
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .cause().isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("another Strata instance with instanceId 'twin' recorded itself there at the same moment; "
                            + "every instance writing to one database needs an instanceId of its own")
                    .hasMessageContaining("data/strata/instance-id")
                    .satisfies(e -> assertThat(stackText(e)).doesNotContain(PostgresCluster.PASSWORD));
        } finally {
            starter.shutdownNow();
        }
    }

    private static boolean waitingOnALock(java.sql.Connection watcher) throws java.sql.SQLException {
        try (var st = watcher.createStatement(); var rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static void signal(String signal, java.util.List<Long> pids) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        assertThat(new ProcessBuilder(command).inheritIO().start().waitFor()).as("kill -%s %s", signal, pids).isZero();
    }

    @Test
    void aMissingPasswordFileIsAConfigurationError() {
        Map<String, Object> p = base(pg.url());
        p.put("passwordFile", "nope/absent");
        assertThatThrownBy(() -> StoreSettings.from(Stores.config(p), etc, etc)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.store: passwordFile = '(not shown: its folder does not exist either; a value that names "
                        + "no file may be the secret itself, written where its file's path belongs)' is invalid; expected a readable file "
                        + "holding the database password alone (NoSuchFileException)");
    }

    static Map<String, Object> base(String url) {
        Map<String, Object> p = new HashMap<>();
        p.put("url", url);
        p.put("user", "strata");
        p.put("instanceId", "pg-test");
        p.put("highAvailability", false);
        return p;
    }

    static String stackText(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
