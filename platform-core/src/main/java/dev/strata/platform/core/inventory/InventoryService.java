package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DescribedProvider;
import dev.strata.platform.api.provider.FabricProvider;
import dev.strata.platform.api.provider.GpuProvider;
import dev.strata.platform.api.provider.ProviderProperties;
import dev.strata.platform.api.provider.StorageProvider;
import dev.strata.platform.core.provenance.ProviderText;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory and provider registry as OSGi services: tracks every provider service
 * dynamically and hands registrations to a {@link ProviderDirectory}.
 *
 * <p>Configuration PID {@value InventorySettings#PID}. An invalid configuration at activation
 * fails the component with a message naming the property; an invalid change while running is
 * rejected the same way and the previous settings stay in force.
 */
@Component(service = {Inventory.class, ProviderRegistry.class, MultiCollector.class}, immediate = true,
        configurationPid = InventorySettings.PID)
@Designate(ocd = InventoryConfig.class)
public class InventoryService implements Inventory, ProviderRegistry, MultiCollector {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryService.class);
    /**
     * Attribute of a node that is one machine seen by several providers (joined by machine
     * identity): the other providers' nodes, {@code provider=node,...} ({@code bmc=bmc:4c4c4544-...}),
     * with {@code \} and {@code ,} in a node id written {@code \\} and {@code \,} ({@link JoinedIds}).
     * A deployment onto the node is made by the first of them that provisions when the node's own
     * provider does not.
     */
    public static final String JOINED_PROVIDERS = "strata.joined.providers";
    private static final int MAX_PROVIDER_THREADS = 32;
    /** How long the bind of a provider service waits for its {@code description()}. */
    static final Duration DESCRIPTION_TIMEOUT = Duration.ofSeconds(2);

    private final ProviderDirectory directory;
    private final ProviderRecorder recorder = new ProviderRecorder();
    private volatile Future<?> ticker;

    /** Where a refused change of the configuration is recorded, after Config Admin's record of it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    @Activate
    public InventoryService(InventoryConfig config) {
        this(InventorySettings.from(config), Clock.systemUTC());
    }

    InventoryService(InventorySettings settings, Clock clock) {
        this.directory = new ProviderDirectory(settings, new DeadlineExecutor(MAX_PROVIDER_THREADS), clock);
        directory.listen(recorder);
        schedule(settings);
        LOG.info("Strata inventory started: refresh every {}, discovery deadline {}, swap wait {}, stale grace {}",
                InventorySettings.describe(settings.refreshInterval()), InventorySettings.describe(settings.discoveryTimeout()),
                InventorySettings.describe(settings.swapWait()), InventorySettings.describe(settings.staleGracePeriod()));
    }

    @Modified
    void modified(InventoryConfig config) {
        InventorySettings settings;
        try {
            settings = InventorySettings.from(config);
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, InventorySettings.PID, e.getMessage());
            return;
        }
        InventorySettings previous = directory.settings();
        directory.configure(settings);
        if (!previous.refreshInterval().equals(settings.refreshInterval())) {
            schedule(settings);
        }
        LOG.info("Strata inventory reconfigured: {}", settings);
    }

    @Deactivate
    void deactivate() {
        Future<?> t = ticker;
        if (t != null) {
            t.cancel(false);
        }
        directory.close();
    }

    private synchronized void schedule(InventorySettings settings) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        ticker = directory.executor().every(settings.refreshInterval(), directory::tick,
                e -> LOG.error("Periodic inventory refresh failed", e));
    }

    // ---- the services ------------------------------------------------------------------------

    @Override
    public InventorySnapshot snapshot() {
        return directory.inventory();
    }

    @Override
    public InventorySnapshot refresh(Duration maxWait) {
        return directory.refreshAll(maxWait);
    }

    @Override
    public List<ProviderStatus> providers() {
        return directory.statuses();
    }

    @Override
    public Optional<ProviderStatus> provider(String id) {
        return directory.status(id);
    }

    @Override
    public ProviderStatus refresh(String id, Duration maxWait) {
        return directory.refresh(id, maxWait);
    }

    /** Provider calls' counters and latency: {@code strata_provider_calls_total}, {@code strata_provider_call_duration_seconds}. */
    @Override
    public MetricSnapshots collect() {
        return directory.metrics().collect();
    }

    /**
     * How long a caller that needs a provider waits for it while it is being replaced: the
     * configured {@code swapWait}, as in force now (a rejected change leaves the previous one).
     */
    public Duration swapWait() {
        return directory.settings().swapWait();
    }

    // ---- the provenance log ----------------------------------------------------------------

    /** Provider changes go to the provenance log while a state store is there (it may come after the providers). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(dev.strata.platform.core.store.StateStore store) {
        recorder.store(store);
        directory.onEventThread(recorder::flush);
    }

    void unbindStore(dev.strata.platform.core.store.StateStore store) {
        recorder.unsetStore(store);
    }

    // ---- provider tracking ------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindCompute(ServiceReference<ComputeProvider> ref, ComputeProvider provider) {
        register(ref, Capability.COMPUTE, provider, provider::discoverCompute);
    }

    void unbindCompute(ServiceReference<ComputeProvider> ref) {
        directory.unregister(serviceId(ref), Capability.COMPUTE);
    }

    void updatedCompute(ServiceReference<ComputeProvider> ref, ComputeProvider provider) {
        update(ref, Capability.COMPUTE, provider, provider::discoverCompute);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindGpu(ServiceReference<GpuProvider> ref, GpuProvider provider) {
        register(ref, Capability.GPU, provider, provider::discoverGpus);
    }

    void unbindGpu(ServiceReference<GpuProvider> ref) {
        directory.unregister(serviceId(ref), Capability.GPU);
    }

    void updatedGpu(ServiceReference<GpuProvider> ref, GpuProvider provider) {
        update(ref, Capability.GPU, provider, provider::discoverGpus);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindFabric(ServiceReference<FabricProvider> ref, FabricProvider provider) {
        register(ref, Capability.FABRIC, provider, provider::discoverFabrics);
    }

    void unbindFabric(ServiceReference<FabricProvider> ref) {
        directory.unregister(serviceId(ref), Capability.FABRIC);
    }

    void updatedFabric(ServiceReference<FabricProvider> ref, FabricProvider provider) {
        update(ref, Capability.FABRIC, provider, provider::discoverFabrics);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindStorage(ServiceReference<StorageProvider> ref, StorageProvider provider) {
        register(ref, Capability.STORAGE, provider, provider::discoverStorage);
    }

    void unbindStorage(ServiceReference<StorageProvider> ref) {
        directory.unregister(serviceId(ref), Capability.STORAGE);
    }

    void updatedStorage(ServiceReference<StorageProvider> ref, StorageProvider provider) {
        update(ref, Capability.STORAGE, provider, provider::discoverStorage);
    }

    private void register(ServiceReference<?> ref, Capability capability, Object provider, Registration.Discoverer discoverer) {
        // null once the service is unregistered: it can leave while it is being bound (its bundle stopping)
        Bundle bundle = ref.getBundle();
        if (bundle == null) {
            LOG.debug("{} service {} was unregistered before it was bound; ignored", capability, serviceId(ref));
            return;
        }
        String providerId;
        try {
            providerId = ProviderIds.id(ref.getProperty(ProviderProperties.ID));
        } catch (IllegalArgumentException e) {
            LOG.error("Ignoring {} service {} of bundle {}: {}", capability, serviceId(ref), bundle.getSymbolicName(), e.getMessage());
            return;
        }
        String description = provider instanceof DescribedProvider described ? describe(described, providerId, ref) : null;
        String bundleVersion = bundle.getVersion().toString();
        directory.register(new Registration(providerId, ProviderIds.label(ref.getProperty(ProviderProperties.VENDOR), providerId),
                ProviderIds.label(ref.getProperty(ProviderProperties.VERSION), bundleVersion), bundle.getSymbolicName(),
                serviceId(ref), capability, discoverer, description));
    }

    /**
     * A bound provider service's properties changed (its configuration was edited, and its
     * component, which stays, registered the new properties). Where the provider id, vendor or
     * version it is listed with changed, the service is taken as departing under what it was
     * listed with and registering under what it has now, as if it had been unregistered and
     * registered again: the old id is {@code DEPARTED} (its resources stay, stale, for the grace
     * period; a discovery of it that is running is stopped), the new one registers and is
     * discovered, and the provenance log records both. Where none of them changed, nothing
     * happens. A service ignored when it was bound (an id that is not one) is registered once its
     * id is valid; one whose id becomes invalid departs and is ignored, as at bind.
     */
    private void update(ServiceReference<?> ref, Capability capability, Object provider, Registration.Discoverer discoverer) {
        long serviceId = serviceId(ref);
        Bundle bundle = ref.getBundle();
        if (bundle == null) {
            LOG.debug("{} service {} was unregistered while its properties changed; ignored", capability, serviceId);
            return;
        }
        Registration held = directory.registration(serviceId, capability);
        Object property = ref.getProperty(ProviderProperties.ID);
        if (held != null && property instanceof String id && id.equals(held.providerId())
                && ProviderIds.label(ref.getProperty(ProviderProperties.VENDOR), id).equals(held.vendor())
                && ProviderIds.label(ref.getProperty(ProviderProperties.VERSION), bundle.getVersion().toString()).equals(held.version())) {
            // its configuration changed and the provider applied it in place: the change is in the inventory at its next
            // discovery, made now
            directory.rediscover(serviceId, capability);
            return;
        }
        if (held != null) {
            LOG.info("Provider {}: the id, vendor or version of its {} service {} of bundle {} changed; the service departs as {} "
                    + "and registers with its new properties", held.providerId(), capability, serviceId, bundle.getSymbolicName(),
                    held.providerId());
            directory.unregister(serviceId, capability);
        }
        register(ref, capability, provider, discoverer);
    }

    /**
     * What the provider says it is connected to, or null: asked on a provider thread and waited for
     * at most {@link #DESCRIPTION_TIMEOUT}, since this runs on the thread that binds every service
     * (a provider whose {@code description()} hung would stop every later bind of the framework).
     */
    private String describe(DescribedProvider described, String providerId, ServiceReference<?> ref) {
        try {
            return ProviderIds.description(directory.executor()
                    .call("description of provider " + providerId, DESCRIPTION_TIMEOUT, described::description).join());
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ProviderTimeoutException) {
                LOG.warn("Provider {} (service {}) did not describe itself within {}; it is listed without a description",
                        providerId, serviceId(ref), InventorySettings.describe(DESCRIPTION_TIMEOUT));
            } else {
                LOG.debug("Provider service {} could not describe itself: {} ({})", serviceId(ref), ProviderText.message(cause),
                        cause.getClass().getName());
            }
            return null;
        } catch (RuntimeException e) {
            LOG.debug("Provider service {} could not describe itself: {} ({})", serviceId(ref), ProviderText.message(e),
                    e.getClass().getName());
            return null;
        }
    }

    private static long serviceId(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }
}
