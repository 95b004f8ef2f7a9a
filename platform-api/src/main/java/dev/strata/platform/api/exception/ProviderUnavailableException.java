package dev.strata.platform.api.exception;

/**
 * A provider cannot serve the call: it is not registered (being replaced, or not installed), its
 * backend is unreachable, or it reports itself unavailable.
 */
public class ProviderUnavailableException extends StrataException {
    private static final long serialVersionUID = 1L;

    public ProviderUnavailableException(String message) {
        super(message);
    }

    public ProviderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@inheritDoc} */
    @Override
    public ProviderUnavailableException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public ProviderUnavailableException withMessage(String message, Throwable cause) {
        return copied(new ProviderUnavailableException(message), cause);
    }
}
