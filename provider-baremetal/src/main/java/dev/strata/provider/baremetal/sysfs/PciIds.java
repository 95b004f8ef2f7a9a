package dev.strata.provider.baremetal.sysfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Vendor and device names from the PCI id database ({@code pci.ids}) of the described system,
 * when it has one at {@code /usr/share/misc/pci.ids} or {@code /usr/share/hwdata/pci.ids}.
 * Without one every name is null.
 *
 * <p>The database is 1.3 MB, and a host has a few dozen distinct devices: it is not parsed into
 * maps of strings. One pass over its bytes decodes only the names of the ids asked for (every other
 * line costs finding its end), and the answer is kept for as long as the file's size and
 * modification time stay the same and no new id is asked for, so a repeated discovery of the same
 * host does not read the file again. (A binary search over the sorted file was tried and was slower
 * in a fresh JVM: its probes rescan the large vendor blocks while the code still runs interpreted.)
 * Thread-safe.
 */
final class PciIds {
    static final List<String> LOCATIONS = List.of("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids");

    /** What the last scan found. */
    private record Scan(Path file, long size, long modified, Set<Integer> vendorsAsked, Set<Integer> devicesAsked,
            Map<Integer, String> vendors, Map<Integer, String> devices) {
    }

    private volatile Scan last;

    /**
     * The names of the given devices.
     *
     * @param ids {@code vendor << 16 | device} of each device
     * @return the names found, by vendor id and by {@code vendor << 16 | device}
     */
    Names names(SysfsFiles files, Set<Integer> ids) {
        Set<Integer> vendorsAsked = new HashSet<>();
        ids.forEach(id -> vendorsAsked.add(id >>> 16));
        for (String location : LOCATIONS) {
            Optional<Path> real = files.resolve(location);
            if (real.isEmpty()) {
                continue;
            }
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(real.get(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | SecurityException e) {
                continue;
            }
            if (!attributes.isRegularFile() || attributes.size() == 0) {
                continue;
            }
            Scan scan = last;
            if (scan == null || !scan.file().equals(real.get()) || scan.size() != attributes.size()
                    || scan.modified() != attributes.lastModifiedTime().toMillis()
                    || !scan.vendorsAsked().containsAll(vendorsAsked) || !scan.devicesAsked().containsAll(ids)) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(real.get());
                } catch (IOException | SecurityException e) {
                    continue;
                }
                Set<Integer> allVendors = new HashSet<>(vendorsAsked);
                Set<Integer> allDevices = new HashSet<>(ids);
                if (scan != null && scan.file().equals(real.get())) {
                    allVendors.addAll(scan.vendorsAsked()); // keep what earlier discoveries asked for
                    allDevices.addAll(scan.devicesAsked());
                }
                Map<Integer, String> vendors = new HashMap<>();
                Map<Integer, String> devices = new HashMap<>();
                scan(bytes, allVendors, allDevices, vendors, devices);
                scan = new Scan(real.get(), attributes.size(), attributes.lastModifiedTime().toMillis(), Set.copyOf(allVendors),
                        Set.copyOf(allDevices), Map.copyOf(vendors), Map.copyOf(devices));
                last = scan;
            }
            return new Names(scan.vendors(), scan.devices());
        }
        return Names.NONE;
    }

    /** Names found for one discovery. */
    record Names(Map<Integer, String> vendors, Map<Integer, String> devices) {
        static final Names NONE = new Names(Map.of(), Map.of());

        String vendor(int vendorId) {
            return vendors.get(vendorId);
        }

        String device(int vendorId, int deviceId) {
            return devices.get(vendorId << 16 | deviceId);
        }
    }

    /**
     * One pass over the pci.ids layout: {@code vvvv  Vendor} at the start of a line, {@code \tdddd  Device}
     * below it; subsystem lines (two tabs), comments and the device class section ({@code C xx}) are
     * skipped. Only the vendors and devices asked for are decoded; every other line is skipped at the
     * cost of finding its end.
     */
    static void scan(byte[] data, Set<Integer> vendorsAsked, Set<Integer> devicesAsked,
            Map<Integer, String> vendors, Map<Integer, String> devices) {
        int vendor = -1;
        boolean vendorWanted = false;
        int i = 0;
        int n = data.length;
        while (i < n) {
            int end = i;
            while (end < n && data[end] != '\n') {
                end++;
            }
            byte first = i < end ? data[i] : 0;
            if (first == '\t') {
                if (vendorWanted && end - i > 6 && data[i + 1] != '\t') {
                    int id = hex4(data, i + 1);
                    if (id >= 0 && devicesAsked.contains(vendor << 16 | id)) {
                        String name = name(data, i + 5, end);
                        if (name != null) {
                            devices.putIfAbsent(vendor << 16 | id, name);
                        }
                    }
                }
            } else if (first != '#' && first != 0 && end - i > 5) {
                int id = hex4(data, i);
                if (id < 0 || !isBlank(data[i + 4])) {
                    vendor = -1; // "C 02  Network controller" and other sections end the vendor list
                    vendorWanted = false;
                } else {
                    vendor = id;
                    vendorWanted = vendorsAsked.contains(id);
                    if (vendorWanted) {
                        String name = name(data, i + 4, end);
                        if (name != null) {
                            vendors.putIfAbsent(id, name);
                        }
                    }
                }
            }
            i = end + 1;
        }
    }

    private static int hex4(byte[] data, int at) {
        if (at + 4 > data.length) {
            return -1;
        }
        int value = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(data[at + k], 16);
            if (d < 0) {
                return -1;
            }
            value = value << 4 | d;
        }
        return value;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String name(byte[] data, int from, int to) {
        int start = from;
        int stop = to;
        while (start < stop && (isBlank(data[start]) || data[start] == '\r')) {
            start++;
        }
        while (stop > start && (isBlank(data[stop - 1]) || data[stop - 1] == '\r')) {
            stop--;
        }
        return start == stop ? null : new String(data, start, stop - start, java.nio.charset.StandardCharsets.UTF_8);
    }
}
