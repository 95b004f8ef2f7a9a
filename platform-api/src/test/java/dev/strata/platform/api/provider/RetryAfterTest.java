package dev.strata.platform.api.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.NumericChars;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static Optional<Duration> waitAt(String now, String value) {
        return RetryAfter.wait(value, Instant.parse(now));
    }

    @Test
    void secondsAreAWaitAndMoreThanALongHoldsIsTheLongestWait() {
        assertThat(waitAt("2026-12-05T10:00:00Z", "30")).contains(Duration.ofSeconds(30));
        assertThat(waitAt("2026-12-05T10:00:00Z", " 0 ")).contains(Duration.ZERO);
        assertThat(waitAt("2026-12-05T10:00:00Z", "99999999999999999999")).contains(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(waitAt("2026-12-05T10:00:00Z", "-5")).isEmpty();
        assertThat(waitAt("2026-12-05T10:00:00Z", "+5")).isEmpty();
        assertThat(waitAt("2026-12-05T10:00:00Z", "")).isEmpty();
        assertThat(RetryAfter.wait(null, Instant.EPOCH)).isEmpty();
    }

    /**
     * RFC 9110 (&sect;5.6.7) has a recipient accept all three forms of an HTTP date: the
     * IMF-fixdate and the obsolete rfc850-date and asctime-date. A two-digit year more than 50
     * years ahead is one of the century before; a date already past is no wait; a weekday that
     * does not match its date, an impossible date, or anything after the date, is no date.
     */
    @Test
    void anHttpDateIsReadInEachOfItsThreeForms() {
        String now = "1994-11-06T08:49:30Z";
        assertThat(waitAt(now, "Sun, 06 Nov 1994 08:49:37 GMT")).contains(Duration.ofSeconds(7));
        assertThat(waitAt(now, "Sunday, 06-Nov-94 08:49:37 GMT")).contains(Duration.ofSeconds(7));
        assertThat(waitAt(now, "Sun Nov  6 08:49:37 1994")).contains(Duration.ofSeconds(7));
        assertThat(waitAt("2026-12-05T10:00:00Z", "Saturday, 05-Dec-26 10:00:05 GMT")).contains(Duration.ofSeconds(5));
        assertThat(waitAt("2026-12-05T10:00:00Z", "Sat Dec 12 10:00:00 2026")).contains(Duration.ofDays(7));
        assertThat(waitAt("2026-12-05T10:00:00Z", "Fri, 04 Dec 2026 10:00:00 GMT")).contains(Duration.ZERO);
        // 1999 (past: no wait), not 2099; 2045 is less than 50 years ahead
        assertThat(waitAt("2026-12-05T10:00:00Z", "Saturday, 04-Dec-99 10:00:05 GMT")).contains(Duration.ZERO);
        assertThat(waitAt("2026-12-05T10:00:00Z", "Tuesday, 05-Dec-45 10:00:05 GMT")).contains(Duration.ofDays(6940).plusSeconds(5));
        assertThat(waitAt(now, "Monday, 06-Nov-94 08:49:37 GMT")).isEmpty();
        assertThat(waitAt(now, "Mon Nov  6 08:49:37 1994")).isEmpty();
        assertThat(waitAt(now, "Sunday, 31-Nov-94 08:49:37 GMT")).isEmpty();
        assertThat(waitAt(now, "Sunday, 06-Nov-94 08:49:37 GMT trailing")).isEmpty();
        assertThat(waitAt(now, "soon")).isEmpty();
    }

    /** A wait gets up to a tenth more at random, never less, so that callers told the same wait spread out. */
    @Test
    void aWaitIsSpreadUpwardsOnly() {
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration wait = RetryAfter.spread(Duration.ofSeconds(10));
            assertThat(wait).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(11));
            seen.add(wait);
        }
        assertThat(seen).hasSizeGreaterThan(10);
        assertThat(RetryAfter.spread(Duration.ZERO)).isEqualTo(Duration.ZERO);
    }

    /**
     * The spread never costs the attempt: a wait that fits the room the deadline leaves as asked
     * is cut to that room, and one that does not stays as asked, for the caller to refuse.
     */
    @Test
    void aWaitThatFitsTheRoomIsNotLostToItsSpread() {
        Duration asked = Duration.ofSeconds(10);
        for (int i = 0; i < 200; i++) {
            assertThat(RetryAfter.spreadWithin(asked, Duration.ofMillis(10_050))).isBetween(asked, Duration.ofMillis(10_050));
            assertThat(RetryAfter.spreadWithin(asked, Duration.ofSeconds(60))).isBetween(asked, Duration.ofSeconds(11));
            assertThat(RetryAfter.spreadWithin(asked, Duration.ofSeconds(5))).isEqualTo(asked);
        }
    }

    /**
     * Seconds are the number the digits write, leading zeros or not; only a number more than a
     * long holds is the longest wait. Before, a value of more than 18 digits was the longest wait
     * whatever it was: {@code 0000000000000000000005} (5 s) read as 292 billion years.
     */
    @Property(tries = 300)
    void secondsAreTheNumberTheDigitsWrite(@ForAll @NumericChars @StringLength(min = 1, max = 40) String digits) {
        BigInteger n = new BigInteger(digits);
        long expected = n.bitLength() < 64 ? n.longValueExact() : Long.MAX_VALUE;
        assertThat(RetryAfter.wait(digits, Instant.EPOCH)).contains(Duration.ofSeconds(expected));
        assertThat(RetryAfter.wait("0000000000000000000000000" + digits, Instant.EPOCH)).contains(Duration.ofSeconds(expected));
    }

    @Test
    void leadingZerosAreNoLongerWait() {
        assertThat(waitAt("2026-12-05T10:00:00Z", "0000000000000000000005")).contains(Duration.ofSeconds(5));
        assertThat(waitAt("2026-12-05T10:00:00Z", "0000000000000000000000")).contains(Duration.ZERO);
    }

    /**
     * Whatever {@link RetryAfter#wait} gives can be spread, as the providers' guide has a provider
     * do: the longest wait (a value of 20 digits) included. Before, a wait of more milliseconds
     * than a long holds threw an ArithmeticException out of spread and spreadWithin.
     */
    @Test
    void theLongestWaitCanBeSpread() {
        Duration longest = RetryAfter.wait("99999999999999999999", Instant.EPOCH).orElseThrow();
        assertThat(RetryAfter.spread(longest)).isGreaterThanOrEqualTo(longest);
        assertThat(RetryAfter.spreadWithin(longest, Duration.ofSeconds(30))).isEqualTo(longest);
        assertThat(RetryAfter.spreadWithin(longest, longest)).isEqualTo(longest);
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE / 1000 + 1);
        assertThat(RetryAfter.spread(huge)).isGreaterThanOrEqualTo(huge);
        assertThat(RetryAfter.spread(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE,
                999_999_999));
    }

    /** spreadWithin never gives less than asked, nor more than the room where the room holds what was asked. */
    @Property(tries = 500)
    void aSpreadWaitIsNeverLessThanAskedNorPastARoomThatHoldsIt(@ForAll long askedMillis, @ForAll long roomMillis) {
        Duration asked = Duration.ofMillis(Math.abs(askedMillis % 1_000_000_000_000L));
        Duration room = Duration.ofMillis(roomMillis % 1_000_000_000_000L);
        Duration wait = RetryAfter.spreadWithin(asked, room);
        assertThat(wait).isGreaterThanOrEqualTo(asked);
        if (room.compareTo(asked) >= 0) {
            assertThat(wait).isLessThanOrEqualTo(room);
        } else {
            assertThat(wait).isEqualTo(asked);
        }
    }
}
