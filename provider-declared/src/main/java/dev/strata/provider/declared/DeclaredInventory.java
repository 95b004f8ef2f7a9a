package dev.strata.provider.declared;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import java.util.List;

/**
 * What a declared inventory file describes.
 *
 * @param sites the sites
 * @param powerDomains racks, PDUs and halls with their budgets
 * @param fabrics RDMA, data and WAN fabrics
 * @param nodes the nodes, expanded from {@code count x model}
 */
record DeclaredInventory(List<Site> sites, List<PowerDomain> powerDomains, List<Fabric> fabrics, List<Node> nodes) {
    static final DeclaredInventory EMPTY = new DeclaredInventory(List.of(), List.of(), List.of(), List.of());

    DeclaredInventory {
        sites = List.copyOf(sites);
        powerDomains = List.copyOf(powerDomains);
        fabrics = List.copyOf(fabrics);
        nodes = List.copyOf(nodes);
    }
}
