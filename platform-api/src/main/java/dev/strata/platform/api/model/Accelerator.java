package dev.strata.platform.api.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A GPU or other accelerator.
 *
 * @param id a stable unique id (the GPU UUID for NVIDIA)
 * @param vendor vendor name, e.g. {@code NVIDIA}
 * @param model product name, e.g. {@code NVIDIA H200}
 * @param memoryBytes device memory in bytes
 * @param computeCapability e.g. {@code 9.0}, or null
 * @param pciAddress the PCI function, lower case {@code dddd:bb:dd.f}, or null
 * @param nodeId the node the device is in, or null until the inventory matches it to one
 * @param numaNode the NUMA node the device is local to, -1 when unknown
 * @param cpuAffinity the CPUs local to the device, empty when unknown
 * @param pcie the device's PCIe link as the vendor library reports it, or null
 * @param interconnectDomain the id of the NVLink/NVSwitch domain the device belongs to, or null
 * @param linkBandwidthGBps aggregate device-to-device link bandwidth per direction in GB/s, 0 when none
 * @param links the device's NVLinks (or similar), empty when it has none
 * @param partitionProfiles the partition profiles the device supports (empty when it cannot be partitioned)
 * @param partitioningEnabled whether partitioning (MIG) is currently enabled
 * @param power the power limits
 * @param health the device's health
 * @param attributes other facts: {@code serial}, {@code driverVersion}, {@code cudaVersion},
 *     {@code vbiosVersion}, {@code eccMode} and the like
 */
public record Accelerator(
        String id,
        String vendor,
        String model,
        long memoryBytes,
        String computeCapability,
        String pciAddress,
        String nodeId,
        int numaNode,
        CpuSet cpuAffinity,
        PciLink pcie,
        String interconnectDomain,
        double linkBandwidthGBps,
        List<DeviceLink> links,
        List<PartitionProfile> partitionProfiles,
        boolean partitioningEnabled,
        PowerLimits power,
        Health health,
        Map<String, String> attributes) {

    public Accelerator {
        Checks.requireText(id, "accelerator.id");
        Checks.requireText(model, "accelerator.model");
        Checks.requireNonNegative(memoryBytes, "accelerator.memoryBytes");
        Objects.requireNonNull(cpuAffinity, "accelerator.cpuAffinity");
        Checks.requireNonNegative(linkBandwidthGBps, "accelerator.linkBandwidthGBps");
        links = List.copyOf(Objects.requireNonNull(links, "accelerator.links"));
        partitionProfiles = List.copyOf(Objects.requireNonNull(partitionProfiles, "accelerator.partitionProfiles"));
        Objects.requireNonNull(power, "accelerator.power");
        Objects.requireNonNull(health, "accelerator.health");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "accelerator.attributes"));
        if (pciAddress != null) {
            pciAddress = pciAddress.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** This accelerator placed on a node. */
    public Accelerator onNode(String node, int numa) {
        return new Accelerator(id, vendor, model, memoryBytes, computeCapability, pciAddress, node, numa, cpuAffinity, pcie,
                interconnectDomain, linkBandwidthGBps, links, partitionProfiles, partitioningEnabled, power, health, attributes);
    }
}
