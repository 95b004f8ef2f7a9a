package dev.strata.platform.core.telemetry;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.platform.api.telemetry.Telemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * again: its callers (the verifier reads every GPU's recent samples each pass) call it often. A
 * null among a source's samples (vendor code, against the SPI) is left out, the others it answered
 * kept, and logged once, with how many, until the source answers without one again. Pages of a GPU's samples
 * ({@link #since}) are isolated alike.
 */
@Component(service = Telemetry.class)
public class TelemetryService implements Telemetry {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryService.class);

    private final List<GpuTelemetrySource> sources = new CopyOnWriteArrayList<>();
    /** The sources whose latest samples, and those whose recent samples, failed when last asked (logged then). */
    private final Set<GpuTelemetrySource> latestFailing = ConcurrentHashMap.newKeySet();
    private final Set<GpuTelemetrySource> recentFailing = ConcurrentHashMap.newKeySet();
    private final Set<GpuTelemetrySource> sinceFailing = ConcurrentHashMap.newKeySet();
    /**
     * The sources whose latest samples held a null when last asked, and the sources and GPUs whose recent samples did
     * ({@link RecentOf}), logged then.
     */
    private final Set<Object> latestWithNulls = ConcurrentHashMap.newKeySet();
    private final Set<Object> recentWithNulls = ConcurrentHashMap.newKeySet();
    private final Set<Object> sinceWithNulls = ConcurrentHashMap.newKeySet();

    /** A source's recent samples of one GPU. */
    private record RecentOf(GpuTelemetrySource source, String acceleratorId) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSource(GpuTelemetrySource source) {
        sources.add(source);
    }

    void removeSource(GpuTelemetrySource source) {
        sources.remove(source);
        latestFailing.remove(source);
        recentFailing.remove(source);
        sinceFailing.remove(source);
        latestWithNulls.remove(source);
        recentWithNulls.removeIf(k -> ((RecentOf) k).source() == source);
        sinceWithNulls.removeIf(k -> ((RecentOf) k).source() == source);
    }

    @Override
    public List<GpuSample> latestGpuSamples() {
        List<GpuSample> all = new ArrayList<>();
        for (GpuTelemetrySource source : sources) {
            try {
                all.addAll(withoutNulls(latestWithNulls, source, source, "its latest samples", source.latest()));
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
                List<GpuSample> samples = withoutNulls(recentWithNulls, new RecentOf(source, acceleratorId), source,
                        "its recent samples of " + acceleratorId,
                        source.recent(acceleratorId, limit));
                Instant at = null;
                for (GpuSample s : samples) {
                    if (at == null || s.at().isAfter(at)) {
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

    /**
     * A page of a GPU's samples from {@code from} on, from the source {@link #recent} reads: the one with the GPU's newest
     * sample (its {@code recent(acceleratorId, 1)}; the last source's where two have one taken at the same instant), so
     * that the pages of one walk come from one source while the sources stay. A source that throws on {@code recent} is
     * left out as {@link #recent} leaves it out; where the source chosen throws on the page itself, the call fails
     * ({@link dev.strata.platform.api.exception.ProviderUnavailableException}, logged once), since an empty page would
     * read as the end of the GPU's samples. Nulls among a page are left out and logged once.
     */
    @Override
    public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        Objects.requireNonNull(acceleratorId, "acceleratorId");
        Objects.requireNonNull(from, "from");
        if (limit <= 0) {
            return List.of();
        }
        GpuTelemetrySource newest = null;
        Instant newestAt = null;
        for (GpuTelemetrySource source : sources) {
            try {
                for (GpuSample s : withoutNulls(recentWithNulls, new RecentOf(source, acceleratorId), source,
                        "its recent samples of " + acceleratorId, source.recent(acceleratorId, 1))) {
                    if (newestAt == null || !s.at().isBefore(newestAt)) {
                        newest = source;
                        newestAt = s.at();
                    }
                }
                answered(recentFailing, source);
            } catch (RuntimeException e) {
                failed(recentFailing, source, "its recent samples", e);
            }
        }
        if (newest == null) {
            return List.of();
        }
        try {
            List<GpuSample> page = withoutNulls(sinceWithNulls, new RecentOf(newest, acceleratorId), newest,
                    "its samples of " + acceleratorId + " since " + from, newest.since(acceleratorId, from, limit));
            answered(sinceFailing, newest);
            return page;
        } catch (RuntimeException e) {
            failed(sinceFailing, newest, "its pages of samples", e);
            // not an empty page: that would read as the end of the GPU's samples, and a walk cut short as a whole one
            throw new dev.strata.platform.api.exception.ProviderUnavailableException("telemetry source " + newest
                    + " did not answer the samples of " + acceleratorId + " since " + from, e);
        }
    }

    /**
     * A source's answer without its null elements: where it held some, they are counted and logged where its answer
     * to the same call ({@code key}) before did not hold any (once until it answers without one). A null answer is
     * thrown as a failure of the call.
     */
    private static List<GpuSample> withoutNulls(Set<Object> withNulls, Object key, GpuTelemetrySource source, String what,
            List<GpuSample> answer) {
        if (answer == null) {
            throw new IllegalStateException("the source answered null instead of a list of samples");
        }
        int nulls = 0;
        for (GpuSample s : answer) {
            nulls += s == null ? 1 : 0;
        }
        if (nulls == 0) {
            withNulls.remove(key);
            return answer;
        }
        if (withNulls.add(key)) {
            LOG.warn("Telemetry source {} answered {} null sample{} among {} ({} in all); {} left out until it answers without one", source,
                    nulls, nulls == 1 ? "" : "s", what, answer.size(), nulls == 1 ? "it is" : "they are");
        }
        List<GpuSample> out = new ArrayList<>(answer.size() - nulls);
        for (GpuSample s : answer) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
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
