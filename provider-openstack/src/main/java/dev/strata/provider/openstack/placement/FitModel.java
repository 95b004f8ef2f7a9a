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
     * providers (several from one provider as its room allows), as Placement counts them: every
     * provider whose inventory admits an allocation of 1 ({@code min_unit} 1, {@code step_size} 1)
     * gives its free units, but at most its {@code max_unit}. Placement adds up the units that the
     * groups take of one provider into one allocation and holds that to {@code max_unit}
     * ({@code RequestWideSearchContext.exceeds_capacity}); before, each group's unit was held to
     * it alone, and three groups were said to fit on a provider of {@code max_unit} 1.
     */
    public static long singleUnits(ProviderTree tree, String resourceClass) {
        long n = 0;
        for (ResourceProvider p : tree.providers()) {
            Inventory inv = p.inventories().get(resourceClass);
            if (inv != null && inv.minUnit() <= 1 && inv.stepSize() == 1) {
                long units = Math.min(inv.maxUnit(), inv.free(p.used(resourceClass)));
                n = n > Long.MAX_VALUE - units ? Long.MAX_VALUE : n + units; // never wrapped round to a negative count
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
        return forFlavor(vcpus, ramMiB, diskGiB, extraSpecs, pci, true);
    }

    /**
     * The request a flavor makes, as Nova's scheduler builds it ({@code ResourceRequest.from_request_spec}
     * in {@code nova/scheduler/utils.py}, Zed): first the {@code resources:} and {@code trait:} extra
     * specs; then, with {@code translatePinning}, the CPU pinning policy ({@code _translate_pinning_policies}):
     * {@code hw:cpu_policy = dedicated} asks for the flavor's vcpus as {@code PCPU} ("Switch VCPU -> PCPU"),
     * {@code mixed} for the CPUs of {@code hw:cpu_dedicated_mask} as {@code PCPU} and the others as
     * {@code VCPU}, one more {@code PCPU} with {@code hw:emulator_threads_policy = isolate}, and
     * {@code hw:cpu_thread_policy = isolate} or {@code require} forbids or requires
     * {@code HW_CPU_HYPERTHREADING}; then the flavor's own figures where nothing above asked for the
     * class: "if (orc.VCPU not in merged_resources and orc.PCPU not in merged_resources):
     * res_req._add_resource(orc.VCPU, request_spec.vcpus)", and likewise MEMORY_MB and DISK_GB.
     * So a flavor with {@code resources:PCPU} asks for no VCPU. Amounts of 0 are dropped last.
     *
     * <p>Without {@code translatePinning} the pinning policy is left out: the second query Nova's
     * scheduler makes for a dedicated flavor, "using VCPUs instead of PCPUs" for hosts that report
     * no PCPU yet (unless {@code [workarounds]disable_fallback_pcpu_query}); {@link #fitsFlavor}
     * tries both.
     *
     * @throws IllegalArgumentException when a {@code resources:} amount is not a whole number of 0 or more
     */
    public static ResourceRequest forFlavor(long vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs, PciGpus pci,
            boolean translatePinning) {
        java.util.Map<String, Long> resources = new java.util.TreeMap<>();
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
                resources.put(rc, n);
            } else if (key.startsWith("trait:")) {
                String trait = key.substring("trait:".length());
                if ("required".equals(e.getValue().strip())) {
                    required.add(trait);
                } else if ("forbidden".equals(e.getValue().strip())) {
                    forbidden.add(trait);
                }
            }
        }
        if (translatePinning) {
            String policy = spec(extraSpecs, "hw:cpu_policy");
            long emulator = "isolate".equals(spec(extraSpecs, "hw:emulator_threads_policy")) ? 1 : 0;
            if ("dedicated".equals(policy)) {
                resources.put("PCPU", vcpus + emulator);
            } else if ("mixed".equals(policy)) {
                java.util.Optional<Set<Integer>> dedicated = dedicatedMask(extraSpecs.get("hw:cpu_dedicated_mask"), vcpus);
                if (dedicated.isPresent()) {
                    resources.put("VCPU", vcpus - dedicated.get().size());
                    resources.put("PCPU", dedicated.get().size() + emulator);
                }
            }
            String threads = spec(extraSpecs, "hw:cpu_thread_policy");
            if ("isolate".equals(threads)) {
                forbidden.add("HW_CPU_HYPERTHREADING");
            } else if ("require".equals(threads)) {
                required.add("HW_CPU_HYPERTHREADING");
            }
        }
        if (!resources.containsKey("VCPU") && !resources.containsKey("PCPU")) {
            resources.put("VCPU", vcpus);
        }
        resources.putIfAbsent("MEMORY_MB", ramMiB);
        resources.putIfAbsent("DISK_GB", diskGiB);
        resources.values().removeIf(n -> n <= 0);
        java.util.Map<String, Long> devices = new java.util.TreeMap<>();
        String aliases = extraSpecs.get(PCI_ALIAS);
        if (aliases != null) {
            pciAliases(aliases).ifPresent(counts -> counts.forEach((alias, n) -> pci.forAlias(alias)
                    .ifPresent(m -> devices.merge(m.resourceClass(), n, Long::sum))));
            devices.values().removeIf(n -> n == 0);
        }
        return new ResourceRequest(resources, required, forbidden, devices);
    }

    /**
     * Whether a tree can take a server of the flavor now, as Nova's scheduler asks Placement: the
     * request with its CPU pinning policy translated, or, for {@code hw:cpu_policy = dedicated}, the
     * same without (Nova's fallback query for hosts that report no PCPU; see {@link #forFlavor(long,
     * long, long, Map, PciGpus, boolean)}).
     */
    public static boolean fitsFlavor(ProviderTree tree, long vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs, PciGpus pci) {
        if (fits(tree, forFlavor(vcpus, ramMiB, diskGiB, extraSpecs, pci, true))) {
            return true;
        }
        return "dedicated".equals(spec(extraSpecs, "hw:cpu_policy")) && fits(tree, forFlavor(vcpus, ramMiB, diskGiB, extraSpecs, pci, false));
    }

    private static String spec(Map<String, String> extraSpecs, String key) {
        String v = extraSpecs.get(key);
        return v == null ? null : v.strip().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The guest CPUs {@code hw:cpu_dedicated_mask} makes dedicated, as Nova reads it
     * ({@code get_dedicated_cpu_constraint}: a mask starting with {@code ^} excludes CPUs from all of
     * the flavor's; otherwise it lists them, {@code parse_cpu_spec}'s {@code 1-4,^3,6}), or empty
     * when there is no mask or Nova would refuse it (none or all dedicated, a CPU beyond the flavor's).
     */
    static java.util.Optional<Set<Integer>> dedicatedMask(String mask, long vcpus) {
        if (mask == null || mask.isBlank() || vcpus < 1 || vcpus > 65_536) {
            return java.util.Optional.empty();
        }
        String spec = mask.strip().startsWith("^") ? "0-" + (vcpus - 1) + "," + mask : mask;
        Set<Integer> in = new java.util.TreeSet<>();
        Set<Integer> out = new java.util.TreeSet<>();
        try {
            for (String rule : spec.split(",")) {
                String r = rule.strip();
                if (r.isEmpty()) {
                    continue;
                }
                boolean reject = r.startsWith("^");
                String body = reject ? r.substring(1) : r;
                String[] range = body.split("-", 2);
                int from = Integer.parseInt(range[0].strip());
                int to = range.length > 1 ? Integer.parseInt(range[1].strip()) : from;
                if (from > to || to >= vcpus) {
                    return java.util.Optional.empty();
                }
                for (int cpu = from; cpu <= to; cpu++) {
                    (reject ? out : in).add(cpu);
                }
            }
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
        in.removeAll(out);
        return in.isEmpty() || in.size() >= vcpus ? java.util.Optional.empty() : java.util.Optional.of(in);
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
