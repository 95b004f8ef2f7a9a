package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.nvidia.FakeNvidiaSmi;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What nvidia-smi prints reaches health reasons, log lines and the shell: a lost GPU's line, the
 * output quoted in an error, a product name. A terminal escape or a bidirectional control in it
 * becomes a space there. No capture shows such characters: each case is hand-made (on the real
 * H200 {@code -q -x} for the product name).
 */
class DriverTextInOutputTest {

    private static final String ESC = "\u001b";

    /**
     * What a command whose facts are optional printed when it failed reaches the debug log without control characters, as
     * the log line quotes it through {@link SmiSource#printed}. The logger's level is fixed for the whole test JVM by
     * slf4j-simple, so the quoting is checked here rather than in a captured debug line. Before, the output was quoted as
     * printed, only stripped at its ends.
     */
    @Test
    void theOutputOfAFailedOptionalCommandIsQuotedInTheDebugLogWithoutControlCharacters() {
        SmiRunner.Result result = new SmiRunner.Result("nvidia-smi topo -m", 255,
                "Failed to initialize NVML: " + ESC + "[2J" + ESC + "]0;title\u0007Unknown Error\u202e\r\n", "", Duration.ZERO);

        assertThat(SmiSource.printed(result)).isEqualTo("Failed to initialize NVML: [2J ]0;title Unknown Error");
    }

    @Test
    void aLostGpusLineLosesItsControlCharacters() {
        SmiRunner.Result result = new SmiRunner.Result("nvidia-smi -q -x", 15, "",
                "Unable to determine the device handle for GPU3: 0000:04:00.0: " + ESC + "[31mUnknown Error" + ESC + "[0m\u202e", Duration.ZERO);

        List<LostGpus.LostGpu> lost = LostGpus.in(result);

        assertThat(lost).singleElement().satisfies(gpu -> {
            assertThat(gpu.index()).isEqualTo(3);
            assertThat(gpu.pciAddress()).isEqualTo("0000:04:00.0");
            assertThat(gpu.printed()).isEqualTo("Unable to determine the device handle for GPU3: 0000:04:00.0: [31mUnknown Error [0m");
        });
    }

    @Test
    void anErrorQuotesWhatNvidiaSmiPrintedWithoutControlCharacters() {
        SmiRunner.Result result = new SmiRunner.Result("nvidia-smi --query-gpu=uuid", 255, "",
                "Failed to initialize NVML:" + ESC + "]0;owned" + "\u0007 Unknown Error\r\n\u2028next", Duration.ZERO);

        assertThatThrownBy(() -> SmiErrors.checked(result)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("nvidia-smi --query-gpu=uuid exited with 255: Failed to initialize NVML: ]0;owned Unknown Error next");
    }

    /**
     * Output that cannot be read is quoted in the failure without control characters: the sampler's query answered with a
     * header holding a terminal escape and a bidirectional control, and a row that does not fit it, after a discovery of
     * the real H200. The sampler logs the failure as a warning. Before, the header's names reached the message, and so the
     * log, as printed.
     */
    @Test
    void outputThatCannotBeReadIsQuotedWithoutControlCharacters(@TempDir Path dir) throws Exception {
        Path fixtures = Fixtures.nvidia("h200-vm");
        Path garbled = Files.writeString(dir.resolve("samples.csv"), "uuid, utiliz" + ESC + "]0;owned\u0007ation" + ESC
                + "[2J\u202e.gpu [%], memory.used [MiB]\nGPU-5bbcfe84-3fb3-862e-7650-f3b57e501444, 100 %\n");
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("'-q -x'", "cat '" + fixtures.resolve("nvidia-smi-q.xml") + "'");
        answers.put("--query-gpu=uuid,utilization.gpu*", "cat '" + garbled + "'");
        SmiSource source = new SmiSource(FakeNvidiaSmi.answering(dir, answers).toString(), Duration.ofSeconds(10),
                new PciSysfs(dir.resolve("sys")), Clock.systemUTC(), "host:test");
        assertThat(source.discover(DiscoveryContext.withTimeout("op-garbled", Duration.ofSeconds(30))).accelerators()).hasSize(1);

        assertThatThrownBy(() -> source.sample(Duration.ofSeconds(10))).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("nvidia-smi --query-gpu=uuid,utilization.gpu,")
                .hasMessageContaining("printed output that cannot be read: row 1 has 2 fields where the header has 3"
                        + " (uuid,utiliz ]0;owned ation [2J .gpu,memory.used)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ESC, "\u0007", "\u202e"));
    }

    @Test
    void aProductNameLosesItsControlCharacters() {
        String captured = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        String name = "<product_name>NVIDIA H200</product_name>";
        assertThat(captured).contains(name);

        SmiLog log = SmiXmlParser.parse(captured.replace(name, "<product_name>NVIDIA\u202e H200\u0085</product_name>")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(log.gpus().get(0).productName()).isEqualTo("NVIDIA H200");
    }
}
