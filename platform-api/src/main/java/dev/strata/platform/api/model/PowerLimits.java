package dev.strata.platform.api.model;

/**
 * A device's power limits in watts, 0 when unknown.
 *
 * @param enforcedWatts the limit in force now
 * @param defaultWatts the limit the device ships with
 * @param minWatts the lowest limit that may be set
 * @param maxWatts the highest limit that may be set
 */
public record PowerLimits(double enforcedWatts, double defaultWatts, double minWatts, double maxWatts) {
    public static final PowerLimits UNKNOWN = new PowerLimits(0, 0, 0, 0);

    public PowerLimits {
        Checks.requireNonNegative(enforcedWatts, "power.enforcedWatts");
        Checks.requireNonNegative(defaultWatts, "power.defaultWatts");
        Checks.requireNonNegative(minWatts, "power.minWatts");
        Checks.requireNonNegative(maxWatts, "power.maxWatts");
    }
}
