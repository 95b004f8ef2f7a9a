package dev.strata.platform.core.placement;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provisioning.LargestMachine;
import dev.strata.platform.core.placement.packing.MigTable;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What placement needs to know about one node that does not change while it is placed on:
 * where it is (site, power domain, RDMA fabrics) and its GPUs (model, memory, NVLink domain and
 * NUMA node of each). Immutable; built once per inventory generation.
 *
 * @param node the node
 * @param site its site, or null when the inventory has no such site
 * @param rdma the RDMA fabrics the node is a member of
 * @param gpuModel the model of its GPUs (the first one's that is not FAILED, else the first one's), or null without GPUs
 * @param gpuModelLower the same, lower case, for matching
 * @param gpuMemoryBytes memory of one GPU (of the same GPU)
 * @param gpuPowerWatts power limit of one GPU (of the same GPU), 0 when unknown
 * @param gpuDomain per GPU, the index of its NVLink domain within the node, -1 when none
 * @param domainNames the NVLink domain names by index
 * @param largestDomain the most GPUs in one NVLink domain, failed ones not counted
 * @param gpuNuma per GPU, its NUMA node (-1 unknown)
 * @param rdmaNicNuma the NUMA nodes that have an RDMA-capable NIC (InfiniBand, or 100 Gbit/s and more), of those up to the
 *     node's highest NUMA node id; a set, not an array by id, since a provider may report any id up to 2^31 - 1
 * @param profiles the partition profiles the GPUs support, by name
 * @param cpuMilli the node's CPU in milli-CPU (threads x 1000)
 * @param memoryMiB the node's memory in MiB
 * @param largestNumaGroup the most GPUs on one known NUMA node, failed ones not counted (GPUs whose NUMA node is unknown are
 *     on none: their alignment cannot be known)
 * @param gpuHealth per GPU, {@link NodeCapacity#HEALTHY} (OK or unknown), {@link NodeCapacity#DEGRADED} or {@link NodeCapacity#FAILED}
 * @param mig the MIG table of the GPUs (the same GPU's profiles with known placements), or null
 * @param largest the largest machine its provider can make on it ({@link LargestMachine}; {@link LargestMachine#NONE} when
 *     it reports none, or reports it in a form Strata cannot read)
 * @param sharedGpuId the first accelerator id the node reports for more than one of its GPUs, or null: a binding names its
 *     GPUs by id, so GPUs that share one cannot be told apart and none of the node's GPUs is placed on
 * @param unlikeGpus the GPUs that have not failed but differ in model or memory from the GPU the node's facts come from:
 *     they are given {@link NodeCapacity#FAILED} in {@code gpuHealth}, so never placed on (the clauses and the evidence
 *     read the node's model and memory, which are not theirs)
 */
record NodeFacts(Node node, Site site, List<Fabric> rdma, String gpuModel, String gpuModelLower, long gpuMemoryBytes,
        double gpuPowerWatts, int[] gpuDomain, List<String> domainNames, int largestDomain, int[] gpuNuma,
        java.util.Set<Integer> rdmaNicNuma, Map<String, PartitionProfile> profiles, long cpuMilli, long memoryMiB, int largestNumaGroup,
        int[] gpuHealth, MigTable mig, LargestMachine largest, String sharedGpuId, int unlikeGpus) {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeFacts.class);

    static NodeFacts of(Node node, Site site, List<Fabric> rdma) {
        List<Accelerator> gpus = node.accelerators();
        int[] domain = new int[gpus.size()];
        int[] numa = new int[gpus.size()];
        List<String> names = new ArrayList<>();
        Map<String, Integer> sizes = new HashMap<>();
        Map<String, PartitionProfile> profiles = new HashMap<>();
        int[] health = new int[gpus.size()];
        // a failed GPU is never placed on: it makes no NVLink domain or NUMA node larger
        Map<Integer, Integer> perNuma = new HashMap<>();
        int usable = 0;
        java.util.Set<String> ids = new java.util.HashSet<>();
        String sharedId = null;
        // the node's GPU facts come from its first GPU that is not FAILED: a failed one may be known only in
        // part (a GPU its driver cannot reach has no model, memory or MIG profiles), and is never placed on
        Accelerator first = gpus.stream().filter(a -> a.health().status() != Health.Status.FAILED).findFirst()
                .orElse(gpus.isEmpty() ? null : gpus.get(0));
        int unlike = 0;
        for (int i = 0; i < gpus.size(); i++) {
            Accelerator a = gpus.get(i);
            if (!ids.add(a.id()) && sharedId == null) {
                sharedId = a.id();
            }
            Health.Status status = a.health().status();
            health[i] = status == Health.Status.FAILED ? NodeCapacity.FAILED
                    : status == Health.Status.DEGRADED ? NodeCapacity.DEGRADED : NodeCapacity.HEALTHY;
            if (health[i] != NodeCapacity.FAILED && (!a.model().equals(first.model()) || a.memoryBytes() != first.memoryBytes())) {
                // a GPU of another model or memory than the one the clauses and the evidence read: binding it would
                // place a member that asked for an H100 with 80 GiB on a T4 with 16 GiB, so it is placed on as never
                health[i] = NodeCapacity.FAILED;
                unlike++;
            }
            boolean failed = health[i] == NodeCapacity.FAILED;
            String d = a.interconnectDomain();
            if (d == null) {
                domain[i] = -1;
            } else {
                int at = names.indexOf(d);
                if (at < 0) {
                    names.add(d);
                    at = names.size() - 1;
                }
                domain[i] = at;
                if (!failed) {
                    sizes.merge(d, 1, Integer::sum);
                }
            }
            numa[i] = a.numaNode();
            if (!failed) {
                if (numa[i] >= 0) {
                    perNuma.merge(numa[i], 1, Integer::sum);
                }
                usable++;
            }
            a.partitionProfiles().forEach(p -> profiles.putIfAbsent(p.name(), p));
        }
        int largest = sizes.values().stream().mapToInt(Integer::intValue).max().orElse(usable > 0 ? 1 : 0);
        // an array by NUMA id was as long as the highest id a provider reported: an id of 2^31 - 2 failed every
        // placement on the inventory with an OutOfMemoryError
        long numaCount = Math.max(1, node.numaNodes().stream().mapToLong(n -> n.id() + 1L).max().orElse(1));
        java.util.Set<Integer> nicNuma = new java.util.TreeSet<>();
        for (Nic nic : node.nics()) {
            boolean rdmaCapable = "infiniband".equalsIgnoreCase(nic.linkType()) || nic.speedMbps() >= 100_000;
            if (rdmaCapable && nic.numaNode() >= 0 && nic.numaNode() < numaCount) {
                nicNuma.add(nic.numaNode());
            }
        }
        int largestNuma = perNuma.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        MigTable mig;
        try {
            mig = first == null ? null : MigTable.of(first.partitionProfiles());
        } catch (IllegalArgumentException e) {
            mig = null; // a table Strata cannot represent: its partitions are not placed
        }
        return new NodeFacts(node, site, List.copyOf(rdma), first == null ? null : first.model(),
                first == null ? null : first.model().toLowerCase(Locale.ROOT), first == null ? 0 : first.memoryBytes(),
                first == null ? 0 : first.power().enforcedWatts(), domain, List.copyOf(names), largest, numa, java.util.Set.copyOf(nicNuma), Map.copyOf(profiles),
                Math.multiplyExact(node.cpu().threads(), 1000L), node.memoryBytes() >> 20, largestNuma, health, mig, largestMachine(node),
                sharedId, unlike);
    }

    /**
     * The largest machine the node's provider reports; a limit it reports in a form Strata cannot
     * read is no limit (with a warning), the other one still holds.
     */
    static LargestMachine largestMachine(Node node) {
        return new LargestMachine(limit(node, LargestMachine.CPU_MILLI), limit(node, LargestMachine.MEMORY_BYTES),
                limit(node, LargestMachine.GPUS));
    }

    private static long limit(Node node, String key) {
        try {
            return LargestMachine.limit(node, key);
        } catch (IllegalArgumentException e) {
            LOG.warn("{} (provider {}); placement takes the node's room as that limit", e.getMessage(), node.providerId());
            return LargestMachine.NO_LIMIT;
        }
    }

    /** GPUs whose health a member accepts: never failed ones; degraded ones only when it allows them. */
    int usableGpus(boolean allowDegraded) {
        int n = 0;
        for (int h : gpuHealth) {
            if (h == NodeCapacity.HEALTHY || h == NodeCapacity.DEGRADED && allowDegraded) {
                n++;
            }
        }
        return n;
    }

    /** GPUs that have not failed whose NUMA node is unknown, counted: no NUMA-aligned member is placed on them. */
    int gpusOnNoKnownNuma() {
        int n = 0;
        for (int g = 0; g < gpuNuma.length; g++) {
            if (gpuNuma[g] < 0 && gpuHealth[g] != NodeCapacity.FAILED) {
                n++;
            }
        }
        return n;
    }

    /** GPUs of a health, counted; GPUs of another model or memory ({@link #unlikeGpus}) count as failed. */
    int gpusOfHealth(int health) {
        int n = 0;
        for (int h : gpuHealth) {
            if (h == health) {
                n++;
            }
        }
        return n;
    }

    /** The node's capacity as the packing kernel sees it, idle. */
    NodeCapacity capacity() {
        return new NodeCapacity(node.id(), gpuModel, cpuMilli, memoryMiB, gpuDomain, gpuHealth, mig);
    }

    /**
     * What the static constraints look at, as one value: nodes with equal shapes pass or fail
     * them alike, so each shape is judged once per member. That includes the node's maximum draw
     * and its GPUs' power limit, which the power ceiling's estimate reads (without them, two nodes
     * alike but for their draw shared the first one's verdict on a ceiling).
     */
    Object shape() {
        List<String> fabricIds = new ArrayList<>();
        for (Fabric f : rdma) {
            fabricIds.add(f.id() + "@" + f.linkBandwidthGbps());
        }
        int[] health = gpuHealth.clone();
        Arrays.sort(health);
        return List.of(node.siteId(), String.valueOf(gpuModel), gpuMemoryBytes, gpuDomain.length, largestDomain, largestNumaGroup,
                cpuMilli, memoryMiB, node.state(), String.valueOf(node.ownerTenant()), fabricIds, profiles.keySet(), Arrays.toString(health),
                String.valueOf(mig), profiles.values().stream().map(p -> p.name() + "=" + p.memoryBytes()).sorted().toList(),
                node.power().maxWatts(), gpuPowerWatts, largest.cpuMilli(), largest.memoryBytes(), largest.gpus(),
                String.valueOf(sharedGpuId), gpusOnNoKnownNuma());
    }

    /**
     * Everything placement read from this node, for telling whether a decision made on it still
     * holds on a later inventory: its {@link #shape()}, its power domain, and its GPUs one by one
     * (id, health, NUMA node, NVLink domain), which a binding names. What placement does not read
     * (a link's current speed, a GPU's reasons, free-form attributes other than an offer's) is
     * left out, so that a node whose telemetry-like facts move does not make decisions on it
     * decided again.
     */
    Object ownFacts() {
        List<String> ids = new ArrayList<>();
        for (Accelerator a : node.accelerators()) {
            ids.add(a.id());
        }
        return List.of(shape(), String.valueOf(node.powerDomainId()), ids, Arrays.toString(gpuHealth), Arrays.toString(gpuNuma),
                Arrays.toString(gpuDomain), domainNames, new java.util.TreeSet<>(rdmaNicNuma).toString());
    }

    /**
     * What the sovereignty clauses read of the node's site, as one value to compare with another
     * inventory's: whether the inventory holds the site, its country, its jurisdictions and its
     * operator (name and jurisdictions). The node's own facts hold only the site's id; a site whose
     * jurisdictions change leaves the node as it was. What no clause reads (certifications, region,
     * budgets and floor space) is left out.
     */
    Object siteFacts() {
        return site == null ? List.of() : Arrays.asList(site.country(), site.jurisdictions(), site.operator());
    }

    int gpuCount() {
        return gpuDomain.length;
    }

    /**
     * True when the GPU model names one of the allowed models as a whole word, case-insensitively:
     * {@code H100} matches {@code NVIDIA H100 80GB HBM3}, {@code A100} matches
     * {@code NVIDIA A100-SXM4-80GB}, but {@code A10} does not match {@code A100}. Any model when empty.
     */
    boolean modelAllowed(java.util.Set<String> allowed) {
        if (allowed.isEmpty()) {
            return true;
        }
        return gpuModelLower != null && allowed.stream().anyMatch(a -> namesModel(gpuModelLower, a.toLowerCase(Locale.ROOT)));
    }

    static boolean namesModel(String modelLower, String wantedLower) {
        for (int at = modelLower.indexOf(wantedLower); at >= 0; at = modelLower.indexOf(wantedLower, at + 1)) {
            int end = at + wantedLower.length();
            boolean startOk = at == 0 || !Character.isLetterOrDigit(modelLower.charAt(at - 1));
            boolean endOk = end == modelLower.length() || !Character.isLetterOrDigit(modelLower.charAt(end));
            if (startOk && endOk) {
                return true;
            }
        }
        return false;
    }

    /** The best RDMA fabric of the node with at least this bandwidth, or null. */
    Fabric rdmaFabric(double minGbps) {
        Fabric best = null;
        for (Fabric f : rdma) {
            if (f.linkBandwidthGbps() >= minGbps && (best == null || f.linkBandwidthGbps() > best.linkBandwidthGbps())) {
                best = f;
            }
        }
        return best;
    }
}
