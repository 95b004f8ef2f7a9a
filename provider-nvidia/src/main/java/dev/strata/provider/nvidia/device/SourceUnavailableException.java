package dev.strata.provider.nvidia.device;

/** A source cannot be used on this host: its library or binary is missing, or the driver is not loaded. */
public final class SourceUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(String message) {
        super(message);
    }

    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
