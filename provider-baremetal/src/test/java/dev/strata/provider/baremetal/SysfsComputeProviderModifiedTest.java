package dev.strata.provider.baremetal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.StderrCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The component's {@code @Modified} path, called as Declarative Services calls it: the method the
 * component's descriptor names (without one, every change makes the component again, and a refused
 * value leaves no provider at all). The provider reads captured trees under temporary roots. The
 * core's {@link ConfigurationRejections} is bound as the descriptor binds it, recording what it is told.
 */
class SysfsComputeProviderModifiedTest {

    @TempDir
    Path first;
    @TempDir
    Path second;
    /** What the provider told the core's ConfigurationRejections: each refused change, with whether the settings before stay in force. */
    private final RecordingRejections rejections = new RecordingRejections();

    /** The provider made from {@code properties}, the core's ConfigurationRejections bound. */
    private SysfsComputeProvider provider(Map<String, Object> properties) {
        SysfsComputeProvider provider = new SysfsComputeProvider(config(properties));
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
        return provider;
    }

    private static BaremetalConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(BaremetalConfig.class);
    }

    /** The component's modified method, as its descriptor names it, called with the changed configuration. */
    private static void modified(SysfsComputeProvider provider, Map<String, Object> properties) throws Exception {
        ComponentDescriptors.modified(provider, config(properties), properties);
    }

    private static ComputeSnapshot discover(SysfsComputeProvider provider) {
        return provider.discoverCompute(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10)));
    }

    /** A captured tree whose host is called {@code host}. */
    private static Path tree(Path root, String host) throws Exception {
        Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        Files.writeString(Files.createDirectories(root.resolve("proc/sys/kernel")).resolve("hostname"), host + "\n");
        return root;
    }

    /**
     * A change the provider refuses (a root that is no directory, a blank site) leaves the previous
     * settings in force, logged at ERROR, and the node is discovered as before. Before, Declarative
     * Services made the component again from the refused configuration, which failed: the provider
     * departed and its node went stale until the file was corrected. Each refusal is recorded in the
     * provenance log through the core's ConfigurationRejections, once, with the provider's PID and the
     * message logged; before, it was only logged, and the log's record of the change ({@code updated})
     * read as in force.
     */
    @Test
    void aRefusedChangeKeepsThePreviousSettingsAndTheNodeDiscovered() throws Exception {
        Map<String, Object> properties = new HashMap<>(Map.of("root", tree(first, "n1").toString(), "nodeId", "rack1-n7", "site", "fra-1"));
        SysfsComputeProvider provider = provider(properties);
        long before = discover(provider).generation();

        try (StderrCapture log = new StderrCapture()) {
            properties.put("root", "/no/such/dir");
            properties.put("nodeId", "rack2-n1");
            modified(provider, properties);
            properties.put("root", second.toString());
            properties.put("site", " ");
            modified(provider, properties);
            assertThat(log.text()).contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.baremetal: "
                    + "root = '/no/such/dir' is invalid; expected an existing directory holding sys/ and proc/ (/ for this host)")
                    .contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.baremetal: site = ' ' "
                            + "is invalid; expected a site id such as local or fra-1");
        }
        assertThat(rejections.told()).hasSize(2);
        assertThat(rejections.told().get(0)).startsWith(SysfsComputeProvider.PID + " | dev.strata.provider.baremetal: root = '/no/such/dir' is invalid;");
        assertThat(rejections.told().get(1)).isEqualTo(SysfsComputeProvider.PID + " | dev.strata.provider.baremetal: site = ' ' is invalid; expected a "
                + "site id such as local or fra-1");
        assertThat(rejections.previousSettingsInForce()).as("the settings before each refusal stay in force").containsExactly(true, true);
        ComputeSnapshot after = discover(provider);
        assertThat(after.nodes()).extracting(Node::id).containsExactly("rack1-n7");
        assertThat(after.nodes().get(0).siteId()).isEqualTo("fra-1");
        assertThat(after.generation()).isGreaterThan(before);
    }

    /**
     * A valid change applies from the next discovery without the provider departing: a new root
     * and site, the node id left empty, report the new tree's host as {@code baremetal:<host>} at
     * the new site, and the node of the settings before is no longer in the snapshot. Generations go
     * on above the earlier ones.
     */
    @Test
    void aValidChangeAppliesFromTheNextDiscovery() throws Exception {
        SysfsComputeProvider provider = provider(Map.of("root", tree(first, "n1").toString(), "site", "fra-1"));
        ComputeSnapshot before = discover(provider);
        assertThat(before.nodes()).extracting(Node::id).containsExactly("baremetal:n1");

        modified(provider, Map.of("root", tree(second, "n2").toString(), "nodeId", "", "site", "par-1"));
        ComputeSnapshot after = discover(provider);
        assertThat(after.nodes()).extracting(Node::id).containsExactly("baremetal:n2");
        assertThat(after.nodes().get(0).siteId()).isEqualTo("par-1");
        assertThat(after.sites()).extracting(s -> s.id()).containsExactly("par-1");
        assertThat(after.generation()).isGreaterThan(before.generation());

        modified(provider, Map.of("root", second.toString(), "nodeId", "rack1-n7", "site", "par-1"));
        assertThat(discover(provider).nodes()).extracting(Node::id).containsExactly("rack1-n7");
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }
}
