package dev.strata.platform.core.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Which instance may write. The embedded store has one instance, always the leader. On
 * PostgreSQL one instance is elected through the database (an advisory lock held on a dedicated
 * connection); each election increments an epoch stored in the database, and every write
 * transaction checks it, so a deposed leader's writes are refused by the database itself.
 */
public interface Leadership {

    /** This instance's id. */
    String instanceId();

    /** Whether this instance is the leader now. */
    boolean isLeader();

    /** The epoch this instance leads in, 0 when it does not. */
    long epoch();

    /** The leader as the database records it: id, address, since when; empty when none. */
    Optional<Leader> leader();

    /**
     * Whether this instance's writes, while it leads, are the only writes to the store: true for an
     * elected leader and the embedded store (one process holds the file); false for PostgreSQL with
     * {@code highAvailability=false}, where every instance writes. Without it, a ledger change must
     * not be built on one of this instance's own changes that is not yet durable: another
     * instance's change can move the generation by the same step, and the pipelined change would be
     * taken for one decided after it.
     */
    default boolean exclusive() {
        return true;
    }

    /**
     * The leader.
     *
     * @param instanceId its id
     * @param address where to reach it
     * @param since when it became leader
     * @param epoch its epoch
     */
    record Leader(String instanceId, String address, Instant since, long epoch) {
    }
}
