package dev.strata.platform.core.placement;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.provenance.ProviderText;
import dev.strata.platform.core.store.NewContract;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.ReleaseGuard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provenance records placement writes, and the contract as it is stored with a placement.
 *
 * <ul>
 * <li>{@code placement}: the contract (as read, its texts cleaned), the inventory and ledger generations decided
 * on, the allocation's bindings, the evidence per clause and the counted rejections.
 * <li>{@code placement-dry-run}: the same without an allocation, when dry runs are recorded.
 * <li>{@code release}: the allocation released and what it held; a forced release (one a deployment held) says
 * {@code forced: true}, and names the deployments that held it ({@code heldBy}).
 * <li>{@code configuration}: placement's configuration when it differs from the last recorded.
 * </ul>
 * Subjects: {@code contract}, {@code tenant}, {@code allocation}. Actor: the shell user who asked
 * ({@link Actors}), or {@code system}.
 */
final class PlacementRecords {

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private PlacementRecords() {
    }

    /** The contract as a tree of maps and lists (the contract's JSON form). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> tree(Contract contract) {
        return JSON.convertValue(contract, LinkedHashMap.class);
    }

    /**
     * A tree of maps and lists with every text in it cleaned as provider text is
     * ({@link ProviderText#clean}): what a record shows of a contract, whose parameters may hold a
     * signed URL ({@code X-Amz-Signature=...}, an Azure {@code sig=...}) that the provenance log
     * must not keep. The contract stored with the placement keeps them as given.
     */
    @SuppressWarnings("unchecked")
    static <T> T cleaned(T tree) {
        if (tree instanceof String s) {
            return (T) ProviderText.clean(s);
        }
        if (tree instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, cleaned(v)));
            return (T) out;
        }
        if (tree instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(cleaned(v)));
            return (T) out;
        }
        return tree;
    }

    /** The contract as stored with its placement: its JSON form, submitted by the record's actor. */
    static NewContract contract(Contract contract, ProvenanceEntry why) {
        try {
            return new NewContract(contract.name(), contract.tenant(), "json", JSON.writeValueAsString(contract), why == null ? null : why.actor());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("contract " + contract.name() + " cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    static ProvenanceEntry placement(Contract contract, Allocation allocation, ContractPlanner.Plan plan, long inventoryGeneration,
            long ledgerGeneration, String policy, String actor, String deploymentId) {
        Map<String, Object> payload = decision(contract, plan, inventoryGeneration, ledgerGeneration, policy);
        payload.put("allocation", allocation.id());
        if (deploymentId != null) {
            // in the payload, not as a subject: a deployment's history starts with its own record, which names the allocation
            payload.put("deployment", deploymentId);
        }
        return ProvenanceEntry.of("placement", actor, payload, "contract", contract.name(), "tenant", contract.tenant(), "allocation",
                allocation.id());
    }

    static ProvenanceEntry dryRun(Contract contract, ContractPlanner.Plan plan, long inventoryGeneration, long ledgerGeneration, String policy,
            String actor) {
        return ProvenanceEntry.of("placement-dry-run", actor, decision(contract, plan, inventoryGeneration, ledgerGeneration, policy),
                "contract", contract.name(), "tenant", contract.tenant());
    }

    private static Map<String, Object> decision(Contract contract, ContractPlanner.Plan plan, long inventoryGeneration, long ledgerGeneration,
            String policy) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("placed", plan.placed());
        payload.put("summary", plan.summary());
        payload.put("policy", policy);
        payload.put("inventoryGeneration", inventoryGeneration);
        payload.put("ledgerGeneration", ledgerGeneration);
        payload.put("contract", cleaned(tree(contract)));
        payload.put("bindings", bindings(plan.bindings()));
        List<Object> evidence = new ArrayList<>();
        for (ClauseEvidence e : plan.evidence()) {
            evidence.add(Map.of("clause", e.clause(), "evidence", e.evidence()));
        }
        payload.put("evidence", evidence);
        List<Object> rejections = new ArrayList<>();
        for (Rejection r : plan.rejections()) {
            rejections.add(Map.of("member", r.member(), "reason", r.reason(), "nodes", r.nodes()));
        }
        payload.put("rejections", rejections);
        payload.put("nodesConsidered", plan.nodesConsidered());
        return payload;
    }

    /** A release record; a forced one says so ({@code forced: true}), and the store adds the deployments it was forced from. */
    static ProvenanceEntry release(Allocation a, String actor, ReleaseGuard guard) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("allocation", a.id());
        if (guard.forced()) {
            payload.put("forced", true);
        }
        payload.put("contract", a.contract());
        payload.put("createdAt", a.createdAt() == null ? null : a.createdAt().toString());
        payload.put("bindings", bindings(a.bindings()));
        return ProvenanceEntry.of("release", actor, payload, "contract", a.contract(), "tenant", a.tenant(), "allocation", a.id());
    }

    static ProvenanceEntry configuration(String pid, Map<String, Object> values, String actor) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("pid", pid);
        payload.put("values", values);
        return new ProvenanceEntry("configuration", actor, Map.of("configuration", pid), payload);
    }

    private static List<Object> bindings(List<MemberBinding> bindings) {
        List<Object> out = new ArrayList<>();
        for (MemberBinding b : bindings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("member", b.member());
            m.put("node", b.nodeId());
            m.put("site", b.siteId());
            m.put("gpus", b.acceleratorIds());
            m.put("gpuFraction", b.gpuFraction());
            if (b.partition() != null) {
                m.put("partition", b.partition());
                m.put("partitionSlot", b.partitionSlot());
            }
            m.put("cpuMilli", b.cpuMilli());
            m.put("memoryBytes", b.memoryBytes());
            m.put("powerWatts", b.powerWatts());
            m.put("powerDomain", b.powerDomainId());
            out.add(m);
        }
        return out;
    }
}
