package dev.strata.platform.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One member of a deployment: one machine.
 *
 * @param deploymentId its deployment
 * @param member the member's name ({@code trainer-0})
 * @param nodeId the node (or cloud capacity) it was bound to
 * @param providerId the provider that provisions it
 * @param state its state as the core tracks it
 * @param handle the provider's handle for what it created (instance id, server id), or null
 * @param updatedAt when last changed (set by the store)
 */
public record MemberRecord(String deploymentId, String member, String nodeId, String providerId, String state, String handle,
        Instant updatedAt) {
    public MemberRecord {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(state, "state");
    }
}
