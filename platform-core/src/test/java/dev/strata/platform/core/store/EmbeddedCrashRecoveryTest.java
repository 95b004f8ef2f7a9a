package dev.strata.platform.core.store;

import static dev.strata.platform.core.store.StateStoreContract.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.placement.Allocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code kill -9} leaves of the embedded file, checked many times a run and without killing
 * anything. A killed process's writes stay in the operating system's cache and reach the file, so
 * a copy of the file taken while H2 writes nothing (under its chunk-save lock, which every write to
 * the file, chunk or header, holds) is what a restart after a kill at that moment finds, and opening
 * the copy runs H2's crash recovery on it. One thread places and releases; the test copies the file
 * at whatever moment it gets the lock, and checks the copy as the kill -9 loops of
 * {@code DurablePlacementTest} check a killed store (which do the same with real kills, fewer times).
 *
 * <p>The regression: once the file reuses freed space, H2 2.x's recovery stopped short of the
 * newest commits (see {@link H2HeaderGuard}): up to 20 acknowledged commits were gone after a kill.
 * Without the guard this test finds lost commits in nearly every copy, with online compaction off
 * and on (checked by taking the guard out).
 */
class EmbeddedCrashRecoveryTest {

    private static final int COPIES = 60;

    @TempDir
    Path data;

    @TempDir
    Path copies;

    /** What the placing thread was told, numbered in order. */
    private final AtomicLong clock = new AtomicLong();
    private final Map<String, Long> placed = new ConcurrentHashMap<>();
    private final Map<String, Long> releaseAsked = new ConcurrentHashMap<>();
    private final Map<String, Long> released = new ConcurrentHashMap<>();

    @ParameterizedTest(name = "online compaction below {0} % (0: off)")
    @ValueSource(ints = {0, 90})
    void everyAcknowledgedCommitSurvivesAKillOnceTheFileReusesSpace(int compactFillRate) throws Exception {
        JdbcStateStore store = Stores.embedded(data, Map.of("compactFillRate", compactFillRate));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread placing = new Thread(() -> {
            try {
                churn(store, new Random(compactFillRate), stop);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "placing");
        try {
            // chunks are freed 200 ms after they die, so that the file reuses space within the test's seconds
            StoreTestAccess.retention(store, 200);
            placing.start();
            while (placed.size() < 400 && placing.isAlive()) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            List<String> lost = new ArrayList<>();
            for (int k = 0; k < COPIES && placing.isAlive(); k++) {
                long before = clock.get();
                Set<String> recovered = recoverFromCopy(store, k);
                long after = clock.get();
                lost.addAll(check(recovered, before, after, k));
            }
            stop.set(true);
            placing.join(30_000);
            assertThat(failure.get()).as("the placing thread").isNull();
            assertThat(lost).as("acknowledged writes that a restart after a kill would not find, or released ones it would find").isEmpty();
            assertThat(store.headerGuard().rewrites()).as("commits written into reused space (what the guard is for)").isPositive();
        } finally {
            stop.set(true);
            placing.join(30_000);
            store.close();
        }
    }

    /**
     * What H2 threw when the header guard could not reach its store (here a runtime exception, as
     * H2's store throws them, quoting what it read) reaches the warning with its line break and
     * format characters escaped and a known secret masked. Before, the warning printed the
     * exception as it was.
     */
    @Test
    void aFailureToReachTheHeaderIsLoggedEscapedAndMasked() {
        String secret = "hg-" + java.util.UUID.randomUUID();
        dev.strata.platform.core.provenance.ProviderText.knowSecret(secret);
        javax.sql.DataSource failing = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (p, m, a) -> {
                    throw new IllegalStateException("File corrupted \"" + secret + "\u200b\u061c\"\n2026-01-01 forged line");
                });
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            assertThat(H2HeaderGuard.attach(failing, "test")).isNull();
            String line = log.text().lines().filter(l -> l.contains("cannot keep H2's store header")).findFirst().orElseThrow();
            assertThat(line).contains("(java.lang.IllegalStateException: File corrupted \"****\\u200b\\u061c\"\\u000a2026-01-01 forged "
                    + "line): after a kill -9");
            assertThat(log.text()).doesNotContain(secret).doesNotContain("\u200b").doesNotContain("\u061c")
                    .doesNotContain("\n2026-01-01 forged line");
        }
    }

    /** Where H2's classes do not offer what the check needs (a connection that is not H2's own), it says so and is not used. */
    @Test
    void withoutH2sMembersTheStoreSaysItCannotKeepTheHeader() {
        Stores.ForeignSource source = new Stores.ForeignSource();
        assertThat(H2HeaderGuard.attach(source.dataSource(), "test")).isNull();
        assertThat(source.closed()).as("the connection opened for it is closed again").isTrue();
        JdbcStateStore store = Stores.embedded(data);
        try {
            assertThat(store.headerGuard()).as("with H2 2.5's own classes the check is on").isNotNull();
            assertThat(store.clusterStatus().store()).contains("store header kept on the newest commit (rewritten ");
        } finally {
            store.close();
        }
    }

    /** Places one allocation at a time, and releases one of those held two times in three; each write its own commit. */
    private void churn(JdbcStateStore store, Random random, AtomicBoolean stop) {
        List<String> held = new ArrayList<>();
        long generation = store.ledger().generation();
        for (int i = 0; !stop.get(); i++) {
            String id = store.ledger().nextId();
            Allocation a = Stores.allocation(id, "n" + (i % 97), List.of("gpu" + (i % 8)));
            generation = join(store.ledger().commit(generation, a, null,
                    ProvenanceEntry.of("placement", "test", Map.of("i", i, "why", "x".repeat(random.nextInt(3000))), "allocation", id)))
                    .generation();
            placed.put(id, clock.incrementAndGet());
            held.add(id);
            if (held.size() > 5 && random.nextInt(3) > 0) {
                String gone = held.remove(random.nextInt(held.size()));
                releaseAsked.put(gone, clock.incrementAndGet());
                generation = join(store.ledger().release(gone, ReleaseGuard.UNHELD, ProvenanceEntry.of("release", "test", Map.of("i", i), "allocation", gone)))
                        .generation();
                released.put(gone, clock.incrementAndGet());
            }
        }
    }

    /**
     * A copy taken between the moments {@code before} and {@code after} holds every placement
     * acknowledged before it, except those whose release was asked before it ended, and none whose
     * release was acknowledged before it.
     */
    private List<String> check(Set<String> recovered, long before, long after, int k) {
        List<String> wrong = new ArrayList<>();
        placed.forEach((id, at) -> {
            if (at > before) {
                return;
            }
            Long releaseAt = released.get(id);
            Long askedAt = releaseAsked.get(id);
            if (releaseAt != null && releaseAt <= before) {
                if (recovered.contains(id)) {
                    wrong.add("copy " + k + ": " + id + " is back, its release was acknowledged");
                }
            } else if ((askedAt == null || askedAt > after) && !recovered.contains(id)) {
                wrong.add("copy " + k + ": " + id + " is missing, its placement was acknowledged");
            }
        });
        return wrong;
    }

    /**
     * Copies the file while H2 holds its chunk-save lock, opens the copy (H2's crash recovery runs)
     * and returns the allocations it holds.
     */
    private Set<String> recoverFromCopy(JdbcStateStore store, int k) throws Exception {
        Path copy = copies.resolve("copy.mv.db");
        Files.deleteIfExists(copy);
        Files.deleteIfExists(copies.resolve("copy.trace.db"));
        FileStore<?> fileStore = store.read(c -> ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore()
                .getMvStore().getFileStore());
        java.lang.reflect.Field field = FileStore.class.getDeclaredField("saveChunkLock");
        field.setAccessible(true);
        Lock lock = (Lock) field.get(fileStore);
        lock.lock();
        try {
            Files.copy(Path.of(store.info().location()), copy, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            lock.unlock();
        }
        String url = "jdbc:h2:file:" + copies.resolve("copy") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        Set<String> ids = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(url, "strata", ""); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT id FROM allocation")) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw new AssertionError("copy " + k + " of the file does not open: " + e, e);
        }
        return ids;
    }
}
