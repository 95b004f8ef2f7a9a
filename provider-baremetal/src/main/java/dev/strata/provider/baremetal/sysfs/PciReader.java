package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PciLink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads PCI functions from {@code /sys/bus/pci/devices}: ids and class, NUMA node
 * ({@code numa_node}, -1 when the platform does not say), local CPUs, PCIe link and bound driver.
 */
final class PciReader {
    static final String PCI_DIR = "/sys/bus/pci/devices";
    /** A PCI function name, {@code domain:bus:device.function}; domains may be wider than 16 bits. */
    static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    private final SysfsFiles files;

    PciReader(SysfsFiles files) {
        this.files = files;
    }

    /** The PCI functions, without names (see {@link #named}). */
    List<PciDevice> read(CpuSet online) {
        List<PciDevice> devices = new ArrayList<>();
        for (Path entry : files.list(files.path(PCI_DIR))) {
            String address = entry.getFileName().toString();
            if (!ADDRESS.matcher(address).matches()) {
                continue;
            }
            Optional<Path> dir = files.resolve(entry);
            if (dir.isEmpty() || !files.isDirectory(dir.get())) {
                continue;
            }
            devices.add(device(address, dir.get(), online));
        }
        devices.sort(Comparator.comparing(PciDevice::address));
        return devices;
    }

    /** The devices with their vendor and device names from the PCI id database, where it has them. */
    static List<PciDevice> named(List<PciDevice> devices, PciIds.Names names) {
        return devices.stream().map(d -> {
            String vendor = names.vendor(d.vendorId());
            String device = names.device(d.vendorId(), d.deviceId());
            return vendor == null && device == null ? d : d.toBuilder().vendorName(vendor).deviceName(device).build();
        }).toList();
    }

    private PciDevice device(String address, Path dir, CpuSet online) {
        int vendor = bounded(dir.resolve("vendor"), 0xffff, 0xffff, "a 16-bit PCI vendor id such as 0x10de");
        int device = bounded(dir.resolve("device"), 0xffff, 0xffff, "a 16-bit PCI device id such as 0x2330");
        int classCode = bounded(dir.resolve("class"), 0xffffff, 0, "a 24-bit PCI class code such as 0x030200");
        int numaNode = Math.max(-1, files.intValue(dir.resolve("numa_node"), -1));
        CpuSet localCpus = files.cpus(dir.resolve("local_cpulist"), dir.resolve("local_cpus"))
                .map(s -> s.intersection(online)).orElse(CpuSet.EMPTY);
        String driver = files.linkName(dir.resolve("driver")).orElse(null);
        return PciDevice.builder().address(address).vendorId(vendor).deviceId(device).classCode(classCode).numaNode(numaNode)
                .localCpus(localCpus).link(link(dir)).driver(driver).build();
    }

    /**
     * A PCI id from a file, {@code fallback} where it is absent or above {@code max}: the kernel writes 16-bit ids and a 24-bit
     * class, so a larger number is a garbled file, recorded as a problem. Cast to an int, it was cut without a word (the
     * vendor {@code 0x10000000010de} became NVIDIA's {@code 0x10de}, one of {@code 0x1ffff} an id no device has).
     */
    private int bounded(Path file, int max, int fallback, String expected) {
        OptionalLong value = files.number(file);
        if (value.isEmpty()) {
            return fallback;
        }
        if (value.getAsLong() < 0 || value.getAsLong() > max) {
            files.problem(file, files.value(file).orElse(""), expected);
            return fallback;
        }
        return (int) value.getAsLong();
    }

    private PciLink link(Path dir) {
        double currentSpeed = speed(dir.resolve("current_link_speed"));
        int currentWidth = width(dir.resolve("current_link_width"));
        double maxSpeed = speed(dir.resolve("max_link_speed"));
        int maxWidth = width(dir.resolve("max_link_width"));
        if (currentSpeed == 0 && currentWidth == 0 && maxSpeed == 0 && maxWidth == 0) {
            return null;
        }
        return new PciLink(currentSpeed, currentWidth, maxSpeed, maxWidth);
    }

    /** {@code "8.0 GT/s PCIe"}, {@code "16 GT/s"} or {@code "2.5 GT/s"} in GT/s; 0 for "Unknown" or unreadable. */
    static double parseSpeed(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int unit = s.indexOf("gt/s");
        if (unit <= 0) {
            return 0;
        }
        try {
            double value = Double.parseDouble(s.substring(0, unit).strip());
            return value > 0 && Double.isFinite(value) ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private double speed(Path file) {
        String text = files.value(file).orElse(null);
        if (text == null) {
            return 0;
        }
        double speed = parseSpeed(text);
        if (speed == 0 && !text.toLowerCase(Locale.ROOT).startsWith("unknown")) {
            files.problem(file, text, "a link speed such as '16.0 GT/s PCIe' (or 'Unknown')");
        }
        return speed;
    }

    private int width(Path file) {
        OptionalLong value = files.number(file);
        return value.isPresent() && value.getAsLong() > 0 && value.getAsLong() <= 1024 ? (int) value.getAsLong() : 0;
    }

    /** The nearest PCI function at or above a canonical sysfs device path, or null. */
    static String pciFunctionOf(Path devicePath, Path root) {
        for (Path p = devicePath; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            Path name = p.getFileName();
            Path parent = p.getParent();
            if (name != null && ADDRESS.matcher(name.toString()).matches() && parent != null && isPciParent(parent)) {
                return name.toString().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static boolean isPciParent(Path parent) {
        Path name = parent.getFileName();
        if (name == null) {
            return false;
        }
        String text = name.toString();
        return text.startsWith("pci") || ADDRESS.matcher(text).matches();
    }
}
