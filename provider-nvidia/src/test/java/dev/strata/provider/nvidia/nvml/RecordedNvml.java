package dev.strata.provider.nvidia.nvml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.provider.nvidia.DerivedCaptures;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.ThrottleReasons;
import dev.strata.provider.nvidia.smi.MigProfileParser;
import dev.strata.provider.nvidia.smi.SmiGpu;
import dev.strata.provider.nvidia.smi.SmiXmlParser;
import dev.strata.provider.nvidia.smi.TopoMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the real NVML library, fed with recorded values: it is NOT libnvidia-ml, only
 * what that library answered (or, where the recording lacks a call, what nvidia-smi printed on the
 * same machine). A value left null answers {@code NVML_ERROR_NOT_SUPPORTED}, as NVML does for
 * what a device lacks. Tests also build synthetic devices with it (NVLink and NVSwitch systems,
 * which no fixture has).
 */
final class RecordedNvml implements Nvml {

    /** One recorded device; null fields are not supported. */
    static final class Device {
        String name;
        String uuid;
        String serial;
        String vbios;
        PciInfo pci;
        MemoryInfo memory;
        int[] cc;
        Integer powerLimit;
        Integer defaultLimit;
        Integer enforcedLimit;
        PowerConstraints constraints;
        Modes ecc;
        Modes mig;
        Integer genCurrent;
        Integer genMax;
        Integer widthCurrent;
        Integer widthMax;
        Map<Integer, GpuInstanceProfile> profilesByIndex = new HashMap<>();
        Map<Integer, List<Placement>> placementsById = new HashMap<>();
        List<Boolean> nvLinkActive;
        Map<Integer, PciInfo> remotePci = new HashMap<>();
        Map<Integer, Integer> remoteType = new HashMap<>();
        long[] cpuAffinity;
        long[] memoryAffinity;
        Integer numaNodeId;
        Utilization utilization;
        Integer powerUsage;
        Integer temperature;
        Integer smClock;
        Long clocksEventReasons;
        Long eccCorrected;
        Long eccUncorrected;
        Boolean retiredPagesPending;
        RemappedRows remappedRows;
        /**
         * What {@code nvmlDeviceValidateInforom} found: true for {@code NVML_ERROR_CORRUPTED_INFOROM}; null (no recording
         * has the call) answers {@code NVML_ERROR_NOT_SUPPORTED}, never a corrupted infoROM.
         */
        Boolean inforomCorrupted;
        /**
         * The error {@code nvmlDeviceGetHandleByIndex_v2} answered for the device, which every call of
         * it then answers, as {@link JnaNvml} does: a GPU NVML cannot reach at all.
         */
        Integer failWith;
        /** The error nvmlDeviceGetUUID answers, where it is not NOT_SUPPORTED for a null uuid. */
        Integer uuidFailsWith;
        /** The error each of these functions answers for the device (a GPU lost after NVML started). */
        final Map<String, Integer> failing = new HashMap<>();
    }

    String driver;
    Integer cuda;
    final List<Device> devices = new ArrayList<>();
    final Map<String, Integer> topology = new HashMap<>();
    final List<XidEvent> xids = new ArrayList<>();
    int initCode = NvmlErrors.SUCCESS;
    long initDelayMillis;
    boolean initialised;
    boolean closed;

    /**
     * The H200 of {@code nvidia/h200-vm}: {@code nvml.json} (what pynvml read from NVML: driver,
     * CUDA version, name, UUID, serial, memory, PCI, compute capability, power limit and draw,
     * temperature, utilisation, MIG and ECC modes, current PCIe link, NVLink state: not supported)
     * plus, for the calls the recording lacks, the same machine's {@code nvidia-smi -q -x} (default,
     * min, max and enforced power limits, maximum PCIe link, VBIOS, clock event reasons, row
     * remapping, SM clock, volatile ECC counts), {@code topo -m} (CPU and NUMA affinity) and
     * {@code mig -lgip}/{@code -lgipp} (GPU instance profiles and placements, under the
     * {@code NVML_GPU_INSTANCE_PROFILE_*} indexes of nvml.h: 1_SLICE=0, 2_SLICE=1, 3_SLICE=2,
     * 4_SLICE=3, 7_SLICE=4, 1_SLICE_REV1=7, 1_SLICE_REV2=9).
     */
    static RecordedNvml h200() {
        Path dir = Fixtures.nvidia("h200-vm");
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(dir.resolve("nvml.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SmiGpu xml = SmiXmlParser.parse(Fixtures.bytes(dir.resolve("nvidia-smi-q.xml"))).gpus().get(0);
        TopoMatrix topo = TopoMatrix.parse(Fixtures.text(dir.resolve("topo-m.txt")));
        List<PartitionProfile> profiles = MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")),
                Fixtures.text(dir.resolve("mig-lgipp.txt"))).get(0);

        RecordedNvml nvml = new RecordedNvml();
        nvml.driver = json.get("driver").asText();
        nvml.cuda = json.get("cuda").asInt();
        JsonNode d = json.get("devices").get(0);
        Device device = new Device();
        device.name = d.get("name").asText();
        device.uuid = d.get("uuid").asText();
        device.serial = d.get("serial").asText();
        device.memory = new MemoryInfo(d.get("memory").get("total").asLong(), d.get("memory").get("free").asLong(),
                d.get("memory").get("used").asLong());
        JsonNode pci = d.get("pci");
        device.pci = new PciInfo(pci.get("busId").asText(), 0, 0, 6, pci.get("pciDeviceId").asInt(), pci.get("pciSubSystemId").asInt());
        device.cc = new int[] {d.get("cc").get(0).asInt(), d.get("cc").get(1).asInt()};
        device.powerLimit = d.get("powerLimitMw").asInt();
        device.powerUsage = d.get("powerMw").asInt();
        device.temperature = d.get("tempC").asInt();
        device.utilization = new Utilization(0, 0); // "c_nvmlUtilization_t(gpu: 0 %, memory: 0 %)"
        device.mig = modes(d.get("mig").asText());
        device.ecc = modes(d.get("eccMode").asText());
        device.genCurrent = d.get("pcieGen").asInt();
        device.widthCurrent = d.get("pcieWidth").asInt();
        device.nvLinkActive = new ArrayList<>();
        d.get("nvlink").forEach(link -> device.nvLinkActive.add(link.asText().contains("NotSupported") ? null : Boolean.TRUE));
        device.numaNodeId = d.get("numa").asText().startsWith("ERR") ? null : d.get("numa").asInt();
        // the recording lacks these calls: nvidia-smi -q -x of the same GPU
        device.vbios = xml.vbiosVersion();
        device.defaultLimit = (int) (xml.powerDefaultWatts() * 1000);
        device.enforcedLimit = (int) (xml.powerEnforcedWatts() * 1000);
        device.constraints = new PowerConstraints((int) (xml.powerMinWatts() * 1000), (int) (xml.powerMaxWatts() * 1000));
        device.genMax = xml.pcieGenMax();
        device.widthMax = xml.pcieWidthMax();
        device.clocksEventReasons = ThrottleReasons.maskOf(xml.throttleReasons());
        device.remappedRows = new RemappedRows(0, 0, xml.remappedRowsPending(), xml.remappingFailed());
        device.retiredPagesPending = xml.retiredPagesPending();
        device.smClock = xml.smClockMHz();
        device.eccCorrected = xml.eccVolatileCorrected();
        device.eccUncorrected = xml.eccVolatileUncorrected();
        // topo -m: CPU Affinity and NUMA Affinity
        device.cpuAffinity = mask(topo.cpuAffinity("GPU0"));
        device.memoryAffinity = mask(CpuSet.of(topo.numaNode("GPU0")));
        int[] indexOfId = new int[32];
        indexOfId[19] = 0;
        indexOfId[14] = 1;
        indexOfId[9] = 2;
        indexOfId[5] = 3;
        indexOfId[0] = 4;
        indexOfId[20] = 7;
        indexOfId[15] = 9;
        for (PartitionProfile p : profiles) {
            device.profilesByIndex.put(indexOfId[p.profileId()], new GpuInstanceProfile(p.profileId(), p.computeSlices(),
                    p.maxInstances(), p.multiprocessors(), Math.round(p.memoryBytes() / (double) (1L << 20)), "MIG " + p.name()));
            List<Placement> placements = new ArrayList<>();
            p.placements().forEach(start -> placements.add(new Placement(start, p.placementSize())));
            device.placementsById.put(p.profileId(), placements);
        }
        nvml.devices.add(device);
        return nvml;
    }

    /**
     * An eight-GPU host made of the recorded H200 ({@link #h200()}): the fixtures hold only one-GPU
     * machines. The recorded device is kept as GPU 0 and copied seven times, as
     * {@link DerivedCaptures#eightGpusOneWithoutUuid} does with nvidia-smi's: copy {@code i} sits at
     * PCI bus {@code 0x10 + i} ({@code 00000000:1i:00.0}) and has the recorded UUID with its last
     * four digits replaced by {@code f00i} ({@link DerivedCaptures#uuidOf}); everything else is
     * the recorded H200's.
     */
    static RecordedNvml eightH200s() {
        RecordedNvml nvml = h200();
        Device recorded = nvml.devices.get(0);
        for (int i = 1; i < 8; i++) {
            Device copy = h200().devices.get(0);
            copy.pci = new PciInfo(String.format("00000000:%02X:00.0", 0x10 + i), recorded.pci.domain(), 0x10 + i, 0,
                    recorded.pci.pciDeviceId(), recorded.pci.pciSubSystemId());
            copy.uuid = DerivedCaptures.uuidOf(recorded.uuid, i);
            nvml.devices.add(copy);
        }
        return nvml;
    }

    private static Modes modes(String pair) {
        String[] parts = pair.replaceAll("[\\[\\]\\s]", "").split(",");
        return new Modes(!parts[0].equals("0"), !parts[1].equals("0"));
    }

    static long[] mask(CpuSet set) {
        BitSet bits = new BitSet();
        set.stream().forEach(bits::set);
        return bits.toLongArray();
    }

    private static <T> T supported(T value, String function) {
        if (value == null) {
            throw new NvmlException(function, NvmlErrors.NOT_SUPPORTED);
        }
        return value;
    }

    /** The device, for a call of {@code function}: answers the errors the device was given. */
    private Device device(int gpu, String function) {
        if (!initialised) {
            throw new NvmlException(function, NvmlErrors.UNINITIALIZED);
        }
        if (gpu < 0 || gpu >= devices.size()) {
            throw new NvmlException("device index " + gpu, NvmlErrors.INVALID_ARGUMENT);
        }
        Device device = devices.get(gpu);
        if (device.failWith != null) {
            throw new NvmlException("nvmlDeviceGetHandleByIndex_v2", device.failWith);
        }
        if (device.failing.containsKey(function)) {
            throw new NvmlException(function, device.failing.get(function));
        }
        return device;
    }

    @Override
    public void init() {
        if (initDelayMillis > 0) {
            try {
                Thread.sleep(initDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (initCode != NvmlErrors.SUCCESS) {
            throw new NvmlException("nvmlInit_v2", initCode);
        }
        initialised = true;
    }

    @Override
    public void close() {
        initialised = false;
        closed = true;
    }

    @Override
    public String systemDriverVersion() {
        return supported(driver, "nvmlSystemGetDriverVersion");
    }

    @Override
    public int systemCudaDriverVersion() {
        return supported(cuda, "nvmlSystemGetCudaDriverVersion_v2");
    }

    @Override
    public int deviceCount() {
        return devices.size();
    }

    @Override
    public String name(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetName").name, "nvmlDeviceGetName");
    }

    @Override
    public String uuid(int gpu) {
        if (device(gpu, "nvmlDeviceGetUUID").uuidFailsWith != null) {
            throw new NvmlException("nvmlDeviceGetUUID", device(gpu, "nvmlDeviceGetUUID").uuidFailsWith);
        }
        return supported(device(gpu, "nvmlDeviceGetUUID").uuid, "nvmlDeviceGetUUID");
    }

    @Override
    public String serial(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetSerial").serial, "nvmlDeviceGetSerial");
    }

    @Override
    public PciInfo pciInfo(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetPciInfo_v3").pci, "nvmlDeviceGetPciInfo_v3");
    }

    @Override
    public MemoryInfo memoryInfo(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetMemoryInfo").memory, "nvmlDeviceGetMemoryInfo");
    }

    @Override
    public int[] cudaComputeCapability(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetCudaComputeCapability").cc, "nvmlDeviceGetCudaComputeCapability");
    }

    @Override
    public int powerManagementLimit(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetPowerManagementLimit").powerLimit, "nvmlDeviceGetPowerManagementLimit");
    }

    @Override
    public int powerManagementDefaultLimit(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetPowerManagementDefaultLimit").defaultLimit, "nvmlDeviceGetPowerManagementDefaultLimit");
    }

    @Override
    public PowerConstraints powerManagementLimitConstraints(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetPowerManagementLimitConstraints").constraints, "nvmlDeviceGetPowerManagementLimitConstraints");
    }

    @Override
    public int enforcedPowerLimit(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetEnforcedPowerLimit").enforcedLimit, "nvmlDeviceGetEnforcedPowerLimit");
    }

    @Override
    public Modes eccMode(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetEccMode").ecc, "nvmlDeviceGetEccMode");
    }

    @Override
    public int currPcieLinkGeneration(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetCurrPcieLinkGeneration").genCurrent, "nvmlDeviceGetCurrPcieLinkGeneration");
    }

    @Override
    public int currPcieLinkWidth(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetCurrPcieLinkWidth").widthCurrent, "nvmlDeviceGetCurrPcieLinkWidth");
    }

    @Override
    public int maxPcieLinkGeneration(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetMaxPcieLinkGeneration").genMax, "nvmlDeviceGetMaxPcieLinkGeneration");
    }

    @Override
    public int maxPcieLinkWidth(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetMaxPcieLinkWidth").widthMax, "nvmlDeviceGetMaxPcieLinkWidth");
    }

    @Override
    public Modes migMode(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetMigMode").mig, "nvmlDeviceGetMigMode");
    }

    @Override
    public GpuInstanceProfile gpuInstanceProfile(int gpu, int profileIndex) {
        if (profileIndex > 0x10) {
            throw new NvmlException("nvmlDeviceGetGpuInstanceProfileInfoV", NvmlErrors.INVALID_ARGUMENT);
        }
        return supported(device(gpu, "nvmlDeviceGetGpuInstanceProfileInfoV").profilesByIndex.get(profileIndex),
                "nvmlDeviceGetGpuInstanceProfileInfoV");
    }

    @Override
    public List<Placement> gpuInstancePossiblePlacements(int gpu, int profileId) {
        return supported(device(gpu, "nvmlDeviceGetGpuInstancePossiblePlacements_v2").placementsById.get(profileId),
                "nvmlDeviceGetGpuInstancePossiblePlacements_v2");
    }

    @Override
    public boolean nvLinkActive(int gpu, int link) {
        List<Boolean> links = device(gpu, "nvmlDeviceGetNvLinkState").nvLinkActive;
        if (links == null || link >= links.size()) {
            throw new NvmlException("nvmlDeviceGetNvLinkState", links == null ? NvmlErrors.NOT_SUPPORTED : NvmlErrors.INVALID_ARGUMENT);
        }
        return supported(links.get(link), "nvmlDeviceGetNvLinkState");
    }

    @Override
    public PciInfo nvLinkRemotePciInfo(int gpu, int link) {
        return supported(device(gpu, "nvmlDeviceGetNvLinkRemotePciInfo_v2").remotePci.get(link), "nvmlDeviceGetNvLinkRemotePciInfo_v2");
    }

    @Override
    public int nvLinkRemoteDeviceType(int gpu, int link) {
        return supported(device(gpu, "nvmlDeviceGetNvLinkRemoteDeviceType").remoteType.get(link), "nvmlDeviceGetNvLinkRemoteDeviceType");
    }

    @Override
    public int topologyCommonAncestor(int gpu1, int gpu2) {
        device(gpu1, "nvmlDeviceGetTopologyCommonAncestor");
        device(gpu2, "nvmlDeviceGetTopologyCommonAncestor");
        return supported(topology.get(Math.min(gpu1, gpu2) + "-" + Math.max(gpu1, gpu2)), "nvmlDeviceGetTopologyCommonAncestor");
    }

    @Override
    public long[] cpuAffinity(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetCpuAffinity").cpuAffinity, "nvmlDeviceGetCpuAffinity");
    }

    @Override
    public long[] memoryAffinity(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetMemoryAffinity").memoryAffinity, "nvmlDeviceGetMemoryAffinity");
    }

    @Override
    public int numaNodeId(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetNumaNodeId").numaNodeId, "nvmlDeviceGetNumaNodeId");
    }

    @Override
    public Utilization utilization(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetUtilizationRates").utilization, "nvmlDeviceGetUtilizationRates");
    }

    @Override
    public int powerUsage(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetPowerUsage").powerUsage, "nvmlDeviceGetPowerUsage");
    }

    @Override
    public int temperature(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetTemperature").temperature, "nvmlDeviceGetTemperature");
    }

    @Override
    public int clock(int gpu, int clockType) {
        return supported(clockType == CLOCK_SM ? device(gpu, "nvmlDeviceGetClockInfo").smClock : null, "nvmlDeviceGetClockInfo");
    }

    @Override
    public long clocksEventReasons(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetCurrentClocksEventReasons").clocksEventReasons, "nvmlDeviceGetCurrentClocksEventReasons");
    }

    @Override
    public long volatileEccErrors(int gpu, boolean uncorrected) {
        Device device = device(gpu, "nvmlDeviceGetTotalEccErrors");
        return supported(uncorrected ? device.eccUncorrected : device.eccCorrected, "nvmlDeviceGetTotalEccErrors");
    }

    @Override
    public boolean retiredPagesPending(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetRetiredPagesPendingStatus").retiredPagesPending, "nvmlDeviceGetRetiredPagesPendingStatus");
    }

    @Override
    public RemappedRows remappedRows(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetRemappedRows").remappedRows, "nvmlDeviceGetRemappedRows");
    }

    @Override
    public boolean inforomCorrupted(int gpu) {
        return supported(device(gpu, "nvmlDeviceValidateInforom").inforomCorrupted, "nvmlDeviceValidateInforom");
    }

    @Override
    public String vbiosVersion(int gpu) {
        return supported(device(gpu, "nvmlDeviceGetVbiosVersion").vbios, "nvmlDeviceGetVbiosVersion");
    }

    @Override
    public List<XidEvent> pollXidEvents() {
        List<XidEvent> drained = List.copyOf(xids);
        xids.clear();
        return drained;
    }
}
