package dev.strata.platform.api.contract;

/** What Strata does when a deployed machine disappears behind its back (terminated, deleted, powered away). */
public enum OnMachineLoss {
    /** Make a new machine for the member, under a new operation id, on the same node or offer. */
    REPLACE,
    /** Make nothing: mark the member lost and the deployment degraded, and wait for a person. */
    DEGRADE
}
