package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ConflictException;
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

    /** What a test writes, with plain SQL, into a database an older Strata made, before this Strata opens it. */
    interface OldStore {
        void write(java.sql.Connection c) throws java.sql.SQLException;
    }

    /**
     * A fresh database as a Strata of schema version {@code version} left it (its migrations up to
     * that one applied, {@code before} written into it), then opened by this Strata, which upgrades it.
     */
    abstract JdbcStateStore upgradedFrom(int version, OldStore before);

    /** The migrations a Strata of schema version {@code version} carried. */
    static List<Migrations.Migration> migrationsUpTo(int version) {
        return Migrations.bundled().stream().filter(m -> m.version() <= version).toList();
    }

    /** The indexes whose first column is {@code column} of {@code table}, by the driver's metadata, in lower case. */
    static List<String> indexesLeadingWith(JdbcStateStore store, String table, String column) {
        return store.read(c -> {
            List<String> out = new ArrayList<>();
            try (java.sql.ResultSet rs = c.getMetaData().getIndexInfo(null, null, table, false, false)) {
                while (rs.next()) {
                    if (column.equalsIgnoreCase(rs.getString("COLUMN_NAME")) && rs.getShort("ORDINAL_POSITION") == 1) {
                        out.add(rs.getString("INDEX_NAME").toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
            return out;
        });
    }

    /** Each release reads the deployments holding the allocation it frees: by an index, not a scan of every deployment. */
    @Test
    void deploymentsAreFoundByTheirAllocationThroughAnIndex() {
        JdbcStateStore store = store();
        assertThat(indexesLeadingWith(store, "deployment", "allocation_id")).containsExactly("deployment_by_allocation");
        assertThat(store.info().schemaVersion()).isEqualTo(Migrations.bundled().get(Migrations.bundled().size() - 1).version());
        store.close();
    }

    /**
     * A store of schema version 7, holding an allocation and the deployment running on it, opened by
     * this Strata: migration 8 adds the index (and the later ones what they add), what was stored is
     * kept, and the release guard finds the deployment through the index; opened again, nothing is
     * applied twice.
     */
    @Test
    void aStoreOfVersionSevenIsUpgradedWithTheIndexAndKeepsWhatItHeld() {
        JdbcStateStore store = upgradedFrom(7, c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO allocation (id, contract, tenant, priority, dedicated, created_ms, generation, deployment_id) "
                        + "VALUES ('a-000001', 'llm', 'bank-risk', 50, FALSE, 1790000000000, 1, 'd-000001')");
                s.executeUpdate("UPDATE ledger_state SET generation = 1 WHERE id = 1");
                s.executeUpdate("INSERT INTO deployment (id, allocation_id, contract_id, tenant, state, message, spec, version, created_ms, "
                        + "updated_ms) VALUES ('d-000001', 'a-000001', NULL, 'bank-risk', 'READY', NULL, NULL, 3, 1790000000000, 1790000000000)");
            }
        });
        assertThat(indexesLeadingWith(store, "deployment", "allocation_id")).containsExactly("deployment_by_allocation");
        int latest = Migrations.bundled().get(Migrations.bundled().size() - 1).version();
        assertThat(store.info().schemaVersion()).isEqualTo(latest);
        assertThat(store.ledger().get("a-000001")).isPresent();
        assertThat(store.deployments().get("d-000001")).hasValueSatisfying(d -> assertThat(d.allocationId()).isEqualTo("a-000001"));
        assertThatThrownBy(() -> join(store.ledger().release("a-000001", ReleaseGuard.UNHELD, null)))
                .isInstanceOf(StoreRefusedException.class).hasMessageContaining("held by deployment d-000001");
        JdbcStateStore again = reopen(store);
        assertThat(again.info().schemaVersion()).isEqualTo(latest);
        int applied = again.read(c -> {
            try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(applied).isEqualTo(Migrations.bundled().size());
        assertThat(indexesLeadingWith(again, "deployment", "allocation_id")).containsExactly("deployment_by_allocation");
        again.close();
    }

    /**
     * A store of schema version 9 holding two keys, one with the record registering it and one
     * without (a registration cut short between its two writes), opened by this Strata: the first
     * check of each finds the record once, or appends the missing one, and keeps its seq with the
     * key; a key registered now keeps its record's seq at once. Every check after is one row read, and appends nothing.
     */
    @Test
    void aStoreOfVersionNineKeepsEachKeysRecordSeqOnceFound() {
        JdbcStateStore store = upgradedFrom(9, c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO provenance_key (key_id, public_key, instance_id, created_ms) VALUES ('k-a', 'PEM A', 'a', 1)");
                s.executeUpdate("INSERT INTO provenance_key (key_id, public_key, instance_id, created_ms) VALUES ('k-b', 'PEM B', 'b', 2)");
            }
        });
        // k-a's record, as the older Strata appended it after the key
        long aRecord = join(store.provenance().append(keyRecord("k-a"))).seq();
        join(store.provenance().append(new ProvenanceEntry("note", "system", Map.of(), Map.of("n", 1))));
        long head = store.provenance().head().seq();

        assertThat(join(store.provenance().recordKey("k-a", keyRecord("k-a")))).as("k-a's record is in the chain").isFalse();
        assertThat(store.provenance().head().seq()).isEqualTo(head);
        assertThat(join(store.provenance().recordKey("k-b", keyRecord("k-b")))).as("k-b's record was lost").isTrue();
        assertThat(store.provenance().head().seq()).isEqualTo(head + 1);
        assertThat(join(store.provenance().registerKey("k-c", "PEM C", "c", keyRecord("k-c")))).isTrue();
        assertThat(recordSeqs(store)).containsExactly(Map.entry("k-a", aRecord), Map.entry("k-b", head + 1), Map.entry("k-c", head + 2));

        for (String key : List.of("k-a", "k-b", "k-c")) {
            assertThat(join(store.provenance().recordKey(key, keyRecord(key)))).isFalse();
        }
        assertThat(store.provenance().head().seq()).isEqualTo(head + 2);
        assertThatThrownBy(() -> join(store.provenance().recordKey("k-x", keyRecord("k-x")))).hasMessageContaining("no provenance key 'k-x'");
        store.close();
    }

    /**
     * Checkpoints are read a page at a time: verifying or exporting a log held every checkpoint in
     * memory at once (about 500,000 a year at the 60 s interval), and the first leadership read them
     * all for the last one.
     */
    @Test
    void checkpointsAreReadAPageAtATimeAndTheLastOneAlone() {
        JdbcStateStore store = store();
        ProvenanceStore p = store.provenance();
        assertThat(p.lastCheckpoint()).isEmpty();
        assertThat(p.checkpointsInOrder().hasNext()).isFalse();
        List<Long> signed = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            LogRecord r = join(p.append(new ProvenanceEntry("note", "system", Map.of(), Map.of("n", i))));
            if (i != 4) { // record 4 is not signed
                join(p.putCheckpoint(new dev.strata.platform.audit.Checkpoint(p.logId(), r.seq(), r.hash(), r.time(), "k", false, "s" + i)));
                signed.add(r.seq());
            }
        }
        for (int page : new int[] {1, 3, 4, 8, 9, 1000}) {
            List<Long> read = new ArrayList<>();
            p.checkpointsInOrder(page, Long.MAX_VALUE).forEachRemaining(c -> read.add(c.seq()));
            assertThat(read).as("pages of %d", page).isEqualTo(signed);
            List<Long> through = new ArrayList<>();
            p.checkpointsInOrder(page, signed.get(4)).forEachRemaining(c -> through.add(c.seq()));
            assertThat(through).as("pages of %d through %d", page, signed.get(4)).isEqualTo(signed.subList(0, 5));
        }
        assertThat(p.checkpoints(signed.get(2), 2)).extracting(dev.strata.platform.audit.Checkpoint::seq)
                .containsExactly(signed.get(3), signed.get(4));
        assertThat(p.checkpoints(signed.get(7), 5)).isEmpty();
        assertThat(p.lastCheckpoint()).hasValueSatisfying(c -> {
            assertThat(c.seq()).isEqualTo(signed.get(7));
            assertThat(c.signature()).isEqualTo("s9");
        });
        assertThat(p.checkpointsInOrder(3, 0).hasNext()).isFalse();
        assertThatThrownBy(() -> p.checkpoints(0, 0)).hasMessageContaining("at least 1");
        // a checkpoint signed while they are iterated, of a later record, is not among those stored when iterating began
        java.util.Iterator<dev.strata.platform.audit.Checkpoint> stored = p.checkpointsInOrder();
        LogRecord later = join(p.append(new ProvenanceEntry("note", "system", Map.of(), Map.of("n", 10))));
        join(p.putCheckpoint(new dev.strata.platform.audit.Checkpoint(p.logId(), later.seq(), later.hash(), later.time(), "k", false, "s10")));
        List<Long> read = new ArrayList<>();
        stored.forEachRemaining(c -> read.add(c.seq()));
        assertThat(read).isEqualTo(signed);
        List<Long> now = new ArrayList<>();
        p.checkpointsInOrder().forEachRemaining(c -> now.add(c.seq()));
        assertThat(now).hasSize(signed.size() + 1).endsWith(later.seq());
        store.close();
    }

    private static ProvenanceEntry keyRecord(String keyId) {
        return new ProvenanceEntry("provenance-key", "system", Map.of("instance", "a"), Map.of("keyId", keyId, "algorithm", "Ed25519"));
    }

    private static Map<String, Long> recordSeqs(JdbcStateStore store) {
        return store.read(c -> {
            Map<String, Long> out = new java.util.TreeMap<>();
            try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT key_id, record_seq FROM provenance_key")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    private static dev.strata.platform.api.telemetry.GpuSample sample(String gpu, java.time.Instant at, double watts, long ecc) {
        return dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpu).at(at).powerWatts(watts).eccUncorrected(ecc).build();
    }

    /**
     * The GPUs telemetry covered, as the verifier keeps them: each GPU's latest sample, its instant to the nanosecond
     * (the findings name it), its power draw (none reported, -1, for one that is not a finite number) and its
     * uncorrected ECC errors, read back after a restart. The newest sample wins whoever writes: an older one given later
     * (another instance whose source lags) leaves the newer one stored, and a GPU forgotten as of an older sample than
     * the one stored is kept; as of the stored one, it is removed.
     */
    @Test
    void theLatestSampleOfEachGpuTelemetryCoveredIsKeptNewestWinsAndReadBackAfterARestart() {
        JdbcStateStore store = store();
        TelemetryCoverageStore coverage = store.telemetryCoverage();
        assertThat(coverage.all()).isEmpty();
        java.time.Instant t1 = java.time.Instant.parse("2026-12-05T09:41:15.123456789Z");
        java.time.Instant t2 = t1.plusNanos(1);
        join(coverage.write(List.of(sample("n1/gpu0", t2, 312.5, 0), sample("n1/gpu1", t1, Double.NaN, 3),
                sample("n1/gpu2", t1, -1, 0)), Map.of()));
        assertThat(coverage.all()).containsOnly(Map.entry("n1/gpu0", sample("n1/gpu0", t2, 312.5, 0)),
                Map.entry("n1/gpu1", sample("n1/gpu1", t1, -1, 3)), Map.entry("n1/gpu2", sample("n1/gpu2", t1, -1, 0)));

        // an older sample of gpu0, a newer one of gpu1; gpu2 forgotten as of an older sample than the one stored
        join(coverage.write(List.of(sample("n1/gpu0", t1, 100, 0), sample("n1/gpu1", t2, 200, 4)), Map.of("n1/gpu2", t1.minusNanos(1))));
        assertThat(coverage.all()).as("the newest sample of each GPU, whichever was written last").containsOnly(
                Map.entry("n1/gpu0", sample("n1/gpu0", t2, 312.5, 0)), Map.entry("n1/gpu1", sample("n1/gpu1", t2, 200, 4)),
                Map.entry("n1/gpu2", sample("n1/gpu2", t1, -1, 0)));

        join(coverage.write(List.of(), Map.of("n1/gpu2", t1, "n1/gpu0", t1)));
        assertThat(coverage.all()).as("gpu2 forgotten as of its stored sample; gpu0 holds a newer one").containsOnlyKeys("n1/gpu0",
                "n1/gpu1");

        JdbcStateStore again = reopen(store);
        assertThat(again.telemetryCoverage().all()).containsOnly(Map.entry("n1/gpu0", sample("n1/gpu0", t2, 312.5, 0)),
                Map.entry("n1/gpu1", sample("n1/gpu1", t2, 200, 4)));
        again.close();
    }

    /**
     * A write of the GPUs telemetry covered is one transaction: one that fails on its last sample (here a constraint the
     * test adds refuses it) stores none of it, neither a new GPU nor a newer sample of one stored, nor a GPU's removal.
     */
    @Test
    void aWriteOfTheGpusTelemetryCoveredThatFailsStoresNoneOfIt() {
        JdbcStateStore store = store();
        TelemetryCoverageStore coverage = store.telemetryCoverage();
        java.time.Instant t = java.time.Instant.parse("2026-12-05T09:41:15Z");
        join(coverage.write(List.of(sample("n1/gpu0", t, 300, 0), sample("n1/gpu1", t, 300, 0)), Map.of()));
        store.read(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("ALTER TABLE telemetry_coverage ADD CONSTRAINT test_refuses CHECK (ecc_uncorrected < 1000)");
            }
            return null;
        });
        assertThatThrownBy(() -> join(coverage.write(List.of(sample("n1/gpu0", t.plusSeconds(5), 310, 0), sample("n1/gpu2", t, 300, 0),
                sample("n1/gpu3", t, 300, 1000)), Map.of("n1/gpu1", t)))).isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class);
        assertThat(coverage.all()).as("nothing of the failed write").containsOnly(Map.entry("n1/gpu0", sample("n1/gpu0", t, 300, 0)),
                Map.entry("n1/gpu1", sample("n1/gpu1", t, 300, 0)));
        store.close();
    }

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
        assertThatThrownBy(() -> join(ledger.release("a-999999", ReleaseGuard.UNHELD, null))).isInstanceOf(StoreRefusedException.class)
                .hasMessageContaining("no allocation 'a-999999'").hasCauseInstanceOf(NotFoundException.class);
        LedgerChange r = join(ledger.release(a2, ReleaseGuard.UNHELD, ProvenanceEntry.of("release", "karaf", Map.of(), "allocation", a2)));
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

    /**
     * A release checks, in its own transaction, the deployments holding the allocation: one stored
     * with it and not deleted, or the one it was placed for while not stored. Refused, nothing is
     * written; forced, it is freed and its record says so and from whom; the deployment itself frees
     * it only while being deleted; a deleted deployment holds nothing.
     */
    @Test
    void releaseChecksTheDeploymentsHoldingTheAllocationInItsOwnTransaction() {
        JdbcStateStore store = store();
        LedgerStore ledger = store.ledger();
        String a1 = ledger.nextId();
        String a2 = ledger.nextId();
        String a3 = ledger.nextId();
        String d1 = store.deployments().nextId();
        String d2 = store.deployments().nextId();
        String d3 = store.deployments().nextId();
        join(ledger.commitPlacement(0, Stores.allocation(a1, "n1", List.of("gpu0")), null, null, d1));
        join(ledger.commitPlacement(1, Stores.allocation(a2, "n2", List.of("gpu0")), null, null, d2));
        join(ledger.commitPlacement(2, Stores.allocation(a3, "n3", List.of("gpu0")), null, null, d3));
        Allocation first = ledger.get(a1).orElseThrow();
        ProvenanceEntry why = ProvenanceEntry.of("release", "karaf", Map.of("allocation", a1), "allocation", a1);

        // placed for d1, which is not stored yet
        assertThatThrownBy(() -> join(ledger.release(a1, ReleaseGuard.UNHELD, why))).isInstanceOf(StoreRefusedException.class)
                .hasCauseInstanceOf(dev.strata.platform.api.exception.ConflictException.class)
                .hasMessageStartingWith("allocation " + a1 + " is held by deployment " + d1 + " of contract " + first.contract()
                        + " (being deployed: placed for it, not stored yet)");
        assertThat(ledger.releaseRefusal(first, ReleaseGuard.UNHELD)).isPresent();
        assertThat(ledger.releaseRefusal(first, ReleaseGuard.holder(d1))).isEmpty();

        for (String[] d : new String[][] {{d1, a1, "ready"}, {d2, a2, "DELETING"}, {d3, a3, "requested"}}) {
            join(store.deployments().create(new NewDeployment(d[0], d[1], null, "bank-risk", d[2], null, List.of()), null));
        }
        long generation = ledger.generation();
        long head = store.provenance().head().seq();
        for (ReleaseGuard refused : List.of(ReleaseGuard.UNHELD, ReleaseGuard.holder(d1), ReleaseGuard.holder(d2))) {
            assertThatThrownBy(() -> join(ledger.release(a1, refused, why))).as("%s", refused).isInstanceOf(StoreRefusedException.class)
                    .hasCauseInstanceOf(dev.strata.platform.api.exception.ConflictException.class).hasMessageContaining(d1)
                    .hasMessageContaining("ready");
        }
        assertThatThrownBy(() -> join(ledger.release(a2, ReleaseGuard.UNHELD, why))).hasMessageContaining("deployment " + d2)
                .hasMessageContaining("(deleting)");
        assertThat(ledger.generation()).as("nothing written").isEqualTo(generation);
        assertThat(store.provenance().head().seq()).isEqualTo(head);
        assertThat(ledger.load().allocations()).hasSize(3);

        // the deployment being deleted frees its own
        assertThat(join(ledger.release(a2, ReleaseGuard.holder(d2), null)).allocation().id()).isEqualTo(a2);
        // forced: freed, and the record says so and names the holder
        LedgerChange forced = join(ledger.release(a1, ReleaseGuard.FORCED, ProvenanceEntry.of("release", "karaf",
                Map.of("allocation", a1, "forced", true), "allocation", a1)));
        LogRecord r = store.provenance().get(forced.provenanceSeq()).orElseThrow();
        assertThat(r.payload()).containsEntry("forced", true).containsEntry("heldBy", List.of(d1 + " (ready)"));
        // deleted: holds nothing
        DeploymentRecord third = store.deployments().get(d3).orElseThrow();
        join(store.deployments().update(d3, third.version(), "DELETED", null, null));
        assertThat(ledger.releaseRefusal(ledger.get(a3).orElseThrow(), ReleaseGuard.UNHELD)).isEmpty();
        join(ledger.release(a3, ReleaseGuard.UNHELD, null));
        assertThat(ledger.load().allocations()).isEmpty();
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        store.close();
    }

    /**
     * A deployment is stored only on an allocation in the ledger, looked up in the create's own
     * transaction: a forced release queued between placement and the create (an operator's, while
     * the deployment engine prepares the deployment) refuses the create, and nothing of the
     * deployment is written; a release queued after the create sees the deployment holding it.
     */
    @Test
    void aDeploymentIsStoredOnlyOnAnAllocationInTheLedger() {
        JdbcStateStore store = store();
        LedgerStore ledger = store.ledger();
        String a = ledger.nextId();
        String d = store.deployments().nextId();
        join(ledger.commitPlacement(0, Stores.allocation(a, "n1", List.of("gpu0")), null, null, d));
        long head = store.provenance().head().seq();

        CompletableFuture<LedgerChange> forced = ledger.release(a, ReleaseGuard.FORCED,
                ProvenanceEntry.of("release", "karaf", Map.of("forced", true), "allocation", a));
        CompletableFuture<DeploymentRecord> created = store.deployments().create(new NewDeployment(d, a, null, "bank-risk", "requested", null,
                List.of(new MemberRecord(d, "worker-0", "n1", "aws", "requested", null, null))),
                ProvenanceEntry.of("deployment", "karaf", Map.of(), "deployment", d, "allocation", a));
        join(forced);
        assertThatThrownBy(() -> join(created)).isInstanceOf(StoreRefusedException.class)
                .hasCauseInstanceOf(dev.strata.platform.api.exception.ConflictException.class)
                .hasMessageStartingWith("deployment " + d + " is not stored: its allocation " + a + " is no longer in the ledger (released "
                        + "after placement placed it for the deployment, before the deployment was stored");
        assertThat(store.deployments().get(d)).as("nothing written").isEmpty();
        assertThat(store.deployments().members(d)).isEmpty();
        assertThat(store.provenance().find(new AuditFilter(null, null, null, d, null, null, null, 10, false))).isEmpty();
        assertThat(store.provenance().head().seq()).as("the release's record only").isEqualTo(head + 1);
        assertThatThrownBy(() -> join(store.deployments().create(new NewDeployment(store.deployments().nextId(), "a-999999", null, "bank-risk",
                "requested", null, List.of()), null))).isInstanceOf(StoreRefusedException.class).hasMessageContaining("a-999999");

        // the create first: stored, and a release queued after it finds the deployment holding the allocation
        String a2 = ledger.nextId();
        String d2 = store.deployments().nextId();
        join(ledger.commitPlacement(ledger.generation(), Stores.allocation(a2, "n1", List.of("gpu0")), null, null, d2));
        CompletableFuture<DeploymentRecord> stored = store.deployments().create(new NewDeployment(d2, a2, null, "bank-risk", "requested", null,
                List.of()), null);
        CompletableFuture<LedgerChange> unforced = ledger.release(a2, ReleaseGuard.UNHELD, null);
        assertThat(join(stored).allocationId()).isEqualTo(a2);
        assertThatThrownBy(() -> join(unforced)).isInstanceOf(StoreRefusedException.class).hasMessageContaining("held by deployment " + d2);
        assertThat(ledger.get(a2)).isPresent();
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        store.close();
    }

    /**
     * A record of an allocation is appended only while the allocation is in the ledger, looked up in
     * the append's own transaction: queued after a release, it is refused and nothing is written (the
     * log never says something of an allocation after its release); queued before one, it precedes
     * the release's record. A refused append leaves the others of its group commit alone.
     */
    @Test
    void aRecordOfAnAllocationIsAppendedOnlyWhileTheAllocationIsInTheLedger() {
        JdbcStateStore store = store();
        LedgerStore ledger = store.ledger();
        String kept = ledger.nextId();
        String gone = ledger.nextId();
        join(ledger.commit(0, Stores.allocation(kept, "n1", List.of("gpu0")), null, null));
        join(ledger.commit(1, Stores.allocation(gone, "n2", List.of("gpu0")), null, null));

        CompletableFuture<LedgerChange> release = ledger.release(gone, ReleaseGuard.UNHELD,
                ProvenanceEntry.of("release", "karaf", Map.of(), "allocation", gone));
        List<CompletableFuture<LogRecord>> appended = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String about = i % 2 == 0 ? kept : gone;
            appended.add(store.provenance().appendWhileAllocated(about, ProvenanceEntry.of("commitment", "system", Map.of("i", i),
                    "allocation", about)));
        }
        join(release);
        for (int i = 0; i < appended.size(); i++) {
            CompletableFuture<LogRecord> f = appended.get(i);
            if (i % 2 == 0) {
                assertThat(join(f).subjects()).containsEntry("allocation", kept);
            } else {
                assertThatThrownBy(() -> join(f)).isInstanceOf(StoreRefusedException.class).hasCauseInstanceOf(NotFoundException.class)
                        .hasMessage("no allocation '" + gone + "' in the ledger: the commitment record of it is not appended");
            }
        }
        assertThat(store.provenance().find(new AuditFilter(null, null, gone, null, null, null, null, 100, false)))
                .extracting(LogRecord::kind).containsExactly("release");
        assertThatThrownBy(() -> join(store.provenance().appendWhileAllocated("a-999999", ProvenanceEntry.of("commitment", "system", Map.of()))))
                .isInstanceOf(StoreRefusedException.class).hasCauseInstanceOf(NotFoundException.class);

        // queued before the release: recorded, and the release's record follows it
        CompletableFuture<LogRecord> before = store.provenance().appendWhileAllocated(kept, ProvenanceEntry.of("commitment", "system",
                Map.of("last", true), "allocation", kept));
        LedgerChange released = join(ledger.release(kept, ReleaseGuard.UNHELD, ProvenanceEntry.of("release", "karaf", Map.of(), "allocation", kept)));
        assertThat(join(before).seq()).isLessThan(released.provenanceSeq());
        assertThat(store.provenance().head().seq()).isEqualTo(1 + 20 + 1 + 1);
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        store.close();
    }

    /**
     * A record of an allocation appended only while the latest record of its kind about it is the one the caller read
     * (where every instance writes, two that read the log before either appended both recorded the same change): of two
     * appends expecting the same latest record, queued together or one after the other, one is appended and the other
     * refused as a conflict, nothing written; the latest record read again is expected next, and other kinds and other
     * allocations' records do not count.
     */
    @Test
    void ofTwoAppendsExpectingTheSameLatestRecordOneIsAppended() {
        JdbcStateStore store = store();
        LedgerStore ledger = store.ledger();
        String id = ledger.nextId();
        String other = ledger.nextId();
        join(ledger.commit(0, Stores.allocation(id, "n1", List.of("gpu0")), null, null));
        join(ledger.commit(1, Stores.allocation(other, "n2", List.of("gpu0")), null, null));
        join(store.provenance().appendWhileAllocated(other, ProvenanceEntry.of("commitment", "system", Map.of("status", "AT_RISK"),
                "allocation", other)));
        join(store.provenance().append(ProvenanceEntry.of("placement", "system", Map.of(), "allocation", id)));

        // both read no commitment record of it, and saw the same change
        CompletableFuture<LogRecord> first = store.provenance().appendWhileAllocatedAfter(id, ProvenanceEntry.of("commitment", "system",
                Map.of("status", "AT_RISK", "previous", "HONORED"), "allocation", id), 0);
        CompletableFuture<LogRecord> second = store.provenance().appendWhileAllocatedAfter(id, ProvenanceEntry.of("commitment", "system",
                Map.of("status", "AT_RISK", "previous", "HONORED"), "allocation", id), 0);
        LogRecord recorded = join(first);
        assertThatThrownBy(() -> join(second)).isInstanceOf(StoreRefusedException.class).hasCauseInstanceOf(ConflictException.class)
                .hasMessage("the latest commitment record of allocation '" + id + "' is record " + recorded.seq()
                        + ", not none as expected: the record is not appended");
        assertThatThrownBy(() -> join(store.provenance().appendWhileAllocatedAfter(id, ProvenanceEntry.of("commitment", "system",
                Map.of("status", "AT_RISK", "previous", "HONORED"), "allocation", id), 0)))
                .isInstanceOf(StoreRefusedException.class).hasCauseInstanceOf(ConflictException.class);
        assertThat(store.provenance().find(new AuditFilter(null, null, id, null, "commitment", null, null, 100, false)))
                .extracting(LogRecord::seq).containsExactly(recorded.seq());

        // the next change, from the record read
        LogRecord back = join(store.provenance().appendWhileAllocatedAfter(id, ProvenanceEntry.of("commitment", "system",
                Map.of("status", "HONORED", "previous", "AT_RISK"), "allocation", id), recorded.seq()));
        assertThat(back.prev()).isEqualTo(recorded.hash());
        assertThatThrownBy(() -> join(store.provenance().appendWhileAllocatedAfter("a-999999", ProvenanceEntry.of("commitment", "system",
                Map.of(), "allocation", "a-999999"), 0))).isInstanceOf(StoreRefusedException.class).hasCauseInstanceOf(NotFoundException.class);
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        store.close();
    }

    /**
     * Every write batch chains from the log's head as stored, not from the head this instance
     * remembers: a record that something else appended (direct SQL here) is chained onto. With a
     * remembered head, the next append took the same seq and failed on the primary key.
     */
    @Test
    void appendsChainFromTheHeadAsStored() {
        JdbcStateStore store = store();
        LogRecord first = join(store.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("n", 1))));
        LogRecord foreign = LogRecord.seal(first.seq() + 1, LogRecord.formatTime(java.time.Instant.now()), "configuration", "other",
                Map.of(), Map.of("n", 2), first.hash());
        store.read(c -> {
            try (java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO provenance_record (seq, time_ms, record_time, kind, actor, "
                    + "subjects, payload, prev, hash) VALUES (?, 0, ?, ?, ?, '{}', ?, ?, ?)")) {
                p.setLong(1, foreign.seq());
                p.setString(2, foreign.time());
                p.setString(3, foreign.kind());
                p.setString(4, foreign.actor());
                p.setString(5, dev.strata.platform.audit.Jcs.canonicalize(foreign.payload()));
                p.setString(6, foreign.prev());
                p.setString(7, foreign.hash());
                return p.executeUpdate();
            }
        });
        LogRecord next = join(store.provenance().append(ProvenanceEntry.of("configuration", "karaf", Map.of("n", 3))));
        assertThat(next.seq()).isEqualTo(foreign.seq() + 1);
        assertThat(next.prev()).isEqualTo(foreign.hash());
        Verification v = verifyChain(store);
        assertThat(v.holds()).as(v.summary()).isTrue();
        assertThat(v.records()).isEqualTo(3);
        store.close();
    }

    /**
     * A record is read as stored with what is wrong with how it is kept: a column it is found by
     * (contract, tenant, allocation_id, deployment_id, time_ms) that disagrees with the record, or
     * subjects or payload text other than the canonical form its hash covers, names the record and
     * the column; text that is no JSON object leaves no record to read, and is named too. An intact
     * store has none.
     */
    @Test
    void aRecordKeptOtherwiseThanItsHashCoversIsNamedWhenScannedAsStored() {
        JdbcStateStore store = store();
        for (int i = 1; i <= 4; i++) {
            join(store.provenance().append(ProvenanceEntry.of("placement", "karaf", Map.of("n", i), "contract", "c" + i, "tenant", "t" + i,
                    "allocation", "a-" + i, "deployment", "d-" + i)));
        }
        java.util.function.Supplier<List<ProvenanceStore.Stored>> scan = () -> {
            List<ProvenanceStore.Stored> out = new ArrayList<>();
            store.provenance().scanStored(1, out::add);
            return out;
        };
        assertThat(scan.get()).hasSize(4).allSatisfy(s -> {
            assertThat(s.fault()).as("record " + s.seq()).isNull();
            assertThat(s.record().seq()).isEqualTo(s.seq());
        });
        store.read(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE provenance_record SET tenant = 't9' WHERE seq = 2");
                s.executeUpdate("UPDATE provenance_record SET payload = '{\"n\": 3}' WHERE seq = 3");
                return s.executeUpdate("UPDATE provenance_record SET subjects = '{\"contract\":' WHERE seq = 4");
            }
        });
        List<ProvenanceStore.Stored> stored = scan.get();
        assertThat(stored.get(0).fault()).isNull();
        assertThat(stored.get(1).fault()).isEqualTo("provenance record 2 is stored with tenant 't9' in its tenant column, but the record "
                + "names tenant 't2': the column, which no hash covers and which strata:audit selects records by (and a tenant's user's "
                + "reads), was changed in the database; expected the record's own");
        assertThat(stored.get(2).record().payload()).containsEntry("n", 3.0);
        assertThat(stored.get(2).fault()).isEqualTo("provenance record 3's payload as stored is not in the RFC 8785 canonical form its "
                + "hash covers, in which Strata stores it: at offset 5 it has ' 3}' where the canonical form has '3}'; the text was changed "
                + "in the database");
        assertThat(stored.get(3).record()).isNull();
        assertThat(stored.get(3).fault()).startsWith("provenance record 4 cannot be read: its subjects as stored are not a JSON object "
                + "(malformed JSON at offset 12");
        assertThatThrownBy(() -> store.provenance().get(4)).isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                .hasMessageStartingWith("provenance record 4 cannot be read");
        store.close();
    }

    /**
     * The provenance log's prev and hash columns carry no UNIQUE constraint after migration 4 (the
     * primary key on seq is the fork defence; see V004): the constraints were found by column on
     * this database and dropped, and the statement refuses when there is none to drop.
     */
    /**
     * An actor or a subject the log keeps in a column of its own is refused, longer than that column,
     * when the entry is made, with a message naming the field, its length and the limit; at the
     * limit it is stored and read back whole. Before, the database refused it in the write
     * transaction ("Value too long"), and the decision it recorded failed with it.
     */
    @Test
    void anActorOrSubjectLongerThanItsColumnIsRefusedBeforeTheWriteAndOneThatFitsIsKeptWhole() {
        JdbcStateStore store = store();
        String actor = "u".repeat(ProvenanceEntry.ACTOR_MAX);
        String allocation = "a".repeat(ProvenanceEntry.SUBJECT_MAX.get("allocation"));
        String tenant = "t".repeat(ProvenanceEntry.SUBJECT_MAX.get("tenant"));
        LogRecord r = join(store.provenance().append(ProvenanceEntry.of("placement", actor, Map.of("n", 1), "allocation", allocation,
                "tenant", tenant)));
        LogRecord back = store.provenance().get(r.seq()).orElseThrow();
        assertThat(back.actor()).isEqualTo(actor);
        assertThat(back.subjects()).containsEntry("allocation", allocation).containsEntry("tenant", tenant);
        assertThat(store.provenance().find(new AuditFilter(null, tenant, null, null, null, null, null, 10, false))).hasSize(1);

        assertThatThrownBy(() -> ProvenanceEntry.of("placement", actor + "x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the provenance record's actor is 257 characters long ('" + "u".repeat(32) + "...'): expected at most 256 "
                        + "characters, as the provenance log stores it");
        assertThatThrownBy(() -> ProvenanceEntry.of("placement", "karaf", Map.of(), "deployment", "d".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject deployment is 65 characters long")
                .hasMessageContaining("at most 64 characters");
        assertThatThrownBy(() -> ProvenanceEntry.of("placement", "karaf", Map.of(), "contract", "c\n".repeat(200)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject contract is 400 characters long ('c\\u000ac")
                .hasMessageContaining("at most 256 characters");
        // a subject kept in the JSON alone has no column of its own, and no limit but the record's
        LogRecord node = join(store.provenance().append(ProvenanceEntry.of("placement", "karaf", Map.of(), "node", "n".repeat(1000))));
        assertThat(store.provenance().get(node.seq()).orElseThrow().subjects()).containsEntry("node", "n".repeat(1000));
        assertThat(store.provenance().head().seq()).isEqualTo(node.seq());
        store.close();
    }

    @Test
    void migrationFourLeavesOnlyThePrimaryKeyOnTheProvenanceLog() {
        JdbcStateStore store = store();
        List<String> constraints = store.read(c -> {
            List<String> out = new ArrayList<>();
            try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT constraint_type FROM "
                    + "information_schema.table_constraints WHERE table_schema = current_schema() AND table_name = 'provenance_record' "
                    + "AND constraint_type IN ('UNIQUE', 'PRIMARY KEY')")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
        assertThat(constraints).containsExactly("PRIMARY KEY");
        assertThatThrownBy(() -> store.read(c -> Migrations.resolve(c, "DROP UNIQUE provenance_record (hash)", "here", true)))
                .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                .hasMessage("the state store at here has 0 UNIQUE constraints on provenance_record (hash) where the migration expects exactly one []");
        String other = store.read(c -> Migrations.resolve(c, "CREATE INDEX x ON provenance_record (hash)", "here", true));
        assertThat(other).isEqualTo("CREATE INDEX x ON provenance_record (hash)");
        store.close();
    }

    /**
     * The journal providers keep of their operations: a record per provider and operation, replaced
     * as a whole, durable across a restart, and refused with a clear message when an id or the
     * record is out of bounds (nothing written).
     */
    @Test
    void providersJournalKeepsOneRecordPerOperationAcrossARestart() {
        JdbcStateStore store = store();
        StoreJournal journal = new StoreJournal(store);
        assertThat(journal.all("bmc")).isEmpty();
        assertThat(journal.get("bmc", "op-1")).isEmpty();
        journal.put("bmc", "op-1", "{\"phase\":\"CLAIMED\"}");
        journal.put("bmc", "op-2", "{\"phase\":\"CLAIMED\"}");
        journal.put("bmc", "op-1", "{\"phase\":\"POWER_SENT\"}");
        journal.put("other-vendor", "op-1", "x".repeat(dev.strata.platform.api.provisioning.ProviderJournal.MAX_RECORD));
        assertThat(journal.get("bmc", "op-1")).hasValue("{\"phase\":\"POWER_SENT\"}");
        assertThat(journal.all("bmc")).containsExactly(Map.entry("op-1", "{\"phase\":\"POWER_SENT\"}"),
                Map.entry("op-2", "{\"phase\":\"CLAIMED\"}"));
        assertThat(journal.location()).startsWith(store.info().kind() + " ");

        store = reopen(store);
        StoreJournal reopened = new StoreJournal(store);
        assertThat(reopened.get("bmc", "op-1")).hasValue("{\"phase\":\"POWER_SENT\"}");
        assertThat(reopened.all("other-vendor")).containsOnlyKeys("op-1");
        assertThat(reopened.all("other-vendor").get("op-1")).hasSize(dev.strata.platform.api.provisioning.ProviderJournal.MAX_RECORD);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reopened.put("bmc", "op-3",
                "x".repeat(dev.strata.platform.api.provisioning.ProviderJournal.MAX_RECORD + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 1 to 65536 characters");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reopened.put("bmc", " ", "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation id");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reopened.put("bmc", "op-4", ""))
                .isInstanceOf(IllegalArgumentException.class);
        // an id the journal refuses is named printable and cut, never whole: one of 300 characters with a line break and an escape
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reopened.put("bmc", "op\n\u001b[2J" + "x".repeat(300), "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("an operation id of 'op\\u000a\\u001b[2Jxxx")
                .hasMessageContaining("...' (307 characters): expected 1 to 256 characters").hasMessageNotContaining("\n")
                .hasMessageNotContaining("x".repeat(100));
        assertThat(reopened.all("bmc")).containsOnlyKeys("op-1", "op-2");
        store.close();
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
