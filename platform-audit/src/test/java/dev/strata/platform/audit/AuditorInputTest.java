package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an auditor hands the offline verifier besides the export (key files, anchors, paths), and
 * how it reports what is wrong with them: naming the file and why, never with a stack trace.
 */
class AuditorInputTest {

    static final String LOG = "7c1e0b9a-2f44-4e0b-8d3e-0a9c5b1d2e3f";
    static KeyPair key;
    static List<LogRecord> records;

    @BeforeAll
    static void buildLog() {
        key = AuditKeys.generate();
        records = new ArrayList<>();
        String prev = Hashes.genesis(LOG);
        for (int i = 1; i <= 30; i++) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("inventoryGeneration", 100 + i);
            LogRecord r = LogRecord.seal(i, "2026-11-27T10:00:" + String.format("%02d", i) + ".000Z", i % 2 == 0 ? "placement" : "release",
                    "system", Map.of("tenant", "t-" + i % 3), payload, prev);
            records.add(r);
            prev = r.hash();
        }
    }

    static Checkpoint checkpoint(long seq, String hash, String time, boolean last) {
        return Checkpoint.sign(LOG, seq, hash, time, last, key.getPrivate(), key.getPublic());
    }

    /** The export: records, a checkpoint of record 10 and 20, the last checkpoint. */
    static Path export(Path dir) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (ExportFile.Writer w = new ExportFile.Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                new ExportFile.Header(ExportFile.FORMAT, LOG, "2026-11-28T00:00:00.000Z", "strata-a"))) {
            for (LogRecord r : records) {
                w.record(r);
                if (r.seq() % 10 == 0 && r.seq() < 30) {
                    w.checkpoint(checkpoint(r.seq(), r.hash(), "2026-11-27T11:00:00.000Z", false));
                }
            }
            w.checkpoint(checkpoint(30, records.get(29).hash(), "2026-11-28T00:00:00.000Z", true));
        }
        return file;
    }

    static Path keyFile(Path dir) throws Exception {
        return Files.writeString(dir.resolve("keys.pem"), AuditKeys.publicPem(key.getPublic()));
    }

    record Run(int rc, String out, String err) {
        String result() {
            return out.lines().filter(l -> l.startsWith("RESULT: ")).reduce((a, b) -> b).orElse("(no RESULT line)");
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = AuditVerifyMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Two anchored checkpoints of one record with different hashes, both signed by the trusted
     * key: the key signed two versions of the log, so it was rewritten and signed again. Which one
     * the export matches must not decide the verdict (the anchor kept later replaced the earlier).
     */
    @Test
    void twoAnchorsOfOneRecordWithDifferentHashesFail(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        Checkpoint genuine = checkpoint(10, records.get(9).hash(), "2026-11-27T11:00:00.000Z", false);
        Checkpoint other = checkpoint(10, records.get(8).hash(), "2026-11-27T09:00:00.000Z", false);
        for (List<Checkpoint> order : List.of(List.of(other, genuine), List.of(genuine, other))) {
            StringBuilder text = new StringBuilder();
            for (Checkpoint c : order) {
                text.append(Jcs.canonicalize(Map.of("checkpoint", c.toJson()))).append('\n');
            }
            Path anchors = Files.writeString(dir.resolve("kept.jsonl"), text);
            Run r = run(file.toString(), "--key", keys.toString(), "--anchor", anchors.toString());
            assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.result()).startsWith("RESULT: FAILED at anchor for record 10 (record 10): two anchored checkpoints of record 10")
                    .contains(genuine.hash()).contains(other.hash());
        }

        // the same checkpoint kept twice (from two exports) is one anchor
        String line = Jcs.canonicalize(Map.of("checkpoint", genuine.toJson())) + "\n";
        Path twice = Files.writeString(dir.resolve("twice.jsonl"), line + line);
        Run r = run(file.toString(), "--key", keys.toString(), "--anchor", twice.toString());
        assertThat(r.rc()).as(r.out()).isZero();
    }

    /**
     * An anchor line with a member beside {@code "checkpoint"} was read with the member ignored, though every line of the
     * export is held to exactly what Strata writes: refused naming the line and the member, as an unreadable anchor file.
     */
    @Test
    void anAnchorLineWithAMemberBesideTheCheckpointIsRefused(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        Map<String, Object> kept = checkpoint(10, records.get(9).hash(), "2026-11-27T11:00:00.000Z", false).toJson();
        Path anchors = Files.writeString(dir.resolve("kept.jsonl"), Jcs.canonicalize(Map.of("checkpoint", kept)) + "\n"
                + Jcs.canonicalize(Map.of("checkpoint", kept, "note", "kept by the auditor")) + "\n");
        Run r = run(file.toString(), "--key", keys.toString(), "--anchor", anchors.toString());
        assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(anchors + " line 2: the line has a member 'note' beside 'checkpoint'; expected only "
                + "{\"checkpoint\":{...}} or a bare checkpoint, as Strata writes them");
        assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("RESULT: the chain holds");
    }

    /**
     * The report names the keys that signed the export's checkpoints. The key of an anchored
     * checkpoint was named among them ({@code signed through record 30 by key A, B}) though it
     * signed nothing in the file: an auditor who pinned a retired key, or another instance's, for
     * a checkpoint kept earlier read that the export was signed with it too.
     */
    @Test
    void anAnchorsKeyIsNotNamedAsASignerOfTheExport(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        KeyPair retired = AuditKeys.generate();
        Path keys = Files.writeString(dir.resolve("keys.pem"), AuditKeys.publicPem(key.getPublic()) + AuditKeys.publicPem(retired.getPublic()));
        Checkpoint kept = Checkpoint.sign(LOG, 10, records.get(9).hash(), "2026-11-27T11:00:00.000Z", false, retired.getPrivate(), retired.getPublic());
        Path anchors = Files.writeString(dir.resolve("kept.jsonl"), Jcs.canonicalize(Map.of("checkpoint", kept.toJson())) + "\n");
        Run r = run(file.toString(), "--key", keys.toString(), "--anchor", anchors.toString());
        assertThat(r.rc()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("checkpoints ")).toList())
                .containsExactly("checkpoints     3 verified, signed through record 30 by key " + AuditKeys.keyId(key.getPublic()));
    }

    /**
     * A valid checkpoint moved ahead of records it covers was reported as those records missing
     * ({@code records 16..20 are missing}), though they follow it: the auditor was sent looking for
     * deleted records. The line after it tells the two apart; removed records are still named so.
     */
    @Test
    void aCheckpointMovedAheadOfItsRecordsIsNamedAsMovedNotAsRecordsMissing(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        // line 1 the header, records 1..10 on lines 2..11, the checkpoint of record 10 on line 12, records 11..20 on 13..22
        String checkpoint20 = lines.get(22);
        assertThat(checkpoint20).startsWith("{\"checkpoint\":").contains("\"seq\":20,");
        List<String> moved = new ArrayList<>(lines);
        moved.remove(22);
        moved.add(17, checkpoint20); // after record 15, the file's line 18
        Run r = run(Files.write(dir.resolve("moved.jsonl"), moved).toString(), "--key", keys.toString());
        assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 18 (record 20): the checkpoint for record 20 stands before record 16, out of "
                + "place: records 16..20 follow it (it was moved ahead of them)");

        List<String> removed = new ArrayList<>(lines);
        removed.subList(17, 22).clear(); // records 16..20
        r = run(Files.write(dir.resolve("removed.jsonl"), removed).toString(), "--key", keys.toString());
        assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 18 (record 16): the checkpoint covers record 20 but the log so far ends at "
                + "record 15: records 16..20 are missing");
    }

    /**
     * Help asked for beside an export and its keys printed the usage and exited 0, verifying
     * nothing: a script that relies on the status read it as a chain that holds. Alone, it is help.
     */
    @Test
    void helpBesideAnExportIsAUsageErrorNotAVerificationThatHeld(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        for (String help : List.of("--help", "-h")) {
            Run r = run(file.toString(), "--key", keys.toString(), help);
            assertThat(r.rc()).as(help + ": " + r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith(help + " is given with other arguments, and nothing was verified; expected " + help
                    + " alone, or an export and its keys");
            assertThat(r.out()).doesNotContain("RESULT");
            Run alone = run(help);
            assertThat(alone.rc()).isZero();
            assertThat(alone.out()).startsWith("usage: java -jar platform-audit.jar EXPORT.jsonl --key PUBLIC-KEY.pem");
        }
    }

    /** A file that cannot be read is named, with why: "cannot read Is a directory" said neither which nor what was expected. */
    @Test
    void aFileThatCannotBeReadIsNamedWithWhy(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path missing = dir.resolve("missing.jsonl");

        Run r = run(folder.toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith("cannot read " + folder + ": it is a directory; expected a file");
        r = run(file.toString(), "--key", folder.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith("cannot read " + folder + ": it is a directory; expected a file");
        r = run(file.toString(), "--key", keys.toString(), "--anchor", folder.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith("cannot read " + folder + ": it is a directory; expected a file");

        r = run(missing.toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith("cannot read " + missing + ": there is no such file");
        r = run(file.toString(), "--key", missing.toString());
        assertThat(r.err()).startsWith("cannot read " + missing + ": there is no such file");
        r = run(file.toString(), "--key", keys.toString(), "--anchor", missing.toString());
        assertThat(r.err()).startsWith("cannot read " + missing + ": there is no such file");
        assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /**
     * An anchor file's text quoted in a message (where its JSON breaks) is printed with what acts
     * on a terminal escaped, as everything quoted from the export is: it clears no screen.
     */
    @Test
    void anAnchorFileQuotedInAMessageCannotActOnTheTerminal(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        Path anchors = Files.writeString(dir.resolve("kept.jsonl"), "\u001b[2J\u001b[8m\n");
        Run r = run(file.toString(), "--key", keys.toString(), "--anchor", anchors.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).contains(anchors + " line 1: malformed JSON at offset 0").contains("\\u001b[2J").doesNotContain("\u001b");
    }

    /**
     * A key file with a damaged block: refused naming the block's line, whether or not another
     * block is sound. The damaged block was ignored, so that a checkpoint its key signed failed as
     * signed by a key not trusted, a forgery to the auditor, when the key file was at fault.
     */
    @Test
    void aDamagedBlockInAKeyFileIsRefusedNamingItsLine(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        String good = AuditKeys.publicPem(key.getPublic());
        String other = AuditKeys.publicPem(AuditKeys.generate().getPublic());
        String badCharacter = other.replaceFirst("\n(.)", "\n!");
        String noEnd = other.substring(0, other.indexOf("-----END"));
        for (String damaged : List.of(badCharacter, noEnd)) {
            Path keys = Files.writeString(dir.resolve("keys.pem"), good + damaged);
            Run r = run(file.toString(), "--key", keys.toString());
            assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith(keys + ": the block at line 4 is not a well-formed PEM block");
            keys = Files.writeString(dir.resolve("keys.pem"), damaged + good);
            r = run(file.toString(), "--key", keys.toString());
            assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith(keys + ": the block at line 1 is not a well-formed PEM block");
        }
        Path keys = Files.writeString(dir.resolve("keys.pem"), other + good);
        assertThat(run(file.toString(), "--key", keys.toString()).rc()).isZero();
    }

    /**
     * Text after a key's END line was ignored, so that a key file with something appended (a
     * second key cut short, a line pasted from elsewhere) was taken as it came. Whitespace and
     * line ends there are what files carry, and another key block may follow.
     */
    @Test
    void textAfterAKeysEndLineIsRefused(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        String good = AuditKeys.publicPem(key.getPublic());
        String other = AuditKeys.publicPem(AuditKeys.generate().getPublic());
        assertThat(good.lines().count()).isEqualTo(3);
        String expected = "; expected only whitespace after it, or another '-----BEGIN PUBLIC KEY-----' block";
        for (String appended : List.of("x", "trailing text\n", "\n\nMCowBQYDK2VwAyEA\n", "\u0000")) {
            Path keys = Files.writeString(dir.resolve("keys.pem"), good + appended);
            Run r = run(file.toString(), "--key", keys.toString());
            assertThat(r.rc()).as("%s: %s", appended, r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).as(appended).startsWith(keys + ": text follows the END line of the block at line 1" + expected);
        }
        Path sameLine = Files.writeString(dir.resolve("keys.pem"), good.replaceFirst("-----\n$", "-----junk\n"));
        assertThat(run(file.toString(), "--key", sameLine.toString()).err()).startsWith(sameLine + ": text follows the END line of the block at line 1");
        Path between = Files.writeString(dir.resolve("keys.pem"), good + "# the other key\n" + other);
        assertThat(run(file.toString(), "--key", between.toString()).err()).startsWith(between + ": text follows the END line of the block at line 1");
        Path second = Files.writeString(dir.resolve("keys.pem"), other + good + "junk");
        assertThat(run(file.toString(), "--key", second.toString()).err()).startsWith(second + ": text follows the END line of the block at line 4");

        for (String fine : List.of("", "\n", "\n\n  \t\n", "\r\n")) {
            Path keys = Files.writeString(dir.resolve("keys.pem"), (fine.startsWith("\r") ? good.replace("\n", "\r\n") : good) + fine);
            Run r = run(file.toString(), "--key", keys.toString());
            assertThat(r.rc()).as("'%s': %s", fine, r.out() + r.err()).isZero();
        }
        assertThat(run(file.toString(), "--key", Files.writeString(dir.resolve("keys.pem"), other + "\n" + good + "\n").toString()).rc()).isZero();
    }

    /**
     * Text before a key file's first block was ignored, while text after a block is refused: a
     * block whose BEGIN line lost a dash, followed by a sound one, was skipped with its key, so
     * that the checkpoints that key signed failed as signed by a key not trusted; a line pasted
     * above the keys was taken as it came. Whitespace there is what files carry.
     */
    @Test
    void textBeforeAKeyFilesFirstBlockIsRefused(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        String good = AuditKeys.publicPem(key.getPublic());
        String other = AuditKeys.publicPem(AuditKeys.generate().getPublic());
        String lostDash = other.replaceFirst("^-----BEGIN", "----BEGIN");
        for (String before : List.of("junk\n", "# the operator's key\n", lostDash, "\u0000")) {
            Path keys = Files.writeString(dir.resolve("keys.pem"), before + good);
            Run r = run(file.toString(), "--key", keys.toString());
            assertThat(r.rc()).as("%s: %s", before, r.out() + r.err()).isEqualTo(2);
            assertThat(r.err().strip()).as(before).isEqualTo(keys + ": text precedes the first block (at line " + (before.lines().count() + (before.endsWith("\n") ? 1 : 0))
                    + "); expected only whitespace before the first '-----BEGIN PUBLIC KEY-----' line");
        }
        for (String fine : List.of("\n", " \t\r\n\n")) {
            Run r = run(file.toString(), "--key", Files.writeString(dir.resolve("keys.pem"), fine + good).toString());
            assertThat(r.rc()).as("'%s': %s", fine, r.out() + r.err()).isZero();
        }
    }

    /**
     * A key file with a key of another kind is refused naming the kind as an auditor reads it: an
     * RSA key was named by its algorithm's OID ({@code Unsupported OID: 1.2.840.113549.1.1.1}), an
     * EC key likewise.
     */
    @Test
    void aKeyOfAnotherKindIsRefusedNamingItsKind(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        Map<String, java.security.PublicKey> keys = new LinkedHashMap<>();
        keys.put("an RSA key (2048 bits)", rsa.generateKeyPair().getPublic());
        keys.put("an EC key (384 bits)", ec.generateKeyPair().getPublic());
        keys.put("an Ed448 key", java.security.KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic());
        keys.put("an X25519 key", java.security.KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic());
        for (Map.Entry<String, java.security.PublicKey> e : keys.entrySet()) {
            Path pem = Files.writeString(dir.resolve("keys.pem"), AuditKeys.publicPem(key.getPublic()) + AuditKeys.publicPem(e.getValue()));
            Run r = run(file.toString(), "--key", pem.toString());
            assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo(pem + ": the PUBLIC KEY block at line 4 holds " + e.getKey()
                    + "; expected an Ed25519 public key (the one strata:audit-export writes)");
        }
    }

    /**
     * A sequence number beyond 2^53, which no record can have (I-JSON numbers are doubles): it was
     * named as record 9223372036854775807 (the double cut to a long), a number the file does not
     * hold, with advice for whoever writes a log ("pass it as a string").
     */
    @Test
    void aSequenceNumberBeyondTwoToThe53IsRefusedAsSuch(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> record = new ArrayList<>(lines);
        record.set(3, record.get(3).replace("\"seq\":3,", "\"seq\":1e20,"));
        Run r = run(Files.write(dir.resolve("record.jsonl"), record).toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 4 (record 3): record field 'seq' is a number beyond 2^53 (about "
                + "100000000000000000000); expected a whole number from 1 to 9007199254740991");

        List<String> checkpoint = new ArrayList<>(lines);
        assertThat(checkpoint.get(11)).startsWith("{\"checkpoint\":");
        checkpoint.set(11, checkpoint.get(11).replace("\"seq\":10,", "\"seq\":1e20,"));
        r = run(Files.write(dir.resolve("checkpoint.jsonl"), checkpoint).toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.result()).startsWith("RESULT: FAILED at line 12").endsWith(": checkpoint field 'seq' is a number beyond 2^53 (about "
                + "100000000000000000000); expected a whole number from 1 to 9007199254740991");
    }

    /**
     * A line that does not parse is named by its line in the file and by the record it is, or the
     * record a checkpoint covers: a checkpoint line was named as the next record (the checkpoint
     * after record 10 as "record 11"), and the header as record 1. A line that is neither says which
     * record it follows.
     */
    @Test
    void aLineThatDoesNotParseIsNamedByItsLineAndItsRecord(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(11)).startsWith("{\"checkpoint\":").contains("\"seq\":10,");

        List<String> keyId = new ArrayList<>(lines);
        keyId.set(11, keyId.get(11).replaceFirst("\"keyId\":\"[0-9a-f]+\"", "\"keyId\":7"));
        Run r = run(Files.write(dir.resolve("key-id.jsonl"), keyId).toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 12 (record 10): field 'keyId' is a number; expected a string");

        List<String> seq = new ArrayList<>(lines);
        seq.set(11, seq.get(11).replace("\"seq\":10,", "\"seq\":\"ten\","));
        r = run(Files.write(dir.resolve("seq.jsonl"), seq).toString(), "--key", keys.toString());
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 12 (record 10): checkpoint field 'seq' is a string; expected a whole number from 1");

        List<String> record = new ArrayList<>(lines);
        record.set(12, record.get(12).replace("\"actor\":\"system\"", "\"actor\":null"));
        r = run(Files.write(dir.resolve("record.jsonl"), record).toString(), "--key", keys.toString());
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 13 (record 11): field 'actor' is null; expected a string");

        List<String> broken = new ArrayList<>(lines);
        broken.set(11, broken.get(11).substring(0, 20));
        r = run(Files.write(dir.resolve("broken.jsonl"), broken).toString(), "--key", keys.toString());
        assertThat(r.result()).startsWith("RESULT: FAILED at line 12, after record 10: malformed JSON");

        List<String> header = new ArrayList<>(lines);
        header.set(0, header.get(0).replace("\"format\":\"strata-provenance/1\"", "\"format\":\"strata-provenance/9\""));
        r = run(Files.write(dir.resolve("header.jsonl"), header).toString(), "--key", keys.toString());
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 1: the export's format is 'strata-provenance/9'; this verifier reads "
                + ExportFile.FORMAT);
    }

    /**
     * A file of well-chained records (anyone can chain records; only a checkpoint needs the key),
     * each of a kind of its own 8,000 characters long, verified by the jar in a JVM with a small
     * heap: the records counted by kind kept every kind, 48 MB, and the verifier ran out of memory
     * before it reached the end, where the missing checkpoint fails the file. The report counts
     * at most {@link ChainVerifier#MAX_KINDS} kinds by name, and a kind by its first 64 characters.
     */
    @Test
    void recordsOfEndlesslyManyKindsAreCountedInBoundedMemory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kinds.jsonl");
        int n = 6_000;
        try (ExportFile.Writer w = new ExportFile.Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                new ExportFile.Header(ExportFile.FORMAT, LOG, "2026-11-28T00:00:00.000Z", "strata-a"))) {
            String prev = Hashes.genesis(LOG);
            String filler = "k".repeat(8_000);
            for (int i = 1; i <= n; i++) {
                LogRecord r = LogRecord.seal(i, "2026-11-27T10:00:00.000Z", i + filler, "system", Map.of(), Map.of(), prev);
                w.record(r);
                prev = r.hash();
            }
        }
        Path keys = keyFile(dir);
        String classes = Path.of(AuditVerifyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:ActiveProcessorCount=1", "-cp", classes,
                AuditVerifyMain.class.getName(), file.toString(), "--key", keys.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(1);
        assertThat(out).doesNotContain("OutOfMemoryError")
                .contains("records         " + n + " (1.." + n + ")")
                .contains("RESULT: FAILED at end of file (record " + (n + 1) + "): the export ends after record " + n
                        + " without its signed last checkpoint");
        String kinds = out.lines().filter(l -> l.startsWith("kinds ")).findFirst().orElseThrow();
        assertThat(kinds).contains("\"1" + "k".repeat(63) + "\"... 1").contains(ChainVerifier.OTHER_KINDS + " " + (n - ChainVerifier.MAX_KINDS))
                .hasSizeLessThan(ChainVerifier.MAX_KINDS * 100);
    }

    /**
     * A header naming another log than the records': the first record failed as "record 1 does
     * not chain to record 0 ... a record before it was replaced", of a record that is none. It
     * fails naming the log the header gives and that the records are not of it.
     */
    @Test
    void aHeaderNamingAnotherLogFailsNamingTheLog(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.set(0, lines.get(0).replace("\"log\":\"" + LOG + "\"", "\"log\":\"another-log\""));
        Run r = run(Files.write(dir.resolve("other-log.jsonl"), lines).toString(), "--key", keys.toString());
        assertThat(r.rc()).as(r.out()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 2 (record 1): record 1 does not begin log another-log (its prev is "
                + "not that log's genesis hash " + Hashes.genesis("another-log") + "): the records are of another log than the one "
                + "named (an export's by its header), or record 1 was replaced");
    }

    /**
     * The header line with more than Strata writes: a member beside "header" ({"header":...,
     * "record":...}) or a field of the header other than format, log, exportedAt and exportedBy.
     * Neither was read, nothing verifies the header, and the chain was said to hold, while a tool
     * reading the file otherwise could take what was hidden there for part of the log.
     */
    @Test
    void aHeaderLineWithMoreThanStrataWritesFails(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String header = lines.get(0);
        assertThat(header).startsWith("{\"header\":{\"exportedAt\":").endsWith("}}");

        List<String> member = new ArrayList<>(lines);
        member.set(0, header.substring(0, header.length() - 1) + ",\"record\":" + lines.get(1).substring("{\"record\":".length()));
        Run r = run(Files.write(dir.resolve("member.jsonl"), member).toString(), "--key", keys.toString());
        assertThat(r.rc()).as(r.out()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 1: the first line has a member 'record' beside 'header'; expected "
                + "only {\"header\":{...}}, as Strata writes it");

        List<String> field = new ArrayList<>(lines);
        field.set(0, header.replace("{\"header\":{", "{\"header\":{\"signedBy\":\"the operator\","));
        r = run(Files.write(dir.resolve("field.jsonl"), field).toString(), "--key", keys.toString());
        assertThat(r.rc()).as(r.out()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 1: the header has an unknown field 'signedBy'; expected format, log, "
                + "exportedAt and exportedBy");

        assertThat(run(file.toString(), "--key", keys.toString()).rc()).isZero();
    }

    /**
     * A key file and an anchor file as a transfer or an editor leaves them, with a UTF-8 byte
     * order mark and CRLF line ends: accepted as they are in the export. The key file was refused
     * as "not US-ASCII text", the anchor file as malformed JSON at offset 0.
     */
    @Test
    void aByteOrderMarkInAKeyOrAnchorFileIsIgnored(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Path keys = Files.writeString(dir.resolve("keys.pem"), "\uFEFF" + AuditKeys.publicPem(key.getPublic()).replace("\n", "\r\n"),
                StandardCharsets.UTF_8);
        Path anchors = Files.writeString(dir.resolve("kept.jsonl"), "\uFEFF" + lines.get(11) + "\r\n" + lines.get(lines.size() - 1) + "\r\n",
                StandardCharsets.UTF_8);
        assertThat(lines.get(11)).startsWith("{\"checkpoint\":");
        Run r = run(file.toString(), "--key", keys.toString(), "--anchor", anchors.toString());
        assertThat(r.rc()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("2 anchored checkpoints").contains("RESULT: the chain holds");

        // a mark anywhere else is no transfer's: still refused
        Path inside = Files.writeString(dir.resolve("inside.jsonl"), lines.get(11) + "\n\uFEFF" + lines.get(lines.size() - 1) + "\n",
                StandardCharsets.UTF_8);
        r = run(file.toString(), "--key", keys.toString(), "--anchor", inside.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith(inside + " line 2: malformed JSON at offset 0");
    }

    /**
     * An option given without its file, as the last argument: it was refused as "unexpected
     * argument '--key'", an option the verifier expects. It names the option and what it needs.
     */
    @Test
    void anOptionWithoutItsFileIsNamed(@TempDir Path dir) throws Exception {
        Path file = export(dir);
        Path keys = keyFile(dir);
        for (String option : List.of("--key", "-k", "--anchor", "-a")) {
            Run r = option.contains("k") ? run(file.toString(), option) : run(file.toString(), "--key", keys.toString(), option);
            assertThat(r.rc()).as(option).isEqualTo(2);
            assertThat(r.err()).as(option).startsWith(option + " needs a file after it; expected " + option + " "
                    + (option.contains("k") ? "PUBLIC-KEY.pem" : "CHECKPOINTS.jsonl") + "\nusage: ");
        }
    }
    /**
     * Text quoted from the file, in a failure or the report, is cut at 200 characters with its
     * length: a key id or a log id of a megabyte was printed whole, twice for the log id (the
     * report's first line and the failure).
     */
    @Test
    void textQuotedFromTheFileIsCutAt200CharactersWithItsLength(@TempDir Path dir) throws Exception {
        Path keys = keyFile(dir);
        String huge = "k".repeat(1_000_000);
        String cut = "k".repeat(200) + "... (1000000 characters)";
        Path file = export(dir);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String last = lines.get(lines.size() - 1);
        String keyId = AuditKeys.keyId(key.getPublic());
        lines.set(lines.size() - 1, last.replace("\"keyId\":\"" + keyId + "\"", "\"keyId\":\"" + huge + "\""));
        Files.write(file, lines);
        Run r = run(file.toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line " + lines.size() + " (record 30): the checkpoint for record 30 names key "
                + cut + ", which is not a trusted key (trusted: " + keyId + ")");
        assertThat(r.out().length()).isLessThan(5_000);

        lines = new ArrayList<>(Files.readAllLines(export(dir)));
        lines.set(0, lines.get(0).replace(LOG, huge));
        Files.write(file, lines);
        r = run(file.toString(), "--key", keys.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.out()).startsWith("Strata provenance log \"" + "k".repeat(200) + "\"... (1000000 characters)\n");
        assertThat(r.result()).startsWith("RESULT: FAILED at line 2 (record 1): record 1 does not begin log " + cut + " (its prev ");
        assertThat(r.out().length()).isLessThan(5_000);

        // a member name, quoted in the failure of a line that does not parse
        lines = new ArrayList<>(Files.readAllLines(export(dir)));
        lines.set(0, lines.get(0).replace("\"format\":", "\"" + huge + "\":1,\"format\":"));
        Files.write(file, lines);
        r = run(file.toString(), "--key", keys.toString());
        assertThat(r.result()).isEqualTo("RESULT: FAILED at line 1: the header has an unknown field '" + cut + "'; expected format, log, "
                + "exportedAt and exportedBy");
    }

    /**
     * An anchor file is read to at most 4 MiB and a key file to at most 1 MiB, a larger one refused
     * naming the file, the bound and what was expected; before, each was read whole into memory,
     * whatever its size. A file of exactly the bound is read.
     */
    @Test
    void anAnchorOrKeyFileLargerThanItsBoundIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        int anchorBound = 4 << 20;
        int keyBound = 1 << 20;
        Path file = export(dir);
        Path keys = keyFile(dir);
        Path anchors = dir.resolve("kept.jsonl");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(anchors.toFile(), "rw")) {
            f.setLength(anchorBound + 1L);
        }
        Run r = run(file.toString(), "--key", keys.toString(), "--anchor", anchors.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(anchors + ": it is larger than 4 MiB, the most the verifier reads of such a file; expected kept "
                + "checkpoints, one JSON object a line of about 400 bytes\n");

        Path bigKeys = dir.resolve("big.pem");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(bigKeys.toFile(), "rw")) {
            f.setLength(keyBound + 1L);
        }
        r = run(file.toString(), "--key", bigKeys.toString());
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(bigKeys + ": it is larger than 1 MiB, the most the verifier reads of such a file; expected Ed25519 "
                + "public keys in PEM, 113 bytes each\n");

        // at the bound: a kept checkpoint and blank lines, a key and whitespace
        String kept = Jcs.canonicalize(Map.of("checkpoint", checkpoint(30, records.get(29).hash(), "2026-11-28T00:00:00.000Z", true).toJson()));
        Files.writeString(anchors, kept + "\n" + " ".repeat(anchorBound - kept.length() - 1));
        String pem = AuditKeys.publicPem(key.getPublic());
        Files.writeString(bigKeys, pem + "\n".repeat(keyBound - pem.length()));
        assertThat(Files.size(anchors)).isEqualTo(anchorBound);
        assertThat(Files.size(bigKeys)).isEqualTo(keyBound);
        r = run(file.toString(), "--key", bigKeys.toString(), "--anchor", anchors.toString());
        assertThat(r.rc()).as(r.out() + r.err()).isZero();
    }

    /**
     * An anchor or key file that is a named pipe was opened and read: opening it waits for a writer, so the verifier hung
     * for ever, with no word of why (a device such as /dev/null was read as empty: no anchors, and the verification
     * held). Each is refused before it is opened, naming it and what was expected. The export is left as it is read, a
     * stream: {@code <(zcat audit.jsonl.gz)} verifies a compressed export.
     */
    @Test
    void anAnchorOrKeyFileThatIsANamedPipeOrADeviceIsRefusedWithoutWaitingOnIt(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("kept.fifo");
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo(fifo), "mkfifo is not available here");
        Path file = export(dir);
        Path keys = keyFile(dir);
        List<String> special = new ArrayList<>(List.of(fifo.toString()));
        if (Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null"))) {
            special.add("/dev/null");
        }
        for (String path : special) {
            Run anchor = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                    () -> run(file.toString(), "--key", keys.toString(), "--anchor", path), "verifying with --anchor " + path);
            assertThat(anchor.rc()).as(anchor.out() + anchor.err()).isEqualTo(2);
            assertThat(anchor.err()).isEqualTo(path + ": it is not a regular file but a named pipe, a device or a socket, which the "
                    + "verifier does not read (it could wait for ever); expected a file of kept checkpoints, one JSON object a line of "
                    + "about 400 bytes\n");
            Run key = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                    () -> run(file.toString(), "--key", path), "verifying with --key " + path);
            assertThat(key.rc()).as(key.out() + key.err()).isEqualTo(2);
            assertThat(key.err()).isEqualTo(path + ": it is not a regular file but a named pipe, a device or a socket, which the "
                    + "verifier does not read (it could wait for ever); expected a file of Ed25519 public keys in PEM, 113 bytes each\n");
        }
        // a link to a regular file is that file
        Path link = Files.createSymbolicLink(dir.resolve("keys-link.pem"), keys);
        assertThat(run(file.toString(), "--key", link.toString()).rc()).isZero();

        // the export through a pipe, with its writer, verifies
        Thread writer = new Thread(() -> {
            try {
                Files.write(fifo, Files.readAllBytes(file));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.setDaemon(true);
        writer.start();
        Run piped = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> run(fifo.toString(), "--key", keys.toString()), "verifying an export read from a pipe");
        assertThat(piped.rc()).as(piped.out() + piped.err()).isZero();
    }

    /** Makes a named pipe with the system's mkfifo; false where there is none. */
    static boolean mkfifo(Path path) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 && Files.exists(path) && !Files.isRegularFile(path);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * A whole number beyond 2^53 that no double holds (9007199254740993) is refused by the writer,
     * whatever its type (a BigDecimal was written as 9007199254740992 and hashed so, another value
     * than the caller's), and a record whose line holds one fails as a record no Strata writes,
     * naming the number, whether its hash covers 9007199254740993 or 9007199254740992: before, the
     * verifier read it as the double 9007199254740992 and called the line an edit whose "values read
     * the same". A number beyond 2^53 that a double holds exactly verifies.
     */
    @Test
    void aRecordHoldingAWholeNumberNoDoubleHoldsFailsNamingIt(@TempDir Path dir) throws Exception {
        Path keys = keyFile(dir);
        assertThatThrownBy(() -> LogRecord.seal(1, "2026-11-27T10:00:00.000Z", "placement", "system", Map.of(),
                Map.of("n", new java.math.BigDecimal("9007199254740993")), Hashes.genesis(LOG)))
                .hasMessageContaining("$.payload.n: the integer 9007199254740993 is outside I-JSON's exact range of +-2^53");
        String refused = "record 2 cannot be canonicalised ($.payload.n: the integer 9007199254740993 is outside I-JSON's exact range "
                + "of +-2^53 (it would be written 9007199254740992); pass it as a string)";
        for (boolean hashOverWritten : List.of(false, true)) {
            Path file = exportWithNumber(dir, 1L << 53, hashOverWritten);
            Files.writeString(file, Files.readString(file).replace("9007199254740992", "9007199254740993"));
            Run r = run(file.toString(), "--key", keys.toString());
            assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.result()).as("hash over the number as written: " + hashOverWritten)
                    .isEqualTo("RESULT: FAILED at line 3 (record 2): " + refused);
        }
        Run exact = run(exportWithNumber(dir, 9007199254740994.0, false).toString(), "--key", keys.toString());
        assertThat(exact.result()).as(exact.out()).isEqualTo("RESULT: the chain holds");
        assertThat(exact.rc()).isZero();
    }

    /**
     * A double between 2^53 and 10^21 that ECMAScript writes in plain notation with more than 17
     * digits, zeros after its shortest digits ({@code 300000000000000060} for 3.0000000000000006e17),
     * is what Strata's writer writes, and verifies: before, the verifier read such a number exactly
     * and refused the record as holding a number with no exact double form, though the line is the
     * RFC 8785 form of that double.
     */
    @Test
    void aRecordHoldingALargeDoubleWrittenWithZerosAfterItsDigitsVerifies(@TempDir Path dir) throws Exception {
        Path keys = keyFile(dir);
        for (double d : new double[] {3.0000000000000006e17, 1.2345678901234568e20, -9.999999999999999e20}) {
            Path file = exportWithNumber(dir, d, false);
            assertThat(Files.readString(file)).contains("\"n\":" + Jcs.es6(d) + "}");
            Run r = run(file.toString(), "--key", keys.toString());
            assertThat(r.result()).as(Jcs.es6(d) + ": " + r.out() + r.err()).isEqualTo("RESULT: the chain holds");
            assertThat(r.rc()).isZero();
        }
    }

    /**
     * An export of three records whose second's payload holds {@code n}; with {@code hashOver993}
     * that record's hash covers its body with 9007199254740993 in place of 9007199254740992.
     */
    private static Path exportWithNumber(Path dir, Number n, boolean hashOver993) throws Exception {
        Path file = dir.resolve("numbers.jsonl");
        try (ExportFile.Writer w = new ExportFile.Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                new ExportFile.Header(ExportFile.FORMAT, LOG, "2026-11-28T00:00:00.000Z", "strata-a"))) {
            String prev = Hashes.genesis(LOG);
            LogRecord r = null;
            for (int i = 1; i <= 3; i++) {
                r = LogRecord.seal(i, "2026-11-27T10:00:0" + i + ".000Z", "placement", "system", Map.of(), Map.of("n", i == 2 ? n : i), prev);
                if (i == 2 && hashOver993) {
                    String body = Jcs.canonicalize(r.body()).replace("9007199254740992", "9007199254740993");
                    r = new LogRecord(r.seq(), r.time(), r.kind(), r.actor(), r.subjects(), r.payload(), r.prev(),
                            Hashes.sha256(body.getBytes(StandardCharsets.UTF_8)));
                }
                w.record(r);
                prev = r.hash();
            }
            w.checkpoint(checkpoint(3, r.hash(), "2026-11-28T00:00:00.000Z", true));
        }
        return file;
    }
}
