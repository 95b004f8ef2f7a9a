package dev.strata.platform.api.cluster;

/**
 * How the instances on one state store keep their writes apart, as the store is configured: what
 * {@code strata:cluster} shows, told apart without reading {@link ClusterStatus#store()}'s text,
 * which describes the store for a person and may change (since 1.2).
 */
public enum ClusterMode {
    /** The embedded (H2) store: one process opens its file, so one instance, always the leader, and no election. */
    EMBEDDED,
    /** PostgreSQL with {@code highAvailability = true}: one leader elected through the database writes, the others follow. */
    ELECTED_LEADER,
    /**
     * PostgreSQL with {@code highAvailability = false}: every instance on the database writes, none is elected; they record
     * no heartbeat, so each lists itself alone.
     */
    SHARED_WRITERS
}
