package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.MachineIdentity;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.provider.baremetal.NodeIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Linux machine's hardware from its {@code /sys} and {@code /proc} trees below a root
 * directory: {@code "/"} for this machine, or an extracted snapshot of another one.
 *
 * <p>Only files are read; no external tool runs. Missing or unreadable files, offline CPUs,
 * CPU-less or memory-less NUMA nodes and devices without locality or link information are
 * reported as unknown values, never as errors. Symbolic links in the tree are resolved against the
 * root, so a snapshot's absolute links stay inside it.
 */
public final class SysfsDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(SysfsDiscovery.class);

    private final Path root;
    private final PciIds pciIds = new PciIds();

    public SysfsDiscovery(Path root) {
        this.root = root;
    }

    /**
     * What one discovery found.
     *
     * @param node the machine as a node
     * @param warnings files that were present but could not be parsed, and inconsistent firmware
     *     data (overlapping NUMA nodes), one sentence each; empty when everything was read
     */
    public record Discovered(Node node, List<String> warnings) {
        public Discovered {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * What the kernel shows as its host name when none was ever set ({@code CONFIG_DEFAULT_HOSTNAME}, whose default is
     * {@code "(none)"}, init/Kconfig): no host name of the machine's, so every such machine would be the same node
     * {@code baremetal:(none)}.
     */
    private static final String KERNEL_HOSTNAME_UNSET = "(none)";

    /**
     * The host name from {@code proc/sys/kernel/hostname}, else {@code etc/hostname}, else null; the kernel's
     * {@code (none)}, a host name never set, is none.
     */
    public String hostname() {
        if (root == null || !Files.isDirectory(root)) {
            return null;
        }
        SysfsFiles files = new SysfsFiles(root);
        return files.value(files.path("/proc/sys/kernel/hostname")).filter(name -> !name.equals(KERNEL_HOSTNAME_UNSET))
                .or(() -> files.lines(files.path("/etc/hostname")).stream()
                        .map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .findFirst())
                .orElse(null);
    }

    /**
     * Discovers the machine as a bare-metal node; what could not be read is logged.
     *
     * @throws ProviderUnavailableException when the root is not a directory or has no
     *     {@code sys/devices/system/cpu} directory
     */
    public Node discover(String nodeId, String providerId, String siteId) {
        return discoverWithWarnings(nodeId, providerId, siteId).node();
    }

    /**
     * Discovers the machine as a bare-metal node, with what could not be read.
     *
     * @throws ProviderUnavailableException when the root is not a directory or has no
     *     {@code sys/devices/system/cpu} directory
     */
    public Discovered discoverWithWarnings(String nodeId, String providerId, String siteId) {
        SysfsFiles files = checkedFiles();
        CpuInfo cpuInfo = CpuInfo.read(files);
        CpuTopology cpu = new CpuReader(files).read(cpuInfo);
        NumaReader numaReader = new NumaReader(files);
        List<NumaNode> numaNodes = numaReader.read(cpu.online());
        long numaMemory = numaNodes.stream().mapToLong(NumaNode::memoryBytes).sum();
        // a node without meminfo counts 0, so the nodes' sum is short of the machine's: /proc/meminfo's total where larger
        long memory = numaMemory > 0 && !numaReader.memoryUnknown() ? numaMemory : Math.max(numaMemory, numaReader.machineMemory());
        List<PciDevice> unnamed = new PciReader(files).read(cpu.online());
        Set<Integer> ids = new HashSet<>();
        unnamed.forEach(d -> ids.add(d.vendorId() << 16 | d.deviceId()));
        List<PciDevice> pciDevices = PciReader.named(unnamed, pciIds.names(files, ids));
        Map<String, PciDevice> pciByAddress = pciDevices.stream()
                .collect(Collectors.toMap(PciDevice::address, Function.identity(), (a, b) -> a));
        List<Nic> nics = new NetReader(files).read(pciByAddress);
        List<Disk> disks = new BlockReader(files).read();
        LOG.debug("Discovered {} packages, {} threads, {} NUMA nodes, {} PCI functions below {}",
                cpu.packages().size(), cpu.threads(), numaNodes.size(), pciDevices.size(), root);
        Node node = Node.builder().id(nodeId).providerId(providerId).siteId(siteId).hostname(hostname()).kind(NodeKind.BARE_METAL)
                .cpu(cpu).numaNodes(numaNodes).memoryBytes(memory).pciDevices(pciDevices).nics(nics).disks(disks)
                .state(ResourceState.AVAILABLE).attributes(attributes(files, cpuInfo)).build();
        List<String> warnings = files.problems();
        warnings.forEach(w -> LOG.warn("Discovery of {} below {}: {}", nodeId, root, w));
        return new Discovered(node, warnings);
    }

    private SysfsFiles checkedFiles() {
        if (root == null || !Files.isDirectory(root)) {
            throw new ProviderUnavailableException("sysfs root " + root
                    + " is missing or not a directory; expected a directory holding the sys/ and proc/ trees");
        }
        SysfsFiles files = new SysfsFiles(root);
        if (!files.isDirectory(files.path(CpuReader.CPU_DIR))) {
            throw new ProviderUnavailableException(files.path(CpuReader.CPU_DIR)
                    + " is missing; expected the kernel's CPU directory (is sysfs mounted below " + root + "?)");
        }
        return files;
    }

    private static Map<String, String> attributes(SysfsFiles files, CpuInfo cpuInfo) {
        Map<String, String> attributes = new LinkedHashMap<>();
        files.value(files.path("/proc/sys/kernel/ostype")).ifPresent(v -> attributes.put("os", v));
        files.value(files.path("/proc/sys/kernel/osrelease")).ifPresent(v -> attributes.put("kernel", v));
        files.value(files.path("/proc/sys/kernel/arch"))
                .or(() -> Optional.ofNullable(cpuInfo.architecture()))
                .ifPresent(v -> attributes.put("architecture", v));
        Path dmi = files.path("/sys/class/dmi/id");
        Map.of("sys_vendor", "dmi.vendor", "product_name", "dmi.product",
                "board_vendor", "dmi.board.vendor", "board_name", "dmi.board.name")
                .forEach((file, key) -> files.value(dmi.resolve(file)).ifPresent(v -> attributes.put(key, v)));
        // the SMBIOS system UUID (readable by root only) and the machine identity derived from it:
        // the keys that join this node with its BMC's view and with its GPUs
        files.value(dmi.resolve("product_uuid")).map(NodeIdentity::normalizeUuid).ifPresent(v -> attributes.put(NodeIdentity.SYSTEM_UUID, v));
        MachineIdentity.read(files.root()).ifPresent(id -> attributes.put(MachineIdentity.ATTRIBUTE, id));
        return attributes;
    }
}
