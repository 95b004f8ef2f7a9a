package dev.strata.platform.api.inventory;

/** Where a provider stands, as the core sees it. */
public enum ProviderState {
    /** Registered; its first discovery has not finished. */
    STARTING,
    /** Its latest discovery succeeded. */
    ACTIVE,
    /** Its latest discovery threw or ran past its deadline; its last good snapshot is kept, stale. */
    FAILED,
    /** It answered, but reports that it can see nothing here (for example: no GPU driver). */
    UNAVAILABLE,
    /**
     * Its service went away (bundle updated, stopped or uninstalled). Its resources stay, stale,
     * until it returns or the grace period ends; callers that need it wait, within a bound.
     */
    DEPARTED
}
