package dev.strata.platform.core.placement;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Test-support entry point: the placement engine outside OSGi, over any {@link Inventory}, for
 * benchmarks and for tests of other modules. The only way in from outside this package, so that
 * benchmarks live in their own packages ({@code dev.strata.benchmarks.*}) instead of this one.
 * platform-core exports nothing, so no bundle can reach this class in a running Strata; on a plain
 * class path (benchmarks, tests) it is public.
 */
public final class PlacementEngines {

    private PlacementEngines() {
    }

    /**
     * A placement service with an empty ledger.
     *
     * @param policy the packing policy by name, as configured: {@code strata}, {@code fgd}, {@code bestfit} or {@code random}
     */
    public static Placement create(Inventory inventory, String policy, Clock clock) {
        return new PlacementService(OfferSlots.view(inventory), new InMemoryLedger(), policy, clock);
    }

    /**
     * A placement service with an empty ledger and a packing policy built by the caller (for example
     * one that learns from a trace's workload).
     *
     * @param name the policy's name, for messages
     */
    public static Placement create(Inventory inventory, String name, BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policy,
            Clock clock) {
        return new PlacementService(OfferSlots.view(inventory), new InMemoryLedger(), name, policy, clock);
    }

    /**
     * A placement service over the durable ledger of a state store, as Strata runs it: every
     * acknowledged placement is durable, with its contract and provenance record, every decision is
     * held to the tenant quotas the store holds, read at each decision, and the inventory's capacity
     * offers are placed on as launch slots ({@link OfferSlots#view}; an inventory that is already
     * such a view is taken as it is).
     *
     * @param deciders how many decisions run at once (0: as many as the machine has processors, at least 2)
     */
    public static Placement durable(Inventory inventory, dev.strata.platform.core.store.StateStore store, String policy, Clock clock,
            int deciders) {
        return durable(inventory, store, policy, clock, deciders, true);
    }

    /**
     * As {@link #durable(Inventory, dev.strata.platform.core.store.StateStore, String, Clock, int)};
     * without {@code storeQuotas} no tenant quota is read (what reading them costs is measured
     * against it).
     */
    public static Placement durable(Inventory inventory, dev.strata.platform.core.store.StateStore store, String policy, Clock clock,
            int deciders, boolean storeQuotas) {
        PlacementService service = new PlacementService(OfferSlots.view(inventory), new StoreLedger(store), policy, PackingPolicies.byName(policy), clock,
                PlacementService.deciders(deciders));
        return storeQuotas ? service.quotasFrom(store) : service;
    }

    /** How many times a decision is made before the last attempt is decided under the commit lock. */
    public static final int COMMIT_ATTEMPTS = PlacementEngine.COMMIT_ATTEMPTS;

    /**
     * How often decisions of a placement service made here lost the race to commit and were decided
     * again, and how many were finally decided under the commit lock.
     */
    public record Races(long retries, long serialised) {
    }

    /** The race counters of a placement service made by {@link #create}. */
    public static Races races(Placement placement) {
        if (!(placement instanceof PlacementService service)) {
            throw new IllegalArgumentException("not a placement service made by PlacementEngines: " + placement.getClass().getName());
        }
        PlacementEngine engine = service.engine();
        return new Races(engine.retries(), engine.serialised());
    }
}
