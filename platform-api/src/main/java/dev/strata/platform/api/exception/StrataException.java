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

    /**
     * This exception with another message: the same class, cause, suppressed exceptions, stack
     * trace and fields (an {@link InvalidConfigurationException}'s PID and property, a
     * {@link NotLeaderException}'s leader), for a provider that takes a secret out of a message (a
     * signed URL's token that a vendor's answer quoted) before it throws. This exception is not the
     * copy's cause, so its message goes nowhere; its cause and suppressed exceptions are kept as
     * they are, so whoever takes a secret out of the message checks that they hold none. Every
     * class of this package returns its own type; a subclass elsewhere that does not override this
     * method gets its nearest class of this package.
     *
     * @param message the new message
     * @return a new exception; this one is left as it is
     * @since 1.7 (package version)
     */
    public StrataException withMessage(String message) {
        return copied(new StrataException(message));
    }

    /**
     * {@code copy} (a new exception of this class made with its new message and this one's fields)
     * given this one's cause, stack trace and suppressed exceptions: the end of every
     * {@link #withMessage}.
     *
     * @param copy the new exception, its cause not yet set
     * @return {@code copy}
     * @since 1.7 (package version)
     */
    protected final <T extends StrataException> T copied(T copy) {
        Throwable cause = getCause();
        if (cause != null && copy.getCause() == null) {
            copy.initCause(cause);
        }
        copy.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }
}
