package dev.strata.platform.api.exception;

/** A resource, provider or record named by id does not exist. */
public class NotFoundException extends StrataException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }

    /** {@inheritDoc} */
    @Override
    public NotFoundException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public NotFoundException withMessage(String message, Throwable cause) {
        return copied(new NotFoundException(message), cause);
    }
}
