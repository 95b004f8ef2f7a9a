package dev.strata.benchmarks.store;

import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.osgi.util.converter.Converters;

/**
 * How the embedded store's file grows at a steady, moderate rate, with online compaction and
 * without: one caller places (an allocation of two members with its provenance record, as
 * {@link StoreThroughput} writes it) and releases the oldest once it holds {@code --hold}, paced to
 * {@code --rate} changes a second, each acknowledged when durable (so each is its own group commit,
 * the case that leaves the file sparsest). Every {@code --every} seconds it prints the file's size
 * and the share of its chunks that is live data; after {@code --seconds}, it stops writing and
 * prints them again after {@code --idle} seconds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.store.StoreFileGrowth \
 *     [--rate 50] [--seconds 600] [--hold 200] [--every 60] [--idle 120] [--compact-fill-rate 50]
 * </pre>
 */
public final class StoreFileGrowth {

    private StoreFileGrowth() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rate = Integer.parseInt(a.getOrDefault("rate", "50"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "600"));
        int hold = Integer.parseInt(a.getOrDefault("hold", "200"));
        int every = Integer.parseInt(a.getOrDefault("every", "60"));
        int idle = Integer.parseInt(a.getOrDefault("idle", "120"));
        Path dir = Files.createTempDirectory("strata-file-growth");
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "bench");
        p.put("compactFillRate", Integer.parseInt(a.getOrDefault("compact-fill-rate", "50")));
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings settings = StoreSettings.from(config, dir, dir);
        JdbcStateStore store = JdbcStateStore.open(settings, DataSources.direct(settings, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())),
                Clock.systemUTC());
        System.out.printf(Locale.ROOT, "embedded store, durability %s, compactFillRate %d; %d changes/s for %d s, holding %d%n",
                store.info().durability(), settings.compactFillRate(), rate, seconds, hold);
        ArrayDeque<String> held = new ArrayDeque<>();
        long generation = store.ledger().generation();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        long changes = 0;
        long nextReport = every;
        while (true) {
            long due = start + changes * interval;
            long now = System.nanoTime();
            if (due > now) {
                Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (elapsed >= nextReport) {
                report(store, settings, String.format(Locale.ROOT, "%4.0f s, %,d changes", elapsed, changes));
                nextReport += every;
            }
            if (elapsed >= seconds) {
                break;
            }
            if (held.size() >= hold) {
                String id = held.removeFirst();
                generation = store.ledger().release(id, dev.strata.platform.core.store.ReleaseGuard.UNHELD, StoreThroughput.evidence(id)).join().generation();
            } else {
                String id = store.ledger().nextId();
                generation = store.ledger().commit(generation, StoreThroughput.allocation(id, (int) changes), null, StoreThroughput.evidence(id))
                        .join().generation();
                held.addLast(id);
            }
            changes++;
        }
        Thread.sleep(idle * 1000L);
        report(store, settings, "after " + idle + " s idle");
        store.close();
        StoreFiles.reportAndDelete(dir);
    }

    private static void report(JdbcStateStore store, StoreSettings settings, String when) throws Exception {
        System.out.printf(Locale.ROOT, "%s: file %,.1f MB; %d %% of the chunks live; %s%n", when, Files.size(settings.h2File()) / 1e6,
                chunksFillRate(settings), store.compaction().map(c -> c.rewritingSteps() + " of " + c.steps() + " compaction steps rewrote pages")
                        .orElse("online compaction off"));
    }

    /** Read through H2's own classes on a connection of this JVM to the same database (not through the store). */
    static int chunksFillRate(StoreSettings settings) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(settings.url(), settings.user(), "")) {
            org.h2.engine.SessionLocal session = (org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
            return session.getDatabase().getStore().getMvStore().getFileStore().getChunksFillRate();
        }
    }
}
