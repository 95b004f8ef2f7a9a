package dev.strata.platform.core.store;

import java.util.Objects;

/**
 * A contract as submitted.
 *
 * @param name the contract's name
 * @param tenant its tenant
 * @param format {@code yaml} or {@code json}
 * @param document the text exactly as submitted
 * @param submittedBy who submitted it
 */
public record NewContract(String name, String tenant, String format, String document, String submittedBy) {
    public NewContract {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(document, "document");
        format = format == null ? "yaml" : format;
        submittedBy = submittedBy == null ? "system" : submittedBy;
    }
}
