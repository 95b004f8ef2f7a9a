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

    /** The longest {@link #remaining()} is: as many nanoseconds as a {@code long} holds (about 292 years). */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);
    /** The most negative {@link #remaining()} is. */
    private static final Duration LONGEST_PAST = Duration.ofNanos(Long.MIN_VALUE);

    public DiscoveryContext {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * A context with a deadline {@code timeout} from now on the system clock.
     *
     * <p>A timeout that would end past the latest instant ({@link Instant#MAX}) is refused rather than
     * cut to that instant: no deadline can be that far. One that ends before it is taken, however long;
     * {@link #remaining()} is at most about 292 years, so providers can still pass it on to their
     * blocking calls.
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

    /**
     * Time left before the deadline; zero or negative once it has passed. It is held to what
     * {@link Duration#toNanos()} can give, at most {@code Long.MAX_VALUE} nanoseconds (about 292
     * years) and at least {@code Long.MIN_VALUE} nanoseconds: a deadline further off, or longer past,
     * gives that bound. Providers pass {@code remaining().toNanos()} or {@code toMillis()} to their
     * blocking calls, which overflowed with an {@link ArithmeticException} for a deadline more than
     * 292 years off (a timeout that long is accepted by {@link #withTimeout}, and any deadline by
     * the constructor); no blocking call tells such a wait from one of 292 years.
     */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.compareTo(LONGEST) > 0 ? LONGEST : left.compareTo(LONGEST_PAST) < 0 ? LONGEST_PAST : left;
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
