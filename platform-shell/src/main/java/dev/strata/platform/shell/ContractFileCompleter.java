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
 * completer a {@code @Completion} names among the bundle's services. A file's name is offered with a
 * backslash before each character Karaf's shell language reads as its own ({@link Completions#escaped}),
 * so that the console inserts it as one word of that name; the name the console lists is shown escaped
 * ({@link Format#visible}), so that a file name holding an escape sequence does not reach the terminal.
 */
@Service
public class ContractFileCompleter extends FileCompleter {

    /**
     * The same names as {@link #completeCandidates}, in the older form of Karaf's {@code Completer}: each candidate's value,
     * followed by a blank where it is complete (a file, not a folder), all of them replacing the argument under the
     * cursor, whose start in the buffer is returned. Karaf's own file completer throws
     * {@link UnsupportedOperationException} here (4.4), which reached whoever completed through this method.
     */
    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        if (Logins.isTenantsUser()) {
            return Completions.complete(java.util.stream.Stream.of("-"), session, commandLine, candidates);
        }
        if (candidates == null) {
            return -1;
        }
        List<Candidate> found = new java.util.ArrayList<>();
        completeCandidates(session, commandLine, found);
        for (Candidate c : found) {
            candidates.add(c.complete() ? c.value() + " " : c.value());
        }
        return commandLine.getBufferPosition() - commandLine.getArgumentPosition();
    }

    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        if (Logins.isTenantsUser()) {
            candidates.add(new Candidate("-", "-", null, "the contract on standard input", null, null, true));
            return;
        }
        if (candidates == null) {
            return;
        }
        List<Candidate> files = new java.util.ArrayList<>();
        super.completeCandidates(session, commandLine, files);
        // Karaf's file completer offers the folder as typed and a file's name as it is, which the console inserts escaping
        // only blanks: a name holding a character Gogo reads as its own (a;b.yaml, c(1).yaml) became two commands or a
        // closure. The name is offered as the id completers offer an id, the folder typed before it left as it was typed.
        String typed = commandLine.getCursorArgument().substring(0, commandLine.getArgumentPosition());
        String folder = typed.substring(0, typed.lastIndexOf(separator()) + 1);
        for (Candidate c : files) {
            String name = c.value().startsWith(folder) ? c.value().substring(folder.length()) : c.value();
            String suffix = !c.complete() && name.endsWith(separator()) ? separator() : "";
            String escaped = Completions.escaped(name.substring(0, name.length() - suffix.length())) + suffix;
            // the list the console shows while completing: a name holding an escape sequence or a line break is shown escaped,
            // as every name the shell writes is, not sent to the terminal as it is
            candidates.add(new Candidate(folder + escaped, c.displ() == null ? null : Format.visible(c.displ()), c.group(),
                    c.descr() == null ? null : Format.visible(c.descr()), c.suffix(), c.key(), c.complete()));
        }
    }
}
