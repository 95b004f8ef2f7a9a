package dev.strata.platform.core.placement;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provisioning.MachineLabels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cloud capacity as placement sees it. A {@link CapacityOffer} (a shape in a zone, up to the
 * account's quota) is not a machine until it is launched; placement decides on <em>launch
 * slots</em>: the offer's free quota ({@code limit - inUse}) as that many nodes of the offer's
 * shape, ids {@code <offer id>#<n>}, judged by the same clauses as hardware (the zone's
 * sovereignty, the shape's GPUs, CPUs and memory, its EFA fabric). A slot holds one member (one
 * launched machine); the ledger holds the slot, so the quota is never overbooked. A machine
 * launched for a deployment is a node of the inventory, shown, bound to its deployment
 * ({@link MachineLabels#DEPLOYMENT}), and not placed on again: its capacity is held by its slot.
 */
public final class OfferSlots {

    /** Between an offer id and the slot number in a slot's node id. */
    public static final char SEPARATOR = '#';
    /** Node attributes of a slot. */
    public static final String OFFER = "strata:offer";
    public static final String SLOT = "strata:offer.slot";
    public static final String SHAPE = "strata:offer.shape";
    public static final String QUOTA = "strata:offer.quota";
    public static final String QUOTA_IN_USE = "strata:offer.inUse";
    /** The most slots one offer is expanded to (a quota above this is placed on as this many). */
    static final int MAX_SLOTS = 4096;

    private OfferSlots() {
    }

    /** The offer a slot's node id names, or empty when the id is not a slot's. */
    public static Optional<String> offerOf(String nodeId) {
        int at = nodeId.lastIndexOf(SEPARATOR);
        if (at <= 0 || at == nodeId.length() - 1) {
            return Optional.empty();
        }
        for (int i = at + 1; i < nodeId.length(); i++) {
            if (!Character.isDigit(nodeId.charAt(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(nodeId.substring(0, at));
    }

    /** Whether a node is a launch slot. */
    public static boolean isSlot(Node node) {
        return node.attributes().containsKey(OFFER);
    }

    /** The slot node id of an offer's n-th slot. */
    public static String slotId(String offerId, int n) {
        return offerId + SEPARATOR + n;
    }

    /** How many slots an offer has: its free quota. */
    static int slots(CapacityOffer offer) {
        return Math.min(MAX_SLOTS, Math.max(0, offer.limit() - offer.inUse()));
    }

    /**
     * The snapshot placement decides on: the nodes (less those launched for a deployment) and
     * every offer's slots; fabrics that hold an offer hold its slots. Same generation.
     */
    public static InventorySnapshot expand(InventorySnapshot snapshot) {
        if (snapshot.offers().isEmpty() && snapshot.nodes().stream().noneMatch(OfferSlots::launched)) {
            return snapshot;
        }
        List<Node> nodes = new ArrayList<>(snapshot.nodes().size());
        for (Node n : snapshot.nodes()) {
            if (!launched(n)) {
                nodes.add(n);
            }
        }
        Map<String, List<String>> slotsOf = new HashMap<>();
        for (CapacityOffer offer : snapshot.offers()) {
            int count = slots(offer);
            List<String> ids = new ArrayList<>(count);
            Node machine = offer.machine();
            Map<String, String> acceleratorIds = suffixes(machine.id(), machine.accelerators().stream().map(Accelerator::id).toList());
            Map<String, String> domainIds = suffixes(machine.id(), machine.accelerators().stream().map(Accelerator::interconnectDomain)
                    .filter(java.util.Objects::nonNull).toList());
            for (int k = 0; k < count; k++) {
                Node slot = slot(offer, k, acceleratorIds, domainIds);
                nodes.add(slot);
                ids.add(slot.id());
            }
            slotsOf.put(offer.id(), ids);
        }
        List<Fabric> fabrics = new ArrayList<>(snapshot.fabrics().size());
        for (Fabric f : snapshot.fabrics()) {
            Set<String> members = null;
            for (String member : f.members()) {
                List<String> slots = slotsOf.get(member);
                if (slots != null) {
                    if (members == null) {
                        members = new LinkedHashSet<>(f.members());
                    }
                    members.addAll(slots);
                }
            }
            fabrics.add(members == null ? f : f.toBuilder().members(members).build());
        }
        return new InventorySnapshot(snapshot.generation(), snapshot.takenAt(), snapshot.sites(), nodes, fabrics, snapshot.storagePools(),
                snapshot.powerDomains(), snapshot.offers(), snapshot.unattached());
    }

    /** A machine a provider launched for a deployment: shown in the inventory, its capacity held by its slot. */
    static boolean launched(Node n) {
        return n.attributes().containsKey(MachineLabels.DEPLOYMENT);
    }

    private static Node slot(CapacityOffer offer, int k, Map<String, String> acceleratorIds, Map<String, String> domainIds) {
        String id = slotId(offer.id(), k);
        Node machine = offer.machine();
        List<Accelerator> accelerators = new ArrayList<>(machine.accelerators().size());
        for (Accelerator a : machine.accelerators()) {
            accelerators.add(a.toBuilder().id(id + acceleratorIds.get(a.id())).nodeId(id)
                    .interconnectDomain(a.interconnectDomain() == null ? null : id + domainIds.get(a.interconnectDomain())).build());
        }
        return machine.toBuilder().id(id).providerId(offer.providerId()).siteId(offer.siteId()).accelerators(accelerators)
                .attribute(OFFER, offer.id()).attribute(SHAPE, offer.shape()).attribute(SLOT, Integer.toString(k)).attribute(QUOTA, Integer.toString(offer.limit()))
                .attribute(QUOTA_IN_USE, Integer.toString(offer.inUse())).build();
    }

    /**
     * What follows a slot's id in the slot's ids for the offer's machine's ids (its accelerators', or
     * their interconnect domains'), the same for every slot: where an id starts with the machine's id
     * and goes on with no digit, the rest ({@code <offer>/gpu0} on slot 1 is {@code <offer>#1/gpu0}),
     * else {@code /} and the id ({@code GPU-0} is {@code <offer>#1/GPU-0}). Each slot is a machine of
     * its own: an id kept as the provider named it would be one GPU on every slot, and two
     * allocations on two slots would each hold "GPU-0" in the ledger, the provenance log and the
     * verifier's sets keyed by GPU id, as if they held one GPU. A rest that went on with a digit
     * would be another slot's ({@code <offer>0/gpu0} on slot 1 read {@code <offer>#10/gpu0}, slot
     * 10's {@code <offer>/gpu0}), so such an id takes {@code /} too. An id so made that one starting
     * with the machine's id already has ({@code GPU-0} beside {@code <offer>/GPU-0}) takes {@code ~2}
     * ({@code ~3}, ...) after it: two GPUs with one id on a slot, placement refused the slot, and so
     * the whole offer. Each id's suffix depends only on the machine's ids in the machine's order, so
     * a slot's GPUs keep their ids from one snapshot to the next.
     */
    static Map<String, String> suffixes(String machineId, List<String> ids) {
        Map<String, String> suffixes = new HashMap<>();
        Set<String> taken = new java.util.HashSet<>();
        for (String value : ids) {
            if (value.startsWith(machineId) && (value.length() == machineId.length() || !Character.isDigit(value.charAt(machineId.length())))) {
                String suffix = value.substring(machineId.length());
                suffixes.put(value, suffix);
                taken.add(suffix);
            }
        }
        for (String value : ids) {
            if (suffixes.containsKey(value)) {
                continue;
            }
            String suffix = "/" + value;
            for (int n = 2; taken.contains(suffix); n++) {
                suffix = "/" + value + "~" + n;
            }
            suffixes.put(value, suffix);
            taken.add(suffix);
        }
        return suffixes;
    }

    /**
     * An inventory whose snapshots are {@linkplain #expand expanded}, each expanded once; such an
     * inventory as it is (an offer's slots added once, not again under ids already taken).
     */
    public static Inventory view(Inventory inventory) {
        return inventory instanceof View ? inventory : new View(inventory);
    }

    /** The inventory of {@link #view}. */
    private static final class View implements Inventory {
        private final Inventory inventory;
        private final AtomicReference<InventorySnapshot[]> last = new AtomicReference<>();

        View(Inventory inventory) {
            this.inventory = inventory;
        }

        @Override
        public InventorySnapshot snapshot() {
            return expanded(inventory.snapshot());
        }

        @Override
        public InventorySnapshot refresh(Duration maxWait) {
            return expanded(inventory.refresh(maxWait));
        }

        private InventorySnapshot expanded(InventorySnapshot raw) {
            InventorySnapshot[] pair = last.get();
            if (pair != null && pair[0] == raw) {
                return pair[1];
            }
            InventorySnapshot out = expand(raw);
            last.set(new InventorySnapshot[] {raw, out});
            return out;
        }
    }
}
