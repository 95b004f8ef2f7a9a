package dev.strata.platform.shell;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/** Completes allocation ids. */
@Service
public class AllocationIdCompleter implements Completer {

    @Reference(optional = true)
    Placement placement;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Stream<String> ids = placement == null ? Stream.empty()
                : placement.allocations().stream().map(Allocation::id);
        return Completions.complete(ids, session, commandLine, candidates);
    }

    /** The ids as the console lists them: each shown escaped ({@link Completions#listed}). */
    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        Completions.listed(this, session, commandLine, candidates);
    }
}
