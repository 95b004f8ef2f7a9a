package dev.strata.systemtests;

import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.deployment.DeploymentEngine;
import dev.strata.platform.core.deployment.DeploymentSettings;
import dev.strata.platform.core.deployment.ProvisioningProviders;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreInstallation;
import dev.strata.provider.openstack.AllInOne;
import dev.strata.provider.openstack.OpenStackCloudProvider;
import dev.strata.provider.openstack.OpenStackConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.util.converter.Converters;

/**
 * Strata's deployment path, outside OSGi, on the all-in-one OpenStack: the embedded state store in
 * a folder (H2), the OpenStack provider (the bundle's classes, configured as Config Admin would
 * from the cloud's {@code aio.env}, bound to the store's installation as Declarative Services
 * binds it), the real placement engine, and the deployment engine with its reconciler. The inventory is the provider's compute discovery taken as the snapshot.
 *
 * <p>{@link #swap()} replaces the provider the way Karaf does when the bundle is updated: the old
 * service leaves {@link ProvisioningProviders} (unbind), the old component is deactivated, and a
 * new instance, made from the same configuration, registers under a new service id (bind).
 */
final class OpenStackStrata implements AutoCloseable {

    static final String PROVIDER_ID = "openstack-aio";

    /** A provider call may wait this long for a server to become ACTIVE; the reconciler polls after it. */
    static final DeploymentSettings SETTINGS = new DeploymentSettings(Duration.ofSeconds(1), Duration.ofMillis(250), Duration.ofSeconds(30),
            Duration.ofMillis(250), Duration.ofSeconds(2), 8, true);

    final AllInOne aio;
    final JdbcStateStore store;
    final ProviderInventory inventory;
    final Placement placement;
    final ProvisioningProviders providers = new ProvisioningProviders();
    final DeploymentEngine engine;
    final ContractDocumentReader reader = new ContractDocumentReader();
    private final AtomicLong serviceIds = new AtomicLong();
    private volatile OpenStackCloudProvider provider;
    private volatile long serviceId;

    OpenStackStrata(Path data, AllInOne aio, DeploymentSettings settings) {
        this.aio = aio;
        this.store = AwsStrata.openStore(data);
        this.provider = newProvider(aio, store);
        this.serviceId = serviceIds.incrementAndGet();
        // the current provider's discovery as the inventory: it follows the provider across swaps
        this.inventory = new ProviderInventory(() -> this.provider, null, java.util.function.UnaryOperator.identity());
        // durable, on the store the deployments are in, as Strata runs it: the store stores a deployment only on an allocation its
        // ledger holds
        this.placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 0);
        providers.add(PROVIDER_ID, serviceId, provider);
        this.engine = new DeploymentEngine(store, placement, inventory, providers, null, settings, Clock.systemUTC());
    }

    static OpenStackCloudProvider newProvider(AllInOne aio, JdbcStateStore store) {
        OpenStackConfig config = Converters.standardConverter().convert(aio.config(PROVIDER_ID)).to(OpenStackConfig.class);
        OpenStackCloudProvider provider = new OpenStackCloudProvider(config);
        provider.bindInstallation(new StoreInstallation(store));
        return provider;
    }

    OpenStackCloudProvider provider() {
        return provider;
    }

    /**
     * Replaces the provider as a bundle update does: unbind and deactivate the old instance, leave
     * a gap of {@code gap} with no provider, then activate and bind a new one.
     */
    void swap(Duration gap) throws InterruptedException {
        OpenStackCloudProvider old = provider;
        providers.remove(PROVIDER_ID, serviceId);
        old.deactivate();
        Thread.sleep(gap.toMillis());
        OpenStackCloudProvider fresh = newProvider(aio, store);
        long id = serviceIds.incrementAndGet();
        provider = fresh;
        serviceId = id;
        providers.add(PROVIDER_ID, id, fresh);
        engine.kick();
    }

    /** The node of the all-in-one's compute host. */
    String nodeId() {
        return PROVIDER_ID + ":" + aio.computeHost();
    }

    /** A contract of {@code n} members of one VCPU and 256 MiB each (Strata makes the flavor {@code strata-1c-256m-1g}). */
    static String contract(String name, int n, String extra) {
        return "name: " + name + "\ntenant: bank-risk\n" + extra + "\nmembers:\n  - {name: web, replicas: " + n + ", cpu: 1, memory: 256MiB}\n";
    }

    @Override
    public void close() {
        engine.close();
        provider.deactivate();
        store.close();
    }
}
