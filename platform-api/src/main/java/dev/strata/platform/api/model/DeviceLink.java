package dev.strata.platform.api.model;

/**
 * One device-to-device link of an accelerator (an NVLink, for example).
 *
 * @param index the link number on the device
 * @param peerPciAddress the PCI address of the device at the other end, or null
 * @param peerKind what is at the other end: {@code GPU}, {@code SWITCH} (NVSwitch), {@code CPU}, or null when unknown
 * @param bandwidthGBps the link's bandwidth per direction in GB/s, 0 when unknown
 * @param active whether the link is up
 */
public record DeviceLink(int index, String peerPciAddress, String peerKind, double bandwidthGBps, boolean active) {
    public DeviceLink {
        Checks.requireNonNegative(bandwidthGBps, "link.bandwidthGBps");
    }
}
