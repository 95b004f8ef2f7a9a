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
 * @param prev the previous record's hash; null for a tenant's user, who may not verify the chain and
 *     whom a hash would tell what its records withhold (another tenant's ids) or another tenant's records
 * @param hash its hash; null for a tenant's user, likewise
 */
public record AuditEntry(long seq, Instant time, String kind, String actor, Map<String, String> subjects, String payload, String prev,
        String hash) {
    public AuditEntry {
        subjects = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(subjects));
    }
}
