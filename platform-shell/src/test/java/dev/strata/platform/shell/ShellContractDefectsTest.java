package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.telemetry.GpuSample;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the README promises of every strata:* command (exit status, --no-format, what a value shows), where a command did not keep it. */
class ShellContractDefectsTest {

    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

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
}
