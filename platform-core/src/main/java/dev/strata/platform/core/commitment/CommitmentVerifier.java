package dev.strata.platform.core.commitment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Commitments;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.provenance.ProviderText;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.StoreRefusedException;
import dev.strata.platform.core.store.StoredContract;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verifier: every allocation in the ledger checked ({@link CommitmentCheck}) against the
 * current inventory and ledger, every {@code interval} on the leader, and on demand. When an
 * allocation's status changes (from HONORED, which it is when placed, to another, any change after,
 * and back to HONORED) one provenance record of kind {@value #KIND} is appended with the allocation,
 * contract, tenant, status, previous status and findings (their texts cleaned as provider text
 * is). The status last recorded for an allocation is read back from the log, so that a restart or
 * a new leader does not record it again, and a change is shown since its record's time, as they and a follower read it
 * (until it is recorded, since the pass that saw it, in milliseconds too); where every instance writes (no election), a change is
 * checked against the log before it is recorded. A change is appended only while the record read is the latest still, checked by
 * the store in the append's own transaction ({@link dev.strata.platform.core.store.ProvenanceStore#appendWhileAllocatedAfter}), so
 * that two instances that saw it do not both record it, and a pass after a record whose commit was not acknowledged but stored
 * (the connection lost while committing) does not record it again. A released allocation is forgotten, and its change is
 * appended only while it is in the ledger, checked by the store in the append's own transaction, so
 * that no record of it follows its release ({@link dev.strata.platform.core.store.ProvenanceStore#appendWhileAllocated}).
 * A pass whose GPU telemetry calls were not all answered in time (a late pass: a source that hangs, a GC pause, a
 * loaded machine) claims no more than it read: what it could not read is judged as the last pass that read it judged
 * it, in the same words, for one window from the first pass that could not (so that one late pass records nothing, a
 * breach included), and after that as unchecked, AT_RISK ({@link RememberedTelemetry}, {@link TelemetryClauses}); where
 * that last pass was longer ago than {@code interval + telemetryWindow} (passes on demand, a pause), not the one before
 * it, as unchecked at once. Which GPUs telemetry covered (each one's latest sample) is kept in the state store, written by
 * each pass where it changed, and read back before the first pass ({@link StoredCoverage}): after a restart, a GPU whose
 * source went for good is the gap it was, AT_RISK in the same words, not a GPU never covered whose allocation reads HONORED.
 * Contracts are read
 * from the state store: the one stored with the placement ({@code c-<allocation id>}), else the
 * tenant's latest of the allocation's contract name submitted before it. Configuration PID
 * {@value CommitmentSettings#PID}; an invalid change is rejected and the previous settings stay.
 */
@Component(service = Commitments.class, immediate = true, configurationPid = CommitmentSettings.PID)
@Designate(ocd = CommitmentConfig.class)
public class CommitmentVerifier implements Commitments {

    /** The kind of the provenance records of status changes. */
    public static final String KIND = "commitment";

    private static final Logger LOG = LoggerFactory.getLogger(CommitmentVerifier.class);
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int CONTRACTS_SEARCHED = 1000;

    /**
     * A status as recorded in the log (or first seen), and since when; {@code seq} is the number of the record read or
     * appended, 0 where there is none, which an append where every instance writes expects to be the latest still.
     */
    private record Known(CommitmentStatus status, Instant since, long seq) {
    }

    private final StateStore store;
    private final Placement placement;
    private final Inventory inventory;
    private final Clock clock;
    private final BooleanSupplier discovered;
    /** Written under the monitor; read without it, so that reading the last verdicts never waits for a pass. */
    private final Map<String, Commitment> latest = new ConcurrentSkipListMap<>();
    private final Map<String, Known> recorded = new HashMap<>();
    /** Per allocation, its contract, or empty when the store does not hold it or it cannot be read (it is stored with its placement or never). */
    private final Map<String, Optional<Contract>> contracts = new HashMap<>();
    private long recordedEpoch = -1;
    private ScheduledExecutorService passes;
    private ScheduledFuture<?> next;
    private CommitmentSettings settings;

    @Activate
    public CommitmentVerifier(@Reference StateStore store, @Reference Placement placement, @Reference Inventory inventory,
            @Reference ProviderRegistry registry, CommitmentConfig config) {
        this(store, placement, inventory, Clock.systemUTC(), () -> registry.providers().stream()
                .noneMatch(p -> p.state() == ProviderState.STARTING));
        configure(CommitmentSettings.from(config));
    }

    /**
     * A verifier that makes no scheduled pass until {@link #configure}d (it verifies when asked),
     * and judges by the default settings until then ({@link CommitmentSettings#DEFAULTS}: a
     * telemetry window of 1m, and a late pass leaning on a pass up to interval + window, 2m, before it).
     */
    CommitmentVerifier(StateStore store, Placement placement, Inventory inventory, Clock clock) {
        this(store, placement, inventory, clock, () -> true);
    }

    /**
     * @param discovered whether every provider has finished its first discovery: until then a
     *     scheduled pass is skipped, as the nodes of a provider still starting (after a restart, the
     *     inventory is rediscovered) would read as gone
     */
    CommitmentVerifier(StateStore store, Placement placement, Inventory inventory, Clock clock, BooleanSupplier discovered) {
        this.store = store;
        this.placement = placement;
        this.inventory = inventory;
        this.clock = clock;
        this.discovered = discovered;
        this.coverage = new StoredCoverage(store);
    }

    /** Where a refused change of the configuration is recorded, after Config Admin's record of it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    /**
     * The GPUs' telemetry, which power ceilings and ECC errors are verified against; none, no such findings, but where it
     * went after covering GPUs that are still checked: their clauses read as unchecked, AT_RISK.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Telemetry telemetry;

    /** How long the telemetry calls of one pass may take in all. */
    static final Duration TELEMETRY_DEADLINE = Duration.ofSeconds(2);
    private final BoundedTelemetry boundedTelemetry = new BoundedTelemetry(() -> telemetry, TELEMETRY_DEADLINE);
    /**
     * The latest sample of each GPU still checked, which marks it as one telemetry covered once its source is gone for
     * good, and what the last pass that read each GPU's samples drew from them (its sums, not the samples), answered where
     * a source no longer answers them (replaced, gone, late) for one window from the first pass that could not read them, where that was
     * the pass before ({@link CommitmentSettings#latePassReach}).
     */
    private final RememberedTelemetry remembered = new RememberedTelemetry();
    /**
     * The latest samples of {@link #remembered} as the state store keeps them, so that a restart does not forget which GPUs
     * telemetry covered: read before the first pass, written by each pass where they changed.
     */
    private final StoredCoverage coverage;
    /**
     * The instant of the last pass whose telemetry calls were all answered in time when it judged gaps (its reading of the
     * latest samples, made first), and of the first pass since then whose calls were not (null: none; the last pass's
     * were). Guarded by the monitor, as passes are.
     */
    private Instant lastAnswered;
    private Instant unansweredSince;

    /**
     * A pass over the inventory and ledger now, with the telemetry of the settings' window: none without a telemetry
     * service and nothing remembered; what is remembered where the service went (its GPUs' clauses then read as unchecked).
     * The latest samples are read first: where those calls were not all answered in time, gaps are judged as of the last
     * pass whose calls were ({@link #gapsFrom}), and so is a GPU that has no sample within this pass's window but had one
     * then. A GPU whose recent samples the pass cannot read has its draw judged as the last pass that read them had it
     * ({@link RememberedTelemetry}). A late pass thus claims no more than it read: it neither clears a finding it could
     * not check (a member over its ceiling recorded HONORED, then BREACHED again) nor makes one up. The GPUs telemetry
     * covered are read from the state store first where this instance has not read them yet ({@link StoredCoverage}): a
     * first pass after a restart judges a GPU whose source went for good as the last pass before it did.
     */
    private CommitmentCheck.Pass pass(InventorySnapshot snapshot, List<Allocation> ledger) {
        CommitmentSettings s = settings == null ? CommitmentSettings.DEFAULTS : settings;
        Instant now = clock.instant();
        coverage.load(remembered); // the GPUs telemetry covered before a restart (or under another leader): judged as then
        if (telemetry == null && remembered.isEmpty()) {
            return new CommitmentCheck.Pass(snapshot, ledger, null, now, s.telemetryWindow());
        }
        Set<String> checked = new HashSet<>();
        snapshot.nodes().forEach(n -> n.accelerators().forEach(a -> checked.add(a.id())));
        ledger.forEach(a -> a.bindings().forEach(b -> checked.addAll(b.acceleratorIds())));
        RememberedTelemetry.Reading read = remembered.over(boundedTelemetry.forPass(), now, s.telemetryWindow(), s.latePassReach(),
                checked::contains);
        read.latestGpuSamples(); // read first, once: whether that was answered in time decides the instant gaps are judged from
        Instant gapsFrom = gapsFrom(boundedTelemetry.answered(), now, s.telemetryWindow(), s.latePassReach());
        return new CommitmentCheck.Pass(snapshot, ledger, read, now, s.telemetryWindow(), gapsFrom);
    }

    /**
     * The instant a pass judges telemetry gaps from. Its own where its telemetry calls so far (the latest samples, read
     * first) were all answered in time. Where they were not (a source that hangs, a GC pause, a loaded machine), it cannot tell a GPU whose samples stopped from
     * its own lateness: what was read before may already be out of the window (with {@code interval} and
     * {@code telemetryWindow} of 1m both, it is), and one late pass would read as a gap, AT_RISK and back, two recorded
     * changes. It then judges them as of the last pass whose calls were answered (a GPU that was no gap then is none now, and
     * is judged as that pass judged it: its ECC errors, whether it reports power, its draw), for one
     * window from the first pass since then that could not read: a source that keeps missing the deadline is judged as of
     * each pass again from the first pass a window or more after that one, where its gap shows (with the defaults, at the
     * second late pass). It leans only on a pass that was the one before it: one at most {@code reach} before it
     * ({@link CommitmentSettings#latePassReach}, {@code interval + telemetryWindow}: with the defaults, a late pass 61 s
     * after the last answered one leans on it, and with an {@code interval} of 5m, one 5 minutes after). An older one
     * (passes on demand hours apart, a verifier stopped, a machine suspended, passes skipped while providers discover)
     * says nothing of now: the late pass judges as of itself, and what it could not read is unchecked, AT_RISK, never
     * HONORED, nor a breach kept, on evidence hours old.
     */
    private Instant gapsFrom(boolean answered, Instant now, Duration window, Duration reach) {
        if (answered) {
            lastAnswered = now;
            unansweredSince = null;
            return now;
        }
        if (unansweredSince == null) {
            unansweredSince = now;
        }
        if (lastAnswered == null || lastAnswered.isBefore(now.minus(reach)) || !now.isBefore(unansweredSince.plus(window))) {
            return now;
        }
        return lastAnswered;
    }

    @Modified
    void modified(CommitmentConfig config) {
        try {
            configure(CommitmentSettings.from(config));
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, CommitmentSettings.PID, e.getMessage());
        }
    }

    /** Applies settings: passes every {@code interval} (the first one interval from now), or none. */
    synchronized void configure(CommitmentSettings s) {
        settings = s;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        if (s.scheduled()) {
            if (passes == null) {
                passes = Executors.newSingleThreadScheduledExecutor(r -> TenantAccess.platformThread(r, "strata-commitments"));
            }
            long millis = s.interval().toMillis();
            next = passes.scheduleWithFixedDelay(this::scheduledPass, millis, millis, TimeUnit.MILLISECONDS);
        }
        LOG.info("Commitments: {}", s.scheduled() ? "every allocation verified every " + s.interval() : "verified on demand only");
    }

    @Deactivate
    synchronized void deactivate() {
        if (passes != null) {
            passes.shutdownNow();
        }
        boundedTelemetry.close();
    }

    CommitmentSettings settings() {
        return settings;
    }

    private void scheduledPass() {
        try {
            if (!store.leadership().isLeader()) {
                return;
            }
            if (inventory.snapshot().generation() == 0 || !discovered.getAsBoolean()) {
                return; // not everything discovered yet (a start): the nodes of a provider still starting would read as gone
            }
            verifyAll();
        } catch (RuntimeException e) {
            LOG.warn("A pass of the verifier failed; the next one tries again: {}", e.toString());
        }
    }

    /**
     * The last verdicts, without those of allocations released since (a pass forgets them, but the next pass may be an
     * interval away, or never come with passes on demand only): their commitments ended with them, and
     * {@code strata:status} and the metrics counted a released allocation BREACHED meanwhile. Where the ledger cannot be
     * read, the last verdicts as the pass left them.
     */
    @Override
    public List<Commitment> commitments() {
        List<Commitment> verdicts = List.copyOf(latest.values());
        if (!verdicts.isEmpty()) {
            Set<String> ledger = new HashSet<>();
            try {
                placement.allocations().forEach(a -> ledger.add(a.id()));
                verdicts = verdicts.stream().filter(c -> ledger.contains(c.allocationId())).toList();
            } catch (RuntimeException e) {
                // a follower whose database does not answer: the last verdicts as the pass left them, as before the ledger
                // was read here, rather than no answer at all (strata:status and the metrics read them)
                LOG.debug("The ledger could not be read to leave released allocations out of the last verdicts: {}", e.getMessage());
            }
        }
        return forCaller(TenantAccess.visible(verdicts, Commitment::tenant));
    }

    /**
     * The verdicts as the caller is shown them: a tenant's user gets its verdicts' findings without
     * the other tenants they name ({@link CommitmentCheck#withoutOtherTenants}); everyone else as they are.
     */
    private static List<Commitment> forCaller(List<Commitment> verdicts) {
        if (TenantAccess.restriction().isEmpty()) {
            return verdicts;
        }
        return verdicts.stream().map(c -> new Commitment(c.allocationId(), c.contract(), c.tenant(), c.status(), c.since(),
                c.findings().stream().map(f -> new Finding(f.member(), f.clause(), f.status(),
                        CommitmentCheck.withoutOtherTenants(f.evidence(), c.tenant()))).toList(), c.inventoryGeneration())).toList();
    }

    @Override
    public Commitment verify(String allocationId) {
        if (TenantAccess.restriction().isPresent() && placement.allocation(allocationId).isEmpty()) {
            // another tenant's allocation reads as absent to a tenant's user, and is left as it is
            throw new NotFoundException("no allocation '" + allocationId + "' in the ledger; strata:allocations lists them");
        }
        // the check reads the whole ledger (another tenant on a dedicated node), whoever asks
        return forCaller(List.of(TenantAccess.asPlatform(() -> verifyAsPlatform(allocationId)))).get(0);
    }

    private synchronized Commitment verifyAsPlatform(String allocationId) {
        Optional<Allocation> a = placement.allocation(allocationId);
        if (a.isEmpty()) {
            forget(allocationId);
            throw new NotFoundException("no allocation '" + allocationId + "' in the ledger; strata:allocations lists them");
        }
        InventorySnapshot snapshot = inventory.snapshot();
        List<Recording> recordings = new ArrayList<>();
        CommitmentCheck.Pass pass = pass(snapshot, placement.allocations());
        StoredCoverage.Write kept = coverage.write(remembered.latestSamples());
        Commitment c;
        Set<String> released;
        try {
            c = verify(a.get(), snapshot, pass, recordings);
            released = settle(recordings);
        } finally {
            coverage.settle(kept);
        }
        if (c == null || released.contains(allocationId)) {
            throw new NotFoundException("allocation '" + allocationId + "' was released; strata:allocations lists those in the ledger");
        }
        return latest.getOrDefault(allocationId, c); // since the record's time where the change was recorded
    }

    @Override
    public List<Commitment> verifyAll() {
        // a pass reads and records the whole ledger, whoever asks; a tenant's user is shown its tenants' verdicts
        return forCaller(TenantAccess.visible(TenantAccess.asPlatform(this::verifyAllAsPlatform), Commitment::tenant));
    }

    private synchronized List<Commitment> verifyAllAsPlatform() {
        List<Allocation> ledger = placement.allocations();
        InventorySnapshot snapshot = inventory.snapshot();
        CommitmentCheck.Pass pass = pass(snapshot, ledger);
        // handed to the store before the pass's records, whose commits it shares; a write that fails fails nothing here
        StoredCoverage.Write kept = coverage.write(remembered.latestSamples());
        Set<String> ids = new HashSet<>();
        List<Commitment> out = new ArrayList<>();
        List<Recording> recordings = new ArrayList<>();
        Set<String> released;
        try {
            try {
                for (Allocation a : ledger) {
                    Commitment c = verify(a, snapshot, pass, recordings);
                    if (c != null) {
                        ids.add(a.id());
                        out.add(c);
                    }
                }
            } finally {
                // every change of the pass is handed to the log first, then waited for: they share the log's durable commits
                // (one commit per change, waited for in turn, held the pass 2 to 7 ms per change: seconds for thousands); where
                // the pass fails partway, those handed so far are waited for too, so that what became durable is remembered as
                // recorded and not recorded again by the next pass
                released = settle(recordings);
            }
        } finally {
            coverage.settle(kept);
        }
        if (!released.isEmpty()) {
            ids.removeAll(released);
            out.removeIf(c -> released.contains(c.allocationId()));
        }
        out.replaceAll(c -> latest.getOrDefault(c.allocationId(), c)); // since the record's time where a change was recorded
        for (String id : new ArrayList<>(latest.keySet())) {
            if (!ids.contains(id)) {
                forget(id);
            }
        }
        recorded.keySet().retainAll(ids);
        contracts.keySet().retainAll(ids);
        out.sort(Comparator.comparing(Commitment::allocationId));
        return out;
    }

    private void forget(String id) {
        latest.remove(id);
        recorded.remove(id);
        contracts.remove(id);
    }

    /**
     * The verdict on an allocation; null when it was released meanwhile. On the leader a change is
     * handed to the provenance log and added to {@code recordings}: until {@link #settle} finds it
     * durable, the status remembered as recorded stays the one before.
     */
    private Commitment verify(Allocation a, InventorySnapshot snapshot, CommitmentCheck.Pass pass, List<Recording> recordings) {
        long epoch = store.leadership().epoch();
        if (epoch != recordedEpoch) {
            // another leader may have recorded changes since this instance last read the log
            recorded.clear();
            recordedEpoch = epoch;
        }
        CommitmentCheck.Verdict v = cleaned(pass.check(a, contractOf(a)));
        // in milliseconds, as the log's records are: a change shown before the leader has recorded it (a follower, an append
        // that failed) reads as the times a change is shown with once it is recorded
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        boolean leader = store.leadership().isLeader();
        Known before = recorded.containsKey(a.id()) ? recorded.get(a.id()) : fromLog(a, now);
        if (before.status() != v.status() && leader && !store.leadership().exclusive() && recorded.containsKey(a.id())) {
            // other instances write too (no election): one may have recorded this change already
            before = fromLog(a, now);
        }
        boolean change = before.status() != v.status();
        Instant since = change ? now : before.since();
        if (change && leader && placement.allocation(a.id()).isEmpty()) {
            // released since the ledger was listed: its commitment ended with it, and is not recorded (a first look, which
            // saves the write; only the store's check in the append's own transaction is atomic with a release)
            forget(a.id());
            return null;
        }
        if (leader) {
            // a follower reads the log again each time: the leader records what it does not see
            recorded.put(a.id(), before);
        }
        CompletableFuture<LogRecord> appended = null;
        if (change && leader) {
            try {
                ProvenanceEntry entry = record(a, v, before.status(), snapshot.generation());
                // appended only while the record read is the latest still, checked in its transaction: where other instances
                // write too (no election), one of them may record the change between the read of the log and this append; on
                // every store, a record whose commit was answered as not acknowledged may be stored all the same, and the next
                // pass, which still remembers the status before it, would record the change again (it takes the log's instead)
                appended = store.provenance().appendWhileAllocatedAfter(a.id(), entry, before.seq());
            } catch (RuntimeException e) {
                appended = CompletableFuture.failedFuture(e);
            }
        }
        Commitment c = new Commitment(a.id(), a.contract(), a.tenant(), v.status(), since, v.findings(), snapshot.generation());
        latest.put(a.id(), c);
        if (change && leader) {
            recordings.add(new Recording(a, c, appended));
        }
        return c;
    }

    /**
     * A verdict with its evidence cleaned as provider text, as its record's is ({@link #record}): the evidence quotes the
     * inventory (health reasons, names as a provider wrote them), and the verdict is what {@code strata:commitments} shows
     * and what the log line of a change quotes, which showed a credential the record masked, and control characters.
     */
    private static CommitmentCheck.Verdict cleaned(CommitmentCheck.Verdict v) {
        if (v.findings().isEmpty()) {
            return v;
        }
        return new CommitmentCheck.Verdict(v.status(), v.findings().stream()
                .map(f -> new Finding(f.member(), f.clause(), f.status(), ProviderText.clean(f.evidence()))).toList());
    }

    /**
     * A change handed to the provenance log, and the verdict that shows it: until the record is durable, since when this
     * pass saw it; once it is, since the record's time ({@link #settle}).
     */
    private record Recording(Allocation allocation, Commitment verdict, CompletableFuture<LogRecord> appended) {
    }

    /**
     * Waits for the changes a pass handed to the log. A durable one becomes the status remembered
     * as recorded, and its verdict shows it since the record's time, which a restart, a new leader and
     * a follower read back from the log; one that failed leaves the status before it, so the next
     * pass records it again (or, where it was stored all the same, finds its record the latest and
     * takes it); one refused because its allocation was released before it reached the log
     * is forgotten with the allocation.
     *
     * @return the allocations found released
     */
    private Set<String> settle(List<Recording> recordings) {
        Set<String> released = new HashSet<>();
        for (Recording r : recordings) {
            Allocation a = r.allocation();
            Commitment v = r.verdict();
            LogRecord appended;
            try {
                appended = r.appended().join();
            } catch (RuntimeException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof StoreRefusedException refused && refused.getCause() instanceof NotFoundException) {
                    // released after this pass found it in the ledger: its commitment ended with it, and is not recorded
                    LOG.debug("Allocation {} was released before its change to {} was recorded; forgotten", a.id(), v.status());
                    forget(a.id());
                    released.add(a.id());
                    continue;
                }
                if (cause instanceof StoreRefusedException refused && refused.getCause() instanceof ConflictException) {
                    // a change of it was recorded since this pass read the log (by another instance where every instance writes,
                    // or by a write of this one answered as not acknowledged that was stored): the log's record is the one,
                    // remembered as recorded, and a change from it is recorded by a later pass
                    Known logged;
                    try {
                        logged = fromLog(a, v.since());
                    } catch (RuntimeException read) {
                        // the log cannot be read now: the next pass reads it for this allocation, as for one it has not seen
                        LOG.debug("A change of allocation {} was recorded before its change to {}; the log cannot be read now, the "
                                + "next pass reads it: {}", a.id(), v.status(), read.toString());
                        recorded.remove(a.id());
                        continue;
                    }
                    LOG.debug("A change of allocation {} was recorded before its change to {}; the log says {}", a.id(), v.status(),
                            logged.status());
                    if (recorded.containsKey(a.id())) {
                        recorded.put(a.id(), logged);
                    }
                    if (logged.status() == v.status()) {
                        latest.computeIfPresent(a.id(), (id, c) -> c == v ? new Commitment(c.allocationId(), c.contract(), c.tenant(),
                                c.status(), logged.since(), c.findings(), c.inventoryGeneration()) : c);
                    }
                    continue;
                }
                // a write answered as not acknowledged may be stored all the same: the next pass finds its record then
                LOG.warn("The change of allocation {} to {} is not known to be recorded in the provenance log; the next pass records it, "
                        + "or finds its record: {}", a.id(), v.status(), cause.toString());
                continue;
            }
            Instant at = appended == null ? v.since() : Instant.parse(appended.time());
            if (recorded.containsKey(a.id())) {
                recorded.put(a.id(), new Known(v.status(), at, appended == null ? 0 : appended.seq()));
            }
            // the verdict of this pass (a pass under the monitor replaces it; a read of the last verdicts does not)
            latest.computeIfPresent(a.id(), (id, c) -> c == v ? new Commitment(c.allocationId(), c.contract(), c.tenant(), c.status(), at,
                    c.findings(), c.inventoryGeneration()) : c);
            LOG.info("Allocation {} of contract {} ({}): {}{}", a.id(), a.contract(), a.tenant(), v.status(),
                    v.findings().isEmpty() ? "" : ", " + v.findings().get(0) + (v.findings().size() > 1 ? " and "
                            + (v.findings().size() - 1) + " more" : ""));
        }
        return released;
    }

    /**
     * The status the log last recorded for the allocation, and when; without a record, HONORED since
     * it was placed (placement committed to what it bound, and every change since would be recorded).
     */
    private Known fromLog(Allocation a, Instant now) {
        Known placed = new Known(CommitmentStatus.HONORED, a.createdAt() == null ? now : a.createdAt(), 0);
        List<LogRecord> last = store.provenance().find(new AuditFilter(null, null, a.id(), null, KIND, null, null, 1, true));
        if (last.isEmpty()) {
            return placed;
        }
        LogRecord r = last.get(0);
        try {
            return new Known(CommitmentStatus.valueOf(String.valueOf(r.payload().get("status"))), Instant.parse(r.time()), r.seq());
        } catch (RuntimeException e) {
            LOG.warn("Provenance record {} of allocation {} holds no status that can be read: {}", r.seq(), a.id(), e.toString());
            return new Known(placed.status(), placed.since(), r.seq());
        }
    }

    static ProvenanceEntry record(Allocation a, CommitmentCheck.Verdict v, CommitmentStatus previous, long inventoryGeneration) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("allocation", a.id());
        payload.put("contract", a.contract());
        payload.put("tenant", a.tenant());
        payload.put("status", v.status().name());
        payload.put("previous", previous.name());
        payload.put("inventoryGeneration", inventoryGeneration);
        List<Object> findings = new ArrayList<>();
        for (Finding f : v.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("member", f.member());
            m.put("clause", f.clause());
            m.put("status", f.status().name());
            // the evidence quotes the inventory (node, site, operator and model names, health reasons): provider text
            m.put("evidence", ProviderText.clean(f.evidence()));
            findings.add(m);
        }
        payload.put("findings", findings);
        return ProvenanceEntry.of(KIND, "system", payload, "contract", a.contract(), "tenant", a.tenant(), "allocation", a.id());
    }

    /** The contract an allocation placed, from the store; null when it is not there or cannot be read. */
    private Contract contractOf(Allocation a) {
        Optional<Contract> known = contracts.get(a.id());
        if (known != null) {
            return known.orElse(null);
        }
        Optional<StoredContract> stored = store.contracts().get("c-" + a.id());
        if (stored.isEmpty()) {
            stored = store.contracts().list(a.tenant(), CONTRACTS_SEARCHED).stream()
                    .filter(c -> c.name().equals(a.contract()))
                    .filter(c -> a.createdAt() == null || c.submittedAt() == null || !c.submittedAt().isAfter(a.createdAt()))
                    .findFirst();
        }
        if (stored.isEmpty()) {
            contracts.put(a.id(), Optional.empty());
            return null;
        }
        StoredContract s = stored.get();
        try {
            Contract c = "json".equals(s.format()) ? JSON.readValue(s.document(), Contract.class)
                    : new ContractDocumentReader().read(s.document(), s.id());
            contracts.put(a.id(), Optional.of(c));
            return c;
        } catch (Exception e) {
            LOG.warn("Contract {} of allocation {} cannot be read from the store; its clauses are not verified: {}", s.id(), a.id(),
                    e.toString());
            contracts.put(a.id(), Optional.empty());
            return null;
        }
    }

    /** For tests: how long until the next scheduled pass is due, or null without one. */
    synchronized Duration nextPassIn() {
        return next == null ? null : Duration.ofMillis(next.getDelay(TimeUnit.MILLISECONDS));
    }
}
