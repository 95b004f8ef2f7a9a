package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generations of the declared provider increase across restarts with the clock set back,
 * through the mark kept in Karaf's data folder, which is replaced whole or not at all.
 */
class GenerationsTest {

    private static final Instant T = Instant.parse("2026-06-01T12:00:00Z");
    private final InventoryDocumentReader reader = InventoryDocumentReader.withBuiltInCatalogue();

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static long stored(Path file) throws Exception {
        return Long.parseLong(Files.readString(file).strip());
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

    private DeclaredInventoryProvider provider(Path dir, Clock clock, Path generationFile) {
        return new DeclaredInventoryProvider(dir.resolve("strata-inventory.yaml"), reader, clock, generationFile);
    }

    @Test
    void generationsIncreaseAcrossARestartWithTheClockSetBack(@TempDir Path dir) throws Exception {
        Path generationFile = dir.resolve("data/strata/declared/generation");
        DeclaredInventoryProvider before = provider(dir, Clock.fixed(T, ZoneOffset.UTC), generationFile);
        long first = before.discoverCompute(context()).generation();
        long last = before.discoverFabrics(context()).generation();
        before.deactivate();
        assertThat(first).as("no file: the first generation is the clock").isEqualTo(micros(T));
        assertThat(last).isGreaterThan(first);

        // an NTP step or a restored virtual machine: the clock an hour behind the one the generations were taken on
        DeclaredInventoryProvider after = provider(dir, Clock.fixed(T.minus(Duration.ofHours(1)), ZoneOffset.UTC), generationFile);
        ComputeSnapshot compute = after.discoverCompute(context());
        FabricSnapshot fabrics = after.discoverFabrics(context());
        after.deactivate();
        assertThat(compute.generation()).as("after the restart, above the generations before it").isGreaterThan(last);
        assertThat(fabrics.generation()).isGreaterThan(compute.generation());
        assertThat(compute.warnings()).isEmpty();

        DeclaredInventoryProvider again = provider(dir, Clock.fixed(T.minus(Duration.ofHours(2)), ZoneOffset.UTC), generationFile);
        assertThat(again.discoverCompute(context()).generation()).as("and after another restart").isGreaterThan(fabrics.generation());
        again.deactivate();
    }

    @Test
    void theMarkIsWrittenAMinuteAheadReplacedWholeAndOnlyWhenPassed(@TempDir Path dir) throws Exception {
        Path generationFile = dir.resolve("declared/generation");
        MovingClock clock = new MovingClock(T);
        DeclaredInventoryProvider provider = provider(dir, clock, generationFile);
        assertThat(generationFile).as("nothing is written before a generation is handed out").doesNotExist();

        long first = provider.discoverCompute(context()).generation();
        assertThat(stored(generationFile)).isEqualTo(first + Generations.RESERVE);
        assertThat(dir.resolve("declared/generation.tmp")).as("the temporary file is renamed over the mark").doesNotExist();
        Files.setLastModifiedTime(generationFile, FileTime.from(T.minusSeconds(3600)));

        clock.now = T.plusSeconds(30);
        long within = provider.discoverFabrics(context()).generation();
        assertThat(within).isEqualTo(micros(T.plusSeconds(30)));
        assertThat(stored(generationFile)).as("within the reserved minute nothing is written").isEqualTo(first + Generations.RESERVE);
        assertThat(Files.getLastModifiedTime(generationFile)).isEqualTo(FileTime.from(T.minusSeconds(3600)));

        clock.now = T.plusSeconds(61);
        long past = provider.discoverCompute(context()).generation();
        assertThat(past).isEqualTo(micros(T.plusSeconds(61)));
        assertThat(stored(generationFile)).as("a generation past the mark writes a new one first").isEqualTo(past + Generations.RESERVE);
        try (var files = Files.list(dir.resolve("declared"))) {
            assertThat(files).as("only the mark is left").containsExactly(generationFile);
        }
    }

    @Test
    void aMarkThatCannotBeWrittenLeavesTheStoredOneWholeAndIsReportedUntilItIs(@TempDir Path dir) throws Exception {
        Path generationFile = dir.resolve("generation");
        long before = micros(T) + Generations.RESERVE;
        Files.writeString(generationFile, before + "\n");
        // the temporary file cannot be created: a folder (not empty, so it cannot be removed) stands in its way
        Path blocker = Files.createDirectories(dir.resolve("generation.tmp"));
        Files.writeString(blocker.resolve("something"), "x");

        DeclaredInventoryProvider provider = provider(dir, Clock.fixed(T.plusSeconds(600), ZoneOffset.UTC), generationFile);
        ComputeSnapshot compute = provider.discoverCompute(context());
        assertThat(compute.generation()).isGreaterThan(before);
        assertThat(Files.readString(generationFile)).as("the stored mark is left whole").isEqualTo(before + "\n");
        assertThat(compute.warnings()).singleElement().asString().contains("the last generation cannot be written to " + generationFile)
                .contains("may go back after a restart");
        FabricSnapshot fabrics = provider.discoverFabrics(context());
        assertThat(fabrics.generation()).as("generations still increase, from memory").isGreaterThan(compute.generation());
        assertThat(fabrics.warnings()).hasSize(1);

        Files.delete(blocker.resolve("something"));
        Files.delete(blocker);
        ComputeSnapshot written = provider.discoverCompute(context());
        assertThat(written.generation()).isGreaterThan(fabrics.generation());
        assertThat(written.warnings()).as("the warning goes once the mark is written").isEmpty();
        assertThat(stored(generationFile)).isEqualTo(written.generation() + Generations.RESERVE);
    }

    @Test
    void aCorruptMarkStartsAboveItsModificationTimePlusTheReserveAndIsReplaced(@TempDir Path dir) throws Exception {
        for (String corrupt : new String[] {"", "17672256\u0000\u0000", "not a number\n", "-5\n", "9".repeat(100), Long.MAX_VALUE - 1 + "\n"}) {
            Path generationFile = dir.resolve("generation");
            Files.writeString(generationFile, corrupt);
            // written an hour ahead of the clock now in force (which was set back since)
            Instant written = T.plus(Duration.ofHours(1));
            Files.setLastModifiedTime(generationFile, FileTime.from(written));

            DeclaredInventoryProvider provider = provider(dir, Clock.fixed(T, ZoneOffset.UTC), generationFile);
            ComputeSnapshot compute = provider.discoverCompute(context());
            provider.deactivate();
            assertThat(compute.generation()).as("after %s", corrupt.length() > 20 ? "a long number" : "'" + corrupt + "'")
                    .isGreaterThan(micros(written) + Generations.RESERVE);
            assertThat(compute.warnings()).isEmpty();
            assertThat(stored(generationFile)).as("replaced by a mark above it").isGreaterThan(compute.generation())
                    .isEqualTo(compute.generation() + Generations.RESERVE);
        }
    }

    @Test
    void aCorruptMarkOlderThanTheClockStartsAtTheClock(@TempDir Path dir) throws Exception {
        Path generationFile = dir.resolve("generation");
        Files.writeString(generationFile, "garbage");
        Files.setLastModifiedTime(generationFile, FileTime.from(T.minus(Duration.ofDays(1))));

        DeclaredInventoryProvider provider = provider(dir, Clock.fixed(T, ZoneOffset.UTC), generationFile);
        assertThat(provider.discoverCompute(context()).generation()).isEqualTo(micros(T));
    }

    @Test
    void anUnreadableMarkDoesNotFailDiscoveryNorGoBackAndIsReported(@TempDir Path dir) throws Exception {
        // a folder where the mark should be: it cannot be read, nor replaced
        Path generationFile = Files.createDirectories(dir.resolve("generation"));
        Files.writeString(generationFile.resolve("something"), "x");
        Instant modified = T.plus(Duration.ofHours(1));
        Files.setLastModifiedTime(generationFile, FileTime.from(modified));

        DeclaredInventoryProvider provider = provider(dir, Clock.fixed(T, ZoneOffset.UTC), generationFile);
        ComputeSnapshot compute = provider.discoverCompute(context());
        assertThat(compute.generation()).isGreaterThan(micros(modified) + Generations.RESERVE);
        assertThat(compute.warnings()).singleElement().asString().contains(generationFile.toString()).contains("cannot be written");
        assertThat(dir.resolve("generation.tmp")).as("no temporary file left behind").doesNotExist();
    }
}
