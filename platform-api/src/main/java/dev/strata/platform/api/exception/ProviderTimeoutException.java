package dev.strata.platform.api.exception;

/** A provider call did not finish before its deadline, or was interrupted. */
public class ProviderTimeoutException extends StrataException {
    private static final long serialVersionUID = 1L;

    public ProviderTimeoutException(String message) {
        super(message);
    }

    public ProviderTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@inheritDoc} */
    @Override
    public ProviderTimeoutException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public ProviderTimeoutException withMessage(String message, Throwable cause) {
        return copied(new ProviderTimeoutException(message), cause);
    }
}
