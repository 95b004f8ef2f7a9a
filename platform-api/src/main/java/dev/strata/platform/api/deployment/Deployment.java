package dev.strata.platform.api.deployment;

import dev.strata.platform.api.contract.OnMachineLoss;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A placed contract being made real.
 *
 * @param id its id ({@code d-000042})
 * @param contract the contract's name
 * @param tenant its tenant
 * @param allocationId the allocation placement made for it (released once the deployment is deleted)
 * @param state where it is
 * @param message why it is in that state (the first failure, what is awaited), or null
 * @param onMachineLoss what the reconciler does when a machine disappears
 * @param createdAt when it was deployed
 * @param updatedAt when its state last changed
 * @param version incremented by every change of its state
 * @param members its members, in the contract's order
 */
public record Deployment(String id, String contract, String tenant, String allocationId, DeploymentState state, String message,
        OnMachineLoss onMachineLoss, Instant createdAt, Instant updatedAt, long version, List<DeploymentMember> members) {

    public Deployment {
        Objects.requireNonNull(id, "deployment.id");
        Objects.requireNonNull(state, "deployment.state");
        Objects.requireNonNull(onMachineLoss, "deployment.onMachineLoss");
        members = List.copyOf(Objects.requireNonNull(members, "deployment.members"));
    }

    /** How many members are in a state. */
    public long count(MemberState memberState) {
        return members.stream().filter(m -> m.state() == memberState).count();
    }
}
