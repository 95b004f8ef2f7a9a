package dev.strata.platform.api.provider;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The GPU SPI: a provider of accelerators, their interconnect and health. The obligations of
 * {@link ComputeProvider} apply. A provider that finds no device or driver returns an empty
 * snapshot with {@link GpuSnapshot#unavailableReason()} set; it does not throw.
 */
@ConsumerType
public interface GpuProvider {

    /**
     * Discovers every accelerator the provider sees.
     *
     * @param context deadline and operation id
     * @return a full snapshot
     * @throws dev.strata.platform.api.exception.ProviderTimeoutException when the deadline passes
     */
    GpuSnapshot discoverGpus(DiscoveryContext context);
}
