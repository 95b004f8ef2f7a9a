package dev.strata.platform.core.commitment;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The samples the verifier read, kept for as long as they count (the telemetry window), so that a
 * source that goes (its provider replaced, stopped, or not answering a pass in time) does not take
 * the window's samples with it. Without this, every telemetry finding vanished for the length of a
 * provider swap: its allocations were recorded HONORED, then their findings again a pass later.
 * What a source answers is taken as it is; where it answers nothing for a GPU, the samples read
 * before are answered instead, those the window still holds.
 *
 * <p>The latest sample read of a GPU is also kept past the window, for as long as the GPU is one
 * the verifier still checks (the inventory holds it or an allocation binds it), and answered among
 * the latest samples: a GPU whose source went for good (its provider stopped or removed, a source
 * that no longer answers) stays one that telemetry covered, with no sample within the window, and
 * its clauses read as unchecked rather than as holding ({@link CommitmentCheck}). It is kept in
 * memory only: a restart forgets which GPUs had telemetry. Not thread-safe: a verifier's passes
 * run one at a time.
 */
final class RememberedTelemetry {

    /** The latest sample of every GPU read, and each GPU's recent samples as last read. */
    private final Map<String, GpuSample> latest = new HashMap<>();
    private final Map<String, List<GpuSample>> recent = new HashMap<>();

    /**
     * The telemetry of one pass: {@code source}'s answers, completed from what was read before.
     * What is older than {@code now - window} is forgotten first, except the latest sample of a GPU
     * {@code checked} still holds.
     *
     * @param checked the GPUs the verifier still checks (in the inventory or bound by an
     *     allocation): their latest sample is kept past the window, as the mark of a GPU telemetry covered
     */
    Telemetry over(Telemetry source, Instant now, Duration window, Predicate<String> checked) {
        Instant oldest = now.minus(window);
        latest.entrySet().removeIf(e -> e.getValue().at().isBefore(oldest) && !checked.test(e.getKey()));
        recent.values().forEach(l -> l.removeIf(s -> s.at().isBefore(oldest)));
        recent.values().removeIf(List::isEmpty);
        return new Telemetry() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                Map<String, GpuSample> out = new LinkedHashMap<>();
                for (GpuSample s : source.latestGpuSamples()) {
                    out.putIfAbsent(s.acceleratorId(), s);
                    latest.merge(s.acceleratorId(), s, (a, b) -> b.at().isAfter(a.at()) ? b : a);
                }
                latest.forEach(out::putIfAbsent);
                return List.copyOf(out.values());
            }

            @Override
            public Optional<GpuSample> latest(String acceleratorId) {
                Optional<GpuSample> s = source.latest(acceleratorId);
                return s.isPresent() ? s : Optional.ofNullable(latest.get(acceleratorId));
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                List<GpuSample> answer = source.recent(acceleratorId, limit);
                if (!answer.isEmpty()) {
                    List<GpuSample> kept = new ArrayList<>();
                    for (GpuSample s : answer) {
                        if (acceleratorId.equals(s.acceleratorId()) && !s.at().isBefore(oldest)) {
                            kept.add(s);
                        }
                    }
                    recent.put(acceleratorId, kept);
                    return answer;
                }
                List<GpuSample> before = recent.getOrDefault(acceleratorId, List.of());
                return List.copyOf(before.subList(Math.max(0, before.size() - limit), before.size()));
            }
        };
    }

    /** Whether nothing is remembered. */
    boolean isEmpty() {
        return latest.isEmpty() && recent.isEmpty();
    }

    /** How many GPUs are remembered (for tests). */
    int gpus() {
        return Math.max(latest.size(), recent.size());
    }
}
