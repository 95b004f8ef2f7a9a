package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigInteger;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Quantities}: units as SI and IEC write them, case-sensitive, exact, overflow-checked. */
class QuantitiesTest {

    // ---- sizes ---------------------------------------------------------------------------------

    @Test
    void sizesInSiAndIecUnits() {
        assertThat(Quantities.bytes("80GiB")).isEqualTo(80L << 30);
        assertThat(Quantities.bytes("2TB")).isEqualTo(2_000_000_000_000L);
        assertThat(Quantities.bytes("1.5kB")).isEqualTo(1500);
        assertThat(Quantities.bytes("16Gi")).isEqualTo(16L << 30);
        // every IEC unit has its short form, as EiB has (Kubernetes writes 1Ei)
        assertThat(Quantities.bytes("1Ei")).isEqualTo(Quantities.bytes("1EiB")).isEqualTo(1L << 60);
        assertThat(Quantities.bytes("512")).isEqualTo(512);
        assertThat(Quantities.bytes(" 64 MiB ")).isEqualTo(64L << 20);
        assertThat(Quantities.bytes("0B")).isZero();
    }

    @Test
    void sizeUnitsAreCaseSensitive() {
        assertThatThrownBy(() -> Quantities.bytes("80gib")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'80gib' has unit 'gib'; expected a size such as 80GiB, 512MiB or 2TB (units are case-sensitive: B, kB, MB");
        assertThatThrownBy(() -> Quantities.bytes("1KB")).hasMessageStartingWith("'1KB' has unit 'KB'");
        assertThatThrownBy(() -> Quantities.bytes("1Mb")).hasMessageStartingWith("'1Mb' has unit 'Mb'");
    }

    @Test
    void sizesAtTheirBounds() {
        assertThat(Quantities.bytes(Long.toString(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThat(Quantities.bytes("7EiB")).isEqualTo(7L << 60);
        assertThatThrownBy(() -> Quantities.bytes("9223372036854775808"))
                .hasMessage("'9223372036854775808' is more than 9223372036854775807 bytes, the largest quantity Strata holds");
        assertThatThrownBy(() -> Quantities.bytes("8EiB")).hasMessageContaining("is more than 9223372036854775807 bytes");
        assertThatThrownBy(() -> Quantities.bytes("9999999999PiB")).hasMessageContaining("is more than 9223372036854775807 bytes");
        assertThatThrownBy(() -> Quantities.bytes("1" + "0".repeat(40))).hasMessageContaining("has more than 40 digits");
    }

    // ---- rates ---------------------------------------------------------------------------------

    @Test
    void bitAndByteRatesAreDistinct() {
        assertThat(Quantities.gbps("400Gbps")).isEqualTo(400);
        assertThat(Quantities.gbps("100Gbit/s")).isEqualTo(100);
        assertThat(Quantities.gbps("25Gb/s")).isEqualTo(25);
        assertThat(Quantities.gbps("1.6Tbps")).isEqualTo(1600);
        assertThat(Quantities.gbps("800Mbps")).isEqualTo(0.8);
        // GB/s is gigabytes per second: 8 Gbit/s each
        assertThat(Quantities.gbps("50GB/s")).isEqualTo(400);
        assertThat(Quantities.gbps("900MiB/s")).isCloseTo(7.549747, within(1e-6));
    }

    @Test
    void rateUnitsAreCaseSensitiveAndRequired() {
        assertThatThrownBy(() -> Quantities.gbps("400gbps")).hasMessageStartingWith("'400gbps' has unit 'gbps'; expected a rate");
        assertThatThrownBy(() -> Quantities.gbps("400GBPS")).hasMessageStartingWith("'400GBPS' has unit 'GBPS'");
        assertThatThrownBy(() -> Quantities.gbps("400")).hasMessage("'400' has no unit; expected a rate such as 400Gbps, 100Gbit/s or 50GB/s");
    }

    // ---- power ---------------------------------------------------------------------------------

    @Test
    void milliwattsAreNotMegawatts() {
        assertThat(Quantities.watts("500mW")).isEqualTo(0.5);
        assertThat(Quantities.watts("2MW")).isEqualTo(2_000_000);
        assertThat(Quantities.watts("10.2kW")).isEqualTo(10_200);
        assertThat(Quantities.watts("700W")).isEqualTo(700);
        assertThatThrownBy(() -> Quantities.watts("10KW")).hasMessageStartingWith("'10KW' has unit 'KW'");
        assertThatThrownBy(() -> Quantities.watts("700w")).hasMessageStartingWith("'700w' has unit 'w'");
        assertThatThrownBy(() -> Quantities.watts("700")).hasMessageStartingWith("'700' has no unit");
    }

    // ---- durations -----------------------------------------------------------------------------

    @Test
    void durationsInEveryUnit() {
        assertThat(Quantities.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Quantities.duration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Quantities.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Quantities.duration("2us")).isEqualTo(Duration.ofNanos(2_000));
        assertThat(Quantities.duration("2µs")).isEqualTo(Duration.ofNanos(2_000));
        assertThat(Quantities.duration("10ns")).isEqualTo(Duration.ofNanos(10));
        assertThat(Quantities.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Quantities.duration("5min")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Quantities.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Quantities.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Quantities.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void durationsAtTheirBounds() {
        assertThat(Quantities.duration(Long.MAX_VALUE + "ns")).isEqualTo(Quantities.MAX_DURATION);
        assertThat(Quantities.duration("106751d")).isEqualTo(Duration.ofDays(106751));
        assertThatThrownBy(() -> Quantities.duration("9223372036854775808ns"))
                .hasMessageStartingWith("'9223372036854775808ns' is longer than the longest duration, 9223372036854775807ns (about 292 years)");
        assertThatThrownBy(() -> Quantities.duration("9999999999999999h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'9999999999999999h' is longer than the longest duration");
        assertThatThrownBy(() -> Quantities.duration("106752d")).hasMessageContaining("is longer than the longest duration");
        assertThatThrownBy(() -> Quantities.duration("0.5ns")).hasMessageStartingWith("'0.5ns' is not a whole number of nanoseconds");
        assertThatThrownBy(() -> Quantities.duration("-5s")).hasMessageStartingWith("'-5s' is not a number with a unit");
        assertThatThrownBy(() -> Quantities.duration("5S")).hasMessageStartingWith("'5S' has unit 'S'");
        assertThatThrownBy(() -> Quantities.duration("5MS")).hasMessageStartingWith("'5MS' has unit 'MS'");
    }

    @Test
    void latenciesNeedAUnit() {
        assertThat(Quantities.micros("2us")).isEqualTo(2);
        assertThat(Quantities.micros("9ms")).isEqualTo(9000);
        assertThat(Quantities.micros("500ns")).isEqualTo(0.5);
        assertThatThrownBy(() -> Quantities.micros("2")).hasMessage("'2' has no unit; expected a latency such as 2us or 8ms");
    }

    // ---- CPUs and malformed text ----------------------------------------------------------------

    @Test
    void cpus() {
        assertThat(Quantities.cpuMilli("4")).isEqualTo(4000);
        assertThat(Quantities.cpuMilli("2.5")).isEqualTo(2500);
        assertThat(Quantities.cpuMilli("500m")).isEqualTo(500);
        assertThatThrownBy(() -> Quantities.cpuMilli("500M")).hasMessageStartingWith("'500M' has unit 'M'; expected a CPU quantity");
        assertThatThrownBy(() -> Quantities.cpuMilli("99999999999999999")).hasMessageContaining("is more than 9223372036854775807 milli-CPUs");
    }

    @Test
    void textThatIsNoQuantity() {
        for (String text : new String[] {"", " ", "GiB", "1.GiB", ".5GiB", "1e3B", "1,5GiB", "80 parsecs", "0x10B"}) {
            assertThatThrownBy(() -> Quantities.bytes(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Quantities.bytes(null)).hasMessage("'null' is not a number with a unit; expected a size such as 80GiB, 512MiB or 2TB");
    }

    /**
     * A refusal shows the text with its control and format characters escaped, as the model's other
     * refusals do: a line break, terminal escape or direction override from a configuration file or
     * the shell forges no log line. Before, the text was shown as it was.
     */
    @Test
    void aRefusalShowsTheTextEscaped() {
        assertThatThrownBy(() -> Quantities.duration("30s\nINFO forged"))
                .hasMessage("'30s\\u000aINFO forged' is not a number with a unit; expected " + Quantities.DURATION.expected);
        assertThatThrownBy(() -> Quantities.bytes("\u001b[31m80GiB")).hasMessageStartingWith("'\\u001b[31m80GiB' is not a number with a unit");
        assertThatThrownBy(() -> Quantities.watts("700\u202eW")).hasMessageStartingWith("'700\\u202eW' is not a number with a unit");
        assertThatThrownBy(() -> Quantities.micros("\t2\r")).hasMessage("'\\u00092\\u000d' has no unit; expected a latency such as 2us or 8ms");
    }

    // ---- properties against an exact oracle ------------------------------------------------------

    /**
     * The units as SI and IEC define them, written here and not read from {@link Quantities}, so
     * that a wrong or missing factor in its table shows: SI prefixes are powers of 1000, IEC ones
     * powers of 1024; a minute is 60 s.
     */
    private static final java.util.Map<String, BigInteger> SIZE_FACTORS = new java.util.TreeMap<>();
    private static final java.util.Map<String, BigInteger> DURATION_FACTORS = new java.util.TreeMap<>();

    static {
        SIZE_FACTORS.put("B", BigInteger.ONE);
        String[] prefixes = {"k", "M", "G", "T", "P", "E"};
        for (int k = 0; k < prefixes.length; k++) {
            SIZE_FACTORS.put(prefixes[k] + "B", BigInteger.TEN.pow(3 * (k + 1)));
            String iec = prefixes[k].toUpperCase(java.util.Locale.ROOT) + "i";
            SIZE_FACTORS.put(iec + "B", BigInteger.TWO.pow(10 * (k + 1)));
            SIZE_FACTORS.put(iec, BigInteger.TWO.pow(10 * (k + 1)));
        }
        BigInteger second = BigInteger.TEN.pow(9);
        DURATION_FACTORS.put("ns", BigInteger.ONE);
        DURATION_FACTORS.put("us", BigInteger.TEN.pow(3));
        DURATION_FACTORS.put("\u00b5s", BigInteger.TEN.pow(3));
        DURATION_FACTORS.put("ms", BigInteger.TEN.pow(6));
        DURATION_FACTORS.put("s", second);
        DURATION_FACTORS.put("m", second.multiply(BigInteger.valueOf(60)));
        DURATION_FACTORS.put("min", second.multiply(BigInteger.valueOf(60)));
        DURATION_FACTORS.put("h", second.multiply(BigInteger.valueOf(3600)));
        DURATION_FACTORS.put("d", second.multiply(BigInteger.valueOf(86_400)));
    }

    @Test
    void theUnitsAreExactlyThoseOfSiAndIec() {
        assertThat(Quantities.SIZE.units.keySet()).containsExactlyInAnyOrderElementsOf(SIZE_FACTORS.keySet());
        assertThat(Quantities.DURATION.units.keySet()).containsExactlyInAnyOrderElementsOf(DURATION_FACTORS.keySet());
    }

    /**
     * Every number of every size unit (whole or with up to 12 decimals, blanks around it or not;
     * a bare number is bytes) parses to exactly n x factor rounded half up to a byte, or fails as
     * too large exactly when that passes Long.MAX_VALUE.
     */
    @Property(tries = 2000)
    void sizesAreExactOrRefusedAsTooLarge(@ForAll("sizeUnits") String unit, @ForAll("wholeNumbers") BigInteger n,
            @ForAll("decimals") String decimals, @ForAll("blanks") String blank) {
        java.math.BigDecimal exact = new java.math.BigDecimal(n + decimals).multiply(new java.math.BigDecimal(SIZE_FACTORS.get(unit)));
        BigInteger expected = exact.setScale(0, java.math.RoundingMode.HALF_UP).toBigIntegerExact();
        String text = blank + n + decimals + blank + (unit.equals("B") && blank.isEmpty() && n.testBit(0) ? "" : unit) + blank;
        if (expected.bitLength() < 64) {
            assertThat(Quantities.bytes(text)).as(text).isEqualTo(expected.longValueExact());
        } else {
            assertThatThrownBy(() -> Quantities.bytes(text)).as(text).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is more than");
        }
    }

    /**
     * The same for durations, whose factors are whole nanoseconds: a fraction of a nanosecond is
     * refused, and so is more than Long.MAX_VALUE nanoseconds; a bare number is seconds.
     */
    @Property(tries = 2000)
    void durationsAreExactOrRefusedAsTooLong(@ForAll("durationUnits") String unit, @ForAll("wholeNumbers") BigInteger n,
            @ForAll("decimals") String decimals, @ForAll("blanks") String blank) {
        java.math.BigDecimal exact = new java.math.BigDecimal(n + decimals).multiply(new java.math.BigDecimal(DURATION_FACTORS.get(unit)));
        String text = blank + n + decimals + blank + (unit.equals("s") && n.testBit(0) ? "" : unit) + blank;
        if (exact.stripTrailingZeros().scale() > 0) {
            assertThatThrownBy(() -> Quantities.duration(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a whole number of nanoseconds");
        } else if (exact.toBigIntegerExact().bitLength() < 64) {
            assertThat(Quantities.duration(text)).as(text).isEqualTo(Duration.ofNanos(exact.longValueExact()));
        } else {
            assertThatThrownBy(() -> Quantities.duration(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is longer than the longest duration");
        }
    }

    /** No decimals mostly; else up to 12 digits, with zeros at either end now and then ({@code .0}, {@code .5}, {@code .000000001}). */
    @Provide
    Arbitrary<String> decimals() {
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just(""), Arbitraries.of(".0", ".5", ".25", ".000000001", ".999999999999", ".1"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12).map(d -> "." + d));
    }

    @Provide
    Arbitrary<String> blanks() {
        return Arbitraries.of("", "", "", " ", "\t");
    }

    /** A unit in another case than its own is refused, never read as another unit. */
    @Property(tries = 500)
    void aUnitInTheWrongCaseIsRefused(@ForAll("allUnits") String unit) {
        for (String variant : new String[] {unit.toLowerCase(java.util.Locale.ROOT), unit.toUpperCase(java.util.Locale.ROOT)}) {
            if (variant.equals(unit) || Quantities.SIZE.units.containsKey(variant) || Quantities.RATE.units.containsKey(variant)
                    || Quantities.POWER.units.containsKey(variant) || Quantities.DURATION.units.containsKey(variant)) {
                continue; // the variant is a unit of its own (e.g. "m", "MW"): not a case error
            }
            String text = "1" + variant;
            assertThatThrownBy(() -> Quantities.bytes(text)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Quantities.gbps(text)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Quantities.watts(text)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Quantities.duration(text)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Provide
    Arbitrary<String> sizeUnits() {
        return Arbitraries.of(SIZE_FACTORS.keySet());
    }

    @Provide
    Arbitrary<String> durationUnits() {
        return Arbitraries.of(DURATION_FACTORS.keySet());
    }

    @Provide
    Arbitrary<String> allUnits() {
        java.util.Set<String> all = new java.util.TreeSet<>();
        all.addAll(Quantities.SIZE.units.keySet());
        all.addAll(Quantities.RATE.units.keySet());
        all.addAll(Quantities.POWER.units.keySet());
        all.addAll(Quantities.DURATION.units.keySet());
        all.remove("");
        return Arbitraries.of(all);
    }

    /** 0 to 10^25, with the edges near Long.MAX_VALUE and its divisions by common factors often. */
    @Provide
    Arbitrary<BigInteger> wholeNumbers() {
        BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(25)),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1_000_000)),
                Arbitraries.of(1024L, 1000L, 1_000_000_000L, 3_600_000_000_000L, 86_400_000_000_000L, 1L << 30, 1L << 50, 1L << 60)
                        .flatMap(f -> Arbitraries.longs().between(-2, 2).map(d -> max.divide(BigInteger.valueOf(f)).add(BigInteger.valueOf(d)))),
                Arbitraries.longs().between(-3, 3).map(d -> max.add(BigInteger.valueOf(d))));
    }
}
