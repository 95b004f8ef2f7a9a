package dev.strata.platform.api.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of everything Strata knows, merged from every provider's latest snapshot.
 *
 * @param generation increases whenever the content changes
 * @param takenAt when this view was assembled
 * @param sites sites by id order
 * @param nodes nodes by id order
 * @param fabrics fabrics
 * @param storagePools storage pools
 * @param powerDomains power domains
 * @param offers launchable cloud capacity by id order (see {@link CapacityOffer})
 * @param unattached accelerators a GPU provider reported that the inventory could attach to no
 *     node (no node with the snapshot's machine identity, or several candidates); their
 *     {@link Accelerator#nodeId()} is null. Shown, never placed on.
 */
public record InventorySnapshot(
        long generation,
        Instant takenAt,
        List<Site> sites,
        List<Node> nodes,
        List<Fabric> fabrics,
        List<StoragePool> storagePools,
        List<PowerDomain> powerDomains,
        List<CapacityOffer> offers,
        List<Accelerator> unattached) {

    public static final InventorySnapshot EMPTY =
            new InventorySnapshot(0, Instant.EPOCH, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    /**
     * A view without launchable capacity in which every accelerator is on a node.
     *
     * @deprecated kept for code built against the first API
     */
    @Deprecated
    public InventorySnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<Fabric> fabrics,
            List<StoragePool> storagePools, List<PowerDomain> powerDomains) {
        this(generation, takenAt, sites, nodes, fabrics, storagePools, powerDomains, List.of(), List.of());
    }

    /** A view in which every accelerator is on a node. */
    public InventorySnapshot(long generation, Instant takenAt, List<Site> sites, List<Node> nodes, List<Fabric> fabrics,
            List<StoragePool> storagePools, List<PowerDomain> powerDomains, List<CapacityOffer> offers) {
        this(generation, takenAt, sites, nodes, fabrics, storagePools, powerDomains, offers, List.of());
    }

    public InventorySnapshot {
        Objects.requireNonNull(takenAt, "inventory.takenAt");
        sites = Checks.copyList(sites, "inventory.sites");
        nodes = Checks.copyList(nodes, "inventory.nodes");
        fabrics = Checks.copyList(fabrics, "inventory.fabrics");
        storagePools = Checks.copyList(storagePools, "inventory.storagePools");
        powerDomains = Checks.copyList(powerDomains, "inventory.powerDomains");
        offers = Checks.copyList(offers, "inventory.offers");
        unattached = Checks.copyList(unattached, "inventory.unattached");
    }

    public Optional<Node> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    public Optional<CapacityOffer> offer(String id) {
        return offers.stream().filter(o -> o.id().equals(id)).findFirst();
    }

    public Optional<Site> site(String id) {
        return sites.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
