package dev.strata.provider.nvidia.nvml;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.provider.nvidia.device.DriverMismatch;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one place where NVML's return codes become Strata's exceptions:
 * <ul>
 * <li>{@code NVML_ERROR_NOT_SUPPORTED}, {@code FUNCTION_NOT_FOUND} (an older driver),
 *     {@code NO_DATA} and {@code NO_PERMISSION} on a query: the value is unknown, not an error
 *     ({@link #orUnknown});</li>
 * <li>{@code NVML_ERROR_TIMEOUT}: {@link ProviderTimeoutException};</li>
 * <li>{@code LIBRARY_NOT_FOUND}, {@code DRIVER_NOT_LOADED}, {@code NO_PERMISSION},
 *     {@code FUNCTION_NOT_FOUND} on initialisation: NVML is unavailable ({@link #makesUnavailable}),
 *     as nvidia-smi is when it exits with 9 or 12;</li>
 * <li>everything else: {@link ProviderFailureException} naming the function and the NVML error;
 *     for {@code LIB_RM_VERSION_MISMATCH} (the driver's libraries do not match the loaded kernel
 *     module), also what to do ({@link DriverMismatch}), as nvidia-smi's exit status 18 does.</li>
 * </ul>
 * An error of one device's call that does not concern NVML as a whole ({@link #concernsEveryDevice})
 * concerns that device alone: the mapper reports the device FAILED instead of failing.
 */
public final class NvmlErrors {

    public static final int SUCCESS = 0;
    public static final int UNINITIALIZED = 1;
    public static final int INVALID_ARGUMENT = 2;
    public static final int NOT_SUPPORTED = 3;
    public static final int NO_PERMISSION = 4;
    public static final int NOT_FOUND = 6;
    public static final int INSUFFICIENT_SIZE = 7;
    public static final int DRIVER_NOT_LOADED = 9;
    public static final int TIMEOUT = 10;
    public static final int LIBRARY_NOT_FOUND = 12;
    public static final int FUNCTION_NOT_FOUND = 13;
    public static final int CORRUPTED_INFOROM = 14;
    public static final int GPU_IS_LOST = 15;
    public static final int LIB_RM_VERSION_MISMATCH = 18;
    public static final int NO_DATA = 21;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "NVML_SUCCESS"),
            Map.entry(1, "NVML_ERROR_UNINITIALIZED"),
            Map.entry(2, "NVML_ERROR_INVALID_ARGUMENT"),
            Map.entry(3, "NVML_ERROR_NOT_SUPPORTED"),
            Map.entry(4, "NVML_ERROR_NO_PERMISSION"),
            Map.entry(5, "NVML_ERROR_ALREADY_INITIALIZED"),
            Map.entry(6, "NVML_ERROR_NOT_FOUND"),
            Map.entry(7, "NVML_ERROR_INSUFFICIENT_SIZE"),
            Map.entry(8, "NVML_ERROR_INSUFFICIENT_POWER"),
            Map.entry(9, "NVML_ERROR_DRIVER_NOT_LOADED"),
            Map.entry(10, "NVML_ERROR_TIMEOUT"),
            Map.entry(11, "NVML_ERROR_IRQ_ISSUE"),
            Map.entry(12, "NVML_ERROR_LIBRARY_NOT_FOUND"),
            Map.entry(13, "NVML_ERROR_FUNCTION_NOT_FOUND"),
            Map.entry(14, "NVML_ERROR_CORRUPTED_INFOROM"),
            Map.entry(15, "NVML_ERROR_GPU_IS_LOST"),
            Map.entry(16, "NVML_ERROR_RESET_REQUIRED"),
            Map.entry(17, "NVML_ERROR_OPERATING_SYSTEM"),
            Map.entry(18, "NVML_ERROR_LIB_RM_VERSION_MISMATCH"),
            Map.entry(19, "NVML_ERROR_IN_USE"),
            Map.entry(20, "NVML_ERROR_MEMORY"),
            Map.entry(21, "NVML_ERROR_NO_DATA"),
            Map.entry(22, "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED"),
            Map.entry(23, "NVML_ERROR_INSUFFICIENT_RESOURCES"),
            Map.entry(24, "NVML_ERROR_FREQ_NOT_SUPPORTED"),
            Map.entry(25, "NVML_ERROR_ARGUMENT_VERSION_MISMATCH"),
            Map.entry(26, "NVML_ERROR_DEPRECATED"),
            Map.entry(27, "NVML_ERROR_NOT_READY"),
            Map.entry(28, "NVML_ERROR_GPU_NOT_FOUND"),
            Map.entry(29, "NVML_ERROR_INVALID_STATE"),
            Map.entry(30, "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED"),
            Map.entry(999, "NVML_ERROR_UNKNOWN"));

    private NvmlErrors() {
    }

    /** NVML's name of a return code, e.g. {@code NVML_ERROR_NOT_SUPPORTED}. */
    public static String name(int code) {
        return NAMES.getOrDefault(code, "NVML_ERROR_" + code);
    }

    /**
     * Whether a code means the value is merely unknown on this device or driver (or to this user:
     * some values need privileges that discovery should not require).
     */
    public static boolean isUnknown(int code) {
        return code == NOT_SUPPORTED || code == FUNCTION_NOT_FOUND || code == NO_DATA || code == NO_PERMISSION;
    }

    /**
     * Whether a failed {@code nvmlInit_v2} means that NVML cannot be used on this host at all. A
     * version mismatch does not: the host has GPUs and a driver, which needs a reboot or a reload.
     */
    public static boolean makesUnavailable(int code) {
        return code == LIBRARY_NOT_FOUND || code == DRIVER_NOT_LOADED || code == NO_PERMISSION || code == FUNCTION_NOT_FOUND;
    }

    /**
     * Whether an error answered by one device's call concerns NVML or the driver as a whole, not that
     * device: NVML not initialised, the driver or library gone or of another version, a function the
     * library lacks, a timeout. Any other error ({@code NVML_ERROR_GPU_IS_LOST},
     * {@code NVML_ERROR_UNKNOWN}, {@code NVML_ERROR_CORRUPTED_INFOROM} and the like) is that device's.
     */
    public static boolean concernsEveryDevice(int code) {
        return code == UNINITIALIZED || code == DRIVER_NOT_LOADED || code == TIMEOUT || code == LIBRARY_NOT_FOUND
                || code == FUNCTION_NOT_FOUND || code == LIB_RM_VERSION_MISMATCH;
    }

    /** The value of a call, or {@code unknown} when NVML says the value is not supported or not available. */
    public static <T> T orUnknown(Supplier<T> call, T unknown) {
        try {
            return call.get();
        } catch (NvmlException e) {
            if (isUnknown(e.code())) {
                return unknown;
            }
            throw e;
        }
    }

    /** The Strata exception for a failed call. */
    public static StrataException translate(NvmlException e) {
        if (e.code() == TIMEOUT) {
            return new ProviderTimeoutException("NVML timed out: " + e.getMessage(), e);
        }
        if (e.code() == LIB_RM_VERSION_MISMATCH) {
            return new ProviderFailureException("NVML failed: " + e.getMessage() + "; " + DriverMismatch.ADVICE, e);
        }
        return new ProviderFailureException("NVML failed: " + e.getMessage(), e);
    }
}
