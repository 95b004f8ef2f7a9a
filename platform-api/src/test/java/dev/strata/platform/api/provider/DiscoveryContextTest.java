package dev.strata.platform.api.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
}
