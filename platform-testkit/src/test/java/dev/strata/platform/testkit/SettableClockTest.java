package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SettableClockTest {

    private static final Instant T = Instant.parse("2026-12-02T08:00:00Z");

    @Test
    void aClockAtAnInstantStandsStillUntilMoved() {
        SettableClock clock = SettableClock.at(T);
        assertThat(clock.instant()).isEqualTo(T);
        assertThat(clock.instant()).isEqualTo(T);
        assertThat(clock.millis()).isEqualTo(T.toEpochMilli());

        assertThat(clock.advance(Duration.ofSeconds(31)).instant()).isEqualTo(T.plusSeconds(31));
        assertThat(clock.back(Duration.ofMinutes(1)).instant()).isEqualTo(T.minusSeconds(29));
        assertThat(clock.set(T.plus(Duration.ofHours(2))).instant()).isEqualTo(T.plus(Duration.ofHours(2)));
        assertThat(clock.offset()).isEqualTo(Duration.ofHours(2));
        assertThat(clock.set(T.minusNanos(1)).instant()).as("set exactly, to the nanosecond").isEqualTo(T.minusNanos(1));
    }

    @Test
    void aSystemClockGoesOnFromWhereItIsSet() {
        SettableClock clock = SettableClock.system();
        Instant before = Instant.now();
        Instant read = clock.instant();
        assertThat(read).isBetween(before, Instant.now());

        clock.advance(Duration.ofHours(2));
        before = Instant.now();
        read = clock.instant();
        assertThat(read).isBetween(before.plus(Duration.ofHours(2)), Instant.now().plus(Duration.ofHours(2)));

        clock.set(T);
        read = clock.instant();
        Instant later = clock.instant();
        assertThat(read).isAfterOrEqualTo(T);
        assertThat(later).as("time goes on from the instant set").isAfterOrEqualTo(read);
        assertThat(Duration.between(T, read)).isLessThan(Duration.ofHours(1));

        clock.back(Duration.ofDays(1));
        assertThat(clock.instant()).isBefore(T);
    }

    @Test
    void aClockByReadingAnswersItsNthReadingAtStartPlusElapsed() {
        SettableClock coarse = SettableClock.byReading(T, n -> Duration.ofMillis(500 * (n / 3)));
        List<Instant> read = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            read.add(coarse.instant());
        }
        assertThat(read).containsExactly(T, T, T, T.plusMillis(500), T.plusMillis(500), T.plusMillis(500), T.plusMillis(1000));
        assertThat(coarse.readings()).isEqualTo(7);

        SettableClock setBack = SettableClock.byReading(T, n -> Duration.ofMillis(500 * n - (n >= 3 ? 2000 : 0)));
        assertThat(List.of(setBack.instant(), setBack.instant(), setBack.instant(), setBack.instant()))
                .containsExactly(T, T.plusMillis(500), T.plusMillis(1000), T.minusMillis(500));

        SettableClock moved = SettableClock.byReading(T, n -> Duration.ofSeconds(n));
        moved.instant();
        moved.set(T.plusSeconds(60));
        assertThat(moved.instant()).as("the next reading reads what was set").isEqualTo(T.plusSeconds(60));
        assertThat(moved.instant()).isEqualTo(T.plusSeconds(61));
    }

    @Test
    void itsZoneIsUtcAndAViewInAnotherZoneMovesWithIt() {
        SettableClock clock = SettableClock.at(T);
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);

        ZoneId berlin = ZoneId.of("Europe/Berlin");
        SettableClock view = clock.withZone(berlin);
        assertThat(view.getZone()).isEqualTo(berlin);
        assertThat(clock.getZone()).as("the clock itself keeps its zone").isEqualTo(ZoneOffset.UTC);
        clock.advance(Duration.ofMinutes(5));
        assertThat(view.instant()).isEqualTo(T.plus(Duration.ofMinutes(5)));
        view.back(Duration.ofMinutes(10));
        assertThat(clock.instant()).isEqualTo(T.minus(Duration.ofMinutes(5)));
        assertThat(java.time.LocalTime.now(view)).isEqualTo(java.time.LocalTime.of(8, 55));
    }

    @Test
    void movesFromManyThreadsAreAllKeptAndEveryReadingIsCounted() throws InterruptedException {
        SettableClock clock = SettableClock.byReading(T, n -> Duration.ofNanos(n));
        int threads = 4;
        int each = 1000;
        CountDownLatch start = new CountDownLatch(1);
        Set<Instant> seen = ConcurrentHashMap.newKeySet();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    seen.add(clock.instant());
                    clock.advance(Duration.ofSeconds(1));
                }
            });
            thread.start();
            running.add(thread);
        }
        start.countDown();
        for (Thread thread : running) {
            thread.join();
        }
        assertThat(clock.readings()).isEqualTo(threads * each);
        assertThat(seen).as("each reading its own n").hasSize(threads * each);
        assertThat(clock.offset()).as("no move lost").isEqualTo(Duration.ofSeconds(threads * each));
    }

    @Test
    void nullsAreRefusedByName() {
        assertThatThrownBy(() -> SettableClock.at(null)).isInstanceOf(NullPointerException.class).hasMessage("start");
        assertThatThrownBy(() -> SettableClock.byReading(T, null)).isInstanceOf(NullPointerException.class).hasMessage("elapsed");
        SettableClock clock = SettableClock.at(T);
        assertThatThrownBy(() -> clock.set(null)).isInstanceOf(NullPointerException.class).hasMessage("instant");
        assertThatThrownBy(() -> clock.advance(null)).isInstanceOf(NullPointerException.class).hasMessage("by");
        assertThatThrownBy(() -> clock.withZone(null)).isInstanceOf(NullPointerException.class).hasMessage("zone");
        assertThat(clock.instant()).as("unmoved by what was refused").isEqualTo(T);
    }
}
