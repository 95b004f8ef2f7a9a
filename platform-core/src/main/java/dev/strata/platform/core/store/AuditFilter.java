package dev.strata.platform.core.store;

import java.time.Instant;

/**
 * Which provenance records to find; null fields match everything.
 *
 * @param contract subject {@code contract}
 * @param tenant subject {@code tenant}
 * @param allocation subject {@code allocation}
 * @param deployment subject {@code deployment}
 * @param kind the record's kind
 * @param from at or after
 * @param to before
 * @param limit at most this many (at least 1)
 * @param newestFirst the newest first, else the oldest
 */
public record AuditFilter(String contract, String tenant, String allocation, String deployment, String kind, Instant from, Instant to,
        int limit, boolean newestFirst) {
    public AuditFilter {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + ": expected at least 1");
        }
    }

    /** Everything, oldest first, up to {@code limit}. */
    public static AuditFilter all(int limit) {
        return new AuditFilter(null, null, null, null, null, null, null, limit, false);
    }
}
