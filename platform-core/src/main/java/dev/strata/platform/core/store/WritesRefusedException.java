package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.NotLeaderException;

/**
 * A refusal of an instance that does not lead because it refuses writes for a reason of its own: on PostgreSQL the lock that
 * marks its mode is not held, or an instance of the other mode runs on the database
 * ({@link dev.strata.platform.api.cluster.ClusterStatus#writesRefused()}). The message gives that reason, then the leader
 * where one is known; a caller that words the refusal its own way keeps the reason, since being sent to the leader does
 * not mend this instance.
 */
public class WritesRefusedException extends NotLeaderException {
    private static final long serialVersionUID = 1L;

    public WritesRefusedException(String message, String leaderId, String leaderAddress) {
        super(message, leaderId, leaderAddress);
    }

    /** {@inheritDoc} */
    @Override
    public WritesRefusedException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} */
    @Override
    public WritesRefusedException withMessage(String message, Throwable cause) {
        return copied(new WritesRefusedException(message, leaderId(), leaderAddress()), cause);
    }
}
