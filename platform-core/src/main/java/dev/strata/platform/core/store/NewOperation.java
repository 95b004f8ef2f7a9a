package dev.strata.platform.core.store;

import java.util.Objects;

/**
 * A provider call about to be made.
 *
 * @param deploymentId the deployment
 * @param member the member it acts on
 * @param providerId the provider called
 * @param action {@code create}, {@code delete}, ...
 * @param attempt 1 for the first try
 */
public record NewOperation(String deploymentId, String member, String providerId, String action, int attempt) {
    public NewOperation {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(providerId, "providerId");
        Objects.requireNonNull(action, "action");
    }
}
