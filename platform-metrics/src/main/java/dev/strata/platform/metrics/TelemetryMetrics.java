package dev.strata.platform.metrics;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The latest telemetry sample of each GPU, one series per GPU (labels {@code accelerator} and
 * {@code node}). Sources serve what their sampler last read, so a scrape never waits on a device.
 * A value the device does not report (-1) is left out, not written as -1, as is one that is no
 * number (NaN, infinite: a source's garbled reading, no measurement). A GPU that several
 * sources report is written from one sample, the last source's, as {@code strata:gpus} shows it.
 */
@Component(service = MultiCollector.class)
public class TelemetryMetrics implements MultiCollector {

    private final Telemetry telemetry;
    private final Inventory inventory;

    @Activate
    public TelemetryMetrics(@Reference Telemetry telemetry, @Reference Inventory inventory) {
        this.telemetry = telemetry;
        this.inventory = inventory;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, String> nodeOf = new HashMap<>();
        InventorySnapshot snapshot = inventory.snapshot();
        for (Node n : snapshot.nodes()) {
            for (Accelerator a : n.accelerators()) {
                nodeOf.put(a.id(), n.id());
            }
        }
        String[] labels = {"accelerator", "node"};
        Family utilisation = new Family("strata_gpu_utilisation_ratio", "Share of time a kernel ran over the last sample period (0-1)", labels);
        Family memoryUtilisation = new Family("strata_gpu_memory_utilisation_ratio",
                "Share of time device memory was read or written over the last sample period (0-1)", labels);
        Family memoryUsed = new Family("strata_gpu_memory_used_bytes", "Device memory in use", labels);
        Family power = new Family("strata_gpu_power_watts", "Power draw", labels);
        Family temperature = new Family("strata_gpu_temperature_celsius", "GPU core temperature", labels);
        Family clock = new Family("strata_gpu_sm_clock_hertz", "Current SM clock", labels);
        Family corrected = new Family("strata_gpu_ecc_corrected_errors", "Volatile corrected ECC error count (resets with the driver)", labels);
        Family uncorrected = new Family("strata_gpu_ecc_uncorrected_errors", "Volatile uncorrected ECC error count (resets with the driver)",
                labels);
        Family throttle = new Family("strata_gpu_throttle_reasons", "1 for each active clock throttle reason", "accelerator", "node", "reason");
        Family sampledAt = new Family("strata_gpu_sample_timestamp_seconds", "When the latest sample was taken (Unix time)", labels);
        // one sample per GPU, the last source's as strata:gpus shows it: written one after another, two sources' samples of
        // a GPU mixed, one's temperature beside the other's utilisation and both's throttle reasons
        Map<String, GpuSample> latest = new LinkedHashMap<>();
        for (GpuSample s : telemetry.latestGpuSamples()) {
            latest.put(s.acceleratorId(), s);
        }
        for (GpuSample s : latest.values()) {
            String id = s.acceleratorId();
            String node = nodeOf.get(id);
            reported(utilisation, s.gpuUtilisationPercent() < 0 ? -1 : s.gpuUtilisationPercent() / 100, id, node);
            reported(memoryUtilisation, s.memoryUtilisationPercent() < 0 ? -1 : s.memoryUtilisationPercent() / 100, id, node);
            reported(memoryUsed, s.memoryUsedBytes(), id, node);
            reported(power, s.powerWatts(), id, node);
            reported(temperature, s.temperatureCelsius(), id, node);
            reported(clock, s.smClockMHz() < 0 ? -1 : s.smClockMHz() * 1e6, id, node);
            reported(corrected, s.eccCorrected(), id, node);
            reported(uncorrected, s.eccUncorrected(), id, node);
            for (String reason : s.throttleReasons()) {
                throttle.set(1, id, node, reason);
            }
            sampledAt.set(Family.seconds(s.at()), id, node);
        }
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (Family f : new Family[] {utilisation, memoryUtilisation, memoryUsed, power, temperature, clock, corrected, uncorrected, throttle,
                sampledAt}) {
            out.metricSnapshot(f.snapshot());
        }
        return out.build();
    }

    /**
     * Sets the series unless the value is -1 (or any negative: not reported) or is no number: an
     * infinite reading was written as +Inf, which a sum over a node's GPUs took whole.
     */
    private static void reported(Family family, double value, String accelerator, String node) {
        if (value >= 0 && value < Double.POSITIVE_INFINITY) {
            family.set(value, accelerator, node);
        }
    }
}
