package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.model.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locality of a PCI device from {@code /sys/bus/pci/devices/<address>/}: the fallback when a source does not report it. */
public final class PciSysfs {

    private final Path devices;

    /** Reads this host's {@code /sys}. */
    public PciSysfs() {
        this(Path.of("/sys/bus/pci/devices"));
    }

    /** Reads a captured tree (tests). */
    public PciSysfs(Path devices) {
        this.devices = devices;
    }

    /** {@code numa_node} of the device, -1 when unknown. */
    public int numaNode(String pciAddress) {
        String value = read(pciAddress, "numa_node");
        try {
            return value == null ? -1 : Math.max(-1, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code local_cpulist} of the device, empty when unknown. */
    public CpuSet localCpus(String pciAddress) {
        String value = read(pciAddress, "local_cpulist");
        try {
            return value == null ? CpuSet.EMPTY : CpuSet.parseList(value);
        } catch (IllegalArgumentException e) {
            return CpuSet.EMPTY;
        }
    }

    private String read(String pciAddress, String file) {
        if (pciAddress == null) {
            return null;
        }
        try {
            return Files.readString(devices.resolve(pciAddress).resolve(file), StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
