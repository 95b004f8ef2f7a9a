package dev.strata.platform.api.exception;

/**
 * The call conflicts with what something else holds, and nothing was changed: an allocation that
 * a deployment holds cannot be released as any other. The message names what holds it, its state,
 * and the call that resolves the conflict (HTTP 409 in spirit); calling again unchanged is
 * refused again until that holder is gone. It is also what a call gets that others' concurrent
 * changes kept refusing until it gave up (a placement while other instances kept changing the
 * allocation ledger): the message says so, and calling again later may succeed.
 *
 * @since 1.4 (package version)
 */
public class ConflictException extends StrataException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }

    /** {@inheritDoc} */
    @Override
    public ConflictException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public ConflictException withMessage(String message, Throwable cause) {
        return copied(new ConflictException(message), cause);
    }
}
