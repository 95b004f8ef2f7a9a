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
 */
public final class QueryCsv {

    private static final Map<String, String> ALIASES = Map.of(
            "clocks.current.sm", "clocks.sm",
            "clocks.current.memory", "clocks.mem",
            "clocks.current.graphics", "clocks.gr",
            "clocks_throttle_reasons.active", "clocks_event_reasons.active");

    private QueryCsv() {
    }

    /** The rows of a CSV with a header line; blank lines are skipped. */
    public static List<Map<String, String>> parse(String text) {
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> names = null;
        for (String line : text.split("\\R")) {
            if (line.isBlank()) {
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
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size() && i < values.length; i++) {
                row.put(names.get(i), values[i].strip());
            }
            rows.add(row);
        }
        return rows;
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
