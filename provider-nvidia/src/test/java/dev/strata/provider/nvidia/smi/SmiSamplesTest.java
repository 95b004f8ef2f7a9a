package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.Fixtures;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The telemetry mapping the sampler uses ({@link SmiSamples}), fed with the 0.5 s metrics loop,
 * the one-shot query and the dmon output captured under a full-load matrix multiply.
 */
class SmiSamplesTest {

    private static final Instant AT = Instant.parse("2026-11-27T03:40:17Z");
    private static final long MIB = 1L << 20;

    @Test
    void theH200LoopRisesTowardItsPowerCap() {
        Path dir = Fixtures.nvidia("h200-vm");
        double cap = SmiXmlParser.parse(Fixtures.bytes(dir.resolve("nvidia-smi-q.xml"))).gpus().get(0).powerEnforcedWatts();
        List<GpuSample> samples = QueryCsv.parse(Fixtures.text(dir.resolve("query-loop.csv"))).stream()
                .map(row -> SmiSamples.of("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444", AT, row)).toList();

        assertThat(samples).hasSize(10);
        assertThat(cap).isEqualTo(700.0);
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.acceleratorId()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
            assertThat(s.gpuUtilisationPercent()).isEqualTo(100);
            assertThat(s.powerWatts()).isBetween(0.98 * cap, cap);
            assertThat(s.temperatureCelsius()).isBetween(65.0, 66.0);
            assertThat(s.smClockMHz()).isBetween(1425, 1470);
            assertThat(s.memoryUsedBytes()).isEqualTo(883 * MIB);
            assertThat(s.memoryUtilisationPercent()).isEqualTo(-1);
            assertThat(s.eccCorrected()).isEqualTo(-1);
            assertThat(s.throttleReasons()).isEmpty();
        });
        assertThat(samples.stream().mapToDouble(GpuSample::powerWatts).average().orElseThrow()).isCloseTo(692, within(1.0));
        assertThat(samples.get(0).powerWatts()).isEqualTo(691.37);
        assertThat(samples.get(8).powerWatts()).isEqualTo(693.91);
        assertThat(samples.get(1).smClockMHz()).isEqualTo(1455);
    }

    @Test
    void theH100LoopRunsAtItsCap() {
        List<GpuSample> samples = QueryCsv.parse(Fixtures.text(Fixtures.nvidia("h100-vm").resolve("query-loop.csv"))).stream()
                .map(row -> SmiSamples.of("GPU-a8ab3d52-bf7f-f80b-a39e-bd0ae17afd44", AT, row)).toList();

        assertThat(samples).hasSize(10);
        assertThat(samples).allSatisfy(s -> assertThat(s.powerWatts()).isBetween(690.0, 705.0));
        assertThat(samples.get(4).powerWatts()).isEqualTo(701.07);
        assertThat(samples.get(1).smClockMHz()).isEqualTo(1290);
    }

    @Test
    void theOneShotQueryCarriesItsUuidAndIdleValues() {
        Map<String, String> row = QueryCsv.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("query.csv"))).get(0);

        assertThat(row).containsEntry("compute_cap", "9.0").containsEntry("clocks.sm", "1980 MHz")
                .containsEntry("pci.bus_id", "00000000:00:06.0");
        GpuSample sample = SmiSamples.of("ignored", AT, row);
        assertThat(sample.acceleratorId()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(sample.powerWatts()).isEqualTo(131.46);
        assertThat(sample.temperatureCelsius()).isEqualTo(42);
        assertThat(sample.memoryUsedBytes()).isZero();
        assertThat(sample.memoryUtilisationPercent()).isZero();
        assertThat(sample.smClockMHz()).isEqualTo(1980);
    }

    /**
     * nvidia-smi does not quote values: the captured one-shot query with the board named
     * {@code NVIDIA H200, PCIe} has one field more than its header. The comma stays in the name and
     * every later value stays in its own column.
     */
    @Test
    void aCommaInTheGpuNameStaysInTheNameAndShiftsNoOtherValue() {
        String captured = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("query.csv"));
        assertThat(captured).contains(", NVIDIA H200, 1653724063754, ");
        Map<String, String> row = QueryCsv.parse(captured.replace(", NVIDIA H200, ", ", NVIDIA H200, PCIe, ")).get(0);

        assertThat(row).containsEntry("name", "NVIDIA H200, PCIe").containsEntry("serial", "1653724063754")
                .containsEntry("pci.bus_id", "00000000:00:06.0").containsEntry("compute_cap", "9.0")
                .containsEntry("pcie.link.width.max", "16").hasSize(30);
    }

    /** A comma in a query without a name field cannot be placed: the row is refused, naming the counts, not shifted. */
    @Test
    void aRowWithMoreFieldsThanTheHeaderAndNoNameIsRefused() {
        String captured = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("query-loop.csv"));
        String[] lines = captured.split("\\R");
        String broken = lines[0] + "\n" + lines[1] + "\n" + lines[2].replace(", 65, ", ", 6,5, ") + "\n";

        assertThatThrownBy(() -> QueryCsv.parse(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 2 has 7 fields where the header has 6")
                .hasMessageContaining("expected one value per field");
    }

    @Test
    void dmonShowsIdleThenFullLoadAtThePowerCap() {
        List<GpuSample> samples = DmonParser.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("dmon.txt"))).stream()
                .map(row -> SmiSamples.of("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444", AT, row)).toList();

        assertThat(samples).hasSize(10);
        GpuSample idle = samples.get(0);
        assertThat(idle.powerWatts()).isEqualTo(81);
        assertThat(idle.gpuUtilisationPercent()).isZero();
        assertThat(idle.smClockMHz()).isEqualTo(345);
        assertThat(idle.memoryUsedBytes()).isZero();
        assertThat(idle.throttleReasons()).isEmpty();
        GpuSample loaded = samples.get(9);
        assertThat(loaded.powerWatts()).isEqualTo(693);
        assertThat(loaded.gpuUtilisationPercent()).isEqualTo(100);
        assertThat(loaded.memoryUtilisationPercent()).isEqualTo(22);
        assertThat(loaded.temperatureCelsius()).isEqualTo(65);
        assertThat(loaded.smClockMHz()).isEqualTo(1470);
        assertThat(loaded.memoryUsedBytes()).isEqualTo(883 * MIB);
        assertThat(loaded.eccCorrected()).isZero();
        assertThat(loaded.eccUncorrected()).isZero();
        // pviol 100 % from the eighth sample on: held at the power cap
        assertThat(samples.get(6).throttleReasons()).isEmpty();
        assertThat(samples.subList(7, 10)).allSatisfy(s -> assertThat(s.throttleReasons()).containsExactly("SW_POWER_CAP"));
    }

    @Test
    void readsTheThrottleMaskAndUnsupportedValues() {
        GpuSample sample = SmiSamples.of("GPU-1", AT, Map.of("clocks_event_reasons.active", "0x0000000000000045",
                "power.draw", "[N/A]", "ecc.errors.uncorrected.volatile.total", "[Not Supported]", "temperature.gpu", "33"));

        assertThat(sample.throttleReasons()).containsExactlyInAnyOrder("GPU_IDLE", "SW_POWER_CAP", "HW_THERMAL_SLOWDOWN");
        assertThat(sample.powerWatts()).isEqualTo(-1);
        assertThat(sample.eccUncorrected()).isEqualTo(-1);
        assertThat(sample.temperatureCelsius()).isEqualTo(33);
        assertThat(QueryCsv.fieldName("clocks_throttle_reasons.active")).isEqualTo("clocks_event_reasons.active");
    }
}
