package dev.strata.platform.api.model;

import java.util.Objects;
import java.util.Set;

/**
 * Cloud capacity that is not a machine until it is launched: one shape (an EC2 instance type, a
 * Nova flavor) offered in one site (a zone), up to a limit. Placement binds members to an offer
 * with the same clauses as to a node (the site's sovereignty, the shape's GPUs, CPUs, memory and
 * fabrics); each member bound to an offer becomes one new machine of the shape, which its
 * provider then reports as a node of its own.
 *
 * @param id unique offer id, stable across discoveries (e.g. {@code aws:eu-central-1a:p5.48xlarge})
 * @param providerId the provider that launches it
 * @param siteId the site (zone) the machines would be at
 * @param shape the vendor's name of the shape ({@code p5.48xlarge})
 * @param machine one machine of the shape, described as a node (CPU, memory, accelerators,
 *     NICs, power, traits); its id is the offer id and its state says whether the offer can be
 *     used now
 * @param limit how many machines of the offer the account may run at once (its quota)
 * @param inUse how many of them run now that Strata did not launch (the provider's count of
 *     other machines against the same limit)
 * @param fabricIds the fabrics machines launched together from this offer share (an EFA
 *     placement domain in one zone), empty when none
 */
public record CapacityOffer(
        String id,
        String providerId,
        String siteId,
        String shape,
        Node machine,
        int limit,
        int inUse,
        Set<String> fabricIds) {

    public CapacityOffer {
        Checks.requireText(id, "offer.id");
        Checks.requireText(providerId, "offer.providerId");
        Checks.requireText(siteId, "offer.siteId");
        Checks.requireText(shape, "offer.shape");
        Objects.requireNonNull(machine, "offer.machine");
        Checks.requireNonNegative(limit, "offer.limit");
        Checks.requireNonNegative(inUse, "offer.inUse");
        fabricIds = Checks.copySet(fabricIds, "offer.fabricIds");
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this capacityOffer's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link CapacityOffer}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: 0 limit and in use, no fabrics; id, provider, site, shape and machine have none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String id;
        private String providerId;
        private String siteId;
        private String shape;
        private Node machine;
        private int limit;
        private int inUse;
        private Set<String> fabricIds = Set.of();

        private Builder() {
        }

        private Builder(CapacityOffer r) {
            id = r.id;
            providerId = r.providerId;
            siteId = r.siteId;
            shape = r.shape;
            machine = r.machine;
            limit = r.limit;
            inUse = r.inUse;
            fabricIds = r.fabricIds;
        }

        /** See {@link CapacityOffer#id()}. */
        public Builder id(String value) {
            id = value;
            return this;
        }

        /** See {@link CapacityOffer#providerId()}. */
        public Builder providerId(String value) {
            providerId = value;
            return this;
        }

        /** See {@link CapacityOffer#siteId()}. */
        public Builder siteId(String value) {
            siteId = value;
            return this;
        }

        /** See {@link CapacityOffer#shape()}. */
        public Builder shape(String value) {
            shape = value;
            return this;
        }

        /** See {@link CapacityOffer#machine()}. */
        public Builder machine(Node value) {
            machine = value;
            return this;
        }

        /** See {@link CapacityOffer#limit()}. */
        public Builder limit(int value) {
            limit = value;
            return this;
        }

        /** See {@link CapacityOffer#inUse()}. */
        public Builder inUse(int value) {
            inUse = value;
            return this;
        }

        /** See {@link CapacityOffer#fabricIds()}. */
        public Builder fabricIds(Set<String> value) {
            fabricIds = value;
            return this;
        }

        /**
         * The capacityOffer.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public CapacityOffer build() {
            return new CapacityOffer(id, providerId, siteId, shape, machine, limit, inUse, fabricIds);
        }
    }
}
