package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** RFC 8785 canonicalisation, checked against the RFC's own examples and by properties. */
class JcsTest {

    /** RFC 8785 section 3.2.4: the example of the whole transformation. */
    @Test
    void rfcExampleOfTheWholeTransformation() {
        String input = """
                {
                  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
                  "literals": [null, true, false]
                }""";
        assertThat(Jcs.canonicalize(Json.parse(input)))
                .isEqualTo("{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                        + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    /** RFC 8785 section 3.2.3: sorting of object properties by UTF-16 code units. */
    @Test
    void rfcSortingExample() {
        String input = """
                {
                  "\\u20ac": "Euro Sign",
                  "\\r": "Carriage Return",
                  "\\ufb33": "Hebrew Letter Dalet With Dagesh",
                  "1": "One",
                  "\\ud83d\\ude00": "Emoji: Grinning Face",
                  "\\u0080": "Control",
                  "\\u00f6": "Latin Small Letter O With Diaeresis"
                }""";
        assertThat(Jcs.canonicalize(Json.parse(input))).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    /** RFC 8785 appendix B: number serialisation samples (IEEE 754 bits to text). */
    @Test
    void rfcAppendixBNumbers() {
        String[][] samples = {
            {"0000000000000000", "0"}, {"8000000000000000", "0"}, {"0000000000000001", "5e-324"}, {"8000000000000001", "-5e-324"},
            {"7fefffffffffffff", "1.7976931348623157e+308"}, {"ffefffffffffffff", "-1.7976931348623157e+308"},
            {"4340000000000000", "9007199254740992"}, {"c340000000000000", "-9007199254740992"},
            {"4430000000000000", "295147905179352830000"}, {"44b52d02c7e14af5", "9.999999999999997e+22"},
            {"44b52d02c7e14af6", "1e+23"}, {"44b52d02c7e14af7", "1.0000000000000001e+23"},
            {"444b1ae4d6e2ef4e", "999999999999999700000"}, {"444b1ae4d6e2ef4f", "999999999999999900000"},
            {"444b1ae4d6e2ef50", "1e+21"}, {"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"}, {"3eb0c6f7a0b5ed8d", "0.000001"},
            {"41b3de4355555553", "333333333.3333332"}, {"41b3de4355555554", "333333333.33333325"},
            {"41b3de4355555555", "333333333.3333333"}, {"41b3de4355555556", "333333333.3333334"},
            {"41b3de4355555557", "333333333.33333343"}, {"becbf647612f3696", "-0.0000033333333333333333"},
            {"43143ff3c1cb0959", "1424953923781206.2"},
        };
        for (String[] s : samples) {
            double d = Double.longBitsToDouble(Long.parseUnsignedLong(s[0], 16));
            assertThat(Jcs.canonicalize(d)).as(s[0]).isEqualTo(s[1]);
        }
        // appendix B: NaN and Infinity are errors
        for (String bits : new String[] {"7fffffffffffffff", "7ff0000000000000"}) {
            double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
            assertThatThrownBy(() -> Jcs.canonicalize(d)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The JSON test data that accompanies the RFC's reference implementation ("weird" names, values). */
    @Test
    void referenceTestData() {
        assertThat(Jcs.canonicalize(Json.parse("{\"\\u20ac\": \"Euro Sign\", \"1\": \"One\", \"\\u0080\": \"Control\\u007f\", "
                + "\"\\ud83d\\ude02\": \"Smiley\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\", "
                + "\"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"</script>\": \"Browser Challenge\"}")))
                .isEqualTo("{\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u0080\":\"Control\u007f\","
                        + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude02\":\"Smiley\","
                        + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @Test
    void refusesWhatIJsonForbids() {
        assertThatThrownBy(() -> Jcs.canonicalize(Map.of("n", (1L << 53) + 1))).hasMessageContaining("$.n")
                .hasMessageContaining("pass it as a string");
        assertThatThrownBy(() -> Jcs.canonicalize("a\ud800b")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate member name 'a'");
        assertThatThrownBy(() -> Json.parse("\"\\udc00\"")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> Json.parse("[1,]")).hasMessageContaining("offset 3");
        // RFC 8259's HEXDIG is ASCII: not fullwidth digits (U+FF10..) nor Arabic-Indic ones (U+0660..), which Character.digit reads
        assertThatThrownBy(() -> Json.parse("\"\\u\uff10\uff10\uff14\uff11\"")).hasMessageContaining("four hex digits after \\u");
        assertThatThrownBy(() -> Json.parse("\"\\u\u0660\u0660\u0664\u0661\"")).hasMessageContaining("four hex digits after \\u");
        assertThat(Json.parse("\"\\u004a\\u004B\"")).isEqualTo("JK");
        assertThatThrownBy(() -> Json.parse("1e400")).hasMessageContaining("double precision range");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("end of the document");
        assertThatThrownBy(() -> Json.parse("01")).hasMessageContaining("end of the document");
        assertThat(Jcs.canonicalize(Map.of("big", new BigDecimal("0.1")))).isEqualTo("{\"big\":0.1}");
        // a decimal below the double's range is not written as 0 (or as a subnormal that lost its digits): the log would hold another value
        assertThatThrownBy(() -> Jcs.canonicalize(Map.of("tiny", new BigDecimal("1e-400")))).hasMessageContaining("$.tiny")
                .hasMessageContaining("below what an IEEE 754 double holds").hasMessageContaining("written 0");
        assertThatThrownBy(() -> Jcs.canonicalize(new BigDecimal("-3.7123456e-322"))).hasMessageContaining("below what an IEEE 754 double holds");
        assertThat(Jcs.canonicalize(List.of(new BigDecimal("0"), new BigDecimal("0.000"), new BigDecimal("5e-324"), new BigDecimal("-3.7e-322"),
                new BigDecimal("2.2250738585072014e-308"), new BigDecimal("0.30000000000000001")))).isEqualTo("[0,0,5e-324,-3.7e-322,2.2250738585072014e-308,0.3]");
        assertThat(Jcs.canonicalize(List.of(1L << 53, -(1L << 53), 7, (short) 3))).isEqualTo("[9007199254740992,-9007199254740992,7,3]");
        // the same range whatever the integer's type
        java.math.BigInteger limit = java.math.BigInteger.ONE.shiftLeft(53);
        assertThat(Jcs.canonicalize(List.of(limit, limit.negate()))).isEqualTo("[9007199254740992,-9007199254740992]");
        assertThatThrownBy(() -> Jcs.canonicalize(limit.add(java.math.BigInteger.ONE))).hasMessageContaining("outside I-JSON's exact range");
        assertThatThrownBy(() -> Jcs.canonicalize(limit.negate().subtract(java.math.BigInteger.ONE))).hasMessageContaining("outside I-JSON's exact range");
    }

    /**
     * The JDK's other integer types (AtomicLong, AtomicInteger, LongAdder, LongAccumulator) are held
     * to the same exact range as a Long: beyond 2^53 one was written as its nearest double,
     * 9007199254740993 as 9007199254740992, another value than the caller's, where no signature
     * could tell.
     */
    @Test
    void integersOfTheJdksOtherTypesAreHeldToTheExactRange() {
        long beyond = (1L << 53) + 1;
        java.util.concurrent.atomic.LongAdder adder = new java.util.concurrent.atomic.LongAdder();
        adder.add(beyond);
        java.util.concurrent.atomic.LongAccumulator max = new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
        max.accumulate(-beyond);
        max.accumulate(beyond);
        for (Number n : List.<Number>of(new java.util.concurrent.atomic.AtomicLong(beyond), new java.util.concurrent.atomic.AtomicLong(-beyond),
                adder, max)) {
            assertThatThrownBy(() -> Jcs.canonicalize(Map.of("n", n))).as(n.getClass().getSimpleName()).hasMessageContaining("$.n")
                    .hasMessageContaining("the integer " + n + " is outside I-JSON's exact range of +-2^53; pass it as a string");
        }
        assertThat(Jcs.canonicalize(List.of(new java.util.concurrent.atomic.AtomicLong(1L << 53), new java.util.concurrent.atomic.AtomicInteger(-7))))
                .isEqualTo("[9007199254740992,-7]");
    }

    /**
     * A BigDecimal holding a whole number beyond 2^53 that no double holds is refused as a Long or
     * a BigInteger is: it was written as its nearest double, 9007199254740993 as 9007199254740992,
     * and hashed so. One whose written form is the same number (2^53 + 2, 1e30) is written.
     */
    @Test
    void aWholeDecimalBeyondTwoToThe53ThatNoDoubleHoldsIsRefused() {
        for (String n : List.of("9007199254740993", "-9007199254740993", "18014398509481985", "9007199254740993.000")) {
            assertThatThrownBy(() -> Jcs.canonicalize(Map.of("n", new BigDecimal(n)))).as(n).hasMessageContaining("$.n: the integer "
                    + new BigDecimal(n).toPlainString() + " is outside I-JSON's exact range of +-2^53 (it would be written");
        }
        assertThat(Jcs.canonicalize(List.of(new BigDecimal("9007199254740994"), new BigDecimal("1e30"), new BigDecimal("9007199254740993.5"))))
                .isEqualTo("[9007199254740994,1e+30,9007199254740994]");
    }

    /** Every finite double is written as a decimal that reads back as the same double, no longer than Java's own. */
    @Property(tries = 3000)
    void numbersReadBackExactly(@ForAll("doubles") double d) {
        String text = Jcs.es6(d);
        assertThat(Double.parseDouble(text)).isEqualTo(d == 0 ? 0.0 : d);
        String javaDigits = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros().unscaledValue().toString();
        String ourDigits = text.replaceFirst("^-", "").replaceFirst("e.*$", "").replace(".", "").replaceFirst("^0+", "").replaceFirst("0+$", "");
        assertThat(ourDigits.length()).isLessThanOrEqualTo(Math.max(1, javaDigits.replaceFirst("0+$", "").length()));
        // ECMAScript's notation: plain between 1e-7 and 1e21, exponent outside
        double abs = Math.abs(d);
        assertThat(text.contains("e")).isEqualTo(abs != 0 && (abs >= 1e21 || abs < 1e-6));
    }

    @Provide
    Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !d.isNaN() && !d.isInfinite()),
                Arbitraries.doubles(), Arbitraries.integers().map(i -> i / 1000.0), Arbitraries.of(0.1, 0.2, 0.3, 1e21, 1e-7, 1e-6, 5e-324));
    }

    /**
     * A decimal is written as a number within a double's precision of it (two units in the last place), or exactly as
     * given, or refused: never as another value (a tiny one as 0), whatever its digits and exponent.
     */
    @Property(tries = 3000)
    void decimalsAreWrittenFaithfullyOrRefused(@ForAll("decimals") BigDecimal bd) {
        String text;
        try {
            text = Jcs.canonicalize(bd);
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageContaining("pass it as a string");
            // refused only beyond the doubles, or where the nearest double is not exact and more than 17 digits were given, or
            // the double lost precision
            if (Double.isInfinite(bd.doubleValue())) {
                assertThat(refused).hasMessageContaining("beyond the largest IEEE 754 double");
                return;
            }
            BigDecimal exact = new BigDecimal(bd.doubleValue());
            boolean lossy = exact.subtract(bd).abs().compareTo(bd.abs().multiply(new BigDecimal(Math.ulp(1.0)))) > 0;
            assertThat(lossy || bd.precision() > 17).as("%s refused", bd).isTrue();
            return;
        }
        BigDecimal written = new BigDecimal(text);
        BigDecimal error = written.subtract(bd).abs();
        // the nearest double is within half a unit in the last place, and the shortest decimal that reads back as it as well
        assertThat(written.compareTo(bd) == 0 || error.compareTo(bd.abs().multiply(new BigDecimal(2 * Math.ulp(1.0)))) <= 0)
                .as("%s written as %s", bd, text).isTrue();
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigDecimal> wide = net.jqwik.api.Combinators.combine(Arbitraries.longs().between(-999_999_999_999L, 999_999_999_999L),
                Arbitraries.integers().between(-350, 420)).as((unscaled, scale) -> BigDecimal.valueOf(unscaled, scale));
        Arbitrary<BigDecimal> subnormal = net.jqwik.api.Combinators.combine(Arbitraries.longs().between(1, 99_999),
                Arbitraries.integers().between(310, 330)).as((unscaled, scale) -> BigDecimal.valueOf(unscaled, scale));
        return Arbitraries.oneOf(wide, subnormal, Arbitraries.of(new BigDecimal("1e-400"), new BigDecimal("5e-324"), new BigDecimal("2.5e-324")));
    }

    /** Canonicalising the parse of a canonical form gives it back: what Strata stores it re-reads identically. */
    @Property(tries = 1000)
    void canonicalFormIsAFixedPoint(@ForAll("trees") Object tree) {
        String once = Jcs.canonicalize(tree);
        assertThat(Jcs.canonicalize(Json.parse(once))).isEqualTo(once);
    }

    @Provide
    Arbitrary<Object> trees() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.strings().all().filter(JcsTest::noLoneSurrogate).map(s -> (Object) s),
                Arbitraries.longs().between(-(1L << 53), 1L << 53).map(l -> (Object) l), doubles().map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null));
        return Arbitraries.lazyOf(() -> leaf, () -> list(leaf), () -> map(leaf), () -> map(Arbitraries.lazyOf(() -> leaf, () -> list(leaf))));
    }

    private static Arbitrary<Object> list(Arbitrary<Object> items) {
        return items.list().ofMaxSize(5).map(l -> (Object) new ArrayList<>(l));
    }

    private static Arbitrary<Object> map(Arbitrary<Object> values) {
        return Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(6).filter(JcsTest::noLoneSurrogate), values).ofMaxSize(5)
                .map(m -> (Object) new LinkedHashMap<>(m));
    }

    private static boolean noLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @org.junit.jupiter.api.Test
    void sealingFromCanonicalFormsGivesTheSameHash() {
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            java.util.Map<String, String> subjects = new java.util.TreeMap<>(java.util.Map.of("allocation", "a-" + i, "tenant", "t\u00e9" + i));
            java.util.Map<String, Object> payload = new java.util.LinkedHashMap<>();
            payload.put("z", random.nextDouble());
            payload.put("a", java.util.List.of(random.nextInt(), "x\"y\n", java.util.Map.of("k", i)));
            payload.put("n", null);
            LogRecord plain = LogRecord.seal(i + 1, "2026-12-01T10:00:00.000Z", "placement", "al\u00efce", subjects, payload, "p" + i);
            LogRecord fast = LogRecord.seal(i + 1, "2026-12-01T10:00:00.000Z", "placement", "al\u00efce", subjects, Jcs.canonicalize(subjects),
                    payload, Jcs.canonicalize(payload), "p" + i);
            org.assertj.core.api.Assertions.assertThat(fast.hash()).isEqualTo(plain.hash()).isEqualTo(plain.computeHash());
        }
    }
}
