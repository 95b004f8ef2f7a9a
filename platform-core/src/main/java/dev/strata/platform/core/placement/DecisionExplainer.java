package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Explains a decision: the evidence for every clause of a placed contract, and the nodes that were
 * not used, counted. Members with the same requirements share one set of rows (their names joined);
 * within a set every node of the inventory is counted exactly once, under the first constraint it
 * fails for that member, so each set adds up to the nodes considered:
 * <ul>
 *   <li>placed: the fixed constraints (counted per node shape), and the nodes that pass them all;</li>
 *   <li>refused: also the live constraints (isolation, a power domain or node that is full, free
 *       capacity) node by node, and the nodes that could hold the member alone though the gang as a
 *       whole does not fit.</li>
 * </ul>
 * Rows of the gang as a whole ({@code *}, RDMA fabrics) count no nodes. Power domains that are full
 * are named; past {@link #NAMED_DOMAINS} of them for one member, their rows are merged into one that
 * names the first few. Free capacity is judged once per state class of nodes (nodes alike in model
 * and free capacity), not once per node: a refusal on a thousand idle identical nodes costs one
 * judgement.
 */
final class DecisionExplainer {

    static final String PASSED = "meet every clause that does not depend on what is reserved; the members were placed among these";
    static final String FITS_ALONE = "could hold it alone, but the gang as a whole does not fit";
    static final String FITS_ALONE_RDMA = "could hold it alone, but no RDMA fabric it is on can hold the whole gang";
    static final int NAMED_DOMAINS = 3;

    private final PlacementModel model;
    private final NodeFilter filter;
    private final Contract contract;

    private final boolean byStateClass;

    DecisionExplainer(PlacementModel model, NodeFilter filter) {
        this(model, filter, true);
    }

    /**
     * @param byStateClass whether a refusal judges free capacity once per state class of nodes
     *     (see {@link PlacementModel#stateClass}) rather than node by node; the rows are the same
     */
    DecisionExplainer(PlacementModel model, NodeFilter filter, boolean byStateClass) {
        this.model = model;
        this.filter = filter;
        this.contract = filter.contract;
        this.byStateClass = byStateClass;
    }

    /** Members with the same requirements, in contract order: they share one set of rows. */
    private Map<String[], List<Member>> groups() {
        Map<String[], List<Member>> groups = new IdentityHashMap<>();
        Map<String[], List<Member>> ordered = new LinkedHashMap<>();
        for (Member m : contract.members()) {
            String[] fixed = filter.fixed(m);
            List<Member> g = groups.computeIfAbsent(fixed, k -> new ArrayList<>());
            if (g.isEmpty()) {
                ordered.put(fixed, g);
            }
            g.add(m);
        }
        return ordered;
    }

    private static String names(List<Member> members) {
        return members.stream().map(Member::name).collect(Collectors.joining(", "));
    }

    /** For a placed gang: the fixed constraints, counted per shape, and the nodes that pass them all. */
    List<Rejection> placed() {
        List<Rejection> out = new ArrayList<>();
        InventoryIndex inv = model.inv;
        for (Map.Entry<String[], List<Member>> e : groups().entrySet()) {
            Map<String, int[]> counts = new IdentityHashMap<>();
            int passed = 0;
            for (int shape = 0; shape < inv.shapeCount; shape++) {
                String reason = e.getKey()[inv.shapeMember[shape]];
                if (reason != null) {
                    counts.computeIfAbsent(reason, r -> new int[1])[0] += inv.shapeSize[shape];
                } else {
                    passed += inv.shapeSize[shape];
                }
            }
            if (passed > 0) {
                counts.put(PASSED, new int[] {passed});
            }
            out.addAll(rows(names(e.getValue()), counts));
        }
        return out;
    }

    /**
     * For a refused gang: node by node, why each member's group could not use it now.
     *
     * @param needNic whether NUMA-aligned members need an RDMA NIC on their NUMA node (an RDMA gang)
     * @param rdma whether the gang had to share an RDMA fabric (nodes that could hold a member alone are then blamed on the fabric)
     */
    List<Rejection> refused(boolean needNic, boolean rdma) {
        List<Rejection> out = new ArrayList<>();
        InventoryIndex inv = model.inv;
        for (Map.Entry<String[], List<Member>> e : groups().entrySet()) {
            Member m = e.getValue().get(0);
            String[] fixed = e.getKey();
            Map<String, int[]> counts = new IdentityHashMap<>();
            for (int shape = 0; shape < inv.shapeCount; shape++) {
                String reason = fixed[inv.shapeMember[shape]];
                if (reason != null) {
                    counts.computeIfAbsent(reason, r -> new int[1])[0] += inv.shapeSize[shape];
                }
            }
            // full power domains are counted by domain first, and written only if they are named
            Map<dev.strata.platform.api.model.PowerDomain, int[]> domains = new LinkedHashMap<>();
            // why a node's free capacity does not hold the member depends on its state class alone, unless the member wants
            // its GPUs NUMA-aligned (which reads the node's own layout): the nodes that pass every live constraint are counted
            // per class, and each class is judged once, on the first of its nodes
            boolean perClass = byStateClass && !m.topology().numaAligned();
            int[] classNodes = perClass ? new int[model.stateClasses()] : null;
            int[] classFirst = perClass ? new int[classNodes.length] : null;
            String alone = rdma ? FITS_ALONE_RDMA : FITS_ALONE;
            for (int node = 0; node < fixed.length; node++) {
                if (fixed[node] != null) {
                    continue; // counted above
                }
                int live = filter.live(m, node);
                if (live == NodeFilter.LIVE_DOMAIN) {
                    domains.computeIfAbsent(filter.fullDomain, d -> new int[1])[0]++;
                    continue;
                }
                if (live == NodeFilter.LIVE_OK && perClass) {
                    int state = model.stateClass(node);
                    if (classNodes[state]++ == 0) {
                        classFirst[state] = node;
                    }
                    continue;
                }
                String reason = live != NodeFilter.LIVE_OK ? filter.liveReason(m, node) : filter.capacityReason(m, node, needNic);
                counts.computeIfAbsent(reason == null ? alone : reason, r -> new int[1])[0]++;
            }
            for (int state = 0; perClass && state < classNodes.length; state++) {
                if (classNodes[state] > 0) {
                    String reason = filter.capacityReason(m, classFirst[state], needNic);
                    counts.computeIfAbsent(reason == null ? alone : reason, r -> new int[1])[0] += classNodes[state];
                }
            }
            if (domains.size() > NAMED_DOMAINS) {
                List<String> ids = domains.keySet().stream().map(dev.strata.platform.api.model.PowerDomain::id).sorted().toList();
                int nodes = domains.values().stream().mapToInt(n -> n[0]).sum();
                counts.put("in a power domain with no room for it: " + ids.size() + " domains full (" + String.join(", ", ids.subList(0, NAMED_DOMAINS))
                        + " and " + (ids.size() - NAMED_DOMAINS) + " more)", new int[] {nodes});
            } else {
                domains.forEach((d, n) -> counts.computeIfAbsent(filter.domainReason(m, d), r -> new int[1])[0] += n[0]);
            }
            out.addAll(rows(names(e.getValue()), counts));
        }
        return out;
    }

    /** How many nodes could hold each member alone (the last row kind of {@link #refused}), per member name. */
    static int alone(List<Rejection> rejections, String members) {
        return rejections.stream().filter(r -> r.member().equals(members) && (r.reason().equals(FITS_ALONE) || r.reason().equals(FITS_ALONE_RDMA)))
                .mapToInt(Rejection::nodes).sum();
    }

    /** Rows by count, most first; power domains past {@link #NAMED_DOMAINS} merged into one row. */
    private static List<Rejection> rows(String member, Map<String, int[]> byIdentity) {
        // counted by identity (fast); reasons written alike by different shapes make one row
        Map<String, int[]> counts = new java.util.HashMap<>();
        byIdentity.forEach((reason, n) -> counts.computeIfAbsent(reason, r -> new int[1])[0] += n[0]);
        List<Map.Entry<String, int[]>> entries = new ArrayList<>(counts.entrySet());
        List<Rejection> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : entries) {
            out.add(new Rejection(member, e.getKey(), e.getValue()[0]));
        }
        out.sort(Comparator.comparingInt(Rejection::nodes).reversed().thenComparing(Rejection::reason));
        return out;
    }

    /**
     * A launch slot's evidence: the shape, the zone, and the account's quota left once this
     * decision's members hold their slots ("p4d.24xlarge in eu-central-1a, account quota 4 of 8 left").
     */
    private String launch(NodeFacts f) {
        Map<String, String> a = f.node().attributes();
        String offer = a.get(OfferSlots.OFFER);
        int free = 0;
        for (int i = 0; i < model.facts.length; i++) {
            if (model.launchSlot[i] && model.tenantKinds[i] == 0 && offer.equals(model.facts[i].node().attributes().get(OfferSlots.OFFER))) {
                free++;
            }
        }
        String zone = f.site() != null && f.site().zone() != null ? f.site().zone() : f.node().siteId();
        return a.getOrDefault(OfferSlots.SHAPE, offer) + " in " + zone + ", account quota " + free + " of " + a.get(OfferSlots.QUOTA)
                + " left (offer " + offer + ", " + a.get(OfferSlots.QUOTA_IN_USE) + " used by others; launch slot " + a.get(OfferSlots.SLOT)
                + ")";
    }

    // ---- evidence -------------------------------------------------------------------------------

    /** For each clause of a placed contract, what in the inventory satisfied it. */
    List<ClauseEvidence> evidence(List<MemberBinding> bindings, Fabric fabric) {
        List<ClauseEvidence> out = new ArrayList<>();
        Sovereignty s = contract.sovereignty();
        Map<String, Site> sites = new LinkedHashMap<>();
        for (MemberBinding b : bindings) {
            Site site = model.facts[model.inv.index.get(b.nodeId())].site();
            if (site != null) {
                sites.putIfAbsent(site.id(), site);
            }
        }
        out.add(new ClauseEvidence("priority", contract.priority() + " (recorded with the decision)"));
        for (Site site : sites.values()) {
            if (!s.countries().isEmpty()) {
                out.add(new ClauseEvidence("sovereignty.countries", "site " + site.id() + " country=" + site.country()
                        + " in " + Format.sorted(s.countries())));
            }
            if (!s.jurisdictions().isEmpty()) {
                out.add(new ClauseEvidence("sovereignty.jurisdictions", "site " + site.id() + " under " + Format.sorted(site.jurisdictions())));
            }
            if (!s.excludedOperatorJurisdictions().isEmpty()) {
                out.add(new ClauseEvidence("sovereignty.excludeOperatorJurisdictions", "site " + site.id() + " operator "
                        + site.operator().name() + " subject to " + Format.sorted(site.operator().jurisdictions()) + ", none of "
                        + Format.sorted(s.excludedOperatorJurisdictions())));
            }
        }
        if (s.dataClass() != null) {
            out.add(new ClauseEvidence("sovereignty.dataClass", s.dataClass() + " (recorded with the decision)"));
        }
        if (fabric != null) {
            out.add(new ClauseEvidence("fabric.rdma", "all members on " + fabric.id() + " (" + Optional.ofNullable(fabric.technology()).orElse("RDMA")
                    + ", " + Format.gbps(fabric.linkBandwidthGbps()) + (contract.fabric().minBandwidthGbps() > 0
                    ? " >= " + Format.gbps(contract.fabric().minBandwidthGbps()) : "") + ")"));
        }
        Set<String> nodes = bindings.stream().map(MemberBinding::nodeId).collect(Collectors.toCollection(TreeSet::new));
        out.add(new ClauseEvidence("isolation", contract.isolation() == Isolation.DEDICATED_NODE
                ? "dedicated-node: no other tenant on " + String.join(", ", nodes)
                : "shared: other tenants may use " + String.join(", ", nodes) + " too"));
        for (MemberBinding b : bindings) {
            Member m = contract.members().stream().filter(x -> x.name().equals(b.member())).findFirst().orElseThrow();
            int node = model.inv.index.get(b.nodeId());
            NodeFacts f = model.facts[node];
            String p = "members." + b.member();
            if (model.launchSlot[node]) {
                out.add(new ClauseEvidence(p + ".node", launch(f)));
            } else {
                out.add(new ClauseEvidence(p + ".node", b.nodeId() + " at " + b.siteId() + " (" + Format.cpus(f.cpuMilli()) + ", "
                        + Format.bytes(f.node().memoryBytes()) + ")"));
            }
            if (m.cpuMilli() > 0) {
                out.add(new ClauseEvidence(p + ".cpu", Format.cpus(m.cpuMilli()) + " of " + b.nodeId() + "'s " + Format.cpus(f.cpuMilli())));
            }
            if (m.memoryBytes() > 0) {
                out.add(new ClauseEvidence(p + ".memory", Format.bytes(m.memoryBytes()) + " of " + b.nodeId() + "'s "
                        + Format.bytes(f.node().memoryBytes())));
            }
            if (m.gpus().count() > 0) {
                gpuEvidence(out, p, m, b, f);
            }
            if (m.topology().oneNvlinkDomain() && b.nvlinkDomain() != null) {
                out.add(new ClauseEvidence(p + ".topology.nvlinkDomain", b.acceleratorIds().size() + " GPUs in NVLink domain " + b.nvlinkDomain()));
            }
            if (m.topology().numaAligned() && !b.acceleratorIds().isEmpty()) {
                out.add(new ClauseEvidence(p + ".topology.numaAligned", "GPUs on NUMA node " + b.numaNode()
                        + (fabric != null ? " with an RDMA NIC" : "")));
            }
            powerEvidence(out, p, m, b, f, node);
        }
        return out;
    }

    private void gpuEvidence(List<ClauseEvidence> out, String p, Member m, MemberBinding b, NodeFacts f) {
        String share = b.partition() != null ? "partition " + b.partition() + " at slot " + b.partitionSlot() + " of "
                : b.gpuFraction() < 1 ? percent(b.gpuFraction()) + " % of " : "";
        out.add(new ClauseEvidence(p + ".gpus", share + b.acceleratorIds().size() + "x " + f.gpuModel() + " ("
                + Format.bytes(f.gpuMemoryBytes()) + " each): " + String.join(", ", b.acceleratorIds())));
        if (!m.gpus().models().isEmpty()) {
            out.add(new ClauseEvidence(p + ".gpus.models", f.gpuModel() + " is one of " + Format.sorted(m.gpus().models())));
        }
        if (m.gpus().minMemoryBytes() > 0) {
            PartitionProfile profile = b.partition() == null ? null : f.profiles().get(b.partition());
            long memory = profile != null ? profile.memoryBytes() : f.gpuMemoryBytes();
            out.add(new ClauseEvidence(p + ".gpus.memory", Format.bytes(memory) + (profile != null ? " per " + b.partition() : " per GPU")
                    + " >= " + Format.bytes(m.gpus().minMemoryBytes())));
        }
        List<String> health = new ArrayList<>();
        for (String id : b.acceleratorIds()) {
            Accelerator a = f.node().accelerators().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            health.add(a.health().status().name());
        }
        Set<String> states = new TreeSet<>(health);
        out.add(new ClauseEvidence(p + ".gpus.allowDegraded", "GPU health " + String.join(", ", states)
                + (m.gpus().allowDegraded() ? " (degraded GPUs allowed)" : " (failed and degraded GPUs excluded)")));
    }

    private void powerEvidence(List<ClauseEvidence> out, String p, Member m, MemberBinding b, NodeFacts f, int node) {
        double estimate = NodeFilter.powerEstimate(m, f);
        // each figure beside the one it is compared with to the milliwatt where both would read the same (a domain that
        // holds 1031.25 W of its 1040 W read "1.0 kW of 1.0 kW reserved", as if full to the watt)
        String ceiling = m.powerCeilingWatts() > 0 ? "ceiling " + Format.watts(m.powerCeilingWatts(), estimate) + ", estimated draw "
                + Format.watts(estimate, m.powerCeilingWatts()) + "; " : "";
        if (b.powerDomainId() != null) {
            PowerDomain d = model.inv.powerDomains.get(b.powerDomainId());
            out.add(new ClauseEvidence(p + ".power", ceiling + "reserves " + Format.watts(b.powerWatts()) + " in power domain " + b.powerDomainId()
                    + (d == null ? " (not in the inventory: no budget)" : " (" + Format.watts(model.reservedWatts(d.id()), d.budgetWatts())
                    + " of " + Format.watts(d.budgetWatts(), model.reservedWatts(d.id())) + " reserved)")));
        } else if (m.powerCeilingWatts() > 0 || f.node().power().maxWatts() > 0) {
            long max = f.node().power().maxWatts();
            double held = model.nodeWatts(node);
            out.add(new ClauseEvidence(p + ".power", ceiling + "node " + b.nodeId() + " is in no power domain: "
                    + (max > 0 ? "holds " + Format.watts(b.powerWatts()) + " against its maximum draw of " + Format.watts(max, held) + " ("
                    + Format.watts(held, max) + " held)" : "its maximum draw is unknown, nothing held")));
        }
    }

    /**
     * A share of a GPU as a percentage to a tenth, as placement reserves it (in thousandths of a GPU):
     * 0.001 is {@code 0.1}, 0.125 is {@code 12.5}, 0.25 is {@code 25}. Whole percentages said 0 % for a
     * share of 0.001 and 13 % for 0.125, a figure the decision did not use. The thousandths are the
     * ones the share's demand takes ({@link PlacementModel#demandOf(long, long, int, double, boolean)}):
     * rounded to the nearest, a share of 0.3334 (a contract given through the API) was said to be
     * 33.3 % of the GPU though 0.334 of it was reserved.
     */
    static String percent(double fraction) {
        int milli = PlacementModel.demandOf(0, 0, 1, fraction, false).gpuMilli();
        return java.math.BigDecimal.valueOf(milli).movePointLeft(1).stripTrailingZeros().toPlainString();
    }

    /** The share of a GPU's compute a member's GPUs are reserved with, as the binding states it. */
    static String share(NodeCapacity c, int gpu) {
        return String.format(Locale.ROOT, "%.1f %%", c.gpuFreeMilli(gpu) / 10.0);
    }
}
