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

/**
 * The samples the verifier read, kept for as long as they count (the telemetry window), so that a
 * source that goes (its provider replaced, stopped, or not answering a pass in time) does not take
 * the window's samples with it. Without this, every telemetry finding vanished for the length of a
 * provider swap: its allocations were recorded HONORED, then their findings again a pass later.
 * What a source answers is taken as it is; where it answers nothing for a GPU, the samples read
 * before are answered instead, those the window still holds. Not thread-safe: a verifier's passes
 * run one at a time.
 */
final class RememberedTelemetry {

    /** The latest sample of every GPU read, and each GPU's recent samples as last read. */
    private final Map<String, GpuSample> latest = new HashMap<>();
    private final Map<String, List<GpuSample>> recent = new HashMap<>();

    /**
     * The telemetry of one pass: {@code source}'s answers, completed from what was read before.
     * What is older than {@code now - window} is forgotten first.
     */
    Telemetry over(Telemetry source, Instant now, Duration window) {
        Instant oldest = now.minus(window);
        latest.values().removeIf(s -> s.at().isBefore(oldest));
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

    /** How many GPUs are remembered (for tests). */
    int gpus() {
        return Math.max(latest.size(), recent.size());
    }
}
