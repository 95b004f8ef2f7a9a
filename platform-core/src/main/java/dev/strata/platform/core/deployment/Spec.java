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
            if (json == null || json.isBlank()) {
                throw new StateStoreException(unreadable("the spec of deployment " + deploymentId, null) + SPEC_EXPECTED);
            }
            return JSON.readValue(json, Spec.class);
        } catch (JsonProcessingException | RuntimeException e) {
            if (e instanceof StateStoreException s) {
                throw s;
            }
            // neither Jackson's message nor the exception as cause: both quote the row's text, which holds a tenant's parameters
            throw new StateStoreException(unreadable("the spec of deployment " + deploymentId, e) + SPEC_EXPECTED);
        }
    }

    private static final String SPEC_EXPECTED = "; expected the JSON object the core stores for a deployment (contract, tenant, priority, "
            + "onMachineLoss, allocationId, members)";

    /**
     * Says that a stored row cannot be read and why, in words of its own: where the JSON breaks or
     * which field has another shape (a map's keys, the row's content, left out), never the text.
     */
    static String unreadable(String what, Exception e) {
        String why;
        if (e == null) {
            why = "it is empty";
        } else if (e instanceof com.fasterxml.jackson.core.JsonParseException p) {
            why = "not well-formed JSON" + at(p.getLocation());
        } else if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder path = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                Object from = r.getFrom();
                if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                } else if (from instanceof Map<?, ?> || from instanceof Class<?> c && Map.class.isAssignableFrom(c)) {
                    path.append("[a key]");
                } else if (r.getFieldName() != null) {
                    path.append('.').append(r.getFieldName());
                }
            }
            String where = at(m.getLocation());
            why = "JSON of another shape" + (path.isEmpty() ? where : " at " + path + (where.isEmpty() ? "" : "," + where.substring(" at".length())));
        } else if (e instanceof JsonProcessingException p) {
            why = "unreadable JSON" + at(p.getLocation());
        } else {
            why = e.getClass().getSimpleName();
        }
        return what + " cannot be read (" + why + ")";
    }

    private static String at(com.fasterxml.jackson.core.JsonLocation l) {
        return l == null || l.getLineNr() < 1 ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
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

        /** The record of a member's machine; one that cannot be read has no machine, and says so in its message (never quoting the row). */
        static Detail parse(String json, String deploymentId, String member) {
            if (json == null || json.isBlank()) {
                return NONE;
            }
            try {
                return JSON.readValue(json, Detail.class);
            } catch (JsonProcessingException | RuntimeException e) {
                return new Detail(null, null, unreadable("the machine record of member " + member + " of deployment " + deploymentId, e)
                        + "; expected the JSON object the core stores for a member's"
                        + " machine (machine, operation, message)");
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
