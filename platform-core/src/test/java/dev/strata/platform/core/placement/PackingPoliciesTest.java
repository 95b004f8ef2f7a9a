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

    /**
     * A weight Java reads as infinite ({@code Infinity}, or {@code 1e400}, which overflows) was
     * taken, and every placement then failed with a NullPointerException (no node wins a score of
     * infinity times zero); a weight given twice was taken as the last one, unsaid.
     */
    @Test
    void aWeightThatIsNotAFiniteDecimalNumberOrIsGivenTwiceIsRefused() {
        for (String policy : List.of("strata:stranded=Infinity", "strata:pressure=1e400", "strata:bestfit=NaN", "strata:ss=1d")) {
            assertThatThrownBy(() -> PackingPolicies.byName(policy)).as(policy).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("policy = '" + policy + "'").hasMessageContaining("expected a finite decimal number >= 0");
        }
        assertThatThrownBy(() -> PackingPolicies.byName("strata:ss=1000,ss=10")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Strata weight ss is given twice; expected each name once");
        assertThat(policy("strata:stranded=2.5e0,ss=.5").weighsGaps()).as("plain decimal forms are read").isTrue();
    }

    /** The same where placement reads its configuration: the setting is refused there, not each placement after it. */
    @Test
    void placementWithAnInfiniteWeightIsRefusedAtConfigurationNotAtEveryPlacement() {
        Infra infra = new Infra().s1().h100("a", "s1", null).h100("b", "s1", null);
        assertThatThrownBy(() -> new PlacementService(infra.inventory(), new InMemoryLedger(), "strata:stranded=Infinity", java.time.Clock.systemUTC()))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("stranded is 'Infinity'");
    }
}
