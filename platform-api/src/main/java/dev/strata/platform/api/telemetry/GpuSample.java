package dev.strata.platform.api.telemetry;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One telemetry sample of one accelerator. Values the device does not report are -1.
 *
 * @param acceleratorId the accelerator's id (GPU UUID)
 * @param at when it was sampled
 * @param gpuUtilisationPercent share of time a kernel ran over the last sample period, 0-100
 * @param memoryUtilisationPercent share of time device memory was read or written, 0-100
 * @param memoryUsedBytes device memory in use
 * @param powerWatts power draw
 * @param temperatureCelsius GPU core temperature
 * @param smClockMHz current SM clock
 * @param throttleReasons active clock throttle reasons (e.g. {@code SW_POWER_CAP}, {@code HW_SLOWDOWN}); empty when none
 * @param eccCorrected volatile corrected ECC error count
 * @param eccUncorrected volatile uncorrected ECC error count
 */
public record GpuSample(String acceleratorId, Instant at, double gpuUtilisationPercent, double memoryUtilisationPercent,
        long memoryUsedBytes, double powerWatts, double temperatureCelsius, int smClockMHz, Set<String> throttleReasons,
        long eccCorrected, long eccUncorrected) {
    public GpuSample {
        Objects.requireNonNull(acceleratorId, "acceleratorId");
        Objects.requireNonNull(at, "at");
        throttleReasons = Set.copyOf(throttleReasons);
    }
}
