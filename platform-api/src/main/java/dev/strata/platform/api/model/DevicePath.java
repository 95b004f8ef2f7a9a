package dev.strata.platform.api.model;

/**
 * How two devices of one node reach each other.
 *
 * @param from an accelerator id, or a NIC name
 * @param to an accelerator id, or a NIC name
 * @param level the PCIe path level between them
 * @param nvlinks the number of bonded NVLinks between them, 0 when none
 */
public record DevicePath(String from, String to, TopologyLevel level, int nvlinks) {
    public DevicePath {
        Checks.requireText(from, "path.from");
        Checks.requireText(to, "path.to");
        if (level == null && nvlinks <= 0) {
            throw new IllegalArgumentException("path " + Checks.printable(from) + " -> " + Checks.printable(to)
                    + " has neither a PCIe level nor NVLinks");
        }
        Checks.requireNonNegative(nvlinks, "path.nvlinks");
    }
}
