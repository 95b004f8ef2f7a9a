package dev.strata.provider.baremetal.bmc;

/** What a BMC is asked to do with a system's power; the Redfish reset type is given for each. */
public enum PowerAction {
    /** Power on ({@code On}). */
    ON("On", PowerState.ON),
    /** Ask the operating system to shut down ({@code GracefulShutdown}). */
    GRACEFUL_SHUTDOWN("GracefulShutdown", PowerState.OFF),
    /** Cut the power ({@code ForceOff}). */
    FORCE_OFF("ForceOff", PowerState.OFF),
    /** Reset at once: a power cycle for a system that is on ({@code ForceRestart}). */
    FORCE_RESTART("ForceRestart", PowerState.ON);

    private final String redfish;
    private final PowerState settlesAt;

    PowerAction(String redfish, PowerState settlesAt) {
        this.redfish = redfish;
        this.settlesAt = settlesAt;
    }

    /** The Redfish {@code ResetType}. */
    public String redfishResetType() {
        return redfish;
    }

    /** The power state the system ends in once the action has taken effect. */
    public PowerState settlesAt() {
        return settlesAt;
    }
}
