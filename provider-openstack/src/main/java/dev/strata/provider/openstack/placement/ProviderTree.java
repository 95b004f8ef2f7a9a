package dev.strata.provider.openstack.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A root resource provider (a compute node) with all its descendants (NUMA nodes, physical
 * GPUs, vGPU types, custom resources), in tree order: every parent before its children.
 *
 * @param root the root
 * @param providers the root and its descendants
 */
public record ProviderTree(ResourceProvider root, List<ResourceProvider> providers) {

    public ProviderTree {
        Objects.requireNonNull(root, "root");
        providers = List.copyOf(providers);
    }

    /** Groups providers into their trees, roots in name order. Providers whose root is absent are dropped. */
    public static List<ProviderTree> of(Collection<ResourceProvider> all) {
        Map<String, List<ResourceProvider>> byParent = new HashMap<>();
        Map<String, ResourceProvider> roots = new LinkedHashMap<>();
        all.stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(p -> {
            if (p.isRoot()) {
                roots.put(p.uuid(), p);
            } else {
                byParent.computeIfAbsent(p.parentUuid(), k -> new ArrayList<>()).add(p);
            }
        });
        List<ProviderTree> trees = new ArrayList<>();
        for (ResourceProvider root : roots.values()) {
            List<ResourceProvider> ordered = new ArrayList<>();
            ordered.add(root);
            for (int i = 0; i < ordered.size(); i++) {
                ordered.addAll(byParent.getOrDefault(ordered.get(i).uuid(), List.of()));
            }
            trees.add(new ProviderTree(root, ordered));
        }
        return trees;
    }

    /** The resource classes any provider of the tree has inventory of, sorted. */
    public Set<String> resourceClasses() {
        Set<String> classes = new TreeSet<>();
        providers.forEach(p -> classes.addAll(p.inventories().keySet()));
        return classes;
    }

    /**
     * What is free of a class summed over the tree; {@link Long#MAX_VALUE} where the sum is more
     * than a long holds (an {@code allocation_ratio} typed wrong on several providers), never a sum
     * wrapped round to a small or negative number.
     */
    public long free(String resourceClass) {
        long sum = 0;
        for (ResourceProvider p : providers) {
            long free = p.free(resourceClass);
            sum = sum > Long.MAX_VALUE - free ? Long.MAX_VALUE : sum + free;
        }
        return sum;
    }

    /** The largest single allocation of a class one provider of the tree can take now. */
    public long largestAllocation(String resourceClass) {
        long most = 0;
        for (ResourceProvider p : providers) {
            Inventory inv = p.inventories().get(resourceClass);
            if (inv != null) {
                most = Math.max(most, inv.largestAllocation(p.used(resourceClass)));
            }
        }
        return most;
    }

    /** The children of a provider. */
    public List<ResourceProvider> children(String uuid) {
        return providers.stream().filter(p -> uuid.equals(p.parentUuid())).toList();
    }

    /** The depth of a provider below the root (root: 0). */
    public int depth(ResourceProvider p) {
        int d = 0;
        String parent = p.parentUuid();
        while (parent != null) {
            d++;
            String at = parent;
            parent = providers.stream().filter(x -> x.uuid().equals(at)).map(ResourceProvider::parentUuid).findFirst().orElse(null);
        }
        return d;
    }
}
