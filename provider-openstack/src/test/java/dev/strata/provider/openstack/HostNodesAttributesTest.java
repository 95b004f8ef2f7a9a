package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.provider.openstack.compute.Hypervisor;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.ProviderTree;
import dev.strata.provider.openstack.placement.ResourceProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attributes of a host's node, on a provider tree built in memory (as discovery reads it). */
class HostNodesAttributesTest {

    @TempDir
    Path dir;

    /**
     * The node's attributes that hold Placement's and Nova's text (a resource provider's name in
     * {@code placement.provider.<name>} and what it describes, the hypervisor's id, service host and
     * type, and {@code nova.state} with an operator's free-text disabled reason) are printable, as
     * {@code nova.flavorsThatFitNow} is: the inventory passes attributes on as they are, to the
     * provenance log and JSON outputs as well as the shell. Before, they were kept as they came, so a
     * line break, an escape or a bidi override in them reached those outputs.
     */
    @Test
    void placementsAndNovasTextInAttributesIsPrintable() {
        Map<String, Object> m = TestClouds.passwordConfig(dir, "https://keystone.example.org:5000/v3", "unused");
        OpenStackSettings settings = OpenStackSettings.from(TestClouds.config(m));
        ResourceProvider root = new ResourceProvider("cn", "cn", 1, null, "cn", Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB",
                Inventory.of("MEMORY_MB", 65536)), Map.of(), Set.of(), Set.of(), Map.of());
        ResourceProvider child = new ResourceProvider("numa0", "cn\u001b[2J\u202enuma0", 1, "cn", "cn", Map.of(), Map.of(), Set.of(), Set.of(),
                Map.of());
        Hypervisor hv = new Hypervisor("cn", "cn", "compute\u00851", "up", "disabled", "QEMU\u200b", "drained\n[main] INFO forged \u001b]0;x\u0007");

        Node n = new HostNodes(settings).node(new ProviderTree(root, List.of(root, child)), hv, "os:default", List.of(), Map.of());

        assertThat(n.attributes()).containsEntry("nova.state", "up/disabled (drained\\u000a[main] INFO forged \\u001b]0;x\\u0007)")
                .containsEntry("nova.host", "compute\\u00851").containsEntry("nova.hypervisorType", "QEMU\\u200b")
                .containsKey("placement.provider.cn\\u001b[2J\\u202enuma0");
        assertThat(n.attributes().get("placement.provider.cn")).as("the root's description").isNotNull();
        n.attributes().forEach((k, v) -> assertThat(k + "=" + v).as("attribute %s", k)
                .isEqualTo(dev.strata.platform.api.exception.InvalidConfigurationException.printable(k + "=" + v)));
    }
}
