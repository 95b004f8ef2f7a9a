package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every policy on small hand-made nodes; policy-specific preferences below. */
class PolicyTest {

    /** A workload of whole GPUs and halves, 12 CPUs and 32 GiB per GPU. */
    static final WorkloadProfile PROFILE = WorkloadProfile.of(Map.of(
            new Demand(12000, 32768, 1, 1000, Set.of(), false), 0.5,
            new Demand(6000, 16384, 1, 500, Set.of(), false), 0.3,
            new Demand(48000, 131072, 4, 1000, Set.of(), false), 0.1,
            Demand.cpuOnly(8000, 16384), 0.1));

    static final List<NodeCapacity> CLUSTER = List.of(new NodeCapacity("g", "V100", 96000, 393216, 8));

    static Stream<PackingPolicy> policies() {
        return Stream.of(new RandomPolicy(1), new BestFitPolicy(128000, 8000), BestFitPolicy.asPublished(128000, 8000, 1),
                new FragmentationGradientPolicy(PROFILE), FragmentationGradientPolicy.asPublished(PROFILE, 1),
                new StrataPackingPolicy(CLUSTER, PROFILE, StrataPackingPolicy.Options.DEFAULTS));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void refusesWhatDoesNotFit(PackingPolicy policy) {
        NodeCapacity n = new NodeCapacity("n", "V100", 16000, 65536, 2);
        assertThat(policy.fit(n, Demand.cpuOnly(16001, 1))).as("CPU").isNull();
        assertThat(policy.fit(n, Demand.sharedGpu(1, 65537, 100))).as("memory").isNull();
        assertThat(policy.fit(n, Demand.wholeGpus(1, 1, 3))).as("GPU count").isNull();
        assertThat(policy.fit(n, Demand.wholeGpus(1, 1, 1).withModels(Set.of("T4")))).as("model").isNull();
        assertThat(policy.fit(n, Demand.wholeGpus(1, 1, 2).inOneDomain())).as("no domain").isNull();
        n.allocate(Demand.sharedGpu(0, 0, 600), new int[] {0});
        n.allocate(Demand.sharedGpu(0, 0, 600), new int[] {1});
        assertThat(policy.fit(n, Demand.sharedGpu(1, 1, 500))).as("milli-GPU").isNull();
        assertThat(policy.fit(n, Demand.sharedGpu(1, 1, 400))).as("a fraction still fits").isNotNull();
        n.allocate(Demand.cpuOnly(16000, 0), new int[0]);
        assertThat(policy.fit(n, Demand.sharedGpu(1, 1, 100))).as("CPU exhausted").isNull();
        assertThat(policy.fit(n, Demand.cpuOnly(0, 1000)).gpus()).as("no CPU asked").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("policies")
    void fitsAreValidForAllocate(PackingPolicy policy) {
        NodeCapacity n = new NodeCapacity("n", "V100", 96000, 393216, new int[] {0, 0, 0, 0, 1, 1, 1, 1});
        for (Demand d : List.of(Demand.sharedGpu(1000, 1024, 250), Demand.wholeGpus(1000, 1024, 3).inOneDomain(), Demand.wholeGpus(1000, 1024, 2),
                Demand.cpuOnly(500, 500), Demand.wholeGpus(1000, 1, 2))) {
            Fit f = policy.fit(n, d);
            assertThat(f).as(d.toString()).isNotNull();
            assertThat(f.nodeId()).isEqualTo("n");
            n.allocate(d, f.gpus());
        }
        assertThat(n.wholeGpusFree()).isZero();
    }

    @ParameterizedTest
    @MethodSource("policies")
    void multiGpuInOneDomain(PackingPolicy policy) {
        NodeCapacity n = new NodeCapacity("n", "V100", 96000, 393216, new int[] {0, 0, 0, 0, 1, 1, 1, 1});
        n.allocate(Demand.wholeGpus(0, 0, 1), new int[] {5});
        Fit f = policy.fit(n, Demand.wholeGpus(0, 0, 4).inOneDomain());
        assertThat(f.gpus()).containsExactly(0, 1, 2, 3);
        n.allocate(Demand.wholeGpus(0, 0, 1), new int[] {1});
        assertThat(policy.fit(n, Demand.wholeGpus(0, 0, 4).inOneDomain())).isNull();
        assertThat(policy.fit(n, Demand.wholeGpus(0, 0, 3).inOneDomain())).isNotNull();
        assertThat(policy.fit(n, Demand.wholeGpus(0, 0, 4))).as("spread when no domain is required").isNotNull();
    }

    @Test
    void packingPoliciesShareAPartlyUsedGpuRatherThanBreakAWholeOne() {
        for (PackingPolicy policy : List.of(new BestFitPolicy(128000, 8000), new FragmentationGradientPolicy(PROFILE),
                FragmentationGradientPolicy.asPublished(PROFILE, 1), new StrataPackingPolicy(CLUSTER, PROFILE, StrataPackingPolicy.Options.DEFAULTS))) {
            NodeCapacity n = new NodeCapacity("n", "V100", 96000, 393216, 4);
            n.allocate(Demand.sharedGpu(0, 0, 500), new int[] {2});
            assertThat(policy.fit(n, Demand.sharedGpu(6000, 16384, 500)).gpus()).as(policy.name()).containsExactly(2);
        }
    }

    @Test
    void fgdScoresTheFragmentationIncrease() {
        FragmentationGradientPolicy fgd = new FragmentationGradientPolicy(PROFILE);
        NodeCapacity idle = new NodeCapacity("n", "V100", 96000, 393216, 2);
        // idle: nothing is fragment except for the CPU-only share (0.1 x 2000)
        // after a 300 share: GPU 0 has 700 left, unusable by whole and 4-GPU pods: 0.5*700 + 0.1*1700 + 0.1*1700 (4 GPUs impossible anyway)
        double before = 0.1 * 2000 + 0.1 * 2000;                // CPU-only and 4-GPU shapes see all free GPU as fragment
        double after = 0.1 * 1700 + 0.1 * 1700 + 0.5 * 700;      // ... and the whole-GPU shape cannot use the 700 left
        assertThat(fgd.fit(idle, Demand.sharedGpu(6000, 16384, 300)).score()).isCloseTo(after - before, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void randomPolicyIsReproducible() {
        NodeCapacity n = new NodeCapacity("n", "V100", 96000, 393216, 8);
        RandomPolicy a = new RandomPolicy(42);
        RandomPolicy b = new RandomPolicy(42);
        for (int i = 0; i < 20; i++) {
            assertThat(a.fit(n, Demand.sharedGpu(1, 1, 100)).gpus()).isEqualTo(b.fit(n, Demand.sharedGpu(1, 1, 100)).gpus());
            assertThat(a.breakTie(1000)).isEqualTo(b.breakTie(1000));
        }
    }

    @Test
    void strataSendsCpuOnlyWorkWhereCpuIsToSpareForTheGpus() {
        // same GPUs free; "lean" has just the CPU its GPUs need at 12 CPUs per GPU, "rich" has plenty
        List<NodeCapacity> nodes = List.of(new NodeCapacity("lean", "V100", 48000, 393216, 4), new NodeCapacity("rich", "V100", 128000, 393216, 4));
        Packer strata = new Packer(nodes, new StrataPackingPolicy(nodes, PROFILE, StrataPackingPolicy.Options.DEFAULTS));
        assertThat(strata.place(Demand.cpuOnly(16000, 8192)).orElseThrow().nodeId()).isEqualTo("rich");
    }

    @Test
    void strataKeepsScarceModelsForTheDemandsThatNeedThem() {
        WorkloadProfile profile = WorkloadProfile.of(Map.of(
                new Demand(4000, 8192, 1, 1000, Set.of(), false), 0.8,
                new Demand(4000, 8192, 1, 1000, Set.of("T4"), false), 0.2));
        List<NodeCapacity> nodes = List.of(new NodeCapacity("t4", "T4", 64000, 262144, 4), new NodeCapacity("p100", "P100", 64000, 262144, 4));
        StrataPackingPolicy policy = new StrataPackingPolicy(nodes, profile, StrataPackingPolicy.Options.DEFAULTS);
        assertThat(policy.modelPressure()).containsOnlyKeys("T4");
        Packer packer = new Packer(nodes, policy);
        assertThat(packer.place(Demand.wholeGpus(4000, 8192, 1)).orElseThrow().nodeId()).isEqualTo("p100");
        assertThat(packer.place(Demand.wholeGpus(4000, 8192, 1).withModels(Set.of("T4"))).orElseThrow().nodeId()).isEqualTo("t4");
    }

    @Test
    void memoryAwareStrataCountsGpusThatMemoryCannotFeed() {
        // both nodes fit the demand; on "tight" it would leave too little memory for the workload's GPU pods
        List<NodeCapacity> nodes = List.of(new NodeCapacity("tight", "V100", 96000, 80000, 2), new NodeCapacity("roomy", "V100", 96000, 393216, 2));
        Packer strata = new Packer(nodes, new StrataPackingPolicy(nodes, PROFILE, StrataPackingPolicy.Options.DEFAULTS));
        assertThat(strata.place(Demand.cpuOnly(1000, 60000)).orElseThrow().nodeId()).isEqualTo("roomy");
    }

    @Test
    void strataWeightsAreChangesToTheFrozenDefaults() {
        StrataPackingPolicy.Options d = StrataPackingPolicy.Options.DEFAULTS;
        assertThat(StrataPackingPolicy.Options.parse("")).isEqualTo(d);
        assertThat(StrataPackingPolicy.Options.parse("stranded=0"))
                .isEqualTo(new StrataPackingPolicy.Options(d.memoryAware(), 0, d.pressureWeight(), d.bestFitWeight(), d.wasteWeight(), d.squaresWeight(),
                        d.squaresMinGap(), d.squaresWhole(), d.squaresAcrossNodes(), d.squaresNormalised()));
        assertThat(StrataPackingPolicy.Options.parse(" memory = false , waste=0.25, ss=0"))
                .isEqualTo(new StrataPackingPolicy.Options(false, d.strandedWeight(), d.pressureWeight(), d.bestFitWeight(), 0.25, 0, d.squaresMinGap(),
                        d.squaresWhole(), d.squaresAcrossNodes(), d.squaresNormalised()));
        assertThat(d.squaresWeight()).as("the Sum-of-Squares term is off by default").isZero();
        assertThat(StrataPackingPolicy.Options.parse("ss=1000").squaresMinGap()).as("turned on, it counts gaps from a tenth of a GPU").isEqualTo(100);
    }

    @Test
    void strataWeightsThatCannotBeReadAreNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("stranded"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'stranded' has no value");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("pressure=lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pressure is 'lots'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("memory=yes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected true or false");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("gravity=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown Strata weight gravity");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataPackingPolicy.Options.parse("waste=-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected numbers >= 0");
    }
}
