package dev.strata.platform.api.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses quantities with units as people write them in contracts, inventories and configuration:
 * sizes ({@code 80GiB}), rates ({@code 400Gbps}, {@code 50GB/s}), power ({@code 10kW},
 * {@code 500mW}), durations ({@code 30s}, {@code 2us}) and CPUs ({@code 500m}).
 *
 * <p>One parser serves them all: a decimal number, optional blanks, and a unit looked up exactly as
 * SI and IEC write it. Units are case-sensitive, because case carries meaning: {@code GB/s} is
 * gigabytes per second (8 Gbit/s) while {@code Gb/s} is gigabits; {@code mW} is milliwatts and
 * {@code MW} megawatts; {@code kB} is 1000 bytes and {@code KiB} 1024. The value is computed
 * exactly (no floating point) and checked against the range of its result type before it is
 * converted, so an overflow is an error that says so, never a wrapped or infinite number.
 *
 * <p>Every parser throws {@link IllegalArgumentException} with a message that names the text (its
 * control and format characters shown as <code>&#92;uXXXX</code>) and says what was expected; callers
 * prefix it with the field's path.
 */
public final class Quantities {

    private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-zµ/]*)\\s*");
    /** The most digits a number may have; longer input is refused before any arithmetic. */
    private static final int MAX_DIGITS = 40;
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal DOUBLE_SAFE = new BigDecimal("1e300");

    /** Sizes in bytes. */
    static final Dimension SIZE = new Dimension("a size such as 80GiB, 512MiB or 2TB", "B", units(
            "B", "1",
            "kB", "1e3", "MB", "1e6", "GB", "1e9", "TB", "1e12", "PB", "1e15", "EB", "1e18",
            "KiB", "1024", "MiB", "1048576", "GiB", "1073741824", "TiB", "1099511627776",
            "PiB", "1125899906842624", "EiB", "1152921504606846976",
            "Ki", "1024", "Mi", "1048576", "Gi", "1073741824", "Ti", "1099511627776", "Pi", "1125899906842624",
            "Ei", "1152921504606846976"));

    /** Data rates in Gbit/s; byte rates count 8 bits per byte. */
    static final Dimension RATE = new Dimension("a rate such as 400Gbps, 100Gbit/s or 50GB/s", null, units(
            "bps", "1e-9", "kbps", "1e-6", "Mbps", "1e-3", "Gbps", "1", "Tbps", "1e3",
            "bit/s", "1e-9", "kbit/s", "1e-6", "Mbit/s", "1e-3", "Gbit/s", "1", "Tbit/s", "1e3",
            "b/s", "1e-9", "kb/s", "1e-6", "Mb/s", "1e-3", "Gb/s", "1", "Tb/s", "1e3",
            "B/s", "8e-9", "kB/s", "8e-6", "MB/s", "8e-3", "GB/s", "8", "TB/s", "8e3",
            "KiB/s", "8.192e-6", "MiB/s", "0.008388608", "GiB/s", "8.589934592", "TiB/s", "8796.093022208"));

    /** Power in watts. */
    static final Dimension POWER = new Dimension("a power such as 700W, 10kW or 2MW", null, units(
            "mW", "1e-3", "W", "1", "kW", "1e3", "MW", "1e6", "GW", "1e9"));

    /** Durations in nanoseconds; a bare number is seconds. */
    static final Dimension DURATION = new Dimension("a duration such as 30s, 500ms or 2us", "s", units(
            "ns", "1", "us", "1e3", "µs", "1e3", "ms", "1e6", "s", "1e9", "m", "6e10", "min", "6e10", "h", "3.6e12", "d", "8.64e13"));

    /** CPUs in thousandths of a core; a bare number is cores. */
    static final Dimension CPU = new Dimension("a CPU quantity such as 4, 2.5 or 500m", "", units("", "1000", "m", "1"));

    /** The longest duration any parser accepts: what a {@link Duration} holds in nanoseconds as a {@code long}. */
    public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    private Quantities() {
    }

    /**
     * Bytes: {@code 80GiB}, {@code 512MiB}, {@code 2TB}, {@code 16Gi}, {@code 1.5kB}; a bare number is
     * bytes. SI prefixes (k, M, G, T, P, E) are powers of 1000, IEC prefixes (Ki, Mi, Gi, Ti, Pi,
     * Ei) powers of 1024. A fraction of a byte is rounded to the nearest byte.
     *
     * @throws IllegalArgumentException for another unit, or more than {@link Long#MAX_VALUE} bytes
     */
    public static long bytes(String text) {
        return toLong(text, SIZE.parse(text), "bytes", RoundingMode.HALF_UP);
    }

    /**
     * A data rate in Gbit/s: {@code 400Gbps}, {@code 100Gbit/s}, {@code 25Gb/s}, {@code 1.6Tbps};
     * byte rates count 8 bits: {@code 50GB/s} is 400 Gbit/s, {@code 900MiB/s} about 7.5 Gbit/s.
     * A unit is required.
     */
    public static double gbps(String text) {
        return toDouble(text, RATE.parse(text));
    }

    /** Power in watts: {@code 500mW}, {@code 700W}, {@code 10kW}, {@code 2MW}. A unit is required. */
    public static double watts(String text) {
        return toDouble(text, POWER.parse(text));
    }

    /**
     * A duration: {@code 30s}, {@code 500ms}, {@code 2us} (or {@code 2µs}), {@code 10ns},
     * {@code 5m} (or {@code 5min}), {@code 1h}, {@code 7d}, {@code 1.5s}; a bare number is seconds.
     * Whole nanoseconds; at most {@link #MAX_DURATION} (about 292 years).
     *
     * @throws IllegalArgumentException for another unit, a fraction of a nanosecond, or a longer duration
     */
    public static Duration duration(String text) {
        BigDecimal nanos = DURATION.parse(text);
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(quoted(text) + " is not a whole number of nanoseconds; expected " + DURATION.expected);
        }
        if (nanos.compareTo(LONG_MAX) > 0) {
            throw new IllegalArgumentException(quoted(text) + " is longer than the longest duration, " + Long.MAX_VALUE
                    + "ns (about 292 years); expected " + DURATION.expected);
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** A latency in microseconds: {@code 2us}, {@code 8ms}, {@code 500ns}. A unit is required. */
    public static double micros(String text) {
        if (DURATION.bareNumber(text)) {
            throw new IllegalArgumentException(quoted(text) + " has no unit; expected a latency such as 2us or 8ms");
        }
        return duration(text).toNanos() / 1_000.0;
    }

    /** CPU in thousandths of a core: {@code 4} (cores), {@code 2.5}, {@code 500m}; a fraction of a milli-CPU is dropped. */
    public static long cpuMilli(String text) {
        return toLong(text, CPU.parse(text), "milli-CPUs", RoundingMode.DOWN);
    }

    private static long toLong(String text, BigDecimal value, String what, RoundingMode rounding) {
        BigDecimal whole = value.setScale(0, rounding);
        if (whole.compareTo(LONG_MAX) > 0) {
            throw new IllegalArgumentException(quoted(text) + " is more than " + Long.MAX_VALUE + " " + what + ", the largest quantity Strata holds");
        }
        return whole.longValueExact();
    }

    private static double toDouble(String text, BigDecimal value) {
        if (value.compareTo(DOUBLE_SAFE) > 0) {
            throw new IllegalArgumentException(quoted(text) + " is too large to be a quantity");
        }
        return value.doubleValue();
    }

    /**
     * The text in quotes as the model's other refusals show text from outside: a control or format
     * character, line or paragraph separator or lone surrogate as a backslash, u and four hex digits,
     * so that a value read from a file or typed at the shell forges no log line and drives no terminal.
     */
    private static String quoted(String text) {
        return "'" + Checks.printable(String.valueOf(text)) + "'";
    }

    private static Map<String, BigDecimal> units(String... pairs) {
        Map<String, BigDecimal> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], new BigDecimal(pairs[i + 1]));
        }
        return map;
    }

    /**
     * One kind of quantity: its units (exact factors to its base unit), the unit a bare number
     * means (null when a unit is required) and what to say when the text is not one.
     */
    static final class Dimension {
        final String expected;
        final String bareUnit;
        final Map<String, BigDecimal> units;

        Dimension(String expected, String bareUnit, Map<String, BigDecimal> units) {
            this.expected = expected;
            this.bareUnit = bareUnit;
            this.units = Collections.unmodifiableMap(new LinkedHashMap<>(units));
        }

        /** The value in this dimension's base unit, exactly. */
        BigDecimal parse(String text) {
            Matcher m = NUMBER_UNIT.matcher(text == null ? "" : text);
            if (!m.matches()) {
                throw new IllegalArgumentException(quoted(text) + " is not a number with a unit; expected " + expected);
            }
            String number = m.group(1);
            if (number.length() > MAX_DIGITS) {
                throw new IllegalArgumentException(quoted(text) + " has more than " + MAX_DIGITS + " digits; expected " + expected);
            }
            String unit = m.group(2);
            if (unit.isEmpty() && bareUnit == null) {
                throw new IllegalArgumentException(quoted(text) + " has no unit; expected " + expected);
            }
            BigDecimal factor = units.get(unit.isEmpty() ? bareUnit : unit);
            if (factor == null) {
                throw new IllegalArgumentException(quoted(text) + " has unit '" + unit + "'; expected " + expected
                        + " (units are case-sensitive: " + String.join(", ", units.keySet().stream().filter(u -> !u.isEmpty()).toList()) + ")");
            }
            return new BigDecimal(number).multiply(factor);
        }

        boolean bareNumber(String text) {
            Matcher m = NUMBER_UNIT.matcher(text == null ? "" : text);
            return m.matches() && m.group(2).isEmpty();
        }
    }
}
