/**
 * Placement: the {@link dev.strata.platform.api.placement.Placement} service and its plain-record
 * decisions (bindings, evidence per clause, counted rejections) and ledger allocations.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.7.0")
package dev.strata.platform.api.placement;
