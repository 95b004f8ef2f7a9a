package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.audit.AuditEntry;
import dev.strata.platform.api.audit.AuditExport;
import dev.strata.platform.api.audit.AuditQuery;
import dev.strata.platform.api.audit.AuditReport;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.audit.AuditKeys;
import dev.strata.platform.audit.ExportFile;
import dev.strata.platform.core.placement.TenantUsers;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/** The provenance service on the embedded store: key, checkpoints, listing, verification, export, tampering in the database. */
class ProvenanceServiceTest {

    @TempDir
    Path data;
    JdbcStateStore store;
    ProvenanceService service;

    static ProvenanceConfig config(int every) {
        return Converters.standardConverter().convert(Map.of("checkpointEvery", every, "checkpointInterval", "1h")).to(ProvenanceConfig.class);
    }

    @BeforeEach
    void open() {
        store = StoreTestAccess.embedded(data);
        service = new ProvenanceService(store, config(100), data, Clock.systemUTC(), false);
    }

    @AfterEach
    void close() {
        store.close();
    }

    void appendRecords(int n) {
        for (int i = 1; i <= n; i++) {
            service.append(ProvenanceEntry.of(i % 2 == 0 ? "placement" : "release", "karaf", Map.of("i", i, "evidence", List.of("e" + i)),
                    "contract", "c" + (i % 5), "tenant", "t" + (i % 3), "allocation", "a-" + i));
            service.checkpointIfDue();
        }
    }

    @Test
    void theKeyIsCreatedOwnerOnlyAndKeptAcrossStarts() throws Exception {
        Path key = data.resolve("strata/provenance-ed25519.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(data.resolve("strata/provenance-ed25519.key.pub"))).startsWith("-----BEGIN PUBLIC KEY-----");
        ProvenanceService again = new ProvenanceService(store, config(100), data, Clock.systemUTC(), false);
        assertThat(again.keyId()).isEqualTo(service.keyId());
        assertThat(service.publicKeys()).isEqualTo(AuditKeys.publicPem(AuditKeys.readPublicKeys(Files.readString(
                data.resolve("strata/provenance-ed25519.key.pub"))).get(0)));
        Files.writeString(key, "garbage");
        assertThatThrownBy(() -> new ProvenanceService(store, config(100), data, Clock.systemUTC(), false))
                .hasMessageContaining("dev.strata.platform.core.provenance: keyFile").hasMessageNotContaining("garbage");
    }

    /**
     * A public key file that holds no key (empty: cut short when the key was created) is refused
     * naming that file, at start and in a change of the configuration, which leaves the key before
     * it in force; the refusal said the private key was not a readable Ed25519 private key.
     */
    @Test
    void aPublicKeyFileHoldingNoKeyIsRefusedNamingIt() throws Exception {
        Path other = data.resolve("strata/other-ed25519.key");
        ProvenanceConfig otherConfig = Converters.standardConverter().convert(Map.of("checkpointEvery", 100, "checkpointInterval", "1h",
                "keyFile", "strata/other-ed25519.key")).to(ProvenanceConfig.class);
        new ProvenanceService(store, otherConfig, data, Clock.systemUTC(), false);
        Path pub = data.resolve("strata/other-ed25519.key.pub");
        Files.writeString(pub, "");
        assertThatThrownBy(() -> new ProvenanceService(store, otherConfig, data, Clock.systemUTC(), false))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("dev.strata.platform.core.provenance: keyFile = '" + other + "'")
                .hasMessageContaining(pub + " cannot be read: no '-----BEGIN PUBLIC KEY-----' block found")
                .hasMessageNotContaining("expected a readable Ed25519 private key");
        List<String> rejected = new java.util.ArrayList<>();
        service.rejections = (pid, reason) -> rejected.add(reason);
        String keyId = service.keyId();
        service.modified(otherConfig);
        assertThat(rejected).singleElement().asString().contains(pub + " cannot be read");
        assertThat(service.keyId()).isEqualTo(keyId);
    }

    /**
     * A .cfg value that is no number is refused naming the PID, the property, the value and what was expected, before
     * a signing key is created.
     */
    @Test
    void aCheckpointEveryThatIsNoWholeNumberIsRefusedBeforeAnyKeyIsMade() {
        Path elsewhere = data.resolve("elsewhere");
        for (String value : new String[] {"ten", "1000 records", "1e3"}) {
            ProvenanceConfig config = Converters.standardConverter().convert(Map.of("checkpointEvery", value, "checkpointInterval", "1h"))
                    .to(ProvenanceConfig.class);
            assertThatThrownBy(() -> new ProvenanceService(store, config, elsewhere, Clock.systemUTC(), false)).as(value)
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.provenance: checkpointEvery = '" + value
                            + "' is invalid; expected a whole number of records, at least 1")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("checkpointEvery"));
        }
        assertThat(elsewhere).doesNotExist();
    }

    @Test
    void checkpointsListingVerificationAndExport() throws Exception {
        // the first record registers the signing key
        assertThat(service.entry(1).orElseThrow().kind()).isEqualTo("provenance-key");
        assertThat(service.entry(1).orElseThrow().payload()).contains(service.keyId());
        appendRecords(249);
        assertThat(store.provenance().checkpoints(0, 10)).extracting(c -> c.seq()).containsExactly(100L, 200L);
        AuditReport report = service.verify();
        assertThat(report.holds()).as(report.failure()).isTrue();
        assertThat(report.records()).isEqualTo(250);
        assertThat(report.signedThrough()).isEqualTo(200);
        assertThat(report.keyIds()).containsExactly(service.keyId());

        List<AuditEntry> byContract = service.entries(new AuditQuery("c1", null, null, null, null, null, null, 1000, false));
        assertThat(byContract).hasSize(50).allSatisfy(e -> assertThat(e.subjects()).containsEntry("contract", "c1"));
        List<AuditEntry> newest = service.entries(new AuditQuery(null, "t0", null, null, "placement", null, null, 3, true));
        assertThat(newest).extracting(AuditEntry::seq).containsExactly(247L, 241L, 235L);
        Instant middle = service.entry(120).orElseThrow().time();
        assertThat(service.entries(new AuditQuery(null, null, null, null, null, middle, null, 1000, false)).get(0).seq()).isLessThanOrEqualTo(120);
        assertThat(service.entry(7).orElseThrow().payload()).isEqualTo("{\"evidence\":[\"e6\"],\"i\":6}");

        AuditExport export = service.export(data.resolve("out/audit.jsonl"), data.resolve("out/audit-keys.pem"));
        assertThat(export.records()).isEqualTo(250);
        assertThat(export.checkpoints()).isEqualTo(3);
        assertThat(Files.list(data.resolve("out")).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("audit.jsonl", "audit-keys.pem");
        ExportFile.Result offline = ExportFile.verify(export.file(), AuditKeys.readPublicKeys(Files.readString(export.publicKeyFile())), List.of());
        assertThat(offline.verification().holds()).as(offline.verification().summary()).isTrue();
        assertThat(offline.verification().signedThrough()).isEqualTo(250);
    }

    /**
     * checkpointInterval takes a duration as every other duration setting does (README: "ns, us, ms,
     * s, m (or min), h or d; a bare number is seconds; at most 106751d"), and anything else is an
     * InvalidConfigurationException naming it. Before, it had its own pattern (ms, s, m, h only), so
     * {@code 1d} or {@code 2min} was refused and the component did not start.
     */
    @Test
    void checkpointIntervalTakesTheDurationsEveryOtherSettingTakes() {
        assertThat(ProvenanceService.duration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(ProvenanceService.duration("2min")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ProvenanceService.duration("90")).isEqualTo(Duration.ofSeconds(90));
        for (String wrong : List.of("99999999999999999999", "soon", "500ms", "106752d")) {
            assertThatThrownBy(() -> ProvenanceService.duration(wrong)).as(wrong).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("checkpointInterval")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("checkpointInterval"));
        }
    }

    @Test
    void tamperingInTheDatabaseIsFoundAndNamed() throws Exception {
        appendRecords(250);
        try (Connection c = h2(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE provenance_record SET actor = 'mallory' WHERE seq = 57");
        }
        AuditReport report = service.verify();
        assertThat(report.holds()).isFalse();
        assertThat(report.failedSeq()).isEqualTo(57);
        assertThat(report.failure()).contains("record 57 does not match its hash");
        try (Connection c = h2(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE provenance_record SET actor = 'karaf' WHERE seq = 57");
            s.executeUpdate("DELETE FROM provenance_record WHERE seq > 180");
        }
        report = service.verify();
        assertThat(report.holds()).isFalse();
        assertThat(report.failedSeq()).isEqualTo(181);
        assertThat(report.failure()).contains("covers record 200 but the log so far ends at record 180");

        // an export must not launder the cut: the checkpoint of the removed record 200 goes in, and the verifier fails on it
        AuditExport export = service.export(data.resolve("out/cut.jsonl"), data.resolve("out/cut-keys.pem"));
        ExportFile.Result offline = ExportFile.verify(export.file(), AuditKeys.readPublicKeys(Files.readString(export.publicKeyFile())), List.of());
        assertThat(offline.verification().holds()).as(offline.verification().summary()).isFalse();
        assertThat(offline.verification().failedSeq()).isEqualTo(181);
        assertThat(offline.verification().failure()).contains("covers record 200 but the log so far ends at record 180");
    }

    Connection h2() throws Exception {
        store.close();
        store = StoreTestAccess.embedded(data);
        service = new ProvenanceService(store, config(100), data, Clock.systemUTC(), false);
        return DriverManager.getConnection("jdbc:h2:file:" + data.resolve("strata/store").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "strata", "");
    }

    /**
     * A commitment record of a tenant's allocation whose dedicated node another tenant is on names
     * that tenant and its allocation; the tenant's user reads the record without them, in the list
     * and on its own. Everyone else reads the record as it is.
     */
    @Test
    void aTenantsUserReadsItsCommitmentRecordsWithoutTheOtherTenantTheyName() {
        String intruder = "node n-1 also holds allocation b-1 of tenant t2; isolation dedicated-node allows no other tenant";
        String owner = "node n-2 is dedicated to tenant t2, not t1";
        service.append(ProvenanceEntry.of("commitment", "system", Map.of("allocation", "a-1", "tenant", "t1", "status", "BREACHED",
                "findings", List.of(Map.of("member", "m", "clause", "isolation", "status", "BREACHED", "evidence", intruder),
                        Map.of("member", "m", "clause", "isolation", "status", "BREACHED", "evidence", owner))),
                "contract", "c", "tenant", "t1", "allocation", "a-1"));
        dev.strata.platform.api.audit.AuditQuery all = new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, null, null, null,
                100, false);
        List<dev.strata.platform.api.audit.AuditEntry> read = TenantUsers.as("ann", () -> service.entries(all), "tenant:t1");
        assertThat(read).hasSize(1);
        long seq = read.get(0).seq();
        for (String payload : List.of(read.get(0).payload(), TenantUsers.as("ann", () -> service.entry(seq), "tenant:t1").orElseThrow().payload())) {
            assertThat(payload).doesNotContain("b-1").doesNotContain("t2")
                    .contains("node n-1 also holds an allocation of another tenant; isolation dedicated-node allows no other tenant")
                    .contains("node n-2 is dedicated to another tenant, not t1");
        }
        assertThat(service.entry(seq).orElseThrow().payload()).contains(intruder).contains(owner);
    }

    /**
     * A tenant's user is shown no hash of the chain, neither a record's {@code hash} nor its
     * {@code prev}. A commitment record is shown to it without the other tenant and allocation its
     * evidence names, but the record's hash covers them: with every other field of the record
     * shown, the hash confirms a guess of what was withheld (allocation ids are numbered, tenant
     * ids few). And the {@code prev} of its own record is the hash of the record before, which may
     * be another tenant's. A tenant's user does not verify the chain (it is refused), so it needs
     * neither.
     */
    @Test
    void aTenantsUserIsShownNoHashThatWouldConfirmWhatItsRecordsWithhold() {
        String intruder = "node n-1 also holds allocation b-1 of tenant t2; isolation dedicated-node allows no other tenant";
        long seq = service.append(ProvenanceEntry.of("commitment", "system", Map.of("allocation", "a-1", "tenant", "t1", "status",
                "BREACHED", "findings", List.of(Map.of("member", "m", "clause", "isolation", "status", "BREACHED", "evidence", intruder))),
                "contract", "c", "tenant", "t1", "allocation", "a-1")).seq();
        service.append(ProvenanceEntry.of("placement", "bob", Map.of("nodes", 1), "contract", "d", "tenant", "t2", "allocation", "b-1"));
        service.append(ProvenanceEntry.of("release", "ann", Map.of(), "contract", "c", "tenant", "t1", "allocation", "a-1"));
        AuditEntry shown = TenantUsers.as("ann", () -> service.entry(seq), "tenant:t1").orElseThrow();
        assertThat(shown.payload()).doesNotContain("b-1").doesNotContain("t2");

        // the guess: the evidence as the record holds it, put back into what the user was shown
        Map<String, Object> guessed = new java.util.LinkedHashMap<>(dev.strata.platform.audit.Json.parseObject(shown.payload()));
        guessed.put("findings", List.of(Map.of("member", "m", "clause", "isolation", "status", "BREACHED", "evidence", intruder)));
        java.util.Set<String> confirmed = new java.util.HashSet<>();
        if (shown.prev() != null) {
            confirmed.add(dev.strata.platform.audit.LogRecord.seal(seq, dev.strata.platform.audit.LogRecord.formatTime(shown.time()),
                    shown.kind(), shown.actor(), shown.subjects(), guessed, shown.prev()).hash());
        }
        assertThat(confirmed).as("a hash that confirms the withheld tenant and allocation").doesNotContain(shown.hash());

        java.util.Set<String> chain = new java.util.HashSet<>();
        service.entries(new AuditQuery(null, null, null, null, null, null, null, 100, false)).forEach(e -> {
            chain.add(e.prev());
            chain.add(e.hash());
        });
        List<AuditEntry> read = new java.util.ArrayList<>(TenantUsers.as("ann",
                () -> service.entries(new AuditQuery(null, null, null, null, null, null, null, 100, false)), "tenant:t1"));
        read.add(shown);
        read.add(TenantUsers.as("ann", () -> service.entry(seq + 2), "tenant:t1").orElseThrow());
        assertThat(read).hasSize(4).allSatisfy(e -> {
            assertThat(e.hash()).as("hash of record " + e.seq()).isNull();
            assertThat(e.prev()).as("prev of record " + e.seq()).isNull();
        });
        // everyone else is shown both, as stored
        AuditEntry full = service.entry(seq + 2).orElseThrow();
        assertThat(full.prev()).isEqualTo(service.entry(seq + 1).orElseThrow().hash()).isIn(chain);
        assertThat(full.hash()).hasSize(64);
    }

    /**
     * The key that signs checkpoints is registered together with the record that says so, in one
     * transaction: a store that holds the key without the record (registered, and then the append
     * failed: a crash, or leadership lost in between) had that key sign checkpoints while the
     * chain never named it. An instance that finds its key registered without its record appends
     * the record.
     */
    @Test
    void aKeyRegisteredWithoutItsRecordGetsItsRecord() throws Exception {
        Path other = data.resolve("other");
        SigningKey key = SigningKey.loadOrCreate(other.resolve("strata/provenance-ed25519.key"), ProvenanceService.PID);
        // what a registration that failed after its first write left behind: the key, without its record
        try (Connection c = h2(); java.sql.PreparedStatement p = c.prepareStatement(
                "INSERT INTO provenance_key (key_id, public_key, instance_id, created_ms) VALUES (?, ?, 'strata-b', 0)")) {
            p.setString(1, key.keyId);
            p.setString(2, key.publicPem());
            p.executeUpdate();
        }
        assertThat(store.provenance().keys()).containsKey(key.keyId);
        assertThat(keyRecords(key.keyId)).isEmpty();

        ProvenanceService b = new ProvenanceService(store, config(100), other, Clock.systemUTC(), false);
        assertThat(b.keyId()).isEqualTo(key.keyId);
        assertThat(keyRecords(key.keyId)).hasSize(1);
        assertThat(recordSeqOf(key.keyId)).isEqualTo(keyRecords(key.keyId).get(0).seq());
        // once: a restart finds both
        new ProvenanceService(store, config(100), other, Clock.systemUTC(), false);
        assertThat(keyRecords(key.keyId)).hasSize(1);
        assertThat(keyRecords(service.keyId())).hasSize(1);
    }

    /**
     * Each start checks that the chain holds the record registering this instance's key. It looked
     * for records of kind {@code provenance-key} in the log, which no index covers: a full scan of
     * the log at every start, and a start that failed on any record it could not read. The record's
     * seq is now kept with the key: the check is one row read.
     */
    @Test
    void aStartFindsItsKeysRecordByTheSeqKeptWithTheKeyNotBySearchingTheLog() throws Exception {
        long registered = keyRecords(service.keyId()).get(0).seq();
        assertThat(recordSeqOf(service.keyId())).isEqualTo(registered);
        appendRecords(5);
        // the record cannot be read any more: a search of the log would fail on it; verification names it
        try (Connection c = h2(); java.sql.PreparedStatement p = c.prepareStatement("UPDATE provenance_record SET payload = '{' WHERE seq = ?")) {
            p.setLong(1, registered);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
        long head = store.provenance().head().seq();
        ProvenanceService again = new ProvenanceService(store, config(100), data, Clock.systemUTC(), false);
        assertThat(again.keyId()).isEqualTo(service.keyId());
        again.registerKey();
        assertThat(store.provenance().head().seq()).isEqualTo(head);
    }

    /** A key registered before its record's seq was kept with it: its record is found once, and its seq kept. */
    @Test
    void aKeyRegisteredBeforeItsRecordsSeqWasKeptHasItFoundOnce() throws Exception {
        long registered = keyRecords(service.keyId()).get(0).seq();
        try (Connection c = h2(); java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE provenance_key SET record_seq = NULL");
        }
        appendRecords(3);
        long head = store.provenance().head().seq();
        new ProvenanceService(store, config(100), data, Clock.systemUTC(), false).registerKey();
        assertThat(store.provenance().head().seq()).as("nothing appended: the chain holds the record").isEqualTo(head);
        assertThat(recordSeqOf(service.keyId())).isEqualTo(registered);
    }

    private Long recordSeqOf(String keyId) throws Exception {
        try (Connection c = h2(); java.sql.PreparedStatement p = c.prepareStatement("SELECT record_seq FROM provenance_key WHERE key_id = ?")) {
            p.setString(1, keyId);
            try (java.sql.ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).as("key %s registered", keyId).isTrue();
                long seq = rs.getLong(1);
                return rs.wasNull() ? null : seq;
            }
        }
    }

    /**
     * The keys {@code strata:audit-verify} trusts come from the database: someone able to write it
     * could rewrite a record, register a key of their own, and sign the rewritten head with it, and
     * the log would verify. Verifying with the auditor's copy of the keys ({@code --key}) trusts
     * only those, and fails at the forged checkpoint, naming its key.
     */
    @Test
    void aLogReSignedWithAKeyAddedToTheDatabaseFailsAgainstTheAuditorsKeys() throws Exception {
        appendRecords(100);
        String auditorsCopy = service.publicKeys();
        assertThat(service.verify(auditorsCopy).holds()).isTrue();

        long head = store.provenance().head().seq();
        dev.strata.platform.audit.LogRecord r = store.provenance().get(head).orElseThrow();
        Map<String, Object> forgedPayload = new java.util.LinkedHashMap<>(r.payload());
        forgedPayload.put("evidence", List.of("rewritten"));
        dev.strata.platform.audit.LogRecord forged = dev.strata.platform.audit.LogRecord.seal(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(),
                forgedPayload, r.prev());
        java.security.KeyPair theirs = AuditKeys.generate();
        dev.strata.platform.audit.Checkpoint resigned = dev.strata.platform.audit.Checkpoint.sign(store.provenance().logId(), head, forged.hash(),
                r.time(), false, theirs.getPrivate(), theirs.getPublic());
        try (Connection c = h2()) {
            try (java.sql.PreparedStatement p = c.prepareStatement("UPDATE provenance_record SET payload = ?, hash = ? WHERE seq = ?")) {
                p.setString(1, dev.strata.platform.audit.Jcs.canonicalize(forgedPayload));
                p.setString(2, forged.hash());
                p.setLong(3, head);
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM provenance_checkpoint");
            }
            try (java.sql.PreparedStatement p = c.prepareStatement(
                    "INSERT INTO provenance_key (key_id, public_key, instance_id, created_ms) VALUES (?, ?, 'x', 0)")) {
                p.setString(1, AuditKeys.keyId(theirs.getPublic()));
                p.setString(2, AuditKeys.publicPem(theirs.getPublic()));
                p.executeUpdate();
            }
            try (java.sql.PreparedStatement p = c.prepareStatement(
                    "INSERT INTO provenance_checkpoint (seq, hash, record_time, key_id, signature) VALUES (?, ?, ?, ?, ?)")) {
                p.setLong(1, head);
                p.setString(2, resigned.hash());
                p.setString(3, resigned.time());
                p.setString(4, resigned.keyId());
                p.setString(5, resigned.signature());
                p.executeUpdate();
            }
        }
        assertThat(service.verify().holds()).as("the keys the database registers are trusted").isTrue();

        AuditReport pinned = service.verify(auditorsCopy);
        assertThat(pinned.holds()).isFalse();
        assertThat(pinned.failure()).contains(AuditKeys.keyId(theirs.getPublic())).contains("not a trusted key");

        assertThatThrownBy(() -> service.verify("  ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trusted public key");
        assertThatThrownBy(() -> service.verify("not a key")).isInstanceOf(IllegalArgumentException.class);
    }

    private List<AuditEntry> keyRecords(String keyId) {
        return service.entries(new AuditQuery(null, null, null, null, "provenance-key", null, null, 100, false)).stream()
                .filter(e -> e.payload().contains("\"keyId\":\"" + keyId + "\"")).toList();
    }

    /**
     * What the store keeps beside a record to find it (the contract, tenant, allocation and
     * deployment columns that {@code strata:audit -c/-t/-a/-d} and a tenant's user's reads filter
     * on, and the time in milliseconds that {@code --from}/{@code --to} compare) is not covered by
     * the record's hash. Changed in the database, it hid a record from an auditor's query, or showed
     * one to another tenant's user, while verification said the chain holds. Verification compares
     * them with the record, and names the record and the column.
     */
    @Test
    void aRecordsIndexColumnsChangedInTheDatabaseFailVerification() throws Exception {
        appendRecords(20);
        long seq = 8; // contract c2, tenant t1, allocation a-7
        assertThat(service.entries(new AuditQuery("c2", null, null, null, null, null, null, 100, false))).extracting(AuditEntry::seq)
                .contains(seq);
        String[][] edits = {
            {"contract = NULL", "contract", "c2"},
            {"tenant = 't0'", "tenant", "t1"},
            {"allocation_id = 'a-99'", "allocation", "a-7"},
            {"deployment_id = 'd-1'", "deployment", "d-1"},
            {"time_ms = time_ms + 3600000", "time", null},
        };
        for (String[] edit : edits) {
            try (Connection c = h2(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE provenance_record SET " + edit[0] + " WHERE seq = " + seq);
            }
            AuditReport report = service.verify();
            assertThat(report.holds()).as(edit[0]).isFalse();
            assertThat(report.failedSeq()).as(edit[0]).isEqualTo(seq);
            assertThat(report.failure()).as(edit[0]).contains("record " + seq).contains(edit[1]);
            if (edit[2] != null) {
                assertThat(report.failure()).as(edit[0]).contains(edit[2]);
            }
            try (Connection c = h2(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE provenance_record SET contract = 'c2', tenant = 't1', allocation_id = 'a-7', deployment_id = NULL, "
                        + "time_ms = " + service.entry(seq).orElseThrow().time().toEpochMilli() + " WHERE seq = " + seq);
            }
            assertThat(service.verify().holds()).as("restored after " + edit[0]).isTrue();
        }
    }

    /**
     * A record whose subjects or payload as stored is not the JSON its hash covers (not JSON, a
     * duplicate member, a subject that is no string, or the same values written otherwise) fails
     * verification naming the record; before, an unreadable one made verification (and the
     * listing) throw the parser's message, naming no record, and one written otherwise was read
     * as the values it holds, so the chain held over text that differs from what was hashed.
     */
    @Test
    void aRecordStoredAsOtherJsonThanItsHashCoversFailsVerificationNamingIt() throws Exception {
        appendRecords(20);
        long seq = 7; // payload {"evidence":["e6"],"i":6}
        String[][] edits = {
            {"payload = '{\"evidence\":[\"e6\"],\"i\":6'", "payload", "malformed JSON"},
            {"payload = '{\"evidence\":[\"e6\"],\"i\":6,\"i\":6}'", "payload", "duplicate"},
            {"payload = '[6]'", "payload", "found an array"},
            {"subjects = '{\"allocation\":\"a-6\",\"contract\":\"c1\",\"tenant\":0}'", "subject 'tenant'", "expected a string"},
            {"payload = '{\"evidence\":[\"e6\"],\"i\":6.0}'", "payload", "canonical"},
            {"payload = '{\"i\":6,\"evidence\":[\"e6\"]}'", "payload", "canonical"},
        };
        for (String[] edit : edits) {
            String before;
            try (Connection c = h2(); Statement s = c.createStatement()) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT subjects, payload FROM provenance_record WHERE seq = " + seq)) {
                    rs.next();
                    before = "subjects = '" + rs.getString(1) + "', payload = '" + rs.getString(2) + "'";
                }
                s.executeUpdate("UPDATE provenance_record SET " + edit[0] + " WHERE seq = " + seq);
            }
            AuditReport report = service.verify();
            assertThat(report.holds()).as(edit[0]).isFalse();
            assertThat(report.failedSeq()).as(edit[0]).isEqualTo(seq);
            assertThat(report.failure()).as(edit[0]).contains("record " + seq).contains(edit[1]).contains(edit[2]);
            // the records verified are those before it, as for a record whose hash fails: it was counted, and shown as the last verified
            assertThat(report.records()).as(edit[0]).isEqualTo(seq - 1);
            assertThat(report.lastSeq()).as(edit[0]).isEqualTo(seq - 1);
            assertThat(java.time.Instant.parse(report.lastTime())).as(edit[0]).isEqualTo(service.entry(seq - 1).orElseThrow().time());
            try (Connection c = h2(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE provenance_record SET " + before + " WHERE seq = " + seq);
            }
            assertThat(service.verify().holds()).as("restored after " + edit[0]).isTrue();
        }
    }

    /** A record that cannot be read is named when it is listed or shown, not only the parser's offset. */
    @Test
    void aRecordThatCannotBeReadIsNamedWhenListed() throws Exception {
        appendRecords(10);
        try (Connection c = h2(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE provenance_record SET payload = '{\"i\":' WHERE seq = 7");
        }
        assertThatThrownBy(() -> service.entry(7)).isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                .hasMessageContaining("provenance record 7").hasMessageContaining("payload").hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> service.entries(new AuditQuery(null, null, null, null, null, null, null, 100, false)))
                .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class).hasMessageContaining("provenance record 7");
        assertThat(service.entry(6)).isPresent();
    }

    /**
     * A tenant's user (a login with roles {@code tenant:ID}) reads its tenants' records only, in the
     * log's order and up to the limit; the log's other records read as absent; verifying or
     * exporting the whole chain is refused. Everyone else reads everything.
     */
    @Test
    void aTenantsUserReadsItsTenantsRecordsOnlyAndCannotExportTheChain() throws Exception {
        appendRecords(12); // tenants t0, t1, t2 in turn; the key registration's record names no tenant
        java.util.function.Function<dev.strata.platform.api.audit.AuditQuery, List<String>> read = q -> TenantUsers.as("ann",
                () -> service.entries(q), "ssh", "tenant:t1", "tenant:t2").stream().map(e -> e.subjects().get("tenant") + "/" + e.seq()).toList();
        List<dev.strata.platform.api.audit.AuditEntry> all = service.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null,
                null, null, null, 100, false));
        List<String> expected = all.stream().filter(e -> "t1".equals(e.subjects().get("tenant")) || "t2".equals(e.subjects().get("tenant")))
                .map(e -> e.subjects().get("tenant") + "/" + e.seq()).toList();
        assertThat(expected).hasSize(8);
        assertThat(read.apply(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, null, null, null, 100, false)))
                .isEqualTo(expected);
        List<String> newestFive = new java.util.ArrayList<>(expected.subList(3, 8));
        java.util.Collections.reverse(newestFive);
        assertThat(read.apply(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, null, null, null, 5, true)))
                .isEqualTo(newestFive);
        assertThat(read.apply(new dev.strata.platform.api.audit.AuditQuery(null, "t0", null, null, null, null, null, 100, false))).isEmpty();
        assertThat(read.apply(new dev.strata.platform.api.audit.AuditQuery(null, "t2", null, null, null, null, null, 100, false)))
                .allMatch(e -> e.startsWith("t2/")).hasSize(4);
        long other = all.stream().filter(e -> "t0".equals(e.subjects().get("tenant"))).findFirst().orElseThrow().seq();
        assertThat(TenantUsers.as("ann", () -> service.entry(other), "tenant:t1")).isEmpty();
        assertThat(service.entry(other)).isPresent();
        // a record that names no tenant (the key's registration, record 1) reads as absent too, as a record that is not there
        assertThat(service.entry(1).orElseThrow().subjects()).doesNotContainKey("tenant");
        assertThat(TenantUsers.as("ann", () -> service.entry(1), "tenant:t1")).isEmpty();
        assertThat(TenantUsers.as("ann", () -> service.entry(100_000), "tenant:t1")).isEmpty();
        assertThatThrownBy(() -> TenantUsers.as("ann", service::verify, "tenant:t1"))
                .isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class)
                .hasMessage("user ann may act for tenant t1 only (its roles tenant:ID); the provenance log is one chain of every tenant's "
                        + "records: refused to verify it");
        Path file = data.resolve("export.jsonl");
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.export(file, null), "tenant:t1"))
                .isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class).hasMessageEndingWith("refused to export it");
        assertThat(file).doesNotExist();
        assertThat(TenantUsers.as("root", () -> service.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, null,
                null, null, 100, false)), "tenant:t1", "admin")).hasSameSizeAs(all);
        assertThat(TenantUsers.as("root", service::verify, "admin").holds()).isTrue();
    }

    /**
     * A change of etc/dev.strata.platform.core.provenance.cfg while Strata runs that holds a value
     * the log refuses leaves the settings before it in force, as the README says of every rejected
     * change, and is recorded as rejected. Before, the component had no modified method: Declarative
     * Services made it again from the changed configuration, the refused value failed that, and the
     * provenance log service (listing, verifying, exporting, signing checkpoints) stopped until the
     * file was corrected. The method is called as Declarative Services calls it, named by the
     * component's descriptor; a valid change applies to the next checkpoint.
     */
    @Test
    void aRejectedChangeOfTheConfigurationLeavesThePreviousSettingsInForce() throws Exception {
        List<String> rejected = new java.util.ArrayList<>();
        dev.strata.platform.testkit.ComponentDescriptors.bindOptional(service, ConfigurationRejections.class,
                (pid, reason) -> rejected.add(pid + " | " + reason));
        String keyId = service.keyId();
        for (Map<String, Object> change : List.<Map<String, Object>>of(Map.of("checkpointEvery", "ten", "checkpointInterval", "1h"),
                Map.of("checkpointEvery", 0, "checkpointInterval", "1h"), Map.of("checkpointEvery", 2, "checkpointInterval", "5S"))) {
            dev.strata.platform.testkit.ComponentDescriptors.modified(service, Converters.standardConverter().convert(change)
                    .to(ProvenanceConfig.class), change);
        }
        assertThat(rejected).containsExactly(
                "dev.strata.platform.core.provenance | dev.strata.platform.core.provenance: checkpointEvery = 'ten' is invalid; expected a whole "
                        + "number of records, at least 1",
                "dev.strata.platform.core.provenance | dev.strata.platform.core.provenance: checkpointEvery = '0' is invalid; expected a whole "
                        + "number of records, at least 1",
                "dev.strata.platform.core.provenance | dev.strata.platform.core.provenance: checkpointInterval = '5S' is invalid; expected a "
                        + "duration of at least 1s, such as 60s, 5m or 1h (units ns, us, ms, s, m, h, d; a bare number is seconds; at most 106751d)");
        // the settings before them stay: a checkpoint every 100 records, not every 2
        appendRecords(10);
        assertThat(store.provenance().lastCheckpoint()).isEmpty();

        Map<String, Object> valid = Map.of("checkpointEvery", 4, "checkpointInterval", "1h");
        dev.strata.platform.testkit.ComponentDescriptors.modified(service, Converters.standardConverter().convert(valid)
                .to(ProvenanceConfig.class), valid);
        appendRecords(1);
        assertThat(store.provenance().lastCheckpoint()).as("a valid change applies to the next checkpoint").isPresent();
        assertThat(service.keyId()).isEqualTo(keyId);
        assertThat(rejected).hasSize(3);
    }

    /**
     * The clock set back after a checkpoint was signed (an NTP correction of a clock that ran a day ahead): a record made
     * after it is signed within checkpointInterval all the same. The interval was counted from the checkpoint's time, still
     * a day ahead, and a log with fewer than checkpointEvery records a day stayed unsigned for that day.
     */
    @Test
    void aClockSetBackDoesNotHoldTheTimedCheckpointBack() {
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        dev.strata.platform.testkit.SettableClock clock = dev.strata.platform.testkit.SettableClock.at(start);
        ProvenanceService timed = new ProvenanceService(store, config(100), data, clock, false);
        timed.append(ProvenanceEntry.of("placement", "karaf", Map.of("i", 1)));
        clock.set(start.plus(Duration.ofHours(2)));
        assertThat(timed.checkpointIfDue()).as("signed once the interval (1h) passed").isPresent();
        clock.set(start.minus(Duration.ofDays(1))); // the clock ran a day ahead, and is set right
        long seq = timed.append(ProvenanceEntry.of("placement", "karaf", Map.of("i", 2))).seq();
        clock.advance(Duration.ofHours(2));
        assertThat(timed.checkpointIfDue()).as("a record made after the clock was set back is signed within the interval")
                .hasValueSatisfying(c -> assertThat(c.seq()).isEqualTo(seq));
    }

    /**
     * The public keys go where --public-key says, a folder that does not exist yet made as the export's is (README: "missing
     * folders are made"); where they cannot be written, the export fails naming the key file, and neither file is left, an
     * earlier export kept. They were written after the export was moved into place: into a missing folder they failed with
     * a message that the log could not be exported while the export (replacing an earlier one) was in place, and a key file
     * that could not be moved left its .partial behind.
     */
    @Test
    void thePublicKeysAreWrittenBeforeTheExportIsMovedIntoPlace() throws Exception {
        appendRecords(3);
        Path file = data.resolve("out/audit.jsonl");
        AuditExport export = service.export(file, data.resolve("keys/new/audit-keys.pem"));
        assertThat(export.publicKeyFile()).isEqualTo(data.resolve("keys/new/audit-keys.pem").toAbsolutePath());
        assertThat(Files.readString(export.publicKeyFile())).isEqualTo(service.publicKeys());

        String earlier = Files.readString(file);
        appendRecords(2);
        Files.writeString(data.resolve("not-a-folder"), "x");
        Path keys = data.resolve("not-a-folder/audit-keys.pem");
        assertThatThrownBy(() -> service.export(file, keys)).isInstanceOf(dev.strata.platform.api.exception.StrataException.class)
                .hasMessageStartingWith("cannot write the public keys of the provenance log to " + keys.toAbsolutePath() + ": ")
                .hasMessageContaining("the export is not written either");
        assertThat(Files.readString(file)).as("the earlier export is kept").isEqualTo(earlier);
        try (var left = Files.list(data.resolve("out"))) {
            assertThat(left).containsExactly(file);
        }
    }

    /**
     * The export and its key file are forced to disk before each is moved into place under its
     * name, and each folder after its move (the key file's before the export is moved): they were
     * moved from their {@code .partial} files unforced, so a power loss after the move could leave
     * an empty or cut export under the final name, which the auditor then finds broken.
     */
    @Test
    void theExportAndItsKeysAreForcedToDiskBeforeTheyAreMovedIntoPlaceAndTheirFoldersAfter() throws Exception {
        appendRecords(3);
        Path file = data.resolve("out/audit.jsonl").toAbsolutePath();
        Path keys = data.resolve("keys/audit-keys.pem").toAbsolutePath();
        List<String> steps = new java.util.ArrayList<>();
        Map<String, Long> forcedSizes = new java.util.HashMap<>();
        service.durability = new ProvenanceService.Durability() {
            @Override
            public void force(Path f) throws java.io.IOException {
                forcedSizes.put(f.getFileName().toString(), Files.size(f));
                steps.add("force " + f.getFileName() + placed());
                ProvenanceService.DISK.force(f);
            }

            @Override
            public void forceFolder(Path folder) {
                steps.add("force folder " + folder.getFileName() + placed());
                ProvenanceService.DISK.forceFolder(folder);
            }

            private String placed() {
                return " (export in place: " + Files.exists(file) + ", keys in place: " + Files.exists(keys) + ")";
            }
        };
        service.export(file, keys);
        assertThat(steps).containsExactly(
                "force audit.jsonl.partial (export in place: false, keys in place: false)",
                "force audit-keys.pem.partial (export in place: false, keys in place: false)",
                "force folder keys (export in place: false, keys in place: true)",
                "force folder out (export in place: true, keys in place: true)");
        assertThat(forcedSizes).as("each file forced whole").containsOnly(
                Map.entry("audit.jsonl.partial", Files.size(file)), Map.entry("audit-keys.pem.partial", Files.size(keys)));
    }

    /**
     * Two exports to one file at the same time each write a whole export, one after the other. They
     * wrote one {@code .partial} file together: here the second, started while the first had
     * written its file and not moved it yet, wrote over it and moved it into place, and the first
     * then failed, its file gone; started earlier, the two wrote a mix of both, which the first to
     * move it put under the name as the log's export.
     */
    @Test
    void twoExportsToOneFileAtOnceEachWriteAWholeExport() throws Exception {
        appendRecords(5);
        Path file = data.resolve("out/audit.jsonl");
        Path keys = data.resolve("out/audit-keys.pem");
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        service.durability = new ProvenanceService.Durability() {
            @Override
            public void force(Path f) throws java.io.IOException {
                if (first.getAndSet(false)) {
                    // the first export holds here, its file written and not moved yet
                    entered.countDown();
                    try {
                        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                ProvenanceService.DISK.force(f);
            }

            @Override
            public void forceFolder(Path folder) {
                ProvenanceService.DISK.forceFolder(folder);
            }
        };
        java.util.concurrent.FutureTask<AuditExport> one = new java.util.concurrent.FutureTask<>(() -> service.export(file, keys));
        java.util.concurrent.FutureTask<AuditExport> two = new java.util.concurrent.FutureTask<>(() -> service.export(file, keys));
        new Thread(one, "export-one").start();
        assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread second = new Thread(two, "export-two");
        second.start();
        // the second waits for the first to end, or (as before) runs to its end beside it
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (second.getState() != Thread.State.BLOCKED && second.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        release.countDown();
        AuditExport a = one.get(60, java.util.concurrent.TimeUnit.SECONDS);
        AuditExport b = two.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(a.records()).isEqualTo(b.records());
        ExportFile.Result offline = ExportFile.verify(file, AuditKeys.readPublicKeys(Files.readString(keys)), List.of());
        assertThat(offline.verification().holds()).as(offline.verification().summary()).isTrue();
        assertThat(offline.verification().records()).isEqualTo(b.records());
        try (var left = Files.list(data.resolve("out"))) {
            assertThat(left).containsExactlyInAnyOrder(file, keys);
        }
    }

    /**
     * A key file named as the file the export is written to aside first ({@code audit.jsonl.partial}),
     * or an export named as the key file's, is refused before anything is written. The keys were
     * moved onto the export's {@code .partial} file, which then went into place as the export: the
     * call said it had written the log and its keys, and the export held the keys, the key file
     * nothing.
     */
    @Test
    void aKeyFileNamedAsTheExportsPartialFileIsRefusedBeforeAnythingIsWritten() throws Exception {
        appendRecords(3);
        Path file = data.resolve("out/audit.jsonl");
        service.export(file, null);
        String earlier = Files.readString(file);
        Path keys = data.resolve("out/audit.jsonl.partial");
        assertThatThrownBy(() -> service.export(file, keys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the public key file " + keys.toAbsolutePath() + " is the export file " + file.toAbsolutePath() + " or a file one "
                        + "of them is written to aside first (its name and .partial); expected another file, nothing was written");
        Path exportAsKeys = data.resolve("out/audit-keys.pem.partial");
        assertThatThrownBy(() -> service.export(exportAsKeys, data.resolve("out/audit-keys.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("expected another file, nothing was written");
        assertThat(Files.readString(file)).as("the earlier export is kept").isEqualTo(earlier);
        try (var left = Files.list(data.resolve("out"))) {
            assertThat(left).containsExactly(file);
        }
    }

    /**
     * What is wrong with how a record is stored quotes what the database holds, and an export shows
     * it printable, as the verification does: the warning that a record's column was changed, and
     * the failure for a record that cannot be read, gave it as it was, so a line break or a bidi
     * control written into the database forged a line of the log or the message.
     */
    @Test
    void whatAnExportFindsWrongInTheDatabaseIsShownPrintable() throws Exception {
        appendRecords(10);
        try (Connection c = h2(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE provenance_record SET tenant = 't2' || CHAR(10) || 'INFO the chain holds' || CHAR(8238) WHERE seq = 8");
        }
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            service.export(data.resolve("out/audit.jsonl"), null);
            assertThat(log.text()).contains("WARN").contains("provenance record 8 is stored with tenant 't2\\u000aINFO the chain holds\\u202e'")
                    .doesNotContain("\nINFO the chain holds").doesNotContain("\u202e");
        }
        try (Connection c = h2(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE provenance_record SET subjects = '[\"t' || CHAR(27) || '[2J\"' WHERE seq = 9");
        }
        assertThatThrownBy(() -> service.export(data.resolve("out/audit.jsonl"), null))
                .isInstanceOf(dev.strata.platform.api.exception.StrataException.class)
                .hasMessageStartingWith("cannot export the provenance log: provenance record 9 cannot be read").hasMessageNotContaining("\u001b");
    }

    /**
     * A key file that cannot be moved into place (its name is held by a folder that is not empty)
     * fails the export naming the key file, and leaves the earlier export as it was, no
     * {@code .partial} behind. The key file was moved after the export: the new export stood under
     * its name, an earlier one replaced, while the call said the log could not be exported, and
     * without the keys that verify it.
     */
    @Test
    void aKeyFileThatCannotBeMovedIntoPlaceLeavesTheEarlierExportAsItWas() throws Exception {
        appendRecords(3);
        Path file = data.resolve("out/audit.jsonl");
        service.export(file, null);
        String earlier = Files.readString(file);
        appendRecords(2);
        Path keys = data.resolve("keys/audit-keys.pem");
        Files.createDirectories(keys);
        Files.writeString(keys.resolve("held"), "x");
        assertThatThrownBy(() -> service.export(file, keys)).isInstanceOf(dev.strata.platform.api.exception.StrataException.class)
                .hasMessageStartingWith("cannot write the public keys of the provenance log to " + keys.toAbsolutePath() + ": ")
                .hasMessageContaining("the export is not written either");
        assertThat(Files.readString(file)).as("the earlier export is kept").isEqualTo(earlier);
        try (var left = Files.list(data.resolve("out"))) {
            assertThat(left).containsExactly(file);
        }
        try (var left = Files.list(data.resolve("keys"))) {
            assertThat(left).containsExactly(keys);
        }
    }

    /**
     * A checked failure of the store is told with its text cleaned as every outside text is: it was
     * put into the message as the driver wrote it, so a URL's password, a line break or a bidi
     * control reached the log and the shell.
     */
    @Test
    void aCheckedFailureOfTheStoreIsToldCleaned() {
        java.util.concurrent.CompletableFuture<Object> failed = java.util.concurrent.CompletableFuture.failedFuture(
                new java.sql.SQLException("cannot reach jdbc:postgresql://strata:pw-0f3a9c@db:5432/strata\n\u202eINFO all records verified"));
        assertThatThrownBy(() -> ProvenanceService.join(failed)).isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                .hasMessageContaining("cannot reach jdbc:postgresql://" + ProviderText.MASK + "@db:5432/strata")
                .hasMessageNotContaining("pw-0f3a9c").hasMessageNotContaining("\n").hasMessageNotContaining("\u202e");
    }

    /**
     * A checkpoint round that fails (here the clock it reads throws) says so once as a warning, the
     * rounds after it do not repeat it, and once a round signs again the next failure is warned of
     * anew. Before, every failure
     * was logged at DEBUG: signing could stop for good without a word, the records after the last
     * checkpoint left unsigned.
     */
    @Test
    void checkpointsThatCannotBeSignedAreWarnedOfOnceAndTheirReturnIsTold() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        Clock clock = dev.strata.platform.testkit.SettableClock.byReading(Instant.now(), n -> {
            if (broken.get()) {
                throw new IllegalStateException("the clock cannot be read");
            }
            return Duration.ZERO;
        });
        ProvenanceService checked = new ProvenanceService(store, config(100), data, clock, false);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            broken.set(true);
            checked.checkpointSafely();
            checked.checkpointSafely();
            checked.checkpointSafely();
            String failing = log.text();
            assertThat(failing).contains("WARN").contains("A provenance checkpoint could not be signed: the clock cannot be read; the records "
                    + "after the last checkpoint stay unsigned until a later round succeeds");
            assertThat(failing.split("A provenance checkpoint could not be signed", -1)).as("the warning, once").hasSize(2);
            // signing again (told at INFO, which this module's tests do not log), a later failure is warned of anew
            broken.set(false);
            checked.checkpointSafely();
            checked.checkpointSafely();
            broken.set(true);
            checked.checkpointSafely();
            checked.checkpointSafely();
            assertThat(log.text().split("A provenance checkpoint could not be signed", -1)).as("a warning for each run of failures")
                    .hasSize(3);
        }
    }

    /**
     * A stop waits for the checkpoint the timer is signing. The timer was stopped with
     * {@code shutdownNow}, which returned at once: the checkpoint under way was interrupted mid-write,
     * or stored after the stop had returned (and the store it wrote to was closed).
     */
    @Test
    void aStopWaitsForTheCheckpointUnderWay() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                // the timer's first round, a checkpoint due (the key's record is after none), is held here until released
                if (Thread.currentThread().getName().equals("strata-provenance-checkpoints") && held.compareAndSet(false, true)) {
                    entered.countDown();
                    boolean interrupted = false;
                    while (release.getCount() > 0) {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Instant.now();
            }
        };
        ProvenanceConfig everyRecord = Converters.standardConverter().convert(Map.of("checkpointEvery", 1, "checkpointInterval", "1s"))
                .to(ProvenanceConfig.class);
        ProvenanceService timed = new ProvenanceService(store, everyRecord, data, clock, true);
        assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long head = store.provenance().head().seq();
        java.util.concurrent.atomic.AtomicReference<java.util.Optional<dev.strata.platform.audit.Checkpoint>> atReturn =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread stop = new Thread(() -> {
            timed.deactivate();
            atReturn.set(store.provenance().lastCheckpoint());
        }, "stop");
        stop.start();
        // the stop is waiting (for the timer), or, before, had returned already
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (stop.getState() != Thread.State.TIMED_WAITING && stop.getState() != Thread.State.TERMINATED && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        release.countDown();
        stop.join(30_000);
        assertThat(stop.isAlive()).isFalse();
        assertThat(atReturn.get()).as("the checkpoint stored when the stop returned").isPresent();
        assertThat(atReturn.get().get().seq()).isEqualTo(head);
    }

    /**
     * A store's write that fails with a checked exception (a driver's, naming its JDBC URL with the
     * password, a line break, an ESC and a direction override in its text) is answered with a
     * StateStoreException whose printed stack trace (the shell's with printStackTraces, a log's
     * with the throwable) holds neither the password nor a control character, its cause included,
     * while the cause keeps its class and stack trace. Before, the message was cleaned but the
     * driver's exception was chained as it was, and the trace printed its text raw.
     */
    @Test
    void aCheckedStoreFailureIsChainedCleanedSoItsPrintedTraceHoldsNoPasswordNorControlCharacter() {
        String password = "S3cret-" + java.util.UUID.randomUUID();
        java.sql.SQLException driver = new java.sql.SQLException("cannot connect to jdbc:postgresql://strata:" + password
                + "@db:5432/strata\n2026-12-07 12:00:00 INFO [main] forged\u001b[2J\u202e");
        assertThatThrownBy(() -> ProvenanceService.join(java.util.concurrent.CompletableFuture.failedFuture(driver)))
                .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class).satisfies(e -> {
                    java.io.StringWriter printed = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(printed));
                    assertThat(printed.toString()).contains("Caused by: java.sql.SQLException: cannot connect to jdbc:postgresql://****@db")
                            .doesNotContain(password).doesNotContain("\n2026-12-07 12:00:00 INFO [main] forged")
                            .doesNotContain("\u001b").doesNotContain("\u202e");
                    assertThat(e.getCause().getStackTrace()).as("the cause's stack trace, kept for debugging").isEqualTo(driver.getStackTrace());
                });
    }
}
