package dev.strata.platform.api.cluster;

import java.time.Instant;
import java.util.List;

/**
 * The cluster.
 *
 * @param store the store: {@code embedded (H2) FILE} with the file's size, how much of it is live
 *     data and whether its store header is kept on the newest commit, or {@code postgresql URL};
 *     then the installation id ({@code installation ID}, the label
 *     {@link dev.strata.platform.api.provisioning.MachineLabels#INSTALLATION} of its machines)
 * @param highAvailability whether instances elect a leader (PostgreSQL)
 * @param self this instance's id
 * @param leader the leader's id, or null during an election
 * @param leaderAddress where to reach it, or null
 * @param leaderSince since when it leads, or null
 * @param epoch the leader's epoch
 * @param instances every instance seen
 * @param writesRefused why this instance refuses every write for a reason of its own (on
 *     PostgreSQL: the lock that marks its mode is not held, or an instance of the other mode runs
 *     on the database), null while it does not; a follower's refusal, which names the leader, is
 *     not one (since 1.1)
 */
public record ClusterStatus(String store, boolean highAvailability, String self, String leader, String leaderAddress, Instant leaderSince,
        long epoch, List<ClusterInstance> instances, String writesRefused) {
    public ClusterStatus {
        instances = List.copyOf(instances);
    }

    /** A status of an instance that refuses no write for a reason of its own ({@link #writesRefused()} null). */
    public ClusterStatus(String store, boolean highAvailability, String self, String leader, String leaderAddress, Instant leaderSince,
            long epoch, List<ClusterInstance> instances) {
        this(store, highAvailability, self, leader, leaderAddress, leaderSince, epoch, instances, null);
    }
}
