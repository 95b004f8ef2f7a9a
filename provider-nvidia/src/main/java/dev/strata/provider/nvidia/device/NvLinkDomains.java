package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * NVLink domains: the connected components of the GPUs of a host joined by NVLink, directly or
 * through NVSwitch. A GPU with no active NVLink belongs to no domain. A domain's id is
 * {@code nvlink:} followed by the smallest member id (GPU UUIDs are globally unique, so the id is
 * unique across hosts and stable while that GPU stays).
 */
public final class NvLinkDomains {

    /**
     * One GPU as the domain computation sees it.
     *
     * @param gpuId the accelerator id
     * @param nvLinked whether the GPU has at least one active NVLink
     * @param switched whether its NVLinks lead to NVSwitches
     * @param linkBandwidthGBps its aggregate active NVLink bandwidth per direction
     */
    public record Member(String gpuId, boolean nvLinked, boolean switched, double linkBandwidthGBps) {
    }

    /**
     * The result.
     *
     * @param domainOf the domain id of each GPU that has one
     * @param fabrics one {@link FabricType#PCIE} fabric per domain, members = GPU ids
     */
    public record Domains(Map<String, String> domainOf, List<Fabric> fabrics) {
        public Domains {
            domainOf = Map.copyOf(domainOf);
            fabrics = List.copyOf(fabrics);
        }
    }

    private NvLinkDomains() {
    }

    /**
     * Groups GPUs into domains.
     *
     * @param members every GPU of the host
     * @param links pairs of GPU ids joined by NVLink (in either order); GPUs that lead to NVSwitches
     *     are also joined to each other, as one NVSwitch fabric joins every GPU of a baseboard
     */
    public static Domains of(List<Member> members, Collection<List<String>> links) {
        Map<String, Member> byId = new LinkedHashMap<>();
        members.forEach(m -> byId.put(m.gpuId(), m));
        Map<String, String> parent = new HashMap<>();
        byId.keySet().forEach(id -> parent.put(id, id));
        for (List<String> link : links) {
            if (byId.containsKey(link.get(0)) && byId.containsKey(link.get(1))) {
                union(parent, link.get(0), link.get(1));
            }
        }
        String firstSwitched = null;
        for (Member m : members) {
            if (m.switched() && m.nvLinked()) {
                if (firstSwitched == null) {
                    firstSwitched = m.gpuId();
                } else {
                    union(parent, firstSwitched, m.gpuId());
                }
            }
        }
        Map<String, Set<String>> components = new TreeMap<>();
        for (String id : byId.keySet()) {
            components.computeIfAbsent(find(parent, id), k -> new TreeSet<>()).add(id);
        }
        Map<String, String> domainOf = new HashMap<>();
        List<Fabric> fabrics = new ArrayList<>();
        for (Set<String> component : components.values()) {
            boolean linked = component.size() > 1 || byId.get(component.iterator().next()).nvLinked();
            if (!linked) {
                continue;
            }
            String id = "nvlink:" + component.iterator().next();
            boolean switched = component.stream().anyMatch(g -> byId.get(g).switched());
            double bandwidth = component.stream().mapToDouble(g -> byId.get(g).linkBandwidthGBps()).min().orElse(0);
            component.forEach(g -> domainOf.put(g, id));
            fabrics.add(Fabric.builder().id(id).type(FabricType.PCIE).technology(switched ? "NVSwitch" : "NVLink").members(component)
                    .linkBandwidthGbps(bandwidth * 8).tiers(switched ? List.of("nvswitch") : List.of()).build());
        }
        fabrics.sort((a, b) -> a.id().compareTo(b.id()));
        return new Domains(domainOf, fabrics);
    }

    /**
     * The bandwidth of one NVLink per direction in GB/s, by the GPU's compute capability: 20 for
     * Pascal (6.x, NVLink 1), 25 for Volta, A100 and Hopper (7.x, 8.0, 9.x: NVLink 2 to 4),
     * 14.0625 for GA102 (8.6: RTX A6000/3090 bridges, 56.25 GB/s over 4 links), 50 for Blackwell
     * (10.x, NVLink 5); 25 when the capability is unknown. NVML's {@code nvmlDeviceGetNvLinkVersion}
     * is not used: drivers have returned NVLink 5 for Hopper.
     */
    public static double perLinkGBps(String computeCapability) {
        if (computeCapability == null) {
            return 25;
        }
        String cc = computeCapability.strip();
        if (cc.startsWith("6.")) {
            return 20;
        }
        if (cc.equals("8.6")) {
            return 14.0625;
        }
        if (cc.startsWith("10.")) {
            return 50;
        }
        return 25;
    }

    private static String find(Map<String, String> parent, String id) {
        String root = id;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            if (ra.compareTo(rb) < 0) {
                parent.put(rb, ra);
            } else {
                parent.put(ra, rb);
            }
        }
    }
}
