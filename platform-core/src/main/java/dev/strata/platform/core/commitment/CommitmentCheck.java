package dev.strata.platform.core.commitment;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.telemetry.Telemetry;
import dev.strata.platform.core.placement.OfferSlots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether what placement committed to an allocation still holds on an inventory and a ledger. A
 * reading of the contract's clauses of its own, written from their documentation and not from
 * placement's filter, so that it also checks placement: every member binding, in order,
 * <ul>
 *   <li><b>member</b> ({@code members.<m>}): a contract without a member of the binding's name (an older
 *       allocation's contract, stored before its members were named as they are), AT_RISK, once per member: what the
 *       member asked for (its GPU, topology and power clauses) cannot be verified, as with a contract not known;</li>
 *   <li><b>node</b> ({@code members.<m>.node}): gone from the inventory, BREACHED; STALE (its provider
 *       no longer reports it), DRAINING or UNAVAILABLE, AT_RISK;</li>
 *   <li><b>sovereignty</b>, against the node's site as the inventory holds it now: a country not
 *       allowed, no jurisdiction allowed, an operator subject to an excluded jurisdiction, BREACHED; a
 *       site, country or operator no longer known where the clause needs it, AT_RISK;</li>
 *   <li><b>isolation</b>: a node dedicated (owned) by another tenant now, BREACHED; for a dedicated-node
 *       allocation, another tenant's allocation on one of its nodes, BREACHED;</li>
 *   <li><b>GPUs</b>, each bound one: gone from the node or FAILED ({@code members.<m>.gpus}), of a
 *       model the member does not allow (a whole word of the model's name, any case:
 *       {@code members.<m>.gpus.models}), BREACHED; DEGRADED where the member does not allow it
 *       ({@code members.<m>.gpus.allowDegraded}), AT_RISK;</li>
 *   <li><b>fabric</b> ({@code fabric.rdma}, {@code fabric.bandwidth}), for a contract that asks for one
 *       RDMA fabric, each member bound on a node of one: that fabric gone from the inventory, no
 *       longer RDMA, the node no longer its member, or its per-member bandwidth now under the
 *       contract's, BREACHED;</li>
 *   <li><b>topology</b>, a member whose GPUs must share an NVLink domain
 *       ({@code members.<m>.topology.nvlinkDomain}): a bound GPU now in another domain or in none,
 *       BREACHED; a member whose GPUs must share a NUMA node ({@code members.<m>.topology.numaAligned}):
 *       a bound GPU now on another NUMA node, BREACHED, its NUMA node no longer known, AT_RISK;</li>
 *   <li><b>power domain</b> ({@code members.<m>.power}), a binding whose power is reserved in one: the
 *       node now in another domain or in none, or the domain gone from the inventory, AT_RISK;</li>
 *   <li><b>telemetry</b> ({@link TelemetryClauses}), where a pass is given the telemetry
 *       ({@link Pass#Pass(InventorySnapshot, List, Telemetry, Instant, Duration)}):
 *       a bound GPU whose latest sample within the window reports uncorrected ECC errors since its
 *       driver loaded, AT_RISK ({@code members.<m>.gpus}); a member with a power ceiling
 *       ({@code members.<m>.power}) whose whole GPUs drew more than the ceiling in all, each GPU's
 *       draw averaged over its samples within the window (all of them, however many: up to
 *       {@link TelemetryClauses#MOST_SAMPLES}, beyond which the ceiling is unchecked, AT_RISK, unless
 *       breached, the evidence then naming the samples the mean covers), BREACHED: the GPUs are part of what the
 *       member draws, so more than the ceiling on them alone is more than the member may draw.
 *       GPUs shared with others (a share, a partition) are not counted, their draw being shared too.
 *       A GPU that a source covers or covered (one with a latest sample, whenever it was taken) but
 *       that has no sample within the window leaves its clauses unchecked, which is not the same as
 *       holding: the member's GPUs still on the node with such a gap, other than FAILED ones (a
 *       breach of the same clause already), one AT_RISK finding ({@code members.<m>.gpus}: their ECC
 *       errors cannot be checked). So does a GPU sampled within the window whose samples report no
 *       power draw (-1, or a value that is not finite: not every device or driver reports it) for
 *       the power clause: a member with a power ceiling whose whole GPUs include GPUs with such a gap
 *       or reporting no power, or GPUs sampled within the window whose recent samples could not be
 *       read (below), AT_RISK ({@code members.<m>.power}: the ceiling cannot be checked; one
 *       finding, naming each kind), unless the GPUs measured already drew more than it, BREACHED (its
 *       evidence counting the GPUs without samples, those sampled only before the allocation was
 *       placed, those whose samples could not be read and those
 *       reporting no power, not counted). A GPU
 *       FAILED or gone from the node is left out of the power clause's AT_RISK as well: the GPU
 *       clause breaches it already, and a failed GPU draws nothing to check. Each AT_RISK finding names
 *       the GPUs, the node and the window, and a gap the time of each GPU's latest sample, never a
 *       value that changes, so that a condition that lasts gives the same finding every pass. A GPU no
 *       source ever covered adds nothing: not every GPU has telemetry.
 *       <p>A late pass does not claim more than it read. A pass given an earlier instant to judge
 *       gaps from (that of the last pass whose telemetry calls were answered in time, where its own
 *       were not) names as gaps only GPUs with no sample within the window before that instant
 *       either, and judges a GPU with none within its own window but one within the window before
 *       that instant as that pass did: its ECC errors and whether it reports power by the latest
 *       sample that pass had, its draw by its samples within the window before that pass, so that
 *       the findings, in the same words, neither vanish nor change with one late pass. A GPU whose
 *       recent samples a pass could not read (its calls late, or failing) is judged by those the last
 *       pass that read them had, within the window before that pass, where the telemetry given is
 *       the verifier's ({@link RememberedTelemetry}), for one window from the first pass that could
 *       not read them; after that, or without them, its draw is not known: the ceiling cannot be
 *       checked, AT_RISK, unless the GPUs measured drew more than it. What a late pass did read
 *       within its own window counts as it is.</li>
 * </ul>
 * A member bound to cloud capacity (a launch slot of a {@link CapacityOffer}) is checked for
 * sovereignty against the offer's site while the offer is in the inventory, else skipped: the
 * machine launched for it is followed by the deployment reconciler. The status is the worst
 * finding's, HONORED without findings. Pure and thread-safe, but for a pass given the verifier's
 * telemetry, which keeps what each pass reads ({@link RememberedTelemetry}; its passes run one at a time).
 */
public final class CommitmentCheck {

    /** The member of a finding on the whole contract. */
    public static final String WHOLE = "*";

    /**
     * A verdict.
     *
     * @param status the worst finding's status, HONORED without findings
     * @param findings every clause that does not hold, in binding order
     */
    public record Verdict(CommitmentStatus status, List<Finding> findings) {
        public Verdict {
            findings = List.copyOf(findings);
        }
    }

    private CommitmentCheck() {
    }

    /**
     * Checks an allocation.
     *
     * @param allocation what placement bound
     * @param contract the contract it placed, or null when it is not known (only the nodes, GPUs and
     *     tenants are checked then, with an AT_RISK finding saying so)
     * @param inventory the inventory now
     * @param ledger every allocation in the ledger now (the allocation itself may be among them)
     */
    public static Verdict check(Allocation allocation, Contract contract, InventorySnapshot inventory, List<Allocation> ledger) {
        return new Pass(inventory, ledger).check(allocation, contract);
    }

    /**
     * The inventory and ledger of one pass, indexed once (nodes, sites and offers by id, the
     * allocations on each node), so that a pass over n allocations costs O(n) and not O(n^2).
     */
    public static final class Pass {
        private final Map<String, Node> nodes = new HashMap<>();
        private final Map<String, Site> sites = new HashMap<>();
        private final Map<String, CapacityOffer> offers = new HashMap<>();
        private final Map<String, Fabric> fabrics = new HashMap<>();
        private final Set<String> powerDomains = new HashSet<>();
        private final Map<String, List<Allocation>> byNode = new HashMap<>();
        /** The telemetry clauses, over what the pass reads of the telemetry. */
        private final TelemetryClauses telemetry;

        /**
         * A pass without telemetry.
         *
         * @param inventory the inventory now
         * @param ledger every allocation in the ledger now
         */
        public Pass(InventorySnapshot inventory, List<Allocation> ledger) {
            this(inventory, ledger, null, Instant.EPOCH, Duration.ZERO);
        }

        /**
         * A pass that also holds the allocations to what telemetry measured.
         *
         * @param inventory the inventory now
         * @param ledger every allocation in the ledger now
         * @param telemetry the telemetry of every source, or null for none
         * @param now the time of the pass
         * @param window how far back a sample counts: samples taken before {@code now - window}
         *     (or after {@code now}) are not used
         */
        public Pass(InventorySnapshot inventory, List<Allocation> ledger, Telemetry telemetry, Instant now, Duration window) {
            this(inventory, ledger, telemetry, now, window, now);
        }

        /**
         * A pass that also holds the allocations to what telemetry measured, judging telemetry gaps
         * as of an instant before its own: that of the last pass whose telemetry calls were all
         * answered in time, where this pass's were not (it cannot tell a GPU whose samples stopped
         * from its own lateness). A GPU with no sample within the pass's window but one within the
         * window before {@code gapsFrom} is then no gap, and is judged as of then: its ECC errors,
         * whether it reports power, and its draw, as the pass at {@code gapsFrom} judged them.
         *
         * @param gapsFrom the instant gaps are judged from: {@code now} to judge them as of the
         *     pass, an earlier one to judge them as of then too (a later one is taken as {@code now})
         */
        public Pass(InventorySnapshot inventory, List<Allocation> ledger, Telemetry telemetry, Instant now, Duration window,
                Instant gapsFrom) {
            this.telemetry = new TelemetryClauses(telemetry, now, window, gapsFrom);
            inventory.nodes().forEach(n -> nodes.putIfAbsent(n.id(), n));
            inventory.sites().forEach(s -> sites.putIfAbsent(s.id(), s));
            inventory.offers().forEach(o -> offers.putIfAbsent(o.id(), o));
            inventory.fabrics().forEach(f -> fabrics.putIfAbsent(f.id(), f));
            inventory.powerDomains().forEach(d -> powerDomains.add(d.id()));
            for (Allocation a : ledger) {
                Set<String> on = new HashSet<>();
                for (MemberBinding b : a.bindings()) {
                    if (b.partition() == null && b.gpuFraction() >= 1) {
                        b.acceleratorIds().forEach(id -> this.telemetry.placed(id, a.createdAt())); // its draw counts from then
                    }
                    if (on.add(b.nodeId())) {
                        byNode.computeIfAbsent(b.nodeId(), k -> new ArrayList<>()).add(a);
                    }
                }
            }
        }

        /** Checks an allocation, as {@link CommitmentCheck#check} does. */
        public Verdict check(Allocation allocation, Contract contract) {
            return CommitmentCheck.check(allocation, contract, this);
        }
    }

    private static Verdict check(Allocation allocation, Contract contract, Pass pass) {
        List<Finding> out = new ArrayList<>();
        if (contract == null) {
            out.add(new Finding(WHOLE, "contract", CommitmentStatus.AT_RISK, "contract " + allocation.contract()
                    + " is not in the store or cannot be read; its sovereignty and GPU clauses cannot be verified"));
        }
        Set<String> memberless = new HashSet<>();
        for (MemberBinding b : allocation.bindings()) {
            Member member = contract == null ? null
                    : contract.members().stream().filter(m -> m.name().equals(b.member())).findFirst().orElse(null);
            if (contract != null && member == null && memberless.add(b.member())) {
                // a contract stored for an allocation that binds a member it lacks (an older allocation's, or another
                // contract of the name): what the member asked for is not known, which is not the same as holding
                out.add(new Finding(b.member(), "members." + b.member(), CommitmentStatus.AT_RISK, "contract " + contract.name()
                        + " as stored has no member " + b.member() + ", which the allocation binds; the member's GPU, topology"
                        + " and power clauses cannot be verified"));
            }
            Node node = pass.nodes.get(b.nodeId());
            if (node != null) {
                checkNode(out, allocation, contract, member, b, node, pass);
                continue;
            }
            Optional<String> offerId = OfferSlots.offerOf(b.nodeId());
            CapacityOffer offer = offerId.map(pass.offers::get).orElse(null);
            if (offer != null) {
                if (contract != null) {
                    sovereignty(out, b.member(), contract.sovereignty(), "offer " + offer.id(), offer.siteId(), pass);
                }
                continue;
            }
            if (offerId.isPresent()) {
                // a launch slot whose offer is no longer in the inventory, or a node whose id merely looks like one: what it
                // was placed on cannot be checked any more (a machine launched on the slot is not a fact of the offer)
                out.add(new Finding(b.member(), node(b), CommitmentStatus.AT_RISK, "neither node " + b.nodeId() + " nor offer "
                        + offerId.get() + " is in the inventory any more; what the member was placed on cannot be checked"));
                continue;
            }
            out.add(new Finding(b.member(), node(b), CommitmentStatus.BREACHED, "node " + b.nodeId() + " is no longer in the inventory"));
        }
        CommitmentStatus status = CommitmentStatus.HONORED;
        for (Finding f : out) {
            status = status.worst(f.status());
        }
        return new Verdict(status, out);
    }

    private static final String DEDICATED_TO = " is dedicated to tenant ";
    private static final String ALSO_HOLDS = " also holds allocation ";
    private static final String ALLOWS_NO_OTHER = "; isolation dedicated-node allows no other tenant";

    /**
     * A finding's evidence as a tenant's user is shown it: the isolation findings name the other
     * tenant and its allocation ({@code node n1 also holds allocation a-7 of tenant bank-payments}),
     * which are not the user's to know, so they say "another tenant" instead ({@code node n1 also
     * holds an allocation of another tenant}); every other evidence is returned as it is.
     *
     * @param evidence the evidence, as the check wrote it (or as a record keeps it, cleaned)
     * @param tenant the tenant of the allocation the finding is about
     */
    public static String withoutOtherTenants(String evidence, String tenant) {
        if (evidence == null || !evidence.startsWith("node ")) {
            return evidence;
        }
        int also = evidence.indexOf(ALSO_HOLDS);
        if (also > 0 && evidence.endsWith(ALLOWS_NO_OTHER)) {
            return evidence.substring(0, also) + " also holds an allocation of another tenant" + ALLOWS_NO_OTHER;
        }
        int dedicated = evidence.indexOf(DEDICATED_TO);
        if (dedicated > 0 && tenant != null && evidence.endsWith(", not " + tenant)) {
            return evidence.substring(0, dedicated) + " is dedicated to another tenant, not " + tenant;
        }
        return evidence;
    }

    private static String node(MemberBinding b) {
        return "members." + b.member() + ".node";
    }

    private static void checkNode(List<Finding> out, Allocation allocation, Contract contract, Member member, MemberBinding b, Node n,
            Pass pass) {
        if (n.state() == ResourceState.STALE) {
            out.add(new Finding(b.member(), node(b), CommitmentStatus.AT_RISK, "node " + n.id() + " is STALE: its provider "
                    + n.providerId() + " no longer reports it"));
        } else if (n.state() != ResourceState.AVAILABLE) {
            out.add(new Finding(b.member(), node(b), CommitmentStatus.AT_RISK, "node " + n.id() + " is " + n.state()));
        }
        if (contract != null) {
            String what = "node " + n.id() + (n.siteId().equals(b.siteId()) || b.siteId() == null ? "" : " (placed at site " + b.siteId() + ")");
            sovereignty(out, b.member(), contract.sovereignty(), what, n.siteId(), pass);
        }
        if (n.ownerTenant() != null && !n.ownerTenant().equals(allocation.tenant())) {
            out.add(new Finding(b.member(), "isolation", CommitmentStatus.BREACHED, "node " + n.id() + DEDICATED_TO + n.ownerTenant()
                    + ", not " + allocation.tenant()));
        }
        if (allocation.dedicated()) {
            for (Allocation other : pass.byNode.getOrDefault(n.id(), List.of())) {
                if (other.id().equals(allocation.id()) || other.tenant().equals(allocation.tenant())) {
                    continue;
                }
                out.add(new Finding(b.member(), "isolation", CommitmentStatus.BREACHED, "node " + n.id() + ALSO_HOLDS + other.id()
                        + " of tenant " + other.tenant() + ALLOWS_NO_OTHER));
            }
        }
        GpuRequest gpus = member == null ? null : member.gpus();
        String p = "members." + b.member() + ".gpus";
        List<String> gapped = new ArrayList<>();
        Set<String> failedOrGone = new HashSet<>(); // breached here: the power clause leaves them out
        for (String id : b.acceleratorIds()) {
            Accelerator a = n.accelerators().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            if (a == null) {
                out.add(new Finding(b.member(), p, CommitmentStatus.BREACHED, "GPU " + id + " is no longer on node " + n.id()));
                failedOrGone.add(id);
                continue;
            }
            Health.Status health = a.health().status();
            if (health == Health.Status.FAILED) {
                failedOrGone.add(id);
                out.add(new Finding(b.member(), p, CommitmentStatus.BREACHED, "GPU " + id + " on node " + n.id() + " has FAILED"
                        + reasons(a.health())));
            } else if (health == Health.Status.DEGRADED && gpus != null && !gpus.allowDegraded()) {
                out.add(new Finding(b.member(), p + ".allowDegraded", CommitmentStatus.AT_RISK, "GPU " + id + " on node " + n.id()
                        + " is DEGRADED" + reasons(a.health()) + "; the member does not allow degraded GPUs"));
            }
            if (gpus != null && !gpus.models().isEmpty() && gpus.models().stream().noneMatch(w -> wordOf(a.model(), w))) {
                out.add(new Finding(b.member(), p + ".models", CommitmentStatus.BREACHED, "GPU " + id + " on node " + n.id() + " is a "
                        + a.model() + ", not one of " + sorted(gpus.models())));
            }
            if (health != Health.Status.FAILED) {
                pass.telemetry.eccErrors(out, b.member(), p, id, n);
                if (pass.telemetry.gap(id)) {
                    gapped.add(id);
                }
            }
        }
        pass.telemetry.gaps(out, b.member(), p, gapped, n);
        if (contract != null && contract.fabric().oneRdmaFabric() && b.fabricId() != null) {
            fabric(out, contract, b, n, pass);
        }
        if (member != null) {
            topology(out, member, b, n);
        }
        if (b.powerWatts() > 0 && b.powerDomainId() != null) {
            powerDomain(out, b, n, pass);
        }
        if (member != null && member.powerCeilingWatts() > 0) {
            pass.telemetry.powerCeiling(out, member, b, n, failedOrGone, allocation.createdAt());
        }
    }

    /**
     * The power domain the binding's power is reserved in, as the inventory holds it now: the node
     * moved to another domain, or the domain gone, leaves the reservation where no budget holds the
     * node's draw, AT_RISK.
     */
    private static void powerDomain(List<Finding> out, MemberBinding b, Node n, Pass pass) {
        String p = "members." + b.member() + ".power";
        if (!b.powerDomainId().equals(n.powerDomainId())) {
            out.add(new Finding(b.member(), p, CommitmentStatus.AT_RISK, "node " + n.id() + " is now "
                    + (n.powerDomainId() == null ? "in no power domain" : "in power domain " + n.powerDomainId()) + ", while its "
                    + watts(b.powerWatts()) + " are reserved in " + b.powerDomainId() + ": no budget holds what it draws now"));
        } else if (!pass.powerDomains.contains(b.powerDomainId())) {
            out.add(new Finding(b.member(), p, CommitmentStatus.AT_RISK, "power domain " + b.powerDomainId() + ", where the "
                    + watts(b.powerWatts()) + " of node " + n.id() + " are reserved, is no longer in the inventory: its budget is unknown"));
        }
    }

    /** The RDMA fabric the member was bound on, as the inventory holds it now. */
    private static void fabric(List<Finding> out, Contract contract, MemberBinding b, Node n, Pass pass) {
        Fabric f = pass.fabrics.get(b.fabricId());
        if (f == null) {
            out.add(new Finding(b.member(), "fabric.rdma", CommitmentStatus.BREACHED, "fabric " + b.fabricId()
                    + ", which the members were placed on, is no longer in the inventory"));
            return;
        }
        if (f.type() != FabricType.RDMA) {
            out.add(new Finding(b.member(), "fabric.rdma", CommitmentStatus.BREACHED, "fabric " + f.id() + " is now " + f.type()
                    + ", not RDMA"));
            return;
        }
        if (!f.members().contains(n.id())) {
            out.add(new Finding(b.member(), "fabric.rdma", CommitmentStatus.BREACHED, "node " + n.id() + " is no longer a member of RDMA fabric "
                    + f.id() + ", which the other members were placed on"));
        }
        double min = contract.fabric().minBandwidthGbps();
        if (min > 0 && f.linkBandwidthGbps() < min) {
            out.add(new Finding(b.member(), "fabric.bandwidth", CommitmentStatus.BREACHED, "fabric " + f.id() + " now gives "
                    + gbps(f.linkBandwidthGbps()) + " per member, less than the " + gbps(min) + " asked for"));
        }
    }

    /** The member's GPUs still where its topology clause needs them: one NVLink domain, one NUMA node. */
    private static void topology(List<Finding> out, Member member, MemberBinding b, Node n) {
        String p = "members." + b.member() + ".topology";
        for (String id : b.acceleratorIds()) {
            Accelerator a = n.accelerators().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            if (a == null) {
                continue; // gone from the node: the GPU clause says so
            }
            if (member.topology().oneNvlinkDomain() && b.nvlinkDomain() != null && !b.nvlinkDomain().equals(a.interconnectDomain())) {
                out.add(new Finding(b.member(), p + ".nvlinkDomain", CommitmentStatus.BREACHED, "GPU " + id + " on node " + n.id() + " is now "
                        + (a.interconnectDomain() == null ? "in no NVLink domain" : "in NVLink domain " + a.interconnectDomain())
                        + ", not in " + b.nvlinkDomain() + " with the member's other GPUs"));
            }
            if (member.topology().numaAligned() && b.numaNode() >= 0 && a.numaNode() != b.numaNode()) {
                boolean unknown = a.numaNode() < 0;
                out.add(new Finding(b.member(), p + ".numaAligned", unknown ? CommitmentStatus.AT_RISK : CommitmentStatus.BREACHED, "GPU " + id
                        + " on node " + n.id() + (unknown ? " is on a NUMA node no longer known" : " is now on NUMA node " + a.numaNode())
                        + ", where the member's GPUs were placed on NUMA node " + b.numaNode()));
            }
        }
    }

    /** A bandwidth in Gbit/s as a contract writes it: {@code 400Gbps}, {@code 12.5Gbps}. */
    private static String gbps(double gbps) {
        return (gbps == Math.rint(gbps) ? String.valueOf((long) gbps) : String.valueOf(gbps)) + "Gbps";
    }

    /** Watts with one decimal: {@code 742.3 W}. */
    static String watts(double watts) {
        return String.format(Locale.ROOT, "%.1f W", watts);
    }

    /** The sovereignty clause against the site {@code siteId} of a node or offer, {@code what}. */
    private static void sovereignty(List<Finding> out, String member, Sovereignty s, String what, String siteId, Pass pass) {
        if (s.unrestricted()) {
            return;
        }
        Site site = siteId == null ? null : pass.sites.get(siteId);
        if (site == null) {
            out.add(new Finding(member, "sovereignty", CommitmentStatus.AT_RISK, what + " is at site " + siteId
                    + ", which the inventory no longer holds: its country, jurisdictions and operator are unknown"));
            return;
        }
        String at = what + " is at site " + site.id();
        if (!s.countries().isEmpty()) {
            if (site.country() == null) {
                out.add(new Finding(member, "sovereignty.countries", CommitmentStatus.AT_RISK, at + ", country unknown, required one of "
                        + sorted(s.countries())));
            } else if (!s.countries().contains(site.country())) {
                out.add(new Finding(member, "sovereignty.countries", CommitmentStatus.BREACHED, at + ", country " + site.country()
                        + ", not in " + sorted(s.countries())));
            }
        }
        if (!s.jurisdictions().isEmpty() && site.jurisdictions().stream().noneMatch(s.jurisdictions()::contains)) {
            out.add(new Finding(member, "sovereignty.jurisdictions", CommitmentStatus.BREACHED, at + ", under " + sorted(site.jurisdictions())
                    + ", none of " + sorted(s.jurisdictions())));
        }
        if (!s.excludedOperatorJurisdictions().isEmpty()) {
            if (site.operator() == null) {
                out.add(new Finding(member, "sovereignty.excludeOperatorJurisdictions", CommitmentStatus.AT_RISK, at
                        + ", operator unknown, cannot exclude " + sorted(s.excludedOperatorJurisdictions())));
            } else {
                Set<String> hit = new TreeSet<>(site.operator().jurisdictions());
                hit.retainAll(s.excludedOperatorJurisdictions());
                if (!hit.isEmpty()) {
                    out.add(new Finding(member, "sovereignty.excludeOperatorJurisdictions", CommitmentStatus.BREACHED, at + ", operator "
                            + site.operator().name() + " subject to " + sorted(site.operator().jurisdictions()) + ", excluded " + hit));
                }
            }
        }
    }

    /** Whether {@code word} is a whole word of the model's name, any case: H100 names "NVIDIA H100 80GB HBM3", A10 not "A100". */
    static boolean wordOf(String model, String word) {
        String m = model.toLowerCase(Locale.ROOT);
        String w = word.toLowerCase(Locale.ROOT);
        for (int at = m.indexOf(w); at >= 0 && !w.isEmpty(); at = m.indexOf(w, at + 1)) {
            int end = at + w.length();
            if ((at == 0 || !Character.isLetterOrDigit(m.charAt(at - 1))) && (end == m.length() || !Character.isLetterOrDigit(m.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static String reasons(Health health) {
        return health.reasons().isEmpty() ? "" : " (" + String.join("; ", health.reasons()) + ")";
    }

    private static String sorted(Collection<String> values) {
        return new TreeSet<>(values).toString();
    }
}
