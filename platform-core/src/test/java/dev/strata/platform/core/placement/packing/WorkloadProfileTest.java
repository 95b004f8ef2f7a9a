package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadProfileTest {

    private static List<Demand> trace() {
        List<Demand> pods = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            pods.add(Demand.sharedGpu(4000, 8192 + i % 2, 500));   // memory differs: one shape without memory
        }
        for (int i = 0; i < 30; i++) {
            pods.add(Demand.wholeGpus(12000, 32768, 1));
        }
        for (int i = 0; i < 9; i++) {
            pods.add(Demand.cpuOnly(8000, 1024));
        }
        pods.add(Demand.wholeGpus(96000, 393216, 8));
        return pods;
    }

    @Test
    void fullDistributionByPods() {
        WorkloadProfile p = WorkloadProfile.typical(trace());
        assertThat(p.entries()).hasSize(4);
        assertThat(p.entries().get(0).demand()).isEqualTo(Demand.sharedGpu(4000, 0, 500));
        assertThat(p.entries().get(0).share()).isCloseTo(0.6, within(1e-12));
        assertThat(p.entries().stream().mapToDouble(WorkloadProfile.Entry::share).sum()).isCloseTo(1, within(1e-12));
    }

    @Test
    void coverageCutKeepsTheMostFrequentShapes() {
        WorkloadProfile p = WorkloadProfile.typical(trace(), 0.9, WorkloadProfile.Weighting.PODS, false);
        assertThat(p.entries()).extracting(e -> e.demand().gpuMilli()).containsExactly(500, 1000);
        assertThat(p.entries().get(0).share()).isCloseTo(60.0 / 90, within(1e-12));
    }

    @Test
    void gpuMassWeightingAndMemory() {
        WorkloadProfile p = WorkloadProfile.typical(trace(), 1.0, WorkloadProfile.Weighting.GPU_MASS, true);
        // CPU-only pods weigh nothing; the two memory sizes of the share stay apart
        assertThat(p.entries()).hasSize(4).noneMatch(e -> e.demand().gpuCount() == 0);
        double total = 60 * 500 + 30 * 1000 + 8000;
        assertThat(p.entries()).filteredOn(e -> e.demand().gpuCount() == 8).singleElement()
                .satisfies(e -> assertThat(e.share()).isCloseTo(8000 / total, within(1e-12)));
    }

    @Test
    void explicitSharesAreNormalisedAndChecked() {
        WorkloadProfile p = WorkloadProfile.of(Map.of(Demand.cpuOnly(1, 1), 3.0, Demand.wholeGpus(1, 1, 1).withModels(Set.of("T4")), 1.0));
        assertThat(p.entries()).extracting(WorkloadProfile.Entry::share).containsExactlyInAnyOrder(0.75, 0.25);
        assertThatThrownBy(() -> WorkloadProfile.of(Map.of(Demand.cpuOnly(1, 1), 0.0))).hasMessageStartingWith("WorkloadProfile share is 0.0");
        assertThatThrownBy(() -> WorkloadProfile.typical(List.of(Demand.cpuOnly(1, 1)), 1, WorkloadProfile.Weighting.GPU_MASS, false))
                .hasMessageStartingWith("WorkloadProfile needs at least one demand with weight");
        assertThatThrownBy(() -> WorkloadProfile.typical(trace(), 0, WorkloadProfile.Weighting.PODS, false)).hasMessageStartingWith("coverage is 0.0");
    }

    @Test
    void fragmentationOfAHandMadeNode() {
        WorkloadProfile p = WorkloadProfile.of(Map.of(Demand.wholeGpus(1000, 0, 1), 0.5, Demand.sharedGpu(1000, 0, 500), 0.5));
        GpuFragmentation f = new GpuFragmentation(p, false);
        // GPUs free 1000 and 300: the 300 is fragment for both shapes
        assertThat(f.of("V100", 8000, 0, new int[] {1000, 300})).isCloseTo(300, within(1e-9));
        // not enough CPU for either shape: every free milli-GPU is fragment
        assertThat(f.of("V100", 500, 0, new int[] {1000, 300})).isCloseTo(1300, within(1e-9));
        // 600 free: the whole-GPU shape cannot use it, the half can
        assertThat(f.of("V100", 8000, 0, new int[] {600})).isCloseTo(300, within(1e-9));
        assertThat(f.of("V100", 8000, 0, new int[] {0, 0})).isZero();
    }
}
