package dev.strata.platform.api.provisioning;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A machine as its provider sees it.
 *
 * @param handle how to find it again
 * @param state where it is in its life
 * @param message the vendor's explanation when {@link MachineState#FAILED} (a Nova fault, "no
 *     capacity in zone"), otherwise null; never a credential
 * @param nodeId the inventory node the machine is (bare metal) or became (a launched instance),
 *     or null while unknown
 * @param labels the labels it was made with ({@link MachineLabels}); empty when it carries none
 * @param attributes other facts (addresses, instance type, zone)
 * @param observedAt when the provider read the state
 */
public record MachineStatus(
        MachineHandle handle,
        MachineState state,
        String message,
        String nodeId,
        Map<String, String> labels,
        Map<String, String> attributes,
        Instant observedAt) {

    public MachineStatus {
        Objects.requireNonNull(handle, "status.handle");
        Objects.requireNonNull(state, "status.state");
        labels = Map.copyOf(Objects.requireNonNull(labels, "status.labels"));
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "status.attributes"));
        Objects.requireNonNull(observedAt, "status.observedAt");
    }

    /** The operation id the machine was made for, or null when it carries no labels. */
    public String operationId() {
        return labels.get(MachineLabels.OPERATION);
    }
}
