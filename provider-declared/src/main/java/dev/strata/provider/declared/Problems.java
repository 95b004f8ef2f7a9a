package dev.strata.provider.declared;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Problems found in one pass over a document, each with its path, the value and what was expected;
 * a value's problem starts with the document's line where one is known for its path (or, for a
 * value that is missing, for the mapping that lacks it).
 */
final class Problems {

    private final List<String> problems = new ArrayList<>();
    /** The line of each path of the document (its value's first line), as the parser read it: asked for at the first problem. */
    private final Supplier<Map<String, Integer>> findLines;
    private Map<String, Integer> lines;
    /** How each true or false of the document was written, by path: asked for at the first problem with one. */
    private final Supplier<Map<String, String>> findBooleans;
    private Map<String, String> booleans;

    Problems() {
        this(Map::of, Map::of);
    }

    /**
     * @param lines the line of each path of the document, such as {@code nodes[3].memory}: called
     *        once, at the first problem with a value (a document without problems is not walked again)
     * @param booleans how each value YAML read as true or false was written ({@code NO}, {@code yes}), by path:
     *        called once, at the first problem with such a value
     */
    Problems(Supplier<Map<String, Integer>> lines, Supplier<Map<String, String>> booleans) {
        this.findLines = lines;
        this.findBooleans = booleans;
    }

    /** The most characters of a value a problem shows: a list or mapping written where text belongs is not shown whole. */
    static final int MAX_SHOWN = 100;
    /** The most ids a problem lists as those it knows. */
    static final int MAX_LISTED = 20;

    void add(String path, JsonNode value, String expected) {
        String shown = value == null || value.isNull() || value.isMissingNode() ? "missing"
                : "'" + shown(value.isValueNode() ? written(path, value) : value.toString()) + "'";
        problems.add(line(path) + shown(path) + ": " + shown + "; expected " + expected);
    }

    /**
     * A value's text as the document wrote it: YAML 1.1 reads {@code NO}, {@code yes}, {@code on} and
     * {@code off} as true and false, and {@code country: NO} was refused as {@code 'false'}, a value its
     * author never wrote.
     */
    String written(String path, JsonNode value) {
        if (value.isBoolean()) {
            if (booleans == null) {
                booleans = findBooleans.get();
            }
            String written = booleans.get(path);
            if (written != null) {
                return written;
            }
        }
        return value.asText();
    }

    /** {@code "line 12, "} for the line of {@code path}, or of the nearest mapping or list holding it; empty when none is known. */
    private String line(String path) {
        if (lines == null) {
            lines = findLines.get();
        }
        for (String p = path; p != null && !p.isEmpty(); ) {
            Integer line = lines.get(p);
            if (line != null) {
                return "line " + line + ", ";
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut <= 0 ? null : p.substring(0, cut);
        }
        return "";
    }

    /**
     * Text of the document as a problem shows it: on one line, with every control or format
     * character (a line break, a tab, a direction override that would make the line read
     * otherwise) written as an escape ({@code \n}, or a backslash, u and the code in hex for U+202E), and at most
     * {@value #MAX_SHOWN} characters, with the length of a longer one said.
     */
    static String shown(String text) {
        return shown(text, MAX_SHOWN);
    }

    /** {@link #shown(String)} with at most {@code max} characters. */
    static String shown(String text, int max) {
        StringBuilder out = new StringBuilder();
        int count = 0;
        int total = text.codePointCount(0, text.length());
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (count == max) {
                out.append("... (").append(total).append(" characters)");
                break;
            }
            count++;
            int type = Character.getType(c);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        }
        return out.toString();
    }

    /** Ids as a problem lists them: sorted, the first {@value #MAX_LISTED} and how many more. */
    static String listed(java.util.Collection<String> ids) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(ids));
        String shown = String.join(", ", sorted.subList(0, Math.min(MAX_LISTED, sorted.size())).stream().map(Problems::shown).toList());
        return sorted.size() > MAX_LISTED ? shown + " and " + (sorted.size() - MAX_LISTED) + " more" : shown;
    }

    /** A problem that is no value of the document, such as a key given twice: "path: problem; expected ...". */
    void addProblem(String path, String problem, String expected) {
        problems.add(shown(path) + ": " + problem + "; expected " + expected);
    }

    void unknownFields(JsonNode node, String path, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                add(path + field, node.get(field), "one of the fields " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    int size() {
        return problems.size();
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<String> list() {
        return List.copyOf(problems);
    }

    /** "what has 2 errors:\n  a: ...\n  b: ..." */
    String describe(String what) {
        return what + " has " + problems.size() + (problems.size() == 1 ? " error" : " errors") + ":\n  " + String.join("\n  ", problems);
    }
}
