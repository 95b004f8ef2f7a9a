package dev.strata.platform.api.exception;

/** The backend refused the credentials or the permission (HTTP 401/403 and the like). */
public class AuthorizationException extends StrataException {
    private static final long serialVersionUID = 1L;

    public AuthorizationException(String message) {
        super(message);
    }

    public AuthorizationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@inheritDoc} */
    @Override
    public AuthorizationException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public AuthorizationException withMessage(String message, Throwable cause) {
        return copied(new AuthorizationException(message), cause);
    }
}
