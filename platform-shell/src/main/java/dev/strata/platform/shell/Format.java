package dev.strata.platform.shell;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Formatting shared by the commands. */
final class Format {

    private Format() {
    }

    /** Binary units with one decimal: {@code 4.1 GiB}. */
    static String bytes(long bytes) {
        if (bytes <= 0) {
            return "-";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        // up a unit also where one decimal would round the value to 1024 (1 TiB less a byte is 1.0 TiB, not 1024.0 GiB)
        while ((value >= 1024 || unit > 0 && value >= 1023.95) && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /**
     * A power: "-" for none (0, or less), watts below a kilowatt ({@code 350 W}, {@code 12.5 W}
     * below 100 W), kilowatts with one decimal above ({@code 10.2 kW}); a small draw no longer
     * reads {@code 0.0 kW}, as if nothing were reserved.
     */
    static String watts(double watts) {
        if (!(watts > 0)) {
            return "-";
        }
        if (watts < 100) {
            return String.format(Locale.ROOT, "%.1f W", watts);
        }
        if (watts < 999.5) {
            return String.format(Locale.ROOT, "%.0f W", watts);
        }
        return String.format(Locale.ROOT, "%.1f kW", watts / 1000);
    }

    /**
     * A share of a GPU as a percentage to a tenth ({@code 100%}, {@code 12.5%}, {@code 0.1%}), as
     * placement counts shares in thousandths: a whole percent showed a 0.001 share as {@code 0%}.
     */
    static String share(double fraction) {
        double tenths = Math.round(fraction * 1000) / 10.0;
        return (tenths == Math.rint(tenths) ? String.valueOf((long) tenths) : String.format(Locale.ROOT, "%.1f", tenths)) + "%";
    }

    /**
     * A GPU's power limits ({@code PowerLimits}, each 0 where unknown): {@code not reported} where
     * none is known, each unknown one {@code -} otherwise.
     */
    static String powerLimits(double enforced, double byDefault, double min, double max) {
        if (enforced <= 0 && byDefault <= 0 && min <= 0 && max <= 0) {
            return "not reported";
        }
        return knownWatts(enforced) + " enforced, default " + knownWatts(byDefault) + ", range " + knownWatts(min) + " to " + knownWatts(max);
    }

    private static String knownWatts(double watts) {
        return watts > 0 ? String.format(Locale.ROOT, "%.0f W", watts) : "-";
    }

    /**
     * A measured amount, such as a GPU's memory used: "-" when it is not reported (negative), and
     * {@code 0 B} for the 0 that is, which {@link #bytes} would show as "-".
     */
    static String measuredBytes(long bytes) {
        return bytes < 0 ? "-" : bytes == 0 ? "0 B" : bytes(bytes);
    }

    /**
     * {@link #measuredBytes} of an amount shown beside another it is compared with (what a tenant
     * holds and its quota): where the two differ but would read alike ({@code 4.0 TiB} held of a
     * quota of {@code 4.0 TiB}, when the tenant holds 1 GiB more than its quota), both are shown
     * with more decimals in the larger one's unit, up to six, then in bytes, until they read apart;
     * one decimal would hide that the quota is exceeded. Given the same pair, either way round,
     * both texts are made alike, so the two columns stay comparable.
     */
    static String measuredBytesBeside(long bytes, long other) {
        String plain = measuredBytes(bytes);
        if (bytes <= 0 || other <= 0 || bytes == other || !plain.equals(measuredBytes(other))) {
            return plain;
        }
        long larger = Math.max(bytes, other);
        int unit = 0;
        for (long v = larger; v >= 1024 && unit < BINARY_UNITS.length - 1; v /= 1024) {
            unit++;
        }
        java.math.BigDecimal divisor = java.math.BigDecimal.valueOf(1024).pow(unit);
        for (int decimals = 2; unit > 0 && decimals <= 6; decimals++) {
            String a = java.math.BigDecimal.valueOf(bytes).divide(divisor, decimals, java.math.RoundingMode.HALF_UP).toPlainString();
            String b = java.math.BigDecimal.valueOf(other).divide(divisor, decimals, java.math.RoundingMode.HALF_UP).toPlainString();
            if (!a.equals(b)) {
                return a + " " + BINARY_UNITS[unit];
            }
        }
        return bytes + " B";
    }

    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    /**
     * A time as every command shows it: UTC in ISO 8601, to the millisecond, as the provenance log
     * records times ({@code 2026-12-01T10:00:00.412Z}; a whole second without a fraction); {@code -}
     * for none. Services hand over times as they took them, some from the clock with micro- or
     * nanoseconds (a single instance's leader start, which is when it opened the store), others from
     * the database in milliseconds; cut here, where they are shown, the shell shows one precision
     * whichever service (or a later one) a time comes from, and the services keep their times exact
     * for the programs that order or compare them.
     */
    static String time(Instant t) {
        return t == null ? "-" : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }

    /** How long ago, coarse: {@code 3s ago}, {@code 5m ago}. */
    static String ago(Instant then, Instant now) {
        if (then == null) {
            return "never";
        }
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        if (s < 120) {
            return s + "s ago";
        } else if (s < 7200) {
            return s / 60 + "m ago";
        }
        return s / 3600 + "h ago";
    }

    static String millis(Duration d) {
        return d == null ? "-" : d.toMillis() + " ms";
    }

    static String orDash(Object value) {
        return value == null || value.toString().isEmpty() ? "-" : value.toString();
    }

    /** A count with its noun, singular for one: {@code 1 node}, {@code 3 nodes}. */
    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }

    /**
     * The width of the label column of {@code label value} lines whose labels (and attribute keys)
     * fill a column of at least 13 characters, widened to the longest key as it is printed, so that
     * every value starts in the same place. Measured on the key made {@link #visible} (an escaped
     * control character is six characters where it was one) and in characters (code points), not
     * UTF-16 units, of which an emoji or a CJK extension ideograph is two: either made the values
     * after such a key, or after every other, start in another column.
     */
    static int labelled(Collection<String> keys) {
        return Math.max(13, keys.stream().mapToInt(k -> width(visible(k))).max().orElse(0));
    }

    private static int width(String text) {
        return text.codePointCount(0, text.length());
    }

    /**
     * A word of a command that a message shows to be typed in the system shell ({@code sh}), such
     * as {@code bin/strata shell ...}, written so that {@code sh} reads it back whole: a plain word
     * as it is, any other in single quotes, where {@code sh} expands nothing, each {@code '} in it
     * written {@code '\''} ({@code it's x} is {@code 'it'\''s x'}), as bin/strata's own quote()
     * writes one.
     */
    static String shWord(String word) {
        if (word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * Text fit to print on an operator's terminal: ids, names and messages come from providers and
     * contracts, and a control character among them (an escape sequence's ESC, a carriage return)
     * would be run by the terminal instead of shown; a bidirectional override ({@code U+202E}) or
     * another invisible format character would make it show something else than the text holds
     * (an id read backwards, two ids that look alike). A line break or tab becomes a space, any other
     * control character, format character or line or paragraph separator {@code \xHH} (above
     * U+00FF a backslash, {@code u} and four hex digits); the rest is left as it is.
     */
    static String visible(Object value) {
        String text = String.valueOf(value);
        StringBuilder b = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            String replacement = c == '\n' || c == '\t' ? " " : isControl(c) ? hex(c) : null;
            if (replacement != null && b == null) {
                b = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (b != null) {
                b.append(replacement != null ? replacement : text.substring(i, next));
            }
            i = next;
        }
        return b == null ? text : b.toString();
    }

    /**
     * A stand-in for {@code cause} and its own causes, fit for a stack trace printed on an operator's
     * terminal (Karaf's {@code printStackTraces}): each is named by its class and its message made
     * {@link #visible}, with its stack trace; a file system error quotes the path as the user typed it.
     * A chain may come back to a throwable already shown ({@code initCause} lets A's cause be B and B's
     * cause A; a suppressed exception may be one of its own causes): that one stands as
     * {@code [CIRCULAR REFERENCE: type: message]} without a stack trace, cause or suppressed exceptions, as
     * {@link Throwable#printStackTrace()} prints it, where following it again would never end.
     */
    static Throwable shown(Throwable cause) {
        return shown(cause, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static Throwable shown(Throwable cause, Set<Throwable> seen) {
        if (cause == null) {
            return null;
        }
        String message = cause.getMessage() == null ? null : visible(cause.getMessage());
        if (!seen.add(cause)) {
            Throwable circular = new Shown("[CIRCULAR REFERENCE: " + new Shown(cause.getClass().getName(), message, null) + "]", null, null);
            circular.setStackTrace(new StackTraceElement[0]);
            return circular;
        }
        Throwable stand = new Shown(cause.getClass().getName(), message, shown(cause.getCause(), seen));
        stand.setStackTrace(cause.getStackTrace());
        for (Throwable suppressed : cause.getSuppressed()) {
            stand.addSuppressed(shown(suppressed, seen));
        }
        return stand;
    }

    /** What {@link #shown} makes: printed as the exception it stands for ({@code java.nio.file.AccessDeniedException: /x}). */
    private static final class Shown extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String type;

        Shown(String type, String message, Throwable cause) {
            super(message, cause);
            this.type = type;
        }

        @Override
        public String toString() {
            return getMessage() == null ? type : type + ": " + getMessage();
        }
    }

    /**
     * A character a terminal does not show as itself: a C0 or C1 control character, DEL, a format
     * character (Unicode category Cf: bidirectional embeddings, overrides and isolates, zero-width
     * characters, the byte order mark, the soft hyphen, the invisible tag characters from U+E0001),
     * a line or paragraph separator, or half of a surrogate pair without its other half. Taken by
     * code point: the tag characters lie beyond U+FFFF.
     */
    static boolean isControl(int c) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE;
    }

    /**
     * {@code \x1b} for ESC; above U+00FF a backslash, {@code u} and four hex digits (a right-to-left
     * override's {@code 202e}), for each UTF-16 unit beyond U+FFFF (as Java and JSON write them).
     */
    static String hex(int c) {
        if (c <= 0xff) {
            return String.format(Locale.ROOT, "\\x%02x", c);
        }
        StringBuilder units = new StringBuilder();
        for (char u : Character.toChars(c)) {
            units.append(String.format(Locale.ROOT, "\\u%04x", (int) u));
        }
        return units.toString();
    }

    /**
     * One {@code label value} line of a detail view, the label padded to {@code width} characters
     * (see {@link #labelled}), both made {@link #visible}. Padded here by code points: printf's
     * {@code %-13s} counts UTF-16 units.
     */
    static void line(PrintStream out, int width, Object label, Object value) {
        String shown = visible(label);
        out.print(shown + " ".repeat(Math.max(0, width - width(shown))) + " " + visible(value) + System.lineSeparator());
    }

    static String join(Collection<?> values) {
        return values.isEmpty() ? "-" : values.stream().map(Object::toString).sorted().collect(Collectors.joining(","));
    }
}
