package dev.strata.platform.api.provisioning;

import java.util.Map;
import java.util.Objects;

/**
 * A machine to make for one bound member of a deployment.
 *
 * @param operationId the idempotency key, chosen by the core and stored before the call
 * @param deploymentId the deployment the machine belongs to
 * @param member the member's name ({@code trainer-0})
 * @param tenant the tenant the deployment is for
 * @param target the node or capacity offer placement bound the member to
 * @param resources what the member asked for (the provider picks a shape that holds it where it must)
 * @param parameters provider-specific settings from the contract or configuration: {@code image},
 *     {@code bootDevice}, {@code virtualMedia}, {@code flavor}, {@code keyName} and the like;
 *     never a credential
 * @param installation the Strata installation that asks ({@link MachineLabels#INSTALLATION});
 *     null from a core before 1.3, and then not among the {@link #labels()}
 * @param allocationId the ledger allocation the member is bound in ({@link MachineLabels#ALLOCATION}),
 *     by which a provider tells the core what of a node's room this machine already uses
 *     ({@link CountedMachine}); null from a core before 1.4, and then not among the {@link #labels()}
 */
public record MachineRequest(
        String operationId,
        String deploymentId,
        String member,
        String tenant,
        MachineTarget target,
        MachineResources resources,
        Map<String, String> parameters,
        String installation,
        String allocationId) {

    /** A request without an installation id, as a core before 1.3 made it. */
    public MachineRequest(String operationId, String deploymentId, String member, String tenant, MachineTarget target,
            MachineResources resources, Map<String, String> parameters) {
        this(operationId, deploymentId, member, tenant, target, resources, parameters, null, null);
    }

    /** A request without an allocation id, as a core before 1.4 made it. */
    public MachineRequest(String operationId, String deploymentId, String member, String tenant, MachineTarget target,
            MachineResources resources, Map<String, String> parameters, String installation) {
        this(operationId, deploymentId, member, tenant, target, resources, parameters, installation, null);
    }

    public MachineRequest {
        requireText(operationId, "request.operationId");
        requireText(deploymentId, "request.deploymentId");
        requireText(member, "request.member");
        requireText(tenant, "request.tenant");
        Objects.requireNonNull(target, "request.target");
        Objects.requireNonNull(resources, "request.resources");
        parameters = Map.copyOf(Objects.requireNonNull(parameters, "request.parameters"));
        if (installation != null) {
            requireText(installation, "request.installation");
        }
        if (allocationId != null) {
            requireText(allocationId, "request.allocationId");
        }
    }

    /** The labels every machine carries (see {@link MachineLabels}), the installation's and the allocation's where known. */
    public Map<String, String> labels() {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put(MachineLabels.DEPLOYMENT, deploymentId);
        labels.put(MachineLabels.MEMBER, member);
        labels.put(MachineLabels.TENANT, tenant);
        labels.put(MachineLabels.OPERATION, operationId);
        if (installation != null) {
            labels.put(MachineLabels.INSTALLATION, installation);
        }
        if (allocationId != null) {
            labels.put(MachineLabels.ALLOCATION, allocationId);
        }
        return java.util.Collections.unmodifiableMap(labels);
    }

    private static void requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }
}
