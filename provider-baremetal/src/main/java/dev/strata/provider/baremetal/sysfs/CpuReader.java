package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads packages, cores and threads from {@code /sys/devices/system/cpu/cpuN/topology}.
 *
 * <p>Like hwloc, CPUs are grouped by the kernel's sibling masks where they exist
 * ({@code package_cpus} or {@code core_siblings} for packages, {@code core_cpus} or
 * {@code thread_siblings} for cores) together with {@code physical_package_id} and
 * {@code core_id}: two CPUs share a package when they have the same package id and the same
 * package mask, and a core when they also have the same core id and core mask. So IA-64 machines
 * that repeat a package id across sockets, and AMD compute units whose threads have distinct core
 * ids, come out as hwloc shows them. A missing id is -1; a CPU with neither core id nor core mask
 * is a core of its own; an online CPU without a topology directory goes to a package -1.
 */
final class CpuReader {
    static final String CPU_DIR = "/sys/devices/system/cpu";
    private static final Pattern CPU_NAME = Pattern.compile("cpu\\d{1,7}");

    private final SysfsFiles files;

    CpuReader(SysfsFiles files) {
        this.files = files;
    }

    CpuTopology read(CpuInfo info) {
        Path cpuDir = files.path(CPU_DIR);
        TreeMap<Integer, Path> dirs = new TreeMap<>();
        for (Path entry : files.list(cpuDir)) {
            String name = entry.getFileName().toString();
            if (CPU_NAME.matcher(name).matches() && files.isDirectory(entry)) {
                dirs.put(Integer.parseInt(name.substring(3)), entry);
            }
        }
        CpuSet present = CpuSet.of(dirs.keySet().stream().mapToInt(Integer::intValue).toArray());
        CpuSet online = onlineCpus(cpuDir, dirs, present);
        CpuSet offline = present.minus(online);

        Map<String, PackageBuilder> packages = new LinkedHashMap<>();
        online.stream().forEach(cpu -> {
            Path topology = dirs.get(cpu).resolve("topology");
            Placement placement = files.isDirectory(topology)
                    ? place(cpu, topology, online)
                    : new Placement(-1, "-1/none", -1, "cpu" + cpu);
            packages.computeIfAbsent(placement.packageKey, k -> new PackageBuilder(placement.packageId, cpu))
                    .add(placement, cpu);
        });

        List<CpuPackage> result = new ArrayList<>();
        packages.values().stream()
                .sorted(Comparator.comparingInt(p -> p.firstCpu))
                .forEach(p -> result.add(p.build(info)));
        return new CpuTopology(result, online, offline);
    }

    private CpuSet onlineCpus(Path cpuDir, TreeMap<Integer, Path> dirs, CpuSet present) {
        CpuSet online = files.cpus(cpuDir.resolve("online"), true).orElse(null);
        if (online == null) {
            BitSet withTopology = new BitSet();
            dirs.forEach((cpu, dir) -> {
                if (files.isDirectory(dir.resolve("topology"))) {
                    withTopology.set(cpu);
                }
            });
            online = CpuSet.of(withTopology);
        }
        online = online.intersection(present);
        BitSet disabled = new BitSet();
        online.stream().forEach(cpu -> {
            if (files.value(dirs.get(cpu).resolve("online")).filter("0"::equals).isPresent()) {
                disabled.set(cpu);
            }
        });
        return online.minus(CpuSet.of(disabled));
    }

    private Placement place(int cpu, Path topology, CpuSet online) {
        int packageId = files.intValue(topology.resolve("physical_package_id"), -1);
        CpuSet packageMask = files.cpus(topology.resolve("package_cpus_list"), topology.resolve("package_cpus"),
                topology.resolve("core_siblings_list"), topology.resolve("core_siblings"))
                .map(s -> s.intersection(online)).orElse(CpuSet.EMPTY);
        int coreId = files.intValue(topology.resolve("core_id"), -1);
        CpuSet coreMask = files.cpus(topology.resolve("core_cpus_list"), topology.resolve("core_cpus"),
                topology.resolve("thread_siblings_list"), topology.resolve("thread_siblings"))
                .map(s -> s.intersection(online)).orElse(CpuSet.EMPTY);
        String packageKey = packageId + "/" + packageMask.first();
        String coreKey = coreId < 0 && coreMask.isEmpty() ? "cpu" + cpu : coreId + "/" + coreMask.first();
        return new Placement(packageId, packageKey, coreId, coreKey);
    }

    private record Placement(int packageId, String packageKey, int coreId, String coreKey) {
    }

    private record CoreBuilder(int id, BitSet threads) {
    }

    private static final class PackageBuilder {
        final int id;
        final int firstCpu;
        final Map<String, CoreBuilder> cores = new LinkedHashMap<>();

        PackageBuilder(int id, int firstCpu) {
            this.id = id;
            this.firstCpu = firstCpu;
        }

        void add(Placement placement, int cpu) {
            cores.computeIfAbsent(placement.coreKey, k -> new CoreBuilder(placement.coreId, new BitSet()))
                    .threads().set(cpu);
        }

        CpuPackage build(CpuInfo info) {
            List<CpuCore> built = new ArrayList<>();
            cores.values().forEach(core -> built.add(new CpuCore(core.id(), CpuSet.of(core.threads()))));
            built.sort(Comparator.comparingInt(c -> c.threads().first()));
            return new CpuPackage(id, info.vendor(firstCpu), info.model(firstCpu), built);
        }
    }
}
