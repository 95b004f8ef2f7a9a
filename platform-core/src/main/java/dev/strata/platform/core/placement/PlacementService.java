package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.BiFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The placement service: the {@link PlacementEngine} (decide on a model of one's own, commit with
 * the ledger's generation check, retry) over the inventory and the in-memory ledger, offered as a
 * DS component. Decisions run in parallel, up to {@link PlacementConfig#deciders()} at once.
 */
@Component(service = Placement.class, immediate = true, configurationPid = PlacementService.PID)
@Designate(ocd = PlacementConfig.class)
public class PlacementService implements Placement {

    public static final String PID = "dev.strata.platform.core.placement";

    private final PlacementEngine engine;
    private final String policyName;

    @Activate
    public PlacementService(@Reference Inventory inventory, PlacementConfig config) {
        this(OfferSlots.view(inventory), new InMemoryLedger(), config.policy(), PackingPolicies.byName(config.policy()), Clock.systemUTC(), deciders(config.deciders()));
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, String policyName, Clock clock) {
        this(inventory, ledger, policyName, PackingPolicies.byName(policyName), clock, deciders(0));
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, String policyName,
            BiFunction<List<NodeCapacity>, List<Demand>, PackingPolicy> policy, Clock clock) {
        this(inventory, ledger, policyName, policy, clock, deciders(0));
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, String policyName,
            BiFunction<List<NodeCapacity>, List<Demand>, PackingPolicy> policy, Clock clock, int deciders) {
        this.engine = new PlacementEngine(inventory, ledger, policy, clock, deciders);
        this.policyName = policyName;
    }

    /** The deciders configured, or (0) as many as the machine has processors, at least 2. */
    static int deciders(int configured) {
        return configured > 0 ? configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public PlacementDecision place(Contract contract, boolean dryRun) {
        return engine.place(contract, dryRun);
    }

    @Override
    public List<Allocation> allocations() {
        return engine.allocations();
    }

    @Override
    public Optional<Allocation> allocation(String id) {
        return engine.allocation(id);
    }

    @Override
    public Allocation release(String id) {
        return engine.release(id);
    }

    String policyName() {
        return policyName;
    }

    PlacementEngine engine() {
        return engine;
    }

    /** See {@link PlacementEngine#freeCapacity()}. */
    SortedMap<String, String> freeCapacity() {
        return engine.freeCapacity();
    }
}
