package dev.strata.provider.nvidia;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU check run against a replayed nvidia-smi (this machine has no NVML: the check is incomplete). */
class GpuCheckTest {

    @Test
    void printsWhatNvidiaSmiShowsAndFailsWithoutNvml(@TempDir Path dir) throws Exception {
        Path smi = FakeNvidiaSmi.replaying(dir, Fixtures.nvidia("h200-vm"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int status = GpuCheck.run(new String[] {"--nvidia-smi", smi.toString(), "--nvml", "/nonexistent/libnvidia-ml.so.1",
            "--timeout", "20s"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(status).as(out).isEqualTo(2);
        assertThat(out).contains("NVML discovery failed: SourceUnavailableException")
                .containsPattern("GPU0 +memory +143771 MiB +- +143771 MiB +DIFFERENT")
                .containsPattern("GPU0 +compute capability +- +- +9.0")
                .contains("nvidia-smi discovery cold")
                .contains("1g.18gb(id 19, 7 x, 16.000 GiB, 16 SM, 1/7, [0, 1, 2, 3, 4, 5, 6]:1)")
                .contains("result: INCOMPLETE");
    }

    @Test
    void rejectsUnknownArguments() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(GpuCheck.run(new String[] {"--frobnicate"}, new PrintStream(bytes, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("usage: GpuCheck");
    }
}
