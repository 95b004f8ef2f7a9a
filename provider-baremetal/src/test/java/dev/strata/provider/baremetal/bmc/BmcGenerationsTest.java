package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BMC provider's snapshot generations survive a restart with the clock set back. */
class BmcGenerationsTest {

    private static final Instant T = Instant.parse("2026-06-01T12:00:00Z");

    private static BmcProvider provider(Path state, Instant now, Path data) {
        return new BmcProvider(new OperationJournal(state), 2, Duration.ofSeconds(5), Duration.ofSeconds(60), Clock.fixed(now, ZoneOffset.UTC),
                data);
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
    }

    /**
     * A new instance of the provider (its bundle restarted or updated, Karaf restarted) whose clock is an hour behind the
     * earlier instance's hands out generations above the earlier instance's, through the mark in the data folder. Before,
     * generations were the clock from memory: the new instance's went back an hour, and the core warned that they must
     * increase across bundle versions until the clock caught up.
     */
    @Test
    void generationsStayAboveAnEarlierInstancesAfterARestartWithTheClockSetBack(@TempDir Path dir) {
        Path data = dir.resolve("data");
        BmcProvider before = provider(dir.resolve("state"), T, data);
        long first = before.discoverCompute(context()).generation();
        long last = before.discoverCompute(context()).generation();
        before.close();
        assertThat(last).isGreaterThan(first);

        BmcProvider after = provider(dir.resolve("state"), T.minus(Duration.ofHours(1)), data);
        try {
            ComputeSnapshot snapshot = after.discoverCompute(context());
            assertThat(snapshot.generation()).as("above the earlier instance's, its clock an hour ahead").isGreaterThan(last);
            assertThat(snapshot.warnings()).isEmpty();
            assertThat(Generations.file(data, "bmc", BmcProvider.ID)).isRegularFile();
        } finally {
            after.close();
        }
    }
}
