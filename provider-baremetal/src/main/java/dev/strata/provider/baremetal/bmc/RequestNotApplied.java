package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.StrataException;
import java.util.Objects;

/**
 * A request to a BMC that surely took no effect: it never reached the BMC (no connection or no
 * session came up, or a read it needed first failed), or the BMC answered it with a refusal.
 * {@link Bmc#power} throws it so that the provisioner may send a power request again; any other
 * failure of a power request leaves it unknown whether the BMC acted on it, and a reset whose fate
 * is unknown is never sent a second time.
 *
 * <p>It is not one of Strata's portable exceptions: whoever calls {@link Bmc#power} hands
 * {@link #failure()} on, which is.
 */
public final class RequestNotApplied extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient StrataException failure;

    public RequestNotApplied(StrataException failure) {
        super(Objects.requireNonNull(failure, "failure").getMessage(), failure, false, false);
        this.failure = failure;
    }

    /** Why the request took no effect, as the portable exception to report. */
    public StrataException failure() {
        return failure;
    }
}
