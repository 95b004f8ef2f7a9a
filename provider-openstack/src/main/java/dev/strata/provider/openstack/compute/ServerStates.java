package dev.strata.provider.openstack.compute;

import dev.strata.platform.api.provisioning.MachineState;
import java.util.Locale;

/**
 * Nova's server status (with its task state) as a {@link MachineState}. Statuses Strata does
 * not know map to {@link MachineState#FAILED} with a message naming them, never silently to
 * running.
 */
public final class ServerStates {

    private ServerStates() {
    }

    /**
     * The machine state of a server.
     *
     * @param status Nova's {@code status}
     * @param taskState Nova's {@code OS-EXT-STS:task_state}, or null
     */
    public static MachineState of(String status, String taskState) {
        if (taskState != null && taskState.toLowerCase(Locale.ROOT).startsWith("deleting")) {
            return MachineState.DELETING;
        }
        return switch (status == null ? "" : status.toUpperCase(Locale.ROOT)) {
            case "BUILD", "REBUILD", "REBOOT", "HARD_REBOOT", "MIGRATING", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE", "PASSWORD" -> MachineState.PENDING;
            case "ACTIVE" -> MachineState.RUNNING;
            case "DELETED", "SOFT_DELETED" -> MachineState.GONE;
            // ERROR, and every state in which the server is not running as requested (stopped,
            // paused, suspended, shelved, rescued) or that Strata does not know.
            default -> MachineState.FAILED;
        };
    }

    /** Why a server in a non-running, non-error status counts as failed. */
    public static String notRunning(String status) {
        return switch (status == null ? "" : status.toUpperCase(Locale.ROOT)) {
            case "SHUTOFF", "STOPPED", "PAUSED", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED", "RESCUE" ->
                    "server is " + status + ", not running (stopped or parked behind Strata's back)";
            case "ERROR" -> "server is in ERROR";
            case "UNKNOWN" -> "Nova does not know the server's state now (status UNKNOWN: the nova-compute service of its host does "
                    + "not answer); it may still be running";
            default -> "server has status '" + status + "', which Strata does not know";
        };
    }
}
