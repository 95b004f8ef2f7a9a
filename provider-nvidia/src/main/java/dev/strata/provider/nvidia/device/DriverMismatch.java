package dev.strata.provider.nvidia.device;

/**
 * The NVIDIA kernel module that is loaded and the driver's libraries on disk are of different
 * versions: NVML answers {@code NVML_ERROR_LIB_RM_VERSION_MISMATCH} (18) and nvidia-smi exits with
 * 18 ("Failed to initialize NVML: Driver/library version mismatch"), the usual state after a driver
 * upgrade without a reboot. The GPUs are there but cannot be used until the module is reloaded, so
 * both sources report it as a failure (never as a host without NVIDIA driver) and say what to do.
 */
public final class DriverMismatch {

    /** NVML's return code and nvidia-smi's exit status for the mismatch. */
    public static final int CODE = 18;

    /** What an operator has to do, appended to the error. */
    public static final String ADVICE = "the loaded NVIDIA kernel module and the installed driver libraries are of different versions"
            + " (usually a driver upgrade without a reboot): reboot the host, or unload and reload the nvidia kernel modules"
            + " once no process uses the GPUs";

    private DriverMismatch() {
    }
}
