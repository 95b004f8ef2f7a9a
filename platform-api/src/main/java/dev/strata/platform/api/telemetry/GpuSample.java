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

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this gpuSample's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link GpuSample}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: -1 (not reported) for every measurement, no throttle reasons; the accelerator and the instant have none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String acceleratorId;
        private Instant at;
        private double gpuUtilisationPercent = -1;
        private double memoryUtilisationPercent = -1;
        private long memoryUsedBytes = -1;
        private double powerWatts = -1;
        private double temperatureCelsius = -1;
        private int smClockMHz = -1;
        private Set<String> throttleReasons = Set.of();
        private long eccCorrected = -1;
        private long eccUncorrected = -1;

        private Builder() {
        }

        private Builder(GpuSample r) {
            acceleratorId = r.acceleratorId;
            at = r.at;
            gpuUtilisationPercent = r.gpuUtilisationPercent;
            memoryUtilisationPercent = r.memoryUtilisationPercent;
            memoryUsedBytes = r.memoryUsedBytes;
            powerWatts = r.powerWatts;
            temperatureCelsius = r.temperatureCelsius;
            smClockMHz = r.smClockMHz;
            throttleReasons = r.throttleReasons;
            eccCorrected = r.eccCorrected;
            eccUncorrected = r.eccUncorrected;
        }

        /** See {@link GpuSample#acceleratorId()}. */
        public Builder acceleratorId(String value) {
            acceleratorId = value;
            return this;
        }

        /** See {@link GpuSample#at()}. */
        public Builder at(Instant value) {
            at = value;
            return this;
        }

        /** See {@link GpuSample#gpuUtilisationPercent()}. */
        public Builder gpuUtilisationPercent(double value) {
            gpuUtilisationPercent = value;
            return this;
        }

        /** See {@link GpuSample#memoryUtilisationPercent()}. */
        public Builder memoryUtilisationPercent(double value) {
            memoryUtilisationPercent = value;
            return this;
        }

        /** See {@link GpuSample#memoryUsedBytes()}. */
        public Builder memoryUsedBytes(long value) {
            memoryUsedBytes = value;
            return this;
        }

        /** See {@link GpuSample#powerWatts()}. */
        public Builder powerWatts(double value) {
            powerWatts = value;
            return this;
        }

        /** See {@link GpuSample#temperatureCelsius()}. */
        public Builder temperatureCelsius(double value) {
            temperatureCelsius = value;
            return this;
        }

        /** See {@link GpuSample#smClockMHz()}. */
        public Builder smClockMHz(int value) {
            smClockMHz = value;
            return this;
        }

        /** See {@link GpuSample#throttleReasons()}. */
        public Builder throttleReasons(Set<String> value) {
            throttleReasons = value;
            return this;
        }

        /** See {@link GpuSample#eccCorrected()}. */
        public Builder eccCorrected(long value) {
            eccCorrected = value;
            return this;
        }

        /** See {@link GpuSample#eccUncorrected()}. */
        public Builder eccUncorrected(long value) {
            eccUncorrected = value;
            return this;
        }

        /**
         * The gpuSample.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public GpuSample build() {
            return new GpuSample(acceleratorId, at, gpuUtilisationPercent, memoryUtilisationPercent, memoryUsedBytes, powerWatts, temperatureCelsius, smClockMHz, throttleReasons, eccCorrected, eccUncorrected);
        }
    }
}
