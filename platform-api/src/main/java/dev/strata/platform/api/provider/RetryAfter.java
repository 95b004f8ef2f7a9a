package dev.strata.platform.api.provider;

import java.text.ParsePosition;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An HTTP {@code Retry-After} (RFC 9110 &sect;10.2.3), for providers whose service throttles: how
 * long it asks to wait, and that wait spread so that the callers it told the same do not all come
 * back at once. Stateless; thread-safe.
 */
public final class RetryAfter {

    /** RFC 9110's obsolete rfc850-date: {@code Sunday, 06-Nov-94 08:49:37 GMT}; its two-digit year is placed by {@link #httpDate}. */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
            .appendValue(ChronoField.YEAR_OF_ERA, 2).appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.ENGLISH);

    /** RFC 9110's obsolete asctime-date: {@code Sun Nov  6 08:49:37 1994} (the day padded with a space), in GMT. */
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    private RetryAfter() {
    }

    /**
     * How long a {@code Retry-After} value asks to wait at {@code now}, not capped: a number of
     * seconds ({@code delay-seconds}; more than a {@code long} holds reads as {@link Long#MAX_VALUE}
     * seconds), or an HTTP date, a date already past being no wait. An HTTP date is any of the
     * three forms RFC 9110 &sect;5.6.7 has a recipient accept: the IMF-fixdate
     * ({@code Fri, 04 Dec 2026 10:00:05 GMT}), and the obsolete rfc850-date
     * ({@code Friday, 04-Dec-26 10:00:05 GMT}; a two-digit year more than 50 years ahead is one of
     * the century before) and asctime-date ({@code Fri Dec  4 10:00:05 2026}).
     *
     * @param value the header's value, or null where there was none
     * @return the wait; empty when there is no value or it is none of these (a weekday that does
     *     not match its date included)
     */
    public static Optional<Duration> wait(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // the number the digits write, leading zeros or not (0000000000000000000005 is 5 s); only one more than a long
            // holds is the longest wait
            String digits = v.replaceFirst("^0+(?=.)", "");
            long seconds;
            try {
                seconds = digits.length() > 19 ? Long.MAX_VALUE : Long.parseLong(digits);
            } catch (NumberFormatException e) {
                seconds = Long.MAX_VALUE; // 19 digits, more than a long holds
            }
            return Optional.of(Duration.ofSeconds(seconds));
        }
        return httpDate(v, now).map(at -> {
            Duration wait = Duration.between(now, at);
            return wait.isNegative() ? Duration.ZERO : wait;
        });
    }

    /** The instant an HTTP date in any of its three forms names; empty when it is none of them. */
    static Optional<Instant> httpDate(String value, Instant now) {
        try {
            return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeException e) {
            // one of the obsolete forms, below
        }
        ParsePosition read = new ParsePosition(0);
        TemporalAccessor t = RFC_850.parseUnresolved(value, read);
        if (t != null && read.getErrorIndex() < 0 && read.getIndex() == value.length()) {
            try {
                int thisYear = now.atZone(ZoneOffset.UTC).getYear();
                int year = thisYear - Math.floorMod(thisYear, 100) + (int) t.getLong(ChronoField.YEAR_OF_ERA);
                if (year > thisYear + 50) {
                    year -= 100;
                }
                LocalDateTime at = LocalDateTime.of(year, (int) t.getLong(ChronoField.MONTH_OF_YEAR), (int) t.getLong(ChronoField.DAY_OF_MONTH),
                        (int) t.getLong(ChronoField.HOUR_OF_DAY), (int) t.getLong(ChronoField.MINUTE_OF_HOUR),
                        (int) t.getLong(ChronoField.SECOND_OF_MINUTE));
                return at.getDayOfWeek().getValue() == t.getLong(ChronoField.DAY_OF_WEEK) ? Optional.of(at.toInstant(ZoneOffset.UTC))
                        : Optional.empty();
            } catch (DateTimeException e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(LocalDateTime.parse(value, ASCTIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A wait with up to a tenth more at random, never less than asked: callers a service told the
     * same wait (or the same date) spread out instead of all coming back at once.
     */
    public static Duration spread(Duration asked) {
        // a wait of more milliseconds than a long holds (wait() gives one for a value of 20 digits) is spread by its tenth
        // of Long.MAX_VALUE milliseconds, and the sum held at the longest Duration: it neither overflows nor throws
        long millis = asked.isNegative() ? 0 : asked.compareTo(LONGEST_MILLIS) >= 0 ? Long.MAX_VALUE : asked.toMillis();
        long more = ThreadLocalRandom.current().nextLong(millis / 10 + 1);
        return asked.compareTo(LONGEST.minusMillis(more)) <= 0 ? asked.plusMillis(more) : LONGEST;
    }

    /** The longest {@link Duration}, and the longest one whose milliseconds a long holds. */
    private static final Duration LONGEST = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    private static final Duration LONGEST_MILLIS = Duration.ofMillis(Long.MAX_VALUE);

    /**
     * The {@link #spread} of a wait, cut to {@code room} (what the caller's deadline leaves before
     * the next attempt must start), but never below what was asked: a wait that fits as asked is
     * not lost to its spread, and one that does not stays as asked, for the caller to refuse.
     */
    public static Duration spreadWithin(Duration asked, Duration room) {
        Duration spread = spread(asked);
        return spread.compareTo(room) <= 0 ? spread : room.compareTo(asked) >= 0 ? room : asked;
    }
}
