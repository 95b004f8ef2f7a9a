package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.MachineIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a GPU provider sees on the host it covers. Make one with {@link #builder(long, Instant)}.
 *
 * <p>The inventory attaches the accelerators to a node by a stable machine identity, never by host
 * name: to the node whose {@link MachineIdentity#ATTRIBUTE} equals {@code machineId}; when the
 * snapshot carries no machine identity, to the one node whose PCI functions include every
 * accelerator's PCI address. Accelerators that match no node, or several, stay in the inventory
 * unattached ({@link dev.strata.platform.api.model.InventorySnapshot#unattached()}) and the
 * provider's status says why.
 *
 * @param generation see {@link ComputeProvider#discoverCompute} for the rule
 * @param takenAt when the provider read its sources
 * @param hostname the host the accelerators are in, as it names itself; shown, not used to attach
 * @param machineId the host's {@linkplain MachineIdentity machine identity}, or null when unknown
 * @param accelerators every accelerator seen
 * @param interconnects device-link domains (NVLink/NVSwitch) as {@link dev.strata.platform.api.model.FabricType#PCIE}
 *     fabrics whose members are accelerator ids
 * @param paths how each pair of devices is connected (the {@code nvidia-smi topo -m} matrix), both directions
 * @param unavailableReason null when the provider works; otherwise why it sees nothing (for
 *     example {@code no NVML and no nvidia-smi}), shown as the provider's state
 * @param warnings what went wrong without failing the discovery; see {@link ComputeSnapshot#warnings()}
 */
public record GpuSnapshot(long generation, Instant takenAt, String hostname, String machineId, List<Accelerator> accelerators,
        List<Fabric> interconnects, List<DevicePath> paths, String unavailableReason, List<String> warnings) {
    public GpuSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        accelerators = List.copyOf(accelerators);
        interconnects = List.copyOf(interconnects);
        paths = List.copyOf(paths);
        warnings = List.copyOf(warnings);
    }

    /**
     * A snapshot without machine identity or warnings.
     *
     * @deprecated kept for providers built against the first API; use {@link #builder(long, Instant)}
     */
    @Deprecated
    public GpuSnapshot(long generation, Instant takenAt, String hostname, List<Accelerator> accelerators,
            List<Fabric> interconnects, List<DevicePath> paths, String unavailableReason) {
        this(generation, takenAt, hostname, null, accelerators, interconnects, paths, unavailableReason, List.of());
    }

    /** A builder for a snapshot of this generation, taken at this instant; everything else starts empty. */
    public static Builder builder(long generation, Instant takenAt) {
        return new Builder(generation, takenAt);
    }

    /** Builds a {@link GpuSnapshot}; not thread-safe. */
    public static final class Builder {
        private final long generation;
        private final Instant takenAt;
        private String hostname;
        private String machineId;
        private List<Accelerator> accelerators = List.of();
        private List<Fabric> interconnects = List.of();
        private List<DevicePath> paths = List.of();
        private String unavailableReason;
        private List<String> warnings = List.of();

        private Builder(long generation, Instant takenAt) {
            this.generation = generation;
            this.takenAt = takenAt;
        }

        /** See {@link GpuSnapshot#hostname()}. */
        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        /** See {@link GpuSnapshot#machineId()}. */
        public Builder machineId(String value) {
            machineId = value;
            return this;
        }

        /** See {@link GpuSnapshot#accelerators()}. */
        public Builder accelerators(List<Accelerator> value) {
            accelerators = value;
            return this;
        }

        /** See {@link GpuSnapshot#interconnects()}. */
        public Builder interconnects(List<Fabric> value) {
            interconnects = value;
            return this;
        }

        /** See {@link GpuSnapshot#paths()}. */
        public Builder paths(List<DevicePath> value) {
            paths = value;
            return this;
        }

        /** See {@link GpuSnapshot#unavailableReason()}. */
        public Builder unavailableReason(String value) {
            unavailableReason = value;
            return this;
        }

        /** See {@link GpuSnapshot#warnings()}. */
        public Builder warnings(List<String> value) {
            warnings = value;
            return this;
        }

        public GpuSnapshot build() {
            return new GpuSnapshot(generation, takenAt, hostname, machineId, accelerators, interconnects, paths, unavailableReason, warnings);
        }
    }
}
