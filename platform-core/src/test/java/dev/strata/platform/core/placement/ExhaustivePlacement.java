package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.LargestMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An independent reading of a contract's clauses against an inventory and a ledger, written from
 * the contract's documentation and not from the engine's code: it shares no class with placement
 * but the API records (among them {@link CountedMachine}, which reads a node's counted machines). {@link #exists} enumerates every assignment of every member to every node
 * and every subset of its GPUs (every MIG slot), keeping those that break no clause: the
 * exhaustive search the engine is compared with on small cases. {@link #check} says which clause
 * a given set of bindings breaks.
 *
 * <p>The clauses, as documented: a node must be AVAILABLE, in no power domain or one the inventory
 * holds with all its parents, however many (an unknown domain's budget is unknown), and whose
 * chain of parents ends (a cycle of parents has no top), at a site whose country, jurisdictions
 * and operator the sovereignty clause allows, not owned by another tenant; its GPUs must be of an
 * allowed model (a whole word of the model name, any case), with the memory asked for (a
 * partition's own memory), healthy (never FAILED; DEGRADED only with allowDegraded), of the model and memory of the
 * node's first GPU that is not FAILED (the one the clauses read), in one NVLink
 * domain and on one NUMA node when asked (with an InfiniBand or 100 Gbit/s NIC on that NUMA node
 * for an RDMA gang); whole GPUs are not shared; fractions of a GPU add up to at most one GPU; MIG
 * instances sit at their profile's placements without sharing a memory slot, within the GPU's
 * compute slices and the profile's instance count, never beside fractions; a partition counts
 * floor(1000 g / G) thousandths of its GPU, G the compute slices of that GPU's own table (7 on
 * A100, H100, H200; 4 on an A30; whatever a declared model gives), while its power estimate takes
 * g/7 of the GPU's limit, as placement reckons it before the GPU is known. CPU (threads) and memory (MiB) add up within the node.
 * Power: a member's estimated draw is its GPUs' share of their power limit plus its CPU share of the
 * node's draw beyond its GPUs; it must not exceed the member's ceiling; the member reserves its
 * ceiling (or the estimate) in its node's power domain and every parent, each once, within their budgets, or,
 * on a node in no power domain with a known maximum draw, holds it (at most that draw) against the
 * node's maximum draw. A dedicated-node gang shares no node with another tenant, and no gang uses a
 * node dedicated to another tenant. An RDMA gang has all its nodes on one RDMA fabric of the
 * bandwidth asked for. A node whose room already leaves out one of this installation's machines
 * reports it as a counted machine (node attribute {@code strata.counted.<allocation id>/<member>}
 * = {@code cpuMilli=<n>,memoryBytes=<n>,gpus=<n>}): the ledger's binding of that allocation and
 * member on that node holds only the CPU beyond the machine's and the MiB beyond the machine's
 * whole MiB (never below zero), and its GPUs only when the machine uses fewer GPUs than the
 * binding holds; its power, tenant and dedication hold whole. A counted machine the ledger holds no
 * binding for counts nothing, and an attribute not in that form counts nothing (the binding then
 * holds whole). A node that reports the largest machine its provider makes there (node attributes
 * {@code strata.largestMachine.cpuMilli}, {@code strata.largestMachine.memoryBytes} and
 * {@code strata.largestMachine.gpus}, whole numbers; anything else is no limit) takes no member
 * asking more CPU, memory or whole GPUs than that. A launch slot of a cloud offer (a node with the
 * attribute {@code strata:offer}) is one machine to be launched: it holds one member, of any
 * allocation, however small.
 */
final class ExhaustivePlacement {

    private final InventorySnapshot inventory;
    private final Contract contract;
    private final List<Node> nodes;
    private final Map<String, Site> sites = new HashMap<>();
    private final Map<String, PowerDomain> domains = new HashMap<>();
    private final List<Fabric> rdma = new ArrayList<>();
    private long steps;
    private final long maxSteps;

    /** One member's choice: a node, GPUs by index, and the MIG slot. */
    record Choice(Member member, int node, List<Integer> gpus, int slot) {
    }

    /** What holds on one node. */
    private static final class NodeState {
        long cpu;
        long mib;
        int[] milli;
        int[] nonMig; // holders of whole GPUs or fractions, per GPU
        List<List<int[]>> mig = new ArrayList<>(); // per GPU: {profile index in the GPU's list, slot}
        final Set<String> tenants = new HashSet<>();
        final Set<String> dedicatedTo = new HashSet<>();
        long nodeMilliwatts;
        /** Members bound on the node, of every allocation and of this gang. */
        int members;
    }

    /** The attribute that makes a node a launch slot of a cloud offer, as documented. */
    private static final String LAUNCH_SLOT = "strata:offer";

    private final List<NodeState> state = new ArrayList<>();
    private final Map<String, Long> domainMilliwatts = new HashMap<>();

    ExhaustivePlacement(InventorySnapshot inventory, List<Allocation> held, Contract contract, long maxSteps) {
        this.inventory = inventory;
        this.contract = contract;
        this.nodes = inventory.nodes();
        this.maxSteps = maxSteps;
        inventory.sites().forEach(s -> sites.put(s.id(), s));
        inventory.powerDomains().forEach(d -> domains.put(d.id(), d));
        for (Fabric f : inventory.fabrics()) {
            if (f.type() == FabricType.RDMA) {
                rdma.add(f);
            }
        }
        for (Node n : nodes) {
            NodeState s = new NodeState();
            int g = n.accelerators().size();
            s.milli = new int[g];
            s.nonMig = new int[g];
            for (int i = 0; i < g; i++) {
                s.mig.add(new ArrayList<>());
            }
            state.add(s);
        }
        for (Allocation a : held) {
            for (MemberBinding b : a.bindings()) {
                int node = indexOf(b.nodeId());
                if (node < 0) {
                    continue;
                }
                NodeState s = state.get(node);
                Node n = nodes.get(node);
                CountedMachine machine = countedOn(n).get(a.id() + "/" + b.member());
                long cpu = b.cpuMilli();
                long mib = mib(b.memoryBytes());
                boolean gpusHeld = true;
                if (machine != null) {
                    // the node's room already leaves the machine out: only what the binding holds beyond it
                    cpu = Math.max(0, cpu - machine.cpuMilli());
                    mib = Math.max(0, mib - machine.memoryBytes() / (1L << 20));
                    gpusHeld = machine.gpus() < b.acceleratorIds().size();
                }
                s.cpu += cpu;
                s.mib += mib;
                for (String id : gpusHeld ? b.acceleratorIds() : List.<String>of()) {
                    int g = gpuIndex(n, id);
                    if (b.partition() != null) {
                        int p = profileIndex(n.accelerators().get(g), b.partition());
                        s.mig.get(g).add(new int[] {p, b.partitionSlot()});
                        s.milli[g] += migMilli(n.accelerators().get(g), p); // what the node books, whatever share was stored
                    } else {
                        s.milli[g] += (int) Math.min(1000, Math.ceil(b.gpuFraction() * 1000 - 1e-9));
                        s.nonMig[g]++;
                    }
                }
                s.tenants.add(a.tenant());
                s.members++;
                if (a.dedicated()) {
                    s.dedicatedTo.add(a.tenant());
                }
                hold(node, b.powerDomainId(), b.powerWatts(), +1);
            }
        }
    }

    /** A node's largest machine in one dimension as its attribute says (a whole number); none without it or when it says otherwise. */
    private static long largest(Node n, String key) {
        String v = n.attributes().get(key);
        if (v == null || !v.trim().matches("[0-9]{1,18}")) {
            return Long.MAX_VALUE;
        }
        return Long.parseLong(v.trim());
    }

    /** The counted machines a node reports, by {@code <allocation id>/<member>}; an attribute not in the documented form is left out. */
    private static Map<String, CountedMachine> countedOn(Node n) {
        Map<String, CountedMachine> out = new HashMap<>();
        n.attributes().forEach((key, value) -> {
            try {
                CountedMachine.parse(key, value).ifPresent(c -> out.put(c.allocationId() + "/" + c.member(), c));
            } catch (IllegalArgumentException malformed) {
                // counts nothing: the binding holds whole
            }
        });
        return out;
    }

    long steps() {
        return steps;
    }

    private int indexOf(String nodeId) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id().equals(nodeId)) {
                return i;
            }
        }
        return -1;
    }

    private static int gpuIndex(Node n, String id) {
        for (int g = 0; g < n.accelerators().size(); g++) {
            if (n.accelerators().get(g).id().equals(id)) {
                return g;
            }
        }
        throw new IllegalStateException("no GPU " + id + " on " + n.id());
    }

    /** The GPU that stands for a node's GPUs: its first that is not FAILED (a failed one may be known only in part), else its first. */
    private static Accelerator representative(Node n) {
        return n.accelerators().stream().filter(a -> a.health().status() != Health.Status.FAILED).findFirst()
                .orElse(n.accelerators().get(0));
    }

    private static int profileIndex(Accelerator a, String name) {
        for (int p = 0; p < a.partitionProfiles().size(); p++) {
            if (a.partitionProfiles().get(p).name().equals(name)) {
                return p;
            }
        }
        return -1;
    }

    static long mib(long bytes) {
        return (bytes + (1L << 20) - 1) >> 20;
    }

    private static long mw(double watts) {
        return Math.round(watts * 1000);
    }

    // ---- clauses ------------------------------------------------------------------------------

    /** Null when the member may use the node by its fixed facts; else the clause it breaks. */
    String fixedClause(Member m, Node n) {
        if (n.state() != ResourceState.AVAILABLE) {
            return "state";
        }
        Set<String> chain = new HashSet<>();
        for (String d = n.powerDomainId(); d != null; d = domains.get(d).parentId()) {
            if (!domains.containsKey(d)) {
                return "power domain not in the inventory (" + d + ")";
            }
            if (!chain.add(d)) {
                return "power domain in a cycle of parents (" + d + ")";
            }
        }
        Sovereignty s = contract.sovereignty();
        if (!s.unrestricted()) {
            Site site = sites.get(n.siteId());
            if (site == null) {
                return "sovereignty (unknown site)";
            }
            if (!s.countries().isEmpty() && !s.countries().contains(site.country())) {
                return "sovereignty.countries";
            }
            if (!s.jurisdictions().isEmpty() && site.jurisdictions().stream().noneMatch(s.jurisdictions()::contains)) {
                return "sovereignty.jurisdictions";
            }
            if (!s.excludedOperatorJurisdictions().isEmpty()
                    && (site.operator() == null || site.operator().jurisdictions().stream().anyMatch(s.excludedOperatorJurisdictions()::contains))) {
                return "sovereignty.excludeOperatorJurisdictions";
            }
        }
        if (n.ownerTenant() != null && !n.ownerTenant().equals(contract.tenant())) {
            return "owner";
        }
        if (m.gpus().count() > 0) {
            if (n.accelerators().isEmpty()) {
                return "gpus";
            }
            Accelerator first = representative(n);
            if (!m.gpus().models().isEmpty() && m.gpus().models().stream().noneMatch(w -> wordIn(first.model(), w))) {
                return "gpus.models";
            }
            if (m.gpus().partitionProfile() != null) {
                int p = profileIndex(first, m.gpus().partitionProfile());
                if (p < 0 || first.partitionProfiles().get(p).placements().isEmpty()) {
                    return "gpus.partition";
                }
                if (first.partitionProfiles().get(p).memoryBytes() < m.gpus().minMemoryBytes()) {
                    return "gpus.memory";
                }
            } else if (first.memoryBytes() < m.gpus().minMemoryBytes()) {
                return "gpus.memory";
            }
        }
        if (contract.fabric().oneRdmaFabric() && fabricsOf(n).isEmpty()) {
            return "fabric.rdma";
        }
        if (n.cpu().threads() * 1000L < m.cpuMilli() || (n.memoryBytes() >> 20) < mib(m.memoryBytes())) {
            return "cpu/memory";
        }
        if (m.cpuMilli() > largest(n, LargestMachine.CPU_MILLI) || m.memoryBytes() > largest(n, LargestMachine.MEMORY_BYTES)
                || m.gpus().count() > largest(n, LargestMachine.GPUS)) {
            return "largest machine";
        }
        if (m.powerCeilingWatts() > 0 && estimate(m, n) > m.powerCeilingWatts() + 1e-6) {
            return "power (ceiling)";
        }
        return null;
    }

    private static boolean wordIn(String model, String word) {
        String lower = model.toLowerCase(Locale.ROOT);
        String w = word.toLowerCase(Locale.ROOT);
        for (int at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) {
            int end = at + w.length();
            if ((at == 0 || !Character.isLetterOrDigit(lower.charAt(at - 1))) && (end == lower.length() || !Character.isLetterOrDigit(lower.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private Set<String> fabricsOf(Node n) {
        Set<String> out = new HashSet<>();
        for (Fabric f : rdma) {
            if (f.members().contains(n.id()) && f.linkBandwidthGbps() >= contract.fabric().minBandwidthGbps()) {
                out.add(f.id());
            }
        }
        return out;
    }

    static double share(Member m) {
        String p = m.gpus().partitionProfile();
        if (p != null) {
            int g = Integer.parseInt(p.substring(0, p.indexOf('g')));
            return Math.max(1, 1000 * Math.min(7, g) / 7) / 1000.0;
        }
        return m.gpus().fraction();
    }

    /** A partition's share of node {@code n}'s GPUs by their own table (as its slots take it), every other demand's as {@link #share(Member)}. */
    static double share(Member m, Node n) {
        String p = m.gpus().partitionProfile();
        if (p != null && !n.accelerators().isEmpty()) {
            Accelerator a = representative(n);
            int i = profileIndex(a, p);
            if (i >= 0) {
                return migMilli(a, i) / 1000.0;
            }
        }
        return share(m);
    }

    static double estimate(Member m, Node n) {
        double gpuPower = n.accelerators().isEmpty() ? 0 : representative(n).power().enforcedWatts();
        double gpu = m.gpus().count() * share(m, n) * gpuPower;
        double rest = Math.max(0, n.power().maxWatts() - n.accelerators().size() * gpuPower);
        double cpuShare = n.cpu().threads() == 0 ? 0 : Math.min(1, (double) m.cpuMilli() / (n.cpu().threads() * 1000L));
        return gpu + rest * cpuShare;
    }

    /** What the member reserves: in its domain the ceiling or estimate; without a domain that, at most the node's draw, or nothing when the draw is unknown. */
    static double power(Member m, Node n) {
        double need = m.powerCeilingWatts() > 0 ? m.powerCeilingWatts() : estimate(m, n);
        if (n.powerDomainId() != null) {
            return need;
        }
        return n.power().maxWatts() > 0 ? Math.min(need, n.power().maxWatts()) : 0;
    }

    private void hold(int node, String domain, double watts, int sign) {
        if (domain != null) {
            Set<String> chain = new HashSet<>();
            for (String d = domain; d != null && chain.add(d); ) {
                domainMilliwatts.merge(d, sign * mw(watts), Long::sum);
                PowerDomain pd = domains.get(d);
                d = pd == null ? null : pd.parentId();
            }
        } else {
            state.get(node).nodeMilliwatts += sign * mw(watts);
        }
    }

    private boolean powerOk(int node) {
        Node n = nodes.get(node);
        if (n.powerDomainId() == null) {
            return n.power().maxWatts() <= 0 || state.get(node).nodeMilliwatts <= n.power().maxWatts() * 1000;
        }
        Set<String> chain = new HashSet<>();
        for (String d = n.powerDomainId(); d != null && chain.add(d); ) {
            PowerDomain pd = domains.get(d);
            if (pd == null) {
                return true;
            }
            if (pd.budgetWatts() > 0 && domainMilliwatts.getOrDefault(d, 0L) > pd.budgetWatts() * 1000) {
                return false;
            }
            d = pd.parentId();
        }
        return true;
    }

    /**
     * Whether the member may use the GPU: its health, and its model and memory, which must be those
     * of the node's {@link #representative}, the GPU the clauses are judged on.
     */
    private boolean healthOk(Member m, Node n, Accelerator a) {
        Health.Status st = a.health().status();
        Accelerator first = representative(n);
        return st != Health.Status.FAILED && (st != Health.Status.DEGRADED || m.gpus().allowDegraded())
                && a.model().equals(first.model()) && a.memoryBytes() == first.memoryBytes();
    }

    private boolean nicOn(Node n, int numa) {
        for (Nic nic : n.nics()) {
            if (nic.numaNode() == numa && numa >= 0 && ("infiniband".equalsIgnoreCase(nic.linkType()) || nic.speedMbps() >= 100_000)) {
                return true;
            }
        }
        return false;
    }

    /** Every GPU choice of a member on a node that respects its count, topology and health (capacity is checked when applied). */
    List<Choice> choices(Member m, int node) {
        Node n = nodes.get(node);
        List<Choice> out = new ArrayList<>();
        int count = m.gpus().count();
        if (count == 0) {
            out.add(new Choice(m, node, List.of(), -1));
            return out;
        }
        List<Accelerator> gpus = n.accelerators();
        if (m.gpus().partitionProfile() != null) {
            for (int g = 0; g < gpus.size(); g++) {
                int p = profileIndex(gpus.get(g), m.gpus().partitionProfile());
                if (p < 0 || !healthOk(m, n, gpus.get(g)) || !topologyOk(m, n, List.of(g))) {
                    continue;
                }
                for (int start : gpus.get(g).partitionProfiles().get(p).placements()) {
                    out.add(new Choice(m, node, List.of(g), start));
                }
            }
            return out;
        }
        subsets(gpus.size(), count, 0, new ArrayList<>(), sub -> {
            for (int g : sub) {
                if (!healthOk(m, n, gpus.get(g))) {
                    return;
                }
            }
            if (topologyOk(m, n, sub)) {
                out.add(new Choice(m, node, List.copyOf(sub), -1));
            }
        });
        return out;
    }

    private boolean topologyOk(Member m, Node n, List<Integer> sub) {
        if (m.topology().oneNvlinkDomain() && sub.size() > 1) {
            String d = n.accelerators().get(sub.get(0)).interconnectDomain();
            if (d == null || sub.stream().anyMatch(g -> !d.equals(n.accelerators().get(g).interconnectDomain()))) {
                return false;
            }
        }
        if (m.topology().numaAligned() && !sub.isEmpty()) {
            int numa = n.accelerators().get(sub.get(0)).numaNode();
            // a GPU whose NUMA node is unknown is on no NUMA node the member could be aligned with
            if (numa < 0 || sub.stream().anyMatch(g -> n.accelerators().get(g).numaNode() != numa)) {
                return false;
            }
            if (contract.fabric().oneRdmaFabric() && !nicOn(n, numa)) {
                return false;
            }
        }
        return true;
    }

    private static void subsets(int n, int k, int from, List<Integer> acc, java.util.function.Consumer<List<Integer>> sink) {
        if (acc.size() == k) {
            sink.accept(acc);
            return;
        }
        for (int i = from; i < n; i++) {
            acc.add(i);
            subsets(n, k, i + 1, acc, sink);
            acc.remove(acc.size() - 1);
        }
    }

    /** Applies a choice if it breaks no clause given what holds now; returns the clause it breaks (nothing applied), or null. */
    String apply(Choice c) {
        steps++;
        Member m = c.member();
        Node n = nodes.get(c.node());
        String fixed = fixedClause(m, n);
        if (fixed != null) {
            return fixed;
        }
        NodeState s = state.get(c.node());
        if (!s.dedicatedTo.isEmpty() && !s.dedicatedTo.equals(Set.of(contract.tenant()))) {
            return "isolation (dedicated to another tenant)";
        }
        if (contract.isolation() == Isolation.DEDICATED_NODE && s.tenants.stream().anyMatch(t -> !t.equals(contract.tenant()))) {
            return "isolation (dedicated-node)";
        }
        if (n.attributes().containsKey(LAUNCH_SLOT) && s.members > 0) {
            return "launch slot (one member per launched machine)";
        }
        if (s.cpu + m.cpuMilli() > n.cpu().threads() * 1000L || s.mib + mib(m.memoryBytes()) > (n.memoryBytes() >> 20)) {
            return "cpu/memory capacity";
        }
        String gpu = gpuFits(m, n, s, c);
        if (gpu != null) {
            return gpu;
        }
        // apply, then check power
        doApply(c, +1);
        if (!powerOk(c.node())) {
            doApply(c, -1);
            return "power budget";
        }
        return null;
    }

    void undo(Choice c) {
        doApply(c, -1);
    }

    private String gpuFits(Member m, Node n, NodeState s, Choice c) {
        if (m.gpus().count() == 0) {
            return null;
        }
        if (m.gpus().partitionProfile() != null) {
            int g = c.gpus().get(0);
            Accelerator a = n.accelerators().get(g);
            int p = profileIndex(a, m.gpus().partitionProfile());
            PartitionProfile prof = a.partitionProfiles().get(p);
            if (s.nonMig[g] > 0) {
                return "gpu (fractions on it)";
            }
            if (s.milli[g] + migMilli(a, p) > 1000) {
                return "gpu share";
            }
            int compute = prof.computeSlices();
            int count = 1;
            long mask = ((1L << prof.placementSize()) - 1) << c.slot();
            int total = totalSlices(a);
            for (int[] inst : s.mig.get(g)) {
                PartitionProfile q = a.partitionProfiles().get(inst[0]);
                long other = ((1L << q.placementSize()) - 1) << inst[1];
                if ((other & mask) != 0) {
                    return "gpu (MIG slots overlap)";
                }
                compute += q.computeSlices();
                if (inst[0] == p) {
                    count++;
                }
            }
            if (compute > total) {
                return "gpu (MIG compute slices)";
            }
            if (count > prof.maxInstances()) {
                return "gpu (MIG instances)";
            }
            return null;
        }
        int milli = (int) Math.min(1000, Math.ceil(m.gpus().fraction() * 1000 - 1e-9));
        for (int g : c.gpus()) {
            if (!s.mig.get(g).isEmpty()) {
                return "gpu (MIG instances on it)";
            }
            if (s.milli[g] + milli > 1000) {
                return "gpu share";
            }
        }
        return null;
    }

    /** The compute slices of the GPU: the most its profiles give. */
    private static int totalSlices(Accelerator a) {
        int total = 0;
        for (PartitionProfile q : a.partitionProfiles()) {
            total = Math.max(total, Math.max(q.totalSlices(), q.computeSlices()));
        }
        return total;
    }

    /** The thousandths of GPU {@code a} one instance of its profile {@code p} takes: its compute slices over the GPU's own, at least 1. */
    private static int migMilli(Accelerator a, int p) {
        return Math.max(1, Math.min(1000, 1000 * a.partitionProfiles().get(p).computeSlices() / totalSlices(a)));
    }

    private void doApply(Choice c, int sign) {
        Member m = c.member();
        Node n = nodes.get(c.node());
        NodeState s = state.get(c.node());
        s.cpu += sign * m.cpuMilli();
        s.mib += sign * mib(m.memoryBytes());
        s.members += sign;
        for (int g : c.gpus()) {
            if (m.gpus().partitionProfile() != null) {
                int p = profileIndex(n.accelerators().get(g), m.gpus().partitionProfile());
                if (sign > 0) {
                    s.mig.get(g).add(new int[] {p, c.slot()});
                } else {
                    s.mig.get(g).removeIf(inst -> inst[0] == p && inst[1] == c.slot());
                }
                s.milli[g] += sign * migMilli(n.accelerators().get(g), p);
            } else {
                s.milli[g] += sign * (int) Math.min(1000, Math.ceil(m.gpus().fraction() * 1000 - 1e-9));
                s.nonMig[g] += sign;
            }
        }
        if (sign > 0) {
            s.tenants.add(contract.tenant());
        }
        hold(c.node(), n.powerDomainId(), power(m, n), sign);
    }

    // ---- the search ---------------------------------------------------------------------------

    /**
     * Whether some assignment of all members breaks no clause.
     *
     * @throws IllegalStateException when the search needs more than the step budget (the case is then too large to judge)
     */
    boolean exists() {
        List<Member> members = new ArrayList<>(contract.members());
        List<List<Choice>> options = new ArrayList<>();
        for (Member m : members) {
            List<Choice> all = new ArrayList<>();
            for (int node = 0; node < nodes.size(); node++) {
                if (fixedClause(m, nodes.get(node)) == null) {
                    all.addAll(choices(m, node));
                }
            }
            options.add(all);
        }
        // fewest options first: still every assignment, found sooner
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.compare(options.get(a).size(), options.get(b).size()));
        List<List<Choice>> ordered = new ArrayList<>();
        for (int i : order) {
            ordered.add(options.get(i));
        }
        return dfs(ordered, 0, new ArrayList<>());
    }

    private boolean dfs(List<List<Choice>> options, int level, List<Choice> chosen) {
        if (steps > maxSteps) {
            throw new IllegalStateException("exhaustive search past " + maxSteps + " steps");
        }
        if (level == options.size()) {
            return !contract.fabric().oneRdmaFabric() || commonFabric(chosen);
        }
        for (Choice c : options.get(level)) {
            if (contract.fabric().oneRdmaFabric() && !chosen.isEmpty()) {
                List<Choice> with = new ArrayList<>(chosen);
                with.add(c);
                if (!commonFabric(with)) {
                    continue;
                }
            }
            if (apply(c) == null) {
                chosen.add(c);
                if (dfs(options, level + 1, chosen)) {
                    return true;
                }
                chosen.remove(chosen.size() - 1);
                undo(c);
            }
        }
        return false;
    }

    private boolean commonFabric(List<Choice> chosen) {
        Set<String> common = null;
        for (Choice c : chosen) {
            Set<String> f = fabricsOf(nodes.get(c.node()));
            if (common == null) {
                common = new HashSet<>(f);
            } else {
                common.retainAll(f);
            }
        }
        return common == null || !common.isEmpty();
    }

    /**
     * The clause a placed gang's bindings break (given the ledger before it), or null when they break
     * none: every member bound once, every choice valid, one common RDMA fabric named in the bindings,
     * the power each binding reserves as documented.
     */
    String check(List<MemberBinding> bindings) {
        if (bindings.size() != contract.members().size()) {
            return "gang: " + bindings.size() + " bindings for " + contract.members().size() + " members";
        }
        List<Choice> chosen = new ArrayList<>();
        for (MemberBinding b : bindings) {
            Member m = contract.members().stream().filter(x -> x.name().equals(b.member())).findFirst().orElse(null);
            if (m == null) {
                return "binding of unknown member " + b.member();
            }
            int node = indexOf(b.nodeId());
            if (node < 0) {
                return "unknown node " + b.nodeId();
            }
            Node n = nodes.get(node);
            List<Integer> gpus = new ArrayList<>();
            for (String id : b.acceleratorIds()) {
                gpus.add(gpuIndex(n, id));
            }
            gpus.sort(null);
            Choice c = new Choice(m, node, gpus, b.partitionSlot());
            if (!choices(m, node).contains(c)) {
                return "member " + m.name() + ": GPUs " + b.acceleratorIds() + " slot " + b.partitionSlot() + " on " + n.id()
                        + " are not a valid choice (count, health, topology, partition placement)";
            }
            if (!Objects.equals(b.partition(), m.gpus().partitionProfile())) {
                return "member " + m.name() + ": partition " + b.partition();
            }
            if (Math.abs(b.powerWatts() - power(m, n)) > 1e-6) {
                return "member " + m.name() + ": reserves " + b.powerWatts() + " W, expected " + power(m, n);
            }
            String broken = apply(c);
            if (broken != null) {
                return "member " + m.name() + " on " + n.id() + ": " + broken;
            }
            chosen.add(c);
            if (contract.fabric().oneRdmaFabric()) {
                if (b.fabricId() == null || !fabricsOf(n).contains(b.fabricId())) {
                    return "member " + m.name() + ": fabric " + b.fabricId() + " does not hold " + n.id();
                }
            }
        }
        if (contract.fabric().oneRdmaFabric() && bindings.stream().map(MemberBinding::fabricId).distinct().count() != 1) {
            return "fabric.rdma: more than one fabric";
        }
        return null;
    }

    InventorySnapshot inventory() {
        return inventory;
    }
}
