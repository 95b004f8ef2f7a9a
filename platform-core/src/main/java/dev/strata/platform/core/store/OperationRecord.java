package dev.strata.platform.core.store;

import java.time.Instant;

/**
 * A stored provider operation.
 *
 * @param id the operation id the provider is given (its idempotency key)
 * @param deploymentId the deployment
 * @param member the member
 * @param providerId the provider
 * @param action what was asked
 * @param attempt which try
 * @param state pending until its outcome is known
 * @param handle what the provider returned, or null
 * @param error why it failed, or null
 * @param createdAt when recorded (before the call)
 * @param finishedAt when its outcome was recorded, or null
 */
public record OperationRecord(String id, String deploymentId, String member, String providerId, String action, int attempt,
        OperationState state, String handle, String error, Instant createdAt, Instant finishedAt) {
}
