package dev.strata.provider.aws;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.provider.aws.ec2.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Describes one machine of an instance type as a {@link Node}: what an offer would launch, or
 * what a launched instance is. EC2 tells vCPUs, cores and threads but not sockets or NUMA, so a
 * shape has one package and one NUMA node holding everything; vCPU {@code c + t * cores} is
 * thread {@code t} of core {@code c}, as Linux numbers them on EC2.
 */
final class ShapeNodes {

    static final long MIB = 1024L * 1024L;

    private ShapeNodes() {
    }

    /**
     * A node of the shape; {@code efaInterfaces} is how many EFA interfaces the machine has (a launched instance: those it
     * was launched with; an offer's machine: those a launch under the {@code efa} setting gives): the cards from 0 that
     * carry one are {@code efa} NICs, and the node has the {@code efa} trait only with one at least. -1 describes the
     * machine by what its type supports.
     */
    static Node node(String id, String providerId, String siteId, String hostname, Shape shape, ResourceState state,
            String ownerTenant, Map<String, String> extraAttributes, int efaInterfaces) {
        CpuTopology cpu = cpu(shape);
        long memory = shape.memoryMiB() * MIB;
        List<NumaNode> numa = List.of(new NumaNode(0, cpu.online(), memory, List.of(10)));
        Map<String, String> attributes = new LinkedHashMap<>(attributes(shape));
        attributes.putAll(extraAttributes);
        return Node.builder().id(id).providerId(providerId).siteId(siteId).hostname(hostname)
                .kind(shape.bareMetal() ? NodeKind.BARE_METAL : NodeKind.VIRTUAL_MACHINE).cpu(cpu).numaNodes(numa).memoryBytes(memory)
                .accelerators(accelerators(id, shape)).nics(nics(shape, efaInterfaces)).power(PowerDraw.UNKNOWN)
                .traits(traits(shape, efaInterfaces)).state(state)
                .ownerTenant(ownerTenant).attributes(attributes).build();
    }

    static CpuTopology cpu(Shape shape) {
        int vcpus = shape.vcpus();
        if (vcpus <= 0) {
            return CpuTopology.NONE;
        }
        int cores = shape.cores();
        int threads = shape.threadsPerCore();
        List<CpuCore> list = new ArrayList<>();
        if (cores > 0 && cores * threads == vcpus) {
            for (int c = 0; c < cores; c++) {
                int[] siblings = new int[threads];
                for (int t = 0; t < threads; t++) {
                    siblings[t] = c + t * cores;
                }
                list.add(new CpuCore(c, CpuSet.of(siblings)));
            }
        } else {
            for (int v = 0; v < vcpus; v++) {
                list.add(new CpuCore(v, CpuSet.of(v)));
            }
        }
        CpuSet online = CpuSet.parseList("0-" + (vcpus - 1));
        String model = shape.cpuManufacturer() == null ? null
                : shape.cpuManufacturer() + (shape.architectures().isEmpty() ? "" : " " + shape.architectures().get(0))
                        + (shape.sustainedClockGhz() > 0 ? " " + shape.sustainedClockGhz() + " GHz" : "");
        return new CpuTopology(List.of(new CpuPackage(0, shape.cpuManufacturer(), model, list)), online, CpuSet.EMPTY);
    }

    static List<Accelerator> accelerators(String nodeId, Shape shape) {
        List<Accelerator> out = new ArrayList<>();
        int index = 0;
        for (Shape.Gpu gpu : shape.gpus()) {
            for (int i = 0; i < gpu.count(); i++) {
                out.add(Accelerator.builder().id(nodeId + "/gpu" + index).vendor(gpu.manufacturer()).model(gpu.model())
                        .memoryBytes(gpu.memoryMiB() * MIB).nodeId(nodeId).health(Health.UNKNOWN)
                        .attributes(Map.of("index", String.valueOf(index), "instanceType", shape.instanceType())).build());
                index++;
            }
        }
        return out;
    }

    static List<Nic> nics(Shape shape) {
        return nics(shape, -1);
    }

    /** The shape's network cards as NICs; those from card 0 that carry EFA ({@code efaInterfaces}, -1: as the type allows) typed {@code efa}. */
    static List<Nic> nics(Shape shape, int efaInterfaces) {
        List<Nic> nics = new ArrayList<>();
        int efaCards = efaInterfaces < 0 ? Math.max(1, shape.maxEfaInterfaces()) : efaInterfaces;
        for (Shape.NetworkCard card : shape.networkCards()) {
            boolean efa = shape.efaSupported() && card.index() < efaCards;
            nics.add(new Nic("card" + card.index(), null, null, Math.round(card.baselineGbps() * 1000), -1, efa ? "efa" : "ethernet"));
        }
        return nics;
    }

    static Set<String> traits(Shape shape) {
        return traits(shape, -1);
    }

    /** The shape's traits; {@code efa} where the type supports it and the machine has an EFA interface ({@code efaInterfaces}, -1: not launched). */
    static Set<String> traits(Shape shape, int efaInterfaces) {
        Set<String> traits = new LinkedHashSet<>();
        traits.add("aws");
        if (shape.efaSupported() && efaInterfaces != 0) {
            traits.add("efa");
        }
        if (shape.hypervisor() != null) {
            traits.add(shape.hypervisor().toLowerCase(Locale.ROOT));
        }
        shape.architectures().forEach(a -> traits.add("arch:" + a));
        shape.placementStrategies().forEach(s -> traits.add("placement-group:" + s));
        return traits;
    }

    static Map<String, String> attributes(Shape shape) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("instanceType", shape.instanceType());
        if (!shape.architectures().isEmpty()) {
            attributes.put("architecture", String.join(",", shape.architectures()));
        }
        if (shape.networkPerformance() != null) {
            attributes.put("networkPerformance", shape.networkPerformance());
        }
        attributes.put("networkBandwidthGbps", number(shape.baselineBandwidthGbps()));
        attributes.put("networkPeakGbps", number(shape.peakBandwidthGbps()));
        attributes.put("efa", shape.efaSupported() ? "supported, up to " + shape.maxEfaInterfaces() + " interfaces" : "no");
        if (shape.localStorageGb() > 0) {
            attributes.put("instanceStorageGB", String.valueOf(shape.localStorageGb()));
        }
        return attributes;
    }

    static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
