package dev.strata.platform.core.commitment;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import java.time.Duration;

/**
 * The verifier's validated settings.
 *
 * @param interval between passes over every allocation; zero for none (verified on demand only)
 * @param telemetryWindow how far back GPU telemetry counts (at least 1s)
 */
public record CommitmentSettings(Duration interval, Duration telemetryWindow) {

    public static final String PID = "dev.strata.platform.core.commitment";

    public static final CommitmentSettings DEFAULTS = new CommitmentSettings(Duration.ofMinutes(1), Duration.ofMinutes(1));

    static final String EXPECTED = "0 (verify only on demand) or a duration of at least 1s, such as 30s, 1m or 1h "
            + "(units ns, us, ms, s, m, h, d; a bare number is seconds)";
    static final String EXPECTED_WINDOW = "a duration of at least 1s, such as 30s, 1m or 5m "
            + "(units ns, us, ms, s, m, h, d; a bare number is seconds)";

    /**
     * Validates a configuration.
     *
     * @throws InvalidConfigurationException naming the PID, the property, the value and what was expected
     */
    public static CommitmentSettings from(CommitmentConfig config) {
        String value = config.interval();
        Duration interval;
        try {
            interval = Quantities.duration(value == null ? "" : value.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(PID, "interval", value, EXPECTED);
        }
        if (interval.isNegative() || !interval.isZero() && interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidConfigurationException(PID, "interval", value, EXPECTED);
        }
        String w = config.telemetryWindow();
        Duration window;
        try {
            window = Quantities.duration(w == null ? "" : w.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(PID, "telemetryWindow", w, EXPECTED_WINDOW);
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidConfigurationException(PID, "telemetryWindow", w, EXPECTED_WINDOW);
        }
        return new CommitmentSettings(interval, window);
    }

    /** Whether passes run on a schedule. */
    public boolean scheduled() {
        return !interval.isZero();
    }

    /**
     * How long before a late pass (its telemetry calls not all answered in time) the pass it leans on may have read
     * what it could not: {@code interval + telemetryWindow}, the pass before it in the schedule with a window to spare
     * for the time that pass took (the next one is due {@code interval} after it ended) and for passes asked in between
     * (2 minutes with the defaults; with passes on demand only, one window). An older reading (passes on demand hours
     * apart, a verifier stopped or a machine suspended meanwhile) says nothing of now, and is not leaned on
     * ({@link CommitmentVerifier}, {@link RememberedTelemetry}).
     */
    Duration latePassReach() {
        return interval.plus(telemetryWindow);
    }
}
