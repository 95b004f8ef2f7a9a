package dev.strata.platform.api.provider;

import org.osgi.annotation.versioning.ConsumerType;

/** The storage SPI. The obligations of {@link ComputeProvider} apply. */
@ConsumerType
public interface StorageProvider {

    /**
     * Discovers every storage pool the provider sees.
     *
     * @param context deadline and operation id
     * @return a full snapshot
     */
    StorageSnapshot discoverStorage(DiscoveryContext context);
}
