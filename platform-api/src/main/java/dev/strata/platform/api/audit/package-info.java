/**
 * The provenance log as the core offers it: the {@link dev.strata.platform.api.audit.AuditLog}
 * service to list, verify and export records.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.strata.platform.api.audit;
