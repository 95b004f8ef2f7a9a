package dev.strata.platform.core.deployment;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.ProviderProperties;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.platform.core.inventory.InventoryService;
import dev.strata.platform.core.inventory.ProviderIds;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.store.StateStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * Deployments as an OSGi service: a {@link DeploymentEngine} over the state store, placement and
 * the inventory, with every {@link ProvisioningProvider} tracked dynamically by its provider id (a
 * provider being replaced is waited for; its operations resume by id on the new version, and a
 * deploy waits for it up to the inventory's {@code swapWait}). Configuration PID
 * {@value DeploymentSettings#PID}; an invalid change is rejected and the previous settings stay
 * in force. As a {@link MultiCollector} it offers its provisioning calls' counters and latency to
 * the metrics endpoint.
 */
@Component(service = {Deployments.class, MultiCollector.class}, immediate = true, configurationPid = DeploymentSettings.PID)
@Designate(ocd = DeploymentConfig.class)
public class DeploymentComponent implements Deployments, MultiCollector {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentComponent.class);

    private final ProvisioningProviders providers;
    /** The provider id each bound provisioning service was added under, by service id: what it leaves under. */
    private final java.util.Map<Long, String> boundIds = new java.util.concurrent.ConcurrentHashMap<>();
    private final DeploymentEngine engine;

    @Activate
    public DeploymentComponent(@Reference StateStore store, @Reference Placement placement, @Reference Inventory inventory,
            @Reference ProviderRegistry registry, DeploymentConfig config) {
        DeploymentSettings settings = DeploymentSettings.from(config);
        this.providers = new ProvisioningProviders();
        this.engine = new DeploymentEngine(store, placement, inventory, providers, registry, settings, Clock.systemUTC());
        if (registry instanceof InventoryService inventoryService) {
            // the inventory's own setting, as in force at each deploy
            engine.swapWaitFrom(inventoryService::swapWait);
        } else {
            LOG.warn("The provider registry is not Strata's inventory ({}); a deploy waits the default swapWait for a provisioning provider "
                    + "being replaced", registry.getClass().getName());
        }
        // the first pass (which resumes what a previous run left unfinished) waits for the providers present now to bind
        engine.start(Duration.ofSeconds(1));
        LOG.info("Deployments started: reconciler every {} ({} while provisioning), provider calls bounded by {}, {} workers, leaks {}",
                Reconciler.describe(settings.reconcileInterval()), Reconciler.describe(settings.pollInterval()),
                Reconciler.describe(settings.operationTimeout()), settings.workers(),
                settings.deleteLeaks() ? "deleted" : "reported");
    }

    /** Over an engine made elsewhere (tests). */
    DeploymentComponent(DeploymentEngine engine) {
        this(engine, new ProvisioningProviders());
    }

    /** Over an engine made elsewhere and the providers it calls, which this component's references fill (tests). */
    DeploymentComponent(DeploymentEngine engine, ProvisioningProviders providers) {
        this.engine = engine;
        this.providers = providers;
    }

    /** Provisioning calls: {@code strata_provisioning_calls_total}, {@code strata_provisioning_call_duration_seconds}. */
    @Override
    public MetricSnapshots collect() {
        return engine.metrics().collect();
    }

    /** Where a refused change of the configuration is recorded, after Config Admin's record of it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    @Modified
    void modified(DeploymentConfig config) {
        try {
            engine.configure(DeploymentSettings.from(config));
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, DeploymentSettings.PID, e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindProvisioning(ServiceReference<ProvisioningProvider> ref, ProvisioningProvider provider) {
        String providerId;
        try {
            providerId = ProviderIds.id(ref.getProperty(ProviderProperties.ID));
        } catch (IllegalArgumentException e) {
            // the bundle is null where the service was unregistered meanwhile (its bundle stopping)
            org.osgi.framework.Bundle bundle = ref.getBundle();
            LOG.error("Ignoring provisioning service {} of bundle {}: {}", ref.getProperty(Constants.SERVICE_ID),
                    bundle == null ? "(unregistered)" : bundle.getSymbolicName(), e.getMessage());
            return;
        }
        long serviceId = (Long) ref.getProperty(Constants.SERVICE_ID);
        boundIds.put(serviceId, providerId);
        providers.add(providerId, serviceId, provider);
        LOG.info("Provisioning provider {} is available", providerId);
        engine.kick();
    }

    /**
     * A bound provisioning service's properties changed (its configuration was edited, and its
     * component, which stays, registered the new properties). Where its provider id changed, it
     * leaves under the old id, as an unregistered service does (the deployments on the old id's
     * nodes wait for a provider with that id), and is available under the new one; otherwise
     * nothing happens. One whose id becomes invalid leaves and is ignored, as at bind.
     */
    void updatedProvisioning(ServiceReference<ProvisioningProvider> ref, ProvisioningProvider provider) {
        long serviceId = (Long) ref.getProperty(Constants.SERVICE_ID);
        String previous = boundIds.get(serviceId);
        if (previous != null && previous.equals(ref.getProperty(ProviderProperties.ID))) {
            return;
        }
        if (previous != null) {
            leave(serviceId, previous);
        }
        if (ref.getBundle() != null) {
            bindProvisioning(ref, provider);
        }
    }

    void unbindProvisioning(ServiceReference<ProvisioningProvider> ref) {
        long serviceId = (Long) ref.getProperty(Constants.SERVICE_ID);
        // the id it was added under: the reference holds the service's properties as they are now
        String providerId = boundIds.get(serviceId);
        if (providerId != null) {
            leave(serviceId, providerId);
        }
    }

    private void leave(long serviceId, String providerId) {
        if (boundIds.remove(serviceId, providerId)) {
            providers.remove(providerId, serviceId);
            LOG.info("Provisioning provider {} left; its deployments wait for it", providerId);
        }
    }

    @Override
    public DeploymentResult deploy(Contract contract, String actor) {
        TenantAccess.require(contract.tenant(), "deploy contract " + contract.name());
        return engine.deploy(contract, actor);
    }

    @Override
    public DeploymentResult plan(Contract contract) {
        TenantAccess.require(contract.tenant(), "plan contract " + contract.name());
        return engine.plan(contract);
    }

    @Override
    public List<Deployment> list() {
        return TenantAccess.visible(engine.list(), Deployment::tenant);
    }

    @Override
    public Optional<Deployment> get(String id) {
        // the tenant from the record before the deployment is read: another tenant's deployment that cannot be read is absent
        // too, not an error naming it
        if (TenantAccess.restriction().isPresent() && TenantAccess.visible(engine.store.deployments().get(id),
                dev.strata.platform.core.store.DeploymentRecord::tenant).isEmpty()) {
            return Optional.empty();
        }
        return TenantAccess.visible(engine.get(id), Deployment::tenant);
    }

    @Override
    public List<DeploymentEvent> history(String id) {
        requireVisible(id);
        return engine.history(id);
    }

    @Override
    public Deployment undeploy(String id, String actor) {
        requireVisible(id);
        return engine.undeploy(id, actor);
    }

    @Override
    public Deployment await(String id, Set<DeploymentState> states, Duration timeout) {
        requireVisible(id);
        return engine.await(id, states, timeout);
    }

    /** A tenant's user asking for another tenant's deployment is told there is none (and not which there are). */
    private void requireVisible(String id) {
        if (TenantAccess.restriction().isPresent() && get(id).isEmpty()) {
            throw new NotFoundException("no deployment '" + id + "'");
        }
    }
}
