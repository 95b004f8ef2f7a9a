package dev.strata.platform.core.inventory;

import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.util.Objects;

/**
 * One registered provider service, free of OSGi types.
 *
 * @param providerId the provider id
 * @param vendor the vendor
 * @param version the provider's version
 * @param bundle the symbolic name of the registering bundle
 * @param serviceId the OSGi service id, unique per registration
 * @param capability which SPI the service implements
 * @param discoverer calls the SPI's discovery method
 * @param description what the provider says it is connected to, or null
 */
record Registration(String providerId, String vendor, String version, String bundle, long serviceId,
        Capability capability, Discoverer discoverer, String description) {

    Registration(String providerId, String vendor, String version, String bundle, long serviceId, Capability capability,
            Discoverer discoverer) {
        this(providerId, vendor, version, bundle, serviceId, capability, discoverer, null);
    }

    /** Calls the discovery method of one SPI; returns one of the SPI snapshot records. */
    @FunctionalInterface
    interface Discoverer {
        Object discover(DiscoveryContext context);
    }

    Registration {
        Objects.requireNonNull(providerId, "providerId");
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(discoverer, "discoverer");
    }
}
