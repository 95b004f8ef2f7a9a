package dev.strata.benchmarks.engine;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A generated inventory for the placement benchmarks: 8-GPU NVSwitch servers (H100, H200, A100)
 * over six sites in four countries, two of them run by a US-owned operator; racks of four
 * servers as power domains (some racks under-provisioned); one InfiniBand fabric per pod of 256
 * servers. And a seeded stream of contracts that uses every clause.
 */
final class GeneratedCluster {

    record SiteSpec(String id, String country, Set<String> jurisdictions, String operator, Set<String> operatorJurisdictions) {
    }

    static final List<SiteSpec> SITES = List.of(
            new SiteSpec("fra-1", "DE", Set.of("EU", "DE"), "EU Colo GmbH", Set.of("EU", "DE")),
            new SiteSpec("par-1", "FR", Set.of("EU", "FR"), "EU Datacentres SAS", Set.of("EU", "FR")),
            new SiteSpec("ams-1", "NL", Set.of("EU", "NL"), "EU Hosting BV", Set.of("EU", "NL")),
            new SiteSpec("cloud-fra", "DE", Set.of("EU", "DE"), "US Cloud Inc.", Set.of("US", "EU", "DE")),
            new SiteSpec("us-east", "US", Set.of("US"), "US Cloud Inc.", Set.of("US")),
            new SiteSpec("us-west", "US", Set.of("US"), "US Cloud Inc.", Set.of("US")));

    private record Model(String name, long memGiB, double gpuWatts, double nodeWatts, double ibGbps, int cores) {
    }

    private static final List<Model> MODELS = List.of(
            new Model("NVIDIA H100 80GB HBM3", 80, 700, 10_200, 400, 112),
            new Model("NVIDIA H200", 141, 700, 10_200, 400, 112),
            new Model("NVIDIA A100-SXM4-80GB", 80, 400, 6_500, 200, 128));

    private GeneratedCluster() {
    }

    static InventorySnapshot build(int nodeCount, long seed) {
        Random random = new Random(seed);
        List<Site> sites = new ArrayList<>();
        for (SiteSpec s : SITES) {
            sites.add(new Site(s.id(), "generated", null, null, s.country(), s.jurisdictions(), new Operator(s.operator(), s.operatorJurisdictions()),
                    Set.of("ISO27001"), 0, 0));
        }
        Map<Model, CpuTopology> cpus = new HashMap<>();
        Map<Model, List<NumaNode>> numas = new HashMap<>();
        Map<Model, List<PartitionProfile>> profiles = new HashMap<>();
        for (Model m : MODELS) {
            CpuTopology cpu = topology(m.cores() / 2);
            cpus.put(m, cpu);
            numas.put(m, List.of(new NumaNode(0, cpu.packages().get(0).threads(), 1L << 40, List.of(10, 21)),
                    new NumaNode(1, cpu.packages().get(1).threads(), 1L << 40, List.of(21, 10))));
            profiles.put(m, List.of(new PartitionProfile("1g." + m.memGiB() / 8 + "gb", 19, 7, (m.memGiB() / 8) << 30, 16, 1, 7, List.of(), 1),
                    new PartitionProfile("3g." + m.memGiB() / 2 + "gb", 9, 2, (m.memGiB() / 2) << 30, 60, 3, 7, List.of(), 4)));
        }
        List<Node> nodes = new ArrayList<>(nodeCount);
        List<PowerDomain> domains = new ArrayList<>();
        List<Fabric> fabrics = new ArrayList<>();
        int perSite = (nodeCount + SITES.size() - 1) / SITES.size();
        int n = 0;
        for (SiteSpec site : SITES) {
            List<String> pod = new ArrayList<>();
            int podIndex = 0;
            for (int k = 0; k < perSite && n < nodeCount; k++, n++) {
                Model m = MODELS.get(random.nextInt(10) < 5 ? 0 : random.nextInt(10) < 6 ? 1 : 2);
                String id = site.id() + "-n" + String.format("%05d", k);
                String rack = site.id() + "-rack" + (k / 4);
                if (k % 4 == 0) {
                    domains.add(new PowerDomain(rack, "rack", site.id(), null, random.nextInt(5) == 0 ? 30_000 : 41_000));
                }
                List<Accelerator> gpus = new ArrayList<>(8);
                String nvlink = id + "/nvswitch";
                for (int g = 0; g < 8; g++) {
                    int numa = g / 4;
                    gpus.add(new Accelerator(id + "/gpu" + g, "NVIDIA", m.name(), m.memGiB() << 30, "9.0", null, id, numa,
                            numas.get(m).get(numa).cpus(), null, nvlink, 450, List.of(), profiles.get(m), false,
                            new PowerLimits(m.gpuWatts(), m.gpuWatts(), 0, m.gpuWatts()), Health.OK, Map.of()));
                }
                List<Nic> nics = new ArrayList<>(8);
                for (int i = 0; i < 8; i++) {
                    nics.add(new Nic("ib" + i, null, null, Math.round(m.ibGbps() * 1000), i / 4, "infiniband"));
                }
                nodes.add(new Node(id, "generated", site.id(), id, NodeKind.DECLARED, cpus.get(m), numas.get(m), 2L << 40, List.of(), gpus, nics,
                        List.of(), new PowerDraw(3_000, Math.round(m.nodeWatts())), rack, Set.of(), ResourceState.AVAILABLE, null, Map.of()));
                pod.add(id);
                if (pod.size() == 256 || k == perSite - 1 || n == nodeCount - 1) {
                    fabrics.add(new Fabric(site.id() + "-ib" + podIndex++, FabricType.RDMA, "InfiniBand NDR", site.id(), Set.copyOf(pod), 400, 2,
                            List.of("leaf", "spine")));
                    pod.clear();
                }
            }
        }
        return new InventorySnapshot(1, Instant.now(), sites, nodes, fabrics, List.of(), domains);
    }

    private static CpuTopology topology(int coresPerSocket) {
        List<CpuPackage> packages = new ArrayList<>();
        int physical = 2 * coresPerSocket;
        for (int s = 0; s < 2; s++) {
            List<CpuCore> cores = new ArrayList<>();
            for (int c = 0; c < coresPerSocket; c++) {
                cores.add(new CpuCore(c, CpuSet.of(s * coresPerSocket + c, physical + s * coresPerSocket + c)));
            }
            packages.add(new CpuPackage(s, "vendor", "model", cores));
        }
        return new CpuTopology(packages, CpuSet.parseList("0-" + (2 * physical - 1)), CpuSet.EMPTY);
    }

    /**
     * A contract of the mix: 40 % whole GPUs (1-8, models, NVLink domain, sometimes NUMA-aligned,
     * countries), 30 % GPU shares (jurisdictions), 20 % RDMA gangs of 2-4 x 8 GPUs (dedicated
     * nodes, US operators excluded, power ceiling), 10 % CPU only.
     */
    static Contract contract(Random r, int i) {
        int kind = r.nextInt(10);
        String tenant = "tenant-" + r.nextInt(20);
        if (kind < 4) {
            int gpus = new int[] {1, 2, 4, 8}[r.nextInt(4)];
            Set<String> countries = Set.of(new String[] {"DE", "FR", "NL", "US"}[r.nextInt(4)]);
            Member m = new Member("worker", gpus * 8_000L, (long) gpus * 64 << 30,
                    new GpuRequest(gpus, Set.of("H100", "H200"), 80L << 30, 1, null),
                    new TopologyRequest(gpus > 1, gpus <= 4 && r.nextBoolean()), 0);
            return new Contract("c" + i, tenant, r.nextInt(100), List.of(m), FabricRequest.ANY, new Sovereignty(countries, Set.of(), Set.of(), null),
                    Isolation.SHARED);
        } else if (kind < 7) {
            Member m = new Member("svc", 4_000, 32L << 30, new GpuRequest(1, Set.of(), 0, r.nextBoolean() ? 0.25 : 0.5, null), TopologyRequest.ANY, 0);
            return new Contract("c" + i, tenant, r.nextInt(100), List.of(m), FabricRequest.ANY,
                    new Sovereignty(Set.of(), Set.of("EU"), Set.of(), "internal"), Isolation.SHARED);
        } else if (kind < 9) {
            int replicas = 2 + r.nextInt(3);
            List<Member> members = new ArrayList<>();
            for (int k = 0; k < replicas; k++) {
                members.add(new Member("trainer-" + k, 96_000, 1L << 40, new GpuRequest(8, Set.of("H100", "H200"), 80L << 30, 1, null),
                        new TopologyRequest(true, false), 10_200));
            }
            return new Contract("c" + i, tenant, r.nextInt(100), members, new FabricRequest(true, 400),
                    new Sovereignty(Set.of("DE", "FR", "NL"), Set.of("EU"), Set.of("US"), "confidential"), Isolation.DEDICATED_NODE);
        }
        Member m = new Member("batch", 16_000, 64L << 30, GpuRequest.NONE, TopologyRequest.ANY, 0);
        return new Contract("c" + i, tenant, 0, List.of(m), FabricRequest.ANY, Sovereignty.ANY, Isolation.SHARED);
    }
}
