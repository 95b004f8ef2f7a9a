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
        members = Checks.copySet(members, "fabric.members");
        Checks.requireNonNegative(linkBandwidthGbps, "fabric.linkBandwidthGbps");
        Checks.requireNonNegative(latencyMicros, "fabric.latencyMicros");
        tiers = Checks.copyList(tiers, "fabric.tiers");
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this fabric's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link Fabric}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: no members or tiers, 0 bandwidth and latency; id and type have none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String id;
        private FabricType type;
        private String technology;
        private String siteId;
        private Set<String> members = Set.of();
        private double linkBandwidthGbps;
        private double latencyMicros;
        private List<String> tiers = List.of();

        private Builder() {
        }

        private Builder(Fabric r) {
            id = r.id;
            type = r.type;
            technology = r.technology;
            siteId = r.siteId;
            members = r.members;
            linkBandwidthGbps = r.linkBandwidthGbps;
            latencyMicros = r.latencyMicros;
            tiers = r.tiers;
        }

        /** See {@link Fabric#id()}. */
        public Builder id(String value) {
            id = value;
            return this;
        }

        /** See {@link Fabric#type()}. */
        public Builder type(FabricType value) {
            type = value;
            return this;
        }

        /** See {@link Fabric#technology()}. */
        public Builder technology(String value) {
            technology = value;
            return this;
        }

        /** See {@link Fabric#siteId()}. */
        public Builder siteId(String value) {
            siteId = value;
            return this;
        }

        /** See {@link Fabric#members()}. */
        public Builder members(Set<String> value) {
            members = value;
            return this;
        }

        /** See {@link Fabric#linkBandwidthGbps()}. */
        public Builder linkBandwidthGbps(double value) {
            linkBandwidthGbps = value;
            return this;
        }

        /** See {@link Fabric#latencyMicros()}. */
        public Builder latencyMicros(double value) {
            latencyMicros = value;
            return this;
        }

        /** See {@link Fabric#tiers()}. */
        public Builder tiers(List<String> value) {
            tiers = value;
            return this;
        }

        /**
         * The fabric.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public Fabric build() {
            return new Fabric(id, type, technology, siteId, members, linkBandwidthGbps, latencyMicros, tiers);
        }
    }
}
