package dev.strata.platform.api.provider;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the core passes to every provider call.
 *
 * @param operationId the idempotency key chosen by the core; a repeated call with the same id
 *     must have the same effect as one call
 * @param deadline the instant by which the call must return; implementations pass the remaining
 *     time to every blocking call they make and give up with {@link ProviderTimeoutException}
 * @param clock the clock the deadline refers to
 */
public record DiscoveryContext(String operationId, Instant deadline, Clock clock) {

    public DiscoveryContext {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * A context with a deadline {@code timeout} from now on the system clock.
     *
     * <p>A timeout that would end past the latest instant ({@link Instant#MAX}) is refused rather than
     * cut to that instant: a deadline so far has a {@link #remaining()} that providers cannot pass on to
     * their blocking calls ({@code remaining().toNanos()} overflows past 292 years), so it would fail
     * in each provider instead, with an {@link ArithmeticException} naming nothing.
     *
     * @throws IllegalArgumentException naming the timeout when its deadline would be past the latest instant
     */
    public static DiscoveryContext withTimeout(String operationId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Clock clock = Clock.systemUTC();
        Instant deadline;
        try {
            deadline = clock.instant().plus(timeout);
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("timeout " + timeout + " ends past the latest instant a deadline can be, " + Instant.MAX
                    + "; expected a timeout that ends before it", e);
        }
        return new DiscoveryContext(operationId, deadline, clock);
    }

    /** Time left before the deadline; zero or negative once it has passed. */
    public Duration remaining() {
        return Duration.between(clock.instant(), deadline);
    }

    /**
     * Throws when the deadline has passed or the calling thread was interrupted; providers call
     * it between steps of a long discovery.
     *
     * @param step what the provider was about to do, for the message
     * @throws ProviderTimeoutException when the deadline passed or the thread was interrupted
     */
    public void checkDeadline(String step) {
        if (Thread.currentThread().isInterrupted()) {
            throw new ProviderTimeoutException("interrupted before " + step + " (operation " + operationId + ")");
        }
        if (remaining().isNegative() || remaining().isZero()) {
            throw new ProviderTimeoutException("deadline passed before " + step + " (operation " + operationId + ")");
        }
    }
}
