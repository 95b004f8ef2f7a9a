package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.audit.AuditEntry;
import dev.strata.platform.api.cluster.ClusterInstance;
import dev.strata.platform.api.cluster.ClusterStatus;
import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.telemetry.GpuSample;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every time a command shows is UTC to the millisecond, as the provenance log records times,
 * whatever precision the service handed over: a single instance's leader start (the store's open,
 * from the clock) was shown with its micro- or nanoseconds beside the same instant from the
 * database in milliseconds.
 */
class TimesShownTest {

    /** An instant with nanoseconds, as a clock reading holds it. */
    private static final Instant FINE = Instant.parse("2026-12-01T10:00:00.412345678Z");
    private static final String SHOWN = "2026-12-01T10:00:00.412Z";

    @Test
    void aTimeIsShownToTheMillisecond() {
        assertThat(Format.time(FINE)).isEqualTo(SHOWN);
        assertThat(Format.time(Instant.parse("2026-12-01T10:00:00.400999Z"))).as("cut, not rounded").isEqualTo("2026-12-01T10:00:00.400Z");
        assertThat(Format.time(Instant.parse("2026-12-01T10:00:00Z"))).as("a whole second, as before").isEqualTo("2026-12-01T10:00:00Z");
        assertThat(Format.time(null)).isEqualTo("-");
    }

    /** strata:audit --from 1h --to 2h: the times it counted back from now, a clock reading, are shown to the millisecond. */
    @Test
    void auditShowsTheTimesItCountedBackToTheMillisecond() {
        AuditCommand c = new AuditCommand();
        c.audit = new AuditAndClusterCommandsTest.RecordingAuditLog();
        c.from = "1h";
        c.to = "2h";
        String time = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z";
        org.assertj.core.api.Assertions.assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .message().matches("--from 1h \\(" + time + "\\) is not before --to 2h \\(" + time + "\\); expected .*");
    }

    /** strata:cluster of a single instance: the leader's start is the store's open, a clock reading; the table's is the database's. */
    @Test
    void clusterShowsTheLeadersStartAsItsInstanceRowDoes() throws Exception {
        ClusterCommand c = new ClusterCommand();
        c.cluster = () -> new ClusterStatus("embedded (H2) /data/strata/store", false, "strata-a", "strata-a", "a.example:8101", FINE, 0,
                List.of(new ClusterInstance("strata-a", "a.example:8101", "leader", FINE, FINE.plusSeconds(60), true)));
        String out = CommandOutput.of(c::execute);
        assertThat(out).contains("Leader    strata-a at a.example:8101 since " + SHOWN + "\n")
                .contains("| " + SHOWN + " | 2026-12-01T10:01:00.412Z").doesNotContain(".412345678");
        c.noFormat = true;
        assertThat(CommandsTest.cells(CommandOutput.of(c::execute).strip()))
                .containsExactly("strata-a (this)", "a.example:8101", "leader", "yes", SHOWN, "2026-12-01T10:01:00.412Z");
    }

    @Test
    void commitmentsAuditDeploymentAllocationsAndGpuSamplesShowTimesToTheMillisecond() throws Exception {
        CommitmentsCommand commitments = new CommitmentsCommand();
        commitments.commitments = new CommitmentsCommandTest.Verifier(new Commitment("a-000001", "web", "t1", CommitmentStatus.HONORED, FINE,
                List.of(), 12));
        commitments.noFormat = true;
        assertThat(CommandsTest.cells(CommandOutput.of(commitments::execute).strip())).contains(SHOWN).doesNotContain(FINE.toString());
        commitments.id = "a-000001";
        assertThat(CommandOutput.of(commitments::execute)).startsWith("Allocation a-000001 of contract web, tenant t1: HONORED since " + SHOWN
                + " (inventory generation 12)");

        AuditCommand audit = new AuditCommand();
        audit.audit = new AuditAndClusterCommandsTest.RecordingAuditLog() {
            @Override
            public List<AuditEntry> entries(dev.strata.platform.api.audit.AuditQuery query) {
                return List.of(new AuditEntry(42, FINE, "placement", "karaf", Map.of("contract", "llm"), "{\"a\":1}", "a".repeat(64),
                        "b".repeat(64)));
            }
        };
        audit.noFormat = true;
        assertThat(CommandsTest.cells(CommandOutput.of(audit::execute).strip())).element(1).isEqualTo(SHOWN);
        audit.seq = 42L;
        assertThat(CommandOutput.of(audit::execute)).contains("Time      " + SHOWN + "\n");

        DeploymentCommand deployment = new DeploymentCommand();
        deployment.deployments = new DeploymentCommandsTest.RecordingDeployments() {
            @Override
            public List<DeploymentEvent> history(String id) {
                return List.of(new DeploymentEvent(7, FINE, "deployment", "alice", "requested"));
            }
        };
        deployment.id = "d-000001";
        deployment.noFormat = true;
        assertThat(CommandOutput.of(deployment::execute).lines()).contains("7\t" + SHOWN + "\tdeployment\talice\trequested");

        AllocationsCommand allocations = new AllocationsCommand();
        allocations.placement = new QuotaCommandTest.RecordingPlacement() {
            @Override
            public List<Allocation> allocations() {
                return List.of(new Allocation("a-000001", "web", "t1", 0, false, FINE, List.of()));
            }
        };
        allocations.noFormat = true;
        assertThat(CommandsTest.cells(CommandOutput.of(allocations::execute).strip())).element(9).isEqualTo(SHOWN);

        GpuCommand gpu = new GpuCommand();
        gpu.inventory = Fixtures.inventory(GpuAndPlacementCommandsTest.gpuNode());
        gpu.telemetry = GpuAndPlacementCommandsTest.telemetry(new GpuSample(GpuAndPlacementCommandsTest.UUID, FINE, 97, 60, 80L << 30, 692,
                61, 1980, Set.of(), 0, 0));
        gpu.id = GpuAndPlacementCommandsTest.UUID;
        gpu.noFormat = true;
        assertThat(CommandOutput.of(gpu::execute).lines().map(CommandsTest::cells)).anyMatch(cells -> !cells.isEmpty()
                && cells.get(0).equals(SHOWN));
    }
}
