package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelMatchTest {

    @Test
    void allowedModelsMatchWholeWordsOnly() {
        assertThat(NodeFacts.namesModel("nvidia h100 80gb hbm3", "h100")).isTrue();
        assertThat(NodeFacts.namesModel("nvidia a100-sxm4-80gb", "a100")).isTrue();
        assertThat(NodeFacts.namesModel("nvidia a100-sxm4-80gb", "a100-sxm4")).isTrue();
        assertThat(NodeFacts.namesModel("nvidia a100-sxm4-80gb", "a10")).isFalse();
        assertThat(NodeFacts.namesModel("a10", "a10")).isTrue();
        assertThat(NodeFacts.namesModel("nvidia h200", "h20")).isFalse();
        assertThat(NodeFacts.namesModel("v100m16", "v100m16")).isTrue();
    }
}
