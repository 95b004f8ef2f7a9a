package dev.strata.platform.core.placement;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deciders' models: each decision takes one {@link PlacementModel} for itself, brought up to
 * the ledger's current generation (by applying the changes since its own, or rebuilt from a
 * snapshot of the ledger and the current inventory), decides on it without any lock, and gives it
 * back. At most {@code capacity} models exist, so at most that many decisions run at once and the
 * memory they take is bounded; a caller beyond waits for a model. Models of an older inventory
 * generation are dropped. Thread-safe.
 */
final class ModelPool {

    private static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);

    private final Inventory inventory;
    private final AllocationLedger ledger;
    private final BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policies;
    private final List<Demand> typical;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<PlacementModel> idle = new ConcurrentLinkedDeque<>();
    private final Object indexLock = new Object();
    private volatile InventoryIndex index;
    private final AtomicLong builds = new AtomicLong();

    ModelPool(Inventory inventory, AllocationLedger ledger, BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policies,
            List<Demand> typical, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("model pool capacity " + capacity + "; expected 1 or more");
        }
        this.inventory = inventory;
        this.ledger = ledger;
        this.policies = policies;
        this.typical = List.copyOf(typical);
        this.permits = new Semaphore(capacity, true);
    }

    /** A model at the ledger's current generation on the current inventory, for the caller alone until {@link #release}. */
    PlacementModel acquire() {
        permits.acquireUninterruptibly();
        try {
            InventoryIndex inv = indexFor(inventory.snapshot());
            PlacementModel m;
            do {
                m = idle.pollFirst();
            } while (m != null && m.inv != inv);
            m = m == null ? build(inv) : caughtUp(m);
            m.refreshPolicy();
            return m;
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    /** Brings a model the caller holds up to the ledger's current generation; the caller keeps its permit. */
    PlacementModel catchUp(PlacementModel m) {
        PlacementModel current = caughtUp(m);
        current.refreshPolicy();
        return current;
    }

    /**
     * Gives a model back.
     *
     * @param reusable false when a decision on it failed midway: it is dropped, not reused
     */
    void release(PlacementModel m, boolean reusable) {
        if (reusable && m.inv == index) {
            idle.offerFirst(m);
        }
        permits.release();
    }

    /** The index of the current inventory (the one models are now built on). */
    InventoryIndex currentIndex() {
        return indexFor(inventory.snapshot());
    }

    /** Models built from a ledger snapshot so far (the rest were caught up with the ledger's changes). */
    long builds() {
        return builds.get();
    }

    private InventoryIndex indexFor(InventorySnapshot snapshot) {
        InventoryIndex inv = index;
        if (inv != null && inv.generation() == snapshot.generation()) {
            return inv;
        }
        synchronized (indexLock) {
            inv = index;
            if (inv == null || inv.generation() != snapshot.generation()) {
                inv = new InventoryIndex(snapshot);
                index = inv;
                idle.clear();
            }
            return inv;
        }
    }

    private PlacementModel caughtUp(PlacementModel m) {
        Optional<List<AllocationLedger.Change>> changes = ledger.changesSince(m.ledgerGeneration);
        if (changes.isEmpty()) {
            return build(m.inv);
        }
        for (AllocationLedger.Change c : changes.get()) {
            if (c.released()) {
                m.unapply(c.allocation());
            } else {
                m.apply(c.allocation());
            }
            m.ledgerGeneration = c.generation();
        }
        return m;
    }

    private PlacementModel build(InventoryIndex inv) {
        AllocationLedger.Snapshot snapshot = ledger.snapshot();
        PlacementModel m = new PlacementModel(inv, policies, typical);
        for (Allocation a : snapshot.allocations()) {
            List<MemberBinding> skipped = m.apply(a);
            if (!skipped.isEmpty()) {
                LOG.warn("Allocation {} holds {} bindings that no longer fit the inventory (nodes {}): their room is not counted", a.id(),
                        skipped.size(),
                        skipped.stream().map(MemberBinding::nodeId).distinct().toList());
            }
        }
        m.ledgerGeneration = snapshot.generation();
        builds.incrementAndGet();
        return m;
    }
}
