package dev.strata.platform.audit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The JSON Canonicalization Scheme of RFC 8785: objects with their members sorted by the UTF-16
 * code units of their names, no whitespace, strings escaped as ECMAScript's
 * {@code JSON.stringify} does, numbers serialised as ECMAScript's {@code Number.prototype.toString}
 * (the shortest decimal that reads back as the same IEEE 754 double).
 *
 * <p>Input is a tree of plain Java values: {@code Map} with {@code String} keys, {@code List}
 * (or any {@code Collection}), {@code String}, {@code Boolean}, null, and numbers: {@code Double},
 * {@code Float}, {@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code BigDecimal},
 * {@code BigInteger} ({@code AtomicLong}, {@code AtomicInteger}, {@code LongAdder} and
 * {@code LongAccumulator} as integers too). Integers must be exactly representable as a double (|n| &lt;= 2^53): I-JSON
 * would lose precision silently otherwise, so such a number is refused (pass it as a string).
 * A {@code BigDecimal} is written as its nearest double; a whole number beyond 2^53 that no double
 * holds exactly ({@code 9007199254740993}), one with more than 17 digits that no
 * double holds exactly and that is not written as given, or one below the doubles' normal range that its nearest double does not
 * hold to a double's usual precision ({@code 1e-400}, which would be written {@code 0}), is
 * refused likewise.
 * NaN, infinities and lone surrogates are refused as RFC 8785 requires. Thread-safe.
 */
public final class Jcs {

    private static final long MAX_EXACT = 1L << 53;

    private Jcs() {
    }

    /** The canonical form as text. */
    public static String canonicalize(Object value) {
        StringBuilder sb = new StringBuilder(256);
        try {
            write(sb, value);
        } catch (Refused e) {
            throw new IllegalArgumentException("$" + e.path + ": " + e.getMessage());
        }
        return sb.toString();
    }

    /** A value without JSON form; the path is built on the way out, so that the common case builds none. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private String path = "";

        Refused(String message) {
            super(message, null, false, false);
        }

        Refused at(String step) {
            path = step + path;
            return this;
        }
    }

    /** The canonical form as UTF-8 bytes, what is hashed and signed. */
    public static byte[] canonicalBytes(Object value) {
        return canonicalize(value).getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            string(sb, s);
        } else if (value instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (value instanceof Map<?, ?> map) {
            object(sb, map);
        } else if (value instanceof Collection<?> list) {
            sb.append('[');
            int i = 0;
            for (Object item : list) {
                if (i > 0) {
                    sb.append(',');
                }
                try {
                    write(sb, item);
                } catch (Refused e) {
                    throw e.at("[" + i + "]");
                }
                i++;
            }
            sb.append(']');
        } else if (value instanceof Number n) {
            sb.append(number(n));
        } else {
            throw new Refused("a " + value.getClass().getName() + " has no JSON form; expected a map, list, "
                    + "string, number, boolean or null");
        }
    }

    private static void object(StringBuilder sb, Map<?, ?> map) {
        List<String> names = new ArrayList<>(map.size());
        for (Object key : map.keySet()) {
            if (!(key instanceof String s)) {
                throw new Refused("member name " + key + " is not a string");
            }
            names.add(s);
        }
        // String.compareTo compares UTF-16 code units, which is the order RFC 8785 prescribes
        names.sort(null);
        sb.append('{');
        boolean first = true;
        for (String name : names) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, name);
            sb.append(':');
            try {
                write(sb, map.get(name));
            } catch (Refused e) {
                throw e.at("." + name);
            }
        }
        sb.append('}');
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        int plain = 0;
        int len = s.length();
        while (plain < len) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\' || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
                break;
            }
            plain++;
        }
        sb.append(s, 0, plain);
        for (int i = plain; i < len; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else if (Character.isSurrogate(c)) {
                        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            throw new Refused("a string holds a lone surrogate (U+"
                                    + Integer.toHexString(c).toUpperCase() + "), which I-JSON forbids");
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** 2^-52: the most a decimal loses, relatively, in the nearest normal double. */
    private static final BigDecimal DOUBLE_EPSILON = new BigDecimal(Math.ulp(1.0));

    private static final BigDecimal MAX_EXACT_DECIMAL = BigDecimal.valueOf(MAX_EXACT);

    private static String number(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte || n instanceof java.util.concurrent.atomic.AtomicLong
                || n instanceof java.util.concurrent.atomic.AtomicInteger || n instanceof java.util.concurrent.atomic.LongAdder
                || n instanceof java.util.concurrent.atomic.LongAccumulator) {
            // read once: an atomic or an adder may change between two reads
            long v = n.longValue();
            if (v > MAX_EXACT || v < -MAX_EXACT) {
                throw new Refused("the integer " + v + " is outside I-JSON's exact range of +-2^53; "
                        + "pass it as a string");
            }
            return Long.toString(v);
        }
        if (n instanceof BigInteger b) {
            // bitLength leaves the sign out and counts 2^53 as 54 bits: compare the magnitude, as for a long
            if (b.abs().compareTo(BigInteger.valueOf(MAX_EXACT)) > 0) {
                throw new Refused("the integer " + b + " is outside I-JSON's exact range of +-2^53; "
                        + "pass it as a string");
            }
            return b.toString();
        }
        double d = n.doubleValue();
        if (n instanceof BigDecimal && Double.isInfinite(d)) {
            throw new Refused("the number " + n + " is beyond the largest IEEE 754 double; pass it as a string");
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new Refused(n + " has no JSON form (RFC 8785 refuses NaN and infinities)");
        }
        if (n instanceof BigDecimal bd && bd.signum() != 0) {
            BigDecimal exact = new BigDecimal(d);
            if (bd.stripTrailingZeros().scale() <= 0 && bd.abs().compareTo(MAX_EXACT_DECIMAL) > 0 && new BigDecimal(es6(d)).compareTo(bd) != 0) {
                // a whole number beyond 2^53 that no double holds: 9007199254740993 would be written 9007199254740992, another
                // value than the caller's, as a Long or a BigInteger would be; so it is refused as they are
                throw new Refused("the integer " + bd.toPlainString() + " is outside I-JSON's exact range of +-2^53 (it would be written "
                        + es6(d) + "); pass it as a string");
            }
            String written = es6(d);
            // more than 17 digits that are written otherwise; not the zeros ECMAScript writes after a double's shortest digits below
            // 1e21 (300000000000000060 for 3.0000000000000006e17), which a line read back holds exactly as its double is written
            boolean writtenAsGiven = new BigDecimal(written).compareTo(bd) == 0;
            if (exact.compareTo(bd) != 0 && bd.precision() > 17 && !writtenAsGiven) {
                throw new Refused("the number " + bd + " has no exact IEEE 754 double form; pass it as a string");
            }
            // below the normal range a double holds fewer digits, down to none: 1e-400 would be written 0, a value changed
            // where no signature could tell, so a number the double does not hold to its usual precision is refused
            if (!writtenAsGiven && exact.subtract(bd).abs().compareTo(bd.abs().multiply(DOUBLE_EPSILON)) > 0) {
                throw new Refused("the number " + bd + " is below what an IEEE 754 double holds (it would be written "
                        + written + "); pass it as a string");
            }
        }
        return es6(d);
    }

    /**
     * ECMAScript's {@code Number.prototype.toString(10)} of a finite double: the shortest decimal
     * that reads back as {@code d} (the nearest such when several exist), in plain notation
     * between 1e-7 and 1e21, in exponent notation outside.
     *
     * @throws IllegalArgumentException for NaN and infinities
     */
    public static String es6(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(d + " has no JSON form");
        }
        if (d == 0) {
            return "0"; // -0 too
        }
        if (d < 0) {
            return "-" + es6(-d);
        }
        if (d < 9.007199254740992E15 && d == Math.rint(d)) {
            return Long.toString((long) d);
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = null;
        for (int p = 1; p <= 17 && shortest == null; p++) {
            MathContext nearest = new MathContext(p, RoundingMode.HALF_EVEN);
            BigDecimal best = null;
            for (BigDecimal candidate : new BigDecimal[] {exact.round(nearest), exact.round(new MathContext(p, RoundingMode.FLOOR)),
                    exact.round(new MathContext(p, RoundingMode.CEILING))}) {
                if (candidate.doubleValue() != d) {
                    continue;
                }
                if (best == null) {
                    best = candidate;
                    continue;
                }
                int cmp = candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs());
                if (cmp < 0 || (cmp == 0 && candidate.unscaledValue().testBit(0) == false && best.unscaledValue().testBit(0))) {
                    best = candidate;
                }
            }
            shortest = best;
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // value = 0.digits * 10^n
        StringBuilder sb = new StringBuilder(26);
        if (k <= n && n <= 21) {
            sb.append(digits);
            for (int i = 0; i < n - k; i++) {
                sb.append('0');
            }
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.");
            for (int i = 0; i < -n; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else {
            int e = n - 1;
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return sb.toString();
    }
}
