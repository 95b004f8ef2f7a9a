package dev.strata.platform.api.telemetry;

import java.util.List;
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
}
