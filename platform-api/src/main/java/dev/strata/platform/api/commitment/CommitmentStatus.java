package dev.strata.platform.api.commitment;

/** Whether what placement committed to an allocation still holds, from best to worst. */
public enum CommitmentStatus {
    /** Every clause still holds. */
    HONORED,
    /**
     * No clause is known to be broken, but one may be soon or cannot be shown to hold: a bound node
     * is stale (its provider no longer reports it), draining or unavailable, a bound GPU is degraded
     * where the member does not allow it, a site's country or operator is no longer known.
     */
    AT_RISK,
    /**
     * A clause is broken: a bound node or GPU is gone, a GPU failed or is no longer of an allowed
     * model, a site is no longer where the sovereignty clause allows, another tenant shares a node
     * the contract wants for itself.
     */
    BREACHED;

    /** The worse of two statuses. */
    public CommitmentStatus worst(CommitmentStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
