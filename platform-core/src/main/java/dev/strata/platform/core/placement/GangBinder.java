package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.Fit;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a gang, all members or none, on the nodes a {@link NodeFilter} accepts, as tentative
 * reservations in the {@link PlacementModel} (so that members see each other's), which the caller
 * commits or {@link #rollback rolls back}.
 *
 * <h2>Complete on small gangs, with a bound on work</h2>
 * First the packing policy binds the members one by one, each on the node it scores best
 * ({@link #greedy}): one pass over the packer's classes per member, the fast path. When that
 * fails, a depth-first search ({@link #search}) looks for any assignment: members most constrained
 * first; for each, every node already used by the gang and one node of each group of untouched
 * candidate nodes that are alike in every respect a later member could tell apart (facts, free
 * capacity per GPU, power domain, tenants, being a launch slot), and every distinct GPU choice on it ({@link GpuOptions});
 * after each tentative binding it checks that every remaining member still has a node. Nodes alike
 * are interchangeable, so trying one of each misses no assignment: the search finds one whenever
 * one exists, unless it runs out of its budget of {@link #SEARCH_STEPS} node checks per decision,
 * which the decision then says. Reservations only ever take capacity away, so a node a member
 * cannot use at the start is never needed later. A gang that must share an RDMA fabric is bound
 * fabric by fabric (at most {@link #MAX_FABRICS}): greedily on each, then searched on each.
 */
final class GangBinder {

    /** The most RDMA fabrics tried for one gang. */
    static final int MAX_FABRICS = 16;
    /** The most node checks (fits, forward checks) the search may spend on one decision. */
    static final int SEARCH_STEPS = 20_000;
    /** The most GPU choices tried on one node for one member. */
    static final int OPTIONS_PER_NODE = 64;

    /** One tentative reservation, enough to undo it and to describe the binding. */
    record Reservation(Member member, int node, Demand demand, int[] gpus, int slot, String powerDomain, double watts, String tenant,
            boolean dedicated) {
    }

    private final PlacementModel model;
    private final NodeFilter filter;
    private final Contract contract;
    private final boolean dedicated;
    private int stepsLeft = SEARCH_STEPS;
    private boolean boundReached;
    private int searches;
    private int greedyFailedAt = -1;

    GangBinder(PlacementModel model, NodeFilter filter) {
        this.model = model;
        this.filter = filter;
        this.contract = filter.contract;
        this.dedicated = contract.isolation() == Isolation.DEDICATED_NODE;
    }

    /** Whether a search ran out of its budget during this decision. */
    boolean boundReached() {
        return boundReached;
    }

    /** How many searches ran (0 when the policy's greedy binding succeeded at once). */
    int searches() {
        return searches;
    }

    /** The members in the order the greedy pass binds them: the largest GPU demand first, then CPU, then name. */
    static List<Member> greedyOrder(List<Member> members) {
        List<Member> order = new ArrayList<>(members);
        order.sort(Comparator.comparingDouble((Member m) -> -m.gpus().count() * NodeFilter.share(m))
                .thenComparingLong(m -> -m.cpuMilli()).thenComparingLong(m -> -m.memoryBytes()).thenComparing(Member::name));
        return order;
    }

    /**
     * Whether the last greedy binding failed on its first member: that member fits on no node even
     * with nothing of the gang reserved, so no search can bind the gang.
     */
    boolean firstMemberFitsNowhere() {
        return greedyFailedAt == 0;
    }

    /** The policy's binding, member by member, on nodes in {@code scope} (all when null); empty when a member finds no node. */
    Optional<List<Reservation>> greedy(List<Member> members, BitSet scope, boolean needNic) {
        List<Reservation> held = new ArrayList<>();
        List<Member> order = greedyOrder(members);
        for (int k = 0; k < order.size(); k++) {
            Member m = order.get(k);
            Demand demand = filter.demandOf(m);
            String[] fixed = filter.fixed(m);
            boolean numa = m.topology().numaAligned() && m.gpus().count() > 0;
            Optional<Fit> fit = model.packer.dryRun(demand, node -> fixed[node] == null && (scope == null || scope.get(node))
                    && !filter.liveFails(m, node) && (!numa || !filter.options(m, node, needNic, 1).isEmpty()));
            if (fit.isEmpty()) {
                rollback(held);
                greedyFailedAt = k;
                return Optional.empty();
            }
            int node = model.packer.indexOf(fit.get().nodeId());
            GpuOptions.Option option = new GpuOptions.Option(fit.get().gpus(), fit.get().slot());
            if (numa && !aligned(node, option.gpus(), needNic)) {
                option = tightestAligned(m, node, needNic);
            }
            held.add(reserve(m, node, option));
        }
        greedyFailedAt = -1;
        return Optional.of(held);
    }

    private boolean aligned(int node, int[] gpus, boolean needNic) {
        NodeFacts f = model.facts[node];
        int numa = f.gpuNuma()[gpus[0]];
        for (int g : gpus) {
            if (f.gpuNuma()[g] != numa) {
                return false;
            }
        }
        // a GPU whose NUMA node is unknown is aligned with nothing
        return numa >= 0 && (!needNic || f.rdmaNicNuma().contains(numa));
    }

    /** Of the NUMA-aligned choices, the one on the NUMA node with the fewest GPUs that could serve it (best fit). */
    private GpuOptions.Option tightestAligned(Member m, int node, boolean needNic) {
        List<GpuOptions.Option> options = filter.options(m, node, needNic, OPTIONS_PER_NODE);
        NodeFacts f = model.facts[node];
        NodeCapacity c = model.capacity(node);
        Demand d = filter.demandOf(m);
        GpuOptions.Option best = null;
        long bestKey = Long.MAX_VALUE;
        for (GpuOptions.Option o : options) {
            int numa = f.gpuNuma()[o.gpus()[0]];
            long serving = 0;
            long free = 0;
            for (int g = 0; g < c.gpuCount(); g++) {
                if (f.gpuNuma()[g] == numa && c.gpuServes(g, d)) {
                    serving++;
                }
            }
            for (int g : o.gpus()) {
                free += c.gpuFreeMilli(g);
            }
            long key = serving << 32 | free;
            if (key < bestKey) {
                bestKey = key;
                best = o;
            }
        }
        return best;
    }

    Reservation reserve(Member m, int node, GpuOptions.Option option) {
        NodeFacts f = model.facts[node];
        Demand demand = filter.demandOf(m);
        model.packer.allocate(f.node().id(), demand, option.gpus(), option.slot());
        double watts = filter.powerHold(m, node);
        model.holdPower(node, f.node().powerDomainId(), watts);
        model.hold(node, contract.tenant(), dedicated);
        return new Reservation(m, node, demand, option.gpus(), option.slot(), f.node().powerDomainId(), watts, contract.tenant(), dedicated);
    }

    void undo(Reservation r) {
        model.packer.release(model.facts[r.node()].node().id(), r.demand(), r.gpus(), r.slot());
        model.holdPower(r.node(), r.powerDomain(), -r.watts());
        model.unhold(r.node(), r.tenant(), r.dedicated());
    }

    /** Undoes reservations, newest first. */
    void rollback(List<Reservation> reservations) {
        for (int i = reservations.size() - 1; i >= 0; i--) {
            undo(reservations.get(i));
        }
    }

    // ---- the search ---------------------------------------------------------------------------

    /** What one member may use: its candidate nodes in groups of interchangeable nodes, best scored first. */
    private static final class Candidates {
        final Member member;
        final BitSet nodes;
        final int[][] groups;

        Candidates(Member member, BitSet nodes, int[][] groups) {
            this.member = member;
            this.nodes = nodes;
            this.groups = groups;
        }
    }

    /**
     * The nodes each member could use alone now, in {@code scope} (all when null): the nodes that
     * pass every constraint for it. Members with the same requirements share one set.
     */
    Map<Member, BitSet> alone(List<Member> members, BitSet scope, boolean needNic) {
        Map<String[], BitSet> byFixed = new IdentityHashMap<>();
        Map<Member, BitSet> out = new HashMap<>();
        for (Member m : members) {
            String[] fixed = filter.fixed(m);
            // members share fixed reasons exactly when their requirements are equal, which makes their live checks equal too
            BitSet nodes = byFixed.get(fixed);
            if (nodes == null) {
                nodes = new BitSet(fixed.length);
                if (scope == null) {
                    for (int i = 0; i < fixed.length; i++) {
                        if (filter.usable(m, i, needNic)) {
                            nodes.set(i);
                        }
                    }
                } else {
                    for (int i = scope.nextSetBit(0); i >= 0; i = scope.nextSetBit(i + 1)) {
                        if (filter.usable(m, i, needNic)) {
                            nodes.set(i);
                        }
                    }
                }
                byFixed.putIfAbsent(fixed, nodes);
            }
            out.put(m, nodes);
        }
        return out;
    }

    /**
     * Looks for any assignment of all members on nodes in {@code scope}; on success the reservations
     * are held in the model.
     *
     * @param alone per member, the nodes it could use alone now ({@link #alone})
     */
    Optional<List<Reservation>> search(List<Member> members, Map<Member, BitSet> alone, boolean needNic) {
        searches++;
        for (Member m : members) {
            if (alone.get(m).isEmpty()) {
                return Optional.empty();
            }
        }
        // a necessary condition, cheap: the GPU share the gang needs is free on the nodes it could use
        BitSet union = new BitSet();
        alone.values().forEach(union::or);
        long need = 0;
        for (Member m : members) {
            need += filter.gpuMilli(m);
        }
        if (need > freeMilli(union)) {
            return Optional.empty();
        }
        Map<Integer, Long> signature = new HashMap<>();
        List<Candidates> order = new ArrayList<>();
        for (Member m : members) {
            order.add(new Candidates(m, alone.get(m), groups(m, alone.get(m), signature)));
        }
        order.sort(Comparator.comparingInt((Candidates c) -> c.groups.length).thenComparingInt(c -> c.nodes.cardinality())
                .thenComparing(c -> c.member, Comparator.comparingDouble((Member m) -> -m.gpus().count() * NodeFilter.share(m))
                        .thenComparingLong(m -> -m.cpuMilli()).thenComparing(Member::name)));
        List<Reservation> held = new ArrayList<>();
        if (dfs(order, 0, held, needNic)) {
            return Optional.of(held);
        }
        return Optional.empty();
    }

    private long freeMilli(BitSet nodes) {
        long free = 0;
        for (int i = nodes.nextSetBit(0); i >= 0; i = nodes.nextSetBit(i + 1)) {
            free += model.capacity(i).gpuFreeMilliUsable();
        }
        return free;
    }

    /** The candidate nodes in groups of nodes alike, each group ascending, groups ordered by the policy's score of the first. */
    private int[][] groups(Member m, BitSet nodes, Map<Integer, Long> signature) {
        Map<Long, List<List<Integer>>> byHash = new HashMap<>();
        List<List<Integer>> groups = new ArrayList<>();
        for (int i = nodes.nextSetBit(0); i >= 0; i = nodes.nextSetBit(i + 1)) {
            int node = i;
            long h = signature.computeIfAbsent(node, this::signature);
            List<List<Integer>> sameHash = byHash.computeIfAbsent(h, k -> new ArrayList<>(1));
            List<Integer> into = null;
            for (List<Integer> g : sameHash) {
                if (alike(g.get(0), node)) {
                    into = g;
                    break;
                }
            }
            if (into == null) {
                into = new ArrayList<>();
                sameHash.add(into);
                groups.add(into);
            }
            into.add(node);
        }
        Demand d = filter.demandOf(m);
        double[] score = new double[groups.size()];
        for (int g = 0; g < score.length; g++) {
            score[g] = model.packer.fitOn(groups.get(g).get(0), d).map(Fit::score).orElse(Double.MAX_VALUE);
        }
        Integer[] idx = new Integer[groups.size()];
        for (int g = 0; g < idx.length; g++) {
            idx[g] = g;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer g) -> score[g]).thenComparingInt(g -> groups.get(g).get(0)));
        int[][] out = new int[idx.length][];
        for (int k = 0; k < idx.length; k++) {
            out[k] = groups.get(idx[k]).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** A hash of what makes a node distinguishable to any member: equal nodes have equal hashes. */
    private long signature(int node) {
        NodeFacts f = model.facts[node];
        NodeCapacity c = model.capacity(node);
        long h = model.inv.shape[node];
        h = h * 31 + String.valueOf(f.node().powerDomainId()).hashCode();
        h = h * 31 + f.node().power().maxWatts();
        h = h * 31 + Double.hashCode(f.gpuPowerWatts());
        h = h * 31 + Arrays.hashCode(f.gpuNuma());
        h = h * 31 + f.rdmaNicNuma().hashCode();
        h = h * 31 + Arrays.hashCode(f.gpuDomain());
        h = h * 31 + Arrays.hashCode(f.gpuHealth());
        h = h * 31 + f.rdma().hashCode();
        h = h * 31 + c.cpuFreeMilli();
        h = h * 31 + c.memoryFreeMiB();
        for (int g = 0; g < c.gpuCount(); g++) {
            h = h * 31 + c.gpuFreeMilli(g);
            h = h * 31 + c.gpuLayout(g);
        }
        h = h * 31 + String.valueOf(model.dedicatedTo[node]).hashCode();
        h = h * 31 + (model.otherTenantOn(node, contract.tenant()) ? 1 : 0);
        h = h * 31 + model.nodeMilliwatts[node];
        h = h * 31 + (model.launchSlot[node] ? 1 : 0);
        return h;
    }

    /**
     * Whether two nodes are interchangeable for every member of this gang (the exact check behind
     * {@link #signature}). A launch slot is never alike a node that is not one, whatever their facts
     * and room: the slot holds one member, the node as many as fit, so a gang that needs the slot
     * for one member and the node for several was refused when the node stood for both.
     */
    private boolean alike(int a, int b) {
        NodeFacts fa = model.facts[a];
        NodeFacts fb = model.facts[b];
        NodeCapacity ca = model.capacity(a);
        NodeCapacity cb = model.capacity(b);
        if (model.inv.shape[a] != model.inv.shape[b] || !java.util.Objects.equals(fa.node().powerDomainId(), fb.node().powerDomainId())
                || fa.node().power().maxWatts() != fb.node().power().maxWatts() || fa.gpuPowerWatts() != fb.gpuPowerWatts()
                || !Arrays.equals(fa.gpuNuma(), fb.gpuNuma()) || !fa.rdmaNicNuma().equals(fb.rdmaNicNuma())
                || !Arrays.equals(fa.gpuDomain(), fb.gpuDomain()) || !Arrays.equals(fa.gpuHealth(), fb.gpuHealth())
                || !fa.rdma().equals(fb.rdma()) || !fa.profiles().equals(fb.profiles())
                || ca.cpuFreeMilli() != cb.cpuFreeMilli() || ca.memoryFreeMiB() != cb.memoryFreeMiB()
                || !java.util.Objects.equals(model.dedicatedTo[a], model.dedicatedTo[b])
                || model.otherTenantOn(a, contract.tenant()) != model.otherTenantOn(b, contract.tenant())
                || model.nodeMilliwatts[a] != model.nodeMilliwatts[b] || model.launchSlot[a] != model.launchSlot[b]) {
            return false;
        }
        for (int g = 0; g < ca.gpuCount(); g++) {
            if (ca.gpuFreeMilli(g) != cb.gpuFreeMilli(g) || ca.gpuLayout(g) != cb.gpuLayout(g)) {
                return false;
            }
        }
        return true;
    }

    private boolean dfs(List<Candidates> order, int level, List<Reservation> held, boolean needNic) {
        if (level == order.size()) {
            return true;
        }
        Candidates cand = order.get(level);
        Member m = cand.member;
        // nodes the gang already uses, then one untouched node of each group
        List<Integer> nodes = new ArrayList<>();
        for (Reservation r : held) {
            if (cand.nodes.get(r.node()) && !nodes.contains(r.node())) {
                nodes.add(r.node());
            }
        }
        for (int[] group : cand.groups) {
            for (int node : group) {
                if (!touched(held, node)) {
                    nodes.add(node);
                    break;
                }
            }
        }
        for (int node : nodes) {
            if (stepsLeft <= 0) {
                boundReached = true;
                return false;
            }
            stepsLeft--;
            if (filter.liveFails(m, node)) {
                continue;
            }
            NodeCapacity c = model.capacity(node);
            Demand d = filter.demandOf(m);
            if (c.cpuFreeMilli() < d.cpuMilli() || c.memoryFreeMiB() < d.memoryMiB()) {
                continue;
            }
            for (GpuOptions.Option option : filter.options(m, node, needNic, OPTIONS_PER_NODE)) {
                if (stepsLeft <= 0) {
                    boundReached = true;
                    return false;
                }
                stepsLeft--;
                held.add(reserve(m, node, option));
                if (stillPossible(order, level + 1, held, needNic) && dfs(order, level + 1, held, needNic)) {
                    return true;
                }
                undo(held.remove(held.size() - 1));
                if (boundReached) {
                    return false;
                }
            }
        }
        return false;
    }

    private static boolean touched(List<Reservation> held, int node) {
        for (Reservation r : held) {
            if (r.node() == node) {
                return true;
            }
        }
        return false;
    }

    /** Forward check: every member after {@code from} still has some node it could use. */
    private boolean stillPossible(List<Candidates> order, int from, List<Reservation> held, boolean needNic) {
        for (int k = from; k < order.size(); k++) {
            Candidates cand = order.get(k);
            boolean found = false;
            for (int[] group : cand.groups) {
                for (int node : group) {
                    if (stepsLeft <= 0) {
                        boundReached = true;
                        return false;
                    }
                    stepsLeft--;
                    if (filter.capacityReason(cand.member, node, needNic) == null && !filter.liveFails(cand.member, node)) {
                        found = true;
                        break;
                    }
                    if (!touched(held, node)) {
                        break; // its untouched group-mates are alike: they fail too
                    }
                }
                if (found) {
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }
}
