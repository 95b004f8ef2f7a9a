package dev.strata.platform.api.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot generations increase across restarts with the clock set back, through the mark kept in
 * a file, which is replaced whole or not at all.
 */
class GenerationsTest {

    private static final Instant T = Instant.parse("2026-06-01T12:00:00Z");
    private final List<String> told = new ArrayList<>();

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static long stored(Path file) throws Exception {
        return Long.parseLong(Files.readString(file).strip());
    }

    private Generations stored(Path file, Clock clock) {
        return Generations.stored(file, clock, told::add);
    }

    /** A clock that stands still until the test moves it. */
    private static final class MovingClock extends Clock {
        volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void generationsIncreaseAcrossARestartWithTheClockSetBack(@TempDir Path dir) {
        Path file = Generations.file(dir, "aws", "aws-prod");
        Generations before = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        long first = before.next();
        long last = before.next();
        assertThat(first).as("no file: the first generation is the clock").isEqualTo(micros(T));
        assertThat(last).isGreaterThan(first);

        // an NTP step or a restored virtual machine: the clock an hour behind the one the generations were taken on
        Generations after = stored(file, Clock.fixed(T.minus(Duration.ofHours(1)), ZoneOffset.UTC));
        long restarted = after.next();
        assertThat(restarted).as("after the restart, above the generations before it").isGreaterThan(last);
        assertThat(after.next()).isGreaterThan(restarted);
        assertThat(after.warnings()).isEmpty();
        assertThat(told).isEmpty();

        Generations memory = Generations.inMemory(Clock.fixed(T.minus(Duration.ofHours(1)), ZoneOffset.UTC));
        assertThat(memory.next()).as("kept in memory only, they go back").isLessThan(first);
    }

    @Test
    void eachProviderInstanceKeepsItsOwnFileInTheDataFolder(@TempDir Path dir) {
        assertThat(Generations.file(dir, "aws", "aws-prod")).isEqualTo(dir.resolve("strata/aws/aws-prod/generation"));
        assertThat(Generations.file(dir, "openstack", "os.fra-1_b")).isEqualTo(dir.resolve("strata/openstack/os.fra-1_b/generation"));
        assertThat(Generations.file(dir, "aws", "../x/ä").getFileName().toString()).isEqualTo("generation");
        assertThat(Generations.file(dir, "aws", "../x/ä")).as("no name leads out of the folder")
                .isEqualTo(dir.resolve("strata/aws/%2E.%2Fx%2F%C3%A4/generation"));
        assertThatThrownBy(() -> Generations.file(dir, "aws", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("providerId is empty");

        Generations one = Generations.inDataFolder(dir, "aws", "one", Clock.fixed(T.plusSeconds(3600), ZoneOffset.UTC), told::add);
        one.next();
        Generations other = Generations.inDataFolder(dir, "aws", "other", Clock.fixed(T, ZoneOffset.UTC), told::add);
        assertThat(other.next()).as("another configuration's mark is not this one's").isEqualTo(micros(T));
    }

    @Test
    void theMarkIsWrittenAMinuteAheadReplacedWholeAndOnlyWhenPassed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("declared/generation");
        MovingClock clock = new MovingClock(T);
        Generations generations = stored(file, clock);
        assertThat(file).as("nothing is written before a generation is handed out").doesNotExist();

        long first = generations.next();
        assertThat(stored(file)).isEqualTo(first + Generations.RESERVE);
        assertThat(dir.resolve("declared/generation.tmp")).as("the temporary file is renamed over the mark").doesNotExist();
        Files.setLastModifiedTime(file, FileTime.from(T.minusSeconds(3600)));

        clock.now = T.plusSeconds(30);
        long within = generations.next();
        assertThat(within).isEqualTo(micros(T.plusSeconds(30)));
        assertThat(stored(file)).as("within the reserved minute nothing is written").isEqualTo(first + Generations.RESERVE);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(FileTime.from(T.minusSeconds(3600)));

        clock.now = T.plusSeconds(61);
        long past = generations.next();
        assertThat(past).isEqualTo(micros(T.plusSeconds(61)));
        assertThat(stored(file)).as("a generation past the mark writes a new one first").isEqualTo(past + Generations.RESERVE);
        try (var files = Files.list(dir.resolve("declared"))) {
            assertThat(files).as("only the mark is left").containsExactly(file);
        }
    }

    @Test
    void aMarkThatCannotBeWrittenLeavesTheStoredOneWholeAndIsReportedUntilItIs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation");
        long before = micros(T) + Generations.RESERVE;
        Files.writeString(file, before + "\n");
        Generations generations = stored(file, Clock.fixed(T.plusSeconds(600), ZoneOffset.UTC));
        // once the mark is read, the new one cannot be renamed over it: a folder (not empty, so it cannot be replaced) stands in its way
        Files.delete(file);
        Path blocker = Files.createDirectories(file);
        Files.writeString(blocker.resolve("something"), "x");

        long first = generations.next();
        assertThat(first).isGreaterThan(before);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(blocker);
        }
        assertThat(generations.warnings()).singleElement().asString().contains("the last generation cannot be written to " + file)
                .contains("may go back after a restart");
        long second = generations.next();
        assertThat(second).as("generations still increase, from memory").isGreaterThan(first);
        assertThat(generations.warnings()).hasSize(1);
        assertThat(told).as("told once").hasSize(1);

        Files.delete(blocker.resolve("something"));
        Files.delete(blocker);
        long written = generations.next();
        assertThat(written).isGreaterThan(second);
        assertThat(generations.warnings()).as("the warning goes once the mark is written").isEmpty();
        assertThat(stored(file)).isEqualTo(written + Generations.RESERVE);
    }

    @Test
    void aCorruptMarkStartsAboveItsModificationTimePlusTheReserveAndIsReplaced(@TempDir Path dir) throws Exception {
        for (String corrupt : new String[] {"", "17672256\u0000\u0000", "not a number\n", "-5\n", "9".repeat(100), Long.MAX_VALUE - 1 + "\n"}) {
            told.clear();
            Path file = dir.resolve("generation");
            Files.writeString(file, corrupt);
            // written an hour ahead of the clock now in force (which was set back since)
            Instant written = T.plus(Duration.ofHours(1));
            Files.setLastModifiedTime(file, FileTime.from(written));

            Generations generations = stored(file, Clock.fixed(T, ZoneOffset.UTC));
            long generation = generations.next();
            assertThat(generation).as("after %s", corrupt.length() > 20 ? "a long number" : "'" + corrupt + "'")
                    .isGreaterThan(micros(written) + Generations.RESERVE);
            assertThat(generations.warnings()).isEmpty();
            assertThat(told).singleElement().asString().contains(file.toString()).contains("not a whole number");
            assertThat(stored(file)).as("replaced by a mark above it").isGreaterThan(generation)
                    .isEqualTo(generation + Generations.RESERVE);
        }
    }

    /** The highest mark read as one (Generations.MAX_MARK): a larger number reads as corrupt. */
    private static final long MAX_MARK = Long.MAX_VALUE / 2;

    /**
     * A mark edited by hand to just below the highest mark read as one: the mark written after it is read back at the next
     * start, so generations go on increasing (from memory, once above it) instead of going back to the clock with the mark
     * read as corrupt.
     */
    @Test
    void aMarkNearTheHighestReadAsOneIsFollowedByMarksReadBackAtTheNextStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation");
        Files.writeString(file, (MAX_MARK - 5) + "\n");
        Generations generations = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        long first = generations.next();
        assertThat(first).isEqualTo(MAX_MARK - 4);
        assertThat(stored(file)).as("the next mark is held to the highest read as one").isEqualTo(MAX_MARK);
        assertThat(generations.warnings()).isEmpty();

        Generations restarted = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        assertThat(restarted.next()).as("after the restart, above the generation before it").isGreaterThan(first);
        assertThat(told).as("the mark written is read back").noneMatch(message -> message.contains("not a whole number"));
    }

    @Test
    void generationsAboveAMarkAtTheHighestReadAsOneIncreaseFromMemoryAndTheMarkIsKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation");
        Files.writeString(file, MAX_MARK + "\n");
        Generations generations = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        long first = generations.next();
        long second = generations.next();
        assertThat(first).as("above the mark, as after any mark").isEqualTo(MAX_MARK + 1);
        assertThat(second).isGreaterThan(first);
        assertThat(stored(file)).as("no mark above the highest read as one is written").isEqualTo(MAX_MARK);
        assertThat(generations.warnings()).singleElement().asString().contains("the last generation cannot be written to " + file)
                .contains("generations went above " + MAX_MARK).contains("may go back after a restart");
        assertThat(told).as("told once").hasSize(1);

        told.clear();
        assertThat(stored(file, Clock.fixed(T, ZoneOffset.UTC)).next()).as("the kept mark is read back, not as corrupt")
                .isEqualTo(MAX_MARK + 1);
        assertThat(told).singleElement().asString().doesNotContain("not a whole number");
    }

    @Test
    void aCorruptMarkOlderThanTheClockStartsAtTheClock(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation");
        Files.writeString(file, "garbage");
        Files.setLastModifiedTime(file, FileTime.from(T.minus(Duration.ofDays(1))));

        assertThat(stored(file, Clock.fixed(T, ZoneOffset.UTC)).next()).isEqualTo(micros(T));
    }

    @Test
    void anUnreadableMarkDoesNotFailNorGoBackAndIsReported(@TempDir Path dir) throws Exception {
        // a folder where the mark should be: it cannot be read, nor replaced
        Path file = Files.createDirectories(dir.resolve("generation"));
        Files.writeString(file.resolve("something"), "x");
        Instant modified = T.plus(Duration.ofHours(1));
        Files.setLastModifiedTime(file, FileTime.from(modified));

        Generations generations = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        assertThat(generations.next()).isGreaterThan(micros(modified) + Generations.RESERVE);
        assertThat(generations.warnings()).singleElement().asString().contains(file.toString()).contains("cannot be written");
        assertThat(told).hasSize(2).first().asString().contains("cannot be read from " + file);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    /** A clock that moves on by more than the reserve at each reading, so that every generation writes a new mark. */
    private static final class SteppingClock extends Clock {
        private final AtomicLong readings = new AtomicLong();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return T.plusSeconds(61 * readings.incrementAndGet());
        }
    }

    /**
     * An old provider instance whose call goes on after a new one started writes the same mark as the new one: each write has
     * a temporary file of its own, so the mark always reads back as a whole number and no write fails.
     */
    @Test
    void twoInstancesWritingOneMarkAtOnceLeaveItWhole(@TempDir Path dir) throws Exception {
        Path file = Generations.file(dir, "aws", "aws-prod");
        Generations old = stored(file, new SteppingClock());
        Generations current = stored(file, new SteppingClock());
        int writes = 500;
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> unreadable = new CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (Generations generations : List.of(old, current)) {
                writers.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < writes; i++) {
                        generations.next();
                    }
                    return null;
                }));
            }
            Future<?> reader = threads.submit(() -> {
                start.await();
                while (writing.get()) {
                    String text;
                    try {
                        text = Files.readString(file);
                    } catch (NoSuchFileException e) {
                        continue; // before the first mark
                    }
                    if (!text.matches("[0-9]+\n")) {
                        unreadable.add("'" + text + "'");
                    }
                }
                return null;
            });
            start.countDown();
            try {
                for (Future<?> writer : writers) {
                    writer.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writing.set(false);
            }
            reader.get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertThat(told).as("no write failed").isEmpty();
        assertThat(old.warnings()).isEmpty();
        assertThat(current.warnings()).isEmpty();
        assertThat(unreadable).as("the mark as read while the two wrote").isEmpty();
        assertThat(stored(file)).isPositive();
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("only the mark is left").containsExactly(file);
        }
    }

    @Test
    void temporaryFilesACrashLeftAreRemovedWhenTheMarkIsOpened(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation");
        Files.writeString(file, micros(T) + "\n");
        Files.writeString(dir.resolve("generation.tmp"), ""); // the name all writes shared before
        Files.writeString(dir.resolve("generation.4711.tmp"), "17");
        Files.writeString(dir.resolve("other.1.tmp"), "kept");
        Files.writeString(dir.resolve("generation.4711"), "kept");
        FileTime crashed = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        try (var files = Files.list(dir)) {
            for (Path left : files.toList()) {
                Files.setLastModifiedTime(left, crashed);
            }
        }

        Generations generations = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        try (var files = Files.list(dir)) {
            assertThat(files).as("the mark and what is not a temporary file of it are kept")
                    .containsExactlyInAnyOrder(file, dir.resolve("other.1.tmp"), dir.resolve("generation.4711"));
        }
        assertThat(generations.next()).isEqualTo(micros(T) + 1);
        assertThat(told).isEmpty();
    }

    /**
     * A new provider instance opening the mark while an old one's write is under way (its call goes on after the new one
     * started) leaves that write's temporary file, as young as the write, so that the write succeeds; only temporary files
     * older than any write takes are a crash's. Before, every temporary file was removed, and the old instance's write failed
     * with a warning and was tried again.
     */
    @Test
    void aTemporaryFileOfAWriteUnderWayIsLeftWhenTheMarkIsOpened(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation");
        Files.writeString(file, micros(T) + "\n");
        Path underWay = Files.writeString(dir.resolve("generation.8812.tmp"), "17"); // created by the old instance's write now
        Path crashed = Files.writeString(dir.resolve("generation.4711.tmp"), "17");
        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofMinutes(11))));

        stored(file, Clock.fixed(T, ZoneOffset.UTC));
        assertThat(underWay).as("the write under way").exists().hasContent("17");
        assertThat(crashed).as("one older than any write takes").doesNotExist();
        assertThat(told).isEmpty();
    }

    /**
     * The core interrupts a provider call past its deadline, and a provider that goes on to stamp its snapshot takes its
     * generation on the interrupted thread: the mark is written all the same, nothing is reported, and the interrupt is kept.
     */
    @Test
    void anInterruptedCallerStillWritesTheMarkAndKeepsItsInterrupt(@TempDir Path dir) throws Exception {
        Path file = Generations.file(dir, "aws", "aws-prod");
        Generations generations = stored(file, Clock.fixed(T, ZoneOffset.UTC));
        long generation;
        boolean interrupted;
        Thread.currentThread().interrupt();
        try {
            generation = generations.next();
        } finally {
            interrupted = Thread.interrupted();
        }
        assertThat(interrupted).as("the caller's interrupt is kept").isTrue();
        assertThat(stored(file)).isEqualTo(generation + Generations.RESERVE);
        assertThat(generations.warnings()).isEmpty();
        assertThat(told).isEmpty();
    }
}
