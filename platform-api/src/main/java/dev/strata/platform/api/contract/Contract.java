package dev.strata.platform.api.contract;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a workload needs, as its owner declares it: a gang of members placed all or nothing,
 * with the sovereignty, isolation and fabric clauses that apply to all of them.
 *
 * @param name the workload's name
 * @param tenant the tenant that owns it
 * @param priority higher is more important; recorded with the decision
 * @param members the gang, at least one
 * @param fabric how the members must reach each other
 * @param sovereignty where the data may live
 * @param isolation how isolated from other tenants
 * @param deployment how it is provisioned once placed (the {@code deployment} clause)
 */
public record Contract(String name, String tenant, int priority, List<Member> members, FabricRequest fabric,
        Sovereignty sovereignty, Isolation isolation, DeploymentTerms deployment) {

    /** A contract with the default deployment terms ({@link DeploymentTerms#DEFAULT}). */
    public Contract(String name, String tenant, int priority, List<Member> members, FabricRequest fabric, Sovereignty sovereignty,
            Isolation isolation) {
        this(name, tenant, priority, members, fabric, sovereignty, isolation, DeploymentTerms.DEFAULT);
    }

    public Contract {
        if (name == null || name.isBlank() || tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("a contract needs a name and a tenant");
        }
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        if (members.isEmpty()) {
            throw new IllegalArgumentException("contract " + name + " has no members");
        }
        Set<String> names = new HashSet<>();
        for (Member m : members) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("contract " + name + " has two members named " + m.name());
            }
        }
        Objects.requireNonNull(fabric, "fabric");
        Objects.requireNonNull(sovereignty, "sovereignty");
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(deployment, "deployment");
    }

    /**
     * The provisioning parameters of one member: the contract's {@link DeploymentTerms#parameters()}
     * with the member's own {@link Member#provisioning()} on top.
     */
    public Map<String, String> provisioningOf(Member member) {
        Map<String, String> merged = new TreeMap<>(deployment.parameters());
        merged.putAll(member.provisioning());
        return Map.copyOf(merged);
    }
}
