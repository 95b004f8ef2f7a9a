package dev.strata.platform.core.placement;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.core.inventory.PowerDomainChains;
import dev.strata.platform.core.placement.packing.MigTable;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What placement reads from one inventory snapshot and never changes while it decides: per node
 * its {@link NodeFacts} (in inventory order: node {@code i} is index {@code i} everywhere), the
 * node shapes that static constraints are judged on, the power domains, the fabrics and their
 * member nodes. Immutable and shared by every {@link PlacementModel} of that snapshot.
 */
final class InventoryIndex {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryIndex.class);

    final InventorySnapshot inventory;
    final NodeFacts[] facts;
    /** Per node, the index of its shape ({@link NodeFacts#shape()}); {@link #shapeCount} shapes in all. */
    final int[] shape;
    final int shapeCount;
    /** Per shape, how many nodes have it and the first of them. */
    final int[] shapeSize;
    final int[] shapeMember;
    final Map<String, Integer> index;
    /** The MIG tables of the nodes' GPUs, each once ({@link #leastShare}). */
    final List<MigTable> migTables;
    final Map<String, PowerDomain> powerDomains;
    final Map<String, Fabric> fabrics;
    /** Per fabric id, its member nodes by index. */
    final Map<String, BitSet> fabricNodes;
    /** The RDMA fabrics, by id. */
    final List<Fabric> rdmaFabrics;
    /** Whether some node is owned by a tenant (then fixed reasons depend on the contract's tenant). */
    final boolean anyOwner;
    /** The power domains by index, and per node its domain's index (-1: none, or not in the inventory). */
    final PowerDomain[] domains;
    /** Each domain's budget in milliwatts, -1 for none (read per node on the hot paths: no record to follow). */
    final long[] domainBudgetMilli;
    /**
     * Each domain's parent by index: -1 for none, for a parent the inventory does not hold, and
     * for a domain of a cycle of parents. Following it from any domain ends, however deep the
     * chain: at -1, or at a domain of a cycle, whose {@link #domainCycle} is the rest of the
     * chain. There is no depth limit.
     */
    final int[] domainParent;
    /** For a domain of a cycle of parents, every domain of the cycle by index (itself included); null for the others. */
    final int[][] domainCycle;
    final int[] nodeDomain;
    final Map<String, Integer> domainIndex;
    /**
     * Per domain index, the facts of the tree of power domains it is in ({@link #powerDomainFacts}):
     * one list, shared by the domains of the tree.
     */
    private final List<?>[] domainTree;
    /**
     * For a power domain that nodes name, why nothing is placed under it, as a rejection says it;
     * absent when its chain ends well. Its chain (itself, its parent, ...) reaches a domain the
     * inventory does not hold, or ends in a cycle of parents: a budget that holds it is unknown
     * ({@link PowerDomainChains}).
     */
    final Map<String, String> domainFault;
    /**
     * Per node index (only nodes that report some), this installation's machines its room already
     * leaves out ({@link CountedMachine}), by {@code <allocation id>/<member>}.
     */
    final Map<Integer, Map<String, CountedMachine>> counted;

    InventoryIndex(InventorySnapshot inventory) {
        this.inventory = inventory;
        Map<String, Site> sites = new HashMap<>();
        inventory.sites().forEach(s -> sites.put(s.id(), s));
        Map<String, PowerDomain> domains = new HashMap<>();
        inventory.powerDomains().forEach(d -> domains.put(d.id(), d));
        Map<String, List<Fabric>> rdmaOf = new HashMap<>();
        Map<String, Fabric> fabricById = new HashMap<>();
        List<Fabric> rdma = new ArrayList<>();
        for (Fabric f : inventory.fabrics()) {
            fabricById.put(f.id(), f);
            if (f.type() == FabricType.RDMA) {
                rdma.add(f);
                f.members().forEach(m -> rdmaOf.computeIfAbsent(m, k -> new ArrayList<>()).add(f));
            }
        }
        rdma.sort((a, b) -> a.id().compareTo(b.id()));
        List<Node> nodes = inventory.nodes();
        facts = new NodeFacts[nodes.size()];
        shape = new int[nodes.size()];
        Map<String, Integer> byId = new HashMap<>();
        Map<Object, Integer> shapes = new HashMap<>();
        PowerDomainChains chains = PowerDomainChains.of(domains);
        Map<String, Optional<String>> unheld = new HashMap<>();
        Set<MigTable> tables = new LinkedHashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            List<Fabric> ofNode = new ArrayList<>(rdmaOf.getOrDefault(n.id(), List.of()));
            ofNode.sort((a, b) -> a.id().compareTo(b.id()));
            facts[i] = NodeFacts.of(n, sites.get(n.siteId()), ofNode);
            byId.put(n.id(), i);
            if (facts[i].mig() != null) {
                tables.add(facts[i].mig());
            }
            // a node under a power domain the inventory lacks fails a fixed constraint the facts do not hold: its own shape
            String fault = n.powerDomainId() == null ? null
                    : unheld.computeIfAbsent(n.powerDomainId(), d -> Optional.ofNullable(fault(d, chains))).orElse(null);
            shape[i] = shapes.computeIfAbsent(fault != null ? List.of(facts[i].shape(), fault) : facts[i].shape(), k -> shapes.size());
        }
        migTables = List.copyOf(tables);
        Map<String, BitSet> members = new HashMap<>();
        for (Fabric f : inventory.fabrics()) {
            BitSet bits = new BitSet(nodes.size());
            for (String m : f.members()) {
                Integer i = byId.get(m);
                if (i != null) {
                    bits.set(i);
                }
            }
            members.put(f.id(), bits);
        }
        shapeCount = shapes.size();
        shapeSize = new int[shapeCount];
        shapeMember = new int[shapeCount];
        for (int i = facts.length - 1; i >= 0; i--) {
            shapeSize[shape[i]]++;
            shapeMember[shape[i]] = i;
        }
        this.index = Collections.unmodifiableMap(byId);
        this.powerDomains = Collections.unmodifiableMap(domains);
        this.fabrics = Collections.unmodifiableMap(fabricById);
        this.fabricNodes = Collections.unmodifiableMap(members);
        this.rdmaFabrics = List.copyOf(rdma);
        this.anyOwner = nodes.stream().anyMatch(n -> n.ownerTenant() != null);
        List<PowerDomain> sorted = new ArrayList<>(inventory.powerDomains());
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        this.domains = sorted.toArray(new PowerDomain[0]);
        Map<String, Integer> byDomain = new HashMap<>();
        for (int d = 0; d < this.domains.length; d++) {
            byDomain.put(this.domains[d].id(), d);
        }
        this.domainBudgetMilli = new long[this.domains.length];
        for (int d = 0; d < this.domains.length; d++) {
            long watts = this.domains[d].budgetWatts();
            domainBudgetMilli[d] = watts <= 0 ? -1 : watts > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : watts * 1000;
        }
        this.domainParent = new int[this.domains.length];
        this.domainCycle = new int[this.domains.length][];
        Map<List<String>, int[]> cycles = new HashMap<>();
        for (int d = 0; d < this.domains.length; d++) {
            String id = this.domains[d].id();
            String parent = this.domains[d].parentId();
            if (chains.onCycle(id)) {
                // cut where the cycle would come round again; the walk takes the whole cycle at once instead
                this.domainParent[d] = -1;
                this.domainCycle[d] = cycles.computeIfAbsent(chains.cycle(id),
                        c -> c.stream().mapToInt(byDomain::get).toArray());
            } else {
                this.domainParent[d] = parent == null ? -1 : byDomain.getOrDefault(parent, -1);
            }
        }
        this.nodeDomain = new int[facts.length];
        for (int i = 0; i < facts.length; i++) {
            String d = facts[i].node().powerDomainId();
            nodeDomain[i] = d == null ? -1 : byDomain.getOrDefault(d, -1);
        }
        this.domainIndex = Collections.unmodifiableMap(byDomain);
        this.domainTree = trees(this.domains, domainParent, domainCycle);
        Map<String, String> faults = new HashMap<>();
        unheld.forEach((domain, fault) -> fault.ifPresent(m -> faults.put(domain, m)));
        this.domainFault = Collections.unmodifiableMap(faults);
        Map<Integer, Map<String, CountedMachine>> machines = new HashMap<>();
        for (int i = 0; i < facts.length; i++) {
            Node n = facts[i].node();
            for (Map.Entry<String, String> e : n.attributes().entrySet()) {
                if (!e.getKey().startsWith(CountedMachine.ATTRIBUTE_PREFIX)) {
                    continue;
                }
                try {
                    int node = i;
                    CountedMachine.parse(e.getKey(), e.getValue()).ifPresent(
                            c -> machines.computeIfAbsent(node, k -> new HashMap<>()).put(c.allocationId() + "/" + c.member(), c));
                } catch (IllegalArgumentException bad) {
                    // the binding is then reserved whole: never less than it holds
                    LOG.warn("Node {} of provider {}: {}; the machine is not taken as counted in the node's room", n.id(), n.providerId(),
                            bad.getMessage());
                }
            }
        }
        this.counted = Collections.unmodifiableMap(machines);
    }

    /** What a decision reads of one power domain: its place in its tree and its budget. */
    private record DomainFact(String id, String parentId, long budgetWatts) {
    }

    /**
     * Per domain index, the facts of every domain of its tree (the domains whose chains end at the
     * same top, or in the same cycle of parents), in id order; one list per tree, shared.
     * Linear in the domains: each chain is followed only up to a domain whose top is known.
     */
    private static List<?>[] trees(PowerDomain[] domains, int[] parent, int[][] cycle) {
        int[] top = new int[domains.length];
        java.util.Arrays.fill(top, -1);
        int[] path = new int[domains.length];
        for (int d = 0; d < domains.length; d++) {
            int length = 0;
            int i = d;
            int found;
            while (true) {
                if (top[i] >= 0) {
                    found = top[i];
                    break;
                }
                path[length++] = i;
                if (parent[i] < 0) {
                    // a cycle's domains share one top, the first of them; parents are cut where the cycle comes round
                    found = cycle[i] == null ? i : java.util.Arrays.stream(cycle[i]).min().orElseThrow();
                    break;
                }
                i = parent[i];
            }
            for (int k = 0; k < length; k++) {
                top[path[k]] = found;
            }
        }
        Map<Integer, List<DomainFact>> byTop = new HashMap<>();
        for (int d = 0; d < domains.length; d++) {
            PowerDomain domain = domains[d];
            byTop.computeIfAbsent(top[d], k -> new ArrayList<>()).add(new DomainFact(domain.id(), domain.parentId(), domain.budgetWatts()));
        }
        Map<Integer, List<DomainFact>> frozen = new HashMap<>();
        List<?>[] out = new List<?>[domains.length];
        for (int d = 0; d < domains.length; d++) {
            out[d] = frozen.computeIfAbsent(top[d], k -> List.copyOf(byTop.get(k)));
        }
        return out;
    }

    /**
     * What a decision that binds a node in power domain {@code id} read of the power domains, as one
     * value to compare with another inventory's: every domain of the domain's tree (those whose
     * chains end at the same top, or in the same cycle of parents), each as its id, parent and
     * budget. That decides which budgets hold the node (its domain and every one above it, or the
     * fault of a chain that reaches a domain the inventory lacks) and what each of them has
     * reserved, since an allocation holds power in its binding's domain and in every domain above
     * it: a domain moved into or out of the tree changes what the domains above the node hold.
     * Domains of other trees, and a domain's kind or site, are left out. Null when the inventory
     * does not hold the domain. Computed once per inventory; reading it costs nothing.
     */
    Object powerDomainFacts(String id) {
        Integer d = domainIndex.get(id);
        return d == null ? null : domainTree[d];
    }

    /** What of a binding's node room its machine already uses ({@link CountedMachine}), or null. */
    CountedMachine counted(int node, String allocationId, String member) {
        Map<String, CountedMachine> on = counted.get(node);
        return on == null ? null : on.get(allocationId + "/" + member);
    }

    /** Why nothing is placed in power domain {@code id} (see {@link #domainFault}), or null. */
    static String fault(String id, PowerDomainChains chains) {
        String lacking = chains.lacking(id);
        if (lacking != null) {
            return "in power domain " + id + (lacking.equals(id) ? "" : ", under " + lacking)
                    + ", which the inventory does not hold (its budget is unknown)";
        }
        List<String> cycle = chains.cycle(id);
        if (!cycle.isEmpty()) {
            return "in power domain " + id + (chains.onCycle(id) ? ", in" : ", under") + " a cycle of parents ("
                    + PowerDomainChains.describe(cycle) + ") that has no top (the budgets that hold it are unknown)";
        }
        return null;
    }

    long generation() {
        return inventory.generation();
    }

    /** The facts of the node with this id, or null when this inventory does not hold it. */
    NodeFacts factsOf(String nodeId) {
        Integer i = index.get(nodeId);
        return i == null ? null : facts[i];
    }

    /**
     * The least share of a GPU, in thousandths, one instance of MIG profile {@code profile} takes
     * on any GPU of the inventory ({@link MigTable#milli}: its compute slices over that GPU's own),
     * or {@code otherwise} when no GPU has the profile.
     * What a partition counts before its GPU is known, in the checks that only bound what may fit:
     * its demand's share is reckoned in sevenths, more than a {@code 1g} takes of a GPU whose table
     * has more compute slices, so that such a GPU with room only for the last one looked full.
     */
    int leastShare(String profile, int otherwise) {
        int least = Integer.MAX_VALUE;
        for (MigTable t : migTables) {
            int p = t.profile(profile);
            if (p >= 0) {
                least = Math.min(least, t.milli(p));
            }
        }
        return least == Integer.MAX_VALUE ? otherwise : least;
    }

    int nodeCount() {
        return facts.length;
    }

    /** Every node idle, as the packing kernel sees it, in index order. */
    List<NodeCapacity> capacities() {
        List<NodeCapacity> out = new ArrayList<>(facts.length);
        for (NodeFacts f : facts) {
            out.add(f.capacity());
        }
        return out;
    }
}
