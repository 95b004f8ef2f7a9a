package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a compute provider sees, at once. Make one with {@link #builder(long, Instant)}.
 *
 * @param generation see {@link ComputeProvider#discoverCompute}
 * @param takenAt when the provider read its sources
 * @param sites the sites the nodes are at
 * @param nodes every node the provider sees
 * @param powerDomains the power domains the nodes belong to
 * @param offers launchable capacity (cloud instance types or flavors in a zone), empty for
 *     providers of existing machines
 * @param warnings what went wrong without failing the discovery (a source file that could not be
 *     parsed, firmware data that contradicts itself), one sentence each; shown with the
 *     provider's status. A provider never drops a problem silently: it either fails or says so here.
 */
public record ComputeSnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<PowerDomain> powerDomains,
        List<CapacityOffer> offers, List<String> warnings) {
    public ComputeSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        sites = List.copyOf(sites);
        nodes = List.copyOf(nodes);
        powerDomains = List.copyOf(powerDomains);
        offers = List.copyOf(offers);
        warnings = List.copyOf(warnings);
    }

    /**
     * A snapshot of existing machines only, without launchable capacity or warnings.
     *
     * @deprecated kept for providers built against the first API; use {@link #builder(long, Instant)}
     */
    @Deprecated
    public ComputeSnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<PowerDomain> powerDomains) {
        this(generation, takenAt, sites, nodes, powerDomains, List.of(), List.of());
    }

    /**
     * A snapshot without warnings.
     *
     * @deprecated use {@link #builder(long, Instant)}
     */
    @Deprecated
    public ComputeSnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<PowerDomain> powerDomains,
            List<CapacityOffer> offers) {
        this(generation, takenAt, sites, nodes, powerDomains, offers, List.of());
    }

    /** A builder for a snapshot of this generation, taken at this instant; everything else starts empty. */
    public static Builder builder(long generation, Instant takenAt) {
        return new Builder(generation, takenAt);
    }

    /** Builds a {@link ComputeSnapshot}; not thread-safe. */
    public static final class Builder {
        private final long generation;
        private final Instant takenAt;
        private List<Site> sites = List.of();
        private List<Node> nodes = List.of();
        private List<PowerDomain> powerDomains = List.of();
        private List<CapacityOffer> offers = List.of();
        private List<String> warnings = List.of();

        private Builder(long generation, Instant takenAt) {
            this.generation = generation;
            this.takenAt = takenAt;
        }

        /** See {@link ComputeSnapshot#sites()}. */
        public Builder sites(List<Site> value) {
            sites = value;
            return this;
        }

        /** See {@link ComputeSnapshot#nodes()}. */
        public Builder nodes(List<Node> value) {
            nodes = value;
            return this;
        }

        /** See {@link ComputeSnapshot#powerDomains()}. */
        public Builder powerDomains(List<PowerDomain> value) {
            powerDomains = value;
            return this;
        }

        /** See {@link ComputeSnapshot#offers()}. */
        public Builder offers(List<CapacityOffer> value) {
            offers = value;
            return this;
        }

        /** See {@link ComputeSnapshot#warnings()}. */
        public Builder warnings(List<String> value) {
            warnings = value;
            return this;
        }

        public ComputeSnapshot build() {
            return new ComputeSnapshot(generation, takenAt, sites, nodes, powerDomains, offers, warnings);
        }
    }
}
