package dev.strata.platform.api.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A GPU or other accelerator. Providers make accelerators with {@link #builder()}.
 *
 * @param id a stable unique id (for NVIDIA the GPU UUID; a GPU whose UUID cannot be read is
 *     {@code nvidia-no-uuid:<machine identity>/<PCI address>}, health FAILED)
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
        Checks.requireNumaNode(numaNode, "accelerator.numaNode");
        Objects.requireNonNull(cpuAffinity, "accelerator.cpuAffinity");
        Checks.requireNonNegative(linkBandwidthGBps, "accelerator.linkBandwidthGBps");
        links = Checks.copyList(links, "accelerator.links");
        partitionProfiles = Checks.copyList(partitionProfiles, "accelerator.partitionProfiles");
        Objects.requireNonNull(power, "accelerator.power");
        Objects.requireNonNull(health, "accelerator.health");
        attributes = Checks.copyMap(attributes, "accelerator.attributes");
        if (pciAddress != null) {
            pciAddress = pciAddress.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** This accelerator placed on a node. */
    public Accelerator onNode(String node, int numa) {
        return toBuilder().nodeId(node).numaNode(numa).build();
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this accelerator's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link Accelerator}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: NUMA node -1, no CPU affinity, links, partition profiles or attributes, {@link PowerLimits#UNKNOWN}, {@link Health#UNKNOWN}; id and model have none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String id;
        private String vendor;
        private String model;
        private long memoryBytes;
        private String computeCapability;
        private String pciAddress;
        private String nodeId;
        private int numaNode = -1;
        private CpuSet cpuAffinity = CpuSet.EMPTY;
        private PciLink pcie;
        private String interconnectDomain;
        private double linkBandwidthGBps;
        private List<DeviceLink> links = List.of();
        private List<PartitionProfile> partitionProfiles = List.of();
        private boolean partitioningEnabled;
        private PowerLimits power = PowerLimits.UNKNOWN;
        private Health health = Health.UNKNOWN;
        private final Map<String, String> attributes = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        private Builder(Accelerator r) {
            id = r.id;
            vendor = r.vendor;
            model = r.model;
            memoryBytes = r.memoryBytes;
            computeCapability = r.computeCapability;
            pciAddress = r.pciAddress;
            nodeId = r.nodeId;
            numaNode = r.numaNode;
            cpuAffinity = r.cpuAffinity;
            pcie = r.pcie;
            interconnectDomain = r.interconnectDomain;
            linkBandwidthGBps = r.linkBandwidthGBps;
            links = r.links;
            partitionProfiles = r.partitionProfiles;
            partitioningEnabled = r.partitioningEnabled;
            power = r.power;
            health = r.health;
            attributes.putAll(r.attributes);
        }

        /** See {@link Accelerator#id()}. */
        public Builder id(String value) {
            id = value;
            return this;
        }

        /** See {@link Accelerator#vendor()}. */
        public Builder vendor(String value) {
            vendor = value;
            return this;
        }

        /** See {@link Accelerator#model()}. */
        public Builder model(String value) {
            model = value;
            return this;
        }

        /** See {@link Accelerator#memoryBytes()}. */
        public Builder memoryBytes(long value) {
            memoryBytes = value;
            return this;
        }

        /** See {@link Accelerator#computeCapability()}. */
        public Builder computeCapability(String value) {
            computeCapability = value;
            return this;
        }

        /** See {@link Accelerator#pciAddress()}. */
        public Builder pciAddress(String value) {
            pciAddress = value;
            return this;
        }

        /** See {@link Accelerator#nodeId()}. */
        public Builder nodeId(String value) {
            nodeId = value;
            return this;
        }

        /** See {@link Accelerator#numaNode()}. */
        public Builder numaNode(int value) {
            numaNode = value;
            return this;
        }

        /** See {@link Accelerator#cpuAffinity()}. */
        public Builder cpuAffinity(CpuSet value) {
            cpuAffinity = value;
            return this;
        }

        /** See {@link Accelerator#pcie()}. */
        public Builder pcie(PciLink value) {
            pcie = value;
            return this;
        }

        /** See {@link Accelerator#interconnectDomain()}. */
        public Builder interconnectDomain(String value) {
            interconnectDomain = value;
            return this;
        }

        /** See {@link Accelerator#linkBandwidthGBps()}. */
        public Builder linkBandwidthGBps(double value) {
            linkBandwidthGBps = value;
            return this;
        }

        /** See {@link Accelerator#links()}. */
        public Builder links(List<DeviceLink> value) {
            links = value;
            return this;
        }

        /** See {@link Accelerator#partitionProfiles()}. */
        public Builder partitionProfiles(List<PartitionProfile> value) {
            partitionProfiles = value;
            return this;
        }

        /** See {@link Accelerator#partitioningEnabled()}. */
        public Builder partitioningEnabled(boolean value) {
            partitioningEnabled = value;
            return this;
        }

        /** See {@link Accelerator#power()}. */
        public Builder power(PowerLimits value) {
            power = value;
            return this;
        }

        /** See {@link Accelerator#health()}. */
        public Builder health(Health value) {
            health = value;
            return this;
        }

        /** Replaces every entry; see {@link Accelerator#attributes()}. */
        public Builder attributes(Map<String, String> value) {
            attributes.clear();
            attributes.putAll(value);
            return this;
        }

        /** Adds (or replaces) one entry of {@link Accelerator#attributes()}. */
        public Builder attribute(String key, String value) {
            attributes.put(key, value);
            return this;
        }

        /**
         * The accelerator.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public Accelerator build() {
            return new Accelerator(id, vendor, model, memoryBytes, computeCapability, pciAddress, nodeId, numaNode, cpuAffinity, pcie, interconnectDomain, linkBandwidthGBps, links, partitionProfiles, partitioningEnabled, power, health, attributes);
        }
    }
}
