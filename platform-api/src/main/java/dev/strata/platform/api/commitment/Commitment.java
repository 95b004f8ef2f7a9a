package dev.strata.platform.api.commitment;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The last verdict on one allocation.
 *
 * @param allocationId the allocation
 * @param contract the contract's name
 * @param tenant its tenant
 * @param status the worst of the findings; {@link CommitmentStatus#HONORED} without findings
 * @param since when the allocation came to this status (as far as this installation knows: the
 *     first verdict, or the last change recorded in the provenance log)
 * @param findings every clause that does not hold, in the contract's member order
 * @param inventoryGeneration the inventory generation verified against
 */
public record Commitment(String allocationId, String contract, String tenant, CommitmentStatus status, Instant since,
        List<Finding> findings, long inventoryGeneration) {
    public Commitment {
        Objects.requireNonNull(allocationId, "allocationId");
        Objects.requireNonNull(status, "status");
        findings = List.copyOf(findings);
    }
}
