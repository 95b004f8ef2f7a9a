package dev.strata.platform.api.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The paging {@link GpuTelemetrySource#since} a source built against the API before it gets by default: derived from
 * {@link GpuTelemetrySource#recent}, its answers are those a source paging its own history would give.
 */
class GpuTelemetrySourceTest {

    static final String GPU = "GPU-0";
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    /**
     * A source as one built against the API before {@code since} implements it: {@code latest} and {@code recent} alone.
     * Hand-written: the default method is what is tested, and no real provider lacks its own.
     */
    static final class OldSource implements GpuTelemetrySource {
        final List<GpuSample> kept = new ArrayList<>();
        final List<Integer> recentLimits = new ArrayList<>();

        OldSource(int... seconds) {
            for (int s : seconds) {
                kept.add(GpuSample.builder().acceleratorId(GPU).at(T0.plusSeconds(s)).powerWatts(s).build());
            }
        }

        @Override
        public List<GpuSample> latest() {
            return kept.isEmpty() ? List.of() : List.of(kept.get(kept.size() - 1));
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            recentLimits.add(limit);
            return GPU.equals(acceleratorId) ? List.copyOf(kept.subList(Math.max(0, kept.size() - limit), kept.size())) : List.of();
        }
    }

    static List<Long> seconds(List<GpuSample> samples) {
        return samples.stream().map(s -> s.at().getEpochSecond() - T0.getEpochSecond()).toList();
    }

    @Test
    void aSourceImplementingOnlyRecentAnswersPagesFromAnInstantOnOldestFirst() {
        OldSource source = new OldSource(0, 10, 20, 30, 40);
        assertThat(seconds(source.since(GPU, T0.minusSeconds(5), 2))).as("before the oldest").containsExactly(0L, 10L);
        assertThat(seconds(source.since(GPU, T0.plusSeconds(15), 10))).as("between samples").containsExactly(20L, 30L, 40L);
        assertThat(seconds(source.since(GPU, T0.plusSeconds(20), 2))).as("equal to a sample's time").containsExactly(20L, 30L);
        assertThat(source.since(GPU, T0.plusSeconds(41), 10)).as("after the newest").isEmpty();
        assertThat(seconds(source.since(GPU, T0.plusSeconds(10), 1))).as("limit 1").containsExactly(10L);
        assertThat(source.since(GPU, T0, 0)).as("limit 0").isEmpty();
        assertThat(source.since("GPU-other", T0, 10)).as("another accelerator").isEmpty();
        assertThat(source.recentLimits).as("each page asks recent for every sample kept").containsOnly(Integer.MAX_VALUE);
    }

    @Test
    void aWindowIsWalkedPageByPageThroughTheDefault() {
        OldSource source = new OldSource(0, 1, 2, 3, 4, 5, 6);
        List<Long> walked = new ArrayList<>();
        Instant from = T0;
        while (true) {
            List<GpuSample> page = source.since(GPU, from, 3);
            walked.addAll(seconds(page));
            if (page.size() < 3) {
                break;
            }
            from = page.get(page.size() - 1).at().plusNanos(1);
        }
        assertThat(walked).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }
}
