package dev.strata.platform.api.model;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses quantities with units as people write them in contracts and inventories:
 * {@code 80GiB}, {@code 400Gbps}, {@code 10kW}, {@code 500m} CPUs, {@code 8ms}. Every parser
 * throws {@link IllegalArgumentException} with a message that says what was expected; callers
 * prefix it with the field's path.
 */
public final class Quantities {

    private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z/]*)\\s*");

    private static final Map<String, Long> BYTES = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("kb", 1_000L), Map.entry("mb", 1_000_000L), Map.entry("gb", 1_000_000_000L),
            Map.entry("tb", 1_000_000_000_000L), Map.entry("pb", 1_000_000_000_000_000L),
            Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
            Map.entry("tib", 1L << 40), Map.entry("pib", 1L << 50),
            Map.entry("ki", 1L << 10), Map.entry("mi", 1L << 20), Map.entry("gi", 1L << 30), Map.entry("ti", 1L << 40));

    private static final Map<String, Double> GBPS = Map.of(
            "gbps", 1.0, "gbit/s", 1.0, "gb/s", 1.0, "mbps", 0.001, "mbit/s", 0.001, "tbps", 1000.0, "tbit/s", 1000.0);

    private static final Map<String, Double> WATTS = Map.of("w", 1.0, "kw", 1_000.0, "mw", 1_000_000.0);

    private static final Map<String, Double> MICROS = Map.of("ns", 0.001, "us", 1.0, "µs", 1.0, "ms", 1_000.0, "s", 1_000_000.0);

    private Quantities() {
    }

    /** Bytes: {@code 80GiB}, {@code 512MiB}, {@code 2TB}, {@code 16Gi}; a bare number is bytes. */
    public static long bytes(String text) {
        return Math.round(scaled(text, BYTES, "a size such as 80GiB, 512MiB or 2TB"));
    }

    /** Bandwidth in Gbit/s: {@code 400Gbps}, {@code 100 Gbit/s}, {@code 1.6Tbps}. A unit is required. */
    public static double gbps(String text) {
        return unitRequired(text, GBPS, "a bandwidth such as 400Gbps or 1.6Tbps");
    }

    /** Power in watts: {@code 700W}, {@code 10kW}, {@code 2MW}. A unit is required. */
    public static double watts(String text) {
        return unitRequired(text, WATTS, "a power such as 700W, 10kW or 2MW");
    }

    /** Latency in microseconds: {@code 2us}, {@code 8ms}. A unit is required. */
    public static double micros(String text) {
        return unitRequired(text, MICROS, "a latency such as 2us or 8ms");
    }

    /** CPU in thousandths of a core: {@code 4} (cores), {@code 2.5}, {@code 500m}. */
    public static long cpuMilli(String text) {
        Matcher m = match(text, "a CPU quantity such as 4, 2.5 or 500m");
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        BigDecimal value = new BigDecimal(m.group(1));
        if (unit.isEmpty()) {
            return value.movePointRight(3).longValue();
        } else if (unit.equals("m")) {
            return value.longValue();
        }
        throw new IllegalArgumentException("'" + text + "' has unit '" + unit + "'; expected a CPU quantity such as 4, 2.5 or 500m");
    }

    private static double unitRequired(String text, Map<String, Double> units, String expected) {
        Matcher m = match(text, expected);
        Double factor = units.get(m.group(2).toLowerCase(Locale.ROOT));
        if (factor == null) {
            throw new IllegalArgumentException("'" + text + "' has " + (m.group(2).isEmpty() ? "no unit" : "unit '" + m.group(2) + "'")
                    + "; expected " + expected);
        }
        return Double.parseDouble(m.group(1)) * factor;
    }

    private static double scaled(String text, Map<String, Long> units, String expected) {
        Matcher m = match(text, expected);
        Long factor = units.get(m.group(2).toLowerCase(Locale.ROOT));
        if (factor == null) {
            throw new IllegalArgumentException("'" + text + "' has unit '" + m.group(2) + "'; expected " + expected);
        }
        return Double.parseDouble(m.group(1)) * factor;
    }

    private static Matcher match(String text, String expected) {
        Matcher m = NUMBER_UNIT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a number with a unit; expected " + expected);
        }
        return m;
    }
}
