package dev.strata.platform.api.provider;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import java.time.Clock;
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

    /** A context with a deadline {@code timeout} from now on the system clock. */
    public static DiscoveryContext withTimeout(String operationId, Duration timeout) {
        Clock clock = Clock.systemUTC();
        return new DiscoveryContext(operationId, clock.instant().plus(timeout), clock);
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
