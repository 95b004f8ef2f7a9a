package dev.strata.platform.core.store;

import static dev.strata.platform.core.store.StateStoreContract.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.audit.Verification;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online compaction of the embedded store's file. H2 rewrites only chunks older than its retention
 * time (45 s); the tests set it to 200 ms through SQL so that they take seconds. The fill rate is
 * read here through H2's own classes, not through the store.
 */
class EmbeddedCompactionTest {

    private static final int CHURN = 1500;

    @TempDir
    Path data;

    @Test
    void anIdleWriterCompactsTheFileAndLosesNothing() throws Exception {
        JdbcStateStore store = Stores.embedded(data, Map.of("compactFillRate", 60));
        StoreTestAccess.retention(store, 200);
        List<Allocation> kept = churn(store);
        awaitFillRate(store, 60, 60_000);
        JdbcStateStore.CompactionStatus status = store.compaction().orElseThrow();
        assertThat(status.targetFillRate()).isEqualTo(60);
        assertThat(status.rewritingSteps()).isPositive();
        assertThat(status.fillRate()).isGreaterThanOrEqualTo(60);
        assertIntact(store, kept);
        store.close();
        JdbcStateStore again = Stores.embedded(data, Map.of("compactFillRate", 60));
        assertIntact(again, kept);
        again.close();
    }

    /** The control: without online compaction the same churn leaves the file mostly dead chunks. */
    @Test
    void withCompactionOffTheFileStaysSparse() throws Exception {
        JdbcStateStore store = Stores.embedded(data, Map.of("compactFillRate", 0));
        StoreTestAccess.retention(store, 200);
        List<Allocation> kept = churn(store);
        Thread.sleep(2_000);
        assertThat(store.compaction()).isEmpty();
        assertThat(fillRate(store)).isLessThan(50);
        assertIntact(store, kept);
        store.close();
    }

    /**
     * A sparse chunk with more live data than a step under load may rewrite (a bulk write leaves
     * one) is rewritten while the writer is never idle: H2 picks no chunk whose live pages exceed the
     * step's budget, and every step under load had the small budget, so such a chunk kept its dead
     * space for as long as the load lasted. Now the first step after one that found nothing has the
     * idle budget. The compaction here is the store's own class on the store's file, driven step by
     * step with the writer's clock; the store's own compaction is off.
     */
    @Test
    void underLoadASparseChunkLargerThanABusyStepIsRewrittenAfterAMiss() throws Exception {
        StoreSettings settings = StoreSettings.from(Stores.config(Map.of("instanceId", "test-h2", "compactFillRate", 0)), data, data);
        javax.sql.DataSource direct = DataSources.direct(settings, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver()));
        JdbcStateStore store = JdbcStateStore.open(settings, direct, java.time.Clock.systemUTC());
        try (H2Compaction compaction = H2Compaction.attach(direct, 90, "test")) {
            assertThat(compaction).isNotNull();
            StoreTestAccess.retention(store, 200);
            StoreTestAccess.sparseChunk(store, 10);
            Thread.sleep(500);
            // the other old chunks (the schema's) fit a busy step: rewrite them first, so that only the sparse chunk is left
            for (int i = 0; i < 50 && compaction.step(H2Compaction.BUSY_STEP_BYTES); i++) {
                Thread.sleep(300);
            }
            int sparse = fillRate(store);
            assertThat(sparse).as("the sparse chunk dominates the file").isLessThan(30);
            assertThat(compaction.step(H2Compaction.BUSY_STEP_BYTES)).as("H2 picks no chunk with more live data than the budget").isFalse();

            long[] before = compaction.counts();
            long now = System.nanoTime();
            compaction.housekeeping(false, now, () -> { });
            assertThat(compaction.counts()).as("a step under load ran and found nothing within its budget")
                    .containsExactly(before[0] + 1, before[1]);
            compaction.housekeeping(false, now + H2Compaction.RETRY_INTERVAL_NANOS / 2, () -> { });
            assertThat(compaction.counts()[0]).as("no step before the retry interval").isEqualTo(before[0] + 1);
            compaction.housekeeping(false, now + H2Compaction.RETRY_INTERVAL_NANOS, () -> { });
            assertThat(compaction.counts()).as("the next try, still under load, rewrote the sparse chunk's live pages")
                    .containsExactly(before[0] + 2, before[1] + 1);

            int rows = store.read(c -> {
                try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM compaction_probe")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(rows).as("the rows whose pages were moved").isEqualTo(1024);
        } finally {
            store.close();
        }
    }

    /** Where H2's classes do not offer the methods (a connection that is not H2's own), the store runs without it. */
    @Test
    void withoutH2sMethodsTheStoreRunsWithoutCompaction() throws Exception {
        Stores.ForeignSource source = new Stores.ForeignSource();
        assertThat(H2Compaction.attach(source.dataSource(), 50, "test")).isNull();
        assertThat(source.closed()).as("the connection opened for it is closed again").isTrue();
        JdbcStateStore store = Stores.embedded(data);
        assertThat(store.compaction()).isPresent();
        store.close();
    }

    /** One caller placing and releasing, each write its own commit; every tenth allocation is kept. */
    private static List<Allocation> churn(JdbcStateStore store) {
        List<Allocation> kept = new ArrayList<>();
        long generation = store.ledger().generation();
        for (int i = 0; i < CHURN; i++) {
            String id = store.ledger().nextId();
            Allocation a = Stores.allocation(id, "n" + (i % 97), List.of("gpu" + (i % 8)));
            generation = join(store.ledger().commit(generation, a, null,
                    ProvenanceEntry.of("placement", "test", Map.of("i", i, "why", "x".repeat(1500)), "allocation", id))).generation();
            if (i % 10 == 0) {
                kept.add(a);
            } else {
                generation = join(store.ledger().release(id, ReleaseGuard.UNHELD, ProvenanceEntry.of("release", "test", Map.of("i", i), "allocation", id))).generation();
            }
        }
        return kept;
    }

    private static void assertIntact(JdbcStateStore store, List<Allocation> kept) {
        assertThat(store.ledger().load().allocations()).containsExactlyInAnyOrderElementsOf(kept);
        Verification v = StateStoreContract.verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        assertThat(v.records()).isEqualTo(2L * CHURN - kept.size());
    }

    private static void awaitFillRate(JdbcStateStore store, int target, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int fill = fillRate(store);
        while (fill < target && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            fill = fillRate(store);
        }
        assertThat(fill).as("live share of the file's chunks after %d ms idle", timeoutMillis).isGreaterThanOrEqualTo(target);
    }

    /** The chunks' fill rate, read through H2's classes on a connection of the store's pool. */
    private static int fillRate(JdbcStateStore store) {
        return store.read(c -> {
            try {
                SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
                return session.getDatabase().getStore().getMvStore().getFileStore().getChunksFillRate();
            } catch (ClassCastException e) {
                throw new SQLException(e);
            }
        });
    }

}
