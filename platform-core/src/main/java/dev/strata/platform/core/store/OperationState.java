package dev.strata.platform.core.store;

/** Where a provider operation stands. */
public enum OperationState {
    /** Recorded before the call; the outcome is not known yet. */
    PENDING,
    /** The provider did it. */
    SUCCEEDED,
    /** The provider refused or failed; see the error. */
    FAILED
}
