package dev.strata.platform.core.store;

import java.time.Instant;

/**
 * A stored contract.
 *
 * @param id its id ({@code c-000042})
 * @param name the contract's name
 * @param tenant its tenant
 * @param format {@code yaml} or {@code json}
 * @param document the text exactly as submitted
 * @param sha256 SHA-256 of the document's UTF-8 bytes
 * @param submittedAt when
 * @param submittedBy who
 */
public record StoredContract(String id, String name, String tenant, String format, String document, String sha256, Instant submittedAt,
        String submittedBy) {
}
