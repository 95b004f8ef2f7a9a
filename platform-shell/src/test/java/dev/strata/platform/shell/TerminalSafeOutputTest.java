package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Ids, names and messages come from providers and contracts; a control character among them (an
 * escape sequence that clears the screen or retitles the window, a carriage return that overwrites
 * the line) must be shown, not sent to the operator's terminal, in every form of the output.
 */
class TerminalSafeOutputTest {

    static final String ESC_ID = "bm:\u001b[2J\u001b]0;owned\u0007node\r";
    static final String SHOWN = "bm:\\x1b[2J\\x1b]0;owned\\x07node\\x0d";

    static Node evilNode() {
        return Fixtures.node().toBuilder().id(ESC_ID).attributes(Map.of("kernel", "6.1\u001b[31m")).build();
    }

    @Test
    void nodesTableShowsControlCharactersInsteadOfSendingThem() throws Exception {
        NodesCommand command = new NodesCommand();
        command.inventory = Fixtures.inventory(evilNode());
        String bordered = CommandOutput.of(command::execute);
        assertThat(bordered).doesNotContain("\u001b", "\u0007", "\r").contains(SHOWN);

        command.noFormat = true;
        String plain = CommandOutput.of(command::execute);
        assertThat(plain).doesNotContain("\u001b", "\u0007", "\r");
        assertThat(plain.lines().toList()).hasSize(1);
        assertThat(plain.split("\t")[0]).isEqualTo("bm:\\x1b[2J\\x1b]0;owned\\x07node\\r");
    }

    @Test
    void nodeDetailShowsControlCharacters() throws Exception {
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(evilNode());
        command.id = ESC_ID;
        String out = CommandOutput.of(command::execute);
        assertThat(out).doesNotContain("\u001b", "\u0007", "\r").contains("Node          " + SHOWN + " (AVAILABLE)",
                "kernel        6.1\\x1b[31m");
    }

    @Test
    void unknownNodeMessageShowsTheKnownIdsControlCharacters() {
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(evilNode());
        command.id = "nope\u001b[0m";
        assertThatThrownBy(command::execute).hasMessage("no node 'nope\\x1b[0m'; known nodes: " + SHOWN);
    }

    @Test
    void providerWarningsBelowTheTableShowControlCharacters() throws Exception {
        ProvidersCommand command = new ProvidersCommand();
        command.registry = Fixtures.registry(Fixtures.status("bmc", ProviderState.ACTIVE, "bad\u001b[5m", "sensor \u009b31m hot"));
        String out = CommandOutput.of(command::execute);
        assertThat(out).doesNotContain("\u001b", "\u009b").contains("bad\\x1b[5m", "  bmc: sensor \\x9b31m hot");
    }

    static Accelerator gpu(String id) {
        return new Accelerator(id, "NVIDIA", "NVIDIA H200", 143771L << 20, "9.0", "0000:00:06.0", null, 0, CpuSet.parseList("0-15"),
                new PciLink(32, 16, 32, 16), null, 0, List.of(), List.of(), false, new PowerLimits(700, 700, 200, 700), Health.OK, Map.of());
    }

    /** With exactly 10 GPUs the message listed them all and then "...", as if there were more; with more it did not say how many. */
    @Test
    void unknownGpuMessageSaysHowManyThereAreOnlyWhenItCutsTheList() {
        GpuCommand command = new GpuCommand();
        command.id = "GPU-nope";
        command.inventory = Fixtures.inventory(List.of(), IntStream.range(0, 10).mapToObj(i -> gpu("GPU-" + i)).toList());
        assertThatThrownBy(command::execute).hasMessage("no GPU 'GPU-nope'; known GPUs: GPU-0, GPU-1, GPU-2, GPU-3, GPU-4, GPU-5, GPU-6, "
                + "GPU-7, GPU-8, GPU-9");

        command.inventory = Fixtures.inventory(List.of(), IntStream.range(0, 10_000).mapToObj(i -> gpu("GPU-" + i)).toList());
        assertThatThrownBy(command::execute).hasMessage("no GPU 'GPU-nope'; known GPUs: GPU-0, GPU-1, GPU-2, GPU-3, GPU-4, GPU-5, GPU-6, "
                + "GPU-7, GPU-8, GPU-9, ... (10000 in all)");
    }
}
