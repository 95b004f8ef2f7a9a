package dev.strata.platform.core.placement;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.Packer;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The inventory as placement sees it: per node its facts and its free capacity (a
 * {@link Packer} over every node, in the same order as {@link #facts}), and what the ledger
 * holds: the tenants on each node, the nodes dedicated to one tenant, the power reserved in each
 * power domain. Not thread-safe: the placement service owns it under its lock.
 */
final class PlacementModel {

    final InventorySnapshot inventory;
    final NodeFacts[] facts;
    final Map<String, Integer> index = new HashMap<>();
    final Map<String, PowerDomain> powerDomains = new HashMap<>();
    final Map<String, Fabric> fabrics = new HashMap<>();
    final Packer packer;
    final Map<String, Double> reservedWatts = new HashMap<>();
    final List<Set<String>> tenants = new ArrayList<>();
    final String[] dedicatedTo;
    long ledgerGeneration = -1;

    PlacementModel(InventorySnapshot inventory, Function<List<NodeCapacity>, PackingPolicy> policy) {
        this.inventory = inventory;
        Map<String, Site> sites = new HashMap<>();
        inventory.sites().forEach(s -> sites.put(s.id(), s));
        inventory.powerDomains().forEach(d -> powerDomains.put(d.id(), d));
        Map<String, List<Fabric>> rdmaOf = new HashMap<>();
        for (Fabric f : inventory.fabrics()) {
            fabrics.put(f.id(), f);
            if (f.type() == FabricType.RDMA) {
                f.members().forEach(m -> rdmaOf.computeIfAbsent(m, k -> new ArrayList<>()).add(f));
            }
        }
        List<Node> nodes = inventory.nodes();
        facts = new NodeFacts[nodes.size()];
        dedicatedTo = new String[nodes.size()];
        List<NodeCapacity> capacities = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            facts[i] = NodeFacts.of(n, sites.get(n.siteId()), rdmaOf.getOrDefault(n.id(), List.of()));
            index.put(n.id(), i);
            capacities.add(new NodeCapacity(n.id(), facts[i].gpuModel(), facts[i].cpuMilli(), facts[i].memoryMiB(), facts[i].gpuDomain()));
            tenants.add(new HashSet<>(2));
        }
        packer = new Packer(capacities, policy.apply(capacities));
    }

    NodeCapacity capacity(int node) {
        return packer.node(facts[node].node().id()).orElseThrow();
    }

    /** The kernel's demand for a binding as it was reserved. */
    static Demand demandOf(long cpuMilli, long memoryBytes, int gpus, double fraction, boolean oneDomain) {
        int milli = gpus == 0 ? 0 : (int) Math.min(1000, Math.ceil(fraction * 1000 - 1e-9));
        return new Demand(cpuMilli, mib(memoryBytes), gpus, milli, Set.of(), oneDomain && gpus > 1);
    }

    static long mib(long bytes) {
        return (bytes + (1L << 20) - 1) >> 20;
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

    /** Reserves what an allocation holds. Bindings on nodes that are gone are skipped (returned). */
    List<MemberBinding> apply(Allocation allocation) {
        List<MemberBinding> missing = new ArrayList<>();
        for (MemberBinding b : allocation.bindings()) {
            Integer node = index.get(b.nodeId());
            if (node == null) {
                missing.add(b);
                continue;
            }
            reserve(node, b, allocation.tenant(), allocation.dedicated());
        }
        return missing;
    }

    void reserve(int node, MemberBinding b, String tenant, boolean dedicated) {
        packer.allocate(b.nodeId(), demandOf(b.cpuMilli(), b.memoryBytes(), b.acceleratorIds().size(), b.gpuFraction(), false),
                gpuIndexes(node, b.acceleratorIds()));
        addPower(b.powerDomainId(), b.powerWatts());
        tenants.get(node).add(tenant);
        if (dedicated) {
            dedicatedTo[node] = tenant;
        }
    }

    /** Gives back what an allocation holds (its tenants and dedications are recomputed from {@code remaining}). */
    void unapply(Allocation allocation, List<Allocation> remaining) {
        for (MemberBinding b : allocation.bindings()) {
            Integer node = index.get(b.nodeId());
            if (node == null) {
                continue;
            }
            packer.release(b.nodeId(), demandOf(b.cpuMilli(), b.memoryBytes(), b.acceleratorIds().size(), b.gpuFraction(), false),
                    gpuIndexes(node, b.acceleratorIds()));
            addPower(b.powerDomainId(), -b.powerWatts());
            tenants.get(node).clear();
            dedicatedTo[node] = null;
        }
        for (Allocation other : remaining) {
            for (MemberBinding b : other.bindings()) {
                Integer node = index.get(b.nodeId());
                if (node != null) {
                    tenants.get(node).add(other.tenant());
                    if (other.dedicated()) {
                        dedicatedTo[node] = other.tenant();
                    }
                }
            }
        }
    }

    void addPower(String domain, double watts) {
        if (Math.abs(watts) < 1e-9) {
            return;
        }
        String d = domain;
        int guard = 0;
        while (d != null && guard++ < 16) {
            // drop a domain whose reservations are all given back, rather than keep a rounding residue
            reservedWatts.merge(d, watts, (a, b) -> Math.abs(a + b) < 1e-6 ? null : a + b);
            PowerDomain pd = powerDomains.get(d);
            d = pd == null ? null : pd.parentId();
        }
    }

    /** The first domain in the chain from {@code domain} upwards that {@code watts} more would push over budget, or null. */
    PowerDomain overBudget(String domain, double watts) {
        String d = domain;
        int guard = 0;
        while (d != null && guard++ < 16) {
            PowerDomain pd = powerDomains.get(d);
            if (pd == null) {
                return null;
            }
            if (pd.budgetWatts() > 0 && reservedWatts.getOrDefault(d, 0.0) + watts > pd.budgetWatts() + 1e-6) {
                return pd;
            }
            d = pd.parentId();
        }
        return null;
    }
}
