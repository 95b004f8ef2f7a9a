package dev.strata.platform.api.model;

import java.util.Objects;

/**
 * A PCI function.
 *
 * @param address the PCI address, {@code domain:bus:device.function}, lower case, e.g. {@code 0000:3b:00.0}
 * @param vendorId the PCI vendor id, e.g. {@code 0x10de}
 * @param deviceId the PCI device id
 * @param classCode the 24-bit PCI class code, e.g. {@code 0x030200} for a 3D controller
 * @param vendorName the vendor's name from the PCI id database, or null
 * @param deviceName the device's name from the PCI id database, or null
 * @param numaNode the NUMA node the device is attached to, or -1 when the platform does not say
 * @param localCpus the CPUs local to the device, empty when unknown
 * @param link the PCIe link, or null when the device reports no link (integrated, virtual)
 * @param driver the bound kernel driver, or null
 */
public record PciDevice(
        String address,
        int vendorId,
        int deviceId,
        int classCode,
        String vendorName,
        String deviceName,
        int numaNode,
        CpuSet localCpus,
        PciLink link,
        String driver) {

    public static final int NVIDIA = 0x10de;

    public PciDevice {
        Checks.requireText(address, "pci.address");
        address = address.toLowerCase(java.util.Locale.ROOT);
        if (numaNode < -1) {
            throw new IllegalArgumentException("pci " + address + ": numaNode is " + numaNode + "; expected -1 or more");
        }
        Objects.requireNonNull(localCpus, "pci.localCpus");
    }

    public PciClass category() {
        return PciClass.of(classCode);
    }

    /** {@code [vvvv:dddd]} as lspci and hwloc print it. */
    public String ids() {
        return String.format("%04x:%04x", vendorId, deviceId);
    }

    /** True for display controllers and processing accelerators, the devices that may be GPUs. */
    public boolean isAcceleratorCandidate() {
        PciClass category = category();
        return category == PciClass.DISPLAY || category == PciClass.ACCELERATOR;
    }
}
