package dev.strata.platform.core.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Leadership where there is no election: the embedded store (one process holds the file) and
 * PostgreSQL with {@code highAvailability=false}, where every instance writes and the ledger's
 * generation check alone keeps them from double-booking.
 */
final class SoloLeadership implements Leadership {

    private final String instanceId;
    private final String address;
    private final Instant since;
    private final boolean exclusive;

    /** {@code exclusive}: whether no other instance writes (the embedded store), see {@link Leadership#exclusive()}. */
    SoloLeadership(String instanceId, String address, Instant since, boolean exclusive) {
        this.instanceId = instanceId;
        this.address = address;
        this.since = since;
        this.exclusive = exclusive;
    }

    @Override
    public boolean exclusive() {
        return exclusive;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public long epoch() {
        return 0;
    }

    @Override
    public Optional<Leader> leader() {
        return Optional.of(new Leader(instanceId, address, since, 0));
    }
}
