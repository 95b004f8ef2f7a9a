package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import java.util.List;

/**
 * What one source (NVML or nvidia-smi) found: the parts of a
 * {@link dev.strata.platform.api.provider.GpuSnapshot} that come from the devices.
 *
 * @param source {@code nvml} or {@code nvidia-smi}
 * @param accelerators every GPU, in the source's index order
 * @param interconnects NVLink domains
 * @param paths how each pair of devices is connected, both directions
 */
public record DiscoveredGpus(String source, List<Accelerator> accelerators, List<Fabric> interconnects, List<DevicePath> paths) {
    public DiscoveredGpus {
        accelerators = List.copyOf(accelerators);
        interconnects = List.copyOf(interconnects);
        paths = List.copyOf(paths);
    }
}
