package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.MigTable;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hard constraints of a contract, node by node: which nodes a member may use and, for the
 * others, the first constraint each fails, as a short reason.
 * <ul>
 *   <li><b>Fixed</b> constraints do not depend on what is reserved (node state, a power domain, or
 *       a parent of it, that the inventory does not hold (a budget unknown: the node is not used), sovereignty, owner
 *       tenant, GPU model, memory, count, health, partition profile, topology the node cannot
 *       offer, RDMA fabric, CPU and memory size, the power ceiling against the node's estimate).
 *       They are judged once per node shape and member ({@link #fixed}).</li>
 *   <li><b>Live</b> constraints depend on the ledger and on the gang's own tentative reservations
 *       (isolation, power budgets, free capacity, GPUs free in one NUMA node or NVLink domain).</li>
 * </ul>
 * Reasons are shared String instances (per shape, per member, per power domain), so that callers
 * count them by identity. One filter serves one decision on one {@link PlacementModel}; not
 * thread-safe.
 */
final class NodeFilter {

    static final String DEDICATED_TO_OTHER = "node dedicated to another tenant";
    static final String SHARED_WITH_OTHER = "node shared with another tenant (isolation dedicated-node)";
    static final String SLOT_TAKEN = "launch slot taken (one member per launched machine)";

    final PlacementModel model;
    final Contract contract;
    private final Map<String, String[]> fixedBySpec = new HashMap<>();
    private final Map<Member, String[]> fixedByMember = new java.util.IdentityHashMap<>();
    private final Map<Member, Texts> texts = new java.util.IdentityHashMap<>();
    private final Map<Member, Demand> demands = new java.util.IdentityHashMap<>();
    private final Map<Member, Double> needs = new java.util.IdentityHashMap<>();

    NodeFilter(PlacementModel model, Contract contract) {
        this.model = model;
        this.contract = contract;
    }

    /** The reasons one member's nodes can fail on live, written once per decision rather than once per node. */
    static final class Texts {
        final String numa;
        final String numaNic;
        final String cpu;
        final String memory;
        final String gpus;
        final String share;
        final String partition;
        final String domain;
        final String doesNotFit;
        final Map<String, String> budgets = new HashMap<>();
        final Map<Integer, String> nodePower = new HashMap<>();

        Texts(Member m, Demand d) {
            numa = "no NUMA node with " + m.gpus().count() + " free GPUs";
            numaNic = "no NUMA node with " + m.gpus().count() + " free GPUs and an RDMA NIC";
            cpu = "not enough free CPU for " + Format.cpus(d.cpuMilli());
            memory = "not enough free memory for " + Format.bytes(d.memoryMiB() << 20);
            gpus = "fewer than " + d.gpuCount() + " free GPUs";
            share = "no GPU with " + d.gpuMilli() / 10.0 + " % free";
            partition = "no GPU with free slots for partition " + d.partition();
            domain = "no NVLink domain with " + d.gpuCount() + " free GPUs";
            doesNotFit = "does not fit";
        }
    }

    Texts texts(Member m) {
        return texts.computeIfAbsent(m, k -> new Texts(k, demand(k)));
    }

    // ---- the member's demand --------------------------------------------------------------------

    /** A MIG profile's name, its compute slices first ({@code 3g.40gb}): the share of the GPU a partition takes is read from them. */
    private static final java.util.regex.Pattern SLICES = java.util.regex.Pattern.compile("([1-9][0-9]{0,8})g\\..*");

    /**
     * The kernel's demand for a member: a partition is one MIG instance counting its share of the GPU's compute slices.
     *
     * @throws IllegalArgumentException naming the member and its partition when the partition's name does not start with its
     *     compute slices (a contract given through the API; a contract document's is checked when it is read)
     */
    static Demand demand(Member m) {
        String profile = m.gpus().partitionProfile();
        Demand d;
        if (profile != null) {
            java.util.regex.Matcher named = SLICES.matcher(profile);
            if (!named.matches()) {
                // read as it was, a name without them failed with an index or number error that named neither
                throw new IllegalArgumentException("member " + m.name() + ": gpus.partition '" + profile + "' does not start with its "
                        + "compute slices; expected a MIG profile name such as 1g.10gb or 3g.40gb");
            }
            int slices = Integer.parseInt(named.group(1));
            d = Demand.partition(m.cpuMilli(), PlacementModel.mib(m.memoryBytes()), profile, Math.min(7, slices), Set.of(), m.gpus().allowDegraded());
        } else {
            d = PlacementModel.demandOf(m.cpuMilli(), m.memoryBytes(), m.gpus().count(), m.gpus().fraction(), m.topology().oneNvlinkDomain());
        }
        return d.gpuCount() == 0 ? d : d.withDegradedAllowed(m.gpus().allowDegraded());
    }

    /**
     * The thousandths of GPUs the member's demand reserves: whole GPUs, and a share rounded up to a
     * thousandth as it is reserved (0.0004 takes 1); a MIG instance the least share its profile takes
     * of any GPU that has it ({@link InventoryIndex#leastShare}), since its GPU is not known yet.
     * What the checks of free GPUs before binding (an RDMA fabric's, the search's) count: the share
     * rounded to the nearest thousandth took a gang of shares finer than one to need none, so a
     * fabric without room for it was tried, and the gang refused as though it did not fit there
     * some other way; a MIG instance counted in sevenths took the last {@code 1g} of a GPU of 8
     * compute slices to need more than was free, and a one-member gang was refused as not fitting
     * "all at once".
     */
    long gpuMilli(Member m) {
        Demand d = demandOf(m);
        return d.partitioned() ? model.inv.leastShare(d.partition(), d.gpuMilli()) : d.gpuMilliTotal();
    }

    /**
     * The share of one GPU of node {@code f} each of the member's GPUs takes: a MIG instance its
     * compute slices over those of the node's own table, as its slots are booked ({@link MigTable#milli});
     * every other demand as {@link #share(Member)}. The power estimate counts this: counted in
     * sevenths whatever the GPU, an instance on an A30 (a quarter of it per slice) was estimated at
     * four sevenths of its draw, and a power domain could be committed past its budget.
     */
    static double share(Member m, NodeFacts f) {
        String profile = m.gpus().partitionProfile();
        MigTable table = f.mig();
        int p = profile != null && table != null ? table.profile(profile) : -1;
        return p < 0 ? share(m) : table.milli(p) / 1000.0;
    }

    /** The share of one GPU each of the member's GPUs takes: 1 for whole GPUs. */
    static double share(Member m) {
        return m.gpus().partitionProfile() != null ? demand(m).gpuMilli() / 1000.0 : m.gpus().fraction();
    }

    // ---- fixed constraints ----------------------------------------------------------------------

    private static String spec(Member m) {
        return m.cpuMilli() + "/" + m.memoryBytes() + "/" + m.gpus() + "/" + m.topology() + "/" + m.powerCeilingWatts();
    }

    /**
     * Per node, the first fixed constraint it fails for the member, or null. Judged once per node
     * shape ({@link NodeFacts#shape()}) and spread to the nodes of that shape; members with the same
     * requirements share one array (callers may compare arrays by identity).
     */
    String[] fixed(Member m) {
        String[] known = fixedByMember.get(m);
        if (known != null) {
            return known;
        }
        String key = contractKey() + "|" + spec(m);
        String[] computed = model.fixedReasons.get(key);
        if (computed != null) {
            fixedByMember.put(m, computed);
            return computed;
        }
        computed = fixedBySpec.computeIfAbsent(spec(m), k -> {
            InventoryIndex inv = model.inv;
            String[] byShape = new String[inv.shapeCount];
            for (int s = 0; s < byShape.length; s++) {
                byShape[s] = fixedReason(m, inv.facts[inv.shapeMember[s]]);
            }
            String[] reasons = new String[inv.nodeCount()];
            for (int i = 0; i < reasons.length; i++) {
                reasons[i] = byShape[inv.shape[i]];
            }
            return reasons;
        });
        fixedByMember.put(m, computed);
        model.fixedReasons.put(key, computed);
        return computed;
    }

    private String contractKey;

    /** What of the contract the fixed reasons depend on besides the member: sovereignty, fabric, and the tenant where nodes are owned. */
    private String contractKey() {
        if (contractKey == null) {
            contractKey = contract.sovereignty().countries() + "/" + contract.sovereignty().jurisdictions() + "/"
                    + contract.sovereignty().excludedOperatorJurisdictions() + "/" + contract.fabric() + "/"
                    + (model.inv.anyOwner ? contract.tenant() : "");
        }
        return contractKey;
    }

    /** The member's demand, computed once per decision. */
    Demand demandOf(Member m) {
        return demands.computeIfAbsent(m, NodeFilter::demand);
    }

    private String fixedReason(Member m, NodeFacts f) {
        Node n = f.node();
        if (n.state() != ResourceState.AVAILABLE) {
            return "node is " + n.state();
        }
        String domainFault = n.powerDomainId() == null ? null : model.inv.domainFault.get(n.powerDomainId());
        if (domainFault != null) {
            return domainFault;
        }
        String site = sovereigntyReason(contract.sovereignty(), f.site(), n.siteId());
        if (site != null) {
            return site;
        }
        if (n.ownerTenant() != null && !n.ownerTenant().equals(contract.tenant())) {
            return "node belongs to another tenant";
        }
        String gpu = gpuReason(m, f);
        if (gpu != null) {
            return gpu;
        }
        if (contract.fabric().oneRdmaFabric() && f.rdmaFabric(contract.fabric().minBandwidthGbps()) == null) {
            return "not on an " + Format.rdma(contract.fabric().minBandwidthGbps());
        }
        if (f.cpuMilli() < m.cpuMilli()) {
            return "has " + f.cpuMilli() / 1000 + " CPUs, fewer than " + Format.cpus(m.cpuMilli());
        }
        if (f.memoryMiB() < PlacementModel.mib(m.memoryBytes())) {
            return "has " + Format.bytes(n.memoryBytes()) + " memory, less than " + Format.bytes(m.memoryBytes());
        }
        if (m.cpuMilli() > f.largest().cpuMilli()) {
            return "its provider makes machines of at most " + Format.cpus(f.largest().cpuMilli()) + " here, fewer than "
                    + Format.cpus(m.cpuMilli());
        }
        if (m.memoryBytes() > f.largest().memoryBytes()) {
            return "its provider makes machines of at most " + Format.bytes(f.largest().memoryBytes()) + " memory here, less than "
                    + Format.bytes(m.memoryBytes());
        }
        if (m.gpus().count() > f.largest().gpus()) {
            return "its provider makes machines of at most " + f.largest().gpus() + (f.largest().gpus() == 1 ? " GPU" : " GPUs")
                    + " here, fewer than " + m.gpus().count();
        }
        if (m.powerCeilingWatts() > 0 && powerEstimate(m, f) > m.powerCeilingWatts() + 1e-6) {
            double estimate = powerEstimate(m, f);
            return "would draw more than the power ceiling of " + Format.watts(m.powerCeilingWatts(), estimate) + " (estimate "
                    + Format.watts(estimate, m.powerCeilingWatts()) + ")";
        }
        return null;
    }

    static String sovereigntyReason(Sovereignty s, Site site, String siteId) {
        if (s.unrestricted()) {
            return null;
        }
        if (site == null) {
            return "site " + siteId + " is not in the inventory (country and operator unknown)";
        }
        if (!s.countries().isEmpty() && (site.country() == null || !s.countries().contains(site.country()))) {
            return "country " + (site.country() == null ? "unknown" : site.country()) + " not in " + Format.sorted(s.countries());
        }
        if (!s.jurisdictions().isEmpty() && site.jurisdictions().stream().noneMatch(s.jurisdictions()::contains)) {
            return "site jurisdictions " + Format.sorted(site.jurisdictions()) + " not in " + Format.sorted(s.jurisdictions());
        }
        if (!s.excludedOperatorJurisdictions().isEmpty()) {
            if (site.operator() == null) {
                return "operator unknown (cannot exclude " + Format.sorted(s.excludedOperatorJurisdictions()) + ")";
            }
            Set<String> hit = new TreeSet<>(site.operator().jurisdictions());
            hit.retainAll(s.excludedOperatorJurisdictions());
            if (!hit.isEmpty()) {
                return "operator subject to excluded jurisdiction " + hit;
            }
        }
        return null;
    }

    private static String gpuReason(Member m, NodeFacts f) {
        if (m.gpus().count() == 0) {
            return null;
        }
        if (f.gpuCount() == 0) {
            return "no GPUs";
        }
        if (f.sharedGpuId() != null) {
            // a binding names its GPUs by id: one of two GPUs under one id would be booked again as the other
            return "GPU id " + f.sharedGpuId() + " is reported for more than one of its GPUs; expected one id per GPU";
        }
        if (!f.modelAllowed(m.gpus().models())) {
            return "GPU model " + f.gpuModel() + " not in " + Format.sorted(m.gpus().models());
        }
        String profileName = m.gpus().partitionProfile();
        if (profileName != null) {
            PartitionProfile profile = f.profiles().get(profileName);
            if (profile == null) {
                return "GPUs do not support partition " + profileName;
            }
            if (profile.memoryBytes() < m.gpus().minMemoryBytes()) {
                return "partition " + profileName + " has " + Format.bytes(profile.memoryBytes()) + ", less than "
                        + Format.bytes(m.gpus().minMemoryBytes());
            }
            if (f.mig() == null || f.mig().profile(profileName) < 0) {
                return "GPUs list no placements for partition " + profileName;
            }
        } else if (f.gpuMemoryBytes() < m.gpus().minMemoryBytes()) {
            return "GPU memory " + Format.bytes(f.gpuMemoryBytes()) + " less than " + Format.bytes(m.gpus().minMemoryBytes());
        }
        if (f.gpuCount() < m.gpus().count()) {
            return "has " + f.gpuCount() + " GPUs, fewer than " + m.gpus().count();
        }
        int usable = f.usableGpus(m.gpus().allowDegraded());
        if (usable < m.gpus().count()) {
            int degraded = f.gpusOfHealth(NodeCapacity.DEGRADED);
            String failed = failed(f);
            return "has " + usable + " healthy GPUs, fewer than " + m.gpus().count() + " (" + failed
                    + (!failed.isEmpty() && degraded > 0 && !m.gpus().allowDegraded() ? ", " : "")
                    + (degraded > 0 && !m.gpus().allowDegraded() ? degraded + " degraded, not allowed" : "") + ")";
        }
        if (m.topology().oneNvlinkDomain() && m.gpus().count() > 1 && f.largestDomain() < m.gpus().count()) {
            return "no NVLink domain of " + m.gpus().count() + " GPUs" + failedNotCounted(f);
        }
        if (m.topology().numaAligned() && f.largestNumaGroup() < m.gpus().count()) {
            return "no NUMA node with " + m.gpus().count() + " GPUs" + numaNotCounted(f);
        }
        return null;
    }

    /** The GPUs no NUMA node counts: failed ones, and those whose NUMA node is unknown (alignment on them cannot be known). */
    private static String numaNotCounted(NodeFacts f) {
        String failed = failed(f);
        int unknown = f.gpusOnNoKnownNuma();
        if (unknown == 0) {
            return failedNotCounted(f);
        }
        return " (" + (failed.isEmpty() ? "" : failed + ", ") + unknown + " on no known NUMA node, not counted)";
    }

    private static String failedNotCounted(NodeFacts f) {
        String failed = failed(f);
        return failed.isEmpty() ? "" : " (" + failed + ", not counted)";
    }

    /** The GPUs never placed on, counted: failed ones, and those of another model or memory than the node's ("" when none). */
    private static String failed(NodeFacts f) {
        int failed = f.gpusOfHealth(NodeCapacity.FAILED) - f.unlikeGpus();
        String unlike = f.unlikeGpus() == 0 ? "" : f.unlikeGpus() + " of another model or memory than " + f.gpuModel() + " ("
                + Format.bytes(f.gpuMemoryBytes()) + ")";
        return failed == 0 ? unlike : failed + " failed" + (unlike.isEmpty() ? "" : ", " + unlike);
    }

    // ---- power --------------------------------------------------------------------------------

    /** What the member is expected to draw on the node: its GPUs' share of their limit, and its CPU share of the rest. */
    static double powerEstimate(Member m, NodeFacts f) {
        double gpu = m.gpus().count() * share(m, f) * f.gpuPowerWatts();
        double rest = Math.max(0, f.node().power().maxWatts() - f.gpuCount() * f.gpuPowerWatts());
        double cpuShare = f.cpuMilli() == 0 ? 0 : Math.min(1, (double) m.cpuMilli() / f.cpuMilli());
        return gpu + rest * cpuShare;
    }

    /** What the member reserves in its power domain: its ceiling when it has one, else the estimate. */
    static double powerNeed(Member m, NodeFacts f) {
        return m.powerCeilingWatts() > 0 ? m.powerCeilingWatts() : powerEstimate(m, f);
    }

    /** What the member holds on its node: in the node's power domain, or without one against the node's maximum draw. */
    double powerHold(Member m, int node) {
        NodeFacts f = model.facts[node];
        double need = powerNeed(m, f);
        return f.node().powerDomainId() != null ? need : model.nodeHold(node, need);
    }

    // ---- live constraints -----------------------------------------------------------------------

    /** {@link #live}: the node passes every live constraint. */
    static final int LIVE_OK = 0;
    /** {@link #live}: dedicated to another tenant. */
    static final int LIVE_DEDICATED = 1;
    /** {@link #live}: another tenant is on it, and the contract wants dedicated nodes. */
    static final int LIVE_SHARED = 2;
    /** {@link #live}: a power domain of its chain has no room; {@link #fullDomain} names it. */
    static final int LIVE_DOMAIN = 3;
    /** {@link #live}: no power domain, and its maximum draw has no room. */
    static final int LIVE_NODE_POWER = 4;
    /** {@link #live}: a launch slot of a capacity offer that holds a member already. */
    static final int LIVE_SLOT = 5;

    /** The power domain the last {@link #live} check found full. */
    PowerDomain fullDomain;

    /** The first live constraint the node fails for the member, as a code; nothing is written. */
    int live(Member m, int node) {
        if (model.launchSlot[node] && model.tenantKinds[node] > 0) {
            return LIVE_SLOT;
        }
        String dedicated = model.dedicatedTo[node];
        if (dedicated != null && !dedicated.equals(contract.tenant())) {
            return LIVE_DEDICATED;
        }
        if (contract.isolation() == Isolation.DEDICATED_NODE && model.otherTenantOn(node, contract.tenant())) {
            return LIVE_SHARED;
        }
        NodeFacts f = model.facts[node];
        if (f.node().powerDomainId() != null) {
            PowerDomain over = model.overBudget(node, powerNeed(m, f));
            if (over != null) {
                fullDomain = over;
                return LIVE_DOMAIN;
            }
            return LIVE_OK;
        }
        if (f.node().power().maxWatts() <= 0) {
            return LIVE_OK; // no power domain and no known maximum draw: nothing to hold power against
        }
        return model.nodePowerFits(node, model.nodeHold(node, powerNeed(m, f))) ? LIVE_OK : LIVE_NODE_POWER;
    }

    /** The reason a full power domain gives, written once per domain and member. */
    String domainReason(Member m, PowerDomain over) {
        // both to the milliwatt where they would read the same (41.0 kW of its 41.0 kW, with 50 W free)
        return texts(m).budgets.computeIfAbsent(over.id(), id -> "power domain " + id + " (" + over.kind() + "): "
                + Format.watts(model.reservedWatts(id), over.budgetWatts()) + " of its " + Format.watts(over.budgetWatts(),
                        model.reservedWatts(id)) + " budget reserved, no room for it");
    }

    /** The reason a node without a power domain gives when its maximum draw is full. */
    String nodePowerReason(Member m, int node) {
        long max = model.facts[node].node().power().maxWatts();
        return texts(m).nodePower.computeIfAbsent((int) Math.min(Integer.MAX_VALUE, max), k -> "in no power domain, and its maximum draw of "
                + Format.watts(max) + " has no room for it");
    }

    /**
     * Whether the node fails a constraint that depends on what is reserved (isolation, power) for
     * the member: {@link #liveReason} without writing the reason, for the hot paths.
     */
    boolean liveFails(Member m, int node) {
        if (model.launchSlot[node] && model.tenantKinds[node] > 0) {
            return true;
        }
        String dedicated = model.dedicatedTo[node];
        if (dedicated != null && !dedicated.equals(contract.tenant())) {
            return true;
        }
        if (contract.isolation() == Isolation.DEDICATED_NODE && model.otherTenantOn(node, contract.tenant())) {
            return true;
        }
        NodeFacts f = model.facts[node];
        if (f.node().powerDomainId() != null) {
            return model.overBudget(node, powerNeed(m, f)) != null;
        }
        return f.node().power().maxWatts() > 0 && !model.nodePowerFits(node, model.nodeHold(node, powerNeed(m, f)));
    }

    /**
     * The first constraint that depends on what is reserved and that the node fails for the member
     * (isolation, power), or null. Capacity is judged by {@link #capacityReason}.
     */
    String liveReason(Member m, int node) {
        return switch (live(m, node)) {
            case LIVE_OK -> null;
            case LIVE_DEDICATED -> DEDICATED_TO_OTHER;
            case LIVE_SHARED -> SHARED_WITH_OTHER;
            case LIVE_SLOT -> SLOT_TAKEN;
            case LIVE_DOMAIN -> domainReason(m, fullDomain);
            default -> nodePowerReason(m, node);
        };
    }

    /**
     * Why the member does not fit the node's free capacity now (CPU, memory, GPUs, a GPU share or
     * MIG slots, GPUs in one NVLink domain or NUMA node), or null when some choice of GPUs holds it.
     */
    String capacityReason(Member m, int node, boolean needNic) {
        Demand d = demandOf(m);
        Texts t = texts(m);
        NodeCapacity c = model.capacity(node);
        if (c.cpuFreeMilli() < d.cpuMilli()) {
            return t.cpu;
        }
        if (c.memoryFreeMiB() < d.memoryMiB()) {
            return t.memory;
        }
        if (d.gpuCount() == 0) {
            return null;
        }
        int serving = 0;
        for (int g = 0; g < c.gpuCount(); g++) {
            if (c.gpuServes(g, d)) {
                serving++;
            }
        }
        if (d.partitioned() && serving == 0) {
            return t.partition;
        }
        if (d.fractional() && serving == 0) {
            return t.share;
        }
        if (serving < d.gpuCount()) {
            return t.gpus;
        }
        if (d.oneDomain() && !c.canHost(d)) {
            return t.domain;
        }
        if (m.topology().numaAligned() && GpuOptions.of(model.facts[node], c, d, true, needNic, 1).isEmpty()) {
            return needNic ? t.numaNic : t.numa;
        }
        return null;
    }

    /** Whether the member may use the node now: fixed, capacity and live constraints (the cheap ones first). */
    boolean usable(Member m, int node, boolean needNic) {
        return fixed(m)[node] == null && capacityReason(m, node, needNic) == null && !liveFails(m, node);
    }

    /** Null when the member may use the node now (fixed, live and capacity constraints), else the first reason it may not. */
    String reason(Member m, int node, boolean needNic) {
        String r = fixed(m)[node];
        if (r == null) {
            r = liveReason(m, node);
        }
        if (r == null) {
            r = capacityReason(m, node, needNic);
        }
        return r;
    }

    /** The GPU options a member has on a node now: every distinct way to hold it (see {@link GpuOptions}). */
    List<GpuOptions.Option> options(Member m, int node, boolean needNic, int limit) {
        return GpuOptions.of(model.facts[node], model.capacity(node), demandOf(m), m.topology().numaAligned(), needNic, limit);
    }
}
