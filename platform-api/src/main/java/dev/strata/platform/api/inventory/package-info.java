/**
 * Services the core offers about what Strata knows: the merged
 * {@link dev.strata.platform.api.inventory.Inventory} and the
 * {@link dev.strata.platform.api.inventory.ProviderRegistry}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.strata.platform.api.inventory;
