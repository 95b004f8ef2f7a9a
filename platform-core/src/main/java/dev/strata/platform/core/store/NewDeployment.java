package dev.strata.platform.core.store;

import java.util.List;
import java.util.Objects;

/**
 * A deployment to create.
 *
 * @param id from {@link DeploymentStore#nextId()}
 * @param allocationId the allocation it provisions
 * @param contractId the stored contract, or null
 * @param tenant the tenant
 * @param state the first state ({@code requested})
 * @param spec what the deployment was asked for, as JSON text (no credentials), or null
 * @param members its members
 */
public record NewDeployment(String id, String allocationId, String contractId, String tenant, String state, String spec,
        List<MemberRecord> members) {
    public NewDeployment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(state, "state");
        members = List.copyOf(members);
    }
}
