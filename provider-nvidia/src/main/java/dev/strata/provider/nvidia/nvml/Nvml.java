package dev.strata.provider.nvidia.nvml;

import java.util.List;

/**
 * The NVML calls Strata makes, in plain Java types: devices are addressed by index, text comes back
 * as {@link String}, structures as records. Every method throws {@link NvmlException} with NVML's
 * return code when the call does not succeed ({@code NVML_ERROR_NOT_SUPPORTED} included: callers
 * decide what is merely unknown). {@link JnaNvml} binds it to {@code libnvidia-ml.so.1}; tests use
 * recorded values. Units are NVML's: milliwatts, bytes, MiB, MHz, degrees Celsius.
 */
public interface Nvml extends AutoCloseable {

    /** {@code NVML_TOPOLOGY_*} levels of {@link #topologyCommonAncestor}. */
    int TOPOLOGY_INTERNAL = 0;
    int TOPOLOGY_SINGLE = 10;
    int TOPOLOGY_MULTIPLE = 20;
    int TOPOLOGY_HOSTBRIDGE = 30;
    int TOPOLOGY_NODE = 40;
    int TOPOLOGY_SYSTEM = 50;

    /** {@code nvmlIntNvLinkDeviceType_t} of {@link #nvLinkRemoteDeviceType}. */
    int NVLINK_DEVICE_GPU = 0;
    int NVLINK_DEVICE_IBMNPU = 1;
    int NVLINK_DEVICE_SWITCH = 2;
    int NVLINK_DEVICE_UNKNOWN = 0xFF;

    /** {@code NVML_NVLINK_MAX_LINKS}. */
    int MAX_NVLINKS = 18;

    /** {@code NVML_CLOCK_SM}. */
    int CLOCK_SM = 1;

    /** Profile indexes tried with {@link #gpuInstanceProfile}: NVML defines 0x0 to 0x10 so far. */
    int GPU_INSTANCE_PROFILE_INDEXES = 0x20;

    /**
     * PCI information ({@code nvmlPciInfo_t}).
     *
     * @param busId e.g. {@code 00000000:00:06.0}
     */
    record PciInfo(String busId, int domain, int bus, int device, int pciDeviceId, int pciSubSystemId) {
    }

    /** {@code nvmlMemory_t}, in bytes. */
    record MemoryInfo(long total, long free, long used) {
    }

    /** An enable state pair such as MIG or ECC mode: now and after the next reset. */
    record Modes(boolean current, boolean pending) {
    }

    /** {@code nvmlUtilization_t}, in percent. */
    record Utilization(int gpu, int memory) {
    }

    /** {@code nvmlDeviceGetPowerManagementLimitConstraints}, in milliwatts. */
    record PowerConstraints(int minMilliwatts, int maxMilliwatts) {
    }

    /**
     * {@code nvmlGpuInstanceProfileInfo_v2_t}.
     *
     * @param id the profile id (e.g. 19 for 1g.18gb)
     * @param sliceCount compute slices (the g count)
     * @param instanceCount instances that fit on an empty GPU
     * @param multiprocessorCount SMs
     * @param memorySizeMiB memory in MiB
     * @param name e.g. {@code MIG 1g.18gb}, or null where the driver predates the v2 structure
     */
    record GpuInstanceProfile(int id, int sliceCount, int instanceCount, int multiprocessorCount, long memorySizeMiB, String name) {
    }

    /** {@code nvmlGpuInstancePlacement_t}. */
    record Placement(int start, int size) {
    }

    /** {@code nvmlDeviceGetRemappedRows}. */
    record RemappedRows(int corrected, int uncorrected, boolean pending, boolean failed) {
    }

    /** An XID error event ({@code nvmlEventTypeXidCriticalError}) of the device with this index. */
    record XidEvent(int gpu, long xid) {
    }

    /** {@code nvmlInit_v2}. */
    void init();

    /** {@code nvmlShutdown}; never throws. */
    @Override
    void close();

    String systemDriverVersion();

    /** e.g. 13000 for CUDA 13.0. */
    int systemCudaDriverVersion();

    int deviceCount();

    String name(int gpu);

    String uuid(int gpu);

    String serial(int gpu);

    PciInfo pciInfo(int gpu);

    MemoryInfo memoryInfo(int gpu);

    /** {major, minor}. */
    int[] cudaComputeCapability(int gpu);

    int powerManagementLimit(int gpu);

    int powerManagementDefaultLimit(int gpu);

    PowerConstraints powerManagementLimitConstraints(int gpu);

    int enforcedPowerLimit(int gpu);

    Modes eccMode(int gpu);

    int currPcieLinkGeneration(int gpu);

    int currPcieLinkWidth(int gpu);

    int maxPcieLinkGeneration(int gpu);

    int maxPcieLinkWidth(int gpu);

    Modes migMode(int gpu);

    /**
     * {@code nvmlDeviceGetGpuInstanceProfileInfoV} (falling back to the v1 call).
     *
     * @param profileIndex an {@code NVML_GPU_INSTANCE_PROFILE_*} index, not a profile id
     */
    GpuInstanceProfile gpuInstanceProfile(int gpu, int profileIndex);

    /** {@code nvmlDeviceGetGpuInstancePossiblePlacements_v2}. */
    List<Placement> gpuInstancePossiblePlacements(int gpu, int profileId);

    boolean nvLinkActive(int gpu, int link);

    /** {@code nvmlDeviceGetNvLinkRemotePciInfo_v2}. */
    PciInfo nvLinkRemotePciInfo(int gpu, int link);

    int nvLinkRemoteDeviceType(int gpu, int link);

    /** One of the {@code TOPOLOGY_*} levels. */
    int topologyCommonAncestor(int gpu1, int gpu2);

    /** The CPUs local to the device as 64-bit mask words, lowest CPUs first. */
    long[] cpuAffinity(int gpu);

    /** The NUMA nodes local to the device ({@code NVML_AFFINITY_SCOPE_NODE}) as 64-bit mask words. */
    long[] memoryAffinity(int gpu);

    /** {@code nvmlDeviceGetNumaNodeId}: the NUMA node of the GPU's own memory, where it is one. */
    int numaNodeId(int gpu);

    Utilization utilization(int gpu);

    int powerUsage(int gpu);

    /** {@code NVML_TEMPERATURE_GPU}. */
    int temperature(int gpu);

    int clock(int gpu, int clockType);

    /** {@code nvmlDeviceGetCurrentClocksEventReasons} (falling back to {@code ...ThrottleReasons}). */
    long clocksEventReasons(int gpu);

    /** {@code nvmlDeviceGetTotalEccErrors}, volatile counter. */
    long volatileEccErrors(int gpu, boolean uncorrected);

    /** {@code nvmlDeviceGetRetiredPagesPendingStatus}. */
    boolean retiredPagesPending(int gpu);

    RemappedRows remappedRows(int gpu);

    /**
     * {@code nvmlDeviceValidateInforom}: true when it answers {@code NVML_ERROR_CORRUPTED_INFOROM}
     * (the checksums of the infoROM read from the flash fail), false when it succeeds.
     */
    boolean inforomCorrupted(int gpu);

    String vbiosVersion(int gpu);

    /**
     * XID errors reported since the last call, without waiting. Registration for XID events happens
     * on {@link #init()}; where the driver does not offer events, this is always empty.
     */
    List<XidEvent> pollXidEvents();
}
