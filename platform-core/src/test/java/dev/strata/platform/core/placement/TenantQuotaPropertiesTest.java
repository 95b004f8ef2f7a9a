package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Tenant quotas against a model recomputed from scratch: over random inventories, contracts
 * (whole GPUs, shares, partitions, CPU-only members) and quotas, with releases in between, a
 * placement is committed exactly when the same placement without quotas would be and the tenant's
 * holdings, summed from the ledger's allocations, plus the gang's stay within every limit it has;
 * and then it binds what placement without quotas would have bound.
 */
class TenantQuotaPropertiesTest {

    private static final String[] TENANTS = {"t0", "t1", "t2"};

    @Property(tries = 120)
    void aPlacementIsCommittedExactlyWhenItsTenantsQuotaAllowsItAndTheQuotaIsNeverExceeded(@ForAll long seed) {
        Random r = new Random(seed);
        Infra infra = PlacementPropertiesTest.inventory(r);
        InMemoryLedger ledger = new InMemoryLedger();
        PlacementService service = new PlacementService(infra.inventory(), ledger, "strata", Clock.systemUTC());
        // the oracle's placement: no quotas, on the same ledger, dry runs only
        PlacementService unlimited = new PlacementService(infra.inventory(), ledger, "strata", Clock.systemUTC());
        Map<String, long[]> limits = new HashMap<>();
        String configured = quotas(r, limits);
        TenantQuotas quotas = TenantQuotas.parse(RetiredQuotaFile.PID, configured);
        for (String tenant : TENANTS) {
            // the limits as the oracle reads the text it wrote: each resource given, or -1 (none)
            assertThat(quotas.of(tenant)).as("%s under %s", tenant, configured).isEqualTo(Optional.ofNullable(limits.get(tenant))
                    .map(l -> new TenantQuotas.Limits(l[0], l[1], l[2])));
        }
        service.engine().quotas(quotas);
        List<String> placed = new ArrayList<>();
        for (int step = 0; step < 30; step++) {
            if (!placed.isEmpty() && r.nextInt(5) == 0) {
                service.release(placed.remove(r.nextInt(placed.size())));
                continue;
            }
            Contract contract = withPartitions(r, PlacementPropertiesTest.contract(r, step));
            PlacementDecision without = unlimited.place(contract, true);
            long[] held = heldFromScratch(service.allocations(), contract.tenant());
            long[] wanted = without.placed() ? sum(without.bindings()) : new long[3];
            long[] limit = limits.get(contract.tenant());
            boolean allowed = limit == null || fits(limit[0], held[0], wanted[0]) && fits(limit[1], held[1], wanted[1])
                    && fits(limit[2], held[2], wanted[2]);
            PlacementDecision d = service.place(contract, false);
            String why = "step " + step + " of " + contract.tenant() + " under " + configured + ", holding " + List.of(held[0], held[1], held[2])
                    + ", wanting " + List.of(wanted[0], wanted[1], wanted[2]) + ": " + d.summary();
            assertThat(d.placed()).as(why).isEqualTo(without.placed() && allowed);
            if (d.placed()) {
                assertThat(d.bindings()).as("the quota changes nothing of where it goes: " + why).isEqualTo(without.bindings());
                placed.add(d.allocationId());
            } else if (without.placed()) {
                assertThat(d.summary()).as(why).startsWith("not placed: tenant " + contract.tenant() + " would exceed its quota: ");
            }
            for (String tenant : TENANTS) {
                long[] now = heldFromScratch(service.allocations(), tenant);
                long[] q = limits.get(tenant);
                if (q != null) {
                    assertThat(within(q[0], now[0]) && within(q[1], now[1]) && within(q[2], now[2]))
                            .as("tenant %s holds %s under %s", tenant, List.of(now[0], now[1], now[2]), configured).isTrue();
                }
                assertThat(service.engine().tenantHolds().getOrDefault(tenant, new TenantQuotas.Limits(0, 0, 0)))
                        .as("the model's running sum for %s", tenant).isEqualTo(new TenantQuotas.Limits(now[0], now[1], now[2]));
            }
        }
    }

    /** Four threads placing one GPU at a time for one tenant take exactly its quota, on an inventory with room for more. */
    @Test
    void concurrentPlacementsOfOneTenantTakeExactlyItsQuota() throws Exception {
        Infra infra = Infra.threeSites();
        for (int n = 0; n < 8; n++) {
            infra.h100("n" + n, "fra-1", null);
        }
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), "strata", Clock.systemUTC());
        service.engine().quotas(TenantQuotas.parse(RetiredQuotaFile.PID, "bank/gpus=37"));
        AtomicInteger placed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        Contract c = new Contract("c" + thread + "-" + i, "bank", 0, List.of(new Member("m", 1000, 1L << 30,
                                new GpuRequest(1, Set.of(), 0, 1, null), TopologyRequest.ANY, 0)), FabricRequest.ANY,
                                Sovereignty.ANY, Isolation.SHARED);
                        if (service.place(c, false).placed()) {
                            placed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(placed.get()).isEqualTo(37);
        assertThat(heldFromScratch(service.allocations(), "bank")[0]).isEqualTo(37_000);
    }

    // ---- the oracle -----------------------------------------------------------------------------

    /** GPU thousandths (each bound GPU at the binding's share), CPU thousandths and memory bytes of the tenant's allocations. */
    private static long[] heldFromScratch(List<Allocation> ledger, String tenant) {
        long[] out = new long[3];
        for (Allocation a : ledger) {
            if (a.tenant().equals(tenant)) {
                long[] s = sum(a.bindings());
                for (int i = 0; i < 3; i++) {
                    out[i] += s[i];
                }
            }
        }
        return out;
    }

    private static long[] sum(List<MemberBinding> bindings) {
        long[] out = new long[3];
        for (MemberBinding b : bindings) {
            out[0] += Math.round(b.acceleratorIds().size() * b.gpuFraction() * 1000);
            out[1] += b.cpuMilli();
            out[2] += b.memoryBytes();
        }
        return out;
    }

    private static boolean fits(long limit, long held, long wanted) {
        return limit < 0 || wanted == 0 || held + wanted <= limit;
    }

    private static boolean within(long limit, long held) {
        return limit < 0 || held <= limit;
    }

    // ---- generators -----------------------------------------------------------------------------

    private static final String[] GPUS = {"0", "0.25", "0.3", "0.5", "0.75", "1", "2.5", "4", "9", "16"};
    private static final long[] GPU_MILLI = {0, 250, 300, 500, 750, 1000, 2500, 4000, 9000, 16000};
    private static final String[] CPUS = {"0", "500m", "1", "4", "16", "32", "40", "100"};
    private static final long[] CPU_MILLI = {0, 500, 1000, 4000, 16000, 32000, 40000, 100000};
    private static final String[] MEMORY = {"0", "1GiB", "64GiB", "256GiB", "300GiB", "1TiB"};
    private static final long[] MEMORY_BYTES = {0, 1L << 30, 64L << 30, 256L << 30, 300L << 30, 1L << 40};

    /**
     * Quotas on some of the three tenants, on some resources, from none at all to tight, with
     * limits at the exact size of a member the contracts ask for (a GPU share, one whole GPU, one
     * or 32 CPUs, 1 or 256 GiB) and at zero; {@code limits} gets each tenant's, -1 where none.
     */
    private static String quotas(Random r, Map<String, long[]> limits) {
        List<String> entries = new ArrayList<>();
        for (String t : TENANTS) {
            if (r.nextInt(4) == 0) {
                continue;
            }
            long[] limit = {-1, -1, -1};
            if (r.nextBoolean()) {
                int k = r.nextInt(GPUS.length);
                entries.add(t + "/gpus=" + GPUS[k]);
                limit[0] = GPU_MILLI[k];
            }
            if (r.nextBoolean()) {
                int k = r.nextInt(CPUS.length);
                entries.add(t + "/cpu=" + CPUS[k]);
                limit[1] = CPU_MILLI[k];
            }
            if (r.nextBoolean()) {
                int k = r.nextInt(MEMORY.length);
                entries.add(t + "/memory=" + MEMORY[k]);
                limit[2] = MEMORY_BYTES[k];
            }
            if (limit[0] >= 0 || limit[1] >= 0 || limit[2] >= 0) {
                limits.put(t, limit);
            }
        }
        return String.join(", ", entries);
    }

    /** Some members asking for a MIG partition instead (the generated nodes offer 1g.10gb). */
    private static Contract withPartitions(Random r, Contract c) {
        List<Member> members = new ArrayList<>();
        for (Member m : c.members()) {
            members.add(r.nextInt(4) == 0 ? new Member(m.name(), m.cpuMilli(), m.memoryBytes(), new GpuRequest(1, Set.of(), 0, 1, "1g.10gb"),
                    m.topology(), m.powerCeilingWatts()) : m);
        }
        return new Contract(c.name(), c.tenant(), c.priority(), members, c.fabric(), c.sovereignty(), c.isolation());
    }

}
