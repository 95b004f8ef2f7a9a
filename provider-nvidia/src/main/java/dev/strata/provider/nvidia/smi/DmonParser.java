package dev.strata.provider.nvidia.smi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code nvidia-smi dmon -s pucvmet} output into rows keyed by the {@code --query-gpu}
 * field names, so that {@link SmiSamples} maps both the same way. dmon's columns map as: {@code gpu}
 * index, {@code pwr} power.draw, {@code gtemp} temperature.gpu, {@code sm} utilization.gpu,
 * {@code mem} utilization.memory, {@code pclk} clocks.sm, {@code fb} memory.used (dmon's MB are MiB),
 * {@code sbecc}/{@code dbecc} the volatile corrected/uncorrected ECC counts. dmon has no throttle
 * mask: a power violation ({@code pviol} &gt; 0 %) is reported as {@code SW_POWER_CAP} and a thermal
 * violation ({@code tviol}) as {@code SW_THERMAL_SLOWDOWN}, the closest NVML reasons.
 */
public final class DmonParser {

    private static final Map<String, String> FIELDS = Map.of(
            "gpu", "index",
            "pwr", "power.draw",
            "gtemp", "temperature.gpu",
            "sm", "utilization.gpu",
            "mem", "utilization.memory",
            "pclk", "clocks.sm",
            "fb", "memory.used",
            "sbecc", "ecc.errors.corrected.volatile.total",
            "dbecc", "ecc.errors.uncorrected.volatile.total");

    private DmonParser() {
    }

    /** One row per sample line, keyed by query field name. */
    public static List<Map<String, String>> parse(String text) {
        List<String> columns = null;
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.startsWith("#")) {
                if (columns == null) {
                    columns = List.of(trimmed.substring(1).strip().split("\\s+"));
                }
                continue;
            }
            if (columns == null) {
                continue;
            }
            String[] values = trimmed.split("\\s+");
            Map<String, String> raw = new LinkedHashMap<>();
            for (int i = 0; i < columns.size() && i < values.length; i++) {
                raw.put(columns.get(i), values[i]);
            }
            Map<String, String> row = new LinkedHashMap<>();
            raw.forEach((column, value) -> {
                String field = FIELDS.get(column);
                if (field != null) {
                    row.put(field, value);
                }
            });
            long mask = 0;
            if (positive(raw.get("pviol"))) {
                mask |= 0x4;
            }
            if (positive(raw.get("tviol"))) {
                mask |= 0x20;
            }
            row.put("clocks_event_reasons.active", "0x" + Long.toHexString(mask));
            rows.add(row);
        }
        return rows;
    }

    private static boolean positive(String value) {
        try {
            return value != null && Double.parseDouble(value) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
