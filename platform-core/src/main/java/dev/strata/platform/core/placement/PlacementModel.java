package dev.strata.platform.core.placement;

import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.Packer;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decider's view of the inventory with the ledger applied at one generation: per node its free
 * capacity (a {@link Packer} over every node, in {@link InventoryIndex} order), the tenants on it,
 * the tenant it is dedicated to, the power held on it (nodes without a power domain) and the power
 * reserved in each power domain. Everything here is a function of the inventory and the ledger's
 * contents, so two models at the same generation decide alike. <b>Not thread-safe</b>: one thread
 * owns a model at a time ({@link ModelPool}); deciders work on their own models in parallel.
 *
 * <p>The packing policy protects free capacity for a workload: the typical demands plus the shapes
 * the ledger holds, each counted as the largest power of two not above its count. The policy is
 * rebuilt only when that rounded profile changes, which a growing ledger does rarely; the profile
 * never depends on the order the ledger grew in.
 */
final class PlacementModel {

    private static final Logger LOG = LoggerFactory.getLogger(PlacementModel.class);

    final InventoryIndex inv;
    final NodeFacts[] facts;
    final Packer packer;
    /** Power reserved per domain (by {@link InventoryIndex#domains} index), in milliwatts: whole numbers, so a release restores it exactly. */
    final long[] domainMilliwatts;
    /** Power held per node without a power domain, in milliwatts, against its maximum draw. */
    final long[] nodeMilliwatts;
    /** Per node, the tenants holding something on it, with how many bindings each holds. */
    final List<Map<String, Integer>> tenants;
    /** Per node, how many tenants hold something on it, and the tenant when there is one: {@link #otherTenantOn} in O(1). */
    final int[] tenantKinds;
    final String[] soleTenant;
    /** Per node, the tenant it is dedicated to, or null; {@link #dedications} counts the bindings behind it. */
    final String[] dedicatedTo;
    final int[] dedications;
    /** Per node, whether it is a launch slot of a capacity offer ({@link OfferSlots}): one member per slot. */
    final boolean[] launchSlot;
    long ledgerGeneration = -1;
    /**
     * Per allocation id, the indexes of its bindings that {@link #apply} did not count (they no
     * longer fitted their nodes), so that {@link #unapply} gives back only what was reserved.
     */
    private final Map<String, List<Integer>> uncounted = new HashMap<>();
    /**
     * Per tenant, what its allocations in the ledger hold towards its quota ({@link TenantQuotas#held}),
     * every binding counted, on a node of the inventory or not: the ledger holds it either way.
     */
    private final Map<String, TenantQuotas.Limits> tenantHolds = new HashMap<>();
    /** Per tenant, how many allocations of the ledger it holds. */
    private final Map<String, Integer> tenantAllocations = new HashMap<>();
    /**
     * Fixed reasons per node for recent (contract clauses, member requirements): they depend on the
     * inventory only, so decisions on this model reuse them. Bounded.
     */
    final Map<String, String[]> fixedReasons = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
            return size() > 64;
        }
    };

    private final BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policies;
    /** The typical demands as a multiset, in the order they were given. */
    private final Map<Demand, Integer> typical;
    private final List<NodeCapacity> idle;
    /** Per demand shape held in the ledger, how many bindings have it. */
    private final Map<Demand, Integer> shapes = new HashMap<>();
    private final Set<Demand> changedShapes = new HashSet<>();
    /** The rounded counts the current policy was built on. */
    private Map<Demand, Integer> policyProfile = Map.of();

    PlacementModel(InventoryIndex inv, BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policies, List<Demand> typical) {
        this.inv = inv;
        this.facts = inv.facts;
        this.policies = policies;
        Map<Demand, Integer> counts = new LinkedHashMap<>();
        for (Demand d : typical) {
            counts.merge(d, 1, Integer::sum);
        }
        this.typical = java.util.Collections.unmodifiableMap(counts);
        int n = facts.length;
        this.nodeMilliwatts = new long[n];
        this.domainMilliwatts = new long[inv.domains.length];
        this.tenantKinds = new int[n];
        this.soleTenant = new String[n];
        this.dedicatedTo = new String[n];
        this.dedications = new int[n];
        this.launchSlot = new boolean[n];
        for (int i = 0; i < n; i++) {
            launchSlot[i] = OfferSlots.isSlot(facts[i].node());
        }
        this.tenants = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tenants.add(new HashMap<>(2));
        }
        this.idle = inv.capacities();
        this.packer = new Packer(idle, policies.apply(idle, this.typical));
    }

    /** The node's state class (see {@link Packer#stateClass}): nodes with the same one have the same free capacity. */
    int stateClass(int node) {
        return packer.stateClass(node);
    }

    /** How many state classes there are now (see {@link Packer#stateClasses}). */
    int stateClasses() {
        return packer.stateClasses();
    }

    /** The node's live capacity (the packer's own: read only). */
    NodeCapacity capacity(int node) {
        return packer.view(node);
    }

    /** The kernel's demand for a binding as it was reserved. */
    static Demand demandOf(MemberBinding b) {
        int gpus = b.acceleratorIds().size();
        if (b.partition() != null && gpus == 1) {
            int milli = (int) Math.round(b.gpuFraction() * Demand.WHOLE_GPU);
            return new Demand(b.cpuMilli(), mib(b.memoryBytes()), 1, Math.max(1, Math.min(Demand.WHOLE_GPU, milli)), Set.of(), false,
                    b.partition(), false);
        }
        return demandOf(b.cpuMilli(), b.memoryBytes(), gpus, b.gpuFraction(), false);
    }

    /** The kernel's demand for whole GPUs or a fraction. */
    static Demand demandOf(long cpuMilli, long memoryBytes, int gpus, double fraction, boolean oneDomain) {
        int milli = gpus == 0 ? 0 : (int) Math.min(Demand.WHOLE_GPU, Math.max(1, Math.ceil(fraction * Demand.WHOLE_GPU - 1e-9)));
        return new Demand(cpuMilli, mib(memoryBytes), gpus, milli, Set.of(), oneDomain && gpus > 1);
    }

    static long mib(long bytes) {
        return (bytes >> 20) + ((bytes & ((1L << 20) - 1)) == 0 ? 0 : 1);
    }

    int[] gpuIndexes(int node, List<String> acceleratorIds) {
        List<dev.strata.platform.api.model.Accelerator> gpus = facts[node].node().accelerators();
        int[] out = new int[acceleratorIds.size()];
        for (int k = 0; k < out.length; k++) {
            String id = acceleratorIds.get(k);
            int found = -1;
            for (int g = 0; g < gpus.size(); g++) {
                if (gpus.get(g).id().equals(id)) {
                    found = g;
                    break;
                }
            }
            if (found < 0) {
                throw new IllegalStateException("accelerator " + id + " is no longer on node " + facts[node].node().id());
            }
            out[k] = found;
        }
        return out;
    }

    // ---- the ledger -------------------------------------------------------------------------------

    /** What every tenant's allocations hold towards its quota, on this model's ledger generation, by tenant. */
    java.util.SortedMap<String, TenantQuotas.Limits> allTenantHolds() {
        return new java.util.TreeMap<>(tenantHolds);
    }

    /** What every tenant that holds an allocation holds, and how many allocations, on this model's ledger generation, by tenant. */
    List<dev.strata.platform.api.placement.TenantUse> tenantUses() {
        List<dev.strata.platform.api.placement.TenantUse> out = new ArrayList<>();
        new java.util.TreeMap<>(tenantAllocations).forEach((tenant, count) -> {
            TenantQuotas.Limits held = tenantHolds(tenant);
            out.add(new dev.strata.platform.api.placement.TenantUse(tenant, count, held.gpuMilli(), held.cpuMilli(), held.memoryBytes(),
                    -1, -1, -1));
        });
        return out;
    }

    /**
     * What a binding holds towards its tenant's quota: its own share ({@link TenantQuotas#held}), but
     * on a launch slot of a capacity offer at least the whole machine the slot becomes, since no one
     * else is placed on it (a member asking for one GPU of an 8-GPU shape holds 8, one asking for none
     * holds them too). A slot whose offer left the inventory counts the binding's share.
     */
    TenantQuotas.Limits holdOf(MemberBinding b) {
        TenantQuotas.Limits own = TenantQuotas.held(b);
        Integer node = inv.index.get(b.nodeId());
        if (node != null && b.partition() != null && b.acceleratorIds().size() == 1 && facts[node].mig() != null
                && facts[node].mig().profile(b.partition()) >= 0) {
            // a MIG instance holds its profile's share of its GPU's own compute slices, also where the ledger recorded it as
            // sevenths of a GPU whatever the GPU (a 1g on an A30 as 0.142, not 0.25)
            own = new TenantQuotas.Limits(facts[node].mig().milli(facts[node].mig().profile(b.partition())), own.cpuMilli(),
                    own.memoryBytes());
        }
        if (node == null || !launchSlot[node]) {
            return own;
        }
        NodeFacts f = facts[node];
        return new TenantQuotas.Limits(Math.max(own.gpuMilli(), f.gpuCount() * 1000L), Math.max(own.cpuMilli(), f.cpuMilli()),
                Math.max(own.memoryBytes(), f.node().memoryBytes()));
    }

    /** What bindings hold together towards their tenant's quota ({@link #holdOf(MemberBinding)}). */
    TenantQuotas.Limits holdOf(List<MemberBinding> bindings) {
        TenantQuotas.Limits sum = TenantQuotas.Limits.ZERO;
        for (MemberBinding b : bindings) {
            sum = sum.plus(holdOf(b));
        }
        return sum;
    }

    /** What a tenant's allocations hold towards its quota, on this model's ledger generation. */
    TenantQuotas.Limits tenantHolds(String tenant) {
        return tenantHolds.getOrDefault(tenant, TenantQuotas.Limits.ZERO);
    }

    /**
     * Reserves what an allocation holds. A binding whose machine its node's room already leaves
     * out ({@link CountedMachine}) reserves only what it holds beyond the machine's use
     * ({@link #beyond}). A binding that no longer fits its node (the node lost GPUs or room) is
     * returned and its room is not reserved, but its tenant, dedication and power are held all the
     * same; one whose node left the inventory is returned and holds nothing.
     */
    List<MemberBinding> apply(Allocation allocation) {
        List<MemberBinding> skipped = new ArrayList<>();
        List<Integer> notCounted = null;
        List<MemberBinding> bindings = allocation.bindings();
        tenantHolds.merge(allocation.tenant(), holdOf(bindings), TenantQuotas.Limits::plus);
        tenantAllocations.merge(allocation.tenant(), 1, Integer::sum);
        for (int k = 0; k < bindings.size(); k++) {
            MemberBinding b = bindings.get(k);
            Integer node = inv.index.get(b.nodeId());
            if (node == null) {
                skipped.add(b);
                continue;
            }
            Demand d = demandOf(b);
            Demand held = beyond(d, inv.counted(node, allocation.id(), b.member()));
            try {
                if (held != EMPTY) {
                    packer.restore(b.nodeId(), held, held.gpuCount() == 0 ? NO_GPUS : gpuIndexes(node, b.acceleratorIds()),
                            held.partition() == null ? -1 : b.partitionSlot());
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                // its room is not counted, but its tenant, dedication and power are: isolation and budgets do not lapse because
                // the node shows less room than the binding holds
                LOG.warn("Allocation {}: binding of {} no longer fits node {} ({}); its room is not counted, its tenant still holds the "
                        + "node", allocation.id(), b.member(), b.nodeId(), e.getMessage());
                skipped.add(b);
                if (notCounted == null) {
                    notCounted = new ArrayList<>(2);
                }
                notCounted.add(k);
            }
            holdPower(node, b.powerDomainId(), b.powerWatts());
            hold(node, allocation.tenant(), allocation.dedicated());
            countShape(d, 1);
        }
        if (notCounted != null) {
            uncounted.put(allocation.id(), notCounted);
        }
        return skipped;
    }

    /**
     * Gives back what an allocation holds: exactly what {@link #apply} reserved of it on this
     * inventory. A binding whose room apply did not count (it no longer fitted its node then) gives
     * back no room, though the room it names may be held by others now; its tenant, dedication and
     * power are given back.
     */
    void unapply(Allocation allocation) {
        List<Integer> notCounted = uncounted.remove(allocation.id());
        List<MemberBinding> bindings = allocation.bindings();
        TenantQuotas.Limits left = tenantHolds.getOrDefault(allocation.tenant(), TenantQuotas.Limits.ZERO).minus(holdOf(bindings));
        if (tenantAllocations.merge(allocation.tenant(), -1, Integer::sum) == 0) {
            tenantAllocations.remove(allocation.tenant());
        }
        if (left.equals(TenantQuotas.Limits.ZERO) && !tenantAllocations.containsKey(allocation.tenant())) {
            tenantHolds.remove(allocation.tenant());
        } else {
            tenantHolds.put(allocation.tenant(), left);
        }
        for (int k = 0; k < bindings.size(); k++) {
            MemberBinding b = bindings.get(k);
            Integer node = inv.index.get(b.nodeId());
            if (node == null) {
                continue;
            }
            Demand d = demandOf(b);
            Demand held = beyond(d, inv.counted(node, allocation.id(), b.member()));
            try {
                if (held != EMPTY && (notCounted == null || !notCounted.contains(k))) {
                    packer.release(b.nodeId(), held, held.gpuCount() == 0 ? NO_GPUS : gpuIndexes(node, b.acceleratorIds()),
                            held.partition() == null ? -1 : b.partitionSlot());
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                // apply counted it, so this is the model's own error: the room stays held rather than given back twice
                LOG.error("Allocation {}: binding of {} on node {} could not be given back ({}); its room stays held in this model until it is "
                        + "rebuilt", allocation.id(), b.member(), b.nodeId(), e.getMessage());
            }
            holdPower(node, b.powerDomainId(), -b.powerWatts());
            unhold(node, allocation.tenant(), allocation.dedicated());
            countShape(d, -1);
        }
    }

    private static final Demand EMPTY = new Demand(0, 0, 0, 0, Set.of(), false);
    private static final int[] NO_GPUS = new int[0];

    /**
     * What a binding's demand reserves of a node whose room already leaves out its machine's use
     * {@code counted} (null: none, the whole demand): the CPU and memory (whole MiB) beyond the
     * machine's, and the GPUs only when the machine uses fewer of the node's GPUs than the binding
     * holds. {@link #EMPTY} when nothing is left to reserve. Power, tenants and dedication are held
     * whole all the same: the node's room does not show them.
     */
    static Demand beyond(Demand d, CountedMachine counted) {
        if (counted == null) {
            return d;
        }
        long cpu = Math.max(0, d.cpuMilli() - counted.cpuMilli());
        long mib = Math.max(0, d.memoryMiB() - (counted.memoryBytes() >> 20));
        if (d.gpuCount() > 0 && counted.gpus() < d.gpuCount()) {
            return new Demand(cpu, mib, d.gpuCount(), d.gpuMilli(), Set.of(), d.oneDomain(), d.partition(), false);
        }
        return cpu == 0 && mib == 0 ? EMPTY : new Demand(cpu, mib, 0, 0, Set.of(), false);
    }

    /**
     * A total order on the shapes {@link #countShape} makes (they differ only in these fields), on
     * the fields themselves: sorting by {@code toString()} formatted every shape at every comparison.
     */
    private static final java.util.Comparator<Demand> SHAPE_ORDER = java.util.Comparator.comparingLong(Demand::cpuMilli)
            .thenComparingLong(Demand::memoryMiB).thenComparingInt(Demand::gpuCount).thenComparingInt(Demand::gpuMilli)
            .thenComparing(Demand::partition, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));

    private void countShape(Demand d, int delta) {
        Demand shape = new Demand(d.cpuMilli(), d.memoryMiB(), d.gpuCount(), d.gpuMilli(), Set.of(), false, d.partition(), false);
        shapes.merge(shape, delta, (a, b) -> a + b == 0 ? null : a + b);
        changedShapes.add(shape);
    }

    /**
     * Rebuilds the packing policy when the ledger's rounded profile moved since it was built;
     * called once the model is caught up with the ledger, before deciding.
     */
    void refreshPolicy() {
        if (changedShapes.isEmpty()) {
            return;
        }
        boolean moved = false;
        for (Demand s : changedShapes) {
            Integer count = shapes.get(s);
            Integer rounded = count == null ? null : Integer.highestOneBit(count);
            if (!java.util.Objects.equals(rounded, policyProfile.get(s))) {
                moved = true;
                break;
            }
        }
        changedShapes.clear();
        if (!moved) {
            return;
        }
        Map<Demand, Integer> profile = new HashMap<>();
        // a multiset: the typical demands, then each held shape as often as its rounded count, in a fixed order, so that
        // the policy is the same whatever order the ledger grew in (one entry per shape, not one per binding)
        Map<Demand, Integer> workload = new LinkedHashMap<>(typical);
        List<Map.Entry<Demand, Integer>> entries = new ArrayList<>(shapes.entrySet());
        entries.sort(Map.Entry.comparingByKey(SHAPE_ORDER));
        for (Map.Entry<Demand, Integer> e : entries) {
            int rounded = Integer.highestOneBit(e.getValue());
            profile.put(e.getKey(), rounded);
            workload.merge(e.getKey(), rounded, Integer::sum);
        }
        policyProfile = Map.copyOf(profile);
        packer.replacePolicy(policies.apply(idle, java.util.Collections.unmodifiableMap(workload)));
    }

    // ---- reservations ---------------------------------------------------------------------------

    /** Records one binding of {@code tenant} on {@code node}. */
    void hold(int node, String tenant, boolean dedicated) {
        Map<String, Integer> on = tenants.get(node);
        on.merge(tenant, 1, Integer::sum);
        tenantsChanged(node, on);
        if (dedicated) {
            dedicatedTo[node] = tenant;
            dedications[node]++;
        }
    }

    /** Forgets one binding of {@code tenant} on {@code node}. */
    void unhold(int node, String tenant, boolean dedicated) {
        Map<String, Integer> on = tenants.get(node);
        on.computeIfPresent(tenant, (t, n) -> n == 1 ? null : n - 1);
        tenantsChanged(node, on);
        if (dedicated && --dedications[node] == 0) {
            dedicatedTo[node] = null;
        }
    }

    private void tenantsChanged(int node, Map<String, Integer> on) {
        tenantKinds[node] = on.size();
        soleTenant[node] = on.size() == 1 ? on.keySet().iterator().next() : null;
    }

    /** Whether any tenant other than {@code tenant} holds something on the node. */
    boolean otherTenantOn(int node, String tenant) {
        int kinds = tenantKinds[node];
        return kinds > 1 || kinds == 1 && !soleTenant[node].equals(tenant);
    }

    static long milliwatts(double watts) {
        // round the magnitude, so that giving back exactly cancels reserving (Math.round is not symmetric)
        double mw = Math.abs(watts) * 1000;
        if (!(mw < Long.MAX_VALUE)) {
            throw new ArithmeticException("power " + watts + " W does not fit the milliwatt counter");
        }
        return (long) Math.signum(watts) * Math.round(mw);
    }

    /**
     * Holds power for a binding: in its power domain and every domain above it, however deep the
     * chain, each once (every domain of a cycle of parents it ends in, see
     * {@link dev.strata.platform.core.inventory.PowerDomainChains}), or, for a node in no power
     * domain, against the node's own maximum draw. A domain that is not in the inventory has no
     * budget: nothing is held for it or above it.
     */
    void holdPower(int node, String domain, double watts) {
        if (domain != null) {
            Integer d = inv.domainIndex.get(domain);
            long mw = milliwatts(watts);
            for (int i = d == null ? -1 : d; i >= 0; i = inv.domainParent[i]) {
                int[] cycle = inv.domainCycle[i];
                if (cycle != null) {
                    for (int c : cycle) {
                        domainMilliwatts[c] = Math.addExact(domainMilliwatts[c], mw);
                    }
                    break;
                }
                domainMilliwatts[i] = Math.addExact(domainMilliwatts[i], mw);
            }
        } else if (facts[node].node().power().maxWatts() > 0) {
            nodeMilliwatts[node] = Math.addExact(nodeMilliwatts[node], milliwatts(watts));
        }
    }

    /** Watts reserved in a domain (0 for one not in the inventory). */
    double reservedWatts(String domain) {
        Integer d = inv.domainIndex.get(domain);
        return d == null ? 0 : domainMilliwatts[d] / 1000.0;
    }

    /**
     * The first domain in the chain from the node's power domain upwards (to its top, however deep;
     * every domain of a cycle of parents it ends in) that {@code watts} more would push over
     * budget, or null.
     */
    PowerDomain overBudget(int node, double watts) {
        long more = milliwatts(watts);
        for (int i = inv.nodeDomain[node]; i >= 0; i = inv.domainParent[i]) {
            int[] cycle = inv.domainCycle[i];
            if (cycle != null) {
                for (int c : cycle) {
                    if (full(c, more)) {
                        return inv.domains[c];
                    }
                }
                return null;
            }
            if (full(i, more)) {
                return inv.domains[i];
            }
        }
        return null;
    }

    /** Whether {@code more} milliwatts would push domain {@code d} over its budget (as {@link #fits}, without overflowing). */
    private boolean full(int d, long more) {
        long b = inv.domainBudgetMilli[d];
        return b >= 0 && more > b - domainMilliwatts[d];
    }

    /** Whether {@code held + more} milliwatts stay within {@code budgetWatts}, without overflowing. */
    static boolean fits(long heldMilliwatts, long moreMilliwatts, long budgetWatts) {
        long budget = budgetWatts > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : budgetWatts * 1000;
        return moreMilliwatts <= budget - heldMilliwatts;
    }

    /** What a member holds against a node's maximum draw (nodes without a power domain): at most that draw. */
    double nodeHold(int node, double need) {
        long max = facts[node].node().power().maxWatts();
        return max > 0 ? Math.min(need, max) : 0;
    }

    /** Whether a node without a power domain can hold {@code watts} more against its maximum draw. */
    boolean nodePowerFits(int node, double watts) {
        long max = facts[node].node().power().maxWatts();
        return max <= 0 || fits(nodeMilliwatts[node], milliwatts(watts), max);
    }

    /** Watts held against a node's maximum draw. */
    double nodeWatts(int node) {
        return nodeMilliwatts[node] / 1000.0;
    }
}
