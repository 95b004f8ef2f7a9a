package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Sum-of-Squares measure's arithmetic, and the Strata option that uses it. */
class GapSquaresTest {

    private static List<NodeCapacity> cluster(int nodes, int gpus) {
        List<NodeCapacity> out = new java.util.ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            out.add(new NodeCapacity("n" + i, "V100", 96000, 393216, gpus));
        }
        return out;
    }

    @Test
    void countsPartialGapsAndWholeGpusOnlyWhenAsked() {
        GapSquares partial = new GapSquares(cluster(2, 4), 1, false, null);
        GapSquares whole = new GapSquares(cluster(2, 4), 1, true, null);
        assertThat(partial.value()).isZero();
        assertThat(whole.value()).isEqualTo(64); // 8 whole GPUs
        assertThat(partial.move(1000, 190)).isEqualTo(1);
        assertThat(partial.move(1000, 190)).isEqualTo(3); // 2^2 - 1^2
        assertThat(partial.move(1000, 400)).isEqualTo(1);
        assertThat(partial.value()).isEqualTo(5);
        // 400 -> 190: N(400) 1 -> 0 gives -1, N(190) 2 -> 3 gives +5
        assertThat(partial.delta(new int[] {400}, new int[] {0}, 210)).isEqualTo(4);
        assertThat(partial.value()).as("delta leaves the histogram as it was").isEqualTo(5);
        // a full GPU is not a gap
        assertThat(partial.move(190, 0)).isEqualTo(-3);
        assertThat(whole.move(1000, 0)).isEqualTo(49 - 64);
    }

    @Test
    void gapsBelowTheSmallestCountedAreClosed() {
        GapSquares s = new GapSquares(cluster(1, 4), 100, false, null);
        assertThat(s.move(1000, 60)).isZero();
        assertThat(s.move(1000, 60)).isZero();
        assertThat(s.move(1000, 100)).isEqualTo(1);
        assertThat(s.delta(new int[] {100}, new int[] {0}, 40)).isEqualTo(-1);
        assertThat(s.count(60)).isEqualTo(2);
    }

    @Test
    void deltaIsTheExactChangeAlsoWhenGpusShareAGap() {
        Random random = new Random(7);
        for (boolean whole : new boolean[] {false, true}) {
            for (int min : new int[] {1, 100}) {
                GapSquares s = new GapSquares(cluster(3, 8), min, whole, null);
                int[][] free = new int[3][8];
                for (int[] f : free) {
                    java.util.Arrays.fill(f, Demand.WHOLE_GPU);
                }
                for (int step = 0; step < 400; step++) {
                    int[] f = free[random.nextInt(3)];
                    int milli = random.nextBoolean() ? Demand.WHOLE_GPU : 10 * (1 + random.nextInt(99));
                    int[] gpus = java.util.stream.IntStream.range(0, f.length).filter(g -> f[g] >= milli).limit(1 + random.nextInt(3)).toArray();
                    if (gpus.length == 0) {
                        continue;
                    }
                    double before = s.value();
                    double delta = s.delta(f, gpus, milli);
                    assertThat(s.value()).isEqualTo(before);
                    for (int g : gpus) {
                        s.move(f[g], f[g] - milli);
                        f[g] -= milli;
                    }
                    assertThat(s.value() - before).as("step %d", step).isCloseTo(delta, within(1e-9));
                }
            }
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
        GapSquares squares = new GapSquares(cluster(1, 4), 1, false, s);
        squares.move(1000, 500);
        assertThat(squares.move(1000, 500)).isCloseTo(3 / (1 + 8.0 / 3), within(1e-9));
    }

    @Test
    void strataOptionsReadTheTermAndLeaveItOffByDefault() {
        StrataPackingPolicy.Options d = StrataPackingPolicy.Options.DEFAULTS;
        assertThat(d.squaresWeight()).isZero();
        assertThat(StrataPackingPolicy.Options.parse("ss=2, ssmin=100, sswhole=true, ssscope=node, ssnorm=true"))
                .isEqualTo(new StrataPackingPolicy.Options(d.memoryAware(), d.strandedWeight(), d.pressureWeight(), d.bestFitWeight(), d.wasteWeight(),
                        2, 100, true, false, true));
        assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("ssmin=0")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssmin");
        assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("ssscope=rack")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node or cluster");
        List<NodeCapacity> nodes = cluster(1, 2);
        assertThat(new StrataPackingPolicy(nodes, PolicyTest.PROFILE, d).cacheable()).isTrue();
        assertThat(new StrataPackingPolicy(nodes, PolicyTest.PROFILE, StrataPackingPolicy.Options.parse("ss=1")).cacheable()).isFalse();
    }

    @Test
    void theTermSpreadsGapsOverSizesAndFollowsReleases() {
        // two GPUs with 500 free and one with 700; a 200-milli demand either closes the 700 to 500,
        // which the workload's 500-milli demands all fit (the default's choice), or a 500 to 300,
        // which leaves one GPU per gap size (the measure's choice: -2 against +4)
        Demand small = Demand.sharedGpu(1000, 1024, 200);
        for (String options : List.of("", "ss=1000")) {
            List<NodeCapacity> nodes = List.of(new NodeCapacity("a", "V100", 96000, 393216, 3));
            Packer packer = new Packer(nodes, new StrataPackingPolicy(nodes, PolicyTest.PROFILE, StrataPackingPolicy.Options.parse(options)));
            packer.allocate("a", Demand.sharedGpu(1000, 1024, 500), new int[] {0});
            packer.allocate("a", Demand.sharedGpu(1000, 1024, 500), new int[] {1});
            packer.allocate("a", Demand.sharedGpu(1000, 1024, 300), new int[] {2});
            Fit fit = packer.place(small).orElseThrow();
            assertThat(packer.view(0).gpuFreeMilli(fit.gpus()[0])).as(options).isEqualTo(options.isEmpty() ? 500 : 300);
            // released, the histogram is as before: the same choice again
            packer.release(fit, small);
            assertThat(packer.place(small).orElseThrow().gpus()).as(options).containsExactly(fit.gpus());
        }
    }
}
