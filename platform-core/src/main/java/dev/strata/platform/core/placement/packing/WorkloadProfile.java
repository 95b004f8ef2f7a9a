package dev.strata.platform.core.placement.packing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The target workload that fragmentation is measured against: the distinct demands a cluster
 * expects ("typical pods"), each with its share. Immutable; shares sum to 1.
 *
 * <p>{@link #typical} builds it the way the FGD paper does from a trace's pods: count each distinct
 * request shape (CPU, milli-GPU per GPU, GPU count, allowed models; memory is ignored unless asked
 * for), keep the most frequent shapes until they cover the given fraction of all pods, and
 * renormalise. The paper's simulator is configured with a 95% popularity threshold, but on openb
 * only the full distribution (coverage 1) reproduces its published FGD results (95.0% vs 95.23% on
 * the default trace at 100% arrived; 89.9% with the 95% cut, which drops the rare 8-GPU shapes), so
 * {@link #typical(List)} keeps every shape.
 */
public final class WorkloadProfile {

    /**
     * One typical demand and its share of the workload.
     *
     * @param demand the request shape
     * @param share its share, in (0, 1]
     */
    public record Entry(Demand demand, double share) {
        public Entry {
            Objects.requireNonNull(demand, "demand");
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("WorkloadProfile.Entry.share is " + share + "; expected a fraction in (0, 1]");
            }
        }
    }

    /** How each pod counts towards its shape's share. */
    public enum Weighting {
        /** Every pod counts 1 (the paper). */
        PODS,
        /**
         * Every pod counts its milli-GPU request ({@code gpuCount * gpuMilli}); CPU-only pods count
         * nothing. Shares then say which part of the GPU capacity each shape asks for, so that an
         * 8-GPU job weighs as much as the 8,000 milli-GPU it needs.
         */
        GPU_MASS
    }

    private final List<Entry> entries;

    private WorkloadProfile(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A profile from explicit shares (normalised to sum to 1). */
    public static WorkloadProfile of(Map<Demand, Double> shares) {
        double total = 0;
        for (double w : shares.values()) {
            if (!(w > 0)) {
                throw new IllegalArgumentException("WorkloadProfile share is " + w + "; expected > 0");
            }
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("WorkloadProfile needs at least one demand");
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Demand, Double> e : shares.entrySet()) {
            out.add(new Entry(e.getKey(), e.getValue() / total));
        }
        return new WorkloadProfile(out);
    }

    /**
     * The distribution of request shapes of a list of demands, counted per pod, memory ignored: the
     * paper's target workload (all shapes, see the class comment).
     */
    public static WorkloadProfile typical(List<Demand> demands) {
        return typical(demands, 1.0, Weighting.PODS, false);
    }

    /** As {@link #typical(List)}, for demands given as a multiset (see {@link #typical(Map, double, Weighting, boolean)}). */
    public static WorkloadProfile typical(Map<Demand, Integer> demands) {
        return typical(demands, 1.0, Weighting.PODS, false);
    }

    /**
     * The most frequent shapes of the given demands that together cover {@code coverage} of the
     * weight, renormalised.
     *
     * @param coverage fraction in (0, 1] of the total weight the kept shapes must reach
     * @param weighting how each demand counts
     * @param keepMemory whether memory is part of a shape (false: shapes have memory 0, as the
     *     paper's typical pods)
     * @throws IllegalArgumentException if no demand has weight or coverage is out of range
     */
    public static WorkloadProfile typical(List<Demand> demands, double coverage, Weighting weighting, boolean keepMemory) {
        Map<Demand, Integer> counts = new LinkedHashMap<>();
        for (Demand d : demands) {
            counts.merge(d, 1, Integer::sum);
        }
        return typical(counts, coverage, weighting, keepMemory);
    }

    /**
     * As {@link #typical(List, double, Weighting, boolean)}, for demands given as a multiset: each
     * demand with how many times it occurs (at least once), in the order the list would first
     * have it. Costs one step per distinct demand, however many times each occurs.
     */
    public static WorkloadProfile typical(Map<Demand, Integer> demands, double coverage, Weighting weighting, boolean keepMemory) {
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("coverage is " + coverage + "; expected a fraction in (0, 1]");
        }
        Map<Demand, Double> counts = new LinkedHashMap<>();
        double total = 0;
        long given = 0;
        for (Map.Entry<Demand, Integer> e : demands.entrySet()) {
            Demand d = e.getKey();
            int times = e.getValue();
            if (times < 1) {
                throw new IllegalArgumentException("demand " + d + " occurs " + times + " times; expected at least once");
            }
            given += times;
            double w = (weighting == Weighting.PODS ? 1 : d.gpuMilliTotal()) * (double) times;
            if (w <= 0) {
                continue;
            }
            Demand shape = keepMemory ? d : new Demand(d.cpuMilli(), 0, d.gpuCount(), d.gpuMilli(), d.models(), d.oneDomain());
            counts.merge(shape, w, Double::sum);
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("WorkloadProfile needs at least one demand with weight, got " + given + " demands");
        }
        List<Map.Entry<Demand, Double>> sorted = new ArrayList<>(counts.entrySet());
        // most frequent first; equal counts in a fixed order so that profiles are reproducible
        sorted.sort(Comparator.<Map.Entry<Demand, Double>>comparingDouble(Map.Entry::getValue).reversed()
                .thenComparing(e -> e.getKey(), WorkloadProfile::compareShapes));
        Map<Demand, Double> kept = new HashMap<>();
        double covered = 0;
        for (Map.Entry<Demand, Double> e : sorted) {
            if (covered >= coverage * total) {
                break;
            }
            kept.put(e.getKey(), e.getValue());
            covered += e.getValue();
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Demand, Double> e : sorted) {
            Double w = kept.get(e.getKey());
            if (w != null) {
                out.add(new Entry(e.getKey(), w / covered));
            }
        }
        return new WorkloadProfile(out);
    }

    private static int compareShapes(Demand a, Demand b) {
        int c = Integer.compare(a.gpuCount(), b.gpuCount());
        if (c == 0) {
            c = Integer.compare(a.gpuMilli(), b.gpuMilli());
        }
        if (c == 0) {
            c = Long.compare(a.cpuMilli(), b.cpuMilli());
        }
        if (c == 0) {
            c = Long.compare(a.memoryMiB(), b.memoryMiB());
        }
        if (c == 0) {
            c = String.join("|", sortedModels(a.models())).compareTo(String.join("|", sortedModels(b.models())));
        }
        if (c == 0) {
            c = Boolean.compare(a.oneDomain(), b.oneDomain());
        }
        return c;
    }

    private static List<String> sortedModels(Set<String> models) {
        List<String> list = new ArrayList<>(models);
        list.sort(null);
        return list;
    }

    /** The typical demands, most frequent first; shares sum to 1. */
    public List<Entry> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return "WorkloadProfile[" + entries.size() + " shapes]";
    }
}
