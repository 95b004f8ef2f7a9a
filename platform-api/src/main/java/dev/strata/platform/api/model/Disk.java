package dev.strata.platform.api.model;

/**
 * A local block device.
 *
 * @param name kernel name, e.g. {@code nvme0n1}
 * @param sizeBytes capacity in bytes
 * @param rotational true for spinning media
 * @param pciAddress the controller's PCI function, or null
 */
public record Disk(String name, long sizeBytes, boolean rotational, String pciAddress) {
    public Disk {
        Checks.requireText(name, "disk.name");
        Checks.requireNonNegative(sizeBytes, "disk.sizeBytes");
    }
}
