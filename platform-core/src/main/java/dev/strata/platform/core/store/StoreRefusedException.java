package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.StrataException;

/** A write whose precondition failed: nothing of it was written. */
public class StoreRefusedException extends StrataException {
    private static final long serialVersionUID = 1L;

    public StoreRefusedException(String message) {
        super(message);
    }

    public StoreRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
