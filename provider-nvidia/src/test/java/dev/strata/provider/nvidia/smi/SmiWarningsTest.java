package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.nvidia.FakeNvidiaSmi;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warning nvidia-smi prints before its output on a machine whose GPUs work, {@code WARNING: infoROM is corrupted at gpu
 * 0000:00:06.0} (worded as nvidia-smi words it on real fleets, with the captured H200's PCI address). The inputs are the real
 * H200 captures ({@code query.csv}, {@code nvidia-smi-q.xml}, replayed by {@link FakeNvidiaSmi}) with that line put in front.
 */
class SmiWarningsTest {

    private static final String WARNING = "WARNING: infoROM is corrupted at gpu 0000:00:06.0";

    private final Path fixtures = Fixtures.nvidia("h200-vm");

    /**
     * The --query-gpu CSV is read after the warning, as without it. Before, the warning was taken for the header, and the row
     * was refused for having 30 fields where that header had one.
     */
    @Test
    void aWarningBeforeTheQueryHeaderIsPassedOver() {
        String csv = Fixtures.text(fixtures.resolve("query.csv"));
        List<Map<String, String>> rows = QueryCsv.parse(csv);
        assertThat(rows).hasSize(1);

        assertThat(QueryCsv.parse(WARNING + "\n" + csv)).isEqualTo(rows);
        assertThat(QueryCsv.parse(WARNING + "\n" + WARNING.replace("0000:00:06.0", "0000:41:00.0") + "\n\n" + csv)).isEqualTo(rows);
    }

    /**
     * Only lines that start with WARNING: and come before the header are passed over: one after the header is a row, and is
     * refused as any row whose fields do not fit; an indented one is not nvidia-smi's, and is still taken for the header.
     */
    @Test
    void onlyWarningLinesBeforeTheHeaderArePassedOver() {
        String csv = Fixtures.text(fixtures.resolve("query.csv"));

        assertThatThrownBy(() -> QueryCsv.parse(csv + WARNING + "\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("row 2 has 1 fields where the header has 30");
        assertThatThrownBy(() -> QueryCsv.parse("  " + WARNING + "\n" + csv))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("row 1 has 30 fields where the header has 1 (WARNING: infoROM is corrupted at gpu 0000:00:06.0)");
    }

    /** The -q -x document is read after the warning, as without it; before, the text before its prolog made it not well-formed. */
    @Test
    void aWarningBeforeTheXmlPrologIsPassedOver() {
        byte[] xml = Fixtures.bytes(fixtures.resolve("nvidia-smi-q.xml"));
        SmiLog log = SmiXmlParser.parse(xml);
        byte[] warned = (WARNING + "\n" + new String(xml, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

        SmiLog read = SmiXmlParser.parse(warned);

        assertThat(read.gpus()).hasSize(1);
        assertThat(read.gpus().get(0).uuid()).isEqualTo(log.gpus().get(0).uuid());
        assertThat(read.driverVersion()).isEqualTo(log.driverVersion());
    }

    /**
     * Through nvidia-smi printing the warning before every command's output, the GPU is discovered and sampled, and the
     * warning is logged at WARN once, naming the command that printed it first. Before, the discovery failed reading -q -x.
     */
    @Test
    void aMachineWhoseNvidiaSmiWarnsIsDiscoveredAndSampledAndTheWarningLoggedOnce(@TempDir Path tmp) throws Exception {
        Path replay = FakeNvidiaSmi.replaying(tmp, fixtures);
        Path warning = FakeNvidiaSmi.answering(tmp, Map.of("*", "echo '" + WARNING + "'; exec '" + replay + "' \"$@\""));
        SmiSource source = new SmiSource(warning.toString(), Duration.ofSeconds(10), new PciSysfs(tmp.resolve("sys")),
                Clock.systemUTC(), "host:test");

        String logged;
        DiscoveredGpus found;
        List<GpuSample> first;
        List<GpuSample> second;
        try (StderrCapture log = new StderrCapture()) {
            found = source.discover(DiscoveryContext.withTimeout("op-warning", Duration.ofSeconds(30)));
            first = source.sample(Duration.ofSeconds(10));
            second = source.sample(Duration.ofSeconds(10));
            logged = log.text();
        }

        assertThat(found.accelerators()).hasSize(1);
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(logged).contains("WARN");
        String line = "nvidia-smi -q -x printed a warning: " + WARNING;
        assertThat(logged.indexOf(line)).as("logged once: %s", logged).isNotNegative().isEqualTo(logged.lastIndexOf(line));
        assertThat(logged).containsOnlyOnce("printed a warning");
    }
}
