package dev.strata.platform.core.placement.packing;

import java.util.List;
import java.util.Random;

/**
 * A node drawn uniformly at random among those that fit, and a random candidate GPU set on it
 * ({@link GpuChoices}). Seeded: the same seed and the same calls give the same placements. Not
 * cacheable, not thread-safe.
 */
public final class RandomPolicy implements PackingPolicy {

    private final Random random;

    public RandomPolicy(long seed) {
        this.random = new Random(seed);
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public Fit fit(NodeCapacity node, Demand demand) {
        List<int[]> candidates = GpuChoices.onHost(node, demand);
        if (candidates.isEmpty()) {
            return null;
        }
        int[] gpus = candidates.size() == 1 ? candidates.get(0) : candidates.get(random.nextInt(candidates.size()));
        return new Fit(node.id(), gpus, 0);
    }

    @Override
    public boolean cacheable() {
        return false;
    }

    @Override
    public int breakTie(int tied) {
        return random.nextInt(tied);
    }
}
