package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.provider.baremetal.NaturalOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the network interfaces of a device from {@code /sys/class/net}: MAC address, speed, link
 * type and the PCI function behind the interface (its {@code device}, or the PCI function a virtio
 * device sits on).
 *
 * <p>An interface without a {@code device} link is the kernel's own, no NIC, and is left out: the
 * loopback, bridges, veth pairs, VLANs, tun/tap, ifb, dummies, and bonds and teams too. A bond's
 * ports are NICs with a device of their own and are listed; listing the bond as well would count
 * its ports twice.
 *
 * <p>Interfaces are listed in the {@link NaturalOrder} of their names: {@code eth2} before {@code eth10}.
 */
final class NetReader {
    static final String NET_DIR = "/sys/class/net";
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPHRD_INFINIBAND = 32;

    private final SysfsFiles files;

    NetReader(SysfsFiles files) {
        this.files = files;
    }

    List<Nic> read(Map<String, PciDevice> pciByAddress) {
        List<Nic> nics = new ArrayList<>();
        for (Path entry : files.list(files.path(NET_DIR))) {
            String name = entry.getFileName().toString();
            if (name.equals("lo") || !files.isDirectory(entry) || files.linkName(entry.resolve("device")).isEmpty()) {
                continue;
            }
            String pciAddress = pciAddress(entry.resolve("device"));
            PciDevice pci = pciAddress == null ? null : pciByAddress.get(pciAddress);
            String mac = files.value(entry.resolve("address")).orElse(null);
            OptionalLong speed = files.number(entry.resolve("speed"));
            // the kernel's speed is a signed 32-bit count, and older kernels print its "unknown" (-1)
            // unsigned: 4294967295 is no 4 Pbit/s link but an unknown speed, as -1 is
            long speedMbps = speed.isPresent() && speed.getAsLong() > 0 && speed.getAsLong() <= Integer.MAX_VALUE ? speed.getAsLong() : 0;
            nics.add(new Nic(name, pciAddress, mac, speedMbps, pci == null ? -1 : pci.numaNode(), linkType(entry)));
        }
        // eth2 before eth10: by the numbers in the names, as the Redfish processors are
        nics.sort(Comparator.comparing(Nic::name, NaturalOrder::compare));
        return nics;
    }

    private String pciAddress(Path deviceLink) {
        Optional<Path> device = files.resolve(deviceLink);
        if (device.isEmpty() || !files.exists(device.get())) {
            return null;
        }
        Path path = device.get();
        Path name = path.getFileName();
        if (name != null && PciReader.ADDRESS.matcher(name.toString()).matches()) {
            return PciReader.pciFunctionOf(path, files.root());
        }
        boolean virtio = files.linkName(path.resolve("subsystem")).filter("virtio"::equals).isPresent();
        return virtio && path.getParent() != null ? PciReader.pciFunctionOf(path.getParent(), files.root()) : null;
    }

    private String linkType(Path entry) {
        OptionalLong type = files.number(entry.resolve("type"));
        if (type.isEmpty()) {
            return null;
        }
        long t = type.getAsLong();
        // the kernel's ARPHRD_* types are 16-bit; cast to an int, 4294967297 was taken for Ethernet (1)
        if (t < 0 || t > 0xffff) {
            files.problem(entry.resolve("type"), files.value(entry.resolve("type")).orElse(""), "a 16-bit link type such as 1 (Ethernet)");
            return null;
        }
        if (t == ARPHRD_ETHER) {
            return "ethernet";
        }
        return t == ARPHRD_INFINIBAND ? "infiniband" : Long.toString(t);
    }
}
