package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.audit.AuditEntry;
import dev.strata.platform.api.audit.AuditExport;
import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.audit.AuditQuery;
import dev.strata.platform.api.audit.AuditReport;
import dev.strata.platform.api.cluster.ClusterInstance;
import dev.strata.platform.api.cluster.ClusterStatus;
import dev.strata.platform.api.telemetry.GpuSample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the README promises of every strata:* command (exit status, --no-format, what a value shows), where a command did not keep it. */
class CommandPromisesTest {

    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    /** An audit log with two records of different widths and a fixed verification report. */
    private static AuditLog log(AuditReport report) {
        return new AuditLog() {
            @Override
            public List<AuditEntry> entries(AuditQuery query) {
                return List.of(
                        new AuditEntry(42, T, "placement", "karaf", Map.of("contract", "llm"), "{\"a\":1}", "a".repeat(64), "b".repeat(64)),
                        new AuditEntry(1234567, T.plusNanos(123_456_000), "configuration", "system",
                                Map.of("configuration", "dev.strata.platform.core.placement"), "{\"nodes\":2,\"x\":\"y\"}", "c".repeat(64),
                                "d".repeat(64)));
            }

            @Override
            public Optional<AuditEntry> entry(long seq) {
                return Optional.empty();
            }

            @Override
            public AuditReport verify() {
                return report;
            }

            @Override
            public AuditReport verify(String trustedKeysPem) {
                return report;
            }

            @Override
            public AuditExport export(Path file, Path publicKeyFile) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String publicKeys() {
                return "";
            }
        };
    }

    /**
     * nvidia-smi reports an idle GPU's memory used as {@code 0 MiB} (NvmlSamples' javadoc says so), and
     * SmiSamples maps it to 0 bytes. strata:gpus and strata:gpu show "-" for
     * a value the GPU does not report (negative), and showed the 0 it does report as the same "-".
     */
    @Test
    void anIdleGpuWithNothingInMemoryShowsZeroUsedNotUnknown() throws Exception {
        GpusCommand command = new GpusCommand();
        command.inventory = Fixtures.inventory(GpuAndPlacementCommandsTest.gpuNode());
        // the captured idle H200: 0 %, 0 MiB used, 131.46 W, 42 C
        command.telemetry = GpuAndPlacementCommandsTest.telemetry(new GpuSample(GpuAndPlacementCommandsTest.UUID, T, 0, 0, 0L, 131.46, 42,
                1980, Set.of("GPU_IDLE"), 0, 0));
        command.noFormat = true;

        List<String> cells = CommandsTest.cells(CommandOutput.of(command::execute).lines().findFirst().orElseThrow());

        assertThat(cells.get(7)).as("UTIL").isEqualTo("0 %");
        assertThat(cells.get(8)).as("MEM USED of a GPU that reports 0 MiB used (\"-\" means not reported)").isEqualTo("0 B");

        GpuCommand detail = new GpuCommand();
        detail.inventory = command.inventory;
        detail.telemetry = command.telemetry;
        detail.id = GpuAndPlacementCommandsTest.UUID;
        detail.noFormat = true;
        assertThat(CommandOutput.of(detail::execute).lines().map(CommandsTest::cells)).as("strata:gpu's latest samples")
                .contains(List.of("2026-11-27T10:00:00Z", "0 %", "0 %", "0 B", "131 W", "42 C", "1980 MHz", "GPU_IDLE", "0", "0"));

        // a GPU that does not report its memory used (negative) still shows "-"
        command.telemetry = GpuAndPlacementCommandsTest.telemetry(new GpuSample(GpuAndPlacementCommandsTest.UUID, T, 0, 0, -1L, 131.46, 42,
                1980, Set.of("GPU_IDLE"), 0, 0));
        assertThat(CommandsTest.cells(CommandOutput.of(command::execute).lines().findFirst().orElseThrow()).get(8))
                .as("MEM USED not reported").isEqualTo("-");
    }

    /**
     * README, "The shell": every command's --no-format is "one record per line, fields separated by one
     * tab, no header, no padding". strata:audit and strata:cluster printed through Karaf's ShellTable,
     * which pads each field to its column's width, so {@code cut -f1} gave "42     ".
     */
    @Test
    void auditAndClusterNoFormatFieldsAreNotPadded() throws Exception {
        AuditCommand audit = new AuditCommand();
        audit.audit = log(null);
        audit.noFormat = true;
        List<String> auditLines = CommandOutput.of(audit::execute).lines().toList();
        assertThat(auditLines).hasSize(2);
        assertThat(CommandsTest.cells(auditLines.get(0))).as("strata:audit --no-format, first record")
                .containsExactly("42", "2026-11-27T10:00:00Z", "placement", "karaf", "contract=llm", "{\"a\":1}");

        ClusterCommand cluster = new ClusterCommand();
        cluster.cluster = () -> new ClusterStatus("postgresql jdbc:postgresql://db:5432/strata", true, "strata-b", "strata-a",
                "a.example:8101", T, 3, List.of(new ClusterInstance("strata-a", "a.example:8101", "leader", T, T.plusSeconds(60), true),
                        new ClusterInstance("strata-b", "b.example:8101", "follower", T, T.plusSeconds(60), true)));
        cluster.noFormat = true;
        List<String> clusterLines = CommandOutput.of(cluster::execute).lines().toList();
        assertThat(clusterLines).hasSize(2);
        assertThat(CommandsTest.cells(clusterLines.get(0))).as("strata:cluster --no-format, first instance")
                .containsExactly("strata-a", "a.example:8101", "leader", "yes", "2026-11-27T10:00:00Z", "2026-11-27T10:01:00Z");
    }

    /**
     * README, "The shell": a command run from the system shell "returns its exit status (0, or 1 when the
     * command failed), so scripts can use it"; Karaf's client exits 1 only when the command throws. A
     * strata:audit-verify that found a record altered printed FAILED and returned normally, so
     * {@code bin/strata shell strata:audit-verify || alert} never alerted (the offline verifier exits 1).
     */
    @Test
    void auditVerifyFailsTheCommandWhenTheChainDoesNotHold() {
        AuditVerifyCommand command = new AuditVerifyCommand();
        command.audit = log(new AuditReport(false, 56, 1, 56, "t1", "t2", 0, 0, List.of(), 57, "record 57 does not match its hash",
                Duration.ofMillis(3)));

        CommandOutput.Failure failed = CommandOutput.ofFailing(command::execute);
        assertThat(failed.output()).as("the report is still printed").contains("Records      56 (1..56), t1 .. t2")
                .contains("FAILED at record 57: record 57 does not match its hash");
        assertThat(failed.thrown()).as("strata:audit-verify on a log whose record 57 was altered must fail (exit status 1), not succeed")
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the provenance log does not verify: record 57 is the first that fails (record 57 does not match its hash)");
    }
}
