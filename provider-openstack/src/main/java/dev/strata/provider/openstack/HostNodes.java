package dev.strata.provider.openstack;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.LargestMachine;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.compute.Hypervisor;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PciGpus;
import dev.strata.provider.openstack.placement.ProviderTree;
import dev.strata.provider.openstack.placement.ResourceProvider;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Maps a cloud's compute hosts to Strata nodes: each Placement root provider that is a Nova
 * hypervisor (or, without Nova, each root provider that is not a sharing provider) becomes one
 * {@link NodeKind#BARE_METAL} node, the physical host members are placed on as Nova servers.
 *
 * <p>The node's CPUs and memory are what Placement says is <em>free</em> on the host now
 * ({@code int((total - reserved) * allocation_ratio) - used}, summed over the tree): that is what
 * a new server can take. NUMA child providers ({@code HW_NUMA_ROOT}) become NUMA nodes; every
 * free {@code PGPU} unit becomes an accelerator, and so does every free unit of a PCI device's
 * resource class that configuration maps to a GPU model ({@link PciGpus}: nova-compute with
 * {@code [pci]report_in_placement} reports each passed-through device as a child provider of the
 * compute node, {@code <host>_<PCI address>}, with one unit of {@code CUSTOM_PCI_<VENDOR>_<PRODUCT>}
 * or the class its {@code device_spec} names). A class Nova makes for a device of NVIDIA's vendor
 * id 10DE that is not mapped makes no GPU (it may be an NVSwitch or a GPU's audio function, and
 * without an alias no flavor could ask for it): discovery names it in one warning per class, so
 * that the operator maps it. Everything else Placement knows (each provider's
 * inventories with their units and ratios, usages, traits, aggregates; vGPU and custom resource
 * classes) is kept as node attributes, and the node's traits are every trait of the tree.
 *
 * <p>Where one server cannot take as much as the node's room (a provider's {@code max_unit}, or
 * the room split over NUMA providers), the node says how large one can be ({@link LargestMachine}).
 *
 * <p>The room a node shows leaves out every server on the host, this installation's too, whose
 * members the ledger holds as well. So each of this installation's servers the tree's allocations
 * hold is reported as a {@link CountedMachine} attribute, naming its ledger binding and what it
 * holds, and the core reserves for that binding only what it holds beyond the server: the host's
 * room is counted once.
 */
final class HostNodes {

    static final String SHARING = "MISC_SHARES_VIA_AGGREGATE";
    static final String NUMA_ROOT = "HW_NUMA_ROOT";
    private static final long MIB = 1L << 20;

    private final OpenStackSettings settings;
    private final PciGpus pci;

    HostNodes(OpenStackSettings settings) {
        this.settings = settings;
        this.pci = settings.pciGpus();
    }

    /** The node id of a host: {@code <provider id>:<hypervisor host name>}. */
    static String nodeId(String providerId, String hostname) {
        return providerId + ":" + hostname;
    }

    /** The site id of an availability zone. */
    String siteId(String zone) {
        return settings.providerId() + ":" + (zone != null ? zone : settings.region() != null ? settings.region() : "default");
    }

    Site site(String zone) {
        return Site.builder().id(siteId(zone)).providerId(settings.providerId()).region(settings.region()).zone(zone)
                .country(settings.country()).jurisdictions(settings.jurisdictions()).operator(settings.operator())
                .certifications(settings.certifications()).build();
    }

    /**
     * The nodes and sites of a cloud.
     *
     * @param trees every provider tree Placement holds
     * @param hypervisors Nova's hypervisors, or null when the cloud has no Nova (Placement alone)
     * @param hostZones availability zone by compute service host
     * @param flavors the flavors, to say which fit each host now
     */
    Hosts map(List<ProviderTree> trees, List<Hypervisor> hypervisors, Map<String, String> hostZones, List<Flavor> flavors) {
        return map(trees, hypervisors, hostZones, flavors, Map.of());
    }

    /**
     * The nodes and sites of a cloud, each host's node reporting which of this installation's
     * servers the Placement allocations of its tree hold ({@link CountedMachine}).
     *
     * @param servers this installation's servers that name their ledger binding
     *     ({@link MachineLabels#ALLOCATION} and {@link MachineLabels#MEMBER}), by UUID (Placement's consumer id)
     */
    Hosts map(List<ProviderTree> trees, List<Hypervisor> hypervisors, Map<String, String> hostZones, List<Flavor> flavors,
            Map<String, Server> servers) {
        Map<String, Hypervisor> byId = new HashMap<>();
        Map<String, Hypervisor> byName = new HashMap<>();
        if (hypervisors != null) {
            hypervisors.forEach(h -> {
                byId.put(h.id(), h);
                byName.put(h.hostname(), h);
            });
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Site> sites = new TreeMap<>();
        List<String> warnings = new ArrayList<>();
        for (ProviderTree tree : trees) {
            Hypervisor hv = byId.getOrDefault(tree.root().uuid(), byName.get(tree.root().name()));
            if (hypervisors != null ? hv == null : tree.root().traits().contains(SHARING)) {
                continue;
            }
            String zone = hv == null ? null : hostZones.get(hv.serviceHost());
            Site site = site(zone);
            sites.putIfAbsent(site.id(), site);
            try {
                nodes.add(node(tree, hv, site.id(), flavors, servers));
            } catch (AbsurdInventory e) {
                // one host's inventory no machine has (a wrong total or allocation_ratio): that host is left out, not the cloud
                warnings.add("host " + tree.root().name() + " (" + tree.root().uuid() + ") is not a node: " + e.getMessage());
            }
        }
        warnings.addAll(unmappedNvidia(trees, nodes));
        if (sites.isEmpty()) {
            Site site = site(null);
            sites.put(site.id(), site);
        }
        if (hypervisors != null) {
            java.util.Set<String> roots = new java.util.HashSet<>();
            trees.forEach(t -> {
                roots.add(t.root().uuid());
                roots.add(t.root().name());
            });
            for (Hypervisor h : hypervisors) {
                if (!roots.contains(h.id()) && !roots.contains(h.hostname())) {
                    warnings.add("hypervisor " + h.hostname() + " (" + h.id() + ") has no resource provider in Placement; it is not a node");
                }
            }
        }
        return new Hosts(List.copyOf(sites.values()), nodes, warnings);
    }

    /**
     * One warning per resource class of a device of NVIDIA's vendor id that configuration does not
     * map ({@link PciGpus#unmappedNvidia}), naming the hosts (nodes) that have it. The text stays
     * the same from one discovery to the next while the cloud does, so that it is told once.
     */
    private List<String> unmappedNvidia(List<ProviderTree> trees, List<Node> nodes) {
        Set<String> roots = new java.util.HashSet<>();
        nodes.forEach(n -> roots.add(n.attributes().get("placement.root")));
        Map<String, Set<String>> hostsByClass = new TreeMap<>();
        for (ProviderTree tree : trees) {
            if (!roots.contains(tree.root().uuid())) {
                continue;
            }
            for (String rc : tree.resourceClasses()) {
                if (pci.unmappedNvidia(rc)) {
                    hostsByClass.computeIfAbsent(rc, k -> new TreeSet<>()).add(tree.root().name());
                }
            }
        }
        List<String> out = new ArrayList<>();
        hostsByClass.forEach((rc, hosts) -> out.add("resource class " + rc + " (PCI devices of NVIDIA's vendor id 10DE, as nova-compute "
                + "reports them with [pci]report_in_placement) on host" + (hosts.size() == 1 ? " " : "s ") + String.join(", ", hosts)
                + " is not in pciGpus, so its devices are not GPUs of " + (hosts.size() == 1 ? "that node" : "those nodes")
                + "; if they are GPUs, map the class to their model and the [pci]alias that asks for one: pciGpus = " + rc
                + "=<model>@<alias>"));
        return out;
    }

    /** The sites and nodes of a discovery, and what could not be mapped. */
    record Hosts(List<Site> sites, List<Node> nodes, List<String> warnings) {
    }

    Node node(ProviderTree tree, Hypervisor hv, String siteId, List<Flavor> flavors) {
        return node(tree, hv, siteId, flavors, Map.of());
    }

    Node node(ProviderTree tree, Hypervisor hv, String siteId, List<Flavor> flavors, Map<String, Server> servers) {
        ResourceProvider root = tree.root();
        String hostname = hv != null ? hv.hostname() : root.name();
        String id = nodeId(settings.providerId(), hostname);

        List<ResourceProvider> numaProviders = tree.providers().stream().filter(p -> p.traits().contains(NUMA_ROOT)).toList();
        long freeVcpu = tree.free("VCPU");
        if (freeVcpu > MAX_VCPU) { // (a sum past a long is Long.MAX_VALUE)
            throw new AbsurdInventory("its resource providers have " + (freeVcpu == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : freeVcpu)
                    + " VCPU free; expected at most " + MAX_VCPU + " (is a VCPU total or allocation_ratio wrong?)");
        }
        long freeMemory = tree.free("MEMORY_MB");
        long memoryBytes = bytes(freeMemory, root);
        CpuTopology cpu = cpus((int) Math.min(Integer.MAX_VALUE / 2, freeVcpu));
        List<NumaNode> numa = new ArrayList<>();
        if (numaProviders.isEmpty()) {
            numa.add(new NumaNode(0, cpu.online(), memoryBytes, List.of()));
        } else {
            int next = 0;
            for (int i = 0; i < numaProviders.size(); i++) {
                ProviderTree sub = subtree(tree, numaProviders.get(i));
                int n = (int) Math.min(Integer.MAX_VALUE / 4, sub.free("VCPU"));
                BitSet bits = new BitSet();
                bits.set(next, next + n);
                next += n;
                numa.add(new NumaNode(i, CpuSet.of(bits), bytes(sub.free("MEMORY_MB"), numaProviders.get(i)), List.of()));
            }
        }

        List<Accelerator> gpus = new ArrayList<>();
        for (ResourceProvider p : tree.providers()) {
            long free = p.free("PGPU");
            if (free > MAX_PGPU) {
                throw new AbsurdInventory("resource provider " + p.name() + " has " + free + " PGPU free; expected at most " + MAX_PGPU
                        + " whole GPUs on one provider (is its PGPU total or allocation_ratio wrong?)");
            }
            int numaIndex = numaIndex(tree, numaProviders, p);
            String model = gpuModel(p);
            for (int k = 0; k < free; k++) {
                gpus.add(Accelerator.builder().id(p.uuid() + "/pgpu" + k).vendor(vendor(model)).model(model).nodeId(id).numaNode(numaIndex)
                        .health(Health.OK).attribute("placementProvider", p.name()).attribute("resourceClass", "PGPU").build());
            }
            for (String rc : new TreeSet<>(p.inventories().keySet())) {
                PciGpus.Mapping m = pci.forClass(rc).orElse(null);
                if (m == null) {
                    continue;
                }
                long freePci = p.free(rc);
                if (freePci > MAX_PGPU) {
                    throw new AbsurdInventory("resource provider " + p.name() + " has " + freePci + " " + rc + " free; expected at most "
                            + MAX_PGPU + " whole GPUs on one provider (is its " + rc + " total or allocation_ratio wrong?)");
                }
                String address = pciAddress(root, p, rc);
                for (int k = 0; k < freePci; k++) {
                    gpus.add(Accelerator.builder().id(pciGpuId(p.uuid(), rc, k)).vendor(vendor(m)).model(m.model()).nodeId(id)
                            .numaNode(numaIndex).pciAddress(address).health(Health.OK).attribute("placementProvider", p.name())
                            .attribute("resourceClass", rc).attribute("pciAlias", m.alias()).build());
                }
            }
        }

        Set<String> traits = new TreeSet<>();
        tree.providers().forEach(p -> traits.addAll(p.traits()));

        Map<String, String> attributes = new TreeMap<>();
        attributes.put("openstack.region", settings.region() == null ? "" : settings.region());
        attributes.put("placement.root", root.uuid());
        attributes.put("placement.generation", Long.toString(root.generation()));
        attributes.put("placement.providers", Integer.toString(tree.providers().size()));
        // Placement's and Nova's text is kept printable, as nova.flavorsThatFitNow is (the inventory passes attributes on as they are)
        if (!root.aggregates().isEmpty()) {
            attributes.put("placement.aggregates", printable(String.join(",", new TreeSet<>(root.aggregates()))));
        }
        for (String rc : tree.resourceClasses()) {
            long capacity = 0;
            long used = 0;
            try {
                for (ResourceProvider p : tree.providers()) {
                    if (p.inventories().containsKey(rc)) {
                        capacity = Math.addExact(capacity, p.inventories().get(rc).capacity());
                        used = Math.addExact(used, p.used(rc));
                    }
                }
            } catch (ArithmeticException e) {
                throw new AbsurdInventory("its resource providers' " + rc + " capacity or usage adds up to more than " + Long.MAX_VALUE
                        + "; expected figures a host has (is a " + rc + " total, allocation_ratio or usage wrong?)");
            }
            attributes.put("placement." + printable(rc), "free " + tree.free(rc) + " of " + capacity + " (used " + used
                    + ", largest single allocation " + tree.largestAllocation(rc) + ")");
        }
        for (ResourceProvider p : tree.providers()) {
            attributes.put("placement.provider." + printable(p.name()), printable(describe(tree, p)));
        }
        if (hv != null) {
            attributes.put("nova.hypervisor", printable(hv.id()));
            attributes.put("nova.host", hv.serviceHost() == null ? "" : printable(hv.serviceHost()));
            attributes.put("nova.hypervisorType", printable(hv.type()));
            attributes.put("nova.state", printable(hv.state() + "/" + hv.status()
                    + (hv.disabledReason() == null ? "" : " (" + hv.disabledReason() + ")")));
        }
        if (flavors != null && !flavors.isEmpty()) {
            // printable, as the provider shows Nova's other text: the inventory passes attributes on as they are, neither dropped nor escaped
            String fitting = flavors.stream().filter(f -> f.fitsOn(tree, pci))
                    .map(f -> dev.strata.platform.api.exception.InvalidConfigurationException.printable(f.name())).sorted()
                    .collect(Collectors.joining(","));
            attributes.put("nova.flavorsThatFitNow", fitting);
        }

        counted(tree, servers, gpuClasses(tree)).forEach(c -> attributes.put(c.attributeKey(), c.attributeValue()));
        attributes.putAll(largestServer(tree, freeVcpu, freeMemory, gpus.size(), pciGpuClasses(tree)).attributes());

        ResourceState state = hv == null ? ResourceState.AVAILABLE
                : !hv.up() ? ResourceState.UNAVAILABLE : !hv.enabled() ? ResourceState.DRAINING : ResourceState.AVAILABLE;
        return Node.builder().id(id).providerId(settings.providerId()).siteId(siteId).hostname(hostname).kind(NodeKind.BARE_METAL).cpu(cpu)
                .numaNodes(numa).memoryBytes(memoryBytes).accelerators(gpus).traits(traits).state(state).attributes(attributes).build();
    }

    /**
     * The most whole GPUs one resource provider may offer: a GPU is a PCI device, and no host has
     * this many; more is a wrong inventory, and each would be an accelerator of the node.
     */
    static final long MAX_PGPU = 4096;

    /** The most VCPU one host may offer (each is a CPU of the node): what a contract may ask for at most. */
    static final long MAX_VCPU = 65_536;

    /** A host inventory no machine has; the host is left out with a warning that names it. */
    static final class AbsurdInventory extends RuntimeException {
        AbsurdInventory(String message) {
            super(message);
        }
    }

    /** MiB of MEMORY_MB as bytes, or {@link AbsurdInventory} where that is more than a node can hold (an allocation_ratio of 1e12, say). */
    private static long bytes(long mib, ResourceProvider p) {
        if (mib > Long.MAX_VALUE / MIB) { // (a sum past a long is Long.MAX_VALUE)
            throw new AbsurdInventory("resource provider " + p.name() + " has " + (mib == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : mib)
                    + " MEMORY_MB free (its tree's); expected at most "
                    + Long.MAX_VALUE / MIB + " (is its MEMORY_MB total or allocation_ratio wrong?)");
        }
        return mib * MIB;
    }

    /** The resource classes of the tree whose units are GPUs: PGPU and the PCI classes configuration maps. */
    private Set<String> gpuClasses(ProviderTree tree) {
        Set<String> classes = new TreeSet<>(pciGpuClasses(tree));
        classes.add("PGPU");
        return classes;
    }

    /** The PCI resource classes of the tree that configuration maps to GPUs. */
    private Set<String> pciGpuClasses(ProviderTree tree) {
        return tree.resourceClasses().stream().filter(rc -> pci.forClass(rc).isPresent()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The id of a PCI GPU: {@code <provider UUID>/<resource class>/<unit>}; {@link #gpuClassOf} reads the class back. */
    static String pciGpuId(String providerUuid, String resourceClass, int unit) {
        return providerUuid + "/" + resourceClass + "/" + unit;
    }

    /**
     * The resource class a GPU of a node comes from, by its id: {@code PGPU} for
     * {@code <provider>/pgpu<n>}, the class for {@link #pciGpuId}, or null for an id neither makes.
     */
    static String gpuClassOf(String acceleratorId) {
        String[] parts = acceleratorId.split("/");
        if (parts.length == 2 && parts[1].matches("pgpu[0-9]+")) {
            return "PGPU";
        }
        if (parts.length == 3 && parts[1].startsWith("CUSTOM_") && parts[2].matches("[0-9]+")) {
            return parts[1];
        }
        return null;
    }

    /**
     * The PCI address of the device a provider of one unit stands for, read from the name nova-compute gives it
     * ({@code <hypervisor host name>_<PCI address>}, the address upper case: {@code cn1_0000:84:00.0}), or null where the
     * provider holds several devices (an SR-IOV physical function's virtual functions) or is named otherwise.
     */
    private static String pciAddress(ResourceProvider root, ResourceProvider p, String rc) {
        String prefix = root.name() + "_";
        Inventory inv = p.inventories().get(rc);
        if (inv == null || inv.total() != 1 || !p.name().startsWith(prefix)) {
            return null;
        }
        String address = p.name().substring(prefix.length());
        return PCI_ADDRESS.matcher(address).matches() ? address.toLowerCase(Locale.ROOT) : null;
    }

    private static final java.util.regex.Pattern PCI_ADDRESS = java.util.regex.Pattern.compile("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-7]");

    /**
     * This installation's servers whose allocations the tree holds, each with what it holds of the
     * node's room (VCPU, MEMORY_MB and whole GPUs: PGPU and the mapped PCI classes, summed over the
     * tree): the room the node shows already leaves it out. Servers without their ledger binding's
     * labels are left out (counted whole).
     */
    static List<CountedMachine> counted(ProviderTree tree, Map<String, Server> servers, Set<String> gpuClasses) {
        if (servers.isEmpty()) {
            return List.of();
        }
        Map<String, long[]> held = new TreeMap<>();
        for (ResourceProvider p : tree.providers()) {
            p.allocations().forEach((consumer, amounts) -> {
                if (servers.containsKey(consumer)) {
                    long[] sum = held.computeIfAbsent(consumer, k -> new long[3]);
                    try {
                        sum[0] = Math.addExact(sum[0], amounts.getOrDefault("VCPU", 0L));
                        sum[1] = Math.addExact(sum[1], amounts.getOrDefault("MEMORY_MB", 0L));
                        for (String rc : gpuClasses) {
                            sum[2] = Math.addExact(sum[2], amounts.getOrDefault(rc, 0L));
                        }
                    } catch (ArithmeticException e) {
                        throw absurdHolding(consumer);
                    }
                }
            });
        }
        List<CountedMachine> out = new ArrayList<>();
        held.forEach((consumer, sum) -> {
            Server s = servers.get(consumer);
            String allocation = s.metadata().get(MachineLabels.ALLOCATION);
            String member = s.metadata().get(MachineLabels.MEMBER);
            if (allocation == null || member == null || allocation.isBlank() || member.isBlank() || allocation.indexOf('/') >= 0) {
                return;
            }
            if (sum[0] > Long.MAX_VALUE / 1000L || sum[1] > Long.MAX_VALUE / MIB) {
                throw absurdHolding(consumer);
            }
            out.add(new CountedMachine(allocation, member, sum[0] * 1000L, sum[1] * MIB, (int) Math.min(Integer.MAX_VALUE, sum[2])));
        });
        return out;
    }

    /**
     * A server whose allocations on the host add up to more than a machine has (in millicores or
     * bytes, past a long): Placement's answer is wrong, and the host is left out naming the server;
     * before, the sum wrapped round or a bare "long overflow" failed the discovery of every host.
     */
    private static AbsurdInventory absurdHolding(String consumer) {
        return new AbsurdInventory("server " + consumer + " holds more VCPU, MEMORY_MB or GPUs on its resource providers than a machine "
                + "has (its allocations add up past " + Long.MAX_VALUE + " millicores, bytes or units); expected allocations of a "
                + "server that fits on the host (is an allocation in Placement wrong?)");
    }

    /**
     * The largest server the host can take now, where it is less than the node's room: a server's
     * VCPU, its memory and its {@code PGPU} each come from one provider of the tree, at most its
     * {@code max_unit} and its free room (a host split into NUMA providers, or a CPU allocation ratio above 1 with
     * {@code max_unit} at the host's cores, takes no server as large as its summed room). A PCI
     * GPU class's devices may come from several providers, one unit each ({@link FitModel}), so a
     * server takes as many of them as the tree has free; but GPUs of one kind only, PGPU or one
     * PCI class (a member asks for GPUs of one model).
     */
    static LargestMachine largestServer(ProviderTree tree, long freeVcpu, long freeMemoryMiB, long freeGpus, Set<String> pciGpuClasses) {
        long vcpu = tree.largestAllocation("VCPU");
        long memory = tree.largestAllocation("MEMORY_MB");
        long gpus = tree.largestAllocation("PGPU");
        for (String rc : pciGpuClasses) {
            gpus = Math.max(gpus, FitModel.singleUnits(tree, rc));
        }
        return new LargestMachine(vcpu < freeVcpu ? Math.multiplyExact(vcpu, 1000L) : LargestMachine.NO_LIMIT,
                memory < freeMemoryMiB ? Math.multiplyExact(memory, MIB) : LargestMachine.NO_LIMIT,
                gpus < freeGpus ? gpus : LargestMachine.NO_LIMIT);
    }

    /** One package of {@code n} single-thread cores: what Placement lets servers take, not the host's sockets. */
    static CpuTopology cpus(int n) {
        List<CpuCore> cores = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            cores.add(new CpuCore(i, CpuSet.of(i)));
        }
        BitSet all = new BitSet();
        all.set(0, n);
        List<CpuPackage> packages = n == 0 ? List.of() : List.of(new CpuPackage(0, null, "OpenStack VCPU", cores));
        return new CpuTopology(packages, CpuSet.of(all), CpuSet.EMPTY);
    }

    private static ProviderTree subtree(ProviderTree tree, ResourceProvider top) {
        List<ResourceProvider> in = new ArrayList<>();
        in.add(top);
        for (int i = 0; i < in.size(); i++) {
            in.addAll(tree.children(in.get(i).uuid()));
        }
        return new ProviderTree(top, in);
    }

    private static int numaIndex(ProviderTree tree, List<ResourceProvider> numaProviders, ResourceProvider p) {
        for (int i = 0; i < numaProviders.size(); i++) {
            if (subtree(tree, numaProviders.get(i)).providers().contains(p)) {
                return i;
            }
        }
        return -1;
    }

    /** The model a PGPU provider names through a {@code CUSTOM_GPU_*} trait, or its provider name. */
    static String gpuModel(ResourceProvider p) {
        return p.traits().stream().filter(t -> t.startsWith("CUSTOM_GPU_")).sorted().findFirst()
                .map(t -> t.substring("CUSTOM_GPU_".length()).replace('_', ' ')).orElse(p.name());
    }

    /** The vendor of a mapped PCI GPU: by its model's first word, else by the vendor id of Nova's class name. */
    private static String vendor(PciGpus.Mapping m) {
        String byModel = vendor(m.model());
        if (byModel != null) {
            return byModel;
        }
        String rc = m.resourceClass();
        return rc.startsWith("CUSTOM_PCI_10DE_") ? "NVIDIA" : rc.startsWith("CUSTOM_PCI_1002_") ? "AMD" : rc.startsWith("CUSTOM_PCI_8086_") ? "INTEL"
                : null;
    }

    private static String vendor(String model) {
        String upper = model.toUpperCase(Locale.ROOT);
        for (String v : List.of("NVIDIA", "AMD", "INTEL")) {
            if (upper.startsWith(v)) {
                return v;
            }
        }
        return null;
    }

    /** Text Placement or Nova gave, with its control and format characters shown escaped ({@code \\u001b}). */
    private static String printable(String text) {
        return dev.strata.platform.api.exception.InvalidConfigurationException.printable(text);
    }

    private static String describe(ProviderTree tree, ResourceProvider p) {
        StringBuilder s = new StringBuilder();
        s.append("uuid ").append(p.uuid()).append(", generation ").append(p.generation());
        if (!p.isRoot()) {
            String parent = tree.providers().stream().filter(x -> x.uuid().equals(p.parentUuid())).map(ResourceProvider::name).findFirst()
                    .orElse(p.parentUuid());
            s.append(", parent ").append(parent);
        }
        for (Inventory inv : new TreeMap<>(p.inventories()).values()) {
            s.append("; ").append(inv.resourceClass()).append(" total ").append(inv.total()).append(" reserved ").append(inv.reserved())
                    .append(" ratio ").append(inv.allocationRatio()).append(" units ").append(inv.minUnit()).append("..").append(inv.maxUnit())
                    .append(" step ").append(inv.stepSize()).append(" used ").append(p.used(inv.resourceClass()))
                    .append(" free ").append(p.free(inv.resourceClass()));
        }
        if (!p.traits().isEmpty()) {
            s.append("; traits ").append(String.join(",", new TreeSet<>(p.traits())));
        }
        if (!p.aggregates().isEmpty()) {
            s.append("; aggregates ").append(String.join(",", new TreeSet<>(p.aggregates())));
        }
        return s.toString();
    }
}
