package dev.strata.platform.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.placement.TenantUsers;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreTestAccess;
import dev.strata.platform.testkit.SettableClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.util.converter.Converters;

/**
 * The verifier over the real embedded store and a durable placement: a status change is recorded
 * once, with the previous status and the findings; a pass with nothing changed records nothing;
 * a new verifier on the reopened store (a restart) takes the last recorded status from the log and
 * records nothing for an unchanged one; a released allocation is forgotten.
 */
class CommitmentVerifierTest {

    @TempDir
    Path data;

    private final AtomicReference<InventorySnapshot> current = new AtomicReference<>();
    private final AtomicLong generation = new AtomicLong(1);
    private final Inventory inventory = new Inventory() {
        @Override
        public InventorySnapshot snapshot() {
            return current.get();
        }

        @Override
        public InventorySnapshot refresh(Duration maxWait) {
            return current.get();
        }
    };

    private void inventory(Site site, Node node) {
        current.set(new InventorySnapshot(generation.incrementAndGet(), Instant.now(), List.of(site), List.of(node), List.of(), List.of(),
                List.of(), List.of()));
    }

    private static Node degraded() {
        Node n = CommitmentCheckTest.node();
        return n.withAccelerators(List.of(n.accelerators().get(0),
                n.accelerators().get(1).toBuilder().health(new Health(Health.Status.DEGRADED, List.of("row remap pending"))).build()));
    }

    static List<LogRecord> records(JdbcStateStore store) {
        return store.provenance().find(new AuditFilter(null, null, null, null, CommitmentVerifier.KIND, null, null, 100, false));
    }

    @Test
    void eachChangeIsRecordedOnceAndARestartRecordsNothingForAnUnchangedStatus() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        String id;
        Instant breachedAt;
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            PlacementDecision d = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false);
            assertThat(d.placed()).as(d.summary()).isTrue();
            id = d.allocationId();
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());

            // honored from the start: nothing to record; since the placement
            Commitment first = verifier.verify(id);
            assertThat(first.status()).isEqualTo(CommitmentStatus.HONORED);
            assertThat(first.findings()).isEmpty();
            assertThat(first.since()).isEqualTo(placement.allocation(id).orElseThrow().createdAt());
            assertThat(records(store)).isEmpty();

            // the site moved to a country the contract does not allow: one record, with the contract read back from the store
            inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
            Commitment breached = verifier.verifyAll().get(0);
            assertThat(breached.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(breached.inventoryGeneration()).isEqualTo(current.get().generation());
            verifier.verifyAll();
            verifier.verify(id);
            List<LogRecord> recorded = records(store);
            assertThat(recorded).hasSize(1);
            LogRecord r = recorded.get(0);
            assertThat(r.subjects()).containsEntry("allocation", id).containsEntry("contract", "train").containsEntry("tenant", "t1");
            assertThat(r.actor()).isEqualTo("system");
            assertThat(r.payload()).containsEntry("status", "BREACHED").containsEntry("previous", "HONORED").containsEntry("allocation", id);
            assertThat(r.payload().get("findings")).isEqualTo(List.of(Map.of("member", "trainer", "clause", "sovereignty.countries",
                    "status", "BREACHED", "evidence", "node fra-1-h100-03 is at site fra-1, country US, not in [DE, FR]")));
            breachedAt = Instant.parse(r.time());
            assertThat(verifier.commitments()).singleElement().satisfies(c -> assertThat(c.since()).isEqualTo(breached.since()));

            // back in Germany, one GPU degraded: at risk, recorded once with the previous status
            inventory(CommitmentCheckTest.fra1(), degraded());
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
            verifier.verifyAll();
            assertThat(records(store)).hasSize(2);
            assertThat(records(store).get(1).payload()).containsEntry("status", "AT_RISK").containsEntry("previous", "BREACHED");
        } finally {
            store.close();
        }

        // a restart: a new store instance on the same file, a new verifier
        store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            Commitment again = verifier.verify(id);
            assertThat(again.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(again.since()).isAfterOrEqualTo(breachedAt).isEqualTo(Instant.parse(records(store).get(1).time()));
            verifier.verifyAll();
            assertThat(records(store)).hasSize(2);

            // healthy again: back to honored, recorded
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            verifier.verifyAll();
            assertThat(records(store)).hasSize(3);
            assertThat(records(store).get(2).payload()).containsEntry("status", "HONORED").containsEntry("previous", "AT_RISK")
                    .containsEntry("findings", List.of());

            // released: forgotten, and no record
            placement.release(id);
            assertThat(verifier.verifyAll()).isEmpty();
            assertThat(verifier.commitments()).isEmpty();
            assertThatThrownBy(() -> verifier.verify(id)).isInstanceOf(NotFoundException.class).hasMessageContaining(id);
            assertThat(records(store)).hasSize(3);
        } finally {
            store.close();
        }
    }

    /**
     * The last verdicts leave out an allocation released since they were made: its commitment ended with it, so neither
     * {@code strata:commitments}, {@code strata:status} nor the metrics count it. Before, it was shown (and counted
     * BREACHED) until the next pass forgot it: a minute with the default interval, and for good with passes on demand only.
     */
    @Test
    void theLastVerdictsLeaveOutAnAllocationReleasedSinceThePass() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.BREACHED);
            assertThat(verifier.commitments()).extracting(Commitment::allocationId).containsExactly(id);

            placement.release(id);
            assertThat(verifier.commitments()).as("no pass since the release").isEmpty();
            assertThat(records(store)).hasSize(1);
        } finally {
            store.close();
        }
    }

    /**
     * Where the ledger cannot be read (a follower whose database does not answer), the last verdicts are answered as the
     * pass left them: reading the ledger to leave released allocations out must not leave {@code strata:status} and the
     * metrics without an answer.
     */
    @Test
    void theLastVerdictsAreAnsweredWhereTheLedgerCannotBeRead() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement durable = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
            Placement placement = (Placement) java.lang.reflect.Proxy.newProxyInstance(Placement.class.getClassLoader(),
                    new Class<?>[] {Placement.class}, (proxy, method, args) -> {
                        if (down.get() && method.getName().equals("allocations")) {
                            throw new dev.strata.platform.api.exception.StateStoreException("the state store did not answer");
                        }
                        try {
                            return method.invoke(durable, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            assertThat(verifier.verifyAll()).extracting(Commitment::allocationId).containsExactly(id);

            down.set(true);
            assertThat(verifier.commitments()).extracting(Commitment::allocationId).containsExactly(id);
        } finally {
            store.close();
        }
    }

    /**
     * The evidence of a verdict quotes the inventory (a health reason as a provider wrote it): it is cleaned as provider
     * text in the verdict itself, so that {@code strata:commitments} and the log line of the change (which quotes the
     * verdict's first finding) show what the record holds, with no credential and no control character. Before, only the
     * record's copy was cleaned: the shell showed the password in a BMC's URL that the provenance log masked, and the log
     * line carried it, an escape, a line break and a direction override as they came.
     */
    @Test
    void theEvidenceOfAVerdictIsCleanedAsTheRecordOfItIs() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            Node n = CommitmentCheckTest.node();
            inventory(CommitmentCheckTest.fra1(), n.withAccelerators(List.of(n.accelerators().get(0), n.accelerators().get(1).toBuilder()
                    .health(new Health(Health.Status.DEGRADED, List.of("BMC https://admin:Hunter2Secret@10.0.0.5/ said \u001b[2Jrow "
                            + "remap pending\u202e\nFORGED line"))).build())));
            Commitment c = verifier.verifyAll().get(0);
            String evidence = c.findings().get(0).evidence();
            assertThat(evidence).contains("row remap pending").doesNotContain("Hunter2Secret").doesNotContain("\u001b")
                    .doesNotContain("\u202e").doesNotContain("\n");
            assertThat(verifier.commitments()).singleElement().satisfies(v -> assertThat(v.findings().get(0).evidence()).isEqualTo(evidence));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> recorded = (List<Map<String, Object>>) records(store).get(0).payload().get("findings");
            assertThat(recorded.get(0).get("evidence")).as("the shell shows what the record holds").isEqualTo(evidence);
            assertThat(recorded.get(0)).containsEntry("member", "trainer");
            assertThat(c.allocationId()).isEqualTo(id);
        } finally {
            store.close();
        }
    }

    @Test
    void aFirstVerdictThatIsNotHonoredIsRecordedAsAChangeFromHonoredAtPlacement() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node().withState(dev.strata.platform.api.model.ResourceState.STALE));
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            assertThat(verifier.verify(id).status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(records(store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "AT_RISK")
                    .containsEntry("previous", "HONORED"));
            // a second verifier over the same store (another start) records nothing more
            new CommitmentVerifier(store, placement, inventory, Clock.systemUTC()).verifyAll();
            assertThat(records(store)).hasSize(1);
        } finally {
            store.close();
        }
    }

    /**
     * A change is shown since the time of the record that recorded it, by the leader that saw it as by a follower and by a
     * verifier after a restart, which read it back from the log: one verdict, one time. The leader showed its clock's reading
     * when it saw the change (with nanoseconds), and the log's readers the record's time (milliseconds, a few later).
     */
    @Test
    void aChangeIsShownSinceItsRecordsTimeByTheLeaderAFollowerAndAfterARestart() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        String id;
        Instant recordedAt;
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            CommitmentVerifier leader = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            leader.verifyAll();
            inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
            Commitment breached = leader.verifyAll().get(0);
            assertThat(breached.status()).isEqualTo(CommitmentStatus.BREACHED);
            recordedAt = Instant.parse(records(store).get(0).time());

            assertThat(breached.since()).isEqualTo(recordedAt);
            assertThat(leader.commitments()).singleElement().satisfies(c -> assertThat(c.since()).isEqualTo(recordedAt));
            assertThat(leader.verify(id).since()).isEqualTo(recordedAt);
            CommitmentVerifier follower = new CommitmentVerifier(asFollower(store), placement, inventory, Clock.systemUTC());
            assertThat(follower.verify(id).since()).isEqualTo(recordedAt);
        } finally {
            store.close();
        }

        store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            CommitmentVerifier restarted = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            assertThat(restarted.verifyAll()).singleElement().satisfies(c -> assertThat(c.since()).isEqualTo(recordedAt));
            assertThat(records(store)).hasSize(1);
        } finally {
            store.close();
        }
    }

    /** The store as an instance that is not the leader sees it: it reads the log, and records nothing. */
    private static dev.strata.platform.core.store.StateStore asFollower(JdbcStateStore store) {
        dev.strata.platform.core.store.Leadership own = store.leadership();
        dev.strata.platform.core.store.Leadership notLeader = (dev.strata.platform.core.store.Leadership) java.lang.reflect.Proxy.newProxyInstance(
                CommitmentVerifierTest.class.getClassLoader(), new Class<?>[] {dev.strata.platform.core.store.Leadership.class},
                (proxy, m, args) -> m.getName().equals("isLeader") ? Boolean.FALSE : m.invoke(own, args));
        return (dev.strata.platform.core.store.StateStore) java.lang.reflect.Proxy.newProxyInstance(CommitmentVerifierTest.class.getClassLoader(),
                new Class<?>[] {dev.strata.platform.core.store.StateStore.class},
                (proxy, m, args) -> m.getName().equals("leadership") ? notLeader : m.invoke(store, args));
    }

    static CommitmentSettings settings(Map<String, Object> properties) {
        return CommitmentSettings.from(Converters.standardConverter().convert(properties).to(CommitmentConfig.class));
    }

    @Test
    void theIntervalIsADurationOfAtLeastOneSecondOrZeroForOnDemandOnly() {
        assertThat(settings(Map.of())).isEqualTo(CommitmentSettings.DEFAULTS);
        assertThat(settings(Map.of("interval", "30s")).interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings(Map.of("interval", "0")).scheduled()).isFalse();
        for (String bad : new String[] {"soon", "500ms", "-1m", ""}) {
            assertThatThrownBy(() -> settings(Map.of("interval", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.commitment: interval = '" + bad + "' is invalid; expected " + CommitmentSettings.EXPECTED);
        }
    }

    @Test
    void theTelemetryWindowIsADurationOfAtLeastOneSecond() {
        assertThat(CommitmentSettings.DEFAULTS.telemetryWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings(Map.of("telemetryWindow", "5m")).telemetryWindow()).isEqualTo(Duration.ofMinutes(5));
        for (String bad : new String[] {"0", "500ms", "-1m", "", "a while"}) {
            assertThatThrownBy(() -> settings(Map.of("telemetryWindow", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.commitment: telemetryWindow = '" + bad + "' is invalid; expected "
                            + CommitmentSettings.EXPECTED_WINDOW);
        }
    }

    /**
     * The verifier reads the telemetry service it is given, within its window by its own clock: a
     * GPU that reports uncorrected ECC errors puts its allocation at risk, recorded once; a source
     * replaced by one without its history changes nothing while the window holds what was read; the
     * errors older than the window say nothing of now, but nothing checks them either: the
     * allocation stays at risk (no new record) until samples come again, and is honored then.
     */
    @Test
    void theVerifierHoldsAllocationsToTheTelemetryItIsGiven() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            String gpu = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds().get(0);
            Instant now = Instant.now();
            SettableClock clockAt = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, clockAt);
            assertThat(verifier.verify(id).status()).isEqualTo(CommitmentStatus.HONORED);
            TelemetryClausesTest.Samples samples = new TelemetryClausesTest.Samples();
            samples.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpu).at(now.minusSeconds(2)).eccUncorrected(1)
                    .build());
            verifier.telemetry = samples;
            Commitment atRisk = verifier.verifyAll().get(0);
            assertThat(atRisk.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(atRisk.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).startsWith("GPU " + gpu + " on node "
                    + CommitmentCheckTest.NODE + " reports 1 uncorrected ECC error since its driver loaded"));
            verifier.verifyAll();
            assertThat(records(store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "AT_RISK"));

            // the source replaced by one without its history (a provider swapped): the window's samples still count
            verifier.telemetry = new TelemetryClausesTest.Samples();
            clockAt.set(now.plusSeconds(10));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
            assertThat(records(store)).hasSize(1);

            Instant past = now.plus(CommitmentSettings.DEFAULTS.telemetryWindow()).plusSeconds(1);
            clockAt.set(past);
            Commitment unchecked = verifier.verifyAll().get(0);
            assertThat(unchecked.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(unchecked.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).isEqualTo("GPU " + gpu
                    + " (latest sample at " + now.minusSeconds(2) + ") on node " + CommitmentCheckTest.NODE + " has no telemetry sample "
                    + "within the last 60s: uncorrected ECC errors cannot be checked"));
            assertThat(records(store)).as("AT_RISK still: nothing new to record").hasSize(1);

            TelemetryClausesTest.Samples again = new TelemetryClausesTest.Samples();
            again.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpu).at(past.minusSeconds(1)).eccUncorrected(0)
                    .build());
            verifier.telemetry = again;
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(records(store)).hasSize(2);
        } finally {
            store.close();
        }
    }

    /**
     * A telemetry source gone for good (its provider stopped or removed: the telemetry service
     * answers nothing more of its GPUs, or the service itself goes) leaves its GPUs' clauses
     * unchecked: once the window has passed, the allocation is AT_RISK, not HONORED, recorded once
     * however long the gap lasts, with the same findings each pass; once telemetry answers again,
     * HONORED, recorded once.
     */
    @Test
    void aTelemetrySourceGoneForGoodLeavesItsAllocationsAtRiskRecordedOnce() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            List<String> gpus = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            Instant now = Instant.now();
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, clock);
            TelemetryClausesTest.Samples source = new TelemetryClausesTest.Samples();
            gpus.forEach(g -> source.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(g).at(now.minusSeconds(1))
                    .eccUncorrected(0).build()));
            verifier.telemetry = source;
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            // the source removed: the service no longer answers its GPUs
            source.byGpu.clear();
            clock.set(now.plusSeconds(30));
            assertThat(verifier.verifyAll()).as("the window still holds what was read").extracting(Commitment::status)
                    .containsExactly(CommitmentStatus.HONORED);
            clock.set(now.plusSeconds(90));
            Commitment gap = verifier.verifyAll().get(0);
            assertThat(gap.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(gap.findings()).singleElement().satisfies(f -> {
                assertThat(f.clause()).isEqualTo("members.trainer.gpus");
                assertThat(f.evidence()).isEqualTo("GPUs " + gpus.get(0) + " (latest sample at " + now.minusSeconds(1) + "), " + gpus.get(1)
                        + " (latest sample at " + now.minusSeconds(1) + ") on node " + CommitmentCheckTest.NODE + " have no telemetry sample "
                        + "within the last 60s: uncorrected ECC errors cannot be checked");
            });
            assertThat(records(store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "AT_RISK")
                    .containsEntry("previous", "HONORED"));

            for (Duration later : List.of(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(1))) {
                clock.set(now.plus(later));
                assertThat(verifier.verifyAll()).as("%s on", later).singleElement().satisfies(c -> {
                    assertThat(c.status()).isEqualTo(CommitmentStatus.AT_RISK);
                    assertThat(c.findings()).isEqualTo(gap.findings());
                    assertThat(c.since()).isEqualTo(gap.since());
                });
            }
            verifier.telemetry = null;
            assertThat(verifier.verify(id).status()).as("the telemetry service gone too").isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(records(store)).as("a gap that lasts is one change").hasSize(1);

            Instant back = now.plus(Duration.ofDays(1)).plusSeconds(10);
            clock.set(back);
            gpus.forEach(g -> source.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(g).at(back.minusSeconds(1))
                    .eccUncorrected(0).build()));
            verifier.telemetry = source;
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(records(store)).hasSize(2);
            assertThat(records(store).get(1).payload()).containsEntry("status", "HONORED").containsEntry("previous", "AT_RISK");
        } finally {
            store.close();
        }
    }

    /**
     * Samples whose {@code latestGpuSamples()} hangs while held (a sampler stuck, a GC pause, a
     * loaded machine), past the verifier's deadline of a pass's telemetry calls, and answers once let go.
     */
    static final class Held extends TelemetryClausesTest.Samples {
        private volatile java.util.concurrent.CountDownLatch held;
        private volatile java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(0);

        void hold() {
            returned = new java.util.concurrent.CountDownLatch(1);
            held = new java.util.concurrent.CountDownLatch(1);
        }

        /** Lets the held call go and waits until it has returned, so that the verifier's next call is made. */
        void letGo() throws InterruptedException {
            java.util.concurrent.CountDownLatch h = held;
            held = null;
            if (h != null) {
                h.countDown();
                assertThat(returned.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                Thread.sleep(100); // the call's end reaches the verifier's calls meanwhile
            }
        }

        @Override
        public List<dev.strata.platform.api.telemetry.GpuSample> latestGpuSamples() {
            java.util.concurrent.CountDownLatch h = held;
            if (h == null) {
                return super.latestGpuSamples();
            }
            try {
                h.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<dev.strata.platform.api.telemetry.GpuSample> answer = super.latestGpuSamples();
            returned.countDown();
            return answer;
        }

        void sample(List<String> gpus, Instant at) {
            gpus.forEach(g -> add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(g).at(at).eccUncorrected(0).build()));
        }

        void power(List<String> gpus, Instant at, double watts) {
            gpus.forEach(g -> add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(g).at(at).powerWatts(watts)
                    .eccUncorrected(0).build()));
        }

        /** While set, {@code recent()} fails (a source that cannot answer it), {@code latestGpuSamples()} still answering. */
        volatile boolean recentFails;

        @Override
        public List<dev.strata.platform.api.telemetry.GpuSample> recent(String acceleratorId, int limit) {
            if (recentFails) {
                throw new IllegalStateException("the sampler's history cannot be read");
            }
            return super.recent(acceleratorId, limit);
        }
    }

    /**
     * One allocation of {@code contract} placed on an embedded store, a verifier over it whose
     * clock stands at {@link #now} (taken once placed), reading {@link #source}: telemetry a test
     * can hold past the verifier's deadline.
     */
    private final class Watched implements AutoCloseable {
        final JdbcStateStore store;
        final Held source = new Held();
        final String allocationId;
        final List<String> gpus;
        final Instant now;
        final SettableClock clock;
        final CommitmentVerifier verifier;

        Watched(dev.strata.platform.api.contract.Contract contract) {
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
            store = StoreTestAccess.embedded(data);
            try {
                // placed an hour before the passes: every sample the tests give, from a minute or more back, is the member's
                Placement placement = PlacementEngines.durable(inventory, store, "strata",
                        Clock.fixed(Instant.now().minus(java.time.Duration.ofHours(1)), java.time.ZoneOffset.UTC), 1);
                PlacementDecision d = placement.place(contract, false);
                assertThat(d.placed()).as(d.summary()).isTrue();
                allocationId = d.allocationId();
                gpus = placement.allocation(allocationId).orElseThrow().bindings().get(0).acceleratorIds();
                now = Instant.now();
                clock = SettableClock.at(now);
                verifier = new CommitmentVerifier(store, placement, inventory, clock);
                verifier.telemetry = source;
            } catch (RuntimeException | Error e) {
                store.close();
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            try {
                source.letGo();
            } finally {
                verifier.deactivate();
                store.close();
            }
        }
    }

    /**
     * GPUs released and bound to the next allocation between two passes, the second of them late (its telemetry calls
     * unanswered in time): it leans on the samples the pass before read, which are the draw of the workload released, and
     * judged the new member's ceiling by them (BREACHED, with nothing of its own measured). A sample counts towards a
     * member's ceiling only from its allocation's placement on.
     */
    @Test
    void gpusReboundBetweenPassesAreNotJudgedInALatePassByTheWorkloadReleased() throws Exception {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        try (JdbcStateStore store = StoreTestAccess.embedded(data)) {
            Instant now = Instant.now();
            SettableClock placedAt = SettableClock.at(now.minus(Duration.ofHours(1)));
            Placement placement = PlacementEngines.durable(inventory, store, "strata", placedAt, 1);
            PlacementDecision first = placement.place(withCeiling(600), false);
            assertThat(first.placed()).as(first.summary()).isTrue();
            List<String> gpus = placement.allocation(first.allocationId()).orElseThrow().bindings().get(0).acceleratorIds();
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, clock);
            Held source = new Held();
            verifier.telemetry = source;
            try {
                source.power(gpus, now.minusSeconds(30), 450);
                source.power(gpus, now.minusSeconds(1), 450);
                assertThat(verifier.verifyAll()).singleElement().satisfies(c -> assertThat(c.status()).isEqualTo(CommitmentStatus.BREACHED));

                placement.release(first.allocationId());
                placedAt.set(now.plusSeconds(30));
                PlacementDecision second = placement.place(withCeiling(600), false);
                assertThat(second.placed()).as(second.summary()).isTrue();
                assertThat(placement.allocation(second.allocationId()).orElseThrow().bindings().get(0).acceleratorIds())
                        .as("the same GPUs, bound again").isEqualTo(gpus);

                clock.set(now.plusSeconds(61));
                source.hold();
                List<Commitment> late = verifier.verifyAll();
                source.letGo();
                assertThat(late).singleElement().satisfies(c -> {
                    assertThat(c.allocationId()).isEqualTo(second.allocationId());
                    assertThat(c.findings()).as("nothing of the new member's drawn yet").isEmpty();
                    assertThat(c.status()).isEqualTo(CommitmentStatus.HONORED);
                });
            } finally {
                source.letGo();
                verifier.deactivate();
            }
        }
    }

    /** The test contract, its member {@code trainer} with a power ceiling. */
    static dev.strata.platform.api.contract.Contract withCeiling(double watts) {
        dev.strata.platform.api.contract.Contract c = CommitmentCheckTest.contract(Isolation.SHARED, false);
        dev.strata.platform.api.contract.Member trainer = c.members().get(0);
        return new dev.strata.platform.api.contract.Contract(c.name(), c.tenant(), c.priority(), List.of(
                new dev.strata.platform.api.contract.Member(trainer.name(), trainer.cpuMilli(), trainer.memoryBytes(), trainer.gpus(),
                        trainer.topology(), watts)), c.fabric(), c.sovereignty(), c.isolation());
    }

    /**
     * A pass whose telemetry calls miss their deadline (a GC pause, a loaded machine) between passes
     * that read the samples: with {@code interval} and {@code telemetryWindow} of 1m both, what the
     * pass before read is out of the window by then, and the late pass read its GPUs as a gap, AT_RISK
     * and back, two recorded changes. A pass that could not read judges gaps as of the last pass that
     * could: HONORED throughout, nothing recorded.
     */
    @Test
    void onePassWhoseTelemetryMissesItsDeadlineIsNoGap() throws Exception {
        try (Watched w = new Watched(CommitmentCheckTest.contract(Isolation.SHARED, false))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            source.sample(gpus, now.minusSeconds(1));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            // the next pass, a minute and a second on: its call misses the deadline, what was read is out of the window
            clock.set(now.plusSeconds(61));
            source.hold();
            Commitment late = verifier.verifyAll().get(0);
            assertThat(late.status()).as("late, not a gap").isEqualTo(CommitmentStatus.HONORED);
            assertThat(late.findings()).isEmpty();
            source.letGo();

            source.sample(gpus, now.plusSeconds(120));
            clock.set(now.plusSeconds(122));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(records(store)).as("nothing changed, nothing recorded").isEmpty();
        }
    }

    /**
     * A source that keeps missing the deadline, pass after pass, is not excused for good: the passes
     * judge gaps as of the last one that read its samples for one window from the first one that
     * could not, and as of themselves after that. Its GPUs are then AT_RISK, recorded once, with the
     * same findings each pass.
     */
    @Test
    void aSourceThatKeepsMissingTheDeadlineShowsAsAGapAWindowOn() throws Exception {
        try (Watched w = new Watched(CommitmentCheckTest.contract(Isolation.SHARED, false))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            String id = w.allocationId;
            source.sample(gpus, now.minusSeconds(1));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            source.hold(); // and never let go: the first late pass waits the deadline, the next ones not at all (the call still in the source)
            clock.set(now.plusSeconds(61));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).as("the first pass that could not read")
                    .containsExactly(CommitmentStatus.HONORED);
            clock.set(now.plusSeconds(120));
            assertThat(verifier.verify(id).status()).as("within a window of it").isEqualTo(CommitmentStatus.HONORED);
            assertThat(records(store)).isEmpty();

            clock.set(now.plusSeconds(121));
            Commitment gap = verifier.verifyAll().get(0);
            assertThat(gap.status()).as("a window on").isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(gap.findings()).singleElement().satisfies(f -> {
                assertThat(f.clause()).isEqualTo("members.trainer.gpus");
                assertThat(f.evidence()).isEqualTo("GPUs " + gpus.get(0) + " (latest sample at " + now.minusSeconds(1) + "), " + gpus.get(1)
                        + " (latest sample at " + now.minusSeconds(1) + ") on node " + CommitmentCheckTest.NODE + " have no telemetry sample "
                        + "within the last 60s: uncorrected ECC errors cannot be checked");
            });
            for (int seconds : new int[] {182, 243, 3600}) {
                clock.set(now.plusSeconds(seconds));
                assertThat(verifier.verifyAll()).singleElement().satisfies(c -> {
                    assertThat(c.status()).isEqualTo(CommitmentStatus.AT_RISK);
                    assertThat(c.findings()).isEqualTo(gap.findings());
                });
            }
            assertThat(records(store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "AT_RISK")
                    .containsEntry("previous", "HONORED"));

            // the calls answer again, with samples: judged as of now, HONORED, recorded once
            source.letGo();
            Instant back = now.plusSeconds(3660);
            source.sample(gpus, back.minusSeconds(1));
            clock.set(back);
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(records(store)).hasSize(2);
        }
    }

    /**
     * The verifier judges a member's draw over its whole window, however many samples it holds: sampled every second
     * over a window of 30 minutes, the first half over the ceiling, the second under it, BREACHED on the mean of all
     * 3,600. Before, a pass read the latest 1,000 samples of each GPU alone, the window's end, and recorded nothing.
     */
    @Test
    void theVerifierJudgesTheDrawOverAWindowHoldingMoreThanAThousandSamples() throws Exception {
        try (Watched w = new Watched(withCeiling(1000))) {
            w.verifier.configure(new CommitmentSettings(Duration.ZERO, Duration.ofMinutes(30)));
            for (String gpu : w.gpus) {
                List<dev.strata.platform.api.telemetry.GpuSample> list = w.source.byGpu.computeIfAbsent(gpu, k -> new java.util.ArrayList<>());
                for (int i = 0; i < 1800; i++) {
                    list.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpu).at(w.now.minusSeconds(1799 - i))
                            .powerWatts(i < 900 ? 900 : 300).eccUncorrected(0).build());
                }
            }
            Commitment c = w.verifier.verifyAll().get(0);
            assertThat(c.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(c.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).isEqualTo("GPUs " + w.gpus.get(0) + ", "
                    + w.gpus.get(1) + " on node " + CommitmentCheckTest.NODE + " drew 1200.0 W in all (mean of 3600 samples within the last"
                    + " 1800s), more than the member's ceiling of 1000.0 W; the rest of what it draws on the node comes on top"));
            assertThat(records(w.store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "BREACHED"));
        }
    }

    /**
     * A verifier pass holds at most one page (1,000) of a GPU's samples: the window of 1,800 samples a GPU is judged from
     * all of them while the source is never asked for, nor answers, more than a page at once. Before, a pass asked for the
     * latest 1,000, then for as many as the window held (up to 100,000 per GPU) in one list. The source pages its samples
     * as the NVIDIA provider does; it is hand-written to count what the verifier asks of it.
     */
    @Test
    void theVerifierNeverAsksASourceForMoreThanOnePageOfSamples() throws Exception {
        int page = 1000; // TelemetryClauses.PAGE
        List<Integer> asked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger mostAnswered = new java.util.concurrent.atomic.AtomicInteger();
        TelemetryClausesTest.Samples counting = new TelemetryClausesTest.Samples() {
            @Override
            public List<dev.strata.platform.api.telemetry.GpuSample> recent(String acceleratorId, int limit) {
                asked.add(limit);
                List<dev.strata.platform.api.telemetry.GpuSample> answer = super.recent(acceleratorId, limit);
                mostAnswered.accumulateAndGet(answer.size(), Math::max);
                return answer;
            }

            @Override
            public List<dev.strata.platform.api.telemetry.GpuSample> since(String acceleratorId, Instant from, int limit) {
                asked.add(limit);
                List<dev.strata.platform.api.telemetry.GpuSample> answer = byGpu.getOrDefault(acceleratorId, List.of()).stream()
                        .filter(s -> !s.at().isBefore(from)).limit(limit).toList();
                mostAnswered.accumulateAndGet(answer.size(), Math::max);
                return answer;
            }
        };
        try (Watched w = new Watched(withCeiling(1000))) {
            w.verifier.telemetry = counting;
            w.verifier.configure(new CommitmentSettings(Duration.ZERO, Duration.ofMinutes(30)));
            for (String gpu : w.gpus) {
                List<dev.strata.platform.api.telemetry.GpuSample> list = counting.byGpu.computeIfAbsent(gpu, k -> new java.util.ArrayList<>());
                for (int i = 0; i < 1800; i++) {
                    list.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpu).at(w.now.minusSeconds(1799 - i))
                            .powerWatts(i < 900 ? 900 : 300).eccUncorrected(0).build());
                }
            }
            Commitment c = w.verifier.verifyAll().get(0);
            assertThat(c.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).contains("drew 1200.0 W in all (mean of 3600 "
                    + "samples within the last 1800s)"));
            assertThat(asked).as("what the source was asked for").isNotEmpty().allSatisfy(limit -> assertThat(limit).isLessThanOrEqualTo(page));
            assertThat(mostAnswered.get()).as("the most samples it answered at once").isEqualTo(page);
        }
    }

    /**
     * GPUs sampled pass after pass whose samples report no power draw (a device or driver that does
     * not) leave a member's power ceiling unchecked: AT_RISK, not HONORED, recorded once however
     * many passes it lasts, with the same finding each pass, a pass whose telemetry calls missed
     * their deadline included; once they report a draw under the ceiling, HONORED, recorded once.
     */
    @Test
    void gpusThatReportNoPowerLeaveTheCeilingUncheckedRecordedOnce() throws Exception {
        try (Watched w = new Watched(withCeiling(2000))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            source.sample(gpus, now.minusSeconds(1)); // ECC errors, no power draw
            Commitment unchecked = verifier.verifyAll().get(0);
            assertThat(unchecked.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(unchecked.findings()).singleElement().satisfies(f -> {
                assertThat(f.clause()).isEqualTo("members.trainer.power");
                assertThat(f.evidence()).isEqualTo("GPUs " + gpus.get(0) + ", " + gpus.get(1) + " on node " + CommitmentCheckTest.NODE
                        + " report no power draw in their samples within the last 60s: the member's ceiling of 2000.0 W cannot be checked");
            });
            for (int seconds : new int[] {30, 60}) {
                source.sample(gpus, now.plusSeconds(seconds - 1));
                clock.set(now.plusSeconds(seconds));
                assertThat(verifier.verifyAll()).as("%ds on", seconds).singleElement().satisfies(v -> {
                    assertThat(v.status()).isEqualTo(CommitmentStatus.AT_RISK);
                    assertThat(v.findings()).isEqualTo(unchecked.findings());
                });
            }

            // a pass a minute and a second on misses its deadline: what was read is out of its window
            clock.set(now.plusSeconds(121));
            source.hold();
            assertThat(verifier.verifyAll()).as("a late pass").singleElement().satisfies(v -> {
                assertThat(v.status()).isEqualTo(CommitmentStatus.AT_RISK);
                assertThat(v.findings()).isEqualTo(unchecked.findings());
            });
            source.letGo();
            assertThat(records(store)).as("one lasting condition, one change").singleElement().satisfies(r -> assertThat(r.payload())
                    .containsEntry("status", "AT_RISK").containsEntry("previous", "HONORED"));

            gpus.forEach(g -> source.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(g).at(now.plusSeconds(179))
                    .powerWatts(400).eccUncorrected(0).build()));
            clock.set(now.plusSeconds(180));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(records(store)).hasSize(2);
        }
    }

    /**
     * A member whose GPUs drew more than its power ceiling is BREACHED. A pass whose telemetry
     * calls then miss their deadline cannot read the GPUs' samples, and what the pass before read
     * is out of its window: it judges the GPUs' draw as the last pass that could read did, BREACHED
     * with the same finding, and records nothing; before, the GPUs were merely not counted, and the
     * late pass recorded HONORED (a commitment nothing had verified) and the next one BREACHED again.
     */
    @Test
    void aMemberOverItsCeilingStaysBreachedThroughALatePassRecordedOnce() throws Exception {
        try (Watched w = new Watched(withCeiling(600))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            source.power(gpus, now.minusSeconds(30), 410);
            source.power(gpus, now.minusSeconds(1), 390);
            Commitment breached = verifier.verifyAll().get(0);
            assertThat(breached.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(breached.findings()).singleElement().satisfies(f -> {
                assertThat(f.clause()).isEqualTo("members.trainer.power");
                assertThat(f.evidence()).isEqualTo("GPUs " + gpus.get(0) + ", " + gpus.get(1) + " on node " + CommitmentCheckTest.NODE
                        + " drew 800.0 W in all (mean of 4 samples within the last 60s), more than the member's ceiling of 600.0 W; the rest "
                        + "of what it draws on the node comes on top");
            });

            // the next pass, a minute and a second on: its calls miss the deadline, what was read is out of its window
            clock.set(now.plusSeconds(61));
            source.hold();
            Commitment late = verifier.verifyAll().get(0);
            source.letGo();
            assertThat(late.status()).as("late: judged as the last pass that could read").isEqualTo(CommitmentStatus.BREACHED);
            assertThat(late.findings()).isEqualTo(breached.findings());
            assertThat(late.since()).isEqualTo(breached.since());

            source.power(gpus, now.plusSeconds(90), 410);
            source.power(gpus, now.plusSeconds(120), 390);
            clock.set(now.plusSeconds(122));
            assertThat(verifier.verifyAll()).singleElement().satisfies(c -> {
                assertThat(c.status()).isEqualTo(CommitmentStatus.BREACHED);
                assertThat(c.findings()).isEqualTo(breached.findings());
            });
            assertThat(records(store)).as("one breach, one change").singleElement().satisfies(r -> assertThat(r.payload())
                    .containsEntry("status", "BREACHED").containsEntry("previous", "HONORED"));
        }
    }

    /**
     * A GPU whose latest sample reports uncorrected ECC errors puts its member at risk; a pass whose
     * telemetry calls miss their deadline, what the pass before read being out of its window, judges
     * the GPU by the latest sample the last pass that could read had: AT_RISK with the same finding,
     * nothing recorded. Before, the late pass found no sample within its window and nothing else to
     * say, and recorded HONORED, then AT_RISK again.
     */
    @Test
    void uncorrectedEccErrorsStayAtRiskThroughALatePassRecordedOnce() throws Exception {
        try (Watched w = new Watched(CommitmentCheckTest.contract(Isolation.SHARED, false))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            source.sample(List.of(gpus.get(0)), now.minusSeconds(1));
            source.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpus.get(1)).at(now.minusSeconds(1))
                    .eccUncorrected(1).build());
            Commitment atRisk = verifier.verifyAll().get(0);
            assertThat(atRisk.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(atRisk.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).isEqualTo("GPU " + gpus.get(1)
                    + " on node " + CommitmentCheckTest.NODE + " reports 1 uncorrected ECC error since its driver loaded (telemetry at "
                    + now.minusSeconds(1) + "); work on it may have been lost"));

            clock.set(now.plusSeconds(61));
            source.hold();
            Commitment late = verifier.verifyAll().get(0);
            source.letGo();
            assertThat(late.status()).as("late: judged by the sample the last pass that could read had").isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(late.findings()).isEqualTo(atRisk.findings());

            source.sample(List.of(gpus.get(0)), now.plusSeconds(120));
            source.add(dev.strata.platform.api.telemetry.GpuSample.builder().acceleratorId(gpus.get(1)).at(now.plusSeconds(120))
                    .eccUncorrected(1).build());
            clock.set(now.plusSeconds(122));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
            assertThat(records(store)).as("one condition, one change").singleElement().satisfies(r -> assertThat(r.payload())
                    .containsEntry("status", "AT_RISK").containsEntry("previous", "HONORED"));
        }
    }

    /**
     * A member over its ceiling whose source keeps missing the deadline stays BREACHED for one
     * window from the first pass that could not read, as judged by the last pass that could, and is
     * then the gap it is: AT_RISK on both telemetry clauses, one recorded change, and no HONORED
     * in between.
     */
    @Test
    void aMemberOverItsCeilingWhoseSourceKeepsMissingTheDeadlineShowsAsAGapAWindowOn() throws Exception {
        try (Watched w = new Watched(withCeiling(600))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            source.power(gpus, now.minusSeconds(1), 400);
            Commitment breached = verifier.verifyAll().get(0);
            assertThat(breached.status()).isEqualTo(CommitmentStatus.BREACHED);

            source.hold(); // and never let go
            for (int seconds : new int[] {61, 120}) {
                clock.set(now.plusSeconds(seconds));
                assertThat(verifier.verifyAll()).as("%ds on", seconds).singleElement().satisfies(c -> {
                    assertThat(c.status()).isEqualTo(CommitmentStatus.BREACHED);
                    assertThat(c.findings()).isEqualTo(breached.findings());
                });
            }
            clock.set(now.plusSeconds(121));
            Commitment gap = verifier.verifyAll().get(0);
            assertThat(gap.status()).as("a window on").isEqualTo(CommitmentStatus.AT_RISK);
            String gpusSampled = "GPUs " + gpus.get(0) + " (latest sample at " + now.minusSeconds(1) + "), " + gpus.get(1)
                    + " (latest sample at " + now.minusSeconds(1) + ") on node " + CommitmentCheckTest.NODE + " have no telemetry sample "
                    + "within the last 60s";
            assertThat(gap.findings()).extracting(f -> f.clause() + ": " + f.evidence()).containsExactly(
                    "members.trainer.gpus: " + gpusSampled + ": uncorrected ECC errors cannot be checked",
                    "members.trainer.power: " + gpusSampled + ": the member's ceiling of 600.0 W cannot be checked");
            clock.set(now.plusSeconds(182));
            assertThat(verifier.verifyAll()).extracting(Commitment::findings).containsExactly(gap.findings());
            assertThat(records(store)).extracting(r -> r.payload().get("status")).containsExactly("BREACHED", "AT_RISK");
        }
    }

    /**
     * A source that answers the GPUs' latest samples but cannot answer their recent ones (the pass's
     * deadline spent before they were read, a source that fails the call) leaves their draw unread:
     * a member over its ceiling stays BREACHED, as judged by the last pass that read the samples,
     * for one window from the first pass that could not, and its ceiling is then unchecked, AT_RISK
     * with a finding that says so, one recorded change; before, the GPUs were merely not counted, and
     * the first such pass recorded HONORED. Once the samples are read again, their draw counts.
     */
    @Test
    void aMemberOverItsCeilingWhoseRecentSamplesCannotBeReadStaysBreachedForAWindowThenAtRisk() throws Exception {
        try (Watched w = new Watched(withCeiling(600))) {
            Held source = w.source;
            List<String> gpus = w.gpus;
            Instant now = w.now;
            SettableClock clock = w.clock;
            CommitmentVerifier verifier = w.verifier;
            JdbcStateStore store = w.store;
            source.power(gpus, now.minusSeconds(1), 400);
            Commitment breached = verifier.verifyAll().get(0);
            assertThat(breached.status()).isEqualTo(CommitmentStatus.BREACHED);

            source.recentFails = true;
            for (int seconds : new int[] {61, 120}) {
                source.power(gpus, now.plusSeconds(seconds - 1), 400);
                clock.set(now.plusSeconds(seconds));
                assertThat(verifier.verifyAll()).as("%ds on: the latest samples read, the recent ones not", seconds).singleElement()
                        .satisfies(c -> {
                            assertThat(c.status()).isEqualTo(CommitmentStatus.BREACHED);
                            assertThat(c.findings()).isEqualTo(breached.findings());
                        });
            }
            for (int seconds : new int[] {121, 182}) {
                source.power(gpus, now.plusSeconds(seconds - 1), 400);
                clock.set(now.plusSeconds(seconds));
                assertThat(verifier.verifyAll()).as("%ds on: a window on", seconds).singleElement().satisfies(c -> {
                    assertThat(c.status()).isEqualTo(CommitmentStatus.AT_RISK);
                    assertThat(c.findings()).singleElement().satisfies(f -> {
                        assertThat(f.clause()).isEqualTo("members.trainer.power");
                        assertThat(f.evidence()).isEqualTo("the samples of GPUs " + gpus.get(0) + ", " + gpus.get(1) + " on node "
                                + CommitmentCheckTest.NODE + " within the last 60s could not be read: the member's ceiling of 600.0 W "
                                + "cannot be checked");
                    });
                });
            }

            source.recentFails = false;
            source.power(gpus, now.plusSeconds(239), 100); // with the 400 W at 181 s: 250 W each, 500 W in all
            clock.set(now.plusSeconds(240));
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            assertThat(records(store)).extracting(r -> r.payload().get("status")).containsExactly("BREACHED", "AT_RISK", "HONORED");
        }
    }

    /** The findings of a pass that finds both GPUs' latest samples, taken at {@code at}, out of the window: a gap, on both telemetry clauses. */
    static List<String> gap(List<String> gpus, Instant at, String ceiling) {
        String sampled = "GPUs " + gpus.get(0) + " (latest sample at " + at + "), " + gpus.get(1) + " (latest sample at " + at
                + ") on node " + CommitmentCheckTest.NODE + " have no telemetry sample within the last 60s";
        return List.of("members.trainer.gpus AT_RISK: " + sampled + ": uncorrected ECC errors cannot be checked",
                "members.trainer.power AT_RISK: " + sampled + ": the member's ceiling of " + ceiling + " cannot be checked");
    }

    static List<String> described(Commitment c) {
        return c.findings().stream().map(f -> f.clause() + " " + f.status() + ": " + f.evidence()).toList();
    }

    /**
     * A late pass leans only on a pass that was the one before it. Where the last pass whose telemetry calls were
     * answered was hours before (passes on demand, a verifier stopped, a machine suspended), what that pass read says
     * nothing of now: the late pass judges as of itself, and the GPUs whose samples it could not read are a gap, AT_RISK
     * on both telemetry clauses, recorded once. Before, it judged them as of the pass three hours before, and kept the
     * member HONORED on a draw nothing had measured since. So with passes on demand only and every minute.
     */
    @ParameterizedTest(name = "interval {0}s")
    @ValueSource(ints = {0, 60})
    void aLatePassHoursAfterTheLastAnsweredOneFindsWhatItCouldNotReadUncheckedNotHonoredAsThen(int intervalSeconds) throws Exception {
        try (Watched w = new Watched(withCeiling(2000))) {
            w.verifier.configure(new CommitmentSettings(Duration.ofSeconds(intervalSeconds), Duration.ofMinutes(1)));
            w.source.power(w.gpus, w.now.minusSeconds(1), 400);
            assertThat(w.verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            w.clock.set(w.now.plus(Duration.ofHours(3)));
            w.source.hold();
            Commitment late = w.verifier.verifyAll().get(0);
            w.source.letGo();
            assertThat(late.status()).as("three hours on: judged as of itself").isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(described(late)).isEqualTo(gap(w.gpus, w.now.minusSeconds(1), "2000.0 W"));
            assertThat(records(w.store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "AT_RISK")
                    .containsEntry("previous", "HONORED"));
        }
    }

    /**
     * The mirror: a member over its ceiling three hours before a late pass is not kept BREACHED by it as if its draw had
     * been measured now; the pass finds the gap it has (AT_RISK, recorded once). Before, it repeated the breach of three
     * hours before, in the same words, as the current finding.
     */
    @ParameterizedTest(name = "interval {0}s")
    @ValueSource(ints = {0, 60})
    void aBreachHoursOldIsNotCarriedThroughALatePassAsIfMeasured(int intervalSeconds) throws Exception {
        try (Watched w = new Watched(withCeiling(600))) {
            w.verifier.configure(new CommitmentSettings(Duration.ofSeconds(intervalSeconds), Duration.ofMinutes(1)));
            w.source.power(w.gpus, w.now.minusSeconds(1), 400);
            assertThat(w.verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.BREACHED);

            w.clock.set(w.now.plus(Duration.ofHours(3)));
            w.source.hold();
            Commitment late = w.verifier.verifyAll().get(0);
            w.source.letGo();
            assertThat(late.status()).as("three hours on: judged as of itself").isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(described(late)).isEqualTo(gap(w.gpus, w.now.minusSeconds(1), "600.0 W"));
            assertThat(records(w.store)).extracting(r -> r.payload().get("status")).containsExactly("BREACHED", "AT_RISK");
        }
    }

    /**
     * A source that answers the GPUs' latest samples but not their recent ones, three hours after the last pass that read
     * those: their draw is not known now, and the ceiling is unchecked (AT_RISK, "could not be read"), not BREACHED by
     * the draw read three hours before. Before, that pass's samples were averaged as this pass's.
     */
    @ParameterizedTest(name = "interval {0}s")
    @ValueSource(ints = {0, 60})
    void recentSamplesReadHoursBeforeAreNotTakenAsTheDrawOfALatePass(int intervalSeconds) throws Exception {
        try (Watched w = new Watched(withCeiling(600))) {
            w.verifier.configure(new CommitmentSettings(Duration.ofSeconds(intervalSeconds), Duration.ofMinutes(1)));
            w.source.power(w.gpus, w.now.minusSeconds(1), 400);
            assertThat(w.verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.BREACHED);

            Instant later = w.now.plus(Duration.ofHours(3));
            w.source.power(w.gpus, later.minusSeconds(1), 400);
            w.source.recentFails = true;
            w.clock.set(later);
            Commitment unread = w.verifier.verifyAll().get(0);
            assertThat(unread.status()).as("three hours on: the draw not known").isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(described(unread)).containsExactly("members.trainer.power AT_RISK: the samples of GPUs " + w.gpus.get(0) + ", "
                    + w.gpus.get(1) + " on node " + CommitmentCheckTest.NODE + " within the last 60s could not be read: the member's "
                    + "ceiling of 600.0 W cannot be checked");
            assertThat(records(w.store)).extracting(r -> r.payload().get("status")).containsExactly("BREACHED", "AT_RISK");
        }
    }

    /**
     * How far a late pass reaches back: to a pass {@code interval + telemetryWindow} before it, the one before it in the
     * schedule with a window to spare, and not a second further. With passes every 5 minutes and a window of 1 (what the
     * pass before read out of the window when the next one comes), a late pass 5 minutes, or 6, after the last answered
     * one judges as it did, BREACHED, recorded once; with passes on demand only, one a window after it does; with the
     * defaults, one two minutes after it. A second beyond, the late pass judges as of itself: the gap, AT_RISK.
     */
    @ParameterizedTest(name = "interval {0}s, a late pass {1}s after the last answered one, leaning on it: {2}")
    @CsvSource({"300, 300, true", "300, 360, true", "300, 361, false", "0, 60, true", "0, 61, false", "60, 120, true", "60, 121, false"})
    void aLatePassLeansOnTheLastAnsweredOneUpToAnIntervalAndAWindowAfterIt(int intervalSeconds, int lateSeconds, boolean leans)
            throws Exception {
        try (Watched w = new Watched(withCeiling(600))) {
            w.verifier.configure(new CommitmentSettings(Duration.ofSeconds(intervalSeconds), Duration.ofMinutes(1)));
            w.source.power(w.gpus, w.now.minusSeconds(1), 400);
            Commitment breached = w.verifier.verifyAll().get(0);
            assertThat(breached.status()).isEqualTo(CommitmentStatus.BREACHED);

            w.clock.set(w.now.plusSeconds(lateSeconds));
            w.source.hold();
            Commitment late = w.verifier.verifyAll().get(0);
            w.source.letGo();
            if (leans) {
                assertThat(late.status()).as("judged as the last pass that could read").isEqualTo(CommitmentStatus.BREACHED);
                assertThat(late.findings()).isEqualTo(breached.findings());
                assertThat(late.since()).isEqualTo(breached.since());
                assertThat(records(w.store)).extracting(r -> r.payload().get("status")).containsExactly("BREACHED");
            } else {
                assertThat(late.status()).as("judged as of itself").isEqualTo(CommitmentStatus.AT_RISK);
                assertThat(described(late)).isEqualTo(gap(w.gpus, w.now.minusSeconds(1), "600.0 W"));
                assertThat(records(w.store)).extracting(r -> r.payload().get("status")).containsExactly("BREACHED", "AT_RISK");
            }
        }
    }

    /** The state store's GPUs telemetry covered, as the verifier keeps them, by GPU id, each with the instant of its sample. */
    static Map<String, Instant> covered(dev.strata.platform.core.store.StateStore store) {
        Map<String, Instant> out = new java.util.TreeMap<>();
        store.telemetryCoverage().all().forEach((id, s) -> out.put(id, s.at()));
        return out;
    }

    /**
     * A restart of Strata while a telemetry source is gone for good (the NVIDIA provider stopped or removed) does not turn
     * its GPUs into ones no telemetry ever covered: the verifier keeps each GPU's latest sample in the state store, and its
     * first pass after the restart finds the same gap on both telemetry clauses, in the same words (the sample's instant
     * to the nanosecond), and records nothing. Before, the restarted verifier knew nothing of the GPUs' telemetry, found
     * no finding, and recorded the allocation HONORED, a commitment nothing verified.
     */
    @Test
    void aGpuWhoseTelemetrySourceWentForGoodIsTheSameGapAfterARestart() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Instant now = Instant.now();
        Instant sampled = now.minusSeconds(1).plusNanos(1); // nanoseconds that a millisecond column would lose
        String id;
        List<String> gpus;
        Commitment gap;
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            PlacementDecision d = placement.place(withCeiling(600), false);
            assertThat(d.placed()).as(d.summary()).isTrue();
            id = d.allocationId();
            gpus = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, clock);
            Held source = new Held();
            source.power(gpus, sampled, 200);
            verifier.telemetry = source;
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            source.byGpu.clear(); // the provider removed: its telemetry answers nothing more of its GPUs
            clock.set(now.plusSeconds(90));
            gap = verifier.verifyAll().get(0);
            assertThat(gap.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(described(gap)).isEqualTo(gap(gpus, sampled, "600.0 W"));
            assertThat(records(store)).singleElement().satisfies(r -> assertThat(r.payload()).containsEntry("status", "AT_RISK"));
            verifier.deactivate();
        } finally {
            store.close();
        }

        // a restart: the store opened again on the same file, a new verifier; the provider stays gone
        store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, SettableClock.at(now.plusSeconds(150)));
            verifier.telemetry = new TelemetryClausesTest.Samples();
            Commitment again = verifier.verifyAll().get(0);
            assertThat(again.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(again.findings()).as("the same findings in the same words").isEqualTo(gap.findings());
            assertThat(again.since()).isEqualTo(Instant.parse(records(store).get(0).time()));
            assertThat(records(store)).as("nothing changed, nothing recorded").hasSize(1);
            assertThat(verifier.verify(id).findings()).isEqualTo(gap.findings());

            // the telemetry service itself gone too: the same
            verifier.telemetry = null;
            assertThat(verifier.verifyAll()).singleElement().satisfies(c -> assertThat(c.findings()).isEqualTo(gap.findings()));
            assertThat(records(store)).hasSize(1);
            assertThat(covered(store)).as("still covered, as read before the restart").isEqualTo(Map.of(gpus.get(0), sampled,
                    gpus.get(1), sampled));
            verifier.deactivate();
        } finally {
            store.close();
        }
    }

    /**
     * A restart less than a window after a gone source's last sample: the GPUs' latest sample, read back, is within the
     * window (no gap yet; their ECC errors judged by it), but the recent samples a late pass leans on are not kept across
     * a restart, so the member's draw is not known: AT_RISK, their samples could not be read, not HONORED; a window after
     * that sample, the gap. Before, the restarted verifier knew nothing of the GPUs and found the member HONORED.
     */
    @Test
    void aRestartWithinTheWindowOfAGoneSourcesLastSampleFindsTheDrawNotKnown() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Instant now = Instant.now();
        List<String> gpus;
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(withCeiling(600), false).allocationId();
            gpus = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, SettableClock.at(now));
            Held source = new Held();
            source.power(gpus, now.minusSeconds(1), 200);
            verifier.telemetry = source;
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            verifier.deactivate();
        } finally {
            store.close();
        }

        store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            SettableClock clock = SettableClock.at(now.plusSeconds(30));
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, clock);
            verifier.telemetry = new TelemetryClausesTest.Samples();
            Commitment unread = verifier.verifyAll().get(0);
            assertThat(unread.status()).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(described(unread)).containsExactly("members.trainer.power AT_RISK: the samples of GPUs " + gpus.get(0) + ", "
                    + gpus.get(1) + " on node " + CommitmentCheckTest.NODE + " within the last 60s could not be read: the member's "
                    + "ceiling of 600.0 W cannot be checked");
            clock.set(now.plusSeconds(90));
            assertThat(described(verifier.verifyAll().get(0))).isEqualTo(gap(gpus, now.minusSeconds(1), "600.0 W"));
            assertThat(records(store)).as("one status, one recorded change").extracting(r -> r.payload().get("status"))
                    .containsExactly("AT_RISK");
            verifier.deactivate();
        } finally {
            store.close();
        }
    }

    /**
     * The store keeps a GPU only while the verifier checks it, as the verifier's memory does: a GPU gone from the inventory
     * and bound by no allocation is removed once its latest sample is out of the window, so that a restart does not bring
     * back a GPU long gone; a GPU still in the inventory, bound or not, stays. A pass whose samples did not change writes
     * nothing.
     */
    @Test
    void aGpuNoLongerCheckedIsRemovedFromTheStore() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            List<String> gpus = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            Instant now = Instant.now();
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, clock);
            Held source = new Held();
            source.sample(gpus, now.minusSeconds(1));
            verifier.telemetry = source;
            verifier.verifyAll();
            assertThat(covered(store)).isEqualTo(Map.of(gpus.get(0), now.minusSeconds(1), gpus.get(1), now.minusSeconds(1)));
            long writes = store.writeCounts()[1];
            clock.set(now.plusSeconds(10));
            verifier.verifyAll();
            assertThat(store.writeCounts()[1]).as("nothing changed: no write").isEqualTo(writes);

            // released, and the second GPU gone from the node (taken out for repair); its source gone with it
            placement.release(id);
            Node node = CommitmentCheckTest.node();
            inventory(CommitmentCheckTest.fra1(), node.withAccelerators(node.accelerators().stream().filter(a -> !a.id().equals(gpus.get(1)))
                    .toList()));
            source.byGpu.clear();
            clock.set(now.plusSeconds(30));
            verifier.verifyAll();
            assertThat(covered(store)).as("within the window: still remembered").containsOnlyKeys(gpus);
            clock.set(now.plusSeconds(90));
            assertThat(verifier.verifyAll()).isEmpty();
            assertThat(covered(store)).as("the GPU no longer checked is removed; the one in the inventory stays")
                    .isEqualTo(Map.of(gpus.get(0), now.minusSeconds(1)));
            verifier.deactivate();
        } finally {
            store.close();
        }
    }

    /** The state store, its GPUs telemetry covered written through {@code coverage}. */
    private static dev.strata.platform.core.store.StateStore withCoverage(JdbcStateStore store,
            dev.strata.platform.core.store.TelemetryCoverageStore coverage) {
        return wrapped(store, true, store.contracts(), store.provenance(), coverage);
    }

    /**
     * A store that cannot write the GPUs telemetry covered (unreachable, refusing, its writer failing) fails no pass and
     * changes none of its findings: the pass judges as it would, the verifier keeps the GPUs in memory, warns once however
     * many passes fail, and the next pass writes what the store lacks; a restart after that finds the gap as before.
     */
    @Test
    void aWriteOfTheGpusTelemetryCoveredThatFailsLeavesThePassesAsTheyAre() throws Exception {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Instant now = Instant.now();
        List<String> gpus;
        Commitment gap;
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            String id = placement.place(withCeiling(600), false).allocationId();
            gpus = placement.allocation(id).orElseThrow().bindings().get(0).acceleratorIds();
            java.util.concurrent.atomic.AtomicInteger failing = new java.util.concurrent.atomic.AtomicInteger(2);
            dev.strata.platform.core.store.TelemetryCoverageStore real = store.telemetryCoverage();
            dev.strata.platform.core.store.TelemetryCoverageStore refusing = new dev.strata.platform.core.store.TelemetryCoverageStore() {
                @Override
                public Map<String, dev.strata.platform.api.telemetry.GpuSample> all() {
                    return real.all();
                }

                @Override
                public java.util.concurrent.CompletableFuture<Void> write(java.util.Collection<dev.strata.platform.api.telemetry.GpuSample> latest,
                        Map<String, Instant> forgotten) {
                    int left = failing.getAndDecrement();
                    if (left == 2) {
                        return java.util.concurrent.CompletableFuture.failedFuture(new dev.strata.platform.api.exception.StateStoreException(
                                "the state store at test failed to write: the disk is full"));
                    }
                    if (left == 1) {
                        throw new dev.strata.platform.api.exception.StateStoreException("the state store at test is closed");
                    }
                    return real.write(latest, forgotten);
                }
            };
            SettableClock clock = SettableClock.at(now);
            CommitmentVerifier verifier = new CommitmentVerifier(withCoverage(store, refusing), placement, inventory, clock);
            Held source = new Held();
            source.power(gpus, now.minusSeconds(1), 200);
            verifier.telemetry = source;
            assertThat(verifier.verifyAll()).as("the write refused: the pass as it is").extracting(Commitment::status)
                    .containsExactly(CommitmentStatus.HONORED);
            assertThat(covered(store)).isEmpty();

            source.byGpu.clear();
            clock.set(now.plusSeconds(90));
            gap = verifier.verifyAll().get(0);
            assertThat(described(gap)).as("the write failing again: the gap found all the same").isEqualTo(gap(gpus, now.minusSeconds(1),
                    "600.0 W"));
            assertThat(covered(store)).isEmpty();
            assertThat(records(store)).extracting(r -> r.payload().get("status")).containsExactly("AT_RISK");

            clock.set(now.plusSeconds(150));
            assertThat(verifier.verifyAll()).singleElement().satisfies(c -> assertThat(c.findings()).isEqualTo(gap.findings()));
            assertThat(covered(store)).as("written by the next pass").isEqualTo(Map.of(gpus.get(0), now.minusSeconds(1), gpus.get(1),
                    now.minusSeconds(1)));
            String logged = log.text();
            assertThat(logged.split("could not be written to the state store", -1)).as("warned once: %s", logged).hasSize(2);
            assertThat(logged).contains("the disk is full");
            verifier.deactivate();
        } finally {
            store.close();
        }

        store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, SettableClock.at(now.plusSeconds(200)));
            assertThat(verifier.verifyAll()).singleElement().satisfies(c -> assertThat(c.findings()).isEqualTo(gap.findings()));
            assertThat(records(store)).hasSize(1);
        } finally {
            store.close();
        }
    }

    /**
     * A scheduled pass waits until every provider has finished its first discovery: after a
     * restart the inventory is rediscovered, and a provider still starting would have its nodes read
     * as gone and its allocations recorded BREACHED, then HONORED again a pass later.
     */
    @Test
    void scheduledPassesWaitUntilEveryProviderHasDiscovered() throws Exception {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            assertThat(placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).placed()).isTrue();
            java.util.concurrent.atomic.AtomicBoolean discovered = new java.util.concurrent.atomic.AtomicBoolean();
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC(), discovered::get);
            verifier.configure(settings(Map.of("interval", "1s")));
            Thread.sleep(2500);
            assertThat(verifier.commitments()).as("no pass while a provider is starting").isEmpty();
            discovered.set(true);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (verifier.commitments().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(verifier.commitments()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);
            verifier.deactivate();
        } finally {
            store.close();
        }
    }

    @Test
    void passesRunOnTheirIntervalAndNoneWithZero() {
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            assertThat(verifier.nextPassIn()).isNull();
            verifier.configure(settings(Map.of("interval", "1h")));
            assertThat(verifier.nextPassIn()).isGreaterThan(Duration.ofMinutes(59));
            verifier.configure(settings(Map.of("interval", "0")));
            assertThat(verifier.nextPassIn()).isNull();
            verifier.deactivate();
        } finally {
            store.close();
        }
    }

    /**
     * A ledger of fixed allocations, committed to the store's ledger too (the verifier records a
     * change only while the store holds its allocation); {@code afterListing} runs each time it is
     * listed. A release frees it in both.
     */
    static Placement ledger(JdbcStateStore store, List<dev.strata.platform.api.placement.Allocation> allocations, Runnable afterListing) {
        Map<String, dev.strata.platform.api.placement.Allocation> byId = new java.util.concurrent.ConcurrentHashMap<>();
        allocations.forEach(a -> byId.put(a.id(), a));
        long generation = store.ledger().generation();
        List<java.util.concurrent.CompletableFuture<?>> committed = new java.util.ArrayList<>();
        for (dev.strata.platform.api.placement.Allocation a : allocations) {
            committed.add(store.ledger().commit(generation++, a, null, null));
        }
        committed.forEach(java.util.concurrent.CompletableFuture::join);
        java.util.function.Function<String, dev.strata.platform.api.placement.Allocation> release = id -> {
            dev.strata.platform.api.placement.Allocation removed = byId.remove(id);
            if (removed != null) {
                store.ledger().release(id, dev.strata.platform.core.store.ReleaseGuard.FORCED, null).join();
            }
            return removed;
        };
        return new Placement() {
            @Override
            public PlacementDecision place(dev.strata.platform.api.contract.Contract contract, boolean dryRun) {
                throw new UnsupportedOperationException();
            }

            @Override
            public PlacementDecision placeFor(dev.strata.platform.api.contract.Contract contract, String deploymentId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<dev.strata.platform.api.placement.Allocation> allocations() {
                List<dev.strata.platform.api.placement.Allocation> out = List.copyOf(new java.util.TreeMap<>(byId).values());
                afterListing.run();
                // what a tenant's user reads, as Strata's placement service filters it (TenantAccessTest)
                return TenantAccess.visible(out, dev.strata.platform.api.placement.Allocation::tenant);
            }

            @Override
            public java.util.Optional<dev.strata.platform.api.placement.Allocation> allocation(String id) {
                return TenantAccess.visible(java.util.Optional.ofNullable(byId.get(id)), dev.strata.platform.api.placement.Allocation::tenant);
            }

            @Override
            public dev.strata.platform.api.placement.Allocation release(String id) {
                return release.apply(id);
            }

            @Override
            public dev.strata.platform.api.placement.Allocation forceRelease(String id) {
                return release.apply(id);
            }

            @Override
            public dev.strata.platform.api.placement.Allocation releaseFor(String id, String deploymentId) {
                return release.apply(id);
            }
        };
    }

    /**
     * A tenant's user (a login with roles {@code tenant:ID}) who verifies gets its tenants' verdicts
     * only, but each is checked against the whole ledger (another tenant on its dedicated node is
     * still found), and every tenant's changes are still recorded; another tenant's allocation reads
     * as absent and the verifier keeps what it knows of it. The test's placement filters what a
     * tenant's user reads as Strata's placement service does ({@code TenantAccessTest}).
     */
    @Test
    void aTenantsUserGetsItsOwnVerdictsCheckedAgainstTheWholeLedger() {
        // the node is gone at first: both allocations BREACHED; when it is back, each changes
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node().toBuilder().id("elsewhere").build());
        dev.strata.platform.api.placement.Allocation intruder = CommitmentCheckTest.allocation("b-1", "t2", false, CommitmentCheckTest.NODE);
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.DEDICATED, intruder), () -> { });
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            assertThat(verifier.verifyAll()).as("an operator's pass").hasSize(2);
            int recorded = records(store).size();
            assertThat(records(store)).extracting(r -> r.payload().get("status")).containsOnly("BREACHED");
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
            List<Commitment> mine = TenantUsers.as("ann", verifier::verifyAll, "ssh", "tenant:t1");
            assertThat(mine).extracting(Commitment::allocationId).containsExactly("a-1");
            // the intruder is found, but neither its allocation nor its tenant is named to t1's user
            assertThat(mine.get(0).findings()).extracting(f -> f.evidence()).contains(
                    "node " + CommitmentCheckTest.NODE + " also holds an allocation of another tenant; isolation dedicated-node allows no other tenant");
            assertThat(mine.get(0).findings()).extracting(f -> f.evidence()).noneMatch(e -> e.contains("b-1") || e.contains("t2"));
            assertThat(verifier.commitments()).as("an operator is shown the intruder").filteredOn(c -> c.allocationId().equals("a-1"))
                    .flatExtracting(Commitment::findings).extracting(f -> f.evidence()).contains("node " + CommitmentCheckTest.NODE
                            + " also holds allocation b-1 of tenant t2; isolation dedicated-node allows no other tenant");
            assertThat(records(store).subList(recorded, records(store).size())).as("the other tenant's change recorded too")
                    .extracting(r -> r.payload().get("allocation")).contains("b-1");
            assertThat(TenantUsers.as("ann", verifier::commitments, "tenant:t1")).extracting(Commitment::allocationId).containsExactly("a-1");
            assertThatThrownBy(() -> TenantUsers.as("ann", () -> verifier.verify("b-1"), "tenant:t1"))
                    .isInstanceOf(NotFoundException.class).hasMessageStartingWith("no allocation 'b-1'");
            assertThat(TenantUsers.as("ann", () -> verifier.verify("a-1"), "tenant:t1").findings()).extracting(f -> f.clause()).contains("isolation");
            for (Commitment c : List.of(TenantUsers.as("ann", () -> verifier.verify("a-1"), "tenant:t1"))) {
                assertThat(c.findings()).extracting(f -> f.evidence()).noneMatch(e -> e.contains("b-1") || e.contains("t2"));
            }
            assertThat(TenantUsers.as("ann", verifier::commitments, "tenant:t1")).flatExtracting(Commitment::findings)
                    .extracting(f -> f.evidence()).noneMatch(e -> e.contains("b-1") || e.contains("t2"));
            assertThat(verifier.commitments()).as("nothing forgotten").extracting(Commitment::allocationId).containsExactly("a-1", "b-1");
        } finally {
            store.close();
        }
    }

    /**
     * A pass looks nodes and other tenants' allocations up in tables it builds once (a scan of the
     * inventory and the ledger per binding made a pass over thousands of dedicated-node allocations
     * take seconds with the monitor held; measured, not asserted here, as timings are not tests):
     * over thousands of allocations it still finds the one node another tenant shares, and only it.
     */
    @Test
    void aPassOverThousandsOfDedicatedAllocationsFindsTheOneNodeAnotherTenantShares() {
        int allocations = 3000;
        int members = 4;
        Node base = CommitmentCheckTest.node().withAccelerators(List.of());
        List<Node> nodes = new java.util.ArrayList<>();
        List<dev.strata.platform.api.placement.Allocation> ledger = new java.util.ArrayList<>();
        for (int i = 0; i < allocations; i++) {
            List<dev.strata.platform.api.placement.MemberBinding> bindings = new java.util.ArrayList<>();
            for (int m = 0; m < members; m++) {
                String node = "n-" + i + "-" + m;
                nodes.add(base.toBuilder().id(node).build());
                bindings.add(new dev.strata.platform.api.placement.MemberBinding("trainer", node, "fra-1", List.of(), 1, null, -1, null,
                        1000, 1L << 30, 0, null));
            }
            ledger.add(new dev.strata.platform.api.placement.Allocation(String.format("a-%06d", i), "train", "t" + i, 10, true,
                    Instant.now(), bindings));
        }
        // another tenant's allocation on the first allocation's last node
        ledger.add(new dev.strata.platform.api.placement.Allocation("b-000000", "other", "t-other", 10, false, Instant.now(),
                List.of(new dev.strata.platform.api.placement.MemberBinding("web", "n-0-3", "fra-1", List.of(), 1, null, -1, null, 1000,
                        1L << 30, 0, null))));
        current.set(new InventorySnapshot(generation.incrementAndGet(), Instant.now(), List.of(CommitmentCheckTest.fra1()), nodes, List.of(),
                List.of(), List.of(), List.of()));
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(store, ledger(store, ledger, () -> { }), inventory, Clock.systemUTC());
            verifier.verifyAll(); // the first pass reads each allocation's last record and contract from the store
            List<Commitment> verdicts = verifier.verifyAll();
            assertThat(verdicts).hasSize(allocations + 1);
            assertThat(verdicts.stream().filter(v -> !v.findings().stream().filter(f -> f.clause().equals("isolation")).toList().isEmpty()))
                    .extracting(Commitment::allocationId).containsExactly("a-000000");
            assertThat(verdicts.get(0).findings()).extracting(f -> f.evidence()).contains(
                    "node n-0-3 also holds allocation b-000000 of tenant t-other; isolation dedicated-node allows no other tenant");
            assertThat(verdicts.get(1).findings()).extracting(f -> f.clause()).doesNotContain("isolation");
        } finally {
            store.close();
        }
    }

    /**
     * An allocation released while a pass runs (after the pass listed the ledger) is not recorded:
     * a BREACHED record after its release would say a commitment was broken that no longer existed.
     */
    @Test
    void anAllocationReleasedDuringAPassIsNeitherRecordedNorListed() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        dev.strata.platform.api.placement.Allocation gone = CommitmentCheckTest.allocation("a-000001", "t1", false, "gone-node");
        AtomicReference<Placement> placement = new AtomicReference<>();
        JdbcStateStore store = StoreTestAccess.embedded(data);
        placement.set(ledger(store, List.of(gone), () -> placement.get().release(gone.id())));
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement.get(), inventory, Clock.systemUTC());
            assertThat(verifier.verifyAll()).isEmpty();
            assertThat(verifier.commitments()).isEmpty();
            assertThat(records(store)).isEmpty();
        } finally {
            store.close();
        }
    }

    /**
     * The log as it reads one allocation's records, by kind in order; it must never say that the
     * commitment changed after the allocation ended: no {@code commitment} record after its {@code release}.
     */
    static List<String> kindsOf(dev.strata.platform.core.store.StateStore store, String allocationId) {
        return store.provenance().find(new AuditFilter(null, null, allocationId, null, null, null, null, 100, false)).stream()
                .map(LogRecord::kind).toList();
    }

    /**
     * The log, with {@code beforeRecord} run once just before the verifier's next {@code commitment}
     * record is handed to it, by whichever method the verifier appends with: a release made there
     * comes after the verifier found the allocation in the ledger and before its record is written.
     */
    static dev.strata.platform.core.store.ProvenanceStore releasingFirst(dev.strata.platform.core.store.ProvenanceStore real,
            java.util.concurrent.atomic.AtomicReference<Runnable> beforeRecord) {
        return (dev.strata.platform.core.store.ProvenanceStore) java.lang.reflect.Proxy.newProxyInstance(
                CommitmentVerifierTest.class.getClassLoader(), new Class<?>[] {dev.strata.platform.core.store.ProvenanceStore.class},
                (proxy, method, args) -> {
                    boolean record = method.getName().startsWith("append") && args != null && java.util.Arrays.stream(args)
                            .anyMatch(x -> x instanceof dev.strata.platform.core.store.ProvenanceEntry e && e.kind().equals(CommitmentVerifier.KIND));
                    Runnable hook = record ? beforeRecord.getAndSet(null) : null;
                    if (hook != null) {
                        hook.run();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * An allocation released after the verifier found it in the ledger and before the record of its
     * change reached the log (an operator's release, here made just then) is not recorded: a
     * {@code commitment} record after its {@code release} record said the commitment changed after it
     * ended. The store checks that the allocation is still in the ledger in the append's own
     * transaction; the verifier then forgets it, as when it sees the release first. In a pass and on demand.
     */
    @Test
    void anAllocationReleasedBetweenTheLookAndTheRecordIsNotRecordedAfterItsRelease() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 1);
            java.util.concurrent.atomic.AtomicReference<Runnable> hook = new java.util.concurrent.atomic.AtomicReference<>();
            CommitmentVerifier verifier = new CommitmentVerifier(wrapped(store, true, store.contracts(), releasingFirst(store.provenance(), hook)),
                    placement, inventory, Clock.systemUTC());
            String first = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.HONORED);

            // the site moves to a country the contract does not allow: a change, released just before its record
            inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            hook.set(() -> released.set(placement.release(first) != null));
            List<Commitment> pass = verifier.verifyAll();
            assertThat(released).as("released between the look and the record").isTrue();
            assertThat(kindsOf(store, first)).containsExactly("placement", "release");
            assertThat(pass).isEmpty();
            assertThat(verifier.commitments()).isEmpty();
            assertThatThrownBy(() -> verifier.verify(first)).isInstanceOf(NotFoundException.class);

            // on demand: the same
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
            String second = placement.place(CommitmentCheckTest.contract(Isolation.SHARED, false), false).allocationId();
            assertThat(verifier.verify(second).status()).isEqualTo(CommitmentStatus.HONORED);
            inventory(CommitmentCheckTest.fra1().toBuilder().country("US").build(), CommitmentCheckTest.node());
            hook.set(() -> placement.release(second));
            assertThatThrownBy(() -> verifier.verify(second)).isInstanceOf(NotFoundException.class).hasMessageContaining(second)
                    .hasMessageContaining("was released");
            assertThat(hook.get()).as("the hook ran").isNull();
            assertThat(kindsOf(store, second)).containsExactly("placement", "release");
            assertThat(verifier.commitments()).isEmpty();
            assertThat(records(store)).isEmpty();
            assertThat(StoreTestAccess.verifyChain(store).holds()).isTrue();
        } finally {
            store.close();
        }
    }

    /**
     * The first pass (a start, a new leader) reads each allocation's last commitment record from a
     * long log of other allocations' records: the allocations here have no stored contract, so each
     * is AT_RISK and recorded once; a restart's first pass then finds each one's record and records
     * nothing again. (The read goes by the index of migration 7, which {@code EmbeddedStoreTest}'s
     * list of migrations checks; without it each read scanned the whole log, measured at seconds for
     * 2,000 allocations on 30,000 records, not asserted here, as timings are not tests.)
     */
    @Test
    void theFirstPassOnALongLogFindsEachAllocationsOwnLastRecord() {
        int allocations = 2000;
        List<Node> nodes = new java.util.ArrayList<>();
        List<dev.strata.platform.api.placement.Allocation> ledger = new java.util.ArrayList<>();
        Node base = CommitmentCheckTest.node().withAccelerators(List.of());
        for (int i = 0; i < allocations; i++) {
            nodes.add(base.toBuilder().id("n-" + i).build());
            ledger.add(CommitmentCheckTest.allocation(String.format("a-%06d", i), "t1", false, "n-" + i));
        }
        current.set(new InventorySnapshot(generation.incrementAndGet(), Instant.now(), List.of(CommitmentCheckTest.fra1()), nodes, List.of(),
                List.of(), List.of(), List.of()));
        JdbcStateStore store = StoreTestAccess.embedded(data);
        try {
            Placement placement = ledger(store, ledger, () -> { });
            List<java.util.concurrent.CompletableFuture<?>> appended = new java.util.ArrayList<>();
            for (int i = 0; i < 30_000; i++) {
                appended.add(store.provenance().append(dev.strata.platform.core.store.ProvenanceEntry.of("placement", "x", Map.of("i", i),
                        "contract", "c", "tenant", "t0", "allocation", "b-" + i)));
            }
            appended.forEach(java.util.concurrent.CompletableFuture::join);
            java.util.function.Supplier<Integer> recorded = () -> store.provenance().find(new AuditFilter(null, null, null, null,
                    CommitmentVerifier.KIND, null, null, 10 * allocations, false)).size();
            List<Commitment> verdicts = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC()).verifyAll();
            assertThat(verdicts).hasSize(allocations).extracting(Commitment::status).containsOnly(CommitmentStatus.AT_RISK);
            assertThat(recorded.get()).isEqualTo(allocations);
            // a restart: each allocation's own last record is found among the 30,000 others, nothing recorded again
            assertThat(new CommitmentVerifier(store, placement, inventory, Clock.systemUTC()).verifyAll()).hasSize(allocations)
                    .extracting(Commitment::status).containsOnly(CommitmentStatus.AT_RISK);
            assertThat(recorded.get()).isEqualTo(allocations);
        } finally {
            store.close();
        }
    }

    /**
     * The last verdicts are read without waiting for a pass, which holds the verifier while it
     * reads and writes the store ({@code strata:status} and {@code strata:commitments} would hang
     * for as long as a pass over a slow store takes).
     */
    @Test
    void theLastVerdictsAreReadWhileAPassRuns() throws Exception {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        java.util.concurrent.CountDownLatch inPass = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean block = new java.util.concurrent.atomic.AtomicBoolean();
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.PLACED), () -> {
            if (block.compareAndSet(true, false)) { // the pass's listing: a read of the verdicts lists the ledger too, unheld
                inPass.countDown();
                try {
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(store, placement, inventory, Clock.systemUTC());
            verifier.verifyAll();
            block.set(true);
            java.util.concurrent.Future<?> pass = other.submit(verifier::verifyAll);
            assertThat(inPass.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.CompletableFuture<List<Commitment>> read = java.util.concurrent.CompletableFuture.supplyAsync(
                    verifier::commitments);
            try {
                assertThat(read.get(5, java.util.concurrent.TimeUnit.SECONDS)).extracting(Commitment::allocationId)
                        .containsExactly(CommitmentCheckTest.PLACED.id());
            } finally {
                release.countDown();
            }
            pass.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            release.countDown();
            other.shutdownNow();
            store.close();
        }
    }

    /** The store, as an instance of several that all write to it (PostgreSQL without an election) sees it. */
    static dev.strata.platform.core.store.StateStore shared(JdbcStateStore store) {
        return wrapped(store, false, store.contracts());
    }

    /** The store, with its leadership exclusive or not, and contracts read through {@code contracts}. */
    static dev.strata.platform.core.store.StateStore wrapped(JdbcStateStore store, boolean exclusive,
            dev.strata.platform.core.store.ContractStore contracts) {
        return wrapped(store, exclusive, contracts, store.provenance());
    }

    /** As {@link #wrapped(JdbcStateStore, boolean, dev.strata.platform.core.store.ContractStore)}, the log read and written through {@code provenance}. */
    static dev.strata.platform.core.store.StateStore wrapped(JdbcStateStore store, boolean exclusive,
            dev.strata.platform.core.store.ContractStore contracts, dev.strata.platform.core.store.ProvenanceStore provenance) {
        return wrapped(store, exclusive, contracts, provenance, store.telemetryCoverage());
    }

    /** As above, the GPUs telemetry covered read and written through {@code coverage}. */
    static dev.strata.platform.core.store.StateStore wrapped(JdbcStateStore store, boolean exclusive,
            dev.strata.platform.core.store.ContractStore contracts, dev.strata.platform.core.store.ProvenanceStore provenance,
            dev.strata.platform.core.store.TelemetryCoverageStore coverage) {
        dev.strata.platform.core.store.Leadership own = store.leadership();
        dev.strata.platform.core.store.Leadership leadership = new dev.strata.platform.core.store.Leadership() {
            @Override
            public String instanceId() {
                return own.instanceId();
            }

            @Override
            public boolean isLeader() {
                return own.isLeader();
            }

            @Override
            public long epoch() {
                return own.epoch();
            }

            @Override
            public java.util.Optional<Leader> leader() {
                return own.leader();
            }

            @Override
            public boolean exclusive() {
                return exclusive;
            }
        };
        return new dev.strata.platform.core.store.StateStore() {
            @Override
            public dev.strata.platform.core.store.StoreInfo info() {
                return store.info();
            }

            @Override
            public dev.strata.platform.core.store.LedgerStore ledger() {
                return store.ledger();
            }

            @Override
            public dev.strata.platform.core.store.ContractStore contracts() {
                return contracts;
            }

            @Override
            public dev.strata.platform.core.store.TenantStore tenants() {
                return store.tenants();
            }

            @Override
            public dev.strata.platform.core.store.DeploymentStore deployments() {
                return store.deployments();
            }

            @Override
            public dev.strata.platform.core.store.ProvenanceStore provenance() {
                return provenance;
            }

            @Override
            public dev.strata.platform.core.store.JournalStore journal() {
                return store.journal();
            }

            @Override
            public dev.strata.platform.core.store.TelemetryCoverageStore telemetryCoverage() {
                return coverage;
            }

            @Override
            public dev.strata.platform.core.store.Leadership leadership() {
                return leadership;
            }

            @Override
            public void requireLeader() {
                store.requireLeader();
            }
        };
    }

    /**
     * Where every instance writes (PostgreSQL without an election, each instance verifying on its
     * own), a change another instance has recorded already is not recorded again: the status an
     * instance remembers is not the log's last one there.
     */
    @Test
    void whereEveryInstanceWritesAChangeIsRecordedOnceNotOncePerInstance() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.PLACED), () -> { });
        try {
            CommitmentVerifier one = new CommitmentVerifier(shared(store), placement, inventory, Clock.systemUTC());
            CommitmentVerifier two = new CommitmentVerifier(shared(store), placement, inventory, Clock.systemUTC());
            one.verifyAll();
            two.verifyAll();
            inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node().withAccelerators(List.of()));
            assertThat(one.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.BREACHED);
            assertThat(two.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.BREACHED);
            // AT_RISK first (the contract is not in the store), then BREACHED: each recorded once
            assertThat(records(store)).extracting(r -> r.payload().get("previous") + ">" + r.payload().get("status"))
                    .containsExactly("HONORED>AT_RISK", "AT_RISK>BREACHED");
        } finally {
            store.close();
        }
    }

    /**
     * A contract the store does not hold (or cannot be read) is looked for once per allocation,
     * not again every pass: it is stored with its placement or never, and each look read up to a
     * thousand of the tenant's contracts and warned again.
     */
    @Test
    void aContractNotInTheStoreIsLookedForOncePerAllocation() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.PLACED), () -> { });
        AtomicLong reads = new AtomicLong();
        dev.strata.platform.core.store.ContractStore counting = new dev.strata.platform.core.store.ContractStore() {
            @Override
            public java.util.concurrent.CompletableFuture<dev.strata.platform.core.store.StoredContract> put(
                    dev.strata.platform.core.store.NewContract contract, dev.strata.platform.core.store.ProvenanceEntry why) {
                return store.contracts().put(contract, why);
            }

            @Override
            public java.util.Optional<dev.strata.platform.core.store.StoredContract> get(String id) {
                reads.incrementAndGet();
                return store.contracts().get(id);
            }

            @Override
            public List<dev.strata.platform.core.store.StoredContract> list(String tenant, int limit) {
                reads.incrementAndGet();
                return store.contracts().list(tenant, limit);
            }
        };
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(wrapped(store, true, counting), placement, inventory, Clock.systemUTC());
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
            long first = reads.get();
            assertThat(first).isPositive();
            verifier.verifyAll();
            verifier.verify(CommitmentCheckTest.PLACED.id());
            assertThat(reads.get()).isEqualTo(first);
            assertThat(verifier.commitments()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
        } finally {
            store.close();
        }
    }

    /**
     * A pass that fails partway (here the store cannot read one allocation's contract) has handed the changes of the
     * allocations before it to the log, where they become durable: they are recorded once, not again by the next pass.
     * Before, the failure skipped waiting for them, the verifier kept remembering the status before each as the one
     * recorded, and the next pass recorded each of those changes a second time.
     */
    @Test
    void theChangesOfAPassThatFailsPartwayAreRecordedOnceNotAgainByTheNextPass() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        String node = CommitmentCheckTest.NODE;
        // no contract in the store: each allocation goes from HONORED (at placement) to AT_RISK, a change to record
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.allocation("a-1", "t1", false, node, node + "/gpu0"),
                CommitmentCheckTest.allocation("a-2", "t1", false, node, node + "/gpu1")), () -> { });
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.strata.platform.core.store.ContractStore flaky = new dev.strata.platform.core.store.ContractStore() {
            @Override
            public java.util.concurrent.CompletableFuture<dev.strata.platform.core.store.StoredContract> put(
                    dev.strata.platform.core.store.NewContract contract, dev.strata.platform.core.store.ProvenanceEntry why) {
                return store.contracts().put(contract, why);
            }

            @Override
            public java.util.Optional<dev.strata.platform.core.store.StoredContract> get(String id) {
                if (id.equals("c-a-2") && failing.getAndSet(false)) {
                    throw new dev.strata.platform.api.exception.StateStoreException("the state store at test could not be read: "
                            + "the connection was reset");
                }
                return store.contracts().get(id);
            }

            @Override
            public List<dev.strata.platform.core.store.StoredContract> list(String tenant, int limit) {
                return store.contracts().list(tenant, limit);
            }
        };
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(wrapped(store, true, flaky), placement, inventory, Clock.systemUTC());
            assertThatThrownBy(verifier::verifyAll).hasMessageContaining("the connection was reset");
            assertThat(records(store)).as("a-1's change, handed to the log before the pass failed")
                    .extracting(r -> r.subjects().get("allocation")).containsExactly("a-1");

            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK, CommitmentStatus.AT_RISK);
            verifier.verifyAll();
            assertThat(records(store)).extracting(r -> r.subjects().get("allocation") + ":" + r.payload().get("previous") + ">"
                    + r.payload().get("status")).containsExactly("a-1:HONORED>AT_RISK", "a-2:HONORED>AT_RISK");
        } finally {
            store.close();
        }
    }

    /**
     * A pass hands every change to the log before it waits for any, so that they share the log's
     * durable commits: it waited for each in turn (2 to 7 ms a change on this machine's disk,
     * seconds for a pass over thousands, with the verifier held). A change the log refuses is
     * recorded by the next pass, and only that one.
     */
    @Test
    void aPassHandsAllItsChangesToTheLogBeforeWaitingAndAFailedOneIsRecordedNextPass() throws Exception {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        String node = CommitmentCheckTest.NODE;
        // no contract in the store: each allocation goes from HONORED (at placement) to AT_RISK, a change to record
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.allocation("a-1", "t1", false, node, node + "/gpu0"),
                CommitmentCheckTest.allocation("a-2", "t1", false, node, node + "/gpu1"),
                CommitmentCheckTest.allocation("a-3", "t1", false, node, node + "/gpu0")), () -> { });
        java.util.Map<String, java.util.concurrent.CompletableFuture<Void>> gates = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.strata.platform.core.store.ProvenanceStore real = store.provenance();
        dev.strata.platform.core.store.ProvenanceStore gated = (dev.strata.platform.core.store.ProvenanceStore) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {dev.strata.platform.core.store.ProvenanceStore.class},
                        (proxy, method, args) -> {
                            dev.strata.platform.core.store.ProvenanceEntry entry = args == null ? null : java.util.Arrays.stream(args)
                                    .filter(dev.strata.platform.core.store.ProvenanceEntry.class::isInstance)
                                    .map(dev.strata.platform.core.store.ProvenanceEntry.class::cast).findFirst().orElse(null);
                            if (method.getName().startsWith("append") && hold.get() && entry != null
                                    && entry.kind().equals(CommitmentVerifier.KIND)) {
                                java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
                                gates.put(String.valueOf(entry.subjects().get("allocation")), gate);
                                return gate.thenCompose(open -> {
                                    try {
                                        return (java.util.concurrent.CompletableFuture<?>) method.invoke(real, args);
                                    } catch (ReflectiveOperationException e) {
                                        throw new IllegalStateException(e);
                                    }
                                });
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(wrapped(store, true, store.contracts(), gated), placement, inventory,
                    Clock.systemUTC());
            java.util.concurrent.Future<List<Commitment>> pass = other.submit(verifier::verifyAll);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (gates.size() < 3 && System.nanoTime() < deadline && !pass.isDone()) {
                Thread.sleep(10);
            }
            assertThat(gates.keySet()).as("changes handed to the log while none is durable yet").containsExactlyInAnyOrder("a-1", "a-2", "a-3");

            gates.get("a-2").completeExceptionally(new dev.strata.platform.api.exception.StateStoreException("the disk is full"));
            gates.get("a-1").complete(null);
            gates.get("a-3").complete(null);
            assertThat(pass.get(30, java.util.concurrent.TimeUnit.SECONDS)).extracting(Commitment::status)
                    .containsOnly(CommitmentStatus.AT_RISK);
            assertThat(records(store)).extracting(r -> r.subjects().get("allocation")).containsExactly("a-1", "a-3");

            hold.set(false);
            verifier.verifyAll();
            verifier.verifyAll();
            assertThat(records(store)).extracting(r -> r.subjects().get("allocation")).containsExactly("a-1", "a-3", "a-2");
            assertThat(records(store).get(2).payload()).containsEntry("status", "AT_RISK").containsEntry("previous", "HONORED");
        } finally {
            gates.values().forEach(g -> g.complete(null));
            other.shutdownNow();
            store.close();
        }
    }

    /**
     * Under one writer (the embedded store here, as under an election), the store commits a change's record and then
     * reports the write as not acknowledged, perhaps stored (the connection lost while committing, as the store's writer
     * answers it): the next pass finds the record in the log, takes it as the status and records nothing again. Before,
     * the verifier appended there without checking that the allocation's latest record was still the one it had read,
     * and the next pass recorded the same change a second time (HONORED>AT_RISK twice).
     */
    @Test
    void aChangeStoredButNotAcknowledgedIsNotRecordedAgainByTheNextPass() {
        inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        // no contract in the store: the allocation goes from HONORED (at placement) to AT_RISK, a change to record
        JdbcStateStore store = StoreTestAccess.embedded(data);
        Placement placement = ledger(store, List.of(CommitmentCheckTest.PLACED), () -> { });
        java.util.concurrent.atomic.AtomicBoolean unacknowledged = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.strata.platform.core.store.ProvenanceStore real = store.provenance();
        dev.strata.platform.core.store.ProvenanceStore lost = (dev.strata.platform.core.store.ProvenanceStore) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {dev.strata.platform.core.store.ProvenanceStore.class},
                        (proxy, method, args) -> {
                            boolean record = method.getName().startsWith("append") && args != null && java.util.Arrays.stream(args)
                                    .anyMatch(x -> x instanceof dev.strata.platform.core.store.ProvenanceEntry e
                                            && e.kind().equals(CommitmentVerifier.KIND));
                            Object answer;
                            try {
                                answer = method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                            if (record && unacknowledged.getAndSet(false)) {
                                // committed, then answered as the writer answers a commit whose outcome it cannot know
                                return ((java.util.concurrent.CompletableFuture<?>) answer).thenCompose(stored -> java.util.concurrent
                                        .CompletableFuture.failedFuture(new dev.strata.platform.api.exception.StateStoreException(
                                                "the state store at test failed while committing the write (the connection was "
                                                        + "reset); it is not acknowledged, and it may or may not be stored")));
                            }
                            return answer;
                        });
        try {
            CommitmentVerifier verifier = new CommitmentVerifier(wrapped(store, true, store.contracts(), lost), placement, inventory,
                    Clock.systemUTC());
            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
            assertThat(unacknowledged).as("the record's write answered as not acknowledged").isFalse();
            assertThat(records(store)).as("stored all the same").hasSize(1);

            assertThat(verifier.verifyAll()).extracting(Commitment::status).containsExactly(CommitmentStatus.AT_RISK);
            verifier.verifyAll();
            List<LogRecord> recorded = records(store);
            assertThat(recorded).extracting(r -> r.payload().get("previous") + ">" + r.payload().get("status"))
                    .containsExactly("HONORED>AT_RISK");
            assertThat(verifier.commitments()).singleElement()
                    .satisfies(c -> assertThat(c.since()).as("since the record's time").isEqualTo(Instant.parse(recorded.get(0).time())));
        } finally {
            store.close();
        }
    }
}
