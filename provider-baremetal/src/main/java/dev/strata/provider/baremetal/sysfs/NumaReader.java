package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.NumaNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads NUMA nodes from {@code /sys/devices/system/node/nodeN}: the node's online CPUs
 * ({@code cpulist} or {@code cpumap}), its memory ({@code meminfo} MemTotal) and its distance row.
 * A node may have no CPUs (memory only) or no memory (CPUs only). Without any node directory the
 * machine is one node 0 holding every online CPU and the MemTotal of {@code /proc/meminfo}.
 *
 * <p>Overlapping CPU sets (a firmware bug: every node claiming every CPU) are handled as hwloc's
 * Linux backend handles them: nodes are taken in id order, and a node whose CPUs intersect those of
 * the nodes taken before it is left out, with its memory; once a node is left out the distance
 * rows no longer line up with the nodes, so no node keeps its distances. Each node left out is
 * reported in {@link SysfsFiles#problems()}. So is a distance row whose width is not the number of
 * nodes; no node keeps its distances then either. So is a node without {@code meminfo}: its memory
 * is unknown (0), and the machine's is taken from {@code /proc/meminfo} where that is larger.
 */
final class NumaReader {
    static final String NODE_DIR = "/sys/devices/system/node";
    private static final Pattern NODE_NAME = Pattern.compile("node\\d{1,7}");

    private final SysfsFiles files;
    /** Whether a NUMA node read has no meminfo, so that the nodes' memory does not add up to the machine's. */
    private boolean memoryUnknown;

    NumaReader(SysfsFiles files) {
        this.files = files;
    }

    List<NumaNode> read(CpuSet online) {
        TreeMap<Integer, Path> dirs = new TreeMap<>();
        for (Path entry : files.list(files.path(NODE_DIR))) {
            String name = entry.getFileName().toString();
            if (NODE_NAME.matcher(name).matches() && files.isDirectory(entry)) {
                dirs.put(Integer.parseInt(name.substring(4)), entry);
            }
        }
        if (dirs.isEmpty()) {
            return List.of(new NumaNode(0, online, machineMemory(), List.of()));
        }
        List<NumaNode> nodes = new ArrayList<>();
        List<Integer> dropped = new ArrayList<>();
        CpuSet taken = CpuSet.EMPTY;
        for (var entry : dirs.entrySet()) {
            int id = entry.getKey();
            Path dir = entry.getValue();
            CpuSet cpus = files.cpus(dir.resolve("cpulist"), dir.resolve("cpumap"))
                    .map(s -> s.intersection(online)).orElse(CpuSet.EMPTY);
            if (cpus.intersects(taken)) {
                files.report(files.name(dir) + ": CPUs " + cpus + " overlap those of NUMA nodes read before it (CPUs "
                        + cpus.intersection(taken) + "); the firmware reports overlapping NUMA nodes, so node " + id
                        + " is left out as hwloc leaves it out");
                dropped.add(id);
                continue;
            }
            taken = taken.union(cpus);
            if (files.lines(dir.resolve("meminfo")).isEmpty()) {
                // the kernel writes a meminfo for every node, one without memory too ("MemTotal: 0 kB"): none is a tree cut
                // short or a file not readable, and the node's memory is not known to be none
                memoryUnknown = true;
                files.report(files.name(dir) + ": no meminfo (missing, unreadable or empty); the memory of NUMA node " + id
                        + " is unknown and counted as 0, and the machine's memory is taken from /proc/meminfo where it is larger");
            }
            nodes.add(new NumaNode(id, cpus, memTotal(dir.resolve("meminfo")), distances(dir)));
        }
        // once a node is left out, the rows no longer line up with the nodes
        boolean misaligned = !dropped.isEmpty();
        for (NumaNode node : nodes) {
            // a row is the distances to every node in id order: one of another width cannot be lined
            // up with the nodes either, and a distance to the wrong node is worse than none
            if (!misaligned && !node.distances().isEmpty() && node.distances().size() != nodes.size()) {
                String row = node.distances().stream().map(String::valueOf).collect(Collectors.joining(" "));
                files.problem(dirs.get(node.id()).resolve("distance"), row,
                        "a row of one distance to each of the " + nodes.size() + " NUMA nodes");
                misaligned = true;
            }
        }
        if (misaligned) {
            nodes.replaceAll(n -> new NumaNode(n.id(), n.cpus(), n.memoryBytes(), List.of()));
        }
        return nodes;
    }

    /** Whether a NUMA node {@link #read} has no meminfo: its memory is unknown, and the nodes' sum is not the machine's. */
    boolean memoryUnknown() {
        return memoryUnknown;
    }

    /** MemTotal of {@code /proc/meminfo} in bytes, 0 when unknown. */
    long machineMemory() {
        return memTotal(files.path("/proc/meminfo"));
    }

    /** The MemTotal of a meminfo file in bytes; 0 when the file is missing, a recorded problem when it has no readable MemTotal. */
    private long memTotal(Path file) {
        List<String> lines = files.lines(file);
        if (lines.isEmpty()) {
            return 0;
        }
        OptionalLong total = memTotal(lines);
        if (total.isEmpty()) {
            files.problem(file, String.join("\n", lines), "a meminfo with a MemTotal line such as 'MemTotal: 16318032 kB'");
        }
        return total.orElse(0);
    }

    private List<Integer> distances(Path dir) {
        Path file = dir.resolve("distance");
        String text = files.value(file).orElse("");
        List<Integer> row = new ArrayList<>();
        for (String word : text.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            OptionalLong value = SysfsFiles.parseNumber(word);
            if (value.isEmpty() || value.getAsLong() < 0 || value.getAsLong() > Integer.MAX_VALUE) {
                files.problem(file, text, "a row of distances such as '10 21'");
                return List.of();
            }
            row.add((int) value.getAsLong());
        }
        return row;
    }

    /**
     * The {@code MemTotal} line of a meminfo file ({@code "MemTotal: 123 kB"} in /proc,
     * {@code "Node 0 MemTotal: 123 kB"} per node) in bytes.
     */
    static OptionalLong memTotal(List<String> lines) {
        for (String line : lines) {
            int key = line.indexOf("MemTotal:");
            if (key < 0) {
                continue;
            }
            String[] words = line.substring(key + "MemTotal:".length()).strip().split("\\s+");
            OptionalLong value = SysfsFiles.parseNumber(words[0]);
            if (value.isEmpty() || value.getAsLong() < 0) {
                return OptionalLong.empty();
            }
            long unit = words.length > 1 && words[1].equalsIgnoreCase("kB") ? 1024 : 1;
            if (value.getAsLong() > Long.MAX_VALUE / unit) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(value.getAsLong() * unit);
        }
        return OptionalLong.empty();
    }
}
