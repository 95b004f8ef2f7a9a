package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.core.placement.packing.BestFitPolicy;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.FragmentationGradientPolicy;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import dev.strata.platform.core.placement.packing.RandomPolicy;
import dev.strata.platform.core.placement.packing.StrataPackingPolicy;
import dev.strata.platform.core.placement.packing.WorkloadProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The packing policies placement can be configured with, by name, and the workload they protect by default. */
final class PackingPolicies {

    private PackingPolicies() {
    }

    /**
     * The packing policy by name, built for the nodes and the workload to protect: the
     * fragmentation-aware policies keep free capacity usable for the demands given (the typical
     * demands plus those the ledger holds, see {@link PlacementModel#refreshPolicy()}). Every policy
     * but {@code random} is a function of its inputs, so placement with it is deterministic.
     * {@code strata:name=value,...} is Strata with weights changed from its frozen defaults
     * ({@link StrataPackingPolicy.Options#parse}; {@code ;} also separates them).
     *
     * @throws InvalidConfigurationException for an unknown name
     */
    static BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> byName(String name) {
        String given = name == null ? "" : name.strip();
        if (given.startsWith("strata:")) {
            // Strata with weights changed from its frozen defaults, e.g. strata:ss=1000 for the Sum-of-Squares term
            StrataPackingPolicy.Options options;
            try {
                options = StrataPackingPolicy.Options.parse(given.substring("strata:".length()).replace(';', ','));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(PlacementService.PID, "policy", name,
                        "strata:name=value,... with names of StrataPackingPolicy.Options (" + e.getMessage() + ")");
            }
            return (nodes, demands) -> StrataPackingPolicy.forWorkload(nodes, demands, options);
        }
        return switch (given) {
            case "strata" -> StrataPackingPolicy::forWorkload;
            case "fgd" -> (nodes, demands) -> new FragmentationGradientPolicy(WorkloadProfile.typical(demands));
            case "bestfit" -> (nodes, demands) -> new BestFitPolicy(nodes.stream().mapToLong(NodeCapacity::cpuTotalMilli).max().orElse(1),
                    nodes.stream().mapToLong(n -> n.gpuCount() * (long) Demand.WHOLE_GPU).max().orElse(1));
            case "random" -> (nodes, demands) -> new RandomPolicy(42);
            default -> throw new InvalidConfigurationException(PlacementService.PID, "policy", name,
                    "one of strata, fgd, bestfit, random, or strata:name=value,... for Strata with other weights");
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
}
