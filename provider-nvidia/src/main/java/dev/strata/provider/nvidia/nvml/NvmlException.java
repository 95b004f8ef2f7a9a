package dev.strata.provider.nvidia.nvml;

/**
 * An NVML call did not return {@code NVML_SUCCESS}. Internal to the provider: {@link NvmlErrors}
 * translates it before it can leave.
 */
public final class NvmlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int code;

    public NvmlException(String function, int code) {
        super(function + " returned " + NvmlErrors.name(code) + " (" + code + ")");
        this.function = function;
        this.code = code;
    }

    /** The NVML function that failed. */
    public String function() {
        return function;
    }

    /** NVML's return code. */
    public int code() {
        return code;
    }
}
