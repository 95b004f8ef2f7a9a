package dev.strata.platform.core.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
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
import dev.strata.platform.api.model.Site;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.provenance.ProviderText;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.service.component.annotations.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads contract documents in YAML (JSON is YAML too). Checks the size first, then the encoding,
 * then parses (duplicate keys are an error), then walks the document once, collecting every
 * problem with its path, so a person fixes them all in one go; nothing is returned unless the
 * whole document is valid. Every number is checked against a stated bound ({@link ContractBounds})
 * and every quantity needs its unit. The schema is documented in the README ("Contracts").
 */
@Component(service = ContractReader.class)
public class ContractDocumentReader implements ContractReader {

    static final int MAX_REPLICAS = ContractBounds.MAX_MEMBERS;
    private static final ObjectMapper YAML = mapper();

    private static final Set<String> TOP = Set.of("name", "tenant", "priority", "isolation", "sovereignty", "fabric", "members",
            "deployment");
    private static final Set<String> SOVEREIGNTY = Set.of("countries", "jurisdictions", "excludeOperatorJurisdictions", "dataClass");
    private static final Set<String> FABRIC = Set.of("rdma", "bandwidth");
    private static final Set<String> MEMBER = Set.of("name", "replicas", "cpu", "memory", "gpus", "topology", "power", "provisioning");
    private static final Set<String> GPUS = Set.of("count", "models", "memory", "fraction", "partition", "allowDegraded");
    private static final Set<String> TOPOLOGY = Set.of("nvlinkDomain", "numaAligned");

    /** The parser's words for a YAML number that is not finite, and for one past the length limit. */
    private static final java.util.regex.Pattern NON_FINITE = java.util.regex.Pattern.compile("^Malformed numeric value '([-+]?\\.(?:inf|Inf|INF|nan|NaN|NAN))'");
    /** The parser's words for a base 60 number (1:30.5), which YAML 1.1 takes for a number the parser cannot read. */
    private static final java.util.regex.Pattern SEXAGESIMAL = java.util.regex.Pattern.compile("^Malformed numeric value '([-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*)'");
    /** The parser's words for a document nested deeper than its limit (64 levels of mappings and lists). */
    private static final java.util.regex.Pattern TOO_DEEP = java.util.regex.Pattern.compile("^Document nesting depth \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
    private static final java.util.regex.Pattern TOO_LONG = java.util.regex.Pattern.compile("^Number value length \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");

    private static ObjectMapper mapper() {
        LoaderOptions options = new LoaderOptions();
        // the reader checks the size itself, before parsing; this is only a second line
        options.setCodePointLimit(MAX_DOCUMENT_BYTES + 1024);
        // an empty value (cpu:) is null, as YAML reads it and as cpu: ~ is: the builder leaves out the parser's default that says so,
        // and the value was read as empty text, refused as 'not a CPU quantity' where ~ meant none
        YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(100).build()).build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // a number is kept as written, not as a double: 1e400 is not Infinity, 0.1 not 0.1000000000000000055
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        return mapper;
    }

    @Override
    public Contract read(Path file) {
        String source = String.valueOf(file);
        // a file is read on the Strata server, whose files are not a tenant's to read (etc/users.properties holds the logins'
        // passwords): whether it exists, and what an error would quote of it, are not told either
        TenantAccess.requireEveryTenant("a contract file is read on the Strata server, whose files are not a tenant's to read; give the "
                + "contract on standard input (strata:place -f -)", "read " + source);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw fileProblem(source, "does not exist", "a contract file (YAML or JSON); the path was read as "
                    + file.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw fileProblem(source, "cannot be read (" + e.getClass().getSimpleName() + ")", "a readable contract file (YAML or JSON)");
        }
        if (attributes.isDirectory()) {
            throw fileProblem(source, "is a directory", "a contract file (YAML or JSON), not a directory");
        }
        if (!attributes.isRegularFile()) {
            throw fileProblem(source, "is not a regular file", "a contract file (YAML or JSON)");
        }
        if (attributes.size() > MAX_DOCUMENT_BYTES) {
            throw tooLarge(source, attributes.size(), "bytes");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw fileProblem(source, "cannot be read (permission denied)", "a contract file Strata may read");
        } catch (IOException e) {
            throw fileProblem(source, "cannot be read (" + e.getClass().getSimpleName() + ")", "a readable contract file (YAML or JSON)");
        }
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw tooLarge(source, bytes.length, "bytes"); // grew while it was read
        }
        return read(decode(bytes, source), source);
    }

    @Override
    public Contract read(InputStream in, String source) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
        } catch (IOException e) {
            throw fileProblem(source, "cannot be read (" + e.getClass().getSimpleName() + ")", "a contract document (YAML or JSON)");
        }
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw new InvalidContractException(source, List.of(new Violation("(document)", null,
                    "is too large (more than " + String.format(Locale.ROOT, "%,d", MAX_DOCUMENT_BYTES) + " bytes)",
                    "at most " + limit() + "; the document was not parsed")));
        }
        return read(decode(bytes, source), source);
    }

    @Override
    public Contract read(String text, String source) {
        try {
            return parse(text, source);
        } catch (InvalidContractException e) {
            throw new InvalidContractException(source, e.violations().stream().map(ContractDocumentReader::shown).toList());
        }
    }

    /** The most characters of an offending value an error shows. */
    static final int SHOWN_VALUE = 120;

    /**
     * A violation as errors show it: an offending value (a scalar document, a line of the document,
     * a rejected parameter) can hold a credential, control characters that would forge lines of a
     * log, or megabytes. So every value and problem is cleaned as provider text is
     * ({@link ProviderText#clean}: known credential forms masked, control characters made spaces),
     * and a value is cut after {@value #SHOWN_VALUE} characters. A path is made of the document's
     * keys ({@code members[0].<key>} for an unknown field, a key given twice), which are as much the
     * writer's as a value: it is shown escaped ({@code a\u000ab}, as a name with a line break is) so that
     * a key cannot forge a line or hide what follows it, and cut after {@value #SHOWN_PATH} characters.
     */
    static Violation shown(Violation v) {
        String value = v.value() == null ? null : ProviderText.clean(v.value());
        if (value != null && value.length() > SHOWN_VALUE) {
            value = value.substring(0, SHOWN_VALUE) + "... (" + v.value().length() + " characters)";
        }
        // what cleaning leaves of the format characters (a byte order mark, a zero-width space, the Arabic letter mark, which
        // turns text as a direction override does) is shown escaped, as in a path: it would hide or reorder what an error shows
        value = dev.strata.platform.audit.Verification.printable(value);
        String problem = v.problem() == null ? null : dev.strata.platform.audit.Verification.printable(ProviderText.clean(v.problem()));
        String path = dev.strata.platform.audit.Verification.printable(v.path());
        if (path != null && path.length() > SHOWN_PATH) {
            path = path.substring(0, SHOWN_PATH) + "... (a path of " + v.path().length() + " characters)";
        }
        return new Violation(path, value, problem, v.expected());
    }

    /** The most characters of a violation's path an error shows (a path names keys, which the document writes). */
    static final int SHOWN_PATH = 200;

    private Contract parse(String text, String source) {
        String document = text == null ? "" : text;
        if (document.length() > MAX_DOCUMENT_BYTES) {
            throw tooLarge(source, document.length(), "characters");
        }
        JsonNode root;
        try {
            root = YAML.readTree(document);
        } catch (JsonProcessingException e) {
            throw new InvalidContractException(source, List.of(syntaxError(e, document)));
        }
        Walk walk = new Walk(document);
        if (root == null || root.isMissingNode() || !root.isObject()) {
            // the parser reads a document of only '---' as an empty text
            if (root == null || root.isMissingNode() || root.isNull() || root.isTextual() && root.asText().isEmpty()) {
                List<Violation> empty = new ArrayList<>();
                // so is a document of only a tag without a value (!foo): it is no empty document, and the tag is named
                String tag = tagged(document).stream().filter(v -> v.path().equals("(document)")).map(Violation::value).findFirst()
                        .orElse(null);
                empty.add(tag == null ? new Violation("(document)", null, "is empty", "a mapping with name, tenant and members")
                        : new Violation("(document)", tag, "is only the YAML tag " + tag + ", without a value",
                                "a mapping with name, tenant and members"));
                empty.addAll(unread(document)); // a contract after a second '---' is named, not left unsaid
                throw new InvalidContractException(source, empty);
            }
            // a document of only an alias (*a) is read as its anchor's name, and one of only a tagged value (!foo x) as the value
            // without its tag: each said as what it is, as anywhere else
            List<Violation> wrong = unread(document);
            wrong.addAll(tagged(document));
            if (wrong.stream().noneMatch(v -> v.path().equals("(document)"))) {
                wrong.add(0, new Violation("(document)", Walk.text(root), "a mapping with name, tenant and members"));
            }
            throw new InvalidContractException(source, wrong);
        }
        parametersAsWritten((ObjectNode) root, document);
        walk.unknownFields(root, "", TOP);
        String name = walk.requiredText(root, "name", "the workload's name");
        String tenant = walk.requiredText(root, "tenant", "the owning tenant");
        int priority = (int) walk.integer(root.get("priority"), "priority", 0, 0, ContractBounds.MAX_PRIORITY);
        Isolation isolation = walk.isolation(root.get("isolation"));
        Sovereignty sovereignty = walk.sovereignty(root.get("sovereignty"));
        FabricRequest fabric = walk.fabric(root.get("fabric"));
        List<Member> members = walk.members(root.get("members"));
        DeploymentTerms deployment = DeploymentClauses.terms(root.get("deployment"), walk.violations);
        List<Violation> unread = unread(document);
        unread.addAll(tagged(document));
        if (!unread.isEmpty()) {
            // an alias was read as its anchor's name, a tagged value as what the tag made of it: what else is said of that
            // value is about the name or what the tag made, not the value
            Set<String> aliased = new HashSet<>(unread.stream().map(Violation::path).toList());
            walk.violations.removeIf(v -> aliased.contains(v.path()));
            walk.violations.addAll(0, unread);
        }
        // the paths looked up in a set, not by a scan of the list: a document of a few hundred thousand such numbers (0x1,
        // 1_0) made as many violations, and a scan for each took minutes
        Set<String> refused = new HashSet<>(walk.violations.stream().map(Violation::path).toList());
        for (Violation v : numbers((ObjectNode) root, document)) {
            // (a field that takes text has refused the number already, saying to quote it)
            if (refused.add(v.path())) {
                walk.violations.add(v);
            }
        }
        if (!walk.violations.isEmpty()) {
            throw new InvalidContractException(source, walk.violations);
        }
        return new Contract(name, tenant, priority, members, fabric, sovereignty, isolation, deployment);
    }

    // ---- the document as a whole ----------------------------------------------------------------

    private static String limit() {
        return String.format(Locale.ROOT, "%,d bytes (%d MiB)", MAX_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES >> 20);
    }

    private static InvalidContractException fileProblem(String source, String problem, String expected) {
        return new InvalidContractException(source, List.of(new Violation("(file)", source, problem, expected)));
    }

    private static InvalidContractException tooLarge(String source, long size, String unit) {
        return new InvalidContractException(source, List.of(new Violation("(document)", null,
                "is too large: " + String.format(Locale.ROOT, "%,d", size) + " " + unit,
                "at most " + (unit.equals("bytes") ? limit() : String.format(Locale.ROOT, "%,d characters", MAX_DOCUMENT_BYTES))
                        + "; the document was not parsed")));
    }

    /** UTF-8 text (a leading byte order mark dropped); bytes that are not UTF-8 are an error naming where they are. */
    static String decode(byte[] bytes, String source) {
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            int lineStart = start;
            for (int i = start; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            String utf16 = bytes.length >= 2 && ((bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF
                    || (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) ? " (the document looks like UTF-16)" : "";
            throw new InvalidContractException(source, List.of(new Violation(
                    "(document) line " + line + ", column " + (at - lineStart + 1) + " (byte " + at + ")", null,
                    String.format(Locale.ROOT, "has byte 0x%02X, which is not UTF-8%s", bytes[at] & 0xFF, utf16),
                    "text encoded as UTF-8")));
        }
        out.flip();
        return out.toString();
    }

    /**
     * A YAML syntax error, named by the parser's problem mark (the same line and column the
     * detail refers to), with the offending line as written.
     */
    static Violation syntaxError(JsonProcessingException e, String document) {
        // (the original message, without the location, may be null where the message is not)
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
            // (?s): a quoted key may hold a line break, and would otherwise leave the parser's whole sentence as the key
            String key = e.getOriginalMessage().replaceFirst("(?s)^Duplicate field '(.*)'$", "$1");
            String path = e.getProcessor() instanceof JsonParser p ? path(p.getParsingContext()) : "";
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            return new Violation((path.isEmpty() ? "" : path + ".") + key, null,
                    "is given twice" + (line > 0 ? " (again at line " + line + ")" : ""), "each key once in a mapping");
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        java.util.regex.Matcher nonFinite = NON_FINITE.matcher(original);
        java.util.regex.Matcher tooLong = TOO_LONG.matcher(original);
        java.util.regex.Matcher sexagesimal = SEXAGESIMAL.matcher(original);
        boolean isNonFinite = nonFinite.find();
        boolean isSexagesimal = !isNonFinite && sexagesimal.find();
        boolean isTooLong = !isNonFinite && !isSexagesimal && tooLong.find();
        if (isNonFinite || isSexagesimal || isTooLong) {
            // YAML's .inf and .nan, base 60 numbers with a fraction (1:30.5), and numbers past the reader's length limit, fail in
            // the parser: named here by their field, as the fields' own checks name theirs
            String field = e.getProcessor() instanceof JsonParser p ? field(p.getParsingContext()) : "";
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            if (isTooLong && field.isEmpty() && line <= 0) {
                // the length check reports no position: the first line holding so long a run of digits
                java.util.regex.Matcher digits = java.util.regex.Pattern.compile("\\d{" + (Integer.parseInt(tooLong.group(2)) + 1) + ",}")
                        .matcher(document);
                if (digits.find()) {
                    line = (int) document.substring(0, digits.start()).chars().filter(c -> c == '\n').count() + 1;
                }
            }
            String path = !field.isEmpty() ? field : "(document)" + (line > 0 ? " line " + line : "");
            if (isTooLong) {
                return new Violation(path, null, "is a number of " + tooLong.group(1) + " digits", "a number of at most "
                        + tooLong.group(2) + " digits");
            }
            if (isSexagesimal) {
                return new Violation(path, sexagesimal.group(1), "is read by YAML as a number in base 60 (sexagesimal)",
                        "a plain decimal number, in the unit the field takes");
            }
            return new Violation(path, nonFinite.group(1), "is not a finite number", "a finite number, in the unit the field takes");
        }
        java.util.regex.Matcher tooDeep = TOO_DEEP.matcher(original);
        if (tooDeep.find()) {
            // a document nested past the parser's limit is well-formed YAML: it was said not to be, naming the parser's internal
            // setting and no place. The exception names none, so the document is read again to the place it goes too deep
            String where = "";
            JsonParser p = null;
            try {
                p = YAML.createParser(document);
                while (p.nextToken() != null) {
                    // to the limit
                }
            } catch (IOException deeper) {
                if (p != null && p.currentLocation() != null && p.currentLocation().getLineNr() > 0) {
                    where = " line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
                }
            } finally {
                try {
                    if (p != null) {
                        p.close();
                    }
                } catch (IOException ignored) {
                    // nothing was written
                }
            }
            return new Violation("(document)" + where, null, "is nested more than " + tooDeep.group(2) + " levels deep",
                    "at most " + tooDeep.group(2) + " levels of mappings and lists, one inside another");
        }
        MarkedYAMLException marked = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                marked = m;
                break;
            }
        }
        int line;
        int column;
        String problem;
        if (marked != null && marked.getProblemMark() != null) {
            Mark mark = marked.getProblemMark();
            line = mark.getLine() + 1;
            column = mark.getColumn() + 1;
            problem = marked.getProblem() == null ? "cannot be parsed" : marked.getProblem();
        } else {
            line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            problem = e.getOriginalMessage();
        }
        problem = problem.replace("\t", "\\t").replaceAll("\\s+", " ").strip();
        String lineText = line(document, line);
        if (lineText != null && lineText.indexOf('\t') >= 0 || problem.contains("\\t")) {
            problem += " (tabs cannot indent YAML; indent with spaces)";
        }
        String where = line > 0 ? " line " + line + (column > 0 ? ", column " + column : "") : "";
        return new Violation("(document)" + where, lineText == null || lineText.isBlank() ? null : lineText.replace("\t", "\\t"),
                "is not well-formed YAML: " + problem, "a well-formed YAML or JSON document");
    }

    private static String line(String document, int line) {
        if (line < 1) {
            return null;
        }
        String[] lines = document.split("\\R", -1);
        return line <= lines.length ? lines[line - 1].stripTrailing() : null;
    }

    /**
     * What the tree of a document does not show, and would otherwise be read wrong or not at all: an
     * alias ({@code *name}), which the parser hands over as its anchor's name instead of the value it
     * stands for, and a second document after the first ({@code ---}), which is never read. Called on a
     * document that parsed.
     */
    static List<Violation> unread(String document) {
        List<Violation> out = new ArrayList<>();
        try (JsonParser p = YAML.createParser(document)) {
            int depth = 0;
            boolean first = false;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (first) {
                    if (t != JsonToken.VALUE_NULL && !(t == JsonToken.VALUE_STRING && p.getText().isEmpty())) {
                        // (a trailing '---', an empty document, holds nothing)
                        out.add(new Violation("(document) line " + p.getTokenLocation().getLineNr(), null,
                                "holds a second YAML document ('---'), which would not be read",
                                "one contract per document: one document per file"));
                        break;
                    }
                    continue;
                }
                if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                    JsonStreamContext c = p.getParsingContext();
                    String at = path(c);
                    String field = c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName() == null ? "" : "." + c.getCurrentName();
                    at = (at + field).startsWith(".") ? (at + field).substring(1) : at + field;
                    out.add(new Violation(at.isEmpty() ? "(document)" : at, "*" + p.getText(), "is an alias (of the anchor &" + p.getText() + ")",
                            "the value written out: anchors and aliases are not read in a contract"));
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                }
                first = depth == 0;
            }
        } catch (IOException e) {
            // the document parsed once already; a second reading finds nothing the first did not
        }
        return out;
    }

    private static final String YAML_TAGS = "tag:yaml.org,2002:";
    private static final java.util.regex.Pattern PARAMETER_PATH = java.util.regex.Pattern.compile(
            "deployment\\.parameters\\.|members\\[\\d+]\\.provisioning\\.");

    /**
     * The values given an explicit YAML tag ({@code !!binary aGk=}, {@code !!str x}, {@code !foo 4}, a bare
     * {@code !}): a tag makes the parser read a value as something else, or is dropped without a word
     * ({@code cpu: !foo 4} was 4 CPUs), so a contract takes plain YAML values only, and each tagged value is a
     * violation naming its field and its tag. Quoting is how text is kept as written. A tag on a key is
     * not reported by the parser and is not seen. Called on a document that parsed.
     */
    static List<Violation> tagged(String document) {
        List<Violation> out = new ArrayList<>();
        if (document.indexOf('!') < 0) {
            return out; // no tag can be written without one
        }
        values(document, (p, t) -> {
            String tag = p instanceof YAMLParser y ? y.getTypeId() : null;
            if (tag == null) {
                return;
            }
            String written = tag.startsWith(YAML_TAGS) ? "!!" + tag.substring(YAML_TAGS.length())
                    : tag.indexOf(':') >= 0 ? "!<" + tag + ">" : "!" + tag;
            // at a list's start the parser stands in the list, whose path names its first item (members[0] for a tagged members)
            String at = field(t == JsonToken.START_ARRAY ? p.getParsingContext().getParent() : p.getParsingContext());
            // a parameter's value is never shown (it could be a credential): its tag is
            boolean parameter = PARAMETER_PATH.matcher(at).lookingAt();
            // a tag without a value (cpu: !foo) is shown alone, not followed by a blank
            boolean alone = t.isStructStart() || parameter || p.getText() == null || p.getText().isEmpty();
            out.add(new Violation(at.isEmpty() ? "(document)" : at, alone ? written : written + " " + p.getText(),
                    "has the YAML tag " + written, "a plain YAML value without a tag: a contract takes no tags (quote text to keep it"
                            + " as written)"));
        });
        return out;
    }

    private static final java.util.regex.Pattern DECIMAL_DIGITS = java.util.regex.Pattern.compile("[-+]?[0-9][0-9_]*");

    /**
     * The numbers YAML reads as other than the decimal written: with a leading zero as octal ({@code 010}
     * is 8, while {@code 09}, not octal, is 9), {@code 0x10} as hexadecimal 16, {@code 0b101} as binary 5,
     * and {@code 1_000} as 1000 (YAML 1.1 drops the underscores; YAML 1.2 and JSON read no such number).
     * Each is a violation naming its field, as nothing but the tree's value would show that the number
     * read is not the number written. Parameters are left out: they are kept as written
     * ({@link #parametersAsWritten}). Called on a document that parsed.
     */
    static List<Violation> numbers(ObjectNode root, String document) {
        List<Violation> out = new ArrayList<>();
        if (!document.contains("0") && !document.contains("_")) {
            return out; // octal, hexadecimal and binary begin with 0
        }
        values(document, (p, t) -> {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                return;
            }
            String written = p.getText();
            String digits = written.replace("+", "").replace("-", "");
            String problem;
            String expected;
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                if (!written.contains("_")) {
                    return;
                }
                String read = Walk.written(p.getDecimalValue());
                problem = "is read as " + read + " (YAML drops the underscores in a number)";
                expected = "a plain decimal number without underscores, such as " + read;
            } else if (digits.startsWith("0x") || digits.startsWith("0b")) {
                boolean hex = digits.startsWith("0x");
                problem = "is read as " + p.getBigIntegerValue() + " (YAML takes a number starting " + (hex ? "0x for hexadecimal)" : "0b for binary)");
                expected = "a plain decimal number, such as " + p.getBigIntegerValue();
            } else if (!DECIMAL_DIGITS.matcher(written).matches()) {
                return; // no other form of a whole number is read
            } else {
                java.math.BigInteger decimal = new java.math.BigInteger(written.replace("_", "").replace("+", ""));
                java.math.BigInteger read = p.getBigIntegerValue();
                if (!decimal.equals(read)) {
                    problem = "is read as " + read + " (YAML takes a number with a leading 0 for octal)";
                    expected = "a decimal number without leading zeros, such as " + decimal;
                } else if (written.contains("_")) {
                    problem = "is read as " + read + " (YAML drops the underscores in a number)";
                    expected = "a plain decimal number without underscores, such as " + read;
                } else {
                    return;
                }
            }
            if (parametersHolding(root, p.getParsingContext()) == null) {
                out.add(new Violation(field(p.getParsingContext()), written, problem, expected));
            }
        });
        return out;
    }

    /** What is done at one value of a document (a scalar, or the start of a mapping or list), with the parser standing on it. */
    @FunctionalInterface
    private interface ValueVisitor {
        void visit(JsonParser parser, JsonToken token) throws IOException;
    }

    /**
     * Reads a document again, token by token, and calls {@code each} at every value of its first
     * document (each scalar that is not an alias, and the start of each mapping and list; a second
     * document is refused by {@code unread()}). Called on a document that parsed once already: a second
     * reading finds nothing the first did not.
     */
    private static void values(String document, ValueVisitor each) {
        try (JsonParser p = YAML.createParser(document)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd() && --depth == 0) {
                    break;
                }
                if (t.isStructStart() || t.isScalarValue() && !(p instanceof YAMLParser y && y.isCurrentAlias())) {
                    each.visit(p, t);
                }
            }
        } catch (IOException e) {
            // cannot happen on a document that parsed; nothing more is found
        }
    }

    /**
     * Puts every provisioning parameter back as it was written. YAML reads a plain scalar that looks
     * like a number or like true/false as one, and the tree keeps only the value: {@code 1.10} is
     * 1.1, {@code 1e3} 1000.0, {@code 0x1F} 31, {@code 017} 15, {@code 1_000} 1000, {@code 1E+400}
     * Infinity, {@code off} false. A parameter goes to its provider as text, and a provider reads
     * {@code efa: off} or {@code kernel: 1.10} as written, so each such scalar of
     * {@code deployment.parameters} and of a member's {@code provisioning} is replaced by its text in
     * the document (JSON's numbers and true/false alike). Called on a document that parsed.
     */
    static void parametersAsWritten(ObjectNode root, String document) {
        if (!anyNumberOrBoolean(root.path("deployment").path("parameters")) && !anyProvisioningNumberOrBoolean(root.path("members"))) {
            return; // every parameter is text already (most contracts): the document is not read again
        }
        values(document, (p, t) -> {
            boolean numberOrBoolean = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_TRUE
                    || t == JsonToken.VALUE_FALSE;
            // an empty value (image:) is null to the parser, as anywhere in a contract; a parameter keeps it as the empty text written
            boolean empty = t == JsonToken.VALUE_NULL && p.getText().isEmpty();
            if (!numberOrBoolean && !empty) {
                return;
            }
            ObjectNode parameters = parametersHolding(root, p.getParsingContext());
            String key = p.getParsingContext().getCurrentName();
            JsonNode read = parameters == null ? null : parameters.get(key);
            if (read != null && (read.isNumber() || read.isBoolean() || read.isNull())) {
                parameters.set(key, TextNode.valueOf(p.getText()));
            }
        });
    }

    /** Whether a parameters mapping holds a value that YAML read as a number, true/false or null. */
    private static boolean anyNumberOrBoolean(JsonNode parameters) {
        if (!parameters.isObject()) {
            return false;
        }
        for (JsonNode value : parameters) {
            if (value.isNumber() || value.isBoolean() || value.isNull()) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyProvisioningNumberOrBoolean(JsonNode members) {
        if (!members.isArray()) {
            return false;
        }
        for (JsonNode member : members) {
            if (anyNumberOrBoolean(member.path("provisioning"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The parameters mapping of the tree that a scalar at {@code context} is a value of:
     * {@code deployment.parameters} or {@code members[i].provisioning}; null for any other place.
     */
    private static ObjectNode parametersHolding(ObjectNode root, JsonStreamContext context) {
        JsonStreamContext mapping = context.getParent();
        if (!context.inObject() || mapping == null || !mapping.inObject() || mapping.getParent() == null) {
            return null;
        }
        JsonStreamContext outer = mapping.getParent();
        JsonNode node = null;
        if ("parameters".equals(mapping.getCurrentName()) && outer.inObject() && "deployment".equals(outer.getCurrentName())
                && outer.getParent() != null && outer.getParent().inRoot()) {
            node = root.path("deployment").path("parameters");
        } else if ("provisioning".equals(mapping.getCurrentName()) && outer.inArray() && outer.getParent() != null
                && outer.getParent().inObject() && "members".equals(outer.getParent().getCurrentName())
                && outer.getParent().getParent() != null && outer.getParent().getParent().inRoot()) {
            node = root.path("members").path(outer.getCurrentIndex()).path("provisioning");
        }
        return node instanceof ObjectNode o ? o : null;
    }

    /** The path of the field the parser was reading, or empty outside one. */
    private static String field(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = path(context);
        String own = context.inArray() ? "[" + context.getCurrentIndex() + "]" : context.getCurrentName() == null ? "" : context.getCurrentName();
        if (own.isEmpty()) {
            return parent;
        }
        return parent.isEmpty() || own.startsWith("[") ? parent + own : parent + "." + own;
    }

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

    // ---- the fields -------------------------------------------------------------------------------

    /** One pass over a document; collects violations instead of stopping at the first. */
    private static final class Walk {
        final List<Violation> violations = new ArrayList<>();
        int membersInAll;
        private final String document;
        /** The true/false values of the document as written, by path: read once, when a true/false field is first checked. */
        private Map<String, String> booleansWritten;

        Walk(String document) {
            this.document = document;
        }

        void fail(String path, JsonNode value, String expected) {
            violations.add(new Violation(path, value == null || value.isMissingNode() || value.isNull() ? null : shown(path, value), expected));
        }

        /**
         * A value as a refusal quotes it: true/false as it was written ({@code yes}, {@code NO}), since YAML 1.1 reads such words
         * as true or false, and {@code cpu: yes} was refused as {@code 'true'}, a value the author never wrote.
         */
        private String shown(String path, JsonNode value) {
            if (value.isBoolean()) {
                String written = booleanAsWritten(path);
                if (written != null) {
                    return written;
                }
            }
            return text(value);
        }

        static String text(JsonNode value) {
            if (value.isBigDecimal()) {
                return written(value.decimalValue());
            }
            return value.isValueNode() ? value.asText() : value.toString();
        }

        /** A number with a fraction or an exponent as it is written: 2.50, 0.0000001, 1e10, 1.5e400 (not 1.5E+400). */
        static String written(BigDecimal d) {
            return d.scale() >= 0 && d.scale() <= 40 ? d.toPlainString() : d.toString().replace("E+", "e").replace('E', 'e');
        }

        void unknownFields(JsonNode node, String prefix, Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!known.contains(field)) {
                    violations.add(new Violation(prefix + field, shown(prefix + field, node.get(field)), "one of the fields " + String.join(", ", new TreeSet<>(known))));
                }
            }
        }

        /**
         * A scalar that YAML reads as a number or as true/false where text is expected: its text is
         * not what was written ({@code 007} is 7, {@code 1e3} is 1000.0, {@code yes} is true), so it
         * is refused, not taken as that text.
         */
        void notText(String path, JsonNode value, String expected) {
            if (value != null && value.isValueNode() && !value.isNull() && !value.isTextual()) {
                violations.add(new Violation(path, shown(path, value), "is read as " + (value.isBoolean() ? "true or false" : "a number")
                        + ", not as text (quote it to keep it as written)", expected));
            } else {
                fail(path, value, expected);
            }
        }

        String requiredText(JsonNode parent, String field, String what) {
            JsonNode value = parent.get(field);
            if (value == null || value.isNull() || !value.isTextual() || value.asText().isBlank()) {
                notText(field, value, what + " as text");
                return "?";
            }
            return name(field, value.asText(), what) ? value.asText() : "?";
        }

        /**
         * Whether a name holds no control or format character: a line break, a terminal escape or a
         * direction override in a name would reach log lines and the shell as it is, where it could
         * forge a line or make one read differently. Refused, with the value shown escaped, when it does.
         */
        boolean oneLine(String path, String text, String what) {
            return oneLine(path, text, what, false);
        }

        /**
         * {@link #oneLine} for a name (the workload's, the tenant's, a member's), which is also refused with white space
         * at its start or end: listings, the provenance log and the shell show names without quotes, where {@code ' m-0'}
         * reads as the member {@code m-0} beside it, so such a name is refused, not trimmed.
         */
        boolean name(String path, String text, String what) {
            return oneLine(path, text, what, true);
        }

        private boolean oneLine(String path, String text, String what, boolean name) {
            String shown = dev.strata.platform.audit.Verification.printable(text);
            String expected = what + " as text on one line, without control characters" + (name ? " or white space at its start or end" : "");
            if (!shown.equals(text)) {
                violations.add(new Violation(path, shown, "holds a control or format character (a line break, an escape, a direction"
                        + " override)", expected));
                return false;
            }
            if (name && (blank(text.codePointAt(0)) || blank(text.codePointBefore(text.length())))) {
                violations.add(new Violation(path, shown, "has white space at its start or end", expected));
                return false;
            }
            return true;
        }

        /** White space as a reader sees it: the no-break spaces too, which {@link String#strip} keeps. */
        private static boolean blank(int cp) {
            return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
        }

        /** Optional text: absent gives null; anything but a scalar is an error. */
        String optionalText(JsonNode value, String path, String what) {
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual() || value.asText().isBlank()) {
                notText(path, value, what + " as text");
                return null;
            }
            return oneLine(path, value.asText(), what) ? value.asText() : null;
        }

        long integer(JsonNode value, String path, long absent, long min, long max) {
            if (value == null || value.isNull()) {
                return absent;
            }
            String expected = String.format(Locale.ROOT, "a whole number from %,d to %,d", min, max).replace(",", "");
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                fail(path, value, expected);
                return absent;
            }
            long v = value.asLong();
            if (v < min || v > max) {
                fail(path, value, expected);
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
            String written = booleanAsWritten(path);
            if (written != null && !PLAIN_BOOLEANS.contains(written)) {
                // YAML 1.1 reads yes, no, on and off as true and false; JSON and YAML 1.2 read them as text, and what their author
                // meant by them is a guess (numaAligned: on, allowDegraded: no)
                violations.add(new Violation(path, written, "is read as " + value.asBoolean() + " by YAML 1.1 only (JSON and YAML 1.2"
                        + " read it as text)", "true or false"));
                return false;
            }
            return value.asBoolean();
        }

        /** How the true/false value at {@code path} was written, or null where none is. */
        private String booleanAsWritten(String path) {
            if (booleansWritten == null) {
                Map<String, String> written = new HashMap<>();
                values(document, (p, t) -> {
                    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                        written.put(field(p.getParsingContext()), p.getText());
                    }
                });
                booleansWritten = written;
            }
            return booleansWritten.get(path);
        }

        /** True and false as JSON and YAML 1.2 write them. */
        private static final Set<String> PLAIN_BOOLEANS = Set.of("true", "True", "TRUE", "false", "False", "FALSE");

        long bytes(JsonNode value, String path, String example) {
            return longQuantity(value, path, () -> ContractBounds.bytes(scalar(value), example));
        }

        long cpu(JsonNode value, String path) {
            return longQuantity(value, path, () -> ContractBounds.cpuMilli(scalar(value)));
        }

        double watts(JsonNode value, String path) {
            return doubleQuantity(value, path, () -> ContractBounds.watts(scalar(value)));
        }

        double gbps(JsonNode value, String path) {
            return doubleQuantity(value, path, () -> ContractBounds.gbps(scalar(value)));
        }

        private static final BigDecimal MIN_FRACTION = BigDecimal.valueOf(ContractBounds.MIN_FRACTION);
        private static final BigDecimal FAR = BigDecimal.TEN.pow(40);
        private static final BigDecimal NEAR = BigDecimal.ONE.movePointLeft(40);

        /** A scalar's text; a mapping or list is never a quantity. */
        private static String scalar(JsonNode value) {
            if (value.isNumber()) {
                // quantities are read as plain decimals (5e-4 as 0.0005). Past 10^40 (1e400) every bound is passed and below
                // 10^-40 every step: read as those, the field's own check names its bound without 400 digits written out
                BigDecimal d = value.decimalValue();
                String sign = d.signum() < 0 ? "-" : "";
                if (d.abs().compareTo(FAR) > 0) {
                    return sign + FAR.toPlainString();
                }
                if (d.signum() != 0 && d.abs().compareTo(NEAR) < 0) {
                    return sign + NEAR.toPlainString();
                }
                return d.toPlainString();
            }
            return value.isValueNode() ? value.asText() : null;
        }

        private long longQuantity(JsonNode value, String path, java.util.function.LongSupplier parse) {
            if (value == null || value.isNull()) {
                return 0;
            }
            try {
                return parse.getAsLong();
            } catch (ContractBounds.BadQuantity e) {
                violations.add(new Violation(path, shown(path, value), e.problem(), e.expected()));
                return 0;
            }
        }

        private double doubleQuantity(JsonNode value, String path, java.util.function.DoubleSupplier parse) {
            if (value == null || value.isNull()) {
                return 0;
            }
            try {
                return parse.getAsDouble();
            } catch (ContractBounds.BadQuantity e) {
                violations.add(new Violation(path, shown(path, value), e.problem(), e.expected()));
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
                JsonNode item = value.get(i);
                // the letters are checked as written, before upper case is made of them: Unicode's upper case of the long s, the
                // dotless i and the sharp s is S, I and SS, which read 'ſe' as Sweden, 'ıt' as Italy and 'ßß' as SSSS
                String written = item.isValueNode() ? item.asText().strip() : "";
                String code = written.toUpperCase(Locale.ROOT);
                boolean ok = isoCountry ? written.matches("[A-Za-z]{2}") : written.matches("[A-Za-z]{2,8}");
                if (!item.isTextual() || !ok) {
                    // notText: YAML reads Norway's NO as false
                    notText(path + "[" + i + "]", item, isoCountry ? "an ISO 3166-1 alpha-2 country code such as DE"
                            : "a jurisdiction code such as EU, DE or US");
                } else if (isoCountry && !Site.isCountryCode(code)) {
                    // XX or EU would match no site, and a contract naming only such codes could never be placed
                    violations.add(new Violation(path + "[" + i + "]", item.asText(), "is not an ISO 3166-1 alpha-2 country code",
                            "an ISO 3166-1 alpha-2 country code such as DE (EU and other unions go in jurisdictions)"));
                } else if (!isoCountry && jurisdictionProblem(code) != null) {
                    // sites name a country's law by its alpha-2 code: excludeOperatorJurisdictions: [USA] or [UK] would exclude nothing
                    violations.add(new Violation(path + "[" + i + "]", item.asText(), jurisdictionProblem(code),
                            "a jurisdiction code such as EU, DE or US: a country's ISO 3166-1 alpha-2 code, or a union such as EU"));
                } else {
                    codes.add(code);
                }
            }
            return codes;
        }

        /**
         * Why a jurisdiction code (upper case) matches no site's, or null: sites name a country's law
         * by its ISO 3166-1 alpha-2 code, so its alpha-3 code ({@code USA}) or a two-letter code that
         * is no country's ({@code UK}, which ISO reserves for GB) would match nothing, and in
         * {@code excludeOperatorJurisdictions} exclude nothing. Unions and other codes of three
         * letters or more ({@code EU} aside, two letters) are taken as written.
         */
        static String jurisdictionProblem(String code) {
            java.util.Optional<String> alpha2 = Site.countryOfAlpha3(code);
            if (alpha2.isPresent()) {
                return "is the ISO 3166-1 alpha-3 code of " + alpha2.get() + ", which sites do not use (write " + alpha2.get() + ")";
            }
            if (code.length() == 2 && !code.equals("EU") && !Site.isCountryCode(code)) {
                return "is not an ISO 3166-1 alpha-2 country code" + (code.equals("UK") ? " (the United Kingdom's is GB)" : "");
            }
            return null;
        }

        Isolation isolation(JsonNode value) {
            if (value == null || value.isNull()) {
                return Isolation.SHARED;
            }
            String text = value.isTextual() ? value.asText() : "";
            return switch (text) {
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
            String dataClass = optionalText(node.get("dataClass"), "sovereignty.dataClass", "a label for the data, such as confidential,");
            return new Sovereignty(codes(node.get("countries"), "sovereignty.countries", true),
                    codes(node.get("jurisdictions"), "sovereignty.jurisdictions", false),
                    codes(node.get("excludeOperatorJurisdictions"), "sovereignty.excludeOperatorJurisdictions", false), dataClass);
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
            double bandwidth = gbps(node.get("bandwidth"), "fabric.bandwidth");
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
            Map<String, String> names = new HashMap<>(); // a member's name (a replica's) to the member that has it
            for (int i = 0; i < node.size(); i++) {
                String path = "members[" + i + "]";
                JsonNode m = node.get(i);
                if (!m.isObject()) {
                    fail(path, m, "a mapping with name, cpu, memory, gpus");
                    continue;
                }
                int before = violations.size();
                unknownFields(m, path + ".", MEMBER);
                String name = m.hasNonNull("name") && m.get("name").isTextual() && !m.get("name").asText().isBlank()
                        ? m.get("name").asText() : null;
                if (name == null) {
                    notText(path + ".name", m.get("name"), "the member's name as text");
                    name = "member-" + i;
                } else if (!name(path + ".name", name, "the member's name")) {
                    name = "member-" + i;
                }
                long replicas = integer(m.get("replicas"), path + ".replicas", 1, 1, MAX_REPLICAS);
                long cpu = cpu(m.get("cpu"), path + ".cpu");
                long memory = bytes(m.get("memory"), path + ".memory", "64GiB");
                GpuRequest gpus = gpus(m.get("gpus"), path + ".gpus");
                TopologyRequest topology = topology(m.get("topology"), path + ".topology");
                double power = watts(m.get("power"), path + ".power");
                Map<String, String> provisioning = DeploymentClauses.parameters(m.get("provisioning"), path + ".provisioning", violations);
                if (cpu == 0 && memory == 0 && gpus.count() == 0 && violations.size() == before) {
                    fail(path, m, "at least one of cpu, memory or gpus");
                }
                if (topology.oneNvlinkDomain() && gpus.count() < 2 && violations.size() == before) {
                    fail(path + ".topology.nvlinkDomain", m.get("topology").get("nvlinkDomain"), "gpus.count of 2 or more (one GPU is always in one domain)");
                }
                if (membersInAll + replicas > ContractBounds.MAX_MEMBERS) {
                    violations.add(new Violation(path + ".replicas", String.valueOf(replicas), "would make " + (membersInAll + replicas)
                            + " members in all", "at most " + ContractBounds.MAX_MEMBERS + " members in a contract, replicas counted"));
                    membersInAll = ContractBounds.MAX_MEMBERS + 1;
                    continue;
                }
                membersInAll += (int) replicas;
                for (int r = 0; r < replicas; r++) {
                    String memberName = replicas == 1 ? name : name + "-" + r;
                    String other = names.putIfAbsent(memberName, replicas == 1 ? path : "replica " + memberName + " of " + path);
                    if (other != null) {
                        // a replica is named name-0, name-1, ...: a member named m-0 beside a member m with replicas is the same
                        // member twice in every listing, the provenance log and the shell
                        JsonNode written = m.get("name");
                        violations.add(new Violation(path + ".name", written == null || written.isNull() ? null : text(written),
                                (replicas == 1 ? "" : "makes replica " + memberName + ", which ") + "is already the name of " + other,
                                "a name no other member or replica has (the replicas of a member named m are named m-0, m-1, ...)"));
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
            if (node.isNumber()) {
                int count = (int) integer(node, path, 0, 0, ContractBounds.MAX_GPUS);
                return new GpuRequest(count, Set.of(), 0, 1, null);
            }
            if (!node.isObject()) {
                fail(path, node, "a GPU count, or a mapping with count, models, memory, fraction, partition, allowDegraded");
                return GpuRequest.NONE;
            }
            unknownFields(node, path + ".", GPUS);
            int count = (int) integer(node.get("count"), path + ".count", 1, 0, ContractBounds.MAX_GPUS);
            Set<String> models = new LinkedHashSet<>();
            JsonNode modelsNode = node.get("models");
            if (modelsNode != null && !modelsNode.isNull()) {
                if (!modelsNode.isArray()) {
                    fail(path + ".models", modelsNode, "a list of GPU models such as [H100, H200]");
                } else {
                    for (int i = 0; i < modelsNode.size(); i++) {
                        JsonNode model = modelsNode.get(i);
                        if (!model.isTextual() || model.asText().isBlank()) {
                            notText(path + ".models[" + i + "]", model, "a GPU model name such as H100, as text");
                        } else if (oneLine(path + ".models[" + i + "]", model.asText(), "a GPU model name such as H100")) {
                            models.add(model.asText().strip());
                        }
                    }
                }
            }
            long memory = bytes(node.get("memory"), path + ".memory", "80GiB");
            double fraction = 1;
            boolean share = false;
            JsonNode fractionNode = node.get("fraction");
            if (fractionNode != null && !fractionNode.isNull()) {
                // bounded as written: a double takes 1.0000000000000000001 for 1 and 0.99999999999999999999 for a whole GPU
                BigDecimal written = fractionNode.isNumber() ? fractionNode.decimalValue() : null;
                if (written == null || written.compareTo(MIN_FRACTION) < 0 || written.compareTo(BigDecimal.ONE) > 0) {
                    fail(path + ".fraction", fractionNode, "a share of one GPU from 0.001 to 1 (e.g. 0.25)");
                } else if (written.stripTrailingZeros().scale() > 3) {
                    // placement reserves a GPU in thousandths and rounded a finer share up (0.2505 held 0.251): refused, as a
                    // CPU finer than 1m is, instead of reserving more than was asked for
                    violations.add(new Violation(path + ".fraction", text(fractionNode), "is finer than a thousandth of a GPU",
                            "a share of one GPU from 0.001 to 1 (e.g. 0.25), in steps of 0.001"));
                } else {
                    fraction = written.doubleValue();
                    share = written.compareTo(BigDecimal.ONE) < 0;
                }
            }
            JsonNode partition = node.get("partition");
            String profile = null;
            if (partition != null && !partition.isNull()) {
                java.util.regex.Matcher mig = MIG_PROFILE.matcher(partition.isTextual() ? partition.asText() : "");
                if (!partition.isTextual() || !mig.matches()) {
                    fail(path + ".partition", partition, MIG_EXPECTED);
                } else if (!migBounded(mig.group(1), ContractBounds.MAX_MIG_SLICES) || !migBounded(mig.group(2), ContractBounds.MAX_MIG_GB)) {
                    violations.add(new Violation(path + ".partition", partition.asText(), "has " + mig.group(1) + " compute slices and "
                            + mig.group(2) + " GB, which no MIG profile has", MIG_EXPECTED));
                } else {
                    profile = partition.asText();
                }
            }
            boolean allowDegraded = bool(node.get("allowDegraded"), path + ".allowDegraded");
            if ((share || profile != null) && count != 1) {
                fail(path + ".count", node.get("count"), "1 when a fraction or partition of a GPU is asked for");
                count = 1;
            }
            if (share && profile != null) {
                fail(path + ".partition", partition, "either a fraction or a partition, not both");
                profile = null;
            }
            if (count == 0) {
                // settings of GPUs that none are asked for: placement would ignore them, and the member would run with no GPU
                // where its author meant one of these models (a count left at 0 while editing)
                List<String> unused = new ArrayList<>();
                if (!models.isEmpty()) {
                    unused.add("models");
                }
                if (memory > 0) {
                    unused.add("memory");
                }
                if (allowDegraded) {
                    unused.add("allowDegraded");
                }
                if (!unused.isEmpty()) {
                    violations.add(new Violation(path + ".count", "0", "asks for no GPU, yet " + String.join(", ", unused)
                            + (unused.size() == 1 ? " is" : " are") + " set for the GPUs asked for",
                            "a GPU count of 1 or more, or no models, memory or allowDegraded"));
                }
            }
            return new GpuRequest(count, models, memory, fraction, profile, allowDegraded);
        }

        private static final java.util.regex.Pattern MIG_PROFILE = java.util.regex.Pattern.compile("(\\d+)g\\.(\\d+)gb(\\+me)?");
        private static final String MIG_EXPECTED = "a MIG profile name such as 1g.10gb or 3g.40gb, of 1 to " + ContractBounds.MAX_MIG_SLICES
                + " compute slices and 1 to " + ContractBounds.MAX_MIG_GB + " GB, without leading zeros";

        /** Whether a number of a MIG profile's name is from 1 to {@code max}, written without a leading zero. */
        private static boolean migBounded(String digits, int max) {
            return !digits.startsWith("0") && digits.length() <= 9 && Integer.parseInt(digits) <= max;
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
