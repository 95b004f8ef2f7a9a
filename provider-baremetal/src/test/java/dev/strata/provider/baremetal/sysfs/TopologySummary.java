package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The properties compared between Strata and hwloc: counts of packages, cores and PUs, the NUMA
 * nodes with their CPUs and memory, and the PCI functions with their NUMA locality.
 *
 * @param pciLocality per PCI bus id, the NUMA nodes the device is local to
 */
record TopologySummary(
        int packages,
        int cores,
        int pus,
        SortedMap<Integer, CpuSet> numaCpus,
        SortedMap<Integer, Long> numaMemory,
        SortedMap<String, Set<Integer>> pciLocality) {

    static final String PACKAGES = "packages";
    static final String CORES = "cores";
    static final String PUS = "PUs";
    static final String NUMA_NODES = "NUMA nodes";
    static final String NUMA_CPUS = "NUMA cpusets";
    static final String NUMA_MEMORY = "NUMA memory";
    static final String PCI_DEVICES = "PCI devices";
    static final String PCI_LOCALITY = "PCI locality";
    static final java.util.List<String> PROPERTIES =
            java.util.List.of(PACKAGES, CORES, PUS, NUMA_NODES, NUMA_CPUS, NUMA_MEMORY, PCI_DEVICES, PCI_LOCALITY);

    /**
     * Strata's side. A device's locality is its {@code numaNode}; when the platform gives none (-1),
     * it is the NUMA nodes whose CPUs the device's local CPUs touch ({@code local_cpus}, which is
     * what hwloc places a device by), or every node when the local CPUs are unknown.
     */
    static TopologySummary of(Node node) {
        SortedMap<Integer, CpuSet> cpus = new TreeMap<>();
        SortedMap<Integer, Long> memory = new TreeMap<>();
        for (NumaNode numa : node.numaNodes()) {
            cpus.put(numa.id(), numa.cpus());
            memory.put(numa.id(), numa.memoryBytes());
        }
        SortedMap<String, Set<Integer>> pci = new TreeMap<>();
        for (PciDevice device : node.pciDevices()) {
            Set<Integer> local = new TreeSet<>();
            if (device.numaNode() >= 0) {
                local.add(device.numaNode());
            } else {
                node.numaNodes().stream()
                        .filter(n -> device.localCpus().isEmpty() || n.cpus().intersects(device.localCpus()))
                        .forEach(n -> local.add(n.id()));
            }
            pci.put(device.address(), local);
        }
        return new TopologySummary(node.cpu().packages().size(), node.cpu().cores(), node.cpu().threads(),
                cpus, memory, pci);
    }

    /**
     * The properties on which this summary (Strata's) differs from {@code hwloc}'s, each with what
     * differs. PCI localities are compared on the NUMA nodes that have CPUs: hwloc also counts the
     * memory-only nodes it attached near the device (by initiators or distances), which Strata does
     * not place anywhere (their difference shows as {@link #NUMA_CPUS}).
     */
    Map<String, String> differencesFrom(TopologySummary hwloc) {
        Map<String, String> diffs = new LinkedHashMap<>();
        count(diffs, PACKAGES, packages, hwloc.packages);
        count(diffs, CORES, cores, hwloc.cores);
        count(diffs, PUS, pus, hwloc.pus);
        if (!numaCpus.keySet().equals(hwloc.numaCpus.keySet())) {
            diffs.put(NUMA_NODES, "strata " + numaCpus.keySet() + " hwloc " + hwloc.numaCpus.keySet());
        }
        perKey(diffs, NUMA_CPUS, numaCpus, hwloc.numaCpus, "node ");
        perKey(diffs, NUMA_MEMORY, numaMemory, hwloc.numaMemory, "node ");
        if (!pciLocality.keySet().equals(hwloc.pciLocality.keySet())) {
            Set<String> onlyStrata = new TreeSet<>(pciLocality.keySet());
            onlyStrata.removeAll(hwloc.pciLocality.keySet());
            Set<String> onlyHwloc = new TreeSet<>(hwloc.pciLocality.keySet());
            onlyHwloc.removeAll(pciLocality.keySet());
            diffs.put(PCI_DEVICES, "only strata " + abbreviate(onlyStrata) + ", only hwloc " + abbreviate(onlyHwloc));
        }
        Set<Integer> withCpus = numaCpus.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).collect(Collectors.toSet());
        perKey(diffs, PCI_LOCALITY, restrict(pciLocality, withCpus), restrict(hwloc.pciLocality, withCpus), "");
        return diffs;
    }

    private static SortedMap<String, Set<Integer>> restrict(SortedMap<String, Set<Integer>> locality, Set<Integer> nodes) {
        SortedMap<String, Set<Integer>> restricted = new TreeMap<>();
        locality.forEach((address, local) -> {
            Set<Integer> kept = new TreeSet<>(local);
            kept.retainAll(nodes);
            restricted.put(address, kept);
        });
        return restricted;
    }

    private static void count(Map<String, String> diffs, String property, int strata, int hwloc) {
        if (strata != hwloc) {
            diffs.put(property, "strata " + strata + " hwloc " + hwloc);
        }
    }

    private static <K, V> void perKey(Map<String, String> diffs, String property, SortedMap<K, V> strata,
            SortedMap<K, V> hwloc, String prefix) {
        Set<String> differing = new java.util.LinkedHashSet<>();
        for (Map.Entry<K, V> entry : strata.entrySet()) {
            V other = hwloc.get(entry.getKey());
            if (hwloc.containsKey(entry.getKey()) && !Objects.equals(entry.getValue(), other)) {
                differing.add(prefix + entry.getKey() + ": strata " + show(entry.getValue()) + " hwloc " + show(other));
            }
        }
        if (!differing.isEmpty()) {
            diffs.put(property, abbreviate(differing));
        }
    }

    private static String show(Object value) {
        return value instanceof CpuSet set ? "[" + set + "]" : String.valueOf(value);
    }

    private static String abbreviate(Set<String> items) {
        String shown = items.stream().limit(4).collect(Collectors.joining("; "));
        return items.size() > 4 ? shown + "; ... (" + items.size() + " in all)" : shown;
    }
}
