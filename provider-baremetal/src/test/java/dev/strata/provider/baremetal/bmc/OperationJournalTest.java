package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.testkit.MemoryJournal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record file named other than its operation id gives (a copy an operator made, {@code op-… copy.json}, or a rename)
 * is taken as a record that cannot be read: of two files of one operation, the one read last would stand, perhaps an
 * older phase of it. Before, both were read and the directory's order decided. The journal refuses every use, naming
 * the file, until it is removed; then the operation's own record stands.
 */
class OperationJournalTest {

    @Test
    void aRecordFileNamedOtherThanItsOperationIdGivesRefusesTheJournalUntilItIsRemoved(@TempDir Path dir) throws Exception {
        Instant now = Instant.parse("2026-12-06T01:00:00Z");
        new OperationJournal(dir).put(new Operation("op-1", "dep-1", "m", "t", "node-7", "bmc-7", "/redfish/v1/Systems/7", "pxe", null,
                "force", Operation.Phase.POWER_SENT, PowerAction.ON, now, now, now, null));
        Path own = dir.resolve(OperationJournal.fileName("op-1"));
        Path copy = dir.resolve("op-1 copy.json");
        Files.copy(own, copy);

        OperationJournal reopened = new OperationJournal(dir);
        assertThatThrownBy(() -> reopened.get("op-1")).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(copy + " (its operation id gives the name " + OperationJournal.fileName("op-1") + ", not this one")
                .hasMessageContaining("nothing was sent to the BMC");

        Files.delete(copy);
        assertThat(reopened.get("op-1")).hasValueSatisfying(op -> assertThat(op.phase()).isEqualTo(Operation.Phase.POWER_SENT));
    }

    /**
     * A damaged record's value is quoted in the refusal as the API shows a configured value: a NUL,
     * an ESC, a line separator and a lone surrogate each as a backslash, u and four hex digits, so
     * the message tells what the file holds and none of it forges a log line or drives a terminal.
     * Before, the control characters were '?', and the separator and the surrogate went through.
     */
    @Test
    void aDamagedRecordsValueIsShownEscaped(@TempDir Path dir) throws Exception {
        Instant now = Instant.parse("2026-12-06T01:00:00Z");
        new OperationJournal(dir).put(new Operation("op-1", "dep-1", "m", "t", "node-7", "bmc-7", "/redfish/v1/Systems/7", "pxe", null,
                "force", Operation.Phase.POWER_SENT, PowerAction.ON, now, now, now, null));
        Path own = dir.resolve(OperationJournal.fileName("op-1"));
        String record = Files.readString(own);
        assertThat(record).contains("\"POWER_SENT\"");
        Files.writeString(own, record.replace("\"POWER_SENT\"", "\"POWER\\u0000\\u001b[2J\\u2028\\ud800\""));

        OperationJournal reopened = new OperationJournal(dir);
        assertThatThrownBy(() -> reopened.get("op-1")).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("phase 'POWER\\u0000\\u001b[2J\\u2028\\ud800', none of [");
    }

    /**
     * A record file's name is the directory's, and may hold any character: the refusal names a file
     * whose name holds a line break, an ESC and a line separator as the API shows a configured value,
     * each as a backslash, u and four hex digits, so none of it forges a log line or drives a
     * terminal. Before, the path went into the message as it was.
     */
    @Test
    void anUnreadableRecordFilesPathIsShownEscaped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("op-1\nINFO forged\u001b[2J\u2028.json"), "{}");

        OperationJournal reopened = new OperationJournal(dir);
        assertThatThrownBy(() -> reopened.get("op-1")).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("a record that cannot be read: " + dir + "/op-1\\u000aINFO forged\\u001b[2J\\u2028.json (no operationId);")
                .hasMessageNotContaining("\n").hasMessageNotContaining("\u001b").hasMessageNotContaining("\u2028");
    }

    /**
     * The core's journal names where it keeps the records (its store's kind and data directory),
     * and a directory's name may hold any character: a record there that cannot be read is refused
     * naming that place with a line break, an ESC and a line separator shown as the API shows a
     * configured value, each as a backslash, u and four hex digits, as a record file's path already
     * is. Before, the place went into the message as it was, and a line break forged a line of the log.
     */
    @Test
    void anUnreadableRecordInTheCoresJournalNamesItsPlaceEscaped(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectory(dir.resolve("data\nINFO forged\u001b[2J\u2028"));
        MemoryJournal store = new MemoryJournal() {
            @Override
            public String location() {
                return "embedded H2 " + data;
            }
        };
        store.put("bmc", "op-1", "{}");
        OperationJournal journal = OperationJournal.inStateStore(dir.resolve("legacy"));
        journal.attach(store, "bmc");

        assertThatThrownBy(() -> journal.get("op-1")).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the BMC operation record in embedded H2 " + dir + "/data\\u000aINFO forged\\u001b[2J\\u2028 cannot be read: "
                        + "no operationId");
    }

    /**
     * A record in the core's journal that is not JSON is refused without the parser's quote of it: a
     * record may hold a virtual media URL whose signed query is a credential, and Jackson's message
     * quotes the text it could not read (with a line break), which went into the message as it was.
     * It is cut as a record file's problem is, its position kept.
     */
    @Test
    void aRecordInTheCoresJournalThatIsNotJsonIsRefusedWithoutQuotingIt(@TempDir Path dir) throws Exception {
        MemoryJournal store = new MemoryJournal();
        store.put("bmc", "op-1", "{\"operationId\": \"op-1\", \"media\": \"https://m.example/i.iso?X-Amz-Signature=abc123secret\" oops");
        OperationJournal journal = OperationJournal.inStateStore(dir.resolve("legacy"));
        journal.attach(store, "bmc");

        assertThatThrownBy(() -> journal.get("op-1")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("cannot be read: not JSON: ").hasMessageContaining(" at line 1, column ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("abc123secret").doesNotContain("oops").doesNotContain("\n"));
    }
}
