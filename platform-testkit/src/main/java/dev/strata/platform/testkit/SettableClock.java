package dev.strata.platform.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * A {@link Clock} that a test moves, for code that takes its clock as a constructor argument.
 * It reads one of three ways, chosen by the factory, plus an offset that {@link #set},
 * {@link #advance} and {@link #back} change:
 *
 * <ul>
 * <li>{@link #at(Instant)}: stands still at an instant until the test moves it;</li>
 * <li>{@link #system()}: the system's clock, which a test sets ahead or behind (a skew between
 * two hosts, an NTP step) while time goes on;</li>
 * <li>{@link #byReading(Instant, LongFunction)}: its {@code n}th reading (counted from 0) is
 * {@code start + elapsed(n)}, for a clock that moves on as it is read (a coarse clock whose
 * readings repeat, a clock set back at a given reading).</li>
 * </ul>
 *
 * <pre>
 * SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
 * Cache cache = new Cache(clock);
 * clock.advance(Duration.ofSeconds(31));   // every later reading is 31 s on
 * </pre>
 *
 * Thread-safe: the code under test may read it from any thread while the test moves it; a move is
 * seen by every reading that starts after it. Its zone is UTC unless {@link #withZone} gives a
 * view in another zone, which reads and moves together with this clock.
 */
public final class SettableClock extends Clock {

    private final State state;
    private final ZoneId zone;

    private SettableClock(State state, ZoneId zone) {
        this.state = state;
        this.zone = zone;
    }

    /** A clock that stands still at {@code start} until the test moves it. */
    public static SettableClock at(Instant start) {
        Objects.requireNonNull(start, "start");
        return new SettableClock(new State(n -> start), ZoneOffset.UTC);
    }

    /** The system's clock ({@link Instant#now()}), off by nothing until the test moves it. */
    public static SettableClock system() {
        return new SettableClock(new State(n -> Instant.now()), ZoneOffset.UTC);
    }

    /**
     * A clock whose {@code n}th reading, counted from 0, is {@code start.plus(elapsed.apply(n))}
     * (plus whatever the test moved it by): {@code n -> Duration.ofMillis(500 * (n / 3))} moves on
     * by half a second every third reading. Readings are counted across all threads and zone views.
     */
    public static SettableClock byReading(Instant start, LongFunction<Duration> elapsed) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(elapsed, "elapsed");
        return new SettableClock(new State(n -> start.plus(elapsed.apply(n))), ZoneOffset.UTC);
    }

    /**
     * Makes the clock read {@code instant} now: a clock made by {@link #at} stands there, one made
     * by {@link #system} goes on from there with the system's clock.
     */
    public SettableClock set(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        state.offset.set(Duration.between(state.source.apply(state.readings.get()), instant));
        return this;
    }

    /** Moves the clock forward by {@code by} (back where it is negative). */
    public SettableClock advance(Duration by) {
        Objects.requireNonNull(by, "by");
        state.offset.accumulateAndGet(by, Duration::plus);
        return this;
    }

    /** Sets the clock back by {@code by}, as an NTP step does. */
    public SettableClock back(Duration by) {
        Objects.requireNonNull(by, "by");
        return advance(by.negated());
    }

    /** How far the test has moved the clock in all, from where it would read unmoved. */
    public Duration offset() {
        return state.offset.get();
    }

    /** How many times the clock has been read ({@link #instant()}, {@link #millis()}), by any view. */
    public long readings() {
        return state.readings.get();
    }

    @Override
    public Instant instant() {
        return state.read();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view of this clock in {@code zone}: it reads the same instants and moves with this one. */
    @Override
    public SettableClock withZone(ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        return zone.equals(this.zone) ? this : new SettableClock(state, zone);
    }

    @Override
    public String toString() {
        return "SettableClock[offset=" + state.offset.get() + ", readings=" + state.readings.get() + ", zone=" + zone + "]";
    }

    /** What a clock and its zone views share. */
    private static final class State {
        final LongFunction<Instant> source;
        final AtomicLong readings = new AtomicLong();
        final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        State(LongFunction<Instant> source) {
            this.source = source;
        }

        Instant read() {
            Instant unmoved = source.apply(readings.getAndIncrement());
            Duration by = offset.get();
            return by.isZero() ? unmoved : unmoved.plus(by);
        }
    }
}
