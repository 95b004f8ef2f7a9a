package dev.strata.platform.api.model;

/** The portable category of a PCI device, from its PCI class code. */
public enum PciClass {
    STORAGE,
    NETWORK,
    DISPLAY,
    /** InfiniBand and other non-Ethernet network controllers are {@link #NETWORK}; this is class 0x12. */
    ACCELERATOR,
    BRIDGE,
    OTHER;

    /** Maps a 24-bit PCI class code (class, subclass, prog-if) to a category; unknown classes are {@link #OTHER}. */
    public static PciClass of(int classCode) {
        return switch (classCode >>> 16) {
            case 0x01 -> STORAGE;
            case 0x02 -> NETWORK;
            case 0x03 -> DISPLAY;
            case 0x06 -> BRIDGE;
            case 0x12 -> ACCELERATOR;
            default -> OTHER;
        };
    }
}
