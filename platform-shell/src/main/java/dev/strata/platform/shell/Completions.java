package dev.strata.platform.shell;

import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the word under the cursor from a set of ids; the id completers differ only in where the ids come from. */
final class Completions {

    private Completions() {
    }

    static int complete(Stream<String> ids, Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter strings = new StringsCompleter();
        ids.forEach(strings.getStrings()::add);
        return strings.complete(session, commandLine, candidates);
    }
}
