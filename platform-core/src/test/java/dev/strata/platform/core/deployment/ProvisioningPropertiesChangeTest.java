package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ProviderProperties;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.platform.core.DeclarativeServices;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

/**
 * A provisioning service whose properties change while it stays registered (an operator edits
 * the configuration of a provider whose component keeps itself, as the OpenStack provider's
 * does): the deployments component is told as Declarative Services tells it, from its
 * descriptor ({@link DeclarativeServices}).
 */
class ProvisioningPropertiesChangeTest {

    @TempDir
    Path dir;

    private Lab lab;
    private DeploymentComponent component;
    private final Map<String, Object> properties = new ConcurrentHashMap<>();
    private final ServiceReference<ProvisioningProvider> reference = DeclarativeServices.reference(properties, "dev.strata.provider.openstack",
            new Version(0, 1, 0));
    private final ScriptedProvider cloud = new ScriptedProvider("cloud");

    @BeforeEach
    void open() {
        lab = new Lab(dir);
        component = new DeploymentComponent(lab.engine(), lab.providers);
        properties.put(Constants.SERVICE_ID, 71L);
        properties.put(ProviderProperties.ID, "cloud");
        properties.put("region", "RegionOne");
    }

    @AfterEach
    void close() {
        lab.close();
    }

    private void configure(String key, String value) {
        properties.put(key, value);
        DeclarativeServices.propertiesChanged(component, ProvisioningProvider.class, reference, cloud);
    }

    /**
     * An id changed in the configuration: the provider leaves under the old id, as an
     * unregistered one does (departed: what needs it waits for it), and serves under the new one;
     * unregistered, it leaves under the new id and nothing is left under either. Before, it went
     * on serving under the old id only, and its unbind, which read the id from the service's
     * properties as they were by then, removed nothing: the old id served on after it had gone.
     */
    @Test
    void anIdChangedInTheConfigurationLeavesTheOldIdAndServesUnderTheNewOne() {
        component.bindProvisioning(reference, cloud);
        assertThat(lab.providers.get("cloud")).containsSame(cloud);

        configure(ProviderProperties.ID, "cloud-fra1");

        assertThat(lab.providers.get("cloud-fra1")).containsSame(cloud);
        assertThat(lab.providers.get("cloud")).isEmpty();
        assertThat(lab.providers.departed("cloud")).isTrue();
        assertThat(lab.providers.all()).containsOnlyKeys("lab", "lab2", "cloud-fra1");

        component.unbindProvisioning(reference);
        assertThat(lab.providers.all()).containsOnlyKeys("lab", "lab2");
        assertThat(lab.providers.departed("cloud-fra1")).isTrue();
    }

    /** A change of another property (the cloud's region) leaves the provider serving under its id. */
    @Test
    void aChangeOfAnotherPropertyLeavesTheProviderAsItIs() {
        component.bindProvisioning(reference, cloud);

        configure("region", "RegionTwo");

        assertThat(lab.providers.get("cloud")).containsSame(cloud);
        assertThat(lab.providers.departed("cloud")).isFalse();
    }

    /**
     * A service with an id that is none, unregistered while it is bound (its bundle stopping: its
     * reference has no bundle then), is ignored as any other such service; before, naming its
     * bundle in the log line threw a NullPointerException out of the bind.
     */
    @Test
    void aServiceWithAnInvalidIdUnregisteredWhileItIsBoundIsIgnored() {
        Map<String, Object> gone = new ConcurrentHashMap<>(Map.of(Constants.SERVICE_ID, 72L, ProviderProperties.ID, "cloud fra1"));
        component.bindProvisioning(DeclarativeServices.reference(gone, null, new Version(0, 1, 0)), cloud);

        assertThat(lab.providers.all()).containsOnlyKeys("lab", "lab2");
    }

    /** An id that becomes invalid leaves, and the service is ignored as at bind until its id is valid again. */
    @Test
    void anIdThatBecomesInvalidLeavesAndOneMadeValidServes() {
        component.bindProvisioning(reference, cloud);

        configure(ProviderProperties.ID, "cloud fra1");
        assertThat(lab.providers.all()).containsOnlyKeys("lab", "lab2");
        assertThat(lab.providers.departed("cloud")).isTrue();

        configure(ProviderProperties.ID, "cloud-fra1");
        assertThat(lab.providers.get("cloud-fra1")).containsSame(cloud);
    }
}
