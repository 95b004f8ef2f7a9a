package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import dev.strata.platform.core.placement.packing.StrataPackingPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement's {@code policy} setting: the names, Strata with other weights, and what a wrong one says. */
class PackingPoliciesTest {

    private static final List<NodeCapacity> NODES = List.of(new NodeCapacity("n1", "H100", 64_000, 512 * 1024, 8));
    private static final Map<Demand, Integer> TYPICAL = Map.of(Demand.sharedGpu(4_000, 16 * 1024, 250), 1, Demand.wholeGpus(8_000, 64 * 1024, 1), 1);

    private static PackingPolicy policy(String name) {
        return PackingPolicies.byName(name).apply(NODES, TYPICAL);
    }

    @Test
    void strataWithOtherWeightsIsStrataWithThoseWeights() {
        assertThat(policy("strata")).isInstanceOf(StrataPackingPolicy.class);
        assertThat(policy("strata").weighsGaps()).as("the Sum-of-Squares term is off by default").isFalse();
        assertThat(policy("strata:ss=1000").weighsGaps()).isTrue();
        assertThat(policy(" strata:ss=1000;ssmin=120 ").weighsGaps()).as("';' separates too, blanks around are ignored").isTrue();
        assertThat(policy("strata:ss=0,stranded=2").weighsGaps()).isFalse();
        assertThat(policy("fgd")).isInstanceOf(dev.strata.platform.core.placement.packing.FragmentationGradientPolicy.class);
    }

    @Test
    void aPolicyThatCannotBeReadNamesTheSettingAndWhatIsExpected() {
        assertThatThrownBy(() -> PackingPolicies.byName("strata:gravity=1")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("policy = 'strata:gravity=1'").hasMessageContaining("unknown Strata weight gravity");
        assertThatThrownBy(() -> PackingPolicies.byName("strata:ss=-1")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("expected numbers >= 0");
        assertThatThrownBy(() -> PackingPolicies.byName("tetris")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("one of strata, fgd, bestfit, random, or strata:name=value");
    }
}
