package dev.strata.platform.api.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A network fabric and its members.
 *
 * @param id unique fabric id
 * @param type which of the four fabrics
 * @param technology e.g. {@code InfiniBand NDR}, {@code RoCEv2}, {@code NVLink 4}, {@code EFA}
 * @param siteId the site, or null for fabrics between sites (WAN)
 * @param members ids of the member nodes (or sites, for WAN; accelerators for NVLink domains)
 * @param linkBandwidthGbps per-member link bandwidth in Gbit/s
 * @param latencyMicros typical one-way latency in microseconds, 0 when unknown
 * @param tiers topology tiers from the innermost outwards (e.g. {@code leaf}, {@code spine})
 */
public record Fabric(
        String id,
        FabricType type,
        String technology,
        String siteId,
        Set<String> members,
        double linkBandwidthGbps,
        double latencyMicros,
        List<String> tiers) {

    public Fabric {
        Checks.requireText(id, "fabric.id");
        Objects.requireNonNull(type, "fabric.type");
        members = Set.copyOf(Objects.requireNonNull(members, "fabric.members"));
        Checks.requireNonNegative(linkBandwidthGbps, "fabric.linkBandwidthGbps");
        Checks.requireNonNegative(latencyMicros, "fabric.latencyMicros");
        tiers = List.copyOf(Objects.requireNonNull(tiers, "fabric.tiers"));
    }
}
