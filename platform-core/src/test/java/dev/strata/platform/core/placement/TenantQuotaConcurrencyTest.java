package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tenant's placements (plain and for deployments), dry runs and releases racing on the durable
 * ledger: what the store holds for the tenant never passes its quota, at any time it is read, and
 * the engine's running holdings end equal to the store's recomputed from scratch.
 */
class TenantQuotaConcurrencyTest {

    private static final ContractDocumentReader READER = new ContractDocumentReader();

    @TempDir
    Path data;

    @Test
    void placementsAndReleasesOfOneTenantOnTheDurableLedgerNeverPassItsQuota() throws Exception {
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService service = DurablePlacements.durable(DurablePlacements.infra().inventory(), store);
            service.engine().quotas(TenantQuotas.parse(RetiredQuotaFile.PID, "t/gpus=7.5, t/cpu=40"));
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> held = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            List<String> breaches = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                Future<?> watcher = pool.submit(() -> {
                    while (running.get()) {
                        long[] s = sum(store.ledger().load().allocations());
                        if (s[0] > 7_500 || s[1] > 40_000) {
                            breaches.add(s[0] + " GPU milli, " + s[1] + " CPU milli");
                        }
                    }
                    return null;
                });
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int worker = w;
                    workers.add(pool.submit(() -> {
                        Random r = new Random(worker);
                        for (int i = 0; i < 60; i++) {
                            if (r.nextInt(3) == 0) {
                                String id = held.poll();
                                if (id != null) {
                                    // one placed for a deployment (never stored here) is held by it: freed on its behalf
                                    String[] placedFor = id.split(" ");
                                    if (placedFor.length == 2) {
                                        service.releaseFor(placedFor[0], placedFor[1]);
                                    } else {
                                        service.release(id);
                                    }
                                }
                                continue;
                            }
                            String gpus = switch (r.nextInt(3)) {
                                case 0 -> "{fraction: 0.25}";
                                case 1 -> "{partition: 1g.10gb}";
                                default -> String.valueOf(1 + r.nextInt(3));
                            };
                            Contract c = READER.read("{name: c" + worker + "-" + i + ", tenant: t, members: [{name: m, cpu: " + (1 + r.nextInt(6))
                                    + ", memory: 8GiB, gpus: " + gpus + "}]}", "c");
                            String deployment = r.nextInt(4) == 0 ? "d-" + worker + "-" + i : null;
                            PlacementDecision d = deployment != null ? service.placeFor(c, deployment) : service.place(c, false);
                            if (d.placed()) {
                                held.add(d.allocationId() + (deployment != null ? " " + deployment : ""));
                            } else if (d.summary().startsWith("not placed: tenant t would exceed its quota")) {
                                refused.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : workers) {
                    f.get(3, TimeUnit.MINUTES);
                }
                running.set(false);
                watcher.get(1, TimeUnit.MINUTES);
            } finally {
                running.set(false);
                pool.shutdownNow();
            }
            assertThat(refused.get()).as("the quota was reached").isPositive();
            assertThat(breaches).as("the store's holdings of t, as read while placing").isEmpty();
            long[] now = sum(store.ledger().load().allocations());
            assertThat(service.engine().tenantHolds().getOrDefault("t", TenantQuotas.Limits.ZERO))
                    .isEqualTo(new TenantQuotas.Limits(now[0], now[1], now[2]));
        }
    }

    private static long[] sum(List<Allocation> allocations) {
        long[] out = new long[3];
        for (Allocation a : allocations) {
            for (MemberBinding b : a.bindings()) {
                out[0] += TenantUse.gpuMilli(b);
                out[1] += b.cpuMilli();
                out[2] += b.memoryBytes();
            }
        }
        return out;
    }
}
