package dev.strata.provider.openstack.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strata's own answer to "does this request fit on this compute node now?", computed from the
 * resource providers as discovered, with Placement's rules for one unsuffixed request group:
 * every requested resource class is taken whole from one provider of the tree (different classes
 * may come from different providers), each within that provider's capacity, min/max unit and
 * step size; the providers that supply the resources must together carry every required trait
 * and none of the forbidden ones. It is an exhaustive search over the (few) providers of each
 * class in the tree, so it holds for every input, and tests check it against Placement's own
 * {@code GET /allocation_candidates}. Devices ({@link ResourceRequest#devices()}, PCI devices
 * asked by alias) are asked one unit per numbered request group with {@code group_policy=none}:
 * each unit from any provider of the tree that admits an allocation of one, several from one
 * provider as its room allows ({@link #singleUnits}).
 */
public final class FitModel {

    private FitModel() {
    }

    /** Whether the tree can take the request now. */
    public static boolean fits(ProviderTree tree, ResourceRequest request) {
        for (Map.Entry<String, Long> d : request.devices().entrySet()) {
            if (singleUnits(tree, d.getKey()) < d.getValue()) {
                return false;
            }
        }
        List<String> classes = new ArrayList<>(request.resources().keySet());
        List<List<ResourceProvider>> options = new ArrayList<>();
        for (String rc : classes) {
            long amount = request.resources().get(rc);
            List<ResourceProvider> able = tree.providers().stream().filter(p -> p.admits(rc, amount)).toList();
            if (able.isEmpty()) {
                return false;
            }
            options.add(able);
        }
        return search(options, 0, new ArrayList<>(), request);
    }

    /**
     * How many allocations of one unit of a class the tree can take now, each from any of its
     * providers (several from one provider as its room allows): the free units of every provider
     * whose inventory admits an allocation of 1 ({@code min_unit} 1, {@code step_size} 1), as
     * Placement counts them.
     */
    public static long singleUnits(ProviderTree tree, String resourceClass) {
        long n = 0;
        for (ResourceProvider p : tree.providers()) {
            Inventory inv = p.inventories().get(resourceClass);
            if (inv != null && inv.minUnit() <= 1 && inv.stepSize() == 1) {
                n += inv.free(p.used(resourceClass));
            }
        }
        return n;
    }

    /** The trees of a cloud that can take the request now (their root UUIDs). */
    public static Set<String> fittingRoots(List<ProviderTree> trees, ResourceRequest request) {
        Set<String> roots = new HashSet<>();
        for (ProviderTree t : trees) {
            if (fits(t, request)) {
                roots.add(t.root().uuid());
            }
        }
        return roots;
    }

    private static boolean search(List<List<ResourceProvider>> options, int at, List<ResourceProvider> chosen, ResourceRequest request) {
        if (at == options.size()) {
            return traitsHold(chosen, request);
        }
        for (ResourceProvider p : options.get(at)) {
            chosen.add(p);
            boolean ok = search(options, at + 1, chosen, request);
            chosen.remove(chosen.size() - 1);
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static boolean traitsHold(List<ResourceProvider> chosen, ResourceRequest request) {
        Set<String> traits = new HashSet<>();
        for (ResourceProvider p : chosen) {
            traits.addAll(p.traits());
        }
        if (!traits.containsAll(request.required())) {
            return false;
        }
        for (String f : request.forbidden()) {
            if (traits.contains(f)) {
                return false;
            }
        }
        return true;
    }

    /** The extra specs that ask for an amount of a resource class: {@code resources:}, {@code resourcesN:}, {@code resources_<suffix>:}. */
    private static final java.util.regex.Pattern RESOURCE_SPEC = java.util.regex.Pattern.compile("resources(\\d+|_.+)?:.+");

    /**
     * The first extra spec ({@code key=value}, by key) that asks for an amount of a resource class
     * that is not a whole number of 0 or more ({@code resources:CUSTOM_MAGIC=one},
     * {@code resources:VCPU=-1}), or empty when there is none. Nova refuses such a spec from
     * microversion 2.86 on; before, an operator may set it, and Nova's scheduler ignores it with a
     * warning, so a server of that flavor gets other resources than the flavor says.
     */
    public static java.util.Optional<String> malformedAmount(Map<String, String> extraSpecs) {
        return new java.util.TreeMap<>(extraSpecs).entrySet().stream()
                .filter(e -> RESOURCE_SPEC.matcher(e.getKey()).matches() && amount(e.getValue()) < 0).map(e -> e.getKey() + "=" + e.getValue())
                .findFirst();
    }

    /** The amount of a {@code resources:} extra spec, or -1 when it is not a whole number of 0 or more. */
    private static long amount(String value) {
        try {
            return Math.max(-1, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The request a flavor makes, its PCI aliases not counted ({@link #forFlavor(long, long, long, Map, PciGpus)}
     * with no PCI GPUs).
     *
     * @throws IllegalArgumentException when a {@code resources:} amount is not a whole number of 0 or more
     */
    public static ResourceRequest forFlavor(long vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs) {
        return forFlavor(vcpus, ramMiB, diskGiB, extraSpecs, PciGpus.NONE);
    }

    /**
     * The request a flavor makes: its VCPU, MEMORY_MB and DISK_GB plus {@code resources:} and {@code trait:} extra specs,
     * and the devices its {@code pci_passthrough:alias} asks for where {@code pci} maps the alias to a resource class.
     * {@code diskGiB} is all the disk Nova asks Placement for, root, ephemeral and swap together
     * ({@code Flavor.placementDiskGiB()}), not the flavor's {@code disk} alone. An alias {@code pci}
     * does not know, or an alias extra spec Nova would not read ({@link #pciAliases}), adds nothing:
     * Strata cannot say what it asks for (such a flavor is special, used only when named).
     *
     * @throws IllegalArgumentException when a {@code resources:} amount is not a whole number of 0 or more
     *     ({@link #malformedAmount}): such a flavor is not to be used
     */
    public static ResourceRequest forFlavor(long vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs, PciGpus pci) {
        java.util.Map<String, Long> resources = new java.util.TreeMap<>();
        if (vcpus > 0) {
            resources.put("VCPU", vcpus);
        }
        if (ramMiB > 0) {
            resources.put("MEMORY_MB", ramMiB);
        }
        if (diskGiB > 0) {
            resources.put("DISK_GB", diskGiB);
        }
        Set<String> required = new HashSet<>();
        Set<String> forbidden = new HashSet<>();
        for (Map.Entry<String, String> e : extraSpecs.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("resources:")) {
                String rc = key.substring("resources:".length());
                long n = amount(e.getValue());
                if (n < 0) {
                    throw new IllegalArgumentException("extra spec " + key + "=" + e.getValue() + " is not a whole number of 0 or more");
                }
                if (n == 0) {
                    resources.remove(rc);
                } else {
                    resources.put(rc, n);
                }
            } else if (key.startsWith("trait:")) {
                String trait = key.substring("trait:".length());
                if ("required".equals(e.getValue().strip())) {
                    required.add(trait);
                } else if ("forbidden".equals(e.getValue().strip())) {
                    forbidden.add(trait);
                }
            }
        }
        java.util.Map<String, Long> devices = new java.util.TreeMap<>();
        String aliases = extraSpecs.get(PCI_ALIAS);
        if (aliases != null) {
            pciAliases(aliases).ifPresent(counts -> counts.forEach((alias, n) -> pci.forAlias(alias)
                    .ifPresent(m -> devices.merge(m.resourceClass(), n, Long::sum))));
            devices.values().removeIf(n -> n == 0);
        }
        return new ResourceRequest(resources, required, forbidden, devices);
    }

    /** The extra spec by which a flavor asks for PCI devices. */
    public static final String PCI_ALIAS = "pci_passthrough:alias";

    /** Nova's own pattern of a {@code pci_passthrough:alias} value (its extra spec validator, matched whole). */
    private static final java.util.regex.Pattern ALIAS_SPEC = java.util.regex.Pattern.compile("[^:]+:\\d+(?:\\s*,\\s*[^:]+:\\d+)*");

    /**
     * The devices a {@code pci_passthrough:alias} value asks for, by alias, as Nova reads it: "Must
     * be of format {@code $alias:$count} ... Use commas to specify multiple values" (Nova's extra
     * spec validator, pattern {@code [^:]+:\d+(?:\s*,\s*[^:]+:\d+)*}); each name stripped, the
     * counts of an alias named twice added. Empty when the value is not of that format (Nova
     * refuses to store it from compute 2.86 on, and cannot boot a server of a flavor that has it).
     */
    public static java.util.Optional<Map<String, Long>> pciAliases(String value) {
        if (value == null || !ALIAS_SPEC.matcher(value).matches()) {
            return java.util.Optional.empty();
        }
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String part : value.split(",")) {
            String[] nameCount = part.split(":");
            try {
                counts.merge(nameCount[0].strip(), Long.parseLong(nameCount[1].strip()), Long::sum);
            } catch (NumberFormatException e) {
                return java.util.Optional.empty(); // more digits than a long holds
            }
        }
        return java.util.Optional.of(counts);
    }
}
