package dev.strata.platform.api.exception;

/** A provider's backend answered with an error that no more specific exception describes. */
public class ProviderFailureException extends StrataException {
    private static final long serialVersionUID = 1L;

    public ProviderFailureException(String message) {
        super(message);
    }

    public ProviderFailureException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@inheritDoc} */
    @Override
    public ProviderFailureException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public ProviderFailureException withMessage(String message, Throwable cause) {
        return copied(new ProviderFailureException(message), cause);
    }
}
