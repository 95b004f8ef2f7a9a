package dev.strata.provider.nvidia.device;

/** The keys of {@link dev.strata.platform.api.model.Accelerator#attributes()} this provider sets. */
public final class Attributes {

    public static final String SERIAL = "serial";
    public static final String DRIVER_VERSION = "driverVersion";
    public static final String CUDA_VERSION = "cudaVersion";
    public static final String VBIOS_VERSION = "vbiosVersion";
    /** {@code Enabled} or {@code Disabled}, as nvidia-smi prints it. */
    public static final String ECC_MODE = "eccMode";
    /** Whether MIG is enabled after the next reset: {@code Enabled} or {@code Disabled}. */
    public static final String MIG_MODE_PENDING = "migModePending";
    /** The NUMA node of the GPU's own memory where it is one (Grace Hopper and the like). */
    public static final String GPU_NUMA_NODE = "gpuNumaNode";
    /**
     * The MIG profile whose memory stands for the GPU's memory size ({@code 7g.141gb}), where the
     * source withheld the total of a MIG-enabled GPU ({@link MigMemory}); absent where it reported it.
     */
    public static final String MEMORY_FROM_PROFILE = "memoryFromProfile";
    /** How the device was read: {@code nvml} or {@code nvidia-smi}. */
    public static final String SOURCE = "source";

    private Attributes() {
    }

    /** The printed form of an enable state. */
    public static String enabled(boolean on) {
        return on ? "Enabled" : "Disabled";
    }
}
