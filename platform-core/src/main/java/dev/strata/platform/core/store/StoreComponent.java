package dev.strata.platform.core.store;

import dev.strata.platform.api.cluster.Cluster;
import dev.strata.platform.api.cluster.ClusterStatus;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.ConfigurationRejections;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state store as an OSGi service: opens {@link JdbcStateStore} with the configuration of
 * {@code dev.strata.platform.core.store} and the JDBC drivers' own {@link DataSourceFactory}
 * services (H2 and PostgreSQL bundles register them), and offers it as {@link StateStore} to the
 * core and as {@link Cluster} to the shell. A configuration change that changes its settings closes
 * and reopens it; one it refuses leaves it open with the settings before it ({@link #modified}).
 */
@Component(service = {StateStore.class, Cluster.class}, immediate = true, configurationPid = StoreSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = StoreConfig.class)
public class StoreComponent implements StateStore, Cluster {

    private static final Logger LOG = LoggerFactory.getLogger(StoreComponent.class);

    /** Serializes the remaking of the component after valid changes, so that each disable is followed by its enable. */
    private static final Object REMAKING = new Object();

    private final JdbcStateStore store;
    private final StoreSettings inForce;
    private final Path data;
    private final Path etc;

    @Activate
    public StoreComponent(StoreConfig config, Map<String, Object> properties,
            @Reference(target = "(osgi.jdbc.driver.class=org.h2.Driver)") DataSourceFactory h2,
            @Reference(target = "(osgi.jdbc.driver.class=org.postgresql.Driver)") DataSourceFactory postgres) {
        this(config, properties, h2, postgres, folder("karaf.data", "data"), folder("karaf.etc", "etc"));
    }

    StoreComponent(StoreConfig config, Map<String, Object> properties, DataSourceFactory h2, DataSourceFactory postgres, Path data,
            Path etc) {
        this.data = data;
        this.etc = etc;
        try {
            this.inForce = settings(config, properties, data, etc);
            this.store = JdbcStateStore.open(inForce,
                    DataSources.direct(inForce, inForce.kind() == StoreSettings.Kind.POSTGRESQL ? postgres : h2), Clock.systemUTC());
        } catch (StrataException e) {
            LOG.error("The state store did not start: {}", e.getMessage());
            throw e;
        }
    }

    /** The settings of a configuration, checked as at activation and at every change. */
    private static StoreSettings settings(StoreConfig config, Map<String, Object> properties, Path data, Path etc) {
        // as written: Declarative Services reads highAvailability = yes as false, turning leader election off without a word
        InvalidConfigurationException.trueOrFalse(StoreSettings.PID, "highAvailability", properties, true);
        return StoreSettings.from(config, data, etc);
    }

    /**
     * A change of the configuration while the store is open. One that is not valid is refused: the
     * store serves on, open, with the settings before it, and the refusal is logged and recorded in
     * the provenance log (without this method Declarative Services made the component again from
     * the changed configuration, and a value it refused left no state store, and none of the core's
     * services that need it, until the file was corrected). One that changes the settings has the
     * component made again, as before: the store is closed and opened with them, under a new
     * service (its holders are made again with it, rather than finding the database swapped under
     * them). The component is disabled and enabled again from a thread of its own: Declarative
     * Services calls this method holding the component's lock, and enabling waits until the disable
     * has run, which takes that lock, so both called from here would wait on each other.
     */
    @Modified
    void modified(StoreConfig config, Map<String, Object> properties, ComponentContext context) {
        StoreSettings next;
        try {
            next = settings(config, properties, data, etc);
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections(context.getBundleContext()), StoreSettings.PID, e.getMessage());
            return;
        }
        if (same(next, inForce)) {
            return;
        }
        LOG.info("The state store's settings changed: it closes and opens again with them");
        String name = (String) context.getProperties().get(ComponentConstants.COMPONENT_NAME);
        Thread remake = new Thread(() -> {
            synchronized (REMAKING) {
                context.disableComponent(name);
                context.enableComponent(name);
            }
        }, "strata-store-reopen");
        remake.setDaemon(true);
        remake.start();
    }

    /**
     * The configuration recorder, looked up when a change is refused rather than referenced: the
     * recorder needs the state store, and a reference to it from here would make the two components
     * refer to each other, a cycle that Declarative Services would have to break as they start.
     */
    private static ConfigurationRejections rejections(BundleContext context) {
        if (context == null) {
            return null;
        }
        try {
            ServiceReference<ConfigurationRejections> ref = context.getServiceReference(ConfigurationRejections.class);
            ConfigurationRejections found = ref == null ? null : context.getService(ref);
            if (found == null) {
                return null;
            }
            return (pid, reason) -> {
                try {
                    found.rejected(pid, reason);
                } finally {
                    context.ungetService(ref);
                }
            };
        } catch (IllegalStateException e) {
            // the bundle is stopping
            return null;
        }
    }

    /** Whether two settings are the same (the password compared by its characters: {@link Secret} has no equals). */
    static boolean same(StoreSettings a, StoreSettings b) {
        for (RecordComponent c : StoreSettings.class.getRecordComponents()) {
            Object x;
            Object y;
            try {
                x = c.getAccessor().invoke(a);
                y = c.getAccessor().invoke(b);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            boolean equal = x instanceof Secret s ? s.reveal().equals(((Secret) y).reveal()) : Objects.equals(x, y);
            if (!equal) {
                return false;
            }
        }
        return true;
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
