package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.StderrCapture;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.ComponentContext;

/**
 * The state store on a change of its configuration, its modified method called as Declarative
 * Services calls it (the one the generated descriptor names). Before, it had none: Declarative
 * Services made the component again from any changed configuration, and one it refused stopped the
 * store, and every service of the core that needs it, until the file was corrected.
 */
class StoreComponentModifiedTest {

    @TempDir
    Path data;

    /** The component's context: what the component asks of Declarative Services, in order. */
    final List<String> asked = new CopyOnWriteArrayList<>();
    final CountDownLatch enabled = new CountDownLatch(1);
    /** The configuration recorder's refusals, as the core's recorder receives them. */
    final List<String> rejected = new CopyOnWriteArrayList<>();

    Map<String, Object> properties;
    StoreComponent component;

    @BeforeEach
    void open() {
        properties = new HashMap<>(Map.of("instanceId", "test-h2", "writeQueueLimit", 10_000));
        component = new StoreComponent(Stores.config(properties), properties,
                new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver()), null, data, data);
    }

    @AfterEach
    void close() {
        component.deactivate();
    }

    /** A refused change leaves the same store open, serving and writable with the settings before it, and is recorded as refused. */
    @Test
    void aRefusedChangeLeavesTheSameStoreOpenAndWritable() {
        StateStoreContract.join(component.ledger().commit(0, Capacity.one("a-1", "node-0", "gpu0"), null, null));
        long generation = component.ledger().load().generation();
        properties.put("durability", "sometimes");
        try (StderrCapture log = new StderrCapture()) {
            modified();
            assertThat(log.text()).contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.platform.core.store: durability = 'sometimes' is invalid");
        }
        assertThat(rejected).singleElement().asString().startsWith("dev.strata.platform.core.store: dev.strata.platform.core.store: "
                + "durability = 'sometimes' is invalid");
        assertThat(asked).as("the component is not made again").isEmpty();
        assertThat(component.ledger().load().allocations()).extracting(a -> a.id()).containsExactly("a-1");
        StateStoreContract.join(component.ledger().commit(generation, Capacity.one("a-2", "node-0", "gpu1"), null, null));
        assertThat(component.ledger().load().allocations()).extracting(a -> a.id()).containsExactlyInAnyOrder("a-1", "a-2");
    }

    /** A change that leaves the settings as they are (a property the store does not read) changes nothing. */
    @Test
    void aChangeThatLeavesTheSettingsAsTheyAreChangesNothing() {
        properties.put("felix.fileinstall.filename", "file:/opt/strata/etc/dev.strata.platform.core.store.cfg");
        modified();
        assertThat(asked).isEmpty();
        assertThat(rejected).isEmpty();
    }

    /**
     * A valid change of the settings has the component disabled and enabled again, so that the
     * store is closed and opened with them, from a thread of its own: Declarative Services calls
     * the modified method holding the component's lock, which the disable takes.
     */
    @Test
    void aValidChangeHasTheComponentMadeAgainFromAThreadOfItsOwn() throws InterruptedException {
        properties.put("writeQueueLimit", 500);
        modified();
        assertThat(enabled.await(10, TimeUnit.SECONDS)).as("enabled again").isTrue();
        assertThat(asked).containsExactly("disable dev.strata.platform.core.store.StoreComponent on strata-store-reopen",
                "enable dev.strata.platform.core.store.StoreComponent on strata-store-reopen");
        assertThat(rejected).isEmpty();
    }

    /** Calls the modified method the component's descriptor names, as Declarative Services would on a configuration change. */
    private void modified() {
        Method method = ComponentDescriptors.modifiedMethod(StoreComponent.class, StoreConfig.class, Map.class, ComponentContext.class);
        try {
            method.invoke(component, Stores.config(properties), properties, context());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        }
    }

    private ComponentContext context() {
        ConfigurationRejections recorder = (pid, reason) -> rejected.add(pid + ": " + reason);
        ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (p, m, a) -> m.getName().equals("hashCode") ? 1 : m.getName().equals("equals") ? p == a[0] : null);
        BundleContext bundle = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getServiceReference" -> a[0] == ConfigurationRejections.class ? ref : null;
                    case "getService" -> recorder;
                    case "ungetService" -> true;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Hashtable<String, Object> props = new Hashtable<>(properties);
        props.put(ComponentConstants.COMPONENT_NAME, StoreComponent.class.getName());
        return (ComponentContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ComponentContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getProperties" -> props;
                    case "getBundleContext" -> bundle;
                    case "disableComponent" -> {
                        asked.add("disable " + a[0] + " on " + Thread.currentThread().getName());
                        yield null;
                    }
                    case "enableComponent" -> {
                        asked.add("enable " + a[0] + " on " + Thread.currentThread().getName());
                        enabled.countDown();
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
