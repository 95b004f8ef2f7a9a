package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemandTest {

    @Test
    void validDemandsAndDerivedValues() {
        Demand shared = Demand.sharedGpu(4000, 8192, 250);
        assertThat(shared.fractional()).isTrue();
        assertThat(shared.gpuMilliTotal()).isEqualTo(250);
        Demand whole = Demand.wholeGpus(32000, 65536, 4).inOneDomain().withModels(Set.of("A100"));
        assertThat(whole.fractional()).isFalse();
        assertThat(whole.gpuMilliTotal()).isEqualTo(4000);
        assertThat(whole.oneDomain()).isTrue();
        assertThat(whole.allows("A100")).isTrue();
        assertThat(whole.allows("T4")).isFalse();
        assertThat(Demand.cpuOnly(1000, 1).allows(null)).isTrue();
        assertThat(Demand.sharedGpu(0, 0, 1000).allows("anything")).isTrue();
    }

    @Test
    void modelsAreCopied() {
        Set<String> models = new HashSet<>(Set.of("T4"));
        Demand d = Demand.sharedGpu(1, 1, 500).withModels(models);
        models.add("V100");
        assertThat(d.models()).containsExactly("T4");
        assertThatThrownBy(() -> d.models().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void negativeCpuAndMemoryAreRejectedByName() {
        assertThatThrownBy(() -> Demand.cpuOnly(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Demand.cpuMilli is -1; expected milli-CPU >= 0");
        assertThatThrownBy(() -> Demand.cpuOnly(0, -5)).hasMessage("Demand.memoryMiB is -5; expected MiB >= 0");
        assertThatThrownBy(() -> new Demand(0, 0, -1, 0, Set.of(), false)).hasMessageStartingWith("Demand.gpuCount is -1");
    }

    @Test
    void gpuMilliMustMatchTheCount() {
        assertThatThrownBy(() -> new Demand(0, 0, 0, 500, Set.of(), false))
                .hasMessage("Demand.gpuMilli is 500; expected 0 for a CPU-only demand (gpuCount 0)");
        assertThatThrownBy(() -> Demand.sharedGpu(0, 0, 0)).hasMessageStartingWith("Demand.gpuMilli is 0; expected milli-GPU per GPU in 1..1000");
        assertThatThrownBy(() -> Demand.sharedGpu(0, 0, 1001)).hasMessageStartingWith("Demand.gpuMilli is 1001");
        assertThatThrownBy(() -> new Demand(0, 0, 2, 500, Set.of(), false))
                .hasMessage("Demand.gpuMilli is 500; expected 1000 when gpuCount is 2 (a fraction is only for one GPU)");
    }

    @Test
    void modelsAreChecked() {
        assertThatThrownBy(() -> new Demand(0, 0, 1, 1000, null, false)).hasMessageStartingWith("Demand.models is null");
        assertThatThrownBy(() -> Demand.wholeGpus(0, 0, 1).withModels(Set.of(" "))).hasMessageStartingWith("Demand.models is [ ]");
        assertThatThrownBy(() -> new Demand(0, 0, 0, 0, Set.of("T4"), false))
                .hasMessage("Demand.models is [T4]; expected empty for a CPU-only demand (gpuCount 0)");
    }
}
