package dev.strata.provider.nvidia.nvml;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.ThrottleReasons;
import java.time.Instant;
import java.util.Set;

/**
 * Maps one GPU's NVML readings to a {@link GpuSample}; what the device does not report is -1.
 * Memory used is {@code nvmlDeviceGetMemoryInfo}'s {@code used}, which counts the memory the driver
 * reserves for itself: on an idle H200 it reads 615 MiB where {@code nvidia-smi --query-gpu=memory.used}
 * (which leaves the reserve out) reads 0 MiB.
 */
public final class NvmlSamples {

    private NvmlSamples() {
    }

    public static GpuSample of(Nvml nvml, int gpu, String acceleratorId, Instant at) {
        Nvml.Utilization utilization = NvmlErrors.orUnknown(() -> nvml.utilization(gpu), null);
        Nvml.MemoryInfo memory = NvmlErrors.orUnknown(() -> nvml.memoryInfo(gpu), null);
        int milliwatts = NvmlErrors.orUnknown(() -> nvml.powerUsage(gpu), -1);
        int temperature = NvmlErrors.orUnknown(() -> nvml.temperature(gpu), -1);
        int smClock = NvmlErrors.orUnknown(() -> nvml.clock(gpu, Nvml.CLOCK_SM), -1);
        Long reasons = NvmlErrors.orUnknown(() -> nvml.clocksEventReasons(gpu), null);
        long corrected = NvmlErrors.orUnknown(() -> nvml.volatileEccErrors(gpu, false), -1L);
        long uncorrected = NvmlErrors.orUnknown(() -> nvml.volatileEccErrors(gpu, true), -1L);
        return GpuSample.builder().acceleratorId(acceleratorId).at(at)
                .gpuUtilisationPercent(utilization == null ? -1 : utilization.gpu())
                .memoryUtilisationPercent(utilization == null ? -1 : utilization.memory())
                .memoryUsedBytes(memory == null ? -1 : memory.used())
                .powerWatts(milliwatts < 0 ? -1 : milliwatts / 1000.0)
                .temperatureCelsius(temperature)
                .smClockMHz(smClock)
                .throttleReasons(reasons == null ? Set.of() : ThrottleReasons.ofMask(reasons))
                .eccCorrected(corrected)
                .eccUncorrected(uncorrected)
                .build();
    }
}
