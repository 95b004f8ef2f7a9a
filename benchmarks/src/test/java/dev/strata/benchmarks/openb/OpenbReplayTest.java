package dev.strata.benchmarks.openb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One seed (42) of the openb replay per trace: Strata against the published FGD means and against
 * our FGD and BestFit on the same workload. Reads the real trace in place from
 * {@code ${strata.fixtures}/openb}; skipped when that folder is missing.
 */
class OpenbReplayTest {

    private static final long SEED = 42;
    private static List<NodeCapacity> nodes;

    @BeforeEach
    void cluster() throws IOException {
        Path dir = OpenbReplay.fixtures();
        assumeTrue(Files.isDirectory(dir), "openb fixtures not found at " + dir.toAbsolutePath() + " (set -Dstrata.fixtures): replay test skipped");
        if (nodes == null) {
            nodes = OpenbReplay.readNodes(dir.resolve("openb_node_list_gpu_node.csv"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "cpu050", "gpushare40", "gpuspec10", "multigpu20"})
    void strataAllocatesMoreThanPublishedFgd(String trace) throws IOException {
        assertThat(nodes).hasSize(1213);
        long capacity = OpenbReplay.capacity(nodes);
        assertThat(capacity).isEqualTo(6_212_000L);
        List<Demand> pods = OpenbReplay.readPods(OpenbReplay.fixtures().resolve("openb_pod_list_" + trace + ".csv"));
        List<Demand> workload = OpenbReplay.inflate(pods, capacity, SEED);
        long requested = workload.stream().mapToLong(Demand::gpuMilliTotal).sum();
        // the simulator stops on the request of one GPU but adds the whole pod: an 8-GPU pod may overshoot by 7 GPUs
        assertThat(requested).isLessThanOrEqualTo((long) (1.3 * capacity) + 7_000).isGreaterThan((long) (1.29 * capacity));

        OpenbReplay.Result strata = OpenbReplay.replay(nodes, workload, OpenbReplay.policy("strata", nodes, pods, SEED), SEED);
        OpenbReplay.Result fgd = OpenbReplay.replay(nodes, workload, OpenbReplay.policy("fgd", nodes, pods, SEED), SEED);
        OpenbReplay.Result bestFit = OpenbReplay.replay(nodes, workload, OpenbReplay.policy("bestfit", nodes, pods, SEED), SEED);
        double[] published = OpenbReplay.PUBLISHED.get(trace);

        // our FGD reproduces the paper: one seed within 0.5 point (the published std is 0.06..0.20; the 10-seed
        // means are within 0.08, docs/benchmarks.md); BestFit, the baseline, within a point
        assertThat(fgd.allocationPercent()[0]).as("FGD at 100%%").isCloseTo(published[2], within(0.5));
        assertThat(fgd.allocationPercent()[3]).as("FGD at 130%%").isCloseTo(published[5], within(0.5));
        assertThat(bestFit.allocationPercent()[0]).as("BestFit at 100%%").isCloseTo(published[1], within(1.0));
        assertThat(bestFit.allocationPercent()[3]).as("BestFit at 130%%").isCloseTo(published[4], within(1.0));

        // Strata: above the published FGD mean (its 10-seed margin is 0.39..1.19 points) and above our FGD
        assertThat(strata.allocationPercent()[0]).as("Strata at 100%%").isGreaterThanOrEqualTo(published[2] + 0.2)
                .isGreaterThan(fgd.allocationPercent()[0]);
        assertThat(strata.allocationPercent()[3]).as("Strata at 130%%").isGreaterThanOrEqualTo(published[5] + 0.2)
                .isGreaterThan(fgd.allocationPercent()[3]);
        // a floor far below the measured ~10^5 decisions/s, only to catch a lost bound on the work per decision
        assertThat(strata.decisionsPerSecond()).as("Strata decisions/s").isGreaterThan(2_000);
    }
}
