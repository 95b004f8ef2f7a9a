package dev.strata.platform.api.deployment;

import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One member of a deployment: one machine.
 *
 * @param name the member's name ({@code trainer-0})
 * @param target the node or capacity offer placement bound it to
 * @param providerId the provider that makes its machine
 * @param siteId the site of the target, or null
 * @param parameters the provisioning parameters given to the provider (never a credential)
 * @param state where its machine is
 * @param machine the provider's handle of the machine, or null before the provider answered
 * @param nodeId the inventory node the machine is or became (a launched instance), or null while unknown
 * @param operationId the operation that made (or is making) the current machine, or null
 * @param message why the member is in its state (the provider's answer, an error), or null
 * @param updatedAt when it last changed
 */
public record DeploymentMember(String name, MachineTarget target, String providerId, String siteId, Map<String, String> parameters,
        MemberState state, MachineHandle machine, String nodeId, String operationId, String message, Instant updatedAt) {

    public DeploymentMember {
        Objects.requireNonNull(name, "member.name");
        Objects.requireNonNull(target, "member.target");
        Objects.requireNonNull(providerId, "member.providerId");
        parameters = Map.copyOf(Objects.requireNonNull(parameters, "member.parameters"));
        Objects.requireNonNull(state, "member.state");
    }
}
