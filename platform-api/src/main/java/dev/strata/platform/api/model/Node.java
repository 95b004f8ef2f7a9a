package dev.strata.platform.api.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A machine (bare metal or VM) at a site.
 *
 * @param id unique node id, stable across discoveries and provider versions
 * @param providerId the provider that reports the node
 * @param siteId the site the node is at
 * @param hostname the host name, or null
 * @param kind bare metal, VM or declared
 * @param cpu processors
 * @param numaNodes NUMA nodes in id order (a machine without NUMA information has one)
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
        numaNodes = List.copyOf(Objects.requireNonNull(numaNodes, "node.numaNodes"));
        Checks.requireNonNegative(memoryBytes, "node.memoryBytes");
        pciDevices = List.copyOf(Objects.requireNonNull(pciDevices, "node.pciDevices"));
        accelerators = List.copyOf(Objects.requireNonNull(accelerators, "node.accelerators"));
        nics = List.copyOf(Objects.requireNonNull(nics, "node.nics"));
        disks = List.copyOf(Objects.requireNonNull(disks, "node.disks"));
        Objects.requireNonNull(power, "node.power");
        traits = Set.copyOf(Objects.requireNonNull(traits, "node.traits"));
        Objects.requireNonNull(state, "node.state");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "node.attributes"));
        devicePaths = List.copyOf(Objects.requireNonNull(devicePaths, "node.devicePaths"));
    }

    /** A node whose device paths are not known (compute providers; the GPU provider adds them). */
    public Node(String id, String providerId, String siteId, String hostname, NodeKind kind, CpuTopology cpu, List<NumaNode> numaNodes,
            long memoryBytes, List<PciDevice> pciDevices, List<Accelerator> accelerators, List<Nic> nics, List<Disk> disks, PowerDraw power,
            String powerDomainId, Set<String> traits, ResourceState state, String ownerTenant, Map<String, String> attributes) {
        this(id, providerId, siteId, hostname, kind, cpu, numaNodes, memoryBytes, pciDevices, accelerators, nics, disks, power, powerDomainId,
                traits, state, ownerTenant, attributes, List.of());
    }

    public Optional<PciDevice> pciDevice(String address) {
        return pciDevices.stream().filter(d -> d.address().equalsIgnoreCase(address)).findFirst();
    }

    public Node withState(ResourceState newState) {
        return newState == state ? this : new Node(id, providerId, siteId, hostname, kind, cpu, numaNodes, memoryBytes,
                pciDevices, accelerators, nics, disks, power, powerDomainId, traits, newState, ownerTenant, attributes, devicePaths);
    }

    public Node withAccelerators(List<Accelerator> devices) {
        return withDevices(devices, devicePaths);
    }

    /** This node with the accelerators and device paths a GPU provider reported for it. */
    public Node withDevices(List<Accelerator> devices, List<DevicePath> paths) {
        return new Node(id, providerId, siteId, hostname, kind, cpu, numaNodes, memoryBytes,
                pciDevices, devices, nics, disks, power, powerDomainId, traits, state, ownerTenant, attributes, paths);
    }
}
