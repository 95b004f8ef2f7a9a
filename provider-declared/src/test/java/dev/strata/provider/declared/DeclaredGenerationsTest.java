package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.Generations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generations of the declared provider increase across restarts with the clock set back,
 * through the mark kept in Karaf's data folder; the mark itself is {@code platform-api}'s
 * {@code GenerationsTest}'s.
 */
class DeclaredGenerationsTest {

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
    void aMarkThatCannotBeWrittenLeavesTheStoredOneWholeAndIsReportedUntilItIs(@TempDir Path dir) throws Exception {
        Path generationFile = dir.resolve("generation");
        long before = micros(T) + Generations.RESERVE;
        Files.writeString(generationFile, before + "\n");
        DeclaredInventoryProvider provider = provider(dir, Clock.fixed(T.plusSeconds(600), ZoneOffset.UTC), generationFile);
        // once the mark is read, the new one cannot be renamed over it: a folder (not empty, so it cannot be replaced) stands in its way
        Files.delete(generationFile);
        Path blocker = Files.createDirectories(generationFile);
        Files.writeString(blocker.resolve("something"), "x");

        ComputeSnapshot compute = provider.discoverCompute(context());
        assertThat(compute.generation()).isGreaterThan(before);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").noneMatch(f -> f.getFileName().toString().endsWith(".tmp"));
        }
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
}
