/**
 * Strata's provider test kit: one abstract JUnit 5 contract test per provider SPI
 * ({@link dev.strata.platform.testkit.ComputeProviderContract},
 * {@link dev.strata.platform.testkit.GpuProviderContract},
 * {@link dev.strata.platform.testkit.FabricProviderContract},
 * {@link dev.strata.platform.testkit.StorageProviderContract},
 * {@link dev.strata.platform.testkit.ProvisioningProviderContract}), built on
 * {@link dev.strata.platform.testkit.SpiContract} (what every SPI call promises) and, for the
 * discovery SPIs, {@link dev.strata.platform.testkit.ProviderContract}. A provider's test extends
 * the contract of each SPI it implements and supplies the provider:
 *
 * <pre>
 * &lt;dependency&gt;
 *   &lt;groupId&gt;dev.strata&lt;/groupId&gt;
 *   &lt;artifactId&gt;platform-testkit&lt;/artifactId&gt;
 *   &lt;version&gt;...&lt;/version&gt;
 *   &lt;scope&gt;test&lt;/scope&gt;
 * &lt;/dependency&gt;
 * </pre>
 *
 * A telemetry source ({@link dev.strata.platform.api.telemetry.GpuTelemetrySource}) is checked by
 * {@link dev.strata.platform.testkit.GpuTelemetrySourceContract}, which stands alone: its calls take
 * no deadline, and each must answer from memory within a bound.
 *
 * Helpers serve a provider's own tests: {@link dev.strata.platform.testkit.StderrCapture} copies
 * what is logged, {@link dev.strata.platform.testkit.SettableClock} is a clock the test sets,
 * moves forward or sets back, for code that takes a {@link java.time.Clock},
 * {@link dev.strata.platform.testkit.ComponentDescriptors} finds the modified method that the
 * component's generated descriptor names, so that a test calls it as Declarative Services does,
 * {@link dev.strata.platform.testkit.RecordingRejections} records what a provider tells the core's
 * {@code ConfigurationRejections} of a refused change, and
 * {@link dev.strata.platform.testkit.MemoryJournal} and
 * {@link dev.strata.platform.testkit.RefreshingRegistry} stand in for the core's journal and
 * registry.
 *
 * A contract for a new SPI extends {@code SpiContract} (or {@code ProviderContract} for a
 * discovery) and adds the SPI's own obligations as tests; see there.
 */
package dev.strata.platform.testkit;
