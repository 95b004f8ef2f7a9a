package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.HealthRules;
import java.util.Set;

/**
 * One {@code <gpu>} of {@code nvidia-smi -q -x}, with the fields Strata uses. Numbers the file
 * shows as {@code N/A} are -1 (counts, sizes, temperatures), 0 (PCIe, power limits) or null (modes).
 *
 * @param index the GPU's nvidia-smi index: its position in the file, unless GPUs before it are
 *     lost ({@link LostGpus}), which keep their indices
 * @param pciBusId the bus id as printed, e.g. {@code 00000000:00:06.0}
 * @param productName e.g. {@code NVIDIA H200}; null when nvidia-smi shows none (absent, N/A or an
 *     error text instead)
 * @param uuid e.g. {@code GPU-5bbcfe84-...}; null when nvidia-smi shows none (absent, N/A or an
 *     error text instead)
 * @param serial the board serial, or null
 * @param vbiosVersion or null
 * @param migCurrent whether MIG is enabled now; null when the GPU has no MIG
 * @param migPending MIG mode after the next reset; null when the GPU has no MIG
 * @param memoryTotalMiB frame buffer size in MiB
 * @param eccCurrent ECC mode as printed ({@code Enabled}/{@code Disabled}), or null
 * @param pcieGenCurrent current PCIe generation
 * @param pcieGenMax highest PCIe generation the device and system support
 * @param pcieWidthCurrent current lanes
 * @param pcieWidthMax most lanes
 * @param powerEnforcedWatts the enforced power limit
 * @param powerRequestedWatts the management (requested) power limit
 * @param powerDefaultWatts the default power limit
 * @param powerMinWatts the lowest settable limit
 * @param powerMaxWatts the highest settable limit
 * @param throttleReasons active clock event reasons under NVML's names
 * @param retiredPagesPending whether pages await retirement; null when not reported
 * @param remappedRowsPending whether rows await remapping; null when not reported
 * @param remappingFailed whether row remapping failed; null when not reported
 * @param gpuUtilisation percent, -1 when not reported
 * @param memoryUtilisation percent, -1 when not reported
 * @param memoryUsedMiB -1 when not reported
 * @param powerDrawWatts -1 when not reported
 * @param temperatureCelsius -1 when not reported
 * @param smClockMHz -1 when not reported
 * @param eccVolatileCorrected -1 when not reported
 * @param eccVolatileUncorrected -1 when not reported
 * @param memoryRepair the memory repair flags under {@code ecc_errors} (drivers from 570)
 */
public record SmiGpu(int index, String pciBusId, String productName, String uuid, String serial, String vbiosVersion,
        Boolean migCurrent, Boolean migPending, long memoryTotalMiB, String eccCurrent, int pcieGenCurrent, int pcieGenMax,
        int pcieWidthCurrent, int pcieWidthMax, double powerEnforcedWatts, double powerRequestedWatts, double powerDefaultWatts,
        double powerMinWatts, double powerMaxWatts, Set<String> throttleReasons, Boolean retiredPagesPending,
        Boolean remappedRowsPending, Boolean remappingFailed, double gpuUtilisation, double memoryUtilisation,
        long memoryUsedMiB, double powerDrawWatts, double temperatureCelsius, int smClockMHz, long eccVolatileCorrected,
        long eccVolatileUncorrected, HealthRules.MemoryRepair memoryRepair) {
    public SmiGpu {
        throttleReasons = Set.copyOf(throttleReasons);
        memoryRepair = memoryRepair == null ? HealthRules.MemoryRepair.UNKNOWN : memoryRepair;
    }

    /** The same GPU under another index. */
    public SmiGpu withIndex(int newIndex) {
        return new SmiGpu(newIndex, pciBusId, productName, uuid, serial, vbiosVersion, migCurrent, migPending, memoryTotalMiB,
                eccCurrent, pcieGenCurrent, pcieGenMax, pcieWidthCurrent, pcieWidthMax, powerEnforcedWatts, powerRequestedWatts,
                powerDefaultWatts, powerMinWatts, powerMaxWatts, throttleReasons, retiredPagesPending, remappedRowsPending,
                remappingFailed, gpuUtilisation, memoryUtilisation, memoryUsedMiB, powerDrawWatts, temperatureCelsius, smClockMHz,
                eccVolatileCorrected, eccVolatileUncorrected, memoryRepair);
    }
}
