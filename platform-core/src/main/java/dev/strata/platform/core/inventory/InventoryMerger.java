package dev.strata.platform.core.inventory;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.provider.StorageSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges providers' latest snapshots into one {@link InventorySnapshot}: nodes from compute
 * providers (stale when their provider is not current), accelerators attached to the node with
 * their host name and PCI address, fabrics and storage pools as reported. Stateless.
 */
final class InventoryMerger {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryMerger.class);

    /**
     * A provider's contribution.
     *
     * @param providerId the provider
     * @param stale whether its resources are to be marked stale
     * @param snapshots its latest good snapshots, one per capability
     */
    record Contribution(String providerId, boolean stale, Collection<Object> snapshots) {
    }

    private InventoryMerger() {
    }

    static InventorySnapshot merge(long generation, Instant now, List<Contribution> contributions) {
        Map<String, Site> sites = new LinkedHashMap<>();
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, PowerDomain> powerDomains = new LinkedHashMap<>();
        Map<String, Fabric> fabrics = new LinkedHashMap<>();
        Map<String, StoragePool> pools = new LinkedHashMap<>();
        Map<String, CapacityOffer> offers = new LinkedHashMap<>();
        List<GpuSnapshot> gpus = new ArrayList<>();

        List<Contribution> ordered = new ArrayList<>(contributions);
        ordered.sort(Comparator.comparing(Contribution::providerId));
        for (Contribution c : ordered) {
            for (Object snapshot : c.snapshots()) {
                if (snapshot instanceof ComputeSnapshot compute) {
                    compute.sites().forEach(s -> sites.putIfAbsent(s.id(), s));
                    compute.powerDomains().forEach(p -> powerDomains.putIfAbsent(p.id(), p));
                    for (CapacityOffer offer : compute.offers()) {
                        offers.putIfAbsent(offer.id(), c.stale() ? staleOffer(offer) : offer);
                    }
                    for (Node node : compute.nodes()) {
                        Node merged = c.stale() ? node.withState(ResourceState.STALE) : node;
                        Node previous = nodes.putIfAbsent(node.id(), merged);
                        if (previous != null && !previous.providerId().equals(node.providerId())) {
                            LOG.warn("Node id {} is reported by providers {} and {}; keeping {}'s",
                                    node.id(), previous.providerId(), node.providerId(), previous.providerId());
                        }
                    }
                } else if (snapshot instanceof GpuSnapshot gpu) {
                    gpus.add(gpu);
                    gpu.interconnects().forEach(f -> fabrics.putIfAbsent(f.id(), f));
                } else if (snapshot instanceof FabricSnapshot fabric) {
                    fabric.fabrics().forEach(f -> fabrics.putIfAbsent(f.id(), f));
                } else if (snapshot instanceof StorageSnapshot storage) {
                    storage.pools().forEach(p -> pools.putIfAbsent(p.id(), p));
                }
            }
        }
        attachAccelerators(nodes, gpus);
        List<Node> nodeList = new ArrayList<>(nodes.values());
        nodeList.sort(Comparator.comparing(Node::id));
        List<Site> siteList = new ArrayList<>(sites.values());
        siteList.sort(Comparator.comparing(Site::id));
        List<CapacityOffer> offerList = new ArrayList<>(offers.values());
        offerList.sort(Comparator.comparing(CapacityOffer::id));
        return new InventorySnapshot(generation, now, siteList, nodeList, List.copyOf(fabrics.values()),
                List.copyOf(pools.values()), List.copyOf(powerDomains.values()), offerList);
    }

    private static CapacityOffer staleOffer(CapacityOffer o) {
        return new CapacityOffer(o.id(), o.providerId(), o.siteId(), o.shape(), o.machine().withState(ResourceState.STALE),
                o.limit(), o.inUse(), o.fabricIds());
    }

    /**
     * Attaches each GPU snapshot's accelerators to the node with the snapshot's host name; each
     * accelerator takes the NUMA node of the node's PCI device with its address when the GPU
     * provider did not know it. Accelerators on a host with no node are kept out (logged).
     */
    private static void attachAccelerators(Map<String, Node> nodes, List<GpuSnapshot> gpus) {
        if (gpus.isEmpty()) {
            return;
        }
        Map<String, Node> byHost = new HashMap<>();
        nodes.values().forEach(n -> {
            if (n.hostname() != null) {
                byHost.putIfAbsent(n.hostname(), n);
            }
        });
        for (GpuSnapshot gpu : gpus) {
            if (gpu.accelerators().isEmpty()) {
                continue;
            }
            Node node = gpu.hostname() == null ? null : byHost.get(gpu.hostname());
            if (node == null) {
                LOG.debug("{} accelerators on host {} have no node in the inventory", gpu.accelerators().size(), gpu.hostname());
                continue;
            }
            List<Accelerator> attached = new ArrayList<>(node.accelerators());
            for (Accelerator a : gpu.accelerators()) {
                Optional<PciDevice> pci = a.pciAddress() == null ? Optional.empty() : node.pciDevice(a.pciAddress());
                int numa = a.numaNode() >= 0 ? a.numaNode() : pci.map(PciDevice::numaNode).orElse(-1);
                attached.add(a.onNode(node.id(), numa));
            }
            List<dev.strata.platform.api.model.DevicePath> paths = new ArrayList<>(node.devicePaths());
            paths.addAll(gpu.paths());
            Node withGpus = node.withDevices(attached, paths);
            nodes.put(node.id(), withGpus);
            byHost.put(gpu.hostname(), withGpus);
        }
    }
}
