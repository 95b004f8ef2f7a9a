package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.InvalidQuotaException;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreTestAccess;
import dev.strata.platform.core.store.Tenant;
import dev.strata.platform.testkit.RecordingRejections;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant quotas kept in the state store: set through placement (who set them recorded with them),
 * read by every decision of every placement service over the store, kept across a restart, refused
 * whole when a limit is wrong, and never set by a tenant's user. The store is the real embedded
 * one (H2 in a file), as in the distribution.
 */
class StoreQuotasTest {

    private static final ContractDocumentReader READER = new ContractDocumentReader();

    @TempDir
    Path data;

    /**
     * Places a one-CPU contract of tenant {@code filler} from inside a decision's quota read, marked
     * {@code nested} meanwhile so that the read hook lets its own reads through: its commit makes the
     * decision that is reading lose its attempt and decide again.
     */
    private static void commitsMeanwhile(PlacementService placement, String name, java.util.concurrent.atomic.AtomicBoolean nested) {
        nested.set(true);
        try {
            assertThat(placement.place(contract("{name: " + name + ", tenant: filler, members: [{name: m, cpu: 1}]}"), false).placed())
                    .as("the placement committed meanwhile").isTrue();
        } finally {
            nested.set(false);
        }
    }

    private static Contract contract(String yaml) {
        return READER.read(yaml, "test");
    }

    /** Placement as the distribution starts it: over the store's ledger, held to the store's quotas. */
    private static PlacementService placement(Inventory inventory, JdbcStateStore store) {
        return new PlacementService(inventory, store, DurablePlacementTest.config(Map.of()), Map.of());
    }

    private static Map<String, String> limits(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static List<LogRecord> quotaRecords(JdbcStateStore store) {
        return store.provenance().find(new AuditFilter(null, null, null, null, "quota", null, null, 100, false));
    }

    @Test
    void aQuotaSetInTheStoreHoldsTheNextDecisionOfEveryPlacementOverItAndIsRecordedWithWhoSetIt() {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null).inventory();
        Contract four = contract("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}");
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService one = placement(inventory, store);
            PlacementService other = placement(inventory, store);
            TenantUse set = TenantUsers.as("alice", () -> one.setQuota("bank", limits("gpus", "6", "memory", "1TiB")), "admin");
            assertThat(set).isEqualTo(new TenantUse("bank", 0, 0, 0, 0, 6_000, -1, 1L << 40));

            assertThat(one.place(four, false).placed()).isTrue();
            assertThat(other.place(four, true).summary()).as("the other placement service reads the same quota")
                    .isEqualTo("not placed: tenant bank would exceed its quota: 4 GPUs more on the 4 GPUs it holds, of 6 GPUs");
            assertThat(other.tenants()).containsExactly(new TenantUse("bank", 1, 4_000, 1_000, 0, 6_000, -1, 1L << 40));

            List<LogRecord> records = quotaRecords(store);
            assertThat(records).singleElement().satisfies(r -> {
                assertThat(r.actor()).isEqualTo("alice");
                assertThat(r.subjects()).isEqualTo(Map.of("tenant", "bank"));
                assertThat(r.payload()).isEqualTo(Map.of("tenant", "bank", "action", "set", "quota", Map.of("gpus", "6 GPUs", "memory",
                        "1 TiB"), "before", Map.of()));
            });

            // what is given replaces the quota: memory is no longer limited
            other.setQuota("bank", limits("gpus", "8"));
            assertThat(one.place(four, true).placed()).isTrue();
            assertThat(one.tenants()).containsExactly(new TenantUse("bank", 1, 4_000, 1_000, 0, 8_000, -1, -1));
            assertThat(quotaRecords(store).get(1).payload()).containsEntry("before", Map.of("gpus", "6 GPUs", "memory", "1 TiB"))
                    .containsEntry("quota", Map.of("gpus", "8 GPUs"));
        }
        // kept across a restart, as every other durable state
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService again = placement(inventory, store);
            assertThat(again.place(contract("{name: b, tenant: bank, members: [{name: m, cpu: 1, gpus: 5}]}"), true).summary())
                    .isEqualTo("not placed: tenant bank would exceed its quota: 5 GPUs more on the 4 GPUs it holds, of 8 GPUs");
            TenantUse removed = again.setQuota("bank", Map.of());
            assertThat(removed.limited()).isFalse();
            assertThat(again.place(contract("{name: b, tenant: bank, members: [{name: m, cpu: 1, gpus: 5}]}"), true).placed()).isTrue();
            assertThat(quotaRecords(store)).last().satisfies(r -> assertThat(r.payload()).containsEntry("action", "removed")
                    .containsEntry("quota", Map.of()).containsEntry("before", Map.of("gpus", "8 GPUs")));
            assertThat(store.tenants().get("bank").orElseThrow().attributes()).as("no quota attribute is left behind").isEmpty();
        }
    }

    /**
     * Quota changes made at once: each {@code quota} record names as before the quota that the
     * change before it left, so that the provenance log tells the quota's history without a gap.
     * Before, each change read the tenant's record ahead of its write transaction, and two made at
     * once both named the quota they had started from (the later one's before was not what it
     * replaced).
     */
    @Test
    void quotaChangesMadeAtOnceEachNameAsBeforeTheQuotaTheChangeBeforeThemLeft() throws Exception {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            int threads = 3;
            int each = 30;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 1; i <= each; i++) {
                            placement.setQuota("bank", limits("gpus", Integer.toString(thread * 1000 + i)));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            List<LogRecord> records = quotaRecords(store);
            assertThat(records).hasSize(threads * each);
            Object before = Map.of();
            for (LogRecord r : records) {
                assertThat(r.payload().get("before")).as("record %s: before is what the record before it set", r.seq()).isEqualTo(before);
                before = r.payload().get("quota");
            }
            assertThat(before).isEqualTo(TenantQuotas.stated(TenantQuotas.of(store.tenants().list()).of("bank").orElseThrow()));
        }
    }

    /**
     * The leader keeps the quotas it read between changes; whatever runs at the same time, a
     * change that returned is seen by the next reading (each setter checks its own tenant right
     * after its change, while others change theirs and readers read all the time), and nothing
     * read is older than what the store holds once the changes end.
     */
    @Test
    void aQuotaChangeThatReturnedIsSeenByTheNextReadingWhateverRunsBesideIt() throws Exception {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            List<java.util.concurrent.Future<?>> work = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                String tenant = "t" + s;
                work.add(pool.submit(() -> {
                    for (int i = 1; i <= 40; i++) {
                        placement.setQuota(tenant, limits("gpus", Integer.toString(i)));
                        long seen = placement.tenants().stream().filter(u -> u.tenant().equals(tenant)).findFirst().orElseThrow().gpuQuotaMilli();
                        assertThat(seen).as(tenant + " right after its change " + i).isEqualTo(i * 1000L);
                    }
                    return null;
                }));
            }
            List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(pool.submit(() -> {
                    while (!done.get()) {
                        placement.place(contract("{name: a, tenant: t0, members: [{name: m, cpu: 1}]}"), true);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : work) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
            done.set(true);
            for (java.util.concurrent.Future<?> f : readers) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(placement.tenants()).extracting(TenantUse::gpuQuotaMilli).containsExactly(40_000L, 40_000L, 40_000L, 40_000L);
            assertThat(placement.tenants()).isEqualTo(new StoreQuotas(store).get().with(List.of()));
        }
    }

    /**
     * A quota lowered while a placement is being decided holds that placement when it commits
     * after the change: the decision read the old quota, and the change moves the allocation
     * ledger's generation in its own transaction, so the commit is refused as decided on a ledger
     * that moved and the placement decides again under the new quota. Before, the decision
     * committed over the quota that had been lowered beneath it, and the tenant held 4 GPUs of 2.
     */
    @Test
    void aQuotaLoweredWhileAPlacementIsDecidedHoldsItWhenItCommitsAfterTheChange() {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            placement.setQuota("bank", limits("gpus", "8"));
            StoreQuotas quotas = new StoreQuotas(store);
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            // the quota is lowered right after the first decision has read it, as another operator's change would land
            placement.engine().quotas(() -> {
                TenantQuotas read = quotas.get();
                if (reads.incrementAndGet() == 1) {
                    TenantUsers.as("alice", () -> placement.setQuota("bank", limits("gpus", "2")), "admin");
                }
                return read;
            });

            PlacementDecision d = placement.place(contract("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}"), false);

            assertThat(d.placed()).as(d.summary()).isFalse();
            assertThat(d.summary()).isEqualTo("not placed: tenant bank would exceed its quota: 4 GPUs more on the 0 GPUs it holds, of 2 GPUs");
            assertThat(reads).as("decided again after the change").hasValueGreaterThan(1);
            assertThat(store.ledger().load().allocations()).as("nothing committed over the lowered quota").isEmpty();
            assertThat(placement.tenants()).containsExactly(new TenantUse("bank", 0, 0, 0, 0, 2_000, -1, -1));
            // and the next placement within the quota is placed as usual
            assertThat(placement.place(contract("{name: b, tenant: bank, members: [{name: m, cpu: 1, gpus: 2}]}"), false).placed()).isTrue();
        }
    }

    /**
     * A quota lowered while placements are in the store's write queue holds those queued after it,
     * also one that was decided on a ledger holding another placement still in the queue. The
     * embedded store's writer applies changes in the order they were queued: the quota change,
     * then a placement decided on the quota it replaced (refused, as decided on the generation the
     * quota change moved), then a second placement decided on the ledger with the first in it.
     * Before, the second one's expected generation was the one the quota change had made, since
     * the first was refused, and it committed 4 GPUs over the quota of 2.
     */
    @Test
    void aQuotaLoweredAheadOfQueuedPlacementsHoldsEveryOneOfThem() throws Exception {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            placement.setQuota("bank", limits("gpus", "8"));
            java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            // the writer is held in a write of its own, so that what follows queues behind it
            var held = store.tenants().update("other", before -> {
                writing.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new dev.strata.platform.core.store.TenantStore.Change(new Tenant("other", "other", null, Map.of()), null);
            });
            assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                long changes = store.tenants().changes();
                List<Thread> setter = new java.util.concurrent.CopyOnWriteArrayList<>();
                var lowered = pool.submit(() -> {
                    setter.add(Thread.currentThread());
                    return TenantUsers.as("alice", () -> placement.setQuota("bank", limits("gpus", "2")), "admin");
                });
                // the quota change queued: counted, then handed to the writer, and its caller waiting for it
                waitFor(() -> store.tenants().changes() > changes && queued(setter));
                List<Thread> deciders = new java.util.concurrent.CopyOnWriteArrayList<>();
                var first = pool.submit(() -> {
                    deciders.add(Thread.currentThread());
                    return placement.place(contract("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}"), false);
                });
                waitFor(() -> deciders.size() == 1 && deciders.get(0).getState() == Thread.State.WAITING);
                var second = pool.submit(() -> {
                    deciders.add(Thread.currentThread());
                    return placement.place(contract("{name: b, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}"), false);
                });
                waitFor(() -> deciders.size() == 2 && deciders.get(1).getState() == Thread.State.WAITING);
                go.countDown();
                held.get(10, java.util.concurrent.TimeUnit.SECONDS);
                lowered.get(10, java.util.concurrent.TimeUnit.SECONDS);
                PlacementDecision a = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
                PlacementDecision b = second.get(10, java.util.concurrent.TimeUnit.SECONDS);

                assertThat(store.ledger().load().allocations()).as("nothing committed over the quota of 2: %s; %s", a.summary(), b.summary())
                        .isEmpty();
                assertThat(List.of(a.summary(), b.summary())).containsOnly(
                        "not placed: tenant bank would exceed its quota: 4 GPUs more on the 0 GPUs it holds, of 2 GPUs");
                assertThat(placement.place(contract("{name: c, tenant: bank, members: [{name: m, cpu: 1, gpus: 2}]}"), false).placed()).isTrue();
            } finally {
                go.countDown();
                pool.shutdownNow();
            }
        }
    }

    /**
     * A quota change made while a placement decides its last attempt under the commit lock waits
     * for that attempt's commit: the attempt cannot lose, and it does not fail. Here the attempts
     * before lose to other placements (the last one to a placement queued behind a quota change
     * in the store's writer). Before, the quota change did not take the commit lock and the ledger
     * did not know of it: the placement queued behind it was refused by the store while the last
     * attempt, which had built on it, decided, and that attempt failed as "decided under the
     * commit lock went stale".
     */
    @Test
    void aQuotaChangeDoesNotFailAPlacementDecidingUnderTheCommitLock() throws Exception {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = new PlacementService(inventory, store, DurablePlacementTest.config(Map.of("deciders", 4)), Map.of());
            StoreQuotas quotas = new StoreQuotas(store);
            Thread decider = Thread.currentThread();
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean nested = new java.util.concurrent.atomic.AtomicBoolean();
            // the attempt whose read the decider has left last
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> others = new java.util.concurrent.CopyOnWriteArrayList<>();
            long[] generation = new long[1];
            placement.engine().quotas(() -> {
                TenantQuotas read = quotas.get();
                if (Thread.currentThread() != decider || nested.get()) {
                    return read;
                }
                int n = reads.incrementAndGet();
                try {
                    if (n < PlacementEngine.COMMIT_ATTEMPTS) {
                        // another placement commits while this one decides: it decides again
                        commitsMeanwhile(placement, "f" + n, nested);
                    } else if (n == PlacementEngine.COMMIT_ATTEMPTS) {
                        // the writer held in a write of its own; a quota change queued behind it; another placement after that
                        generation[0] = store.ledger().generation();
                        others.add(store.tenants().update("other", before -> {
                            writing.countDown();
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return new dev.strata.platform.core.store.TenantStore.Change(new Tenant("other", "other", null, Map.of()), null);
                        }));
                        assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                        long changes = store.tenants().changes();
                        List<Thread> setter = new java.util.concurrent.CopyOnWriteArrayList<>();
                        others.add(pool.submit(() -> {
                            setter.add(Thread.currentThread());
                            return TenantUsers.as("alice", () -> placement.setQuota("other", limits("gpus", "1")), "admin");
                        }));
                        waitFor(() -> store.tenants().changes() > changes && queued(setter));
                        List<Thread> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
                        others.add(pool.submit(() -> {
                            queued.add(Thread.currentThread());
                            return placement.place(contract("{name: x, tenant: filler, members: [{name: m, cpu: 1}]}"), false);
                        }));
                        waitFor(() -> queued.size() == 1 && queued.get(0).getState() == Thread.State.WAITING);
                        // the writer goes on once this attempt has gone on from here and waits: for the commit lock, which the
                        // queued placement holds while it waits for the quota change, or, where it lost, in the last attempt's read
                        pool.submit(() -> {
                            waitFor(() -> reads.get() > PlacementEngine.COMMIT_ATTEMPTS
                                    || done.get() == PlacementEngine.COMMIT_ATTEMPTS && decider.getState() == Thread.State.WAITING);
                            go.countDown();
                            return null;
                        });
                    } else if (n == PlacementEngine.COMMIT_ATTEMPTS + 1) {
                        // the last attempt, under the commit lock: the writer has applied what was queued meanwhile
                        assertThat(go.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                        waitFor(() -> store.ledger().generation() > generation[0]);
                        // and answered all of it, a refusal included: the writer writes in order, so a write queued now is answered after it
                        store.tenants().update("other", before -> new dev.strata.platform.core.store.TenantStore.Change(before.orElseThrow(), null))
                                .get(10, java.util.concurrent.TimeUnit.SECONDS);
                    }
                } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.set(n);
                }
                return read;
            });
            try {
                PlacementDecision d = placement.place(contract("{name: a, tenant: bank, members: [{name: m, cpu: 1}]}"), false);

                assertThat(d.placed()).as(d.summary()).isTrue();
                assertThat(placement.engine().serialised()).as("decided under the commit lock").isEqualTo(1);
                for (java.util.concurrent.Future<?> f : others) {
                    f.get(10, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertThat(store.ledger().load().allocations()).extracting(a -> a.contract()).contains("a", "x");
                assertThat(placement.tenants()).filteredOn(u -> u.tenant().equals("other")).extracting(TenantUse::gpuQuotaMilli)
                        .containsExactly(1_000L);
            } finally {
                go.countDown();
                pool.shutdownNow();
            }
        }
    }

    /**
     * A quota change asked for while a placement's last attempt, under the commit lock, has taken
     * its model and read the quota but not yet committed waits for that commit
     * ({@code PlacementEngine.holding} takes the commit lock): the attempt commits as it decided, on
     * the quota in force at its commit, and the change holds what comes after it. The attempts
     * before lose to other placements committed while they decide. Without the lock the change
     * would be handed to the ledger between the attempt's model and its commit, the ledger would
     * refuse the commit, and the placement, decided again under the quota of 2, would not be placed
     * although it had been decided under the lock.
     */
    @Test
    void aQuotaChangeAskedForWhileTheLastAttemptDecidesWaitsForItsCommit() throws Exception {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = new PlacementService(inventory, store, DurablePlacementTest.config(Map.of("deciders", 4)), Map.of());
            placement.setQuota("bank", limits("gpus", "8"));
            StoreQuotas quotas = new StoreQuotas(store);
            Thread decider = Thread.currentThread();
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean nested = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
            List<java.util.concurrent.Future<TenantUse>> lowered = new java.util.concurrent.CopyOnWriteArrayList<>();
            placement.engine().quotas(() -> {
                TenantQuotas read = quotas.get();
                if (Thread.currentThread() != decider || nested.get()) {
                    return read;
                }
                int n = reads.incrementAndGet();
                try {
                    if (n <= PlacementEngine.COMMIT_ATTEMPTS) {
                        // another placement commits while this one decides: it decides again
                        commitsMeanwhile(placement, "f" + n, nested);
                    } else if (n == PlacementEngine.COMMIT_ATTEMPTS + 1) {
                        // the last attempt, under the commit lock, between its model and its commit: the quota is lowered now, and
                        // the attempt goes on once the setter waits (for the commit lock; without it, for its change, handed to
                        // the ledger and the store's writer, to be written: nothing else in setQuota waits)
                        List<Thread> setter = new java.util.concurrent.CopyOnWriteArrayList<>();
                        lowered.add(pool.submit(() -> {
                            setter.add(Thread.currentThread());
                            return TenantUsers.as("alice", () -> placement.setQuota("bank", limits("gpus", "2")), "admin");
                        }));
                        waitFor(() -> setter.size() == 1 && setter.get(0).getState() == Thread.State.WAITING);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return read;
            });
            try {
                PlacementDecision d = placement.place(contract("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 4}]}"), false);

                assertThat(d.placed()).as("committed as decided under the lock, on the quota of 8: %s", d.summary()).isTrue();
                assertThat(placement.engine().serialised()).as("decided under the commit lock once, not refused there").isEqualTo(1);
                assertThat(reads).as("not decided again after the last attempt").hasValue(PlacementEngine.COMMIT_ATTEMPTS + 1);
                assertThat(lowered).singleElement().satisfies(f -> assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("the quota change, made after the commit, holds the tenant to 2 GPUs")
                        .isEqualTo(new TenantUse("bank", 1, 4_000, 1_000, 0, 2_000, -1, -1)));
                assertThat(store.ledger().load().allocations()).filteredOn(a -> a.tenant().equals("bank")).extracting(a -> a.contract())
                        .containsExactly("a");
                assertThat(placement.place(contract("{name: b, tenant: bank, members: [{name: m, cpu: 1, gpus: 1}]}"), true).placed())
                        .as("the next placement is held to the quota of 2").isFalse();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Whether the one thread in {@code setter}, which set a quota, has handed the change to the store's writer: the
     * change is counted before it is queued, and its caller then waits for it ({@code PlacementEngine.holding}), with
     * nothing between to wait on while the writer is held.
     */
    private static boolean queued(List<Thread> setter) {
        return setter.size() == 1 && setter.get(0).getState() == Thread.State.WAITING;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("waited 10 s in vain");
            }
            Thread.sleep(5); // the poll's step
        }
    }

    @Test
    void aWrongLimitOrTenantIsRefusedNamingItAndWhatWasExpectedAndNothingIsWritten() {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            String expected = "expected limits RESOURCE=VALUE, RESOURCE gpus (a number of GPUs, e.g. 64 or 2.5), cpu (e.g. 512 or 500m) or "
                    + "memory (e.g. 4TiB), each once; none to remove the quota";
            assertThatThrownBy(() -> placement.setQuota("bank", limits("gpus", "8", "gpu", "1")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("quota of tenant bank: gpu=1 is invalid: 'gpu' is no resource; " + expected)
                    .isInstanceOfSatisfying(InvalidQuotaException.class, e -> {
                        // the parts, for a caller that words the refusal its own way (the shell)
                        assertThat(e.tenant()).isEqualTo("bank");
                        assertThat(e.problem()).isEqualTo("gpu=1 is invalid: 'gpu' is no resource");
                        assertThat("expected " + e.expected() + "; " + InvalidQuotaException.REMOVAL).isEqualTo(expected);
                    });
            assertThatThrownBy(() -> placement.setQuota("bank", limits("gpus", "lots")))
                    .hasMessage("quota of tenant bank: gpus=lots is invalid: 'lots' is not an amount of gpus; " + expected);
            assertThatThrownBy(() -> placement.setQuota("bank", limits("gpus", "-1"))).hasMessageContaining("'-1' is not an amount of gpus");
            assertThatThrownBy(() -> placement.setQuota("bank", limits("gpus", "0.0005"))).hasMessageContaining("'0.0005' is not an amount");
            assertThatThrownBy(() -> placement.setQuota("bank", limits("memory", "4tb"))).hasMessageContaining("'4tb' is not an amount of memory");
            assertThatThrownBy(() -> placement.setQuota("bank", limits("cpu", ""))).hasMessageContaining("'' is not an amount of cpu");
            assertThatThrownBy(() -> placement.setQuota("bank", limits("gpus", "8", " gpus ", "16")))
                    .as("one resource under two keys is not taken as the last one iterated").isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("quota of tenant bank: gpus is given twice; " + expected);
            assertThatThrownBy(() -> placement.setQuota(" ", limits("gpus", "1"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("tenant id ' ' cannot have a quota; expected the tenant's id as contracts name it: 1 to 256 characters, "
                            + "no control characters");
            assertThatThrownBy(() -> placement.setQuota("bank\nrisk", limits("gpus", "1"))).hasMessageStartingWith("tenant id 'bank\\u000arisk'");
            assertThatThrownBy(() -> placement.setQuota("t".repeat(257), limits("gpus", "1"))).hasMessageContaining("1 to 256 characters");
            assertThat(store.tenants().list()).isEmpty();
            assertThat(quotaRecords(store)).isEmpty();
        }
    }

    @Test
    void aTenantsUserCannotSetAQuotaNotEvenItsOwn() {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            assertThatThrownBy(() -> TenantUsers.run("bob", () -> placement.setQuota("bank", limits("gpus", "64")), "tenant:bank"))
                    .isInstanceOf(AuthorizationException.class)
                    .hasMessageContaining("a tenant's quota is set by the platform's operators: refused to set the quota of tenant bank");
            assertThat(store.tenants().list()).isEmpty();
            // an operator (no tenant roles) may
            TenantUsers.run("carol", () -> placement.setQuota("bank", limits("gpus", "64")), "ssh");
            assertThat(placement.tenants()).extracting(TenantUse::gpuQuotaMilli).containsExactly(64_000L);
        }
    }

    /**
     * A tenant record whose quota attributes cannot be read (edited by hand, or written by a later
     * version with a limit this one does not know) refuses that tenant's placements, saying why,
     * rather than let it through unlimited; other tenants are not affected, and setting the quota
     * again repairs it.
     */
    @Test
    void aStoredQuotaThatCannotBeReadRefusesItsTenantsPlacementsSayingWhy() {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            store.tenants().put(new Tenant("bank", "Bank", null, Map.of("quota.gpuMilli", "lots", "contact", "ops@bank")), null).join();
            store.tenants().put(new Tenant("later", "Later", null, Map.of("quota.powerMilliwatts", "5000")), null).join();
            assertThat(placement.place(contract("{name: a, tenant: bank, members: [{name: m, cpu: 1}]}"), true).summary())
                    .isEqualTo("not placed: tenant bank's quota in the state store cannot be read: its attribute quota.gpuMilli = 'lots' is "
                            + "not a whole number of 0 or more; set it again with strata:quota");
            assertThat(placement.place(contract("{name: a, tenant: later, members: [{name: m, cpu: 1}]}"), true).summary())
                    .contains("its attribute quota.powerMilliwatts is no limit this version of Strata reads");
            assertThat(placement.place(contract("{name: a, tenant: other, members: [{name: m, cpu: 1}]}"), true).placed()).isTrue();
            // told as unreadable, not only as a quota of 0: strata:tenants shows it so
            assertThat(placement.unreadableQuotas()).containsOnlyKeys("bank", "later")
                    .containsEntry("bank", "its attribute quota.gpuMilli = 'lots' is not a whole number of 0 or more");
            assertThat(TenantUsers.as("bank-user", placement::unreadableQuotas, "tenant:bank")).as("a tenant's user sees its own only")
                    .containsOnlyKeys("bank");

            placement.setQuota("bank", limits("gpus", "2"));
            assertThat(placement.unreadableQuotas()).as("set again, readable").containsOnlyKeys("later");
            assertThat(placement.place(contract("{name: a, tenant: bank, members: [{name: m, cpu: 1, gpus: 1}]}"), true).placed()).isTrue();
            assertThat(store.tenants().get("bank").orElseThrow().attributes()).as("the record's other attributes stay")
                    .isEqualTo(Map.of("contact", "ops@bank", "quota.gpuMilli", "2000"));
            assertThat(store.tenants().get("bank").orElseThrow().name()).isEqualTo("Bank");
            assertThat(quotaRecords(store)).singleElement().satisfies(r -> assertThat(r.payload())
                    .containsEntry("before", Map.of("quota.gpuMilli", "lots")));
        }
    }

    /**
     * The configuration file the quotas were kept in before: while it sets any, placement refuses
     * (dry runs too), naming the commands that set them in the store; an empty one changes nothing.
     * Its refusal is recorded as one that leaves no settings before it in force.
     */
    @Test
    void theRetiredQuotaFileStopsPlacementUntilItSetsNoneAndSaysWhatToRunInstead() {
        Inventory inventory = Infra.threeSites().h100("n1", "fra-1", null).inventory();
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            PlacementService placement = placement(inventory, store);
            RetiredQuotaFile file = new RetiredQuotaFile(Map.of("tenantQuotas", ""));
            RecordingRejections rejections = new RecordingRejections();
            file.bindRejections(rejections);
            placement.retiredQuotaFile = file;
            Contract one = contract("{name: a, tenant: bank-risk, members: [{name: m, cpu: 1, gpus: 1}]}");
            assertThat(placement.place(one, true).placed()).as("the empty file the features shipped").isTrue();

            file.modified(Map.of("tenantQuotas", "bank-risk/gpus=64, bank-risk/memory=4TiB, \"acme, inc\"/cpu=500m, x/gpus=2.5"));
            String refusal = "etc/dev.strata.platform.core.quotas.cfg sets tenantQuotas, which Strata no longer reads: tenant quotas are "
                    + "kept in the state store, the same for every instance, and placement refuses until the file sets none: run "
                    + "strata:quota 'acme, inc' cpu=500m; strata:quota bank-risk gpus=64 memory=4TiB; strata:quota x gpus=2.5, then "
                    + "delete the file (config:delete dev.strata.platform.core.quotas)";
            assertThatThrownBy(() -> placement.place(one, true)).isInstanceOf(IllegalStateException.class).hasMessage(refusal);
            assertThatThrownBy(() -> placement.place(one, false)).hasMessage(refusal);
            assertThatThrownBy(() -> placement.placeFor(one, "d-1")).hasMessage(refusal);
            assertThat(rejections.told()).containsExactly("dev.strata.platform.core.quotas | " + refusal);
            assertThat(rejections.previousSettingsInForce()).as("recorded as leaving no settings in force: placement refuses")
                    .containsExactly(false);

            file.modified(Map.of("tenantQuotas", "bank-risk/gpu=8"));
            assertThatThrownBy(() -> placement.place(one, true)).hasMessageContaining("set the quotas with strata:quota TENANT gpus=N cpu=N "
                    + "memory=N, then delete the file").hasMessageContaining("'gpu' is no resource");

            file.modified(Map.of());
            assertThat(placement.place(one, true).placed()).isTrue();
        }
    }

    /**
     * Placement starts only once the retired quota file has been read: the file's component is
     * there with or without the file (its configuration optional) and placement's reference to it
     * is mandatory. Before, the reference was optional and the component existed only with the
     * file, so a placement made between placement's start and the file's, at the start after an
     * upgrade, went through without the refusal. Read from the descriptors the bundle carries.
     */
    @Test
    void placementStartsOnlyOnceTheRetiredQuotaFileHasBeenRead() throws Exception {
        String file = descriptor("dev.strata.platform.core.placement.RetiredQuotaFile");
        assertThat(file).contains("configuration-policy=\"optional\"").contains("modified=\"modified\"");
        String placement = descriptor("dev.strata.platform.core.placement.PlacementService");
        assertThat(placement.lines().filter(l -> l.contains("<reference name=\"retiredQuotaFile\"")))
                .as("placement's reference to the file's component, mandatory (no cardinality: 1..1)")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("interface=\"dev.strata.platform.core.placement.RetiredQuotaFile\"").doesNotContain("cardinality");
        // and without the file, the component refuses nothing
        assertThat(new RetiredQuotaFile(Map.of()).refusal()).isEmpty();
    }

    private static String descriptor(String component) throws java.io.IOException {
        try (java.io.InputStream in = StoreQuotasTest.class.getClassLoader().getResourceAsStream("OSGI-INF/" + component + ".xml")) {
            assertThat(in).as("OSGI-INF/" + component + ".xml").isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * A retired file found at start, the case of an upgrade, is recorded in the provenance log as
     * rejected, as the README says: the component is made as Declarative Services makes it, from
     * its descriptor (constructed with the file's properties, then its references bound). The file
     * was read in the constructor, before any reference is bound, and its refusal never recorded;
     * it is recorded once, when where to record it is bound, and again on each change of the file.
     */
    @Test
    void aRetiredQuotaFileFoundAtStartIsRecordedAsRejectedOnceItsRecorderIsBound() throws Exception {
        RecordingRejections rejections = new RecordingRejections();
        RetiredQuotaFile file = asDeclarativeServicesMakesIt(Map.of("tenantQuotas", "bank-risk/gpus=64"), rejections);
        String refusal = file.refusal().orElseThrow();
        assertThat(rejections.told()).containsExactly(RetiredQuotaFile.PID + " | " + refusal);
        assertThat(rejections.previousSettingsInForce()).as("placement refuses: no settings before it stay in force").containsExactly(false);

        file.modified(Map.of("tenantQuotas", "bank-risk/gpus=64"));
        assertThat(rejections.told()).as("a change of the file is recorded as every change is").hasSize(2);
        assertThat(rejections.previousSettingsInForce()).containsExactly(false, false);
        file.modified(Map.of());
        assertThat(rejections.told()).hasSize(2);
    }

    /** Makes the component from its descriptor as Declarative Services does: constructor with the configuration, then its references. */
    private static RetiredQuotaFile asDeclarativeServicesMakesIt(Map<String, Object> configuration,
            dev.strata.platform.api.provider.ConfigurationRejections recorder) throws Exception {
        String descriptor = "OSGI-INF/" + RetiredQuotaFile.class.getName() + ".xml";
        org.w3c.dom.Document xml;
        try (java.io.InputStream in = RetiredQuotaFile.class.getClassLoader().getResourceAsStream(descriptor)) {
            assertThat(in).as(descriptor).isNotNull();
            xml = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
        RetiredQuotaFile file = RetiredQuotaFile.class.getConstructor(Map.class).newInstance(configuration);
        org.w3c.dom.NodeList references = xml.getElementsByTagName("reference");
        for (int i = 0; i < references.getLength(); i++) {
            org.w3c.dom.Element r = (org.w3c.dom.Element) references.item(i);
            assertThat(r.getAttribute("interface")).isEqualTo(dev.strata.platform.api.provider.ConfigurationRejections.class.getName());
            if (!r.getAttribute("field").isEmpty()) {
                java.lang.reflect.Field f = RetiredQuotaFile.class.getDeclaredField(r.getAttribute("field"));
                f.setAccessible(true);
                f.set(file, recorder);
            } else {
                java.lang.reflect.Method m = RetiredQuotaFile.class.getDeclaredMethod(r.getAttribute("bind"),
                        dev.strata.platform.api.provider.ConfigurationRejections.class);
                m.setAccessible(true);
                m.invoke(file, recorder);
            }
        }
        assertThat(references.getLength()).isEqualTo(1);
        return file;
    }

    /** The commands the retired file's refusal names set, in the store, exactly the quotas the file held. */
    @Property(tries = 200)
    void theCommandsTheRetiredFileNamesSetTheQuotasItHeld(@ForAll("limits") TenantQuotas.Limits limits) {
        TenantQuotas.Limits wanted = limits.equals(TenantQuotas.Limits.NONE) ? new TenantQuotas.Limits(0, -1, -1) : limits;
        StringBuilder file = new StringBuilder();
        for (var e : Map.of("gpus", wanted.gpuMilli(), "cpu", wanted.cpuMilli(), "memory", wanted.memoryBytes()).entrySet()) {
            if (e.getValue() >= 0) {
                String amount = switch (e.getKey()) {
                    case "gpus" -> java.math.BigDecimal.valueOf(e.getValue(), 3).toPlainString();
                    case "cpu" -> e.getValue() + "m";
                    default -> e.getValue() + "B";
                };
                file.append(file.isEmpty() ? "" : ", ").append("t/").append(e.getKey()).append('=').append(amount);
            }
        }
        String refusal = RetiredQuotaFile.refusal(file.toString());
        String command = refusal.substring(refusal.indexOf("run strata:quota t ") + "run strata:quota t ".length(), refusal.indexOf(", then"));
        Map<String, String> given = new LinkedHashMap<>();
        for (String word : command.split(" ")) {
            given.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        }
        assertThat(TenantQuotas.limits("t", given)).isEqualTo(wanted);
    }

    /** What {@link StoreQuotas} writes into a tenant's record reads back as the same limits, for every limit. */
    @Property(tries = 500)
    void limitsWrittenAsAttributesReadBackTheSame(@ForAll("limits") TenantQuotas.Limits limits) {
        TenantQuotas read = TenantQuotas.of(List.of(new Tenant("t", "t", null, TenantQuotas.attributes(limits))));
        if (limits.equals(TenantQuotas.Limits.NONE)) {
            assertThat(read.of("t")).isEmpty();
        } else {
            assertThat(read.of("t")).contains(limits);
            assertThat(read.unreadable("t")).isEmpty();
        }
    }

    @Provide
    Arbitrary<TenantQuotas.Limits> limits() {
        Arbitrary<Long> amount = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.just(0L), Arbitraries.longs().between(0, 1_000_000_000_000L),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 2));
        Arbitrary<Long> gpus = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(0, 1_000_000_000_000L));
        return Combinators.combine(gpus, amount, amount).as(TenantQuotas.Limits::new);
    }
}
