package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.Accelerator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Provider warnings (conflicts and what providers reported) and GPUs attached to no node are shown. */
class WarningsAndUnattachedGpusTest {

    @Test
    void providerWarningsAreCountedInTheTableAndListedBelowIt() throws Exception {
        ProvidersCommand command = new ProvidersCommand();
        String conflict = "conflict: site fra-1 country is DE for declared but FR for other; keeping declared's";
        command.registry = Fixtures.registry(Fixtures.status("declared", ProviderState.ACTIVE, null, conflict),
                Fixtures.status("other", ProviderState.ACTIVE, null, conflict));

        String out = CommandOutput.of(command::execute);
        assertThat(out).contains("WARNINGS").contains("Warnings\n  declared: " + conflict + "\n  other: " + conflict);

        command.noFormat = true;
        List<String> rows = CommandOutput.of(command::execute).lines().toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).split("\t")[11]).isEqualTo(conflict);
    }

    @Test
    void acceleratorsAttachedToNoNodeAreListedNotDropped() throws Exception {
        GpusCommand command = new GpusCommand();
        Accelerator lonely = Accelerator.builder().id("GPU-lonely").model("NVIDIA H200").memoryBytes(141L << 30).build();
        command.inventory = Fixtures.inventory(List.of(Fixtures.node()), List.of(lonely));
        command.noFormat = true;

        List<String> rows = CommandOutput.of(command::execute).lines().toList();
        assertThat(rows).anySatisfy(r -> assertThat(r.split("\t")).extracting(String::strip).startsWith("(no node)", "GPU-lonely", "NVIDIA H200"));
    }
}
