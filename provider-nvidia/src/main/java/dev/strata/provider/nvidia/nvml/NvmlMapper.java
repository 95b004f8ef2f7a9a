package dev.strata.provider.nvidia.nvml;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.provider.nvidia.device.Attributes;
import dev.strata.provider.nvidia.device.MigMemory;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.HealthRules;
import dev.strata.provider.nvidia.device.NvLinkDomains;
import dev.strata.provider.nvidia.device.PciAddresses;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.PcieSpeeds;
import dev.strata.provider.nvidia.device.ThrottleReasons;
import dev.strata.provider.nvidia.device.XidLog;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps what {@link Nvml} reports to Strata's model. Stateless; values NVML does not support on a
 * device are unknown ({@link NvmlErrors#orUnknown}); an error of one device's own makes that device
 * FAILED; every other error propagates as {@link NvmlException}.
 *
 * <ul>
 * <li>NUMA node: the single node of {@code nvmlDeviceGetMemoryAffinity} (node scope), as
 *     {@code topo -m} shows it under "NUMA Affinity"; sysfs {@code numa_node} when NVML has none.
 *     {@code nvmlDeviceGetNumaNodeId} (the node of the GPU's own memory) goes to the
 *     {@code gpuNumaNode} attribute.</li>
 * <li>MIG profiles: every {@code NVML_GPU_INSTANCE_PROFILE_*} index the device answers, with its
 *     possible placements, sorted as {@code nvidia-smi mig -lgip} lists them (by slices, memory,
 *     id); names lose NVML's {@code MIG } prefix; total slices = the most slices of any profile.</li>
 * <li>NVLinks: links 0 to 17 until NVML stops answering; an active link's peer is its remote PCI
 *     address and device type. Two GPUs are joined by the links whose remote address is the other
 *     GPU, or, when both lead to NVSwitches, by as many links as the one with fewer switch links
 *     has. Per-link bandwidth is {@link NvLinkDomains#perLinkGBps}.</li>
 * <li>Health: {@link HealthRules} over the clocks event reasons, retired-page and row-remapping
 *     status, and the XIDs in the {@link XidLog}.</li>
 * <li>Ids: the UUID; a GPU whose {@code nvmlDeviceGetUUID} fails, or answers with no {@code GPU-}
 *     UUID, is mapped all the same, under the id {@link GpuIds} gives it and with health FAILED.</li>
 * <li>A GPU NVML cannot read (one of its calls fails with an error of its own, such as
 *     {@code NVML_ERROR_GPU_IS_LOST} for its handle, PCI information, name or memory) is mapped
 *     FAILED with what little is known of it (see {@link #unreadable}), and the other GPUs as usual;
 *     an error that concerns NVML as a whole ({@link NvmlErrors#concernsEveryDevice}) still fails
 *     the mapping.</li>
 * </ul>
 */
public final class NvmlMapper {

    private static final long MIB = 1L << 20;

    private NvmlMapper() {
    }

    /**
     * Who a GPU is.
     *
     * @param id its UUID, or the id {@link GpuIds} makes for a GPU without one
     * @param pci its normalised PCI address, or null
     * @param withoutUuid what NVML answered instead of a UUID, or null when it has one
     * @param unreadable what NVML answered instead of the GPU's PCI information, or null when it gave it
     */
    record Identity(String id, String pci, String withoutUuid, String unreadable) {
    }

    /**
     * Reads who GPU {@code gpu} is; neither its PCI address nor its UUID need be readable.
     *
     * @throws NvmlException for an error that concerns every device ({@link NvmlErrors#concernsEveryDevice})
     */
    static Identity identify(Nvml nvml, int gpu, String host) {
        String pci = null;
        String unreadable = null;
        try {
            pci = PciAddresses.normalise(nvml.pciInfo(gpu).busId());
        } catch (NvmlException e) {
            unreadable = deviceError(e);
        }
        String uuid;
        String why = null;
        try {
            uuid = GpuIds.uuidOrNull(nvml.uuid(gpu));
            if (uuid == null) {
                why = "nvmlDeviceGetUUID returned no GPU- UUID";
            }
        } catch (NvmlException e) {
            uuid = null;
            why = e.getMessage();
        }
        return new Identity(GpuIds.of(host, uuid, pci, gpu), pci, why, unreadable);
    }

    /**
     * One GPU as read: who it is, its NVLinks, and its facts but for its NVLink domain and bandwidth.
     *
     * @param unreadable what NVML answered where the GPU could not be read, or null
     */
    private record Reading(Identity identity, List<DeviceLink> links, Accelerator.Builder accelerator, String unreadable) {
    }

    /**
     * Reads and maps every GPU.
     *
     * @param xids recent XIDs per GPU id (read only)
     * @param sysfs locality fallback
     * @param host this host, as {@link GpuIds#host} names it: part of the id of a GPU without UUID
     * @throws NvmlException when NVML as a whole fails ({@link NvmlErrors#concernsEveryDevice}); an
     *     error of one GPU's own makes that GPU FAILED instead
     */
    public static DiscoveredGpus map(Nvml nvml, XidLog xids, PciSysfs sysfs, String host) {
        String driver = NvmlErrors.orUnknown(nvml::systemDriverVersion, null);
        int cudaVersion = NvmlErrors.orUnknown(nvml::systemCudaDriverVersion, 0);
        String cuda = cudaVersion > 0 ? (cudaVersion / 1000) + "." + (cudaVersion % 1000) / 10 : null;
        int count = nvml.deviceCount();
        List<Reading> readings = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int gpu = 0; gpu < count; gpu++) {
            Reading reading = read(nvml, gpu, host, driver, cuda, xids, sysfs);
            readings.add(reading);
            ids.add(reading.identity().id());
        }
        // a GPU that cannot be read has no known NVLinks or paths, and no other GPU's links lead to it
        Map<String, Integer> gpuOfPci = new HashMap<>();
        for (int gpu = 0; gpu < count; gpu++) {
            if (readable(readings, gpu) && readings.get(gpu).identity().pci() != null) {
                gpuOfPci.put(readings.get(gpu).identity().pci(), gpu);
            }
        }
        int[][] direct = new int[count][count];
        int[] switchLinks = new int[count];
        List<NvLinkDomains.Member> members = new ArrayList<>();
        List<List<String>> joined = new ArrayList<>();
        double[] bandwidth = new double[count];
        for (int gpu = 0; gpu < count; gpu++) {
            List<DeviceLink> links = readings.get(gpu).links();
            for (DeviceLink link : links) {
                if (!link.active()) {
                    continue;
                }
                bandwidth[gpu] += link.bandwidthGBps();
                if ("SWITCH".equals(link.peerKind())) {
                    switchLinks[gpu]++;
                }
                Integer peer = link.peerPciAddress() == null ? null : gpuOfPci.get(link.peerPciAddress());
                if (peer != null && peer != gpu) {
                    direct[gpu][peer]++;
                    joined.add(List.of(ids.get(gpu), ids.get(peer)));
                }
            }
            boolean linked = links.stream().anyMatch(DeviceLink::active);
            members.add(new NvLinkDomains.Member(ids.get(gpu), linked, switchLinks[gpu] > 0, bandwidth[gpu]));
        }
        NvLinkDomains.Domains domains = NvLinkDomains.of(members, joined);
        List<Accelerator> accelerators = new ArrayList<>();
        for (int gpu = 0; gpu < count; gpu++) {
            accelerators.add(readings.get(gpu).accelerator().interconnectDomain(domains.domainOf().get(ids.get(gpu)))
                    .linkBandwidthGBps(bandwidth[gpu]).build());
        }
        List<DevicePath> paths = new ArrayList<>();
        for (int a = 0; a < count; a++) {
            for (int b = 0; b < count; b++) {
                if (a == b || !readable(readings, a) || !readable(readings, b)) {
                    continue;
                }
                int ia = a;
                int ib = b;
                Integer level = NvmlErrors.orUnknown(() -> nvml.topologyCommonAncestor(ia, ib), null);
                int nvlinks = direct[a][b] > 0 ? direct[a][b]
                        : switchLinks[a] > 0 && switchLinks[b] > 0 ? Math.min(switchLinks[a], switchLinks[b]) : 0;
                TopologyLevel topologyLevel = level == null ? null : level(level);
                if (topologyLevel != null || nvlinks > 0) {
                    paths.add(new DevicePath(ids.get(a), ids.get(b), topologyLevel, nvlinks));
                }
            }
        }
        return new DiscoveredGpus("nvml", accelerators, domains.fabrics(), paths);
    }

    private static boolean readable(List<Reading> readings, int gpu) {
        return readings.get(gpu).unreadable() == null;
    }

    /**
     * Reads one GPU. A call of the GPU's that fails with an error of the GPU's own (it is lost,
     * NVML answers {@code NVML_ERROR_UNKNOWN}...) ends its reading: it is mapped as
     * {@linkplain #unreadable unreadable}, and the other GPUs are read as usual.
     */
    private static Reading read(Nvml nvml, int gpu, String host, String driver, String cuda, XidLog xids, PciSysfs sysfs) {
        Identity identity = identify(nvml, gpu, host);
        String why = identity.unreadable();
        if (why == null) {
            try {
                int[] cc = NvmlErrors.orUnknown(() -> nvml.cudaComputeCapability(gpu), null);
                String capability = cc == null ? null : cc[0] + "." + cc[1];
                List<DeviceLink> links = nvLinks(nvml, gpu, capability);
                return new Reading(identity, links, accelerator(nvml, gpu, identity, capability, links, driver, cuda, xids, sysfs), null);
            } catch (NvmlException e) {
                why = deviceError(e);
            }
        }
        return new Reading(identity, List.of(), unreadable(nvml, gpu, identity, why, driver, cuda, xids, sysfs), why);
    }

    /** The message of an error of one device's call; an error that concerns every device is thrown on. */
    private static String deviceError(NvmlException e) {
        if (NvmlErrors.concernsEveryDevice(e.code())) {
            throw e;
        }
        return e.getMessage();
    }

    private static List<DeviceLink> nvLinks(Nvml nvml, int gpu, String cc) {
        List<DeviceLink> links = new ArrayList<>();
        for (int link = 0; link < Nvml.MAX_NVLINKS; link++) {
            int l = link;
            Boolean active;
            try {
                active = NvmlErrors.orUnknown(() -> nvml.nvLinkActive(gpu, l), null);
            } catch (NvmlException e) {
                if (e.code() == NvmlErrors.INVALID_ARGUMENT) {
                    break;
                }
                throw e;
            }
            if (active == null) {
                break;
            }
            String peer = null;
            String kind = null;
            if (active) {
                Nvml.PciInfo remote = NvmlErrors.orUnknown(() -> nvml.nvLinkRemotePciInfo(gpu, l), null);
                peer = remote == null ? null : PciAddresses.normalise(remote.busId());
                int type = NvmlErrors.orUnknown(() -> nvml.nvLinkRemoteDeviceType(gpu, l), Nvml.NVLINK_DEVICE_UNKNOWN);
                kind = switch (type) {
                    case Nvml.NVLINK_DEVICE_GPU -> "GPU";
                    case Nvml.NVLINK_DEVICE_SWITCH -> "SWITCH";
                    case Nvml.NVLINK_DEVICE_IBMNPU -> "CPU";
                    default -> null;
                };
            }
            links.add(new DeviceLink(link, peer, kind, active ? NvLinkDomains.perLinkGBps(cc) : 0, active));
        }
        return links;
    }

    private static Accelerator.Builder accelerator(Nvml nvml, int gpu, Identity identity, String cc, List<DeviceLink> links,
            String driver, String cuda, XidLog xids, PciSysfs sysfs) {
        String pci = identity.pci();
        // NVML gives a MIG-enabled GPU's memory as a whole only to a caller privileged enough to see
        // every instance (nvmlDeviceGetMemoryInfo), and answers the others NVML_ERROR_NO_PERMISSION:
        // not a GPU that cannot be read; its largest MIG profile's memory stands for the total (MigMemory)
        Nvml.MemoryInfo memory = NvmlErrors.orUnknown(() -> nvml.memoryInfo(gpu), null);
        Nvml.Modes mig = NvmlErrors.orUnknown(() -> nvml.migMode(gpu), null);
        List<PartitionProfile> profiles = mig == null ? List.of() : profiles(nvml, gpu);
        long memoryBytes = memory == null ? 0 : Math.max(0, memory.total());
        Optional<PartitionProfile> memoryFrom = MigMemory.standIn(memoryBytes, mig != null && mig.current(), profiles);
        Nvml.Modes ecc = NvmlErrors.orUnknown(() -> nvml.eccMode(gpu), null);
        int genCurrent = NvmlErrors.orUnknown(() -> nvml.currPcieLinkGeneration(gpu), 0);
        int genMax = NvmlErrors.orUnknown(() -> nvml.maxPcieLinkGeneration(gpu), 0);
        int widthCurrent = NvmlErrors.orUnknown(() -> nvml.currPcieLinkWidth(gpu), 0);
        int widthMax = NvmlErrors.orUnknown(() -> nvml.maxPcieLinkWidth(gpu), 0);
        PciLink pcie = genCurrent == 0 && genMax == 0 && widthCurrent == 0 && widthMax == 0 ? null
                : new PciLink(PcieSpeeds.gigaTransfersOf(genCurrent), widthCurrent, PcieSpeeds.gigaTransfersOf(genMax), widthMax);
        Nvml.PowerConstraints constraints = NvmlErrors.orUnknown(() -> nvml.powerManagementLimitConstraints(gpu), null);
        PowerLimits power = new PowerLimits(
                watts(NvmlErrors.orUnknown(() -> nvml.enforcedPowerLimit(gpu), 0)),
                watts(NvmlErrors.orUnknown(() -> nvml.powerManagementDefaultLimit(gpu), 0)),
                constraints == null ? 0 : watts(constraints.minMilliwatts()),
                constraints == null ? 0 : watts(constraints.maxMilliwatts()));
        long[] cpuWords = NvmlErrors.orUnknown(() -> nvml.cpuAffinity(gpu), new long[0]);
        CpuSet cpus = CpuSet.of(BitSet.valueOf(cpuWords));
        if (cpus.isEmpty()) {
            cpus = sysfs.localCpus(pci);
        }
        BitSet nodes = BitSet.valueOf(NvmlErrors.orUnknown(() -> nvml.memoryAffinity(gpu), new long[0]));
        int numa = nodes.cardinality() == 1 ? nodes.nextSetBit(0) : sysfs.numaNode(pci);
        int gpuNumaNode = NvmlErrors.orUnknown(() -> nvml.numaNodeId(gpu), -1);
        long reasons = NvmlErrors.orUnknown(() -> nvml.clocksEventReasons(gpu), 0L);
        Boolean retiredPending = NvmlErrors.orUnknown(() -> nvml.retiredPagesPending(gpu), null);
        Nvml.RemappedRows remapped = NvmlErrors.orUnknown(() -> nvml.remappedRows(gpu), null);
        Boolean inforomCorrupted = NvmlErrors.orUnknown(() -> nvml.inforomCorrupted(gpu), null);
        Map<String, String> attributes = new LinkedHashMap<>();
        put(attributes, Attributes.SERIAL, NvmlErrors.orUnknown(() -> nvml.serial(gpu), null));
        put(attributes, Attributes.DRIVER_VERSION, driver);
        put(attributes, Attributes.CUDA_VERSION, cuda);
        put(attributes, Attributes.VBIOS_VERSION, NvmlErrors.orUnknown(() -> nvml.vbiosVersion(gpu), null));
        if (ecc != null) {
            attributes.put(Attributes.ECC_MODE, Attributes.enabled(ecc.current()));
        }
        if (mig != null) {
            attributes.put(Attributes.MIG_MODE_PENDING, Attributes.enabled(mig.pending()));
        }
        memoryFrom.ifPresent(p -> attributes.put(Attributes.MEMORY_FROM_PROFILE, p.name()));
        if (gpuNumaNode >= 0) {
            attributes.put(Attributes.GPU_NUMA_NODE, Integer.toString(gpuNumaNode));
        }
        attributes.put(Attributes.SOURCE, "nvml");
        Health health = HealthRules.evaluate(ThrottleReasons.ofMask(reasons), retiredPending, remapped == null ? null : remapped.pending(),
                remapped == null ? null : remapped.failed(), xids.recent(identity.id()), HealthRules.MemoryRepair.UNKNOWN,
                inforomCorrupted);
        if (identity.withoutUuid() != null) {
            health = GpuIds.withoutUuid(gpu, pci, identity.withoutUuid(), health);
        }
        String name = nvml.name(gpu);
        if (name == null || name.isBlank()) { // as nvidia-smi's GPU without product name
            health = GpuIds.failed(List.of(GpuIds.named(gpu, pci) + " has no name (nvmlDeviceGetName answers a blank one)"), health);
        }
        return Accelerator.builder()
                .id(identity.id())
                .vendor("NVIDIA")
                .model(name == null || name.isBlank() ? GpuIds.UNKNOWN_MODEL : name.strip())
                .memoryBytes(memoryFrom.map(PartitionProfile::memoryBytes).orElse(memoryBytes))
                .computeCapability(cc)
                .pciAddress(pci)
                .numaNode(numa)
                .cpuAffinity(cpus)
                .pcie(pcie)
                .links(links)
                .partitionProfiles(profiles)
                .partitioningEnabled(mig != null && mig.current())
                .power(power)
                .health(health)
                .attributes(attributes);
    }

    /**
     * A GPU NVML cannot read: FAILED, with the reason what NVML answered, under its UUID or the id
     * {@link GpuIds} gives a GPU without one. Of its facts it has what NVML still answers of its
     * name and memory (else model {@value GpuIds#UNKNOWN_MODEL} and memory 0), its PCI address where
     * known and the locality sysfs gives for it, the driver and CUDA versions; nothing else.
     */
    private static Accelerator.Builder unreadable(Nvml nvml, int gpu, Identity identity, String why, String driver, String cuda,
            XidLog xids, PciSysfs sysfs) {
        String pci = identity.pci();
        String model = null;
        long memory = 0;
        try {
            model = nvml.name(gpu);
        } catch (NvmlException e) {
            // unknown
        }
        try {
            memory = Math.max(0, nvml.memoryInfo(gpu).total());
        } catch (NvmlException e) {
            // unknown
        }
        List<String> reasons = new ArrayList<>();
        reasons.add(GpuIds.named(gpu, pci) + " cannot be read (" + why + ")");
        if (identity.withoutUuid() != null && !identity.withoutUuid().equals(why)) {
            reasons.add(GpuIds.named(gpu, pci) + " has no UUID (" + identity.withoutUuid() + ")");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        put(attributes, Attributes.DRIVER_VERSION, driver);
        put(attributes, Attributes.CUDA_VERSION, cuda);
        attributes.put(Attributes.SOURCE, "nvml");
        return Accelerator.builder()
                .id(identity.id())
                .vendor("NVIDIA")
                .model(model == null || model.isBlank() ? GpuIds.UNKNOWN_MODEL : model)
                .memoryBytes(memory)
                .pciAddress(pci)
                .numaNode(sysfs.numaNode(pci))
                .cpuAffinity(sysfs.localCpus(pci))
                .health(GpuIds.failed(reasons, HealthRules.evaluate(List.of(), null, null, null, xids.recent(identity.id()))))
                .attributes(attributes);
    }

    /** The MIG GPU instance profiles of a device, as {@code nvidia-smi mig -lgip} orders them. */
    static List<PartitionProfile> profiles(Nvml nvml, int gpu) {
        List<Nvml.GpuInstanceProfile> found = new ArrayList<>();
        for (int index = 0; index < Nvml.GPU_INSTANCE_PROFILE_INDEXES; index++) {
            int i = index;
            try {
                Nvml.GpuInstanceProfile profile = NvmlErrors.orUnknown(() -> nvml.gpuInstanceProfile(gpu, i), null);
                if (profile != null && found.stream().noneMatch(p -> p.id() == profile.id())) {
                    found.add(profile);
                }
            } catch (NvmlException e) {
                if (e.code() != NvmlErrors.INVALID_ARGUMENT && e.code() != NvmlErrors.NOT_FOUND) {
                    throw e;
                }
            }
        }
        found.sort(Comparator.comparingInt(Nvml.GpuInstanceProfile::sliceCount)
                .thenComparingLong(Nvml.GpuInstanceProfile::memorySizeMiB)
                .thenComparingInt(Nvml.GpuInstanceProfile::id));
        int totalSlices = found.stream().mapToInt(Nvml.GpuInstanceProfile::sliceCount).max().orElse(0);
        List<PartitionProfile> profiles = new ArrayList<>();
        for (Nvml.GpuInstanceProfile p : found) {
            List<Nvml.Placement> placements = NvmlErrors.orUnknown(() -> nvml.gpuInstancePossiblePlacements(gpu, p.id()), List.of());
            profiles.add(PartitionProfile.builder().name(name(p)).profileId(p.id()).maxInstances(p.instanceCount())
                    .memoryBytes(p.memorySizeMiB() * MIB).multiprocessors(p.multiprocessorCount()).computeSlices(p.sliceCount())
                    .totalSlices(totalSlices).placements(placements.stream().map(Nvml.Placement::start).toList())
                    .placementSize(placements.isEmpty() ? 0 : placements.get(0).size()).build());
        }
        return profiles;
    }

    private static String name(Nvml.GpuInstanceProfile p) {
        if (p.name() != null && !p.name().isBlank()) {
            String name = p.name().strip();
            return name.startsWith("MIG ") ? name.substring(4) : name;
        }
        return p.sliceCount() + "g." + Math.round(p.memorySizeMiB() / 1024.0) + "gb";
    }

    static TopologyLevel level(int nvmlLevel) {
        return switch (nvmlLevel) {
            case Nvml.TOPOLOGY_INTERNAL -> TopologyLevel.INTERNAL;
            case Nvml.TOPOLOGY_SINGLE -> TopologyLevel.SINGLE;
            case Nvml.TOPOLOGY_MULTIPLE -> TopologyLevel.MULTIPLE;
            case Nvml.TOPOLOGY_HOSTBRIDGE -> TopologyLevel.HOSTBRIDGE;
            case Nvml.TOPOLOGY_NODE -> TopologyLevel.NODE;
            case Nvml.TOPOLOGY_SYSTEM -> TopologyLevel.SYSTEM;
            default -> null;
        };
    }

    private static double watts(int milliwatts) {
        return Math.max(0, milliwatts) / 1000.0;
    }

    private static void put(Map<String, String> attributes, String key, String value) {
        if (value != null && !value.isBlank()) {
            attributes.put(key, value);
        }
    }
}
