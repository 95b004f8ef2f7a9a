package dev.strata.platform.core.provenance;

import dev.strata.platform.api.audit.AuditEntry;
import dev.strata.platform.api.audit.AuditExport;
import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.audit.AuditQuery;
import dev.strata.platform.api.audit.AuditReport;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Quantities;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.audit.AuditKeys;
import dev.strata.platform.audit.ChainVerifier;
import dev.strata.platform.audit.Checkpoint;
import dev.strata.platform.audit.ExportFile;
import dev.strata.platform.audit.Jcs;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.audit.Verification;
import dev.strata.platform.core.commitment.CommitmentCheck;
import dev.strata.platform.core.commitment.CommitmentVerifier;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.ProvenanceHead;
import dev.strata.platform.core.store.ProvenanceStore;
import dev.strata.platform.core.store.StateStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * The provenance log as a service: lists, verifies and exports what the state store keeps, and
 * signs checkpoints. This instance's Ed25519 key (created at first start under {@code data/})
 * signs a checkpoint of the chain's head every {@code checkpointEvery} records or
 * {@code checkpointInterval}, whichever comes first, while this instance leads; an export ends
 * with a checkpoint signed at the time of export.
 */
@Component(service = AuditLog.class, immediate = true, configurationPid = ProvenanceService.PID)
@Designate(ocd = ProvenanceConfig.class)
public class ProvenanceService implements AuditLog {

    public static final String PID = "dev.strata.platform.core.provenance";
    private static final Logger LOG = LoggerFactory.getLogger(ProvenanceService.class);

    private final StateStore store;
    /** Where a relative {@code keyFile} is resolved. */
    private final Path data;
    /** The settings in force; replaced when a change of the configuration is accepted ({@link #modified}). */
    private volatile SigningKey key;
    private volatile int every;
    private volatile Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private long lastCheckpointSeq = -1;
    private Instant lastCheckpointAt;
    private boolean keyRegistered;

    /** Where a refused change of the configuration is recorded, after Config Admin's record of it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    @Activate
    public ProvenanceService(@Reference StateStore store, ProvenanceConfig config) {
        this(store, config, Path.of(Optional.ofNullable(System.getProperty("karaf.data")).orElse("data")), Clock.systemUTC(), true);
    }

    ProvenanceService(StateStore store, ProvenanceConfig config, Path data, Clock clock, boolean schedule) {
        this.store = store;
        this.clock = clock;
        this.data = data;
        this.every = every(config);
        this.interval = duration(config.checkpointInterval());
        this.key = SigningKey.loadOrCreate(data.resolve(config.keyFile()), PID);
        this.lastCheckpointAt = clock.instant();
        if (schedule) {
            timer = Executors.newSingleThreadScheduledExecutor(
                    r -> dev.strata.platform.core.placement.TenantAccess.platformThread(r, "strata-provenance-checkpoints"));
            long period = Math.min(interval.toMillis(), 1000);
            timer.scheduleWithFixedDelay(this::checkpointSafely, period, period, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
        if (store.leadership().isLeader()) {
            try {
                registerKey();
            } catch (StrataException e) {
                LOG.warn("The provenance key {} is not registered yet: {}", key.keyId, e.getMessage());
            }
        }
        LOG.info("Provenance log {}: checkpoints every {} records or {}, signed with {}", store.provenance().logId(), every, interval, key);
    }

    /**
     * A change of the configuration while the log runs. One that is not valid is refused: the
     * settings before it stay in force, the refusal is logged and recorded in the provenance log
     * (without this method Declarative Services made the component again from the changed
     * configuration, and a value it refused left no provenance log service, no listing, verifying,
     * exporting or signing of checkpoints, until the file was corrected). A valid one applies to the
     * next checkpoint; a {@code keyFile} that names another key signs with that key from then on,
     * registered as a key is at start.
     */
    @Modified
    void modified(ProvenanceConfig config) {
        int e;
        Duration i;
        SigningKey k;
        try {
            e = every(config);
            i = duration(config.checkpointInterval());
            k = SigningKey.loadOrCreate(data.resolve(config.keyFile()), PID);
        } catch (InvalidConfigurationException ex) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", ex.getMessage());
            ConfigurationRejections.tell(rejections, PID, ex.getMessage());
            return;
        }
        synchronized (this) {
            every = e;
            interval = i;
            if (!k.keyId.equals(key.keyId)) {
                key = k;
                keyRegistered = false;
                if (store.leadership().isLeader()) {
                    try {
                        registerKey();
                    } catch (StrataException ex) {
                        LOG.warn("The provenance key {} is not registered yet: {}", key.keyId, ex.getMessage());
                    }
                }
            }
        }
        LOG.info("Provenance log {}: checkpoints every {} records or {}, signed with {}", store.provenance().logId(), e, i, k);
    }

    private static int every(ProvenanceConfig config) {
        int every = InvalidConfigurationException.wholeNumber(PID, "checkpointEvery", config::checkpointEvery, "a whole number of records, at least 1");
        if (every < 1) {
            throw new InvalidConfigurationException(PID, "checkpointEvery", every, "a whole number of records, at least 1");
        }
        return every;
    }

    /**
     * The checkpoint interval: a duration as every duration setting takes it ({@link Quantities#duration}), at least 1s.
     *
     * @throws InvalidConfigurationException naming {@code checkpointInterval} for anything else
     */
    static Duration duration(String value) {
        String expected = "a duration of at least 1s, such as 60s, 5m or 1h (units ns, us, ms, s, m, h, d; a bare number is seconds; "
                + "at most 106751d)";
        Duration d;
        try {
            d = Quantities.duration(value == null ? "" : value);
        } catch (IllegalArgumentException | ArithmeticException e) { // NumberFormatException is an IllegalArgumentException
            throw new InvalidConfigurationException(PID, "checkpointInterval", value, expected);
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidConfigurationException(PID, "checkpointInterval", value, expected);
        }
        return d;
    }

    /** How long a stop waits for a checkpoint under way. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /**
     * Stops the timer, waiting up to {@link #STOP_WAIT} for a checkpoint under way to be stored, as
     * the core's other stops wait for their work: interrupted at once, it was cut mid-write (an
     * interrupt closes the embedded database's file under it) or went on writing after the stop had
     * returned and the store was closed. One that takes longer is interrupted, and the stop says so.
     */
    @Deactivate
    void deactivate() {
        if (timer == null) {
            return;
        }
        timer.shutdown(); // no round starts after this; one under way ends
        try {
            if (!timer.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("A provenance checkpoint under way did not end within {} of the stop; it is interrupted, and the next "
                        + "start signs the records after the last checkpoint stored", STOP_WAIT);
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the last round of the timer failed to sign or store a checkpoint (the timer's thread only). */
    private boolean checkpointsFailing;

    /**
     * One round of the timer: a checkpoint signed where one is due. A round that fails says so once
     * as a warning, the failures after it at DEBUG, and the round that succeeds again says so: every
     * failure went to DEBUG, so signing could stop for good (a key the database refuses, a store
     * that refuses the write) without a word in the log, while the records after the last checkpoint
     * stayed unsigned. An instance that is not (or no longer) the leader is refused the write, as
     * expected; so is a round cut short by the service's stop.
     */
    void checkpointSafely() {
        try {
            checkpointIfDue();
            if (checkpointsFailing) {
                checkpointsFailing = false;
                LOG.info("Provenance checkpoints are signed again");
            }
        } catch (RuntimeException e) {
            boolean expected = e instanceof dev.strata.platform.api.exception.NotLeaderException || timer != null && timer.isShutdown();
            if (!expected && !checkpointsFailing) {
                checkpointsFailing = true;
                LOG.warn("A provenance checkpoint could not be signed: {}; the records after the last checkpoint stay unsigned until a "
                        + "later round succeeds (tried again every {} ms, failures logged at DEBUG until then)",
                        InvalidConfigurationException.printable(e.getMessage()), Math.min(interval.toMillis(), 1000));
            } else {
                LOG.debug("Checkpoint not signed this round: {}", InvalidConfigurationException.printable(e.getMessage()));
            }
        }
    }

    /**
     * Signs and stores a checkpoint of the head when enough records or time passed (leader only;
     * where every instance writes, each does, and a checkpoint another instance stored for the head,
     * read before signing or found when storing, counts as done).
     *
     * @return the checkpoint, or empty when none was due or another instance's stands for it
     */
    synchronized Optional<Checkpoint> checkpointIfDue() {
        if (!store.leadership().isLeader()) {
            lastCheckpointSeq = -1; // read again when leading
            return Optional.empty();
        }
        ProvenanceStore p = store.provenance();
        if (lastCheckpointSeq < 0 || !store.leadership().exclusive()) {
            // where every instance writes, each signs: a checkpoint another instance stored counts as this one's
            lastCheckpointSeq = Math.max(lastCheckpointSeq, p.lastCheckpoint().map(Checkpoint::seq).orElse(0L));
        }
        ProvenanceHead head = p.head();
        Instant now = clock.instant();
        // a clock set back since the last checkpoint (an NTP correction of a clock that ran ahead) signs now: counted from a
        // time still ahead, the interval left the records made meanwhile unsigned for as long as the clock had run ahead
        boolean due = head.seq() > lastCheckpointSeq && (head.seq() - lastCheckpointSeq >= every || now.isBefore(lastCheckpointAt)
                || !now.isBefore(lastCheckpointAt.plus(interval)));
        if (!due) {
            return Optional.empty();
        }
        registerKey();
        Checkpoint c = Checkpoint.sign(p.logId(), head.seq(), head.hash(), LogRecord.formatTime(now), false, key.privateKey, key.publicKey);
        Checkpoint stored = join(p.putCheckpoint(c));
        lastCheckpointSeq = head.seq();
        lastCheckpointAt = now;
        if (!stored.equals(c)) {
            LOG.debug("Checkpoint of record {} was signed by another instance (key {}) first", head.seq(), stored.keyId());
            return Optional.empty();
        }
        LOG.debug("Signed checkpoint of record {}", head.seq());
        return Optional.of(c);
    }

    /** The kind of the record that registers a key. */
    static final String KEY_KIND = "provenance-key";

    /**
     * Registers this instance's public key in the store (once), with a record saying so, in one
     * transaction: the first record of a new log, and a record in the chain whenever another
     * instance's key starts signing. A key that a store holds without its record (registered by a
     * Strata that wrote the two apart, and stopped or lost leadership in between) gets its record
     * now, before it signs anything more.
     */
    synchronized void registerKey() {
        if (keyRegistered) {
            return;
        }
        ProvenanceEntry record = new ProvenanceEntry(KEY_KIND, "system", Map.of("instance", store.leadership().instanceId()),
                Map.of("keyId", key.keyId, "algorithm", "Ed25519", "publicKey", key.publicPem()));
        if (!store.provenance().keys().containsKey(key.keyId)) {
            join(store.provenance().registerKey(key.keyId, key.publicPem(), store.leadership().instanceId(), record));
        } else if (join(store.provenance().recordKey(key.keyId, record))) {
            LOG.warn("The provenance key {} was registered in the store without the record that registers it in the chain (its "
                    + "registration was cut short); that record is appended now", key.keyId);
        }
        keyRegistered = true;
    }

    /** Appends a record (the API the rest of the core calls through the store; here for tests and the key's own record). */
    LogRecord append(ProvenanceEntry entry) {
        return join(store.provenance().append(entry));
    }

    static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            // the checked cause's text as the store's driver wrote it (a JDBC URL with its password, a line break): cleaned as
            // every outside text is before it reaches a message, the log or the shell; the cause too, which a printed stack
            // trace (the shell's, a log's) shows, is chained as a cleaned copy that keeps its class and stack trace
            throw new StateStoreException("the state store failed: " + ProviderText.message(cause), ProviderText.trace(cause));
        }
    }

    @Override
    public List<AuditEntry> entries(AuditQuery q) {
        Optional<java.util.Set<String>> only = TenantAccess.restriction();
        if (only.isEmpty()) {
            return find(q, q.tenant());
        }
        // a tenant's user sees the records of its tenants only (subject tenant): one query per tenant, merged in the log's order
        List<AuditEntry> out = new ArrayList<>();
        for (String tenant : only.get()) {
            if (q.tenant() == null || q.tenant().equals(tenant)) {
                out.addAll(find(q, tenant));
            }
        }
        Comparator<AuditEntry> bySeq = Comparator.comparingLong(AuditEntry::seq);
        out.sort(q.newestFirst() ? bySeq.reversed() : bySeq);
        return out.size() > q.limit() ? List.copyOf(out.subList(0, q.limit())) : out;
    }

    private List<AuditEntry> find(AuditQuery q, String tenant) {
        boolean tenantsUser = TenantAccess.restriction().isPresent();
        return store.provenance().find(new AuditFilter(q.contract(), tenant, q.allocation(), q.deployment(), q.kind(), q.from(), q.to(),
                q.limit(), q.newestFirst())).stream().map(r -> tenantsUser ? forTenantsUser(r) : entry(r)).toList();
    }

    @Override
    public Optional<AuditEntry> entry(long seq) {
        boolean tenantsUser = TenantAccess.restriction().isPresent();
        return TenantAccess.visible(store.provenance().get(seq).map(r -> tenantsUser ? forTenantsUser(r) : entry(r)),
                e -> e.subjects().get("tenant"));
    }

    /**
     * A record of its tenant as a tenant's user is shown it: a commitment record's findings without
     * the other tenants they name (another tenant's allocation on its dedicated node), as the
     * verifier shows its verdicts ({@link CommitmentCheck#withoutOtherTenants}); and without
     * {@code prev} and {@code hash}. The record's hash covers what is withheld, and with every
     * other field shown it confirms a guess of it (allocation ids are numbered, tenant ids few);
     * its {@code prev} is the hash of the record before, often another tenant's, with the same
     * effect on that record. A tenant's user does not verify the chain (refused: it is every
     * tenant's), so it needs neither.
     */
    static AuditEntry forTenantsUser(LogRecord r) {
        String payload = r.payloadJson();
        if (CommitmentVerifier.KIND.equals(r.kind()) && r.payload().get("findings") instanceof List<?> findings) {
            for (Object f : findings) {
                if (f instanceof Map<?, ?> m && m.get("evidence") instanceof String evidence) {
                    String shown = CommitmentCheck.withoutOtherTenants(evidence, r.subjects().get("tenant"));
                    if (!shown.equals(evidence)) {
                        payload = payload.replace(Jcs.canonicalize(evidence), Jcs.canonicalize(shown));
                    }
                }
            }
        }
        return new AuditEntry(r.seq(), Instant.parse(r.time()), r.kind(), r.actor(), r.subjects(), payload, null, null);
    }

    static AuditEntry entry(LogRecord r) {
        return new AuditEntry(r.seq(), Instant.parse(r.time()), r.kind(), r.actor(), r.subjects(), r.payloadJson(), r.prev(), r.hash());
    }

    /** The keys the in-store verification trusts: those registered in the store, and this instance's. */
    private List<PublicKey> trustedKeys() {
        List<PublicKey> keys = new ArrayList<>();
        keys.add(key.publicKey);
        for (String pem : store.provenance().keys().values()) {
            keys.addAll(AuditKeys.readPublicKeys(pem));
        }
        return keys;
    }

    @Override
    public AuditReport verify() {
        TenantAccess.requireEveryTenant("the provenance log is one chain of every tenant's records", "verify it");
        return verify(trustedKeys());
    }

    @Override
    public AuditReport verify(String trustedKeysPem) {
        TenantAccess.requireEveryTenant("the provenance log is one chain of every tenant's records", "verify it");
        if (trustedKeysPem == null || trustedKeysPem.isBlank()) {
            throw new IllegalArgumentException("no trusted public key given; expected one or more Ed25519 public keys in PEM "
                    + "(as strata:audit-export --public-key writes them)");
        }
        return verify(AuditKeys.readPublicKeys(trustedKeysPem));
    }

    private AuditReport verify(List<PublicKey> trusted) {
        long start = System.nanoTime();
        ProvenanceStore p = store.provenance();
        ChainVerifier v = new ChainVerifier(p.logId(), trusted, List.of());
        Iterator<Checkpoint> checkpoints = p.checkpointsInOrder();
        Checkpoint[] next = {checkpoints.hasNext() ? checkpoints.next() : null};
        // what the chain cannot see: a record kept as other text than its hash covers, or found by columns no hash covers
        ProvenanceStore.Stored[] faulty = {null};
        // the last record verified as stored too: a record whose stored form fails was counted by the chain, not verified
        LogRecord[] verified = {null};
        p.scanStored(1, stored -> {
            LogRecord r = stored.record();
            if (r == null) {
                faulty[0] = stored;
                return false;
            }
            if (!v.record(r, "record " + r.seq())) {
                return false;
            }
            if (stored.fault() != null) {
                faulty[0] = stored;
                return false;
            }
            verified[0] = r;
            while (next[0] != null && next[0].seq() <= r.seq()) {
                if (!v.checkpoint(next[0], "checkpoint of record " + next[0].seq())) {
                    return false;
                }
                next[0] = checkpoints.hasNext() ? checkpoints.next() : null;
            }
            return true;
        });
        if (v.ok() && faulty[0] == null && next[0] != null) {
            // a checkpoint beyond the last record: records were removed from the end
            v.checkpoint(next[0], "checkpoint of record " + next[0].seq());
        }
        Verification out = v.finish(false);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (out.holds() && faulty[0] != null) {
            LogRecord last = verified[0];
            long records = faulty[0].record() == null ? out.records() : out.records() - 1;
            return new AuditReport(false, records, last == null ? 0 : out.firstSeq(), last == null ? 0 : last.seq(),
                    last == null ? null : out.firstTime(), last == null ? null : last.time(), out.checkpoints(), out.signedThrough(),
                    out.keyIds(), faulty[0].seq(), "record " + faulty[0].seq() + ": " + Verification.printable(faulty[0].fault()), took);
        }
        return new AuditReport(out.holds(), out.records(), out.firstSeq(), out.lastSeq(), out.firstTime(), out.lastTime(), out.checkpoints(),
                out.signedThrough(), out.keyIds(), out.failedSeq(), out.holds() ? null : out.failedAt() + ": " + out.failure(), took);
    }

    /**
     * How the export's files are made durable: their data forced to disk before they are moved into
     * place, their folder after the move (POSIX makes a rename durable only with its folder).
     */
    interface Durability {
        /** Forces a file's data and metadata to disk. */
        void force(Path file) throws IOException;

        /** Forces a folder, so that a rename in it lasts; file systems that cannot force a folder are let be. */
        void forceFolder(Path folder);
    }

    /** The disk's own: {@link FileChannel#force} on the file, and on the folder opened for reading (as Lucene's {@code IOUtils.fsync}). */
    static final Durability DISK = new Durability() {
        @Override
        public void force(Path file) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }

        @Override
        public void forceFolder(Path folder) {
            try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException e) {
                // some file systems (and Windows) refuse to open or force a folder; the rename stands as they keep it
                LOG.debug("Forcing folder {} to disk: {}", folder, e.getMessage());
            }
        }
    };

    /** How {@link #export} makes its files durable ({@link #DISK}; the tests record the order). */
    Durability durability = DISK;

    /** Held while an export is written and moved into place ({@link #export}). */
    private final Object exporting = new Object();

    /**
     * {@inheritDoc}
     *
     * <p>One export at a time: two to the same file wrote one {@code .partial} file together, so the
     * first to move it put a mix of both under the name and said it had exported the log, and the
     * other failed (its file moved away from under it) or removed the first's.
     */
    @Override
    public AuditExport export(Path file, Path publicKeyFile) {
        TenantAccess.requireEveryTenant("the provenance log is one chain of every tenant's records", "export it");
        synchronized (exporting) {
            return exportNow(file, publicKeyFile);
        }
    }

    private AuditExport exportNow(Path file, Path publicKeyFile) {
        ProvenanceStore p = store.provenance();
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        Path pub = publicKeyFile == null ? null : publicKeyFile.toAbsolutePath();
        Path pubTmp = pub == null ? null : pub.resolveSibling(pub.getFileName() + ".partial");
        if (pub != null && (pub.normalize().equals(target.normalize()) || pub.normalize().equals(tmp.normalize())
                || pubTmp.normalize().equals(target.normalize()))) {
            // the keys moved onto the export's .partial file (audit.jsonl.partial) made the keys the export, and the call said it
            // had written both; the export named as the keys' .partial file was replaced by the keys before either was in place
            throw new IllegalArgumentException("the public key file " + pub + " is the export file " + target + " or a file one of them "
                    + "is written to aside first (its name and .partial); expected another file, nothing was written");
        }
        long[] counts = new long[2];
        LogRecord[] last = new LogRecord[1];
        boolean keysWritten = false;
        try {
            Files.createDirectories(target.getParent());
            Iterator<Checkpoint> checkpoints = p.checkpointsInOrder();
            Checkpoint[] next = {checkpoints.hasNext() ? checkpoints.next() : null};
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                    ExportFile.Writer w = new ExportFile.Writer(out, new ExportFile.Header(ExportFile.FORMAT, p.logId(),
                            LogRecord.formatTime(clock.instant()), store.leadership().instanceId()))) {
                IOException[] failed = {null};
                p.scanStored(1, stored -> {
                    LogRecord r = stored.record();
                    if (r == null) {
                        // the fault quotes what the database holds, shown printable as the verification shows it
                        throw new StrataException("cannot export the provenance log: " + Verification.printable(stored.fault())
                                + " (strata:audit-verify names it too)");
                    }
                    if (stored.fault() != null) {
                        // the export holds the record as its hash covers it; what the database changed beside it is not in the file
                        LOG.warn("Exporting the provenance log: {}; the export holds the record as hashed, strata:audit-verify fails on it",
                                Verification.printable(stored.fault()));
                    }
                    try {
                        w.record(r);
                        counts[0]++;
                        last[0] = r;
                        // every stored checkpoint is written, the record it covers or not: one whose record is gone
                        // is what shows the auditor that records were removed, and the verifier fails on it
                        while (next[0] != null && next[0].seq() <= r.seq()) {
                            w.checkpoint(next[0]);
                            counts[1]++;
                            next[0] = checkpoints.hasNext() ? checkpoints.next() : null;
                        }
                        return true;
                    } catch (IOException e) {
                        failed[0] = e;
                        return false;
                    }
                });
                if (failed[0] != null) {
                    throw failed[0];
                }
                if (last[0] == null) {
                    throw new StrataException("the provenance log is empty; there is nothing to export");
                }
                for (; next[0] != null; next[0] = checkpoints.hasNext() ? checkpoints.next() : null) {
                    // signed for a record after the last one stored: the log was cut short in the store
                    LOG.warn("The provenance log ends at record {}, but a checkpoint covers record {}: records were removed from the store; "
                            + "the export holds the checkpoint, and fails verification", last[0].seq(), next[0].seq());
                    w.checkpoint(next[0]);
                    counts[1]++;
                }
                // the key read once: a configuration change naming another key may replace it meanwhile, and a checkpoint signed
                // with one key's private half and another's public half fails verification
                SigningKey signing = key;
                w.checkpoint(Checkpoint.sign(p.logId(), last[0].seq(), last[0].hash(), LogRecord.formatTime(clock.instant()), true,
                        signing.privateKey, signing.publicKey));
                counts[1]++;
            }
            // forced to disk before it is moved into place, and its folder after: a power loss after a rename the disk had
            // not got the data of left an empty or cut export (or key file) under the final name
            durability.force(tmp);
            if (pub != null) {
                // written aside before the export is moved into place, its missing folders made as the export's are: written
                // after that move, into a folder that did not exist, the keys failed with the export already in place (an
                // earlier one replaced) and a message saying the log could not be exported
                try {
                    Files.createDirectories(pub.getParent());
                    Files.writeString(pubTmp, publicKeys(), StandardCharsets.US_ASCII);
                    durability.force(pubTmp);
                    // moved into place before the export, so that a key file that cannot be moved leaves the earlier export
                    // as it was: moved after it, the new export stood under its name while the call failed, without its keys
                    Files.move(pubTmp, pub, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    durability.forceFolder(pub.getParent());
                    keysWritten = true;
                } catch (IOException e) {
                    throw new StrataException("cannot write the public keys of the provenance log to " + pub + ": " + e.getMessage()
                            + "; the export is not written either (" + target + " is left as it was)", e);
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            durability.forceFolder(target.getParent());
            LOG.info("Exported the provenance log ({} records, {} checkpoints) to {}", counts[0], counts[1], target);
            return new AuditExport(target, counts[0], counts[1], pub, new ArrayList<>(keyPems().keySet()), p.logId());
        } catch (IOException e) {
            throw new StrataException("cannot export the provenance log to " + target + ": " + e.getMessage()
                    + (keysWritten ? "; the public keys were written to " + pub + " before" : ""), e);
        } finally {
            for (Path partial : pubTmp == null ? List.of(tmp) : List.of(tmp, pubTmp)) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    LOG.debug("Removing {}: {}", partial, e.getMessage());
                }
            }
        }
    }

    private Map<String, String> keyPems() {
        Map<String, String> pems = new LinkedHashMap<>(store.provenance().keys());
        pems.putIfAbsent(key.keyId, key.publicPem());
        return pems;
    }

    @Override
    public String publicKeys() {
        return String.join("", keyPems().values());
    }

    /** This instance's key id. */
    String keyId() {
        return key.keyId;
    }
}
