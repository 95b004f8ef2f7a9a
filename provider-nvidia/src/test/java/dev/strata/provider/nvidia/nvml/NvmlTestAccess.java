package dev.strata.provider.nvidia.nvml;

import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.XidLog;
import java.time.Clock;

/** Lets tests of other packages read NVML's recorded stand-ins as the tests of this package do. */
public final class NvmlTestAccess {

    private NvmlTestAccess() {
    }

    /**
     * An NVML source over {@link RecordedNvml#eightH200s}, the recorded H200 copied to eight GPUs,
     * whose GPU {@code lost} answers {@code NVML_ERROR_GPU_IS_LOST} for its handle and so for every
     * call.
     */
    public static NvmlSource eightH200sOneLost(int lost, XidLog xids, PciSysfs sysfs, Clock clock, String host) {
        RecordedNvml nvml = RecordedNvml.eightH200s();
        nvml.devices.get(lost).failWith = NvmlErrors.GPU_IS_LOST;
        return new NvmlSource(() -> nvml, xids, sysfs, clock, host);
    }

    /**
     * The same eight GPUs, of which GPU {@code lost} still answers its UUID but then
     * {@code NVML_ERROR_GPU_IS_LOST} for its memory (a GPU lost after NVML started): it is FAILED
     * under its UUID.
     */
    public static NvmlSource eightH200sOneLostAfterItsUuid(int lost, XidLog xids, PciSysfs sysfs, Clock clock, String host) {
        RecordedNvml nvml = RecordedNvml.eightH200s();
        nvml.devices.get(lost).failing.put("nvmlDeviceGetMemoryInfo", NvmlErrors.GPU_IS_LOST);
        return new NvmlSource(() -> nvml, xids, sysfs, clock, host);
    }

    /** An NVML source whose {@code nvmlInit_v2} answers {@code code}. */
    public static NvmlSource failingToStart(int code, XidLog xids, PciSysfs sysfs, Clock clock, String host) {
        RecordedNvml nvml = new RecordedNvml();
        nvml.initCode = code;
        return new NvmlSource(() -> nvml, xids, sysfs, clock, host);
    }
}
