package dev.strata.platform.api.provider;

import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a compute provider sees, at once.
 *
 * @param generation see {@link ComputeProvider#discoverCompute}
 * @param takenAt when the provider read its sources
 * @param sites the sites the nodes are at
 * @param nodes every node the provider sees
 * @param powerDomains the power domains the nodes belong to
 * @param offers launchable capacity (cloud instance types or flavors in a zone), empty for
 *     providers of existing machines
 */
public record ComputeSnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<PowerDomain> powerDomains,
        List<CapacityOffer> offers) {
    public ComputeSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        sites = List.copyOf(sites);
        nodes = List.copyOf(nodes);
        powerDomains = List.copyOf(powerDomains);
        offers = List.copyOf(offers);
    }

    /** A snapshot of existing machines only, without launchable capacity. */
    public ComputeSnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<PowerDomain> powerDomains) {
        this(generation, takenAt, sites, nodes, powerDomains, List.of());
    }
}
