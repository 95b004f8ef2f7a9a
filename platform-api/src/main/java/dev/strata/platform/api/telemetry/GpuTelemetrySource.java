package dev.strata.platform.api.telemetry;

import java.util.List;
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
     * Recent samples of one accelerator, oldest first.
     *
     * @param acceleratorId the accelerator
     * @param limit at most this many samples
     * @return the samples kept, possibly empty
     */
    List<GpuSample> recent(String acceleratorId, int limit);
}
