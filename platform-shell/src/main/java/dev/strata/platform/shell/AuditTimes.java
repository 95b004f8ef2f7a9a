package dev.strata.platform.shell;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times given to {@code strata:audit}: an instant, a UTC date, or a duration ago ({@code 2h}) of at most {@value #MAX_DAYS_AGO} days. */
final class AuditTimes {

    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(s|m|h|d)");
    /** The longest time ago (about 100 years): older than any record, and far from what an {@link Instant} or a long holds. */
    static final long MAX_DAYS_AGO = 36_500;
    private static final long MAX_SECONDS_AGO = MAX_DAYS_AGO * 86_400;
    private static final String EXPECTED = "expected an instant (2026-11-27T10:00:00Z), a UTC date (2026-11-27) or a time ago (30m, 2h, 7d)";

    private AuditTimes() {
    }

    static Instant parse(String option, String value, Instant now) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        Matcher m = AGO.matcher(v);
        if (m.matches()) {
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3_600;
                default -> 86_400;
            };
            String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
            // compared as digits first: 99999999999999999999d does not fit a long
            if (digits.length() > 18 || Long.parseLong(digits) > MAX_SECONDS_AGO / unit) {
                throw new IllegalArgumentException(option + " '" + Format.visible(value) + "': " + EXPECTED + " of at most " + MAX_DAYS_AGO + " days ("
                        + MAX_SECONDS_AGO + "s, " + MAX_SECONDS_AGO / 60 + "m, " + MAX_SECONDS_AGO / 3_600 + "h or " + MAX_DAYS_AGO + "d)");
            }
            return now.minusSeconds(Long.parseLong(digits) * unit);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(option + " '" + Format.visible(value) + "': " + EXPECTED);
            }
        }
    }
}
