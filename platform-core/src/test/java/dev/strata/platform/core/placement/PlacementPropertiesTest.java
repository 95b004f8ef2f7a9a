package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of placement over random inventories and contracts. Each case builds an inventory
 * and a stream of contracts from a seed, places them (some dry, some real, with releases in
 * between), and checks every decision against an independent reading of the contract's clauses,
 * with the Strata policy as it ships and with its Sum-of-Squares term turned on.
 */
class PlacementPropertiesTest {

    private static final String[] COUNTRIES = {"DE", "FR", "NL", "US"};
    private static final String[] MODELS = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB", "NVIDIA L40S"};
    private static final String[] MODEL_NAMES = {"H100", "A100", "L40S"};

    @Property(tries = 150)
    void noPlacementViolatesAHardConstraintAndGangsAreWholeOrNothing(@ForAll long seed, @ForAll boolean squares) {
        Random random = new Random(seed);
        Infra infra = inventory(random);
        InventorySnapshot snapshot = infra.snapshot();
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), policy(squares), Clock.systemUTC());
        Map<String, Contract> contracts = new HashMap<>();
        for (int step = 0; step < 25; step++) {
            if (!contracts.isEmpty() && random.nextInt(5) == 0) {
                List<String> ids = new ArrayList<>(contracts.keySet());
                String id = ids.get(random.nextInt(ids.size()));
                service.release(id);
                contracts.remove(id);
                continue;
            }
            Contract contract = contract(random, step);
            int before = service.allocations().size();
            PlacementDecision d = service.place(contract, false);
            if (d.placed()) {
                assertThat(d.bindings()).as("a placed gang binds every member").hasSize(contract.members().size());
                assertThat(service.allocations()).hasSize(before + 1);
                contracts.put(d.allocationId(), contract);
            } else {
                assertThat(d.bindings()).isEmpty();
                assertThat(service.allocations()).as("a gang that does not fit reserves nothing").hasSize(before);
                assertThat(d.rejections()).as("a refusal says why").isNotEmpty();
            }
            check(snapshot, service.allocations(), contracts);
        }
    }

    @Property(tries = 100)
    void aDryRunNeverChangesTheLedgerAndIsRepeatable(@ForAll long seed, @ForAll boolean squares) {
        Random random = new Random(seed);
        Infra infra = inventory(random);
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), policy(squares), Clock.systemUTC());
        for (int i = 0; i < 6; i++) {
            service.place(contract(random, i), false);
        }
        List<Allocation> ledger = service.allocations();
        SortedMap<String, String> capacity = service.freeCapacity();
        Contract probe = contract(random, 99);
        PlacementDecision first = service.place(probe, true);
        PlacementDecision second = service.place(probe, true);
        assertThat(service.allocations()).isEqualTo(ledger);
        assertThat(service.freeCapacity()).isEqualTo(capacity);
        assertThat(first.allocationId()).isNull();
        assertThat(second.bindings()).isEqualTo(first.bindings());
        assertThat(second.placed()).isEqualTo(first.placed());
    }

    @Property(tries = 100)
    void releasingRestoresExactlyTheFreedCapacity(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int placements, @ForAll boolean squares) {
        Random random = new Random(seed);
        Infra infra = inventory(random);
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), policy(squares), Clock.systemUTC());
        for (int i = 0; i < placements; i++) {
            service.place(contract(random, i), false);
        }
        SortedMap<String, String> before = service.freeCapacity();
        PlacementDecision d = service.place(contract(random, 100), false);
        if (d.placed()) {
            assertThat(service.freeCapacity()).isNotEqualTo(before);
            service.release(d.allocationId());
        }
        assertThat(service.freeCapacity()).isEqualTo(before);
    }

    /** Strata as it ships, or with the Sum-of-Squares term an operator can turn on: the clauses hold either way. */
    private static String policy(boolean squares) {
        return squares ? "strata:ss=1000" : "strata";
    }

    // ---- the independent check ----------------------------------------------------------------

    private static void check(InventorySnapshot inventory, List<Allocation> allocations, Map<String, Contract> contracts) {
        Map<String, Node> nodes = new HashMap<>();
        inventory.nodes().forEach(n -> nodes.put(n.id(), n));
        Map<String, Site> sites = new HashMap<>();
        inventory.sites().forEach(s -> sites.put(s.id(), s));
        Map<String, Fabric> fabrics = new HashMap<>();
        inventory.fabrics().forEach(f -> fabrics.put(f.id(), f));
        Map<String, PowerDomain> domains = new HashMap<>();
        inventory.powerDomains().forEach(d -> domains.put(d.id(), d));

        Map<String, Long> cpu = new HashMap<>();
        Map<String, Long> memory = new HashMap<>();
        Map<String, Integer> gpuMilli = new HashMap<>();
        Map<String, Double> power = new HashMap<>();
        Map<String, Set<String>> tenants = new HashMap<>();
        Set<String> dedicatedNodes = new HashSet<>();
        for (Allocation a : allocations) {
            Contract c = contracts.get(a.id());
            Set<String> fabricIds = new HashSet<>();
            for (MemberBinding b : a.bindings()) {
                Member m = c.members().stream().filter(x -> x.name().equals(b.member())).findFirst().orElseThrow();
                Node n = nodes.get(b.nodeId());
                assertThat(n.state()).as("state of %s", n.id()).isEqualTo(ResourceState.AVAILABLE);
                if (n.ownerTenant() != null) {
                    assertThat(a.tenant()).as("tenant on %s, owned by %s", n.id(), n.ownerTenant()).isEqualTo(n.ownerTenant());
                }
                Site site = sites.get(n.siteId());
                Sovereignty s = c.sovereignty();
                if (!s.countries().isEmpty()) {
                    assertThat(s.countries()).as("country of %s", n.id()).contains(site.country());
                }
                if (!s.jurisdictions().isEmpty()) {
                    assertThat(site.jurisdictions()).as("jurisdictions of %s", site.id()).containsAnyElementsOf(s.jurisdictions());
                }
                if (!s.excludedOperatorJurisdictions().isEmpty()) {
                    assertThat(site.operator().jurisdictions()).as("operator of %s", site.id())
                            .doesNotContainAnyElementsOf(s.excludedOperatorJurisdictions());
                }
                assertThat(b.acceleratorIds()).hasSize(m.gpus().count());
                Set<String> nvlink = new HashSet<>();
                Set<Integer> numa = new HashSet<>();
                for (String id : b.acceleratorIds()) {
                    Accelerator gpu = n.accelerators().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
                    if (!m.gpus().models().isEmpty()) {
                        assertThat(m.gpus().models()).anyMatch(model -> gpu.model().toLowerCase(Locale.ROOT).contains(model.toLowerCase(Locale.ROOT)));
                    }
                    assertThat(gpu.memoryBytes()).isGreaterThanOrEqualTo(m.gpus().minMemoryBytes());
                    assertThat(gpu.health().status()).as("health of %s", id).isNotEqualTo(Health.Status.FAILED);
                    if (!m.gpus().allowDegraded()) {
                        assertThat(gpu.health().status()).as("health of %s", id).isNotEqualTo(Health.Status.DEGRADED);
                    }
                    nvlink.add(String.valueOf(gpu.interconnectDomain()));
                    numa.add(gpu.numaNode());
                    gpuMilli.merge(id, (int) Math.ceil(b.gpuFraction() * 1000 - 1e-9), Integer::sum);
                }
                if (m.topology().oneNvlinkDomain() && m.gpus().count() > 1) {
                    assertThat(nvlink).as("one NVLink domain").hasSize(1).doesNotContain("null");
                }
                if (m.topology().numaAligned() && m.gpus().count() > 0) {
                    assertThat(numa).as("one NUMA node").hasSize(1);
                    if (c.fabric().oneRdmaFabric()) {
                        int node = numa.iterator().next();
                        assertThat(n.nics()).as("RDMA NIC on NUMA %s", node).anyMatch(nic -> nic.numaNode() == node);
                    }
                }
                if (c.fabric().oneRdmaFabric()) {
                    Fabric f = fabrics.get(b.fabricId());
                    assertThat(f).as("fabric of %s", b.member()).isNotNull();
                    assertThat(f.members()).contains(n.id());
                    assertThat(f.linkBandwidthGbps()).isGreaterThanOrEqualTo(c.fabric().minBandwidthGbps());
                    fabricIds.add(f.id());
                }
                if (m.powerCeilingWatts() > 0) {
                    assertThat(b.powerWatts()).isLessThanOrEqualTo(m.powerCeilingWatts() + 1e-6);
                }
                cpu.merge(n.id(), m.cpuMilli(), Long::sum);
                // whole MiB, rounded up: a part of a MiB is held as a MiB
                memory.merge(n.id(), (m.memoryBytes() + (1L << 20) - 1) / (1L << 20), Long::sum);
                if (n.powerDomainId() != null) {
                    power.merge(n.powerDomainId(), b.powerWatts(), Double::sum);
                }
                tenants.computeIfAbsent(n.id(), k -> new HashSet<>()).add(a.tenant());
                if (a.dedicated()) {
                    dedicatedNodes.add(n.id());
                }
            }
            assertThat(fabricIds.size()).as("one RDMA fabric for the gang").isLessThanOrEqualTo(1);
        }
        gpuMilli.forEach((gpu, milli) -> assertThat(milli).as("GPU %s booked", gpu).isLessThanOrEqualTo(1000));
        cpu.forEach((node, milli) -> assertThat(milli).as("CPU of %s", node).isLessThanOrEqualTo(nodes.get(node).cpu().threads() * 1000L));
        memory.forEach((node, mib) -> assertThat(mib).as("memory of %s", node).isLessThanOrEqualTo(nodes.get(node).memoryBytes() >> 20));
        power.forEach((domain, watts) -> assertThat(watts).as("power of %s", domain).isLessThanOrEqualTo(domains.get(domain).budgetWatts() + 1e-6));
        for (String node : dedicatedNodes) {
            assertThat(tenants.get(node)).as("dedicated node %s", node).hasSize(1);
        }
    }

    // ---- generators ---------------------------------------------------------------------------

    static Infra inventory(Random r) {
        Infra infra = new Infra();
        int siteCount = 2 + r.nextInt(3);
        List<String> siteIds = new ArrayList<>();
        for (int s = 0; s < siteCount; s++) {
            String country = COUNTRIES[r.nextInt(COUNTRIES.length)];
            Set<String> jurisdictions = country.equals("US") ? Set.of("US") : Set.of("EU", country);
            Set<String> operator = r.nextInt(3) == 0 ? new HashSet<>(List.of("US", country)) : jurisdictions;
            infra.site("s" + s, country, jurisdictions, "op" + s, operator);
            siteIds.add("s" + s);
            for (int d = 0; d < 1 + r.nextInt(2); d++) {
                infra.domain("s" + s + "-d" + d, "s" + s, 5_000 + r.nextInt(50_000));
            }
        }
        int nodeCount = 3 + r.nextInt(18);
        List<String> nodeIds = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            String site = siteIds.get(r.nextInt(siteIds.size()));
            String domain = r.nextInt(4) == 0 ? null : site + "-d" + r.nextInt(1);
            int gpus = new int[] {0, 1, 2, 4, 8, 8}[r.nextInt(6)];
            int model = r.nextInt(MODELS.length);
            int domainSize = gpus == 0 ? 0 : new int[] {0, 2, gpus}[r.nextInt(3)];
            if (domainSize > gpus) {
                domainSize = gpus;
            }
            int numa = 1 + r.nextInt(2);
            infra.node("n" + i, site, domain, 16 + r.nextInt(112), 128 + r.nextInt(2048), gpus, MODELS[model], model == 1 ? 40 : 80,
                    domainSize, numa, 300 + r.nextInt(400), r.nextInt(3) == 0 ? 0 : 2_000 + r.nextInt(9_000));
            nodeIds.add("n" + i);
            // now and then a node placement must not use (not available, or another tenant's) and GPUs failed or degraded
            int condition = r.nextInt(10);
            if (condition == 0) {
                ResourceState state = new ResourceState[] {ResourceState.STALE, ResourceState.DRAINING, ResourceState.UNAVAILABLE}[r.nextInt(3)];
                infra.change("n" + i, n -> n.withState(state));
            } else if (condition == 1) {
                infra.owner("n" + i, "t" + r.nextInt(3));
            }
            for (int g = 0; g < gpus; g++) {
                int h = r.nextInt(10);
                if (h < 2) {
                    infra.health("n" + i, g, h == 0 ? Health.Status.FAILED : Health.Status.DEGRADED);
                }
            }
        }
        int fabrics = r.nextInt(4);
        for (int f = 0; f < fabrics; f++) {
            List<String> members = new ArrayList<>();
            for (String n : nodeIds) {
                if (r.nextBoolean()) {
                    members.add(n);
                }
            }
            infra.rdma("f" + f, null, new double[] {100, 200, 400}[r.nextInt(3)], members.toArray(new String[0]));
        }
        return infra;
    }

    static Contract contract(Random r, int step) {
        int memberCount = 1 + r.nextInt(3);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < memberCount; i++) {
            GpuRequest gpus;
            int kind = r.nextInt(4);
            Set<String> models = r.nextInt(3) == 0 ? Set.of(MODEL_NAMES[r.nextInt(MODEL_NAMES.length)]) : Set.of();
            long minMemory = r.nextInt(3) == 0 ? (40L + 40L * r.nextInt(2)) << 30 : 0;
            boolean degraded = r.nextInt(4) == 0;
            if (kind == 0) {
                gpus = GpuRequest.NONE;
            } else if (kind == 1) {
                gpus = new GpuRequest(1, models, minMemory, new double[] {0.25, 0.5, 0.3, 0.7, 0.001, 1}[r.nextInt(6)], null, degraded);
            } else {
                gpus = new GpuRequest(new int[] {1, 2, 4, 8}[r.nextInt(4)], models, minMemory, 1, null, degraded);
            }
            TopologyRequest topology = new TopologyRequest(gpus.count() > 1 && r.nextBoolean(), gpus.count() > 0 && r.nextInt(3) == 0);
            // no CPU or memory now and then, and memory that is not a whole number of MiB
            long cpu = r.nextInt(8) == 0 ? 0 : 1000L * (1 + r.nextInt(32));
            long memory = switch (r.nextInt(8)) {
                case 0 -> 0;
                case 1 -> ((long) (1 + r.nextInt(256)) << 30) + 1 + r.nextInt(1 << 20);
                default -> (long) (1 + r.nextInt(256)) << 30;
            };
            if (cpu == 0 && memory == 0 && gpus.count() == 0) {
                cpu = 1000; // a member holds something, so that its release shows
            }
            double ceiling = r.nextInt(4) == 0 ? 500 + r.nextInt(10_000) : 0;
            members.add(new Member("m" + i, cpu, memory, gpus, topology, ceiling));
        }
        Set<String> countries = new HashSet<>();
        if (r.nextInt(3) == 0) {
            countries.add(COUNTRIES[r.nextInt(COUNTRIES.length)]);
            countries.add(COUNTRIES[r.nextInt(COUNTRIES.length)]);
        }
        Set<String> jurisdictions = r.nextInt(3) == 0 ? Set.of("EU") : Set.of();
        Set<String> excluded = r.nextInt(3) == 0 ? Set.of("US") : Set.of();
        FabricRequest fabric = r.nextInt(3) == 0 ? new FabricRequest(true, new double[] {0, 200, 400}[r.nextInt(3)]) : FabricRequest.ANY;
        Isolation isolation = r.nextInt(3) == 0 ? Isolation.DEDICATED_NODE : Isolation.SHARED;
        return new Contract("c" + step, "t" + r.nextInt(3), r.nextInt(100), members, fabric,
                new Sovereignty(countries, jurisdictions, excluded, null), isolation);
    }
}
