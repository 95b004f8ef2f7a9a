package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.model.Disk;
import dev.strata.provider.baremetal.NaturalOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads local block devices from {@code /sys/block}, except loop, RAM, zram and device-mapper
 * devices, and devices that are no local storage (see {@link #NOT_LOCAL_STORAGE}): size ({@code size} in 512-byte sectors), {@code queue/rotational} and the PCI function
 * of the controller the device hangs below. Devices are listed in the {@link NaturalOrder} of their
 * names: {@code nvme2n1} before {@code nvme10n1}.
 */
final class BlockReader {
    static final String BLOCK_DIR = "/sys/block";
    private static final List<String> VIRTUAL_PREFIXES = List.of("loop", "ram", "zram", "dm-");
    /**
     * Names of block devices that are no local storage of their own: software RAID arrays ({@code md0}, built from disks
     * that are listed themselves, as device-mapper volumes are), network block devices ({@code nbd0}, another machine's
     * storage), Ceph RBD images ({@code rbd0}, a cluster's storage over the network), ZFS volumes ({@code zd0}, carved from
     * a pool of disks listed themselves), DRBD devices ({@code drbd0}, a local disk, listed itself, replicated over the
     * network), bcache devices ({@code bcache0}, a backing disk behind a cache disk, both listed themselves), optical drives
     * ({@code sr0}) and floppy drives ({@code fd0}). Listed, they added an array's or a volume's size to its disks' and a
     * CD's to the machine's storage. Xen's virtual disks ({@code xvda}) stay: in a VM they are the machine's local disks,
     * as {@code vda} is. A device whose {@code removable} is 1 (a USB stick, a card reader) is left out as well, and one
     * whose {@code hidden} is 1: a path of an NVMe namespace under native multipath ({@code nvme0c0n1}), which the kernel
     * lists beside the namespace ({@code nvme0n1}) though it is no device of its own, so each multipath namespace counted
     * once per path more.
     *
     * <p>Nor is a device that is another machine's storage reached over a storage network, whatever its name (see
     * {@link #overNetwork}).
     */
    static final List<String> NOT_LOCAL_STORAGE = List.of("md", "nbd", "rbd", "zd", "drbd", "bcache", "sr", "fd");
    private static final long SECTOR_BYTES = 512;
    /** An iSCSI session's device ({@code session%u}, drivers/scsi/scsi_transport_iscsi.c): the LUNs below it are a target's. */
    private static final Pattern ISCSI_SESSION = Pattern.compile("session\\d+");
    /** A Fibre Channel remote port ({@code rport-%d:%d-%d}, drivers/scsi/scsi_transport_fc.c): the LUNs below it are an array's. */
    private static final Pattern FC_REMOTE_PORT = Pattern.compile("rport-\\d+:\\d+-\\d+");
    private static final Pattern NVME_CONTROLLER = Pattern.compile("nvme\\d+");
    /**
     * The NVMe transports ({@code /sys/class/nvme/nvmeN/transport}) of controllers that reach another machine's
     * namespaces: NVMe over TCP, RDMA and Fibre Channel, and the loop target that exports a device listed itself.
     */
    private static final List<String> FABRIC_TRANSPORTS = List.of("tcp", "rdma", "fc", "loop");

    private final SysfsFiles files;

    BlockReader(SysfsFiles files) {
        this.files = files;
    }

    List<Disk> read() {
        List<Disk> disks = new ArrayList<>();
        for (Path entry : files.list(files.path(BLOCK_DIR))) {
            String name = entry.getFileName().toString();
            if (VIRTUAL_PREFIXES.stream().anyMatch(name::startsWith) || NOT_LOCAL_STORAGE.stream().anyMatch(name::startsWith)
                    || !files.isDirectory(entry) || files.value(entry.resolve("removable")).filter("1"::equals).isPresent()
                    || files.value(entry.resolve("hidden")).filter("1"::equals).isPresent()) {
                continue;
            }
            Optional<Path> device = files.resolve(entry);
            if (device.filter(d -> overNetwork(name, d)).isPresent()) {
                continue;
            }
            OptionalLong sectors = files.number(entry.resolve("size"));
            long size = sectors.isPresent() && sectors.getAsLong() > 0 && sectors.getAsLong() <= Long.MAX_VALUE / SECTOR_BYTES
                    ? sectors.getAsLong() * SECTOR_BYTES : 0;
            boolean rotational = files.value(entry.resolve("queue/rotational")).filter("1"::equals).isPresent();
            String pciAddress = device.map(p -> PciReader.pciFunctionOf(p, files.root())).orElse(null);
            disks.add(new Disk(name, size, rotational, pciAddress));
        }
        // nvme2n1 before nvme10n1: by the numbers in the names, as the NICs are
        disks.sort(Comparator.comparing(Disk::name, NaturalOrder::compare));
        return disks;
    }

    /**
     * Whether a block device (its canonical path below the root) is a LUN or namespace of another machine's reached over a
     * storage network, as {@code nbd} and {@code rbd} devices are: a SCSI disk below an iSCSI session or a Fibre Channel
     * remote port (each path to a LUN is a disk {@code sdX} of its own, so a LUN seen over four paths counted four times
     * beside the multipath device that is left out), or an NVMe namespace whose controller, or under native multipath any
     * controller of its subsystem, has a fabric transport. Such a device was listed as the machine's local disk, with no
     * PCI function or with the host bus adapter's.
     */
    private boolean overNetwork(String name, Path device) {
        if (!device.startsWith(files.root())) {
            return false;
        }
        for (Path part : files.root().relativize(device)) {
            if (ISCSI_SESSION.matcher(part.toString()).matches() || FC_REMOTE_PORT.matcher(part.toString()).matches()) {
                return true;
            }
        }
        Path parent = device.getParent();
        if (!name.startsWith("nvme") || parent == null || !parent.startsWith(files.root())) {
            return false;
        }
        // without multipath the namespace is below its controller; with it, below the subsystem, which links to its controllers
        List<Path> controllers = files.exists(parent.resolve("transport")) ? List.of(parent)
                : files.list(parent).stream().filter(p -> NVME_CONTROLLER.matcher(p.getFileName().toString()).matches()).toList();
        return controllers.stream().anyMatch(c -> files.value(c.resolve("transport")).filter(FABRIC_TRANSPORTS::contains).isPresent());
    }
}
