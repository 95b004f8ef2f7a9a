package dev.strata.platform.core.deployment;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import java.time.Duration;

/**
 * The validated settings of deployments.
 *
 * @param reconcileInterval between passes while everything is settled
 * @param pollInterval between passes while something is being provisioned or deleted
 * @param operationTimeout deadline of one provider call
 * @param retryBackoff first wait before a failed call is tried again (doubled per failure)
 * @param retryBackoffMax the longest wait
 * @param workers provider calls made at once
 * @param deleteLeaks whether machines of no live deployment are deleted (else only recorded)
 */
public record DeploymentSettings(Duration reconcileInterval, Duration pollInterval, Duration operationTimeout, Duration retryBackoff,
        Duration retryBackoffMax, int workers, boolean deleteLeaks) {

    public static final String PID = "dev.strata.platform.core.deployment";

    public static final DeploymentSettings DEFAULTS = new DeploymentSettings(Duration.ofSeconds(30), Duration.ofSeconds(2),
            Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofMinutes(5), 8, true);

    /**
     * Validates a configuration.
     *
     * @throws InvalidConfigurationException naming the first property that is malformed or out of range
     */
    public static DeploymentSettings from(DeploymentConfig config) {
        Duration backoff = parse("retryBackoff", config.retryBackoff(), Duration.ofMillis(10));
        int workers = InvalidConfigurationException.wholeNumber(PID, "workers", config::workers, "a whole number from 1 to 256");
        if (workers < 1 || workers > 256) {
            throw new InvalidConfigurationException(PID, "workers", workers, "a whole number from 1 to 256");
        }
        String leaks = config.leaks() == null ? "" : config.leaks().strip();
        if (!leaks.equals("delete") && !leaks.equals("report")) {
            throw new InvalidConfigurationException(PID, "leaks", config.leaks(), "delete or report");
        }
        return new DeploymentSettings(parse("reconcileInterval", config.reconcileInterval(), Duration.ofSeconds(1)),
                parse("pollInterval", config.pollInterval(), Duration.ofMillis(100)),
                parse("operationTimeout", config.operationTimeout(), Duration.ofSeconds(1)),
                backoff, parse("retryBackoffMax", config.retryBackoffMax(), backoff), workers, leaks.equals("delete"));
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

    private static String expected(Duration minimum) {
        String min = minimum.toMillis() % 1000 == 0 ? minimum.toSeconds() + "s" : minimum.toMillis() + "ms";
        return "a duration of at least " + min + ", such as 30s, 500ms or 5m (units ns, us, ms, s, m, h, d; a bare number is seconds)";
    }

    /** The wait before try {@code failures + 1}: {@code retryBackoff * 2^(failures - 1)}, at most {@code retryBackoffMax}. */
    public Duration backoff(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        long base = retryBackoff.toMillis();
        long max = retryBackoffMax.toMillis();
        int shift = Math.min(failures - 1, 40);
        long wait = base > (max >> shift) ? max : base << shift;
        return Duration.ofMillis(Math.min(wait, max));
    }
}
