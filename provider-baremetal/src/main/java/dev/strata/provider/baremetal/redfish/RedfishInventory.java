package dev.strata.provider.baremetal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.NaturalOrder;
import dev.strata.provider.baremetal.NodeIdentity;
import dev.strata.provider.baremetal.bmc.NodeTemplate;
import dev.strata.provider.baremetal.bmc.PowerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Redfish service's systems into Strata nodes: processors (CPUs into packages and
 * cores, GPUs and other accelerators), memory, PCIe devices, Ethernet interfaces, and the power
 * and thermal readings of the system's chassis.
 *
 * <p>Vendor differences handled: trailing slashes in links (HPE iLO), collections that are
 * absent, empty or answer 404/501 (sushy's fake driver, Cray), PCIe devices in HPE's OEM
 * {@code PCIDevices} collection when the standard one is empty, GPUs listed as processors
 * (Cray EX) or only as PCIe devices (ProLiant), model names padded with spaces or written with
 * underscores, MAC addresses given as {@code "Not Available"}, and systems linked to no chassis.
 *
 * <p>What a BMC cannot know: the operating system's CPU numbering (logical CPUs are numbered
 * package by package, core by core), NUMA beyond one node per socket (the DIMMs' sockets), GPU
 * memory where the BMC does not report it (0 = unknown), and local disks (not read).
 */
final class RedfishInventory {

    private static final Logger LOG = LoggerFactory.getLogger(RedfishInventory.class);

    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}([:-][0-9a-f]{2}){5}");
    private static final Pattern HEX_DIGITS = Pattern.compile("[0-9a-f]+");
    private static final Map<Integer, String> PCI_VENDORS = Map.of(0x10de, "NVIDIA", 0x1002, "AMD", 0x8086, "Intel", 0x15b3, "Mellanox",
            0x1da3, "Habana", 0x1e52, "Tenstorrent", 0x1d0f, "Amazon");
    /**
     * The states of a temperature sensor whose reading (and health) is none of the machine's: {@code Absent} (an empty bay or
     * slot), and those Redfish defines as unavailable, {@code Disabled}, {@code UnavailableOffline} (present but cannot be
     * used), {@code StandbyOffline} and {@code StandbySpare} (awaiting an action or failover). Such a sensor's last or
     * placeholder reading counted toward {@code thermal.maxCelsius} and its health toward {@code thermal.health}.
     */
    private static final Set<String> NO_READING_STATES = Set.of("absent", "disabled", "unavailableoffline", "standbyoffline", "standbyspare");
    private static final Set<Integer> DISCRETE_GPU_VENDORS = Set.of(0x10de, 0x1002);
    /** The {@code ProcessorType}s (upper case) that are accelerators; the others but {@code CPU} are not read. */
    private static final Set<String> ACCELERATOR_TYPES = Set.of("GPU", "FPGA", "ACCELERATOR", "DSP");

    private final RedfishClient client;
    private final NodeTemplate template;
    /**
     * By system path, why its node was last warned of as UNAVAILABLE (its {@link NodeTemplate#ERROR}), kept by the BMC from one
     * discovery to the next: each reason is warned of once until the system is read well again, a repeat logged at debug.
     */
    private final Map<String, String> warned;

    RedfishInventory(RedfishClient client, NodeTemplate template, Map<String, String> warned) {
        this.client = client;
        this.template = template;
        this.warned = warned;
    }

    List<Node> nodes(DiscoveryContext context) {
        JsonNode root = client.serviceRoot(context);
        String systemsPath = link(root.path("Systems"));
        if (systemsPath == null) {
            return List.of();
        }
        List<JsonNode> chassis = null;
        List<Node> nodes = new ArrayList<>();
        Set<String> listed = new java.util.HashSet<>();
        for (RedfishClient.Member member : client.eachMember(systemsPath, context)) {
            if (member.failure() != null) {
                // the system's own resource answered an error or no JSON object: its failure, not the BMC's
                listed.add(member.link());
                nodes.add(unreadable(RedfishClient.JSON.createObjectNode().put("@odata.id", member.link()), systemsPath, member.failure()));
                continue;
            }
            JsonNode system = member.resource();
            listed.add(system.path("@odata.id").asText(systemsPath));
            context.checkDeadline("reading system " + system.path("@odata.id").asText());
            if (chassis == null) {
                String chassisPath = link(root.path("Chassis"));
                chassis = chassisPath == null ? List.of() : client.members(chassisPath, context);
            }
            dev.strata.platform.api.exception.StrataException failure;
            try {
                nodes.add(node(system, chassis, context));
                warned.remove(system.path("@odata.id").asText(systemsPath)); // read well: a failure again is warned of again
                continue;
            } catch (IllegalArgumentException e) {
                // what the BMC said breaks a rule of Strata's model (a negative power, an id out of range): its error, said as such
                failure = malformed(system.path("@odata.id").asText(systemsPath), "what it reports cannot be described: " + e.getMessage());
            } catch (ProviderFailureException | NotFoundException e) {
                // the system's data (malformed, or a resource of its answering an error): the system's failure, not the BMC's
                failure = e;
            }
            nodes.add(unreadable(system, systemsPath, failure));
        }
        warned.keySet().retainAll(listed); // a system the BMC no longer lists is forgotten
        return nodes;
    }

    /**
     * The node of a system whose own resources could not be read (malformed data, a resource answering an error, the system's
     * own resource among them): UNAVAILABLE, its id and {@code bmc.system} as the system gives them (where the system's own
     * resource could not be read, the id from its link, without its UUID), {@link NodeTemplate#ERROR} naming the system and
     * what was wrong, with a warning (once for each reason until the system is read well again, {@link #warned}); the BMC's
     * other systems are read on ({@code BmcFleet} shows the system's node last read in its place). Before, one such system
     * failed the whole BMC's discovery, and its healthy systems were UNAVAILABLE with it. What the BMC as a whole fails
     * (unreachable, busy, a timeout, credentials refused, its service root or systems collection unreadable) is not caught
     * here, and still fails the BMC; so does a system whose node cannot be made even so (its id breaks the model's rules): the
     * failure is thrown.
     */
    private Node unreadable(JsonNode system, String systemsPath, dev.strata.platform.api.exception.StrataException failure) {
        String path = system.path("@odata.id").asText(systemsPath);
        String uuid = NodeIdentity.normalizeUuid(system.path("UUID").asText(null));
        String error = failure.getMessage();
        String prefix = RedfishErrors.prefix(client.endpoint());
        String problem = error != null && error.startsWith(prefix) ? error.substring(prefix.length()) : String.valueOf(error);
        String message = prefix + "system " + InvalidConfigurationException.printable(path) + " could not be read: "
                + InvalidConfigurationException.printable(problem);
        Map<String, String> attributes = template.baseAttributes(path);
        attributes.put(NodeTemplate.ERROR, message);
        attributes.put(NodeTemplate.POWER_STATE, PowerState.UNKNOWN.label());
        Node node;
        try {
            node = Node.builder().id(template.nodeId(uuid, system.path("Id").asText(lastSegment(path)))).providerId(template.providerId())
                    .siteId(template.siteId()).kind(NodeKind.BARE_METAL).powerDomainId(template.powerDomainId()).traits(Set.of("bmc-managed"))
                    .state(ResourceState.UNAVAILABLE).attributes(attributes).build();
        } catch (IllegalArgumentException e) {
            throw failure;
        }
        if (!message.equals(warned.put(path, message))) {
            LOG.warn("{}; its node is UNAVAILABLE, the BMC's other systems are read", message);
        } else {
            LOG.debug("{}; its node is still UNAVAILABLE", message);
        }
        return node;
    }

    /** Node id to system path, from the systems alone. */
    java.util.Map<String, String> systems(DiscoveryContext context) {
        String systemsPath = link(client.serviceRoot(context).path("Systems"));
        java.util.Map<String, String> systems = new LinkedHashMap<>();
        if (systemsPath == null) {
            return systems;
        }
        for (JsonNode system : client.members(systemsPath, context)) {
            String path = system.path("@odata.id").asText();
            String uuid = NodeIdentity.normalizeUuid(system.path("UUID").asText(null));
            systems.put(template.nodeId(uuid, system.path("Id").asText(lastSegment(path))), path);
        }
        return systems;
    }

    private Node node(JsonNode system, List<JsonNode> allChassis, DiscoveryContext context) {
        String path = system.path("@odata.id").asText();
        String systemId = system.path("Id").asText(lastSegment(path));
        String uuid = NodeIdentity.normalizeUuid(system.path("UUID").asText(null));
        String nodeId = template.nodeId(uuid, systemId);

        List<JsonNode> processors = collection(system.path("Processors"), context);
        List<JsonNode> cpus = new ArrayList<>();
        List<JsonNode> gpus = new ArrayList<>();
        // a processor or DIMM the BMC reports Disabled (mapped out after errors, or turned off in the firmware), present but
        // unusable (UnavailableOffline) or a spare kept for a failover (StandbySpare, as memory sparing holds a rank back) gives
        // the operating system nothing: it is not counted, and the node's attributes name it; counted, it promised placement
        // cores, memory or a GPU the machine does not have
        List<String> disabledProcessors = new ArrayList<>();
        boolean acceleratorProcessors = false;
        for (JsonNode p : processors) {
            String state = p.path("Status").path("State").asText();
            if ("Absent".equalsIgnoreCase(state)) {
                continue;
            }
            String type = p.path("ProcessorType").asText("CPU");
            String unusable = unusable(state);
            if (unusable != null) {
                disabledProcessors.add(resourceId(p) + " (" + type + unusable + ")");
                acceleratorProcessors |= ACCELERATOR_TYPES.contains(type.toUpperCase(Locale.ROOT));
                continue;
            }
            if (ACCELERATOR_TYPES.contains(type.toUpperCase(Locale.ROOT))) {
                gpus.add(p);
            } else if (type.equalsIgnoreCase("CPU")) {
                cpus.add(p);
            }
        }
        // "Proc 2" before "Proc 10": by the numbers in the names, not as text
        cpus.sort(Comparator.comparing((JsonNode p) -> p.path("Socket").asText(""), NaturalOrder::compare)
                .thenComparing(p -> p.path("Id").asText(), NaturalOrder::compare));

        List<JsonNode> dimms = collection(system.path("Memory"), context);
        long memoryMiB = 0;
        Map<Integer, Long> memoryBySocket = new TreeMap<>();
        boolean socketsKnown = !dimms.isEmpty();
        List<String> disabledMemory = new ArrayList<>();
        for (JsonNode dimm : dimms) {
            String state = dimm.path("Status").path("State").asText();
            if ("Absent".equalsIgnoreCase(state)) {
                continue;
            }
            long mib = mebibytes(dimm, "CapacityMiB");
            String unusable = unusable(state);
            if (unusable != null) {
                disabledMemory.add(resourceId(dimm) + " (" + mib + " MiB" + unusable + ")");
                continue;
            }
            memoryMiB = total(memoryMiB, mib, dimm);
            JsonNode socket = dimm.path("MemoryLocation").path("Socket");
            int number = socket.isNumber() ? socket(dimm, socket) : -1;
            if (number >= 0 && mib > 0) {
                memoryBySocket.merge(number, mib, Long::sum);
            } else if (mib > 0) {
                socketsKnown = false;
            }
        }
        if (memoryMiB == 0 && disabledMemory.isEmpty()) {
            double gib = system.path("MemorySummary").path("TotalSystemMemoryGiB").asDouble(0);
            if (!(gib >= 0 && gib <= MAX_MEBIBYTES / 1024)) {
                throw malformed(path, "MemorySummary.TotalSystemMemoryGiB = " + system.path("MemorySummary").path("TotalSystemMemoryGiB")
                        + "; expected 0 to " + MAX_MEBIBYTES / 1024 + " GiB");
            }
            memoryMiB = Math.round(gib * 1024);
        }
        long memoryBytes = memoryMiB << 20;

        CpuTopology cpu = cpuTopology(cpus);
        List<NumaNode> numa = numaNodes(cpu, socketsKnown ? memoryBySocket : Map.of(), memoryBytes);

        List<PciDevice> pci = pciDevices(system, allChassis, context);
        List<Accelerator> accelerators = new ArrayList<>();
        for (JsonNode g : gpus) {
            accelerators.add(acceleratorFromProcessor(nodeId, g));
        }
        if (accelerators.isEmpty() && !acceleratorProcessors) {
            for (PciDevice d : pci) {
                if (isGpu(d)) {
                    accelerators.add(acceleratorFromPci(nodeId, d));
                }
            }
        }

        List<Nic> nics = new ArrayList<>();
        for (JsonNode e : collection(system.path("EthernetInterfaces"), context)) {
            nics.add(nic(e, context));
        }

        Map<String, String> attributes = template.baseAttributes(path);
        if (uuid != null) {
            NodeIdentity.put(attributes, uuid);
        }
        put(attributes, "system.manufacturer", system.path("Manufacturer").asText(null));
        put(attributes, "system.model", trim(system.path("Model").asText(null)));
        put(attributes, "system.serial", system.path("SerialNumber").asText(null));
        put(attributes, "system.sku", system.path("SKU").asText(null));
        put(attributes, "bios.version", system.path("BiosVersion").asText(null));
        put(attributes, NodeTemplate.POWER_STATE, PowerState.fromRedfish(system.path("PowerState").asText(null)).label());
        put(attributes, "bmc.health", system.path("Status").path("Health").asText(null));
        if (!disabledProcessors.isEmpty()) {
            attributes.put("bmc.disabledProcessors", String.join(", ", disabledProcessors));
        }
        if (!disabledMemory.isEmpty()) {
            attributes.put("bmc.disabledMemory", String.join(", ", disabledMemory));
        }
        JsonNode boot = system.path("Boot");
        put(attributes, "bmc.bootOverride", boot.has("BootSourceOverrideTarget")
                ? boot.path("BootSourceOverrideTarget").asText() + "/" + boot.path("BootSourceOverrideEnabled").asText("") : null);

        PowerDraw power = PowerDraw.UNKNOWN;
        Optional<JsonNode> chassis = chassisOf(system, allChassis);
        if (chassis.isPresent()) {
            put(attributes, "chassis.id", chassis.get().path("Id").asText(null));
            power = power(chassis.get(), attributes, context);
            thermal(chassis.get(), attributes, context);
        }

        String hostname = system.path("HostName").asText("");
        return Node.builder().id(nodeId).providerId(template.providerId()).siteId(template.siteId())
                .hostname(hostname.isBlank() ? null : hostname).kind(NodeKind.BARE_METAL).cpu(cpu).numaNodes(numa).memoryBytes(memoryBytes)
                .pciDevices(pci).accelerators(accelerators).nics(nics).power(power).powerDomainId(template.powerDomainId())
                .traits(Set.of("bmc-managed")).state(state(system)).attributes(attributes).build();
    }

    /** The most cores one processor is taken to have, and threads per core: a BMC that reports more answers nonsense. */
    static final int MAX_CORES_PER_PACKAGE = 4096;
    static final int MAX_THREADS_PER_CORE = 16;
    /** The most hardware threads one machine is taken to have. */
    static final int MAX_THREADS = 1 << 20;
    /** The most memory in MiB one machine (or GPU) is taken to have: 1 EiB. */
    static final long MAX_MEBIBYTES = 1L << 40;
    /** The fastest link a NIC is taken to have, in Mbit/s: 10 Tbit/s, six times the fastest Ethernet port made (1.6 Tbit/s). */
    static final long MAX_NIC_MBPS = 10_000_000;
    /** The range of a temperature reading taken as one: none is below absolute zero, and no part of a running server is at 1000 °C. */
    static final double MIN_CELSIUS = -273.15;
    static final double MAX_CELSIUS = 1000;
    /** The most watts a power reading or processor's TDP is taken to be: 10 MW, more than a rack of machines draws. */
    static final double MAX_WATTS = 1e7;

    /** A capacity in MiB from a resource, 0 where it is not given; a negative or larger one than any machine has is the BMC's error. */
    private long mebibytes(JsonNode resource, String field) {
        return count(resource, field, MAX_MEBIBYTES, resource.path("@odata.id").asText(field), " MiB");
    }

    /** A whole number a resource gives, 0 where it is not given (or not a number, as before); out of 0..max, the BMC's error. */
    private long count(JsonNode resource, String field, long max, String where, String unit) {
        JsonNode value = resource.path(field);
        if (value.isNumber() && !value.canConvertToLong()) {
            throw malformed(where, field + " = " + value + "; expected 0 to " + max + unit);
        }
        long v = value.asLong(0);
        if (v < 0 || v > max) {
            throw malformed(where, field + " = " + value + "; expected 0 to " + max + unit);
        }
        return v;
    }

    /**
     * A DIMM's {@code MemoryLocation.Socket}, -1 with a warning where it is no whole number from 0 to what an int holds: its
     * memory still counts to the node, but the node's NUMA nodes are one for the machine, as where a DIMM names no socket.
     * Read with {@code asInt()}, a socket of 1.5 was socket 1 and one of 4294967297 socket 1 too, and the DIMM's memory
     * counted to that socket's NUMA node.
     */
    private int socket(JsonNode dimm, JsonNode socket) {
        double value = socket.doubleValue();
        boolean whole = socket.isIntegralNumber() ? socket.canConvertToInt()
                : Double.isFinite(value) && value == Math.rint(value) && value <= Integer.MAX_VALUE;
        if (whole && socket.intValue() >= 0) {
            return socket.intValue();
        }
        implausible(dimm.path("@odata.id").asText(resourceId(dimm)), "MemoryLocation.Socket", socket,
                "a whole socket number from 0 to " + Integer.MAX_VALUE + "; the DIMM's memory is counted to no socket");
        return -1;
    }

    private long total(long sum, long mib, JsonNode resource) {
        if (sum + mib > MAX_MEBIBYTES) {
            throw malformed(resource.path("@odata.id").asText(""), "memory adds up to more than " + MAX_MEBIBYTES + " MiB");
        }
        return sum + mib;
    }

    private ProviderFailureException malformed(String path, String problem) {
        return RedfishErrors.malformed(client.endpoint(), path, problem);
    }

    // ---- CPUs and NUMA ------------------------------------------------------------------

    private CpuTopology cpuTopology(List<JsonNode> cpus) {
        List<CpuPackage> packages = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < cpus.size(); i++) {
            JsonNode p = cpus.get(i);
            // a BMC's numbers size what is built here: out of range, they are its error, not a heap to fill
            String where = p.path("@odata.id").asText("processor " + i);
            int cores = (int) count(p, "TotalCores", MAX_CORES_PER_PACKAGE, where, " cores in one processor");
            int threads = p.path("TotalThreads").isMissingNode() || p.path("TotalThreads").isNull() ? cores
                    : (int) count(p, "TotalThreads", (long) Math.max(cores, 1) * MAX_THREADS_PER_CORE, where,
                            " threads (" + MAX_THREADS_PER_CORE + " per core)");
            if ((long) next + Math.max(threads, cores) > MAX_THREADS) {
                throw malformed(where, "the processors add up to more than " + MAX_THREADS + " threads");
            }
            int perCore = cores > 0 && threads >= cores && threads % cores == 0 ? threads / cores : 1;
            List<CpuCore> coreList = new ArrayList<>();
            for (int c = 0; c < cores; c++) {
                int[] ids = new int[perCore];
                for (int t = 0; t < perCore; t++) {
                    ids[t] = next++;
                }
                coreList.add(new CpuCore(c, CpuSet.of(ids)));
            }
            String vendor = p.path("Manufacturer").asText(p.path("ProcessorId").path("VendorId").asText(null));
            packages.add(new CpuPackage(i, vendor, trim(p.path("Model").asText(null)), coreList));
        }
        CpuSet online = CpuSet.EMPTY;
        for (CpuPackage p : packages) {
            online = online.union(p.threads());
        }
        return new CpuTopology(packages, online, CpuSet.EMPTY);
    }

    /** One NUMA node per socket when the DIMMs say which socket they are in, otherwise one for the machine. */
    private static List<NumaNode> numaNodes(CpuTopology cpu, Map<Integer, Long> memoryBySocket, long memoryBytes) {
        List<CpuPackage> packages = cpu.packages();
        if (packages.size() > 1 && memoryBySocket.size() == packages.size()) {
            List<NumaNode> nodes = new ArrayList<>();
            int i = 0;
            for (long mib : memoryBySocket.values()) {
                nodes.add(new NumaNode(i, packages.get(i).threads(), mib << 20, List.of()));
                i++;
            }
            return nodes;
        }
        return List.of(new NumaNode(0, cpu.online(), memoryBytes, List.of()));
    }

    // ---- PCIe and GPUs ------------------------------------------------------------------

    /** Standard PCIe devices (system or chassis) with their functions; HPE's OEM collection when there are none. */
    private List<PciDevice> pciDevices(JsonNode system, List<JsonNode> allChassis, DiscoveryContext context) {
        Map<String, PciDevice> byAddress = new LinkedHashMap<>();
        List<JsonNode> devices = new ArrayList<>();
        JsonNode standard = system.path("PCIeDevices");
        if (standard.isArray()) {
            for (JsonNode ref : standard) {
                String link = link(ref);
                if (link != null) {
                    client.find(link, context).ifPresent(devices::add);
                }
            }
        } else if (link(standard) != null) {
            devices.addAll(client.members(link(standard), context));
        }
        if (devices.isEmpty()) {
            Optional<JsonNode> chassis = chassisOf(system, allChassis);
            String link = chassis.map(c -> link(c.path("PCIeDevices"))).orElse(null);
            if (link != null) {
                devices.addAll(client.members(link, context));
            }
        }
        for (JsonNode device : devices) {
            for (JsonNode function : functions(device, context)) {
                PciDevice d = standardFunction(device, function);
                if (d != null) {
                    byAddress.putIfAbsent(d.address(), d);
                }
            }
        }
        if (byAddress.isEmpty()) {
            String hpe = link(system.path("Oem").path("Hpe").path("Links").path("PCIDevices"));
            if (hpe != null) {
                // HPE gives the bus of the slot for every function behind the slot's switch, so several devices
                // can share an address: they are all kept (keyed by their resource), GPUs first at an address.
                for (JsonNode d : client.members(hpe, context)) {
                    PciDevice device = hpeDevice(d);
                    if (device != null) {
                        byAddress.putIfAbsent(d.path("@odata.id").asText(device.address()), device);
                    }
                }
            }
        }
        List<PciDevice> list = new ArrayList<>(byAddress.values());
        list.sort(Comparator.comparing(PciDevice::address).thenComparing(d -> !isGpu(d)).thenComparing(PciDevice::classCode));
        return list;
    }

    private List<JsonNode> functions(JsonNode device, DiscoveryContext context) {
        String collection = link(device.path("PCIeFunctions"));
        if (collection != null) {
            return client.members(collection, context);
        }
        List<JsonNode> functions = new ArrayList<>();
        for (JsonNode ref : device.path("Links").path("PCIeFunctions")) {
            String link = link(ref);
            if (link != null) {
                client.find(link, context).ifPresent(functions::add);
            }
        }
        return functions;
    }

    private PciDevice standardFunction(JsonNode device, JsonNode function) {
        String where = function.path("@odata.id").asText(device.path("@odata.id").asText(device.path("Id").asText()));
        int classCode = pciId(where, "ClassCode", function.path("ClassCode"), hex(function.path("ClassCode").asText(null)), 0xffffff, 0,
                "a 24-bit PCI class code such as 0x030200");
        int vendor = pciId(where, "VendorId", function.path("VendorId"), hex(function.path("VendorId").asText(null)), 0xffff, 0xffff,
                "a 16-bit PCI vendor id such as 0x10de");
        int deviceId = pciId(where, "DeviceId", function.path("DeviceId"), hex(function.path("DeviceId").asText(null)), 0xffff, 0xffff,
                "a 16-bit PCI device id such as 0x20b0");
        if (vendor < 0 || classCode < 0) {
            return null;
        }
        // Redfish carries no bus number: the address is the device's and function's ids on the BMC.
        String address = "redfish:" + device.path("Id").asText() + "." + function.path("FunctionId").asText(function.path("Id").asText("0"));
        String name = trim(device.path("Name").asText(null));
        // An absent DeviceId is unknown, 0xffff as the sysfs reader and the builder take it, not device 0.
        return PciDevice.builder().address(address).vendorId(vendor).deviceId(deviceId < 0 ? 0xffff : deviceId).classCode(classCode)
                .vendorName(PCI_VENDORS.get(vendor)).deviceName(name).numaNode(-1).localCpus(CpuSet.EMPTY).build();
    }

    private PciDevice hpeDevice(JsonNode d) {
        if (!d.has("BusNumber") || !d.has("VendorID")) {
            return null;
        }
        String where = d.path("@odata.id").asText(d.path("Id").asText("(no id)"));
        long segment = addressPart(where, "SegmentNumber", d.path("SegmentNumber"), 0xffff, "a PCI segment from 0 to 65535");
        long bus = addressPart(where, "BusNumber", d.path("BusNumber"), 0xff, "a PCI bus from 0 to 255");
        long number = addressPart(where, "DeviceNumber", d.path("DeviceNumber"), 0x1f, "a PCI device number from 0 to 31");
        long function = addressPart(where, "FunctionNumber", d.path("FunctionNumber"), 7, "a PCI function number from 0 to 7");
        if (segment < 0 || bus < 0 || number < 0 || function < 0) {
            return null;
        }
        String address = String.format("%04x:%02x:%02x.%x", segment, bus, number, function);
        int base = pciId(where, "ClassCode", d.path("ClassCode"), decimal(d.path("ClassCode")), 0xff, -1, "a PCI base class from 0 to 255");
        int sub = pciId(where, "SubclassCode", d.path("SubclassCode"), decimal(d.path("SubclassCode")), 0xff, -1,
                "a PCI subclass from 0 to 255");
        int classCode = base < 0 || sub < 0 ? 0 : (base << 16) | (sub << 8);
        int vendor = pciId(where, "VendorID", d.path("VendorID"), decimal(d.path("VendorID")), 0xffff, 0xffff,
                "a 16-bit PCI vendor id from 0 to 65535, such as 4318 (0x10de)");
        // an absent DeviceID is unknown, 0xffff, as in a standard PCIeFunction, not device 0 (decimal's absent)
        int deviceId = d.path("DeviceID").isMissingNode() || d.path("DeviceID").isNull() ? 0xffff : pciId(where, "DeviceID",
                d.path("DeviceID"), decimal(d.path("DeviceID")), 0xffff, 0xffff, "a 16-bit PCI device id from 0 to 65535");
        return PciDevice.builder().address(address).vendorId(vendor).deviceId(Math.max(deviceId, 0)).classCode(classCode)
                .vendorName(PCI_VENDORS.get(vendor)).deviceName(trim(d.path("Name").asText(null))).numaNode(-1).localCpus(CpuSet.EMPTY).build();
    }

    /**
     * A part of a PCI address HPE gave (segment, bus, device, function), -1 with a warning where it is no whole number up to
     * {@code max}, and the device is left out: GPUs are matched to the node's accelerators by their address, and before,
     * read with {@code asInt()}, a bus of 300 gave {@code 0000:12c:00.0}, a device of -1 {@code ffffffff} and a bus written
     * as text {@code 0x3b} bus 0, addresses no PCI function has, or another function's.
     */
    private long addressPart(String where, String field, JsonNode value, int max, String expected) {
        long part = decimal(value);
        if (part <= max) {
            return part;
        }
        LOG.warn("BMC {} ({}): {} {} = {} is no plausible value (expected {}); the PCI device is left out, as no PCI function has "
                + "such an address", client.endpoint().name(), client.endpoint().address(), InvalidConfigurationException.printable(where),
                field, InvalidConfigurationException.printable(value.isNumber() ? value.asText() : value.toString()), expected);
        return -1;
    }

    /**
     * A PCI id or class code the BMC gave, {@code unknown} with a warning where it is beyond {@code max} (16-bit ids, a 24-bit
     * class, as the sysfs reader bounds them), -1 where it is absent. Cut to an int, HPE's vendor {@code 4294971614}
     * ({@code 0x1000010de}) read as NVIDIA's {@code 0x10de}, and a function's vendor {@code 0x110de} passed as it came.
     */
    private int pciId(String where, String field, JsonNode value, long id, int max, int unknown, String expected) {
        if (id > max) {
            implausible(where, field, value, expected);
            return unknown;
        }
        return (int) id;
    }

    /** 3D controllers and processing accelerators; VGA controllers only from discrete GPU vendors (not a BMC's own video). */
    static boolean isGpu(PciDevice d) {
        int base = d.classCode() >> 16;
        int sub = (d.classCode() >> 8) & 0xff;
        if (base == 0x12 || (base == 0x03 && sub == 0x02)) {
            return true;
        }
        return base == 0x03 && sub == 0x00 && DISCRETE_GPU_VENDORS.contains(d.vendorId());
    }

    private Accelerator acceleratorFromProcessor(String nodeId, JsonNode p) {
        Map<String, String> attributes = new LinkedHashMap<>();
        put(attributes, "serial", p.path("SerialNumber").asText(null));
        put(attributes, "partNumber", p.path("PartNumber").asText(null));
        put(attributes, "redfish.id", p.path("@odata.id").asText(null));
        put(attributes, "redfish.model", p.path("Model").asText(null));
        put(attributes, "type", p.path("ProcessorType").asText(null));
        long memoryMiB = 0;
        for (JsonNode m : p.path("ProcessorMemory")) {
            memoryMiB = total(memoryMiB, mebibytes(m, "CapacityMiB"), p);
        }
        if (memoryMiB == 0) {
            memoryMiB = mebibytes(p.path("MemorySummary"), "TotalMemorySizeMiB");
        }
        // a figure out of range (negative, or 1e400, which reads as infinity) is unknown, as a chassis' reading is: taken as it
        // came, the model refused it and the BMC's whole discovery failed over one GPU's figure
        String where = p.path("@odata.id").asText(p.path("Id").asText(""));
        double tdp = watts(where, "TDPWatts", p.path("TDPWatts"));
        double maxTdp = watts(where, "MaxTDPWatts", p.path("MaxTDPWatts"));
        double defaultWatts = tdp > 0 ? tdp : maxTdp;
        PowerLimits power = defaultWatts > 0 ? new PowerLimits(0, defaultWatts, 0, maxTdp > 0 ? maxTdp : defaultWatts) : PowerLimits.UNKNOWN;
        String id = nodeId + "/" + p.path("Id").asText(lastSegment(p.path("@odata.id").asText()));
        return Accelerator.builder().id(id).vendor(vendor(p.path("Manufacturer").asText(null))).model(gpuModel(p.path("Model").asText(null), id))
                .memoryBytes(memoryMiB << 20).nodeId(nodeId).numaNode(-1).cpuAffinity(CpuSet.EMPTY).power(power)
                .health(health(p.path("Status"))).attributes(attributes).build();
    }

    private static Accelerator acceleratorFromPci(String nodeId, PciDevice d) {
        String vendor = PCI_VENDORS.get(d.vendorId());
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("pci.ids", d.ids());
        return Accelerator.builder().id(nodeId + "/pci:" + d.address()).vendor(vendor).model(gpuModel(d.deviceName(), d.address()))
                .pciAddress(d.address().startsWith("redfish:") ? null : d.address()).nodeId(nodeId).numaNode(-1).cpuAffinity(CpuSet.EMPTY)
                .power(PowerLimits.UNKNOWN).health(Health.UNKNOWN).attributes(attributes).build();
    }

    /** The model as NVML names it: Cray BMCs write {@code NVIDIA_A100-SXM4-40GB}. */
    static String gpuModel(String raw, String fallback) {
        String model = trim(raw);
        if (model == null) {
            return "unknown (" + fallback + ")";
        }
        return model.replace('_', ' ');
    }

    private static String vendor(String manufacturer) {
        if (manufacturer == null || manufacturer.isBlank()) {
            return null;
        }
        String m = manufacturer.toLowerCase(Locale.ROOT);
        if (m.contains("nvidia")) {
            return "NVIDIA";
        }
        if (m.contains("advanced micro devices") || m.equals("amd")) {
            return "AMD";
        }
        return manufacturer.trim();
    }

    // ---- NICs ---------------------------------------------------------------------------

    private Nic nic(JsonNode e, DiscoveryContext context) {
        String name = e.path("Name").asText("");
        if (name.isBlank() || name.equalsIgnoreCase("Ethernet Interface") || name.equalsIgnoreCase("Manager Ethernet Interface")) {
            name = e.path("Id").asText("nic");
        }
        String mac = e.path("MACAddress").asText("");
        if (!MAC.matcher(mac).matches()) {
            mac = e.path("PermanentMACAddress").asText("");
        }
        // 1e400 reads as infinity and a long cast of it as 9.2e18 Mbit/s, which placement would have taken for the fastest link
        double speedMbps = e.path("SpeedMbps").asDouble(0);
        long speed = 0;
        if (speedMbps > MAX_NIC_MBPS || Double.isNaN(speedMbps)) {
            implausible(e.path("@odata.id").asText(name), "SpeedMbps", e.path("SpeedMbps"), "0 to " + MAX_NIC_MBPS + " Mbit/s");
        } else if (speedMbps > 0) {
            speed = (long) speedMbps;
        }
        return new Nic(name, null, MAC.matcher(mac).matches() ? mac.toLowerCase(Locale.ROOT) : null, speed, -1, "ethernet");
    }

    // ---- chassis: power and thermal ----------------------------------------------------

    /** The system's chassis: its {@code Links.Chassis}, the chassis that links back to it, or the chassis with its id. */
    private static Optional<JsonNode> chassisOf(JsonNode system, List<JsonNode> allChassis) {
        String path = normalized(system.path("@odata.id").asText());
        for (JsonNode ref : system.path("Links").path("Chassis")) {
            String link = normalized(link(ref));
            for (JsonNode c : allChassis) {
                if (normalized(c.path("@odata.id").asText()).equals(link)) {
                    return Optional.of(c);
                }
            }
        }
        for (JsonNode c : allChassis) {
            for (JsonNode ref : c.path("Links").path("ComputerSystems")) {
                if (normalized(link(ref)).equals(path)) {
                    return Optional.of(c);
                }
            }
        }
        String id = system.path("Id").asText("");
        return allChassis.stream().filter(c -> c.path("Id").asText().equals(id)).findFirst();
    }

    private PowerDraw power(JsonNode chassis, Map<String, String> attributes, DiscoveryContext context) {
        String link = link(chassis.path("Power"));
        if (link == null) {
            return PowerDraw.UNKNOWN;
        }
        Optional<JsonNode> power = client.find(link, context);
        if (power.isEmpty()) {
            return PowerDraw.UNKNOWN;
        }
        JsonNode control = power.get().path("PowerControl").path(0);
        if (control.isMissingNode()) {
            return PowerDraw.UNKNOWN;
        }
        String where = power.get().path("@odata.id").asText(link);
        double consumed = watts(where, "PowerConsumedWatts", control.path("PowerConsumedWatts"));
        double capacity = watts(where, "PowerCapacityWatts", control.path("PowerCapacityWatts"));
        double limit = watts(where, "PowerLimit.LimitInWatts", control.path("PowerLimit").path("LimitInWatts"));
        double minimum = watts(where, "PowerMetrics.MinConsumedWatts", control.path("PowerMetrics").path("MinConsumedWatts"));
        if (consumed > 0) {
            attributes.put("power.consumedWatts", format(consumed));
        }
        if (capacity > 0) {
            attributes.put("power.capacityWatts", format(capacity));
        }
        if (limit > 0) {
            attributes.put("power.limitWatts", format(limit));
        }
        long max = Math.round(limit > 0 ? limit : capacity);
        return new PowerDraw(Math.round(minimum), max);
    }

    /**
     * A power reading in watts, 0 (unknown) where it is absent or out of range, as an absent one: below zero (a meter not
     * calibrated), not finite ({@code 1e400} reads as infinity) or above {@link #MAX_WATTS}. Taken as it came, a negative or
     * infinite one was refused by the model and the BMC's whole discovery failed with it, and a huge one rounded to a
     * maximum draw of 9.2e18 W, which no power budget admits. An out-of-range one is warned of, as a temperature is: it
     * became unknown without a word, so the node's missing power figures named no cause.
     */
    private double watts(String where, String field, JsonNode value) {
        double watts = value.asDouble(0);
        if (watts >= 0 && watts <= MAX_WATTS) {
            return watts;
        }
        implausible(where, field, value, "0 to " + format(MAX_WATTS) + " W");
        return 0;
    }

    private void thermal(JsonNode chassis, Map<String, String> attributes, DiscoveryContext context) {
        String link = link(chassis.path("Thermal"));
        if (link == null) {
            return;
        }
        client.find(link, context).ifPresent(thermal -> {
            double max = Double.NEGATIVE_INFINITY;
            int sensors = 0;
            String worst = "OK";
            for (JsonNode t : thermal.path("Temperatures")) {
                if (NO_READING_STATES.contains(t.path("Status").path("State").asText().toLowerCase(Locale.ROOT))) {
                    continue; // a sensor of an empty bay or slot (HPE gives it ReadingCelsius 0), or one that is not in use
                }
                JsonNode reading = t.path("ReadingCelsius");
                if (reading.isNumber()) {
                    double celsius = reading.asDouble();
                    if (celsius >= MIN_CELSIUS && celsius <= MAX_CELSIUS) {
                        sensors++;
                        max = Math.max(max, celsius);
                    } else {
                        // a broken sensor or a BMC's garbage (1e400 reads as infinity, which became the largest long as the
                        // node's hottest reading): no reading, as an out-of-range wattage is none
                        implausible(thermal.path("@odata.id").asText(link) + " " + t.path("Name").asText(t.path("MemberId").asText("")).strip(),
                                "ReadingCelsius", reading, MIN_CELSIUS + " to " + format(MAX_CELSIUS) + " °C");
                    }
                }
                String health = t.path("Status").path("Health").asText("OK");
                if (health.equalsIgnoreCase("Critical") || (health.equalsIgnoreCase("Warning") && worst.equals("OK"))) {
                    worst = health;
                }
            }
            if (sensors > 0) {
                attributes.put("thermal.maxCelsius", format(max));
                attributes.put("thermal.sensors", Integer.toString(sensors));
                attributes.put("thermal.health", worst);
            }
        });
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Warns that a figure the BMC gave is out of the range any machine has, and is taken as unknown; the BMC's text shown printable. */
    private void implausible(String where, String field, JsonNode value, String expected) {
        LOG.warn("BMC {} ({}): {} {} = {} is no plausible value (expected {}); it is taken as unknown", client.endpoint().name(),
                client.endpoint().address(), InvalidConfigurationException.printable(where), field,
                InvalidConfigurationException.printable(value.isNumber() ? value.asText() : value.toString()), expected);
    }

    private List<JsonNode> collection(JsonNode ref, DiscoveryContext context) {
        String link = link(ref);
        if (link == null) {
            return List.of();
        }
        try {
            return client.members(link, context);
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    private static ResourceState state(JsonNode system) {
        String state = system.path("Status").path("State").asText("Enabled");
        String health = system.path("Status").path("Health").asText("OK");
        if (health.equalsIgnoreCase("Critical")) {
            return ResourceState.UNAVAILABLE;
        }
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "disabled", "absent", "unavailableoffline", "quiesced" -> ResourceState.UNAVAILABLE;
            case "standbyoffline", "inmaintenance", "updating" -> ResourceState.DRAINING;
            default -> ResourceState.AVAILABLE;
        };
    }

    private static Health health(JsonNode status) {
        String health = status.path("Health").asText("");
        return switch (health.toLowerCase(Locale.ROOT)) {
            case "ok" -> Health.OK;
            case "warning" -> new Health(Health.Status.DEGRADED, List.of("BMC reports health Warning"));
            case "critical" -> new Health(Health.Status.FAILED, List.of("BMC reports health Critical"));
            default -> Health.UNKNOWN;
        };
    }

    static String link(JsonNode ref) {
        if (ref == null || !ref.isObject()) {
            return null;
        }
        String id = ref.path("@odata.id").asText("");
        return id.isBlank() ? null : id;
    }

    private static String normalized(String path) {
        if (path == null) {
            return "";
        }
        String p = path;
        int hash = p.indexOf('#');
        if (hash >= 0) {
            p = p.substring(0, hash);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /**
     * Whether a processor or DIMM in the Redfish {@code Status.State} given gives the operating system nothing: null where it
     * does (it is counted), else what its name is followed by in {@code bmc.disabledMemory} or {@code bmc.disabledProcessors}:
     * nothing for {@code Disabled}, as before, else the state. {@code UnavailableOffline} is "present but cannot be used";
     * {@code StandbySpare} is held back for a failover (a spare rank of memory sparing), not given to the operating system
     * until one fails. {@code StandbyOffline} ("enabled but awaits an external action") and the passing states
     * ({@code Starting}, {@code InTest}, {@code Updating}) stay counted, as the system's own state says whether it can be used.
     */
    private static String unusable(String state) {
        if ("Disabled".equalsIgnoreCase(state)) {
            return "";
        }
        if ("UnavailableOffline".equalsIgnoreCase(state)) {
            return ", UnavailableOffline";
        }
        if ("StandbySpare".equalsIgnoreCase(state)) {
            return ", StandbySpare";
        }
        return null;
    }

    /** A processor's or DIMM's id as its BMC gives it ({@code Id}, else the last segment of its link). */
    private static String resourceId(JsonNode resource) {
        return resource.path("Id").asText(lastSegment(resource.path("@odata.id").asText()));
    }

    private static String lastSegment(String path) {
        String p = normalized(path);
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }

    private static String trim(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        return t.isEmpty() ? null : t;
    }

    /** A hex number such as {@code 0x10de}: -1 where it is absent or no hex number, {@link Long#MAX_VALUE} where it is beyond a long. */
    private static long hex(String text) {
        if (text == null || text.isBlank()) {
            return -1;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        String digits = t.startsWith("0x") ? t.substring(2) : t;
        if (!HEX_DIGITS.matcher(digits).matches()) {
            return -1;
        }
        String significant = digits.replaceFirst("^0+(?=.)", "");
        return significant.length() > 15 ? Long.MAX_VALUE : Long.parseLong(significant, 16);
    }

    /**
     * A whole number HPE gives in decimal: 0 where it is absent (as before), {@link Long#MAX_VALUE} where it is no whole
     * number from 0 to what a long holds (negative, a fraction, text), so that it is out of any range.
     */
    private static long decimal(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return 0;
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0) {
            return value.asLong();
        }
        if (value.isTextual() && value.asText().strip().matches("[0-9]{1,18}")) {
            return Long.parseLong(value.asText().strip());
        }
        return Long.MAX_VALUE;
    }

    private static void put(Map<String, String> attributes, String key, String value) {
        if (value != null && !value.isBlank()) {
            attributes.put(key, value.strip());
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
