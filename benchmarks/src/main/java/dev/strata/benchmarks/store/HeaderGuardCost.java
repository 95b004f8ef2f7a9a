package dev.strata.benchmarks.store;

import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.util.converter.Converters;

/**
 * What keeping H2's store header on the newest commit costs the embedded store's writes, once the
 * file reuses freed space (the only case where the header is written again). One caller places and
 * releases (holding 200 allocations), each write its own durable group commit, as fast as it can.
 * After a warm-up long enough for freed chunks to be reused (H2 frees a chunk 45 s after it died),
 * it measures arms of equal length, alternately with the header check and without it. Without it
 * means the store's check is taken out by reflection for that arm: Strata has no setting for it,
 * since without it a kill -9 may lose acknowledged writes.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.store.HeaderGuardCost [--warmup 90] [--seconds 20] [--rounds 3]
 * </pre>
 */
public final class HeaderGuardCost {

    private static final Pattern REWRITES = Pattern.compile("rewritten ([\\d,]+) times");

    private HeaderGuardCost() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "90"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        Path dir = Files.createTempDirectory("strata-header-guard");
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "bench");
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings settings = StoreSettings.from(config, dir, dir);
        JdbcStateStore store = JdbcStateStore.open(settings, DataSources.direct(settings, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())),
                Clock.systemUTC());
        Field guardField = JdbcStateStore.class.getDeclaredField("headerGuard");
        guardField.setAccessible(true);
        Object guard = guardField.get(store);
        if (guard == null) {
            throw new IllegalStateException("this store has no header check to measure: " + store.clusterStatus().store());
        }
        System.out.printf(Locale.ROOT, "embedded store, durability %s, compactFillRate %d; one caller placing and releasing, holding 200; "
                + "warm-up %d s, then %d rounds of %d s with and %d s without the header check%n", store.info().durability(),
                settings.compactFillRate(), warmup, rounds, seconds, seconds);
        Churn churn = new Churn(store);
        churn.run(warmup);
        double[][] on = new double[rounds][];
        double[][] off = new double[rounds][];
        for (int r = 0; r < rounds; r++) {
            on[r] = arm(store, churn, seconds, "with the check");
            guardField.set(store, null);
            try {
                off[r] = arm(store, churn, seconds, "without");
            } finally {
                guardField.set(store, guard);
            }
        }
        System.out.printf(Locale.ROOT, "median with the check: %.0f commits/s, p50 %.2f ms, p99 %.2f ms; without: %.0f commits/s, p50 %.2f ms, "
                + "p99 %.2f ms; throughput ratio %.3f%n", median(on, 0), median(on, 1), median(on, 2), median(off, 0), median(off, 1),
                median(off, 2), median(on, 0) / median(off, 0));
        System.out.println("Store: " + store.clusterStatus().store());
        store.close();
        StoreFiles.reportAndDelete(dir);
    }

    /** One arm: commits per second, p50 and p99 latency in ms. */
    private static double[] arm(JdbcStateStore store, Churn churn, int seconds, String name) throws Exception {
        long rewrites0 = rewrites(store);
        long[] latencies = churn.run(seconds);
        long rewrites = rewrites(store) - rewrites0;
        int n = latencies.length;
        double[] r = {n / (double) seconds, latencies[n / 2] / 1e6, latencies[(int) (n * 0.99)] / 1e6};
        System.out.printf(Locale.ROOT, "  %-15s %,7d commits in %d s = %5.0f/s; p50 %.2f ms, p99 %.2f ms; header written again %,d times%n", name,
                n, seconds, r[0], r[1], r[2], rewrites);
        return r;
    }

    private static long rewrites(JdbcStateStore store) {
        Matcher m = REWRITES.matcher(store.clusterStatus().store());
        return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : 0;
    }

    private static double median(double[][] arms, int k) {
        double[] v = Arrays.stream(arms).mapToDouble(x -> x[k]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Places until 200 are held, then releases the oldest and places again; each write waits until durable. */
    private static final class Churn {
        private final JdbcStateStore store;
        private final ArrayDeque<String> held = new ArrayDeque<>();
        private long generation;
        private int n;

        Churn(JdbcStateStore store) {
            this.store = store;
            this.generation = store.ledger().generation();
        }

        long[] run(int seconds) {
            long[] latencies = new long[1 << 20];
            int k = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end && k < latencies.length) {
                long start = System.nanoTime();
                if (held.size() >= 200) {
                    String id = held.removeFirst();
                    generation = store.ledger().release(id, dev.strata.platform.core.store.ReleaseGuard.UNHELD, StoreThroughput.evidence(id)).join().generation();
                } else {
                    String id = store.ledger().nextId();
                    generation = store.ledger().commit(generation, StoreThroughput.allocation(id, n++), null, StoreThroughput.evidence(id))
                            .join().generation();
                    held.addLast(id);
                }
                latencies[k++] = System.nanoTime() - start;
            }
            long[] done = Arrays.copyOf(latencies, k);
            Arrays.sort(done);
            return done;
        }
    }
}
