package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.DerivedCaptures;
import dev.strata.provider.nvidia.FakeNvidiaSmi;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One GPU of eight fallen off the bus, through nvidia-smi: it prints a line for the lost GPU, lists
 * the other seven and exits with 15. The lists are the real H200 capture copied to eight GPUs with
 * GPU 3 left out ({@link DerivedCaptures#eightGpusOneLost}); {@code topo -m} is in the captured
 * layout with each GPU on a NUMA node of its own (node {@code i} and CPUs {@code 16i-16i+15} for
 * GPU {@code i}), so that a GPU matched to another's row shows it.
 */
class SmiSourceLostGpuTest {

    private static final List<Integer> LISTED = List.of(0, 1, 2, 4, 5, 6, 7);

    @TempDir
    Path dir;

    private final Path fixtures = Fixtures.nvidia("h200-vm");
    private final String capturedUuid = SmiXmlParser.parse(Fixtures.bytes(fixtures.resolve("nvidia-smi-q.xml"))).gpus().get(0).uuid();

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String cpusOf(int index) {
        return (16 * index) + "-" + (16 * index + 15);
    }

    /** The CSV nvidia-smi prints for {@code query}, one row per listed GPU made by {@code row} from its UUID. */
    private String csv(String header, java.util.function.Function<String, String> row) {
        StringBuilder out = new StringBuilder(header).append('\n');
        LISTED.forEach(i -> out.append(row.apply(DerivedCaptures.uuidOf(capturedUuid, i))).append('\n'));
        return out.toString();
    }

    /**
     * nvidia-smi as drivers of today answer with GPU 3 lost: each command prints the line naming
     * it (index and PCI address) on standard error, lists the others and exits with 15; topo -m
     * labels the GPUs by their indices, GPU3 missing.
     */
    private Path smiNamingTheLostGpuByIndex() throws Exception {
        String line = "Unable to determine the device handle for GPU3: 0000:13:00.0: Unknown Error";
        Path xml = write("seven.xml", DerivedCaptures.eightGpusOneLost(Fixtures.text(fixtures.resolve("nvidia-smi-q.xml")), 3));
        List<String> labels = LISTED.stream().map(i -> "GPU" + i).toList();
        Path topo = write("topo.txt", DerivedCaptures.topo(Fixtures.text(fixtures.resolve("topo-m.txt")), labels,
                LISTED.stream().map(SmiSourceLostGpuTest::cpusOf).toList(), LISTED));
        return smi(xml, topo, "echo '" + line + "' >&2; ", " >&2");
    }

    private Path smi(Path xml, Path topo, String lineBeforeXml, String lineOut) throws Exception {
        String line = "Unable to determine the device handle for GPU3: 0000:13:00.0: Unknown Error";
        Path cc = write("cc.csv", csv("uuid, compute_cap", uuid -> uuid + ", 9.0"));
        Path samples = write("samples.csv", csv("uuid, utilization.gpu [%], utilization.memory [%], memory.used [MiB], power.draw [W], "
                + "temperature.gpu, clocks.current.sm [MHz], clocks_event_reasons.active, ecc.errors.corrected.volatile.total, "
                + "ecc.errors.uncorrected.volatile.total", uuid -> uuid + ", 100 %, 20 %, 883 MiB, 691.37 W, 65, 1470 MHz, 0x0000000000000000, 0, 0"));
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("'-q -x'", lineBeforeXml + "cat '" + xml + "'; exit 15");
        answers.put("'topo -m'", "cat '" + topo + "'; echo '" + line + "'" + lineOut + "; exit 15");
        answers.put("'--query-gpu=uuid,compute_cap --format=csv'", "cat '" + cc + "'; echo '" + line + "'" + lineOut + "; exit 15");
        answers.put("--query-gpu=uuid,utilization.gpu*", "cat '" + samples + "'; echo '" + line + "'" + lineOut + "; exit 15");
        return FakeNvidiaSmi.answering(dir, answers);
    }

    private DiscoveredGpus discover(SmiSource source) throws Exception {
        return source.discover(DiscoveryContext.withTimeout("op-lost", Duration.ofSeconds(30)));
    }

    private static SmiSource source(Path smi, Path sysfs) {
        return new SmiSource(smi.toString(), Duration.ofSeconds(10), new PciSysfs(sysfs), Clock.systemUTC(), "host:test");
    }

    /** The seven listed GPUs, each with the facts of its own topo -m row, and the lost one FAILED under its PCI address. */
    private void assertSevenAndTheLostOne(DiscoveredGpus found, String printed) {
        assertThat(found.accelerators()).hasSize(8);
        Accelerator lost = found.accelerators().get(3);
        assertThat(lost.id()).isEqualTo("nvidia-no-uuid:host:test/0000:13:00.0");
        assertThat(lost.pciAddress()).isEqualTo("0000:13:00.0");
        assertThat(lost.model()).isEqualTo("unknown");
        assertThat(lost.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(lost.health().reasons()).containsExactly("GPU 3 at PCI 0000:13:00.0 cannot be read (nvidia-smi: " + printed + ")");
        List<Accelerator> others = new ArrayList<>(found.accelerators());
        others.remove(3);
        for (int k = 0; k < LISTED.size(); k++) {
            int index = LISTED.get(k);
            Accelerator gpu = others.get(k);
            assertThat(gpu.id()).as("GPU %d", index).isEqualTo(DerivedCaptures.uuidOf(capturedUuid, index));
            assertThat(gpu.health()).as("GPU %d", index).isEqualTo(Health.OK);
            assertThat(gpu.computeCapability()).as("GPU %d", index).isEqualTo("9.0");
            assertThat(gpu.numaNode()).as("GPU %d's NUMA node, from its own topo -m row", index).isEqualTo(index);
            assertThat(gpu.cpuAffinity()).as("GPU %d's CPUs, from its own topo -m row", index).isEqualTo(CpuSet.parseList(cpusOf(index)));
        }
    }

    @Test
    void aGpuFallenOffTheBusIsReportedFailedAndTheOthersKeepTheirOwnTopologyRows() throws Exception {
        try (SmiSource source = source(smiNamingTheLostGpuByIndex(), dir.resolve("sys"))) {
            DiscoveredGpus found = discover(source);

            assertSevenAndTheLostOne(found, "Unable to determine the device handle for GPU3: 0000:13:00.0: Unknown Error");
            assertThat(source.sample(Duration.ofSeconds(10))).extracting(GpuSample::acceleratorId)
                    .containsExactlyElementsOf(LISTED.stream().map(i -> DerivedCaptures.uuidOf(capturedUuid, i)).toList());
        }
    }

    /**
     * Older drivers name the lost GPU by its PCI address only, on standard output before the list,
     * and number the topo -m labels of the GPUs they reach from 0 (GPU0..GPU6): the indices come
     * from PCI order and the rows are matched by position.
     */
    @Test
    void aGpuNamedOnlyByItsPciAddressIsPlacedByPciOrderAndTheRowsNumberedFromZeroMatchTheListedGpus() throws Exception {
        String line = "Unable to determine the device handle for GPU 0000:13:00.0: GPU is lost. Reboot the system to recover this GPU";
        Path xml = write("seven.xml", DerivedCaptures.eightGpusOneLost(Fixtures.text(fixtures.resolve("nvidia-smi-q.xml")), 3));
        List<String> labels = List.of("GPU0", "GPU1", "GPU2", "GPU3", "GPU4", "GPU5", "GPU6");
        Path topo = write("topo.txt", DerivedCaptures.topo(Fixtures.text(fixtures.resolve("topo-m.txt")), labels,
                LISTED.stream().map(SmiSourceLostGpuTest::cpusOf).toList(), LISTED));
        try (SmiSource source = source(smi(xml, topo, "echo '" + line + "'; ", ""), dir.resolve("sys"))) {
            assertSevenAndTheLostOne(discover(source), line);
        }
    }

    @Test
    void readsTheLinesOfEveryDriverWording() {
        SmiRunner.Result result = new SmiRunner.Result("nvidia-smi -q -x", 15,
                "Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error\n<nvidia_smi_log/>\n",
                "Unable to determine the device handle for GPU3: 0000:04:00.0: Unknown Error\n"
                        + "Unable to determine the device handle for gpu 0000:08:00.0: Unknown Error\n"
                        + "Unable to determine the device handle for GPU2: Unknown Error\n", Duration.ZERO);

        assertThat(LostGpus.in(result)).extracting(LostGpus.LostGpu::index, LostGpus.LostGpu::pciAddress).containsExactly(
                org.assertj.core.groups.Tuple.tuple(-1, "0000:3b:00.0"), org.assertj.core.groups.Tuple.tuple(3, "0000:04:00.0"),
                org.assertj.core.groups.Tuple.tuple(-1, "0000:08:00.0"), org.assertj.core.groups.Tuple.tuple(2, null));
        assertThat(LostGpus.withoutThem(result.stdout())).isEqualTo("<nvidia_smi_log/>\n\n");
    }
}
