package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a GPU provider sees on the host it covers.
 *
 * @param generation see {@link ComputeProvider#discoverCompute} for the rule
 * @param takenAt when the provider read its sources
 * @param hostname the host the accelerators are in; the inventory attaches them to the node with
 *     this host name (and, within it, to the PCI device with the accelerator's PCI address)
 * @param accelerators every accelerator seen
 * @param interconnects device-link domains (NVLink/NVSwitch) as {@link dev.strata.platform.api.model.FabricType#PCIE}
 *     fabrics whose members are accelerator ids
 * @param paths how each pair of devices is connected (the {@code nvidia-smi topo -m} matrix), both directions
 * @param unavailableReason null when the provider works; otherwise why it sees nothing (for
 *     example {@code no NVML and no nvidia-smi}), shown as the provider's state
 */
public record GpuSnapshot(long generation, Instant takenAt, String hostname, List<Accelerator> accelerators,
        List<Fabric> interconnects, List<DevicePath> paths, String unavailableReason) {
    public GpuSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        accelerators = List.copyOf(accelerators);
        interconnects = List.copyOf(interconnects);
        paths = List.copyOf(paths);
    }
}
