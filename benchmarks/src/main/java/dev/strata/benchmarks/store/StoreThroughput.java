package dev.strata.benchmarks.store;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.LedgerChange;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.util.converter.Converters;

/**
 * Durable placements per second through the state store, the way placement uses it: callers
 * decide one at a time under a lock (here the decision is taken as made), submit the commit with
 * the generation it was decided on and its provenance record, leave the lock, and wait until the
 * commit is durable; only then is a placement acknowledged. Each placement writes an allocation
 * of two members (eight GPUs and a CPU-only member), its bindings and a provenance record with
 * evidence, as a real one does.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.store.StoreThroughput \
 *     [--store embedded|postgresql] [--url URL --password-file FILE] [--threads 16] [--seconds 10] [--durability fsync]
 * </pre>
 */
public final class StoreThroughput {

    private StoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String kind = a.getOrDefault("store", "embedded");
        int threads = Integer.parseInt(a.getOrDefault("threads", "16"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        Path dir = Files.createTempDirectory("strata-store-bench");
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "bench");
        p.put("durability", a.getOrDefault("durability", "fsync"));
        p.put("highAvailability", Boolean.parseBoolean(a.getOrDefault("ha", "true")));
        if (kind.equals("postgresql")) {
            p.put("url", a.get("url"));
            p.put("user", a.getOrDefault("user", "strata"));
            p.put("passwordFile", Path.of(a.get("password-file")).toAbsolutePath().toString());
        }
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings settings = StoreSettings.from(config, dir, dir);
        JdbcStateStore store = JdbcStateStore.open(settings, DataSources.direct(settings, kind.equals("postgresql")
                ? new org.postgresql.osgi.PGDataSourceFactory() : new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())), Clock.systemUTC());
        while (!store.leadership().isLeader()) {
            Thread.sleep(50);
        }
        System.out.printf("store %s (%s), durability %s, %d callers, %d s%n", store.info().kind(), store.info().location(),
                store.info().durability(), threads, seconds);
        run(store, threads, 2, false); // warm-up
        long[] before = store.writeCounts();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        Result r = run(store, threads, seconds, true);
        long cpu = os.getProcessCpuTime() - cpu0;
        long[] after = store.writeCounts();
        long batches = after[0] - before[0];
        long writes = after[1] - before[1];
        System.out.printf("acknowledged durable placements: %d in %.1f s = %.0f/s; latency p50 %.2f ms, p99 %.2f ms; %d group commits, "
                + "%.1f placements per commit%n", r.count, r.seconds, r.count / r.seconds, r.p50, r.p99, batches, writes / (double) Math.max(1, batches));
        System.out.printf("CPU used by this JVM: %.1f s in %.1f s of wall time (%.2f cores; load average %.1f on %d cores): %.2f ms CPU per "
                + "placement%n", cpu / 1e9, r.seconds, cpu / 1e9 / r.seconds, os.getSystemLoadAverage(), os.getAvailableProcessors(),
                cpu / 1e6 / Math.max(1, r.count));
        store.close();
        StoreFiles.reportAndDelete(dir);
    }

    record Result(long count, double seconds, double p50, double p99) {
    }

    static Result run(JdbcStateStore store, int threads, int seconds, boolean report) throws Exception {
        Object decide = new Object();
        long[] generation = {store.ledger().generation()};
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        long[] counts = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            long[] lat = new long[2_000_000];
            latencies.add(lat);
            Thread w = new Thread(() -> {
                int n = 0;
                while (!stop.get()) {
                    long start = System.nanoTime();
                    CompletableFuture<LedgerChange> f;
                    synchronized (decide) {
                        String allocationId = store.ledger().nextId();
                        f = store.ledger().commit(generation[0]++, allocation(allocationId, n), null, evidence(allocationId));
                    }
                    f.join();
                    if (n < lat.length) {
                        lat[n] = System.nanoTime() - start;
                    }
                    n++;
                }
                counts[id] = n;
            });
            workers.add(w);
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) Math.min(total, 20_000_000)];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < Math.min(counts[t], latencies.get(t).length) && k < all.length; i++) {
                all[k++] = latencies.get(t)[i];
            }
        }
        Arrays.sort(all, 0, k);
        return new Result(total, elapsed, k == 0 ? 0 : all[k / 2] / 1e6, k == 0 ? 0 : all[(int) (k * 0.99)] / 1e6);
    }

    static Allocation allocation(String id, int n) {
        String node = "fra-1-h100-" + (n % 16);
        return new Allocation(id, "llm-finetune", "bank-risk", 50, true, Instant.now(), List.of(
                new MemberBinding("trainer-0", node, "fra-1", List.of("gpu0", "gpu1", "gpu2", "gpu3", "gpu4", "gpu5", "gpu6", "gpu7"), 1.0,
                        node + "/nvlink", -1, "fra-1-ib-ndr", 96_000, 1L << 40, 10_200, "fra-1-rack-a01"),
                new MemberBinding("loader", "fra-1-cpu-" + (n % 4), "fra-1", List.of(), 1.0, null, -1, null, 16_000, 64L << 30, 400, null)));
    }

    static ProvenanceEntry evidence(String id) {
        return ProvenanceEntry.of("placement", "karaf", Map.of("inventoryGeneration", 10, "ledgerGeneration", 0, "evidence", List.of(
                "sovereignty.countries: site fra-1 country=DE in [DE, FR]", "fabric.rdma: all members on fra-1-ib-ndr (InfiniBand NDR, 400 Gbit/s)",
                "members.trainer-0.gpus: 8x NVIDIA H100 80GB HBM3"), "rejections", Map.of("country US not in [DE, FR]", 32, "no GPUs", 8)),
                "contract", "llm-finetune", "tenant", "bank-risk", "allocation", id);
    }
}
