package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.provider.nvidia.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What nvidia-smi prints reaches health reasons, log lines and the shell: a lost GPU's line, the
 * output quoted in an error, a product name. A terminal escape or a bidirectional control in it
 * becomes a space there. No capture shows such characters: each case is hand-made (on the real
 * H200 {@code -q -x} for the product name).
 */
class DriverTextInOutputTest {

    private static final String ESC = "\u001b";

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
