package dev.strata.platform.metrics;

import static dev.strata.platform.metrics.Series.labels;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TelemetryMetricsTest {

    static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    static final String ODD = "GPU-\"q\"\\w\nx";

    static Telemetry telemetry(List<GpuSample> samples) {
        return new Telemetry() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                return samples;
            }

            @Override
            public Optional<GpuSample> latest(String acceleratorId) {
                return samples.stream().filter(s -> s.acceleratorId().equals(acceleratorId)).findFirst();
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }
        };
    }

    final InventorySnapshot inventory = new InventorySnapshot(1, AT, List.of(),
            List.of(InventoryMetricsTest.node("n1", "nvidia", ResourceState.AVAILABLE, null, 0,
                    InventoryMetricsTest.gpu("GPU-a", "H100", Health.Status.OK), InventoryMetricsTest.gpu(ODD, "H100", Health.Status.OK))),
            List.of(), List.of(), List.of(), List.of(), List.of());
    // every value reported
    final GpuSample full = GpuSample.builder().acceleratorId("GPU-a").at(AT).gpuUtilisationPercent(75).memoryUtilisationPercent(20)
            .memoryUsedBytes(40L << 30).powerWatts(350.5).temperatureCelsius(61).smClockMHz(1980).throttleReasons(Set.of("SW_POWER_CAP"))
            .eccCorrected(3).eccUncorrected(0).build();
    // only utilisation and power reported: the rest stays -1
    final GpuSample sparse = GpuSample.builder().acceleratorId(ODD).at(AT).gpuUtilisationPercent(0).powerWatts(90).build();
    // a GPU the inventory does not hold (yet)
    final GpuSample stranger = GpuSample.builder().acceleratorId("GPU-z").at(AT).temperatureCelsius(40).build();
    final MetricSnapshots scrape = new TelemetryMetrics(telemetry(List.of(full, sparse, stranger)), InventoryMetricsTest.inventory(inventory))
            .collect();

    @Test
    void reportedValuesAreWrittenInBaseUnits() {
        Map<String, String> a = labels("accelerator", "GPU-a", "node", "n1");
        assertThat(Series.of(scrape, "strata_gpu_utilisation_ratio")).containsEntry(a, 0.75);
        assertThat(Series.of(scrape, "strata_gpu_memory_utilisation_ratio")).containsEntry(a, 0.2);
        assertThat(Series.of(scrape, "strata_gpu_memory_used_bytes")).containsEntry(a, (double) (40L << 30));
        assertThat(Series.of(scrape, "strata_gpu_power_watts")).containsEntry(a, 350.5);
        assertThat(Series.of(scrape, "strata_gpu_temperature_celsius")).containsEntry(a, 61.0);
        assertThat(Series.of(scrape, "strata_gpu_sm_clock_hertz")).containsEntry(a, 1.98e9);
        assertThat(Series.of(scrape, "strata_gpu_ecc_corrected_errors")).containsEntry(a, 3.0);
        assertThat(Series.of(scrape, "strata_gpu_ecc_uncorrected_errors")).containsEntry(a, 0.0);
        assertThat(Series.of(scrape, "strata_gpu_throttle_reasons")).isEqualTo(
                Map.of(labels("accelerator", "GPU-a", "node", "n1", "reason", "SW_POWER_CAP"), 1.0));
        assertThat(Series.of(scrape, "strata_gpu_sample_timestamp_seconds")).containsEntry(a, (double) AT.getEpochSecond());
    }

    /**
     * A sample whose instant is past what milliseconds since 1970 can count in a long (a source's
     * clock gone wrong, a garbled timestamp): its timestamp was taken with toEpochMilli, which threw,
     * and the whole collector failed, every GPU's telemetry left out of the scrape for one sample.
     */
    @Test
    void aSampleTakenAtAnInstantPastMillisecondsLeavesNoOtherGpuOut() {
        Instant far = Instant.parse("+1000000000-01-01T00:00:00Z");
        GpuSample garbled = GpuSample.builder().acceleratorId(ODD).at(far).powerWatts(90).build();
        MetricSnapshots withGarbled = new TelemetryMetrics(telemetry(List.of(full, garbled)), InventoryMetricsTest.inventory(inventory)).collect();

        assertThat(Series.of(withGarbled, "strata_gpu_power_watts")).isEqualTo(Map.of(labels("accelerator", "GPU-a", "node", "n1"), 350.5,
                labels("accelerator", ODD, "node", "n1"), 90.0));
        assertThat(Series.of(withGarbled, "strata_gpu_sample_timestamp_seconds")).containsEntry(labels("accelerator", "GPU-a", "node", "n1"),
                (double) AT.getEpochSecond()).containsEntry(labels("accelerator", ODD, "node", "n1"), (double) far.getEpochSecond());
    }

    @Test
    void valuesNotReportedAreAbsentNotMinusOne() {
        Map<String, String> odd = labels("accelerator", ODD, "node", "n1");
        assertThat(Series.of(scrape, "strata_gpu_utilisation_ratio")).containsEntry(odd, 0.0);
        assertThat(Series.of(scrape, "strata_gpu_power_watts")).containsEntry(odd, 90.0);
        for (String name : List.of("strata_gpu_memory_utilisation_ratio", "strata_gpu_memory_used_bytes", "strata_gpu_temperature_celsius",
                "strata_gpu_sm_clock_hertz", "strata_gpu_ecc_corrected_errors", "strata_gpu_ecc_uncorrected_errors")) {
            assertThat(Series.of(scrape, name)).as(name).doesNotContainKey(odd);
        }
        for (String name : List.of("strata_gpu_utilisation_ratio", "strata_gpu_memory_utilisation_ratio", "strata_gpu_memory_used_bytes",
                "strata_gpu_power_watts", "strata_gpu_temperature_celsius", "strata_gpu_sm_clock_hertz", "strata_gpu_ecc_corrected_errors",
                "strata_gpu_ecc_uncorrected_errors")) {
            assertThat(Series.of(scrape, name).values()).as(name).allMatch(v -> v >= 0);
        }
        String text = new String(Exposition.render(scrape, null).body(), StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(" -1\n");
    }

    /**
     * A reading that is no number (a source's garbled value: infinite, NaN) is no measurement and is
     * left out as a value not reported is: an infinite power or utilisation was written as +Inf, so
     * that a sum of the node's power was +Inf and an alert on it fired, while NaN and -Inf were left out.
     */
    @Test
    void valuesThatAreNoNumberAreAbsentLikeThoseNotReported() {
        GpuSample garbled = GpuSample.builder().acceleratorId("GPU-a").at(AT).gpuUtilisationPercent(Double.POSITIVE_INFINITY)
                .memoryUtilisationPercent(Double.NaN).powerWatts(Double.POSITIVE_INFINITY).temperatureCelsius(Double.POSITIVE_INFINITY)
                .smClockMHz(1410).build();
        MetricSnapshots withGarbled = new TelemetryMetrics(telemetry(List.of(garbled, sparse)), InventoryMetricsTest.inventory(inventory))
                .collect();
        Map<String, String> a = labels("accelerator", "GPU-a", "node", "n1");
        for (String name : List.of("strata_gpu_utilisation_ratio", "strata_gpu_memory_utilisation_ratio", "strata_gpu_power_watts",
                "strata_gpu_temperature_celsius")) {
            assertThat(Series.of(withGarbled, name)).as(name).doesNotContainKey(a);
        }
        assertThat(Series.of(withGarbled, "strata_gpu_sm_clock_hertz")).isEqualTo(Map.of(a, 1.41e9));
        assertThat(Series.of(withGarbled, "strata_gpu_power_watts")).isEqualTo(Map.of(labels("accelerator", ODD, "node", "n1"), 90.0));
        String text = new String(Exposition.render(withGarbled, null).body(), StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("Inf").doesNotContain("NaN");
    }

    @Test
    void aGpuTheInventoryDoesNotHoldHasAnEmptyNode() {
        assertThat(Series.of(scrape, "strata_gpu_temperature_celsius")).containsEntry(labels("accelerator", "GPU-z", "node", ""), 40.0);
    }

    @Test
    void oddAcceleratorIdsAreEscapedInTheTextFormat() {
        String text = new String(Exposition.render(scrape, null).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("strata_gpu_power_watts{accelerator=\"GPU-\\\"q\\\"\\\\w\\nx\",node=\"n1\"} 90.0");
    }

    /**
     * Two telemetry sources reporting the same GPU: every series of it is the one sample strata:gpus shows (the later
     * source's), never a mix of both (one's temperature beside the other's utilisation, both's throttle reasons).
     */
    @Test
    void aGpuTwoSourcesReportIsWrittenFromOneSampleAsStrataGpusShowsIt() {
        GpuSample later = GpuSample.builder().acceleratorId("GPU-a").at(AT.plusSeconds(5)).gpuUtilisationPercent(10)
                .throttleReasons(Set.of("HW_SLOWDOWN")).build();
        MetricSnapshots twice = new TelemetryMetrics(telemetry(List.of(full, later)), InventoryMetricsTest.inventory(inventory)).collect();
        Map<String, String> a = labels("accelerator", "GPU-a", "node", "n1");
        assertThat(Series.of(twice, "strata_gpu_utilisation_ratio")).isEqualTo(Map.of(a, 0.1));
        assertThat(Series.of(twice, "strata_gpu_sample_timestamp_seconds")).isEqualTo(Map.of(a, (double) AT.getEpochSecond() + 5));
        assertThat(Series.of(twice, "strata_gpu_throttle_reasons")).isEqualTo(
                Map.of(labels("accelerator", "GPU-a", "node", "n1", "reason", "HW_SLOWDOWN"), 1.0));
        // the later sample does not report them: not the earlier one's values
        for (String name : List.of("strata_gpu_memory_utilisation_ratio", "strata_gpu_memory_used_bytes", "strata_gpu_power_watts",
                "strata_gpu_temperature_celsius", "strata_gpu_sm_clock_hertz", "strata_gpu_ecc_corrected_errors",
                "strata_gpu_ecc_uncorrected_errors")) {
            assertThat(Series.of(twice, name)).as(name).isEmpty();
        }
    }

    /**
     * Two GPUs whose ids differ only in an unpaired surrogate (a JSON "\\ud800" escape gives one),
     * which UTF-8 cannot hold: the writer wrote "?" for each, so the page held two series with the
     * same labels, which Prometheus cannot tell apart. Each is written as its own series, the
     * surrogate as the text backslash-u and its hex code; a GPU whose id is that text itself would
     * come to the same labels, and is left out with the other rather than written twice.
     */
    @Test
    void gpusWhoseIdsDifferOnlyInWhatUtf8CannotHoldAreTwoSeries() {
        String high = "GPU-" + (char) 0xD800;
        String low = "GPU-" + (char) 0xDC00;
        List<GpuSample> samples = List.of(GpuSample.builder().acceleratorId(high).at(AT).powerWatts(100).build(),
                GpuSample.builder().acceleratorId(low).at(AT).powerWatts(200).build(),
                GpuSample.builder().acceleratorId("GPU-" + (char) 0xD83D + (char) 0xDE00).at(AT).powerWatts(300).build());
        String text = new String(Exposition.render(new TelemetryMetrics(telemetry(samples), InventoryMetricsTest.inventory(inventory)).collect(),
                null).body(), StandardCharsets.UTF_8);
        List<String> power = text.lines().filter(l -> l.startsWith("strata_gpu_power_watts{")).toList();
        assertThat(power).containsExactlyInAnyOrder("strata_gpu_power_watts{accelerator=\"GPU-\\\\uD800\",node=\"\"} 100.0",
                "strata_gpu_power_watts{accelerator=\"GPU-\\\\uDC00\",node=\"\"} 200.0",
                "strata_gpu_power_watts{accelerator=\"GPU-\uD83D\uDE00\",node=\"\"} 300.0");

        List<GpuSample> clash = List.of(GpuSample.builder().acceleratorId(high).at(AT).powerWatts(100).build(),
                GpuSample.builder().acceleratorId("GPU-\\uD800").at(AT).powerWatts(200).build(),
                GpuSample.builder().acceleratorId("GPU-b").at(AT).powerWatts(300).build());
        text = new String(Exposition.render(new TelemetryMetrics(telemetry(clash), InventoryMetricsTest.inventory(inventory)).collect(),
                null).body(), StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.startsWith("strata_gpu_power_watts{")).toList())
                .containsExactly("strata_gpu_power_watts{accelerator=\"GPU-b\",node=\"\"} 300.0");
    }
}
