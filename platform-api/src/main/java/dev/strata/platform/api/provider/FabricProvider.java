package dev.strata.platform.api.provider;

import org.osgi.annotation.versioning.ConsumerType;

/** The fabric SPI: data, WAN, PCIe and RDMA fabrics. The obligations of {@link ComputeProvider} apply. */
@ConsumerType
public interface FabricProvider {

    /**
     * Discovers every fabric the provider sees.
     *
     * @param context deadline and operation id
     * @return a full snapshot
     */
    FabricSnapshot discoverFabrics(DiscoveryContext context);
}
