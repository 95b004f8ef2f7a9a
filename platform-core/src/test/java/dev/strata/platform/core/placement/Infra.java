package dev.strata.platform.core.placement;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small builder of inventories for placement tests: sites, power domains, fabrics and GPU nodes. */
final class Infra {

    final List<Site> sites = new ArrayList<>();
    final List<PowerDomain> domains = new ArrayList<>();
    final List<Fabric> fabrics = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    private long generation = 1;

    Infra site(String id, String country, Set<String> jurisdictions, String operator, Set<String> operatorJurisdictions) {
        sites.add(new Site(id, "test", null, null, country, jurisdictions, new Operator(operator, operatorJurisdictions), Set.of(), 0, 0));
        return this;
    }

    Infra domain(String id, String site, double budgetWatts) {
        domains.add(new PowerDomain(id, "rack", site, null, Math.round(budgetWatts)));
        return this;
    }

    Infra rdma(String id, String site, double gbps, String... members) {
        fabrics.add(new Fabric(id, FabricType.RDMA, "InfiniBand", site, Set.of(members), gbps, 2, List.of()));
        return this;
    }

    /**
     * A node with {@code gpus} GPUs of {@code model}, spread over {@code numa} NUMA nodes; GPUs are
     * in NVLink domains of {@code domainSize} (0: no NVLink); each NUMA node has one 400G IB NIC.
     */
    Infra node(String id, String site, String domain, int cpus, long memoryGiB, int gpus, String model, long gpuMemGiB,
            int domainSize, int numa, double gpuWatts, double maxWatts) {
        List<Accelerator> accelerators = new ArrayList<>();
        for (int g = 0; g < gpus; g++) {
            int numaOf = g * numa / Math.max(1, gpus);
            String nvlink = domainSize == 0 ? null : id + "/nv" + (g / domainSize);
            accelerators.add(new Accelerator(id + "/gpu" + g, "NVIDIA", model, gpuMemGiB << 30, "9.0", null, id, numaOf, CpuSet.EMPTY,
                    null, nvlink, nvlink == null ? 0 : 450, List.of(),
                    List.of(new PartitionProfile("1g.10gb", 19, 7, 10L << 30, 16, 1, 7, List.of(0, 1, 2, 3, 4, 5, 6), 1)),
                    false, new PowerLimits(gpuWatts, gpuWatts, 0, gpuWatts), Health.OK, Map.of()));
        }
        List<NumaNode> numaNodes = new ArrayList<>();
        List<Nic> nics = new ArrayList<>();
        for (int n = 0; n < numa; n++) {
            numaNodes.add(new NumaNode(n, CpuSet.EMPTY, (memoryGiB << 30) / numa, List.of()));
            nics.add(new Nic("ib" + n, null, null, 400_000, n, "infiniband"));
        }
        List<CpuCore> cores = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            cores.add(new CpuCore(c, CpuSet.of(c)));
        }
        CpuTopology cpu = new CpuTopology(List.of(new CpuPackage(0, "x", "x", cores)), CpuSet.parseList("0-" + (cpus - 1)), CpuSet.EMPTY);
        nodes.add(new Node(id, "test", site, id, NodeKind.DECLARED, cpu, numaNodes, memoryGiB << 30, List.of(), accelerators, nics,
                List.of(), new PowerDraw(0, Math.round(maxWatts)), domain, Set.of(), ResourceState.AVAILABLE, null, Map.of()));
        return this;
    }

    /** Changes one node (records are immutable: the node is rebuilt). */
    Infra change(String nodeId, java.util.function.UnaryOperator<Node> change) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id().equals(nodeId)) {
                nodes.set(i, change.apply(nodes.get(i)));
                return this;
            }
        }
        throw new IllegalArgumentException("no node " + nodeId);
    }

    /** The node's GPUs with these partition profiles (MIG). */
    Infra mig(String nodeId, List<PartitionProfile> profiles) {
        return change(nodeId, n -> n.withAccelerators(n.accelerators().stream().map(a -> new Accelerator(a.id(), a.vendor(), a.model(),
                a.memoryBytes(), a.computeCapability(), a.pciAddress(), a.nodeId(), a.numaNode(), a.cpuAffinity(), a.pcie(),
                a.interconnectDomain(), a.linkBandwidthGBps(), a.links(), profiles, true, a.power(), a.health(), a.attributes())).toList()));
    }

    /** GPU {@code gpu} of the node in this health. */
    Infra health(String nodeId, int gpu, Health.Status status) {
        return change(nodeId, n -> {
            List<Accelerator> gpus = new ArrayList<>(n.accelerators());
            Accelerator a = gpus.get(gpu);
            gpus.set(gpu, new Accelerator(a.id(), a.vendor(), a.model(), a.memoryBytes(), a.computeCapability(), a.pciAddress(), a.nodeId(),
                    a.numaNode(), a.cpuAffinity(), a.pcie(), a.interconnectDomain(), a.linkBandwidthGBps(), a.links(), a.partitionProfiles(),
                    a.partitioningEnabled(), a.power(), new Health(status, status == Health.Status.OK ? List.of() : List.of("test: " + status)),
                    a.attributes()));
            return n.withAccelerators(gpus);
        });
    }

    /** GPU {@code gpu} of the node on NUMA node {@code numa} (-1: unknown). */
    Infra numa(String nodeId, int gpu, int numa) {
        return change(nodeId, n -> {
            List<Accelerator> gpus = new ArrayList<>(n.accelerators());
            gpus.set(gpu, gpus.get(gpu).onNode(n.id(), numa));
            return n.withAccelerators(gpus);
        });
    }

    /** The node dedicated to a tenant (owner). */
    Infra owner(String nodeId, String tenant) {
        return change(nodeId, n -> new Node(n.id(), n.providerId(), n.siteId(), n.hostname(), n.kind(), n.cpu(), n.numaNodes(), n.memoryBytes(),
                n.pciDevices(), n.accelerators(), n.nics(), n.disks(), n.power(), n.powerDomainId(), n.traits(), n.state(), tenant,
                n.attributes(), n.devicePaths()));
    }

    /** A site DE under [EU, DE] run by an EU operator: the site of the cases. */
    Infra s1() {
        return site("s1", "DE", EU_DE, "EU Colo GmbH", EU_DE);
    }

    /** An 8-GPU H100 server: 2 NUMA nodes, one NVSwitch domain of 8, 700 W GPUs, 10.2 kW. */
    Infra h100(String id, String site, String domain) {
        return node(id, site, domain, 112, 2048, 8, "NVIDIA H100 80GB HBM3", 80, 8, 2, 700, 10_200);
    }

    InventorySnapshot snapshot() {
        return new InventorySnapshot(generation++, Instant.now(), sites, nodes, fabrics, List.of(), domains);
    }

    Inventory inventory() {
        InventorySnapshot snapshot = snapshot();
        return new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
    }

    /**
     * An inventory that follows this one as the test changes it, as a provider's refresh would:
     * each {@link Swapped#change} takes the next snapshot (a new generation).
     */
    Swapped swappable() {
        return new Swapped(this);
    }

    /** An inventory the test replaces; see {@link #swappable()}. */
    static final class Swapped implements Inventory {
        private final Infra infra;
        private volatile InventorySnapshot now;

        private Swapped(Infra infra) {
            this.infra = infra;
            this.now = infra.snapshot();
        }

        /** Changes the node and takes the next snapshot. */
        void change(String nodeId, java.util.function.UnaryOperator<Node> change) {
            infra.change(nodeId, change);
            now = infra.snapshot();
        }

        @Override
        public InventorySnapshot snapshot() {
            return now;
        }

        @Override
        public InventorySnapshot refresh(Duration maxWait) {
            return now;
        }
    }

    static final Set<String> EU_DE = Set.of("EU", "DE");

    /** Frankfurt (EU operator), a US-owned Frankfurt region and a US site. */
    static Infra threeSites() {
        return new Infra()
                .site("fra-1", "DE", EU_DE, "EU Colo GmbH", EU_DE)
                .site("cloud-fra", "DE", EU_DE, "US Cloud Inc.", Set.of("US", "EU", "DE"))
                .site("us-east", "US", Set.of("US"), "US Cloud Inc.", Set.of("US"));
    }
}
