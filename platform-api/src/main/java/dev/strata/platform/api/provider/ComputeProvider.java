package dev.strata.platform.api.provider;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The compute SPI: a provider of machines (bare metal, VMs, declared capacity).
 *
 * <p>Obligations of every implementation:
 * <ul>
 * <li><b>Snapshots, not deltas.</b> {@link #discoverCompute} returns everything the provider
 *     sees. A node missing from a snapshot is gone.</li>
 * <li><b>Stateless with respect to the platform.</b> Whatever Strata must remember is in what
 *     the provider returns; a new version of the bundle continues where the old one stopped.
 *     Node ids must therefore be stable across calls and across bundle versions.</li>
 * <li><b>Idempotent</b> under {@link DiscoveryContext#operationId()}.</li>
 * <li><b>Bounded.</b> Every call returns by {@link DiscoveryContext#deadline()} and honours
 *     thread interruption; blocking I/O is given the remaining time.</li>
 * <li><b>Portable errors.</b> Only {@link dev.strata.platform.api.exception.StrataException}s
 *     leave the provider; vendor types never cross this interface.</li>
 * <li><b>Thread-safe.</b> The core may call concurrently (never twice concurrently for the same
 *     operation id).</li>
 * </ul>
 * Register implementations as OSGi services with the properties of {@link ProviderProperties},
 * most simply through {@link StrataProvider}.
 */
@ConsumerType
public interface ComputeProvider {

    /**
     * Discovers every node the provider sees.
     *
     * @param context deadline and operation id
     * @return a full snapshot; its generation is strictly greater than that of any earlier
     *     snapshot of this provider id, including those of earlier bundle versions (providers
     *     without a source-side counter use the wall clock in microseconds)
     * @throws dev.strata.platform.api.exception.ProviderTimeoutException when the deadline passes
     * @throws dev.strata.platform.api.exception.ProviderUnavailableException when the source cannot be read
     */
    ComputeSnapshot discoverCompute(DiscoveryContext context);
}
