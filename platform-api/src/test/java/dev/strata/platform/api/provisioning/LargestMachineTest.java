package dev.strata.platform.api.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node attributes that say how large a machine a provider makes on a node. */
class LargestMachineTest {

    private static Node node(Map<String, String> attributes) {
        return Node.builder().id("h1").providerId("os").siteId("s").hostname("h1").kind(NodeKind.BARE_METAL)
                .cpu(new CpuTopology(List.of(), CpuSet.EMPTY, CpuSet.EMPTY)).memoryBytes(0).attributes(attributes).build();
    }

    @Test
    void limitsRoundTripThroughTheNodesAttributesOneDimensionAtATime() {
        LargestMachine both = new LargestMachine(16_000, 32L << 30, 2);
        assertThat(both.attributes()).containsExactly(Map.entry(LargestMachine.CPU_MILLI, "16000"),
                Map.entry(LargestMachine.MEMORY_BYTES, Long.toString(32L << 30)), Map.entry(LargestMachine.GPUS, "2"));
        assertThat(LargestMachine.of(node(both.attributes()))).isEqualTo(both);
        LargestMachine cpuOnly = new LargestMachine(8_000, LargestMachine.NO_LIMIT, LargestMachine.NO_LIMIT);
        assertThat(cpuOnly.attributes()).containsOnlyKeys(LargestMachine.CPU_MILLI);
        assertThat(LargestMachine.of(node(cpuOnly.attributes()))).isEqualTo(cpuOnly);
        assertThat(LargestMachine.NONE.attributes()).isEmpty();
        assertThat(LargestMachine.of(node(Map.of("other", "1")))).isEqualTo(LargestMachine.NONE);
        assertThat(LargestMachine.of(node(Map.of(LargestMachine.MEMORY_BYTES, " 1024 ")))).isEqualTo(
                new LargestMachine(LargestMachine.NO_LIMIT, 1024, LargestMachine.NO_LIMIT));
    }

    @Test
    void aLimitThatIsNotAWholeNumberIsRefusedNamingTheNodeAndTheAttribute() {
        for (String bad : List.of("lots", "-1", "1.5", "", "16 CPUs")) {
            Node n = node(Map.of(LargestMachine.CPU_MILLI, bad, LargestMachine.MEMORY_BYTES, "1024"));
            assertThatThrownBy(() -> LargestMachine.of(n)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("node h1: attribute strata.largestMachine.cpuMilli = '" + bad + "'; expected a whole number 0 or more");
            assertThat(LargestMachine.limit(n, LargestMachine.MEMORY_BYTES)).as("the other limit still reads").isEqualTo(1024);
        }
        assertThatThrownBy(() -> new LargestMachine(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 0 or more of each");
    }
}
