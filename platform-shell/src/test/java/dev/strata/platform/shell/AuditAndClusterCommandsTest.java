package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.audit.AuditEntry;
import dev.strata.platform.api.audit.AuditExport;
import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.audit.AuditQuery;
import dev.strata.platform.api.audit.AuditReport;
import dev.strata.platform.api.cluster.ClusterInstance;
import dev.strata.platform.api.cluster.ClusterMode;
import dev.strata.platform.api.cluster.ClusterStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The audit and cluster commands format what their services return (the services are tested in platform-core). */
class AuditAndClusterCommandsTest {

    static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    /** Records what the command asked, returns fixed answers. */
    static class RecordingAuditLog implements AuditLog {
        final List<AuditQuery> queries = new ArrayList<>();
        AuditReport report;
        List<String> keyIds = List.of("0123456789abcdef");
        String logId = "log-1";

        @Override
        public List<AuditEntry> entries(AuditQuery query) {
            queries.add(query);
            return List.of(new AuditEntry(42, T, "placement", "karaf", Map.of("contract", "llm", "tenant", "bank"), "{\"nodes\":2}", "a".repeat(64),
                    "b".repeat(64)));
        }

        @Override
        public Optional<AuditEntry> entry(long seq) {
            return seq == 42 ? Optional.of(entries(new AuditQuery(null, null, null, null, null, null, null, 1, false)).get(0)) : Optional.empty();
        }

        /** The trusted keys {@link #verify(String)} was given; null when {@link #verify()} was asked. */
        String trustedKeysPem;

        @Override
        public AuditReport verify() {
            return report;
        }

        @Override
        public AuditReport verify(String trustedKeysPem) {
            this.trustedKeysPem = trustedKeysPem;
            return report;
        }

        @Override
        public AuditExport export(Path file, Path publicKeyFile) {
            return new AuditExport(file, 250, 3, publicKeyFile, keyIds, logId);
        }

        @Override
        public String publicKeys() {
            return "";
        }
    }

    /**
     * A record asked for by a number the log does not hold was refused as "no provenance record 7"
     * alone, and a number below 1 the same way, as if such a record could exist: each now says what
     * was expected and where the numbers are listed.
     */
    @Test
    void aRecordNumberTheLogDoesNotHoldIsRefusedSayingWhatWasExpected() {
        AuditCommand c = new AuditCommand();
        c.audit = new RecordingAuditLog();
        c.seq = 7L;
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessage("no provenance record 7; expected the number "
                + "of a record in the log (strata:audit lists them, column SEQ)");
        c.seq = 0L;
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessage("record 0: expected a record's number, 1 or "
                + "more (strata:audit lists them, column SEQ)");
    }

    /** -n 0 or a negative -n is a clear error naming the option, not a listing of one record. */
    @Test
    void auditRefusesALimitBelowOne() {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditCommand c = new AuditCommand();
        c.audit = log;
        for (int bad : new int[] {0, -5}) {
            c.limit = bad;
            assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--limit " + bad + ": expected how many records to show, 1 or more");
        }
        assertThat(log.queries).isEmpty();
    }

    /**
     * A limit above 10,000 is refused before the log is asked, naming the export: every record
     * asked for is held in the shell's memory, Karaf's heap, and {@code -n 2000000000} on a large
     * log took it all. Before, the store was asked for as many as were given.
     */
    @Test
    void auditRefusesALimitAboveTenThousandNamingTheExport() throws Exception {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditCommand c = new AuditCommand();
        c.audit = log;
        for (int big : new int[] {10_001, Integer.MAX_VALUE}) {
            c.limit = big;
            assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--limit " + big + ": expected at most 10000 records at once (the table is held in memory); narrow it "
                            + "with --from and --to, -k, -t, -c, -a or -d, or write the whole log to a file with strata:audit-export <file>");
        }
        assertThat(log.queries).isEmpty();
        c.limit = 10_000;
        CommandOutput.of(c::execute);
        // one more than is shown, to tell whether more match
        assertThat(log.queries).singleElement().satisfies(q -> assertThat(q.limit()).isEqualTo(10_001));
    }

    /** A log of {@code size} records, numbered 1 to size, that answers a query as the store does: at most its limit. */
    static AuditLog logOf(int size, List<AuditQuery> asked) {
        return new RecordingAuditLog() {
            @Override
            public List<AuditEntry> entries(AuditQuery q) {
                asked.add(q);
                List<AuditEntry> out = new ArrayList<>();
                for (int i = 0; i < Math.min(size, q.limit()); i++) {
                    long seq = q.newestFirst() ? size - i : i + 1;
                    out.add(new AuditEntry(seq, T.plusSeconds(seq), "placement", "karaf", Map.of(), "{}", "a".repeat(64), "b".repeat(64)));
                }
                return out;
            }
        };
    }

    /**
     * A list cut at {@code -n} (50 by default) said nothing of it: 50 records read as the whole
     * log. The log is asked for one record more than is shown, and where it has that one, a line
     * below the table says that more match and how to see them; a list that shows every match
     * says nothing more, nor does a script's output (one record per line).
     */
    @Test
    void aListCutAtTheLimitSaysMoreRecordsMatch() throws Exception {
        List<AuditQuery> queries = new ArrayList<>();
        AuditCommand c = new AuditCommand();
        c.audit = logOf(120, queries);
        List<String> lines = CommandOutput.of(c::execute).lines().toList();
        assertThat(lines).hasSize(2 + 50 + 1);
        assertThat(lines.get(2)).startsWith("120 ");
        assertThat(lines.get(51)).startsWith("71 ");
        assertThat(lines.get(52)).isEqualTo("Only the 50 newest records are shown; more match; -n 200 shows more.");
        assertThat(queries).last().satisfies(q -> assertThat(q.limit()).isEqualTo(51));

        c.oldestFirst = true;
        c.limit = 1;
        assertThat(CommandOutput.of(c::execute).lines().toList()).last()
                .isEqualTo("Only the oldest record is shown; more match; -n 4 shows more.");
        c.limit = AuditCommand.MAX_LIMIT;
        c.audit = logOf(AuditCommand.MAX_LIMIT + 1, queries);
        assertThat(CommandOutput.of(c::execute).lines().toList()).last()
                .isEqualTo("Only the 10000 oldest records are shown; more match; narrow it with --from and --to, or strata:audit-export "
                        + "<file> writes the whole log.");

        c.oldestFirst = false;
        c.limit = 200;
        c.audit = logOf(120, queries);
        assertThat(CommandOutput.of(c::execute).lines().toList()).hasSize(2 + 120).last().asString().startsWith("1 ");
        c.limit = 50;
        c.audit = logOf(50, queries);
        assertThat(CommandOutput.of(c::execute).lines().toList()).as("every match shown").hasSize(2 + 50);
        c.audit = logOf(120, queries);
        c.noFormat = true;
        assertThat(CommandOutput.of(c::execute).lines().toList()).as("a script's output: records alone").hasSize(50)
                .allSatisfy(l -> assertThat(l).contains("\t"));
    }

    /**
     * The list cuts a payload longer than 80 characters to 77 and "...": cut by UTF-16 units, a
     * character written as two (an emoji in a contract's name) was split, and its first half shown
     * escaped ({@code \ud83d}); one such character also counted twice towards the 80.
     */
    @Test
    void aLongPayloadIsCutBetweenCharactersNeverInsideOne() throws Exception {
        String emoji = "\ud83d\ude80";
        String[] payload = {"{\"contract\":\"" + "x".repeat(63) + emoji.repeat(20) + "\"}"};
        AuditCommand c = new AuditCommand();
        c.noFormat = true;
        c.audit = new RecordingAuditLog() {
            @Override
            public List<AuditEntry> entries(AuditQuery query) {
                return List.of(new AuditEntry(42, T, "placement", "karaf", Map.of(), payload[0], "a".repeat(64), "b".repeat(64)));
            }
        };
        String shown = CommandsTest.cells(CommandOutput.of(c::execute).strip()).get(5);
        assertThat(shown).doesNotContain("\\u").isEqualTo("{\"contract\":\"" + "x".repeat(63) + emoji + "...");
        payload[0] = "{" + emoji.repeat(78) + "}";
        assertThat(CommandsTest.cells(CommandOutput.of(c::execute).strip()).get(5)).as("80 characters, 158 units: kept whole")
                .isEqualTo(payload[0]);
    }

    /** A record asked for by its number is one record: the list's limit does not refuse it, whatever -n says. */
    @Test
    void aRecordAskedForByNumberIsShownWhateverTheLimit() throws Exception {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditCommand c = new AuditCommand();
        c.audit = log;
        c.seq = 42L;
        for (int limit : new int[] {0, 50, 10_001}) {
            c.limit = limit;
            assertThat(CommandOutput.of(c::execute)).startsWith("Record    42" + System.lineSeparator());
        }
    }

    @Test
    void auditListsWithFiltersAndShowsOne() throws Exception {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditCommand c = new AuditCommand();
        c.audit = log;
        c.contract = "llm";
        c.from = "2026-11-27";
        c.limit = 10;
        c.noFormat = true;
        String out = CommandOutput.of(c::execute);
        assertThat(out.lines().toList()).hasSize(1);
        assertThat(CommandsTest.cells(out.lines().findFirst().orElseThrow()))
                .containsExactly("42", "2026-11-27T10:00:00Z", "placement", "karaf", "contract=llm tenant=bank", "{\"nodes\":2}");
        AuditQuery q = log.queries.get(0);
        assertThat(q.contract()).isEqualTo("llm");
        assertThat(q.from()).isEqualTo(T.minus(Duration.ofHours(10)));
        assertThat(q.newestFirst()).isTrue();
        assertThat(q.limit()).as("one more than is shown, to tell whether more match").isEqualTo(11);

        AuditCommand one = new AuditCommand();
        one.audit = log;
        one.seq = 42L;
        assertThat(CommandOutput.of(one::execute)).contains("Record    42").contains("Payload   {\"nodes\":2}").contains("Hash      " + "b".repeat(64));
        one.seq = 7L;
        assertThatThrownBy(one::execute).hasMessage("no provenance record 7; expected the number of a record in the log (strata:audit "
                + "lists them, column SEQ)");
        AuditCommand bad = new AuditCommand();
        bad.audit = log;
        bad.from = "yesterday";
        assertThatThrownBy(bad::execute).hasMessageContaining("--from 'yesterday': expected an instant");
    }

    /**
     * A record number given with a filter showed that record whatever the filter said: -t bank 42
     * showed another tenant's record 42 as if it were bank's. The combination is refused, naming both.
     */
    @Test
    void aRecordNumberWithAFilterIsRefusedNamingBoth() {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditCommand one = new AuditCommand();
        one.audit = log;
        one.seq = 42L;
        one.tenant = "other";
        one.from = "2h";
        assertThatThrownBy(() -> CommandOutput.of(one::execute)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("record 42 with --tenant other, --from 2h: a record number shows that one record and takes no filter; "
                        + "expected either the number alone (strata:audit 42) or the filters without it, to list the records that match");
        assertThat(log.queries).as("nothing read").isEmpty();
    }

    /**
     * A tenant's user is given a record without its hashes (null: one would confirm what the record
     * withholds); the command says they are withheld and where the chain is verified, not "null".
     */
    @Test
    void aRecordWithoutItsHashesSaysTheyAreWithheld() throws Exception {
        AuditCommand one = new AuditCommand();
        one.audit = new RecordingAuditLog() {
            @Override
            public Optional<AuditEntry> entry(long seq) {
                return Optional.of(new AuditEntry(seq, T, "release", "ann", Map.of("tenant", "bank"), "{}", null, null));
            }
        };
        one.seq = 43L;
        String out = CommandOutput.of(one::execute);
        assertThat(out).contains("Prev      (withheld: the chain is verified by an administrator, strata:audit-verify)")
                .contains("Hash      (withheld: the chain is verified by an administrator, strata:audit-verify)").doesNotContain("null");
    }

    /** A time ago too long for a long, or before any instant Java holds, is refused with the bounds, not a parser's message. */
    @Test
    void aTimeAgoBeyondItsBoundsIsRefusedWithThem() throws Exception {
        for (String ago : new String[] {"99999999999999999999d", "999999999999d", "36501d", "3153600001s"}) {
            AuditCommand c = new AuditCommand();
            c.audit = new RecordingAuditLog();
            c.from = ago;
            assertThatThrownBy(c::execute).as(ago).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--from '" + ago + "': expected an instant (2026-11-27T10:00:00Z), a UTC date (2026-11-27) or a time ago"
                            + " (30m, 2h, 7d) of at most 36500 days (3153600000s, 52560000m, 876000h or 36500d)");
        }
        AuditCommand longest = new AuditCommand();
        RecordingAuditLog log = new RecordingAuditLog();
        longest.audit = log;
        longest.to = "36500d";
        longest.noFormat = true;
        CommandOutput.of(longest::execute);
        assertThat(log.queries.get(0).to()).isBefore(Instant.now().minus(Duration.ofDays(36_499)));
    }

    /** One record after the last checkpoint is "the last record", not "the last 1 records". */
    @Test
    void verifySaysTheLastRecordWhenOneIsNotYetSigned() throws Exception {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditVerifyCommand c = new AuditVerifyCommand();
        c.audit = log;
        log.report = new AuditReport(true, 201, 1, 201, "t1", "t2", 2, 200, List.of("0123456789abcdef"), 0, null, Duration.ofMillis(12));
        assertThat(CommandOutput.of(c::execute)).contains("The chain holds; the last record is chained, not yet signed.");
    }

    @Test
    void verifyNamesTheFirstFailingRecord() throws Exception {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditVerifyCommand c = new AuditVerifyCommand();
        c.audit = log;
        log.report = new AuditReport(true, 250, 1, 250, "t1", "t2", 2, 200, List.of("0123456789abcdef"), 0, null, Duration.ofMillis(12));
        assertThat(CommandOutput.of(c::execute)).contains("Checkpoints  2 verified, signed through record 200 by key 0123456789abcdef")
                .contains("The chain holds; the last 50 records are chained, not yet signed.");
        log.report = new AuditReport(false, 56, 1, 56, "t1", "t2", 0, 0, List.of(), 57, "record 57: record 57 does not match its hash",
                Duration.ofMillis(3));
        CommandOutput.Failure failed = CommandOutput.ofFailing(c::execute);
        assertThat(failed.output()).contains("Records      56 (1..56), t1 .. t2")
                .contains("FAILED at record 57: record 57: record 57 does not match its hash");
        assertThat(failed.thrown()).isInstanceOf(IllegalStateException.class)
                .hasMessage("the provenance log does not verify: record 57 is the first that fails (record 57: record 57 does not match its hash)");
    }

    /**
     * The times, key ids and failure of a verification come from the stored log, which someone who
     * reaches the database can edit: a record's time carrying an escape sequence or a line break
     * reached the operator's terminal as it was (a screen cleared, a forged "The chain holds." line).
     */
    @Test
    void verifyShowsWhatComesFromTheLogEscaped() throws Exception {
        RecordingAuditLog log = new RecordingAuditLog();
        AuditVerifyCommand c = new AuditVerifyCommand();
        c.audit = log;
        String evil = "2026\u001b[2J\r\nThe chain holds.\u202e";
        String shown = "2026\\x1b[2J\\x0d The chain holds.\\u202e";
        log.report = new AuditReport(true, 250, 1, 250, evil, evil, 2, 200, List.of("01234567\u001b[8m"), 0, null, Duration.ofMillis(12));
        String out = CommandOutput.of(c::execute);
        assertThat(out).doesNotContain("\u001b", "\r", "\u202e").contains("Records      250 (1..250), " + shown + " .. " + shown)
                .contains("by key 01234567\\x1b[8m");
        assertThat(out.lines()).hasSize(4);

        log.report = new AuditReport(false, 56, 1, 56, evil, evil, 0, 0, List.of(), 57, "record 57: " + evil, Duration.ofMillis(3));
        CommandOutput.Failure failed = CommandOutput.ofFailing(c::execute);
        assertThat(failed.output()).doesNotContain("\u001b", "\r", "\u202e").contains("FAILED at record 57: record 57: " + shown);
        assertThat(failed.output().lines()).hasSize(4);
        assertThat(failed.thrown().getMessage()).doesNotContain("\u001b", "\r", "\n", "\u202e").endsWith("(record 57: " + shown + ")");
    }

    /**
     * {@code --key FILE} verifies trusting only the keys in the auditor's files (read on the server,
     * a relative path from the instance folder), and says so; without it, the log's own keys are
     * trusted. A file that is not there is named before anything is verified.
     */
    @Test
    void verifyWithKeysTrustsOnlyTheKeysInTheFilesGiven(@org.junit.jupiter.api.io.TempDir Path instance) throws Exception {
        java.nio.file.Files.writeString(instance.resolve("auditor.pem"), "-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY-----\n");
        java.nio.file.Files.writeString(instance.resolve("second.pem"), "-----BEGIN PUBLIC KEY-----\nB\n-----END PUBLIC KEY-----\n");
        RecordingAuditLog log = new RecordingAuditLog();
        log.report = new AuditReport(true, 250, 1, 250, "t1", "t2", 2, 250, List.of("0123456789abcdef"), 0, null, Duration.ofMillis(12));
        AuditVerifyCommand c = new AuditVerifyCommand();
        c.audit = log;
        String before = System.getProperty("karaf.base");
        System.setProperty("karaf.base", instance.toString());
        try {
            assertThat(CommandOutput.of(c::execute)).doesNotContain("Trusted").contains("The chain holds.");
            assertThat(log.trustedKeysPem).isNull();

            c.keyFiles = List.of("auditor.pem", instance.resolve("second.pem").toString());
            assertThat(CommandOutput.of(c::execute)).contains("Trusted      only the keys in " + instance.resolve("auditor.pem") + ", "
                    + instance.resolve("second.pem")).contains("The chain holds.");
            assertThat(log.trustedKeysPem).contains("\nA\n", "\nB\n");

            log.trustedKeysPem = null;
            c.keyFiles = List.of("missing.pem");
            assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--key " + instance.resolve("missing.pem") + " is not a file; expected a file of Ed25519 public keys in PEM, "
                            + "as strata:audit-export --public-key writes them");
            assertThat(log.trustedKeysPem).as("nothing verified").isNull();
        } finally {
            if (before == null) {
                System.clearProperty("karaf.base");
            } else {
                System.setProperty("karaf.base", before);
            }
        }
    }

    /**
     * A {@code --key} file is read to 1 MiB at most, as the offline verifier reads one, and a larger
     * one is refused naming it and the bound before anything is verified; before, it was read whole
     * into memory whatever its size.
     */
    @Test
    void aKeyFileLargerThanOneMebibyteIsRefusedBeforeAnythingIsVerified(@org.junit.jupiter.api.io.TempDir Path instance) throws Exception {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(instance.resolve("huge.pem").toFile(), "rw")) {
            f.setLength((1 << 20) + 1);
        }
        RecordingAuditLog log = new RecordingAuditLog();
        log.report = new AuditReport(true, 250, 1, 250, "t1", "t2", 2, 250, List.of("0123456789abcdef"), 0, null, Duration.ofMillis(12));
        AuditVerifyCommand c = new AuditVerifyCommand();
        c.audit = log;
        c.keyFiles = List.of(instance.resolve("huge.pem").toString());
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--key " + instance.resolve("huge.pem") + " is larger than 1 MiB, the most read of a key file; expected "
                        + "Ed25519 public keys in PEM, 113 bytes each");
        assertThat(log.trustedKeysPem).as("nothing verified").isNull();
    }

    /** The log id and key ids of an export come from the store, which may have been edited: shown escaped, as the log's records are. */
    @Test
    void exportShowsTheStoredLogIdAndKeyIdsEscaped(@org.junit.jupiter.api.io.TempDir Path instance) throws Exception {
        AuditExportCommand c = new AuditExportCommand();
        RecordingAuditLog log = new RecordingAuditLog();
        log.keyIds = List.of("0123\u001b[8m");
        log.logId = "log-1\u001b]0;owned\u0007\r\nExported 0";
        c.audit = log;
        c.file = instance.resolve("audit.jsonl").toString();
        c.publicKey = instance.resolve("keys.pem").toString();
        String out = CommandOutput.of(c::execute);
        assertThat(out).doesNotContain("\u001b", "\u0007", "\r")
                .contains("of log log-1\\x1b]0;owned\\x07\\x0d Exported 0 to ", "Public keys 0123\\x1b[8m: ");
        assertThat(out.lines()).hasSize(3);
    }

    /**
     * Says where it wrote and how to verify. A relative path is taken from the instance folder
     * (karaf.base), as the command's help says: it was taken from the server's working directory,
     * wherever bin/strata start happened to run, and printed relative.
     */
    @Test
    void exportSaysWhereAndHowToVerify(@org.junit.jupiter.api.io.TempDir Path instance) throws Exception {
        AuditExportCommand c = new AuditExportCommand();
        c.audit = new RecordingAuditLog();
        c.file = "audit.jsonl";
        c.publicKey = "keys.pem";
        String before = System.getProperty("karaf.base");
        System.setProperty("karaf.base", instance.toString());
        try {
            assertThat(CommandOutput.of(c::execute))
                    .contains("Exported 250 records and 3 checkpoints of log log-1 to " + instance.resolve("audit.jsonl"))
                    .contains("Verify offline: bin/strata audit-verify " + instance.resolve("audit.jsonl") + " --key " + instance.resolve("keys.pem"));
            c.file = "/tmp/elsewhere/audit.jsonl";
            assertThat(CommandOutput.of(c::execute)).contains("log log-1 to /tmp/elsewhere/audit.jsonl");
            // the counts in ASCII digits whatever the JVM's locale (an Arabic one wrote them in its own)
            assertThat(CommandOutput.inLocale("ar-EG", c::execute)).contains("Exported 250 records and 3 checkpoints of log log-1 to ");
        } finally {
            if (before == null) {
                System.clearProperty("karaf.base");
            } else {
                System.setProperty("karaf.base", before);
            }
        }
    }

    @Test
    void clusterShowsLeaderAndInstances() throws Exception {
        ClusterCommand c = new ClusterCommand();
        c.cluster = () -> new ClusterStatus("postgresql jdbc:postgresql://db:5432/strata", true, "strata-b", "strata-a", "a.example:8101", T, 3,
                List.of(new ClusterInstance("strata-a", "a.example:8101", "leader", T, T.plusSeconds(60), true),
                        new ClusterInstance("strata-b", "b.example:8101", "follower", T, T.plusSeconds(60), true)));
        String out = CommandOutput.of(c::execute);
        assertThat(out).contains("Leader    strata-a at a.example:8101 since 2026-11-27T10:00:00Z, epoch 3")
                .contains("strata-b (this) | b.example:8101 | follower | yes");
        ClusterCommand none = new ClusterCommand();
        assertThatThrownBy(none::execute).hasMessageContaining("the Strata state store is not running");
        assertThat(out).as("nothing refused, nothing said").doesNotContain("Writes");
    }

    /**
     * An instance that refuses every write for a reason of its own (its mode lock not held, an instance of the other mode on
     * the database) says so, and why; its Leader line said "none (election under way)" beside it, though it does not lead
     * while it refuses writes and no election succeeds while the other mode runs, and now says so.
     */
    @Test
    void clusterSaysWhyThisInstanceRefusesWrites() throws Exception {
        ClusterCommand c = new ClusterCommand();
        String why = "instance strata-a refuses writes with highAvailability = true on the state store at jdbc:postgresql://db:5432/strata: "
                + "the connection holding its mode was lost, and meanwhile instance strata-c runs on it with highAvailability = false";
        c.cluster = () -> new ClusterStatus("postgresql jdbc:postgresql://db:5432/strata", true, "strata-a", null, null, null, 0,
                List.of(new ClusterInstance("strata-a", "a.example:8101", "follower", T, T.plusSeconds(60), true)), why);
        String out = CommandOutput.of(c::execute);
        assertThat(out).contains("Leader    none, and not an election under way: this instance does not lead while it refuses writes "
                + "(see Writes below)\nThis      strata-a\nWrites    refused: " + why + "\n").doesNotContain("election under way)");

        // refusing nothing, an instance that sees no leader still says an election is under way
        c.cluster = () -> new ClusterStatus("postgresql jdbc:postgresql://db:5432/strata", true, "strata-a", null, null, null, 0,
                List.of(new ClusterInstance("strata-a", "a.example:8101", "follower", T, T.plusSeconds(60), true)));
        assertThat(CommandOutput.of(c::execute)).contains("Leader    none (election under way)\nThis      strata-a\n").doesNotContain("Writes");
    }

    /**
     * PostgreSQL with highAvailability = false lets several instances share the database, each
     * writing, none elected; strata:cluster said "single instance (no election)" and named this
     * instance the leader, as if it were alone and led the others. It now names the shared writers'
     * mode, says that no leader is elected and why only this instance is listed; the embedded store,
     * which one process alone opens, is still a single instance.
     */
    @Test
    void clusterNamesTheSharedWritersModeOnPostgresqlWithoutHighAvailability() throws Exception {
        ClusterCommand c = new ClusterCommand();
        c.cluster = () -> new ClusterStatus("postgresql jdbc:postgresql://db:5432/strata, installation i-1", false, "strata-b", "strata-b",
                "b.example:8101", T, 0, List.of(new ClusterInstance("strata-b", "b.example:8101", "leader", T, T.plusSeconds(60), true)));
        String out = CommandOutput.of(c::execute);
        assertThat(out).doesNotContain("single instance")
                .contains("Mode      shared writers (highAvailability = false): every instance on this database writes, no leader is "
                        + "elected; instances without an election are not tracked, so only this one is listed" + System.lineSeparator())
                .contains("Leader    none elected: every instance acts as one (this one since 2026-11-27T10:00:00Z)" + System.lineSeparator())
                .contains("strata-b (this) | b.example:8101 | leader");

        c.cluster = () -> new ClusterStatus("embedded (H2) /data/strata/store.mv.db, installation i-1", false, "strata-a", "strata-a",
                "a.example:8101", T, 0, List.of(new ClusterInstance("strata-a", "a.example:8101", "leader", T, T.plusSeconds(60), true)));
        assertThat(CommandOutput.of(c::execute)).contains("Mode      single instance (no election)" + System.lineSeparator())
                .contains("Leader    strata-a at a.example:8101 since 2026-11-27T10:00:00Z" + System.lineSeparator());
    }

    /**
     * strata:cluster tells the modes apart by {@link ClusterStatus#mode()}, which the store fills. Before, it told the shared
     * writers from the embedded store by the description's prefix {@code "postgresql "}: a store described otherwise
     * (here {@code "PostgreSQL ..."}) showed as a single instance and named the leader.
     */
    @Test
    void clusterTellsTheModesApartByTheStatusModeNotByTheStoreDescription() throws Exception {
        ClusterCommand c = new ClusterCommand();
        c.cluster = () -> new ClusterStatus("PostgreSQL 16 at db:5432/strata, installation i-1", false, "strata-b", "strata-b",
                "b.example:8101", T, 0, List.of(new ClusterInstance("strata-b", "b.example:8101", "leader", T, T.plusSeconds(60), true)),
                null, ClusterMode.SHARED_WRITERS);
        String out = CommandOutput.of(c::execute);
        assertThat(out).doesNotContain("single instance")
                .contains("Mode      " + ClusterCommand.SHARED_WRITERS + System.lineSeparator())
                .contains("Leader    none elected: every instance acts as one (this one since 2026-11-27T10:00:00Z)" + System.lineSeparator());

        c.cluster = () -> new ClusterStatus("H2 file /data/strata/store.mv.db, installation i-1", false, "strata-a", "strata-a",
                "a.example:8101", T, 0, List.of(new ClusterInstance("strata-a", "a.example:8101", "leader", T, T.plusSeconds(60), true)),
                null, ClusterMode.EMBEDDED);
        assertThat(CommandOutput.of(c::execute)).contains("Mode      single instance (no election)" + System.lineSeparator())
                .contains("Leader    strata-a at a.example:8101 since 2026-11-27T10:00:00Z" + System.lineSeparator())
                .doesNotContain("shared writers");
    }
}
