package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/** Completes GPU ids from the inventory. */
@Service
public class GpuIdCompleter implements Completer {

    @Reference(optional = true)
    Inventory inventory;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Stream<String> ids = inventory == null ? Stream.empty() : inventoryIds();
        return Completions.complete(ids, session, commandLine, candidates);
    }

    /** The GPUs on nodes and those the inventory attached to no node (strata:gpus lists both). */
    private Stream<String> inventoryIds() {
        var snapshot = inventory.snapshot();
        return Stream.concat(snapshot.nodes().stream().flatMap(n -> n.accelerators().stream()), snapshot.unattached().stream())
                .map(Accelerator::id);
    }

    /** The ids as the console lists them: each shown escaped ({@link Completions#listed}). */
    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        Completions.listed(this, session, commandLine, candidates);
    }
}
