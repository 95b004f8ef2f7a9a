package dev.strata.provider.baremetal.bmc;

import java.util.Locale;

/** Where a system boots from next: the boot source override. */
public enum BootTarget {
    /** The network (PXE). */
    PXE("Pxe", "pxe"),
    /** The local disk. */
    DISK("Hdd", "disk"),
    /** The virtual CD/DVD, where virtual media was inserted. */
    CD("Cd", "cdrom");

    private final String redfish;
    private final String ipmi;

    BootTarget(String redfish, String ipmi) {
        this.redfish = redfish;
        this.ipmi = ipmi;
    }

    /** Redfish {@code BootSourceOverrideTarget}. */
    public String redfish() {
        return redfish;
    }

    /** {@code ipmitool chassis bootdev} argument. */
    public String ipmi() {
        return ipmi;
    }

    /** {@code pxe}, {@code disk} or {@code cd} (case-insensitive), as written in request parameters. */
    public static BootTarget parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "pxe", "network" -> PXE;
            case "disk", "hdd" -> DISK;
            case "cd", "cdrom", "virtualmedia" -> CD;
            default -> throw new IllegalArgumentException("'" + text + "' is not a boot device; expected pxe, disk or cd");
        };
    }
}
