package dev.strata.provider.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.StorageSnapshot;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.StderrCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The component's {@code @Modified} path, called as Declarative Services calls it: the method the
 * component's descriptor names (without one, every change makes the component again, and a refused
 * value leaves no provider at all). The core's {@link ConfigurationRejections} is bound as the
 * descriptor binds it, recording what it is told.
 */
class LocalStorageProviderModifiedTest {

    @TempDir
    Path dir;
    /** What the provider told the core's ConfigurationRejections: each refused change, with whether the settings before stay in force. */
    private final RecordingRejections rejections = new RecordingRejections();

    /** The provider made from {@code properties}, the core's ConfigurationRejections bound. */
    private LocalStorageProvider provider(Map<String, Object> properties) {
        LocalStorageProvider provider = new LocalStorageProvider(config(properties));
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
        return provider;
    }

    private static LocalStorageConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(LocalStorageConfig.class);
    }

    /** The component's modified method, as its descriptor names it, called with the changed configuration. */
    private static void modified(LocalStorageProvider provider, Map<String, Object> properties) throws Exception {
        ComponentDescriptors.modified(provider, config(properties), properties);
    }

    private static StorageSnapshot discover(LocalStorageProvider provider) {
        return provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10)));
    }

    /**
     * A change the provider refuses (a relative mount point, a blank site) leaves the previous
     * settings in force, logged at ERROR, and the pools are reported as before. Before, Declarative
     * Services made the component again from the refused configuration, which failed: the provider
     * departed and its pools went stale until the file was corrected. Each refusal is recorded in the
     * provenance log through the core's ConfigurationRejections, once, with the provider's PID and the
     * message logged.
     */
    @Test
    void aRefusedChangeKeepsThePreviousSettingsAndThePoolsReported() throws Exception {
        LocalStorageProvider provider = provider(Map.of("paths", dir.toString(), "site", "lab-1"));
        long before = discover(provider).generation();

        try (StderrCapture log = new StderrCapture()) {
            modified(provider, Map.of("paths", "data", "site", "lab-2"));
            modified(provider, Map.of("paths", "/", "site", ""));
            assertThat(log.text()).contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.example: "
                    + "paths = 'data' is invalid; expected an absolute mount point, e.g. / or /data")
                    .contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.example: site = '' "
                            + "is invalid; expected a site id such as local or fra-1");
        }
        assertThat(rejections.told()).containsExactly(
                LocalStorageProvider.PID + " | dev.strata.provider.example: paths = 'data' is invalid; expected an absolute mount point, e.g. / "
                        + "or /data",
                LocalStorageProvider.PID + " | dev.strata.provider.example: site = '' is invalid; expected a site id such as local or fra-1");
        assertThat(rejections.previousSettingsInForce()).as("the settings before each refusal stay in force").containsExactly(true, true);
        StorageSnapshot after = discover(provider);
        assertThat(after.pools()).extracting(StoragePool::id).containsExactly("example-storage:" + dir);
        assertThat(after.pools()).extracting(StoragePool::siteId).containsExactly("lab-1");
        assertThat(after.generation()).isGreaterThan(before);
    }

    /**
     * A change to a site holding a line break is refused, the line break shown escaped in the log,
     * and the pools stay at the site before. Before, the change applied: the log line was split in
     * two and every pool named a site the inventory leaves out.
     */
    @Test
    void aChangeToASiteHoldingALineBreakIsRefusedAndThePoolsStay() throws Exception {
        LocalStorageProvider provider = provider(Map.of("paths", dir.toString(), "site", "lab-1"));
        try (StderrCapture log = new StderrCapture()) {
            modified(provider, Map.of("paths", dir.toString(), "site", "lab-2\nERROR forged"));
            assertThat(log.text()).contains("site = 'lab-2\\u000aERROR forged' is invalid").doesNotContain("lab-2\nERROR");
        }
        assertThat(rejections.previousSettingsInForce()).containsExactly(true);
        assertThat(discover(provider).pools()).extracting(StoragePool::siteId).containsExactly("lab-1");
    }

    /**
     * A valid change applies from the next discovery without the provider departing: the new mount
     * point is the pool, at the new site, and the one left out is gone from the snapshot.
     * Generations go on above the earlier ones.
     */
    @Test
    void aValidChangeAppliesFromTheNextDiscovery() throws Exception {
        LocalStorageProvider provider = provider(Map.of("paths", dir.toString(), "site", "lab-1"));
        StorageSnapshot before = discover(provider);
        assertThat(before.pools()).extracting(StoragePool::id).containsExactly("example-storage:" + dir);

        modified(provider, Map.of("paths", "/", "site", "lab-2"));
        StorageSnapshot after = discover(provider);
        assertThat(after.pools()).extracting(StoragePool::id).containsExactly("example-storage:/");
        assertThat(after.pools()).extracting(StoragePool::siteId).containsExactly("lab-2");
        assertThat(after.generation()).isGreaterThan(before.generation());
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }
}
