package dev.strata.provider.declared;

import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDraw;
import java.util.ArrayList;
import java.util.List;

/**
 * A node model of the catalogue, with the immutable parts every node of the model shares
 * (CPU topology, NUMA nodes, partition profiles), built once.
 *
 * @param name catalogue key, e.g. {@code dgx-h100}
 * @param description what it is
 * @param cpu shared CPU topology
 * @param numaNodes one NUMA node per socket, memory split evenly (the remainder on the first)
 * @param memoryBytes total memory
 * @param gpus the GPUs, or null for a CPU node
 * @param nics the NICs
 * @param power idle and maximum draw
 */
record NodeModel(String name, String description, CpuTopology cpu, List<NumaNode> numaNodes, long memoryBytes, Gpus gpus,
        Nics nics, PowerDraw power) {

    /**
     * The GPUs of a model.
     *
     * @param count how many
     * @param model product name
     * @param memoryBytes memory of each
     * @param computeCapability e.g. 9.0
     * @param powerLimitWatts power limit of each
     * @param interconnect {@code NVSwitch}, {@code NVLink} or null when GPUs talk over PCIe only
     * @param nvlinkGBps per-GPU NVLink bandwidth per direction
     * @param profiles MIG profiles
     */
    record Gpus(int count, String model, long memoryBytes, String computeCapability, double powerLimitWatts, String interconnect,
            double nvlinkGBps, List<PartitionProfile> profiles) {
    }

    /**
     * The NICs of a model.
     *
     * @param count how many
     * @param speedMbps speed of each
     * @param type {@code infiniband} or {@code ethernet}
     */
    record Nics(int count, long speedMbps, String type) {
    }

    /** Linux numbering: core c of socket s has threads s*cps+c and, with SMT, sockets*cps + s*cps+c. */
    static CpuTopology topology(int sockets, int coresPerSocket, int threadsPerCore, String vendor, String model) {
        List<CpuPackage> packages = new ArrayList<>();
        int physical = sockets * coresPerSocket;
        for (int s = 0; s < sockets; s++) {
            List<CpuCore> cores = new ArrayList<>();
            for (int c = 0; c < coresPerSocket; c++) {
                int[] threads = new int[threadsPerCore];
                for (int t = 0; t < threadsPerCore; t++) {
                    threads[t] = t * physical + s * coresPerSocket + c;
                }
                cores.add(new CpuCore(c, CpuSet.of(threads)));
            }
            packages.add(new CpuPackage(s, vendor, model, cores));
        }
        CpuSet online = CpuSet.parseList("0-" + (physical * threadsPerCore - 1));
        return new CpuTopology(packages, online, CpuSet.EMPTY);
    }

    /**
     * One NUMA node per socket, the memory split evenly; the bytes an even split leaves over go to
     * the first, so that the NUMA nodes hold the node's memory to the byte (100GiB over 3 sockets
     * lost a byte, and placement, which fills NUMA nodes, found less than the node has).
     */
    static List<NumaNode> numa(CpuTopology cpu, long memoryBytes) {
        int sockets = cpu.packages().size();
        long each = memoryBytes / Math.max(1, sockets);
        long remainder = memoryBytes - each * Math.max(1, sockets);
        List<NumaNode> nodes = new ArrayList<>();
        for (int s = 0; s < sockets; s++) {
            List<Integer> distances = new ArrayList<>();
            for (int o = 0; o < sockets; o++) {
                distances.add(o == s ? 10 : 21);
            }
            nodes.add(new NumaNode(s, cpu.packages().get(s).threads(), s == 0 ? each + remainder : each, distances));
        }
        return nodes;
    }

    /** The NUMA node of device {@code i} of {@code count}, spread evenly over the sockets. */
    int numaOf(int i, int count) {
        return count == 0 ? 0 : i * numaNodes.size() / count;
    }
}
