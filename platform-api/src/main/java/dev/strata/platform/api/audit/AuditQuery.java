package dev.strata.platform.api.audit;

import java.time.Instant;

/**
 * Which records to list; null fields match all.
 *
 * @param contract subject contract
 * @param tenant subject tenant
 * @param allocation subject allocation
 * @param deployment subject deployment
 * @param kind kind
 * @param from at or after
 * @param to before
 * @param limit at most (at least 1)
 * @param newestFirst order
 */
public record AuditQuery(String contract, String tenant, String allocation, String deployment, String kind, Instant from, Instant to,
        int limit, boolean newestFirst) {
    public AuditQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + ": expected at least 1");
        }
    }
}
