package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.LargestMachine;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PlacementClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPUs passed through by PCI, against a real Placement (noauth2, SQLite), written as nova-compute
 * writes them with {@code [pci]report_in_placement = True} ({@code pci_placement_translator.py}):
 * each device a child provider of the compute node named {@code <host>_<PCI address>} (the
 * address upper case), with one inventory of {@code CUSTOM_PCI_<VENDOR>_<PRODUCT>} (or the
 * {@code resource_class} of its {@code device_spec}), total and max_unit the number of devices,
 * and the trait {@code COMPUTE_MANAGED_PCI_DEVICE}. The configuration maps two classes:
 * {@code CUSTOM_PCI_10DE_2330} (H100, alias h100) and {@code CUSTOM_A100} (a device_spec's
 * resource_class, alias a100).
 *
 * <p>Host A has three H100 (one of them allocated) and an NVSwitch ({@code CUSTOM_PCI_10DE_22A3},
 * not mapped); host B has one A100 device, an SR-IOV-style provider of two A100 units and a
 * PGPU provider of one. Before, no PCI device was a GPU of its node.
 */
class PciGpuDiscoveryTest {

    static final String PCI_GPUS = "CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100, CUSTOM_A100=NVIDIA A100-SXM4-80GB@a100";

    @TempDir
    static Path dir;
    static java.net.URI placement;
    static PlacementClient writer;
    static OpenStackCloudProvider provider;
    static String suffix = UUID.randomUUID().toString().substring(0, 8);
    static String hostA = "pci-a-" + suffix;
    static String hostB = "pci-b-" + suffix;
    static String a = UUID.randomUUID().toString();
    static String a1b = UUID.randomUUID().toString();
    static String a43 = UUID.randomUUID().toString();
    static String a52 = UUID.randomUUID().toString();
    static String a61 = UUID.randomUUID().toString();
    static String b = UUID.randomUUID().toString();
    static String b84 = UUID.randomUUID().toString();
    static String b85 = UUID.randomUUID().toString();
    static String bPgpu = UUID.randomUUID().toString();
    static String consumer = UUID.randomUUID().toString();

    @BeforeAll
    static void cloud() throws Exception {
        placement = SharedPlacement.get().url();
        provider = TestClouds.placementOnly(placement, dir, 2, Map.of("pciGpus", PCI_GPUS));
        writer = provider.placement();
        DiscoveryContext c = TestClouds.context();
        for (String rc : List.of("CUSTOM_PCI_10DE_2330", "CUSTOM_PCI_10DE_22A3", "CUSTOM_A100")) {
            writer.ensureResourceClass(rc, c);
        }
        writer.createProvider(a, hostA, null, c);
        writer.putInventories(a, 0, Map.of("VCPU", Inventory.of("VCPU", 64), "MEMORY_MB", Inventory.of("MEMORY_MB", 524288)), c);
        device(a1b, hostA + "_0000:1B:00.0", a, "CUSTOM_PCI_10DE_2330", 1);
        device(a43, hostA + "_0000:43:00.0", a, "CUSTOM_PCI_10DE_2330", 1);
        device(a52, hostA + "_0000:52:00.0", a, "CUSTOM_PCI_10DE_2330", 1);
        device(a61, hostA + "_0000:61:00.0", a, "CUSTOM_PCI_10DE_22A3", 1);
        writer.allocate(consumer, Map.of(a, Map.of("VCPU", 8L, "MEMORY_MB", 65536L), a52, Map.of("CUSTOM_PCI_10DE_2330", 1L)),
                UUID.randomUUID().toString(), UUID.randomUUID().toString(), c);

        writer.createProvider(b, hostB, null, c);
        writer.putInventories(b, 0, Map.of("VCPU", Inventory.of("VCPU", 32), "MEMORY_MB", Inventory.of("MEMORY_MB", 262144)), c);
        device(b84, hostB + "_0000:84:00.0", b, "CUSTOM_A100", 1);
        device(b85, hostB + "_0000:85:00.0", b, "CUSTOM_A100", 2);
        writer.createProvider(bPgpu, hostB + "_pgpu", b, c);
        writer.putInventories(bPgpu, 0, Map.of("PGPU", Inventory.of("PGPU", 1)), c);
    }

    /** A device provider as nova-compute makes it: total and max_unit the devices, the trait COMPUTE_MANAGED_PCI_DEVICE. */
    static void device(String uuid, String name, String parent, String rc, int devices) {
        DiscoveryContext c = TestClouds.context();
        writer.createProvider(uuid, name, parent, c);
        long g = writer.putInventories(uuid, 0, Map.of(rc, Inventory.of(rc, devices)), c);
        writer.putTraits(uuid, g, Set.of("COMPUTE_MANAGED_PCI_DEVICE"), c);
    }

    @AfterAll
    static void cleanUp() {
        if (writer == null) {
            return;
        }
        DiscoveryContext c = TestClouds.context();
        writer.deleteAllocations(consumer, c);
        for (String rp : List.of(a1b, a43, a52, a61, a, b84, b85, bPgpu, b)) {
            writer.deleteProvider(rp, c);
        }
        provider.deactivate();
    }

    static Node node(ComputeSnapshot snapshot, String name) {
        return snapshot.nodes().stream().filter(n -> n.hostname().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name + " in " + snapshot.nodes().stream().map(Node::id).toList()));
    }

    /** Each free unit of a mapped class is a GPU of the host's node, with the model, provider, class, alias and PCI address. */
    @Test
    void eachFreeUnitOfAMappedPciClassIsAGpuOfTheHost() {
        Node n = node(provider.discoverCompute(TestClouds.context()), hostA);
        assertThat(n.accelerators()).as("the free H100 (one of three is allocated); the NVSwitch is no GPU").hasSize(2);
        assertThat(n.accelerators()).extracting(Accelerator::id).containsExactlyInAnyOrder(a1b + "/CUSTOM_PCI_10DE_2330/0",
                a43 + "/CUSTOM_PCI_10DE_2330/0");
        Accelerator first = n.accelerators().stream().filter(g -> g.id().startsWith(a1b)).findFirst().orElseThrow();
        assertThat(first.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(first.vendor()).isEqualTo("NVIDIA");
        assertThat(first.nodeId()).isEqualTo(n.id());
        assertThat(first.pciAddress()).as("from the provider's name").isEqualTo("0000:1b:00.0");
        assertThat(first.attributes()).containsEntry("placementProvider", hostA + "_0000:1B:00.0")
                .containsEntry("resourceClass", "CUSTOM_PCI_10DE_2330").containsEntry("pciAlias", "h100");
        assertThat(n.attributes()).containsEntry("placement.CUSTOM_PCI_10DE_2330", "free 2 of 3 (used 1, largest single allocation 1)")
                .containsKey("placement.CUSTOM_PCI_10DE_22A3");
        assertThat(LargestMachine.of(n).gpus()).as("a server takes both, one from each provider").isEqualTo(LargestMachine.NO_LIMIT);
    }

    /**
     * A device_spec's own resource class maps like Nova's generated one; a provider of several
     * units (an SR-IOV physical function's) gives as many GPUs, without a PCI address; a PGPU
     * beside them is a GPU as before. One server takes GPUs of one kind: at most the three A100.
     */
    @Test
    void aDeviceSpecsClassAndAProviderOfSeveralUnitsAreGpusTooAndOneServerTakesOneKind() {
        Node n = node(provider.discoverCompute(TestClouds.context()), hostB);
        assertThat(n.accelerators()).extracting(Accelerator::model).containsExactlyInAnyOrder("NVIDIA A100-SXM4-80GB",
                "NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB", hostB + "_pgpu");
        assertThat(n.accelerators()).filteredOn(g -> g.id().startsWith(b85)).extracting(Accelerator::id)
                .containsExactlyInAnyOrder(b85 + "/CUSTOM_A100/0", b85 + "/CUSTOM_A100/1");
        assertThat(n.accelerators()).filteredOn(g -> g.id().startsWith(b85)).allSatisfy(g -> assertThat(g.pciAddress()).isNull());
        assertThat(n.accelerators()).filteredOn(g -> g.id().startsWith(b84)).singleElement()
                .satisfies(g -> assertThat(g.pciAddress()).isEqualTo("0000:84:00.0"));
        assertThat(LargestMachine.of(n).gpus()).isEqualTo(3);
    }

    /**
     * A class Nova makes for a device of NVIDIA's vendor id that configuration does not map is no
     * GPU, and is named in one warning of the discovery, with the host and what to configure; the
     * warning reads the same on the next discovery, so the core tells it once.
     */
    @Test
    void anUnmappedNvidiaClassIsNoGpuAndIsNamedInOneWarning() {
        ComputeSnapshot snapshot = provider.discoverCompute(TestClouds.context());
        assertThat(node(snapshot, hostA).accelerators()).noneMatch(g -> g.id().startsWith(a61));
        String expected = "resource class CUSTOM_PCI_10DE_22A3 (PCI devices of NVIDIA's vendor id 10DE, as nova-compute reports them with "
                + "[pci]report_in_placement) on host " + hostA + " is not in pciGpus, so its devices are not GPUs of that node; if they are "
                + "GPUs, map the class to their model and the [pci]alias that asks for one: pciGpus = CUSTOM_PCI_10DE_22A3=<model>@<alias>";
        assertThat(snapshot.warnings()).filteredOn(w -> w.contains("CUSTOM_PCI_10DE_22A3")).containsExactly(expected);
        assertThat(snapshot.warnings()).noneMatch(w -> w.contains("CUSTOM_PCI_10DE_2330") || w.contains("CUSTOM_A100"));
        assertThat(provider.discoverCompute(TestClouds.context()).warnings()).contains(expected);
    }

    /** Without pciGpus no PCI device is a GPU (PGPU still is), and every NVIDIA class is named. */
    @Test
    void withoutAMappingNoPciDeviceIsAGpu() {
        OpenStackCloudProvider plain = TestClouds.placementOnly(placement, dir, 2, Map.of());
        try {
            ComputeSnapshot snapshot = plain.discoverCompute(TestClouds.context());
            assertThat(node(snapshot, hostA).accelerators()).isEmpty();
            assertThat(node(snapshot, hostB).accelerators()).extracting(Accelerator::model).containsExactly(hostB + "_pgpu");
            assertThat(snapshot.warnings()).anySatisfy(w -> assertThat(w).startsWith("resource class CUSTOM_PCI_10DE_2330 ")
                    .contains("on host " + hostA + " is not in pciGpus"));
        } finally {
            plain.deactivate();
        }
    }
}
