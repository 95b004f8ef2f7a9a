package dev.strata.platform.api.model;

/**
 * A PCIe link's negotiated and maximal speed and width. Speeds are per lane in GT/s; 0 when the
 * device does not report them.
 */
public record PciLink(double currentSpeedGts, int currentWidth, double maxSpeedGts, int maxWidth) {
    public PciLink {
        Checks.requireNonNegative(currentSpeedGts, "pci.link.currentSpeedGts");
        Checks.requireNonNegative(maxSpeedGts, "pci.link.maxSpeedGts");
        Checks.requireNonNegative(currentWidth, "pci.link.currentWidth");
        Checks.requireNonNegative(maxWidth, "pci.link.maxWidth");
    }

    /** The PCIe generation of a per-lane speed (2.5 GT/s is gen 1 ... 64 GT/s is gen 6), 0 if unknown. */
    public static int generationOf(double speedGts) {
        if (speedGts <= 0) {
            return 0;
        }
        double[] speeds = {2.5, 5, 8, 16, 32, 64};
        for (int i = 0; i < speeds.length; i++) {
            if (Math.abs(speedGts - speeds[i]) < 0.01) {
                return i + 1;
            }
        }
        return 0;
    }

    public int currentGeneration() {
        return generationOf(currentSpeedGts);
    }

    public int maxGeneration() {
        return generationOf(maxSpeedGts);
    }

    /** The link's usable bandwidth in GB/s per direction, after line encoding. */
    public double currentBandwidthGBps() {
        double encoding = currentSpeedGts <= 5 ? 0.8 : 128.0 / 130.0;
        return currentSpeedGts * currentWidth * encoding / 8;
    }
}
