package dev.strata.platform.api.deployment;

import dev.strata.platform.api.placement.PlacementDecision;
import java.util.List;
import java.util.Objects;

/**
 * The answer to a deploy: the placement decision, and the deployment made from it.
 *
 * @param decision where the members go and why (or why nothing fits)
 * @param dryRun whether nothing was reserved, stored or provisioned
 * @param members each member with the provider that makes (or would make) its machine; empty when not placed
 * @param deployment the deployment, or null for a dry run or a contract that was not placed
 */
public record DeploymentResult(PlacementDecision decision, boolean dryRun, List<DeploymentMember> members, Deployment deployment) {
    public DeploymentResult {
        Objects.requireNonNull(decision, "result.decision");
        members = List.copyOf(Objects.requireNonNull(members, "result.members"));
    }
}
