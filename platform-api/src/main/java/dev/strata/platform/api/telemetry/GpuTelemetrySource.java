package dev.strata.platform.api.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * SPI: a provider that samples accelerator telemetry at its own interval. Register it as an OSGi
 * service with the provider's {@link dev.strata.platform.api.provider.ProviderProperties}.
 * Implementations serve from what their sampler last read: calls never block on the device.
 */
@ConsumerType
public interface GpuTelemetrySource {

    /** The latest sample of every accelerator the source covers. */
    List<GpuSample> latest();

    /**
     * Recent samples of one accelerator, oldest first: the newest {@code limit} of those kept.
     *
     * @param acceleratorId the accelerator
     * @param limit at most this many samples; none where it is 0 or less
     * @return the samples kept, possibly empty (for an accelerator the source does not cover too)
     */
    List<GpuSample> recent(String acceleratorId, int limit);

    /**
     * One page of the samples of one accelerator kept from an instant on, oldest first: those taken at or after
     * {@code from}, at most {@code limit} of them, the oldest such first. A caller walks a window page by page, asking
     * again from the instant of the last sample it was answered (skipping those it already had at that instant) until a
     * page holds fewer than {@code limit}, and so never holds more than one page at a time: the verifier averages a
     * window of up to 100,000 samples per GPU this way.
     *
     * <p>Implement it where the source keeps its history ordered by time: a page should cost what it answers, not a copy
     * of the whole history (the NVIDIA provider finds {@code from} by binary search in its ring). The default, for
     * providers built against the API before this method, derives it from {@link #recent}: it asks for every sample kept
     * ({@code recent(acceleratorId, Integer.MAX_VALUE)}) and answers those from {@code from} on, so that each page costs
     * what such a {@code recent} call costs; its answer is right, only not cheap.
     *
     * @param acceleratorId the accelerator
     * @param from the earliest instant a sample is answered from (inclusive)
     * @param limit at most this many samples; none where it is 0 or less
     * @return the samples kept taken at or after {@code from}, oldest first, at most {@code limit}; possibly empty
     * @throws NullPointerException where {@code acceleratorId} or {@code from} is null
     * @since 1.2
     */
    default List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        Objects.requireNonNull(acceleratorId, "acceleratorId");
        Objects.requireNonNull(from, "from");
        if (limit <= 0) {
            return List.of();
        }
        List<GpuSample> all = recent(acceleratorId, Integer.MAX_VALUE);
        List<GpuSample> page = new ArrayList<>(Math.min(limit, all == null ? 0 : all.size()));
        if (all != null) {
            for (GpuSample s : all) {
                if (s != null && !s.at().isBefore(from)) {
                    page.add(s);
                    if (page.size() == limit) {
                        break;
                    }
                }
            }
        }
        return page;
    }
}
