package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.audit.AuditReport;
import dev.strata.platform.audit.Checkpoint;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.PostgresClusterExtension;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances writing to one real PostgreSQL ({@code highAvailability=false}, started by the test
 * through {@link PostgresCluster}) each sign checkpoints of the provenance log: a signer that finds
 * the head already signed by the other takes that checkpoint as done instead of colliding with it.
 */
@ExtendWith(PostgresClusterExtension.class)
class SharedWritersCheckpointTest {

    static PostgresCluster pg;

    @TempDir
    Path dir;

    @Test
    void twoSharedWritersSigningTheSameHeadDoNotCollide() throws Exception {
        String url = pg.newDatabase("checkpoints");
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (JdbcStateStore storeA = StoreTestAccess.postgres(url, a, "strata-a", false, "1s");
                JdbcStateStore storeB = StoreTestAccess.postgres(url, b, "strata-b", false, "1s")) {
            ProvenanceService signerA = new ProvenanceService(storeA, ProvenanceServiceTest.config(1), a, Clock.systemUTC(), false);
            ProvenanceService signerB = new ProvenanceService(storeB, ProvenanceServiceTest.config(1), b, Clock.systemUTC(), false);

            // one after the other: the second finds the head signed and signs nothing, without an error
            signerA.append(ProvenanceEntry.of("placement", "karaf", Map.of("round", 0)));
            assertThat(signerA.checkpointIfDue()).isPresent();
            assertThat(signerB.checkpointIfDue()).isEmpty();
            assertThat(signerB.checkpointIfDue()).isEmpty();

            // at once, round after round: each head is signed once, and neither signer fails (a collision on the stored
            // checkpoint failed the loser's round, and every round after it until the head moved)
            List<Throwable> collisions = new ArrayList<>();
            int signed = 0;
            int rounds = 20;
            for (int round = 1; round <= rounds; round++) {
                (round % 2 == 0 ? signerA : signerB).append(ProvenanceEntry.of("placement", "karaf", Map.of("round", round)));
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Optional<Checkpoint>>> both = new ArrayList<>();
                for (ProvenanceService signer : List.of(signerA, signerB)) {
                    both.add(threads.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        return signer.checkpointIfDue();
                    }));
                }
                for (int i = 0; i < 2; i++) {
                    try {
                        if (both.get(i).get(30, TimeUnit.SECONDS).isPresent()) {
                            signed++;
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        collisions.add(e.getCause());
                    }
                }
                // the next round of each on the same head signs nothing and fails nothing
                for (ProvenanceService signer : List.of(signerA, signerB)) {
                    try {
                        if (signer.checkpointIfDue().isPresent()) {
                            signed++;
                        }
                    } catch (RuntimeException e) {
                        collisions.add(e);
                    }
                }
            }
            assertThat(collisions).as("checkpoint rounds that failed").isEmpty();
            assertThat(signed).isEqualTo(rounds);
            long head = storeA.provenance().head().seq();
            assertThat(storeA.provenance().checkpoints(0, 1000)).extracting(Checkpoint::seq).endsWith(head).doesNotHaveDuplicates();
            AuditReport report = signerA.verify();
            assertThat(report.holds()).as(report.failure()).isTrue();
            assertThat(report.signedThrough()).isEqualTo(head);
        } finally {
            threads.shutdownNow();
        }
    }
}
