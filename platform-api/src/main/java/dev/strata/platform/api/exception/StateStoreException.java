package dev.strata.platform.api.exception;

/**
 * The state store cannot be reached or failed (database down, wrong credentials, a disk error).
 * The message names the store and what failed, never a credential.
 */
public class StateStoreException extends StrataException {
    private static final long serialVersionUID = 1L;

    public StateStoreException(String message) {
        super(message);
    }

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@inheritDoc} */
    @Override
    public StateStoreException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public StateStoreException withMessage(String message, Throwable cause) {
        return copied(new StateStoreException(message), cause);
    }
}
