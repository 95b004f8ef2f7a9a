package dev.strata.provider.openstack.placement;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Placement resource provider as it is: its place in its tree, inventories, usages, traits,
 * aggregates and the allocations against it, all read at one generation.
 *
 * @param uuid the provider's UUID
 * @param name its unique name (for a compute node: the hypervisor host name)
 * @param generation the generation all the other fields were read at
 * @param parentUuid the parent provider, or null for a root
 * @param rootUuid the root of its tree (itself for a root)
 * @param inventories by resource class
 * @param usages the amount allocated, by resource class (absent: 0)
 * @param traits its traits
 * @param aggregates the aggregates it is a member of
 * @param allocations what each consumer (a Nova server's UUID) holds of it, by resource class;
 *     empty when not read
 */
public record ResourceProvider(String uuid, String name, long generation, String parentUuid, String rootUuid,
        Map<String, Inventory> inventories, Map<String, Long> usages, Set<String> traits, Set<String> aggregates,
        Map<String, Map<String, Long>> allocations) {

    /** A provider whose allocations were not read. */
    public ResourceProvider(String uuid, String name, long generation, String parentUuid, String rootUuid, Map<String, Inventory> inventories,
            Map<String, Long> usages, Set<String> traits, Set<String> aggregates) {
        this(uuid, name, generation, parentUuid, rootUuid, inventories, usages, traits, aggregates, Map.of());
    }

    public ResourceProvider {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        rootUuid = rootUuid == null ? uuid : rootUuid;
        inventories = Map.copyOf(inventories);
        usages = Map.copyOf(usages);
        traits = Set.copyOf(traits);
        aggregates = Set.copyOf(aggregates);
        Map<String, Map<String, Long>> held = new java.util.HashMap<>();
        allocations.forEach((consumer, amounts) -> held.put(consumer, Map.copyOf(amounts)));
        allocations = Map.copyOf(held);
    }

    public boolean isRoot() {
        return parentUuid == null;
    }

    public long used(String resourceClass) {
        return usages.getOrDefault(resourceClass, 0L);
    }

    /** What is free of a resource class on this provider, 0 when it has no such inventory. */
    public long free(String resourceClass) {
        Inventory inv = inventories.get(resourceClass);
        return inv == null ? 0 : inv.free(used(resourceClass));
    }

    /** Whether one allocation of {@code amount} of the class fits on this provider now. */
    public boolean admits(String resourceClass, long amount) {
        Inventory inv = inventories.get(resourceClass);
        return inv != null && inv.admits(used(resourceClass), amount);
    }
}
