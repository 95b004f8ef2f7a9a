package dev.strata.provider.baremetal.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.ResourceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SysfsDiscovery} on small hand-made {@code /sys} + {@code /proc} trees, one odd case at a time. */
class SysfsDiscoveryTest {

    @TempDir
    Path root;

    // ---------------------------------------------------------------- CPUs

    @Test
    void readsPackagesCoresAndThreadsOrderedByFirstThread() throws IOException {
        // 2 packages x 2 cores x 2 threads, Linux-style numbering: thread siblings are n and n+4.
        for (int cpu = 0; cpu < 8; cpu++) {
            int pkg = cpu % 4 / 2;
            int core = cpu % 2;
            int first = cpu % 4;
            cpu(cpu, pkg, core, first + "," + (first + 4), pkg == 0 ? "0-1,4-5" : "2-3,6-7");
        }
        write("/sys/devices/system/cpu/online", "0-7\n");
        write("/proc/cpuinfo", cpuinfoX86(8));

        Node node = discover();

        assertThat(node.cpu().online()).isEqualTo(CpuSet.parseList("0-7"));
        assertThat(node.cpu().offline()).isEqualTo(CpuSet.EMPTY);
        assertThat(node.cpu().packages()).extracting(CpuPackage::id).containsExactly(0, 1);
        CpuPackage first = node.cpu().packages().get(0);
        assertThat(first.vendor()).isEqualTo("GenuineIntel");
        assertThat(first.model()).isEqualTo("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
        assertThat(first.cores()).extracting(CpuCore::id).containsExactly(0, 1);
        assertThat(first.cores()).extracting(CpuCore::threads)
                .containsExactly(CpuSet.of(0, 4), CpuSet.of(1, 5));
        assertThat(node.cpu().packages().get(1).threads()).isEqualTo(CpuSet.parseList("2-3,6-7"));
        assertThat(node.cpu().cores()).isEqualTo(4);
        assertThat(node.cpu().threads()).isEqualTo(8);
        assertThat(node.cpu().model()).isEqualTo("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
        assertThat(node.attributes()).containsEntry("architecture", "x86_64");
    }

    @Test
    void offlineCpusAreOnlyInTheOfflineSet() throws IOException {
        for (int cpu = 0; cpu < 3; cpu++) {
            cpu(cpu, 0, cpu, Integer.toString(cpu), "0-2");
        }
        // cpu3 is offline: the kernel removes its topology directory.
        write("/sys/devices/system/cpu/cpu3/online", "0\n");
        write("/sys/devices/system/cpu/online", "0-2\n");
        write("/sys/devices/system/cpu/offline", "3-63\n"); // possible but not present CPUs too

        Node node = discover();

        assertThat(node.cpu().online()).isEqualTo(CpuSet.parseList("0-2"));
        assertThat(node.cpu().offline()).isEqualTo(CpuSet.of(3));
        assertThat(node.cpu().packages()).hasSize(1);
        assertThat(node.cpu().packages().get(0).threads()).isEqualTo(CpuSet.parseList("0-2"));
        assertThat(node.cpu().cores()).isEqualTo(3);
    }

    @Test
    void withoutAnOnlineFileCpusWithTopologyAndNotMarkedOfflineAreOnline() throws IOException {
        cpu(0, 0, 0, "0", "0-1");
        cpu(1, 0, 1, "1", "0-1");
        write("/sys/devices/system/cpu/cpu1/online", "0\n"); // offline, stale topology left behind
        write("/sys/devices/system/cpu/cpu2/online", "0\n"); // offline, no topology

        Node node = discover();

        assertThat(node.cpu().online()).isEqualTo(CpuSet.of(0));
        assertThat(node.cpu().offline()).isEqualTo(CpuSet.of(1, 2));
        assertThat(node.cpu().packages().get(0).cores()).containsExactly(new CpuCore(0, CpuSet.of(0)));
    }

    @Test
    void repeatedPackageIdsWithDistinctSiblingMasksAreDistinctPackages() throws IOException {
        // IA-64 style: both CPUs say physical_package_id 0 but each is alone in its core_siblings.
        cpu(0, 0, 0, "0", "0");
        cpu(1, 0, 0, "1", "1");

        Node node = discover();

        assertThat(node.cpu().packages()).extracting(CpuPackage::id).containsExactly(0, 0);
        assertThat(node.cpu().cores()).isEqualTo(2);
    }

    @Test
    void threadsOfOneSiblingMaskWithDistinctCoreIdsAreDistinctCores() throws IOException {
        // AMD compute unit: thread_siblings pairs two "cores" with their own core_id, as hwloc counts them.
        cpu(0, 0, 0, "0-1", "0-1");
        cpu(1, 0, 1, "0-1", "0-1");

        Node node = discover();

        assertThat(node.cpu().packages().get(0).cores())
                .containsExactly(new CpuCore(0, CpuSet.of(0)), new CpuCore(1, CpuSet.of(1)));
    }

    @Test
    void cpusWithoutCoreInformationAreCoresOfTheirOwnAndMissingPackageIdIsMinusOne() throws IOException {
        write("/sys/devices/system/cpu/cpu0/topology/core_siblings", "3\n");
        write("/sys/devices/system/cpu/cpu1/topology/core_siblings", "3\n");

        Node node = discover();

        assertThat(node.cpu().packages()).hasSize(1);
        CpuPackage pkg = node.cpu().packages().get(0);
        assertThat(pkg.id()).isEqualTo(-1);
        assertThat(pkg.vendor()).isNull();
        assertThat(pkg.model()).isNull();
        assertThat(pkg.cores()).containsExactly(new CpuCore(-1, CpuSet.of(0)), new CpuCore(-1, CpuSet.of(1)));
    }

    @Test
    void cpuinfoOfArmAndPowerNamesTheirCpus() {
        CpuInfo arm = CpuInfo.parse(List.of("Processor\t: ARMv7 Processor rev 1 (v7l)", "processor\t: 0",
                "BogoMIPS\t: 1595.80", "", "processor\t: 1", "", "CPU implementer\t: 0x41",
                "CPU architecture: 7", "CPU part\t: 0xc09", "", "Hardware\t: ST-Ericsson MOP500 platform"));
        assertThat(arm.vendor(1)).isEqualTo("ARM");
        assertThat(arm.model(1)).isEqualTo("ARMv7 Processor rev 1 (v7l)");
        assertThat(arm.architecture()).isEqualTo("arm");

        CpuInfo arm64 = CpuInfo.parse(List.of("processor\t: 0", "CPU implementer\t: 0x4e",
                "CPU architecture: 8", "CPU part\t: 0x004"));
        assertThat(arm64.vendor(0)).isEqualTo("NVIDIA");
        assertThat(arm64.model(0)).isNull();
        assertThat(arm64.architecture()).isEqualTo("aarch64");

        CpuInfo power = CpuInfo.parse(List.of("processor\t: 0", "cpu\t\t: POWER9, altivec supported",
                "clock\t\t: 3450.000000MHz", "", "timebase\t: 512000000", "platform\t: PowerNV",
                "model\t\t: 8335-GTW"));
        assertThat(power.vendor(0)).isNull();
        assertThat(power.model(0)).isEqualTo("POWER9, altivec supported");
        assertThat(power.architecture()).isEqualTo("ppc64");

        CpuInfo s390 = CpuInfo.parse(List.of("vendor_id       : IBM/S390", "# processors    : 2",
                "processor 0: version = FF,  identification = 0133E8,  machine = 2964"));
        assertThat(s390.vendor(0)).isEqualTo("IBM/S390");
        assertThat(s390.architecture()).isEqualTo("s390x");
    }

    // ---------------------------------------------------------------- NUMA and memory

    @Test
    void cpuLessAndMemoryLessNumaNodes() throws IOException {
        for (int cpu = 0; cpu < 4; cpu++) {
            cpu(cpu, 0, cpu, Integer.toString(cpu), "0-3");
        }
        write("/sys/devices/system/cpu/online", "0-2\n");
        // node0: CPUs, no memory; node1: memory, no CPUs (e.g. CXL); node2: both, with an offline CPU.
        node(0, "0-1", "Node 0 MemTotal:       0 kB\n", "10 20 30");
        node(1, "", "Node 1 MemTotal:       2097152 kB\nNode 1 MemFree:  1 kB\n", "20 10 30");
        node(2, "2-3", "Node 2 MemTotal:       1048576 kB\n", "30 30 10");
        write("/proc/meminfo", "MemTotal:        9999999 kB\n");

        Node node = discover();

        assertThat(node.numaNodes()).containsExactly(
                new NumaNode(0, CpuSet.of(0, 1), 0, List.of(10, 20, 30)),
                new NumaNode(1, CpuSet.EMPTY, 2L << 30, List.of(20, 10, 30)),
                new NumaNode(2, CpuSet.of(2), 1L << 30, List.of(30, 30, 10)));
        assertThat(node.memoryBytes()).isEqualTo(3L << 30);
    }

    /**
     * Each distance row is the distances to every node in id order; a row of another width (here a
     * third value on a two-node machine) cannot be lined up with the nodes, so, as hwloc does, no
     * node keeps its distances and the row is reported. Before, node 1 kept a row of three
     * distances, and node 0's row stood as if the matrix were sound.
     */
    @Test
    void aDistanceRowOfAnotherWidthThanTheNodesIsReportedAndNoNodeKeepsDistances() throws IOException {
        cpu(0, 0, 0, "0", "0-1");
        cpu(1, 0, 1, "1", "0-1");
        write("/sys/devices/system/cpu/online", "0-1\n");
        node(0, "0", "Node 0 MemTotal: 1024 kB\n", "10 21");
        node(1, "1", "Node 1 MemTotal: 1024 kB\n", "21 10 31");

        SysfsDiscovery.Discovered found = new SysfsDiscovery(root).discoverWithWarnings("n1", "baremetal", "site");

        assertThat(found.node().numaNodes()).extracting(NumaNode::distances).containsExactly(List.of(), List.of());
        assertThat(found.warnings()).containsExactly("/sys/devices/system/node/node1/distance: '21 10 31' is not a row of one distance"
                + " to each of the 2 NUMA nodes");
    }

    @Test
    void withoutNodeDirectoriesTheMachineIsOneNode() throws IOException {
        cpu(0, 0, 0, "0", "0-1");
        cpu(1, 0, 1, "1", "0-1");
        write("/proc/meminfo", "MemTotal:        4096 kB\nMemFree:   1024 kB\n");

        Node node = discover();

        assertThat(node.numaNodes()).containsExactly(new NumaNode(0, CpuSet.of(0, 1), 4096L * 1024, List.of()));
        assertThat(node.memoryBytes()).isEqualTo(4096L * 1024);
    }

    @Test
    void sparseNodeIdsAndMaskOnlyNodes() throws IOException {
        for (int cpu = 0; cpu < 4; cpu++) {
            cpu(cpu, 0, cpu, Integer.toString(cpu), "0-3");
        }
        write("/sys/devices/system/node/node33/cpumap", "00000003\n");
        write("/sys/devices/system/node/node33/meminfo", "Node 33 MemTotal: 1024 kB\n");
        write("/sys/devices/system/node/node7/cpumap", "0000000c\n");
        write("/sys/devices/system/node/node7/meminfo", "Node 7 MemTotal: 2048 kB\n");
        write("/sys/devices/system/node/online", "7,33\n"); // not a node directory

        Node node = discover();

        assertThat(node.numaNodes()).extracting(NumaNode::id).containsExactly(7, 33);
        assertThat(node.numaNodes()).extracting(NumaNode::cpus).containsExactly(CpuSet.of(2, 3), CpuSet.of(0, 1));
        assertThat(node.memoryBytes()).isEqualTo(3072L * 1024);
    }

    // ---------------------------------------------------------------- PCI

    @Test
    void pciDevicesThroughAbsoluteLinksAreReadInsideTheRoot() throws IOException {
        oneCpu();
        String gpu = "/sys/devices/pci0000:af/0000:af:00.0/0000:b0:00.0";
        write(gpu + "/vendor", "0x10de\n");
        write(gpu + "/device", "0x2330\n");
        write(gpu + "/class", "0x030200\n");
        write(gpu + "/numa_node", "1\n");
        write(gpu + "/local_cpulist", "0\n");
        write(gpu + "/current_link_speed", "16.0 GT/s PCIe\n");
        write(gpu + "/current_link_width", "16\n");
        write(gpu + "/max_link_speed", "32.0 GT/s PCIe\n");
        write(gpu + "/max_link_width", "16\n");
        write("/sys/bus/pci/drivers/nvidia/bind", "");
        link(gpu + "/driver", "../../../../bus/pci/drivers/nvidia");
        // Absolute link, as some snapshots have: must mean <root>/sys/devices/..., not this machine's /sys.
        link("/sys/bus/pci/devices/0000:b0:00.0", gpu);

        PciDevice device = discover().pciDevice("0000:b0:00.0").orElseThrow();

        assertThat(device).isEqualTo(new PciDevice("0000:b0:00.0", 0x10de, 0x2330, 0x030200, null, null, 1,
                CpuSet.of(0), new PciLink(16.0, 16, 32.0, 16), "nvidia"));
        assertThat(device.isAcceleratorCandidate()).isTrue();
    }

    @Test
    void pciDevicesWithoutLocalityOrLinkInformation() throws IOException {
        oneCpu();
        // No numa_node, no local CPUs, no link files: an integrated device.
        pci("0000:00:00.0", "0x8086", "0x1237", "0x060000");
        // numa_node -1, a mask instead of a list, "Unknown" current speed of a link that is down.
        pci("0000:00:1f.0", "0x8086", "0x7000", "0x060100");
        String bridge = "/sys/devices/pci0000:00/0000:00:1f.0";
        write(bridge + "/numa_node", "-1\n");
        write(bridge + "/local_cpus", "ffffffff,ffffffff\n");
        write(bridge + "/current_link_speed", "Unknown\n");
        write(bridge + "/current_link_width", "0\n");
        write(bridge + "/max_link_speed", "8 GT/s\n");
        write(bridge + "/max_link_width", "4\n");
        // Link files that report nothing at all.
        pci("0000:00:02.0", "0x1234", "0x1111", "0x030000");
        String vga = "/sys/devices/pci0000:00/0000:00:02.0";
        write(vga + "/current_link_speed", "Unknown\n");
        write(vga + "/current_link_width", "0\n");

        List<PciDevice> devices = discover().pciDevices();

        assertThat(devices).extracting(PciDevice::address).containsExactly("0000:00:00.0", "0000:00:02.0", "0000:00:1f.0");
        PciDevice host = devices.get(0);
        assertThat(host.numaNode()).isEqualTo(-1);
        assertThat(host.localCpus()).isEqualTo(CpuSet.EMPTY);
        assertThat(host.link()).isNull();
        assertThat(host.driver()).isNull();
        assertThat(devices.get(1).link()).isNull();
        PciDevice isa = devices.get(2);
        assertThat(isa.numaNode()).isEqualTo(-1);
        assertThat(isa.localCpus()).isEqualTo(CpuSet.of(0)); // restricted to the online CPUs
        assertThat(isa.link()).isEqualTo(new PciLink(0, 0, 8.0, 4));
    }

    @Test
    void pciLinkSpeedTexts() {
        assertThat(PciReader.parseSpeed("8.0 GT/s PCIe")).isEqualTo(8.0);
        assertThat(PciReader.parseSpeed("16.0 GT/s")).isEqualTo(16.0);
        assertThat(PciReader.parseSpeed("2.5 GT/s")).isEqualTo(2.5);
        assertThat(PciReader.parseSpeed("Unknown")).isZero();
        assertThat(PciReader.parseSpeed("Unknown speed")).isZero();
        assertThat(PciReader.parseSpeed("")).isZero();
    }

    @Test
    void pciNamesComeFromThePciIdDatabaseOfTheTree() throws IOException {
        oneCpu();
        pci("0000:3b:00.0", "0x10de", "0x2330", "0x030200");
        write("/usr/share/hwdata/pci.ids", """
                # comment
                10de  NVIDIA Corporation
                \t2330  GH100 [H100 SXM5 80GB]
                \t\t10de 16c1  H100 SXM5 80GB
                8086  Intel Corporation
                C 03  Display controller
                \t02  3D controller
                """);

        PciDevice device = discover().pciDevices().get(0);

        assertThat(device.vendorName()).isEqualTo("NVIDIA Corporation");
        assertThat(device.deviceName()).isEqualTo("GH100 [H100 SXM5 80GB]");
    }

    /** The database is read once: a second discovery with the same file and the same devices does not read it again. */
    @Test
    void thePciIdDatabaseIsReadOncePerVersionOfTheFile() throws IOException {
        oneCpu();
        pci("0000:3b:00.0", "0x10de", "0x2330", "0x030200");
        String ids = "10de  NVIDIA Corporation\n\t2330  GH100 [H100 SXM5 80GB]\n";
        write("/usr/share/misc/pci.ids", ids);
        Path file = path("/usr/share/misc/pci.ids");
        java.nio.file.attribute.FileTime stamp = Files.getLastModifiedTime(file);
        SysfsDiscovery discovery = new SysfsDiscovery(root);
        assertThat(discovery.discover("n1", "b", "s").pciDevices().get(0).deviceName()).isEqualTo("GH100 [H100 SXM5 80GB]");

        // same size and time, other content: a discovery that read the file again would see "XXXXX"
        Files.writeString(file, ids.replace("GH100", "XXXXX"));
        Files.setLastModifiedTime(file, stamp);
        assertThat(discovery.discover("n1", "b", "s").pciDevices().get(0).deviceName()).isEqualTo("GH100 [H100 SXM5 80GB]");

        // a new version of the file is read
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(stamp.toMillis() + 5_000));
        assertThat(discovery.discover("n1", "b", "s").pciDevices().get(0).deviceName()).isEqualTo("XXXXX [H100 SXM5 80GB]");

        // a device that was not asked for before is looked up
        pci("0000:3c:00.0", "0x10de", "0x2331", "0x030200");
        Files.writeString(file, ids + "\t2331  GH100 [H100 PCIe]\n");
        assertThat(discovery.discover("n1", "b", "s").pciDevice("0000:3c:00.0").orElseThrow().deviceName()).isEqualTo("GH100 [H100 PCIe]");
    }

    // ---------------------------------------------------------------- files the discovery cannot parse

    @Test
    void aFileThatDoesNotParseIsReportedNotTakenAsEmpty() throws IOException {
        cpu(0, 0, 0, "0", "0");
        cpu(1, 0, 1, "1", "0-1");
        write("/sys/devices/system/cpu/online", "0-1\n");
        node(0, "0-1", "Node 0 MemTotal: 1024 kB\n", "10");
        write("/sys/devices/system/node/node0/cpulist", "zero to one\n");
        write("/sys/devices/system/node/node0/cpumap", "00000003\n");
        write("/sys/devices/system/node/node0/distance", "10 x\n");
        write("/sys/devices/system/cpu/cpu1/topology/core_id", "one\n");

        SysfsDiscovery.Discovered found = new SysfsDiscovery(root).discoverWithWarnings("n1", "baremetal", "site");

        assertThat(found.node().numaNodes().get(0).cpus()).as("from cpumap, the next candidate").isEqualTo(CpuSet.of(0, 1));
        assertThat(found.warnings()).containsExactly(
                "/sys/devices/system/cpu/cpu1/topology/core_id: 'one' is not a number",
                "/sys/devices/system/node/node0/cpulist: 'zero to one' is not a cpulist such as 0-3,8",
                "/sys/devices/system/node/node0/distance: '10 x' is not a row of distances such as '10 21'");
    }

    /**
     * A garbled file's content goes into the warning, which the provider logs: a terminal escape
     * in it is shown as <code>&#92;u001b</code>. Before, the escape itself reached the log line and
     * drove the terminal of whoever read it.
     */
    @Test
    void aControlCharacterInAFileThatDoesNotParseIsShownEscapedInTheWarning() throws IOException {
        oneCpu();
        write("/sys/devices/system/node/node0/cpulist", "0\u001b[2J\n");
        write("/sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 1024 kB\n");

        SysfsDiscovery.Discovered found = new SysfsDiscovery(root).discoverWithWarnings("n1", "baremetal", "site");

        assertThat(found.warnings()).containsExactly(
                "/sys/devices/system/node/node0/cpulist: '0\\u001b[2J' is not a cpulist such as 0-3,8");
    }

    @Test
    void trailingNulsAreNotParseFailures() throws IOException {
        cpu(0, 0, 0, "0", "0-1");
        cpu(1, 0, 1, "1", "0-1");
        write("/sys/devices/system/cpu/online", "0-1\n\0");
        node(0, "0-1\n\0", "Node 0 MemTotal: 1024 kB\n", "10\n\0");

        SysfsDiscovery.Discovered found = new SysfsDiscovery(root).discoverWithWarnings("n1", "baremetal", "site");

        assertThat(found.warnings()).isEmpty();
        assertThat(found.node().cpu().online()).isEqualTo(CpuSet.of(0, 1));
        assertThat(found.node().numaNodes().get(0).cpus()).isEqualTo(CpuSet.of(0, 1));
        assertThat(found.node().numaNodes().get(0).distances()).containsExactly(10);
    }

    // ---------------------------------------------------------------- NICs and disks

    @Test
    void nicsWithTheirPciFunctionAndNumaNode() throws IOException {
        oneCpu();
        pci("0000:43:00.0", "0x15b3", "0x1017", "0x020700");
        write("/sys/devices/pci0000:00/0000:43:00.0/numa_node", "0\n");
        String ib = "/sys/devices/pci0000:00/0000:43:00.0/net/ib0";
        write(ib + "/address", "80:00:00:03:fe:80:00:00:00:00:00:00:00:11:75:00:00:77:cf:c8\n");
        write(ib + "/speed", "100000\n");
        write(ib + "/type", "32\n");
        link(ib + "/device", "../../../0000:43:00.0");
        link("/sys/class/net/ib0", "../../devices/pci0000:00/0000:43:00.0/net/ib0");
        // virtio-net: the device is virtio0, the PCI function its parent.
        pci("0000:00:03.0", "0x1af4", "0x1000", "0x020000");
        String virtio = "/sys/devices/pci0000:00/0000:00:03.0/virtio0";
        write("/sys/bus/virtio/uevent", "");
        link(virtio + "/subsystem", "../../../../bus/virtio");
        String eth = virtio + "/net/eth0";
        write(eth + "/address", "02:00:00:00:00:01\n");
        write(eth + "/speed", "-1\n");
        write(eth + "/type", "1\n");
        link(eth + "/device", "../../../virtio0");
        link("/sys/class/net/eth0", "../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth0");
        // A USB NIC: a device, but no PCI function; an unreadable speed (a directory where a file should be); and lo.
        String usb = "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0";
        write(usb + "/net/enx0/address", "02:00:00:00:00:02\n");
        write(usb + "/net/enx0/type", "1\n");
        Files.createDirectories(path(usb + "/net/enx0/speed"));
        link(usb + "/net/enx0/device", "../../../2-1:1.0");
        link("/sys/class/net/enx0", "../../devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/net/enx0");
        write("/sys/devices/virtual/net/lo/type", "772\n");
        link("/sys/class/net/lo", "../../devices/virtual/net/lo");

        List<Nic> nics = discover().nics();

        assertThat(nics).containsExactly(
                new Nic("enx0", null, "02:00:00:00:00:02", 0, -1, "ethernet"),
                new Nic("eth0", "0000:00:03.0", "02:00:00:00:00:01", 0, -1, "ethernet"),
                new Nic("ib0", "0000:43:00.0", "80:00:00:03:fe:80:00:00:00:00:00:00:00:11:75:00:00:77:cf:c8",
                        100000, 0, "infiniband"));
    }

    /**
     * A NIC whose speed is unknown reads -1 on current kernels and 4294967295 (the same -1 printed
     * unsigned) on older ones: both are an unknown speed, 0. Before, the second was taken as a
     * 4294967295 Mbit/s link, faster than any real one, and a placement asking for a fast NIC
     * chose the machine for it.
     */
    @Test
    void anUnknownSpeedPrintedUnsignedIsUnknown() throws IOException {
        oneCpu();
        pci("0000:00:03.0", "0x8086", "0x1572", "0x020000");
        String dir = "/sys/devices/pci0000:00/0000:00:03.0/net/eth0";
        write(dir + "/address", "02:00:00:00:00:01\n");
        write(dir + "/speed", "4294967295\n");
        write(dir + "/type", "1\n");
        link(dir + "/device", "../../../0000:00:03.0");
        link("/sys/class/net/eth0", "../../devices/pci0000:00/0000:00:03.0/net/eth0");

        assertThat(discover().nics()).extracting(Nic::speedMbps).containsExactly(0L);
    }

    /**
     * Interfaces the kernel made, with no device of their own, are no NICs and are left out: a
     * bridge, a veth pair, a bond, a VLAN on a port, a tap and the ifb devices of the H100 VM's real
     * capture ({@code ../shared/fixtures/nvidia/h100-vm/ib.txt}: {@code /sys/devices/virtual/net/ifb0},
     * no device). The two ports under the bond and the bridge are listed, once each. Before, every
     * one of them was listed as a NIC without a PCI function, the bond counting its port twice.
     */
    @Test
    void bridgesVethsBondsAndOtherVirtualInterfacesAreNoNics() throws IOException {
        oneCpu();
        for (String port : List.of("0000:01:00.0", "0000:01:00.1")) {
            pci(port, "0x8086", "0x1572", "0x020000");
            String name = port.endsWith("0") ? "enp1s0f0" : "enp1s0f1";
            String dir = "/sys/devices/pci0000:00/" + port + "/net/" + name;
            write(dir + "/address", "3c:fd:fe:00:00:0" + name.charAt(name.length() - 1) + "\n");
            write(dir + "/speed", "25000\n");
            write(dir + "/type", "1\n");
            link(dir + "/device", "../../../" + port);
            link("/sys/class/net/" + name, "../../devices/pci0000:00/" + port + "/net/" + name);
        }
        // bond0 over enp1s0f0 (bonding/, the port's master), br0 over enp1s0f1 (bridge/, brif/)
        virtualInterface("bond0", "3c:fd:fe:00:00:00", "50000");
        Files.createDirectories(path("/sys/devices/virtual/net/bond0/bonding"));
        link("/sys/devices/virtual/net/bond0/lower_enp1s0f0", "../../../pci0000:00/0000:01:00.0/net/enp1s0f0");
        virtualInterface("br0", "3c:fd:fe:00:00:01", null);
        Files.createDirectories(path("/sys/devices/virtual/net/br0/bridge"));
        link("/sys/devices/virtual/net/br0/brif/enp1s0f1", "../../../../pci0000:00/0000:01:00.1/net/enp1s0f1/brport");
        virtualInterface("veth1a2b3c", "c6:7e:4c:00:00:01", "10000");
        virtualInterface("bond0.100", "3c:fd:fe:00:00:00", "50000");
        virtualInterface("tap0", "fe:54:00:00:00:01", "10");
        virtualInterface("ifb0", "d2:81:3e:00:00:01", null);
        write("/sys/devices/virtual/net/lo/type", "772\n");
        link("/sys/class/net/lo", "../../devices/virtual/net/lo");

        List<Nic> nics = discover().nics();

        assertThat(nics).containsExactly(
                new Nic("enp1s0f0", "0000:01:00.0", "3c:fd:fe:00:00:00", 25000, -1, "ethernet"),
                new Nic("enp1s0f1", "0000:01:00.1", "3c:fd:fe:00:00:01", 25000, -1, "ethernet"));
    }

    /**
     * NICs are listed by their names with the numbers in them compared by value, as the Redfish
     * processors are: eth2 before eth10, ens1f2 before ens1f10. Before, they were listed in the
     * names' text order, eth10 before eth2.
     */
    @Test
    void nicsAreListedInTheNaturalOrderOfTheirNames() throws IOException {
        oneCpu();
        List<String> names = List.of("eth10", "eth2", "ens1f10", "eth1", "ens1f2");
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String port = "0000:0" + (i + 1) + ":00.0";
            pci(port, "0x8086", "0x1572", "0x020000");
            String dir = "/sys/devices/pci0000:00/" + port + "/net/" + name;
            write(dir + "/address", "3c:fd:fe:00:00:0" + i + "\n");
            write(dir + "/type", "1\n");
            link(dir + "/device", "../../../" + port);
            link("/sys/class/net/" + name, "../../devices/pci0000:00/" + port + "/net/" + name);
        }

        List<Nic> nics = discover().nics();

        assertThat(nics).extracting(Nic::name).containsExactly("ens1f2", "ens1f10", "eth1", "eth2", "eth10");
    }

    /**
     * PCI ids and a link type beyond what the kernel writes (16-bit ids, a 24-bit class, 16-bit ARPHRD types), as a garbled
     * file gives them, are unknown, each with a warning naming the file, the value and what was expected. Before, they were
     * cast to an int without a word: the vendor {@code 0x10000000010de} became NVIDIA's {@code 0x10de}, the class
     * {@code 0x1030200} a 3D controller, and the link type {@code 4294967297} Ethernet (1).
     */
    @Test
    void pciIdsAndLinkTypesOutOfRangeAreUnknownWithAWarning() throws IOException {
        oneCpu();
        pci("0000:00:01.0", "0x10000000010de", "0x2330", "0x1030200");
        pci("0000:00:02.0", "0x8086", "0x1ffff", "0x020000");
        String dir = "/sys/devices/pci0000:00/0000:00:02.0/net/eth0";
        write(dir + "/address", "3c:fd:fe:00:00:01\n");
        write(dir + "/type", "4294967297\n");
        link(dir + "/device", "../../../0000:00:02.0");
        link("/sys/class/net/eth0", "../../devices/pci0000:00/0000:00:02.0/net/eth0");

        SysfsDiscovery.Discovered found = new SysfsDiscovery(root).discoverWithWarnings("n1", "baremetal", "site");

        assertThat(found.node().pciDevices()).extracting(PciDevice::address, PciDevice::vendorId, PciDevice::deviceId, PciDevice::classCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0000:00:01.0", 0xffff, 0x2330, 0),
                        org.assertj.core.groups.Tuple.tuple("0000:00:02.0", 0x8086, 0xffff, 0x020000));
        assertThat(found.node().nics()).extracting(Nic::name, Nic::linkType).containsExactly(org.assertj.core.groups.Tuple.tuple("eth0", null));
        assertThat(found.warnings()).contains(
                "/sys/devices/pci0000:00/0000:00:01.0/vendor: '0x10000000010de' is not a 16-bit PCI vendor id such as 0x10de",
                "/sys/devices/pci0000:00/0000:00:01.0/class: '0x1030200' is not a 24-bit PCI class code such as 0x030200",
                "/sys/devices/pci0000:00/0000:00:02.0/device: '0x1ffff' is not a 16-bit PCI device id such as 0x2330",
                "/sys/class/net/eth0/type: '4294967297' is not a 16-bit link type such as 1 (Ethernet)");
    }

    private void virtualInterface(String name, String mac, String speed) throws IOException {
        String dir = "/sys/devices/virtual/net/" + name;
        write(dir + "/address", mac + "\n");
        write(dir + "/type", "1\n");
        if (speed != null) {
            write(dir + "/speed", speed + "\n");
        }
        link("/sys/class/net/" + name, "../../devices/virtual/net/" + name);
    }

    @Test
    void disksWithTheirControllerExceptVirtualOnes() throws IOException {
        oneCpu();
        pci("0000:3d:00.0", "0x144d", "0xa80a", "0x010802");
        String nvme = "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3d:00.0/nvme/nvme0/nvme0n1";
        write(nvme + "/size", "7501476528\n");
        write(nvme + "/queue/rotational", "0\n");
        link("/sys/block/nvme0n1", nvme);
        String sda = "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda";
        write(sda + "/size", "1000\n");
        write(sda + "/queue/rotational", "1\n");
        link("/sys/block/sda", "../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda");
        for (String name : List.of("loop0", "ram0", "zram0", "dm-0")) {
            write("/sys/devices/virtual/block/" + name + "/size", "8\n");
            link("/sys/block/" + name, "../devices/virtual/block/" + name);
        }

        List<Disk> disks = discover().disks();

        assertThat(disks).containsExactly(
                new Disk("nvme0n1", 7501476528L * 512, false, "0000:3d:00.0"),
                new Disk("sda", 1000 * 512, true, "0000:00:1f.2"));
    }

    /**
     * Block devices that are no local storage of the machine's are no disks: a software RAID array ({@code md0}, whose
     * members {@code sda} and {@code sdb} are listed), a network block device ({@code nbd0}), a floppy drive ({@code fd0})
     * and a USB stick ({@code sdc}, {@code removable} 1) here, and the optical drive {@code sr0} of a real machine's
     * {@code /sys} (hwloc's {@code 2pa-pcidomain32bits} snapshot, beside its disk {@code vda}). Before, each was listed
     * as a disk: the array's size counted once more on top of its members', the CD's 1 GiB as storage.
     */
    @Test
    void devicesThatAreNoLocalStorageAreNoDisks(@TempDir Path snapshots) throws Exception {
        oneCpu();
        for (String name : List.of("sda", "sdb", "sdc")) {
            String dir = "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:" + name.charAt(2) + "/block/" + name;
            write(dir + "/size", "1000\n");
            write(dir + "/removable", name.equals("sdc") ? "1\n" : "0\n");
            link("/sys/block/" + name, dir);
        }
        for (String name : List.of("md0", "md127", "nbd0", "fd0")) {
            write("/sys/devices/virtual/block/" + name + "/size", "1000\n");
            link("/sys/block/" + name, "../devices/virtual/block/" + name);
        }
        assertThat(discover().disks()).extracting(Disk::name).containsExactly("sda", "sdb");

        Path tarball = dev.strata.provider.baremetal.peers.Peers.fixtures("hwloc-linux").resolve("2pa-pcidomain32bits.tar.bz2");
        Path machine = HwlocComparisonTest.extract(tarball, snapshots);
        assertThat(Files.readString(machine.resolve("sys/block/sr0/removable")).strip()).as("the real sr0 is removable media").isEqualTo("1");
        assertThat(new SysfsDiscovery(machine).discover("n1", "baremetal", "site").disks())
                .containsExactly(new Disk("vda", 41943040L * 512, true, "10000:00:04.0"));
    }

    /**
     * Block devices layered on other disks or another machine's storage are no disks: a Ceph RBD image ({@code rbd0}), ZFS
     * volumes ({@code zd0}, {@code zd16}, carved from a pool of disks listed themselves), a DRBD device ({@code drbd1}, a
     * local disk replicated over the network, the disk listed itself) and a bcache device ({@code bcache0}, a backing disk
     * with a cache disk in front, both listed); a Xen virtual disk ({@code xvda}, the local disk of a machine in a VM) is
     * one. Before, each was listed as a disk, so a volume's or a cached disk's size counted once more on top of its disks'.
     */
    @Test
    void layeredAndNetworkBlockDevicesAreNoDisks() throws Exception {
        oneCpu();
        for (String name : List.of("sda", "sdb")) {
            String dir = "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:" + name.charAt(2) + "/block/" + name;
            write(dir + "/size", "1000\n");
            write(dir + "/removable", "0\n");
            link("/sys/block/" + name, dir);
        }
        for (String name : List.of("rbd0", "zd0", "zd16", "drbd1", "bcache0")) {
            write("/sys/devices/virtual/block/" + name + "/size", "1000\n");
            write("/sys/devices/virtual/block/" + name + "/removable", "0\n");
            link("/sys/block/" + name, "../devices/virtual/block/" + name);
        }
        write("/sys/devices/vbd-51712/block/xvda/size", "2000\n");
        write("/sys/devices/vbd-51712/block/xvda/removable", "0\n");
        link("/sys/block/xvda", "../devices/vbd-51712/block/xvda");
        assertThat(discover().disks()).extracting(Disk::name).containsExactly("sda", "sdb", "xvda");
    }

    /**
     * An NVMe namespace under native multipath, as the kernel shows it: the namespace {@code nvme0n1} below the virtual
     * {@code nvme-subsystem}, and its two paths {@code nvme0c0n1} and {@code nvme0c1n1} below the controllers, each with the
     * namespace's size and {@code hidden} 1 (no device node of their own). The machine has one disk of that size. Before,
     * it had three, the namespace's storage counted three times.
     */
    @Test
    void pathsOfAMultipathNvmeNamespaceAreNoDisks() throws Exception {
        oneCpu();
        write("/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1/size", "7501476528\n");
        write("/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1/hidden", "0\n");
        link("/sys/block/nvme0n1", "../devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1");
        for (String path : List.of("0", "1")) {
            String dir = "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3d:00." + path + "/nvme/nvme" + path + "/nvme0c" + path + "n1";
            write(dir + "/size", "7501476528\n");
            write(dir + "/hidden", "1\n");
            write(dir + "/removable", "0\n");
            link("/sys/block/nvme0c" + path + "n1", dir);
        }
        assertThat(discover().disks()).extracting(Disk::name, Disk::sizeBytes).containsExactly(org.assertj.core.groups.Tuple.tuple("nvme0n1", 7501476528L * 512));
    }

    /**
     * LUNs and namespaces of another machine's storage reached over a storage network are no disks, as {@code nbd} and
     * {@code rbd} devices are not, in a small tree written here in the kernel's layout: an iSCSI LUN {@code sdb} below the
     * session {@code session1} of a software initiator's host (drivers/scsi/scsi_transport_iscsi.c names it
     * {@code session%u}), one Fibre Channel LUN seen over two remote ports as {@code sdc} and {@code sdd}
     * (scsi_transport_fc.c: {@code rport-%d:%d-%d}), an NVMe/TCP namespace {@code nvme1n1} under native multipath (below
     * {@code nvme-subsys1}, which links to its controller {@code nvme1} of transport {@code tcp}) and an NVMe/RDMA namespace
     * {@code nvme2n1} below its controller (transport {@code rdma}; Documentation/ABI/testing/sysfs-class-nvme). The local
     * SATA disk {@code sda} and the local PCIe namespace {@code nvme0n1} under multipath (its controller of transport
     * {@code pcie}) stay. Before, sdb, sdc, sdd, nvme1n1 and nvme2n1 were disks beside them: the FC LUN's size counted
     * twice, and the arrays' and targets' storage as the machine's own.
     */
    @Test
    void lunsAndNamespacesReachedOverAStorageNetworkAreNoDisks() throws Exception {
        oneCpu();
        String sda = "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda";
        String sdb = "/sys/devices/platform/host2/session1/target2:0:0/2:0:0:1/block/sdb";
        String hba = "/sys/devices/pci0000:00/0000:00:03.0/0000:08:00.0/host3/";
        String sdc = hba + "rport-3:0-2/target3:0:0/3:0:0:0/block/sdc";
        String sdd = hba + "rport-3:0-3/target3:0:1/3:0:1:0/block/sdd";
        for (String dir : List.of(sda, sdb, sdc, sdd)) {
            write(dir + "/size", "1000\n");
            write(dir + "/removable", "0\n");
            link("/sys/block/" + dir.substring(dir.lastIndexOf('/') + 1), dir);
        }
        String pcie = "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3d:00.0/nvme/nvme0";
        write(pcie + "/transport", "pcie\n");
        write(pcie + "/nvme0c0n1/size", "2000\n");
        write(pcie + "/nvme0c0n1/hidden", "1\n");
        link("/sys/block/nvme0c0n1", pcie + "/nvme0c0n1");
        write("/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1/size", "2000\n");
        link("/sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0", pcie);
        link("/sys/block/nvme0n1", "../devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1");
        write("/sys/devices/virtual/nvme-fabrics/ctl/nvme1/transport", "tcp\n");
        write("/sys/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1/size", "3000\n");
        write("/sys/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1/hidden", "0\n");
        link("/sys/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1", "../../nvme-fabrics/ctl/nvme1");
        link("/sys/block/nvme1n1", "../devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1");
        write("/sys/devices/virtual/nvme-fabrics/ctl/nvme2/transport", "rdma\n");
        write("/sys/devices/virtual/nvme-fabrics/ctl/nvme2/nvme2n1/size", "4000\n");
        link("/sys/block/nvme2n1", "../devices/virtual/nvme-fabrics/ctl/nvme2/nvme2n1");

        assertThat(discover().disks()).extracting(Disk::name, Disk::sizeBytes).containsExactly(
                org.assertj.core.groups.Tuple.tuple("nvme0n1", 2000L * 512), org.assertj.core.groups.Tuple.tuple("sda", 1000L * 512));
    }

    /**
     * Disks are listed in the natural order of their names, as NICs are: {@code nvme2n1} before
     * {@code nvme10n1}. Before, they came in the names' text order, nvme10n1 before nvme2n1.
     */
    @Test
    void disksAreListedInTheNaturalOrderOfTheirNames() throws IOException {
        oneCpu();
        for (String name : List.of("nvme10n1", "nvme2n1", "nvme1n1", "nvme1n10", "nvme1n2")) {
            write("/sys/devices/virtual/block/" + name + "/size", "8\n");
            link("/sys/block/" + name, "../devices/virtual/block/" + name);
        }

        assertThat(discover().disks()).extracting(Disk::name).containsExactly("nvme1n1", "nvme1n2", "nvme1n10", "nvme2n1", "nvme10n1");
    }

    // ---------------------------------------------------------------- robustness

    /**
     * Links whose targets name two links each ({@code a1 -> a0/a0}, {@code a2 -> a1/a1}, ...) are
     * given up after 40 links in all, as the kernel gives up on them, and the PCI function behind
     * them is unknown. Before, only the depth of links was limited, so the 26 levels here cost
     * 2^26 link reads and the discovery did not come back.
     */
    @Test
    void linksThatDoubleAtEachLevelAreGivenUpAfterFortyLinksInAll() throws IOException {
        oneCpu();
        link("/sys/devices/many/a0", ".");
        for (int level = 1; level <= 26; level++) {
            link("/sys/devices/many/a" + level, "a" + (level - 1) + "/a" + (level - 1));
        }
        link("/sys/bus/pci/devices/0000:00:05.0", "../../../devices/many/a26");
        pci("0000:00:04.0", "0x8086", "0x1234", "0x020000");

        Node node = assertTimeoutPreemptively(Duration.ofSeconds(20), this::discover);

        assertThat(node.pciDevices()).extracting(PciDevice::address).containsExactly("0000:00:04.0");
    }

    @Test
    void brokenLinksLoopsAndDirectoriesInPlaceOfFilesAreUnknownValues() throws IOException {
        oneCpu();
        link("/sys/bus/pci/devices/0000:00:01.0", "../../../devices/pci0000:00/0000:00:01.0"); // dangling
        link("/sys/bus/pci/devices/0000:00:02.0", "/sys/bus/pci/devices/0000:00:02.0");        // loop
        link("/sys/bus/pci/devices/0000:00:03.0", "../../../../../../../../../../etc");         // above the root
        pci("0000:00:04.0", "0x8086", "0x1234", "0x020000");
        Files.delete(path("/sys/devices/pci0000:00/0000:00:04.0/vendor"));
        Files.createDirectories(path("/sys/devices/pci0000:00/0000:00:04.0/vendor"));
        write("/sys/devices/pci0000:00/0000:00:04.0/numa_node", "garbage\n");
        write("/sys/devices/pci0000:00/0000:00:04.0/local_cpulist", "not a list\n");
        write("/sys/devices/system/node/node0/cpulist", "0\n");
        write("/sys/devices/system/node/node0/distance", "10 x\n");
        write("/proc/meminfo", "MemTotal: lots\n");

        Node node = discover();

        assertThat(node.pciDevices()).extracting(PciDevice::address).containsExactly("0000:00:04.0");
        PciDevice nic = node.pciDevices().get(0);
        assertThat(nic.vendorId()).isEqualTo(0xffff);
        assertThat(nic.numaNode()).isEqualTo(-1);
        assertThat(nic.localCpus()).isEqualTo(CpuSet.EMPTY);
        assertThat(node.numaNodes()).containsExactly(new NumaNode(0, CpuSet.of(0), 0, List.of()));
        assertThat(node.memoryBytes()).isZero();
        // Links that point out of the temporary directory would make its cleanup warn.
        Files.delete(path("/sys/bus/pci/devices/0000:00:02.0"));
        Files.delete(path("/sys/bus/pci/devices/0000:00:03.0"));
    }

    @Test
    void missingRootNamesThePath() {
        Path missing = root.resolve("no-such-root");

        assertThatThrownBy(() -> new SysfsDiscovery(missing).discover("n1", "baremetal", "site"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("not a directory");
        assertThat(new SysfsDiscovery(missing).hostname()).isNull();
    }

    @Test
    void rootThatIsAFileIsUnavailable() throws IOException {
        Path file = Files.writeString(root.resolve("file"), "x");

        assertThatThrownBy(() -> new SysfsDiscovery(file).discover("n1", "baremetal", "site"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void rootWithoutCpuDirectoryNamesTheMissingDirectory() throws IOException {
        write("/proc/meminfo", "MemTotal: 1 kB\n");

        assertThatThrownBy(this::discover)
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(root.resolve("sys/devices/system/cpu").toString())
                .hasMessageContaining("missing");
    }

    // ---------------------------------------------------------------- node facts

    @Test
    void nodeFactsHostnameAndAttributes() throws IOException {
        oneCpu();
        write("/proc/sys/kernel/hostname", "gpu-17\n");
        write("/etc/hostname", "ignored\n");
        write("/proc/sys/kernel/ostype", "Linux\n");
        write("/proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
        write("/proc/sys/kernel/arch", "x86_64\n");
        write("/sys/devices/virtual/dmi/id/sys_vendor", "Supermicro\n");
        write("/sys/devices/virtual/dmi/id/product_name", "SYS-821GE-TNHR\n");
        write("/sys/devices/virtual/dmi/id/board_vendor", "Supermicro\n");
        write("/sys/devices/virtual/dmi/id/board_name", "X13DEG-OAD\n");
        link("/sys/class/dmi/id", "../../devices/virtual/dmi/id");

        Node node = new SysfsDiscovery(root).discover("n1", "baremetal", "site-a");

        assertThat(node.id()).isEqualTo("n1");
        assertThat(node.providerId()).isEqualTo("baremetal");
        assertThat(node.siteId()).isEqualTo("site-a");
        assertThat(node.hostname()).isEqualTo("gpu-17");
        assertThat(node.kind()).isEqualTo(NodeKind.BARE_METAL);
        assertThat(node.state()).isEqualTo(ResourceState.AVAILABLE);
        assertThat(node.power()).isEqualTo(PowerDraw.UNKNOWN);
        assertThat(node.powerDomainId()).isNull();
        assertThat(node.ownerTenant()).isNull();
        assertThat(node.traits()).isEmpty();
        assertThat(node.accelerators()).isEmpty();
        assertThat(node.attributes()).isEqualTo(Map.of("os", "Linux", "kernel", "6.8.0-45-generic",
                "architecture", "x86_64", "dmi.vendor", "Supermicro", "dmi.product", "SYS-821GE-TNHR",
                "dmi.board.vendor", "Supermicro", "dmi.board.name", "X13DEG-OAD"));
    }

    @Test
    void systemUuidFromDmiProductUuidInCanonicalLowerCase() throws IOException {
        oneCpu();
        write("/sys/devices/virtual/dmi/id/product_uuid", "38334C44-4735-534A-3035-4E5030383936\n");
        link("/sys/class/dmi/id", "../../devices/virtual/dmi/id");
        assertThat(new SysfsDiscovery(root).discover("n1", "baremetal", "site-a").attributes())
                .containsEntry("system.uuid", "38334c44-4735-534a-3035-4e5030383936");
        // firmware that never set it reports zeros: no identity rather than a shared bogus one
        write("/sys/devices/virtual/dmi/id/product_uuid", "00000000-0000-0000-0000-000000000000\n");
        assertThat(new SysfsDiscovery(root).discover("n1", "baremetal", "site-a").attributes()).doesNotContainKey("system.uuid");
    }

    @Test
    void hostnameFallsBackToEtcHostnameThenNull() throws IOException {
        oneCpu();
        assertThat(new SysfsDiscovery(root).hostname()).isNull();
        write("/etc/hostname", "# set by installer\n\n  node-3  \n");
        assertThat(new SysfsDiscovery(root).hostname()).isEqualTo("node-3");
        write("/proc/sys/kernel/hostname", "\n");
        assertThat(new SysfsDiscovery(root).hostname()).isEqualTo("node-3");
    }

    /**
     * The kernel shows {@code (none)} in {@code /proc/sys/kernel/hostname} while no host name was ever set (its
     * {@code CONFIG_DEFAULT_HOSTNAME}, init/Kconfig): that is no host name, so {@code /etc/hostname} is read, as for an
     * empty one, and without it there is none. Before, {@code (none)} was the host name, and every such machine the node
     * {@code baremetal:(none)}.
     */
    @Test
    void theKernelsHostnameNeverSetIsNoHostname() throws IOException {
        oneCpu();
        write("/proc/sys/kernel/hostname", "(none)\n");
        assertThat(new SysfsDiscovery(root).hostname()).isNull();
        write("/etc/hostname", "node-7\n");
        assertThat(new SysfsDiscovery(root).hostname()).isEqualTo("node-7");
        assertThat(discover().hostname()).isEqualTo("node-7");
    }

    // ---------------------------------------------------------------- tree helpers

    private Node discover() {
        return new SysfsDiscovery(root).discover("n1", "baremetal", "site");
    }

    private Path path(String name) {
        return root.resolve(name.substring(1));
    }

    private void write(String name, String content) throws IOException {
        Path file = path(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private void link(String name, String target) throws IOException {
        Path link = path(name);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
    }

    private void oneCpu() throws IOException {
        cpu(0, 0, 0, "0", "0");
        write("/sys/devices/system/cpu/online", "0\n");
    }

    private void cpu(int cpu, int pkg, int core, String coreCpus, String packageCpus) throws IOException {
        String topology = "/sys/devices/system/cpu/cpu" + cpu + "/topology/";
        write(topology + "physical_package_id", pkg + "\n");
        write(topology + "core_id", core + "\n");
        write(topology + "thread_siblings_list", coreCpus + "\n");
        write(topology + "core_siblings_list", packageCpus + "\n");
    }

    private void node(int id, String cpulist, String meminfo, String distance) throws IOException {
        String dir = "/sys/devices/system/node/node" + id + "/";
        write(dir + "cpulist", cpulist + "\n");
        write(dir + "meminfo", meminfo);
        write(dir + "distance", distance + "\n");
    }

    /** A PCI function below host bridge pci0000:00 with a relative link from /sys/bus/pci/devices. */
    private void pci(String address, String vendor, String device, String classCode) throws IOException {
        String dir = "/sys/devices/pci0000:00/" + address;
        write(dir + "/vendor", vendor + "\n");
        write(dir + "/device", device + "\n");
        write(dir + "/class", classCode + "\n");
        link("/sys/bus/pci/devices/" + address, "../../../devices/pci0000:00/" + address);
    }

    private static String cpuinfoX86(int cpus) {
        StringBuilder out = new StringBuilder();
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.append("processor\t: ").append(cpu).append('\n')
                    .append("vendor_id\t: GenuineIntel\n")
                    .append("cpu family\t: 6\n")
                    .append("model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\n")
                    .append("flags\t\t: fpu vme de pse tsc msr pae mce cx8 lm constant_tsc\n\n");
        }
        return out.toString();
    }
}
