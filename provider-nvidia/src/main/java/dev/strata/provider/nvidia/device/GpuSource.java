package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import java.time.Duration;
import java.util.List;

/**
 * One way of reading the GPUs of this host: NVML or nvidia-smi. Implementations are thread-safe;
 * every blocking step is bounded by the time it is given.
 */
public interface GpuSource extends AutoCloseable {

    /** {@code nvml} or {@code nvidia-smi}. */
    String name();

    /**
     * Reads every GPU.
     *
     * @throws SourceUnavailableException when the library or binary is missing or cannot start
     * @throws dev.strata.platform.api.exception.ProviderTimeoutException when the deadline passes or the thread is interrupted
     * @throws dev.strata.platform.api.exception.ProviderFailureException when the source answers with an error
     */
    DiscoveredGpus discover(DiscoveryContext context) throws SourceUnavailableException;

    /**
     * Samples every GPU the last discovery found; empty before the first discovery.
     *
     * @param timeout how long the sampling may take
     * @throws dev.strata.platform.api.exception.StrataException when sampling fails or times out
     */
    List<GpuSample> sample(Duration timeout);

    /** Releases the library or stops running processes; idempotent. */
    @Override
    void close();
}
