package dev.strata.platform.api.provisioning;

/** Where a machine is in its life, as its provider sees it. */
public enum MachineState {
    /** Asked for and not running yet (launching, booting, powering on). */
    PENDING,
    /** Running as requested. */
    RUNNING,
    /** The provider gave up on it; {@link MachineStatus#message()} says why. It may still exist and need deleting. */
    FAILED,
    /** Being deleted (terminating, powering off). */
    DELETING,
    /** Does not exist (deleted, terminated, or never made). */
    GONE
}
