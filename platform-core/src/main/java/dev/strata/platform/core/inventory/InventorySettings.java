package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import java.time.Duration;

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
        Duration duration;
        try {
            duration = Quantities.duration(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(PID, property, value, expected(minimum));
        }
        if (duration.compareTo(minimum) < 0) {
            throw new InvalidConfigurationException(PID, property, value, expected(minimum));
        }
        return duration;
    }

    /** What a duration property accepts, for messages; shared by every duration setting. */
    static String expected(Duration minimum) {
        return "a duration of at least " + describe(minimum) + ", such as 30s, 500ms or 5m "
                + "(units ns, us, ms, s, m, h, d; a bare number is seconds; at most 106751d)";
    }

    static String describe(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
