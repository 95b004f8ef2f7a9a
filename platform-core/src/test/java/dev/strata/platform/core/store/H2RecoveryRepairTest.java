package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.placement.Allocation;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start after a kill -9 keeps the newest commit also across the next stop ({@link H2RecoveryRepair}).
 */
class H2RecoveryRepairTest {

    @TempDir
    Path data;

    /**
     * The fixture is an embedded file as a kill -9 test left it, taken before anything opened it again:
     * the placing JVM (retention time 200 ms) was killed just after H2 wrote a chunk where a dead chunk
     * had been, before that chunk became the one a start recovers. Its newest acknowledged commit is at
     * ledger generation 75 (round 2 of that test placed a-004097 to a-004112 and released a-000027,
     * a-000035, a-000040 and a-002062). H2 recovers generation 75 on the first open; but the store's
     * open closes the database and opens it again, and that second open read generation 63 (chunk 0x84
     * instead of 0x8c): the test saw the round's acknowledged placements missing.
     */
    @Test
    void aStartAfterAKillKeepsTheNewestCommitAcrossTheNextStop() throws Exception {
        Path file = data.resolve("strata/store.mv.db");
        Files.createDirectories(file.getParent());
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("killed-after-chunk-reuse.mv.db.gz"))) {
            Files.copy(in, file);
        }
        for (int start = 1; start <= 2; start++) {
            try (JdbcStateStore store = Stores.embedded(data)) {
                List<String> held = store.ledger().load().allocations().stream().map(Allocation::id).toList();
                assertThat(store.ledger().generation()).as("start %d", start).isEqualTo(75);
                assertThat(held).as("start %d", start).contains("a-004097", "a-004104", "a-004110", "a-004112")
                        .doesNotContain("a-000027", "a-000035", "a-000040", "a-002062");
            }
        }
    }
}
