package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampering with a log of 300 records (checkpoints every 25, a last checkpoint at the end), at
 * every position: each change is detected and the verifier names the first record that fails.
 */
class TamperTest {

    static final int RECORDS = 300;
    static final int EVERY = 25;
    static final String LOG = "5b7d0c2e-5b1e-4c55-9d1c-3f7f0e0a1b2c";
    static KeyPair key;
    static KeyPair otherKey;
    static List<LogRecord> records;

    @BeforeAll
    static void buildLog() {
        key = AuditKeys.generate();
        otherKey = AuditKeys.generate();
        records = chain(LOG, RECORDS, 0);
    }

    static List<LogRecord> chain(String log, int n, long salt) {
        List<LogRecord> out = new ArrayList<>();
        String prev = Hashes.genesis(log);
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        String[] kinds = {"placement", "release", "configuration", "provider-state", "swap"};
        for (int i = 1; i <= n; i++) {
            Map<String, String> subjects = new LinkedHashMap<>();
            subjects.put("tenant", "tenant-" + (i % 7));
            subjects.put("contract", "contract-" + (i % 11));
            if (i % 3 == 0) {
                subjects.put("allocation", String.format("a-%06d", i));
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("inventoryGeneration", 40 + i + salt);
            payload.put("evidence", List.of("sovereignty.countries: site fra-1 country=DE in [DE, FR]", "gpus: 8x H100"));
            payload.put("rejections", Map.of("country US not in [DE, FR]", 32, "no GPUs", i % 9));
            payload.put("share", i / 8.0);
            LogRecord r = LogRecord.seal(i, LogRecord.formatTime(t.plusMillis(i * 1234L)), kinds[i % kinds.length], i % 2 == 0 ? "karaf" : "system",
                    subjects, payload, prev);
            out.add(r);
            prev = r.hash();
        }
        return out;
    }

    /** The log as the entries of an export: records, a checkpoint after every 25th, the last checkpoint. */
    static final Map<KeyPair, List<Object>> SIGNED = new java.util.HashMap<>();

    static List<Object> entries(List<LogRecord> rs, KeyPair signer) {
        if (rs == records) {
            return new ArrayList<>(SIGNED.computeIfAbsent(signer, k -> sign(rs, k)));
        }
        return sign(rs, signer);
    }

    static List<Object> sign(List<LogRecord> rs, KeyPair signer) {
        List<Object> entries = new ArrayList<>();
        for (LogRecord r : rs) {
            entries.add(r);
            if (r.seq() % EVERY == 0 && r.seq() != rs.size()) {
                entries.add(Checkpoint.sign(LOG, r.seq(), r.hash(), r.time(), false, signer.getPrivate(), signer.getPublic()));
            }
        }
        LogRecord last = rs.get(rs.size() - 1);
        entries.add(Checkpoint.sign(LOG, last.seq(), last.hash(), "2026-11-28T00:00:00.000Z", true, signer.getPrivate(), signer.getPublic()));
        return entries;
    }

    static Verification verify(List<Object> entries) {
        return verify(entries, List.of());
    }

    static Verification verify(List<Object> entries, List<Checkpoint> anchors) {
        ChainVerifier v = new ChainVerifier(LOG, List.of(key.getPublic()), anchors);
        int line = 1;
        for (Object e : entries) {
            line++;
            boolean ok = e instanceof LogRecord r ? v.record(r, "line " + line) : v.checkpoint((Checkpoint) e, "line " + line);
            if (!ok) {
                break;
            }
        }
        return v.finish(true);
    }

    static int indexOf(List<Object> entries, long seq) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) instanceof LogRecord r && r.seq() == seq) {
                return i;
            }
        }
        throw new AssertionError("no record " + seq);
    }

    @Test
    void untouchedLogHolds() {
        Verification v = verify(entries(records, key));
        assertThat(v.holds()).as(v.summary()).isTrue();
        assertThat(v.records()).isEqualTo(RECORDS);
        assertThat(v.signedThrough()).isEqualTo(RECORDS);
        assertThat(v.checkpoints()).isEqualTo(RECORDS / EVERY);
        assertThat(v.kinds()).containsEntry("placement", 60L);
    }

    @Test
    void everyFieldOfEveryRecordModified() {
        List<UnaryOperator<LogRecord>> changes = List.of(
                r -> new LogRecord(r.seq() + 1, r.time(), r.kind(), r.actor(), r.subjects(), r.payload(), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time().replace("2026", "2025"), r.kind(), r.actor(), r.subjects(), r.payload(), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind() + "x", r.actor(), r.subjects(), r.payload(), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), "mallory", r.subjects(), r.payload(), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), with(r.subjects(), "tenant", "other"), r.payload(), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), with(r.subjects(), "deployment", "d-1"), r.payload(), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(), withP(r.payload(), "inventoryGeneration", 1), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(), withP(r.payload(), "evidence", List.of()), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(), withP(r.payload(), "share", 0.5000001), r.prev(), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(), r.payload(), flip(r.prev()), r.hash()),
                r -> new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(), r.payload(), r.prev(), flip(r.hash())));
        int cases = 0;
        for (int i = 1; i <= RECORDS; i++) {
            for (int c = 0; c < changes.size(); c++) {
                List<Object> entries = entries(records, key);
                int at = indexOf(entries, i);
                entries.set(at, changes.get(c).apply((LogRecord) entries.get(at)));
                Verification v = verify(entries);
                assertThat(v.holds()).as("change %d of record %d", c, i).isFalse();
                assertThat(v.failedSeq()).as("change %d of record %d: %s", c, i, v.failure()).isEqualTo(i);
                assertThat(v.failedAt()).isEqualTo("line " + (at + 2));
                cases++;
            }
        }
        assertThat(cases).isEqualTo(RECORDS * 11);
    }

    @Test
    void everyRecordDeleted() {
        for (int i = 1; i <= RECORDS; i++) {
            List<Object> entries = entries(records, key);
            entries.remove(indexOf(entries, i));
            Verification v = verify(entries);
            assertThat(v.holds()).isFalse();
            assertThat(v.failedSeq()).as("deleted %d: %s", i, v.failure()).isEqualTo(i);
        }
    }

    @Test
    void aCopyInsertedAtEveryPosition() {
        Random random = new Random(7);
        for (int i = 1; i <= RECORDS; i++) {
            List<Object> entries = entries(records, key);
            LogRecord copy = records.get(random.nextInt(RECORDS));
            entries.add(indexOf(entries, i), copy);
            Verification v = verify(entries);
            assertThat(v.holds()).isFalse();
            // the copy is named where it stands (unless it is a copy of the record that belongs there: then the original, next)
            assertThat(v.failedSeq()).as("inserted before %d: %s", i, v.failure()).isEqualTo(copy.seq() == i ? i + 1 : i);
        }
    }

    @Test
    void aForgedWellLinkedRecordInsertedAtEveryPosition() {
        for (int i = 1; i <= RECORDS; i++) {
            List<Object> entries = entries(records, key);
            String prev = i == 1 ? Hashes.genesis(LOG) : records.get(i - 2).hash();
            LogRecord forged = LogRecord.seal(i, records.get(i - 1).time(), "placement", "mallory", Map.of("tenant", "t"), Map.of(), prev);
            entries.add(indexOf(entries, i), forged);
            Verification v = verify(entries);
            assertThat(v.holds()).isFalse();
            // the forgery is consistent with what precedes it: the chain breaks at the genuine record it displaced
            assertThat(v.failedSeq()).as("forged before %d: %s", i, v.failure()).isEqualTo(i + 1);
            assertThat(v.failure()).contains("found record " + i + " where record " + (i + 1) + " belongs");
        }
    }

    @Test
    void everyTwoNeighboursSwappedAndRandomPairs() {
        Random random = new Random(11);
        for (int i = 1; i < RECORDS + 60; i++) {
            int a = i < RECORDS ? i : 1 + random.nextInt(RECORDS - 1);
            int b = i < RECORDS ? i + 1 : a + 1 + random.nextInt(RECORDS - a);
            List<Object> entries = entries(records, key);
            int ia = indexOf(entries, a);
            int ib = indexOf(entries, b);
            Object x = entries.get(ia);
            entries.set(ia, entries.get(ib));
            entries.set(ib, x);
            Verification v = verify(entries);
            assertThat(v.holds()).isFalse();
            assertThat(v.failedSeq()).as("swapped %d and %d: %s", a, b, v.failure()).isEqualTo(a);
        }
    }

    @Test
    void truncatedAfterEveryCheckpoint() {
        for (int c = EVERY; c < RECORDS; c += EVERY) {
            List<Object> entries = entries(records, key);
            List<Object> cut = new ArrayList<>(entries.subList(0, indexOf(entries, c) + 2)); // up to and with checkpoint c
            assertThat(cut.get(cut.size() - 1)).isInstanceOf(Checkpoint.class);
            Verification v = verify(cut);
            assertThat(v.holds()).isFalse();
            assertThat(v.failedSeq()).as(v.failure()).isEqualTo(c + 1);
            assertThat(v.failure()).contains("without its signed last checkpoint");

            // the same cut, with the last checkpoint kept at the end: it covers records that are gone
            cut.add(entries.get(entries.size() - 1));
            v = verify(cut);
            assertThat(v.failedSeq()).as(v.failure()).isEqualTo(c + 1);
            assertThat(v.failure()).contains("records " + (c + 1) + ".." + RECORDS + " are missing");

            // a log (in a store, say) cut after checkpoint c with every later checkpoint gone: an anchor kept
            // by the auditor still shows it
            Checkpoint anchor = (Checkpoint) entries.get(entries.size() - 1);
            ChainVerifier vv = new ChainVerifier(LOG, List.of(key.getPublic()), List.of(anchor));
            for (Object e : cut.subList(0, cut.size() - 1)) {
                if (e instanceof LogRecord r) {
                    vv.record(r, "r");
                } else {
                    vv.checkpoint((Checkpoint) e, "c");
                }
            }
            v = vv.finish(false);
            assertThat(v.holds()).isFalse();
            assertThat(v.failedSeq()).isEqualTo(c + 1);
            assertThat(v.failure()).contains("the log was truncated");
        }
    }

    @Test
    void keySwapped() {
        // verified with another key: the first checkpoint fails, naming the key
        ChainVerifier v = new ChainVerifier(LOG, List.of(otherKey.getPublic()), List.of());
        for (Object e : entries(records, key)) {
            if (!(e instanceof LogRecord r ? v.record(r, "x") : v.checkpoint((Checkpoint) e, "x"))) {
                break;
            }
        }
        Verification out = v.finish(true);
        assertThat(out.failedSeq()).isEqualTo(EVERY);
        assertThat(out.failure()).contains("names key " + AuditKeys.keyId(key.getPublic())).contains("not a trusted key");

        // every checkpoint re-signed by someone else: the first one fails
        out = verify(entries(records, otherKey));
        assertThat(out.failedSeq()).isEqualTo(EVERY);
        assertThat(out.failure()).contains("not a trusted key");

        // re-signed with another key under the genuine key's id: the signature does not verify
        List<Object> forged = new ArrayList<>();
        for (Object e : entries(records, key)) {
            if (e instanceof Checkpoint c) {
                Checkpoint resigned = Checkpoint.sign(c.log(), c.seq(), c.hash(), c.time(), c.last(), otherKey.getPrivate(), otherKey.getPublic());
                e = new Checkpoint(c.log(), c.seq(), c.hash(), c.time(), c.keyId(), c.last(), resigned.signature());
            }
            forged.add(e);
        }
        out = verify(forged);
        assertThat(out.failedSeq()).isEqualTo(EVERY);
        assertThat(out.failure()).contains("does not verify");
    }

    /**
     * A checkpoint whose hash was edited, or one signed by a key not trusted that names another
     * hash, says nothing about the records before it: the failure names the checkpoint (its
     * signature, its key), not the records. Before, the hash was compared first, and the verifier
     * reported the genuine records as "rewritten after it was signed".
     */
    @Test
    void anEditedOrUntrustedCheckpointIsNamedNotTheRecordsItCovers() {
        List<Object> entries = entries(records, key);
        int at = indexOf(entries, EVERY) + 1;
        Checkpoint c = (Checkpoint) entries.get(at);
        String otherHash = records.get(EVERY - 2).hash();
        entries.set(at, new Checkpoint(c.log(), c.seq(), otherHash, c.time(), c.keyId(), c.last(), c.signature()));
        Verification edited = verify(entries);
        assertThat(edited.failedSeq()).isEqualTo(EVERY);
        assertThat(edited.failure()).isEqualTo("the signature of the checkpoint for record " + EVERY + " does not verify with key "
                + AuditKeys.keyId(key.getPublic()));

        entries.set(at, Checkpoint.sign(LOG, c.seq(), otherHash, c.time(), false, otherKey.getPrivate(), otherKey.getPublic()));
        Verification untrusted = verify(entries);
        assertThat(untrusted.failedSeq()).isEqualTo(EVERY);
        assertThat(untrusted.failure()).startsWith("the checkpoint for record " + EVERY + " names key " + AuditKeys.keyId(otherKey.getPublic())
                + ", which is not a trusted key");

        // signed by the trusted key over another hash: the records were rewritten after it was signed
        entries.set(at, Checkpoint.sign(LOG, c.seq(), otherHash, c.time(), false, key.getPrivate(), key.getPublic()));
        assertThat(verify(entries).failure()).contains("records 1.." + EVERY + " were rewritten after it was signed");
    }

    @Test
    void aRewrittenChainIsCaughtByTheNextCheckpoint() {
        for (int i = 1; i <= RECORDS; i += 7) {
            List<LogRecord> rewritten = new ArrayList<>(records.subList(0, i - 1));
            String prev = i == 1 ? Hashes.genesis(LOG) : records.get(i - 2).hash();
            for (LogRecord r : records.subList(i - 1, RECORDS)) {
                LogRecord n = LogRecord.seal(r.seq(), r.time(), r.kind(), r.seq() == i ? "mallory" : r.actor(), r.subjects(), r.payload(), prev);
                rewritten.add(n);
                prev = n.hash();
            }
            // genuine checkpoints, rewritten records
            List<Object> genuine = entries(records, key);
            List<Object> entries = new ArrayList<>();
            int k = 0;
            for (Object e : genuine) {
                entries.add(e instanceof LogRecord ? rewritten.get(k++) : e);
            }
            Verification v = verify(entries);
            int covering = Math.min(RECORDS, ((i + EVERY - 1) / EVERY) * EVERY);
            assertThat(v.holds()).isFalse();
            assertThat(v.failedSeq()).as(v.failure()).isEqualTo(covering);
            assertThat(v.failure()).contains("records " + (covering - EVERY + 1 > 0 ? (covering == RECORDS ? RECORDS - EVERY + 1 : covering - EVERY + 1) : 1)
                    + ".." + covering + " were rewritten");
        }
    }

    @Test
    void exportFileRoundTripAndOfflineVerifierExitCodes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (ExportFile.Writer w = new ExportFile.Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                new ExportFile.Header(ExportFile.FORMAT, LOG, "2026-11-28T00:00:00.000Z", "strata-a"))) {
            for (Object e : entries(records, key)) {
                if (e instanceof LogRecord r) {
                    w.record(r);
                } else {
                    w.checkpoint((Checkpoint) e);
                }
            }
        }
        Path pub = dir.resolve("key.pem");
        Files.writeString(pub, AuditKeys.publicPem(key.getPublic()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int rc = AuditVerifyMain.run(new String[] {file.toString(), "--key", pub.toString()}, new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true));
        assertThat(rc).as(out + " " + err).isZero();
        assertThat(out.toString()).contains("RESULT: the chain holds").contains("records         300 (1..300)")
                .contains("signed through record 300 by key " + AuditKeys.keyId(key.getPublic()));

        // one character of one record changed in the file
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(120, lines.get(120).replace("\"actor\":\"karaf\"", "\"actor\":\"karaF\"").replace("\"actor\":\"system\"", "\"actor\":\"systeM\""));
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, lines);
        out.reset();
        rc = AuditVerifyMain.run(new String[] {bad.toString(), "--key", pub.toString()}, new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true));
        assertThat(rc).isEqualTo(1);
        assertThat(out.toString()).contains("RESULT: FAILED at line 121");

        // a line that is not JSON, and no key
        Files.write(bad, List.of(lines.get(0), "{\"record\":"));
        out.reset();
        rc = AuditVerifyMain.run(new String[] {bad.toString(), "--key", pub.toString()}, new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true));
        assertThat(rc).isEqualTo(1);
        assertThat(out.toString()).contains("FAILED at line 2").contains("malformed JSON");
        assertThat(AuditVerifyMain.run(new String[] {file.toString()}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)))
                .isEqualTo(2);
        Files.writeString(pub, "not a key");
        assertThat(AuditVerifyMain.run(new String[] {file.toString(), "--key", pub.toString()}, new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("no '-----BEGIN PUBLIC KEY-----' block found");
    }

    /** Writes the entries as an export file, as Strata does. */
    static Path export(Path file, List<Object> entries) throws java.io.IOException {
        return export(file, entries, "strata-a");
    }

    /** Writes the entries as an export file, as Strata does, its header naming {@code exportedBy} as the instance. */
    static Path export(Path file, List<Object> entries, String exportedBy) throws java.io.IOException {
        try (ExportFile.Writer w = new ExportFile.Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                new ExportFile.Header(ExportFile.FORMAT, LOG, "2026-11-28T00:00:00.000Z", exportedBy))) {
            for (Object e : entries) {
                if (e instanceof LogRecord r) {
                    w.record(r);
                } else {
                    w.checkpoint((Checkpoint) e);
                }
            }
        }
        return file;
    }

    /** What the offline verifier prints and returns for a file, with the genuine key. */
    record Run(int rc, String out, String err) {
        String result() {
            return out.lines().filter(l -> l.startsWith("RESULT: ")).reduce((a, b) -> b).orElse("(no RESULT line)");
        }
    }

    static Run offline(Path file, String... more) throws java.io.IOException {
        Path pub = file.resolveSibling("trusted-key.pem");
        Files.writeString(pub, AuditKeys.publicPem(key.getPublic()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of(file.toString(), "--key", pub.toString()));
        args.addAll(List.of(more));
        int rc = AuditVerifyMain.run(args.toArray(String[]::new), new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The export's lines, edited. */
    static Path edited(Path dir, String name, UnaryOperator<List<String>> edit) throws java.io.IOException {
        Path genuine = dir.resolve("genuine.jsonl");
        if (!Files.exists(genuine)) {
            export(genuine, entries(records, key));
        }
        return Files.write(dir.resolve(name), edit.apply(new ArrayList<>(Files.readAllLines(genuine, StandardCharsets.UTF_8))));
    }

    /** Whether the text holds anything a terminal acts on, or that reorders what it shows. */
    static boolean actsOnATerminal(String text) {
        return text.chars().anyMatch(c -> c != '\n' && (Character.getType(c) == Character.CONTROL || Character.getType(c) == Character.FORMAT
                || c == '\u2028' || c == '\u2029'));
    }

    /**
     * Text from the file (a checkpoint's key id, the header's instance, a member name) reaches the
     * report; a hostile file must not be able to print a terminal sequence that hides the verdict,
     * such as a carriage return and {@code RESULT: the chain holds} over {@code RESULT: FAILED}.
     */
    @Test
    void textFromTheFileCannotRewriteTheVerdictOnATerminal(@TempDir Path dir) throws Exception {
        String lie = "\\r\\u001b[2KRESULT: the chain holds\\u001b[8m\\u202e";
        int firstCheckpoint = indexOf(entries(records, key), EVERY) + 2; // 0-based line of the checkpoint after record 25
        Path keyId = edited(dir, "key-id.jsonl", l -> {
            l.set(firstCheckpoint, l.get(firstCheckpoint).replaceFirst("\"keyId\":\"[0-9a-f]+\"", java.util.regex.Matcher.quoteReplacement("\"keyId\":\"" + lie + "\"")));
            return l;
        });
        Path header = edited(dir, "header.jsonl", l -> {
            l.set(0, l.get(0).replace("\"exportedBy\":\"strata-a\"", "\"exportedBy\":\"" + lie + "\""));
            return l;
        });
        Path member = edited(dir, "member.jsonl", l -> {
            l.set(3, l.get(3).replace("{\"record\":{", "{\"record\":{\"" + lie + "\":1,"));
            return l;
        });
        for (Path file : List.of(keyId, header, member)) {
            Run run = offline(file);
            assertThat(run.out()).as(file.getFileName().toString()).contains("\\u001b[2K");
            assertThat(actsOnATerminal(run.out())).as("%s: %s", file.getFileName(), run.out()).isFalse();
            assertThat(run.out().lines().filter(line -> line.startsWith("RESULT: "))).as(run.out()).hasSize(1);
        }
        assertThat(offline(keyId).rc()).isEqualTo(1);
        assertThat(offline(keyId).result()).startsWith("RESULT: FAILED at line " + (firstCheckpoint + 1));
        assertThat(offline(member).result()).startsWith("RESULT: FAILED at line 4").contains("unknown field");
        assertThat(offline(header).rc()).isZero(); // the header is informational: the chain is intact
    }

    /**
     * What happens to a file on its way to an auditor, and input made to break the verifier: line
     * ends and a byte order mark carry nothing and are accepted; anything else fails with a
     * message naming the line, and never escapes as an exception.
     */
    @Test
    void transportArtefactsAndHostileInput(@TempDir Path dir) throws Exception {
        Path genuine = edited(dir, "same.jsonl", l -> l);
        byte[] bytes = Files.readAllBytes(genuine);
        String text = new String(bytes, StandardCharsets.UTF_8);

        Run crlf = offline(Files.writeString(dir.resolve("crlf.jsonl"), text.replace("\n", "\r\n")));
        assertThat(crlf.rc()).as(crlf.out()).isZero();
        Run bom = offline(Files.writeString(dir.resolve("bom.jsonl"), "\uFEFF" + text));
        assertThat(bom.rc()).as(bom.out()).isZero();
        assertThat(bom.out()).contains("records         300 (1..300)");

        // one byte of record 3's line (the file's line 4) replaced by one UTF-8 never holds
        int at = text.indexOf('\n', text.indexOf('\n', text.indexOf('\n', text.indexOf('\n') + 1) + 1) + 1) - 5;
        byte[] notUtf8 = bytes.clone();
        notUtf8[at] = (byte) 0xff;
        Run binary = offline(Files.write(dir.resolve("binary.jsonl"), notUtf8));
        assertThat(binary.rc()).as(binary.out() + binary.err()).isEqualTo(1);
        // which record the line held cannot be read: it is named by its line and the record before it
        assertThat(binary.result()).startsWith("RESULT: FAILED at line 4, after record 2: the line is not UTF-8 text");
        byte[] badHeader = bytes.clone();
        badHeader[3] = (byte) 0xc3;
        badHeader[4] = (byte) 0x28;
        assertThat(offline(Files.write(dir.resolve("binary-header.jsonl"), badHeader)).result())
                .startsWith("RESULT: FAILED at line 1: the line is not UTF-8 text");

        Run header = offline(edited(dir, "header-types.jsonl", l -> {
            l.set(0, l.get(0).replace("\"exportedAt\":\"2026-11-28T00:00:00.000Z\"", "\"exportedAt\":1"));
            return l;
        }));
        assertThat(header.rc()).as(header.out() + header.err()).isEqualTo(1);
        assertThat(header.result()).contains("FAILED at line 1").contains("field 'exportedAt' is a number; expected a string");

        Run empty = offline(Files.write(dir.resolve("empty.jsonl"), new byte[0]));
        assertThat(empty.rc()).isEqualTo(1);
        assertThat(empty.result()).contains("the file is empty");

        Run garbage = offline(edited(dir, "garbage.jsonl", l -> {
            l.add("}{");
            return l;
        }));
        assertThat(garbage.rc()).isEqualTo(1);
        assertThat(garbage.result()).startsWith("RESULT: FAILED at line " + (entries(records, key).size() + 2)).contains("malformed JSON");

        Run nested = offline(edited(dir, "nested.jsonl", l -> {
            l.set(1, "{\"record\":" + "[".repeat(1_000_000));
            return l;
        }));
        assertThat(nested.rc()).isEqualTo(1);
        assertThat(nested.result()).contains("at most 512 levels of nesting");

        // a line without end: refused once it passes the limit, before it exhausts memory
        Path endless = dir.resolve("endless.jsonl");
        try (java.io.OutputStream out = Files.newOutputStream(endless)) {
            out.write(bytes, 0, text.indexOf('\n') + 1);
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i <= ExportFile.MAX_LINE >> 20; i++) {
                out.write(spaces);
            }
        }
        assertThat(offline(endless).result()).startsWith("RESULT: FAILED at line 2: the line is longer than " + (ExportFile.MAX_LINE >> 20) + " MiB");
    }

    /**
     * A blank line, or one of only whitespace (a tab, a no-break space, an ideographic space):
     * Strata writes none, so the file was edited after export. Such lines were skipped, and the
     * file reported as intact. The newline that ends the last line is not a blank line.
     */
    @Test
    void aBlankLineFailsNamingItsLine(@TempDir Path dir) throws Exception {
        for (String blank : List.of("", "   ", "\t", "\u00a0", "\u3000 \u2003", "\r")) {
            Run inside = offline(edited(dir, "inside.jsonl", l -> {
                l.add(4, blank);
                return l;
            }));
            assertThat(inside.rc()).as("'%s': %s", blank, inside.out()).isEqualTo(1);
            assertThat(inside.result()).as("'%s'", blank).isEqualTo("RESULT: FAILED at line 5, after record 3: the line is blank "
                    + "(it holds only whitespace); Strata writes no blank lines, so the file was edited after export");
            assertThat(inside.out()).contains("records         3 (1..3)");

            Run atEnd = offline(edited(dir, "at-end.jsonl", l -> {
                l.add(blank);
                return l;
            }));
            assertThat(atEnd.rc()).as("'%s': %s", blank, atEnd.out()).isEqualTo(1);
            assertThat(atEnd.result()).as("'%s'", blank).startsWith("RESULT: FAILED at line " + (entries(records, key).size() + 2)
                    + ", after record " + RECORDS + ": the line is blank");
        }
        Path genuine = edited(dir, "same.jsonl", l -> l);
        String text = Files.readString(genuine, StandardCharsets.UTF_8);
        assertThat(text).endsWith("}\n").doesNotContain("\n\n");
        assertThat(offline(genuine).rc()).isZero();
        Path unended = Files.writeString(dir.resolve("unended.jsonl"), text.substring(0, text.length() - 1));
        assertThat(offline(unended).rc()).isZero();
        Path blankFirst = Files.writeString(dir.resolve("blank-first.jsonl"), "\n" + text);
        assertThat(offline(blankFirst).result()).startsWith("RESULT: FAILED at line 1: the first line is blank");
    }

    /**
     * Lines edited so that their values read the same: the hash and the signature cover values, so
     * only the export's canonical form shows the edit, and an auditor reading the file would
     * otherwise see a number other than the one signed.
     */
    @Test
    void aLineEditedWithoutChangingItsValues(@TempDir Path dir) throws Exception {
        // record 3: "share":0.375 and "inventoryGeneration":43
        Map<String, UnaryOperator<String>> edits = new LinkedHashMap<>();
        edits.put("a digit past double precision", l -> l.replace("\"share\":0.375", "\"share\":0.37500000000000001"));
        edits.put("an integer as a decimal", l -> l.replace("\"inventoryGeneration\":43", "\"inventoryGeneration\":43.0"));
        edits.put("an exponent", l -> l.replace("\"inventoryGeneration\":43", "\"inventoryGeneration\":4.3e1"));
        edits.put("whitespace", l -> l.replace("\"actor\":", "\"actor\": "));
        edits.put("an escape", l -> l.replace("\"actor\":\"system\"", "\"actor\":\"\\u0073ystem\""));
        edits.put("member order", l -> l.replaceFirst("^\\{\"record\":\\{(\"actor\":\"[a-z]+\"),(\"hash\":\"[0-9a-f]+\")",
                "{\"record\":{$2,$1"));
        for (Map.Entry<String, UnaryOperator<String>> e : edits.entrySet()) {
            Path file = edited(dir, "edit.jsonl", l -> {
                String before = l.get(3);
                l.set(3, e.getValue().apply(before));
                assertThat(l.get(3)).as(e.getKey()).isNotEqualTo(before);
                return l;
            });
            Run run = offline(file);
            assertThat(run.rc()).as(e.getKey() + ": " + run.out()).isEqualTo(1);
            assertThat(run.result()).as(e.getKey()).startsWith("RESULT: FAILED at line 4 (record 3): the line is not in RFC 8785 canonical form");
        }

        // a checkpoint line: the signature covers its values
        int checkpoint = indexOf(entries(records, key), EVERY) + 1;
        Run run = offline(edited(dir, "checkpoint.jsonl", l -> {
            l.set(checkpoint + 1, l.get(checkpoint + 1).replace("\"seq\":" + EVERY, "\"seq\":" + EVERY + ".0"));
            return l;
        }));
        assertThat(run.result()).startsWith("RESULT: FAILED at line " + (checkpoint + 2) + " (record " + EVERY + "): the line is not in RFC 8785");

        // a value changed as well: that is what is reported
        run = offline(edited(dir, "both.jsonl", l -> {
            l.set(3, l.get(3).replace("\"share\":0.375", "\"share\": 0.5"));
            return l;
        }));
        assertThat(run.result()).startsWith("RESULT: FAILED at line 4 (record 3): record 3 does not match its hash");
    }

    /**
     * Genuine checkpoints where they do not belong: another log's, one moved, and an earlier
     * export's last checkpoint closing a later export cut short. The last is the earlier export
     * itself as far as anything signed can tell, so the report must say how old it is (the time
     * its last checkpoint was signed, not the header's), and an anchor from the later export shows
     * the cut.
     */
    @Test
    void aCheckpointReplayedFromAnotherLogOrPosition(@TempDir Path dir) throws Exception {
        List<Object> entries = entries(records, key);
        int at25 = indexOf(entries, EVERY) + 1;
        Checkpoint genuine = (Checkpoint) entries.get(at25);
        entries.set(at25, Checkpoint.sign("another-log", genuine.seq(), genuine.hash(), genuine.time(), false, key.getPrivate(), key.getPublic()));
        Verification v = verify(entries);
        assertThat(v.failedSeq()).isEqualTo(EVERY);
        assertThat(v.failure()).contains("belongs to log another-log, not " + LOG);

        entries = entries(records, key);
        entries.set(indexOf(entries, 3 * EVERY) + 1, entries.get(indexOf(entries, 2 * EVERY) + 1));
        v = verify(entries);
        assertThat(v.failedSeq()).isEqualTo(2 * EVERY);
        assertThat(v.failure()).contains("the checkpoint for record " + 2 * EVERY + " stands after record " + 3 * EVERY + ", out of place");

        // a checkpoint copied: counted twice, it would claim more signatures than the log has
        entries = entries(records, key);
        entries.add(indexOf(entries, 2 * EVERY) + 2, entries.get(indexOf(entries, 2 * EVERY) + 1));
        v = verify(entries);
        assertThat(v.holds()).as("%d checkpoints", v.checkpoints()).isFalse();
        assertThat(v.failedSeq()).isEqualTo(2 * EVERY);
        assertThat(v.failure()).contains("a second checkpoint for record " + 2 * EVERY);

        // the export of 300 records cut after record 100 and its checkpoint, closed by the last checkpoint of an export made at 100
        LogRecord r100 = records.get(99);
        Checkpoint earlierLast = Checkpoint.sign(LOG, 100, r100.hash(), "2026-11-27T12:00:00.000Z", true, key.getPrivate(), key.getPublic());
        entries = entries(records, key);
        List<Object> cut = new ArrayList<>(entries.subList(0, indexOf(entries, 100) + 2));
        cut.add(earlierLast);
        Path file = export(dir.resolve("replayed.jsonl"), cut);
        Run run = offline(file);
        assertThat(run.rc()).as(run.out()).isZero();
        assertThat(run.out()).contains("records         100 (1..100)")
                .contains("complete as of  \"2026-11-27T12:00:00.000Z\", when its last checkpoint was signed")
                .contains("its header (not signed) says exported \"2026-11-28T00:00:00.000Z\"");
        Checkpoint laterLast = (Checkpoint) entries.get(entries.size() - 1);
        Path anchors = Files.writeString(dir.resolve("kept.jsonl"), Jcs.canonicalize(Map.of("checkpoint", laterLast.toJson())) + "\n");
        run = offline(file, "--anchor", anchors.toString());
        assertThat(run.rc()).isEqualTo(1);
        assertThat(run.result()).contains("records 101..300 are missing (the log was truncated)");
    }

    /**
     * A file of huge lines, verified by the jar as an auditor runs it, in a JVM with a small heap:
     * the reader hands workers chunks of 2,048 lines, and 80 lines of half a MiB each were read
     * whole into one chunk (40 MiB) before any was parsed. The verdict must come, not an
     * OutOfMemoryError. One processor: one worker, two chunks in flight, whatever the machine.
     */
    @Test
    void aFileOfHugeLinesIsReadInBoundedMemory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("huge.jsonl");
        try (java.io.BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(Files.readAllLines(edited(dir, "same.jsonl", l -> l), StandardCharsets.UTF_8).get(0));
            w.write('\n');
            String huge = "{\"record\":\"" + "x".repeat(512 << 10) + "\"}\n";
            for (int i = 0; i < 80; i++) {
                w.write(huge);
            }
        }
        Path pub = Files.writeString(dir.resolve("key.pem"), AuditKeys.publicPem(key.getPublic()));
        String classes = Path.of(AuditVerifyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:ActiveProcessorCount=1", "-cp", classes,
                AuditVerifyMain.class.getName(), file.toString(), "--key", pub.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(1);
        assertThat(out).doesNotContain("OutOfMemoryError")
                .contains("RESULT: FAILED at line 2 (record 1): expected a {\"record\":...} or {\"checkpoint\":...} line");
    }

    /**
     * Well-chained records (anyone can chain records; only a checkpoint needs the key) whose
     * payloads are long arrays of numbers, verified by the jar in a JVM with a small heap: the
     * records parsed ahead were kept whole, payload included, until checked in order, a tree of
     * boxed numbers ten times the size of its text, and the verifier ran out of memory (a stack
     * trace, no verdict) before it reached the end, where the missing checkpoint fails the file.
     */
    @Test
    void recordsWithLargePayloadsAreVerifiedInBoundedMemory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payloads.jsonl");
        int n = 40;
        List<Integer> zeros = java.util.Collections.nCopies(200_000, 0);
        try (ExportFile.Writer w = new ExportFile.Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                new ExportFile.Header(ExportFile.FORMAT, LOG, "2026-11-28T00:00:00.000Z", "strata-a"))) {
            String prev = Hashes.genesis(LOG);
            for (int i = 1; i <= n; i++) {
                LogRecord r = LogRecord.seal(i, "2026-11-27T10:00:00.000Z", "placement", "system", Map.of(), Map.of("load", zeros), prev);
                w.record(r);
                prev = r.hash();
            }
        }
        Path pub = Files.writeString(dir.resolve("key.pem"), AuditKeys.publicPem(key.getPublic()));
        String classes = Path.of(AuditVerifyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:ActiveProcessorCount=1", "-cp", classes,
                AuditVerifyMain.class.getName(), file.toString(), "--key", pub.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(1);
        assertThat(out).doesNotContain("OutOfMemoryError")
                .contains("records         " + n + " (1.." + n + ")")
                .contains("RESULT: FAILED at end of file (record " + (n + 1) + "): the export ends after record " + n
                        + " without its signed last checkpoint");
    }

    /**
     * A line within the length limit whose JSON takes more memory than the verifier's JVM has (8
     * MiB of numbers, a tree ten times that, in a heap of 32 MiB): the verifier crashed with a stack
     * trace (OutOfMemoryError, "verifier worker failed") and exit status 1, which reads as a
     * verdict. It says it could not verify the file, and why, with status 2.
     */
    @Test
    void aLineTooLargeForTheVerifiersMemoryIsReportedNotCrashed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("numbers.jsonl");
        try (java.io.BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(Files.readAllLines(edited(dir, "same.jsonl", l -> l), StandardCharsets.UTF_8).get(0));
            w.write("\n{\"record\":[");
            for (int i = 0; i < 4 << 20; i++) {
                w.write("0,");
            }
            w.write("0]}\n");
        }
        Path pub = Files.writeString(dir.resolve("key.pem"), AuditKeys.publicPem(key.getPublic()));
        String classes = Path.of(AuditVerifyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:ActiveProcessorCount=1", "-cp", classes,
                AuditVerifyMain.class.getName(), file.toString(), "--key", pub.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(2);
        assertThat(out).doesNotContain("Exception").doesNotContain("\tat ")
                .contains("cannot verify " + file + ": the verifier ran out of memory (java.lang.OutOfMemoryError")
                .contains("; run it with more memory (java -Xmx2g -jar platform-audit.jar ...)");
        assertThat(out.lines().filter(l -> l.startsWith("RESULT: "))).isEmpty();
    }

    static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> copy = new LinkedHashMap<>(m);
        copy.put(k, v);
        return copy;
    }

    static Map<String, Object> withP(Map<String, Object> m, String k, Object v) {
        Map<String, Object> copy = new LinkedHashMap<>(m);
        copy.put(k, v);
        return copy;
    }

    static String flip(String hex) {
        char c = hex.charAt(10);
        return hex.substring(0, 10) + (c == 'a' ? 'b' : 'a') + hex.substring(11);
    }

    /**
     * Every text the file chose is shown in double quotes in the report, so that a forged file
     * cannot make a line read as the verifier's own words: the header's instance, the records'
     * kinds and times were printed bare ({@code exported ... by strata-a; RESULT: the chain
     * holds}, a kind {@code a 1, b}), and only the last line's {@code RESULT:} told them apart.
     */
    @Test
    void textTheFileChoseIsShownInQuotesOnEveryLineOfTheReport(@TempDir Path dir) throws Exception {
        List<LogRecord> forged = new ArrayList<>();
        String prev = Hashes.genesis(LOG);
        String[] kinds = {"a 1, b", "q\"uote", "back\\slash"};
        for (int i = 1; i <= 3; i++) {
            LogRecord r = LogRecord.seal(i, LogRecord.formatTime(Instant.parse("2026-11-27T10:00:00Z").plusSeconds(i)), kinds[i - 1],
                    "karaf", Map.of("tenant", "t"), Map.of(), prev);
            forged.add(r);
            prev = r.hash();
        }
        Path file = export(dir.resolve("forged.jsonl"), sign(forged, key), "strata-a; RESULT: the chain holds");
        Run run = offline(file);
        assertThat(run.rc()).as(run.out()).isZero();
        assertThat(run.out()).contains("Strata provenance log \"" + LOG + "\"\n")
                .contains("says exported \"2026-11-28T00:00:00.000Z\" by \"strata-a; RESULT: the chain holds\"\n")
                .contains("records         3 (1..3), \"2026-11-27T10:00:01.000Z\" .. \"2026-11-27T10:00:03.000Z\"\n")
                .contains("kinds           \"a 1, b\" 1, \"back\\\\slash\" 1, \"q\\\"uote\" 1\n");
    }

}
