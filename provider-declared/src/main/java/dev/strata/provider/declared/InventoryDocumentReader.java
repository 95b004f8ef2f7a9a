package dev.strata.provider.declared;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.Quantities;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the node catalogue and declared inventory documents (YAML). Checks the whole document
 * and reports every problem at once, each with its path; returns nothing unless all is valid.
 */
final class InventoryDocumentReader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TOP = Set.of("models", "sites", "powerDomains", "fabrics", "nodes");
    private static final Set<String> MODEL = Set.of("description", "source", "cpu", "memory", "gpus", "nics", "power");
    private static final Set<String> CPU = Set.of("sockets", "coresPerSocket", "threadsPerCore", "vendor", "model");
    private static final Set<String> GPUS = Set.of("count", "model", "memory", "computeCapability", "powerLimit", "interconnect",
            "nvlinkGBps", "migProfiles");
    private static final Set<String> NICS = Set.of("count", "speed", "type", "model");
    private static final Set<String> POWER = Set.of("idle", "max");
    private static final Set<String> SITE = Set.of("id", "name", "region", "zone", "country", "jurisdictions", "operator",
            "certifications", "powerBudget", "floorSpace");
    private static final Set<String> OPERATOR = Set.of("name", "jurisdictions");
    private static final Set<String> DOMAIN = Set.of("id", "kind", "site", "parent", "budget");
    private static final Set<String> FABRIC = Set.of("id", "type", "technology", "site", "members", "bandwidth", "latency", "tiers");
    private static final Set<String> NODE = Set.of("id", "count", "idPrefix", "model", "site", "powerDomain", "powerDomains",
            "fabrics", "traits", "tenant");

    private final Map<String, NodeModel> catalogue;

    /** A reader whose models are the built-in catalogue. */
    static InventoryDocumentReader withBuiltInCatalogue() {
        try (InputStream in = InventoryDocumentReader.class.getResourceAsStream("catalogue.yaml")) {
            if (in == null) {
                throw new IllegalStateException("the built-in node catalogue catalogue.yaml is missing from the bundle");
            }
            return new InventoryDocumentReader(Map.of()).withModels(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in catalogue");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in node catalogue", e);
        }
    }

    private InventoryDocumentReader(Map<String, NodeModel> catalogue) {
        this.catalogue = Map.copyOf(catalogue);
    }

    Set<String> modelNames() {
        return new TreeSet<>(catalogue.keySet());
    }

    NodeModel model(String name) {
        return catalogue.get(name);
    }

    /** This reader plus the models of a catalogue document. */
    InventoryDocumentReader withModels(String text, String source) {
        JsonNode root = parse(text, source, source);
        Problems problems = new Problems(() -> lines(text), () -> booleans(text));
        Map<String, NodeModel> models = new LinkedHashMap<>(catalogue);
        models.putAll(models(root.get("models"), problems));
        if (!problems.isEmpty()) {
            throw new ProviderFailureException(problems.describe(source));
        }
        return new InventoryDocumentReader(models);
    }

    /**
     * Reads a declared inventory.
     *
     * @throws ProviderFailureException listing every problem with its path
     */
    DeclaredInventory read(String text, String source, String providerId) {
        JsonNode root = parse(text, source, "declared inventory " + source);
        if (root.isMissingNode() || root.isNull()) {
            // what an editor leaves for a moment while it saves: never read as "nothing declared"
            throw new ProviderFailureException("declared inventory " + source + " is empty; expected a mapping with sites, "
                    + "powerDomains, fabrics and nodes (to declare nothing, delete the file or write {})");
        }
        Problems problems = new Problems(() -> lines(text), () -> booleans(text));
        if (!root.isObject()) {
            problems.add("(document)", root, "a mapping with sites, powerDomains, fabrics and nodes");
            throw new ProviderFailureException(problems.describe("declared inventory " + source));
        }
        problems.unknownFields(root, "", TOP);
        if (root.path("models").isObject()) {
            root.get("models").fieldNames().forEachRemaining(name -> {
                String builtIn = catalogue.keySet().stream().filter(name::equalsIgnoreCase).findFirst().orElse(null);
                if (builtIn != null) {
                    // the same name would replace the catalogue's figures for every node of that model without a word; another
                    // case would be a second model that whoever reads the file takes for the built-in one
                    problems.addProblem("models." + name, builtIn.equals(name) ? "is a model of the built-in catalogue"
                            : "differs only in case from the built-in model " + builtIn, "a name of its own for a model the file"
                            + " declares, such as " + builtIn + "-custom (built in: " + Problems.listed(catalogue.keySet()) + ")");
                }
            });
        }
        Map<String, NodeModel> models = new LinkedHashMap<>(catalogue);
        models.putAll(models(root.get("models"), problems));
        Map<String, Site> sites = sites(root.get("sites"), problems, providerId);
        // references resolve against every declared id, valid or not, so one bad entry is reported once
        Set<String> siteIds = ids(root.get("sites"));
        Map<String, PowerDomain> domains = powerDomains(root.get("powerDomains"), problems, siteIds);
        Set<String> domainIds = ids(root.get("powerDomains"));
        Map<String, JsonNode> fabricNodes = new LinkedHashMap<>();
        Map<String, IdAt> foldedFabrics = new HashMap<>();
        JsonNode fabricList = list(root.get("fabrics"), "fabrics", problems);
        for (int i = 0; i < fabricList.size(); i++) {
            JsonNode f = fabricList.get(i);
            if (!f.isObject()) {
                continue; // fabrics() says so
            }
            String id = id(text(f, "id", "fabrics[" + i + "]", problems, "a fabric id"), f.get("id"), "fabrics[" + i + "].id", problems, "a fabric id", MAX_ID);
            if (id != null && fabricNodes.put(id, f) != null) {
                problems.add("fabrics[" + i + "].id", f.get("id"), "an id no other fabric has");
            } else if (id != null) {
                differsOnlyInCase(foldedFabrics, id, "fabrics[" + i + "].id", f.get("id"), problems, "fabric");
            }
        }
        Map<String, Set<String>> fabricMembers = new HashMap<>();
        // a model the document declares but refused is reported there, not again as unknown at each node of it
        Set<String> refusedModels = new TreeSet<>();
        if (root.path("models").isObject()) {
            root.get("models").fieldNames().forEachRemaining(name -> {
                if (!models.containsKey(name)) {
                    refusedModels.add(name);
                }
            });
        }
        // where each power domain and each fabric tied to one site is: a node at another site cannot be in it
        Map<String, String> placedAt = new HashMap<>();
        JsonNode domainList = root.path("powerDomains");
        for (int i = 0; domainList.isArray() && i < domainList.size(); i++) {
            JsonNode d = domainList.get(i);
            if (d.path("id").isTextual() && d.path("site").isTextual()) {
                placedAt.putIfAbsent("powerDomain " + d.get("id").asText(), d.get("site").asText());
            }
        }
        // a WAN joins sites: its members are sites, never a node
        Set<String> wans = new HashSet<>();
        fabricNodes.forEach((id, f) -> {
            if ("WAN".equalsIgnoreCase(f.path("type").asText())) {
                wans.add(id);
            }
        });
        fabricNodes.forEach((id, f) -> {
            if (f.path("site").isTextual() && !"WAN".equalsIgnoreCase(f.path("type").asText())) {
                placedAt.put("fabric " + id, f.get("site").asText());
            }
        });
        List<Node> nodes = nodes(root.get("nodes"), problems, models, refusedModels, siteIds, domainIds, fabricNodes.keySet(), wans, fabricMembers,
                placedAt, providerId);
        List<Fabric> fabrics = fabrics(fabricList, problems, siteIds, fabricMembers, nodes);
        if (!problems.isEmpty()) {
            throw new ProviderFailureException(problems.describe("declared inventory " + source));
        }
        return new DeclaredInventory(List.copyOf(sites.values()), List.copyOf(domains.values()), fabrics, nodes);
    }

    private static Set<String> ids(JsonNode list) {
        Set<String> ids = new TreeSet<>();
        if (list != null && list.isArray()) {
            list.forEach(e -> {
                if (e.hasNonNull("id")) {
                    ids.add(e.get("id").asText());
                }
            });
        }
        return ids;
    }

    /**
     * The document's tree. A key given twice in one mapping is refused with its path and line, as
     * one of the document's problems ({@code what} names the document there).
     */
    private static JsonNode parse(String text, String source, String what) {
        try (JsonParser parser = YAML.createParser(text == null ? "" : text)) {
            JsonNode root = YAML.readTree(parser);
            com.fasterxml.jackson.core.JsonToken next = root == null ? null : parser.nextToken();
            while (next == com.fasterxml.jackson.core.JsonToken.VALUE_NULL) {
                next = parser.nextToken(); // an empty document (a trailing ---) holds nothing to drop
            }
            if (next != null) {
                // a second document (after ---) would otherwise be dropped without a word
                int line = parser.currentLocation() == null ? -1 : parser.currentLocation().getLineNr();
                throw new ProviderFailureException(what + " holds more than one YAML document" + (line > 0 ? " (another starts at line "
                        + line + ")" : "") + "; expected one document with sites, powerDomains, fabrics and nodes (remove the ---"
                        + " between them)");
            }
            Problems unread = unread(text);
            if (!unread.isEmpty()) {
                throw new ProviderFailureException(unread.describe(what));
            }
            return root == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : root;
        } catch (IOException e) {
            if (!(e instanceof JsonProcessingException)) {
                throw new ProviderFailureException(source + " cannot be read: " + e.getMessage());
            }
            JsonProcessingException jpe = (JsonProcessingException) e;
            if (jpe.getOriginalMessage() != null && jpe.getOriginalMessage().startsWith("Duplicate field")) {
                String key = jpe.getOriginalMessage().replaceFirst("^Duplicate field '(.*)'$", "$1");
                String path = jpe.getProcessor() instanceof JsonParser parser ? path(parser.getParsingContext()) : "";
                int line = jpe.getLocation() == null ? -1 : jpe.getLocation().getLineNr();
                Problems problems = new Problems();
                problems.addProblem((path.isEmpty() ? "" : path + ".") + key, "given twice" + (line > 0 ? " (again at line " + line + ")" : ""),
                        "each key once in a mapping");
                throw new ProviderFailureException(problems.describe(what));
            }
            java.util.regex.Matcher limit = TEXT_LIMIT.matcher(String.valueOf(jpe.getOriginalMessage()));
            if (limit.find()) {
                // well-formed as far as it was read: the reader stops at its bound, which a file under 16 MiB can pass
                int line = jpe.getLocation() == null ? -1 : jpe.getLocation().getLineNr();
                throw new ProviderFailureException(what + " is longer than the YAML reader takes: more than " + limit.group(1)
                        + " characters" + (line > 0 ? " (the bound is passed at line " + line + ")" : "") + "; expected a YAML document of"
                        + " at most " + limit.group(1) + " characters (declare nodes with count and idPrefix rather than one by one)");
            }
            throw new ProviderFailureException(what + " is not well-formed YAML" + notWellFormed(jpe));
        }
    }

    /** What the YAML reader says when a document passes its bound of characters (3 MiB), with the bound. */
    private static final java.util.regex.Pattern TEXT_LIMIT = java.util.regex.Pattern.compile(
            "^The incoming YAML document exceeds the limit: (\\d+) code points");

    /**
     * Where and why a document does not parse, on one line: {@code at line 15, column 23: expected ','
     * or ']', but got <stream end> (while parsing a flow sequence that starts at line 15, column 20)}.
     * The YAML parser's own message spans several lines, each quoting the document around a caret.
     */
    private static String notWellFormed(JsonProcessingException e) {
        org.yaml.snakeyaml.error.MarkedYAMLException marked = null;
        for (Throwable t = e; t != null && marked == null; t = t.getCause()) {
            marked = t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m ? m : null;
        }
        String where;
        String problem;
        if (marked != null && marked.getProblemMark() != null) {
            where = " at line " + (marked.getProblemMark().getLine() + 1) + ", column " + (marked.getProblemMark().getColumn() + 1);
            problem = marked.getProblem() == null ? "cannot be parsed" : marked.getProblem();
            if (marked.getContext() != null) {
                org.yaml.snakeyaml.error.Mark at = marked.getContextMark();
                problem += " (" + marked.getContext() + (at == null ? "" : " that starts at line " + (at.getLine() + 1) + ", column "
                        + (at.getColumn() + 1)) + ")";
            }
        } else {
            where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            problem = String.valueOf(e.getOriginalMessage());
        }
        return where + ": " + Problems.shown(problem.replaceAll("\\s+", " ").strip(), 300);
    }

    private static final String YAML_TAGS = "tag:yaml.org,2002:";

    /**
     * The line of each value of the document by its path ({@code nodes[3].memory}, {@code nodes[3]}
     * for the mapping), for the problems to name. Called on a document that parsed; empty if it
     * cannot be walked again.
     */
    private static Map<String, Integer> lines(String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.createParser(text == null ? "" : text)) {
            int depth = 0;
            for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    continue;
                }
                String at = field(p.getParsingContext(), t.isStructStart());
                if (!t.isStructEnd() && !at.equals("(document)") && p.currentTokenLocation() != null && p.currentTokenLocation().getLineNr() > 0) {
                    lines.putIfAbsent(at, p.currentTokenLocation().getLineNr());
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd() && --depth == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            return Map.of(); // it parsed once: the problems are named by their paths alone
        }
        return lines;
    }

    /**
     * How each value YAML read as true or false was written ({@code NO}, {@code yes}, {@code Off}), by its
     * path, for the problems to quote. Called on a document that parsed; empty if it cannot be walked again.
     */
    private static Map<String, String> booleans(String text) {
        Map<String, String> written = new HashMap<>();
        try (JsonParser p = YAML.createParser(text == null ? "" : text)) {
            int depth = 0;
            for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE || t == com.fasterxml.jackson.core.JsonToken.VALUE_FALSE) {
                    written.putIfAbsent(field(p.getParsingContext(), false), p.getText());
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd() && --depth == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            return Map.of(); // it parsed once: the problems show the true or false read
        }
        return written;
    }

    /**
     * What the tree does not show and would be read wrong: an alias ({@code *name}), which the
     * parser hands over as the text of its anchor's name instead of the value it stands for (a
     * node's {@code tenant: *t} was the tenant {@code t}, {@code certifications: [*iso]} the
     * certification {@code iso}), and an explicit tag ({@code !!int s4}, {@code !foo x}), which the
     * parser drops without a word. Each is a problem with its path and line. Called on a document
     * that parsed.
     */
    private static Problems unread(String text) throws IOException {
        Problems problems = new Problems();
        if (text == null || (text.indexOf('*') < 0 && text.indexOf('!') < 0 && text.indexOf('0') < 0 && text.indexOf('_') < 0)) {
            return problems; // none can be written without one of these
        }
        try (YAMLParser p = (YAMLParser) YAML.createParser(text)) {
            int depth = 0;
            for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    continue;
                }
                int line = p.currentTokenLocation() == null ? -1 : p.currentTokenLocation().getLineNr();
                String at = field(p.getParsingContext(), t.isStructStart());
                if (p.isCurrentAlias()) {
                    // the anchor's name as any value of the file is shown: YAML allows a direction override in it
                    problems.addProblem(at, "'*" + Problems.shown(p.getText()) + "' (line " + line + ") is an alias of the anchor &"
                            + Problems.shown(p.getText()),
                            "the value written out: the declared inventory does not read YAML anchors and aliases");
                } else if (t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT || t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT) {
                    String read = notAsWritten(p, t);
                    if (read != null) {
                        problems.addProblem(at, "'" + Problems.shown(p.getText()) + "' (line " + line + ") is read by YAML as " + read,
                                "a plain decimal number, without a leading 0, underscores or a 0x or 0b prefix (quote it where it is text, such as an id)");
                    }
                }
                if (!p.isCurrentAlias() && p.getTypeId() != null) {
                    String tag = p.getTypeId();
                    String written = tag.startsWith(YAML_TAGS) ? "!!" + tag.substring(YAML_TAGS.length())
                            : tag.indexOf(':') >= 0 ? "!<" + tag + ">" : "!" + tag;
                    problems.addProblem(at, "the YAML tag " + Problems.shown(written) + " (line " + line + ")",
                            "a plain YAML value without a tag: the declared inventory takes no tags (quote text to keep it as written)");
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd() && --depth == 0) {
                    break; // the first document: a second one was refused before
                }
            }
        }
        return problems;
    }

    private static final java.util.regex.Pattern DECIMAL_DIGITS = java.util.regex.Pattern.compile("[-+]?[0-9][0-9_]*");

    /**
     * What YAML reads a number as when that is not the decimal written, with why; null when it is.
     * YAML 1.1 reads {@code 010} as octal 8 ({@code count: 010} declared 8 nodes; {@code 09}, not
     * octal, is 9), {@code 0x10} as 16, {@code 0b10} as 2, and drops underscores ({@code 1_000}).
     */
    private static String notAsWritten(YAMLParser p, com.fasterxml.jackson.core.JsonToken t) throws IOException {
        String written = p.getText();
        if (t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT) {
            return written.contains("_") ? p.getDecimalValue().toPlainString() + " (YAML drops the underscores in a number)" : null;
        }
        String digits = written.replace("+", "").replace("-", "");
        if (digits.startsWith("0x") || digits.startsWith("0b")) {
            return p.getBigIntegerValue() + " (YAML takes a number starting " + (digits.startsWith("0x") ? "0x for hexadecimal)" : "0b for binary)");
        }
        if (!DECIMAL_DIGITS.matcher(written).matches()) {
            return null;
        }
        java.math.BigInteger decimal = new java.math.BigInteger(written.replace("_", "").replace("+", ""));
        if (!decimal.equals(p.getBigIntegerValue())) {
            return p.getBigIntegerValue() + " (YAML takes a number with a leading 0 for octal)";
        }
        return written.contains("_") ? p.getBigIntegerValue() + " (YAML drops the underscores in a number)" : null;
    }

    /** The path of the value a parser is at: {@code sites[1].country}; {@code (document)} for the root. */
    private static String field(JsonStreamContext context, boolean structStart) {
        // at the start of a mapping or list the context is already the new one: its parent holds the field
        JsonStreamContext own = structStart && context != null ? context.getParent() : context;
        if (own == null || own.inRoot()) {
            return "(document)";
        }
        String parent = path(own);
        String name = own.inArray() ? "[" + own.getCurrentIndex() + "]" : own.getCurrentName() == null ? "" : own.getCurrentName();
        String at = name.isEmpty() ? parent : parent.isEmpty() || name.startsWith("[") ? parent + name : parent + "." + name;
        return at.isEmpty() ? "(document)" : at;
    }

    /** The path of the mapping a parser is in, as the problems name it: {@code sites[1]}. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context == null ? null : context.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                parts.add(0, "." + c.getCurrentName());
            }
        }
        String p = String.join("", parts);
        return p.startsWith(".") ? p.substring(1) : p;
    }

    // ---- models ------------------------------------------------------------------------------

    private static Map<String, NodeModel> models(JsonNode node, Problems problems) {
        Map<String, NodeModel> models = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return models;
        }
        if (!node.isObject()) {
            problems.add("models", node, "a mapping from model name to its specification");
            return models;
        }
        Map<String, String> folded = new HashMap<>();
        for (var e : node.properties()) {
            String path = "models." + e.getKey();
            JsonNode m = e.getValue();
            if (!oneLine(e.getKey())) {
                // the name is every node's model attribute, shown and logged as it is
                problems.addProblem(path, "the model's name holds a control or format character", "a model name " + ONE_LINE);
                continue;
            }
            String other = folded.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getKey());
            if (other != null) {
                // as ids: in a file typed by hand, big and BIG are far likelier one model typed twice than two
                problems.addProblem(path, "differs only in case from the model " + Problems.shown(other) + ", models." + Problems.shown(other),
                        "a name that differs by more than case from every other model's (model names are case-sensitive, and two that"
                        + " differ only in case are likely one typed twice)");
                continue;
            }
            if (!mapping(m, path, problems, "a model: a mapping with cpu and memory, and gpus, nics and power if it has them")) {
                continue;
            }
            int before = problems.size();
            problems.unknownFields(m, path + ".", MODEL);
            String description = line(optionalText(m.get("description"), path + ".description", problems, "a description"),
                    m.get("description"), path + ".description", problems, "a description");
            optionalText(m.get("source"), path + ".source", problems, "where the figures come from");
            // a model has CPUs and memory; a default (1 core, 0 bytes) would be a node no one declared
            JsonNode cpu = section(m, "cpu", path, problems, true, CPU, "the CPUs, a mapping such as {sockets: 2, coresPerSocket: 56, threadsPerCore: 2}");
            int sockets = integer(cpu.get("sockets"), path + ".cpu.sockets", problems, 1, 16, 1);
            int cores = !m.path("cpu").isObject() ? 1 : integer(required(cpu, "coresPerSocket", path + ".cpu", problems, "a whole number from 1 to 1024"),
                    path + ".cpu.coresPerSocket", problems, 1, 1024, 1);
            int threads = integer(cpu.get("threadsPerCore"), path + ".cpu.threadsPerCore", problems, 1, 8, 1);
            String vendor = line(optionalText(cpu.get("vendor"), path + ".cpu.vendor", problems, "the CPU vendor, such as GenuineIntel"),
                    cpu.get("vendor"), path + ".cpu.vendor", problems, "the CPU vendor");
            String cpuModel = line(optionalText(cpu.get("model"), path + ".cpu.model", problems, "the CPU's product name"), cpu.get("model"),
                    path + ".cpu.model", problems, "the CPU's product name");
            long memory = memory(required(m, "memory", path, problems, "the node's memory, a size such as 2TiB"), path + ".memory", problems,
                    "the node's memory, a size such as 2TiB", MAX_NODE_MEMORY, "1PiB");
            NodeModel.Gpus gpus = gpus(m, path, problems);
            JsonNode nics = section(m, "nics", path, problems, false, NICS, "the NICs, a mapping such as {count: 8, speed: 400Gbps, type: infiniband}");
            int nicCount = integer(nics.get("count"), path + ".nics.count", problems, 0, 64, 0);
            double nicGbps = nicCount == 0 ? gbps(nics.get("speed"), path + ".nics.speed", problems, NIC_SPEED)
                    : gbps(required(nics, "speed", path + ".nics", problems, NIC_SPEED.expected()), path + ".nics.speed", problems, NIC_SPEED);
            String nicType = nicType(nics.get("type"), path + ".nics.type", problems);
            optionalText(nics.get("model"), path + ".nics.model", problems, "the NICs' product name");
            JsonNode power = section(m, "power", path, problems, false, POWER, "the power draw, a mapping such as {idle: 3kW, max: 10.2kW}");
            double idle = watts(power.get("idle"), path + ".power.idle", problems, NODE_WATTS);
            double max = watts(power.get("max"), path + ".power.max", problems, NODE_WATTS);
            if (idle > 0 && max > 0 && idle > max) {
                problems.add(path + ".power.idle", power.get("idle"), "at most the maximum draw, power.max: '"
                        + Problems.shown(power.get("max").asText()) + "' (a node draws no more idle than at full load)");
            }
            if (gpus != null && gpus.powerLimitWatts() > 0 && max > 0 && max < gpus.count() * gpus.powerLimitWatts()) {
                // what a power domain is charged for the node would be less than its GPUs alone may draw
                problems.add(path + ".power.max", power.get("max"), "at least what the GPUs may draw together, " + gpus.count() + " x "
                        + Problems.shown(m.path("gpus").path("powerLimit").asText())
                        + " (a node draws at full load at least its GPUs' power limits)");
            }
            if (problems.size() > before) {
                continue;
            }
            CpuTopology topology = NodeModel.topology(sockets, cores, threads, vendor, cpuModel);
            models.put(e.getKey(), new NodeModel(e.getKey(), description == null ? e.getKey() : description, topology,
                    NodeModel.numa(topology, memory), memory, gpus,
                    new NodeModel.Nics(nicCount, Math.round(nicGbps * 1000), nicType == null ? "ethernet" : nicType),
                    new PowerDraw(Math.round(idle), Math.round(max))));
        }
        return models;
    }

    /**
     * A nested mapping of a model ({@code cpu}, {@code gpus}, {@code nics}, {@code power}) with its
     * unknown fields refused; an empty mapping where it is absent or refused, so that nothing of it
     * is read as a default: a scalar ({@code cpu: 128}) is refused, as is an absent required one.
     */
    private static JsonNode section(JsonNode model, String field, String path, Problems problems, boolean required, Set<String> known,
            String expected) {
        JsonNode v = model.get(field);
        if ((v == null || v.isNull()) && !required) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!mapping(v, path + "." + field, problems, expected)) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        problems.unknownFields(v, path + "." + field + ".", known);
        return v;
    }

    /** The field's value; a problem naming it when it is absent or null (the value is then null). */
    private static JsonNode required(JsonNode parent, String field, String path, Problems problems, String expected) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            problems.add(path + "." + field, v, expected);
            return null;
        }
        return v;
    }

    private static NodeModel.Gpus gpus(JsonNode m, String path, Problems problems) {
        if (!m.hasNonNull("gpus")) {
            return null;
        }
        JsonNode g = section(m, "gpus", path, problems, false, GPUS, "the GPUs, a mapping such as {count: 8, model: NVIDIA H100, memory: 80GiB}");
        if (g.isEmpty() && !m.get("gpus").isObject()) {
            return null; // refused as a whole, not field by field
        }
        path = path + ".gpus";
        int count = integer(g.get("count"), path + ".count", problems, 1, 64, 1);
        String model = line(text(g, "model", path, problems, "the GPU product name"), g.get("model"), path + ".model", problems,
                "the GPU product name");
        long memory = memory(required(g, "memory", path, problems, "each GPU's memory, a size such as 80GiB"), path + ".memory", problems,
                "each GPU's memory, a size such as 80GiB", MAX_GPU_MEMORY, "16TiB");
        double limit = watts(g.get("powerLimit"), path + ".powerLimit", problems, GPU_WATTS);
        List<PartitionProfile> profiles = MigProfiles.read(g.get("migProfiles"), path + ".migProfiles", memory, problems);
        String interconnect = interconnect(g.get("interconnect"), path + ".interconnect", problems);
        double nvlink = number(g.get("nvlinkGBps"), path + ".nvlinkGBps", problems, 10_000, "the NVLink bandwidth per GPU and direction in GB/s,",
                "such as 450 (NVIDIA's 900 GB/s for NVLink 4 counts both directions)");
        if (interconnect == null && nvlink > 0 && !g.hasNonNull("interconnect")) {
            // without an interconnect the GPUs have no NVLink domain, and the bandwidth would be dropped without a word
            problems.add(path + ".nvlinkGBps", g.get("nvlinkGBps"), "nvlinkGBps with an interconnect (such as interconnect: NVSwitch), or"
                    + " neither for GPUs joined by PCIe only");
        }
        String capability = line(optionalText(g.get("computeCapability"), path + ".computeCapability", problems,
                "the compute capability, such as '9.0'"), g.get("computeCapability"), path + ".computeCapability", problems,
                "the compute capability");
        return new NodeModel.Gpus(count, model, memory, capability, limit, interconnect, nvlink, profiles);
    }

    /** The interconnects a model's GPUs may declare, as written in the catalogue; each puts them in one NVLink domain per node. */
    private static final List<String> INTERCONNECTS = List.of("NVSwitch", "NVLink");

    /**
     * A model's {@code gpus.interconnect}: NVSwitch or NVLink in any case, given back in that spelling;
     * null when left out. Any other text (PCIe, say) is refused rather than taken as NVLink.
     */
    private static String interconnect(JsonNode v, String path, Problems problems) {
        return oneOf(v, path, problems, INTERCONNECTS, "NVSwitch or NVLink; leave it out for GPUs joined by PCIe only");
    }

    /**
     * An optional text that must be one of {@code known}, in any case: given back in the spelling of {@code known};
     * null when left out, or refused (with {@code expected}) when it is none of them.
     */
    private static String oneOf(JsonNode v, String path, Problems problems, List<String> known, String expected) {
        String text = optionalText(v, path, problems, expected);
        if (text == null) {
            return null;
        }
        for (String k : known) {
            if (k.equalsIgnoreCase(text)) {
                return k;
            }
        }
        problems.add(path, v, expected);
        return null;
    }

    /**
     * The NIC link types a model may declare, as the other providers report them (the bare-metal provider's
     * {@code ethernet} and {@code infiniband}, the AWS provider's {@code efa}); placement takes {@code infiniband} as RDMA.
     */
    private static final List<String> NIC_TYPES = List.of("ethernet", "infiniband", "efa");

    /**
     * A model's {@code nics.type}: one of {@link #NIC_TYPES} in any case, given back in that spelling; null when left
     * out. Any other text ({@code infiniban}, {@code ether net}) is refused: carried into the inventory, it would be a
     * link type no one reads, and an InfiniBand NIC misspelt would not count as RDMA.
     */
    private static String nicType(JsonNode v, String path, Problems problems) {
        return oneOf(v, path, problems, NIC_TYPES, "the NICs' link type, one of " + String.join(", ", NIC_TYPES) + " (leave it out for ethernet)");
    }

    // ---- sites, power domains, fabrics -------------------------------------------------------

    private static Map<String, Site> sites(JsonNode node, Problems problems, String providerId) {
        Map<String, Site> sites = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, IdAt> folded = new HashMap<>();
        JsonNode list = list(node, "sites", problems);
        for (int i = 0; i < list.size(); i++) {
            String path = "sites[" + i + "]";
            JsonNode s = list.get(i);
            if (!mapping(s, path, problems, "a site, such as {id: fra-1, country: DE, jurisdictions: [EU, DE]}")) {
                continue;
            }
            int before = problems.size();
            problems.unknownFields(s, path + ".", SITE);
            String id = id(text(s, "id", path, problems, "a site id such as fra-1"), s.get("id"), path + ".id", problems, "a site id such as fra-1", MAX_ID);
            optionalText(s.get("name"), path + ".name", problems, "the site's name");
            String region = line(optionalText(s.get("region"), path + ".region", problems, "the region"), s.get("region"), path + ".region",
                    problems, "the region");
            String zone = line(optionalText(s.get("zone"), path + ".zone", problems, "the zone"), s.get("zone"), path + ".zone", problems,
                    "the zone");
            String country = code(s.get("country"), path + ".country", problems, "[A-Z]{2}", "an ISO 3166-1 alpha-2 country code such as DE");
            if (country != null && !Site.isCountryCode(country)) {
                // a site in XX would meet no contract's countries
                problems.addProblem(path + ".country", "'" + Problems.shown(s.get("country").asText()) + "' is not an ISO 3166-1 alpha-2 country code",
                        "an ISO 3166-1 alpha-2 country code such as DE (EU and other unions go in jurisdictions)");
                country = null;
            }
            Set<String> jurisdictions = codes(s.get("jurisdictions"), path + ".jurisdictions", problems);
            Operator operator = null;
            JsonNode op = s.get("operator");
            if (op != null && !op.isNull()) {
                if (mapping(op, path + ".operator", problems, "the operator, a mapping such as {name: Mainufer Rechenzentrum GmbH, jurisdictions: [EU, DE]}")) {
                    problems.unknownFields(op, path + ".operator.", OPERATOR);
                    String name = line(text(op, "name", path + ".operator", problems, "the operator's legal name"), op.get("name"),
                            path + ".operator.name", problems, "the operator's legal name");
                    int beforeCodes = problems.size();
                    Set<String> opJurisdictions = codes(op.get("jurisdictions"), path + ".operator.jurisdictions", problems);
                    if (opJurisdictions.isEmpty() && problems.size() == beforeCodes) {
                        // an operator subject to no law would pass every contract's excludeOperatorJurisdictions
                        problems.add(path + ".operator.jurisdictions", op.get("jurisdictions"), "the jurisdictions whose law reaches the"
                                + " operator, at least one, such as [EU, DE] (leave the operator out where they are unknown: an operator"
                                + " subject to none would pass every excludeOperatorJurisdictions)");
                    }
                    if (name != null) {
                        operator = new Operator(name, opJurisdictions);
                    }
                }
            }
            List<String> certificationList = texts(s.get("certifications"), path + ".certifications", problems,
                    "a list of certifications such as [ISO27001, BSI-C5]", "a certification such as ISO27001");
            for (int c = 0; c < certificationList.size(); c++) {
                certificationList.set(c, line(certificationList.get(c), s.get("certifications").get(c), path + ".certifications[" + c + "]",
                        problems, "a certification"));
            }
            Set<String> certifications = new LinkedHashSet<>(present(certificationList));
            double budget = watts(s.get("powerBudget"), path + ".powerBudget", problems, SITE_WATTS);
            double floor = number(s.get("floorSpace"), path + ".floorSpace", problems, 10_000_000, "the floor space in square metres,",
                    "such as 200 (no unit)");
            if (id != null && !seen.add(id)) {
                // against every site declared before, valid or not, so that all is said at once
                problems.add(path + ".id", s.get("id"), "an id no other site has");
            } else if (id != null) {
                differsOnlyInCase(folded, id, path + ".id", s.get("id"), problems, "site");
            }
            if (problems.size() == before) {
                sites.put(id, Site.builder().id(id).providerId(providerId).region(region)
                        .zone(zone).country(country).jurisdictions(jurisdictions).operator(operator)
                        .certifications(certifications).powerBudgetWatts(Math.round(budget)).floorSpaceSquareMetres(floor).build());
            }
        }
        return sites;
    }

    private static Map<String, PowerDomain> powerDomains(JsonNode node, Problems problems, Set<String> sites) {
        Map<String, PowerDomain> domains = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, IdAt> folded = new HashMap<>();
        JsonNode list = list(node, "powerDomains", problems);
        for (int i = 0; i < list.size(); i++) {
            String path = "powerDomains[" + i + "]";
            JsonNode d = list.get(i);
            if (!mapping(d, path, problems, "a power domain, such as {id: fra-1-rack-a01, kind: rack, site: fra-1, budget: 41kW}")) {
                continue;
            }
            int before = problems.size();
            problems.unknownFields(d, path + ".", DOMAIN);
            String id = id(text(d, "id", path, problems, "a power domain id"), d.get("id"), path + ".id", problems, "a power domain id", MAX_ID);
            String kind = line(optionalText(d.get("kind"), path + ".kind", problems, "the kind of domain (rack, pdu, hall)"), d.get("kind"),
                    path + ".kind", problems, "the kind of domain");
            String parent = optionalText(d.get("parent"), path + ".parent", problems, "the id of another power domain");
            String site = reference(d, "site", path, problems, sites, "site");
            double budget = watts(required(d, "budget", path, problems, DOMAIN_WATTS.expected()), path + ".budget", problems, DOMAIN_WATTS);
            if (id != null && !seen.add(id)) {
                problems.add(path + ".id", d.get("id"), "an id no other power domain has");
            } else if (id != null) {
                differsOnlyInCase(folded, id, path + ".id", d.get("id"), problems, "power domain");
            }
            if (problems.size() == before) {
                domains.put(id, new PowerDomain(id, kind == null ? "rack" : kind, site, parent, Math.round(budget)));
            }
        }
        Map<String, Integer> index = new HashMap<>();
        // where each declared domain is, valid or not: a parent refused for another reason is reported there, not as unknown here
        Map<String, String> siteOf = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode d = list.get(i);
            if (d.path("id").isTextual()) {
                siteOf.putIfAbsent(d.get("id").asText(), d.path("site").isTextual() ? d.get("site").asText() : null);
            }
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode parent = list.get(i).get("parent");
            if (parent == null || !parent.isTextual() || parent.asText().isBlank()) {
                continue; // absent, or refused above
            }
            String id = list.get(i).path("id").asText();
            String site = list.get(i).path("site").isTextual() ? list.get(i).get("site").asText() : null;
            index.putIfAbsent(id, i);
            if (parent.asText().equals(id)) {
                problems.add("powerDomains[" + i + "].parent", parent, "the id of another power domain (" + Problems.shown(id) + " cannot be its own parent)");
            } else if (!siteOf.containsKey(parent.asText())) {
                problems.add("powerDomains[" + i + "].parent", parent, "the id of another power domain");
            } else if (site != null && siteOf.get(parent.asText()) != null && !site.equals(siteOf.get(parent.asText()))) {
                // a rack draws from a hall of its own site: its draw would be charged to another site's budget
                problems.add("powerDomains[" + i + "].parent", parent, "a power domain at the domain's site " + Problems.shown(site) + " ("
                        + Problems.shown(parent.asText()) + " is at " + Problems.shown(siteOf.get(parent.asText())) + ")");
            }
        }
        cycles(domains, index, list, problems);
        return domains;
    }

    /**
     * Refuses each cycle of parents (a -> b -> a) once, at its first domain in the document: a
     * node's draw is charged to every domain up its chain of parents, which must end.
     */
    private static void cycles(Map<String, PowerDomain> domains, Map<String, Integer> index, JsonNode list, Problems problems) {
        Set<String> done = new HashSet<>();
        for (String start : domains.keySet()) {
            List<String> chain = new ArrayList<>();
            Set<String> onChain = new HashSet<>();
            String at = start;
            // follow the parents until a domain without one, one already followed, or one on this chain (a cycle)
            while (at != null && domains.containsKey(at) && !done.contains(at) && onChain.add(at)) {
                chain.add(at);
                String parent = domains.get(at).parentId();
                at = at.equals(parent) ? null : parent; // its own parent: refused above
            }
            if (at != null && onChain.contains(at)) {
                List<String> cycle = new ArrayList<>(chain.subList(chain.indexOf(at), chain.size()));
                String first = cycle.stream().min(java.util.Comparator.comparing(index::get)).orElseThrow();
                java.util.Collections.rotate(cycle, -cycle.indexOf(first));
                cycle.add(first);
                int i = index.get(first);
                problems.add("powerDomains[" + i + "].parent", list.get(i).get("parent"),
                        "a chain of parents that ends at a domain without a parent, not the cycle " + String.join(" -> ", cycle));
            }
            done.addAll(chain);
        }
    }

    private static List<Fabric> fabrics(JsonNode list, Problems problems, Set<String> sites, Map<String, Set<String>> declaredMembers,
            List<Node> nodes) {
        List<Fabric> fabrics = new ArrayList<>();
        Map<String, String> nodeSites = new HashMap<>();
        nodes.forEach(n -> nodeSites.put(n.id(), n.siteId()));
        for (int i = 0; i < list.size(); i++) {
            String path = "fabrics[" + i + "]";
            JsonNode f = list.get(i);
            if (!mapping(f, path, problems, "a fabric, such as {id: fra-1-ib-ndr, type: RDMA, site: fra-1, bandwidth: 400Gbps}")) {
                continue;
            }
            int before = problems.size();
            problems.unknownFields(f, path + ".", FABRIC);
            String id = f.path("id").isTextual() ? f.get("id").asText() : null; // read() checked it
            FabricType type = null;
            try {
                type = f.path("type").isTextual() ? FabricType.valueOf(f.get("type").asText().toUpperCase(Locale.ROOT)) : null;
            } catch (IllegalArgumentException e) {
                type = null;
            }
            if (type == null) {
                problems.add(path + ".type", f.get("type"), "one of DATA, WAN, PCIE, RDMA");
            }
            String technology = line(optionalText(f.get("technology"), path + ".technology", problems, "the technology (such as InfiniBand NDR)"),
                    f.get("technology"), path + ".technology", problems, "the technology");
            String site = f.hasNonNull("site") ? reference(f, "site", path, problems, sites, "site") : null;
            Set<String> members = new TreeSet<>(declaredMembers.getOrDefault(id, Set.of()));
            List<String> explicit = texts(f.get("members"), path + ".members", problems, "a list of member ids (sites for a WAN)",
                    "a member id");
            for (int m = 0; m < explicit.size(); m++) {
                explicit.set(m, line(explicit.get(m), f.get("members").get(m), path + ".members[" + m + "]", problems, "a member id"));
                String member = explicit.get(m);
                if (member != null && type == FabricType.WAN && !sites.contains(member)) {
                    problems.add(path + ".members[" + m + "]", f.get("members").get(m), "a site id (WAN members are sites)");
                } else if (member != null && type != FabricType.WAN && site != null && nodeSites.containsKey(member)
                        && !site.equals(nodeSites.get(member))) {
                    // as a node's own fabrics: a node is cabled to a fabric at its site
                    problems.add(path + ".members[" + m + "]", f.get("members").get(m), "a node at the fabric's site " + Problems.shown(site)
                            + " (" + Problems.shown(member) + " is at " + Problems.shown(nodeSites.get(member)) + ")");
                }
            }
            members.addAll(present(explicit));
            double bandwidth = gbps(f.get("bandwidth"), path + ".bandwidth", problems, FABRIC_BANDWIDTH);
            double latency = f.hasNonNull("latency") ? latency(f.get("latency"), path + ".latency", problems, id) : 0;
            List<String> tierList = texts(f.get("tiers"), path + ".tiers", problems, "a list of tiers such as [leaf, spine]",
                    "a tier name such as leaf or spine");
            for (int t = 0; t < tierList.size(); t++) {
                tierList.set(t, line(tierList.get(t), f.get("tiers").get(t), path + ".tiers[" + t + "]", problems, "a tier name"));
            }
            List<String> tiers = present(tierList);
            if (problems.size() == before && id != null) {
                fabrics.add(Fabric.builder().id(id).type(type).technology(technology).siteId(site).members(members)
                        .linkBandwidthGbps(bandwidth).latencyMicros(latency).tiers(tiers).build());
            }
        }
        return fabrics;
    }

    // ---- nodes -------------------------------------------------------------------------------

    private static List<Node> nodes(JsonNode node, Problems problems, Map<String, NodeModel> models, Set<String> refusedModels, Set<String> sites,
            Set<String> domains, Set<String> fabricIds, Set<String> wans, Map<String, Set<String>> fabricMembers, Map<String, String> placedAt,
            String providerId) {
        List<Node> nodes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Map<String, IdAt> folded = new HashMap<>();
        // what the entries so far declare, valid or not: each entry's count is bounded, but not their sum
        long declaredNodes = 0;
        long declaredDevices = 0;
        boolean tooMany = false;
        JsonNode list = list(node, "nodes", problems);
        for (int i = 0; i < list.size(); i++) {
            String path = "nodes[" + i + "]";
            JsonNode n = list.get(i);
            if (!mapping(n, path, problems, "nodes, such as {count: 16, model: dgx-h100, idPrefix: fra-1-h100-, site: fra-1}")) {
                continue;
            }
            int before = problems.size();
            problems.unknownFields(n, path + ".", NODE);
            String modelName = text(n, "model", path, problems, "a model of the catalogue");
            NodeModel model = modelName == null ? null : models.get(modelName);
            if (modelName != null && model == null && !refusedModels.contains(modelName)) {
                problems.add(path + ".model", n.get("model"), "one of the models " + Problems.listed(models.keySet()));
            }
            String site = reference(n, "site", path, problems, sites, "site");
            int count = integer(n.get("count"), path + ".count", problems, 1, 100_000, 1);
            String singleId = id(optionalText(n.get("id"), path + ".id", problems, "the node's id"), n.get("id"), path + ".id", problems, "the node's id",
                    MAX_ID);
            String prefix = id(optionalText(n.get("idPrefix"), path + ".idPrefix", problems, "the prefix of the nodes' ids (such as fra-1-h100-)"),
                    n.get("idPrefix"), path + ".idPrefix", problems, "the prefix of the nodes' ids (such as fra-1-h100-)", MAX_ID - 6);
            if (singleId == null && prefix == null && !n.hasNonNull("id") && !n.hasNonNull("idPrefix")) {
                problems.add(path + ".id", null, "an id (one node) or an idPrefix (count nodes)");
            } else if (singleId != null && count > 1) {
                problems.add(path + ".id", n.get("id"), "idPrefix instead of id when count is more than 1");
            } else if (singleId != null && prefix != null) {
                // one would be dropped without a word
                problems.add(path + ".idPrefix", n.get("idPrefix"), "id or idPrefix, not both (id names one node, idPrefix numbers count nodes)");
            }
            List<String> nodeDomains = new ArrayList<>();
            if (n.hasNonNull("powerDomain")) {
                nodeDomains.add(reference(n, "powerDomain", path, problems, domains, "power domain"));
            }
            List<String> domainList = texts(n.get("powerDomains"), path + ".powerDomains", problems,
                    "a list of power domain ids, filled in order", "the id of a power domain");
            for (int d = 0; d < domainList.size(); d++) {
                int first = domainList.indexOf(domainList.get(d));
                if (domainList.get(d) != null && !domains.contains(domainList.get(d))) {
                    problems.add(path + ".powerDomains[" + d + "]", n.get("powerDomains").get(d), "the id of a power domain");
                } else if (domainList.get(d) != null && first < d) {
                    // the list is filled in order: a domain listed twice would take twice its share of the entry's nodes
                    problems.add(path + ".powerDomains[" + d + "]", n.get("powerDomains").get(d), "each power domain once ("
                            + Problems.shown(domainList.get(d)) + " is powerDomains[" + first + "] too; the domains listed are filled"
                            + " in order, so one listed twice would take the nodes of two places)");
                }
            }
            nodeDomains.addAll(present(domainList));
            if (n.hasNonNull("powerDomain") && n.hasNonNull("powerDomains")) {
                // both were taken, the one domain first: a node meant for the one would land in another of the list
                problems.add(path + ".powerDomain", n.get("powerDomain"), "powerDomain or powerDomains, not both (powerDomain puts every node"
                        + " of the entry in one domain, powerDomains fills the domains listed in order)");
            }
            if (n.hasNonNull("powerDomain")) {
                sameSite(site, "powerDomain", nodeDomains.isEmpty() ? null : nodeDomains.get(0), path + ".powerDomain", n.get("powerDomain"),
                        placedAt, problems);
            }
            for (int d = 0; d < domainList.size(); d++) {
                sameSite(site, "powerDomain", domainList.get(d), path + ".powerDomains[" + d + "]", n.get("powerDomains").get(d), placedAt,
                        problems);
            }
            List<String> fabrics = texts(n.get("fabrics"), path + ".fabrics", problems, "a list of fabric ids", "the id of a fabric");
            for (int f = 0; f < fabrics.size(); f++) {
                if (fabrics.get(f) != null && !fabricIds.contains(fabrics.get(f))) {
                    problems.add(path + ".fabrics[" + f + "]", n.get("fabrics").get(f), "the id of a fabric");
                } else if (fabrics.get(f) != null && wans.contains(fabrics.get(f))) {
                    problems.add(path + ".fabrics[" + f + "]", n.get("fabrics").get(f), "the id of a fabric that is no WAN (" + fabrics.get(f)
                            + " is a WAN, whose members are sites: list the node's site in its members)");
                }
            }
            for (int f = 0; f < fabrics.size(); f++) {
                sameSite(site, "fabric", fabrics.get(f), path + ".fabrics[" + f + "]", n.get("fabrics").get(f), placedAt, problems);
            }
            List<String> traitList = texts(n.get("traits"), path + ".traits", problems, "a list of traits such as [gpu, ib]", "a trait");
            for (int t = 0; t < traitList.size(); t++) {
                traitList.set(t, line(traitList.get(t), n.get("traits").get(t), path + ".traits[" + t + "]", problems, "a trait"));
            }
            Set<String> traits = new LinkedHashSet<>(present(traitList));
            String tenant = tenant(optionalText(n.get("tenant"), path + ".tenant", problems, "the owning tenant"), n.get("tenant"),
                    path + ".tenant", problems);
            if (!tooMany && model != null) {
                // checked before any node is made: a few lines of count: 100000 would otherwise fill the server's memory
                declaredNodes += count;
                declaredDevices += (long) count * ((model.gpus() == null ? 0 : model.gpus().count()) + model.nics().count());
                if (declaredNodes > MAX_NODES || declaredDevices > MAX_DEVICES) {
                    tooMany = true;
                    problems.addProblem(path + ".count", "'" + count + "' x " + Problems.shown(modelName) + " brings the file to "
                            + declaredNodes + " nodes with " + declaredDevices + " GPUs and NICs", "at most " + MAX_NODES + " nodes and "
                            + MAX_DEVICES + " GPUs and NICs in all the file's entries together");
                }
            }
            if (problems.size() > before || model == null || tooMany) {
                continue;
            }
            int width = String.valueOf(count).length() < 2 ? 2 : String.valueOf(count).length();
            int perDomain = nodeDomains.isEmpty() ? count : (count + nodeDomains.size() - 1) / nodeDomains.size();
            for (int k = 0; k < count; k++) {
                String id = singleId != null ? singleId : prefix + String.format("%0" + width + "d", k + 1);
                if (!ids.add(id)) {
                    problems.add(path, n.get(singleId != null ? "id" : "idPrefix"), "node ids no other node has (" + id + " is taken)");
                    break;
                }
                if (differsOnlyInCase(folded, id, path + (singleId != null ? ".id" : ".idPrefix"), n.get(singleId != null ? "id" : "idPrefix"),
                        problems, "node")) {
                    break;
                }
                String domain = nodeDomains.isEmpty() ? null : nodeDomains.get(Math.min(k / perDomain, nodeDomains.size() - 1));
                for (String f : present(fabrics)) {
                    fabricMembers.computeIfAbsent(f, x -> new TreeSet<>()).add(id);
                }
                nodes.add(node(id, model, site, domain, traits, tenant, providerId));
            }
        }
        return nodes;
    }

    /** The most nodes one file declares, all its entries together (one entry's {@code count} has the same bound). */
    static final int MAX_NODES = 100_000;
    /**
     * The most GPUs and NICs one file's nodes have together: far above any cluster built, and what
     * keeps the inventory within a few hundred MiB of memory.
     */
    static final long MAX_DEVICES = 1_000_000;

    /**
     * Refuses a node's power domain or fabric that is declared at another site than the node: a
     * node draws from a rack of its own site and is cabled to a fabric there (a WAN, which joins
     * sites, and a fabric declared without a site are not checked).
     */
    private static void sameSite(String site, String kind, String id, String path, JsonNode value, Map<String, String> placedAt,
            Problems problems) {
        String at = id == null ? null : placedAt.get(kind + " " + id);
        if (site != null && at != null && !at.equals(site)) {
            // each as the file wrote it, valid or not (a site refused for a direction override in it is still the node's site here)
            problems.add(path, value, "a " + (kind.equals("fabric") ? "fabric" : "power domain") + " at the node's site "
                    + Problems.shown(site) + " (" + Problems.shown(id) + " is at " + Problems.shown(at) + ")");
        }
    }

    private static Node node(String id, NodeModel model, String site, String powerDomain, Set<String> traits, String tenant, String providerId) {
        List<Accelerator> gpus = new ArrayList<>();
        NodeModel.Gpus g = model.gpus();
        if (g != null) {
            String domain = g.interconnect() == null ? null : id + "/nvlink";
            for (int i = 0; i < g.count(); i++) {
                int numa = model.numaOf(i, g.count());
                NumaNode local = model.numaNodes().get(numa);
                gpus.add(Accelerator.builder().id(id + "/gpu" + i).vendor("NVIDIA").model(g.model()).memoryBytes(g.memoryBytes())
                        .computeCapability(g.computeCapability()).nodeId(id).numaNode(numa).cpuAffinity(local.cpus())
                        .interconnectDomain(domain).linkBandwidthGBps(domain == null ? 0 : g.nvlinkGBps()).partitionProfiles(g.profiles())
                        .power(new PowerLimits(g.powerLimitWatts(), g.powerLimitWatts(), 0, g.powerLimitWatts())).health(Health.OK)
                        .attribute("declared", "true").attribute("index", String.valueOf(i)).build());
            }
        }
        List<Nic> nics = new ArrayList<>();
        NodeModel.Nics n = model.nics();
        for (int i = 0; i < n.count(); i++) {
            String name = (n.type().equals("infiniband") ? "ib" : "eth") + i;
            nics.add(new Nic(name, null, null, n.speedMbps(), model.numaOf(i, n.count()), n.type()));
        }
        return Node.builder().id(id).providerId(providerId).siteId(site).kind(NodeKind.DECLARED).cpu(model.cpu())
                .numaNodes(model.numaNodes()).memoryBytes(model.memoryBytes()).accelerators(gpus).nics(nics).power(model.power())
                .powerDomainId(powerDomain).traits(traits).state(ResourceState.AVAILABLE).ownerTenant(tenant)
                .attribute("model", model.name()).attribute("description", model.description()).build();
    }

    // ---- values ------------------------------------------------------------------------------

    private static JsonNode list(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        }
        if (!node.isArray()) {
            problems.add(path, node, "a list");
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        }
        return node;
    }

    /** Whether an entry of a list is a mapping; says what was expected if not. */
    private static boolean mapping(JsonNode v, String path, Problems problems, String expected) {
        if (v == null || !v.isObject()) {
            problems.add(path, v, expected);
            return false;
        }
        return true;
    }

    /** Required text: a YAML string, not a number, boolean, list or mapping read as its text. */
    private static String text(JsonNode parent, String field, String path, Problems problems, String expected) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            problems.add(path + "." + field, v, expected);
            return null;
        }
        return optionalText(v, path + "." + field, problems, expected);
    }

    /** Optional text: absent or null gives null; anything but a non-blank YAML string is refused. */
    private static String optionalText(JsonNode v, String path, Problems problems, String expected) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(path, v, expected + quoteHint(v, problems.written(path, v)));
            return null;
        }
        return v.asText();
    }

    /** The longest id of a site, power domain, fabric or node (a node's id is stored with its bindings, a site's in 256 characters). */
    static final int MAX_ID = 128;

    /** An id and where the file declares it. */
    private record IdAt(String id, String path) {
    }

    /**
     * Whether {@code id} differs only in case from an id of the same kind declared before (a problem
     * naming both, if so), and records it. Ids are case-sensitive throughout Strata, so gpu-01 and
     * GPU-01 would be two nodes; but in a file typed by hand they are far likelier one node typed
     * twice.
     */
    private static boolean differsOnlyInCase(Map<String, IdAt> folded, String id, String path, JsonNode v, Problems problems, String kind) {
        IdAt other = folded.putIfAbsent(id.toLowerCase(Locale.ROOT), new IdAt(id, path));
        if (other == null || other.id().equals(id)) {
            return false;
        }
        problems.add(path, v, "an id that differs by more than case from every other " + kind + "'s (" + Problems.shown(id)
                + " differs only in case from " + Problems.shown(other.id()) + ", " + other.path() + "; ids are case-sensitive, and two"
                + " that differ only in case are likely one typed twice)");
        return true;
    }

    /**
     * An id as given ({@code id} is null where it was refused already): one word of at most
     * {@code max} characters, without spaces, line breaks, control or format characters (a
     * direction override would make fra-1 read as something else in the shell, a tab or line
     * break split its tab-separated rows and the log's lines); null, with a problem, otherwise.
     */
    private static String id(String id, JsonNode v, String path, Problems problems, String expected, int max) {
        if (id == null) {
            return null;
        }
        boolean printable = id.codePoints().allMatch(c -> {
            int type = Character.getType(c);
            return !Character.isWhitespace(c) && !Character.isSpaceChar(c) && !Character.isISOControl(c) && type != Character.FORMAT
                    && type != Character.SURROGATE && type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
        });
        if (!printable || id.codePointCount(0, id.length()) > max) {
            problems.add(path, v, expected + ": one word of at most " + max + " characters, without spaces, line breaks, control or"
                    + " format characters");
            return null;
        }
        return id;
    }

    /** The longest tenant id: what a tenant may have a quota under. */
    static final int MAX_TENANT = 256;

    /**
     * A node's owning tenant ({@code tenant} is null where it was refused already) as a contract can
     * name it: a contract's tenant holds no control or format character, so a node dedicated to
     * {@code bank-risk} with a tab or a zero-width space in it could be placed on by no one, and a
     * line break would reach the log as it is. Null, with a problem, otherwise.
     */
    private static String tenant(String tenant, JsonNode v, String path, Problems problems) {
        if (tenant == null) {
            return null;
        }
        if (!oneLine(tenant) || tenant.codePointCount(0, tenant.length()) > MAX_TENANT) {
            problems.add(path, v, "the owning tenant as contracts name it: text on one line of at most " + MAX_TENANT + " characters,"
                    + " without control or format characters (a tab, a line break, a zero-width space, a direction override)");
            return null;
        }
        return tenant;
    }

    /** What a text shown as it is must be, as a problem says it. */
    private static final String ONE_LINE = "on one line, without control or format characters (a tab, a line break, a zero-width space,"
            + " a direction override)";

    /** Whether {@code text} holds no control or format character, no line or paragraph separator and no lone surrogate. */
    private static boolean oneLine(String text) {
        return text.codePoints().noneMatch(c -> {
            int type = Character.getType(c);
            return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
        });
    }

    /**
     * Text the inventory shows and logs as it is (a model's description, an operator's name, a
     * node's trait; {@code text} is null where it was refused already), held to the rule of a node's
     * tenant: a line break would reach the log and the provenance log as it is, and a direction
     * override make the shell's row read otherwise. Null, with a problem, otherwise.
     */
    private static String line(String text, JsonNode v, String path, Problems problems, String expected) {
        if (text == null || oneLine(text)) {
            return text;
        }
        problems.add(path, v, expected + " " + ONE_LINE);
        return null;
    }

    /**
     * A list of text, one entry per item: null where an item is refused, so that callers keep the
     * items' indexes. Absent or null gives an empty list.
     */
    private static List<String> texts(JsonNode v, String path, Problems problems, String expectedList, String expectedItem) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            problems.add(path, v, expectedList);
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (item.isNull()) {
                problems.add(path + "[" + i + "]", item, expectedItem);
                out.add(null);
            } else {
                out.add(optionalText(item, path + "[" + i + "]", problems, expectedItem));
            }
        }
        return out;
    }

    private static List<String> present(List<String> texts) {
        return texts.stream().filter(java.util.Objects::nonNull).toList();
    }

    /**
     * What to add to "expected ..." for a scalar that YAML did not read as text ({@code written} as the
     * document wrote it): an unquoted NO (Norway) is false in YAML 1.1, 0049 a number. A true or false
     * is named as written, since the hint once told whoever wrote {@code off} or {@code yes} to quote it as 'NO'.
     */
    private static String quoteHint(JsonNode v, String written) {
        if (v.isBoolean()) {
            return " as text (YAML reads an unquoted " + Problems.shown(written) + " as " + v.booleanValue()
                    + "; quote it to keep it as written: '" + Problems.shown(written) + "')";
        }
        if (v.isNumber()) {
            return " as text (YAML reads it as a number; quote it)";
        }
        return v.isValueNode() ? "" : " as text";
    }

    private static String reference(JsonNode parent, String field, String path, Problems problems, Set<String> known, String what) {
        String id = text(parent, field, path, problems, "the id of a " + what);
        if (id != null && !known.contains(id)) {
            problems.add(path + "." + field, parent.get(field), "the id of a " + what
                    + (known.isEmpty() ? " (the file declares none)" : " (known: " + Problems.listed(known) + ")"));
            return null;
        }
        return id;
    }

    private static int integer(JsonNode v, String path, Problems problems, int min, int max, int absent) {
        if (v == null || v.isNull()) {
            return absent;
        }
        // canConvertToLong first: asLong() wraps a larger number (2^64 + 1 reads as 1)
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            problems.add(path, v, "a whole number from " + min + " to " + max);
            return absent;
        }
        return v.asInt();
    }

    /** A plain number from 0 to {@code max}; absent or null gives 0. Text ({@code 900GB/s}, {@code 200m2}) is refused. */
    private static double number(JsonNode v, String path, Problems problems, long max, String what, String example) {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0 || v.asDouble() > max) {
            problems.add(path, v, what + " a number from 0 to " + max + " " + example);
            return 0;
        }
        return v.asDouble();
    }


    private static Set<String> codes(JsonNode v, String path, Problems problems) {
        Set<String> codes = new LinkedHashSet<>();
        if (v == null || v.isNull()) {
            return codes;
        }
        if (!v.isArray()) {
            problems.add(path, v, "a list of jurisdiction codes such as [EU, DE]");
            return codes;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (item.isNull()) {
                problems.add(path + "[" + i + "]", item, "a jurisdiction code such as EU, DE or US");
                continue;
            }
            String code = code(item, path + "[" + i + "]", problems, "[A-Z]{2,8}", "a jurisdiction code such as EU, DE or US");
            java.util.Optional<String> alpha2 = Site.countryOfAlpha3(code);
            if (alpha2.isPresent()) {
                // a contract names a country's law by its alpha-2 code: USA would never match excludeOperatorJurisdictions: [US]
                problems.add(path + "[" + i + "]", item, "a jurisdiction code such as EU, DE or US: a country's alpha-2 code, "
                        + alpha2.get() + " (" + code + " is its ISO 3166-1 alpha-3 code, which no contract matches)");
            } else if (code != null && code.length() == 2 && !code.equals("EU") && !Site.isCountryCode(code)) {
                // a two-letter code no country has matches no contract's: UK would never match excludeOperatorJurisdictions: [GB]
                problems.add(path + "[" + i + "]", item, "a jurisdiction code such as EU, DE or US: a country's ISO 3166-1 alpha-2 code"
                        + (code.equals("UK") ? ", GB for the United Kingdom" : "") + " (" + code + " is no country's)");
            } else if (code != null) {
                codes.add(code);
            }
        }
        return codes;
    }

    /** A code written as text (upper-cased) that matches {@code pattern}; absent or null gives null. */
    private static String code(JsonNode v, String path, Problems problems, String pattern, String expected) {
        if (v == null || v.isNull()) {
            return null;
        }
        String code = v.isTextual() ? v.asText().strip().toUpperCase(Locale.ROOT) : "";
        if (!v.isTextual() || !code.matches(pattern)) {
            problems.add(path, v, expected + (v.isTextual() ? "" : quoteHint(v, problems.written(path, v))));
            return null;
        }
        return code;
    }

    /**
     * A size with a unit. A bare number ({@code memory: 2048}) is refused rather than read as
     * bytes: whoever writes it means GiB or MiB far more often than bytes.
     */
    static long bytes(JsonNode v, String path, Problems problems, String expected) {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isNumber() || (v.isTextual() && v.asText().strip().matches("[0-9]+(?:\\.[0-9]+)?"))) {
            problems.add(path, v, expected + " (with a unit: a bare number is not taken as bytes)");
            return 0;
        }
        try {
            return Quantities.bytes(v.asText());
        } catch (IllegalArgumentException e) {
            problems.add(path, v, expected + units(e));
            return 0;
        }
    }

    /**
     * The units a quantity may have, as its parser lists them where the unit written is none of them
     * ({@code " (units are case-sensitive: mW, W, kW, MW, GW)"}); empty where the value was refused for
     * another reason. Without it, {@code 40KW} was refused with an example alone, which does not say that
     * the unit is what is wrong.
     */
    private static String units(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        int at = message.lastIndexOf(" (units are case-sensitive: ");
        return at >= 0 && message.contains(" has unit '") && message.endsWith(")") ? message.substring(at) : "";
    }

    /** A memory size above 0 bytes; 0 where absent (the caller said so) or refused. */
    private static long memory(JsonNode v, String path, Problems problems, String expected, long max, String maxText) {
        if (v == null) {
            return 0;
        }
        int before = problems.size();
        long bytes = bytes(v, path, problems, "a size such as 80GiB or 2TiB");
        if ((bytes <= 0 || bytes > max) && problems.size() == before) {
            problems.add(path, v, expected + " (more than 0 and at most " + maxText + ")");
        }
        return bytes;
    }

    /** The most memory of a node: far above any machine built (tens of TiB), far below where a slip of a unit (2PiB for 2TiB) lands. */
    static final long MAX_NODE_MEMORY = 1L << 50;
    /** The most memory of one GPU: far above any GPU built (hundreds of GiB). */
    static final long MAX_GPU_MEMORY = 16L << 40;

    /**
     * The bounds of a bandwidth field, the same for all: from 1 Mbit/s (below it a NIC's speed
     * would round to 0 Mbit/s, which means unknown or link down) to 100 Tbit/s, the most a
     * contract may ask of a fabric and far above any real link.
     *
     * @param what what the message says the field is, before "a bandwidth from ..."
     * @param example a typical value
     * @param optional whether the field may be left out (0: unknown)
     */
    private record RateBounds(String what, String example, boolean optional) {
        static final double MIN_GBPS = 1e-3;
        static final double MAX_GBPS = 1e5;

        String expected() {
            return what + "a bandwidth from 1Mbps to 100Tbps, such as " + example + (optional ? " (leave it out where it is unknown)" : "");
        }
    }

    /** A model's NIC speed, each NIC's: required when the model has NICs. */
    private static final RateBounds NIC_SPEED = new RateBounds("each NIC's speed, ", "400Gbps", false);
    /** A fabric's link bandwidth per member. */
    private static final RateBounds FABRIC_BANDWIDTH = new RateBounds("each member's link bandwidth, ", "400Gbps", true);

    /** A bandwidth in Gbit/s within its bounds; 0 where it is absent (or refused, with a problem). */
    private static double gbps(JsonNode v, String path, Problems problems, RateBounds bounds) {
        if (v == null || v.isNull()) {
            return 0;
        }
        double gbps;
        String units = "";
        try {
            gbps = Quantities.gbps(v.asText());
        } catch (IllegalArgumentException e) {
            gbps = -1;
            units = units(e);
        }
        if (!(gbps >= RateBounds.MIN_GBPS && gbps <= RateBounds.MAX_GBPS)) {
            problems.add(path, v, bounds.expected() + units);
            return 0;
        }
        return gbps;
    }

    /**
     * The bounds of a power field: from 1 W (below it a value would round to 0 W, which means
     * unknown, or no budget at all) to a maximum far above any real equipment and far below where
     * placement's milliwatt arithmetic could overflow.
     *
     * @param maxWatts the largest value
     * @param max the largest value as the message writes it
     * @param what what the message says the field is, before "a power from ..."
     * @param example a typical value
     * @param optional whether the field may be left out (0: unknown)
     */
    private record PowerBounds(double maxWatts, String max, String what, String example, boolean optional) {
        String expected() {
            return what + "a power from 1W to " + max + ", such as " + example + (optional ? " (leave it out where it is unknown)" : "");
        }
    }

    /** A power domain's budget (a rack, a PDU, a hall, a feed): required. */
    private static final PowerBounds DOMAIN_WATTS = new PowerBounds(1e9, "1GW", "the domain's power budget, ", "40kW", false);
    /** A site's power budget (a campus may exceed a gigawatt). */
    private static final PowerBounds SITE_WATTS = new PowerBounds(1e10, "10GW", "", "1.5MW", true);
    /** A node model's idle and maximum draw: a member's power ceiling in a contract is at most 1 MW too. */
    private static final PowerBounds NODE_WATTS = new PowerBounds(1e6, "1MW", "", "10.2kW", true);
    /** A GPU's power limit. */
    private static final PowerBounds GPU_WATTS = new PowerBounds(1e4, "10kW", "", "700W", true);

    /** A power within its bounds; 0 where it is absent (or refused, with a problem). */
    private static double watts(JsonNode v, String path, Problems problems, PowerBounds bounds) {
        if (v == null || v.isNull()) {
            return 0;
        }
        double watts;
        String units = "";
        try {
            watts = Quantities.watts(v.asText());
        } catch (IllegalArgumentException e) {
            watts = -1;
            units = units(e);
        }
        if (!(watts >= 1 && watts <= bounds.maxWatts())) {
            problems.add(path, v, bounds.expected() + units);
            return 0;
        }
        return watts;
    }

    /** The longest one-way latency a fabric may declare, in microseconds: 1 s, past any link on Earth or to a satellite. */
    static final double MAX_LATENCY_MICROS = 1_000_000;

    /**
     * A fabric's one-way latency in microseconds, from 1ns to 1s; 0 (with a problem naming the
     * fabric, the value and the range) otherwise. Before it had bounds, 10h was taken, and placement
     * compared it as it stood.
     */
    private static double latency(JsonNode v, String path, Problems problems, String fabric) {
        double micros;
        String units = "";
        try {
            micros = Quantities.micros(v.asText());
        } catch (IllegalArgumentException e) {
            micros = -1;
            units = units(e);
        }
        if (!(micros >= 0.001 && micros <= MAX_LATENCY_MICROS)) {
            problems.add(path, v, "the one-way latency of fabric " + (fabric == null ? "(no id)" : Problems.shown(fabric)) + ", a duration"
                    + " from 1ns to 1s, such as 2us (a fabric in a hall) or 90ms (a WAN between continents); leave it out where it is"
                    + " unknown" + units);
            return 0;
        }
        return micros;
    }
}
