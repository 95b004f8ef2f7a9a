package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides where a contract's gang goes on a {@link PlacementModel}: {@link NodeFilter} says which
 * nodes each member may use, {@link GangBinder} binds the gang (the packing policy first, then a
 * bounded complete search), {@link DecisionExplainer} gives the evidence per clause or the counted
 * reasons. A gang that must share an RDMA fabric is bound on one fabric at a time: fabrics whose
 * free GPU share, on the nodes that meet some member's fixed clauses, is less than the gang's are
 * skipped (a partition counts its share), the rest are tried tightest first, at most
 * {@link GangBinder#MAX_FABRICS}.
 */
final class ContractPlanner {

    /** The outcome of one plan; when placed, its reservations are held in the model until committed or rolled back. */
    record Plan(boolean placed, List<MemberBinding> bindings, List<ClauseEvidence> evidence, List<Rejection> rejections,
            String summary, int nodesConsidered, List<GangBinder.Reservation> reservations) {
    }

    private final PlacementModel model;

    ContractPlanner(PlacementModel model) {
        this.model = model;
    }

    /** Why a contract is refused on an inventory without nodes: there is nothing to count, so no row could say it. */
    static final String NO_NODES = "the inventory holds no nodes";

    Plan plan(Contract contract) {
        if (model.inv.nodeCount() == 0) {
            // no node is counted under any reason: the summary would otherwise say that every member fits on some node
            return refused(contract, List.of(new Rejection("*", NO_NODES, 0)), "not placed: " + NO_NODES);
        }
        NodeFilter filter = new NodeFilter(model, contract);
        GangBinder binder = new GangBinder(model, filter);
        DecisionExplainer explainer = new DecisionExplainer(model, filter);
        List<Member> members = contract.members();
        if (!contract.fabric().oneRdmaFabric()) {
            Optional<List<GangBinder.Reservation>> held = binder.greedy(members, null, false);
            if (held.isEmpty() && members.size() > 1 && !binder.firstMemberFitsNowhere()) {
                held = binder.search(members, binder.alone(members, null, false), false);
            }
            if (held.isPresent()) {
                return placed(contract, explainer, held.get(), null);
            }
            List<Rejection> rejections = explainer.refused(false, false);
            return refused(contract, rejections, summary(contract, rejections, binder, null));
        }
        return planOnFabric(contract, filter, binder, explainer);
    }

    private Plan planOnFabric(Contract contract, NodeFilter filter, GangBinder binder, DecisionExplainer explainer) {
        List<Member> members = contract.members();
        double minGbps = contract.fabric().minBandwidthGbps();
        long needed = 0;
        for (Member m : members) {
            needed += filter.gpuMilli(m);
        }
        List<Rejection> notes = new ArrayList<>();
        List<Fabric> tried = new ArrayList<>();
        Map<String[], Member> distinct = new java.util.LinkedHashMap<>(); // arrays hash by identity; insertion order is contract order
        for (Member m : members) {
            distinct.putIfAbsent(filter.fixed(m), m);
        }
        Map<String, Long> free = new HashMap<>();
        for (Fabric f : model.inv.rdmaFabrics) {
            if (f.linkBandwidthGbps() < minGbps) {
                continue;
            }
            BitSet onFabric = model.inv.fabricNodes.get(f.id());
            // every member needs a node here that meets its fixed clauses; the GPU share is counted on the nodes some member may use
            BitSet usable = new BitSet();
            String missing = null;
            for (Map.Entry<String[], Member> e : distinct.entrySet()) {
                String[] fixed = e.getKey();
                boolean any = false;
                for (int node = onFabric.nextSetBit(0); node >= 0; node = onFabric.nextSetBit(node + 1)) {
                    if (fixed[node] == null) {
                        usable.set(node);
                        any = true;
                    }
                }
                if (!any && missing == null) {
                    missing = e.getValue().name();
                }
            }
            long milli = freeMilli(usable);
            free.put(f.id(), milli);
            if (missing != null) {
                notes.add(new Rejection("*", "RDMA fabric " + f.id() + " has no node that meets the clauses of member " + missing, 0));
            } else if (milli < needed) {
                notes.add(new Rejection("*", "RDMA fabric " + f.id() + " has " + Format.gpuCount(milli) + " free GPUs on nodes that meet the"
                        + " contract; the gang needs " + Format.gpuCount(needed), 0));
            } else {
                tried.add(f);
            }
        }
        tried.sort(Comparator.comparingLong((Fabric f) -> free.get(f.id())).thenComparing(Fabric::id));
        if (tried.size() > GangBinder.MAX_FABRICS) {
            notes.add(new Rejection("*", (tried.size() - GangBinder.MAX_FABRICS) + " more RDMA fabrics with room were not tried (at most "
                    + GangBinder.MAX_FABRICS + " per decision)", 0));
            tried = tried.subList(0, GangBinder.MAX_FABRICS);
        }
        Set<String> hopeless = new java.util.HashSet<>();
        for (Fabric f : tried) {
            Optional<List<GangBinder.Reservation>> held = binder.greedy(members, model.inv.fabricNodes.get(f.id()), true);
            if (held.isPresent()) {
                return placed(contract, explainer, held.get(), f);
            }
            if (members.size() == 1 || binder.firstMemberFitsNowhere()) {
                hopeless.add(f.id()); // the greedy pass is complete for one member, and the first member alone fits nowhere here
            }
        }
        for (Fabric f : tried) {
            BitSet scope = model.inv.fabricNodes.get(f.id());
            if (hopeless.contains(f.id())) {
                notes.add(new Rejection("*", "the gang does not fit on RDMA fabric " + f.id() + " (" + Format.gpuCount(free.get(f.id()))
                        + " free GPUs on nodes that meet the contract)", 0));
                continue;
            }
            Optional<List<GangBinder.Reservation>> held = binder.search(members, binder.alone(members, scope, true), true);
            if (held.isPresent()) {
                return placed(contract, explainer, held.get(), f);
            }
            notes.add(new Rejection("*", "the gang does not fit on RDMA fabric " + f.id() + " (" + Format.gpuCount(free.get(f.id()))
                    + " free GPUs on nodes that meet the contract)", 0));
        }
        if (free.isEmpty()) {
            notes.add(new Rejection("*", "no " + Format.rdma(minGbps) + " in the inventory", 0));
        } else if (tried.isEmpty()) {
            // the most free GPUs; the first id on equality
            String roomiest = free.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                    .thenComparing(Map.Entry::getKey)).map(Map.Entry::getKey).findFirst().orElseThrow();
            notes.add(new Rejection("*", "no " + Format.rdma(minGbps) + " has " + Format.gpuCount(needed)
                    + " free GPUs on nodes that meet the contract (most: " + roomiest + " with " + Format.gpuCount(free.get(roomiest)) + ")", 0));
        }
        List<Rejection> rejections = new ArrayList<>(explainer.refused(true, true));
        rejections.addAll(notes);
        return refused(contract, rejections, summary(contract, rejections, binder, tried));
    }

    /** GPU share free on the nodes, failed GPUs left out, in milli-GPU. */
    private long freeMilli(BitSet nodes) {
        long free = 0;
        for (int i = nodes.nextSetBit(0); i >= 0; i = nodes.nextSetBit(i + 1)) {
            free = Math.addExact(free, model.capacity(i).gpuFreeMilliUsable());
        }
        return free;
    }

    private String summary(Contract contract, List<Rejection> rejections, GangBinder binder, List<Fabric> fabrics) {
        Map<String, List<Member>> byRow = new java.util.LinkedHashMap<>();
        for (Rejection r : rejections) {
            if (!r.member().equals("*")) {
                byRow.putIfAbsent(r.member(), null);
            }
        }
        for (String members : byRow.keySet()) {
            if (DecisionExplainer.alone(rejections, members) == 0) {
                String first = members.split(", ")[0];
                return "not placed: member " + first + " fits on no node";
            }
        }
        String bound = binder.boundReached() ? "; the search for a whole-gang assignment stopped at its bound of "
                + String.format(java.util.Locale.ROOT, "%,d", GangBinder.SEARCH_STEPS) + " node checks, so one may exist" : "";
        if (fabrics != null) {
            String rdma = Format.rdma(contract.fabric().minBandwidthGbps());
            if (fabrics.isEmpty()) {
                return "not placed: no " + rdma + " has the free GPUs the gang needs on nodes that meet the contract";
            }
            return "not placed: every member fits on some node, but the gang fits on no single " + rdma + " (" + fabrics.size()
                    + (fabrics.size() == 1 ? " fabric" : " fabrics") + " with room tried)" + bound;
        }
        return "not placed: every member fits on some node, but not all of them at once" + bound;
    }

    /** A placed plan with the tenant's quota in its evidence, as clause {@code quota}: the placement record shows what it took of it. */
    java.util.function.Function<String, Plan> withQuota(Plan plan) {
        return text -> {
            List<ClauseEvidence> evidence = new ArrayList<>(plan.evidence());
            evidence.add(new ClauseEvidence("quota", text));
            return new Plan(plan.placed(), plan.bindings(), evidence, plan.rejections(), plan.summary(), plan.nodesConsidered(),
                    plan.reservations());
        };
    }

    /** A gang that fits but that its tenant's quota does not allow: refused as a whole, the reason in one gang row. */
    Plan overQuota(String reason) {
        return new Plan(false, List.of(), List.of(), List.of(new Rejection("*", reason, 0)), "not placed: " + reason, model.inv.nodeCount(),
                List.of());
    }

    private Plan refused(Contract contract, List<Rejection> rejections, String summary) {
        return new Plan(false, List.of(), List.of(), rejections, summary, model.inv.nodeCount(), List.of());
    }

    private Plan placed(Contract contract, DecisionExplainer explainer, List<GangBinder.Reservation> held, Fabric fabric) {
        Map<String, GangBinder.Reservation> byMember = new HashMap<>();
        held.forEach(r -> byMember.put(r.member().name(), r));
        List<MemberBinding> bindings = new ArrayList<>();
        for (Member m : contract.members()) {
            bindings.add(binding(m, byMember.get(m.name()), fabric));
        }
        List<ClauseEvidence> evidence = explainer.evidence(bindings, fabric);
        Set<String> nodes = bindings.stream().map(MemberBinding::nodeId).collect(Collectors.toCollection(TreeSet::new));
        Set<String> sites = bindings.stream().map(MemberBinding::siteId).collect(Collectors.toCollection(TreeSet::new));
        String summary = "placed " + bindings.size() + (bindings.size() == 1 ? " member" : " members") + " on " + nodes.size()
                + (nodes.size() == 1 ? " node" : " nodes") + " at " + String.join(", ", sites);
        return new Plan(true, bindings, evidence, explainer.placed(), summary, model.inv.nodeCount(), held);
    }

    private MemberBinding binding(Member m, GangBinder.Reservation r, Fabric fabric) {
        NodeFacts f = model.facts[r.node()];
        List<String> ids = new ArrayList<>();
        int[] gpus = r.gpus();
        int numa = gpus.length == 0 ? -1 : f.gpuNuma()[gpus[0]];
        // the NVLink domain of the GPUs when they share one, as the NUMA node: GPUs spread over two domains were said to be in
        // the last GPU's
        int nvlink = gpus.length == 0 ? -1 : f.gpuDomain()[gpus[0]];
        for (int g : gpus) {
            ids.add(f.node().accelerators().get(g).id());
            if (f.gpuDomain()[g] != nvlink) {
                nvlink = -1;
            }
            if (f.gpuNuma()[g] != numa) {
                numa = -1;
            }
        }
        String domain = nvlink < 0 ? null : f.domainNames().get(nvlink);
        // a MIG instance is its profile's share of the GPU it is on: 1/4 of an A30 for a 1g, 1/7 of an H100
        int profile = r.slot() >= 0 && f.mig() != null ? f.mig().profile(m.gpus().partitionProfile()) : -1;
        double share = gpus.length == 0 ? 1 : profile >= 0 ? f.mig().milli(profile) / (double) Demand.WHOLE_GPU : NodeFilter.share(m);
        return new MemberBinding(m.name(), f.node().id(), f.node().siteId(), ids, share, domain, numa,
                fabric == null ? null : fabric.id(), m.cpuMilli(), m.memoryBytes(), r.watts(), f.node().powerDomainId(),
                r.slot() >= 0 ? m.gpus().partitionProfile() : null, r.slot());
    }

    /** Undoes a plan's reservations, newest first. */
    void rollback(Plan plan) {
        List<GangBinder.Reservation> reservations = plan.reservations();
        for (int i = reservations.size() - 1; i >= 0; i--) {
            GangBinder.Reservation r = reservations.get(i);
            model.packer.release(model.facts[r.node()].node().id(), r.demand(), r.gpus(), r.slot());
            model.holdPower(r.node(), r.powerDomain(), -r.watts());
            model.unhold(r.node(), r.tenant(), r.dedicated());
        }
    }
}
