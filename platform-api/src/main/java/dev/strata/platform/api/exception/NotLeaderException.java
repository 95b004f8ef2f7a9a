package dev.strata.platform.api.exception;

/**
 * A write reached an instance that is not the leader of its cluster. The message names the
 * leader and where to reach it; {@link #leaderId()} and {@link #leaderAddress()} return them
 * alone (null when no leader is known, e.g. during an election).
 */
public class NotLeaderException extends StrataException {
    private static final long serialVersionUID = 1L;

    private final String leaderId;
    private final String leaderAddress;

    public NotLeaderException(String message, String leaderId, String leaderAddress) {
        super(message);
        this.leaderId = leaderId;
        this.leaderAddress = leaderAddress;
    }

    /** The leader's instance id, or null. */
    public String leaderId() {
        return leaderId;
    }

    /** Where to reach the leader, or null. */
    public String leaderAddress() {
        return leaderAddress;
    }

    /** {@inheritDoc} */
    @Override
    public NotLeaderException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public NotLeaderException withMessage(String message, Throwable cause) {
        return copied(new NotLeaderException(message, leaderId, leaderAddress), cause);
    }
}
