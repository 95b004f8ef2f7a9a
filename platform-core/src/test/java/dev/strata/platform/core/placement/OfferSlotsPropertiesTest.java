package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * For any offers (limits and others' use from 0 up, some used up or over) and any stream of
 * contracts, placements and releases: no offer ever holds more members than its free quota, no
 * launch slot holds two members, and what a contract is refused for lack of slots is never
 * placeable by counting (the oracle recounts from the allocations and the offers).
 */
class OfferSlotsPropertiesTest {

    @Property(tries = 200)
    void theQuotaIsNeverOverbookedAndASlotHoldsOneMember(@ForAll long seed) {
        Random r = new Random(seed);
        Infra infra = new Infra().site("z", "DE", Infra.EU_DE, "Op", Set.of("EU"));
        int offerCount = 1 + r.nextInt(3);
        List<CapacityOffer> offers = new ArrayList<>();
        for (int o = 0; o < offerCount; o++) {
            // ids as providers write them, and ids that hold the slot separator, end in digits or hold spaces and non-ASCII
            String id = new String[] {"cloud:z:shape" + o, "cloud:z:p5#" + o, "cloud:z:p5#" + o + "#", "#" + o, "cloud:z:ü shape " + o,
                    "cloud:z:" + o + "#1" + o}[r.nextInt(6)];
            int gpus = r.nextBoolean() ? 0 : 1 + r.nextInt(8);
            infra.node(id, "z", null, 4 + r.nextInt(60), 16 + r.nextInt(500), gpus, "NVIDIA H100", 80, gpus == 0 ? 0 : gpus, 1, 700, 10_000);
            Node machine = infra.nodes.remove(infra.nodes.size() - 1);
            offers.add(CapacityOffer.builder().id(id).providerId("cloud").siteId("z").shape("shape" + o).machine(machine)
                    .limit(r.nextInt(8) == 0 ? 0 : r.nextInt(6)).inUse(r.nextInt(4) == 0 ? 0 : r.nextInt(7)).build());
        }
        InventorySnapshot snapshot = new InventorySnapshot(1, Instant.now(), infra.sites, List.of(), List.of(), List.of(), List.of(), offers);
        Placement placement = PlacementEngines.create(new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        }, "strata", Clock.systemUTC());

        Map<String, Integer> free = new HashMap<>();
        offers.forEach(o -> free.put(o.id(), Math.max(0, o.limit() - o.inUse())));
        // the launch slots each offer has, named as documented (the offer's id, '#', the slot's number from 0), read here
        // without the code under test: a binding on any other id, or on a slot beyond the free quota, is an error
        Map<String, String> slotOffer = new HashMap<>();
        offers.forEach(o -> {
            for (int k = 0; k < free.get(o.id()); k++) {
                assertThat(slotOffer.put(o.id() + "#" + k, o.id())).as("slot id %s#%d is unique", o.id(), k).isNull();
            }
        });
        for (int step = 0; step < 12; step++) {
            List<Allocation> held = placement.allocations();
            if (!held.isEmpty() && r.nextInt(4) == 0) {
                placement.release(held.get(r.nextInt(held.size())).id());
                continue;
            }
            int members = 1 + r.nextInt(4);
            List<Member> list = new ArrayList<>();
            for (int m = 0; m < members; m++) {
                list.add(new Member("m" + m, 1000L * r.nextInt(3), (long) r.nextInt(3) << 30, r.nextInt(3) == 0 ? new GpuRequest(1, Set.of(), 0, 1,
                        null) : GpuRequest.NONE, TopologyRequest.ANY, 0));
            }
            if (list.stream().allMatch(m -> m.cpuMilli() == 0 && m.memoryBytes() == 0 && m.gpus().count() == 0)) {
                list.set(0, new Member("m0", 1000, 0, GpuRequest.NONE, TopologyRequest.ANY, 0));
            }
            Contract c = new Contract("c" + step, "t" + r.nextInt(2), 0, list, FabricRequest.ANY, Sovereignty.ANY, Isolation.SHARED);
            PlacementDecision d = placement.place(c, false);

            // the oracle: slots held per offer, recounted from every allocation
            Map<String, Integer> used = new HashMap<>();
            Set<String> slots = new HashSet<>();
            for (Allocation a : placement.allocations()) {
                for (MemberBinding b : a.bindings()) {
                    String offer = slotOffer.get(b.nodeId());
                    assertThat(offer).as("binding on %s, not a free launch slot of %s", b.nodeId(), free).isNotNull();
                    assertThat(slots.add(b.nodeId())).as("slot %s holds two members", b.nodeId()).isTrue();
                    used.merge(offer, 1, Integer::sum);
                }
            }
            used.forEach((offer, n) -> assertThat(n).as("members on %s", offer).isLessThanOrEqualTo(free.get(offer)));
            if (!d.placed()) {
                // every shape holds every member's CPU and memory; a GPU member needs a shape with GPUs. So the gang fits
                // exactly when the free slots are enough for all members and the free GPU slots for the GPU members.
                int slotsLeft = 0;
                int gpuSlotsLeft = 0;
                for (CapacityOffer o : offers) {
                    int left = free.get(o.id()) - used.getOrDefault(o.id(), 0);
                    slotsLeft += left;
                    gpuSlotsLeft += o.machine().accelerators().isEmpty() ? 0 : left;
                }
                long gpuMembers = list.stream().filter(m -> m.gpus().count() > 0).count();
                assertThat(members > slotsLeft || gpuMembers > gpuSlotsLeft)
                        .as("refused with %d slots (%d with GPUs) left for %d members (%d with GPUs): %s; %s", slotsLeft, gpuSlotsLeft, members,
                                gpuMembers, d.summary(), d.rejections()).isTrue();
            }
        }
    }
}
