package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The steps an operation keeps: their form, their survival in the journal, and image URLs without their query. */
class OperationStepsTest {

    @TempDir
    Path dir;

    @Test
    void stepsAreKeptInOrderWithTheirTimeAndSurviveTheJournal() {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        Operation op = new Operation("op-1", "d-1", "m", "t", "bmc:n", "sushy", "/redfish/v1/Systems/1", "pxe", null, "force",
                Operation.Phase.CLAIMED, null, null, t0, t0, null);
        assertThat(op.steps()).isEmpty();
        op = op.withStep("boot-override-set", "pxe once", t0.plusSeconds(1)).with(Operation.Phase.BOOT_SET, t0.plusSeconds(1))
                .withPower(Operation.Phase.POWER_SENT, PowerAction.ON, t0.plusSeconds(2), t0.plusSeconds(2))
                .withStep("power-requested", "On", t0.plusSeconds(2)).withNote("a note", t0.plusSeconds(3));
        assertThat(op.steps()).containsExactly("2026-12-01T10:00:01Z boot-override-set pxe once", "2026-12-01T10:00:02Z power-requested On");

        new OperationJournal(dir).put(op);
        Operation read = new OperationJournal(dir).get("op-1").orElseThrow();
        assertThat(read).isEqualTo(op);
        assertThat(read.steps()).isEqualTo(op.steps());
    }

    @Test
    void aRecordWrittenBeforeStepsExistedReadsWithNone() throws Exception {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        new OperationJournal(dir).put(new Operation("op-old", null, null, null, "bmc:n", "sushy", "/s/1", "pxe", null, "force",
                Operation.Phase.RUNNING, PowerAction.ON, t0, t0, t0, null, List.of()));
        String file = java.nio.file.Files.readString(dir.resolve(OperationJournal.fileName("op-old")));
        assertThat(file).doesNotContain("steps");
        assertThat(new OperationJournal(dir).get("op-old").orElseThrow().steps()).isEmpty();
    }

    @Test
    void anImageUrlIsShownWithoutItsQuery() {
        assertThat(BmcProvisioner.withoutQuery("http://images/x.iso")).isEqualTo("http://images/x.iso");
        assertThat(BmcProvisioner.withoutQuery("https://images/x.iso?X-Amz-Signature=abc&X-Amz-Credential=AKIA"))
                .isEqualTo("https://images/x.iso (query omitted)");
        assertThat(BmcProvisioner.withoutQuery("https://images/x.iso#token=abc")).isEqualTo("https://images/x.iso (query omitted)");
    }
}
