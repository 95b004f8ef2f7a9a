package dev.strata.provider.nvidia.smi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code nvidia-smi --query-gpu=... --format=csv} output: a header of field names with
 * their units in brackets ({@code power.draw [W]}) and one row per GPU (or per sample with
 * {@code -lms}). Rows become maps from the query field name to the printed value; header names
 * that differ from the query name are mapped back ({@code clocks.current.sm} is {@code clocks.sm}).
 *
 * <p>nvidia-smi does not quote values, so a comma inside one (a board named {@code ..., PCIe}) makes
 * more fields than the header has. The GPU's name is the only free text among the query fields: its
 * extra commas are folded back into it. Any other row whose field count is not the header's is
 * refused, naming the row, rather than its values shifted into the wrong columns.
 */
public final class QueryCsv {

    private static final Map<String, String> ALIASES = Map.of(
            "clocks.current.sm", "clocks.sm",
            "clocks.current.memory", "clocks.mem",
            "clocks.current.graphics", "clocks.gr",
            "clocks_throttle_reasons.active", "clocks_event_reasons.active");

    private QueryCsv() {
    }

    /** The fields whose values are free text, into which extra commas fold. */
    private static final List<String> FREE_TEXT = List.of("name", "gpu_name");

    /**
     * The rows of a CSV with a header line; blank lines are skipped, and so are the warnings
     * nvidia-smi printed before the header ({@link SmiWarnings}).
     *
     * @throws IllegalArgumentException when a row has another number of fields than the header and
     *     no name field takes the extra ones
     */
    public static List<Map<String, String>> parse(String text) {
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> names = null;
        for (String line : text.split("\\R")) {
            if (line.isBlank() || names == null && SmiWarnings.isWarning(line)) {
                // a warning nvidia-smi printed before the header is not the header
                continue;
            }
            String[] values = line.split(",", -1);
            if (names == null) {
                names = new ArrayList<>();
                for (String header : values) {
                    names.add(fieldName(header));
                }
                continue;
            }
            values = fitted(names, values, rows.size() + 1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                row.put(names.get(i), values[i].strip());
            }
            rows.add(row);
        }
        return rows;
    }

    /** The values of a row, one per header field: extra commas folded into the name, else refused. */
    private static String[] fitted(List<String> names, String[] values, int rowNumber) {
        int extra = values.length - names.size();
        int free = -1;
        for (String field : FREE_TEXT) {
            free = free < 0 ? names.indexOf(field) : free;
        }
        if (extra > 0 && free >= 0) {
            List<String> fitted = new ArrayList<>(List.of(values).subList(0, free));
            fitted.add(String.join(",", List.of(values).subList(free, free + extra + 1)));
            fitted.addAll(List.of(values).subList(free + extra + 1, values.length));
            return fitted.toArray(String[]::new);
        }
        if (extra != 0) {
            throw new IllegalArgumentException("row " + rowNumber + " has " + values.length + " fields where the header has "
                    + names.size() + " (" + String.join(",", names) + "); expected one value per field (nvidia-smi does not quote"
                    + " values, so a comma inside one cannot be told apart)");
        }
        return values;
    }

    /** The query field name of a header such as {@code clocks.current.sm [MHz]}. */
    static String fieldName(String header) {
        String name = header.strip();
        int bracket = name.indexOf(" [");
        if (bracket > 0) {
            name = name.substring(0, bracket);
        }
        return ALIASES.getOrDefault(name, name);
    }
}
