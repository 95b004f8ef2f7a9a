package dev.strata.benchmarks.openb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.core.placement.packing.Demand;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The robustness check's reshaped workloads: only shares of one GPU change, to sizes of the mode, the same every time. */
class ReshapeSharesTest {

    private static List<Demand> pods() {
        List<Demand> pods = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pods.add(switch (i % 4) {
                case 0 -> Demand.cpuOnly(1000, 1024);
                case 1 -> Demand.wholeGpus(8000, 4096, 1 + i % 3);
                case 2 -> new Demand(2000, 2048, 1, 810, Set.of("T4"), false);
                default -> Demand.sharedGpu(2000, 2048, 470);
            });
        }
        return pods;
    }

    @Test
    void sharesAreDrawnAnewInTheirRangeAndNothingElseChanges() {
        List<Demand> pods = pods();
        assertThat(OpenbReplay.reshapeShares(pods, "")).isSameAs(pods);
        for (String mode : List.of("uniform", "small", "quarters")) {
            List<Demand> out = OpenbReplay.reshapeShares(pods, mode);
            assertThat(out).hasSameSizeAs(pods);
            assertThat(OpenbReplay.reshapeShares(pods, mode)).as("the same draw every time").isEqualTo(out);
            java.util.Set<Integer> sizes = new java.util.TreeSet<>();
            for (int i = 0; i < pods.size(); i++) {
                Demand before = pods.get(i);
                Demand after = out.get(i);
                if (before.gpuCount() == 1 && before.gpuMilli() < Demand.WHOLE_GPU) {
                    sizes.add(after.gpuMilli());
                    assertThat(after.cpuMilli()).isEqualTo(before.cpuMilli());
                    assertThat(after.memoryMiB()).isEqualTo(before.memoryMiB());
                    assertThat(after.models()).isEqualTo(before.models());
                    assertThat(after.gpuCount()).isEqualTo(1);
                } else {
                    assertThat(after).as("pod %d", i).isEqualTo(before);
                }
            }
            switch (mode) {
                case "uniform" -> assertThat(sizes).allMatch(s -> s >= 50 && s <= 950 && s % 10 == 0).hasSizeGreaterThan(40);
                case "small" -> assertThat(sizes).allMatch(s -> s >= 10 && s <= 300 && s % 10 == 0).hasSizeGreaterThan(20);
                default -> assertThat(sizes).containsExactly(250, 500, 750);
            }
        }
        assertThatThrownBy(() -> OpenbReplay.reshapeShares(pods, "huge")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected uniform, small or quarters");
    }
}
