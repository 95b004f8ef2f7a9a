package dev.strata.platform.api.cluster;

import java.time.Instant;

/**
 * One instance.
 *
 * @param id its id
 * @param address where to reach it
 * @param role {@code leader} or {@code follower}
 * @param startedAt when it started
 * @param lastSeen its last heartbeat
 * @param alive whether it was seen within the last few heartbeats
 */
public record ClusterInstance(String id, String address, String role, Instant startedAt, Instant lastSeen, boolean alive) {
}
