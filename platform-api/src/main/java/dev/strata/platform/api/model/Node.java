package dev.strata.platform.api.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A machine (bare metal or VM) at a site. Providers make nodes with {@link #builder()}: the
 * canonical constructor grows when a field is added, the builder does not break.
 *
 * @param id unique node id, stable across discoveries and provider versions
 * @param providerId the provider that reports the node
 * @param siteId the site the node is at
 * @param hostname the host name, or null
 * @param kind bare metal, VM or declared
 * @param cpu processors
 * @param numaNodes NUMA nodes in id order; empty where the provider has no NUMA information (the builder's default),
 *     not one node standing for the machine
 * @param memoryBytes total memory in bytes
 * @param pciDevices PCI functions in address order
 * @param accelerators GPUs and other accelerators
 * @param nics network interfaces
 * @param disks local block devices
 * @param power electrical draw
 * @param powerDomainId the power domain, or null
 * @param traits free-form capability tags
 * @param state whether the node can be relied on now
 * @param ownerTenant the tenant the node is dedicated to, or null
 * @param attributes other facts (OS, kernel, DMI vendor and product)
 * @param devicePaths how the node's devices reach each other (GPU to GPU, GPU to NIC: PCIe level
 *     and NVLinks), as its GPU provider reports them; empty when unknown
 */
public record Node(
        String id,
        String providerId,
        String siteId,
        String hostname,
        NodeKind kind,
        CpuTopology cpu,
        List<NumaNode> numaNodes,
        long memoryBytes,
        List<PciDevice> pciDevices,
        List<Accelerator> accelerators,
        List<Nic> nics,
        List<Disk> disks,
        PowerDraw power,
        String powerDomainId,
        Set<String> traits,
        ResourceState state,
        String ownerTenant,
        Map<String, String> attributes,
        List<DevicePath> devicePaths) {

    public Node {
        Checks.requireText(id, "node.id");
        Checks.requireText(providerId, "node.providerId");
        Checks.requireText(siteId, "node.siteId");
        Objects.requireNonNull(kind, "node.kind");
        Objects.requireNonNull(cpu, "node.cpu");
        numaNodes = Checks.copyList(numaNodes, "node.numaNodes");
        Checks.requireNonNegative(memoryBytes, "node.memoryBytes");
        pciDevices = Checks.copyList(pciDevices, "node.pciDevices");
        accelerators = Checks.copyList(accelerators, "node.accelerators");
        nics = Checks.copyList(nics, "node.nics");
        disks = Checks.copyList(disks, "node.disks");
        Objects.requireNonNull(power, "node.power");
        traits = Checks.copySet(traits, "node.traits");
        Objects.requireNonNull(state, "node.state");
        attributes = Checks.copyMap(attributes, "node.attributes");
        devicePaths = Checks.copyList(devicePaths, "node.devicePaths");
    }

    /**
     * A node whose device paths are not known.
     *
     * @deprecated kept for providers built against the first API; use {@link #builder()}
     */
    @Deprecated
    public Node(String id, String providerId, String siteId, String hostname, NodeKind kind, CpuTopology cpu, List<NumaNode> numaNodes,
            long memoryBytes, List<PciDevice> pciDevices, List<Accelerator> accelerators, List<Nic> nics, List<Disk> disks, PowerDraw power,
            String powerDomainId, Set<String> traits, ResourceState state, String ownerTenant, Map<String, String> attributes) {
        this(id, providerId, siteId, hostname, kind, cpu, numaNodes, memoryBytes, pciDevices, accelerators, nics, disks, power, powerDomainId,
                traits, state, ownerTenant, attributes, List.of());
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this node's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public Optional<PciDevice> pciDevice(String address) {
        return pciDevices.stream().filter(d -> d.address().equalsIgnoreCase(address)).findFirst();
    }

    public Node withState(ResourceState newState) {
        return newState == state ? this : toBuilder().state(newState).build();
    }

    public Node withAccelerators(List<Accelerator> devices) {
        return withDevices(devices, devicePaths);
    }

    /** This node with the accelerators and device paths a GPU provider reported for it. */
    public Node withDevices(List<Accelerator> devices, List<DevicePath> paths) {
        return toBuilder().accelerators(devices).devicePaths(paths).build();
    }

    /**
     * Builds a {@link Node}: the way providers make nodes, so that a field added to the record
     * in a minor release does not break them. Defaults: {@link CpuTopology#NONE}, no NUMA nodes,
     * devices, traits, attributes or paths, {@link PowerDraw#UNKNOWN},
     * {@link ResourceState#AVAILABLE}; id, provider, site and kind have none. {@link #build()}
     * validates as the record does. Not thread-safe; reusable.
     */
    public static final class Builder {
        private String id;
        private String providerId;
        private String siteId;
        private String hostname;
        private NodeKind kind;
        private CpuTopology cpu = CpuTopology.NONE;
        private List<NumaNode> numaNodes = List.of();
        private long memoryBytes;
        private List<PciDevice> pciDevices = List.of();
        private List<Accelerator> accelerators = List.of();
        private List<Nic> nics = List.of();
        private List<Disk> disks = List.of();
        private PowerDraw power = PowerDraw.UNKNOWN;
        private String powerDomainId;
        private Set<String> traits = Set.of();
        private ResourceState state = ResourceState.AVAILABLE;
        private String ownerTenant;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private List<DevicePath> devicePaths = List.of();

        private Builder() {
        }

        private Builder(Node n) {
            id = n.id;
            providerId = n.providerId;
            siteId = n.siteId;
            hostname = n.hostname;
            kind = n.kind;
            cpu = n.cpu;
            numaNodes = n.numaNodes;
            memoryBytes = n.memoryBytes;
            pciDevices = n.pciDevices;
            accelerators = n.accelerators;
            nics = n.nics;
            disks = n.disks;
            power = n.power;
            powerDomainId = n.powerDomainId;
            traits = n.traits;
            state = n.state;
            ownerTenant = n.ownerTenant;
            attributes.putAll(n.attributes);
            devicePaths = n.devicePaths;
        }

        /** See {@link Node#id()}. */
        public Builder id(String value) {
            id = value;
            return this;
        }

        /** See {@link Node#providerId()}. */
        public Builder providerId(String value) {
            providerId = value;
            return this;
        }

        /** See {@link Node#siteId()}. */
        public Builder siteId(String value) {
            siteId = value;
            return this;
        }

        /** See {@link Node#hostname()}. */
        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        /** See {@link Node#kind()}. */
        public Builder kind(NodeKind value) {
            kind = value;
            return this;
        }

        /** See {@link Node#cpu()}. */
        public Builder cpu(CpuTopology value) {
            cpu = value;
            return this;
        }

        /** See {@link Node#numaNodes()}. */
        public Builder numaNodes(List<NumaNode> value) {
            numaNodes = value;
            return this;
        }

        /** See {@link Node#memoryBytes()}. */
        public Builder memoryBytes(long value) {
            memoryBytes = value;
            return this;
        }

        /** See {@link Node#pciDevices()}. */
        public Builder pciDevices(List<PciDevice> value) {
            pciDevices = value;
            return this;
        }

        /** See {@link Node#accelerators()}. */
        public Builder accelerators(List<Accelerator> value) {
            accelerators = value;
            return this;
        }

        /** See {@link Node#nics()}. */
        public Builder nics(List<Nic> value) {
            nics = value;
            return this;
        }

        /** See {@link Node#disks()}. */
        public Builder disks(List<Disk> value) {
            disks = value;
            return this;
        }

        /** See {@link Node#power()}. */
        public Builder power(PowerDraw value) {
            power = value;
            return this;
        }

        /** See {@link Node#powerDomainId()}. */
        public Builder powerDomainId(String value) {
            powerDomainId = value;
            return this;
        }

        /** See {@link Node#traits()}. */
        public Builder traits(Set<String> value) {
            traits = value;
            return this;
        }

        /** See {@link Node#state()}. */
        public Builder state(ResourceState value) {
            state = value;
            return this;
        }

        /** See {@link Node#ownerTenant()}. */
        public Builder ownerTenant(String value) {
            ownerTenant = value;
            return this;
        }

        /** Replaces every attribute; see {@link Node#attributes()}. */
        public Builder attributes(Map<String, String> value) {
            attributes.clear();
            attributes.putAll(value);
            return this;
        }

        /** Adds (or replaces) one attribute. */
        public Builder attribute(String key, String value) {
            attributes.put(key, value);
            return this;
        }

        /** See {@link Node#devicePaths()}. */
        public Builder devicePaths(List<DevicePath> value) {
            devicePaths = value;
            return this;
        }

        /**
         * The node.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public Node build() {
            return new Node(id, providerId, siteId, hostname, kind, cpu, numaNodes, memoryBytes, pciDevices, accelerators, nics,
                    disks, power, powerDomainId, traits, state, ownerTenant, attributes, devicePaths);
        }
    }
}
