package dev.strata.provider.nvidia;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import java.time.Duration;

/**
 * The NVIDIA provider's validated settings.
 *
 * @param nvmlLibrary path of the NVML library, blank to search
 * @param nvidiaSmi nvidia-smi path or name
 * @param telemetryInterval time between samples
 * @param telemetryHistory samples kept per GPU
 * @param commandTimeout the most one nvidia-smi command may take
 */
record NvidiaSettings(String nvmlLibrary, String nvidiaSmi, Duration telemetryInterval, int telemetryHistory, Duration commandTimeout) {

    private static final Duration MINIMUM = Duration.ofMillis(100);

    /**
     * The most samples kept per GPU: each takes some 120 to 200 bytes of heap (nvidia-smi's rows
     * bring their own copy of the UUID), so a host of eight GPUs keeps at most about 160 MB at this
     * bound (a day at one sample a second); a larger number would let one setting exhaust the heap
     * of the whole platform.
     */
    static final int MAX_HISTORY = 100_000;

    /** What {@code telemetryHistory} expects. */
    static final String HISTORY_EXPECTED = "a number of samples from 1 to " + MAX_HISTORY + " (kept per GPU in memory)";

    /**
     * Validates a configuration.
     *
     * @throws InvalidConfigurationException naming the first property that is malformed or out of range
     */
    static NvidiaSettings from(NvidiaConfig config) {
        int telemetryHistory = InvalidConfigurationException.wholeNumber(NvidiaGpuProvider.PID, "telemetryHistory", config::telemetryHistory,
                HISTORY_EXPECTED);
        if (telemetryHistory < 1 || telemetryHistory > MAX_HISTORY) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, "telemetryHistory", telemetryHistory, HISTORY_EXPECTED);
        }
        return new NvidiaSettings(
                config.nvmlLibrary() == null ? "" : config.nvmlLibrary().strip(),
                config.nvidiaSmi() == null || config.nvidiaSmi().isBlank() ? "nvidia-smi" : config.nvidiaSmi().strip(),
                duration("telemetryInterval", config.telemetryInterval()),
                telemetryHistory,
                duration("commandTimeout", config.commandTimeout()));
    }

    /** What {@link #duration} expects. */
    static final String DURATION_EXPECTED = "a duration of at least 100ms, such as 5s, 500ms or 1m "
            + "(units ns, us, ms, s, m, h, d; a bare number is seconds; at most 106751d)";

    static Duration duration(String property, String value) {
        String expected = DURATION_EXPECTED;
        Duration duration;
        try {
            duration = Quantities.duration(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, property, value, expected);
        }
        if (duration.compareTo(MINIMUM) < 0) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, property, value, expected);
        }
        return duration;
    }
}
