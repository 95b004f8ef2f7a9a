package dev.strata.provider.baremetal.sysfs;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Vendor and device names from the PCI id database ({@code pci.ids}) of the described system,
 * when it has one at {@code /usr/share/misc/pci.ids} or {@code /usr/share/hwdata/pci.ids}.
 * Without one every name is null.
 */
final class PciIds {
    static final PciIds NONE = new PciIds(Map.of(), Map.of());
    static final List<String> LOCATIONS = List.of("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids");

    private final Map<Integer, String> vendors;
    private final Map<Integer, String> devices;

    private PciIds(Map<Integer, String> vendors, Map<Integer, String> devices) {
        this.vendors = vendors;
        this.devices = devices;
    }

    static PciIds read(SysfsFiles files) {
        for (String location : LOCATIONS) {
            List<String> lines = files.lines(files.path(location));
            if (!lines.isEmpty()) {
                return parse(lines);
            }
        }
        return NONE;
    }

    /**
     * Parses the pci.ids layout: {@code vvvv  Vendor} at the start of a line, {@code \tdddd  Device}
     * below it; subsystem lines (two tabs) and the device class section ({@code C xx}) are skipped.
     */
    static PciIds parse(List<String> lines) {
        Map<Integer, String> vendors = new HashMap<>();
        Map<Integer, String> devices = new HashMap<>();
        int vendor = -1;
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("\t\t")) {
                continue;
            }
            if (line.startsWith("\t")) {
                if (vendor >= 0) {
                    Entry entry = entry(line.substring(1));
                    if (entry != null) {
                        devices.putIfAbsent(vendor << 16 | entry.id, entry.name);
                    }
                }
                continue;
            }
            Entry entry = entry(line);
            vendor = entry == null ? -1 : entry.id;
            if (entry != null) {
                vendors.putIfAbsent(entry.id, entry.name);
            }
        }
        return new PciIds(vendors, devices);
    }

    String vendor(int vendorId) {
        return vendors.get(vendorId);
    }

    String device(int vendorId, int deviceId) {
        return devices.get(vendorId << 16 | deviceId);
    }

    private record Entry(int id, String name) {
    }

    /** {@code "10de  NVIDIA Corporation"}: four hex digits, blanks, a name; null for anything else. */
    private static Entry entry(String text) {
        if (text.length() < 6 || !Character.isWhitespace(text.charAt(4))) {
            return null;
        }
        try {
            int id = Integer.parseInt(text.substring(0, 4), 16);
            String name = text.substring(4).strip();
            return name.isEmpty() ? null : new Entry(id, name);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
