/**
 * The provider SPIs that vendor bundles implement: {@link dev.strata.platform.api.provider.ComputeProvider},
 * {@link dev.strata.platform.api.provider.GpuProvider}, {@link dev.strata.platform.api.provider.FabricProvider}
 * and {@link dev.strata.platform.api.provider.StorageProvider}, one per capability. A vendor
 * registers only the services it implements.
 *
 * <p>In short, for a vendor (the obligations are on {@link dev.strata.platform.api.provider.ComputeProvider}):
 * <ul>
 * <li>Register each service with {@link dev.strata.platform.api.provider.StrataProvider} (its id and
 *     vendor, {@link dev.strata.platform.api.provider.ProviderProperties}); every resource a
 *     snapshot holds names that id as its provider: the inventory leaves out, with a warning to the
 *     provider, a node or capacity offer that names another. Resource ids are any non-blank text,
 *     stable across calls and versions, and unique among all providers (prefix them with the
 *     provider id): of two providers reporting one id (a node, or another resource that differs),
 *     the inventory keeps one and warns both.</li>
 * <li>The core calls a discovery from its own threads, possibly concurrently, with a deadline (the
 *     inventory's {@code discoveryTimeout}, 30 s by default). A call that throws, or overruns its
 *     deadline (it is then interrupted), makes the provider {@code FAILED} with the exception's
 *     message; its last resources stay, {@code STALE}, until it answers again or for
 *     {@code staleGracePeriod}, and no other provider is affected. Throw the portable exceptions of
 *     {@link dev.strata.platform.api.exception}; any other is reported the same way, but only a
 *     portable one says what went wrong in terms a person can act on.</li>
 * <li>A GPU provider reports each device's health on {@link dev.strata.platform.api.model.Accelerator#health()},
 *     and a GPU provider that sees no device or driver returns an empty snapshot with
 *     {@link dev.strata.platform.api.provider.GpuSnapshot#unavailableReason()} (state {@code UNAVAILABLE});
 *     what went wrong without failing goes into a snapshot's {@code warnings}.</li>
 * <li>When the bundle stops, is updated or is replaced, its resources stay, {@code STALE}, until a
 *     service with the same id registers again and rediscovers; it is then the same provider.</li>
 * </ul>
 * {@code platform-testkit} has one contract test per SPI that checks these obligations.
 * {@link dev.strata.platform.api.provider.Generations} hands out snapshot generations that stay
 * above every earlier one across restarts with the clock set back (since 1.3).
 * {@link dev.strata.platform.api.provider.ConfigurationRejections}, which the core registers, records
 * in the provenance log that a provider refused a change of its configuration and kept the settings
 * before it (since 1.4), or was left serving nothing (since 1.5).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package dev.strata.platform.api.provider;
