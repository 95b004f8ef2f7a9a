package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Health;
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
     * Warnings with blank lines between them and the document (the shape the CSV reader and {@link SmiWarnings#leading} pass
     * over) are passed over before the -q -x prolog too; before, the blank line was taken for the document's start, and the
     * white space before {@code <?xml} made it not well-formed, failing the discovery. The real H200 capture after two
     * warnings, a blank line between them and one after, with Unix and with DOS line ends.
     */
    @Test
    void warningsWithBlankLinesBeforeTheXmlPrologArePassedOver() {
        byte[] xml = Fixtures.bytes(fixtures.resolve("nvidia-smi-q.xml"));
        SmiLog log = SmiXmlParser.parse(xml);
        String other = WARNING.replace("0000:00:06.0", "0000:41:00.0");
        for (String eol : new String[] {"\n", "\r\n"}) {
            byte[] warned = (WARNING + eol + eol + other + eol + eol + new String(xml, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);

            SmiLog read = SmiXmlParser.parse(warned);

            assertThat(read.gpus()).hasSize(1);
            assertThat(read.gpus().get(0).uuid()).isEqualTo(log.gpus().get(0).uuid());
            assertThat(read.driverVersion()).isEqualTo(log.driverVersion());
        }
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

    /**
     * The warning names the GPU whose infoROM is corrupted by its bus id in the Linux form ({@code 0000:00:06.0}, any case),
     * where {@code -q -x} prints {@code 00000000:00:06.0}: both read as the same PCI address. The leading warnings of standard
     * output count, and warnings on standard error; a warning after the output proper, another warning, or an indented line
     * does not.
     */
    @Test
    void theInforomWarningNamesItsGpuByPciAddress() {
        String xml = Fixtures.text(fixtures.resolve("nvidia-smi-q.xml"));
        String other = "WARNING: infoROM is corrupted at gpu 0000:41:00.0";

        assertThat(SmiWarnings.inforomCorrupted(result(WARNING + "\n" + other + "\n" + xml, ""))).containsExactly("0000:00:06.0",
                "0000:41:00.0");
        assertThat(SmiWarnings.inforomCorrupted(result(xml, "WARNING: infoROM is corrupted at gpu 00000000:41:00.0\n")))
                .containsExactly("0000:41:00.0");
        assertThat(SmiWarnings.inforomCorrupted(result(xml + WARNING + "\n", ""))).isEmpty();
        assertThat(SmiWarnings.inforomCorrupted(result("  " + WARNING + "\n" + xml, ""))).isEmpty();
        assertThat(SmiWarnings.inforomCorrupted(result("WARNING: persistence mode is disabled on gpu 0000:00:06.0\n" + xml, "")))
                .isEmpty();
    }

    /**
     * nvidia-smi exits with 14 (infoROM corrupted) when it warns so, and prints its output as usual: that output is read;
     * with nothing but the warning printed, 14 is a failure as any other status. Before, 14 was a failure with any output.
     */
    @Test
    void exitStatus14WithOutputIsReadAndWithoutIsAFailure() throws Exception {
        String csv = Fixtures.text(fixtures.resolve("query.csv"));
        SmiRunner.Result warned = new SmiRunner.Result("nvidia-smi --query-gpu=uuid", 14, WARNING + "\n" + csv, "", Duration.ZERO);

        assertThat(SmiErrors.checked(warned)).isSameAs(warned);
        assertThat(SmiErrors.listing(warned)).isNotNull();

        SmiRunner.Result bare = new SmiRunner.Result("nvidia-smi --query-gpu=uuid", 14, WARNING + "\n\n", "", Duration.ZERO);
        assertThatThrownBy(() -> SmiErrors.checked(bare)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("nvidia-smi --query-gpu=uuid exited with 14: " + WARNING);
        assertThat(SmiErrors.listing(bare)).isNull();
        SmiRunner.Result other = new SmiRunner.Result("nvidia-smi --query-gpu=uuid", 13, WARNING + "\n" + csv, "", Duration.ZERO);
        assertThatThrownBy(() -> SmiErrors.checked(other)).isInstanceOf(ProviderFailureException.class);
    }

    /**
     * Through nvidia-smi as a machine with a corrupted infoROM answers (the real H200 captures replayed, each command's output
     * with the warning for the H200's bus id in front, and exit status 14), the GPU is discovered DEGRADED with the reason
     * {@code infoROM corrupted}, and sampled. A warning for another bus id leaves the GPU as it was. Before, the discovery
     * failed on the exit status, and the GPU was OK once it did not.
     */
    @Test
    void aGpuWhoseInforomNvidiaSmiSaysIsCorruptedIsDiscoveredDegradedAndSampled(@TempDir Path tmp) throws Exception {
        Path replay = FakeNvidiaSmi.replaying(tmp, fixtures);
        Path warning = FakeNvidiaSmi.answering(tmp, Map.of("*", "echo '" + WARNING + "'; '" + replay + "' \"$@\" || exit; exit 14"));
        SmiSource source = new SmiSource(warning.toString(), Duration.ofSeconds(10), new PciSysfs(tmp.resolve("sys")),
                Clock.systemUTC(), "host:test");

        DiscoveredGpus found = source.discover(DiscoveryContext.withTimeout("op-inforom", Duration.ofSeconds(30)));

        assertThat(found.accelerators()).singleElement().extracting(Accelerator::health)
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("infoROM corrupted")));
        assertThat(found.accelerators().get(0).partitionProfiles()).as("mig -lgip read despite its status 14").isNotEmpty();
        assertThat(source.sample(Duration.ofSeconds(10))).hasSize(1);
        assertThat(source.sample(Duration.ofSeconds(10))).hasSize(1);

        Path elsewhere = FakeNvidiaSmi.answering(tmp, Map.of("*",
                "echo 'WARNING: infoROM is corrupted at gpu 0000:41:00.0'; '" + replay + "' \"$@\" || exit; exit 14"));
        SmiSource other = new SmiSource(elsewhere.toString(), Duration.ofSeconds(10), new PciSysfs(tmp.resolve("sys")),
                Clock.systemUTC(), "host:test");
        assertThat(other.discover(DiscoveryContext.withTimeout("op-inforom-other", Duration.ofSeconds(30))).accelerators())
                .singleElement().extracting(Accelerator::health).isEqualTo(Health.OK);
    }

    private static SmiRunner.Result result(String stdout, String stderr) {
        return new SmiRunner.Result("nvidia-smi -q -x", 14, stdout, stderr, Duration.ZERO);
    }
}
