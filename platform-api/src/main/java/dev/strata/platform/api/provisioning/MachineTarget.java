package dev.strata.platform.api.provisioning;

import java.util.Objects;

/**
 * Where placement bound a member: one of the provider's nodes, or one of its capacity offers.
 *
 * @param kind node or offer
 * @param id the node id or the offer id, as the provider's compute snapshot reported it
 */
public record MachineTarget(Kind kind, String id) {

    /** What a target names. */
    public enum Kind {
        /** An existing machine (bare metal through its BMC, a hypervisor host). */
        NODE,
        /** Launchable capacity ({@link dev.strata.platform.api.model.CapacityOffer}): a new machine is made. */
        OFFER
    }

    public MachineTarget {
        Objects.requireNonNull(kind, "target.kind");
        Objects.requireNonNull(id, "target.id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("target.id must not be blank");
        }
    }

    public static MachineTarget node(String nodeId) {
        return new MachineTarget(Kind.NODE, nodeId);
    }

    public static MachineTarget offer(String offerId) {
        return new MachineTarget(Kind.OFFER, offerId);
    }
}
