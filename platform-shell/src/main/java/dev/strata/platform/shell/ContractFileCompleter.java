package dev.strata.platform.shell;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.FileCompleter;

/**
 * Completes the contract file of {@code -f}: file names on the Strata server, as Karaf's file
 * completer does, except for a tenant's user, who is offered only {@code -} (standard input). The
 * server's files are not a tenant's to read, and Strata refuses to read one for it without saying
 * whether it exists; completing its name would list the server's folders (etc/, where the logins'
 * keys and passwords are) to that login. A service, as the id completers are: the shell finds the
 * completer a {@code @Completion} names among the bundle's services.
 */
@Service
public class ContractFileCompleter extends FileCompleter {

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        if (Logins.isTenantsUser()) {
            return Completions.complete(java.util.stream.Stream.of("-"), session, commandLine, candidates);
        }
        return super.complete(session, commandLine, candidates);
    }

    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        if (Logins.isTenantsUser()) {
            candidates.add(new Candidate("-", "-", null, "the contract on standard input", null, null, true));
            return;
        }
        super.completeCandidates(session, commandLine, candidates);
    }
}
