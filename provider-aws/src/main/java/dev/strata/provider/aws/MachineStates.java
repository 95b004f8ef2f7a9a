package dev.strata.provider.aws;

import static dev.strata.platform.api.exception.InvalidConfigurationException.printable;

import dev.strata.platform.api.provisioning.MachineState;

/**
 * Maps EC2 instance states to {@link MachineState}; a state Strata does not know is {@link MachineState#FAILED}. The state and
 * its reason are EC2's text: a message shows them escaped ({@code printable}).
 */
final class MachineStates {

    private MachineStates() {
    }

    /** A state and the message that goes with it (null for the normal states). */
    record Mapped(MachineState state, String message) {
    }

    static Mapped of(String ec2State, String reason) {
        String why = reason == null || reason.isBlank() ? "" : " (" + printable(reason) + ")";
        return switch (ec2State == null ? "" : ec2State) {
            case "pending" -> new Mapped(MachineState.PENDING, null);
            case "running" -> new Mapped(MachineState.RUNNING, null);
            case "shutting-down" -> new Mapped(MachineState.DELETING, null);
            case "terminated" -> new Mapped(MachineState.GONE, why.isEmpty() ? null : "terminated" + why);
            case "stopping", "stopped" -> new Mapped(MachineState.FAILED, "instance is " + ec2State + why + "; Strata does not stop instances");
            default -> new Mapped(MachineState.FAILED, "EC2 reports state '" + printable(ec2State) + "', which Strata does not know" + why);
        };
    }
}
