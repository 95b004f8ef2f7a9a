package dev.strata.systemtests;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.deployment.DeploymentEngine;
import dev.strata.platform.core.deployment.DeploymentSettings;
import dev.strata.platform.core.deployment.ProvisioningProviders;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreJournal;
import dev.strata.provider.baremetal.bmc.BmcProvider;
import dev.strata.provider.baremetal.bmc.OperationJournal;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Strata's deployment path, outside OSGi, onto BMC-managed machines: the embedded state store in
 * a folder (H2), the BMC provider (the bundle's classes; each BMC configured from a property map
 * as Configuration Admin would, its operation journal in a folder of its own) whose discovery is
 * the inventory and whose provisioning SPI is the one registered for its nodes, the real
 * placement engine, and the deployment engine with its reconciler.
 */
final class BmcStrata implements AutoCloseable {

    /**
     * Provider calls may take 40 s: a create waits for the power change, which sushy-emulator
     * lands 1 to 11 s after the request (slower on a loaded machine).
     */
    static final DeploymentSettings SETTINGS = new DeploymentSettings(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(40),
            Duration.ofMillis(500), Duration.ofSeconds(4), 4, true);

    final JdbcStateStore store;
    final BmcProvider bmc;
    final ProviderInventory inventory;
    final Placement placement;
    final ProvisioningProviders providers = new ProvisioningProviders();
    final DeploymentEngine engine;
    final ContractDocumentReader reader = new ContractDocumentReader();

    /**
     * @param data the state store's folder
     * @param journal the BMC provider's operation journal
     * @param bmcs one property map per BMC ({@link TestBmcs#redfish}, {@link TestBmcs#ipmi})
     */
    BmcStrata(Path data, Path journal, List<Map<String, Object>> bmcs, DeploymentSettings settings) {
        this(data, journal, bmcs, settings, UnaryOperator.identity());
    }

    /** @param facts adds to each BMC node what another source would ({@link ProviderInventory}) */
    BmcStrata(Path data, Path journal, List<Map<String, Object>> bmcs, DeploymentSettings settings, UnaryOperator<Node> facts) {
        this(AwsStrata.openStore(data), new OperationJournal(journal), bmcs, settings, facts);
    }

    /**
     * On a store opened by the caller (PostgreSQL, for high availability), the BMC operations
     * journalled in that store as in Karaf ({@code journal = store}): the core's journal is given to
     * the provider as Declarative Services would.
     */
    static BmcStrata journallingInStore(JdbcStateStore store, Path legacyJournal, List<Map<String, Object>> bmcs, DeploymentSettings settings) {
        BmcStrata strata = new BmcStrata(store, OperationJournal.inStateStore(legacyJournal), bmcs, settings, UnaryOperator.identity());
        strata.bmc.bindJournal(new StoreJournal(store));
        return strata;
    }

    private BmcStrata(JdbcStateStore store, OperationJournal journal, List<Map<String, Object>> bmcs, DeploymentSettings settings,
            UnaryOperator<Node> facts) {
        this.store = store;
        // generous per-BMC time: sushy-emulator (Python) answers slowly on a loaded 2-core machine
        this.bmc = new BmcProvider(journal, 4, Duration.ofSeconds(60), Duration.ofSeconds(60), Clock.systemUTC());
        for (Map<String, Object> properties : bmcs) {
            bmc.bind(TestBmcs.bmc(properties));
        }
        this.inventory = new ProviderInventory(bmc, null, facts);
        // durable, on the store the deployments are in, as Strata runs it: the store stores a deployment only on an allocation its
        // ledger holds
        this.placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 0);
        providers.add(BmcProvider.ID, 1, bmc);
        this.engine = new DeploymentEngine(store, placement, inventory, providers, null, settings, Clock.systemUTC());
    }

    @Override
    public void close() {
        engine.close();
        bmc.close();
        store.close();
    }
}
