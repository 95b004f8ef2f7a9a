package dev.strata.provider.nvidia;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern DURATION = Pattern.compile("\\s*(-?\\d+)\\s*(ms|s|m|h)?\\s*", Pattern.CASE_INSENSITIVE);
    private static final Duration MINIMUM = Duration.ofMillis(100);

    /**
     * Validates a configuration.
     *
     * @throws InvalidConfigurationException naming the first property that is malformed or out of range
     */
    static NvidiaSettings from(NvidiaConfig config) {
        if (config.telemetryHistory() < 1) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, "telemetryHistory", config.telemetryHistory(),
                    "a number of samples of at least 1");
        }
        return new NvidiaSettings(
                config.nvmlLibrary() == null ? "" : config.nvmlLibrary().strip(),
                config.nvidiaSmi() == null || config.nvidiaSmi().isBlank() ? "nvidia-smi" : config.nvidiaSmi().strip(),
                duration("telemetryInterval", config.telemetryInterval()),
                config.telemetryHistory(),
                duration("commandTimeout", config.commandTimeout()));
    }

    static Duration duration(String property, String value) {
        String expected = "a duration of at least 100ms, a whole number with unit ms, s, m or h (e.g. 5s)";
        Matcher m = DURATION.matcher(value == null ? "" : value);
        if (!m.matches()) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, property, value, expected);
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, property, value, expected);
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        Duration duration;
        try {
            duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (ArithmeticException e) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, property, value, expected);
        }
        if (duration.compareTo(MINIMUM) < 0) {
            throw new InvalidConfigurationException(NvidiaGpuProvider.PID, property, value, expected);
        }
        return duration;
    }
}
