package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Empty tables say what is empty; provider warnings and unattached GPUs are shown. */
class EmptyTablesAndWarningsTest {

    @Test
    void emptyTablesSayWhatIsEmpty() throws Exception {
        ProvidersCommand providers = new ProvidersCommand();
        providers.registry = Fixtures.registry();
        assertThat(CommandOutput.of(providers::execute))
                .contains("No providers registered: install a provider's feature (feature:list | grep strata-provider).");

        NodesCommand nodes = new NodesCommand();
        nodes.inventory = Fixtures.inventory();
        assertThat(CommandOutput.of(nodes::execute)).contains("No nodes in the inventory (strata:providers shows what each provider found).");

        AllocationsCommand allocations = new AllocationsCommand();
        allocations.placement = new Placement() {
            @Override
            public PlacementDecision place(dev.strata.platform.api.contract.Contract contract, boolean dryRun) {
                throw new UnsupportedOperationException("not called by strata:allocations");
            }

            @Override
            public List<Allocation> allocations() {
                return List.of();
            }

            @Override
            public Optional<Allocation> allocation(String id) {
                return Optional.empty();
            }

            @Override
            public Allocation release(String id) {
                throw new UnsupportedOperationException("not called by strata:allocations");
            }
        };
        assertThat(CommandOutput.of(allocations::execute)).contains("No allocations in the ledger (strata:place reserves one).");

        // scripts get nothing at all for an empty table
        nodes.noFormat = true;
        assertThat(CommandOutput.of(nodes::execute)).isEmpty();
    }

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
        assertThat(rows.get(0).split("\t")[10].strip()).isEqualTo(conflict);
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
