package dev.strata.platform.core.deployment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.contract.OnMachineLoss;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a deployment was asked for, as stored with it (the deployment's {@code spec}, JSON): the
 * contract's name, tenant and terms, and each member's target, provider, resources and
 * provisioning parameters. Written once, when the deployment is created; the desired state the
 * reconciler works towards.
 *
 * @param contract the contract's name
 * @param tenant its tenant
 * @param priority its priority
 * @param onMachineLoss what to do when a machine disappears
 * @param allocationId the allocation placement made
 * @param members the members, in the contract's order
 */
record Spec(String contract, String tenant, int priority, OnMachineLoss onMachineLoss, String allocationId, List<MemberSpec> members) {

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    Spec {
        members = List.copyOf(members);
    }

    /**
     * One member as asked for.
     *
     * @param name the member's name
     * @param target the node or offer it was bound to
     * @param providerId the provider that makes its machine
     * @param siteId the target's site, or null
     * @param resources what it needs of its machine
     * @param parameters provisioning parameters (never a credential)
     * @param boundTo the node (or launch slot) placement bound it to, as its allocation holds it: the target's id, or for a
     *     joined node the node the target was joined to; null in a spec stored without it
     */
    record MemberSpec(String name, MachineTarget target, String providerId, String siteId, MachineResources resources,
            Map<String, String> parameters, String boundTo) {
        MemberSpec {
            parameters = Map.copyOf(parameters);
        }
    }

    Optional<MemberSpec> member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    String toJson() {
        return write(this);
    }

    static Spec parse(String json, String deploymentId) {
        try {
            return JSON.readValue(json, Spec.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new StateStoreException("deployment " + deploymentId + " has a spec that cannot be read: " + e.getMessage(), e);
        }
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * What the core keeps about a member's machine (the member's {@code handle} in the store, JSON):
     * the provider's handle, the operation that made it, and why the member is in its state.
     *
     * @param machine the provider's handle, or null before the provider answered
     * @param operation the create operation that made (or is making) the current machine, or null
     * @param message why the member is in its state, or null
     */
    record Detail(MachineHandle machine, String operation, String message) {

        static final Detail NONE = new Detail(null, null, null);

        static Detail parse(String json) {
            if (json == null || json.isBlank()) {
                return NONE;
            }
            try {
                return JSON.readValue(json, Detail.class);
            } catch (JsonProcessingException | RuntimeException e) {
                return new Detail(null, null, "unreadable machine record: " + e.getMessage());
            }
        }

        String toJson() {
            return write(this);
        }

        Detail withMessage(String text) {
            return new Detail(machine, operation, text);
        }
    }
}
