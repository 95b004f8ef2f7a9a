package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PciGpus;
import dev.strata.provider.openstack.placement.ProviderTree;
import dev.strata.provider.openstack.placement.ResourceProvider;
import dev.strata.provider.openstack.placement.ResourceRequest;
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

    static final PciGpus MAPPED = PciGpus.of(List.of(new PciGpus.Mapping(H100, "NVIDIA H100 80GB HBM3", "h100"),
            new PciGpus.Mapping("CUSTOM_A100", "NVIDIA A100", "a100")));

    static Flavor flavor(String name, Map<String, String> specs) {
        return new Flavor(name + "-id", name, 2, 4096, 0, true, specs);
    }

    /**
     * A flavor's {@code pci_passthrough:alias} asks for the devices of the class its alias maps to,
     * one unit per numbered request group, as Nova asks Placement for PCI devices; an alias Strata
     * does not know, or a value Nova would not read, adds nothing.
     */
    @Test
    void aPciAliasAsksForTheDevicesOfItsClassOneUnitPerGroup() {
        ResourceRequest r = FitModel.forFlavor(2, 4096, 0, Map.of("pci_passthrough:alias", "h100:2"), MAPPED);
        assertThat(r.resources()).isEqualTo(Map.of("VCPU", 2L, "MEMORY_MB", 4096L));
        assertThat(r.devices()).isEqualTo(Map.of(H100, 2L));
        assertThat(r.query()).isEqualTo("resources=MEMORY_MB:4096,VCPU:2&resources1=" + H100 + ":1&resources2=" + H100 + ":1&group_policy=none");
        assertThat(FitModel.forFlavor(2, 4096, 0, Map.of("pci_passthrough:alias", " h100 :1 , a100:2,h100:1"), MAPPED).devices())
                .isEqualTo(Map.of(H100, 2L, "CUSTOM_A100", 2L));
        assertThat(FitModel.forFlavor(2, 4096, 0, Map.of("pci_passthrough:alias", "h100:1,qat:1"), MAPPED).devices())
                .as("the known alias counts").isEqualTo(Map.of(H100, 1L));
        assertThat(FitModel.forFlavor(2, 4096, 0, Map.of("pci_passthrough:alias", "h100"), MAPPED).devices()).as("no count").isEmpty();
        assertThat(FitModel.forFlavor(2, 4096, 0, Map.of("pci_passthrough:alias", "h100:0"), MAPPED).devices()).isEmpty();
        assertThat(FitModel.forFlavor(2, 4096, 0, Map.of("pci_passthrough:alias", "h100:1"), PciGpus.NONE).devices()).isEmpty();
        assertThat(FitModel.pciAliases("h100:1, a100:2")).contains(Map.of("h100", 1L, "a100", 2L));
        assertThat(FitModel.pciAliases("h100:1;a100:2")).isEmpty();
        assertThat(FitModel.pciAliases("h100:99999999999999999999")).isEmpty();
    }

    /**
     * A host whose PCI GPUs are allocated takes no flavor asking for more of them than are free:
     * with one of two H100 held by a server, a flavor of one H100 fits and one of two does not, and
     * the node lists only the first among the flavors that fit now. The two H100 are two
     * providers: a flavor of two takes one from each. Before, the alias was not counted, and the
     * flavor of two was said to fit.
     */
    @Test
    void aHostWhosePciGpusAreAllocatedTakesNoFlavorAskingForMore() {
        ProviderTree host = host("other-server");
        Flavor one = flavor("gpu.h100.1", Map.of("pci_passthrough:alias", "h100:1"));
        Flavor two = flavor("gpu.h100.2", Map.of("pci_passthrough:alias", "h100:2"));
        assertThat(FitModel.fits(host, one.request(MAPPED))).isTrue();
        assertThat(FitModel.fits(host, two.request(MAPPED))).isFalse();
        ResourceProvider root = host.root();
        ProviderTree bothFree = new ProviderTree(root, List.of(root,
                rp("gpu0", "cn_0000:1B:00.0", "cn", Map.of(H100, Inventory.of(H100, 1)), Map.of(), Map.of()),
                rp("gpu1", "cn_0000:43:00.0", "cn", Map.of(H100, Inventory.of(H100, 1)), Map.of(), Map.of())));
        assertThat(FitModel.fits(bothFree, two.request(MAPPED))).as("one device from each provider").isTrue();
        assertThat(FitModel.fits(bothFree, flavor("gpu.h100.3", Map.of("pci_passthrough:alias", "h100:3")).request(MAPPED))).isFalse();

        Node n = new HostNodes(settings(H100 + "=NVIDIA H100 80GB HBM3@h100")).node(host, null, "os:default", List.of(one, two), Map.of());
        assertThat(n.attributes()).containsEntry("nova.flavorsThatFitNow", "gpu.h100.1");
    }
}
