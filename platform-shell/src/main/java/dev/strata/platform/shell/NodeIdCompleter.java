package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Node;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/** Completes node ids from the current inventory. */
@Service
public class NodeIdCompleter implements Completer {

    @Reference(optional = true)
    Inventory inventory;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Stream<String> ids = inventory == null ? Stream.empty()
                : inventory.snapshot().nodes().stream().map(Node::id);
        return Completions.complete(ids, session, commandLine, candidates);
    }

    /** The ids as the console lists them: each shown escaped ({@link Completions#listed}). */
    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        Completions.listed(this, session, commandLine, candidates);
    }
}
