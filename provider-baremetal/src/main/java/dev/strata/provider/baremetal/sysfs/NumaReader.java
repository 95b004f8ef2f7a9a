package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.NumaNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads NUMA nodes from {@code /sys/devices/system/node/nodeN}: the node's online CPUs
 * ({@code cpulist} or {@code cpumap}), its memory ({@code meminfo} MemTotal) and its distance row.
 * A node may have no CPUs (memory only) or no memory (CPUs only). Without any node directory the
 * machine is one node 0 holding every online CPU and the MemTotal of {@code /proc/meminfo}.
 */
final class NumaReader {
    static final String NODE_DIR = "/sys/devices/system/node";
    private static final Pattern NODE_NAME = Pattern.compile("node\\d{1,7}");

    private final SysfsFiles files;

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
        dirs.forEach((id, dir) -> {
            CpuSet cpus = files.cpus(dir.resolve("cpulist"), dir.resolve("cpumap"))
                    .map(s -> s.intersection(online)).orElse(CpuSet.EMPTY);
            nodes.add(new NumaNode(id, cpus, memTotal(files.lines(dir.resolve("meminfo"))).orElse(0), distances(dir)));
        });
        return nodes;
    }

    /** MemTotal of {@code /proc/meminfo} in bytes, 0 when unknown. */
    long machineMemory() {
        return memTotal(files.lines(files.path("/proc/meminfo"))).orElse(0);
    }

    private List<Integer> distances(Path dir) {
        List<Integer> row = new ArrayList<>();
        for (String word : files.value(dir.resolve("distance")).orElse("").split("\\s+")) {
            OptionalLong value = SysfsFiles.parseNumber(word);
            if (word.isEmpty()) {
                continue;
            }
            if (value.isEmpty() || value.getAsLong() < 0 || value.getAsLong() > Integer.MAX_VALUE) {
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
