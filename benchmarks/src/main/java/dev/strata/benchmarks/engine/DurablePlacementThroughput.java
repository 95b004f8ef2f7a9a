package dev.strata.benchmarks.engine;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.util.converter.Converters;

/**
 * Durable placements per second through the whole placement path as Strata runs it: the
 * placement service decides each contract on the generated cluster, commits it to the state
 * store's ledger with the contract and its provenance record (evidence, rejections) in one
 * transaction, and returns only once that is durable (on the embedded store, forced to disk).
 * Each caller releases its oldest allocation once it holds {@code --hold} (20), and one whenever a
 * contract does not fit, so the cluster never fills; the releases are durable writes too and are
 * counted apart. With a large {@code --hold} on a large cluster the measured seconds are mostly
 * placements (the warm-up still holds 20 and releases everything before the measurement).
 * On the embedded store it reports the file's size and how much of its chunks is live data at the
 * end of the run and, with {@code --idle}, again after that many seconds without writes (online
 * compaction; {@code --compact-fill-rate 0} turns it off).
 * With {@code --index-rounds N} it measures instead, after the warm-up, N rounds of two arms of
 * {@code --seconds} each on the same store: with the provenance log's index {@code --index}
 * ({@code provenance_by_allocation}, migration V007) and without it (dropped before that arm, created
 * again after it), the order of the two arms swapped every round; it prints each arm, the medians
 * and their ratio.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.engine.DurablePlacementThroughput \
 *     [--store embedded|postgresql|memory] [--url URL --password-file FILE] [--ha true|false] [--nodes 1000] [--threads 32] [--deciders 0] [--seconds 10] [--warmup 180] [--hold 20] [--compact-fill-rate 50] [--idle 0]
 *     [--index-rounds 0] [--index provenance_by_allocation] [--quotas store|none] [--instance bench]
 * </pre>
 */
public final class DurablePlacementThroughput {

    private DurablePlacementThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String kind = a.getOrDefault("store", "embedded");
        int threads = Integer.parseInt(a.getOrDefault("threads", "32"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "180"));
        int hold = Integer.parseInt(a.getOrDefault("hold", "20"));
        int nodes = Integer.parseInt(a.getOrDefault("nodes", "1000"));
        int deciders = Integer.parseInt(a.getOrDefault("deciders", "0"));
        int idle = Integer.parseInt(a.getOrDefault("idle", "0"));
        int indexRounds = Integer.parseInt(a.getOrDefault("index-rounds", "0"));
        String index = a.getOrDefault("index", "provenance_by_allocation");
        Path dir = Files.createTempDirectory("strata-placement-bench");
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", a.getOrDefault("instance", "bench")); // --instance: a second process on the same database is another instance
        p.put("durability", a.getOrDefault("durability", "fsync"));
        if (a.containsKey("compact-fill-rate")) {
            p.put("compactFillRate", Integer.parseInt(a.get("compact-fill-rate")));
        }
        if (kind.equals("postgresql")) {
            // --ha false: the instances all write (no election), so each change waits for the one before it (StoreLedger)
            p.put("highAvailability", Boolean.parseBoolean(a.getOrDefault("ha", "true")));
            p.put("url", a.get("url"));
            p.put("user", a.getOrDefault("user", "strata"));
            p.put("passwordFile", Path.of(a.get("password-file")).toAbsolutePath().toString());
        }
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings settings = StoreSettings.from(config, dir, dir);
        javax.sql.DataSource direct = DataSources.direct(settings, kind.equals("postgresql")
                ? new org.postgresql.osgi.PGDataSourceFactory() : new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver()));
        JdbcStateStore store = JdbcStateStore.open(settings, direct, Clock.systemUTC());
        while (!store.leadership().isLeader()) {
            Thread.sleep(50);
        }
        InventorySnapshot snapshot = GeneratedCluster.build(nodes, 42);
        Inventory inventory = new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
        // --quotas store (as Strata runs): every decision reads the tenant quotas from the store, and each of the mix's 20 tenants
        // has one (large enough never to refuse, so that every placement checks what its tenant holds); --quotas none reads none
        String quotas = a.getOrDefault("quotas", "store");
        if (!quotas.equals("store") && !quotas.equals("none")) {
            throw new IllegalArgumentException("--quotas: store or none");
        }
        // --store memory: the same harness on the in-memory ledger (nothing durable), as the baseline
        Placement service = kind.equals("memory") ? PlacementEngines.create(inventory, "strata", Clock.systemUTC())
                : PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), deciders, quotas.equals("store"));
        if (!kind.equals("memory") && quotas.equals("store")) {
            for (int t = 0; t < 20; t++) {
                service.setQuota("tenant-" + t, Map.of("gpus", "1000000", "cpu", "100000000", "memory", "1000PiB"));
            }
        }
        if (kind.equals("memory")) {
            System.out.printf(Locale.ROOT, "ledger in memory (nothing durable); %,d nodes; %d callers; %d s%n", nodes, threads, seconds);
        } else {
            System.out.printf(Locale.ROOT, "store %s (%s), durability %s; %,d nodes; %d callers; %d s; tenant quotas %s%n", store.info().kind(),
                    store.info().location(), store.info().durability(), nodes, threads, seconds, quotas.equals("store")
                            ? "read from the store at every decision (20 tenants limited)" : "not read");
        }
        run(service, threads, warmup, 20); // warm-up: the JIT compiles the engine's and the store's paths (C2 still used 70 % of a core 65 s into a run here)
        if (indexRounds > 0) {
            indexArms(service, store, direct, index, threads, seconds, hold, indexRounds);
            store.close();
            dev.strata.benchmarks.store.StoreFiles.reportAndDelete(dir);
            return;
        }
        long[] before = store.writeCounts();
        long cpu0 = PROCESS.getProcessCpuTime();
        Map<String, Long> threads0 = cpuByThreadGroup();
        long[] r = run(service, threads, seconds, hold);
        long cpu = processCpuAtStop - cpu0;
        Map<String, Long> threads1 = threadCpuAtStop;
        long[] after = store.writeCounts();
        double secs = r[3] / 1e9;
        long batches = after[0] - before[0];
        long writes = after[1] - before[1];
        System.out.printf(Locale.ROOT, "acknowledged durable placements: %,d in %.1f s = %,.0f/s (plus %,d durable releases = %,.0f/s); "
                + "latency p50 %.2f ms, p99 %.2f ms; %,d group commits, %.1f writes per commit%n", r[0], secs, r[0] / secs, r[1], r[1] / secs,
                r[4] / 1e6, r[5] / 1e6, batches, writes / (double) Math.max(1, batches));
        System.out.printf(Locale.ROOT, "CPU used by this JVM: %.1f s in %.1f s (%.2f cores; load average %.1f on %d cores): %.2f ms CPU per "
                + "placement and release%n", cpu / 1e9, secs, cpu / 1e9 / secs, PROCESS.getSystemLoadAverage(), PROCESS.getAvailableProcessors(),
                cpu / 1e6 / Math.max(1, r[0] + r[1]));
        StringBuilder split = new StringBuilder();
        threads1.forEach((group, nanos) -> {
            long used = nanos - threads0.getOrDefault(group, 0L);
            if (used > secs * 1e7) { // more than 1 % of a core
                split.append(String.format(Locale.ROOT, "%s %.2f cores (%.2f ms per change); ", group, used / 1e9 / secs,
                        used / 1e6 / Math.max(1, r[0] + r[1])));
            }
        });
        split.append(String.format(Locale.ROOT, "callers %.2f cores (%.2f ms per change)", callerCpuNanos.get() / 1e9 / secs,
                callerCpuNanos.get() / 1e6 / Math.max(1, r[0] + r[1])));
        System.out.println("CPU by thread: " + split);
        long head = store.provenance().head().seq();
        long bytes = 0;
        int records = 0;
        for (var rec : store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, "placement", null, null,
                100, true))) {
            bytes += rec.payloadJson().length();
            records++;
        }
        System.out.printf(Locale.ROOT, "provenance log: %,d records; a placement record's payload averages %,d characters (last %d)%n", head,
                bytes / Math.max(1, records), records);
        if (settings.h2File() != null) {
            // before close, which compacts the file for up to 200 ms
            fileReport(store, settings, "at the end of the run");
            if (idle > 0) {
                Thread.sleep(idle * 1000L);
                fileReport(store, settings, "after " + idle + " s idle");
            }
        }
        store.close();
        dev.strata.benchmarks.store.StoreFiles.reportAndDelete(dir);
    }

    /** What {@code --index} creates again after an arm without it. */
    private static final Map<String, String> INDEXES = Map.of(
            "provenance_by_allocation", "CREATE INDEX provenance_by_allocation ON provenance_record (allocation_id, seq)",
            "provenance_by_commitment", "CREATE INDEX provenance_by_commitment ON provenance_record (commitment_allocation_id, seq)");

    /** Rounds of an arm with the index and one without it on the same store, the order swapped every round. */
    private static void indexArms(Placement service, JdbcStateStore store, javax.sql.DataSource direct, String index, int threads, int seconds,
            int hold, int rounds) throws Exception {
        String create = INDEXES.get(index);
        if (create == null) {
            throw new IllegalArgumentException("--index: one of " + INDEXES.keySet());
        }
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> withReleases = new ArrayList<>();
        List<Double> withoutReleases = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (int arm = 0; arm < 2; arm++) {
                boolean indexed = (arm == 0) == (round % 2 == 0);
                long ddl = 0;
                if (!indexed) {
                    ddl = ddl(direct, "DROP INDEX " + index);
                }
                long[] r = run(service, threads, seconds, hold);
                if (!indexed) {
                    ddl += ddl(direct, create);
                }
                double secs = r[3] / 1e9;
                (indexed ? with : without).add(r[0] / secs);
                (indexed ? withReleases : withoutReleases).add(r[1] / secs);
                System.out.printf(Locale.ROOT, "round %d, %s %s: %,.0f placements/s, %,.0f durable releases/s; p50 %.2f ms, p99 %.2f ms; "
                        + "log %,d records; load average %.1f%s%n", round + 1, indexed ? "with" : "without", index, r[0] / secs, r[1] / secs,
                        r[4] / 1e6, r[5] / 1e6, store.provenance().head().seq(), PROCESS.getSystemLoadAverage(),
                        indexed ? "" : String.format(Locale.ROOT, " (drop and create took %,d ms, not measured)", ddl / 1_000_000));
            }
        }
        double mw = median(with);
        double mo = median(without);
        System.out.printf(Locale.ROOT, "placements/s, median of %d: with %s %,.0f (%s), without %,.0f (%s): ratio with/without %.2f%n", rounds,
                index, mw, range(with), mo, range(without), mw / mo);
        System.out.printf(Locale.ROOT, "durable releases/s, median of %d: with %,.0f (%s), without %,.0f (%s): ratio with/without %.2f%n",
                rounds, median(withReleases), range(withReleases), median(withoutReleases), range(withoutReleases),
                median(withReleases) / median(withoutReleases));
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String range(List<Double> xs) {
        return String.format(Locale.ROOT, "%,.0f - %,.0f", xs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                xs.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    /** Runs a statement on a connection of its own; its time in nanoseconds. */
    private static long ddl(javax.sql.DataSource direct, String sql) throws Exception {
        long start = System.nanoTime();
        try (java.sql.Connection c = direct.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute(sql);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
        return System.nanoTime() - start;
    }

    private static void fileReport(JdbcStateStore store, StoreSettings settings, String when) throws java.io.IOException {
        System.out.printf(Locale.ROOT, "store file %s: %,d MB; online compaction: %s%n", when, Files.size(settings.h2File()) >> 20,
                store.compaction().map(c -> c.fillRate() + " % live data in the chunks, " + c.rewritingSteps() + " of " + c.steps()
                        + " steps rewrote pages").orElse("off"));
    }

    /** CPU time of the caller threads until they stop placing (their final releases not included). */
    static final java.util.concurrent.atomic.AtomicLong callerCpuNanos = new java.util.concurrent.atomic.AtomicLong();
    static final com.sun.management.OperatingSystemMXBean PROCESS = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
            .getOperatingSystemMXBean();
    /** The JVM's CPU time when the measured callers stopped placing (their final releases not included). */
    static volatile long processCpuAtStop;
    static volatile Map<String, Long> threadCpuAtStop;

    /**
     * Placements, releases, not placed, nanoseconds, p50 and p99 placement latency in nanoseconds.
     *
     * @param hold how many allocations a caller holds before it releases its oldest (it also releases one when refused)
     */
    static long[] run(Placement service, int threads, int seconds, int hold) throws Exception {
        callerCpuNanos.set(0);
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(threads);
        long[][] counts = new long[threads][3];
        List<long[]> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            long[] lat = new long[1_000_000];
            latencies.add(lat);
            Thread w = new Thread(() -> {
                Random random = new Random(id);
                ArrayDeque<String> held = new ArrayDeque<>();
                int n = 0;
                while (!stop.get()) {
                    long start = System.nanoTime();
                    PlacementDecision d = service.place(GeneratedCluster.contract(random, id * 10_000_000 + n), false);
                    if (d.placed()) {
                        if (counts[id][0] < lat.length) {
                            lat[(int) counts[id][0]] = System.nanoTime() - start;
                        }
                        counts[id][0]++;
                        held.add(d.allocationId());
                    } else {
                        counts[id][2]++;
                    }
                    if (held.size() > hold || (!d.placed() && !held.isEmpty())) {
                        service.release(held.poll());
                        counts[id][1]++;
                    }
                    n++;
                }
                callerCpuNanos.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                stopped.countDown();
                for (String h : held) {
                    service.release(h);
                }
            }, "caller-" + t);
            workers.add(w);
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        long elapsed = System.nanoTime() - start;
        stopped.await();
        processCpuAtStop = PROCESS.getProcessCpuTime(); // before the callers release what they hold
        threadCpuAtStop = cpuByThreadGroup();
        for (Thread w : workers) {
            w.join();
        }
        long placed = 0;
        long released = 0;
        long refused = 0;
        int k = 0;
        for (long[] c : counts) {
            placed += c[0];
            released += c[1];
            refused += c[2];
        }
        long[] all = new long[(int) Math.min(placed, 20_000_000)];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < Math.min(counts[t][0], latencies.get(t).length) && k < all.length; i++) {
                all[k++] = latencies.get(t)[i];
            }
        }
        Arrays.sort(all, 0, k);
        if (refused > placed / 10) {
            System.out.printf(Locale.ROOT, "note: %,d contracts did not fit%n", refused);
        }
        return new long[] {placed, released, refused, elapsed, k == 0 ? 0 : all[k / 2], k == 0 ? 0 : all[(int) (k * 0.99)]};
    }

    /** CPU time so far of the live threads, summed by name with digits removed (callers, the store's writer, ...). */
    private static Map<String, Long> cpuByThreadGroup() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null) {
                long nanos = mx.getThreadCpuTime(t.getThreadId());
                if (nanos > 0 && !t.getThreadName().startsWith("caller-")) {
                    out.merge(t.getThreadName().replaceAll("[0-9]+", "N"), nanos, Long::sum);
                }
            }
        }
        return out;
    }
}
