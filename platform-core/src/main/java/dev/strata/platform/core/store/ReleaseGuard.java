package dev.strata.platform.core.store;

import java.util.Objects;

/**
 * Which deployments may hold an allocation that {@link LedgerStore#release} frees, checked in the
 * release's own transaction. A deployment holds an allocation when it is stored with it and not
 * {@code DELETED}, and when the allocation was placed for it and it is not stored yet (being
 * deployed, or never stored).
 *
 * @param deploymentId {@link #UNHELD}: null, no deployment may hold it; {@link #holder}: the
 *     deployment releasing its own allocation, which may hold it only while being deleted or
 *     before it is stored; {@link #FORCED}: null, any may
 * @param forced whether holders are overridden
 */
public record ReleaseGuard(String deploymentId, boolean forced) {

    /** Refused when any deployment holds the allocation. */
    public static final ReleaseGuard UNHELD = new ReleaseGuard(null, false);
    /** Freed whoever holds it. */
    public static final ReleaseGuard FORCED = new ReleaseGuard(null, true);

    public ReleaseGuard {
        if (forced && deploymentId != null) {
            throw new IllegalArgumentException("a forced release names no deployment");
        }
    }

    /** Refused when a deployment other than {@code deploymentId} holds the allocation, or that one is stored and not being deleted. */
    public static ReleaseGuard holder(String deploymentId) {
        return new ReleaseGuard(Objects.requireNonNull(deploymentId, "deploymentId"), false);
    }
}
