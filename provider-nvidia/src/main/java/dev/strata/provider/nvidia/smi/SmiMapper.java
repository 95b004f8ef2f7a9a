package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.provider.nvidia.device.Attributes;
import dev.strata.provider.nvidia.device.MigMemory;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.HealthRules;
import dev.strata.provider.nvidia.device.NvLinkDomains;
import dev.strata.provider.nvidia.device.PciAddresses;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.PcieSpeeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps what the nvidia-smi commands printed to Strata's model. Stateless.
 *
 * <ul>
 * <li>{@code -q -x}: identity, memory, PCI address and link, power limits, MIG and ECC modes, health facts;</li>
 * <li>{@code --query-gpu=uuid,compute_cap}: the compute capability (the XML lacks it);</li>
 * <li>{@code topo -m}: CPU and NUMA affinity, device paths, NVLink counts between GPUs and thus
 *     the NVLink domains; a GPU whose NVLinks to its peers add up to more links than it has (18
 *     when {@code nvlink -s} is not available) reaches them through NVSwitches;</li>
 * <li>{@code mig -lgip}/{@code -lgipp}: partition profiles;</li>
 * <li>{@code nvlink -s}: each GPU's links and their speeds. Without it, a GPU's link bandwidth is
 *     estimated from {@code topo -m} (all its links to peers, or for NVSwitch the links to one
 *     peer, times {@link NvLinkDomains#perLinkGBps}).</li>
 * </ul>
 * Where {@code topo -m} is missing, locality comes from sysfs. A GPU without UUID is mapped all the
 * same, under the id {@link GpuIds} gives it and with health FAILED; it has no compute capability
 * and no {@code nvlink -s} links (both are matched by UUID). A GPU without product name is mapped
 * with model {@value GpuIds#UNKNOWN_MODEL} and health FAILED, with everything else it shows. A GPU
 * nvidia-smi names as lost ({@link LostGpus}) is mapped FAILED under its PCI address, and the
 * listed GPUs keep their indices around it ({@link GpuIndices}), by which {@code topo -m} and
 * {@code mig -lgip} are matched to them.
 */
public final class SmiMapper {

    static final int MAX_NVLINKS = 18;
    private static final Logger LOG = LoggerFactory.getLogger(SmiMapper.class);
    private static final long MIB = 1L << 20;

    private SmiMapper() {
    }

    /** As {@link #map(SmiLog, List, Map, TopoMatrix, Map, Map, PciSysfs, String)}, with no GPU lost. */
    public static DiscoveredGpus map(SmiLog log, Map<String, String> computeCapabilities, TopoMatrix topo,
            Map<Integer, List<PartitionProfile>> profiles, Map<String, List<DeviceLink>> nvLinks, PciSysfs sysfs, String host) {
        return map(log, List.of(), computeCapabilities, topo, profiles, nvLinks, sysfs, host);
    }

    /** As {@link #map(SmiLog, List, Set, Map, TopoMatrix, Map, Map, PciSysfs, String)}, with no infoROM warning. */
    public static DiscoveredGpus map(SmiLog log, List<LostGpus.LostGpu> lost, Map<String, String> computeCapabilities, TopoMatrix topo,
            Map<Integer, List<PartitionProfile>> profiles, Map<String, List<DeviceLink>> nvLinks, PciSysfs sysfs, String host) {
        return map(log, lost, Set.of(), computeCapabilities, topo, profiles, nvLinks, sysfs, host);
    }

    /**
     * Maps the outputs.
     *
     * @param log the parsed {@code -q -x}
     * @param lost the GPUs {@code -q -x} named as lost ({@link LostGpus}): each is reported FAILED, and
     *     the listed GPUs keep their NVML indices around them (from the lines' indices, else from PCI
     *     order, in which NVML numbers GPUs)
     * @param inforomCorrupted the PCI addresses ({@link PciAddresses#normalise}d) of the GPUs whose infoROM
     *     {@code -q -x} warned is corrupted ({@link SmiWarnings#inforomCorrupted})
     * @param computeCapabilities compute capability by GPU UUID (empty when not available)
     * @param topo the parsed {@code topo -m}, or null
     * @param profiles MIG profiles by GPU index (empty when not available)
     * @param nvLinks links by GPU UUID from {@code nvlink -s}, or empty
     * @param sysfs locality fallback
     * @param host this host, as {@link GpuIds#host} names it: part of the id of a GPU without UUID
     */
    public static DiscoveredGpus map(SmiLog log, List<LostGpus.LostGpu> lost, Set<String> inforomCorrupted,
            Map<String, String> computeCapabilities, TopoMatrix topo, Map<Integer, List<PartitionProfile>> profiles,
            Map<String, List<DeviceLink>> nvLinks, PciSysfs sysfs, String host) {
        GpuIndices indexed = GpuIndices.of(log.gpus(), lost);
        List<SmiGpu> gpus = indexed.gpus();
        Map<Integer, String> labels = topoLabels(gpus, indexed, topo);
        if (!indexed.trusted()) {
            profiles = Map.of();
        }
        Map<String, String> idOfLabel = new HashMap<>();
        Map<Integer, String> ids = new HashMap<>();
        for (SmiGpu gpu : gpus) {
            String id = GpuIds.of(host, gpu.uuid(), PciAddresses.normalise(gpu.pciBusId()), gpu.index());
            ids.put(gpu.index(), id);
            if (labels.containsKey(gpu.index())) {
                idOfLabel.put(labels.get(gpu.index()), id);
            }
        }
        List<NvLinkDomains.Member> members = new ArrayList<>();
        List<List<String>> links = new ArrayList<>();
        Map<String, Double> bandwidth = new HashMap<>();
        for (SmiGpu gpu : gpus) {
            String label = labels.get(gpu.index());
            String id = ids.get(gpu.index());
            String cc = byUuid(computeCapabilities, gpu, null);
            List<DeviceLink> own = byUuid(nvLinks, gpu, List.of());
            int linkCount = own.isEmpty() ? MAX_NVLINKS : own.size();
            int sum = 0;
            int max = 0;
            if (label != null) {
                for (String peer : topo.gpus()) {
                    int n = peer.equals(label) ? 0 : topo.nvlinks(label, peer);
                    if (n > 0) {
                        sum += n;
                        max = Math.max(max, n);
                        if (idOfLabel.containsKey(peer)) {
                            links.add(List.of(id, idOfLabel.get(peer)));
                        }
                    }
                }
            }
            boolean switched = sum > linkCount;
            double gbps = own.isEmpty()
                    ? (switched ? max : sum) * NvLinkDomains.perLinkGBps(cc)
                    : own.stream().filter(DeviceLink::active).mapToDouble(DeviceLink::bandwidthGBps).sum();
            boolean linked = sum > 0 || own.stream().anyMatch(DeviceLink::active);
            bandwidth.put(id, gbps);
            members.add(new NvLinkDomains.Member(id, linked, switched, gbps));
        }
        NvLinkDomains.Domains domains = NvLinkDomains.of(members, links);
        // in index order, a lost GPU of unknown index last
        Map<Integer, List<Accelerator>> byIndex = new TreeMap<>();
        for (SmiGpu gpu : gpus) {
            String id = ids.get(gpu.index());
            byIndex.computeIfAbsent(gpu.index(), i -> new ArrayList<>()).add(accelerator(log, gpu, id, byUuid(computeCapabilities, gpu, null),
                    labels.get(gpu.index()), topo, profiles.getOrDefault(gpu.index(), List.of()), byUuid(nvLinks, gpu, List.of()),
                    domains.domainOf().get(id), bandwidth.getOrDefault(id, 0.0), indexed.reasonsOf(gpu),
                    inforomCorrupted.contains(PciAddresses.normalise(gpu.pciBusId())), sysfs));
        }
        for (GpuIndices.Lost gone : indexed.lost()) {
            byIndex.computeIfAbsent(gone.index() < 0 ? Integer.MAX_VALUE : gone.index(), i -> new ArrayList<>())
                    .add(lost(log, gone, host, sysfs));
        }
        List<Accelerator> accelerators = byIndex.values().stream().flatMap(List::stream).toList();
        List<DevicePath> paths = labels.isEmpty() ? List.of() : topo.paths(label -> idOfLabel.getOrDefault(label, label));
        return new DiscoveredGpus("nvidia-smi", accelerators, domains.fabrics(), paths);
    }

    /**
     * The {@code topo -m} label of each listed GPU, by its index. With no GPU lost, GPU {@code i}
     * is {@code GPUi}, where the matrix shows it. With a GPU lost, the matrix's labels must be
     * either the listed GPUs' indices ({@code GPU3} missing when GPU 3 is lost) or as many labels
     * as listed GPUs, numbered from 0 (the listed GPUs in their order); any other matrix cannot be
     * matched to them, and locality then comes from sysfs.
     */
    private static Map<Integer, String> topoLabels(List<SmiGpu> gpus, GpuIndices indexed, TopoMatrix topo) {
        Map<Integer, String> labels = new HashMap<>();
        if (topo == null || !indexed.trusted()) {
            return labels;
        }
        List<String> shown = topo.gpus();
        if (indexed.lost().isEmpty()) {
            gpus.stream().filter(g -> shown.contains("GPU" + g.index())).forEach(g -> labels.put(g.index(), "GPU" + g.index()));
            return labels;
        }
        List<String> byIndex = gpus.stream().map(g -> "GPU" + g.index()).toList();
        List<String> byPosition = IntStream.range(0, gpus.size()).mapToObj(i -> "GPU" + i).toList();
        if (new HashSet<>(shown).equals(new HashSet<>(byIndex))) {
            gpus.forEach(g -> labels.put(g.index(), "GPU" + g.index()));
        } else if (shown.equals(byPosition)) {
            for (int i = 0; i < gpus.size(); i++) {
                labels.put(gpus.get(i).index(), shown.get(i));
            }
        } else {
            LOG.debug("nvidia-smi topo -m shows {}, which cannot be matched to the GPUs listed ({}) around the lost ones;"
                    + " their locality comes from sysfs", shown, byIndex);
        }
        return labels;
    }

    /** What another command reported for a GPU under its UUID; {@code none} for a GPU without one. */
    private static <T> T byUuid(Map<String, T> byUuid, SmiGpu gpu, T none) {
        return gpu.uuid() == null ? none : byUuid.getOrDefault(gpu.uuid(), none);
    }

    private static Accelerator accelerator(SmiLog log, SmiGpu gpu, String id, String cc, String label, TopoMatrix topo,
            List<PartitionProfile> profiles, List<DeviceLink> links, String domain, double linkBandwidth, List<String> unreachable,
            boolean inforomCorrupted, PciSysfs sysfs) {
        String pci = PciAddresses.normalise(gpu.pciBusId());
        boolean inTopo = label != null;
        int numa = inTopo ? topo.numaNode(label) : -1;
        if (numa < 0) {
            numa = sysfs.numaNode(pci);
        }
        CpuSet cpus = inTopo ? topo.cpuAffinity(label) : CpuSet.EMPTY;
        if (cpus.isEmpty()) {
            cpus = sysfs.localCpus(pci);
        }
        PciLink pcie = gpu.pcieGenCurrent() == 0 && gpu.pcieGenMax() == 0 && gpu.pcieWidthCurrent() == 0 && gpu.pcieWidthMax() == 0
                ? null
                : new PciLink(PcieSpeeds.gigaTransfersOf(gpu.pcieGenCurrent()), gpu.pcieWidthCurrent(),
                        PcieSpeeds.gigaTransfersOf(gpu.pcieGenMax()), gpu.pcieWidthMax());
        Map<String, String> attributes = new LinkedHashMap<>();
        put(attributes, Attributes.SERIAL, gpu.serial());
        put(attributes, Attributes.DRIVER_VERSION, log.driverVersion());
        put(attributes, Attributes.CUDA_VERSION, log.cudaVersion());
        put(attributes, Attributes.VBIOS_VERSION, gpu.vbiosVersion());
        put(attributes, Attributes.ECC_MODE, gpu.eccCurrent());
        if (gpu.migPending() != null) {
            attributes.put(Attributes.MIG_MODE_PENDING, Attributes.enabled(gpu.migPending()));
        }
        // a MIG-enabled GPU's total printed N/A: its largest MIG profile's memory stands for it (MigMemory)
        long memoryBytes = Math.max(0, gpu.memoryTotalMiB()) * MIB;
        Optional<PartitionProfile> memoryFrom = MigMemory.standIn(memoryBytes, Boolean.TRUE.equals(gpu.migCurrent()), profiles);
        memoryFrom.ifPresent(p -> attributes.put(Attributes.MEMORY_FROM_PROFILE, p.name()));
        if (inTopo && topo.gpuNumaId(label) >= 0) {
            attributes.put(Attributes.GPU_NUMA_NODE, Integer.toString(topo.gpuNumaId(label)));
        }
        attributes.put(Attributes.SOURCE, "nvidia-smi");
        Health health = HealthRules.evaluate(gpu.throttleReasons(), gpu.retiredPagesPending(), gpu.remappedRowsPending(),
                gpu.remappingFailed(), List.of(), gpu.memoryRepair(), inforomCorrupted);
        List<String> missing = new ArrayList<>(unreachable);
        if (gpu.uuid() == null) {
            missing.add(GpuIds.named(gpu.index(), pci) + " has no UUID (nvidia-smi -q -x shows none)");
        }
        if (gpu.productName() == null) {
            missing.add(GpuIds.named(gpu.index(), pci) + " has no product name (nvidia-smi -q -x shows none)");
        }
        if (!missing.isEmpty()) {
            health = GpuIds.failed(missing, health);
        }
        return Accelerator.builder()
                .id(id)
                .vendor("NVIDIA")
                .model(gpu.productName() == null ? GpuIds.UNKNOWN_MODEL : gpu.productName())
                .memoryBytes(memoryFrom.map(PartitionProfile::memoryBytes).orElse(memoryBytes))
                .computeCapability(cc)
                .pciAddress(pci)
                .numaNode(numa)
                .cpuAffinity(cpus)
                .pcie(pcie)
                .interconnectDomain(domain)
                .linkBandwidthGBps(linkBandwidth)
                .links(links)
                .partitionProfiles(profiles)
                .partitioningEnabled(Boolean.TRUE.equals(gpu.migCurrent()))
                .power(new PowerLimits(gpu.powerEnforcedWatts(), gpu.powerDefaultWatts(), gpu.powerMinWatts(), gpu.powerMaxWatts()))
                .health(health)
                .attributes(attributes)
                .build();
    }

    /**
     * A GPU nvidia-smi named as lost: FAILED, with what nvidia-smi printed for it, under the id of a
     * GPU without UUID (its PCI address, else its index); model {@value GpuIds#UNKNOWN_MODEL},
     * memory 0, the locality sysfs gives for its PCI address.
     */
    private static Accelerator lost(SmiLog log, GpuIndices.Lost gone, String host, PciSysfs sysfs) {
        Map<String, String> attributes = new LinkedHashMap<>();
        put(attributes, Attributes.DRIVER_VERSION, log.driverVersion());
        put(attributes, Attributes.CUDA_VERSION, log.cudaVersion());
        attributes.put(Attributes.SOURCE, "nvidia-smi");
        return Accelerator.builder()
                .id(GpuIds.of(host, null, gone.pciAddress(), gone.index()))
                .vendor("NVIDIA")
                .model(GpuIds.UNKNOWN_MODEL)
                .memoryBytes(0)
                .pciAddress(gone.pciAddress())
                .numaNode(sysfs.numaNode(gone.pciAddress()))
                .cpuAffinity(sysfs.localCpus(gone.pciAddress()))
                .health(GpuIds.failed(List.of(gone.reason()), Health.OK))
                .attributes(attributes)
                .build();
    }

    private static void put(Map<String, String> attributes, String key, String value) {
        if (value != null && !value.isBlank()) {
            attributes.put(key, value);
        }
    }
}
