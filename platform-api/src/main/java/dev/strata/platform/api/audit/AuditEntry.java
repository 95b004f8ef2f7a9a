package dev.strata.platform.api.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One provenance record.
 *
 * @param seq its number, from 1
 * @param time when it was appended
 * @param kind what happened
 * @param actor who asked
 * @param subjects the ids it concerns by kind (contract, tenant, allocation, deployment, ...), sorted by kind
 * @param payload what was decided and why, canonical JSON
 * @param prev the previous record's hash
 * @param hash its hash
 */
public record AuditEntry(long seq, Instant time, String kind, String actor, Map<String, String> subjects, String payload, String prev,
        String hash) {
    public AuditEntry {
        subjects = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(subjects));
    }
}
