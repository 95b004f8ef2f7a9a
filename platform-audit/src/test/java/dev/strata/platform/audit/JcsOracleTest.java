package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.erdtman.jcs.JsonCanonicalizer;
import org.erdtman.jcs.NumberToJSON;

/**
 * {@link Jcs} (over {@link Json}) against the RFC 8785 reference implementation
 * ({@code io.github.erdtman:java-json-canonicalization}), an independent oracle: the same JSON text
 * must give the same canonical form. The texts are written deliberately non-canonically (random
 * member order, whitespace, escapes where none are needed, numbers in other notations), so that
 * both sides do the whole transformation; the names and strings mix what RFC 8785's UTF-16 order
 * makes awkward: characters above U+FFFF (surrogate pairs, which sort before U+E000..U+FFFF),
 * control characters, U+2028, U+007F.
 */
class JcsOracleTest {

    @Property(tries = 2000, shrinking = ShrinkingMode.OFF)
    void sameCanonicalFormAsTheReferenceImplementation(@ForAll("documents") String text) throws Exception {
        String reference = new JsonCanonicalizer(text).getEncodedString();
        assertThat(Jcs.canonicalize(Json.parse(text))).as(text).isEqualTo(reference);
    }

    @Property(tries = 5000)
    void sameNumberSerialisationAsTheReferenceImplementation(@ForAll("doubles") double d) throws Exception {
        assertThat(Jcs.es6(d)).as("bits %016x", Double.doubleToRawLongBits(d)).isEqualTo(NumberToJSON.serializeNumber(d));
    }

    @Provide
    Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !d.isNaN() && !d.isInfinite()),
                Arbitraries.doubles(), Arbitraries.integers().map(i -> i / 1000.0),
                Arbitraries.longs().between(-(1L << 60), 1L << 60).map(l -> (double) l),
                Arbitraries.integers().between(-330, 310).map(e -> Double.parseDouble("1e" + e)),
                Arbitraries.of(-0.0, 0.1 + 0.2, 1e21, 1e-7, 1e-6, 5e-324, Double.MIN_NORMAL, Double.MAX_VALUE, 9007199254740993.0,
                        999999999999999900000.0, 1e23, 4.35, 0.000001, 123456789012345680000.0))
                .filter(JcsOracleTest::normal);
    }

    @Provide
    Arbitrary<String> documents() {
        // the reference implementation reads an object or an array at the top, as the RFC's examples are
        return Arbitraries.randoms().map(r -> r.nextBoolean() ? object(r, 3) : array(r, 3));
    }

    private static String value(Random r, int depth) {
        int pick = r.nextInt(depth == 0 ? 3 : 6);
        return switch (pick) {
            case 0 -> number(r);
            case 1 -> quote(string(r), r.nextBoolean());
            case 2 -> List.of("true", "false", "null").get(r.nextInt(3));
            case 3 -> array(r, depth - 1);
            default -> object(r, depth - 1);
        };
    }

    private static String array(Random r, int depth) {
        String ws = whitespace(r);
        List<String> items = new ArrayList<>();
        for (int i = r.nextInt(6); i > 0; i--) {
            items.add(value(r, depth));
        }
        return "[" + ws + String.join(ws + "," + ws, items) + ws + "]";
    }

    private static String object(Random r, int depth) {
        String ws = whitespace(r);
        Map<String, String> members = new HashMap<>(); // a HashMap's order: not sorted
        for (int i = r.nextInt(7); i > 0; i--) {
            members.put(name(r), value(r, depth));
        }
        StringBuilder sb = new StringBuilder("{").append(ws);
        boolean first = true;
        for (Map.Entry<String, String> e : members.entrySet()) {
            sb.append(first ? "" : "," + ws).append(quote(e.getKey(), r.nextBoolean())).append(ws).append(':').append(ws).append(e.getValue());
            first = false;
        }
        return sb.append(ws).append('}').toString();
    }

    private static String whitespace(Random r) {
        return List.of("", "", " ", "\n  ", "\t", "\r\n").get(r.nextInt(6));
    }

    /** Characters that make UTF-16 order differ from code point order, and the ones JSON escapes or that look alike. */
    private static final int[] AWKWARD = {0x61, 0x62, 0x7a, 0x31, 0x00, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x22, 0x2f, 0x5c, 0x7f, 0x80, 0xf6,
        0x2028, 0x2029, 0x20ac, 0xd7ff, 0xe000, 0xfb33, 0xfeff, 0xff61, 0xffff, 0x10000, 0x1f600, 0x1f602, 0x10ffff};

    /** Names from a small alphabet, so that objects have names sharing prefixes and their order is decided late. */
    private static String name(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(5); i > 0; i--) {
            sb.appendCodePoint(AWKWARD[r.nextInt(AWKWARD.length)]);
        }
        return sb.toString();
    }

    private static String string(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(13); i > 0; i--) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0x80);
                case 1 -> r.nextInt(0xd800);
                case 2 -> 0xe000 + r.nextInt(0x110000 - 0xe000);
                default -> AWKWARD[r.nextInt(AWKWARD.length)];
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** A JSON string literal; with {@code escapeAll} every character outside printable ASCII as {@code \\uXXXX} (pairs as two). */
    private static String quote(String s, boolean escapeAll) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || (escapeAll && (c > 0x7e || c == '/'))) {
                sb.append(String.format(i % 2 == 0 ? "\\u%04x" : "\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static final String[] NUMBERS = {"-0", "0", "-0.0", "0e10", "1e21", "1E21", "1e+21", "1e-7", "1e-6", "10e-8", "5e-324",
        "9007199254740993", "9007199254740992", "18014398509481985", "0.30000000000000004", "123456789012345678901234567890",
        "1.7976931348623157e308", "333333333.33333329", "1E30", "4.50", "2e-3", "0.000000000000000000000000001", "-1e-7", "100", "1e2",
        "1.5e+1", "0.1", "999999999999999999999", "1e-5", "0.0000001", "1e20", "100000000000000000000", "-1.5E-10"};

    /** A number in one of JSON's notations for it: plain, exponent (e, E, signed), trailing zeros, many digits. */
    private static String number(Random r) {
        if (r.nextInt(3) == 0) {
            return NUMBERS[r.nextInt(NUMBERS.length)];
        }
        double d = switch (r.nextInt(4)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> r.nextInt() / 1000.0;
            case 2 -> (double) (r.nextLong() >> r.nextInt(64));
            default -> Double.parseDouble("1e" + (r.nextInt(600) - 300)) * (r.nextBoolean() ? 1 : -3);
        };
        if (!normal(d)) {
            d = 0.5;
        }
        BigDecimal exact = new BigDecimal(d);
        return switch (r.nextInt(5)) {
            case 0 -> Double.toString(d);
            case 1 -> exact.toString();
            case 2 -> exact.toPlainString() + (exact.scale() <= 0 ? ".000" : "");
            case 3 -> String.format("%.17e", d);
            default -> String.format("%.3E", d);
        };
    }

    /**
     * Zero or a normal finite double. The reference implementation (1.1) writes subnormals wrongly
     * ({@code 1e-320} as {@code 0.000...0001e-178}); ours are checked by {@link JcsTest} instead:
     * they read back exactly, and RFC 8785's own samples ({@code 5e-324}).
     */
    private static boolean normal(double d) {
        return d == 0 || (Double.isFinite(d) && Math.abs(d) >= Double.MIN_NORMAL);
    }
}
