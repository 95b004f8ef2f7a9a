package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.placement.packing.MigTableTest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * Placement compared with {@link ExhaustivePlacement}, an independent reading of the clauses that
 * tries every assignment, on small random cases: 2 to 5 nodes of the issue's models and others
 * (MIG GPUs, NVLink and NUMA layouts, failed and degraded GPUs, nodes with and without power
 * domains, domains inside a hall), 1 to 3 members or up to 7 replicas of a small one, with every
 * clause drawn (partitions, fractions, models, memory, topology, power ceilings, RDMA fabrics,
 * tenants and dedicated nodes, sovereignty), on a ledger already holding earlier placements.
 * The cases the placement issue lists are among what the generators produce.
 */
class PlacementOracleTest {

    private static final long ORACLE_STEPS = 2_000_000;

    @Property(tries = 500)
    void noPlacementBreaksAClauseAndNoRefusalWhenAnAssignmentExists(@ForAll long seed) {
        Random r = new Random(seed);
        Infra infra = inventory(r);
        InventorySnapshot snapshot = infra.snapshot();
        Statistics.label("power domains above the racks").collect(snapshot.powerDomains().stream().anyMatch(p -> p.id().equals("feed0"))
                ? "deep chain" : snapshot.powerDomains().stream().anyMatch(p -> p.id().equals("loopA")) ? "cycle" : "shallow");
        Statistics.label("power domains above the racks").coverage(c -> {
            c.check("deep chain").percentage(p -> p > 10);
            c.check("cycle").percentage(p -> p > 2);
        });
        PlacementService service = new PlacementService(fixed(snapshot), new InMemoryLedger(), "strata", Clock.systemUTC());
        Map<String, Contract> placed = new HashMap<>();
        List<Allocation> before = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            Contract c = contract(r, "c" + i, snapshot);
            PlacementDecision d = service.place(c, false);
            if (d.placed()) {
                // every real placement is sound against the ledger before it
                assertThat(new ExhaustivePlacement(snapshot, before, c, ORACLE_STEPS).check(d.bindings())).as("placement %s", c).isNull();
                placed.put(d.allocationId(), c);
                before = service.allocations();
            }
        }
        Contract probe = contract(r, "probe", snapshot);
        PlacementDecision d = service.place(probe, true);
        Statistics.label("outcome").collect(d.placed() ? "placed" : d.summary().replaceAll("member \\S+ ", "member X ").replaceAll("\\(.*", ""));
        if (d.placed()) {
            assertThat(new ExhaustivePlacement(snapshot, service.allocations(), probe, ORACLE_STEPS).check(d.bindings()))
                    .as("%s placed by %s", probe, d.bindings()).isNull();
            return;
        }
        boolean boundReached = d.summary().contains("stopped at its bound");
        Statistics.label("refused at the search bound").collect(boundReached);
        // the stated bound (GangBinder.SEARCH_STEPS node checks per decision) may run out on a small case: the
        // refusal then says that an assignment may exist, which is the documented answer; about 1 try in 6,000
        // of this generator gets there, and more than 1 % would fail the property
        Statistics.label("refused at the search bound").coverage(c -> c.check(true).percentage(p -> p < 1.0));
        if (boundReached) {
            return;
        }
        boolean exists;
        try {
            exists = new ExhaustivePlacement(snapshot, service.allocations(), probe, ORACLE_STEPS).exists();
        } catch (IllegalStateException tooLarge) {
            Assume.that(false);
            return;
        }
        assertThat(exists).as("refused (%s) though an assignment exists: %s on %s", d.summary(), probe, describe(snapshot)).isFalse();
        assertThat(d.summary()).doesNotContain("bound");
        Map<String, Integer> counted = d.rejections().stream().filter(x -> !x.member().equals("*"))
                .collect(Collectors.groupingBy(Rejection::member, Collectors.summingInt(Rejection::nodes)));
        counted.forEach((members, nodes) -> assertThat(nodes).as("nodes counted for %s", members).isEqualTo(d.nodesConsidered()));
        Set<String> named = new HashSet<>();
        counted.keySet().forEach(k -> named.addAll(List.of(k.split(", "))));
        assertThat(named).as("every member explained").containsExactlyInAnyOrderElementsOf(probe.members().stream().map(Member::name).toList());
    }

    /**
     * A refusal judges free capacity once per state class of nodes (nodes alike in model and free
     * capacity) instead of node by node: its rows must be exactly those of judging every node on
     * its own, on any inventory, ledger and contract, with and without an RDMA gang.
     */
    @Property(tries = 300)
    void refusalsJudgedPerStateClassAreThoseJudgedNodeByNode(@ForAll long seed) {
        Random r = new Random(seed);
        Infra infra = inventory(r, 1 + r.nextInt(3));
        InventorySnapshot snapshot = infra.snapshot();
        PlacementService service = new PlacementService(fixed(snapshot), new InMemoryLedger(), "strata", Clock.systemUTC());
        for (int i = r.nextInt(6); i > 0; i--) {
            service.place(contract(r, "c" + i, snapshot), false);
        }
        PlacementModel model = new PlacementModel(new InventoryIndex(snapshot), PackingPolicies.byName("strata"), PackingPolicies.typicalDemands());
        service.allocations().forEach(model::apply);
        Contract probe = contract(r, "probe", snapshot);
        Set<Integer> classes = new HashSet<>();
        int nodes = model.inv.nodeCount();
        for (int i = 0; i < nodes; i++) {
            classes.add(model.stateClass(i));
        }
        Statistics.label("nodes sharing a state class").collect(classes.size() < nodes);
        Statistics.label("nodes sharing a state class").coverage(c -> c.check(true).percentage(p -> p > 20));
        for (boolean rdma : new boolean[] {false, true}) {
            List<Rejection> perClass = new DecisionExplainer(model, new NodeFilter(model, probe), true).refused(rdma, rdma);
            List<Rejection> perNode = new DecisionExplainer(model, new NodeFilter(model, probe), false).refused(rdma, rdma);
            assertThat(perClass).as("%s on %s, rdma %s", probe, describe(snapshot), rdma).isEqualTo(perNode);
        }
    }

    /**
     * The same inventory, ledger and contract give the same answer: a dry run and the placement
     * right after it, a model built afresh from the ledger (a restart), and after a placement
     * and its release.
     */
    @Property(tries = 120)
    void placeReleaseAndDryRunSequencesAreDeterministic(@ForAll long seed) {
        Random r = new Random(seed);
        Infra infra = inventory(r);
        InventorySnapshot snapshot = infra.snapshot();
        PlacementService service = new PlacementService(fixed(snapshot), new InMemoryLedger(), "strata", Clock.systemUTC());
        for (int step = 0; step < 14; step++) {
            List<Allocation> held = service.allocations();
            if (!held.isEmpty() && r.nextInt(4) == 0) {
                service.release(held.get(r.nextInt(held.size())).id());
                continue;
            }
            Contract c = contract(r, "c" + step, snapshot);
            PlacementDecision dry = service.place(c, true);
            PlacementDecision restarted = restart(snapshot, service.allocations()).place(c, true);
            assertThat(restarted.placed()).isEqualTo(dry.placed());
            assertThat(restarted.bindings()).as("after a restart").isEqualTo(dry.bindings());
            assertThat(restarted.rejections()).isEqualTo(dry.rejections());
            if (dry.placed() && r.nextInt(3) == 0) {
                // place and release something else first: the ledger's contents come back, so must the answer
                Contract other = contract(r, "other" + step, snapshot);
                PlacementDecision o = service.place(other, false);
                if (o.placed()) {
                    service.release(o.allocationId());
                }
                assertThat(service.place(c, true).bindings()).as("after a release").isEqualTo(dry.bindings());
            }
            PlacementDecision real = service.place(c, r.nextInt(4) == 0);
            assertThat(real.placed()).isEqualTo(dry.placed());
            assertThat(real.bindings()).as("the placement after its dry run").isEqualTo(dry.bindings());
        }
    }

    private static PlacementService restart(InventorySnapshot snapshot, List<Allocation> allocations) {
        InMemoryLedger ledger = new InMemoryLedger();
        for (Allocation a : allocations) {
            ledger.commit(ledger.generation(), a);
        }
        return new PlacementService(fixed(snapshot), ledger, "strata", Clock.systemUTC());
    }

    /** The inventory in a line per node, for failure messages. */
    static String describe(InventorySnapshot snapshot) {
        StringBuilder sb = new StringBuilder();
        for (dev.strata.platform.api.model.Node n : snapshot.nodes()) {
            sb.append("\n  ").append(n.id()).append(' ').append(n.siteId()).append(" domain ").append(n.powerDomainId()).append(' ')
                    .append(n.cpu().threads()).append(" CPUs ").append(n.memoryBytes() >> 30).append(" GiB max ").append(n.power().maxWatts())
                    .append(" W owner ").append(n.ownerTenant()).append(' ').append(n.state()).append(" GPUs");
            n.accelerators().forEach(a -> sb.append(' ').append(a.model()).append('/').append(a.health().status()).append("/numa")
                    .append(a.numaNode()).append('/').append(a.interconnectDomain()).append(a.partitionProfiles().size() > 1 ? "/mig" : ""));
        }
        snapshot.powerDomains().forEach(d -> sb.append("\n  domain ").append(d.id()).append(' ').append(d.budgetWatts()).append(" W parent ")
                .append(d.parentId()));
        snapshot.fabrics().forEach(f -> sb.append("\n  fabric ").append(f.id()).append(' ').append(f.linkBandwidthGbps()).append(' ')
                .append(new java.util.TreeSet<>(f.members())));
        return sb.toString();
    }

    static Inventory fixed(InventorySnapshot snapshot) {
        return new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
    }

    // ---- generators -----------------------------------------------------------------------------

    private static final String[] MEMBER_MEMORY = {"0", "1GiB", "1GiB", "16GiB", "32GiB", "64GiB", "200GiB"};

    static Infra inventory(Random r) {
        return inventory(r, 6);
    }

    /** @param variety how many of the six node kinds an inventory draws from (fewer: more nodes alike) */
    static Infra inventory(Random r, int variety) {
        int firstKind = variety < 6 ? r.nextInt(6) : 0;
        Infra infra = new Infra().s1();
        if (r.nextBoolean()) {
            infra.site("s2", "US", Set.of("US"), "US Cloud Inc.", Set.of("US"));
        }
        if (r.nextInt(3) == 0) {
            infra.site("s3", "DE", Set.of("EU", "DE"), "US Cloud Inc.", Set.of("US", "EU", "DE"));
        }
        List<String> siteIds = infra.sites.stream().map(s -> s.id()).toList();
        boolean hall = r.nextInt(3) == 0;
        if (hall) {
            infra.domains.add(new dev.strata.platform.api.model.PowerDomain("hall", "hall", "s1", null, 1_000 + r.nextInt(20) * 1_000));
        }
        // now and then a chain of feeds deeper than any fixed limit, only its top with a budget: that budget must hold
        int depth = r.nextInt(4) == 0 ? 17 + r.nextInt(8) : 0;
        for (int k = 0; k < depth; k++) {
            boolean top = k == depth - 1;
            infra.domains.add(new dev.strata.platform.api.model.PowerDomain("feed" + k, "feed", "s1", top ? null : "feed" + (k + 1),
                    top ? 1_000 + r.nextInt(20) * 1_000 : 0));
        }
        // now and then a cycle of parents (a provider's error): the nodes under it must not be used
        boolean loop = r.nextInt(10) == 0;
        if (loop) {
            infra.domains.add(new dev.strata.platform.api.model.PowerDomain("loopA", "pdu", "s1", "loopB", 1_000 + r.nextInt(20) * 1_000));
            infra.domains.add(new dev.strata.platform.api.model.PowerDomain("loopB", "pdu", "s1", r.nextBoolean() ? "loopA" : "loopB",
                    r.nextBoolean() ? 0 : 1_000 + r.nextInt(20) * 1_000));
        }
        if (hall && depth > 0 && r.nextBoolean()) {
            infra.domains.set(0, new dev.strata.platform.api.model.PowerDomain("hall", "hall", "s1", "feed0", infra.domains.get(0).budgetWatts()));
        }
        for (int d = 0; d < 2; d++) {
            // now and then a parent no provider reports: the rack's nodes must not be used
            int pick = r.nextInt(16);
            String parent = hall && r.nextBoolean() ? "hall" : depth > 0 && pick < 8 ? "feed0" : loop && pick < 8 ? (pick < 4 ? "loopA" : "loopB")
                    : pick == 15 ? "hall9" : null;
            infra.domains.add(new dev.strata.platform.api.model.PowerDomain("rack" + d, "rack", "s1", parent, 500 + r.nextInt(30) * 500));
        }
        int nodeCount = 2 + r.nextInt(4);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            String id = "n" + i;
            String site = siteIds.get(r.nextInt(siteIds.size()));
            // now and then a domain no provider reports (a typo in a BMC's configuration): the node must not be used
            String domain = r.nextInt(3) == 0 ? null : r.nextInt(12) == 0 ? "rack9" : "rack" + r.nextInt(2);
            int kind = (firstKind + r.nextInt(variety)) % 6;
            switch (kind) {
                case 0 -> infra.node(id, site, domain, 16, 256, 1, "NVIDIA H100 PCIe", 80, 0, 1, 350, r.nextInt(4) == 0 ? 0 : 1500)
                        .mig(id, MigTableTest.h100());
                case 1 -> infra.node(id, site, domain, 4, 64, 4, "NVIDIA A100-SXM4-80GB", 80, 0, 1, 400, 2600);
                case 2 -> infra.node(id, site, domain, 8, 32, 4, "NVIDIA L40S", 48, 0, 1, 350, 2000);
                case 3 -> infra.node(id, site, domain, 32, 512, 4, "NVIDIA H100 80GB HBM3", 80, 2, 2, 700, 5000).mig(id, MigTableTest.h100());
                case 4 -> infra.node(id, site, domain, 16, 128, 0, null, 0, 0, 1, 0, r.nextBoolean() ? 0 : 800);
                default -> infra.node(id, site, domain, 112, 2048, 8, "NVIDIA H100 80GB HBM3", 80, 8, 2, 700, 10_200);
            }
            ids.add(id);
            if (r.nextInt(8) == 0) {
                infra.owner(id, r.nextBoolean() ? "t1" : "other");
            }
            if (r.nextInt(12) == 0) {
                infra.change(id, n -> n.withState(ResourceState.DRAINING));
            }
            int gpus = infra.nodes.get(infra.nodes.size() - 1).accelerators().size();
            for (int g = 0; g < gpus; g++) {
                int h = r.nextInt(12);
                if (h == 0) {
                    infra.health(id, g, Health.Status.FAILED);
                } else if (h == 1) {
                    infra.health(id, g, Health.Status.DEGRADED);
                }
            }
        }
        for (int f = r.nextInt(3); f > 0; f--) {
            List<String> members = new ArrayList<>();
            for (String n : ids) {
                if (r.nextInt(3) > 0) {
                    members.add(n);
                }
            }
            infra.rdma("ib" + f, "s1", new double[] {100, 200, 400}[r.nextInt(3)], members.toArray(new String[0]));
        }
        return infra;
    }

    private static final String[] PARTITIONS = {"1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"};
    private static final String[] MODELS = {"H100", "A100", "L40S", "H200"};

    static Member member(Random r, String name, boolean small, InventorySnapshot inventory) {
        // mostly a member that some node could hold alone (so that gangs conflict), sometimes anything
        dev.strata.platform.api.model.Node target = r.nextInt(5) == 0 ? null : inventory.nodes().get(r.nextInt(inventory.nodes().size()));
        int gpusThere = target == null ? 8 : target.accelerators().size();
        boolean migThere = target == null || gpusThere > 0 && target.accelerators().get(0).partitionProfiles().size() > 1;
        GpuRequest gpus;
        int kind = gpusThere == 0 ? 0 : r.nextInt(small ? 4 : 6);
        if (kind >= 2 && kind <= 3 && !migThere) {
            kind = 4;
        }
        String modelThere = target == null || gpusThere == 0 ? null : target.accelerators().get(0).model();
        Set<String> models = r.nextInt(4) != 0 ? Set.of() : modelThere != null && r.nextBoolean()
                ? Set.of(modelThere.split(" ")[1].split("-")[0]) : Set.of(MODELS[r.nextInt(MODELS.length)]);
        long minMemory = r.nextInt(5) == 0 ? new long[] {10L << 30, 40L << 30, 80L << 30}[r.nextInt(3)] : 0;
        boolean degraded = r.nextInt(4) == 0;
        int[] counts = {1, 1, 2, 2, 4, 8};
        switch (kind) {
            case 0 -> gpus = GpuRequest.NONE;
            case 1 -> gpus = new GpuRequest(1, models, minMemory, new double[] {0.25, 0.5, 0.3}[r.nextInt(3)], null, degraded);
            case 2, 3 -> gpus = new GpuRequest(1, models, minMemory, 1, PARTITIONS[r.nextInt(small ? 2 : PARTITIONS.length)], degraded);
            default -> {
                int count = counts[r.nextInt(counts.length)];
                while (count > gpusThere && count > 1) {
                    count /= 2;
                }
                gpus = new GpuRequest(count, models, minMemory, 1, null, degraded);
            }
        }
        TopologyRequest topology = new TopologyRequest(gpus.count() > 1 && r.nextInt(3) == 0, gpus.count() > 0 && r.nextInt(3) == 0);
        int cpusThere = target == null ? 16 : target.cpu().threads();
        long cpu = 1000L * (1 + r.nextInt(Math.max(1, Math.min(small ? 2 : 8, cpusThere))));
        long memory = dev.strata.platform.api.model.Quantities.bytes(MEMBER_MEMORY[r.nextInt(MEMBER_MEMORY.length)]);
        if (target != null) {
            memory = Math.min(memory, target.memoryBytes());
        }
        double ceiling = r.nextInt(4) == 0 ? 300 + r.nextInt(30) * 100 : 0;
        return new Member(name, cpu, memory, gpus, topology, ceiling);
    }

    static Contract contract(Random r, String name, InventorySnapshot inventory) {
        List<Member> members = new ArrayList<>();
        if (r.nextInt(6) == 0) {
            Member m = member(r, "w", true, inventory);
            for (int i = 0; i < 2 + r.nextInt(6); i++) {
                members.add(new Member("w-" + i, m.cpuMilli(), m.memoryBytes(), m.gpus(), m.topology(), m.powerCeilingWatts()));
            }
        } else {
            for (int i = 0; i < 1 + r.nextInt(3); i++) {
                members.add(member(r, "m" + i, false, inventory));
            }
        }
        Set<String> countries = r.nextInt(6) == 0 ? Set.of("DE") : Set.of();
        Set<String> jurisdictions = r.nextInt(6) == 0 ? Set.of("EU") : Set.of();
        Set<String> excluded = r.nextInt(6) == 0 ? Set.of("US") : Set.of();
        FabricRequest fabric = r.nextInt(3) == 0 ? new FabricRequest(true, new double[] {0, 200, 400}[r.nextInt(3)]) : FabricRequest.ANY;
        Isolation isolation = r.nextInt(4) == 0 ? Isolation.DEDICATED_NODE : Isolation.SHARED;
        return new Contract(name, new String[] {"t1", "t2", "other"}[r.nextInt(3)], r.nextInt(100), members, fabric,
                new Sovereignty(countries, jurisdictions, excluded, null), isolation);
    }
}
