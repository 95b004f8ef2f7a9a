package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.audit.ChainVerifier;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.audit.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What every state store must do; run on the embedded store and on a real PostgreSQL. */
abstract class StateStoreContract {

    /** A fresh, empty store. */
    abstract JdbcStateStore store();

    /** The same database opened again (a restart). */
    abstract JdbcStateStore reopen(JdbcStateStore closed);

    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    @Test
    void ledgerCommitsWithAGenerationCheckAndSurvivesARestart() {
        JdbcStateStore store = store();
        LedgerStore ledger = store.ledger();
        assertThat(ledger.load().generation()).isZero();
        String a1 = ledger.nextId();
        String a2 = ledger.nextId();
        assertThat(a1).matches("a-\\d{6}").isNotEqualTo(a2);
        LedgerChange c1 = join(ledger.commit(0, Stores.allocation(a1, "n1", List.of("gpu0", "gpu1")), null,
                ProvenanceEntry.of("placement", "karaf", Map.of("evidence", List.of("x")), "tenant", "tenant-a", "allocation", a1)));
        assertThat(c1.generation()).isEqualTo(1);
        assertThat(c1.provenanceSeq()).isEqualTo(1);
        // decided on generation 0 again: refused, nothing written
        assertThatThrownBy(() -> join(ledger.commit(0, Stores.allocation(a2, "n1", List.of("gpu0")), null,
                ProvenanceEntry.of("placement", "karaf", Map.of()))))
                .isInstanceOf(StaleLedgerException.class).hasMessageContaining("from generation 0 to 1");
        assertThat(ledger.get(a2)).isEmpty();
        assertThat(store.provenance().head().seq()).isEqualTo(1);
        join(ledger.commit(1, Stores.allocation(a2, "n2", List.of("gpu3")), null, null));
        assertThatThrownBy(() -> join(ledger.release("a-999999", null))).isInstanceOf(StoreRefusedException.class)
                .hasMessageContaining("no allocation 'a-999999'").hasCauseInstanceOf(NotFoundException.class);
        LedgerChange r = join(ledger.release(a2, ProvenanceEntry.of("release", "karaf", Map.of(), "allocation", a2)));
        assertThat(r.generation()).isEqualTo(3);
        assertThat(r.allocation().id()).isEqualTo(a2);
        Allocation before = ledger.get(a1).orElseThrow();
        assertThat(before).isEqualTo(Stores.allocation(a1, "n1", List.of("gpu0", "gpu1")));

        JdbcStateStore again = reopen(store);
        LedgerState state = again.ledger().load();
        assertThat(state.generation()).isEqualTo(3);
        assertThat(state.allocations()).containsExactly(before);
        assertThat(again.ledger().nextId()).isNotIn(a1, a2);
        assertThat(again.provenance().head().seq()).isEqualTo(2);
        again.close();
    }

    @Test
    void pipelinedCommitsChainTheirGenerations() {
        JdbcStateStore store = store();
        List<CompletableFuture<LedgerChange>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(store.ledger().commit(i, Stores.allocation(store.ledger().nextId(), "n" + i, List.of("gpu0")), null,
                    ProvenanceEntry.of("placement", "system", Map.of("i", i))));
        }
        // one decided on a generation that its predecessors will pass: refused, and the ones after it refused too
        futures.add(store.ledger().commit(3, Stores.allocation(store.ledger().nextId(), "x", List.of()), null, null));
        for (int i = 0; i < 50; i++) {
            assertThat(join(futures.get(i)).generation()).isEqualTo(i + 1);
        }
        assertThatThrownBy(() -> join(futures.get(50))).isInstanceOf(StaleLedgerException.class);
        assertThat(store.ledger().load().allocations()).hasSize(50);
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        assertThat(v.records()).isEqualTo(50);
        store.close();
    }

    @Test
    void contractsTenantsDeploymentsAndOperations() {
        JdbcStateStore store = store();
        StoredContract c = join(store.contracts().put(new NewContract("llm", "bank-risk", "yaml", "name: llm\ntenant: bank-risk\n", "karaf"),
                ProvenanceEntry.of("contract", "karaf", Map.of(), "tenant", "bank-risk")));
        assertThat(c.id()).matches("c-\\d{6}");
        assertThat(store.contracts().get(c.id())).contains(c);
        assertThat(store.contracts().list("bank-risk", 10)).containsExactly(c);
        assertThat(store.contracts().list("other", 10)).isEmpty();

        Tenant t = join(store.tenants().put(new Tenant("bank-risk", "Bank, risk", null, Map.of("quotaGpus", "64")), null));
        Tenant t2 = join(store.tenants().put(new Tenant("bank-risk", "Bank risk", null, Map.of("quotaGpus", "128")), null));
        assertThat(t2.createdAt()).isEqualTo(t.createdAt());
        assertThat(store.tenants().list()).containsExactly(t2);

        String alloc = store.ledger().nextId();
        join(store.ledger().commit(0, Stores.allocation(alloc, "n1", List.of("gpu0")), c.id(), null));
        String d = store.deployments().nextId();
        DeploymentRecord dep = join(store.deployments().create(new NewDeployment(d, alloc, c.id(), "bank-risk", "requested", "{\"members\":2}",
                List.of(new MemberRecord(d, "trainer-0", "n1", "aws", "requested", null, null),
                        new MemberRecord(d, "trainer-1", "n2", "aws", "requested", null, null))), null));
        assertThat(dep.version()).isEqualTo(1);
        assertThatThrownBy(() -> join(store.deployments().create(new NewDeployment(d, alloc, null, "bank-risk", "requested", null, List.of()),
                null))).isInstanceOf(StoreRefusedException.class).hasMessageContaining("exists already");

        // the operation id is durable before the provider would be called
        OperationRecord op = join(store.deployments().beginOperation(new NewOperation(d, "trainer-0", "aws", "create", 1)));
        assertThat(op.id()).startsWith("op-");
        assertThat(store.deployments().unfinishedOperations()).extracting(OperationRecord::id).containsExactly(op.id());
        JdbcStateStore again = reopen(store);
        assertThat(again.deployments().unfinishedOperations()).extracting(OperationRecord::id).containsExactly(op.id());
        OperationRecord done = join(again.deployments().finishOperation(op.id(), OperationState.SUCCEEDED, "i-0abc", null,
                ProvenanceEntry.of("provider-state", "system", Map.of("instance", "i-0abc"), "deployment", d)));
        assertThat(done.state()).isEqualTo(OperationState.SUCCEEDED);
        assertThat(done.finishedAt()).isNotNull();
        assertThatThrownBy(() -> join(again.deployments().finishOperation(op.id(), OperationState.FAILED, null, "late", null)))
                .hasMessageContaining("has finished already");
        assertThat(again.deployments().unfinishedOperations()).isEmpty();
        assertThat(again.deployments().members(d)).extracting(MemberRecord::handle).containsExactly("i-0abc", null);

        DeploymentRecord ready = join(again.deployments().update(d, 1, "ready", null, null));
        assertThat(ready.version()).isEqualTo(2);
        assertThatThrownBy(() -> join(again.deployments().update(d, 1, "failed", "x", null))).hasMessageContaining("moved from version 1 to 2");
        assertThatThrownBy(() -> join(again.deployments().updateMember(new MemberRecord(d, "nope", null, null, "x", null, null), null)))
                .hasMessageContaining("no member 'nope'");
        assertThat(again.deployments().operations(d)).hasSize(1);
        assertThat(again.deployments().list()).extracting(DeploymentRecord::state).containsExactly("ready");

        List<LogRecord> byTenant = again.provenance().find(new AuditFilter(null, "bank-risk", null, null, null, null, null, 10, false));
        assertThat(byTenant).extracting(LogRecord::kind).containsExactly("contract");
        assertThat(again.provenance().find(new AuditFilter(null, null, null, d, null, null, null, 10, false))).hasSize(1);
        Verification v = verifyChain(again);
        assertThat(v.holds()).as(v.summary()).isTrue();
        again.close();
    }

    @Test
    void concurrentWritersShareGroupCommits() throws Exception {
        JdbcStateStore store = store();
        int threads = 8;
        int each = 40;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        join(store.provenance().append(ProvenanceEntry.of("configuration", "t" + id, Map.of("i", i))));
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        long[] counts = store.writeCounts();
        assertThat(counts[1]).isEqualTo(threads * each);
        assertThat(counts[0]).as("group commits for %d writes", counts[1]).isLessThan(counts[1]);
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        assertThat(v.records()).isEqualTo(threads * each);
        store.close();
    }

    static Verification verifyChain(JdbcStateStore store) {
        ChainVerifier v = new ChainVerifier(store.provenance().logId(), List.of(), List.of());
        store.provenance().scan(1, r -> v.record(r, "record " + r.seq()));
        return v.finish(false);
    }
}
