package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciSysfs;

/** Lets tests of other packages map the captured nvidia-smi outputs as {@link SmiMapperTest} does. */
public final class SmiMapperTestAccess {

    private SmiMapperTestAccess() {
    }

    public static DiscoveredGpus mapCaptured(String machine, PciSysfs sysfs) {
        return SmiMapperTest.mapCaptured(machine, sysfs);
    }
}
