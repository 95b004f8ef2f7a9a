package dev.strata.provider.nvidia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * GpuCheck's (scripts/gpu-check.sh's) own contract for wrong arguments: the usage line and exit status 2,
 * as for an unknown option. Exit status 1 means "the sources differ", which a crash (an uncaught
 * exception exits the JVM with 1) would claim.
 */
class GpuCheckArgumentsTest {

    private static final String USAGE = "usage: GpuCheck [--nvidia-smi PATH] [--nvml LIBRARY] [--timeout 60s]";

    /** GpuCheck with these arguments prints exactly this message and the usage line, and returns 2. */
    private static void assertUsageError(String message, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicInteger status = new AtomicInteger(-1);
        assertThatCode(() -> status.set(GpuCheck.run(args, out))).as("GpuCheck %s", String.join(" ", args)).doesNotThrowAnyException();
        assertThat(status.get()).as("exit status of GpuCheck %s", String.join(" ", args)).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).as("output of GpuCheck %s", String.join(" ", args))
                .containsExactly("GpuCheck: " + message, USAGE);
    }

    @Test
    void anOptionWithoutItsValueIsAUsageErrorNotACrash() {
        // "scripts/gpu-check.sh JAR_DIR --timeout" (the value forgotten)
        assertUsageError("--timeout needs a value", "--timeout");
        assertUsageError("--nvidia-smi needs a value", "--nvidia-smi");
        assertUsageError("--nvml needs a value", "--nvidia-smi", "/usr/bin/nvidia-smi", "--nvml");
    }

    @Test
    void aTimeoutThatIsNoDurationIsAUsageErrorNotACrash() {
        String expected = "expected a duration of at least 100ms, such as 5s, 500ms or 1m "
                + "(units ns, us, ms, s, m, h, d; a bare number is seconds; at most 106751d)";
        assertUsageError("--timeout 'soon' is invalid; " + expected, "--timeout", "soon");
        assertUsageError("--timeout '10ms' is invalid; " + expected, "--timeout", "10ms");
    }
}
