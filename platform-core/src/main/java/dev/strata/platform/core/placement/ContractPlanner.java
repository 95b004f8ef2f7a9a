package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.Fit;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

/**
 * Decides where a contract's gang goes on a {@link PlacementModel}: hard constraints filter the
 * nodes (each rejected node counted under the first constraint it fails), the packing policy
 * scores the rest, and the members are bound one by one as tentative reservations, so the gang
 * is placed whole or every reservation is rolled back. Work per decision is bounded: the packer
 * scores classes of identical nodes, GPU choice within a node is bounded by the kernel, and at
 * most {@link #MAX_FABRICS} RDMA fabrics are tried for a gang that must share one.
 */
final class ContractPlanner {

    static final int MAX_FABRICS = 16;

    /** The outcome of one plan; when placed, its reservations are held in the model until committed or rolled back. */
    record Plan(boolean placed, List<MemberBinding> bindings, List<ClauseEvidence> evidence, List<Rejection> rejections,
            String summary, int nodesConsidered, List<Reservation> reservations) {
    }

    /** One tentative reservation, enough to undo it. */
    record Reservation(int node, Demand demand, int[] gpus, String powerDomain, double watts, String tenant, boolean dedicated) {
    }

    private final PlacementModel model;
    private final Map<String, String> budgetTexts = new HashMap<>();

    ContractPlanner(PlacementModel model) {
        this.model = model;
    }

    /** The reasons one member's nodes can fail on, written once per decision rather than once per node. */
    private record Texts(String ceiling, String numa, String cpu, String memory, String gpus, String share, String domain) {
        static Texts of(Member m, Demand d, boolean needNic) {
            return new Texts("would draw more than the power ceiling of " + watts(m.powerCeilingWatts()),
                    "no NUMA node with " + m.gpus().count() + " free GPUs" + (needNic ? " and an RDMA NIC" : ""),
                    "not enough free CPU for " + cpus(d.cpuMilli()), "not enough free memory for " + bytes(d.memoryMiB() << 20),
                    "fewer than " + d.gpuCount() + " free GPUs", "no GPU with " + d.gpuMilli() / 10.0 + " % free",
                    "no NVLink domain with " + d.gpuCount() + " free GPUs");
        }
    }

    private static final String DEDICATED_TO_OTHER = "node dedicated to another tenant";
    private static final String SHARED_WITH_OTHER = "node shared with another tenant (isolation dedicated-node)";
    private static final String DOES_NOT_FIT = "does not fit";

    Plan plan(Contract contract) {
        List<Member> members = new ArrayList<>(contract.members());
        members.sort(Comparator.comparingDouble((Member m) -> -m.gpus().count() * m.gpus().fraction())
                .thenComparingLong(m -> -m.cpuMilli()).thenComparing(Member::name));
        Map<Member, String[]> staticReasons = new LinkedHashMap<>();
        Map<String, String[]> bySpec = new HashMap<>();
        for (Member m : members) {
            staticReasons.put(m, bySpec.computeIfAbsent(spec(m), k -> staticReasons(contract, m)));
        }

        if (!contract.fabric().oneRdmaFabric()) {
            Attempt attempt = attempt(contract, members, staticReasons, null);
            return finish(contract, attempt, null, List.of(), staticReasons);
        }
        double minGbps = contract.fabric().minBandwidthGbps();
        List<Fabric> candidates = new ArrayList<>();
        for (Fabric f : model.fabrics.values()) {
            if (f.type() == dev.strata.platform.api.model.FabricType.RDMA && f.linkBandwidthGbps() >= minGbps) {
                candidates.add(f);
            }
        }
        // free GPU capacity of each fabric on the nodes that pass the first member's hard constraints;
        // tightest first: the fabric with the least of it that may still hold the gang
        String[] firstMember = staticReasons.get(members.get(0));
        Map<String, Long> free = new HashMap<>();
        for (Fabric f : candidates) {
            long milli = 0;
            java.util.BitSet onFabric = model.fabricNodes.get(f.id());
            for (int node = onFabric.nextSetBit(0); node >= 0; node = onFabric.nextSetBit(node + 1)) {
                if (firstMember[node] == null) {
                    milli += model.capacity(node).gpuFreeMilliTotal();
                }
            }
            free.put(f.id(), milli);
        }
        long needed = members.stream().mapToLong(m -> Math.round(m.gpus().count() * m.gpus().fraction() * 1000)).sum();
        candidates.sort(Comparator.comparing((Fabric f) -> free.get(f.id()) < needed).thenComparingLong(f -> free.get(f.id()))
                .thenComparing(Fabric::id));
        List<Rejection> fabricRejections = new ArrayList<>();
        Attempt last = null;
        int tried = 0;
        for (Fabric f : candidates) {
            if (tried == MAX_FABRICS) {
                break;
            }
            if (free.get(f.id()) < needed) {
                continue;
            }
            tried++;
            Attempt attempt = attempt(contract, members, staticReasons, f);
            if (attempt.placed()) {
                return finish(contract, attempt, f, List.of(), staticReasons);
            }
            last = attempt;
            fabricRejections.add(new Rejection("*", "the gang does not fit on RDMA fabric " + f.id() + ": " + attempt.failure(), 0));
        }
        if (last == null) {
            last = attempt(contract, members, staticReasons, NO_FABRIC);
            String why;
            if (candidates.isEmpty()) {
                why = "no RDMA fabric of at least " + gbps(minGbps) + " in the inventory";
            } else {
                Fabric roomiest = candidates.stream().max(Comparator.comparingLong(f -> free.get(f.id()))).orElseThrow();
                why = "no RDMA fabric of at least " + gbps(minGbps) + " has " + gpuCount(needed) + " free GPUs on nodes that meet the contract"
                        + " (most: " + roomiest.id() + " with " + gpuCount(free.get(roomiest.id())) + ")";
            }
            fabricRejections.add(new Rejection("*", why, 0));
        }
        return finish(contract, last, null, fabricRejections, staticReasons);
    }

    private static final Fabric NO_FABRIC = new Fabric("-", dev.strata.platform.api.model.FabricType.RDMA, null, null, Set.of(), 0, 0, List.of());

    /** Undoes a plan's reservations, newest first. */
    void rollback(Plan plan) {
        List<Reservation> reservations = plan.reservations();
        for (int i = reservations.size() - 1; i >= 0; i--) {
            undo(reservations.get(i));
        }
    }

    // ---- one attempt at binding the gang ------------------------------------------------------

    private record Attempt(boolean placed, List<MemberBinding> bindings, List<Reservation> reservations, List<Rejection> rejections,
            String failure) {
    }

    private Attempt attempt(Contract contract, List<Member> members, Map<Member, String[]> staticReasons, Fabric fabric) {
        List<MemberBinding> bindings = new ArrayList<>();
        List<Reservation> reservations = new ArrayList<>();
        for (Member m : members) {
            String[] reasons = staticReasons.get(m);
            Demand demand = demand(m);
            Texts texts = Texts.of(m, demand, fabric != null);
            double need = 0;
            java.util.BitSet inFabric = fabric == null ? null : model.fabricNodes.getOrDefault(fabric.id(), new java.util.BitSet());
            IntPredicate eligible = node -> reasons[node] == null && (inFabric == null || inFabric.get(node))
                    && dynamicReason(contract, m, demand, node, fabric, texts) == null;
            Optional<Fit> fit = model.packer.dryRun(demand, eligible);
            if (fit.isEmpty()) {
                List<Rejection> rejections = rejections(contract, m, demand, reasons, fabric, inFabric, texts);
                for (int i = reservations.size() - 1; i >= 0; i--) {
                    undo(reservations.get(i));
                }
                String failure = "member " + m.name() + " fits on no node";
                return new Attempt(false, List.of(), List.of(), rejections, failure);
            }
            int node = model.index.get(fit.get().nodeId());
            int[] gpus = fit.get().gpus();
            if (m.topology().numaAligned() && m.gpus().count() > 0 && !aligned(node, gpus, fabric != null)) {
                gpus = alignedGpus(node, demand, fabric != null);
            }
            NodeFacts facts = model.facts[node];
            need = powerNeed(m, facts);
            boolean dedicated = contract.isolation() == Isolation.DEDICATED_NODE;
            model.packer.allocate(facts.node().id(), demand, gpus);
            model.addPower(facts.node().powerDomainId(), need);
            model.hold(node, contract.tenant(), dedicated);
            reservations.add(new Reservation(node, demand, gpus, facts.node().powerDomainId(), need, contract.tenant(), dedicated));
            bindings.add(binding(m, node, gpus, fabric));
        }
        return new Attempt(true, bindings, reservations, List.of(), null);
    }

    private void undo(Reservation r) {
        NodeFacts facts = model.facts[r.node()];
        model.packer.release(facts.node().id(), r.demand(), r.gpus());
        model.addPower(r.powerDomain(), -r.watts());
        model.unhold(r.node(), r.tenant(), r.dedicated());
    }

    private Plan finish(Contract contract, Attempt attempt, Fabric fabric, List<Rejection> fabricRejections,
            Map<Member, String[]> staticReasons) {
        List<Rejection> rejections = new ArrayList<>(attempt.rejections());
        rejections.addAll(fabricRejections);
        if (attempt.placed()) {
            // the nodes the hard constraints ruled out, counted once per group of identical members
            // (capacity is not explained for a success)
            Map<String[], List<String>> groups = new java.util.IdentityHashMap<>();
            for (Member m : contract.members()) {
                groups.computeIfAbsent(staticReasons.get(m), k -> new ArrayList<>()).add(m.name());
            }
            for (Map.Entry<String[], List<String>> e : groups.entrySet()) {
                Map<String, Integer> counts = new LinkedHashMap<>();
                String[] reasons = e.getKey();
                for (int shape = 0; shape < model.shapeCount; shape++) {
                    String reason = reasons[model.shapeMember[shape]];
                    if (reason != null) {
                        counts.merge(reason, model.shapeSize[shape], Integer::sum);
                    }
                }
                String names = String.join(", ", e.getValue());
                counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .forEach(c -> rejections.add(new Rejection(names, c.getKey(), c.getValue())));
            }
        }
        if (!attempt.placed()) {
            return new Plan(false, List.of(), List.of(), rejections, "not placed: " + attempt.failure(), model.facts.length, List.of());
        }
        List<MemberBinding> ordered = new ArrayList<>(attempt.bindings());
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < contract.members().size(); i++) {
            order.put(contract.members().get(i).name(), i);
        }
        ordered.sort(Comparator.comparing(b -> order.get(b.member())));
        List<ClauseEvidence> evidence = evidence(contract, ordered, fabric);
        Set<String> nodes = ordered.stream().map(MemberBinding::nodeId).collect(Collectors.toCollection(TreeSet::new));
        Set<String> sites = ordered.stream().map(MemberBinding::siteId).collect(Collectors.toCollection(TreeSet::new));
        String summary = "placed " + contract.members().size() + (contract.members().size() == 1 ? " member" : " members") + " on "
                + nodes.size() + (nodes.size() == 1 ? " node" : " nodes") + " at " + String.join(", ", sites);
        return new Plan(true, ordered, evidence, rejections, summary, model.facts.length, attempt.reservations());
    }

    // ---- hard constraints -------------------------------------------------------------------------

    private static String spec(Member m) {
        return m.cpuMilli() + "/" + m.memoryBytes() + "/" + m.gpus() + "/" + m.topology() + "/" + m.powerCeilingWatts();
    }

    /**
     * Per node, the first constraint it fails that does not depend on what is reserved, or null.
     * Judged once per node shape ({@link NodeFacts#shape()}) and spread to the nodes of that shape.
     */
    private String[] staticReasons(Contract contract, Member m) {
        String[] byShape = new String[model.shapeCount];
        for (int s = 0; s < byShape.length; s++) {
            byShape[s] = staticReason(contract, m, model.facts[model.shapeMember[s]]);
        }
        String[] reasons = new String[model.facts.length];
        for (int i = 0; i < reasons.length; i++) {
            reasons[i] = byShape[model.shape[i]];
        }
        return reasons;
    }

    private static String staticReason(Contract contract, Member m, NodeFacts f) {
        Node n = f.node();
        if (n.state() != ResourceState.AVAILABLE) {
            return "node is " + n.state();
        }
        String site = sovereigntyReason(contract.sovereignty(), f.site(), n.siteId());
        if (site != null) {
            return site;
        }
        if (n.ownerTenant() != null && !n.ownerTenant().equals(contract.tenant())) {
            return "node belongs to another tenant";
        }
        String gpu = gpuReason(m, f);
        if (gpu != null) {
            return gpu;
        }
        if (contract.fabric().oneRdmaFabric() && f.rdmaFabric(contract.fabric().minBandwidthGbps()) == null) {
            return "not on an RDMA fabric of at least " + gbps(contract.fabric().minBandwidthGbps());
        }
        if (f.cpuMilli() < m.cpuMilli()) {
            return "has " + f.cpuMilli() / 1000 + " CPUs, fewer than " + cpus(m.cpuMilli());
        }
        if (f.memoryMiB() < PlacementModel.mib(m.memoryBytes())) {
            return "has " + bytes(f.node().memoryBytes()) + " memory, less than " + bytes(m.memoryBytes());
        }
        return null;
    }

    private static String sovereigntyReason(Sovereignty s, Site site, String siteId) {
        if (s.unrestricted()) {
            return null;
        }
        if (site == null) {
            return "site " + siteId + " is not in the inventory (country and operator unknown)";
        }
        if (!s.countries().isEmpty() && (site.country() == null || !s.countries().contains(site.country()))) {
            return "country " + (site.country() == null ? "unknown" : site.country()) + " not in " + sorted(s.countries());
        }
        if (!s.jurisdictions().isEmpty() && site.jurisdictions().stream().noneMatch(s.jurisdictions()::contains)) {
            return "site jurisdictions " + sorted(site.jurisdictions()) + " not in " + sorted(s.jurisdictions());
        }
        if (!s.excludedOperatorJurisdictions().isEmpty()) {
            if (site.operator() == null) {
                return "operator unknown (cannot exclude " + sorted(s.excludedOperatorJurisdictions()) + ")";
            }
            Set<String> hit = new TreeSet<>(site.operator().jurisdictions());
            hit.retainAll(s.excludedOperatorJurisdictions());
            if (!hit.isEmpty()) {
                return "operator subject to excluded jurisdiction " + hit;
            }
        }
        return null;
    }

    private static String gpuReason(Member m, NodeFacts f) {
        if (m.gpus().count() == 0) {
            return null;
        }
        if (f.gpuCount() == 0) {
            return "no GPUs";
        }
        if (!f.modelAllowed(m.gpus().models())) {
            return "GPU model " + f.gpuModel() + " not in " + sorted(m.gpus().models());
        }
        String profileName = m.gpus().partitionProfile();
        if (profileName != null) {
            PartitionProfile profile = f.profiles().get(profileName);
            if (profile == null) {
                return "GPUs do not support partition " + profileName;
            }
            if (profile.memoryBytes() < m.gpus().minMemoryBytes()) {
                return "partition " + profileName + " has " + bytes(profile.memoryBytes()) + ", less than " + bytes(m.gpus().minMemoryBytes());
            }
        } else if (f.gpuMemoryBytes() < m.gpus().minMemoryBytes()) {
            return "GPU memory " + bytes(f.gpuMemoryBytes()) + " less than " + bytes(m.gpus().minMemoryBytes());
        }
        if (f.gpuCount() < m.gpus().count()) {
            return "has " + f.gpuCount() + " GPUs, fewer than " + m.gpus().count();
        }
        if (m.topology().oneNvlinkDomain() && m.gpus().count() > 1 && f.largestDomain() < m.gpus().count()) {
            return "no NVLink domain of " + m.gpus().count() + " GPUs";
        }
        if (m.topology().numaAligned() && f.largestNumaGroup() < m.gpus().count()) {
            return "no NUMA node with " + m.gpus().count() + " GPUs";
        }
        return null;
    }

    /** The first constraint that depends on what is reserved (isolation, power, NUMA capacity), or null. */
    private String dynamicReason(Contract contract, Member m, Demand demand, int node, Fabric fabric, Texts texts) {
        String dedicated = model.dedicatedTo[node];
        if (dedicated != null && !dedicated.equals(contract.tenant())) {
            return DEDICATED_TO_OTHER;
        }
        if (contract.isolation() == Isolation.DEDICATED_NODE) {
            for (String t : model.tenants.get(node).keySet()) {
                if (!t.equals(contract.tenant())) {
                    return SHARED_WITH_OTHER;
                }
            }
        }
        NodeFacts f = model.facts[node];
        double estimate = powerEstimate(m, f);
        if (m.powerCeilingWatts() > 0 && estimate > m.powerCeilingWatts() + 1e-6) {
            return texts.ceiling();
        }
        if (f.node().powerDomainId() != null) {
            PowerDomain over = model.overBudget(f.node().powerDomainId(), m.powerCeilingWatts() > 0 ? m.powerCeilingWatts() : estimate);
            if (over != null) {
                return budgetTexts.computeIfAbsent(over.id(), id -> "power domain " + over.kind() + " over its " + watts(over.budgetWatts()) + " budget");
            }
        }
        if (m.topology().numaAligned() && m.gpus().count() > 0 && alignedGpus(node, demand, fabric != null) == null) {
            return texts.numa();
        }
        return null;
    }

    private static double powerEstimate(Member m, NodeFacts f) {
        double gpu = m.gpus().count() * m.gpus().fraction() * f.gpuPowerWatts();
        double rest = Math.max(0, f.node().power().maxWatts() - f.gpuCount() * f.gpuPowerWatts());
        double cpuShare = f.cpuMilli() == 0 ? 0 : (double) m.cpuMilli() / f.cpuMilli();
        return gpu + rest * cpuShare;
    }

    /** What the member reserves in its power domain: its ceiling when it has one, else the estimate. */
    private static double powerNeed(Member m, NodeFacts f) {
        return m.powerCeilingWatts() > 0 ? m.powerCeilingWatts() : powerEstimate(m, f);
    }

    private boolean aligned(int node, int[] gpus, boolean needNic) {
        NodeFacts f = model.facts[node];
        int numa = f.gpuNuma()[gpus[0]];
        for (int g : gpus) {
            if (f.gpuNuma()[g] != numa) {
                return false;
            }
        }
        return !needNic || numa >= 0 && numa < f.rdmaNicNuma().length && f.rdmaNicNuma()[numa];
    }

    /** GPUs for the demand all on one NUMA node (with an RDMA NIC when needed): the fullest NUMA node that still fits; null when none. */
    private int[] alignedGpus(int node, Demand demand, boolean needNic) {
        NodeFacts f = model.facts[node];
        NodeCapacity c = model.capacity(node);
        if (c.cpuFreeMilli() < demand.cpuMilli() || c.memoryFreeMiB() < demand.memoryMiB()) {
            return null;
        }
        Map<Integer, List<Integer>> byNuma = new HashMap<>();
        for (int g = 0; g < f.gpuCount(); g++) {
            if (c.gpuFreeMilli(g) >= demand.gpuMilli()) {
                byNuma.computeIfAbsent(f.gpuNuma()[g], k -> new ArrayList<>()).add(g);
            }
        }
        int[] best = null;
        int bestFree = Integer.MAX_VALUE;
        for (Map.Entry<Integer, List<Integer>> e : byNuma.entrySet()) {
            int numa = e.getKey();
            if (needNic && (numa < 0 || numa >= f.rdmaNicNuma().length || !f.rdmaNicNuma()[numa])) {
                continue;
            }
            List<Integer> free = e.getValue();
            if (demand.oneDomain()) {
                Map<Integer, List<Integer>> byDomain = free.stream().collect(Collectors.groupingBy(g -> f.gpuDomain()[g]));
                free = byDomain.values().stream().filter(l -> l.size() >= demand.gpuCount())
                        .min(Comparator.comparingInt(List::size)).orElse(List.of());
            }
            if (free.size() >= demand.gpuCount() && free.size() < bestFree) {
                // fractional: the GPU with the least free share that still fits
                List<Integer> pick = new ArrayList<>(free);
                pick.sort(Comparator.comparingInt(c::gpuFreeMilli));
                best = pick.subList(0, demand.gpuCount()).stream().mapToInt(Integer::intValue).toArray();
                bestFree = free.size();
            }
        }
        return best;
    }

    // ---- explanations ---------------------------------------------------------------------------

    private List<Rejection> rejections(Contract contract, Member m, Demand demand, String[] staticReasons, Fabric fabric,
            java.util.BitSet inFabric, Texts texts) {
        // reasons are shared String instances (per shape, per member, per power domain): count by identity
        Map<String, int[]> counts = new java.util.IdentityHashMap<>();
        for (int shape = 0; shape < model.shapeCount; shape++) {
            String reason = staticReasons[model.shapeMember[shape]];
            if (reason != null) {
                counts.computeIfAbsent(reason, r -> new int[1])[0] += model.shapeSize[shape];
            }
        }
        for (int node = 0; node < staticReasons.length; node++) {
            if (staticReasons[node] != null || inFabric != null && !inFabric.get(node)) {
                continue; // counted above, or outside the fabric (counted once under the fabric)
            }
            String reason = dynamicReason(contract, m, demand, node, fabric, texts);
            if (reason == null) {
                reason = capacityReason(demand, node, texts);
            }
            counts.computeIfAbsent(reason, r -> new int[1])[0]++;
        }
        List<Rejection> out = new ArrayList<>();
        counts.entrySet().stream().sorted((x, y) -> Integer.compare(y.getValue()[0], x.getValue()[0]))
                .forEach(e -> out.add(new Rejection(m.name(), e.getKey(), e.getValue()[0])));
        return out;
    }

    private String capacityReason(Demand d, int node, Texts texts) {
        NodeCapacity c = model.capacity(node);
        if (c.cpuFreeMilli() < d.cpuMilli()) {
            return texts.cpu();
        }
        if (c.memoryFreeMiB() < d.memoryMiB()) {
            return texts.memory();
        }
        if (d.gpuCount() == 0) {
            return DOES_NOT_FIT;
        }
        int free = 0;
        for (int g = 0; g < c.gpuCount(); g++) {
            if (c.gpuFreeMilli(g) >= d.gpuMilli()) {
                free++;
            }
        }
        if (d.fractional()) {
            return free == 0 ? texts.share() : DOES_NOT_FIT;
        }
        if (free < d.gpuCount()) {
            return texts.gpus();
        }
        if (d.oneDomain()) {
            int[] perDomain = new int[c.gpuCount() + 1];
            for (int g = 0; g < c.gpuCount(); g++) {
                if (c.gpuFreeMilli(g) >= d.gpuMilli() && ++perDomain[c.gpuDomain(g) + 1] >= d.gpuCount()) {
                    return DOES_NOT_FIT;
                }
            }
            return texts.domain();
        }
        return DOES_NOT_FIT;
    }

    private List<ClauseEvidence> evidence(Contract contract, List<MemberBinding> bindings, Fabric fabric) {
        List<ClauseEvidence> out = new ArrayList<>();
        Sovereignty s = contract.sovereignty();
        Map<String, Site> sites = new LinkedHashMap<>();
        for (MemberBinding b : bindings) {
            Site site = model.facts[model.index.get(b.nodeId())].site();
            if (site != null) {
                sites.putIfAbsent(site.id(), site);
            }
        }
        for (Site site : sites.values()) {
            if (!s.countries().isEmpty()) {
                out.add(new ClauseEvidence("sovereignty.countries", "site " + site.id() + " country=" + site.country()
                        + " in " + sorted(s.countries())));
            }
            if (!s.jurisdictions().isEmpty()) {
                out.add(new ClauseEvidence("sovereignty.jurisdictions", "site " + site.id() + " under " + sorted(site.jurisdictions())));
            }
            if (!s.excludedOperatorJurisdictions().isEmpty()) {
                out.add(new ClauseEvidence("sovereignty.excludeOperatorJurisdictions", "site " + site.id() + " operator "
                        + site.operator().name() + " subject to " + sorted(site.operator().jurisdictions()) + ", none of "
                        + sorted(s.excludedOperatorJurisdictions())));
            }
        }
        if (s.dataClass() != null) {
            out.add(new ClauseEvidence("sovereignty.dataClass", s.dataClass() + " (recorded with the decision)"));
        }
        if (fabric != null) {
            out.add(new ClauseEvidence("fabric.rdma", "all members on " + fabric.id() + " (" + Optional.ofNullable(fabric.technology()).orElse("RDMA")
                    + ", " + gbps(fabric.linkBandwidthGbps()) + (contract.fabric().minBandwidthGbps() > 0
                    ? " >= " + gbps(contract.fabric().minBandwidthGbps()) : "") + ")"));
        }
        if (contract.isolation() == Isolation.DEDICATED_NODE) {
            Set<String> nodes = bindings.stream().map(MemberBinding::nodeId).collect(Collectors.toCollection(TreeSet::new));
            out.add(new ClauseEvidence("isolation", "dedicated-node: no other tenant on " + String.join(", ", nodes)));
        }
        for (MemberBinding b : bindings) {
            Member m = contract.members().stream().filter(x -> x.name().equals(b.member())).findFirst().orElseThrow();
            NodeFacts f = model.facts[model.index.get(b.nodeId())];
            String p = "members." + b.member();
            out.add(new ClauseEvidence(p + ".node", b.nodeId() + " at " + b.siteId() + ": " + cpus(b.cpuMilli()) + ", "
                    + bytes(b.memoryBytes())));
            if (m.gpus().count() > 0) {
                String share = m.gpus().partitionProfile() != null ? "partition " + m.gpus().partitionProfile() + " of "
                        : b.gpuFraction() < 1 ? Math.round(b.gpuFraction() * 100) + " % of " : "";
                out.add(new ClauseEvidence(p + ".gpus", share + b.acceleratorIds().size() + "x " + f.gpuModel() + " ("
                        + bytes(f.gpuMemoryBytes()) + " each): " + String.join(", ", b.acceleratorIds())));
            }
            if (m.topology().oneNvlinkDomain() && b.nvlinkDomain() != null) {
                out.add(new ClauseEvidence(p + ".topology.nvlinkDomain", b.acceleratorIds().size() + " GPUs in NVLink domain "
                        + b.nvlinkDomain()));
            }
            if (m.topology().numaAligned()) {
                out.add(new ClauseEvidence(p + ".topology.numaAligned", "GPUs on NUMA node " + b.numaNode()
                        + (fabric != null ? " with an RDMA NIC" : "")));
            }
            if (b.powerDomainId() != null && b.powerWatts() > 0) {
                PowerDomain d = model.powerDomains.get(b.powerDomainId());
                out.add(new ClauseEvidence(p + ".power", "reserves " + watts(b.powerWatts()) + " in " + b.powerDomainId()
                        + (d == null ? "" : " (" + watts(model.reservedWatts(d.id())) + " of " + watts(d.budgetWatts())
                        + " reserved)") + (m.powerCeilingWatts() > 0 ? ", ceiling " + watts(m.powerCeilingWatts()) : "")));
            }
        }
        return out;
    }

    private MemberBinding binding(Member m, int node, int[] gpus, Fabric fabric) {
        NodeFacts f = model.facts[node];
        List<String> ids = new ArrayList<>();
        String domain = null;
        int numa = gpus.length == 0 ? -1 : f.gpuNuma()[gpus[0]];
        for (int g : gpus) {
            ids.add(f.node().accelerators().get(g).id());
            int d = f.gpuDomain()[g];
            domain = d < 0 ? null : f.domainNames().get(d);
            if (f.gpuNuma()[g] != numa) {
                numa = -1;
            }
        }
        Fabric onFabric = fabric != null && fabric != NO_FABRIC ? fabric : null;
        double fraction = m.gpus().partitionProfile() != null ? demand(m).gpuMilli() / 1000.0 : m.gpus().fraction();
        return new MemberBinding(m.name(), f.node().id(), f.node().siteId(), ids, gpus.length == 0 ? 1 : fraction, domain, numa,
                onFabric == null ? null : onFabric.id(), m.cpuMilli(), m.memoryBytes(), powerNeed(m, f), f.node().powerDomainId());
    }

    /** The kernel's demand for a member: a partition counts as its share of the GPU's compute slices. */
    static Demand demand(Member m) {
        double fraction = m.gpus().fraction();
        String profile = m.gpus().partitionProfile();
        if (profile != null) {
            int slices = Integer.parseInt(profile.substring(0, profile.indexOf('g')));
            fraction = Math.min(1, slices / 7.0);
        }
        return PlacementModel.demandOf(m.cpuMilli(), m.memoryBytes(), m.gpus().count(), fraction, m.topology().oneNvlinkDomain());
    }

    // ---- formatting -----------------------------------------------------------------------------

    static String gpuCount(long milli) {
        return milli % 1000 == 0 ? String.valueOf(milli / 1000) : String.format(Locale.ROOT, "%.2f", milli / 1000.0);
    }

    static String sorted(Set<String> values) {
        return new TreeSet<>(values).toString();
    }

    static String gbps(double gbps) {
        return (gbps == Math.rint(gbps) ? String.valueOf((long) gbps) : String.valueOf(gbps)) + " Gbit/s";
    }

    static String watts(double watts) {
        return watts >= 1000 ? String.format(Locale.ROOT, "%.1f kW", watts / 1000) : Math.round(watts) + " W";
    }

    static String cpus(long milli) {
        return milli % 1000 == 0 ? milli / 1000 + " CPUs" : String.format(Locale.ROOT, "%.1f CPUs", milli / 1000.0);
    }

    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v == Math.rint(v) ? (long) v + " " + units[u] : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
