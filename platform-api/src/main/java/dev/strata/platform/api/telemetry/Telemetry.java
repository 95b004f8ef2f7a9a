package dev.strata.platform.api.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The telemetry of every source, offered by the core. Thread-safe; never blocks on a device. */
@ProviderType
public interface Telemetry {

    /** The latest sample of every accelerator any source covers. */
    List<GpuSample> latestGpuSamples();

    /** The latest sample of one accelerator. */
    Optional<GpuSample> latest(String acceleratorId);

    /** Recent samples of one accelerator, oldest first, at most {@code limit}. */
    List<GpuSample> recent(String acceleratorId, int limit);

    /**
     * One page of the samples of one accelerator from an instant on, oldest first: those taken at or after
     * {@code from}, at most {@code limit} of them, as {@link GpuTelemetrySource#since} answers them, from the source
     * {@link #recent} reads (the one with the accelerator's newest sample). A caller walks a window page by page,
     * holding one page at a time. The default derives it from {@link #recent}, costing what a {@code recent} of every
     * sample kept costs.
     *
     * @param acceleratorId the accelerator
     * @param from the earliest instant a sample is answered from (inclusive)
     * @param limit at most this many samples; none where it is 0 or less
     * @return the samples taken at or after {@code from}, oldest first, at most {@code limit}; possibly empty
     * @since 1.2
     */
    default List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        Objects.requireNonNull(acceleratorId, "acceleratorId");
        Objects.requireNonNull(from, "from");
        if (limit <= 0) {
            return List.of();
        }
        List<GpuSample> page = new ArrayList<>();
        for (GpuSample s : recent(acceleratorId, Integer.MAX_VALUE)) {
            if (s != null && !s.at().isBefore(from)) {
                page.add(s);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return page;
    }
}
