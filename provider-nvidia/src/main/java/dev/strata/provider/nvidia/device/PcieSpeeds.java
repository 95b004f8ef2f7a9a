package dev.strata.provider.nvidia.device;

/** PCIe generations as NVIDIA reports them, as the per-lane speeds {@link dev.strata.platform.api.model.PciLink} carries. */
public final class PcieSpeeds {

    private static final double[] GTS = {2.5, 5, 8, 16, 32, 64};

    private PcieSpeeds() {
    }

    /** The per-lane speed in GT/s of PCIe generation 1 to 6; 0 for anything else (unknown). */
    public static double gigaTransfersOf(int generation) {
        return generation >= 1 && generation <= GTS.length ? GTS[generation - 1] : 0;
    }
}
