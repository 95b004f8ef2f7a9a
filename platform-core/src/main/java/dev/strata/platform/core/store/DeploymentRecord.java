package dev.strata.platform.core.store;

import java.time.Instant;

/**
 * A stored deployment.
 *
 * @param id its id
 * @param allocationId the allocation it provisions, or null
 * @param contractId the stored contract, or null
 * @param tenant the tenant
 * @param state its state ({@code requested}, {@code provisioning}, {@code ready}, {@code degraded},
 *     {@code deleting}, {@code deleted}, {@code failed})
 * @param message why it is in that state, or null
 * @param spec what it was asked for (JSON), or null
 * @param version incremented by every update
 * @param createdAt when created
 * @param updatedAt when last changed
 */
public record DeploymentRecord(String id, String allocationId, String contractId, String tenant, String state, String message, String spec,
        long version, Instant createdAt, Instant updatedAt) {
}
