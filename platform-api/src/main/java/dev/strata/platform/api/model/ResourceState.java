package dev.strata.platform.api.model;

/** Whether Strata can rely on a discovered resource right now. */
public enum ResourceState {
    /** Reported by its provider's latest discovery. */
    AVAILABLE,
    /**
     * Last reported by a provider that is gone (being replaced, or failed); kept until the
     * provider rediscovers it or the grace period ends. Not used for new placements.
     */
    STALE,
    /** Present but not accepting new work (maintenance, health problem). */
    DRAINING,
    /** Present but unusable. */
    UNAVAILABLE
}
