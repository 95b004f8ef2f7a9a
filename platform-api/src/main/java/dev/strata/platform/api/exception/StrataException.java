package dev.strata.platform.api.exception;

/**
 * The root of Strata's portable, unchecked exceptions. Providers translate vendor errors into
 * one of its subclasses at a single place; vendor exception types never cross the SPI.
 */
public class StrataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StrataException(String message) {
        super(message);
    }

    public StrataException(String message, Throwable cause) {
        super(message, cause);
    }
}
