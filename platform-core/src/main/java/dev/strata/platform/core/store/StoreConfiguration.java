package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.ConfigurationRejections;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
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
 * The configuration of the state store ({@code dev.strata.platform.core.store}): checks each
 * version of it as the store's start did ({@link StoreSettings#from} and the switch
 * {@code highAvailability} as written) and registers the settings in force as a
 * {@link StoreSettingsInForce} service, which {@link StoreComponent} takes by a static reference.
 *
 * <p>The store itself has no configuration of its own: Declarative Services made it again from any
 * changed configuration, and one it refused stopped the store, and every service of the core that
 * needs it, until the file was corrected. Here a refused change is logged and recorded as rejected,
 * the settings before it staying registered (the same store serving on); a valid change that alters
 * them unregisters them and registers the new ones, so that Declarative Services closes the store
 * and opens it again with them, on the thread that delivered the change, with no thread of the
 * store's own and before the next change is looked at. A change that alters nothing is left alone.
 * A configuration refused at start leaves no settings, so no store, with the store's error as
 * before; the first valid change then starts it.
 */
@Component(service = {}, immediate = true, configurationPid = StoreSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = StoreConfig.class)
public class StoreConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StoreConfiguration.class);

    /** Registers settings as a service; what it returns unregisters them. */
    interface Registrar {
        Runnable register(StoreSettingsInForce settings);
    }

    /**
     * Where a refused change is recorded. Optional and dynamic: the recorder needs the state store,
     * which needs the settings registered here, so a mandatory reference would be a cycle.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    private final Registrar registrar;
    private final Path data;
    private final Path etc;
    /** The settings registered and what unregisters them; null while none are (refused at start, or deactivated). */
    private StoreSettings inForce;
    private Runnable unregister;

    @Activate
    public StoreConfiguration(StoreConfig config, Map<String, Object> properties, BundleContext context) {
        this(config, properties, settings -> {
            ServiceRegistration<StoreSettingsInForce> r = context.registerService(StoreSettingsInForce.class, settings, null);
            return () -> {
                try {
                    r.unregister();
                } catch (IllegalStateException gone) {
                    // unregistered already: the bundle is stopping
                }
            };
        }, StoreComponent.folder("karaf.data", "data"), StoreComponent.folder("karaf.etc", "etc"));
    }

    StoreConfiguration(StoreConfig config, Map<String, Object> properties, Registrar registrar, Path data, Path etc) {
        this.registrar = registrar;
        this.data = data;
        this.etc = etc;
        StoreSettings settings;
        try {
            settings = settings(config, properties, data, etc);
        } catch (StrataException e) {
            LOG.error("The state store did not start: {}", e.getMessage());
            return;
        }
        register(settings);
    }

    /** The settings of a configuration, checked as at start and at every change. */
    static StoreSettings settings(StoreConfig config, Map<String, Object> properties, Path data, Path etc) {
        // as written: Declarative Services reads highAvailability = yes as false, turning leader election off without a word
        InvalidConfigurationException.trueOrFalse(StoreSettings.PID, "highAvailability", properties, true);
        return StoreSettings.from(config, data, etc);
    }

    /**
     * A change of the configuration. One that is not valid is refused: the settings registered
     * stay (the store serves on with them), the refusal is logged and recorded in the provenance
     * log; where none are registered (refused at start), the store is still not started, said as at
     * start. A valid one that alters the settings registers them in place of those before; one that
     * alters nothing does nothing.
     */
    @Modified
    synchronized void modified(StoreConfig config, Map<String, Object> properties) {
        StoreSettings next;
        try {
            next = settings(config, properties, data, etc);
        } catch (StrataException e) {
            if (inForce == null) {
                LOG.error("The state store did not start: {}", e.getMessage());
            } else {
                LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            }
            // refused at start, nothing is in force: the record must not say that settings before it stay
            ConfigurationRejections.tell(rejections, StoreSettings.PID, e.getMessage(), inForce != null);
            return;
        }
        if (inForce != null) {
            List<String> changed = changed(inForce, next);
            if (changed.isEmpty()) {
                return;
            }
            LOG.info("The state store's settings changed ({}): it closes and opens again with them", String.join(", ", changed));
            withdraw();
        }
        register(next);
    }

    @Deactivate
    synchronized void deactivate() {
        withdraw();
    }

    private synchronized void register(StoreSettings settings) {
        unregister = registrar.register(new StoreSettingsInForce(settings));
        inForce = settings;
    }

    private void withdraw() {
        Runnable u = unregister;
        unregister = null;
        inForce = null;
        if (u != null) {
            u.run();
        }
    }

    /** The names of the settings that differ (the password compared by its characters, {@link Secret#sameAs}: it has no equals). */
    static List<String> changed(StoreSettings a, StoreSettings b) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : StoreSettings.class.getRecordComponents()) {
            Object x;
            Object y;
            try {
                x = c.getAccessor().invoke(a);
                y = c.getAccessor().invoke(b);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            boolean equal = x instanceof Secret s ? y instanceof Secret t && s.sameAs(t) : Objects.equals(x, y);
            if (!equal) {
                out.add(c.getName());
            }
        }
        return out;
    }
}
