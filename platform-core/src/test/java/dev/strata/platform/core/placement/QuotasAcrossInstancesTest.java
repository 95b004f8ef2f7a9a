package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.PostgresCluster;
import dev.strata.platform.core.store.PostgresClusterExtension;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant quotas with several instances on a real PostgreSQL: a quota the leader sets holds the
 * decisions of every instance (before, each instance enforced its own configuration file), and a
 * follower refuses to set one, naming the leader.
 */
@ExtendWith(PostgresClusterExtension.class)
class QuotasAcrossInstancesTest {

    static PostgresCluster pg;

    @TempDir
    Path etc;

    private JdbcStateStore instance(String url, String id) throws Exception {
        return instance(url, id, "300ms");
    }

    private JdbcStateStore instance(String url, String id, String electionInterval) throws Exception {
        Path folder = Files.createDirectories(etc.resolve(id));
        Files.writeString(folder.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        return StoreTestAccess.postgres(url, folder, id, true, electionInterval);
    }

    /** Runs the instance's election rounds until it leads (or, {@code leads} false, until it knows it does not). */
    private static void until(JdbcStateStore store, boolean leads) throws InterruptedException {
        long until = System.nanoTime() + 15_000_000_000L;
        do {
            StoreTestAccess.electionRound(store);
            Thread.sleep(50);
        } while (store.leadership().isLeader() != leads && System.nanoTime() < until);
        assertThat(store.leadership().isLeader()).as(store.leadership().instanceId() + " leads").isEqualTo(leads);
    }

    /**
     * A leader keeps the quotas it read until it changes them or its leadership changes (no one
     * else writes them while it leads): one that loses its leadership and wins it again reads the
     * quota another leader set in between. Leadership moves here as a network cut would move it:
     * the database ends the leader's lock session.
     */
    @Test
    void anInstanceThatLeadsAgainReadsTheQuotaAnotherLeaderSetMeanwhile() throws Exception {
        String url = pg.newDatabase("quotas_leading_again");
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        Contract four = new ContractDocumentReader().read("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}", "test");
        // a long interval: the election rounds run when the test says
        try (JdbcStateStore a = instance(url, "strata-a", "1h"); JdbcStateStore b = instance(url, "strata-b", "1h")) {
            until(a, true);
            PlacementService onA = new PlacementService(inventory, a, DurablePlacementTest.config(Map.of()), Map.of());
            PlacementService onB = new PlacementService(inventory, b, DurablePlacementTest.config(Map.of()), Map.of());
            onA.setQuota("bank", Map.of("gpus", "8"));
            assertThat(onA.place(four, true).placed()).as("read, and kept, under the quota of 8").isTrue();

            long epoch = a.leadership().epoch();
            assertThat(pg.terminate("strata strata-a leadership")).isEqualTo(1);
            until(b, true);
            until(a, false);
            onB.setQuota("bank", Map.of("gpus", "2"));

            assertThat(pg.terminate("strata strata-b leadership")).isEqualTo(1);
            until(a, true);
            assertThat(a.leadership().epoch()).isGreaterThan(epoch);
            assertThat(onA.place(four, true).summary()).as("A leads again, in a later epoch, and reads B's quota")
                    .isEqualTo("not placed: tenant bank would exceed its quota: 4 GPUs more on the 0 GPUs it holds, of 2 GPUs");
        }
    }

    /**
     * Instances that all write (no election): a quota one lowers while the other is deciding a
     * placement holds that placement when it commits after the change. The quota change moves the
     * ledger's generation in its transaction, and the commit is the database's conditional update
     * of that generation, so the other instance's commit is refused and it decides again. Before,
     * it committed 4 GPUs over a quota of 2 set by the other instance.
     */
    @Test
    void aQuotaOneWriterLowersWhileAnotherDecidesHoldsThatDecisionWhenItCommits() throws Exception {
        String url = pg.newDatabase("quotas_shared_writers");
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        Contract four = new ContractDocumentReader().read("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}", "test");
        Path fa = Files.createDirectories(etc.resolve("shared-a"));
        Path fb = Files.createDirectories(etc.resolve("shared-b"));
        Files.writeString(fa.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        Files.writeString(fb.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        try (JdbcStateStore a = StoreTestAccess.postgres(url, fa, "strata-a", false, "300ms");
                JdbcStateStore b = StoreTestAccess.postgres(url, fb, "strata-b", false, "300ms")) {
            assertThat(a.leadership().exclusive()).as("both instances write").isFalse();
            PlacementService onA = new PlacementService(inventory, a, DurablePlacementTest.config(Map.of()), Map.of());
            PlacementService onB = new PlacementService(inventory, b, DurablePlacementTest.config(Map.of()), Map.of());
            onB.setQuota("bank", Map.of("gpus", "8"));
            assertThat(onA.place(four, true).placed()).as("A decides under the quota of 8").isTrue();

            StoreQuotas quotas = new StoreQuotas(a);
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            onA.engine().quotas(() -> {
                TenantQuotas read = quotas.get();
                if (reads.incrementAndGet() == 1) {
                    onB.setQuota("bank", Map.of("gpus", "2")); // B lowers it right after A's decision read it
                }
                return read;
            });
            var decision = onA.place(four, false);

            assertThat(decision.placed()).as(decision.summary()).isFalse();
            assertThat(decision.summary()).isEqualTo("not placed: tenant bank would exceed its quota: 4 GPUs more on the 0 GPUs it holds, of 2 GPUs");
            assertThat(a.ledger().load().allocations()).as("nothing committed over the quota B set").isEmpty();
        }
    }

    @Test
    void aQuotaSetOnTheLeaderHoldsEveryInstancesDecisionsAndAFollowerRefusesToSetOne() throws Exception {
        String url = pg.newDatabase("quotas_across_instances");
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        Contract four = new ContractDocumentReader().read("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}", "test");
        try (JdbcStateStore a = instance(url, "strata-a"); JdbcStateStore b = instance(url, "strata-b")) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (List.of(a, b).stream().filter(s -> s.leadership().isLeader()).count() != 1) {
                assertThat(System.nanoTime()).as("one of the two instances leads").isLessThan(deadline);
                Thread.sleep(100);
            }
            JdbcStateStore leader = a.leadership().isLeader() ? a : b;
            JdbcStateStore follower = leader == a ? b : a;
            PlacementService onLeader = new PlacementService(inventory, leader, DurablePlacementTest.config(Map.of()), Map.of());
            PlacementService onFollower = new PlacementService(inventory, follower, DurablePlacementTest.config(Map.of()), Map.of());
            assertThat(onFollower.place(four, true).placed()).isTrue();

            onLeader.setQuota("bank", Map.of("gpus", "2"));
            assertThat(onFollower.place(four, true).summary()).as("the follower's dry run is held to the quota the leader set")
                    .isEqualTo("not placed: tenant bank would exceed its quota: 4 GPUs more on the 0 GPUs it holds, of 2 GPUs");
            assertThat(onFollower.tenants()).extracting(u -> u.gpuQuotaMilli()).containsExactly(2_000L);

            assertThatThrownBy(() -> onFollower.setQuota("bank", Map.of("gpus", "64"))).isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("is a follower and refuses writes; the leader is " + leader.leadership().instanceId());
            assertThat(onLeader.place(four, true).placed()).as("the follower changed nothing").isFalse();
        }
    }
}
