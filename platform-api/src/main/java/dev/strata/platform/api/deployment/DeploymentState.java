package dev.strata.platform.api.deployment;

/**
 * Where a deployment is in its life.
 *
 * <pre>
 * REQUESTED -> PROVISIONING -> READY <-> DEGRADED
 *                  |  \------> FAILED
 *   (undeploy from any state) -> DELETING -> DELETED
 * </pre>
 */
public enum DeploymentState {
    /** Placed and stored; no provider was called yet. */
    REQUESTED,
    /** Machines are being made (or a provider is being waited for). */
    PROVISIONING,
    /** Every member's machine runs. */
    READY,
    /** A machine was lost or could not be replaced; the others run. */
    DEGRADED,
    /** A provider refused to make a machine (quota, capacity, a bad image); what was made stays until undeployed. */
    FAILED,
    /** Undeploy asked: machines are being deleted, then the allocation is released. */
    DELETING,
    /** Every machine is gone and the allocation released. */
    DELETED;

    /** Whether the reconciler leaves the deployment as it is until someone acts ({@link #READY} is watched, never settled for good). */
    public boolean settled() {
        return this == READY || this == DEGRADED || this == FAILED || this == DELETED;
    }
}
