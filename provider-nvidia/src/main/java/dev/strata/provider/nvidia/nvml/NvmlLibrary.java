package dev.strata.provider.nvidia.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * JNA interface mapping of the NVML functions {@link JnaNvml} calls, as declared in {@code nvml.h}
 * (driver 580). {@code nvmlDevice_t} and {@code nvmlEventSet_t} are opaque pointers; C
 * {@code unsigned int} maps to {@code int}, {@code unsigned long long} to {@code long}; structures
 * are passed as {@link com.sun.jna.Memory} and read at their documented offsets in {@link JnaNvml}.
 * A function the installed driver lacks fails with {@link UnsatisfiedLinkError} when called.
 */
interface NvmlLibrary extends Library {

    int nvmlInit_v2();

    int nvmlShutdown();

    int nvmlSystemGetDriverVersion(byte[] version, int length);

    int nvmlSystemGetCudaDriverVersion_v2(IntByReference cudaDriverVersion);

    int nvmlDeviceGetCount_v2(IntByReference deviceCount);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    int nvmlDeviceGetSerial(Pointer device, byte[] serial, int length);

    int nvmlDeviceGetVbiosVersion(Pointer device, byte[] version, int length);

    int nvmlDeviceGetPciInfo_v3(Pointer device, Pointer pci);

    int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

    int nvmlDeviceGetCudaComputeCapability(Pointer device, IntByReference major, IntByReference minor);

    int nvmlDeviceGetPowerManagementLimit(Pointer device, IntByReference limit);

    int nvmlDeviceGetPowerManagementDefaultLimit(Pointer device, IntByReference defaultLimit);

    int nvmlDeviceGetPowerManagementLimitConstraints(Pointer device, IntByReference minLimit, IntByReference maxLimit);

    int nvmlDeviceGetEnforcedPowerLimit(Pointer device, IntByReference limit);

    int nvmlDeviceGetEccMode(Pointer device, IntByReference current, IntByReference pending);

    int nvmlDeviceGetCurrPcieLinkGeneration(Pointer device, IntByReference currLinkGen);

    int nvmlDeviceGetCurrPcieLinkWidth(Pointer device, IntByReference currLinkWidth);

    int nvmlDeviceGetMaxPcieLinkGeneration(Pointer device, IntByReference maxLinkGen);

    int nvmlDeviceGetMaxPcieLinkWidth(Pointer device, IntByReference maxLinkWidth);

    int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);

    int nvmlDeviceGetGpuInstanceProfileInfoV(Pointer device, int profile, Pointer info);

    int nvmlDeviceGetGpuInstanceProfileInfo(Pointer device, int profile, Pointer info);

    int nvmlDeviceGetGpuInstancePossiblePlacements_v2(Pointer device, int profileId, Pointer placements, IntByReference count);

    int nvmlDeviceGetNvLinkState(Pointer device, int link, IntByReference isActive);

    int nvmlDeviceGetNvLinkRemotePciInfo_v2(Pointer device, int link, Pointer pci);

    int nvmlDeviceGetNvLinkRemoteDeviceType(Pointer device, int link, IntByReference remoteType);

    int nvmlDeviceGetTopologyCommonAncestor(Pointer device1, Pointer device2, IntByReference pathInfo);

    int nvmlDeviceGetCpuAffinity(Pointer device, int cpuSetSize, Pointer cpuSet);

    int nvmlDeviceGetMemoryAffinity(Pointer device, int nodeSetSize, Pointer nodeSet, int scope);

    int nvmlDeviceGetNumaNodeId(Pointer device, IntByReference node);

    int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

    int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference temp);

    int nvmlDeviceGetClockInfo(Pointer device, int type, IntByReference clock);

    int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, LongByReference clocksEventReasons);

    int nvmlDeviceGetCurrentClocksThrottleReasons(Pointer device, LongByReference clocksThrottleReasons);

    int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, LongByReference eccCounts);

    int nvmlDeviceGetRetiredPagesPendingStatus(Pointer device, IntByReference isPending);

    int nvmlDeviceGetRemappedRows(Pointer device, IntByReference corrRows, IntByReference uncRows, IntByReference isPending,
            IntByReference failureOccurred);

    int nvmlDeviceValidateInforom(Pointer device);

    int nvmlEventSetCreate(PointerByReference set);

    int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

    int nvmlEventSetWait_v2(Pointer set, Pointer data, int timeoutms);

    int nvmlEventSetFree(Pointer set);
}
