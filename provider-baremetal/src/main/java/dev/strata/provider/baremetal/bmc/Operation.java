package dev.strata.provider.baremetal.bmc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A provisioning operation on one BMC-managed machine, as the journal keeps it. Each change of
 * {@link #phase()} is written before the step it announces is taken, so that a provider that
 * stopped anywhere (a crash, kill -9, a bundle update) resumes from the record without repeating
 * a power cycle.
 *
 * @param operationId the core's operation id (the idempotency key)
 * @param deploymentId the deployment
 * @param member the member
 * @param tenant the tenant
 * @param nodeId the node provisioned
 * @param bmc the BMC's name
 * @param system the system's reference on the BMC
 * @param bootDevice pxe, disk or cd
 * @param virtualMedia the image URL inserted, or null
 * @param shutdown how delete powers off: force or graceful
 * @param phase how far the operation got
 * @param powerAction the power request of the create (ON, or FORCE_RESTART for a machine that was on), or null before it
 * @param powerRequestedAt when the last power request was sent (or announced), or null
 * @param createdAt when the operation was recorded
 * @param updatedAt when the record last changed
 * @param note what a person should know (a restart that may not have been sent), or null
 * @param steps the steps completed on the BMC, oldest first, each {@code <instant> <step>[ <detail>]}
 *     (reported to the core as {@link dev.strata.platform.api.provisioning.MachineStatus#STEPS})
 */
public record Operation(
        String operationId,
        String deploymentId,
        String member,
        String tenant,
        String nodeId,
        String bmc,
        String system,
        String bootDevice,
        String virtualMedia,
        String shutdown,
        Phase phase,
        PowerAction powerAction,
        Instant powerRequestedAt,
        Instant createdAt,
        Instant updatedAt,
        String note,
        List<String> steps) {

    /** How far an operation got. */
    public enum Phase {
        /** Recorded: the node is claimed for the operation; nothing sent to the BMC yet. */
        CLAIMED,
        /** The boot source (and virtual media) set. */
        BOOT_SET,
        /** The power request is about to be sent. */
        POWER_INTENT,
        /** The power request was accepted by the BMC. */
        POWER_SENT,
        /** The machine was seen on after the request: provisioned. */
        RUNNING,
        /** Deleting: the boot override and virtual media are being cleared. */
        DELETE_INTENT,
        /** Cleared; the power-off request is about to be sent. */
        POWER_OFF_INTENT,
        /** The power-off request was accepted. */
        POWER_OFF_SENT,
        /** Deleted: powered off and cleared. */
        GONE;

        public boolean deleting() {
            return this == DELETE_INTENT || this == POWER_OFF_INTENT || this == POWER_OFF_SENT;
        }
    }

    public Operation {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(bmc, "bmc");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** An operation with no steps taken yet. */
    public Operation(String operationId, String deploymentId, String member, String tenant, String nodeId, String bmc, String system,
            String bootDevice, String virtualMedia, String shutdown, Phase phase, PowerAction powerAction, Instant powerRequestedAt,
            Instant createdAt, Instant updatedAt, String note) {
        this(operationId, deploymentId, member, tenant, nodeId, bmc, system, bootDevice, virtualMedia, shutdown, phase, powerAction,
                powerRequestedAt, createdAt, updatedAt, note, List.of());
    }

    /** The operation with one more completed step ({@code step} one word, {@code detail} may be null). */
    public Operation withStep(String step, String detail, Instant at) {
        List<String> more = new ArrayList<>(steps);
        more.add(at + " " + step + (detail == null || detail.isBlank() ? "" : " " + detail));
        return new Operation(operationId, deploymentId, member, tenant, nodeId, bmc, system, bootDevice, virtualMedia, shutdown, phase,
                powerAction, powerRequestedAt, createdAt, at, note, more);
    }

    public Operation with(Phase newPhase, Instant now) {
        return new Operation(operationId, deploymentId, member, tenant, nodeId, bmc, system, bootDevice, virtualMedia, shutdown, newPhase,
                powerAction, powerRequestedAt, createdAt, now, note, steps);
    }

    public Operation withPower(Phase newPhase, PowerAction action, Instant requestedAt, Instant now) {
        return new Operation(operationId, deploymentId, member, tenant, nodeId, bmc, system, bootDevice, virtualMedia, shutdown, newPhase,
                action, requestedAt, createdAt, now, note, steps);
    }

    public Operation withNote(String newNote, Instant now) {
        return new Operation(operationId, deploymentId, member, tenant, nodeId, bmc, system, bootDevice, virtualMedia, shutdown, phase,
                powerAction, powerRequestedAt, createdAt, now, newNote, steps);
    }
}
