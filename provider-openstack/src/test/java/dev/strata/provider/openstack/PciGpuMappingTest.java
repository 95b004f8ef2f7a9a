package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.ProviderTree;
import dev.strata.provider.openstack.placement.ResourceProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPUs passed through by PCI, on provider trees built in memory (as discovery reads them): what a
 * server of this installation holds of them, inventories no machine has, and (further down) the
 * flavors that ask for them.
 */
class PciGpuMappingTest {

    static final String H100 = "CUSTOM_PCI_10DE_2330";

    @TempDir
    Path dir;

    OpenStackSettings settings(String pciGpus) {
        Map<String, Object> m = TestClouds.passwordConfig(dir, "https://keystone.example.org:5000/v3", "unused");
        m.put("pciGpus", pciGpus);
        return OpenStackSettings.from(TestClouds.config(m));
    }

    static ResourceProvider rp(String uuid, String name, String parent, Map<String, Inventory> inv, Map<String, Long> used,
            Map<String, Map<String, Long>> allocations) {
        return new ResourceProvider(uuid, name, 1, parent, parent == null ? uuid : "cn", inv, used, Set.of(), Set.of(), allocations);
    }

    /** A host with 16 VCPU, 64 GiB and two H100 devices, each a provider; {@code server} holds 4 VCPU, 8 GiB and one H100. */
    static ProviderTree host(String server) {
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536)),
                Map.of("VCPU", 4L, "MEMORY_MB", 8192L), Map.of(server, Map.of("VCPU", 4L, "MEMORY_MB", 8192L)));
        ResourceProvider gpu0 = rp("gpu0", "cn_0000:1B:00.0", "cn", Map.of(H100, Inventory.of(H100, 1)), Map.of(H100, 1L),
                Map.of(server, Map.of(H100, 1L)));
        ResourceProvider gpu1 = rp("gpu1", "cn_0000:43:00.0", "cn", Map.of(H100, Inventory.of(H100, 1)), Map.of(), Map.of());
        return new ProviderTree(root, List.of(root, gpu0, gpu1));
    }

    /**
     * A server of this installation that holds a PCI GPU is reported with it ({@link CountedMachine}
     * gpus 1), so the core reserves for its member only what it holds beyond the server: the GPU is
     * counted once. Before, only PGPU was summed, and the member's GPU was held twice.
     */
    @Test
    void aServerHoldingAPciGpuIsCountedWithIt() {
        String id = "7b3c2f6e-0000-4000-8000-000000000001";
        Server s = new Server(id, "strata-d-000001-m0", "ACTIVE", null, "cn", "cn",
                Map.of(MachineLabels.ALLOCATION, "a-000001", MachineLabels.MEMBER, "m0"), Set.of(), 0, null, null, null, "", null);
        Node n = new HostNodes(settings(H100 + "=NVIDIA H100 80GB HBM3@h100")).node(host(id), null, "os:default", List.of(), Map.of(id, s));
        assertThat(CountedMachine.on(n)).singleElement().isEqualTo(new CountedMachine("a-000001", "m0", 4000, 8192L << 20, 1));
        assertThat(n.accelerators()).extracting(a -> a.id()).containsExactly("gpu1/" + H100 + "/0");
    }

    /** A PCI GPU provider with more units free than any host has GPUs (an allocation_ratio typed wrong) leaves the host out. */
    @Test
    void aPciGpuInventoryNoMachineHasLeavesTheHostOut() {
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536)),
                Map.of(), Map.of());
        ResourceProvider gpus = rp("gpu0", "cn_0000:1B:00.0", "cn", Map.of(H100, new Inventory(H100, 2, 0, 1, 2, 1, 10_000.0)), Map.of(),
                Map.of());
        HostNodes.Hosts hosts = new HostNodes(settings(H100 + "=NVIDIA H100 80GB HBM3@h100")).map(List.of(new ProviderTree(root,
                List.of(root, gpus))), null, Map.of(), List.of());
        assertThat(hosts.nodes()).isEmpty();
        assertThat(hosts.warnings()).singleElement().asString().startsWith("host cn (cn) is not a node: resource provider cn_0000:1B:00.0 has "
                + "20000 " + H100 + " free; expected at most 4096");
    }
}
