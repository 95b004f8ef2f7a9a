package dev.strata.benchmarks.engine;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.core.commitment.CommitmentConfig;
import dev.strata.platform.core.commitment.CommitmentVerifier;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.osgi.util.converter.Converters;

/**
 * The commitment verifier's passes ({@link CommitmentVerifier#verifyAll()}) on the real state store,
 * over allocations placed by the durable placement service on the generated cluster
 * ({@link GeneratedCluster}, 10,000 nodes), with a provenance log of realistic length. For each
 * ledger size in {@code --allocations} (placed one size after the other on the same store):
 * <ol>
 *   <li><b>steady, all honored</b>: passes of a verifier that has made its first pass, nothing
 *       changed, so nothing is written;</li>
 *   <li><b>steady, changed</b>: passes that each find {@code --stale} % of the bound nodes changed
 *       (STALE, then AVAILABLE again at the next pass), so that the allocations on them change
 *       status and each change is appended to the log and waited for, as the verifier does;</li>
 *   <li><b>first pass after a start</b>: a new verifier on the same store, which reads every
 *       allocation's contract and its last commitment record back from the log; with the index of
 *       migration 7 on {@code provenance_record (allocation_id, seq)} and without it (dropped for
 *       those rounds and created again), alternately; {@code --unindexed-rounds} per ledger size, as
 *       a pass without the index scans the whole log once per allocation.</li>
 * </ol>
 * Then, on the same log, appends per second with and without that index, alternately
 * ({@code --append-callers} callers, each waiting for its append to be durable, as the verifier and
 * placement do), for records of new allocations (ids increasing, as placements append them) and for
 * records of allocations spread over the ledger (commitment changes, releases). The index is always created again before the store is closed.
 * The verifier's INFO line per change is turned off (slf4j-simple, WARN) unless
 * {@code -Dorg.slf4j.simpleLogger.log.dev.strata.platform.core.commitment} says otherwise.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.engine.CommitmentPasses \
 *     [--store embedded|postgresql] [--url URL --password-file FILE] [--nodes 10000] [--allocations 1000,5000] [--log 100000] \
 *     [--passes 5] [--stale 10] [--restart-rounds 3] [--unindexed-rounds 3,1] [--append-seconds 5] [--append-rounds 3] [--append-callers 16]
 * </pre>
 */
public final class CommitmentPasses {

    private static final String INDEX = "provenance_by_allocation";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CommitmentPasses() {
    }

    public static void main(String[] args) throws Exception {
        for (String quiet : List.of("dev.strata.platform.core.commitment", "dev.strata.platform.core.placement")) {
            String key = "org.slf4j.simpleLogger.log." + quiet;
            System.setProperty(key, System.getProperty(key, "warn")); // a line per placement and per change, before any logger exists
        }
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String kind = a.getOrDefault("store", "embedded");
        int nodeCount = Integer.parseInt(a.getOrDefault("nodes", "10000"));
        int[] sizes = Arrays.stream(a.getOrDefault("allocations", "1000,5000").split(",")).mapToInt(Integer::parseInt).sorted().toArray();
        int logLength = Integer.parseInt(a.getOrDefault("log", "100000"));
        int passes = Integer.parseInt(a.getOrDefault("passes", "5"));
        int stalePercent = Integer.parseInt(a.getOrDefault("stale", "10"));
        int restartRounds = Integer.parseInt(a.getOrDefault("restart-rounds", "3"));
        int[] unindexedBySize = Arrays.stream(a.getOrDefault("unindexed-rounds", "3,1").split(",")).mapToInt(Integer::parseInt).toArray();
        int appendSeconds = Integer.parseInt(a.getOrDefault("append-seconds", "5"));
        int appendRounds = Integer.parseInt(a.getOrDefault("append-rounds", "3"));
        int appendCallers = Integer.parseInt(a.getOrDefault("append-callers", "16"));

        Path dir = Files.createTempDirectory("strata-commitment-bench");
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "bench");
        p.put("durability", a.getOrDefault("durability", "fsync"));
        if (kind.equals("postgresql")) {
            p.put("url", a.get("url"));
            p.put("user", a.getOrDefault("user", "strata"));
            p.put("passwordFile", Path.of(a.get("password-file")).toAbsolutePath().toString());
        }
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings settings = StoreSettings.from(config, dir, dir);
        DataSource direct = DataSources.direct(settings, kind.equals("postgresql") ? new org.postgresql.osgi.PGDataSourceFactory()
                : new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver()));
        JdbcStateStore store = JdbcStateStore.open(settings, direct, Clock.systemUTC());
        try {
            while (!store.leadership().isLeader()) {
                Thread.sleep(50);
            }
            if (store.provenance().head().seq() > 0) {
                throw new IllegalStateException("the store already holds a provenance log; this benchmark needs an empty one");
            }
            InventorySnapshot base = GeneratedCluster.build(nodeCount, 42);
            AtomicReference<InventorySnapshot> current = new AtomicReference<>(base);
            AtomicLong generation = new AtomicLong(base.generation());
            Inventory inventory = new Inventory() {
                @Override
                public InventorySnapshot snapshot() {
                    return current.get();
                }

                @Override
                public InventorySnapshot refresh(Duration maxWait) {
                    return current.get();
                }
            };
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 0);
            System.out.printf(Locale.ROOT, "store %s (%s), durability %s; generated cluster of %,d nodes; provenance log filled to %,d "
                    + "records; %d cores, load average %.1f%n", store.info().kind(), store.info().location(), store.info().durability(),
                    nodeCount, logLength, Runtime.getRuntime().availableProcessors(), load());

            AtomicInteger contractSeq = new AtomicInteger();
            for (int stage = 0; stage < sizes.length; stage++) {
                int size = sizes[stage];
                int unindexedRounds = unindexedBySize[Math.min(stage, unindexedBySize.length - 1)];
                long t0 = System.nanoTime();
                int placed = placeUntil(placement, size, contractSeq);
                long placedIn = System.nanoTime() - t0;
                t0 = System.nanoTime();
                long filled = fillLog(store, logLength);
                System.out.printf(Locale.ROOT, "%n== %,d allocations (%,d placed in %.1f s), %,d other records appended in %.1f s; log %,d records; "
                        + "load average %.1f%n", placement.allocations().size(), placed, placedIn / 1e9, filled, (System.nanoTime() - t0) / 1e9,
                        store.provenance().head().seq(), load());
                current.set(withGeneration(base, generation.incrementAndGet()));

                // the first pass of a verifier that has never run on this store: reads each contract and each allocation's last record
                CommitmentVerifier verifier = verifier(store, placement, inventory);
                Pass first = pass(verifier, store);
                System.out.printf(Locale.ROOT, "first pass of a fresh verifier: %s%n", first);
                if (first.statuses.getOrDefault(CommitmentStatus.HONORED, 0) != first.verdicts) {
                    System.out.println("note: not every allocation is HONORED on the unchanged cluster: " + first.statuses);
                }

                // 1. steady, all honored: nothing written
                List<Pass> honored = new ArrayList<>();
                for (int i = 0; i < passes; i++) {
                    honored.add(pass(verifier, store));
                }
                report("steady pass, all HONORED", honored);

                // 2. steady, a share of the bound nodes STALE then back: every change appended and waited for
                InventorySnapshot stale = staleShare(base, placement.allocations(), stalePercent);
                List<Pass> changed = new ArrayList<>();
                for (int i = 0; i < 2 * passes; i++) {
                    current.set(withGeneration(i % 2 == 0 ? stale : base, generation.incrementAndGet()));
                    changed.add(pass(verifier, store));
                }
                report("steady pass, " + stalePercent + " % of bound nodes flipped (STALE, then AVAILABLE)", changed);
                // the cluster is as placed again (the last flip was back to AVAILABLE): all HONORED, a share with records saying so

                // 3. the first pass after a start, with and without the index, alternately
                List<Pass> indexed = new ArrayList<>();
                List<Pass> unindexed = new ArrayList<>();
                for (int r = 0; r < Math.max(restartRounds, unindexedRounds); r++) {
                    if (r < restartRounds) {
                        Pass x = pass(verifier(store, placement, inventory), store);
                        System.out.printf(Locale.ROOT, "  first pass after a start, with the index:    %s%n", x);
                        indexed.add(x);
                    }
                    if (r < unindexedRounds) {
                        long d = ddl(direct, "DROP INDEX " + INDEX);
                        try {
                            Pass x = pass(verifier(store, placement, inventory), store);
                            System.out.printf(Locale.ROOT, "  first pass after a start, without the index: %s%n", x);
                            unindexed.add(x);
                        } finally {
                            long c = ddl(direct, "CREATE INDEX " + INDEX + " ON provenance_record (allocation_id, seq)");
                            System.out.printf(Locale.ROOT, "    (index dropped in %.0f ms, created again in %.0f ms)%n", d / 1e6, c / 1e6);
                        }
                    }
                }
                report("first pass after a start, with the index (V007)", indexed);
                report("first pass after a start, without the index", unindexed);
                if (!indexed.isEmpty() && !unindexed.isEmpty()) {
                    System.out.printf(Locale.ROOT, "  ratio of the medians, without / with the index: %.1f%n", medianWall(unindexed) / medianWall(indexed));
                }
            }

            // 4. appends with and without the index, alternately, on the same log: records of new allocations (ids increasing, as
            // placements append them) and records of allocations spread over the ledger (commitment changes, releases)
            if (appendRounds > 0) {
                List<String> ledgerIds = placement.allocations().stream().map(Allocation::id).toList();
                AtomicLong fresh = new AtomicLong();
                for (boolean spread : new boolean[] {false, true}) {
                    Supplier<String> ids = spread ? () -> ledgerIds.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(ledgerIds.size()))
                            : () -> String.format(Locale.ROOT, "n-%07d", fresh.incrementAndGet());
                    String shape = spread ? "allocations spread over the ledger of " + ledgerIds.size() : "new allocations, ids increasing";
                    System.out.printf(Locale.ROOT, "%n== appends per second, records of %s; %d callers each waiting for its append to be durable; "
                            + "log %,d records%n", shape, appendCallers, store.provenance().head().seq());
                    appendArm(store, appendCallers, 2, ids); // warm-up
                    double[] with = new double[appendRounds];
                    double[] without = new double[appendRounds];
                    for (int r = 0; r < appendRounds; r++) {
                        // with, without; then without, with: neither arm always runs first
                        for (boolean indexed : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                            if (indexed) {
                                with[r] = appendArm(store, appendCallers, appendSeconds, ids);
                                System.out.printf(Locale.ROOT, "  with the index:    %,.0f appends/s%n", with[r]);
                                continue;
                            }
                            ddl(direct, "DROP INDEX " + INDEX);
                            try {
                                without[r] = appendArm(store, appendCallers, appendSeconds, ids);
                                System.out.printf(Locale.ROOT, "  without the index: %,.0f appends/s%n", without[r]);
                            } finally {
                                ddl(direct, "CREATE INDEX " + INDEX + " ON provenance_record (allocation_id, seq)");
                            }
                        }
                    }
                    System.out.printf(Locale.ROOT, "appends/s (%s), median with the index %,.0f, without %,.0f: ratio with / without %.3f; "
                            + "load average %.1f%n", shape, median(with), median(without), median(with) / median(without), load());
                }
            }
        } finally {
            store.close();
            dev.strata.benchmarks.store.StoreFiles.reportAndDelete(dir);
        }
    }

    /** One pass: its wall and calling-thread CPU time, the verdicts by status, and how many records it appended. */
    record Pass(double wallMs, double cpuMs, int verdicts, Map<CommitmentStatus, Integer> statuses, long appended) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,.1f ms (CPU of the calling thread %,.1f ms), %,d verdicts %s, %,d records appended", wallMs, cpuMs,
                    verdicts, statuses, appended);
        }
    }

    private static Pass pass(CommitmentVerifier verifier, JdbcStateStore store) {
        long head = store.provenance().head().seq();
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        List<Commitment> out = verifier.verifyAll();
        long wall = System.nanoTime() - start;
        cpu = THREADS.getCurrentThreadCpuTime() - cpu;
        Map<CommitmentStatus, Integer> by = new EnumMap<>(CommitmentStatus.class);
        out.forEach(c -> by.merge(c.status(), 1, Integer::sum));
        return new Pass(wall / 1e6, cpu / 1e6, out.size(), by, store.provenance().head().seq() - head);
    }

    private static void report(String what, List<Pass> passes) {
        if (passes.isEmpty()) {
            return;
        }
        double[] wall = passes.stream().mapToDouble(Pass::wallMs).toArray();
        double[] cpu = passes.stream().mapToDouble(Pass::cpuMs).toArray();
        double[] appended = passes.stream().mapToDouble(Pass::appended).toArray();
        System.out.printf(Locale.ROOT, "%s: median %,.1f ms (%,.1f to %,.1f), CPU of the calling thread median %,.1f ms; records appended per "
                + "pass median %,.0f; %d passes: %s; load average %.1f%n", what, median(wall), Arrays.stream(wall).min().orElse(0),
                Arrays.stream(wall).max().orElse(0), median(cpu), median(appended), passes.size(),
                Arrays.stream(wall).mapToObj(w -> String.format(Locale.ROOT, "%.0f", w)).toList(), load());
    }

    private static double medianWall(List<Pass> passes) {
        return median(passes.stream().mapToDouble(Pass::wallMs).toArray());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A verifier as the component makes it (interval 0: on demand only; every provider has discovered). */
    private static CommitmentVerifier verifier(JdbcStateStore store, Placement placement, Inventory inventory) {
        CommitmentConfig config = Converters.standardConverter().convert(Map.of("interval", "0")).to(CommitmentConfig.class);
        return new CommitmentVerifier(store, placement, inventory, NO_PROVIDERS, config);
    }

    private static final ProviderRegistry NO_PROVIDERS = new ProviderRegistry() {
        @Override
        public List<ProviderStatus> providers() {
            return List.of();
        }

        @Override
        public Optional<ProviderStatus> provider(String id) {
            return Optional.empty();
        }

        @Override
        public ProviderStatus refresh(String id, Duration maxWait) {
            throw new UnsupportedOperationException();
        }
    };

    /** Places the generated cluster's contract mix (8 callers) until the ledger holds {@code size} allocations; how many were placed. */
    private static int placeUntil(Placement placement, int size, AtomicInteger contractSeq) throws InterruptedException {
        AtomicInteger placed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger remaining = new AtomicInteger(size - placement.allocations().size());
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread c = new Thread(() -> {
                while (remaining.getAndDecrement() > 0) {
                    int i = contractSeq.getAndIncrement();
                    if (placement.place(GeneratedCluster.contract(new Random(i), i), false).placed()) {
                        placed.incrementAndGet();
                    } else if (refused.incrementAndGet() > 10 * size) {
                        throw new IllegalStateException("the cluster refuses the contracts: " + refused + " refused");
                    } else {
                        remaining.incrementAndGet();
                    }
                }
            }, "placer-" + t);
            callers.add(c);
            c.start();
        }
        for (Thread c : callers) {
            c.join();
        }
        return placed.get();
    }

    /**
     * Appends records of allocations long gone (a placement with its evidence, then its release; one in
     * five also changed commitment once) until the log holds {@code length}; how many were appended.
     */
    private static long fillLog(JdbcStateStore store, long length) {
        long appended = 0;
        int i = (int) store.provenance().head().seq();
        while (store.provenance().head().seq() < length) {
            List<CompletableFuture<?>> batch = new ArrayList<>();
            long room = length - store.provenance().head().seq();
            for (int k = 0; k < Math.min(2_000, room); k++, i++) {
                String id = String.format(Locale.ROOT, "old-%07d", i / 3);
                batch.add(store.provenance().append(switch (i % 3) {
                    case 0 -> placed(id);
                    case 1 -> i % 5 == 1 ? commitment(id, "AT_RISK", "HONORED") : released(id);
                    default -> released(id);
                }));
            }
            batch.forEach(CompletableFuture::join);
            appended += batch.size();
        }
        return appended;
    }

    /** A placement's record with its evidence and rejections, shaped as placement's (and {@code StoreThroughput}'s). */
    private static ProvenanceEntry placed(String id) {
        return ProvenanceEntry.of("placement", "karaf", Map.of("inventoryGeneration", 10, "ledgerGeneration", 0, "evidence", List.of(
                "sovereignty.countries: site fra-1 country=DE in [DE, FR]", "fabric.rdma: all members on fra-1-ib-ndr (InfiniBand NDR, 400 Gbit/s)",
                "members.trainer-0.gpus: 8x NVIDIA H100 80GB HBM3"), "rejections", Map.of("country US not in [DE, FR]", 32, "no GPUs", 8)),
                "contract", "llm-finetune", "tenant", "bank-risk", "allocation", id);
    }

    private static ProvenanceEntry released(String id) {
        return ProvenanceEntry.of("release", "karaf", Map.of("allocation", id, "ledgerGeneration", 0), "contract", "llm-finetune", "tenant",
                "bank-risk", "allocation", id);
    }

    /** A record shaped as the verifier's. */
    private static ProvenanceEntry commitment(String id, String status, String previous) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("allocation", id);
        payload.put("contract", "llm-finetune");
        payload.put("tenant", "bank-risk");
        payload.put("status", status);
        payload.put("previous", previous);
        payload.put("inventoryGeneration", 10);
        payload.put("findings", status.equals("HONORED") ? List.of() : List.of(Map.of("member", "trainer-0", "clause", "members.trainer-0.node",
                "status", status, "evidence", "node fra-1-n00012 is STALE: its provider generated no longer reports it")));
        return ProvenanceEntry.of(CommitmentVerifier.KIND, "system", payload, "contract", "llm-finetune", "tenant", "bank-risk", "allocation", id);
    }

    /** The cluster with {@code percent} % of the nodes the ledger binds (drawn with a fixed seed) STALE. */
    private static InventorySnapshot staleShare(InventorySnapshot base, List<Allocation> ledger, int percent) {
        Set<String> bound = new TreeSet<>();
        for (Allocation a : ledger) {
            for (MemberBinding b : a.bindings()) {
                bound.add(b.nodeId());
            }
        }
        List<String> order = new ArrayList<>(bound);
        java.util.Collections.shuffle(order, new Random(7));
        Set<String> stale = Set.copyOf(order.subList(0, (int) Math.round(order.size() * percent / 100.0)));
        List<Node> nodes = new ArrayList<>(base.nodes().size());
        for (Node n : base.nodes()) {
            nodes.add(stale.contains(n.id()) ? n.withState(ResourceState.STALE) : n);
        }
        System.out.printf(Locale.ROOT, "  %,d of the %,d bound nodes made STALE%n", stale.size(), bound.size());
        return new InventorySnapshot(base.generation(), Instant.now(), base.sites(), nodes, base.fabrics(), base.storagePools(), base.powerDomains(),
                base.offers(), base.unattached());
    }

    private static InventorySnapshot withGeneration(InventorySnapshot s, long generation) {
        return new InventorySnapshot(generation, Instant.now(), s.sites(), s.nodes(), s.fabrics(), s.storagePools(), s.powerDomains(), s.offers(),
                s.unattached());
    }

    /** Runs a statement on a connection of its own; its time in nanoseconds. */
    private static long ddl(DataSource direct, String sql) throws Exception {
        long start = System.nanoTime();
        try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
        return System.nanoTime() - start;
    }

    /** Appends per second for {@code seconds}: callers each appending a verifier-shaped record and waiting until it is durable. */
    private static double appendArm(JdbcStateStore store, int callers, int seconds, Supplier<String> ids) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            Thread w = new Thread(() -> {
                int n = 0;
                while (!stop.get()) {
                    String allocation = ids.get();
                    n++;
                    store.provenance().append(commitment(allocation, n % 2 == 0 ? "HONORED" : "AT_RISK", n % 2 == 0 ? "AT_RISK" : "HONORED")).join();
                    count.incrementAndGet();
                }
            }, "appender-" + t);
            threads.add(w);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : threads) {
            w.join();
        }
        return count.get() / ((System.nanoTime() - start) / 1e9);
    }
}
