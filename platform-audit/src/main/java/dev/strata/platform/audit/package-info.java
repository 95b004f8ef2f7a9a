/**
 * Strata's provenance log format: {@link dev.strata.platform.audit.Jcs RFC 8785} canonical JSON,
 * {@link dev.strata.platform.audit.LogRecord records} chained by SHA-256,
 * {@link dev.strata.platform.audit.Checkpoint checkpoints} signed with Ed25519, the export file
 * and the {@link dev.strata.platform.audit.ChainVerifier verifier}. JDK only.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.strata.platform.audit;
