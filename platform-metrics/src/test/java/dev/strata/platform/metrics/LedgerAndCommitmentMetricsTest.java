package dev.strata.platform.metrics;

import static dev.strata.platform.metrics.Series.labels;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Commitments;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LedgerAndCommitmentMetricsTest {

    static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    static MemberBinding binding(String node, List<String> gpus, double watts, String domain) {
        return new MemberBinding("m", node, "lab", gpus, 1, null, -1, null, 0, 0, watts, domain, null, -1);
    }

    /** A ledger that serves its allocations and fails the test if a scrape changes or decides anything. */
    static Placement ledger(List<Allocation> allocations) {
        return ledger(allocations, null);
    }

    /** As {@link #ledger(List)}, answering {@code tenants} for what the tenants hold (null: the API's reading of the allocations). */
    static Placement ledger(List<Allocation> allocations, List<TenantUse> tenants) {
        return new Placement() {
            @Override
            public PlacementDecision place(Contract contract, boolean dryRun) {
                throw new AssertionError("a scrape must not place");
            }

            @Override
            public PlacementDecision placeFor(Contract contract, String deploymentId) {
                throw new AssertionError("a scrape must not place");
            }

            @Override
            public List<Allocation> allocations() {
                return allocations;
            }

            @Override
            public Optional<Allocation> allocation(String id) {
                return allocations.stream().filter(a -> a.id().equals(id)).findFirst();
            }

            @Override
            public List<TenantUse> tenants() {
                return tenants == null ? Placement.super.tenants() : tenants;
            }

            @Override
            public Allocation release(String id) {
                throw new AssertionError("a scrape must not release");
            }

            @Override
            public Allocation forceRelease(String id) {
                throw new AssertionError("a scrape must not release");
            }

            @Override
            public Allocation releaseFor(String id, String deploymentId) {
                throw new AssertionError("a scrape must not release");
            }
        };
    }

    @Test
    void allocationsTheirGpusAndReservedPowerAsTheLedgerHoldsThem() {
        List<Allocation> allocations = List.of(
                new Allocation("a1", "train", "t1", 0, false, T, List.of(binding("n1", List.of("g1", "g2"), 1400, "rack-1"),
                        binding("n2", List.of("g3"), 700, "rack-2"))),
                new Allocation("a2", "infer", "t2", 0, false, T, List.of(binding("n1", List.of("g4"), 300, "rack-1"),
                        binding("n9", List.of(), 0, null))));
        Inventory flat = InventoryMetricsTest.inventory(InventoryMetricsTest.snapshot());
        var scrape = new LedgerMetrics(ledger(allocations), flat).collect();
        assertThat(Series.of(scrape, "strata_allocations")).isEqualTo(Map.of(labels(), 2.0));
        assertThat(Series.of(scrape, "strata_allocated_gpus")).isEqualTo(Map.of(labels(), 4.0));
        assertThat(Series.of(scrape, "strata_power_domain_reserved_watts")).isEqualTo(Map.of(labels("domain", "rack-1"), 1700.0,
                labels("domain", "rack-2"), 700.0, labels("domain", "rack-3"), 0.0));
        assertThat(Series.of(new LedgerMetrics(ledger(List.of()), flat).collect(), "strata_allocations")).isEqualTo(Map.of(labels(), 0.0));
    }

    /**
     * A member bound to a launch slot of a capacity offer ({@code <offer>#<n>}, one of its free quota)
     * holds its power in the domain of the offer's machine, as placement holds it: the slot is a
     * node of placement's inventory, though not of the merged one. The gauge left every such member
     * out, as if its node had left the inventory, and showed the domain emptier than placement finds
     * it. A slot beyond the offer's free quota, or of an offer no longer reported, holds nothing.
     */
    @Test
    void aMemberOnALaunchSlotReservesItsPowerAsPlacementHoldsIt() {
        InventorySnapshot flat = InventoryMetricsTest.snapshot();
        dev.strata.platform.api.model.Node machine = InventoryMetricsTest.node("cloud:p5", "cloud", dev.strata.platform.api.model.ResourceState.AVAILABLE,
                "rack-3", 700);
        dev.strata.platform.api.model.CapacityOffer offer = dev.strata.platform.api.model.CapacityOffer.builder().id("cloud:p5").providerId("cloud")
                .siteId("lab").shape("p5").machine(machine).limit(3).inUse(1).build();
        InventorySnapshot withOffer = new InventorySnapshot(flat.generation(), flat.takenAt(), flat.sites(), flat.nodes(), flat.fabrics(),
                flat.storagePools(), flat.powerDomains(), List.of(offer), flat.unattached());
        List<Allocation> allocations = List.of(new Allocation("a1", "train", "t1", 0, false, T, List.of(
                binding("cloud:p5#1", List.of("cloud:p5#1/gpu0"), 700, "rack-3"), binding("cloud:p5#2", List.of(), 500, "rack-3"),
                binding("gone:p5#0", List.of(), 300, "rack-3"))));

        var scrape = new LedgerMetrics(ledger(allocations), InventoryMetricsTest.inventory(withOffer)).collect();

        assertThat(Series.of(scrape, "strata_power_domain_reserved_watts")).containsEntry(labels("domain", "rack-3"), 700.0);
    }

    @Test
    void aPowerDomainReservesThePowerOfTheBindingsInItAndInEveryDomainUnderItAsPlacementHoldsIt() {
        InventorySnapshot nested = InventoryMetricsTest.nested();
        List<MemberBinding> bindings = List.of(binding("a1-1", List.of("g1"), 1400, "rack-a1"), binding("a1-2", List.of("g2"), 700, "rack-a1"),
                binding("row-1", List.of(), 250, "row-a1"), binding("b1-1", List.of(), 100, "rack-b1"),
                binding("c-1", List.of(), 60, "rack-c"), binding("stray", List.of(), 9000, "rack-gone"));
        List<Allocation> allocations = List.of(new Allocation("a1", "train", "t1", 0, false, T, bindings));
        Map<String, PowerDomain> byId = new HashMap<>();
        nested.powerDomains().forEach(d -> byId.put(d.id(), d));
        Map<Map<String, String>, Double> expected = new HashMap<>();
        for (PowerDomain d : nested.powerDomains()) {
            double sum = 0;
            for (MemberBinding b : bindings) {
                if (InventoryMetricsTest.within(b.powerDomainId(), d.id(), byId)) {
                    sum += b.powerWatts();
                }
            }
            expected.put(labels("domain", d.id()), sum);
        }
        Map<Map<String, String>, Double> reserved = Series.of(
                new LedgerMetrics(ledger(allocations), InventoryMetricsTest.inventory(nested)).collect(), "strata_power_domain_reserved_watts");
        assertThat(reserved).isEqualTo(expected);
        // three levels up; a domain without bindings; a parent the inventory lacks stops the chain; a cycle holds each once per domain;
        // a domain the inventory lacks holds nothing
        assertThat(reserved).containsEntry(labels("domain", "rack-a1"), 2100.0).containsEntry(labels("domain", "row-a1"), 2350.0)
                .containsEntry(labels("domain", "hall-a"), 2350.0).containsEntry(labels("domain", "rack-a2"), 0.0)
                .containsEntry(labels("domain", "row-a2"), 0.0).containsEntry(labels("domain", "rack-b1"), 100.0)
                .containsEntry(labels("domain", "rack-c"), 60.0).containsEntry(labels("domain", "hall-c"), 60.0)
                .doesNotContainKey(labels("domain", "rack-gone"));
    }

    /**
     * Placement holds nothing for a binding whose node left the inventory (PlacementModel.apply returns it unheld), so a
     * domain's reserved power leaves it out too: counted, the domain read as fuller than placement finds it when it places.
     */
    @Test
    void aBindingWhoseNodeLeftTheInventoryReservesNothingAsPlacementHoldsNothingForIt() {
        List<Allocation> allocations = List.of(new Allocation("a1", "train", "t1", 0, false, T, List.of(binding("n1", List.of("g1"), 700,
                "rack-1"), binding("n-retired", List.of("g9"), 500, "rack-1"), binding("n-retired-2", List.of(), 300, "rack-2"))));
        var scrape = new LedgerMetrics(ledger(allocations), InventoryMetricsTest.inventory(InventoryMetricsTest.snapshot())).collect();
        assertThat(Series.of(scrape, "strata_power_domain_reserved_watts")).isEqualTo(Map.of(labels("domain", "rack-1"), 700.0,
                labels("domain", "rack-2"), 0.0, labels("domain", "rack-3"), 0.0));
    }

    /** Placement holds each binding's power in whole milliwatts; the sum is written as it holds it, without a double's drift. */
    @Test
    void reservedPowerIsSummedInMilliwattsAsPlacementHoldsIt() {
        List<Allocation> allocations = List.of(new Allocation("a1", "train", "t1", 0, false, T, List.of(binding("n1", List.of(), 0.1, "rack-1"),
                binding("n2", List.of(), 0.2, "rack-1"), binding("n1", List.of(), 0.0004, "rack-1"))));
        var scrape = new LedgerMetrics(ledger(allocations), InventoryMetricsTest.inventory(InventoryMetricsTest.snapshot())).collect();
        assertThat(Series.of(scrape, "strata_power_domain_reserved_watts")).containsEntry(labels("domain", "rack-1"), 0.3);
    }

    /** What each tenant holds, from the placement service's own reading; a quota only where the tenant has that limit. */
    @Test
    void eachTenantsHoldingsAndItsQuotaWhereItHasOne() {
        Placement withQuotas = ledger(List.of(), List.of(new TenantUse("bank", 2, 8_500, 24_000, 1L << 40, 10_000, -1, 2L << 40),
                new TenantUse("idle", 0, 0, 0, 0, -1, 4_000, -1)));
        var scrape = new LedgerMetrics(withQuotas, InventoryMetricsTest.inventory(InventoryMetricsTest.snapshot())).collect();
        assertThat(Series.of(scrape, "strata_tenant_gpus")).isEqualTo(Map.of(labels("tenant", "bank"), 8.5, labels("tenant", "idle"), 0.0));
        assertThat(Series.of(scrape, "strata_tenant_cpus")).isEqualTo(Map.of(labels("tenant", "bank"), 24.0, labels("tenant", "idle"), 0.0));
        assertThat(Series.of(scrape, "strata_tenant_memory_bytes")).isEqualTo(Map.of(labels("tenant", "bank"), (double) (1L << 40),
                labels("tenant", "idle"), 0.0));
        assertThat(Series.of(scrape, "strata_tenant_gpu_quota")).isEqualTo(Map.of(labels("tenant", "bank"), 10.0));
        assertThat(Series.of(scrape, "strata_tenant_cpu_quota")).isEqualTo(Map.of(labels("tenant", "idle"), 4.0));
        assertThat(Series.of(scrape, "strata_tenant_memory_quota_bytes")).isEqualTo(Map.of(labels("tenant", "bank"), (double) (2L << 40)));
        // without quotas, the API's own reading of the ledger
        List<Allocation> allocations = List.of(new Allocation("a1", "train", "t1", 0, false, T, List.of(binding("n1", List.of("g1", "g2"),
                1400, "rack-1"))));
        var plain = new LedgerMetrics(ledger(allocations), InventoryMetricsTest.inventory(InventoryMetricsTest.snapshot())).collect();
        assertThat(Series.of(plain, "strata_tenant_gpus")).isEqualTo(Map.of(labels("tenant", "t1"), 2.0));
        assertThat(Series.of(plain, "strata_tenant_gpu_quota")).isEmpty();
    }

    @Test
    void allocationsAreCountedByLastVerdictEveryStatusWritten() {
        Commitments verifier = new Commitments() {
            @Override
            public List<Commitment> commitments() {
                return List.of(new Commitment("a1", "c", "t", CommitmentStatus.HONORED, T, List.of(), 1),
                        new Commitment("a2", "c", "t", CommitmentStatus.BREACHED, T, List.of(), 1),
                        new Commitment("a3", "c", "t", CommitmentStatus.HONORED, T, List.of(), 1));
            }

            @Override
            public Commitment verify(String allocationId) {
                throw new AssertionError("a scrape must not verify");
            }

            @Override
            public List<Commitment> verifyAll() {
                throw new AssertionError("a scrape must not verify");
            }
        };
        assertThat(Series.of(new CommitmentMetrics(verifier).collect(), "strata_commitments")).isEqualTo(Map.of(
                labels("status", "HONORED"), 2.0, labels("status", "AT_RISK"), 0.0, labels("status", "BREACHED"), 1.0));
    }
}
