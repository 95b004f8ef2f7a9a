package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.testkit.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state store contract on the embedded H2 file database, and what is particular to it. */
class EmbeddedStoreTest extends StateStoreContract {

    @TempDir
    Path data;

    @Override
    JdbcStateStore store() {
        return Stores.embedded(data);
    }

    @Override
    JdbcStateStore reopen(JdbcStateStore closed) {
        closed.close();
        return Stores.embedded(data);
    }

    @Override
    JdbcStateStore upgradedFrom(int version, OldStore before) {
        return upgraded(data.resolve("v" + version), version, before);
    }

    /** An embedded store under {@code dir} as a Strata of schema version {@code version} left it, opened by this one. */
    static JdbcStateStore upgraded(Path dir, int version, OldStore before) {
        try (Connection c = Stores.embeddedDataSource(dir).getConnection()) {
            Migrations.migrate(c, false, "an older Strata's store", migrationsUpTo(version));
            before.write(c);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return Stores.embedded(dir);
    }

    /** The contract on an embedded store that a Strata of schema version 7 made, upgraded when this one opened it. */
    @Nested
    class UpgradedFromVersionSeven extends StateStoreContract {

        @TempDir
        Path dir;

        @Override
        JdbcStateStore store() {
            return upgraded(dir, 7, c -> { });
        }

        @Override
        JdbcStateStore reopen(JdbcStateStore closed) {
            closed.close();
            return Stores.embedded(dir);
        }

        @Override
        JdbcStateStore upgradedFrom(int version, OldStore before) {
            return upgraded(dir.resolve("v" + version), version, before);
        }
    }

    @Test
    void livesUnderDataAndSaysHowItIsDurable() {
        JdbcStateStore store = store();
        assertThat(store.info().kind()).isEqualTo("embedded");
        assertThat(store.info().durability()).isEqualTo("fsync");
        assertThat(store.info().location()).isEqualTo(data.resolve("strata/store.mv.db").toAbsolutePath().toString());
        assertThat(Files.isRegularFile(data.resolve("strata/store.mv.db"))).isTrue();
        assertThat(store.leadership().isLeader()).isTrue();
        assertThat(store.clusterStatus().instances()).extracting(i -> i.id() + " " + i.role()).containsExactly("test-h2 leader");
        store.close();
    }

    /**
     * A first start forces the folder that names the new store file, and the folder holding that
     * one, to disk before any write is acknowledged. H2 forces the file's content, never the
     * directory entries: a power cut soon after the first start could lose the file, and every
     * acknowledged write in it. No crash a test can cause shows that (the kernel keeps the entries
     * when a process dies), so the test watches the store's JVM with strace, where it is installed
     * and allowed, for an fsync of each folder.
     */
    @Test
    void aFirstStartForcesTheFoldersNamingTheStoreFileToDisk() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(straceWorks(), "strace, to watch the store's JVM");
        Path node = data.resolve("node");
        Path trace = data.resolve("strace.txt");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=openat,close,fsync,fdatasync", "-o", trace.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-cp", cp,
                EmbeddedFirstStartMain.class.getName(), node.toString()).redirectErrorStream(true)
                .redirectOutput(data.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).as("the store's JVM ended").isTrue();
        assertThat(Files.readString(data.resolve("out.txt"))).contains("CLOSED");
        assertThat(forced(Files.readAllLines(trace))).as("what the store's JVM forced to disk")
                .contains(node.resolve("strata").toAbsolutePath().toString(), node.toAbsolutePath().toString());
    }

    private static boolean straceWorks() {
        try {
            Process p = new ProcessBuilder("strace", "-qq", "-e", "trace=none", "true").redirectErrorStream(true).start();
            return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }

    /** The paths an strace -f log shows forced (fsync, fdatasync) through a descriptor opened by name. */
    static java.util.Set<String> forced(List<String> lines) {
        java.util.regex.Pattern open = java.util.regex.Pattern.compile("^(\\d+) +openat\\(AT_FDCWD, \"([^\"]*)\"");
        java.util.regex.Pattern resumed = java.util.regex.Pattern.compile("^(\\d+) +<\\.\\.\\. openat resumed>.*= (\\d+)");
        java.util.regex.Pattern opened = java.util.regex.Pattern.compile("\\) = (\\d+)$");
        java.util.regex.Pattern closeOrSync = java.util.regex.Pattern.compile("^\\d+ +(close|fsync|fdatasync)\\((\\d+)");
        java.util.Map<String, String> unfinished = new java.util.HashMap<>();
        java.util.Map<String, String> fds = new java.util.HashMap<>();
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String line : lines) {
            java.util.regex.Matcher m = open.matcher(line);
            if (m.find()) {
                java.util.regex.Matcher fd = opened.matcher(line);
                if (fd.find()) {
                    fds.put(fd.group(1), m.group(2));
                } else if (line.endsWith("<unfinished ...>")) {
                    unfinished.put(m.group(1), m.group(2));
                }
                continue;
            }
            m = resumed.matcher(line);
            if (m.find()) {
                String path = unfinished.remove(m.group(1));
                if (path != null) {
                    fds.put(m.group(2), path);
                }
                continue;
            }
            m = closeOrSync.matcher(line);
            if (m.find()) {
                String path = m.group(1).equals("close") ? fds.remove(m.group(2)) : fds.get(m.group(2));
                if (path != null && !m.group(1).equals("close")) {
                    out.add(path);
                }
            }
        }
        return out;
    }

    /** Closes the embedded database under {@code data} at once, as H2 does itself when it cannot write a commit (a full disk). */
    static void closeUnderTheStore(Path data) {
        try (Connection c = Stores.embeddedDataSource(data).getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN IMMEDIATELY");
        } catch (java.sql.SQLException e) {
            // closing a connection to the database just shut down may fail; the database is closed either way
        }
    }

    /**
     * A full disk (H2's files here fail their writes with "No space left on device" while
     * {@link FullDisk#full} is set): H2 cannot write a commit, fails it and closes its database.
     * Before, every later read and write said "The database has been closed" until Strata
     * restarted, even once space was freed. Now while the disk is full each write fails naming it;
     * while it cannot be opened again, each write says so, naming why; once it can, the first write
     * after the wait between two reopenings opens the database again and is stored, with everything
     * acknowledged before, and online compaction, which the full disk turned off, is on again.
     */
    @Test
    void writesAreStoredAgainOnceSpaceIsFreedAfterADiskFullFailure() {
        SettableClock clock = SettableClock.at(java.time.Instant.now());
        JdbcStateStore store = onFullDisk(clock);
        try {
            long stored = join(store.ledger().commit(0, Stores.allocation("a-1", "n1", List.of("g0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of()))).generation();
            FullDisk.full = true;
            try {
                // no read in between: a read would open the database again itself
                for (int i = 0; i < 3; i++) {
                    assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                            ProvenanceEntry.of("placement", "system", Map.of())))).as("a write while the disk is full")
                            .isInstanceOf(StateStoreException.class).hasMessageContaining("No space left on device");
                }
                FullDisk.full = false;
                clock.advance(JdbcStateStore.REOPEN_MAX);
                long generation = store.ledger().generation();
                join(store.ledger().commit(generation, Stores.allocation("a-2", "n2", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())));
                // the disk full again, and the file cannot be opened again for a while: after the write H2 could not store, the
                // next one says that the database could not be opened again, naming why
                FullDisk.full = true;
                FullDisk.unopenable = true;
                long now = generation + 1;
                assertThatThrownBy(() -> join(store.ledger().commit(now, Stores.allocation("full", "n-full", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())))).as("a write while the disk is full")
                        .isInstanceOf(StateStoreException.class).hasMessageContaining("No space left on device");
                assertThatThrownBy(() -> join(store.ledger().commit(now, Stores.allocation("shut", "n-shut", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())))).as("a write while the database cannot be opened again")
                        .isInstanceOf(StateStoreException.class).hasMessageContaining("H2 closed the embedded database")
                        .hasMessageContaining("opening it again failed").hasMessageContaining("Permission denied")
                        .hasMessageContaining("it is opened again by the first write from");
            } finally {
                FullDisk.full = false;
                FullDisk.unopenable = false;
            }
            clock.advance(JdbcStateStore.REOPEN_MAX);
            for (int i = 3; i <= 4; i++) {
                long generation = store.ledger().generation();
                join(store.ledger().commit(generation, Stores.allocation("a-" + i, "n" + i, List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())));
            }
            assertThat(store.ledger().load().allocations()).extracting(a -> a.id()).containsExactlyInAnyOrder("a-1", "a-2", "a-3", "a-4");
            assertThat(StateStoreContract.verifyChain(store).holds()).as("the provenance chain").isTrue();
            assertThat(store.compaction()).as("online compaction, on again").isPresent();
        } finally {
            FullDisk.full = false;
            FullDisk.unopenable = false;
            store.close();
        }
        JdbcStateStore reopened = store();
        try {
            assertThat(reopened.ledger().load().allocations()).extracting(a -> a.id()).as("what a restart finds")
                    .containsExactlyInAnyOrder("a-1", "a-2", "a-3", "a-4");
        } finally {
            reopened.close();
        }
    }

    /**
     * A disk that stays full: H2 closes the database at the write it cannot store, the next write
     * opens it again from its file (and fails: the disk is full still), and the writes after it fail
     * at once, naming the full disk and when the database is opened again, without opening it: it is
     * opened once per wait, which doubles (1 s, 2 s, ...), and one warning says so for the whole
     * episode. Once space is freed, the first write after the wait is stored, and the next ones
     * without opening anything. What was acknowledged is there; what failed is not. Before, every
     * write opened the whole database again (its recovery included) and failed once more, with a
     * warning each.
     */
    @Test
    void whileTheDiskStaysFullTheDatabaseIsOpenedAgainOncePerWaitNotForEachWrite() {
        SettableClock clock = SettableClock.at(java.time.Instant.now());
        JdbcStateStore store = onFullDisk(clock);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            join(store.ledger().commit(0, Stores.allocation("a-1", "n1", List.of("g0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of())));
            long stored = store.ledger().generation();
            FullDisk.full = true;
            try {
                int before = store.embeddedReopens();
                for (int i = 0; i < 10; i++) {
                    assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                            ProvenanceEntry.of("placement", "system", Map.of())))).as("write %d while the disk is full", i)
                            .isInstanceOf(StateStoreException.class).hasMessageContaining("No space left on device");
                }
                assertThat(store.embeddedReopens() - before).as("the database opened again by 10 writes on a full disk").isEqualTo(1);
                assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())))).isInstanceOf(StateStoreException.class)
                        .hasMessageContaining("it is opened again from its file by the first write from")
                        .hasMessageContaining("(in 1 s)").hasMessageContaining("every write fails at once and nothing is stored");

                clock.advance(JdbcStateStore.REOPEN_FIRST);
                for (int i = 0; i < 5; i++) {
                    assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                            ProvenanceEntry.of("placement", "system", Map.of())))).isInstanceOf(StateStoreException.class)
                            .hasMessageContaining("No space left on device");
                }
                assertThat(store.embeddedReopens() - before).as("opened again once more after the first wait").isEqualTo(2);
                assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())))).isInstanceOf(StateStoreException.class)
                        .hasMessageContaining("(in 2 s)");

                FullDisk.full = false;
                assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("early", "n-early", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())))).as("a write before the wait is over, space freed")
                        .isInstanceOf(StateStoreException.class).hasMessageContaining("(in 2 s)");
                assertThat(store.embeddedReopens() - before).isEqualTo(2);

                clock.advance(JdbcStateStore.reopenWait(2));
                for (int i = 2; i <= 4; i++) {
                    long generation = store.ledger().generation();
                    join(store.ledger().commit(generation, Stores.allocation("a-" + i, "n" + i, List.of("g0")), null,
                            ProvenanceEntry.of("placement", "system", Map.of())));
                }
                assertThat(store.embeddedReopens() - before).as("opened again by the first write after the second wait alone")
                        .isEqualTo(3);
            } finally {
                FullDisk.full = false;
            }
            assertThat(store.ledger().load().allocations()).extracting(a -> a.id()).containsExactlyInAnyOrder("a-1", "a-2", "a-3", "a-4");
            assertThat(StateStoreContract.verifyChain(store).holds()).as("the provenance chain").isTrue();
            String location = store.info().location();
            List<String> warnings = log.text().lines().filter(l -> l.contains("WARN") && l.contains(location)).toList();
            assertThat(warnings).filteredOn(l -> l.contains("was closed by H2")).as("warnings about the closed database").hasSize(1);
            assertThat(warnings).filteredOn(l -> l.contains("Online compaction")).as("warnings that online compaction failed")
                    .hasSizeLessThanOrEqualTo(1);
        } finally {
            FullDisk.full = false;
            store.close();
        }
    }

    /**
     * While the disk stays full, reads during the wait before the database is opened again fail at
     * once, naming why and when it is opened again, and open nothing. Before, each read that found
     * the database closed took a new connection from the pool, which opened the whole database again
     * (its recovery included), as each write did before writes waited. Once space is freed and the
     * wait is over, the first write opens it and reads are served again.
     */
    @Test
    void whileTheDiskStaysFullReadsDuringTheWaitFailAtOnceAndDoNotOpenTheDatabase() {
        SettableClock clock = SettableClock.at(java.time.Instant.now());
        JdbcStateStore store = onFullDisk(clock);
        try {
            join(store.ledger().commit(0, Stores.allocation("a-1", "n1", List.of("g0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of())));
            long stored = store.ledger().generation();
            FullDisk.full = true;
            try {
                // the first write fails and H2 closes the database; the second opens it again, fails as well, and the wait begins
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                            ProvenanceEntry.of("placement", "system", Map.of())))).as("write %d while the disk is full", i)
                            .isInstanceOf(StateStoreException.class).hasMessageContaining("No space left on device");
                }
                int before = FullDisk.databaseOpens.get();
                int reopensBefore = store.embeddedReopens();
                for (int i = 0; i < 10; i++) {
                    assertThatThrownBy(() -> store.ledger().get("a-1")).as("read %d during the wait", i)
                            .isInstanceOf(StateStoreException.class)
                            .hasMessageContaining("failed to read: the embedded database is closed")
                            .hasMessageContaining("it is opened again from its file by the first write from")
                            .hasMessageContaining("(in 1 s)").hasMessageContaining("every read and write fails at once");
                }
                assertThatThrownBy(() -> store.provenance().scan(0, r -> true)).as("a scan during the wait")
                        .isInstanceOf(StateStoreException.class).hasMessageContaining("(in 1 s)");
                // each read opened the database before (the pool, after it dropped the dead connection, may open it once on its own)
                assertThat(FullDisk.databaseOpens.get() - before).as("the database opened again by reads during the wait")
                        .isLessThanOrEqualTo(1);

                FullDisk.full = false;
                clock.advance(JdbcStateStore.REOPEN_FIRST);
                join(store.ledger().commit(stored, Stores.allocation("a-2", "n2", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())));
                assertThat(store.embeddedReopens() - reopensBefore).as("opened again by the first write after the wait").isEqualTo(1);
                assertThat(store.ledger().get("a-1")).as("a read once the database is open again").isPresent();
                assertThat(store.ledger().get("a-2")).isPresent();
            } finally {
                FullDisk.full = false;
            }
        } finally {
            FullDisk.full = false;
            store.close();
        }
    }

    /**
     * The clock set back an hour (an NTP correction) while the database waits to be opened again:
     * the next write opens it, rather than every write failing for an hour.
     */
    @Test
    void aClockSetBackDoesNotLengthenTheWaitBeforeTheDatabaseIsOpenedAgain() {
        SettableClock clock = SettableClock.at(java.time.Instant.now());
        JdbcStateStore store = onFullDisk(clock);
        try {
            join(store.ledger().commit(0, Stores.allocation("a-1", "n1", List.of("g0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of())));
            long stored = store.ledger().generation();
            FullDisk.full = true;
            int before = store.embeddedReopens();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> join(store.ledger().commit(stored, Stores.allocation("full", "n-full", List.of("g0")), null,
                        ProvenanceEntry.of("placement", "system", Map.of())))).isInstanceOf(StateStoreException.class);
            }
            assertThat(store.embeddedReopens() - before).isEqualTo(1);
            clock.back(java.time.Duration.ofHours(1));
            FullDisk.full = false;
            join(store.ledger().commit(stored, Stores.allocation("a-2", "n2", List.of("g0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of())));
            assertThat(store.embeddedReopens() - before).as("opened again by the first write after the clock was set back")
                    .isEqualTo(2);
            assertThat(store.ledger().load().allocations()).extracting(a -> a.id()).containsExactlyInAnyOrder("a-1", "a-2");
        } finally {
            FullDisk.full = false;
            store.close();
        }
    }

    /** An embedded store in {@link #data} whose files H2 opens through {@link FullDisk}. */
    private JdbcStateStore onFullDisk(java.time.Clock clock) {
        FullDisk.register();
        StoreSettings settings = StoreSettings.from(Stores.config(Map.of("instanceId", "test-h2")), data, data);
        org.h2.jdbcx.JdbcDataSource direct = new org.h2.jdbcx.JdbcDataSource();
        direct.setURL(settings.url().replace("jdbc:h2:file:", "jdbc:h2:" + FullDisk.SCHEME + ":"));
        direct.setUser(settings.user());
        return JdbcStateStore.open(settings, direct, clock);
    }

    /**
     * H2 closes the database when it cannot write a commit (a full disk); here it is closed the
     * same way under the store. Before, the pool went on handing out the closed database's
     * connections, unchecked while they were in use every half second, and every write said
     * "Database is already closed" until Strata restarted, though the operator had freed the
     * space. Now the next write opens the database again from its file (H2 recovers it), and
     * reads do too; nothing committed before is lost, and the provenance chain goes on unbroken.
     */
    @Test
    void aDatabaseH2ClosedUnderTheStoreIsOpenedAgainByTheNextWrite() {
        JdbcStateStore store = store();
        try {
            long generation = join(store.ledger().commit(0, Stores.allocation("a-1", "n1", List.of("g0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of()))).generation();
            H2HeaderGuard guard = store.headerGuard();
            java.util.List<String> failures = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) {
                closeUnderTheStore(data);
                // back to back, as under load: the pool hands out a connection used within the last half second without checking it
                for (int i = 0; i < 5; i++) {
                    String id = "a-" + round + "-" + i;
                    try {
                        generation = join(store.ledger().commit(generation, Stores.allocation(id, "n-" + id, List.of("g0")), null,
                                ProvenanceEntry.of("placement", "system", Map.of()))).generation();
                    } catch (StateStoreException e) {
                        failures.add(id + ": " + e.getMessage());
                    }
                }
            }
            assertThat(failures).as("writes after the database was closed under the store").isEmpty();
            assertThat(store.headerGuard()).as("the header guard, attached to the database opened again").isNotNull().isNotSameAs(guard);
            assertThat(store.compaction()).as("online compaction, attached to the database opened again").isPresent();
            assertThat(store.ledger().load().allocations()).as("what was stored before and after").hasSize(11);
            assertThat(StateStoreContract.verifyChain(store).holds()).as("the provenance chain").isTrue();
            closeUnderTheStore(data);
            assertThat(store.ledger().get("a-1")).as("a read after the database was closed under the store").isPresent();
        } finally {
            store.close();
        }
        JdbcStateStore reopened = store();
        try {
            assertThat(reopened.ledger().load().allocations()).as("what a restart finds").hasSize(11);
        } finally {
            reopened.close();
        }
    }

    /**
     * A scan during which H2 closes the database fails, and is not run again: a read that finds the
     * database closed runs once more, but a scan has handed its consumer records already, which a
     * second run would hand it again.
     */
    @Test
    void aScanDuringWhichTheDatabaseClosesIsNotRunAgain() {
        JdbcStateStore store = store();
        try {
            for (int i = 0; i < 3; i++) {
                join(store.provenance().append(new ProvenanceEntry("note", "system", Map.of(), Map.of("n", i))));
            }
            List<Long> seen = new java.util.ArrayList<>();
            assertThatThrownBy(() -> store.provenance().scan(0, r -> {
                seen.add(r.seq());
                closeUnderTheStore(data);
                return true;
            })).isInstanceOf(StateStoreException.class);
            assertThat(seen).as("records handed to the consumer").doesNotHaveDuplicates();
        } finally {
            store.close();
        }
    }

    /**
     * A scan whose consumer throws while the database fails under it: the caller gets the
     * consumer's exception, with the failure to end the scan's transaction added to it as
     * suppressed. Before, the scan committed in a {@code finally}, and the commit's "Database is
     * already closed" replaced the consumer's exception.
     */
    @Test
    void aScanThatFailsReportsItsOwnFailureNotTheCommitsAfterIt() {
        IllegalStateException consumerFailure = new IllegalStateException("the consumer failed");
        java.util.function.Predicate<Object> fail = r -> {
            closeUnderTheStore(data);
            throw consumerFailure;
        };
        for (boolean stored : new boolean[] {false, true}) {
            JdbcStateStore store = store();
            try {
                join(store.provenance().append(new ProvenanceEntry("note", "system", Map.of(), Map.of("n", 1))));
                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
                    if (stored) {
                        store.provenance().scanStored(0, fail::test);
                    } else {
                        store.provenance().scan(0, fail::test);
                    }
                });
                assertThat(thrown).as(stored ? "scanStored" : "scan").isSameAs(consumerFailure);
                assertThat(thrown.getSuppressed()).as("the rollback's failure, added to it")
                        .anySatisfy(s -> assertThat(s).hasMessageContaining("closed"));
            } finally {
                store.close();
            }
        }
    }

    /**
     * A connection to the embedded database that outlives the store keeps the database open in this
     * JVM: closing the store must leave H2's lock on the file, or another process can open and write
     * the file under it. Java's file locks are the process's POSIX locks, so closing the channel the
     * store forces the file through released H2's lock.
     */
    @Test
    void closingTheStoreKeepsTheFileLockedWhileItsDatabaseIsStillOpen() throws Exception {
        JdbcStateStore store = store();
        Path file = data.resolve("strata/store.mv.db");
        try (Connection outliving = Stores.embeddedDataSource(data).getConnection()) {
            store.close();
            assertThat(FileLockProbe.lockedForAnotherProcess(file)).as("the file is locked while its database is open here").isTrue();
        }
        // the last connection closed the database, and with it H2's lock
        assertThat(FileLockProbe.lockedForAnotherProcess(file)).as("the file is free once its database is closed").isFalse();
    }

    @Test
    void anEditedMigrationStopsTheStart() throws Exception {
        store().close();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("strata/store").toAbsolutePath() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "strata", ""); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE schema_version SET sha256 = '00000000000000000000000000000000ffffffffffffffffffffffffffffffff'");
            s.executeUpdate("INSERT INTO schema_version (version, name, sha256, applied_ms) VALUES (99, 'V099__future.sql', 'x', 0)");
        }
        assertThatThrownBy(() -> Stores.embedded(data)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("schema version 99, newer than this Strata knows (" + Migrations.bundled().size() + ")");
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("strata/store").toAbsolutePath() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "strata", ""); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM schema_version WHERE version = 99");
        }
        assertThatThrownBy(() -> Stores.embedded(data)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("migration V001__initial.sql was applied").hasMessageContaining("must never change");
    }

    /**
     * A start stopped within a migration (killed, a crash, a full disk) leaves part of it on the embedded store, where H2
     * commits each DDL statement as it runs, with its version not recorded: the next start completes it. It failed on what
     * the first statements had made ("Table ... already exists", "Duplicate column name"), at every start after.
     */
    @Test
    void aMigrationCutShortOnTheEmbeddedStoreIsCompletedAtTheNextStart() throws Exception {
        Path first = data.resolve("first");
        List<String> initial = Migrations.statements(Migrations.bundled().get(0).sql());
        try (Connection c = Stores.embeddedDataSource(first).getConnection(); Statement s = c.createStatement()) {
            // the first start stopped after V001's tables, a row and an index, before its sequences and its version
            for (String statement : initial.subList(0, initial.size() - 2)) {
                s.execute(statement);
            }
        }
        JdbcStateStore opened = Stores.embedded(first);
        assertThat(opened.info().schemaVersion()).isEqualTo(Migrations.bundled().size());
        join(opened.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("opened", true))));
        opened.close();

        Path upgrade = data.resolve("upgrade");
        try (Connection c = Stores.embeddedDataSource(upgrade).getConnection()) {
            Migrations.migrate(c, false, "an older Strata's store", migrationsUpTo(10));
            try (Statement s = c.createStatement()) {
                // V011's statement ran, and the upgrade stopped before its version was recorded
                s.execute(Migrations.statements(Migrations.bundled().get(10).sql()).get(0));
            }
        }
        JdbcStateStore upgraded = Stores.embedded(upgrade);
        assertThat(upgraded.info().schemaVersion()).isEqualTo(11);
        upgraded.close();
    }

    /**
     * A migration that drops something, cut short on the embedded store after its first drop, is
     * completed at the next start too: V004 (an upgrade from below schema 4) stopped the start at
     * every start after with "0 UNIQUE constraints on provenance_record (prev) where the migration
     * expects exactly one", and a plain DROP of what is gone failed with H2's "not found".
     */
    @Test
    void aMigrationThatDropsCutShortOnTheEmbeddedStoreIsCompletedAtTheNextStart() throws Exception {
        Path upgrade = data.resolve("v4");
        try (Connection c = Stores.embeddedDataSource(upgrade).getConnection()) {
            Migrations.migrate(c, false, "an older Strata's store", migrationsUpTo(3));
            try (Statement s = c.createStatement()) {
                // V004's first DROP UNIQUE ran, and the upgrade stopped before the second and the version
                s.execute(Migrations.resolve(c, Migrations.statements(Migrations.bundled().get(3).sql()).get(0), "here", false));
            }
        }
        JdbcStateStore upgraded = Stores.embedded(upgrade);
        assertThat(upgraded.info().schemaVersion()).isEqualTo(Migrations.bundled().size());
        assertThat(StateStoreContract.indexesLeadingWith(upgraded, "provenance_record", "hash")).isEmpty();
        upgraded.close();

        Path later = data.resolve("later");
        List<Migrations.Migration> withDrops = new java.util.ArrayList<>(Migrations.bundled());
        withDrops.add(new Migrations.Migration(withDrops.size() + 1, "V0" + (withDrops.size() + 1) + "__drops.sql",
                "DROP INDEX provenance_by_time;\nALTER TABLE cluster_instance DROP COLUMN address;\n"));
        try (Connection c = Stores.embeddedDataSource(later).getConnection()) {
            Migrations.migrate(c, false, "a store", Migrations.bundled());
            try (Statement s = c.createStatement()) {
                s.execute("DROP INDEX provenance_by_time");
                s.execute("ALTER TABLE cluster_instance DROP COLUMN address");
            }
            assertThat(Migrations.migrate(c, false, "a store", withDrops).version()).isEqualTo(withDrops.size());
        }
        // a statement that is no DROP still fails on what it refers to and is missing
        Path other = data.resolve("other");
        List<Migrations.Migration> refersToMissing = new java.util.ArrayList<>(Migrations.bundled());
        refersToMissing.add(new Migrations.Migration(refersToMissing.size() + 1, "V0" + (refersToMissing.size() + 1) + "__index.sql",
                "CREATE INDEX x ON cluster_instance (no_such_column);\n"));
        try (Connection c = Stores.embeddedDataSource(other).getConnection()) {
            assertThatThrownBy(() -> Migrations.migrate(c, false, "a store", refersToMissing)).isInstanceOf(java.sql.SQLException.class)
                    .hasMessageContaining("no_such_column");
        }
    }

    /**
     * A statement of a migration cut short that H2 refuses as applied already is logged with H2's
     * message escaped: its line break (before "SQL statement") and the format characters of what
     * it quotes show as their escapes. Before, the warning printed H2's message as it was, the
     * statement on a line of its own and the zero-width space and U+FEFF unseen.
     */
    @Test
    void aMigrationStatementAppliedBeforeIsLoggedWithTheDatabasesMessageEscaped() throws Exception {
        List<Migrations.Migration> withTable = new java.util.ArrayList<>(Migrations.bundled());
        withTable.add(new Migrations.Migration(withTable.size() + 1, "V0" + (withTable.size() + 1) + "__table.sql",
                "CREATE TABLE \"made\u200b\ufeff\" (x INT);\n"));
        try (Connection c = Stores.embeddedDataSource(data.resolve("escaped")).getConnection();
                dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Migrations.migrate(c, false, "a store", Migrations.bundled());
            try (Statement s = c.createStatement()) {
                // the statement ran, and the start stopped before the migration was recorded
                s.execute("CREATE TABLE \"made\u200b\ufeff\" (x INT)");
            }
            assertThat(Migrations.migrate(c, false, "a store", withTable).version()).isEqualTo(withTable.size());
            String line = log.text().lines().filter(l -> l.contains("State store migration V0" + withTable.size())).findFirst().orElseThrow();
            assertThat(line).contains("\"made\\u200b\\ufeff\"").contains("\\u000aCREATE TABLE")
                    .endsWith("going on with the next statement");
            assertThat(log.text()).doesNotContain("\u200b").doesNotContain("\ufeff");
        }
    }

    /**
     * A database's message reaches the log and the messages of the store's exceptions through
     * {@code describe}, which replaced only line breaks: a terminal escape or a bidirectional control
     * a statement was refused for, and a URL's user and password a driver quoted, went out as they were.
     * The store's exception chains the database's exception cleaned, not as it was.
     */
    @Test
    void aDatabasesMessageIsDescribedWithoutControlCharactersOrCredentials() throws Exception {
        JdbcStateStore store = Stores.embedded(data);
        StateStoreException failed = null;
        try {
            store.read(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeQuery("SELECT 1 FROM \"evil\u001b[2J\u202eelbat\"");
                }
            });
        } catch (StateStoreException e) {
            failed = e;
        }
        store.close();
        assertThat((Throwable) failed).isNotNull();
        assertThat(failed.getMessage()).contains("failed to read").contains("evil\\u001b[2J\\u202eelbat").contains("(SQL state 42S02)")
                .doesNotContain("\u001b").doesNotContain("\u202e");
        for (Throwable t = failed.getCause(); t != null; t = t.getCause()) {
            assertThat(t.getMessage() + " " + t).contains("evil").doesNotContain("\u001b").doesNotContain("\u202e");
        }

        String quoted = JdbcStateStore.describe(new java.sql.SQLException("Connection to jdbc:postgresql://strata:s3cr3t-pw@db:5432/strata"
                + "?sslpassword=k3y-pw\r\nrefused", "08001"));
        assertThat(quoted).doesNotContain("s3cr3t-pw").doesNotContain("k3y-pw").doesNotContain("\r").doesNotContain("\n")
                .contains("db:5432/strata").contains("(SQL state 08001)");
    }

    /**
     * {@code describe} shows each character a terminal or a log does not show as itself as its
     * escape, by the rule {@link dev.strata.platform.api.exception.InvalidConfigurationException#printable}
     * follows: a line break, a carriage return, an ESC, a C1 control, a line separator, a direction
     * override and the format characters a bidirectional or invisible text is made with (a
     * zero-width space, U+061C, a byte order mark). Before, only the line break was replaced (by a
     * space), the controls and the direction override became spaces when the text was cleaned,
     * and the format characters went out as they were.
     */
    @Test
    void describeShowsControlFormatAndDirectionCharactersEscaped() {
        String described = JdbcStateStore.describe(new java.sql.SQLException("a\nb\rc\u001b[2Jd\u0085e\u2028f\u202eg\u200bh\u061ci\ufeffj",
                "42000"));
        assertThat(described).isEqualTo("a\\u000ab\\u000dc\\u001b[2Jd\\u0085e\\u2028f\\u202eg\\u200bh\\u061ci\\ufeffj (SQL state 42000)");
    }

    /**
     * The causes the store chains to its errors show a driver's text as the store's own message
     * does, each control, format and direction character as its escape: here H2 quoting a table
     * name that holds a zero-width space, U+061C, a byte order mark, a word joiner and a line
     * break (the statement H2 quotes holds them as written). Before, the causes were cleaned as a
     * provider's text is: the line break became a space and the format characters went out as they
     * were.
     */
    @Test
    void theCausesOfAStoreErrorShowTheDriversTextEscaped() {
        JdbcStateStore store = Stores.embedded(data);
        StateStoreException failed = null;
        try {
            store.read(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeQuery("SELECT 1 FROM \"t\u200bu\u061cv\ufeffw\u2060x\ny\"");
                }
            });
        } catch (StateStoreException e) {
            failed = e;
        } finally {
            store.close();
        }
        assertThat((Throwable) failed).isNotNull();
        assertThat(failed.getMessage()).contains("SELECT 1 FROM \"t\\u200bu\\u061cv\\ufeffw\\u2060x\\u000ay\"");
        assertThat(failed.getCause()).isNotNull();
        for (Throwable t = failed.getCause(); t != null; t = t.getCause()) {
            assertThat(t.getMessage() + " " + t).contains("SELECT 1 FROM \"t\\u200bu\\u061cv\\ufeffw\\u2060x\\u000ay\"")
                    .doesNotContain("\u200b").doesNotContain("\u061c").doesNotContain("\ufeff").doesNotContain("\u2060")
                    .doesNotContain("\n");
        }
    }

    @Test
    void migrationsAreSplitIntoStatements() {
        assertThat(Migrations.statements("-- c\nCREATE TABLE a (x INT);\nINSERT INTO a\n VALUES (1);\n")).containsExactly("CREATE TABLE a (x INT)",
                "INSERT INTO a\n VALUES (1)");
        assertThat(Migrations.bundled()).extracting(Migrations.Migration::name).containsExactly("V001__initial.sql",
                "V002__deployments.sql", "V003__binding_partitions.sql", "V004__provenance_chain_keys.sql", "V005__provider_journal.sql",
                "V006__allocation_deployment.sql", "V007__provenance_by_allocation.sql", "V008__deployment_by_allocation.sql",
                "V009__telemetry_coverage.sql", "V010__provenance_key_record.sql", "V011__cluster_instance_interval.sql");
    }

    /** Regression: a binding's MIG partition (profile and start slot) was not stored, so a restart lost it. */
    @Test
    void aBindingsPartitionReadsBackAfterARestart() {
        JdbcStateStore store = Stores.embedded(data);
        dev.strata.platform.api.placement.Allocation a = new dev.strata.platform.api.placement.Allocation("a-000001", "mig", "t", 0, false,
                java.time.Instant.ofEpochMilli(1_790_000_000_000L), List.of(new dev.strata.platform.api.placement.MemberBinding("m", "n0", "s1",
                        List.of("n0/gpu3"), 3 / 7.0, null, 0, null, 1000, 1L << 30, 300.0, null, "3g.40gb", 4)));
        join(store.ledger().commit(0, a, (String) null, null));
        store.close();
        JdbcStateStore again = Stores.embedded(data);
        assertThat(again.ledger().get("a-000001")).contains(a);
        again.close();
    }

    @Test
    void writeDurabilityNeedsNoFsyncButIsSaidSo() {
        JdbcStateStore store = Stores.embedded(data, Map.of("durability", "write"));
        assertThat(store.info().durability()).isEqualTo("write");
        join(store.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("durability", "write"))));
        store.close();
        JdbcStateStore again = Stores.embedded(data);
        assertThat(again.provenance().find(AuditFilter.all(5))).hasSize(1);
        again.close();
    }

    /**
     * Before, a URL {@code jdbc:h2:file:~/...} (H2's own form for the user's home folder) kept the
     * {@code ~} as written for the file the store forces to disk and shows, while H2 put the
     * database in the home folder: the store created and migrated it there, then stopped with
     * {@code cannot open ~/.../store.mv.db to force it to disk}. Now the {@code ~} is expanded as H2
     * expands it, for the driver, the file and what is shown alike.
     */
    @Test
    void anH2UrlInTheHomeFolderOpensAndNamesTheFileItUses() throws Exception {
        String name = "strata-home-url-test-" + System.nanoTime();
        Path home = Path.of(org.h2.engine.SysProperties.USER_HOME).resolve(name);
        try {
            JdbcStateStore store = Stores.embedded(data, Map.of("url", "jdbc:h2:file:~/" + name + "/store"));
            try {
                join(store.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("x", 1))));
                assertThat(store.info().location()).isEqualTo(home.resolve("store.mv.db").toString());
                assertThat(home.resolve("store.mv.db")).isRegularFile();
            } finally {
                store.close();
            }
        } finally {
            if (Files.exists(home)) {
                try (java.util.stream.Stream<Path> walk = Files.walk(home)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        assertThat(home).doesNotExist();
    }
}
