package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handle whose operation the journal does not record (it outlived its record), naming a node
 * that another operation holds now: its machine is gone, and nothing is sent to the BMC. The BMC
 * is a {@link StandInRedfish}, which counts the requests that reach it. Before, the provider
 * worked from the handle alone: a delete powered off the other operation's machine, and a
 * describe reported that machine as the handle's, running.
 */
class BmcStaleHandleTest {

    static final String SYSTEM = StandInProvisioning.SYSTEM;

    @TempDir
    Path dir;
    StandInProvisioning bmc;
    StandInRedfish endpoint;
    OperationJournal journal;
    BmcProvisioner provisioner;

    @BeforeEach
    void start() {
        bmc = new StandInProvisioning("stale", dir);
        endpoint = bmc.endpoint;
        journal = bmc.journal;
        provisioner = bmc.provisioner;
        Instant at = Instant.now().minusSeconds(60);
        journal.put(new Operation("op-now", "d2", "m1", "t1", "node-1", "rack1", SYSTEM, "pxe", null, "force",
                Operation.Phase.RUNNING, PowerAction.ON, at, at, at, null));
    }

    @AfterEach
    void stop() {
        bmc.close();
    }

    private static MachineHandle stale() {
        return new MachineHandle(BmcProvider.ID, "node-1", Map.of(BmcProvisioner.BMC, "rack1", BmcProvisioner.SYSTEM, SYSTEM,
                BmcProvisioner.OPERATION, "op-before"));
    }

    @Test
    void aDeleteOfAStaleHandleLeavesTheMachineOfTheOperationHoldingTheNode() {
        MachineStatus status = provisioner.delete(stale(), DiscoveryContext.withTimeout("delete", Duration.ofSeconds(5)));

        assertThat(status.state()).isEqualTo(MachineState.GONE);
        assertThat(status.attributes().get("note")).contains("held by operation op-now");
        assertThat(endpoint.requests()).as("requests that reached the BMC").isZero();
        assertThat(journal.get("op-now").orElseThrow().phase()).as("the holder's record").isEqualTo(Operation.Phase.RUNNING);
    }

    /**
     * A handle without a record, and a record, naming a BMC that is not configured, its name holding an escape sequence, a line
     * break and a direction override (a handle or record edited from outside: the configuration refuses such a name): the
     * refusal quotes the name printable, in the exception's message and in the {@code bmc.error} of the machine's line, and
     * nothing reaches a BMC for the handle. Before, the name was quoted as it was stored, and its escape sequence reached the log and the shell.
     */
    @Test
    void aBmcNameFromAHandleOrARecordIsQuotedPrintable() {
        String name = "gone\u001b[2J\nforged\u202e";
        String shown = "gone\\u001b[2J\\u000aforged\\u202e";
        MachineHandle handle = new MachineHandle(BmcProvider.ID, "node-2", Map.of(BmcProvisioner.BMC, name, BmcProvisioner.SYSTEM, SYSTEM,
                BmcProvisioner.OPERATION, "op-unrecorded"));
        assertThatThrownBy(() -> provisioner.describe(handle, DiscoveryContext.withTimeout("look", Duration.ofSeconds(5))))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("BMC " + shown + " of node node-2 is not configured any more")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b", "\n", "\u202e"));
        assertThat(endpoint.requests()).as("requests that reached the BMC").isZero();

        Instant at = Instant.now().minusSeconds(60);
        journal.put(new Operation("op-elsewhere", "d3", "m1", "t1", "node-3", name, SYSTEM, "pxe", null, "force",
                Operation.Phase.RUNNING, PowerAction.ON, at, at, at, null));
        MachineStatus line = provisioner.machines(DiscoveryContext.withTimeout("list", Duration.ofSeconds(5))).stream()
                .filter(s -> s.handle().machineId().equals("node-3")).findFirst().orElseThrow();
        assertThat(line.attributes().get(NodeTemplate.ERROR)).contains("BMC " + shown + " of node node-3").doesNotContain("\u001b", "\n", "\u202e");
    }

    /**
     * Handles without a journal record whose operation id and node id hold an escape sequence and a line break (a handle the
     * core stored, edited from outside): the warnings that no record is there, for a node another operation holds now and for
     * one worked from the handle alone, quote both ids printable. Before, they were logged as given: the line break forged a
     * line of the log, and the escape sequence reached the terminal that shows it.
     */
    @Test
    void theIdsOfAHandleWithoutARecordAreLoggedPrintable() {
        String operation = "op-\u001b[31m\nforged";
        String shownOperation = "op-\\u001b[31m\\u000aforged";
        String held = "node-4\u001b[2J\nforged";
        Instant at = Instant.now().minusSeconds(60);
        journal.put(new Operation("op-holder", "d4", "m1", "t1", held, "rack1", SYSTEM, "pxe", null, "force",
                Operation.Phase.RUNNING, PowerAction.ON, at, at, at, null));
        String alone = "node-5\u001b]0;title\u0007\nforged";
        try (StderrCapture log = new StderrCapture()) {
            MachineStatus gone = provisioner.describe(new MachineHandle(BmcProvider.ID, held, Map.of(BmcProvisioner.BMC, "rack1",
                    BmcProvisioner.SYSTEM, SYSTEM, BmcProvisioner.OPERATION, operation)), DiscoveryContext.withTimeout("look", Duration.ofSeconds(5)));
            assertThat(gone.state()).isEqualTo(MachineState.GONE);
            provisioner.describe(new MachineHandle(BmcProvider.ID, alone, Map.of(BmcProvisioner.BMC, "rack1", BmcProvisioner.SYSTEM, SYSTEM,
                    BmcProvisioner.OPERATION, operation)), DiscoveryContext.withTimeout("look", Duration.ofSeconds(5)));

            List<String> warnings = log.text().lines().filter(l -> l.contains("WARN") && l.contains("No journal record of operation")).toList();
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(0)).contains("No journal record of operation " + shownOperation + " on node-4\\u001b[2J\\u000aforged, "
                    + "which operation op-holder holds now");
            assertThat(warnings.get(1)).contains("No journal record of operation " + shownOperation + " on node-5\\u001b]0;title\\u0007"
                    + "\\u000aforged; working from the handle alone");
            assertThat(log.text()).doesNotContain("\u001b", "\u0007").satisfies(t -> assertThat(t.lines()).noneMatch(l -> l.startsWith("forged")));
        }
    }

    /**
     * A handle's ids in what the provisioner answers of it: the refusal of another provider's handle, the refusal of a
     * handle that names no BMC and system, and the note of a machine gone because another operation holds its node now,
     * each with a control or format character in an id, show it as its escape (the note in the status's {@code note}). Before, they were quoted as the handle
     * held them, where the log lines about the same handle were already printable.
     */
    @Test
    void theIdsOfAHandleAreShownPrintableInRefusalsAndNotes() {
        DiscoveryContext look = DiscoveryContext.withTimeout("look", Duration.ofSeconds(5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provisioner.describe(new MachineHandle("other\u001b[2J", "m\nforged",
                Map.of()), look)).isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessageContaining("machine m\\u000aforged belongs to provider other\\u001b[2J, not ");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provisioner.describe(new MachineHandle(BmcProvider.ID, "m\u202e",
                Map.of(BmcProvisioner.OPERATION, "op-\u001b[31m")), look)).isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessage("machine m\\u202e: the handle names no BMC and system, and no operation op-\\u001b[31m is recorded");
        String held = "node-6\u001b[2J\nforged";
        Instant at = Instant.now().minusSeconds(60);
        journal.put(new Operation("op-\u0007holder", "d4", "m1", "t1", held, "rack1", SYSTEM, "pxe", null, "force",
                Operation.Phase.RUNNING, PowerAction.ON, at, at, at, null));
        MachineStatus gone = provisioner.describe(new MachineHandle(BmcProvider.ID, held, Map.of(BmcProvisioner.BMC, "rack1",
                BmcProvisioner.SYSTEM, SYSTEM, BmcProvisioner.OPERATION, "op-gone")), look);
        assertThat(gone.state()).isEqualTo(MachineState.GONE);
        assertThat(gone.attributes().get("note")).contains("node node-6\\u001b[2J\\u000aforged is held by operation op-\\u0007holder now")
                .doesNotContain("\u001b", "\u0007", "\n");
    }

    @Test
    void aDescribeOfAStaleHandleDoesNotReportTheOtherOperationsMachine() {
        MachineStatus status = provisioner.describe(stale(), DiscoveryContext.withTimeout("look", Duration.ofSeconds(5)));

        assertThat(status.state()).isEqualTo(MachineState.GONE);
        assertThat(endpoint.requests()).as("requests that reached the BMC").isZero();
    }
}
