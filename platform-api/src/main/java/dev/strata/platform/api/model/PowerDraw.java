package dev.strata.platform.api.model;

/** A node's electrical draw in watts, 0 when unknown. */
public record PowerDraw(long idleWatts, long maxWatts) {
    public static final PowerDraw UNKNOWN = new PowerDraw(0, 0);

    public PowerDraw {
        Checks.requireNonNegative(idleWatts, "power.idleWatts");
        Checks.requireNonNegative(maxWatts, "power.maxWatts");
    }
}
