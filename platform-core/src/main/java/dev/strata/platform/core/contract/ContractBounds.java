package dev.strata.platform.core.contract;

import dev.strata.platform.api.model.Quantities;
import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bounds of every number a contract may hold, and the parsing of its quantities against
 * them. The bounds are far above any real machine and far below where the placement arithmetic
 * (milli-CPU, MiB, milliwatts in {@code long}, summed over a gang of {@link #MAX_MEMBERS}) could
 * overflow. A quantity must carry its unit (a CPU count is the one bare number).
 *
 * <table>
 * <caption>Bounds</caption>
 * <tr><th>field</th><th>bound</th></tr>
 * <tr><td>members, replicas counted</td><td>1 to 1,024</td></tr>
 * <tr><td>priority</td><td>0 to 1,000,000</td></tr>
 * <tr><td>cpu</td><td>0 to 65,536 CPUs, in steps of 1m</td></tr>
 * <tr><td>memory, gpus.memory</td><td>0 to 1 PiB, in whole bytes</td></tr>
 * <tr><td>gpus.count</td><td>0 to 64</td></tr>
 * <tr><td>gpus.fraction</td><td>0.001 to 1</td></tr>
 * <tr><td>gpus.partition</td><td>1 to 16 compute slices, 1 to 65,536 GB (as a declared inventory's MIG profiles)</td></tr>
 * <tr><td>power</td><td>0 to 1 MW, in steps of 1 mW</td></tr>
 * <tr><td>fabric.bandwidth</td><td>0 to 100 Tbit/s</td></tr>
 * </table>
 */
final class ContractBounds {

    static final int MAX_MEMBERS = 1024;
    static final int MAX_PRIORITY = 1_000_000;
    static final int MAX_GPUS = 64;
    static final long MAX_CPU_MILLI = 65_536_000L;
    static final long MAX_BYTES = 1L << 50;
    static final double MAX_WATTS = 1_000_000;
    static final double MAX_GBPS = 100_000;
    static final double MIN_FRACTION = 0.001;
    /**
     * The bounds of a MIG profile's name ({@code 7g.80gb}): at least one compute slice and one GB, at most
     * what a declared inventory's profile may have, so that any profile an inventory declares can be asked for.
     * NVIDIA's GPUs so far have at most 7 compute slices; 16 leaves room for a larger one.
     */
    static final int MAX_MIG_SLICES = 16;
    static final int MAX_MIG_GB = 65_536;

    /** Numbers with more digits than this are out of every bound whatever their unit; they are never converted. */
    private static final BigDecimal HUGE = new BigDecimal("1e18");
    private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([^\\s0-9.]*)\\s*");

    /** A quantity that is malformed or out of bounds: what is wrong with it and what was expected. */
    static final class BadQuantity extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String problem;
        private final String expected;

        BadQuantity(String problem, String expected) {
            super(problem + "; expected " + expected, null, false, false);
            this.problem = problem;
            this.expected = expected;
        }

        String problem() {
            return problem;
        }

        String expected() {
            return expected;
        }
    }

    private ContractBounds() {
    }

    /**
     * The most digits the number of a quantity may have: as many as YAML's own numbers may
     * ({@code 1} followed by 120 zeros is refused by the parser), so that a quantity quoted as text
     * has no more room than one written plainly.
     */
    static final int MAX_DIGITS = 100;

    private static Matcher match(String text, String what, String expected) {
        Matcher m = NUMBER_UNIT.matcher(text == null ? "" : text);
        if (text == null || !m.matches()) {
            throw new BadQuantity("is not " + what, expected);
        }
        // counted before the number is made: a BigDecimal of a quoted megabyte of digits took half a minute to make
        int digits = m.group(1).length() - (m.group(1).indexOf('.') >= 0 ? 1 : 0);
        if (digits > MAX_DIGITS) {
            throw new BadQuantity("is a number of " + digits + " digits", expected + " (a number of at most " + MAX_DIGITS + " digits)");
        }
        return m;
    }

    /**
     * Memory in bytes: a size with a unit ({@code 64GiB}, {@code 512MiB}, {@code 2TB}), at most 1 PiB,
     * in whole bytes: {@code 0.3B} or {@code 1.1GiB} (1181116006.4 bytes) is refused, not rounded
     * (the shared parser rounds to the nearest byte, which took 0.3B for nothing at all).
     */
    static long bytes(String text, String example) {
        String expected = "a size with a unit, such as " + example + ", from 0 to 1PiB";
        Matcher m = match(text, "a size", expected);
        if (m.group(2).isEmpty()) {
            throw new BadQuantity("has no unit", expected + " (a bare number is not taken as bytes)");
        }
        if (new BigDecimal(m.group(1)).compareTo(HUGE) > 0) {
            throw new BadQuantity("is out of bounds", expected);
        }
        long unit;
        try {
            // every size unit is a whole number of bytes, so 1 of it is read exactly
            unit = Quantities.bytes("1" + m.group(2));
        } catch (IllegalArgumentException e) {
            throw new BadQuantity("has a unit ('" + m.group(2) + "') that is not a size unit", expected);
        }
        // the number as written, however many digits it has (the shared parser stops at 40, and rounds to the byte)
        BigDecimal exact = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (exact.compareTo(BigDecimal.valueOf(MAX_BYTES)) > 0) {
            throw new BadQuantity("is out of bounds", expected);
        }
        if (exact.stripTrailingZeros().scale() > 0) {
            throw new BadQuantity("is not a whole number of bytes (" + exact.stripTrailingZeros().toPlainString() + " bytes)",
                    expected + ", in whole bytes");
        }
        return exact.longValueExact();
    }

    /** CPU in thousandths of a core: {@code 4}, {@code 2.5} (cores) or {@code 500m}; at most 65,536 CPUs. */
    static long cpuMilli(String text) {
        String expected = "a CPU quantity such as 4, 2.5 or 500m, from 0 to 65536 CPUs";
        Matcher m = match(text, "a CPU quantity", expected);
        BigDecimal number = new BigDecimal(m.group(1));
        BigDecimal milli;
        if (m.group(2).isEmpty()) {
            milli = number.movePointRight(3);
        } else if (m.group(2).equals("m")) {
            milli = number;
        } else {
            throw new BadQuantity("has a unit ('" + m.group(2) + "') that is not m", expected);
        }
        if (milli.compareTo(BigDecimal.valueOf(MAX_CPU_MILLI)) > 0) {
            throw new BadQuantity("is out of bounds", expected);
        }
        if (milli.stripTrailingZeros().scale() > 0) {
            throw new BadQuantity("is finer than a thousandth of a CPU", expected + ", in steps of 1m");
        }
        return milli.longValueExact();
    }

    /**
     * Power in watts: {@code 700W}, {@code 10kW}; a unit is required; at most 1 MW, in steps of 1 mW:
     * placement reserves power in whole milliwatts, so a finer power ({@code 0.3mW}, {@code 10.0004W})
     * is refused, as a CPU finer than 1m is, instead of being rounded in the reservation.
     */
    static double watts(String text) {
        String expected = "a power with a unit, such as 700W or 10kW, from 0 to 1MW";
        BigDecimal watts = unitRequired(text, "a power", expected, Quantities::watts);
        if (watts.compareTo(BigDecimal.valueOf(MAX_WATTS)) > 0) {
            throw new BadQuantity("is out of bounds", expected);
        }
        // 1 of any power unit (mW to GW) is a whole number of milliwatts
        if (watts.movePointRight(3).stripTrailingZeros().scale() > 0) {
            throw new BadQuantity("is finer than a milliwatt", expected + ", in steps of 1mW");
        }
        return watts.doubleValue();
    }

    /** Bandwidth in Gbit/s: {@code 400Gbps}; a unit is required; at most 100 Tbit/s. */
    static double gbps(String text) {
        String expected = "a bandwidth with a unit, such as 400Gbps, from 0 to 100Tbps";
        BigDecimal gbps = unitRequired(text, "a bandwidth", expected, Quantities::gbps);
        if (gbps.compareTo(BigDecimal.valueOf(MAX_GBPS)) > 0) {
            throw new BadQuantity("is out of bounds", expected);
        }
        return gbps.doubleValue();
    }

    /**
     * The quantity exactly as written, in the parser's base unit: the parser reads only 1 of the unit
     * (its factor, which is what it knows), so a number of any length is read, and a unit that is not
     * one of the parser's is named as such.
     */
    private static BigDecimal unitRequired(String text, String what, String expected, java.util.function.ToDoubleFunction<String> parser) {
        Matcher m = match(text, what, expected);
        if (m.group(2).isEmpty()) {
            throw new BadQuantity("has no unit", expected);
        }
        if (new BigDecimal(m.group(1)).compareTo(HUGE) > 0) {
            throw new BadQuantity("is out of bounds", expected);
        }
        double unit;
        try {
            unit = parser.applyAsDouble("1" + m.group(2));
        } catch (IllegalArgumentException e) {
            throw new BadQuantity("has a unit ('" + m.group(2) + "') that is not " + what + " unit", expected);
        }
        // the factors are decimals of a few digits (1e-3, 8.192e-6), which a double's shortest form gives back exactly
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    }
}
