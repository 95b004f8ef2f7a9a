package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The Sum-of-Squares measure's arithmetic, the gap histogram the packer keeps, and the Strata option
 * that uses them: its cached form decides exactly as the measure recomputed from scratch says.
 */
class GapSquaresTest {

    private static List<NodeCapacity> cluster(int nodes, int gpus) {
        List<NodeCapacity> out = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            out.add(new NodeCapacity("n" + i, "V100", 96000, 393216, gpus));
        }
        return out;
    }

    /** One node whose GPUs have these free milli-GPU each. */
    private static NodeCapacity withFree(int... free) {
        NodeCapacity n = new NodeCapacity("h", "V100", 96000, 393216, free.length);
        for (int g = 0; g < free.length; g++) {
            if (free[g] == 0) {
                n.allocate(Demand.wholeGpus(0, 0, 1), new int[] {g});
            } else if (free[g] < Demand.WHOLE_GPU) {
                n.allocate(Demand.sharedGpu(0, 0, Demand.WHOLE_GPU - free[g]), new int[] {g});
            }
        }
        return n;
    }

    private static GapHistogram gaps(int... free) {
        return GapHistogram.of(List.of(withFree(free)));
    }

    @Test
    void countsPartialGapsAndWholeGpusOnlyWhenAsked() {
        GapSquares partial = new GapSquares(1, false, null);
        GapSquares whole = new GapSquares(1, true, null);
        GapHistogram idle = GapHistogram.of(cluster(2, 4));
        assertThat(partial.value(idle)).isZero();
        assertThat(whole.value(idle)).isEqualTo(64); // 8 whole GPUs
        GapHistogram h = gaps(190, 190, 400, 0);
        assertThat(partial.value(h)).isEqualTo(5); // 2^2 + 1^2; a full GPU is not a gap
        assertThat(whole.value(h)).isEqualTo(5);
        // 400 -> 190: N(400) 1 -> 0 gives -1, N(190) 2 -> 3 gives +5
        assertThat(partial.delta(h, new int[] {400}, new int[] {0}, 210)).isEqualTo(4);
        assertThat(partial.value(h)).as("delta leaves the histogram as it was").isEqualTo(5);
        assertThat(whole.delta(idle, new int[] {1000}, new int[] {0}, 1000)).isEqualTo(49 - 64);
        assertThat(partial.delta(idle, new int[] {1000}, new int[] {0}, 1000)).isZero();
    }

    @Test
    void gapsBelowTheSmallestCountedAreClosed() {
        GapSquares s = new GapSquares(100, false, null);
        GapHistogram h = gaps(60, 60, 100, 1000);
        assertThat(s.value(h)).isEqualTo(1);
        assertThat(s.delta(h, new int[] {100}, new int[] {0}, 40)).isEqualTo(-1);
        assertThat(s.delta(h, new int[] {1000}, new int[] {0}, 940)).isZero();
        assertThat(h.count(60)).isEqualTo(2);
        assertThatThrownBy(() -> new GapSquares(0, false, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 1000");
    }

    @Test
    void failedGpusAreNoGaps() {
        NodeCapacity n = new NodeCapacity("f", "V100", 96000, 393216, new int[] {0, 0, 0}, new int[] {0, 2, 1}, null);
        GapHistogram h = GapHistogram.of(List.of(n));
        assertThat(h.count(1000)).as("the healthy and the degraded GPU").isEqualTo(2);
    }

    /** The change the measure reports is the difference of the measure recomputed from scratch, for sets of GPUs sharing gaps too. */
    @Property(tries = 200)
    void deltaIsTheExactChangeAlsoWhenGpusShareAGap(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 1, max = 1000) int minGap, @ForAll boolean whole, @ForAll boolean normalised) {
        Random random = new Random(seed);
        double[] scale = null;
        if (normalised) {
            scale = new double[Demand.WHOLE_GPU + 1];
            for (int g = 0; g < scale.length; g++) {
                scale[g] = 1 + random.nextInt(5) / 2.0;
            }
        }
        GapSquares s = new GapSquares(minGap, whole, scale);
        List<NodeCapacity> nodes = cluster(3, 8);
        for (int step = 0; step < 60; step++) {
            NodeCapacity n = nodes.get(random.nextInt(3));
            int[] f = n.gpuFreeArray().clone();
            // sizes that hit the counted boundary often: around minGap, whole GPUs, and any
            int milli = switch (random.nextInt(3)) {
                case 0 -> Demand.WHOLE_GPU;
                case 1 -> Math.max(1, Math.min(Demand.WHOLE_GPU, minGap + random.nextInt(21) - 10));
                default -> 1 + random.nextInt(Demand.WHOLE_GPU);
            };
            int[] gpus = java.util.stream.IntStream.range(0, f.length).filter(g -> f[g] >= milli).limit(1 + random.nextInt(4)).toArray();
            if (gpus.length == 0) {
                continue;
            }
            GapHistogram before = GapHistogram.of(nodes);
            double delta = s.delta(before, f, gpus, milli);
            // each GPU gives milli (a demand can take a fraction of only one GPU; the measure does not care)
            Demand d = milli == Demand.WHOLE_GPU ? Demand.wholeGpus(0, 0, 1) : Demand.sharedGpu(0, 0, milli);
            for (int g : gpus) {
                n.allocate(d, new int[] {g});
            }
            double exact = s.value(GapHistogram.of(nodes)) - s.value(before);
            assertThat(delta).as("step %d", step).isCloseTo(exact, within(1e-6));
        }
    }

    @Test
    void normalisedScaleIsTheExpectedCountOfItemsOfEachSize() {
        // half the items 500, half whole GPUs: mean 750 milli-GPU, 4000 milli-GPU of cluster hold 16/3 items
        WorkloadProfile profile = WorkloadProfile.of(Map.of(
                Demand.sharedGpu(1000, 1024, 500), 0.5,
                Demand.wholeGpus(1000, 1024, 1), 0.5));
        double[] s = GapSquares.normalised(profile, 4000);
        assertThat(s[500]).isCloseTo(1 + 8.0 / 3, within(1e-9));
        assertThat(s[1000]).isCloseTo(1 + 8.0 / 3, within(1e-9));
        assertThat(s[190]).isEqualTo(1);
        GapSquares squares = new GapSquares(1, false, s);
        assertThat(squares.delta(gaps(500, 1000), new int[] {1000}, new int[] {0}, 500)).isCloseTo(3 / (1 + 8.0 / 3), within(1e-9));
    }

    @Test
    void strataOptionsReadTheTerm() {
        StrataPackingPolicy.Options d = StrataPackingPolicy.Options.DEFAULTS;
        assertThat(StrataPackingPolicy.Options.parse("ss=2, ssmin=100, sswhole=true, ssscope=node, ssnorm=true"))
                .isEqualTo(new StrataPackingPolicy.Options(d.memoryAware(), d.strandedWeight(), d.pressureWeight(), d.bestFitWeight(), d.wasteWeight(),
                        2, 100, true, false, true));
        assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("ssmin=0")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssmin");
        assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("ssscope=rack")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node or cluster");
        List<NodeCapacity> nodes = cluster(1, 2);
        StrataPackingPolicy off = new StrataPackingPolicy(nodes, PolicyTest.PROFILE, StrataPackingPolicy.Options.parse("ss=0"));
        StrataPackingPolicy on = new StrataPackingPolicy(nodes, PolicyTest.PROFILE, StrataPackingPolicy.Options.parse("ss=1"));
        assertThat(off.weighsGaps()).isFalse();
        assertThat(on.weighsGaps()).isTrue();
        assertThat(on.cacheable()).as("its node-only part is cached").isTrue();
    }

    @Test
    void theTermSpreadsGapsOverSizesAndFollowsReleases() {
        // two GPUs with 500 free and one with 700; a 200-milli demand either closes the 700 to 500,
        // which the workload's 500-milli demands all fit (the choice without the term), or a 500 to
        // 300, which leaves one GPU per gap size (the measure's choice: -2 against +4)
        Demand small = Demand.sharedGpu(1000, 1024, 200);
        for (String options : List.of("ss=0", "ss=1000")) {
            List<NodeCapacity> nodes = List.of(new NodeCapacity("a", "V100", 96000, 393216, 3));
            Packer packer = new Packer(nodes, new StrataPackingPolicy(nodes, PolicyTest.PROFILE, StrataPackingPolicy.Options.parse(options)));
            packer.allocate("a", Demand.sharedGpu(1000, 1024, 500), new int[] {0});
            packer.allocate("a", Demand.sharedGpu(1000, 1024, 500), new int[] {1});
            packer.allocate("a", Demand.sharedGpu(1000, 1024, 300), new int[] {2});
            Fit fit = packer.place(small).orElseThrow();
            assertThat(packer.view(0).gpuFreeMilli(fit.gpus()[0])).as(options).isEqualTo(options.equals("ss=0") ? 500 : 300);
            // released, the histogram is as before: the same choice again
            packer.release(fit, small);
            assertThat(packer.place(small).orElseThrow().gpus()).as(options).containsExactly(fit.gpus());
        }
    }

    /**
     * The packer's histogram is the cluster's, recomputed from scratch, after any sequence of
     * placements, releases and restores (also on failed GPUs); and each decision of the Strata
     * policy with the term takes a node and GPUs whose score, recomputed from scratch (the node's own
     * terms plus the weighted change of the measure over a histogram counted anew), is the lowest of
     * every candidate on every node.
     */
    @Property(tries = 60)
    void cachedDecisionsAreThoseOfTheMeasureRecomputedFromScratch(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 1, max = 300) int minGap, @ForAll boolean acrossNodes) {
        Random random = new Random(seed);
        List<NodeCapacity> nodes = new ArrayList<>();
        int count = 2 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            int gpus = 1 + random.nextInt(4);
            int[] domains = new int[gpus];
            int[] health = new int[gpus];
            for (int g = 0; g < gpus; g++) {
                domains[g] = random.nextInt(2);
                health[g] = random.nextInt(8) == 0 ? NodeCapacity.FAILED : NodeCapacity.HEALTHY;
            }
            nodes.add(new NodeCapacity("n" + i, random.nextBoolean() ? "V100" : "T4", 8000 + 8000L * random.nextInt(3), 65536, domains, health, null));
        }
        StrataPackingPolicy.Options options = StrataPackingPolicy.Options.parse("ss=" + (1 + random.nextInt(1000)) + ",ssmin=" + minGap
                + ",ssscope=" + (acrossNodes ? "cluster" : "node"));
        StrataPackingPolicy policy = new StrataPackingPolicy(nodes, PolicyTest.PROFILE, options);
        StrataPackingPolicy oracle = new StrataPackingPolicy(nodes, PolicyTest.PROFILE, options);
        GapSquares measure = new GapSquares(minGap, false, null);
        Packer packer = new Packer(nodes, policy);
        int[] sizes = {50, 100, 190, 200, 250, 300, 500, 810, Demand.WHOLE_GPU};
        List<Fit> held = new ArrayList<>();
        List<Demand> heldDemands = new ArrayList<>();
        for (int step = 0; step < 80; step++) {
            if (!held.isEmpty() && random.nextInt(4) == 0) {
                int k = random.nextInt(held.size());
                packer.release(held.remove(k), heldDemands.remove(k));
            } else {
                int milli = sizes[random.nextInt(sizes.length)];
                Demand d = milli == Demand.WHOLE_GPU && random.nextBoolean()
                        ? Demand.wholeGpus(1000, 1024, 1 + random.nextInt(2))
                        : random.nextInt(10) == 0 ? Demand.cpuOnly(2000, 1024) : Demand.sharedGpu(1000, 1024, milli);
                List<NodeCapacity> now = packer.nodes();
                double best = Double.POSITIVE_INFINITY;
                for (int i = 0; i < now.size(); i++) {
                    best = Math.min(best, oracleScore(oracle, measure, options, now, i, d));
                }
                java.util.Optional<Fit> fit = packer.place(d);
                assertThat(fit.isPresent()).as("step %d: placed exactly when some node fits", step).isEqualTo(best < Double.POSITIVE_INFINITY);
                if (fit.isPresent()) {
                    Fit f = fit.get();
                    assertThat(f.score()).as("step %d: the decision's score is the lowest recomputed", step).isCloseTo(best, within(1e-6));
                    double own = oracleScore(oracle, measure, options, now, packer.indexOf(f.nodeId()), d, f.gpus());
                    assertThat(own).as("step %d: the GPUs taken score the lowest recomputed", step).isCloseTo(best, within(1e-6));
                    held.add(f);
                    heldDemands.add(d);
                }
            }
            assertThat(countsOf(packer.gaps())).as("step %d: the packer's histogram", step).isEqualTo(countsOf(GapHistogram.of(packer.nodes())));
        }
    }

    /** The score node {@code i} is compared by, recomputed from scratch; infinite when the demand does not fit it. */
    private static double oracleScore(StrataPackingPolicy p, GapSquares measure, StrataPackingPolicy.Options o, List<NodeCapacity> all, int i, Demand d) {
        Fit[] candidates = p.candidates(all.get(i), d);
        if (candidates == null) {
            return Double.POSITIVE_INFINITY;
        }
        // within the node the lowest own + term wins (the first on ties); that choice's score is what nodes are compared by
        double bestChoice = Double.POSITIVE_INFINITY;
        double bestScore = 0;
        for (Fit c : candidates) {
            double withTerm = c.score() + o.squaresWeight() * squaresChange(measure, all, i, d, c.gpus());
            if (withTerm < bestChoice) {
                bestChoice = withTerm;
                bestScore = o.squaresAcrossNodes() ? withTerm : c.score();
            }
        }
        return bestScore;
    }

    /** The score of taking these GPUs of node {@code i}, recomputed from scratch, when they are one of its candidates. */
    private static double oracleScore(StrataPackingPolicy p, GapSquares measure, StrataPackingPolicy.Options o, List<NodeCapacity> all, int i, Demand d,
            int[] gpus) {
        for (Fit c : p.candidates(all.get(i), d)) {
            if (java.util.Arrays.equals(c.gpus(), gpus)) {
                return o.squaresAcrossNodes() ? c.score() + o.squaresWeight() * squaresChange(measure, all, i, d, gpus) : c.score();
            }
        }
        throw new AssertionError("the GPUs taken, " + java.util.Arrays.toString(gpus) + ", are none of the node's candidates");
    }

    /** The measure of the cluster with the demand on these GPUs of node {@code i}, minus the measure now, each counted anew. */
    private static double squaresChange(GapSquares measure, List<NodeCapacity> all, int i, Demand d, int[] gpus) {
        if (d.gpuCount() == 0) {
            return 0;
        }
        List<NodeCapacity> after = new ArrayList<>(all);
        NodeCapacity changed = all.get(i).copy();
        changed.allocate(d, gpus);
        after.set(i, changed);
        return measure.value(GapHistogram.of(after)) - measure.value(GapHistogram.of(all));
    }

    private static List<Long> countsOf(GapHistogram h) {
        List<Long> out = new ArrayList<>();
        for (int g = 0; g <= Demand.WHOLE_GPU; g++) {
            out.add(h.count(g));
        }
        return out;
    }
}
