/**
 * Commitments: what placement committed to, verified again and again against the inventory
 * (sovereignty of each bound node's site, isolation, the bound GPUs' presence, health and model).
 * The {@link dev.strata.platform.api.commitment.Commitments} service and its plain records.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.strata.platform.api.commitment;
