package dev.strata.platform.api.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DiscoveryContextTest {

    /**
     * A timeout that ends past the latest instant is refused naming the timeout and what was expected.
     * Before, the JDK's DateTimeException (a timeout ending past the year 1000000000) or
     * ArithmeticException (one of Long.MAX_VALUE seconds) left, naming neither the timeout nor the call.
     */
    @Test
    void aTimeoutEndingPastTheLatestInstantIsRefusedNamingIt() {
        Duration centuries = Duration.ofDays(400_000_000_000L);
        assertThatThrownBy(() -> DiscoveryContext.withTimeout("op", centuries))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout " + centuries + " ends past the latest instant a deadline can be, +1000000000-12-31T23:59:59.999999999Z;"
                        + " expected a timeout that ends before it");
        assertThatThrownBy(() -> DiscoveryContext.withTimeout("op", Duration.ofSeconds(Long.MAX_VALUE)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("timeout " + Duration.ofSeconds(Long.MAX_VALUE) + " ends past the latest instant");
        assertThat(DiscoveryContext.withTimeout("op", Duration.ofSeconds(10)).remaining()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
    }

    /**
     * A timeout between about 292 years and the latest instant was accepted, and its
     * {@code remaining().toNanos()}, which providers pass to their blocking calls, failed with an
     * ArithmeticException. Its remaining time is now held to {@code Long.MAX_VALUE} nanoseconds.
     */
    @Test
    void aTimeoutOfCenturiesHasARemainingTimeProvidersCanPassOn() {
        Duration centuries = Duration.ofDays(365L * 300);
        DiscoveryContext c = DiscoveryContext.withTimeout("op", centuries);
        assertThat(c.remaining()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(c.remaining().toNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.remaining().toMillis()).isEqualTo(Long.MAX_VALUE / 1_000_000);
        assertThat(new DiscoveryContext("op", Instant.MAX, Clock.systemUTC()).remaining().toNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(new DiscoveryContext("op", Instant.MIN, Clock.systemUTC()).remaining().toNanos()).isEqualTo(Long.MIN_VALUE);
    }

    /**
     * For any deadline and any time of the clock, from the earliest instant to the latest, the
     * remaining time is the time between them where {@code toNanos()} can hold it, and the bound
     * on the same side where it cannot; {@code toNanos()} and {@code toMillis()} never throw.
     */
    @Property(tries = 2000)
    void theRemainingTimeIsTheTimeLeftHeldToWhatToNanosCanGive(
            @ForAll @LongRange(min = -31557014167219200L, max = 31556889864403199L) long deadlineSecond,
            @ForAll @LongRange(min = 0, max = 999_999_999) long deadlineNano,
            @ForAll @LongRange(min = -31557014167219200L, max = 31556889864403199L) long nowSecond,
            @ForAll @LongRange(min = 0, max = 999_999_999) long nowNano) {
        Instant deadline = Instant.ofEpochSecond(deadlineSecond, deadlineNano);
        Instant now = Instant.ofEpochSecond(nowSecond, nowNano);
        Duration remaining = new DiscoveryContext("op", deadline, Clock.fixed(now, ZoneOffset.UTC)).remaining();
        Duration between = Duration.between(now, deadline);
        if (between.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
            assertThat(remaining).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        } else if (between.compareTo(Duration.ofNanos(Long.MIN_VALUE)) < 0) {
            assertThat(remaining).isEqualTo(Duration.ofNanos(Long.MIN_VALUE));
        } else {
            assertThat(remaining).isEqualTo(between);
        }
        assertThat(Duration.ofNanos(remaining.toNanos())).isEqualTo(remaining);
        assertThat(remaining.toMillis()).isEqualTo(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(remaining.toNanos()));
    }
}
