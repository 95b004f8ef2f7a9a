package dev.strata.platform.core.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.contract.DeploymentTerms;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.InvalidContractException;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.contract.Violation;
import dev.strata.platform.api.model.Quantities;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.osgi.service.component.annotations.Component;

/**
 * Reads contract documents in YAML (JSON is YAML too). Walks the document once, collecting
 * every problem with its path, so a person fixes them all in one go; nothing is returned unless
 * the whole document is valid. The schema is documented in the README ("Contracts").
 */
@Component(service = ContractReader.class)
public class ContractDocumentReader implements ContractReader {

    static final int MAX_REPLICAS = 1024;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final Set<String> TOP = Set.of("name", "tenant", "priority", "isolation", "sovereignty", "fabric", "members",
            "deployment");
    private static final Set<String> SOVEREIGNTY = Set.of("countries", "jurisdictions", "excludeOperatorJurisdictions", "dataClass");
    private static final Set<String> FABRIC = Set.of("rdma", "bandwidth");
    private static final Set<String> MEMBER = Set.of("name", "replicas", "cpu", "memory", "gpus", "topology", "power", "provisioning");
    private static final Set<String> GPUS = Set.of("count", "models", "memory", "fraction", "partition");
    private static final Set<String> TOPOLOGY = Set.of("nvlinkDomain", "numaAligned");

    @Override
    public Contract read(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidContractException(source, List.of(new Violation("(document)", null,
                    "well-formed YAML or JSON; the parser stopped" + where + ": " + e.getOriginalMessage())));
        }
        Walk walk = new Walk();
        if (root == null || !root.isObject()) {
            throw new InvalidContractException(source, List.of(new Violation("(document)", root == null ? null : root.toString(),
                    "a mapping with name, tenant and members")));
        }
        walk.unknownFields(root, "", TOP);
        String name = walk.requiredText(root, "name", "the workload's name");
        String tenant = walk.requiredText(root, "tenant", "the owning tenant");
        int priority = (int) walk.integer(root.get("priority"), "priority", 0, 0, 1_000_000);
        Isolation isolation = walk.isolation(root.get("isolation"));
        Sovereignty sovereignty = walk.sovereignty(root.get("sovereignty"));
        FabricRequest fabric = walk.fabric(root.get("fabric"));
        List<Member> members = walk.members(root.get("members"));
        DeploymentTerms deployment = DeploymentClauses.terms(root.get("deployment"), walk.violations);
        if (!walk.violations.isEmpty()) {
            throw new InvalidContractException(source, walk.violations);
        }
        return new Contract(name, tenant, priority, members, fabric, sovereignty, isolation, deployment);
    }

    /** One pass over a document; collects violations instead of stopping at the first. */
    private static final class Walk {
        final List<Violation> violations = new ArrayList<>();

        void fail(String path, JsonNode value, String expected) {
            violations.add(new Violation(path, value == null || value.isMissingNode() || value.isNull() ? null : text(value), expected));
        }

        static String text(JsonNode value) {
            return value.isValueNode() ? value.asText() : value.toString();
        }

        void unknownFields(JsonNode node, String prefix, Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!known.contains(field)) {
                    violations.add(new Violation(prefix + field, text(node.get(field)), "one of the fields " + String.join(", ", new java.util.TreeSet<>(known))));
                }
            }
        }

        String requiredText(JsonNode parent, String field, String what) {
            JsonNode value = parent.get(field);
            if (value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank()) {
                fail(field, value, what + " as text");
                return "?";
            }
            return value.asText();
        }

        long integer(JsonNode value, String path, long absent, long min, long max) {
            if (value == null || value.isNull()) {
                return absent;
            }
            if (!value.canConvertToLong() || !value.isIntegralNumber() && !value.asText().matches("-?\\d+")) {
                fail(path, value, "a whole number from " + min + " to " + max);
                return absent;
            }
            long v = value.asLong();
            if (v < min || v > max) {
                fail(path, value, "a whole number from " + min + " to " + max);
                return absent;
            }
            return v;
        }

        boolean bool(JsonNode value, String path) {
            if (value == null || value.isNull()) {
                return false;
            }
            if (!value.isBoolean()) {
                fail(path, value, "true or false");
                return false;
            }
            return value.asBoolean();
        }

        long quantity(JsonNode value, String path, ToLongFunction<String> parser, String what) {
            if (value == null || value.isNull()) {
                return 0;
            }
            try {
                return parser.applyAsLong(value.asText());
            } catch (IllegalArgumentException e) {
                fail(path, value, what);
                return 0;
            }
        }

        double decimal(JsonNode value, String path, ToDoubleFunction<String> parser, String what) {
            if (value == null || value.isNull()) {
                return 0;
            }
            try {
                return parser.applyAsDouble(value.asText());
            } catch (IllegalArgumentException e) {
                fail(path, value, what);
                return 0;
            }
        }

        Set<String> codes(JsonNode value, String path, boolean isoCountry) {
            Set<String> codes = new LinkedHashSet<>();
            if (value == null || value.isNull()) {
                return codes;
            }
            if (!value.isArray()) {
                fail(path, value, "a list such as [DE, FR]");
                return codes;
            }
            for (int i = 0; i < value.size(); i++) {
                String code = value.get(i).asText().strip().toUpperCase(Locale.ROOT);
                boolean ok = isoCountry ? code.matches("[A-Z]{2}") : code.matches("[A-Z]{2,8}");
                if (!value.get(i).isValueNode() || !ok) {
                    fail(path + "[" + i + "]", value.get(i), isoCountry ? "an ISO 3166-1 alpha-2 country code such as DE"
                            : "a jurisdiction code such as EU, DE or US");
                } else {
                    codes.add(code);
                }
            }
            return codes;
        }

        Isolation isolation(JsonNode value) {
            if (value == null || value.isNull()) {
                return Isolation.SHARED;
            }
            return switch (value.asText()) {
                case "shared" -> Isolation.SHARED;
                case "dedicated-node" -> Isolation.DEDICATED_NODE;
                default -> {
                    fail("isolation", value, "shared or dedicated-node");
                    yield Isolation.SHARED;
                }
            };
        }

        Sovereignty sovereignty(JsonNode node) {
            if (node == null || node.isNull()) {
                return Sovereignty.ANY;
            }
            if (!node.isObject()) {
                fail("sovereignty", node, "a mapping with countries, jurisdictions, excludeOperatorJurisdictions, dataClass");
                return Sovereignty.ANY;
            }
            unknownFields(node, "sovereignty.", SOVEREIGNTY);
            JsonNode dataClass = node.get("dataClass");
            return new Sovereignty(codes(node.get("countries"), "sovereignty.countries", true),
                    codes(node.get("jurisdictions"), "sovereignty.jurisdictions", false),
                    codes(node.get("excludeOperatorJurisdictions"), "sovereignty.excludeOperatorJurisdictions", false),
                    dataClass == null || dataClass.isNull() ? null : dataClass.asText());
        }

        FabricRequest fabric(JsonNode node) {
            if (node == null || node.isNull()) {
                return FabricRequest.ANY;
            }
            if (!node.isObject()) {
                fail("fabric", node, "a mapping with rdma and bandwidth");
                return FabricRequest.ANY;
            }
            unknownFields(node, "fabric.", FABRIC);
            boolean rdma = bool(node.get("rdma"), "fabric.rdma");
            double bandwidth = decimal(node.get("bandwidth"), "fabric.bandwidth", Quantities::gbps, "a bandwidth such as 400Gbps");
            if (bandwidth > 0 && !rdma) {
                fail("fabric.bandwidth", node.get("bandwidth"), "fabric.rdma: true alongside a bandwidth (the bandwidth is that of the RDMA fabric)");
            }
            return new FabricRequest(rdma, bandwidth);
        }

        List<Member> members(JsonNode node) {
            List<Member> members = new ArrayList<>();
            if (node == null || !node.isArray() || node.isEmpty()) {
                fail("members", node, "a list of at least one member");
                return members;
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < node.size(); i++) {
                String path = "members[" + i + "]";
                JsonNode m = node.get(i);
                if (!m.isObject()) {
                    fail(path, m, "a mapping with name, cpu, memory, gpus");
                    continue;
                }
                int before = violations.size();
                unknownFields(m, path + ".", MEMBER);
                String name = m.hasNonNull("name") && m.get("name").isValueNode() && !m.get("name").asText().isBlank()
                        ? m.get("name").asText() : null;
                if (name == null) {
                    fail(path + ".name", m.get("name"), "the member's name as text");
                    name = "member-" + i;
                }
                long replicas = integer(m.get("replicas"), path + ".replicas", 1, 1, MAX_REPLICAS);
                long cpu = quantity(m.get("cpu"), path + ".cpu", Quantities::cpuMilli, "a CPU quantity such as 4, 2.5 or 500m");
                long memory = quantity(m.get("memory"), path + ".memory", Quantities::bytes, "a size such as 64GiB");
                GpuRequest gpus = gpus(m.get("gpus"), path + ".gpus");
                TopologyRequest topology = topology(m.get("topology"), path + ".topology");
                double power = decimal(m.get("power"), path + ".power", Quantities::watts, "a power such as 700W or 10kW");
                Map<String, String> provisioning = DeploymentClauses.parameters(m.get("provisioning"), path + ".provisioning", violations);
                if (cpu == 0 && memory == 0 && gpus.count() == 0 && violations.size() == before) {
                    fail(path, m, "at least one of cpu, memory or gpus");
                }
                if (topology.oneNvlinkDomain() && gpus.count() < 2 && violations.size() == before) {
                    fail(path + ".topology.nvlinkDomain", m.get("topology").get("nvlinkDomain"), "gpus.count of 2 or more (one GPU is always in one domain)");
                }
                for (int r = 0; r < replicas; r++) {
                    String memberName = replicas == 1 ? name : name + "-" + r;
                    if (!names.add(memberName)) {
                        fail(path + ".name", m.get("name"), "a name no other member has");
                        break;
                    }
                    if (violations.isEmpty()) {
                        members.add(new Member(memberName, cpu, memory, gpus, topology, power, provisioning));
                    }
                }
            }
            return members;
        }

        GpuRequest gpus(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return GpuRequest.NONE;
            }
            if (node.isIntegralNumber()) {
                int count = (int) integer(node, path, 0, 0, 64);
                return new GpuRequest(count, Set.of(), 0, 1, null);
            }
            if (!node.isObject()) {
                fail(path, node, "a GPU count, or a mapping with count, models, memory, fraction, partition");
                return GpuRequest.NONE;
            }
            unknownFields(node, path + ".", GPUS);
            int count = (int) integer(node.get("count"), path + ".count", 1, 0, 64);
            Set<String> models = new LinkedHashSet<>();
            JsonNode modelsNode = node.get("models");
            if (modelsNode != null && !modelsNode.isNull()) {
                if (!modelsNode.isArray()) {
                    fail(path + ".models", modelsNode, "a list of GPU models such as [H100, H200]");
                } else {
                    for (JsonNode model : modelsNode) {
                        models.add(model.asText());
                    }
                }
            }
            long memory = quantity(node.get("memory"), path + ".memory", Quantities::bytes, "a size such as 80GiB");
            double fraction = 1;
            JsonNode fractionNode = node.get("fraction");
            if (fractionNode != null && !fractionNode.isNull()) {
                if (!fractionNode.isNumber() || fractionNode.asDouble() <= 0 || fractionNode.asDouble() > 1) {
                    fail(path + ".fraction", fractionNode, "a share of one GPU, more than 0 and at most 1 (e.g. 0.25)");
                } else {
                    fraction = fractionNode.asDouble();
                }
            }
            JsonNode partition = node.get("partition");
            String profile = null;
            if (partition != null && !partition.isNull()) {
                if (!partition.asText().matches("\\d+g\\.\\d+gb(\\+me)?")) {
                    fail(path + ".partition", partition, "a MIG profile name such as 1g.10gb or 3g.40gb");
                } else {
                    profile = partition.asText();
                }
            }
            if ((fraction < 1 || profile != null) && count != 1) {
                fail(path + ".count", node.get("count"), "1 when a fraction or partition of a GPU is asked for");
                count = 1;
            }
            if (fraction < 1 && profile != null) {
                fail(path + ".partition", partition, "either a fraction or a partition, not both");
            }
            return new GpuRequest(count, models, memory, fraction, profile);
        }

        TopologyRequest topology(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                return TopologyRequest.ANY;
            }
            if (!node.isObject()) {
                fail(path, node, "a mapping with nvlinkDomain and numaAligned");
                return TopologyRequest.ANY;
            }
            unknownFields(node, path + ".", TOPOLOGY);
            return new TopologyRequest(bool(node.get("nvlinkDomain"), path + ".nvlinkDomain"), bool(node.get("numaAligned"), path + ".numaAligned"));
        }
    }
}
