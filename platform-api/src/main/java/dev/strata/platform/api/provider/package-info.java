/**
 * The provider SPIs that vendor bundles implement: {@link dev.strata.platform.api.provider.ComputeProvider},
 * {@link dev.strata.platform.api.provider.GpuProvider}, {@link dev.strata.platform.api.provider.FabricProvider}
 * and {@link dev.strata.platform.api.provider.StorageProvider}, one per capability. A vendor
 * registers only the services it implements.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.strata.platform.api.provider;
