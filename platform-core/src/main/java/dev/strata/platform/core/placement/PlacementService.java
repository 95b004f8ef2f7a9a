package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.placement.packing.BestFitPolicy;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.FragmentationGradientPolicy;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import dev.strata.platform.core.placement.packing.RandomPolicy;
import dev.strata.platform.core.placement.packing.StrataPackingPolicy;
import dev.strata.platform.core.placement.packing.WorkloadProfile;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placement service: decides on the current inventory and the allocation ledger, reserves
 * what it decides, and explains every decision. Decisions are serialised on one lock (the
 * packing model is mutable and owned by one thread at a time); a commit carries the ledger
 * generation it was decided on and is retried when the ledger moved.
 */
@Component(service = Placement.class, immediate = true, configurationPid = PlacementService.PID)
@Designate(ocd = PlacementConfig.class)
public class PlacementService implements Placement {

    public static final String PID = "dev.strata.platform.core.placement";
    private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);
    private static final int COMMIT_ATTEMPTS = 3;
    private static final int MAX_PROFILE_ALLOCATIONS = 10_000;

    private final Inventory inventory;
    private final Ledger ledger;
    private final BiFunction<List<NodeCapacity>, List<Demand>, PackingPolicy> policy;
    private final String policyName;
    private final Clock clock;
    private final Object lock = new Object();
    private PlacementModel model;

    @Activate
    public PlacementService(@Reference Inventory inventory, PlacementConfig config) {
        this(OfferSlots.view(inventory), new Ledger(), config.policy(), Clock.systemUTC());
    }

    PlacementService(Inventory inventory, Ledger ledger, String policyName, Clock clock) {
        this(inventory, ledger, policyName, policyFactory(policyName), clock);
    }

    PlacementService(Inventory inventory, Ledger ledger, String policyName,
            BiFunction<List<NodeCapacity>, List<Demand>, PackingPolicy> policy, Clock clock) {
        this.inventory = inventory;
        this.ledger = ledger;
        this.policyName = policyName;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * The packing policy by name, built for the nodes and the workload to protect: the
     * fragmentation-aware policies keep free capacity usable for the demands given (the typical
     * demands plus those the ledger holds, see {@link #model()}).
     */
    static BiFunction<List<NodeCapacity>, List<Demand>, PackingPolicy> policyFactory(String name) {
        return switch (name == null ? "" : name.strip()) {
            case "strata" -> StrataPackingPolicy::forWorkload;
            case "fgd" -> (nodes, demands) -> new FragmentationGradientPolicy(WorkloadProfile.typical(demands));
            case "bestfit" -> (nodes, demands) -> new BestFitPolicy(nodes.stream().mapToLong(NodeCapacity::cpuTotalMilli).max().orElse(1),
                    nodes.stream().mapToLong(n -> n.gpuCount() * (long) Demand.WHOLE_GPU).max().orElse(1));
            case "random" -> (nodes, demands) -> new RandomPolicy(42);
            default -> throw new InvalidConfigurationException(PID, "policy", name, "one of strata, fgd, bestfit, random");
        };
    }

    /**
     * The workload the fragmentation-aware policies protect free capacity for, until the ledger
     * has a history: whole GPUs in the sizes training jobs use, and shares of one GPU.
     */
    static List<Demand> typicalDemands() {
        List<Demand> demands = new ArrayList<>();
        for (int gpus : new int[] {1, 2, 4, 8}) {
            demands.add(Demand.wholeGpus(gpus * 8_000L, gpus * 64L * 1024, gpus));
        }
        for (int milli : new int[] {250, 500}) {
            demands.add(Demand.sharedGpu(4_000, 16 * 1024, milli));
        }
        demands.add(Demand.cpuOnly(16_000, 64 * 1024));
        return demands;
    }

    @Override
    public PlacementDecision place(Contract contract, boolean dryRun) {
        long start = System.nanoTime();
        synchronized (lock) {
            for (int attempt = 1; ; attempt++) {
                PlacementModel m = model();
                ContractPlanner planner = new ContractPlanner(m);
                ContractPlanner.Plan plan = planner.plan(contract);
                long decidedOn = m.ledgerGeneration;
                String allocationId = null;
                if (plan.placed() && !dryRun) {
                    Allocation allocation = new Allocation(ledger.nextId(), contract.name(), contract.tenant(), contract.priority(),
                            contract.isolation() == dev.strata.platform.api.contract.Isolation.DEDICATED_NODE, clock.instant(), plan.bindings());
                    try {
                        m.ledgerGeneration = ledger.commit(decidedOn, allocation);
                        allocationId = allocation.id();
                    } catch (Ledger.StaleGenerationException e) {
                        planner.rollback(plan);
                        model = null;
                        if (attempt == COMMIT_ATTEMPTS) {
                            throw new IllegalStateException("placement of " + contract.name() + " lost " + attempt
                                    + " races for the ledger; try again", e);
                        }
                        LOG.info("Placement of {} decided on a stale ledger ({}); deciding again", contract.name(), e.getMessage());
                        continue;
                    }
                    LOG.info("Placed {} of tenant {} as {}: {}", contract.name(), contract.tenant(), allocationId, plan.summary());
                } else if (plan.placed()) {
                    planner.rollback(plan);
                }
                return new PlacementDecision(contract.name(), contract.tenant(), plan.placed(), dryRun, allocationId, plan.bindings(),
                        plan.evidence(), plan.rejections(), plan.summary(), m.inventory.generation(), decidedOn, plan.nodesConsidered(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    /** The model for the current inventory with the ledger applied; rebuilt when either moved elsewhere. */
    private PlacementModel model() {
        InventorySnapshot snapshot = inventory.snapshot();
        if (model != null && model.inventory.generation() == snapshot.generation() && model.ledgerGeneration == ledger.generation()) {
            return model;
        }
        long generation = ledger.generation();
        List<Allocation> held = ledger.all();
        // the workload to protect: typical demands plus (a bounded window of) what the ledger holds
        List<Demand> workload = new ArrayList<>(typicalDemands());
        for (int i = Math.max(0, held.size() - MAX_PROFILE_ALLOCATIONS); i < held.size(); i++) {
            for (MemberBinding b : held.get(i).bindings()) {
                workload.add(PlacementModel.demandOf(b.cpuMilli(), b.memoryBytes(), b.acceleratorIds().size(), b.gpuFraction(), false));
            }
        }
        PlacementModel fresh = new PlacementModel(snapshot, nodes -> policy.apply(nodes, workload));
        for (Allocation a : held) {
            List<MemberBinding> missing = fresh.apply(a);
            if (!missing.isEmpty()) {
                LOG.warn("Allocation {} holds {} bindings on nodes no longer in the inventory: {}", a.id(), missing.size(),
                        missing.stream().map(MemberBinding::nodeId).toList());
            }
        }
        fresh.ledgerGeneration = generation;
        model = fresh;
        return fresh;
    }

    @Override
    public List<Allocation> allocations() {
        return ledger.all();
    }

    @Override
    public Optional<Allocation> allocation(String id) {
        return ledger.get(id);
    }

    @Override
    public Allocation release(String id) {
        synchronized (lock) {
            Allocation released = ledger.release(id);
            if (model != null) {
                model.unapply(released);
                model.ledgerGeneration = ledger.generation();
            }
            LOG.info("Released {} ({} of tenant {})", id, released.contract(), released.tenant());
            return released;
        }
    }

    String policyName() {
        return policyName;
    }

    /**
     * What is free, node by node ({@code cpu/memory/gpu milli...}), and the power reserved per
     * domain: a fingerprint of the model for tests that check a release restores exactly.
     */
    java.util.SortedMap<String, String> freeCapacity() {
        synchronized (lock) {
            PlacementModel m = model();
            java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
            for (NodeCapacity c : m.packer.nodes()) {
                StringBuilder gpus = new StringBuilder();
                for (int g = 0; g < c.gpuCount(); g++) {
                    gpus.append(' ').append(c.gpuFreeMilli(g));
                }
                int i = m.index.get(c.id());
                out.put(c.id(), c.cpuFreeMilli() + "/" + c.memoryFreeMiB() + "/" + gpus.toString().strip() + " tenants "
                        + new java.util.TreeMap<>(m.tenants.get(i)) + " dedicated " + m.dedicatedTo[i]);
            }
            m.reservedMilliwatts.forEach((d, mw) -> out.put("power:" + d, mw + " mW"));
            return out;
        }
    }
}
