package dev.strata.platform.api.model;

/**
 * A network interface.
 *
 * @param name interface name, e.g. {@code eth0}, {@code ib0}
 * @param pciAddress the PCI function behind it, or null for virtual interfaces
 * @param macAddress link-layer address, or null
 * @param speedMbps negotiated speed in Mbit/s, 0 when unknown or link down
 * @param numaNode NUMA node of the device, -1 when unknown
 * @param linkType {@code ethernet}, {@code infiniband} or another link type, or null
 */
public record Nic(String name, String pciAddress, String macAddress, long speedMbps, int numaNode, String linkType) {
    public Nic {
        Checks.requireText(name, "nic.name");
        Checks.requireNonNegative(speedMbps, "nic.speedMbps");
        Checks.requireNumaNode(numaNode, "nic.numaNode");
    }
}
