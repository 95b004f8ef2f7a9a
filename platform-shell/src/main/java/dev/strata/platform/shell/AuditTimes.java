package dev.strata.platform.shell;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times given to {@code strata:audit}: an instant, a UTC date, or a duration ago ({@code 2h}). */
final class AuditTimes {

    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(s|m|h|d)");

    private AuditTimes() {
    }

    static Instant parse(String option, String value, Instant now) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        Matcher m = AGO.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(option + " '" + value + "': expected an instant (2026-11-27T10:00:00Z), a UTC date "
                        + "(2026-11-27) or a time ago (30m, 2h, 7d)");
            }
        }
    }
}
