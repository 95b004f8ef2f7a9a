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
 * @param mode how the instances keep their writes apart: {@link ClusterMode#ELECTED_LEADER} exactly where
 *     {@code highAvailability} is true (since 1.2)
 */
public record ClusterStatus(String store, boolean highAvailability, String self, String leader, String leaderAddress, Instant leaderSince,
        long epoch, List<ClusterInstance> instances, String writesRefused, ClusterMode mode) {
    public ClusterStatus {
        instances = List.copyOf(instances);
        if (mode == null) {
            throw new IllegalArgumentException("the cluster status of instance " + self + " has no mode; expected one of "
                    + java.util.Arrays.toString(ClusterMode.values()));
        }
        if ((mode == ClusterMode.ELECTED_LEADER) != highAvailability) {
            throw new IllegalArgumentException("the cluster status of instance " + self + " has mode " + mode + " with highAvailability = "
                    + highAvailability + "; expected " + ClusterMode.ELECTED_LEADER + " exactly where highAvailability is true");
        }
    }

    /**
     * A status whose mode is told from {@code highAvailability} and the store's description, as before 1.2:
     * {@link ClusterMode#ELECTED_LEADER} where {@code highAvailability} is true, else {@link ClusterMode#SHARED_WRITERS} where
     * {@code store} begins with {@code "postgresql "}, else {@link ClusterMode#EMBEDDED}. Kept for callers of 1.1; a store
     * names its mode with the canonical constructor, since its description may change.
     */
    public ClusterStatus(String store, boolean highAvailability, String self, String leader, String leaderAddress, Instant leaderSince,
            long epoch, List<ClusterInstance> instances, String writesRefused) {
        this(store, highAvailability, self, leader, leaderAddress, leaderSince, epoch, instances, writesRefused,
                highAvailability ? ClusterMode.ELECTED_LEADER
                        : store != null && store.startsWith("postgresql ") ? ClusterMode.SHARED_WRITERS : ClusterMode.EMBEDDED);
    }

    /**
     * A status of an instance that refuses no write for a reason of its own ({@link #writesRefused()} null), its mode told
     * from {@code highAvailability} and the store's description as {@linkplain #ClusterStatus(String, boolean, String, String,
     * String, Instant, long, List, String) the 1.1 constructor} tells it.
     */
    public ClusterStatus(String store, boolean highAvailability, String self, String leader, String leaderAddress, Instant leaderSince,
            long epoch, List<ClusterInstance> instances) {
        this(store, highAvailability, self, leader, leaderAddress, leaderSince, epoch, instances, null);
    }
}
