package dev.strata.platform.api.model;

import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * An immutable set of logical CPU numbers (Linux processor numbers, hwloc's PU {@code P#}).
 *
 * <p>Parses and prints the Linux <em>cpulist</em> format ({@code "0-3,8,10-11"}) used by
 * {@code /sys/devices/system/node/nodeN/cpulist} and the <em>cpumask</em> format
 * ({@code "00000000,0000ff00"}) used by {@code cpumap} and {@code local_cpus}.
 * Instances are value objects: equal when they hold the same CPUs.
 */
public final class CpuSet implements Comparable<CpuSet> {

    /** The empty set, for example the CPUs of a memory-only NUMA node. */
    public static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet bits;

    private CpuSet(BitSet bits) {
        this.bits = bits;
    }

    /** A set holding exactly the given CPU numbers. */
    public static CpuSet of(int... cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0) {
                throw new IllegalArgumentException("CPU number " + cpu + " is negative; expected 0 or more");
            }
            bits.set(cpu);
        }
        return bits.isEmpty() ? EMPTY : new CpuSet(bits);
    }

    /** A set holding the CPUs of the given bit set (copied). */
    public static CpuSet of(BitSet cpus) {
        return cpus.isEmpty() ? EMPTY : new CpuSet((BitSet) cpus.clone());
    }

    /** The highest CPU number a cpulist may name (far above Linux's largest {@code NR_CPUS}, 8192). */
    private static final int MAX_CPU = (1 << 20) - 1;

    /**
     * Parses the Linux cpulist format: comma-separated numbers and inclusive ranges, possibly
     * with the kernel's groups ({@code "0-1023:2/256"}: the first 2 CPUs of every 256 from 0 to
     * 1023) or a stride ({@code "0-15:2"}: every second CPU); blank input is the empty set. CPU
     * numbers go from 0 to 1048575 (2^20 - 1, far above Linux's largest {@code NR_CPUS}).
     *
     * @throws IllegalArgumentException naming the offending element (its control and format characters
     *     shown as <code>&#92;uXXXX</code>) when the text is not a cpulist
     */
    public static CpuSet parseList(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            return EMPTY;
        }
        BitSet bits = new BitSet();
        for (String part : trimmed.split(",")) {
            String element = part.strip();
            try {
                int used = 1;
                int group = 1;
                int colon = element.indexOf(':');
                if (colon >= 0) {
                    String groupText = element.substring(colon + 1);
                    int slash = groupText.indexOf('/');
                    if (slash >= 0) {
                        used = Integer.parseInt(groupText.substring(0, slash));
                        group = Integer.parseInt(groupText.substring(slash + 1));
                    } else {
                        group = Integer.parseInt(groupText); // a stride: the first CPU of every group of that size
                    }
                    element = element.substring(0, colon);
                    if (element.indexOf('-') < 0) {
                        throw new NumberFormatException(); // groups need a range
                    }
                }
                int dash = element.indexOf('-');
                int from = Integer.parseInt(dash >= 0 ? element.substring(0, dash) : element);
                int to = dash >= 0 ? Integer.parseInt(element.substring(dash + 1)) : from;
                if (from < 0 || to < from || to > MAX_CPU || used < 1 || group < used) {
                    throw new NumberFormatException();
                }
                // long arithmetic: a group start past the end never wraps around
                for (long start = from; start <= to; start += group) {
                    bits.set((int) start, (int) Math.min(start + used - 1, to) + 1);
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("cpulist element '" + Checks.printable(part) + "' in '" + Checks.printable(text)
                        + "' is not a CPU number or range of"
                        + " CPUs 0 to " + MAX_CPU + "; expected e.g. 0-3,8 (or 0-15:2, 0-1023:2/256)");
            }
        }
        return of(bits);
    }

    /**
     * Parses the Linux cpumask format: comma-separated 32-bit hexadecimal words, most
     * significant first, as sysfs writes it ({@code "ffffffff,00000001"}), or with {@code 0x}
     * before every word, as hwloc writes it ({@code "0x00000001,0x0"}); a {@code 0x} before the
     * first word only is accepted too. A word printed wider than 8 digits (up to 16, as tools other
     * than sysfs write) counts as many 32-bit words as its width needs ({@code "8000000000000000"}
     * is CPU 63). CPU numbers go from 0 to 1048575, as in a cpulist; a mask that sets one above is
     * refused before its set is made.
     *
     * @throws IllegalArgumentException naming the offending word and the text (their control and
     *     format characters shown as <code>&#92;uXXXX</code>, a long text shortened) when the text is
     *     not a cpumask or sets a CPU above 1048575
     */
    public static CpuSet parseMask(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            return EMPTY;
        }
        String[] words = trimmed.split(",");
        BitSet bits = new BitSet();
        long base = 0;
        for (int i = words.length - 1; i >= 0; i--) {
            String word = words[i].strip();
            boolean prefixed = word.startsWith("0x") || word.startsWith("0X");
            String digits = prefixed ? word.substring(2) : word;
            long value;
            try {
                // unsigned: a 16-digit word with its top bit set (CPU 63 of the word) is a CPU, not an overflow
                value = digits.isEmpty() ? 0 : Long.parseUnsignedLong(digits, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "cpumask word '" + Checks.printable(word) + "' in " + shown(text)
                                + " is not hexadecimal; expected e.g. 0000ffff,00000000 (or hwloc's 0x0000ffff,0x0)");
            }
            // Each word is 32 bits, whatever its printed width (hwloc's XML writes wider words).
            int width = Math.max(32, ((digits.length() + 7) / 8) * 32);
            if (value != 0 && base + 63 - Long.numberOfLeadingZeros(value) > MAX_CPU) {
                throw new IllegalArgumentException("cpumask word '" + Checks.printable(word) + "' in " + shown(text) + " sets CPU "
                        + (base + 63 - Long.numberOfLeadingZeros(value)) + "; expected CPUs 0 to " + MAX_CPU
                        + " (far above Linux's largest NR_CPUS, 8192), at most " + (MAX_CPU + 1) / 32 + " words of 32 bits");
            }
            for (int bit = 0; bit < width && bit < 64; bit++) {
                if ((value >>> bit & 1L) != 0) {
                    bits.set((int) base + bit);
                }
            }
            base += width;
        }
        return of(bits);
    }

    /** A text from outside, quoted for a message: printable, and its start and end only where it is long (a mask of many words). */
    private static String shown(String text) {
        String printable = Checks.printable(text);
        return printable.length() <= 120 ? "'" + printable + "'"
                : "'" + printable.substring(0, 56) + "..." + printable.substring(printable.length() - 56) + "' (" + text.length()
                        + " characters)";
    }

    public boolean isEmpty() {
        return bits.isEmpty();
    }

    public int size() {
        return bits.cardinality();
    }

    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    /** True when every CPU of {@code other} is in this set. */
    public boolean containsAll(CpuSet other) {
        BitSet rest = (BitSet) other.bits.clone();
        rest.andNot(bits);
        return rest.isEmpty();
    }

    public boolean intersects(CpuSet other) {
        return bits.intersects(other.bits);
    }

    public CpuSet union(CpuSet other) {
        BitSet union = (BitSet) bits.clone();
        union.or(other.bits);
        return of(union);
    }

    public CpuSet intersection(CpuSet other) {
        BitSet both = (BitSet) bits.clone();
        both.and(other.bits);
        return of(both);
    }

    public CpuSet minus(CpuSet other) {
        BitSet rest = (BitSet) bits.clone();
        rest.andNot(other.bits);
        return of(rest);
    }

    /** The lowest CPU number, or -1 when empty. */
    public int first() {
        return bits.nextSetBit(0);
    }

    /** The CPU numbers in ascending order. */
    public IntStream stream() {
        return bits.stream();
    }

    public int[] toArray() {
        return bits.stream().toArray();
    }

    /** The cpulist form, e.g. {@code "0-3,8"}; the empty set prints as {@code ""}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int start = bits.nextSetBit(0);
        while (start >= 0) {
            int end = bits.nextClearBit(start) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(start);
            if (end > start) {
                out.append('-').append(end);
            }
            start = bits.nextSetBit(end + 1);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && bits.equals(other.bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    /** Orders by lowest CPU, then by the rest, so sets sort as hwloc lists them. */
    @Override
    public int compareTo(CpuSet other) {
        int[] mine = toArray();
        int[] theirs = other.toArray();
        return Arrays.compare(mine, theirs);
    }
}
