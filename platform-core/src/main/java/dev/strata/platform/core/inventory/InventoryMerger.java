package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.MachineIdentity;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.provider.StorageSnapshot;
import dev.strata.platform.core.placement.OfferSlots;
import dev.strata.platform.core.provenance.ProviderText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Merges providers' latest snapshots into one {@link InventorySnapshot} and says what it could not
 * reconcile. Stateless.
 *
 * <ul>
 * <li><b>Sites</b> reported by several providers are merged fact by fact (region, zone, country,
 *     jurisdictions, operator, certifications, power budget, floor space). A fact only one provider
 *     states is taken from it, so a discovered placeholder ({@code Site.local}) never hides what
 *     another provider declares about the same site. Two providers stating different values for one
 *     fact is a conflict: the value of the provider that states the most facts about the site
 *     (ties: the lower provider id) is kept, and the conflict is reported to both.</li>
 * <li><b>Nodes, power domains, fabrics, storage pools, capacity offers</b> with one id from several providers: the
 *     first by provider id of those whose resources are live is kept, a stale one (its provider
 *     departed or failing) only where no live provider reports the id; when the others differ,
 *     that is a conflict, reported to all. A departed provider's stale copy hiding a live node
 *     would keep it from placement for the whole grace period (a provider re-registered under a
 *     new id reports its old id's nodes), and which provider won would depend on whether the
 *     departed one was still remembered, which a restart forgets. One provider listing one id
 *     twice, which its snapshots do not refuse (one mistaken entry does not fail its whole
 *     discovery), has the first it lists kept and is told: of a node always, of the others where
 *     the two differ. A site, node, power domain, fabric, storage pool, capacity offer or accelerator
 *     whose id holds a control or format character, a line or paragraph separator or half of a
 *     surrogate pair is left out, with a warning to its provider naming the id escaped; its other
 *     resources are kept (an accelerator's node and its other accelerators too). So is a resource
 *     whose site id (a power domain's parent, a node's power domain) holds one: its sovereignty and
 *     jurisdiction come from the site, and a site that cannot be shown cannot be audited. So is a
 *     capacity offer whose machine's id, site id or power domain id holds one: placement makes the
 *     offer's launch slots from its machine, booked against that power domain; an accelerator of
 *     the machine is left out as one of a node is. A fabric's member id or a capacity offer's
 *     fabric id that holds one is dropped from the fabric's members or the offer's fabrics, with a
 *     warning naming it escaped, and the fabric or offer kept: no resource with such an id is in
 *     the inventory for it to name. So is an accelerator's interconnect domain id, the accelerator
 *     kept as in no domain, and a device path from or to such an id; a NIC or disk whose name holds
 *     one is left out of its node as an accelerator is. So are the values the merge or placement
 *     matches on: a partition profile whose name holds one is dropped from its accelerator (a
 *     contract's {@code gpus.partition} names it), an accelerator's PCI address from it and a PCI
 *     function from its node (GPUs are attached by address), each with a warning naming it escaped;
 *     a site whose jurisdiction or operator's jurisdiction holds one is left out (sovereignty clauses
 *     match them), its resources then at a site no provider reports. An attribute key or value of a
 *     node, an offer's machine or an accelerator that holds one is shown escaped, the resource kept,
 *     and so is a node's hostname and traits, a NIC's link type and PCI address, an accelerator's
 *     vendor, model and compute capability and its links' peer addresses, a site's region, zone,
 *     certifications and operator name and a fabric's technology. An accelerator of a node (or of an offer's
 *     machine) is on that node: one naming another as its own is taken as on it, its provider told.
 *     A site, node or capacity offer that names another provider than the one that reports it is
 *     left out, with a warning to the one that reports it naming the other escaped (a site's
 *     conflicts would go to the provider it names). A capacity offer whose machine names another
 *     provider, or another site than the offer, is left out with a warning naming both: a launch
 *     slot takes the offer's site, on which placement decides sovereignty, while the machine says
 *     where a launch would be, and an offer at two sites cannot be audited. A node under a power
 *     domain so left out is told of as under one no provider reports. A node whose id is one of a
 *     launch slot of a capacity offer in the inventory ({@code <offer id>#<n>}) is left out, its
 *     provider told: placement gives the offer's slots those ids. A node, capacity offer,
 *     fabric or storage pool at a site no provider reports is told of, once per provider and
 *     site: placement holds the site's country, jurisdictions and operator unknown, and places
 *     nothing there for a contract with a sovereignty clause.</li>
 * <li><b>One machine is one node.</b> Nodes of different providers that carry the same
 *     {@link MachineIdentity#ATTRIBUTE} (a machine seen in band by the bare-metal provider and out
 *     of band through its BMC, say) are joined into one node: the one that describes the machine
 *     best (the most PCI functions, then the most NUMA nodes; ties: the lower provider id) keeps its
 *     id, provider and facts; what it lacks (host name, memory, CPU topology, power draw, power
 *     domain, NICs, disks, accelerators) is taken from the others in provider order; traits are
 *     united and attributes added where the kept node has none. The ids of the joined nodes are
 *     listed in the attribute {@value #JOINED}. One provider reporting two nodes with one identity
 *     (a cloned machine id, typically) is a conflict: they stay apart and the provider is told.
 *     Accelerators taken from another node (a BMC's view of the GPUs) give way to a GPU provider's
 *     snapshot of the same machine.</li>
 * <li><b>Accelerators</b> are attached to a node by machine identity (see
 *     {@link GpuSnapshot}): the node whose {@link MachineIdentity#ATTRIBUTE} equals the snapshot's
 *     machine id; without one, the single node that has every accelerator's PCI function. Each
 *     takes the NUMA node of its PCI device when the GPU provider did not know it. Accelerators
 *     with no such node, or several, are kept as {@link InventorySnapshot#unattached()} and the GPU
 *     provider is told why.</li>
 * </ul>
 */
final class InventoryMerger {

    /** The node attribute listing the ids of other providers' nodes joined into it, as {@link JoinedIds} writes them. */
    static final String JOINED = "strata.joined";
    /** The nodes joined into a node with their providers, {@code provider=node,...} as {@link JoinedIds} writes them: who else can act on the machine. */
    static final String JOINED_PROVIDERS = InventoryService.JOINED_PROVIDERS;

    /**
     * A provider's contribution.
     *
     * @param providerId the provider
     * @param stale whether its resources are to be marked stale
     * @param snapshots its latest good snapshots, one per capability
     */
    record Contribution(String providerId, boolean stale, Collection<Object> snapshots) {
    }

    /**
     * The merged inventory and, per provider id, what could not be reconciled about its resources.
     *
     * @param snapshot the merged inventory
     * @param warnings per provider id, one sentence per problem; providers without problems are absent
     * @param awaitingProviders those of the warnings that another provider's first report may settle (a
     *        power domain no provider reports yet): at start-up they are expected until every provider
     *        has reported once
     */
    record Result(InventorySnapshot snapshot, Map<String, List<String>> warnings, Set<String> awaitingProviders) {
    }

    private InventoryMerger() {
    }

    static InventorySnapshot merge(long generation, Instant now, List<Contribution> contributions) {
        return mergeWithWarnings(generation, now, contributions).snapshot();
    }

    /**
     * Merges the contributions. A provider whose snapshots make the merge fail (a fault of the merge
     * that one provider's data brings out) is left out, with a warning to it, and the others are
     * merged as usual: one provider's snapshot never stops the inventory of the rest.
     */
    static Result mergeWithWarnings(long generation, Instant now, List<Contribution> contributions) {
        try {
            return mergeAll(generation, now, contributions, Map.of());
        } catch (RuntimeException e) {
            return mergeContained(generation, now, contributions);
        }
    }

    /** Merges the contributions one provider after another, leaving out each whose addition makes the merge fail. */
    private static Result mergeContained(long generation, Instant now, List<Contribution> contributions) {
        List<Contribution> ordered = new ArrayList<>(contributions);
        ordered.sort(Comparator.comparing(Contribution::providerId));
        List<Contribution> merged = new ArrayList<>();
        Map<String, String> leftOut = new TreeMap<>();
        for (Contribution c : ordered) {
            merged.add(c);
            try {
                mergeAll(generation, now, merged, Map.of());
            } catch (RuntimeException e) {
                merged.remove(merged.size() - 1);
                leftOut.put(c.providerId(), "its snapshots could not be merged into the inventory (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "), so its resources are left out of it");
            }
        }
        return mergeAll(generation, now, merged, leftOut);
    }

    private static Result mergeAll(long generation, Instant now, List<Contribution> contributions, Map<String, String> leftOut) {
        Warnings warnings = new Warnings();
        leftOut.forEach(warnings::add);
        Map<String, List<Site>> sites = new LinkedHashMap<>();
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, Owned<PowerDomain>> powerDomains = new LinkedHashMap<>();
        Map<String, Owned<Fabric>> fabrics = new LinkedHashMap<>();
        Map<String, Owned<StoragePool>> pools = new LinkedHashMap<>();
        Map<String, Owned<CapacityOffer>> offers = new LinkedHashMap<>();
        List<Owned<GpuSnapshot>> gpus = new ArrayList<>();

        List<Contribution> ordered = new ArrayList<>(contributions);
        ordered.sort(Comparator.comparing(Contribution::stale).thenComparing(Contribution::providerId));
        for (Contribution c : ordered) {
            for (Object snapshot : c.snapshots()) {
                if (snapshot instanceof ComputeSnapshot compute) {
                    compute.sites().stream().filter(s -> printableId("site", s.id(), c.providerId(), warnings)
                            && printableJurisdictions(s, c.providerId(), warnings)
                            && reportedAsItsOwn("site " + s.id(), s.providerId(), c.providerId(), warnings))
                            .map(InventoryMerger::withPrintableText).forEach(s -> sites.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(s));
                    compute.powerDomains().stream().filter(p -> printableId("power domain", p.id(), c.providerId(), warnings)
                            && printableReference("power domain", p.id(), "site", p.siteId(), c.providerId(), warnings)
                            && printableReference("power domain", p.id(), "parent power domain", p.parentId(), c.providerId(), warnings))
                            .map(InventoryMerger::withPrintableText).forEach(p -> keepFirst(powerDomains, p.id(), p, c.providerId(), "power domain", warnings));
                    for (CapacityOffer offer : compute.offers()) {
                        if (!printableId("capacity offer", offer.id(), c.providerId(), warnings)
                                || !printableReference("capacity offer", offer.id(), "site", offer.siteId(), c.providerId(), warnings)
                                || !printableMachine(offer, c.providerId(), warnings)
                                || !printableMatched("capacity offer", offer.id(), "shape", offer.shape(), c.providerId(), warnings)) {
                            continue;
                        }
                        if (!offer.providerId().equals(c.providerId())) {
                            warnings.add(c.providerId(), namesAnother("capacity offer " + offer.id(), offer.providerId(), c.providerId()));
                            continue;
                        }
                        if (!offer.machine().providerId().equals(c.providerId())) {
                            warnings.add(c.providerId(), namesAnother("capacity offer " + offer.id() + "'s machine",
                                    offer.machine().providerId(), c.providerId()));
                            continue;
                        }
                        if (!offer.machine().siteId().equals(offer.siteId())) {
                            warnings.add(c.providerId(), anotherSite(offer, c.providerId()));
                            continue;
                        }
                        offer = withPrintableParts(offer, c.providerId(), warnings);
                        keepFirst(offers, offer.id(), c.stale() ? staleOffer(offer) : offer, c.providerId(), "capacity offer", warnings);
                    }
                    for (Node node : compute.nodes()) {
                        if (!printableId("node", node.id(), c.providerId(), warnings)
                                || !printableReference("node", node.id(), "site", node.siteId(), c.providerId(), warnings)
                                || !printableReference("node", node.id(), "power domain", node.powerDomainId(), c.providerId(), warnings)
                                || !printableMatched("node", node.id(), "owner tenant", node.ownerTenant(), c.providerId(), warnings)) {
                            continue;
                        }
                        if (!node.providerId().equals(c.providerId())) {
                            warnings.add(c.providerId(), namesAnother("node " + node.id(), node.providerId(), c.providerId()));
                            continue;
                        }
                        node = withPrintableText(withPrintableAttributes(withPrintableDevices(node, "node", node.id(), c.providerId(),
                                warnings), "node " + node.id(), c.providerId(), warnings));
                        Node merged = c.stale() ? node.withState(ResourceState.STALE) : node;
                        Node previous = nodes.putIfAbsent(node.id(), merged);
                        if (previous != null && previous.providerId().equals(c.providerId())) {
                            warnings.add(c.providerId(), "conflict: node " + node.id() + " is listed twice by " + c.providerId()
                                    + "; keeping the first");
                        } else if (previous != null) {
                            warnings.conflict(List.of(previous.providerId(), c.providerId()), "conflict: node " + node.id()
                                    + " is reported by " + previous.providerId() + " and " + c.providerId() + "; keeping "
                                    + previous.providerId() + "'s");
                        }
                    }
                } else if (snapshot instanceof GpuSnapshot reported) {
                    List<Accelerator> accelerators = printableAccelerators(reported.accelerators(), c.providerId(), warnings);
                    List<DevicePath> paths = printablePaths("host", Optional.ofNullable(reported.hostname()).orElse("(unnamed)"),
                            withoutPathsOf(reported.paths(), reported.accelerators(), accelerators, List.of(), List.of()), c.providerId(),
                            warnings);
                    GpuSnapshot gpu = accelerators.equals(reported.accelerators()) && paths.equals(reported.paths()) ? reported
                            : new GpuSnapshot(reported.generation(), reported.takenAt(), reported.hostname(), reported.machineId(), accelerators,
                                    reported.interconnects(), paths, reported.unavailableReason(), reported.warnings());
                    gpus.add(new Owned<>(c.providerId(), c.stale() ? staleGpus(gpu, c.providerId()) : gpu));
                    gpu.interconnects().stream().filter(f -> printableFabric(f, c.providerId(), warnings))
                            .map(f -> withPrintableText(withPrintableMembers(f, c.providerId(), warnings)))
                            .forEach(f -> keepFirst(fabrics, f.id(), f, c.providerId(), "fabric", warnings));
                } else if (snapshot instanceof FabricSnapshot fabric) {
                    fabric.fabrics().stream().filter(f -> printableFabric(f, c.providerId(), warnings))
                            .map(f -> withPrintableText(withPrintableMembers(f, c.providerId(), warnings)))
                            .forEach(f -> keepFirst(fabrics, f.id(), f, c.providerId(), "fabric", warnings));
                } else if (snapshot instanceof StorageSnapshot storage) {
                    storage.pools().stream().filter(p -> printableId("storage pool", p.id(), c.providerId(), warnings)
                            && printableReference("storage pool", p.id(), "site", p.siteId(), c.providerId(), warnings))
                            .forEach(p -> keepFirst(pools, p.id(), p, c.providerId(), "storage pool", warnings));
                }
            }
        }
        withoutSlotIds(nodes, offers, warnings);
        Set<String> borrowedAccelerators = joinMachines(nodes, warnings);
        unknownPowerDomains(nodes.values(), powerDomains, warnings);
        unknownSites(sites.keySet(), nodes.values(), offers.values(), fabrics.values(), pools.values(), warnings);
        List<Accelerator> unattached = attachAccelerators(nodes, gpus, warnings, borrowedAccelerators);
        List<Node> nodeList = new ArrayList<>(nodes.values());
        nodeList.sort(Comparator.comparing(Node::id));
        List<Site> siteList = new ArrayList<>();
        sites.forEach((id, reported) -> siteList.add(mergeSite(id, reported, warnings)));
        siteList.sort(Comparator.comparing(Site::id));
        List<CapacityOffer> offerList = new ArrayList<>(values(offers));
        offerList.sort(Comparator.comparing(CapacityOffer::id));
        InventorySnapshot snapshot = new InventorySnapshot(generation, now, siteList, nodeList, values(fabrics), values(pools),
                values(powerDomains), offerList, unattached);
        return new Result(snapshot, warnings.byProvider(), Set.copyOf(warnings.awaiting));
    }

    /**
     * Whether a resource names the provider that reported it as its own; where not, it is left out
     * and its provider told ({@link #namesAnother}). A site is held to it as a node is: the merged
     * site's lead, and whom each conflict about its facts is told to, go by the site's own
     * providerId, so a site naming another provider had its conflicts told to that one, never to
     * the provider that reported it, and its facts taken as that provider's. The API has no site
     * reported for another ({@code Site#providerId} is the provider that reported it; the declared
     * provider's sites name it).
     */
    private static boolean reportedAsItsOwn(String what, String named, String reporter, Warnings warnings) {
        if (named.equals(reporter)) {
            return true;
        }
        warnings.add(reporter, namesAnother(what, named, reporter));
        return false;
    }

    /**
     * Why a resource a provider reported is left out: it names another provider as its own (a copied
     * example, a factory configuration's id not passed on), and would be provisioned, marked stale
     * and dropped as that provider's. A capacity offer whose machine names another is left out as
     * well: the machine describes what a launch gives, which its provider then reports as its own node.
     */
    private static String namesAnother(String what, String named, String reporter) {
        return what + " names provider " + InvalidConfigurationException.printable(named) + ", not " + reporter + ", as the one that "
                + "reports it; left out of the inventory (a resource's providerId is the id of the provider service that reports it)";
    }

    /**
     * Why an accelerator of a node (or of an offer's machine) is taken as on that node though it names
     * another as its own: the node whose list holds it is the one the inventory shows it on, placement
     * binds it on and the ledger books it on, while its own {@link Accelerator#nodeId()} goes out
     * with the inventory to whatever reads it, which would take it as on a node it is not placed on.
     * As a GPU provider's accelerators are put on the node they are attached to, so are these; the
     * name is shown escaped.
     */
    private static String namesAnotherNode(Accelerator a, String what, String id, String node, String reporter) {
        return "accelerator " + a.id() + " of provider " + reporter + " names node " + InvalidConfigurationException.printable(a.nodeId())
                + " as its node, but " + what + " " + id + " lists it; it is taken as on node " + node + " (an accelerator is on the node "
                + "whose accelerators list it)";
    }

    /**
     * Why a capacity offer is left out whose machine is at another site than the offer. Placement
     * gives each of the offer's launch slots the offer's site ({@code OfferSlots}), and decides a
     * contract's sovereignty on it, while the machine describes what a launch gives, its site too:
     * which of the two a launched machine would be at, a placement cannot tell, nor an audit show.
     * Kept, an offer could be placed on for a sovereign contract by the one site and launch at the
     * other; so it is left out, as one at a site that cannot be shown is.
     */
    private static String anotherSite(CapacityOffer offer, String reporter) {
        return "capacity offer " + offer.id() + " of provider " + reporter + " is left out of the inventory: it is at site "
                + InvalidConfigurationException.printable(offer.siteId()) + " but its machine at site "
                + InvalidConfigurationException.printable(offer.machine().siteId()) + "; its sovereignty and jurisdiction come from its "
                + "site, and an offer whose machines' site is not one cannot be audited; expected the machine's site id to be the offer's";
    }

    /**
     * Whether a resource's id shows as itself, and so the resource may go into the inventory; where
     * not, its provider is told why it is left out ({@link #unprintableId}).
     */
    private static boolean printableId(String what, String id, String reporter, Warnings warnings) {
        if (InvalidConfigurationException.printable(id).equals(id)) {
            return true;
        }
        warnings.add(reporter, unprintableId(what, id, reporter));
        return false;
    }

    /**
     * Whether a resource's reference to another (its site, its power domain, a power domain's parent,
     * a capacity offer's machine) shows as itself, or is absent; where not, the resource is left out and its provider told why
     * ({@link #unprintableReference}). No site with such an id is in the inventory, and placement
     * takes a node at a site the inventory lacks as at one of unknown country and operator, for every
     * contract without a sovereignty clause, its binding, the ledger and the log naming that site:
     * kept, a node would be placed at a site no log shows as it is, two sites apart only by a control
     * character reading as one there. Its sovereignty and jurisdiction come from the site, and a site
     * that cannot be shown cannot be audited, so the resource is left out as one with such an id is;
     * so is one naming such a power domain, whose budget an allocation is booked against.
     */
    private static boolean printableReference(String what, String id, String reference, String referenced, String reporter,
            Warnings warnings) {
        if (referenced == null || InvalidConfigurationException.printable(referenced).equals(referenced)) {
            return true;
        }
        warnings.add(reporter, unprintableReference(what, id, reference, referenced, reporter));
        return false;
    }

    /** Whether a fabric's id and site show as themselves ({@link #printableId}, {@link #printableReference}). */
    private static boolean printableFabric(Fabric fabric, String reporter, Warnings warnings) {
        return printableId("fabric", fabric.id(), reporter, warnings)
                && printableReference("fabric", fabric.id(), "site", fabric.siteId(), reporter, warnings);
    }

    /**
     * Whether a capacity offer's machine (what one launch gives) has an id, a site and a power domain
     * that show as themselves, or are absent; where not, the offer is left out and its provider told
     * ({@link #unprintableReference}). Placement makes each of the offer's launch slots from the
     * machine: the slot keeps its power domain, whose budget an allocation on the slot is booked
     * against, and its accelerators' ids are rebased from its id, the offer's own by the API; the
     * inventory shows the machine as the offer's, its site too. So the offer is left out as a node
     * naming such a site or power domain is, rather than shown or placed on as no log shows it.
     */
    private static boolean printableMachine(CapacityOffer offer, String reporter, Warnings warnings) {
        Node machine = offer.machine();
        return printableReference("capacity offer", offer.id(), "machine", machine.id(), reporter, warnings)
                && printableReference("capacity offer", offer.id(), "machine's site", machine.siteId(), reporter, warnings)
                && printableReference("capacity offer", offer.id(), "machine's power domain", machine.powerDomainId(), reporter, warnings)
                && printableMatched("capacity offer", offer.id(), "machine's owner tenant", machine.ownerTenant(), reporter, warnings);
    }

    /**
     * Whether a value that code matches on rather than only shows (a capacity offer's shape, which a
     * launch names as the instance type; a node's owner tenant, which placement and the commitment
     * check compare with a contract's tenant; a site's or its operator's jurisdiction, which they
     * compare with a sovereignty clause's) shows as itself, or is absent; where not, the resource
     * is left out, as one whose id holds such a character is ({@link #unprintableId}), and its
     * provider told, the value shown escaped. Shown escaped in the inventory, as free text is, a
     * shape would launch an instance type the cloud does not know, and an owner tenant would match
     * no contract's tenant while the log read it as another's; kept raw, it would forge a line of
     * the log.
     */
    private static boolean printableMatched(String what, String id, String field, String value, String reporter, Warnings warnings) {
        if (value == null || InvalidConfigurationException.printable(value).equals(value)) {
            return true;
        }
        String matched = field.endsWith("shape") ? "a launch names its instance type by it, and escaped it would name one the cloud "
                + "does not know" : field.endsWith("tenant") ? "placement and the commitment check match it against a contract's tenant, "
                + "and escaped it would match none while the log read it as another tenant's" : "placement and the commitment check match "
                + "it against " + (field.startsWith("operator") ? "the operator jurisdictions a contract's sovereignty clause excludes, "
                + "and escaped it would be excluded by none" : "the jurisdictions a contract's sovereignty clause allows, and escaped it "
                + "would match a jurisdiction the provider did not name") + " while the log read it as another; its nodes and offers are then "
                + "at a site no provider reports, placed for no contract with a sovereignty clause";
        warnings.add(reporter, what + " " + InvalidConfigurationException.printable(id) + " of provider " + reporter + " is left out of "
                + "the inventory: its " + field + " " + InvalidConfigurationException.printable(value) + " holds a control or format "
                + "character, a line or paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex "
                + "digits), which would forge a line of the log or act on a terminal; " + matched + "; expected "
                + (field.startsWith("o") ? "an " : "a ") + field + " of "
                + "characters that show as themselves");
        return false;
    }

    /**
     * Whether a site's jurisdictions and its operator's show as themselves; where one does not, the
     * site is left out and its provider told ({@link #printableMatched}), naming the first such in
     * order. A sovereignty clause matches them ({@code NodeFilter}, {@code CommitmentCheck}), so
     * neither raw nor escaped may one be taken, and dropping it alone would fail open (an operator
     * jurisdiction a contract excludes would no longer be there to exclude); a site the inventory
     * lacks has its country, jurisdictions and operator unknown, and nothing there is placed for a
     * contract with a sovereignty clause. Its country needs no check: the API takes only an ISO
     * 3166-1 alpha-2 code. Its certifications, which no clause reads, are shown printable as free
     * text is ({@link #withPrintableText(Site)}).
     */
    private static boolean printableJurisdictions(Site site, String reporter, Warnings warnings) {
        return printableMatched("site", site.id(), "jurisdiction", firstUnprintable(site.jurisdictions()), reporter, warnings)
                && (site.operator() == null || printableMatched("site", site.id(), "operator jurisdiction",
                        firstUnprintable(site.operator().jurisdictions()), reporter, warnings));
    }

    /** The first in order of the texts that do not show as themselves, or null where all do, found without making anything. */
    private static String firstUnprintable(Set<String> texts) {
        String first = null;
        for (String t : texts) {
            if (!InvalidConfigurationException.printable(t).equals(t) && (first == null || t.compareTo(first) < 0)) {
                first = t;
            }
        }
        return first;
    }

    /**
     * A capacity offer without the parts whose ids do not show as themselves, its provider told of
     * each: an accelerator of its machine is left out as one of a node is
     * ({@link #printableAccelerators}), since a slot's allocation names its GPUs by their ids; a fabric id is dropped from
     * {@link CapacityOffer#fabricIds()} ({@link #unprintableMember}) and the offer kept, since no
     * fabric with such an id is in the inventory for it to name, and placement takes an offer's
     * fabrics from the fabrics' members, not from the offer.
     */
    private static CapacityOffer withPrintableParts(CapacityOffer offer, String reporter, Warnings warnings) {
        Node machine = withPrintableText(withPrintableAttributes(withPrintableDevices(offer.machine(), "the machine of capacity offer",
                offer.id(), reporter, warnings), "the machine of capacity offer " + offer.id(), reporter, warnings));
        Set<String> fabricIds = printableMembers("capacity offer", offer.id(), "fabric", offer.fabricIds(), reporter, warnings,
                "no fabric with such an id is in the inventory, so it is dropped from the offer's fabrics and the offer is kept");
        if (machine == offer.machine() && fabricIds.size() == offer.fabricIds().size()) {
            return offer;
        }
        CapacityOffer.Builder b = offer.toBuilder().machine(machine);
        if (fabricIds.size() < offer.fabricIds().size()) {
            b.fabricIds(fabricIds);
        }
        return b.build();
    }

    /**
     * A fabric without the member ids that do not show as themselves, its provider told of each
     * ({@link #unprintableMember}); the fabric is kept. No node, site, accelerator or capacity offer
     * with such an id is in the inventory (each is left out for it), so the member could match none,
     * in placement ({@code InventoryIndex}, {@code OfferSlots}) or anywhere else, and is only shown.
     */
    private static Fabric withPrintableMembers(Fabric fabric, String reporter, Warnings warnings) {
        Set<String> members = printableMembers("fabric", fabric.id(), "member", fabric.members(), reporter, warnings, "no node, site, "
                + "accelerator or capacity offer with such an id is in the inventory, so it is dropped from the fabric's members and the "
                + "fabric is kept");
        return members.size() == fabric.members().size() ? fabric : fabric.toBuilder().members(members).build();
    }

    /** The ids that show as themselves, sorted; of each other one, its provider is told ({@link #unprintableMember}). */
    private static Set<String> printableMembers(String what, String id, String member, Set<String> ids, String reporter, Warnings warnings,
            String dropped) {
        Set<String> kept = new java.util.LinkedHashSet<>();
        for (String m : new TreeSet<>(ids)) {
            if (InvalidConfigurationException.printable(m).equals(m)) {
                kept.add(m);
            } else {
                warnings.add(reporter, unprintableMember(what, id, member, m, reporter, dropped));
            }
        }
        return kept;
    }

    /**
     * The accelerators whose ids show as themselves; each other one is left out, its provider told
     * ({@link #unprintableId}), and its node kept with the rest: an allocation names its GPUs by id,
     * as it names its node, and one GPU's id is no fault of the machine's other GPUs. Each kept one
     * has its attributes shown printable ({@link #printableAttributes}).
     */
    private static List<Accelerator> printableAccelerators(List<Accelerator> accelerators, String reporter, Warnings warnings) {
        return accelerators.stream().filter(a -> printableId("accelerator", a.id(), reporter, warnings))
                .map(a -> withPrintableText(withPrintableAttributes(withPrintableProfiles(withPrintableAddress(withPrintableDomain(a,
                        reporter, warnings), reporter, warnings), reporter, warnings), reporter, warnings)))
                .toList();
    }

    /**
     * An accelerator without its PCI address where that does not show as itself, its provider told
     * ({@link #unprintableListed}); the accelerator is kept, as at no known PCI address. The merge
     * matches the address: a GPU provider's accelerators without a machine identity are attached to
     * the node that has their PCI functions, and each takes the NUMA node of its own function
     * ({@link #attachAccelerators}); shown escaped, as free text is, it would match a function the GPU
     * is not, while the log read it as this one. An accelerator at no known address is one the merge
     * already knows (attached by the others' addresses, or by machine identity, its NUMA node as
     * reported).
     */
    private static Accelerator withPrintableAddress(Accelerator a, String reporter, Warnings warnings) {
        String address = a.pciAddress();
        if (address == null || InvalidConfigurationException.printable(address).equals(address)) {
            return a;
        }
        warnings.add(reporter, unprintableListed("accelerator", a.id(), "PCI address", address, reporter, "the merge attaches a GPU "
                + "provider's accelerators to the node that has their PCI functions, and gives each the NUMA node of its own, matched by "
                + "address, and escaped it would match a function the GPU is not while the log read it as this one, so it is dropped and "
                + "the accelerator kept as at no known PCI address"));
        return a.toBuilder().pciAddress(null).build();
    }

    /**
     * An accelerator without the partition (MIG) profiles whose names do not show as themselves, its
     * provider told of each ({@link #unprintableListed}); the accelerator is kept with its other
     * profiles. Placement matches a profile by its name against a contract's {@code gpus.partition}
     * ({@code NodeFacts}, {@code MigTable}), and a binding names it, in the ledger and the log: shown
     * escaped, as free text is, the name would match a contract that wrote the escape out and none
     * that named what the GPU reported, while the log read it as either; kept raw, it would forge a
     * line of the log. The same accelerator where all show as themselves, found without making
     * anything.
     */
    private static Accelerator withPrintableProfiles(Accelerator a, String reporter, Warnings warnings) {
        List<PartitionProfile> profiles = a.partitionProfiles();
        List<PartitionProfile> kept = profiles;
        for (int i = 0; i < profiles.size(); i++) {
            PartitionProfile p = profiles.get(i);
            if (InvalidConfigurationException.printable(p.name()).equals(p.name())) {
                if (kept != profiles) {
                    kept.add(p);
                }
                continue;
            }
            if (kept == profiles) {
                kept = new ArrayList<>(profiles.subList(0, i));
            }
            warnings.add(reporter, unprintableListed("accelerator", a.id(), "partition profile name", p.name(), reporter, "placement "
                    + "matches it against a contract's gpus.partition, and escaped it would match a name the GPU does not have while the "
                    + "log read it as this one, so the profile is dropped from the accelerator and the accelerator kept with its other "
                    + "profiles"));
        }
        return kept == profiles ? a : a.toBuilder().partitionProfiles(kept).build();
    }

    /**
     * A node (or an offer's machine) with its hostname, its traits, its NICs' link types and PCI
     * addresses and its disks' PCI addresses shown printable ({@link InvalidConfigurationException#printable}), as its
     * attributes are ({@link #printableAttributes}) and for the same reason: they are a provider's
     * text from outside (a BMC's, Nova's or EC2's), which the inventory passes to JSON, placement's
     * evidence and the provenance log, and, unlike an id, only shown, so kept escaped. A trait and a
     * NIC's PCI address are only shown too: no contract clause asks for a trait, and nothing matches
     * a node's traits or a NIC's address from the inventory (placement counts RDMA NICs by their
     * NUMA node). The same node where all show as themselves, found without making anything.
     */
    private static Node withPrintableText(Node node) {
        String hostname = InvalidConfigurationException.printable(node.hostname());
        List<Nic> nics = node.nics();
        for (int i = 0; i < nics.size(); i++) {
            Nic n = nics.get(i);
            String linkType = InvalidConfigurationException.printable(n.linkType());
            String mac = InvalidConfigurationException.printable(n.macAddress());
            String pci = InvalidConfigurationException.printable(n.pciAddress());
            if (linkType != n.linkType() || mac != n.macAddress() || pci != n.pciAddress()) {
                if (nics == node.nics()) {
                    nics = new ArrayList<>(nics);
                }
                nics.set(i, new Nic(n.name(), pci, mac, n.speedMbps(), n.numaNode(), linkType));
            }
        }
        List<PciDevice> devices = node.pciDevices();
        for (int i = 0; i < devices.size(); i++) {
            PciDevice d = devices.get(i);
            String vendor = InvalidConfigurationException.printable(d.vendorName());
            String device = InvalidConfigurationException.printable(d.deviceName());
            String driver = InvalidConfigurationException.printable(d.driver());
            if (vendor != d.vendorName() || device != d.deviceName() || driver != d.driver()) {
                if (devices == node.pciDevices()) {
                    devices = new ArrayList<>(devices);
                }
                devices.set(i, d.toBuilder().vendorName(vendor).deviceName(device).driver(driver).build());
            }
        }
        List<Disk> disks = node.disks();
        for (int i = 0; i < disks.size(); i++) {
            Disk d = disks.get(i);
            String pci = InvalidConfigurationException.printable(d.pciAddress());
            if (pci != d.pciAddress()) {
                if (disks == node.disks()) {
                    disks = new ArrayList<>(disks);
                }
                disks.set(i, new Disk(d.name(), d.sizeBytes(), d.rotational(), pci));
            }
        }
        CpuTopology cpu = node.cpu();
        List<CpuPackage> packages = cpu.packages();
        for (int i = 0; i < packages.size(); i++) {
            CpuPackage p = packages.get(i);
            String vendor = InvalidConfigurationException.printable(p.vendor());
            String model = InvalidConfigurationException.printable(p.model());
            if (vendor != p.vendor() || model != p.model()) {
                if (packages == cpu.packages()) {
                    packages = new ArrayList<>(packages);
                }
                packages.set(i, new CpuPackage(p.id(), vendor, model, p.cores()));
            }
        }
        if (packages != cpu.packages()) {
            cpu = new CpuTopology(packages, cpu.online(), cpu.offline());
        }
        Set<String> traits = printableTexts(node.traits());
        return hostname == node.hostname() && nics == node.nics() && devices == node.pciDevices() && cpu == node.cpu()
                && traits == node.traits() && disks == node.disks() ? node
                : node.toBuilder().hostname(hostname).nics(nics).pciDevices(devices).cpu(cpu).traits(traits).disks(disks).build();
    }

    /**
     * The texts of a list shown printable ({@link InvalidConfigurationException#printable}): the
     * same list where all show as themselves.
     */
    private static List<String> printableTexts(List<String> texts) {
        List<String> shown = texts;
        for (int i = 0; i < texts.size(); i++) {
            String text = InvalidConfigurationException.printable(texts.get(i));
            if (text != texts.get(i)) {
                if (shown == texts) {
                    shown = new ArrayList<>(texts);
                }
                shown.set(i, text);
            }
        }
        return shown;
    }

    /**
     * The texts of a set shown printable ({@link InvalidConfigurationException#printable}): the same
     * set where all show as themselves, found without making anything. Two that then read alike (one
     * escaped, one written escaped already) are one.
     */
    private static Set<String> printableTexts(Set<String> texts) {
        for (String t : texts) {
            if (InvalidConfigurationException.printable(t) != t) {
                Set<String> shown = new TreeSet<>();
                texts.forEach(text -> shown.add(InvalidConfigurationException.printable(text)));
                return shown;
            }
        }
        return texts;
    }

    /**
     * An accelerator with its vendor, model, compute capability, health reasons and links' peer
     * kinds and peer PCI addresses shown printable, as a node's hostname is
     * ({@link #withPrintableText(Node)}): nothing matches on a link's peer address once the GPU
     * provider has made its links.
     */
    private static Accelerator withPrintableText(Accelerator a) {
        String vendor = InvalidConfigurationException.printable(a.vendor());
        String model = InvalidConfigurationException.printable(a.model());
        String capability = InvalidConfigurationException.printable(a.computeCapability());
        List<String> reasons = printableTexts(a.health().reasons());
        Health health = reasons == a.health().reasons() ? a.health() : new Health(a.health().status(), reasons);
        List<DeviceLink> links = a.links();
        for (int i = 0; i < links.size(); i++) {
            DeviceLink l = links.get(i);
            String peerKind = InvalidConfigurationException.printable(l.peerKind());
            String peer = InvalidConfigurationException.printable(l.peerPciAddress());
            if (peerKind != l.peerKind() || peer != l.peerPciAddress()) {
                if (links == a.links()) {
                    links = new ArrayList<>(links);
                }
                links.set(i, new DeviceLink(l.index(), peer, peerKind, l.bandwidthGBps(), l.active()));
            }
        }
        return vendor == a.vendor() && model == a.model() && capability == a.computeCapability() && health == a.health()
                && links == a.links() ? a
                : a.toBuilder().vendor(vendor).model(model).computeCapability(capability).health(health).links(links).build();
    }

    /**
     * A site with its region, zone, certifications and operator's name shown printable, as a node's
     * hostname is ({@link #withPrintableText(Node)}): they reach a placement's evidence and the
     * provenance log, and a sovereignty clause's decision is read from them there; no clause matches
     * on them ({@link #printableJurisdictions} holds the jurisdictions, which one does).
     */
    private static Site withPrintableText(Site site) {
        String region = InvalidConfigurationException.printable(site.region());
        String zone = InvalidConfigurationException.printable(site.zone());
        Operator operator = site.operator();
        String name = operator == null ? null : InvalidConfigurationException.printable(operator.name());
        if (operator != null && name != operator.name()) {
            operator = new Operator(name, operator.jurisdictions());
        }
        Set<String> certifications = printableTexts(site.certifications());
        return region == site.region() && zone == site.zone() && operator == site.operator() && certifications == site.certifications()
                ? site : site.toBuilder().region(region).zone(zone).operator(operator).certifications(certifications).build();
    }

    /** A fabric with its technology and tiers' names shown printable, as a node's hostname is ({@link #withPrintableText(Node)}). */
    private static Fabric withPrintableText(Fabric fabric) {
        String technology = InvalidConfigurationException.printable(fabric.technology());
        List<String> tiers = printableTexts(fabric.tiers());
        return technology == fabric.technology() && tiers == fabric.tiers() ? fabric
                : fabric.toBuilder().technology(technology).tiers(tiers).build();
    }

    /** A power domain with its kind shown printable, as a node's hostname is ({@link #withPrintableText(Node)}). */
    private static PowerDomain withPrintableText(PowerDomain domain) {
        String kind = InvalidConfigurationException.printable(domain.kind());
        return kind == domain.kind() ? domain : new PowerDomain(domain.id(), kind, domain.siteId(), domain.parentId(), domain.budgetWatts());
    }

    /** A node (or an offer's machine, {@code what} naming it) with its attributes shown printable ({@link #printableAttributes}). */
    private static Node withPrintableAttributes(Node node, String what, String reporter, Warnings warnings) {
        Map<String, String> attributes = printableAttributes(node.attributes(), what, reporter, warnings);
        return attributes == node.attributes() ? node : node.toBuilder().attributes(attributes).build();
    }

    /** An accelerator with its attributes shown printable ({@link #printableAttributes}). */
    private static Accelerator withPrintableAttributes(Accelerator a, String reporter, Warnings warnings) {
        Map<String, String> attributes = printableAttributes(a.attributes(), "accelerator " + a.id(), reporter, warnings);
        return attributes == a.attributes() ? a : a.toBuilder().attributes(attributes).build();
    }

    /**
     * A record's attributes with every key and value shown printable
     * ({@link InvalidConfigurationException#printable}): the same map where all show as themselves,
     * which the scan finds without making anything, as the merge runs on every discovery. Attributes
     * are providers' text from outside (cloud tags, Nova's and Placement's names, a BMC's strings,
     * nvidia-smi's output), which the inventory passes to JSON, placement's evidence and the
     * provenance log, which an auditor reads: JSON escapes a line break but not a direction override,
     * and each provider cleaned them its own way or not at all. Unlike an id, which the ledger keys
     * on, an attribute is only shown, so it is kept, escaped, rather than left out. Two keys that
     * show alike so (one escaped, one written escaped already) keep the first in key order, the
     * provider told of the other.
     */
    private static Map<String, String> printableAttributes(Map<String, String> attributes, String what, String reporter,
            Warnings warnings) {
        boolean printable = true;
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!InvalidConfigurationException.printable(e.getKey()).equals(e.getKey())
                    || !InvalidConfigurationException.printable(e.getValue()).equals(e.getValue())) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return attributes;
        }
        Map<String, String> shown = new LinkedHashMap<>();
        for (String key : new TreeSet<>(attributes.keySet())) {
            String k = InvalidConfigurationException.printable(key);
            String v = InvalidConfigurationException.printable(attributes.get(key));
            if (shown.putIfAbsent(k, v) != null) {
                warnings.add(reporter, InvalidConfigurationException.printable(what) + " of provider " + reporter + " has two attributes "
                        + "whose keys show alike as " + k + " once a control or format character, a line or paragraph separator or half "
                        + "of a surrogate pair in one is shown as a backslash, u and four hex digits; the first in key order is kept, with "
                        + "value " + shown.get(k) + ", and the other, with value " + v + ", left out; expected attribute keys that differ "
                        + "as shown");
            }
        }
        return shown;
    }

    /**
     * An accelerator without its interconnect (NVLink or NVSwitch) domain id where that does not
     * show as itself, its provider told ({@link #unprintableMember}); the accelerator is kept, as in
     * no domain. The id is a reference, not the accelerator's own: placement groups a node's GPUs by
     * it ({@code NodeFacts}) and a binding that asks for one NVLink domain names it, in the ledger and
     * the log; an accelerator in no domain is one placement already knows, and never puts where a
     * contract asks for one domain. An offer's machine's domain is rebased from the machine's id to
     * each launch slot's ({@code OfferSlots}); both ids show as themselves (or the offer is left out),
     * so the rebased domain shows as itself exactly when the one checked here does.
     */
    private static Accelerator withPrintableDomain(Accelerator a, String reporter, Warnings warnings) {
        String domain = a.interconnectDomain();
        if (domain == null || InvalidConfigurationException.printable(domain).equals(domain)) {
            return a;
        }
        warnings.add(reporter, unprintableMember("accelerator", a.id(), "interconnect domain", domain, reporter, "no NVLink or NVSwitch "
                + "domain can be shown by such an id, so it is dropped and the accelerator is kept as in no interconnect domain"));
        return a.toBuilder().interconnectDomain(null).build();
    }

    /**
     * A node (or an offer's machine, {@code what} and {@code id} naming it) without the devices whose
     * ids do not show as themselves, its provider told of each ({@link #unprintableId}), and the node
     * kept: an accelerator ({@link #printableAccelerators}), a NIC or a disk by its name, which the
     * shell shows and a device path names (a NIC's); placement counts the node's RDMA NICs without
     * it, as it would were the NIC not there. So is a PCI function whose address does not show as
     * itself ({@link #unprintableListed}): the merge attaches a GPU provider's accelerators to the
     * node that has their functions, by address ({@link #attachAccelerators}), so shown escaped it
     * would match a function the node does not have. A device path from or to an id that does not show as
     * itself is dropped, silently where that id is a device so left out, its provider told otherwise
     * ({@link #printablePaths}). Each accelerator kept is on this node: an accelerator that names
     * another node as its own (or one that cannot be shown) is taken as on the node whose list holds
     * it, the node the inventory, placement and the ledger put it on, and its provider is told
     * ({@link #namesAnotherNode}); one that names none is put on it silently, as the API asks.
     */
    private static Node withPrintableDevices(Node node, String what, String id, String reporter, Warnings warnings) {
        List<Accelerator> accelerators = new ArrayList<>();
        for (Accelerator a : printableAccelerators(node.accelerators(), reporter, warnings)) {
            if (a.nodeId() != null && !a.nodeId().equals(node.id())) {
                warnings.add(reporter, namesAnotherNode(a, what, id, node.id(), reporter));
            }
            accelerators.add(node.id().equals(a.nodeId()) ? a : a.toBuilder().nodeId(node.id()).build());
        }
        List<Nic> nics = node.nics().stream().filter(n -> printableId("NIC", n.name(), reporter, warnings))
                .toList();
        List<Disk> disks = node.disks().stream()
                .filter(d -> printableId("disk", d.name(), reporter, warnings)).toList();
        List<PciDevice> devices = node.pciDevices();
        for (int i = 0; i < node.pciDevices().size(); i++) {
            PciDevice d = node.pciDevices().get(i);
            if (InvalidConfigurationException.printable(d.address()).equals(d.address())) {
                if (devices != node.pciDevices()) {
                    devices.add(d);
                }
                continue;
            }
            if (devices == node.pciDevices()) {
                devices = new ArrayList<>(node.pciDevices().subList(0, i));
            }
            warnings.add(reporter, unprintableListed(what, id, "PCI device address", d.address(), reporter, "the merge attaches a GPU "
                    + "provider's accelerators to the node that has their PCI functions, and gives each the NUMA node of its own, matched "
                    + "by address, and escaped it would match an address the device does not have while the log read it as this one, so "
                    + "the PCI device is dropped from the node and the node kept"));
        }
        List<DevicePath> paths = printablePaths(what, id,
                withoutPathsOf(node.devicePaths(), node.accelerators(), accelerators, node.nics(), nics), reporter, warnings);
        if (accelerators.equals(node.accelerators()) && nics.equals(node.nics()) && disks.equals(node.disks())
                && paths.equals(node.devicePaths()) && devices == node.pciDevices()) {
            return node;
        }
        return node.toBuilder().accelerators(accelerators).nics(nics).disks(disks).devicePaths(paths).pciDevices(devices).build();
    }

    /**
     * The device paths whose ends show as themselves; each other one is dropped, its provider told
     * ({@link #unprintableMember}), since no accelerator or NIC with such an id is in the inventory
     * for it to name.
     */
    private static List<DevicePath> printablePaths(String what, String id, List<DevicePath> paths, String reporter, Warnings warnings) {
        List<DevicePath> kept = new ArrayList<>(paths.size());
        for (DevicePath p : paths) {
            String end = InvalidConfigurationException.printable(p.from()).equals(p.from()) ? p.to() : p.from();
            if (InvalidConfigurationException.printable(end).equals(end)) {
                kept.add(p);
            } else {
                warnings.add(reporter, unprintableMember(what, id, "device path end", end, reporter, "no accelerator or NIC with such an "
                        + "id is in the inventory, so the path from " + InvalidConfigurationException.printable(p.from()) + " to "
                        + InvalidConfigurationException.printable(p.to()) + " is dropped"));
            }
        }
        return paths.size() == kept.size() ? paths : kept;
    }

    /**
     * The device paths without those from or to an accelerator of {@code all} that is not in
     * {@code kept}, or a NIC of {@code allNics} not in {@code keptNics}: its provider is told of the
     * device.
     */
    private static List<DevicePath> withoutPathsOf(List<DevicePath> paths, List<Accelerator> all, List<Accelerator> kept,
            List<Nic> allNics, List<Nic> keptNics) {
        Set<String> leftOut = all.stream().map(Accelerator::id).collect(Collectors.toCollection(TreeSet::new));
        kept.forEach(a -> leftOut.remove(a.id()));
        allNics.forEach(n -> leftOut.add(n.name()));
        keptNics.forEach(n -> leftOut.remove(n.name()));
        return paths.stream().filter(p -> !leftOut.contains(p.from()) && !leftOut.contains(p.to())).toList();
    }

    /**
     * Why a resource is left out whose id holds a control character (a line break, a terminal's ESC),
     * a format character (a direction override), a line or paragraph separator or half of a surrogate
     * pair: the API's model takes any id that is not blank, and the ids of nodes, power domains,
     * fabrics, accelerators and capacity offers are keys of the ledger (an allocation names its node,
     * or an offer's slot, its power domain, fabric and GPUs; a deployment names an offer; a binding
     * names its node's site), of operations and provenance records, and are written to the log, where
     * a line break forges a line and an escape sequence drives the terminal that shows it; cleaned for
     * the log alone, two ids that differ only there would read as one, and an allocation would name
     * an id its provider does not know. The id is shown as the API shows a configured value
     * ({@link InvalidConfigurationException#printable}); the door is here rather than in the model's
     * constructor, which would fail the whole snapshot of a provider built against an earlier 1.x API.
     */
    private static String unprintableId(String what, String id, String reporter) {
        return what + " " + InvalidConfigurationException.printable(id) + " of provider " + reporter + " is left out of the inventory: its id "
                + "holds a control or format character, a line or paragraph separator or half of a surrogate pair (shown here as a "
                + "backslash, u and four hex digits), which would forge a line of the log or act on a terminal; expected an id of "
                + "characters that show as themselves";
    }

    /**
     * Why a resource is left out whose reference to a site, a power domain or, for a capacity offer,
     * its machine holds what an id may not ({@link #unprintableId}), naming the reference escaped as
     * that warning names an id.
     */
    private static String unprintableReference(String what, String id, String reference, String referenced, String reporter) {
        String audited = reference.endsWith("site")
                ? "its sovereignty and jurisdiction come from its site, and a site that cannot be shown cannot be audited"
                : reference.equals("machine")
                        ? "its machine describes every machine launched from it, whose accelerators' ids are made from the machine's, and a "
                                + "machine that cannot be shown cannot be audited"
                        : "a power budget that holds it is that domain's, and a power domain that cannot be shown cannot be audited";
        return what + " " + InvalidConfigurationException.printable(id) + " of provider " + reporter + " is left out of the inventory: its "
                + reference + " id " + InvalidConfigurationException.printable(referenced) + " holds a control or format character, a "
                + "line or paragraph separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), which would "
                + "forge a line of the log or act on a terminal; " + audited + "; expected a " + reference + " id of characters that show "
                + "as themselves";
    }

    /**
     * Why an id a resource lists (a fabric's member, a capacity offer's fabric, an accelerator's
     * interconnect domain, a device path's end) is dropped from it while the resource is kept: it
     * holds what an id may not ({@link #unprintableId}), so nothing the inventory holds has it, and
     * shown it would forge a line of the log as the id would.
     */
    private static String unprintableMember(String what, String id, String member, String listed, String reporter, String dropped) {
        return unprintableListed(what, id, member + " id", listed, reporter, dropped);
    }

    /**
     * Why a value a resource lists that code matches on (a member's id, a partition profile's name, a
     * PCI address) is dropped from it while the resource is kept, {@code field} naming it: it holds
     * what an id may not ({@link #unprintableId}).
     */
    private static String unprintableListed(String what, String id, String field, String listed, String reporter, String dropped) {
        return what + " " + InvalidConfigurationException.printable(id) + " of provider " + reporter + " lists " + field + " "
                + InvalidConfigurationException.printable(listed) + ", which holds a control or format character, a line or paragraph "
                + "separator or half of a surrogate pair (shown here as a backslash, u and four hex digits), which would forge a line of the "
                + "log or act on a terminal; " + dropped + "; expected " + (field.startsWith("i") ? "an " : "a ") + field
                + " of characters that show as themselves";
    }

    /**
     * A stale GPU provider's accelerators (it departed, or its discovery fails): nobody watches
     * them now, so a health last reported as OK is no longer known and becomes UNKNOWN, while
     * DEGRADED and FAILED stay (the worse of what is known is kept: a failed GPU is still never
     * placed on). Each says why. Placement treats UNKNOWN as OK, as for declared GPUs, so a GPU
     * provider being replaced does not take its machines' GPUs out of placement.
     */
    static GpuSnapshot staleGpus(GpuSnapshot gpu, String provider) {
        List<Accelerator> marked = gpu.accelerators().stream().map(a -> {
            Health last = a.health();
            List<String> reasons = new ArrayList<>(last.reasons());
            reasons.add("provider " + provider + " no longer reports this GPU (departed or failing): health " + last.status()
                    + " as it last reported it");
            Health.Status now = last.status() == Health.Status.OK ? Health.Status.UNKNOWN : last.status();
            return a.toBuilder().health(new Health(now, reasons)).build();
        }).toList();
        return new GpuSnapshot(gpu.generation(), gpu.takenAt(), gpu.hostname(), gpu.machineId(), marked, gpu.interconnects(), gpu.paths(),
                gpu.unavailableReason(), gpu.warnings());
    }

    private static CapacityOffer staleOffer(CapacityOffer o) {
        return o.toBuilder().machine(o.machine().withState(ResourceState.STALE)).build();
    }

    // ---- sites ---------------------------------------------------------------------------------

    /** One fact of a site: its name in messages, how to read it, and whether a value states anything. */
    private record Fact(String name, Function<Site, Object> value) {
        Object of(Site site) {
            Object v = value.apply(site);
            if (v == null || (v instanceof Collection<?> c && c.isEmpty()) || (v instanceof Number n && n.doubleValue() == 0)) {
                return null;
            }
            return v;
        }
    }

    private static final List<Fact> FACTS = List.of(
            new Fact("region", Site::region),
            new Fact("zone", Site::zone),
            new Fact("country", Site::country),
            new Fact("jurisdictions", s -> new TreeSet<>(s.jurisdictions())),
            new Fact("operator", Site::operator),
            new Fact("certifications", s -> new TreeSet<>(s.certifications())),
            new Fact("power budget", Site::powerBudgetWatts),
            new Fact("floor space", Site::floorSpaceSquareMetres));

    private static Site mergeSite(String id, List<Site> reported, Warnings warnings) {
        if (reported.size() == 1) {
            return reported.get(0);
        }
        // the provider that says most about the site leads; ties go to the lower provider id
        List<Site> byWeight = new ArrayList<>(reported);
        byWeight.sort(Comparator.comparingLong((Site s) -> FACTS.stream().filter(f -> f.of(s) != null).count()).reversed()
                .thenComparing(Site::providerId));
        Site lead = byWeight.get(0);
        Map<String, Object> merged = new LinkedHashMap<>();
        for (Fact fact : FACTS) {
            Object kept = null;
            String keptFrom = null;
            for (Site s : byWeight) {
                Object v = fact.of(s);
                if (v == null) {
                    continue;
                }
                if (kept == null) {
                    kept = v;
                    keptFrom = s.providerId();
                } else if (!kept.equals(v) && keptFrom.equals(s.providerId())) {
                    warnings.add(keptFrom, "conflict: site " + id + " is listed twice by " + keptFrom + ", with " + fact.name() + " "
                            + show(kept) + " and " + show(v) + "; keeping " + show(kept));
                } else if (!kept.equals(v)) {
                    warnings.conflict(List.of(keptFrom, s.providerId()), "conflict: site " + id + " " + fact.name() + " is "
                            + show(kept) + " for " + keptFrom + " but " + show(v) + " for " + s.providerId() + "; keeping " + keptFrom + "'s");
                }
            }
            merged.put(fact.name(), kept);
        }
        return Site.builder().id(id).providerId(lead.providerId())
                .region((String) merged.get("region"))
                .zone((String) merged.get("zone"))
                .country((String) merged.get("country"))
                .jurisdictions(setOf(merged.get("jurisdictions")))
                .operator((Operator) merged.get("operator"))
                .certifications(setOf(merged.get("certifications")))
                .powerBudgetWatts(merged.get("power budget") == null ? 0 : (Long) merged.get("power budget"))
                .floorSpaceSquareMetres(merged.get("floor space") == null ? 0 : (Double) merged.get("floor space"))
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Set<String> setOf(Object value) {
        return value == null ? Set.of() : (Set<String>) value;
    }

    private static String show(Object value) {
        if (value instanceof Operator o) {
            return o.name() + " " + new TreeSet<>(o.jurisdictions());
        }
        return value.toString();
    }

    // ---- other resources -----------------------------------------------------------------------

    /** A resource and the provider that reported it. */
    private record Owned<T>(String providerId, T value) {
    }

    /**
     * Leaves out each node whose id is one placement gives a launch slot of a capacity offer in the
     * inventory ({@code <offer id>#<n>}, {@link OfferSlots#slotId}), its provider told. Placement
     * held the node and the slot under one id, its index finding only the slot by it, so what was
     * booked on one was counted on the other, and a member bound to either was taken, by a deployment
     * and the commitment check, as bound to the node.
     */
    private static void withoutSlotIds(Map<String, Node> nodes, Map<String, Owned<CapacityOffer>> offers, Warnings warnings) {
        if (offers.isEmpty()) {
            return;
        }
        for (var it = nodes.values().iterator(); it.hasNext(); ) {
            Node node = it.next();
            Optional<String> offer = OfferSlots.offerOf(node.id());
            if (offer.isPresent() && offers.containsKey(offer.get())) {
                it.remove();
                warnings.add(node.providerId(), "node " + node.id() + " has the id of a launch slot of capacity offer " + offer.get()
                        + " (placement names an offer's slots <offer id>" + OfferSlots.SEPARATOR + "<n>); left out of the inventory "
                        + "(give the node another id)");
            }
        }
    }

    private static <T> void keepFirst(Map<String, Owned<T>> kept, String id, T value, String providerId, String what, Warnings warnings) {
        Owned<T> previous = kept.putIfAbsent(id, new Owned<>(providerId, value));
        if (previous != null && !previous.value().equals(value) && previous.providerId().equals(providerId)) {
            warnings.add(providerId, "conflict: " + what + " " + id + " is listed twice by " + providerId + ", differently; keeping the first");
        } else if (previous != null && !previous.value().equals(value)) {
            warnings.conflict(List.of(previous.providerId(), providerId), "conflict: " + what + " " + id + " differs between "
                    + previous.providerId() + " and " + providerId + "; keeping " + previous.providerId() + "'s");
        }
    }

    private static <T> List<T> values(Map<String, Owned<T>> map) {
        return map.values().stream().map(Owned::value).toList();
    }

    // ---- accelerators --------------------------------------------------------------------------

    // ---- one machine, one node ------------------------------------------------------------------

    /**
     * Joins the nodes of different providers that carry one machine identity, in place.
     *
     * @return the ids of joined nodes whose accelerators were taken from a node other than the kept one
     */
    private static Set<String> joinMachines(Map<String, Node> nodes, Warnings warnings) {
        Map<String, List<Node>> byMachine = new TreeMap<>();
        for (Node n : nodes.values()) {
            String machine = n.attributes().get(MachineIdentity.ATTRIBUTE);
            if (machine != null && !machine.isBlank()) {
                byMachine.computeIfAbsent(machine, k -> new ArrayList<>()).add(n);
            }
        }
        Set<String> borrowed = new TreeSet<>();
        for (Map.Entry<String, List<Node>> e : byMachine.entrySet()) {
            List<Node> same = e.getValue();
            if (same.size() < 2) {
                continue;
            }
            Map<String, List<Node>> byProvider = same.stream().collect(Collectors.groupingBy(Node::providerId, TreeMap::new, Collectors.toList()));
            boolean cloned = false;
            for (Map.Entry<String, List<Node>> p : byProvider.entrySet()) {
                if (p.getValue().size() > 1) {
                    cloned = true;
                    warnings.add(p.getKey(), "conflict: nodes " + ids(p.getValue()) + " have one machine identity " + e.getKey()
                            + " (a cloned machine id?); they are kept apart and joined with no other provider's node");
                }
            }
            if (cloned || byProvider.size() < 2) {
                continue;
            }
            List<Node> ordered = new ArrayList<>(same);
            ordered.sort(Comparator.comparingInt((Node n) -> -n.pciDevices().size()).thenComparingInt(n -> -n.numaNodes().size())
                    .thenComparing(Node::providerId));
            Node kept = ordered.get(0);
            Node.Builder b = kept.toBuilder();
            Map<String, String> attributes = new TreeMap<>(kept.attributes());
            Set<String> traits = new TreeSet<>(kept.traits());
            List<String> joined = new ArrayList<>();
            List<String> joinedProviders = new ArrayList<>();
            String hostname = kept.hostname();
            long memory = kept.memoryBytes();
            boolean cpu = !kept.cpu().packages().isEmpty();
            boolean power = kept.power().maxWatts() > 0 || kept.power().idleWatts() > 0;
            String powerDomain = kept.powerDomainId();
            boolean nics = !kept.nics().isEmpty();
            boolean disks = !kept.disks().isEmpty();
            boolean accelerators = !kept.accelerators().isEmpty();
            for (Node other : ordered.subList(1, ordered.size())) {
                joined.add(other.id());
                joinedProviders.add(other.providerId() + "=" + other.id());
                nodes.remove(other.id());
                if (hostname == null && other.hostname() != null) {
                    hostname = other.hostname();
                    b.hostname(hostname);
                }
                if (memory == 0 && other.memoryBytes() > 0) {
                    memory = other.memoryBytes();
                    b.memoryBytes(memory);
                }
                if (!cpu && !other.cpu().packages().isEmpty()) {
                    cpu = true;
                    b.cpu(other.cpu());
                }
                if (!power && (other.power().maxWatts() > 0 || other.power().idleWatts() > 0)) {
                    power = true;
                    b.power(other.power());
                }
                if (powerDomain == null && other.powerDomainId() != null) {
                    powerDomain = other.powerDomainId();
                    b.powerDomainId(powerDomain);
                }
                if (!nics && !other.nics().isEmpty()) {
                    nics = true;
                    b.nics(other.nics());
                }
                if (!disks && !other.disks().isEmpty()) {
                    disks = true;
                    b.disks(other.disks());
                }
                if (!accelerators && !other.accelerators().isEmpty()) {
                    accelerators = true;
                    b.accelerators(other.accelerators().stream().map(a -> a.onNode(kept.id(), a.numaNode())).toList());
                    borrowed.add(kept.id());
                }
                traits.addAll(other.traits());
                other.attributes().forEach(attributes::putIfAbsent);
            }
            attributes.put(JOINED, JoinedIds.join(joined));
            attributes.put(JOINED_PROVIDERS, JoinedIds.join(joinedProviders));
            nodes.put(kept.id(), b.traits(traits).attributes(attributes).build());
        }
        return borrowed;
    }

    private static List<Accelerator> attachAccelerators(Map<String, Node> nodes, List<Owned<GpuSnapshot>> gpus, Warnings warnings,
            Set<String> borrowedAccelerators) {
        List<Accelerator> unattached = new ArrayList<>();
        for (Owned<GpuSnapshot> owned : gpus) {
            GpuSnapshot gpu = owned.value();
            if (gpu.accelerators().isEmpty()) {
                continue;
            }
            List<Node> candidates;
            String why;
            if (gpu.machineId() != null) {
                // a node's identity is in the inventory as its attributes are, printable, and so is it shown in the warning
                String machineId = InvalidConfigurationException.printable(gpu.machineId());
                candidates = nodes.values().stream()
                        .filter(n -> machineId.equals(n.attributes().get(MachineIdentity.ATTRIBUTE))).toList();
                why = candidates.isEmpty() ? "no node has machine identity " + machineId
                        : candidates.size() + " nodes have machine identity " + machineId + " (" + ids(candidates) + ")";
            } else {
                Set<String> addresses = gpu.accelerators().stream().map(Accelerator::pciAddress).filter(Objects::nonNull)
                        .collect(Collectors.toCollection(TreeSet::new));
                candidates = addresses.isEmpty() ? List.of() : nodes.values().stream()
                        .filter(n -> addresses.stream().allMatch(a -> n.pciDevice(a).isPresent())).toList();
                String shown = InvalidConfigurationException.printable(String.join(", ", addresses));
                why = "the snapshot has no machine identity and "
                        + (addresses.isEmpty() ? "its accelerators no PCI addresses"
                                : candidates.isEmpty() ? "no node has the PCI functions " + shown
                                        : candidates.size() + " nodes have the PCI functions " + shown + " (" + ids(candidates) + ")");
            }
            if (candidates.size() != 1) {
                gpu.accelerators().forEach(a -> unattached.add(a.nodeId() == null ? a : a.onNode(null, a.numaNode())));
                int n = gpu.accelerators().size();
                warnings.add(owned.providerId(), n + (n == 1 ? " accelerator" : " accelerators") + " of host "
                        + Optional.ofNullable(InvalidConfigurationException.printable(gpu.hostname())).orElse("(unnamed)")
                        + " attached to no node: " + why);
                continue;
            }
            Node node = candidates.get(0);
            // a GPU provider's view of the machine replaces the accelerators another node of it brought (a BMC's)
            List<Accelerator> attached = new ArrayList<>(borrowedAccelerators.remove(node.id()) ? List.of() : node.accelerators());
            for (Accelerator a : gpu.accelerators()) {
                Optional<PciDevice> pci = a.pciAddress() == null ? Optional.empty() : node.pciDevice(a.pciAddress());
                int numa = a.numaNode() >= 0 ? a.numaNode() : pci.map(PciDevice::numaNode).orElse(-1);
                attached.add(a.onNode(node.id(), numa));
            }
            List<DevicePath> paths = new ArrayList<>(node.devicePaths());
            paths.addAll(gpu.paths());
            nodes.put(node.id(), node.withDevices(attached, paths));
        }
        return unattached;
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).sorted().collect(Collectors.joining(", "));
    }

    /**
     * Warns, per provider and power domain, of nodes under a power domain no provider reports (a
     * typo in a BMC's configuration, a declared inventory not loaded): the node's own domain, or a
     * parent of it, however far up. Placement does not use them, since a budget that holds them is
     * unknown. Warns too of every cycle of parents ({@link PowerDomainChains}), under each provider
     * that reports a domain of it, naming the nodes under it, which placement does not use either.
     */
    private static void unknownPowerDomains(Collection<Node> nodes, Map<String, Owned<PowerDomain>> known, Warnings warnings) {
        Map<String, PowerDomain> domains = new LinkedHashMap<>();
        known.forEach((id, owned) -> domains.put(id, owned.value()));
        PowerDomainChains chains = PowerDomainChains.of(domains);
        Map<String, Map<String, List<String>>> missing = new TreeMap<>();
        Map<List<String>, List<String>> underCycle = new LinkedHashMap<>();
        for (Node node : nodes) {
            String d = node.powerDomainId();
            if (d == null) {
                continue;
            }
            String lacking = chains.lacking(d);
            if (lacking != null) {
                // a domain left out for its id (or one a node or parent names that way) is shown as that warning shows it
                String gap = InvalidConfigurationException.printable(lacking.equals(d) ? d : lacking + ", above " + d + ",");
                missing.computeIfAbsent(node.providerId(), k -> new TreeMap<>()).computeIfAbsent(gap, k -> new ArrayList<>()).add(node.id());
            } else if (!chains.cycle(d).isEmpty()) {
                underCycle.computeIfAbsent(chains.cycle(d), k -> new ArrayList<>()).add(node.id());
            }
        }
        missing.forEach((provider, byDomain) -> byDomain.forEach((domain, ids) -> {
            warnings.awaiting(provider, "power domain " + domain + " of " + (ids.size() == 1 ? "node " : ids.size() + " nodes (") + named(ids)
                    + (ids.size() == 1 ? "" : ")") + " is reported by no provider: its budget is unknown, so nothing is placed on "
                    + (ids.size() == 1 ? "the node" : "them") + " until a provider reports it");
        }));
        Set<List<String>> cycles = new java.util.LinkedHashSet<>();
        new TreeSet<>(domains.keySet()).forEach(id -> {
            if (chains.onCycle(id)) {
                cycles.add(chains.cycle(id));
            }
        });
        for (List<String> cycle : cycles) {
            List<String> ids = underCycle.getOrDefault(cycle, List.of());
            String warning = "power domains " + PowerDomainChains.describe(cycle) + " form a cycle of parents, which has no top: the "
                    + "budgets that hold them are unknown, so nothing is placed " + (ids.isEmpty() ? "under them"
                            : "on " + (ids.size() == 1 ? "node " : "the " + ids.size() + " nodes under them (") + named(ids)
                                    + (ids.size() == 1 ? "" : ")"));
            warnings.conflict(cycle.stream().map(id -> known.get(id).providerId()).collect(Collectors.toSet()), warning);
        }
    }

    /**
     * Warns, per provider and site, of nodes, capacity offers, fabrics and storage pools at a site no
     * provider reports (a typo in a provider's configuration, a declared inventory not loaded): its
     * country, jurisdictions and operator are unknown, so placement refuses a node or an offer's
     * machine there to every contract with a sovereignty clause ("site ... is not in the inventory")
     * and places it for the others as usual. Another provider's first report may settle it, as it may
     * a power domain. A resource with no site is not warned of.
     */
    private static void unknownSites(Set<String> known, Collection<Node> nodes, Collection<Owned<CapacityOffer>> offers,
            Collection<Owned<Fabric>> fabrics, Collection<Owned<StoragePool>> pools, Warnings warnings) {
        Map<String, Map<String, List<String>>> missing = new TreeMap<>();
        nodes.forEach(n -> atUnknownSite(missing, known, n.siteId(), n.providerId(), "node " + n.id()));
        offers.forEach(o -> atUnknownSite(missing, known, o.value().siteId(), o.providerId(), "capacity offer " + o.value().id()));
        fabrics.forEach(f -> atUnknownSite(missing, known, f.value().siteId(), f.providerId(), "fabric " + f.value().id()));
        pools.forEach(p -> atUnknownSite(missing, known, p.value().siteId(), p.providerId(), "storage pool " + p.value().id()));
        missing.forEach((provider, bySite) -> bySite.forEach((site, of) -> {
            boolean placed = of.stream().anyMatch(r -> r.startsWith("node ") || r.startsWith("capacity offer "));
            warnings.awaiting(provider, "site " + site + " of " + (of.size() == 1 ? "" : of.size() + " resources (") + named(of)
                    + (of.size() == 1 ? "" : ")") + " is reported by no provider: its country, jurisdictions and operator are unknown"
                    + (placed ? ", so nothing there is placed for a contract with a sovereignty clause until a provider reports it (a "
                            + "contract without one is placed there as usual)" : " until a provider reports it"));
        }));
    }

    /** Adds a resource to those of its provider at its site, where the site is not null and not known. */
    private static void atUnknownSite(Map<String, Map<String, List<String>>> missing, Set<String> known, String siteId, String provider,
            String resource) {
        if (siteId != null && !known.contains(siteId)) {
            missing.computeIfAbsent(provider, k -> new TreeMap<>()).computeIfAbsent(siteId, k -> new ArrayList<>()).add(resource);
        }
    }

    /** Up to three ids, sorted, and how many more. */
    private static String named(List<String> ids) {
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        return sorted.size() <= 3 ? String.join(", ", sorted) : String.join(", ", sorted.subList(0, 3)) + " and " + (sorted.size() - 3) + " more";
    }

    /**
     * Warnings per provider, in the order found, without repeats. Each is cleaned as it comes in
     * ({@link ProviderText#clean}): it quotes what providers wrote (a node's or a power domain's id,
     * a host name, a site's facts), and goes to the log and the status as it is kept here, so a
     * line break in an id must not forge a log line, nor a BMC's URL with its password in a host
     * name reach the log. At most {@link ProviderDirectory#MAX_WARNINGS} are kept per provider; the
     * others are counted, uncleaned, in one more line.
     */
    private static final class Warnings {
        private final Map<String, Set<String>> byProvider = new TreeMap<>();
        /** Per provider, the warnings past the bound, as given. */
        private final Map<String, Set<String>> beyond = new TreeMap<>();

        private final Set<String> awaiting = new java.util.HashSet<>();

        void add(String providerId, String warning) {
            Set<String> kept = byProvider.computeIfAbsent(providerId, k -> new java.util.LinkedHashSet<>());
            if (kept.size() < ProviderDirectory.MAX_WARNINGS) {
                kept.add(ProviderText.clean(warning));
            } else if (!kept.contains(ProviderText.clean(warning))) {
                beyond.computeIfAbsent(providerId, k -> new java.util.HashSet<>()).add(warning);
            }
        }

        /** A warning that another provider's first report may settle. */
        void awaiting(String providerId, String warning) {
            add(providerId, warning);
            awaiting.add(ProviderText.clean(warning));
        }

        /** A warning to each of these providers once; one may be named more than once. */
        void conflict(Collection<String> providers, String warning) {
            new TreeSet<>(providers).forEach(p -> add(p, warning));
        }

        Map<String, List<String>> byProvider() {
            Map<String, List<String>> copy = new TreeMap<>();
            byProvider.forEach((k, v) -> {
                List<String> list = new ArrayList<>(v);
                int more = beyond.getOrDefault(k, Set.of()).size();
                if (more > 0) {
                    list.add(ProviderDirectory.moreWarnings(more));
                }
                copy.put(k, List.copyOf(list));
            });
            return copy;
        }
    }
}
