package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inventory's validated settings.
 *
 * @param refreshInterval interval between periodic discoveries
 * @param discoveryTimeout deadline of one provider call
 * @param swapWait how long callers wait for a departed provider
 * @param staleGracePeriod how long a departed or failing provider's resources are kept
 */
public record InventorySettings(Duration refreshInterval, Duration discoveryTimeout, Duration swapWait, Duration staleGracePeriod) {

    public static final String PID = "dev.strata.platform.core.inventory";
    private static final Pattern DURATION = Pattern.compile("\\s*(-?\\d+)\\s*(ms|s|m|h)?\\s*");

    public static final InventorySettings DEFAULTS =
            new InventorySettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(15));

    /**
     * Validates a configuration.
     *
     * @throws InvalidConfigurationException naming the first property that is malformed or out of range
     */
    public static InventorySettings from(InventoryConfig config) {
        return new InventorySettings(
                parse("refreshInterval", config.refreshInterval(), Duration.ofSeconds(1)),
                parse("discoveryTimeout", config.discoveryTimeout(), Duration.ofMillis(100)),
                parse("swapWait", config.swapWait(), Duration.ZERO),
                parse("staleGracePeriod", config.staleGracePeriod(), Duration.ZERO));
    }

    static Duration parse(String property, String value, Duration minimum) {
        String expected = "a duration of at least " + describe(minimum) + ", a whole number with unit ms, s, m or h (e.g. 30s)";
        Matcher m = DURATION.matcher(value == null ? "" : value);
        if (!m.matches()) {
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.compareTo(minimum) < 0) {
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        return duration;
    }

    static String describe(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
