package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineResources;
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

    /**
     * A usage as absurd as {@link Long#MAX_VALUE} (Placement's answer gone wrong) leaves no room:
     * nothing fits on the provider, and no flavor is said to fit on the host. Before, the usage plus
     * the amount asked wrapped round to a negative number, which fit, so the full host was said to
     * take the flavor and Strata chose it there.
     */
    @Test
    void aUsagePastAnyCapacityAdmitsNothingThoughItsSumPassesALong() {
        assertThat(Inventory.of("VCPU", 16).admits(Long.MAX_VALUE, 2)).isFalse();
        assertThat(Inventory.of("VCPU", 16).admits(Long.MAX_VALUE - 1, 2)).isFalse();
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536)),
                Map.of("VCPU", Long.MAX_VALUE), Map.of());
        ProviderTree full = new ProviderTree(root, List.of(root));
        Flavor small = flavor("m1.small", Map.of());
        assertThat(small.fitsOn(full, PciGpus.NONE)).isFalse();
        Node n = new HostNodes(settings(H100 + "=NVIDIA H100 80GB HBM3@h100")).node(full, null, "os:default", List.of(small), Map.of());
        assertThat(n.attributes()).containsEntry("nova.flavorsThatFitNow", "");
    }

    /**
     * Devices free on several providers that add up past a long count as the most a long holds, not
     * as a sum wrapped round to a negative number, which said that not even one device fits.
     */
    @Test
    void freeDevicesThatAddUpPastALongAreNotANegativeCount() {
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16)), Map.of(), Map.of());
        ResourceProvider a = rp("a", "cn_a", "cn", Map.of(H100, Inventory.of(H100, Long.MAX_VALUE)), Map.of(), Map.of());
        ResourceProvider b = rp("b", "cn_b", "cn", Map.of(H100, Inventory.of(H100, Long.MAX_VALUE)), Map.of(), Map.of());
        ProviderTree tree = new ProviderTree(root, List.of(root, a, b));
        assertThat(FitModel.singleUnits(tree, H100)).isEqualTo(Long.MAX_VALUE);
    }

    /**
     * Allocations of one server that add up past a long (in Placement's units, or once in bytes or
     * millicores) are Placement's answer gone wrong: the host is left out with a warning naming the
     * server, the other hosts stay. Before, a bare ArithmeticException ("long overflow") failed the
     * mapping of every host.
     */
    @Test
    void aServersAllocationsPastALongLeaveTheHostOutNamingTheServer() {
        String id = "7b3c2f6e-0000-4000-8000-000000000001";
        Server s = new Server(id, "strata-d-000001-m0", "ACTIVE", null, "cn", "cn",
                Map.of(MachineLabels.ALLOCATION, "a-000001", MachineLabels.MEMBER, "m0"), Set.of(), 0, null, null, null, "", null);
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536)),
                Map.of("VCPU", 4L, "MEMORY_MB", 1L << 44), Map.of(id, Map.of("VCPU", 4L, "MEMORY_MB", 1L << 44)));
        ResourceProvider other = rp("cn2", "cn2", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536)),
                Map.of(), Map.of());
        HostNodes.Hosts hosts = new HostNodes(settings(H100 + "=NVIDIA H100 80GB HBM3@h100")).map(List.of(new ProviderTree(root, List.of(root)),
                new ProviderTree(other, List.of(other))), null, Map.of(), List.of(), Map.of(id, s));
        assertThat(hosts.nodes()).extracting(Node::id).containsExactly("os-test:cn2");
        assertThat(hosts.warnings()).singleElement().asString().startsWith("host cn (cn) is not a node: server " + id + " holds more VCPU, "
                + "MEMORY_MB or GPUs on its resource providers than a machine has");
    }

    /**
     * Usages of one class that add up past a long over a host's providers leave the host out naming
     * the class. Before, the host's placement attribute showed the sum wrapped round to a negative
     * number ("used -2").
     */
    @Test
    void usagesThatAddUpPastALongLeaveTheHostOutNamingTheClass() {
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536)),
                Map.of("VCPU", Long.MAX_VALUE), Map.of());
        ResourceProvider numa = rp("numa0", "cn_NUMA0", "cn", Map.of("VCPU", Inventory.of("VCPU", 16)), Map.of("VCPU", Long.MAX_VALUE), Map.of());
        HostNodes.Hosts hosts = new HostNodes(settings(H100 + "=NVIDIA H100 80GB HBM3@h100")).map(List.of(new ProviderTree(root, List.of(root, numa))), null, Map.of(),
                List.of());
        assertThat(hosts.nodes()).isEmpty();
        assertThat(hosts.warnings()).singleElement().asString().isEqualTo("host cn (cn) is not a node: its resource providers' VCPU capacity "
                + "or usage adds up to more than " + Long.MAX_VALUE + "; expected figures a host has (is a VCPU total, allocation_ratio or "
                + "usage wrong?)");
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
     * The units several numbered groups take of one provider are one allocation to Placement, held
     * to the inventory's {@code max_unit}: a provider of 4 free units with {@code max_unit} 1 gives
     * one of three groups, and the tree takes three only with two more providers. Before, each
     * group was held to {@code max_unit} alone, and the three were said to fit on the one provider
     * (the oracle test against Placement found it: {@code resources1=CUSTOM_STRATA_B:1&resources2=...&group_policy=none}).
     */
    @Test
    void unitsOfSeveralGroupsFromOneProviderAreHeldToItsMaxUnitTogether() {
        Inventory oneAtATime = new Inventory(H100, 8, 0, 1, 1, 1, 0.5);
        ResourceProvider root = rp("cn", "cn", null, Map.of(H100, oneAtATime, "VCPU", Inventory.of("VCPU", 16)), Map.of(), Map.of());
        ProviderTree alone = new ProviderTree(root, List.of(root));
        ResourceRequest three = FitModel.forFlavor(1, 0, 0, Map.of("pci_passthrough:alias", "h100:3"), MAPPED);
        assertThat(FitModel.singleUnits(alone, H100)).isEqualTo(1);
        assertThat(FitModel.fits(alone, three)).isFalse();
        assertThat(FitModel.fits(alone, FitModel.forFlavor(1, 0, 0, Map.of("pci_passthrough:alias", "h100:1"), MAPPED))).isTrue();

        ResourceProvider two = rp("gpu1", "cn_1", "cn", Map.of(H100, new Inventory(H100, 4, 0, 1, 2, 1, 1.0)), Map.of(H100, 3L), Map.of());
        ResourceProvider many = rp("gpu2", "cn_2", "cn", Map.of(H100, new Inventory(H100, 4, 0, 1, 2, 1, 1.0)), Map.of(), Map.of());
        assertThat(FitModel.singleUnits(new ProviderTree(root, List.of(root, two)), H100)).as("free 1, max_unit 2").isEqualTo(2);
        assertThat(FitModel.singleUnits(new ProviderTree(root, List.of(root, two, many)), H100)).as("free 4, max_unit 2").isEqualTo(4);
        assertThat(FitModel.fits(new ProviderTree(root, List.of(root, two, many)), three)).isTrue();
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

    /** A host of 16 VCPU and 64 GiB with two free H100, each a provider. */
    static ProviderTree twoFreeH100() {
        ResourceProvider root = rp("cn", "cn", null, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536),
                "DISK_GB", Inventory.of("DISK_GB", 100)), Map.of(), Map.of());
        return new ProviderTree(root, List.of(root, rp("gpu0", "cn_0000:1B:00.0", "cn", Map.of(H100, Inventory.of(H100, 1)), Map.of(), Map.of()),
                rp("gpu1", "cn_0000:43:00.0", "cn", Map.of(H100, Inventory.of(H100, 1)), Map.of(), Map.of())));
    }

    /** A member of 2 CPUs, 4 GiB and the two H100 of {@link #twoFreeH100()}, as placement bound them. */
    static MachineResources twoH100() {
        return new MachineResources(2000, 4L << 30, 2, List.of("gpu0/" + H100 + "/0", "gpu1/" + H100 + "/0"), null);
    }

    /**
     * A member bound to two PCI GPUs gets the smallest flavor that asks for exactly two devices of
     * their alias and nothing else special: not one of PGPU, of another count, with another alias
     * besides, or with dedicated CPUs. Before, a member's GPUs were always asked for as
     * resources:PGPU, and the PGPU flavor was chosen.
     */
    @Test
    void aMemberOfPciGpusGetsAFlavorWithExactlyTheirAlias() {
        List<Flavor> flavors = List.of(flavor("m1.large", Map.of()), flavor("gpu.pgpu.2", Map.of("resources:PGPU", "2")),
                flavor("gpu.h100.1", Map.of("pci_passthrough:alias", "h100:1")),
                flavor("gpu.h100.2.qat", Map.of("pci_passthrough:alias", "h100:2,qat:1")),
                flavor("gpu.h100.2.pinned", Map.of("pci_passthrough:alias", "h100:2", "hw:cpu_policy", "dedicated")),
                new Flavor("big-id", "gpu.h100.2.big", 8, 16384, 0, true, Map.of("pci_passthrough:alias", "h100:2")),
                flavor("gpu.h100.2", Map.of("pci_passthrough:alias", "h100:2")));
        FlavorChooser.Choice c = FlavorChooser.choose("m", twoH100(), twoFreeH100(), flavors, flavors, false, 1, MAPPED);
        assertThat(c.existing().name()).isEqualTo("gpu.h100.2");
        assertThat(c.create()).isNull();
        assertThat(FlavorChooser.holds(flavor("a", Map.of("pci_passthrough:alias", "h100:1,h100:1")), 2, 4096,
                new FlavorChooser.Gpus(0, Map.of("h100", 2L)))).as("the same alias named twice asks for its counts added").isTrue();
    }

    /**
     * Where none holds it, Strata makes the flavor (strata-2c-4096m-1g-2xh100, pci_passthrough:alias =
     * h100:2), as it makes one with resources:PGPU; a flavor of that name a creation cut short is
     * completed with the alias; and where the host's PCI GPUs are allocated, it is refused naming
     * the class and the alias.
     */
    @Test
    void whereNoneHoldsTheMemberAFlavorWithTheAliasIsMadeOrRefused() {
        FlavorChooser.Choice made = FlavorChooser.choose("m", twoH100(), twoFreeH100(), List.of(flavor("m1.large", Map.of())), List.of(),
                true, 1, MAPPED);
        assertThat(made.existing()).isNull();
        assertThat(made.create().name()).isEqualTo("strata-2c-4096m-1g-2xh100");
        assertThat(made.create().extraSpecs()).isEqualTo(Map.of("pci_passthrough:alias", "h100:2"));
        assertThat(made.create().isPublic()).isTrue();

        Flavor cut = new Flavor("cut-id", "strata-2c-4096m-1g-2xh100", 2, 4096, 1, true, Map.of());
        FlavorChooser.Choice complete = FlavorChooser.choose("m", twoH100(), twoFreeH100(), List.of(cut), List.of(cut), true, 1, MAPPED);
        assertThat(complete.existing()).isEqualTo(cut);
        assertThat(cut.specsToComplete(complete.create())).isEqualTo(Map.of("pci_passthrough:alias", "h100:2"));

        Flavor another = new Flavor("other-id", "strata-2c-8192m-1g-2xh100", 2, 8192, 1, true, Map.of("pci_passthrough:alias", "h100:2"));
        assertThat(FlavorChooser.choose("m", twoH100(), twoFreeH100(), List.of(another), List.of(another), true, 1, MAPPED).create().name())
                .as("a flavor Strata made for another member is not taken").isEqualTo("strata-2c-4096m-1g-2xh100");

        ProviderTree free = twoFreeH100();
        ProviderTree oneHeld = new ProviderTree(free.root(), List.of(free.root(), rp("gpu0", "cn_0000:1B:00.0", "cn",
                Map.of(H100, Inventory.of(H100, 1)), Map.of(H100, 1L), Map.of()), free.providers().get(2)));
        MachineResources two = new MachineResources(2000, 4L << 30, 2, List.of("gpu0/" + H100 + "/0", "gpu1/" + H100 + "/0"), null);
        assertThatThrownBy(() -> FlavorChooser.choose("m", two, oneHeld, List.of(), List.of(), true, 1, MAPPED))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("member m needs 2 VCPU, 4096 MiB, 2 " + H100 + " (PCI alias h100) and host cn cannot take that now "
                        + "(Placement: ")
                .hasMessageContaining(H100 + " free 1 (largest 1)");
    }

    /**
     * Without bound GPUs the host says which kind: its PGPU where they take the member, else the
     * first mapped PCI class whose free devices do. A bound GPU of a PCI class no longer mapped is
     * refused: Strata knows no alias to ask Nova for it.
     */
    @Test
    void whichKindOfGpuAMemberAsksFor() {
        MachineResources unbound = new MachineResources(2000, 4L << 30, 2, List.of(), null);
        assertThat(FlavorChooser.gpusOf("m", unbound, twoFreeH100(), MAPPED)).isEqualTo(new FlavorChooser.Gpus(0, Map.of("h100", 2L)));
        assertThat(FlavorChooser.gpusOf("m", unbound, twoFreeH100(), PciGpus.NONE)).isEqualTo(FlavorChooser.Gpus.pgpus(2));
        assertThat(FlavorChooser.gpusOf("m", unbound, MappingTest.host(), MAPPED)).as("a host with 2 PGPU").isEqualTo(FlavorChooser.Gpus.pgpus(2));
        MachineResources pgpus = new MachineResources(1000, 1L << 30, 1, List.of("gpu/pgpu0"), null);
        assertThat(FlavorChooser.gpusOf("m", pgpus, twoFreeH100(), MAPPED)).isEqualTo(FlavorChooser.Gpus.pgpus(1));
        MachineResources unmapped = new MachineResources(1000, 1L << 30, 1, List.of("gpu9/CUSTOM_PCI_10DE_2331/0"), null);
        assertThatThrownBy(() -> FlavorChooser.gpusOf("m", unmapped, twoFreeH100(), MAPPED)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("member m is bound to GPU gpu9/CUSTOM_PCI_10DE_2331/0 of resource class CUSTOM_PCI_10DE_2331, which pciGpus does not "
                        + "map to a Nova PCI alias (any more); Strata cannot ask Nova for it: map the class in pciGpus, or place the member again");
    }
}
