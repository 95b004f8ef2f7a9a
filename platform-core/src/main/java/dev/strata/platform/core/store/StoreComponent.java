package dev.strata.platform.core.store;

import dev.strata.platform.api.cluster.Cluster;
import dev.strata.platform.api.cluster.ClusterStatus;
import dev.strata.platform.api.exception.StrataException;
import java.nio.file.Path;
import java.time.Clock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state store as an OSGi service: opens {@link JdbcStateStore} with the settings in force of
 * {@code dev.strata.platform.core.store} and the JDBC drivers' own {@link DataSourceFactory}
 * services (H2 and PostgreSQL bundles register them), and offers it as {@link StateStore} to the
 * core and as {@link Cluster} to the shell. It reads no configuration itself: {@link StoreConfiguration}
 * checks each change and registers the settings in force, which this takes by a static reference,
 * so that a valid change that alters them closes and reopens the store, and a refused one leaves it
 * open with those before it.
 */
@Component(service = {StateStore.class, Cluster.class}, immediate = true, configurationPolicy = ConfigurationPolicy.IGNORE)
public class StoreComponent implements StateStore, Cluster {

    private static final Logger LOG = LoggerFactory.getLogger(StoreComponent.class);

    private final JdbcStateStore store;

    @Activate
    public StoreComponent(@Reference StoreSettingsInForce inForce,
            @Reference(target = "(osgi.jdbc.driver.class=org.h2.Driver)") DataSourceFactory h2,
            @Reference(target = "(osgi.jdbc.driver.class=org.postgresql.Driver)") DataSourceFactory postgres) {
        StoreSettings settings = inForce.settings();
        try {
            this.store = JdbcStateStore.open(settings,
                    DataSources.direct(settings, settings.kind() == StoreSettings.Kind.POSTGRESQL ? postgres : h2), Clock.systemUTC());
        } catch (StrataException e) {
            LOG.error("The state store did not start: {}", e.getMessage());
            throw e;
        }
    }

    static Path folder(String property, String fallback) {
        String v = System.getProperty(property);
        return Path.of(v == null || v.isBlank() ? fallback : v);
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    @Override
    public StoreInfo info() {
        return store.info();
    }

    @Override
    public LedgerStore ledger() {
        return store.ledger();
    }

    @Override
    public ContractStore contracts() {
        return store.contracts();
    }

    @Override
    public TenantStore tenants() {
        return store.tenants();
    }

    @Override
    public DeploymentStore deployments() {
        return store.deployments();
    }

    @Override
    public JournalStore journal() {
        return store.journal();
    }

    @Override
    public TelemetryCoverageStore telemetryCoverage() {
        return store.telemetryCoverage();
    }

    @Override
    public ProvenanceStore provenance() {
        return store.provenance();
    }

    @Override
    public Leadership leadership() {
        return store.leadership();
    }

    @Override
    public void requireLeader() {
        store.requireLeader();
    }

    @Override
    public ClusterStatus status() {
        return store.clusterStatus();
    }
}
