package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** strata:status counts GPUs attached to no node apart, instead of leaving them out of its summary. */
    @Test
    void statusCountsAcceleratorsAttachedToNoNodeApart() throws Exception {
        StatusCommand command = new StatusCommand();
        Accelerator lonely = Accelerator.builder().id("GPU-lonely").model("NVIDIA H200").memoryBytes(141L << 30).build();
        command.inventory = Fixtures.inventory(List.of(Fixtures.node()), List.of(lonely));
        command.registry = Fixtures.registry(Fixtures.status("declared", ProviderState.ACTIVE, null));

        String out = CommandOutput.of(command::execute);
        assertThat(out.lines().findFirst().orElseThrow()).contains("and 1 GPU attached to no node");
        assertThat(out).contains("  and 1 GPU attached to no node (strata:gpus lists them");

        command.inventory = Fixtures.inventory(List.of(Fixtures.node()), List.of());
        assertThat(CommandOutput.of(command::execute)).doesNotContain("attached to no node");
    }

    /**
     * A GPU that strata:gpus lists under (no node) can be looked at with strata:gpu, and its id
     * completes: strata:gpu does not answer "no GPU" for an id the other command just listed.
     */
    @Test
    void anAcceleratorAttachedToNoNodeIsShownInDetailAndCompletes() throws Exception {
        Accelerator lonely = Accelerator.builder().id("GPU-lonely").model("NVIDIA H200").memoryBytes(141L << 30).build();
        GpuCommand command = new GpuCommand();
        command.inventory = Fixtures.inventory(List.of(Fixtures.node()), List.of(lonely));
        command.id = "GPU-lonely";

        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        assertThat(lines).contains("GPU           GPU-lonely").contains("Memory        141.0 GiB")
                .anySatisfy(l -> assertThat(l).startsWith("Node          (no node)"));

        command.id = "GPU-nope";
        assertThatThrownBy(command::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no GPU 'GPU-nope'; known GPUs: GPU-lonely");

        GpuIdCompleter completer = new GpuIdCompleter();
        completer.inventory = command.inventory;
        List<String> candidates = new java.util.ArrayList<>();
        completer.complete(null, CommandsTest.line("GPU-"), candidates);
        assertThat(candidates).map(String::strip).containsExactly("GPU-lonely");
    }
}
