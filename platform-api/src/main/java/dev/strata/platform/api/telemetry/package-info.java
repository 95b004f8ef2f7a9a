/**
 * Telemetry: samples that providers take of their devices
 * ({@link dev.strata.platform.api.telemetry.GpuTelemetrySource}, an SPI) and the core's merged view
 * ({@link dev.strata.platform.api.telemetry.Telemetry}), for the shell, the verifier and metrics.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.strata.platform.api.telemetry;
