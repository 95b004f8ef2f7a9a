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
        return withMessage(message, getCause());
    }

    /**
     * This exception with another message and another cause: the same class, suppressed
     * exceptions, stack trace and fields as {@link #withMessage(String)} keeps them, with
     * {@code cause} in place of this one's, for a caller that shows the exception where its cause
     * cannot go as it is (the shell, which prints a file system error quoting a path as typed
     * escaped, through a stand-in for it). Before, such a caller made a plain
     * {@code StrataException} of the message and the new cause, and the class and fields (a
     * {@link StateStoreException}, an {@link InvalidConfigurationException}'s PID and property) were
     * lost. Every class of this package returns its own type; a subclass elsewhere that does not
     * override this method gets its nearest class of this package, as with {@link #withMessage(String)}.
     *
     * @param message the new message
     * @param cause the copy's cause, or null for none (one may then still be given with
     *        {@link #initCause})
     * @return a new exception; this one is left as it is
     * @since 1.11 (package version)
     */
    public StrataException withMessage(String message, Throwable cause) {
        return copied(new StrataException(message), cause);
    }

    /**
     * {@code copy} (a new exception of this class made with its new message and this one's fields)
     * given this one's cause, stack trace and suppressed exceptions: what {@link #withMessage(String)}
     * made before 1.11 (package version), kept for subclasses elsewhere that override it so. A cause
     * that {@code copy}'s constructor gave it stays.
     *
     * @param copy the new exception, its cause not yet set
     * @return {@code copy}
     * @since 1.7 (package version)
     */
    protected final <T extends StrataException> T copied(T copy) {
        return copied(copy, copy.getCause() == null ? getCause() : null);
    }

    /**
     * {@code copy} (a new exception of this class made with its new message and this one's fields)
     * given {@code cause} and this one's stack trace and suppressed exceptions: the end of every
     * {@link #withMessage}, so that each class only says how it is made.
     *
     * @param copy the new exception, its cause not yet set
     * @param cause the copy's cause, or null to set none
     * @return {@code copy}
     * @since 1.11 (package version)
     */
    protected final <T extends StrataException> T copied(T copy, Throwable cause) {
        if (cause != null) {
            copy.initCause(cause);
        }
        copy.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }
}
