package dev.strata.provider.baremetal.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link PciIds#scan}: the one pass over the database agrees, for every vendor and a wide
 * sample of devices, with a plain parse of the whole file (the oracle below, written independently:
 * every line split into its parts), on the real database and on a hand-made, unsorted one.
 */
class PciIdsTest {

    /** The oracle: every vendor and device of a pci.ids text, first entry wins. */
    private static void parseAll(String text, Map<Integer, String> vendors, Map<Integer, String> devices) {
        int vendor = -1;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("\t\t")) {
                continue;
            }
            boolean device = line.startsWith("\t");
            String body = device ? line.substring(1) : line;
            if (body.length() < 6 || !(body.charAt(4) == ' ' || body.charAt(4) == '\t')) {
                if (!device) {
                    vendor = -1;
                }
                continue;
            }
            int id;
            try {
                id = Integer.parseInt(body.substring(0, 4), 16);
            } catch (NumberFormatException e) {
                if (!device) {
                    vendor = -1;
                }
                continue;
            }
            String name = body.substring(4).strip();
            if (device) {
                if (vendor >= 0 && !name.isEmpty()) {
                    devices.putIfAbsent(vendor << 16 | id, name);
                }
            } else {
                vendor = id;
                if (!name.isEmpty()) {
                    vendors.putIfAbsent(id, name);
                }
            }
        }
    }

    private static void assertAgreesWithTheOracle(byte[] data, int sample, long seed) {
        Map<Integer, String> vendors = new HashMap<>();
        Map<Integer, String> devices = new HashMap<>();
        parseAll(new String(data, StandardCharsets.UTF_8), vendors, devices);
        assertThat(vendors).isNotEmpty();

        Set<Integer> vendorsAsked = new HashSet<>(vendors.keySet());
        List<Integer> allDevices = new ArrayList<>(devices.keySet());
        Random random = new Random(seed);
        Set<Integer> devicesAsked = new HashSet<>();
        for (int i = 0; i < sample && !allDevices.isEmpty(); i++) {
            devicesAsked.add(allDevices.get(random.nextInt(allDevices.size())));
        }
        for (int i = 0; i < 50; i++) { // ids that are not in the database
            int key = random.nextInt();
            devicesAsked.add(key);
            vendorsAsked.add(key >>> 16);
        }
        Map<Integer, String> foundVendors = new HashMap<>();
        Map<Integer, String> foundDevices = new HashMap<>();
        PciIds.scan(data, vendorsAsked, devicesAsked, foundVendors, foundDevices);

        Map<Integer, String> expectedVendors = new HashMap<>();
        vendorsAsked.forEach(v -> {
            if (vendors.containsKey(v)) {
                expectedVendors.put(v, vendors.get(v));
            }
        });
        Map<Integer, String> expectedDevices = new HashMap<>();
        devicesAsked.forEach(d -> {
            if (devices.containsKey(d)) {
                expectedDevices.put(d, devices.get(d));
            }
        });
        assertThat(foundVendors).isEqualTo(expectedVendors);
        assertThat(foundDevices).isEqualTo(expectedDevices);
    }

    @Test
    void theRealDatabaseIsSearchedAsItIsParsed() throws Exception {
        Path real = PciIds.LOCATIONS.stream().map(Path::of).filter(Files::isRegularFile).findFirst().orElse(null);
        assumeTrue(real != null, "no PCI id database on this machine (Debian: apt-get install pci.ids)");
        assertAgreesWithTheOracle(Files.readAllBytes(real), 5_000, 42);
    }

    @Test
    void anUnsortedDatabaseIsStillRead() {
        String text = """
                # hand-edited, out of order
                8086  Intel Corporation
                \t1572  Ethernet Controller X710
                \t0100  2nd Generation Core Processor Family DRAM Controller
                10de  NVIDIA Corporation
                \t2330  GH100 [H100 SXM5 80GB]
                \t\t10de 16c1  H100 SXM5 80GB
                \t1db4  GV100GL [Tesla V100 PCIe 16GB]
                1af4  Red Hat, Inc.
                \t1041  Virtio network device
                C 02  Network controller
                \t00  Ethernet controller
                """;
        assertAgreesWithTheOracle(text.getBytes(StandardCharsets.UTF_8), 100, 7);
    }
}
