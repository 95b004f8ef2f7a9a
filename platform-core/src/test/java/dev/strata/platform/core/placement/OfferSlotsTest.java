package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.core.contract.ContractDocumentReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cloud capacity as placement sees it: an offer's free quota as launch slots. */
class OfferSlotsTest {

    static final String OFFER = "aws:eu-central-1a:p4d.24xlarge";

    /** One offer of an 8-GPU shape in Frankfurt with {@code limit} machines, {@code inUse} of them used by others, in an EFA fabric. */
    static InventorySnapshot inventory(int limit, int inUse, Node... nodes) {
        Infra infra = new Infra().site("aws:eu-central-1a", "DE", Infra.EU_DE, "Amazon Web Services EMEA SARL", Set.of("US", "LU", "EU"))
                .h100(OFFER, "aws:eu-central-1a", null);
        Node machine = infra.nodes.get(0);
        CapacityOffer offer = CapacityOffer.builder().id(OFFER).providerId("aws").siteId("aws:eu-central-1a").shape("p4d.24xlarge")
                .machine(machine).limit(limit).inUse(inUse).fabricIds(Set.of("aws:eu-central-1a:efa-400g")).build();
        Fabric efa = Fabric.builder().id("aws:eu-central-1a:efa-400g").type(FabricType.RDMA).technology("EFA").siteId("aws:eu-central-1a")
                .members(Set.of(OFFER)).linkBandwidthGbps(400).build();
        return new InventorySnapshot(3, Instant.now(), infra.sites, List.of(nodes), List.of(efa), List.of(), List.of(), List.of(offer));
    }

    static Inventory fixed(InventorySnapshot s) {
        return new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return s;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return s;
            }
        };
    }

    @Test
    void anOffersFreeQuotaBecomesThatManySlotsOfItsShapeInItsFabric() {
        Node launched = Node.builder().id("aws:i-0abc").kind(dev.strata.platform.api.model.NodeKind.VIRTUAL_MACHINE).providerId("aws").siteId("aws:eu-central-1a").memoryBytes(1L << 30)
                .attribute(MachineLabels.DEPLOYMENT, "d-000001").build();
        Node other = Node.builder().id("aws:i-0def").kind(dev.strata.platform.api.model.NodeKind.VIRTUAL_MACHINE).providerId("aws").siteId("aws:eu-central-1a").memoryBytes(1L << 30).build();
        InventorySnapshot expanded = OfferSlots.expand(inventory(3, 1, launched, other));

        assertThat(expanded.generation()).isEqualTo(3);
        assertThat(expanded.nodes()).extracting(Node::id).containsExactly("aws:i-0def", OFFER + "#0", OFFER + "#1");
        Node slot = expanded.node(OFFER + "#1").orElseThrow();
        assertThat(slot.providerId()).isEqualTo("aws");
        assertThat(slot.siteId()).isEqualTo("aws:eu-central-1a");
        assertThat(slot.attributes()).containsEntry(OfferSlots.OFFER, OFFER).containsEntry(OfferSlots.SLOT, "1")
                .containsEntry(OfferSlots.QUOTA, "3").containsEntry(OfferSlots.QUOTA_IN_USE, "1");
        assertThat(slot.accelerators()).hasSize(8).allSatisfy(a -> {
            assertThat(a.nodeId()).isEqualTo(OFFER + "#1");
            assertThat(a.id()).startsWith(OFFER + "#1/gpu");
            assertThat(a.interconnectDomain()).startsWith(OFFER + "#1/");
        });
        assertThat(expanded.nodes().stream().flatMap(n -> n.accelerators().stream()).map(Accelerator::id).distinct()).hasSize(16);
        assertThat(expanded.fabrics().get(0).members()).containsExactlyInAnyOrder(OFFER, OFFER + "#0", OFFER + "#1");
        assertThat(expanded.offers()).hasSize(1);
    }

    @Test
    void aSlotIdNamesItsOffer() {
        assertThat(OfferSlots.offerOf(OFFER + "#12")).contains(OFFER);
        assertThat(OfferSlots.offerOf(OFFER)).isEmpty();
        assertThat(OfferSlots.offerOf(OFFER + "#")).isEmpty();
        assertThat(OfferSlots.offerOf(OFFER + "#1a")).isEmpty();
        assertThat(OfferSlots.offerOf("#3")).isEqualTo(Optional.empty());
    }

    @Test
    void placementBindsMembersToSlotsAndTheLedgerHoldsTheQuota() {
        Placement placement = PlacementEngines.create(fixed(inventory(3, 1)), "strata", Clock.systemUTC());
        ContractDocumentReader reader = new ContractDocumentReader();
        Contract two = reader.read("name: two\ntenant: t\nsovereignty: {countries: [DE]}\nmembers:\n  - {name: w, replicas: 2, gpus: {count: 8}}\n",
                "two.yaml");
        PlacementDecision first = placement.place(two, false);
        assertThat(first.placed()).as(first.summary()).isTrue();
        assertThat(first.bindings()).extracting(MemberBinding::nodeId).containsExactlyInAnyOrder(OFFER + "#0", OFFER + "#1");

        Contract one = reader.read("name: one\ntenant: t\nmembers:\n  - {name: w, gpus: {count: 1}}\n", "one.yaml");
        assertThat(placement.place(one, true).placed()).as("the quota of 3 with 1 used by others is held by the first contract").isFalse();

        placement.release(first.allocationId());
        assertThat(placement.place(one, true).placed()).isTrue();
    }

    /**
     * A placement service over a state store made for tests and benchmarks places on an offer's
     * launch slots as the running component does. Before, it decided on the inventory as it was: a
     * contract on an inventory holding only an offer was "not placed: the inventory holds no
     * nodes", where the running service placed it on the offer's slots.
     */
    @Test
    void aDurablePlacementServicePlacesOnAnOffersSlots(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) {
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        try {
            Placement placement = PlacementEngines.durable(fixed(inventory(3, 1)), store, "strata", Clock.systemUTC(), 1);
            Contract two = new ContractDocumentReader().read("name: two\ntenant: t\nsovereignty: {countries: [DE]}\nmembers:\n"
                    + "  - {name: w, replicas: 2, gpus: {count: 8}}\n", "two.yaml");
            PlacementDecision d = placement.place(two, false);
            assertThat(d.placed()).as(d.summary()).isTrue();
            assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactlyInAnyOrder(OFFER + "#0", OFFER + "#1");
        } finally {
            store.close();
        }
    }

    /** An inventory that already shows an offer's slots is taken as it is: each slot once, not again under its own id. */
    @Test
    void theViewOfAViewShowsEachSlotOnce() {
        Inventory once = OfferSlots.view(fixed(inventory(3, 1)));
        assertThat(OfferSlots.view(once)).isSameAs(once);
        assertThat(OfferSlots.view(once).snapshot().nodes()).extracting(Node::id).containsExactly(OFFER + "#0", OFFER + "#1");
    }

    @Test
    void anOfferWithoutFreeQuotaHasNoSlots() {
        assertThat(OfferSlots.expand(inventory(4, 4)).nodes()).isEmpty();
        assertThat(OfferSlots.expand(inventory(2, 5)).nodes()).isEmpty();
    }

    @Test
    void aSlotHoldsOneMemberHoweverSmallAndTheEvidenceSaysTheQuotaLeft() {
        Placement placement = PlacementEngines.create(fixed(inventory(3, 1)), "strata", Clock.systemUTC());
        ContractDocumentReader reader = new ContractDocumentReader();
        Contract small = reader.read("name: small\ntenant: t\nmembers:\n  - {name: w, replicas: 2, cpu: 1}\n", "small.yaml");
        PlacementDecision d = placement.place(small, false);
        assertThat(d.placed()).as(d.summary()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::nodeId).doesNotHaveDuplicates().allMatch(id -> id.startsWith(OFFER + "#"));
        assertThat(d.evidence()).anySatisfy(e -> assertThat(e.toString()).isEqualTo("members.w-0.node: p4d.24xlarge in aws:eu-central-1a, "
                + "account quota 0 of 3 left (offer " + OFFER + ", 1 used by others; launch slot " + OfferSlots.offerOf(d.bindings().get(0)
                        .nodeId()).map(o -> d.bindings().get(0).nodeId().substring(o.length() + 1)).orElseThrow() + ")"));

        PlacementDecision third = placement.place(reader.read("name: third\ntenant: t\nmembers:\n  - {name: w, cpu: 1}\n", "third.yaml"), true);
        assertThat(third.placed()).isFalse();
        assertThat(third.rejections().toString()).contains(NodeFilter.SLOT_TAKEN);
    }
    /**
     * An offer whose machine's GPUs are named by the provider ({@code GPU-0}), not from the machine's
     * id: each launch slot kept the names as they were, so two allocations on two slots each held
     * "GPU-0" (and one NVLink domain "nvswitch"), in the ledger, the provenance log and every set
     * keyed by GPU id, as if they held one GPU. Each slot's GPUs now have ids of their own.
     */
    @Test
    void aSlotsGpusHaveIdsOfTheirOwnHoweverTheProviderNamedTheMachines() {
        InventorySnapshot raw = inventory(2, 0);
        CapacityOffer offer = raw.offers().get(0);
        Node machine = offer.machine();
        List<Accelerator> named = new java.util.ArrayList<>();
        for (int k = 0; k < machine.accelerators().size(); k++) {
            named.add(machine.accelerators().get(k).toBuilder().id("GPU-" + k).interconnectDomain("nvswitch").build());
        }
        InventorySnapshot snapshot = new InventorySnapshot(raw.generation(), raw.takenAt(), raw.sites(), raw.nodes(), raw.fabrics(),
                raw.storagePools(), raw.powerDomains(), List.of(offer.toBuilder().machine(machine.toBuilder().accelerators(named).build()).build()));

        InventorySnapshot expanded = OfferSlots.expand(snapshot);
        assertThat(expanded.node(OFFER + "#1").orElseThrow().accelerators()).first()
                .satisfies(a -> assertThat(a.id()).isEqualTo(OFFER + "#1/GPU-0"))
                .satisfies(a -> assertThat(a.interconnectDomain()).isEqualTo(OFFER + "#1/nvswitch"));
        assertThat(expanded.nodes().stream().flatMap(n -> n.accelerators().stream()).map(Accelerator::id).distinct()).hasSize(16);

        Placement placement = PlacementEngines.create(fixed(snapshot), "strata", Clock.systemUTC());
        ContractDocumentReader reader = new ContractDocumentReader();
        PlacementDecision first = placement.place(reader.read("name: a\ntenant: t\nmembers:\n  - {name: w, gpus: {count: 1}}\n", "a.yaml"), false);
        PlacementDecision second = placement.place(reader.read("name: b\ntenant: u\nmembers:\n  - {name: w, gpus: {count: 1}}\n", "b.yaml"), false);
        assertThat(first.placed()).as(first.summary()).isTrue();
        assertThat(second.placed()).as(second.summary()).isTrue();
        assertThat(first.bindings().get(0).nodeId()).isNotEqualTo(second.bindings().get(0).nodeId());
        assertThat(first.bindings().get(0).acceleratorIds()).as("the GPUs the two allocations hold, on two launch slots")
                .doesNotContainAnyElementsOf(second.bindings().get(0).acceleratorIds());
    }

    /**
     * An offer whose machine holds both {@code <offer>/GPU-0} and {@code GPU-0} (GPUs named partly
     * from the machine's id, partly by the provider): each slot gave both the id
     * {@code <offer>#0/GPU-0}, and placement refused the slot for a duplicated GPU id, so the whole
     * offer was unusable. Each of the machine's GPUs now has an id of its own on every slot, the same
     * on every expansion.
     */
    @Test
    void anOfferMachinesGpuNamedWithAndWithoutItsIdAreTwoGpusOnASlot() {
        InventorySnapshot raw = inventory(2, 0);
        CapacityOffer offer = raw.offers().get(0);
        Node machine = offer.machine();
        List<Accelerator> named = new java.util.ArrayList<>();
        for (int k = 0; k < machine.accelerators().size(); k++) {
            named.add(machine.accelerators().get(k).toBuilder().id(k % 2 == 0 ? OFFER + "/GPU-" + k / 2 : "GPU-" + k / 2)
                    .interconnectDomain(k % 2 == 0 ? OFFER + "/nv0" : "nv0").build());
        }
        InventorySnapshot snapshot = new InventorySnapshot(raw.generation(), raw.takenAt(), raw.sites(), raw.nodes(), raw.fabrics(),
                raw.storagePools(), raw.powerDomains(), List.of(offer.toBuilder().machine(machine.toBuilder().accelerators(named).build()).build()));

        InventorySnapshot expanded = OfferSlots.expand(snapshot);
        List<String> slot0 = expanded.node(OFFER + "#0").orElseThrow().accelerators().stream().map(Accelerator::id).toList();
        assertThat(slot0).as("the GPUs of one slot").hasSize(8).doesNotHaveDuplicates().allMatch(id -> id.startsWith(OFFER + "#0/"))
                .contains(OFFER + "#0/GPU-0");
        assertThat(expanded.nodes().stream().flatMap(n -> n.accelerators().stream()).map(Accelerator::id).distinct()).hasSize(16);
        assertThat(OfferSlots.expand(snapshot).node(OFFER + "#0").orElseThrow().accelerators()).extracting(Accelerator::id)
                .as("the same ids on every expansion").isEqualTo(slot0);
        assertThat(expanded.node(OFFER + "#0").orElseThrow().accelerators()).extracting(Accelerator::interconnectDomain)
                .as("two NVLink domains of the machine are two of the slot").containsOnly(OFFER + "#0/nv0", OFFER + "#0/nv0~2");

        Placement placement = PlacementEngines.create(fixed(snapshot), "strata", Clock.systemUTC());
        ContractDocumentReader reader = new ContractDocumentReader();
        PlacementDecision d = placement.place(reader.read("name: a\ntenant: t\nmembers:\n  - {name: w, gpus: {count: 8}}\n", "a.yaml"), false);
        assertThat(d.placed()).as(d.summary()).isTrue();
        assertThat(d.bindings().get(0).acceleratorIds()).hasSize(8).doesNotHaveDuplicates();
    }

    /**
     * An offer's machine with a GPU whose id goes on from the machine's id with a digit
     * ({@code <offer>0/gpu0}): slot 1 gave it {@code <offer>#10/gpu0}, the id slot 10 gives the
     * machine's {@code <offer>/gpu0}, so two slots' allocations held one GPU id. Such an id is put
     * after the slot's id and a slash, as one not from the machine's id is.
     */
    @Test
    void aGpuIdGoingOnFromTheMachinesIdWithADigitIsNoOtherSlotsGpu() {
        InventorySnapshot raw = inventory(11, 0);
        CapacityOffer offer = raw.offers().get(0);
        Node machine = offer.machine();
        List<Accelerator> named = new java.util.ArrayList<>(machine.accelerators());
        named.set(7, named.get(7).toBuilder().id(OFFER + "0/gpu0").build());
        InventorySnapshot snapshot = new InventorySnapshot(raw.generation(), raw.takenAt(), raw.sites(), raw.nodes(), raw.fabrics(),
                raw.storagePools(), raw.powerDomains(), List.of(offer.toBuilder().machine(machine.toBuilder().accelerators(named).build()).build()));

        InventorySnapshot expanded = OfferSlots.expand(snapshot);

        assertThat(expanded.nodes()).hasSize(11);
        assertThat(expanded.nodes().stream().flatMap(n -> n.accelerators().stream()).map(Accelerator::id)).hasSize(88).doesNotHaveDuplicates();
        assertThat(expanded.node(OFFER + "#1").orElseThrow().accelerators().get(7).id()).isEqualTo(OFFER + "#1/" + OFFER + "0/gpu0");
        assertThat(expanded.node(OFFER + "#10").orElseThrow().accelerators().get(0).id()).isEqualTo(OFFER + "#10/gpu0");
    }

    /**
     * A launch slot beside a hardware node of its shape, both free: the search took them for
     * interchangeable (their facts and free room are alike) and tried only the first for the gang's
     * largest member, though the slot holds one member and the node several. The two small members
     * fit only together on the node, the large one alone on the slot; the greedy pass puts the large
     * one on the node, and the search then never tried the slot for it.
     */
    @Test
    void aLaunchSlotIsNotTakenForInterchangeableWithAHardwareNodeOfItsShape() {
        Infra infra = new Infra().site("z", "DE", Infra.EU_DE, "Op", Set.of("EU"));
        infra.node("hw", "z", null, 4, 16, 0, null, 0, 0, 1, 0, 0);
        infra.node("cloud:z:c4", "z", null, 4, 16, 0, null, 0, 0, 1, 0, 0);
        Node machine = infra.nodes.remove(1);
        CapacityOffer offer = CapacityOffer.builder().id("cloud:z:c4").providerId("test").siteId("z").shape("c4").machine(machine).limit(1)
                .inUse(0).build();
        InventorySnapshot snapshot = new InventorySnapshot(1, Instant.now(), infra.sites, infra.nodes, List.of(), List.of(), List.of(),
                List.of(offer));
        Contract gang = new Contract("gang", "t", 0, List.of(
                new dev.strata.platform.api.contract.Member("large", 4000, 0, dev.strata.platform.api.contract.GpuRequest.NONE,
                        dev.strata.platform.api.contract.TopologyRequest.ANY, 0),
                new dev.strata.platform.api.contract.Member("small-a", 2000, 0, dev.strata.platform.api.contract.GpuRequest.NONE,
                        dev.strata.platform.api.contract.TopologyRequest.ANY, 0),
                new dev.strata.platform.api.contract.Member("small-b", 2000, 0, dev.strata.platform.api.contract.GpuRequest.NONE,
                        dev.strata.platform.api.contract.TopologyRequest.ANY, 0)),
                dev.strata.platform.api.contract.FabricRequest.ANY, dev.strata.platform.api.contract.Sovereignty.ANY,
                dev.strata.platform.api.contract.Isolation.SHARED);
        InventorySnapshot expanded = OfferSlots.expand(snapshot);
        assertThat(new ExhaustivePlacement(expanded, List.of(), gang, 1_000_000).exists()).as("the oracle's assignment").isTrue();

        PlacementDecision d = PlacementEngines.create(fixed(snapshot), "strata", Clock.systemUTC()).place(gang, true);

        assertThat(d.placed()).as(d.summary()).isTrue();
        assertThat(new ExhaustivePlacement(expanded, List.of(), gang, 1_000_000).check(d.bindings())).isNull();
        assertThat(d.bindings()).filteredOn(b -> b.member().equals("large")).extracting(MemberBinding::nodeId)
                .containsExactly("cloud:z:c4#0");
    }
}
