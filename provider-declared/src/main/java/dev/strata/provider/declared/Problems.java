package dev.strata.provider.declared;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Problems found in one pass over a document, each with its path, the value and what was expected. */
final class Problems {

    private final List<String> problems = new ArrayList<>();

    void add(String path, JsonNode value, String expected) {
        String shown = value == null || value.isNull() || value.isMissingNode() ? "missing"
                : "'" + (value.isValueNode() ? value.asText() : value.toString()) + "'";
        problems.add(path + ": " + shown + "; expected " + expected);
    }

    /** A problem that is no value of the document, such as a key given twice: "path: problem; expected ...". */
    void addProblem(String path, String problem, String expected) {
        problems.add(path + ": " + problem + "; expected " + expected);
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
