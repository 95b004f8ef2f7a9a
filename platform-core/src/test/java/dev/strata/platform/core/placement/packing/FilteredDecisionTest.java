package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilteredDecisionTest {

    @Test
    void onlyEligibleNodesAreChosenAndNothingIsCommitted() {
        List<NodeCapacity> nodes = List.of(new NodeCapacity("a", "H100", 64_000, 512_000, 8), new NodeCapacity("b", "H100", 64_000, 512_000, 8),
                new NodeCapacity("c", "H100", 64_000, 512_000, 8), new NodeCapacity("d", "H100", 64_000, 512_000, 2));
        Packer packer = new Packer(nodes, new BestFitPolicy(64_000, 8_000));
        Demand four = Demand.wholeGpus(8_000, 64_000, 4);

        assertThat(packer.dryRun(four, node -> node == 2)).hasValueSatisfying(f -> assertThat(f.nodeId()).isEqualTo("c"));
        assertThat(packer.dryRun(four, node -> node == 3)).as("d has too few GPUs").isEmpty();
        assertThat(packer.dryRun(four, node -> false)).isEmpty();
        assertThat(packer.gpuMilliFree()).as("dry runs commit nothing").isEqualTo(26_000);

        Demand two = Demand.wholeGpus(1_000, 1_000, 2);
        assertThat(packer.dryRun(two, node -> true)).as("best fit prefers the small node")
                .hasValueSatisfying(f -> assertThat(f.nodeId()).isEqualTo("d"));
        assertThat(packer.dryRun(two, node -> node != 3)).hasValueSatisfying(f -> assertThat(f.nodeId()).isIn("a", "b", "c"));
    }
}
