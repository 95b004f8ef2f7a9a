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
    /** Per node, the index of its shape ({@link NodeFacts#shape()}); {@link #shapeCount} shapes in all. */
    final int[] shape;
    final int shapeCount;
    /** Per shape, how many nodes have it and the first of them. */
    final int[] shapeSize;
    final int[] shapeMember;
    final Map<String, Integer> index = new HashMap<>();
    final Map<String, PowerDomain> powerDomains = new HashMap<>();
    final Map<String, Fabric> fabrics = new HashMap<>();
    /** Per fabric id, its member nodes by index. */
    final Map<String, java.util.BitSet> fabricNodes = new HashMap<>();
    final Packer packer;
    /** Power reserved per domain, in milliwatts: whole numbers, so a release restores it exactly. */
    final Map<String, Long> reservedMilliwatts = new HashMap<>();
    /** Per node, the tenants holding something on it, with how many bindings each holds. */
    final List<Map<String, Integer>> tenants = new ArrayList<>();
    /** Per node, the tenant it is dedicated to, or null; {@link #dedications} counts the bindings behind it. */
    final String[] dedicatedTo;
    final int[] dedications;
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
        dedications = new int[nodes.size()];
        List<NodeCapacity> capacities = new ArrayList<>(nodes.size());
        shape = new int[nodes.size()];
        Map<Object, Integer> shapes = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            facts[i] = NodeFacts.of(n, sites.get(n.siteId()), rdmaOf.getOrDefault(n.id(), List.of()));
            index.put(n.id(), i);
            capacities.add(new NodeCapacity(n.id(), facts[i].gpuModel(), facts[i].cpuMilli(), facts[i].memoryMiB(), facts[i].gpuDomain()));
            tenants.add(new HashMap<>(2));
            shape[i] = shapes.computeIfAbsent(facts[i].shape(), k -> shapes.size());
        }
        for (Fabric f : inventory.fabrics()) {
            java.util.BitSet members = new java.util.BitSet(nodes.size());
            for (String m : f.members()) {
                Integer i = index.get(m);
                if (i != null) {
                    members.set(i);
                }
            }
            fabricNodes.put(f.id(), members);
        }
        shapeCount = shapes.size();
        shapeSize = new int[shapeCount];
        shapeMember = new int[shapeCount];
        for (int i = facts.length - 1; i >= 0; i--) {
            shapeSize[shape[i]]++;
            shapeMember[shape[i]] = i;
        }
        packer = new Packer(capacities, policy.apply(capacities));
    }

    /** The node's live capacity (the packer's own: read only). */
    NodeCapacity capacity(int node) {
        return packer.view(node);
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
        hold(node, tenant, dedicated);
    }

    /** Records one binding of {@code tenant} on {@code node}. */
    void hold(int node, String tenant, boolean dedicated) {
        tenants.get(node).merge(tenant, 1, Integer::sum);
        if (dedicated) {
            dedicatedTo[node] = tenant;
            dedications[node]++;
        }
    }

    /** Forgets one binding of {@code tenant} on {@code node}. */
    void unhold(int node, String tenant, boolean dedicated) {
        tenants.get(node).computeIfPresent(tenant, (t, n) -> n == 1 ? null : n - 1);
        if (dedicated && --dedications[node] == 0) {
            dedicatedTo[node] = null;
        }
    }

    /** Gives back what an allocation holds. */
    void unapply(Allocation allocation) {
        for (MemberBinding b : allocation.bindings()) {
            Integer node = index.get(b.nodeId());
            if (node == null) {
                continue;
            }
            packer.release(b.nodeId(), demandOf(b.cpuMilli(), b.memoryBytes(), b.acceleratorIds().size(), b.gpuFraction(), false),
                    gpuIndexes(node, b.acceleratorIds()));
            addPower(b.powerDomainId(), -b.powerWatts());
            unhold(node, allocation.tenant(), allocation.dedicated());
        }
    }

    void addPower(String domain, double watts) {
        // round the magnitude, so that giving back exactly cancels reserving (Math.round is not symmetric)
        long milliwatts = (long) Math.signum(watts) * Math.round(Math.abs(watts) * 1000);
        if (milliwatts == 0) {
            return;
        }
        String d = domain;
        int guard = 0;
        while (d != null && guard++ < 16) {
            // a domain whose reservations are all given back is dropped
            reservedMilliwatts.merge(d, milliwatts, (a, b) -> a + b == 0 ? null : a + b);
            PowerDomain pd = powerDomains.get(d);
            d = pd == null ? null : pd.parentId();
        }
    }

    /** The first domain in the chain from {@code domain} upwards that {@code watts} more would push over budget, or null. */
    /** Watts reserved in a domain. */
    double reservedWatts(String domain) {
        return reservedMilliwatts.getOrDefault(domain, 0L) / 1000.0;
    }

    PowerDomain overBudget(String domain, double watts) {
        String d = domain;
        int guard = 0;
        while (d != null && guard++ < 16) {
            PowerDomain pd = powerDomains.get(d);
            if (pd == null) {
                return null;
            }
            if (pd.budgetWatts() > 0 && reservedMilliwatts.getOrDefault(d, 0L) + Math.round(watts * 1000) > pd.budgetWatts() * 1000) {
                return pd;
            }
            d = pd.parentId();
        }
        return null;
    }
}
