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
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.api.provisioning.CountedMachine;
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
 * (MIG GPUs, NVLink and NUMA layouts, GPUs on no known NUMA node, failed and degraded GPUs, nodes with and without power
 * domains, domains inside a hall), 1 to 3 members or up to 7 replicas of a small one, with every
 * clause drawn (partitions, fractions, models, memory, topology, power ceilings, RDMA fabrics,
 * tenants and dedicated nodes, sovereignty), on a ledger already holding earlier placements.
 * The cases the placement issue lists are among what the generators produce. The same comparison
 * runs on an inventory whose nodes report this installation's machines as counted machines
 * (their room already leaving them out) for bindings the ledger holds and for others.
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
        judgeProbe(snapshot, service, probe);
    }

    /**
     * GPUs whose MIG table has 8 compute slices (a declared model's), filled by one partition after
     * another, mostly the smallest: each probe must agree with the oracle, so a refusal comes only
     * when no slot is left. Counted in sevenths before its GPU was known, the last {@code 1g} of
     * such a GPU was refused with its slot free; the main property's gangs seldom fill a GPU that far.
     */
    @Property(tries = 60)
    void gpusOfEightComputeSlicesFillAsFarAsTheirTablesAllow(@ForAll long seed) {
        Random r = new Random(seed);
        Infra infra = new Infra().s1();
        for (int i = 1 + r.nextInt(2); i > 0; i--) {
            infra.node("n" + i, "s1", null, 16, 256, 1 + r.nextInt(2), "Declared G8", 80, 0, 1, 350, 0).mig("n" + i, MigTableTest.eightSlices());
        }
        InventorySnapshot snapshot = infra.snapshot();
        PlacementService service = new PlacementService(fixed(snapshot), new InMemoryLedger(), "strata", Clock.systemUTC());
        String[] profiles = {"1g.10gb", "1g.10gb", "1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "8g.80gb"};
        for (int i = 0; i < 20; i++) {
            GpuRequest gpus = new GpuRequest(1, Set.of(), 0, 1, profiles[r.nextInt(profiles.length)], false);
            Contract probe = new Contract("p" + i, "t1", 50, List.of(new Member("w", 500, 1L << 30, gpus, new TopologyRequest(false, false), 0)),
                    FabricRequest.ANY, new Sovereignty(Set.of(), Set.of(), Set.of(), null), Isolation.SHARED);
            judgeProbe(snapshot, service, probe);
            service.place(probe, false);
        }
    }

    /**
     * The probe's dry run on the service's inventory {@code snapshot} and ledger: a placement breaks
     * no clause as the oracle reads them, and a refusal, unless at the stated search bound, comes
     * only when the oracle finds no assignment either, with every member and node explained.
     */
    private static void judgeProbe(InventorySnapshot snapshot, PlacementService service, Contract probe) {
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
        // refusal then says that an assignment may exist, which is the documented answer; about 1 refusal in 1,800
        // of this generator gets there (47 of 85,229), about 0.2 a run of the main property's 350 or so refusals:
        // asking fewer than 1 % of them failed about one run in 19,000, fewer than 2 % less than once in 10^8 runs
        Statistics.label("refused at the search bound").coverage(c -> c.check(true).percentage(p -> p < 2.0));
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
     * Counted machines ({@link CountedMachine}): after earlier contracts are placed, the inventory is
     * replaced by one in which some bound members' machines are reported on their nodes with random
     * use (less than, as much as and more than the binding's CPU and memory; no GPU, fewer, as many
     * and more GPUs than it holds), the nodes showing only the room left after every such machine as
     * a provider would (never below zero, nor below what the ledger still holds there by the rule),
     * their whole GPUs hidden now and then when counted; beside them machines of bindings the ledger
     * does not hold (unknown allocations and members, a binding's machine reported on another node)
     * and now and then an attribute not in the documented form. On that inventory and the same
     * ledger, with a real placement and a release now and then, the probe's dry run must agree with
     * the oracle as in the main property; half the probes take exactly the room the service says is
     * free on a node, or one CPU, MiB or GPU more, so that a reservation off by one unit shows.
     */
    @Property(tries = 1000)
    void countedMachinesReserveOnlyWhatTheirBindingsHoldBeyondThem(@ForAll long seed) {
        Random r = new Random(seed);
        InventorySnapshot first = inventory(r).snapshot();
        InMemoryLedger ledger = new InMemoryLedger();
        PlacementService service = new PlacementService(fixed(first), ledger, "strata", Clock.systemUTC());
        for (int i = 1 + r.nextInt(5); i > 0; i--) {
            service.place(contract(r, "c" + i, first), false);
        }
        InventorySnapshot second = withCountedMachines(r, first, service.allocations());
        PlacementService after = new PlacementService(fixed(second), ledger, "strata", Clock.systemUTC());
        if (r.nextInt(3) == 0) {
            Contract c = contract(r, "c-after", second);
            List<Allocation> before = after.allocations();
            PlacementDecision d = after.place(c, false);
            if (d.placed()) {
                assertThat(new ExhaustivePlacement(second, before, c, ORACLE_STEPS).check(d.bindings())).as("placement %s on %s", c,
                        describe(second)).isNull();
            }
        }
        List<Allocation> held = after.allocations();
        boolean released = !held.isEmpty() && r.nextInt(4) == 0;
        if (released) {
            // its machines stay counted on their nodes until deleted: the ledger no longer holds their bindings
            after.release(held.get(r.nextInt(held.size())).id());
        }
        Statistics.label("an allocation released on the second inventory").collect(released);
        boolean edge = r.nextBoolean();
        Statistics.label("probe sized to a node's free room").collect(edge);
        judgeProbe(second, after, edge ? atTheEdge(r, after, second) : contract(r, "probe", second));
    }

    /**
     * A one-member probe that takes exactly what the service says is free on a node (one that reports
     * counted machines, where there is one), or a CPU, a MiB or a GPU more: it fits there only if
     * the ledger's bindings were reserved as the oracle reads them.
     */
    private static Contract atTheEdge(Random r, PlacementService service, InventorySnapshot snapshot) {
        List<dev.strata.platform.api.model.Node> counting = snapshot.nodes().stream()
                .filter(n -> n.attributes().keySet().stream().anyMatch(k -> k.startsWith(CountedMachine.ATTRIBUTE_PREFIX))).toList();
        List<dev.strata.platform.api.model.Node> from = counting.isEmpty() ? snapshot.nodes() : counting;
        String node = from.get(r.nextInt(from.size())).id();
        // cpu milli/memory MiB/free milli of each GPU [MIG layout] tenants ...
        String free = service.freeCapacity().get(node);
        String[] parts = free.substring(0, free.indexOf(" tenants")).split("/", 3);
        long cpu = Long.parseLong(parts[0]);
        long mib = Long.parseLong(parts[1]);
        int gpus = (int) java.util.Arrays.stream(parts[2].trim().split("\\s+")).filter("1000"::equals).count();
        int over = r.nextInt(4);
        Statistics.label("probe at the edge: one more of").collect(new String[] {"nothing", "CPU", "memory", "GPU"}[over]);
        // each other part of the room either taken whole or not at all, so that the one at the edge decides
        cpu = over == 1 ? cpu / 1000 * 1000 + 1000 : r.nextBoolean() ? cpu / 1000 * 1000 : 0;
        long memory = over == 2 ? (mib + 1) << 20 : r.nextBoolean() ? mib << 20 : 0;
        int count = over == 3 ? gpus + 1 : r.nextBoolean() ? gpus : 0;
        GpuRequest g = count == 0 ? GpuRequest.NONE : new GpuRequest(count, Set.of(), 0, 1, null, false);
        return new Contract("probe", new String[] {"t1", "t2"}[r.nextInt(2)], 0, List.of(new Member("m0", cpu, memory, g, TopologyRequest.ANY, 0)),
                FabricRequest.ANY, Sovereignty.ANY, Isolation.SHARED);
    }

    /**
     * The inventory as a provider whose nodes show only the room left after this installation's
     * machines would report it once some of the ledger's bindings have their machines: see
     * {@link #countedMachinesReserveOnlyWhatTheirBindingsHoldBeyondThem}.
     */
    static InventorySnapshot withCountedMachines(Random r, InventorySnapshot first, List<Allocation> held) {
        Map<String, Map<String, String>> attributes = new HashMap<>();
        Map<String, long[]> used = new HashMap<>(); // per node: CPU milli, bytes the provider leaves out of its room
        Map<String, long[]> holds = new HashMap<>(); // per node: CPU milli, MiB the ledger still holds there by the rule
        Set<String> hidden = new HashSet<>(); // GPUs of counted machines the provider no longer shows
        boolean hide = r.nextInt(4) > 0;
        boolean counted = false;
        boolean more = false;
        boolean fewerGpus = false;
        boolean gpusLeft = false;
        boolean malformed = false;
        List<String> nodeIds = first.nodes().stream().map(dev.strata.platform.api.model.Node::id).toList();
        for (Allocation a : held) {
            for (MemberBinding b : a.bindings()) {
                String node = b.nodeId();
                int gpus = b.acceleratorIds().size();
                long cpu = b.cpuMilli();
                long mib = ExhaustivePlacement.mib(b.memoryBytes());
                int pick = r.nextInt(8);
                if (pick < 5) {
                    long cpuUse = use(r, b.cpuMilli(), 1000);
                    long memoryUse = use(r, b.memoryBytes(), 1L << 30);
                    int gpuUse = new int[] {0, gpus, gpus, gpus + 1, Math.max(0, gpus - 1)}[r.nextInt(5)];
                    CountedMachine c = new CountedMachine(a.id(), b.member(), cpuUse, memoryUse, gpuUse);
                    attributes.computeIfAbsent(node, k -> new HashMap<>()).put(c.attributeKey(), c.attributeValue());
                    add(used, node, cpuUse, memoryUse);
                    cpu = Math.max(0, cpu - cpuUse);
                    mib = Math.max(0, mib - (memoryUse >> 20));
                    counted = true;
                    more |= cpuUse > b.cpuMilli() || memoryUse > b.memoryBytes();
                    if (gpus > 0 && gpuUse < gpus) {
                        fewerGpus = true;
                    } else if (gpus > 0) {
                        gpusLeft = true;
                        if (hide && b.partition() == null && b.gpuFraction() >= 1) {
                            hidden.addAll(b.acceleratorIds()); // whole GPUs: no other binding is on them
                        }
                    }
                } else if (pick == 5 && !malformed) {
                    // the provider leaves the machine out of the room but reports it in a form not documented: held whole
                    malformed = true;
                    String key = CountedMachine.ATTRIBUTE_PREFIX + a.id() + "/" + b.member();
                    String value = new String[] {"cpuMilli=" + b.cpuMilli() + ",gpus=" + gpus, "cpuMilli=" + b.cpuMilli() + ",memoryBytes="
                            + b.memoryBytes() + ",gpus=-1", "cpu=" + b.cpuMilli() + ",memoryBytes=" + b.memoryBytes() + ",gpus=0"}[r.nextInt(3)];
                    attributes.computeIfAbsent(node, k -> new HashMap<>()).put(key, value);
                    add(used, node, b.cpuMilli(), b.memoryBytes());
                } else if (pick == 6 && nodeIds.size() > 1) {
                    // the binding's machine reported on another node: not that node's binding, so nothing there to count it against
                    String other = nodeIds.get(r.nextInt(nodeIds.size()));
                    if (!other.equals(node)) {
                        CountedMachine c = new CountedMachine(a.id(), b.member(), b.cpuMilli(), b.memoryBytes(), gpus);
                        attributes.computeIfAbsent(other, k -> new HashMap<>()).put(c.attributeKey(), c.attributeValue());
                        add(used, other, b.cpuMilli(), b.memoryBytes());
                    }
                }
                add(holds, node, cpu, mib);
            }
        }
        boolean unknown = false;
        for (String node : nodeIds) {
            if (r.nextInt(3) == 0) {
                // a machine of an allocation the ledger does not hold (released, or another ledger's), or of a member it never bound
                String allocation = held.isEmpty() || r.nextBoolean() ? "a-9" + (10_000 + r.nextInt(90_000))
                        : held.get(r.nextInt(held.size())).id();
                CountedMachine c = new CountedMachine(allocation, "ghost-" + r.nextInt(3), 1000L * r.nextInt(6), (long) r.nextInt(9) << 30,
                        r.nextInt(2));
                attributes.computeIfAbsent(node, k -> new HashMap<>()).put(c.attributeKey(), c.attributeValue());
                add(used, node, c.cpuMilli(), c.memoryBytes());
                unknown = true;
            }
        }
        boolean raised = false;
        List<dev.strata.platform.api.model.Node> nodes = new ArrayList<>();
        for (dev.strata.platform.api.model.Node n : first.nodes()) {
            Map<String, String> extra = attributes.get(n.id());
            if (extra == null) {
                nodes.add(n);
                continue;
            }
            long[] u = used.getOrDefault(n.id(), new long[2]);
            long[] h = holds.getOrDefault(n.id(), new long[2]);
            // the room as Placement would show it: whole CPUs and bytes left after the machines, never below zero ...
            long threads = Math.max(0, n.cpu().threads() - (u[0] + 999) / 1000);
            long memory = Math.max(0, n.memoryBytes() - u[1]);
            // ... nor below what the ledger still holds there, so that every binding still fits its node
            if (threads * 1000 < h[0] || (memory >> 20) < h[1]) {
                raised = true;
                threads = Math.max(threads, (h[0] + 999) / 1000);
                memory = Math.max(memory, h[1] << 20);
            }
            Map<String, String> all = new HashMap<>(n.attributes());
            all.putAll(extra);
            nodes.add(n.toBuilder().cpu(threads((int) threads)).memoryBytes(memory)
                    .accelerators(n.accelerators().stream().filter(g -> !hidden.contains(g.id())).toList()).attributes(all).build());
        }
        Statistics.label("a binding's machine counted").collect(counted);
        Statistics.label("counted more CPU or memory than its binding").collect(more);
        Statistics.label("counted fewer GPUs than its binding (its GPUs held)").collect(fewerGpus);
        Statistics.label("counted as many GPUs as its binding or more (none held)").collect(gpusLeft);
        Statistics.label("counted GPUs hidden from their node").collect(!hidden.isEmpty());
        Statistics.label("machines of bindings the ledger does not hold").collect(unknown);
        Statistics.label("a counted attribute not in the documented form").collect(malformed);
        Statistics.label("a node's room raised to what the ledger holds").collect(raised);
        // about 54 % of tries count one (some hold no binding, and a binding's machine is counted 5 times in 8): asking more than
        // 50 % of 1,000 tries failed about one run in 90 (seed 115: 49.7 %); more than 40 % fails a run about once in 10^17
        Statistics.label("a binding's machine counted").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("counted more CPU or memory than its binding").coverage(c -> c.check(true).percentage(p -> p > 30));
        Statistics.label("counted fewer GPUs than its binding (its GPUs held)").coverage(c -> c.check(true).percentage(p -> p > 10));
        Statistics.label("counted as many GPUs as its binding or more (none held)").coverage(c -> c.check(true).percentage(p -> p > 10));
        Statistics.label("counted GPUs hidden from their node").coverage(c -> c.check(true).percentage(p -> p > 3));
        Statistics.label("machines of bindings the ledger does not hold").coverage(c -> c.check(true).percentage(p -> p > 30));
        Statistics.label("a counted attribute not in the documented form").coverage(c -> c.check(true).percentage(p -> p > 10));
        return new InventorySnapshot(first.generation() + 1, first.takenAt(), first.sites(), nodes, first.fabrics(), first.storagePools(),
                first.powerDomains(), first.offers(), first.unattached());
    }

    /** A machine's use of some amount a binding holds: less, as much, or more, now and then not in whole units. */
    private static long use(Random r, long held, long unit) {
        return switch (r.nextInt(7)) {
            case 0 -> 0;
            case 1 -> Math.max(0, held - unit);
            case 2 -> Math.max(0, held - 1);
            case 3, 4 -> held;
            case 5 -> held + 1;
            default -> held + unit * (1 + r.nextInt(3));
        };
    }

    private static void add(Map<String, long[]> per, String node, long cpu, long amount) {
        long[] v = per.computeIfAbsent(node, k -> new long[2]);
        v[0] += cpu;
        v[1] += amount;
    }

    /** CPUs 0 to {@code threads - 1} online, one thread a core; none for 0. */
    private static CpuTopology threads(int threads) {
        if (threads == 0) {
            return new CpuTopology(List.of(), CpuSet.EMPTY, CpuSet.EMPTY);
        }
        List<CpuCore> cores = new ArrayList<>();
        for (int c = 0; c < threads; c++) {
            cores.add(new CpuCore(c, CpuSet.of(c)));
        }
        return new CpuTopology(List.of(new CpuPackage(0, "x", "x", cores)), CpuSet.parseList("0-" + (threads - 1)), CpuSet.EMPTY);
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

    /**
     * The largest machine the node's provider makes there, as node attributes: a CPU limit, a
     * memory limit or both, and now and then a GPU limit, of sizes members ask for (so they bind),
     * now and then one that is not a whole number (no limit, with a warning).
     */
    private static void largestMachine(Random r, Infra infra, String id) {
        Map<String, String> attributes = new HashMap<>();
        int which = r.nextInt(3);
        if (which != 1) {
            attributes.put(dev.strata.platform.api.provisioning.LargestMachine.CPU_MILLI,
                    r.nextInt(10) == 0 ? "lots" : Long.toString(1000L * (1 + r.nextInt(6)) + (r.nextInt(4) == 0 ? 500 : 0)));
        }
        if (which != 0) {
            attributes.put(dev.strata.platform.api.provisioning.LargestMachine.MEMORY_BYTES,
                    r.nextInt(10) == 0 ? "-1" : Long.toString(new long[] {1L << 30, 16L << 30, 32L << 30, (64L << 30) - 1}[r.nextInt(4)]));
        }
        if (r.nextInt(3) == 0) {
            attributes.put(dev.strata.platform.api.provisioning.LargestMachine.GPUS, r.nextInt(10) == 0 ? "two" : Integer.toString(r.nextInt(4)));
        }
        infra.change(id, n -> {
            Map<String, String> all = new HashMap<>(n.attributes());
            all.putAll(attributes);
            return n.toBuilder().attributes(all).build();
        });
    }

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
                case 0 -> {
                    // now and then a declared model whose MIG table has 8 compute slices: a 1g is 1/8 of it
                    boolean eight = r.nextInt(4) == 0;
                    infra.node(id, site, domain, 16, 256, 1, eight ? "Declared G8" : "NVIDIA H100 PCIe", 80, 0, 1, 350, r.nextInt(4) == 0 ? 0 : 1500)
                            .mig(id, eight ? MigTableTest.eightSlices() : MigTableTest.h100());
                }
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
            if (r.nextInt(4) == 0) {
                largestMachine(r, infra, id);
            }
            if (r.nextInt(12) == 0) {
                infra.change(id, n -> n.withState(ResourceState.DRAINING));
            }
            int gpus = infra.nodes.get(infra.nodes.size() - 1).accelerators().size();
            if (gpus > 1 && r.nextInt(8) == 0) {
                // a GPU unlike the node's others, as a provider may report one: another model, or the same with less memory
                int g = 1 + r.nextInt(gpus - 1);
                boolean otherModel = r.nextBoolean();
                infra.change(id, n -> {
                    List<dev.strata.platform.api.model.Accelerator> all = new ArrayList<>(n.accelerators());
                    dev.strata.platform.api.model.Accelerator a = all.get(g);
                    all.set(g, a.toBuilder().model(otherModel ? "NVIDIA L4" : a.model()).memoryBytes(otherModel ? 24L << 30 : a.memoryBytes() / 2)
                            .build());
                    return n.withAccelerators(all);
                });
            }
            for (int g = 0; g < gpus; g++) {
                int h = r.nextInt(12);
                if (h == 0) {
                    infra.health(id, g, Health.Status.FAILED);
                } else if (h == 1) {
                    infra.health(id, g, Health.Status.DEGRADED);
                }
                if (r.nextInt(16) == 0) {
                    infra.numa(id, g, -1); // a GPU whose NUMA node its provider does not know
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
