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
            throw new IllegalArgumentException("pci " + Checks.printable(address) + ": numaNode is " + numaNode + "; expected -1 or more");
        }
        Objects.requireNonNull(localCpus, "pci.localCpus");
    }

    public PciClass category() {
        return PciClass.of(classCode);
    }

    /**
     * The vendor and device id as {@code vvvv:dddd} in lower-case hex ({@code 10de:2335}), as
     * {@code lspci -n} prints them: without the brackets {@code lspci -nn} puts around them.
     */
    public String ids() {
        return String.format("%04x:%04x", vendorId, deviceId);
    }

    /** True for display controllers and processing accelerators, the devices that may be GPUs. */
    public boolean isAcceleratorCandidate() {
        PciClass category = category();
        return category == PciClass.DISPLAY || category == PciClass.ACCELERATOR;
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this pciDevice's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link PciDevice}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: vendor and device 0xffff, class 0, no names, NUMA node -1, no local CPUs, link or driver; the address has none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String address;
        private int vendorId = 0xffff;
        private int deviceId = 0xffff;
        private int classCode;
        private String vendorName;
        private String deviceName;
        private int numaNode = -1;
        private CpuSet localCpus = CpuSet.EMPTY;
        private PciLink link;
        private String driver;

        private Builder() {
        }

        private Builder(PciDevice r) {
            address = r.address;
            vendorId = r.vendorId;
            deviceId = r.deviceId;
            classCode = r.classCode;
            vendorName = r.vendorName;
            deviceName = r.deviceName;
            numaNode = r.numaNode;
            localCpus = r.localCpus;
            link = r.link;
            driver = r.driver;
        }

        /** See {@link PciDevice#address()}. */
        public Builder address(String value) {
            address = value;
            return this;
        }

        /** See {@link PciDevice#vendorId()}. */
        public Builder vendorId(int value) {
            vendorId = value;
            return this;
        }

        /** See {@link PciDevice#deviceId()}. */
        public Builder deviceId(int value) {
            deviceId = value;
            return this;
        }

        /** See {@link PciDevice#classCode()}. */
        public Builder classCode(int value) {
            classCode = value;
            return this;
        }

        /** See {@link PciDevice#vendorName()}. */
        public Builder vendorName(String value) {
            vendorName = value;
            return this;
        }

        /** See {@link PciDevice#deviceName()}. */
        public Builder deviceName(String value) {
            deviceName = value;
            return this;
        }

        /** See {@link PciDevice#numaNode()}. */
        public Builder numaNode(int value) {
            numaNode = value;
            return this;
        }

        /** See {@link PciDevice#localCpus()}. */
        public Builder localCpus(CpuSet value) {
            localCpus = value;
            return this;
        }

        /** See {@link PciDevice#link()}. */
        public Builder link(PciLink value) {
            link = value;
            return this;
        }

        /** See {@link PciDevice#driver()}. */
        public Builder driver(String value) {
            driver = value;
            return this;
        }

        /**
         * The pciDevice.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public PciDevice build() {
            return new PciDevice(address, vendorId, deviceId, classCode, vendorName, deviceName, numaNode, localCpus, link, driver);
        }
    }
}
