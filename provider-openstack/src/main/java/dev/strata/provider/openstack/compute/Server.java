package dev.strata.provider.openstack.compute;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Nova server as {@code GET /servers/{id}} shows it.
 *
 * @param id its UUID
 * @param name its name
 * @param status Nova's status ({@code BUILD}, {@code ACTIVE}, {@code ERROR}, ...)
 * @param taskState the task in progress ({@code scheduling}, {@code spawning}, {@code deleting}), or null
 * @param host the compute service host it is on, or null (admin only; null before scheduling)
 * @param hypervisorHostname the node it is on, or null
 * @param metadata its metadata
 * @param tags its tags
 * @param faultCode the fault's code on ERROR, 0 when none
 * @param faultMessage the fault's message on ERROR, or null
 * @param created when it was created, or null
 * @param flavorName the flavor's name (embedded since 2.47), or null
 * @param addresses the addresses, flattened ({@code net=10.0.0.5,...}), or empty
 * @param readAt when Nova answered with it, by Nova's clock (the answer's {@code Date}), the clock
 *     {@code created} is by; null when the answer had no date
 */
public record Server(String id, String name, String status, String taskState, String host, String hypervisorHostname,
        Map<String, String> metadata, Set<String> tags, int faultCode, String faultMessage, Instant created, String flavorName,
        String addresses, Instant readAt) {

    public Server {
        Objects.requireNonNull(id, "id");
        metadata = Map.copyOf(metadata);
        tags = Set.copyOf(tags);
    }
}
