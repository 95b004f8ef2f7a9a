package dev.strata.platform.core.telemetry;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.api.telemetry.Telemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry of every {@link GpuTelemetrySource}: sources come and go with their providers.
 * A source that throws is skipped so it cannot hide the others, and logged once until it answers
 * again: its callers (the verifier reads every GPU's recent samples each pass) call it often.
 */
@Component(service = Telemetry.class)
public class TelemetryService implements Telemetry {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryService.class);

    private final List<GpuTelemetrySource> sources = new CopyOnWriteArrayList<>();
    /** The sources whose latest samples, and those whose recent samples, failed when last asked (logged then). */
    private final Set<GpuTelemetrySource> latestFailing = ConcurrentHashMap.newKeySet();
    private final Set<GpuTelemetrySource> recentFailing = ConcurrentHashMap.newKeySet();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSource(GpuTelemetrySource source) {
        sources.add(source);
    }

    void removeSource(GpuTelemetrySource source) {
        sources.remove(source);
        latestFailing.remove(source);
        recentFailing.remove(source);
    }

    @Override
    public List<GpuSample> latestGpuSamples() {
        List<GpuSample> all = new ArrayList<>();
        for (GpuTelemetrySource source : sources) {
            try {
                all.addAll(source.latest());
                answered(latestFailing, source);
            } catch (RuntimeException e) {
                failed(latestFailing, source, "its latest samples", e);
            }
        }
        return all;
    }

    /**
     * The newest sample of a GPU among every source's latest (the last source's where two were taken at the same
     * instant, as {@code strata:gpus} and the metrics show it); the first source's, whatever its age, before.
     */
    @Override
    public Optional<GpuSample> latest(String acceleratorId) {
        GpuSample newest = null;
        for (GpuSample s : latestGpuSamples()) {
            if (s.acceleratorId().equals(acceleratorId) && (newest == null || !s.at().isBefore(newest.at()))) {
                newest = s;
            }
        }
        return Optional.ofNullable(newest);
    }

    /**
     * The recent samples of a GPU from the source with its newest sample (the last source's where two have one taken at
     * the same instant), as {@link #latest} answers; the first source's with any, whatever their age, before: a GPU two
     * sources sample (a source stopped sampling, another one taking over) was averaged over the stopped one's samples.
     */
    @Override
    public List<GpuSample> recent(String acceleratorId, int limit) {
        List<GpuSample> newest = List.of();
        Instant newestAt = null;
        for (GpuTelemetrySource source : sources) {
            try {
                List<GpuSample> samples = source.recent(acceleratorId, limit);
                Instant at = null;
                for (GpuSample s : samples) {
                    if (s != null && (at == null || s.at().isAfter(at))) {
                        at = s.at();
                    }
                }
                if (at != null && (newestAt == null || !at.isBefore(newestAt))) {
                    newest = samples;
                    newestAt = at;
                }
                answered(recentFailing, source);
            } catch (RuntimeException e) {
                failed(recentFailing, source, "its recent samples", e);
            }
        }
        return newest;
    }

    /** A call of a source failed: logged where the one before it did not fail (once until it answers again). */
    private static void failed(Set<GpuTelemetrySource> failing, GpuTelemetrySource source, String what, RuntimeException e) {
        if (failing.add(source)) {
            LOG.warn("Telemetry source {} failed; {} are left out until it answers again: {}", source, what, e.toString());
        }
    }

    private static void answered(Set<GpuTelemetrySource> failing, GpuTelemetrySource source) {
        if (failing.remove(source)) {
            LOG.info("Telemetry source {} answers again", source);
        }
    }
}
