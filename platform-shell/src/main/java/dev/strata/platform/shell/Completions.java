package dev.strata.platform.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the word under the cursor from a set of ids; the id completers differ only in where the ids come from. */
final class Completions {

    private Completions() {
    }

    /**
     * The characters that Karaf's shell language (Felix Gogo) reads as its own in a word: a
     * statement separator, a pipe, a redirection, a variable, a glob, a quote, a closure, a comment.
     * The console inserts a completed id as it is, escaping only blanks, so an id holding one of
     * these ({@code n1;x}) became two commands, or a glob that matches no file.
     */
    private static final String GOGO_SPECIAL = "\"#$%&'()*;<=>?[\\]{|}";

    static int complete(Stream<String> ids, Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter strings = new StringsCompleter();
        ids.map(Completions::escaped).forEach(strings.getStrings()::add);
        return strings.complete(session, commandLine, candidates);
    }

    /**
     * The candidates the console lists for {@code completer}'s ids: those Karaf makes of its {@code complete} (the
     * value inserted, an id's own characters kept), each shown as it is listed made {@link Format#visible}. Karaf lists
     * a candidate's text as it is, so an id from a provider or a contract holding an escape sequence or a line break
     * was sent to the operator's terminal while completing, as a contract file's name was ({@link ContractFileCompleter}).
     */
    static void listed(Completer completer, Session session, CommandLine commandLine, List<Candidate> candidates) {
        List<Candidate> found = new ArrayList<>();
        // Karaf's own conversion (the interface's), called on a completer that has no other: the values stay as it makes them
        Completer plain = completer::complete;
        plain.completeCandidates(session, commandLine, found);
        for (Candidate c : found) {
            candidates.add(new Candidate(c.value(), c.displ() == null ? null : Format.visible(c.displ()), c.group(),
                    c.descr() == null ? null : Format.visible(c.descr()), c.suffix(), c.key(), c.complete()));
        }
    }

    /** The id as it is to be typed: each of {@link #GOGO_SPECIAL} behind a backslash, which Gogo takes away again. */
    static String escaped(String id) {
        StringBuilder b = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (GOGO_SPECIAL.indexOf(c) >= 0 && b == null) {
                b = new StringBuilder(id.length() + 8).append(id, 0, i);
            }
            if (b != null) {
                if (GOGO_SPECIAL.indexOf(c) >= 0) {
                    b.append('\\');
                }
                b.append(c);
            }
        }
        return b == null ? id : b.toString();
    }
}
