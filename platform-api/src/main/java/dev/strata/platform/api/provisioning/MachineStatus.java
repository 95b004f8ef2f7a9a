package dev.strata.platform.api.provisioning;

import java.time.Instant;
import java.util.List;
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
 * @param attributes other facts (addresses, instance type, zone); the steps the provider took on
 *     the machine under {@link #STEPS}
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

    /**
     * Attribute: the steps the provider completed on the machine for its operation, oldest first,
     * one per line, each {@code <ISO-8601 instant> <step>[ <detail>]} ({@code
     * 2026-12-01T20:15:02.114Z boot-override-set pxe once}, {@code ... power-requested On}). A
     * provider that drives a machine in several visible steps (a BMC: boot device, virtual media,
     * power) reports every step it has completed so far, the same lines again on every status
     * (the core records each line once, in the provenance log of the machine's deployment). Lines
     * are the provider's own words, never a credential. Absent when the provider reports no steps.
     *
     * @since 1.1
     */
    public static final String STEPS = "strata:steps";

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

    /**
     * The steps the provider reported under {@link #STEPS}, oldest first, without blank lines;
     * empty when it reported none.
     *
     * @since 1.1
     */
    public List<String> steps() {
        String all = attributes.get(STEPS);
        if (all == null || all.isBlank()) {
            return List.of();
        }
        return all.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
