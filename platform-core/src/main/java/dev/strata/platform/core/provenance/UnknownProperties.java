package dev.strata.platform.core.provenance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The properties of a configuration that no Strata component reads: a misspelt name
 * ({@code tokenFil = ...} for {@code tokenFile}) is otherwise ignored without a word, and the
 * setting the operator meant is not in force (an unprotected metrics endpoint, a provider on its
 * default region). What each component reads is what its metatype declares (the
 * {@code @ObjectClassDefinition} its bundle carries), found through the MetaType service.
 */
final class UnknownProperties {

    private UnknownProperties() {
    }

    /**
     * The properties a Strata component declares for a configuration: the factory's, for a factory
     * configuration (whether the metatype designates the factory PID as a factory's or a
     * singleton's: Declarative Services reads both kinds of configuration of a component); empty
     * when no started Strata bundle declares the PID (its bundle not started yet, or a component
     * that reads its configuration without a metatype), when nothing can be said.
     */
    static Optional<Set<String>> declared(MetaTypeService metaType, BundleContext context, String pid, String factoryPid) {
        if (metaType == null || context == null) {
            return Optional.empty();
        }
        Bundle[] bundles;
        try {
            bundles = context.getBundles();
        } catch (IllegalStateException stopping) {
            return Optional.empty();
        }
        for (Bundle b : bundles) {
            if (b.getSymbolicName() == null || !b.getSymbolicName().startsWith("dev.strata.") || b.getState() != Bundle.ACTIVE) {
                continue;
            }
            MetaTypeInformation info;
            try {
                info = metaType.getMetaTypeInformation(b);
            } catch (RuntimeException e) {
                continue;
            }
            if (info == null) {
                continue;
            }
            // Declarative Services configures a component from a singleton configuration with its PID and from every factory
            // configuration with its PID as factory PID, whichever of the two its metatype designates
            String id = factoryPid != null && (contains(info.getFactoryPids(), factoryPid) || contains(info.getPids(), factoryPid)) ? factoryPid
                    : contains(info.getPids(), pid) || contains(info.getFactoryPids(), pid) ? pid : null;
            if (id == null) {
                continue;
            }
            ObjectClassDefinition ocd = info.getObjectClassDefinition(id, null);
            AttributeDefinition[] attributes = ocd == null ? null : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
            Set<String> out = new TreeSet<>();
            for (AttributeDefinition a : attributes == null ? new AttributeDefinition[0] : attributes) {
                out.add(a.getID());
            }
            return Optional.of(out);
        }
        return Optional.empty();
    }

    private static boolean contains(String[] ids, String id) {
        if (ids == null) {
            return false;
        }
        for (String s : ids) {
            if (s.equals(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The properties among {@code keys} that are not {@code declared}, sorted; the bookkeeping of
     * Config Admin, File Install, Declarative Services and Karaf's features is never unknown, nor
     * is what Declarative Services reads for a component's references, which no metatype declares:
     * a reference's target filter ({@code <reference>.target}) and its minimum cardinality
     * ({@code <reference>.cardinality.minimum}).
     */
    static List<String> of(Collection<String> keys, Set<String> declared) {
        List<String> out = new ArrayList<>();
        for (String k : new TreeSet<>(keys)) {
            if (!declared.contains(k) && !bookkeeping(k)) {
                out.add(k);
            }
        }
        return out;
    }

    private static boolean bookkeeping(String key) {
        return key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.") || key.startsWith("org.apache.")
                || key.startsWith("osgi.") || key.contains(":") || reference(key, ".target") || reference(key, ".cardinality.minimum");
    }

    private static boolean reference(String key, String suffix) {
        return key.endsWith(suffix) && key.length() > suffix.length();
    }

    /**
     * The unknown properties as a log line or record says them, each with the declared property it
     * most likely misspells: {@code tokenFil (did you mean tokenFile?), colour}.
     */
    static String describe(List<String> unknown, Set<String> declared) {
        List<String> out = new ArrayList<>();
        for (String u : unknown) {
            // a name is what a file says: a control character in it (a line break) would forge a log line
            String shown = ProviderText.clean(u);
            out.add(suggestion(u, declared).map(s -> shown + " (did you mean " + s + "?)").orElse(shown));
        }
        return String.join(", ", out);
    }

    /**
     * The properties of a configuration whose names are withheld from the log and the provenance
     * log, because a name may be a secret: a {@code .cfg} file is read as Java properties, where a
     * line holds one property, so a secret written on the line after its key
     * ({@code secretAccessKey =}, the value below it) makes an empty secret and a second property
     * whose name is the secret, and a value wrapped onto the next line without a backslash makes a
     * property of its rest. Their values are not shown either (a line holding {@code =} or
     * {@code :} is read as a name and a value).
     *
     * <p>A property no component declares (any, when what it declares is not known) is withheld
     * <ul>
     * <li>when a property whose name says secret ({@link ConfigurationRecorder#secret}) has no
     * value: the secret's value may be on the line after it, and whatever line that is. Such a
     * property is itself withheld unless the component declares it (or it most likely misspells a
     * declared one), or, where what the component declares is not known, unless no other property's
     * name says secret: a secret with a word in it that says secret ({@code Winter-Password-2024}),
     * written on a line of its own, is one;</li>
     * <li>when it has no value itself and a property whose name says secret has one: it may be
     * the rest of that value, wrapped;</li>
     * <li>when its name looks like a credential: one that the rules of {@link ProviderText} mask
     * (a secret Strata learnt, a JSON web token, ...), or at least 20 characters of a token's
     * alphabet ({@code A-Z a-z 0-9 + / _ -}) and no dot, with a {@code /} or {@code +} or at
     * least three digits, as no property name is; a secret pasted under a key whose name does not
     * say secret has nothing else to tell it by.</li>
     * </ul>
     * The bookkeeping of the framework (see {@link #of}), the empty secrets themselves, and a name
     * that most likely misspells a declared property ({@link #suggestion}: no secret's value is
     * within two edits of a property's name) are named. A property without a value is
     * {@code null} or only white space, {@code =} and {@code :} (the padding of a base64 value,
     * read as the separator and a value).
     *
     * @param names the withheld properties, sorted: in memory only, never shown
     * @param emptySecrets the properties whose name says secret and that have no value, and that are named (see above), sorted
     * @param secrets the properties whose name says secret and that have a value, sorted
     * @param wrapped how many are withheld as the rest of a wrapped value
     * @param lookAlike how many are withheld as their name looks like a credential
     */
    record Withheld(List<String> names, List<String> emptySecrets, List<String> secrets, int wrapped, int lookAlike) {

        static final Withheld NONE = new Withheld(List.of(), List.of(), List.of(), 0, 0);

        boolean any() {
            return !names.isEmpty();
        }

        boolean contains(String name) {
            return Collections.binarySearch(names, name) >= 0;
        }

        /** What stands for a withheld property in the record: {@code (withheld 1)}, numbered in the order of the names. */
        String placeholder(String name) {
            int i = Collections.binarySearch(names, name);
            return i < 0 ? null : "(withheld " + (i + 1) + ")";
        }

        /** The placeholders of the withheld properties, in order. */
        List<String> placeholders() {
            return names.stream().map(this::placeholder).toList();
        }

        /** What the record's summary says of them. */
        String summary() {
            int n = names.size();
            return n + (n == 1 ? " property" : " properties") + " not named, as " + (n == 1 ? "its name" : "their names")
                    + " may be a secret written on a line of its own";
        }

        /**
         * What the log says of them, and what to do: the names of the secret properties only, none
         * of the withheld ones.
         */
        String warning() {
            StringBuilder out = new StringBuilder();
            if (!emptySecrets.isEmpty()) {
                String secret = shown(emptySecrets);
                String first = ProviderText.clean(emptySecrets.get(0));
                out.append(emptySecrets.size() == 1 ? "the secret property " + secret + " is empty, and "
                        : "the secret properties " + secret + " are empty, and ").append(count(names.size()))
                        .append(" that no component reads ").append(names.size() == 1 ? "is" : "are").append(" not named here, as ")
                        .append(names.size() == 1 ? "its name" : "their names")
                        .append(" may be the secret's value: a value written on the line after its key is read as the name of a property "
                                + "of its own. Write the value on the same line as its key (").append(first)
                        .append(" = ...), or end the key's line with a backslash (\\) to continue the value on the next line");
                return out.toString();
            }
            if (wrapped == 0 && lookAlike == 0) {
                // beside a property whose name says secret and that has no value, which may itself be one written so
                return out.append(count(names.size())).append(" that no component reads ").append(names.size() == 1 ? "is" : "are")
                        .append(" not named here, as ").append(names.size() == 1 ? "its name" : "their names")
                        .append(" may be a secret's value written on a line of its own: a value written on the line after its key, or the "
                                + "rest of one wrapped onto the next line, is read as the name of a property of its own. Write a value on the "
                                + "same line as its key (key = ...), or end each line of it but the last with a backslash (\\)").toString();
            }
            if (wrapped > 0) {
                out.append(count(wrapped)).append(" with no value that no component reads ").append(wrapped == 1 ? "is" : "are")
                        .append(" not named here: ").append(wrapped == 1 ? "it" : "they").append(" may be the rest of the value of the secret ")
                        .append(secrets.size() == 1 ? "property " : "properties ").append(shown(secrets))
                        .append(", wrapped onto the next line without a backslash, which is read as the name of a property of its own. "
                                + "Keep the value on one line, or end each line of it but the last with a backslash (\\)");
            }
            if (lookAlike > 0) {
                out.append(out.length() == 0 ? "" : "; ").append(count(lookAlike)).append(" that no component reads ")
                        .append(lookAlike == 1 ? "is" : "are").append(" not named here, as ")
                        .append(lookAlike == 1 ? "its name looks" : "their names look").append(" like a credential: a secret written on a line of its own is read as the name of a property. "
                                + "Write a value on the same line as its key (key = ...)");
            }
            return out.toString();
        }

        private static String count(int n) {
            return n + (n == 1 ? " property" : " properties");
        }

        private static String shown(List<String> names) {
            return String.join(", ", names.stream().map(ProviderText::clean).toList());
        }
    }

    /** The properties of {@code properties} whose names are withheld (see {@link Withheld}); {@code declared} null when it is not known. */
    static Withheld withheld(Dictionary<String, ?> properties, Set<String> declared) {
        Set<String> reads = declared == null ? Set.of() : declared;
        Set<String> keys = new TreeSet<>(Collections.list(properties.keys()));
        List<String> empty = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        for (String k : keys) {
            if (ConfigurationRecorder.secret(k) && !bookkeeping(k)) {
                (valueless(properties.get(k)) ? empty : secrets).add(k);
            }
        }
        // a secret with a word in it that says secret (Winter-Password-2024), written on the line after its key, is a property
        // whose name says secret with no value too: only one the component reads (or that most likely misspells one) is named
        // as an empty secret, or, where what it reads is not known, one with no other property beside it that says secret
        boolean alone = empty.size() + secrets.size() == 1;
        List<String> emptySecrets = empty.stream()
                .filter(k -> declared == null ? alone : reads.contains(k) || suggestion(k, reads).isPresent()).toList();
        List<String> names = new ArrayList<>();
        int wrapped = 0;
        int lookAlike = 0;
        for (String k : keys) {
            if (reads.contains(k) || bookkeeping(k) || emptySecrets.contains(k) || suggestion(k, reads).isPresent()) {
                continue;
            }
            if (!empty.isEmpty()) {
                names.add(k);
            } else if (!secrets.isEmpty() && valueless(properties.get(k))) {
                names.add(k);
                wrapped++;
            } else if (looksLikeCredential(k)) {
                names.add(k);
                lookAlike++;
            }
        }
        return names.isEmpty() ? Withheld.NONE
                : new Withheld(List.copyOf(names), List.copyOf(emptySecrets), List.copyOf(secrets), wrapped, lookAlike);
    }

    /** Whether a property has no value: none, or only white space, {@code =} and {@code :}. */
    static boolean valueless(Object value) {
        return value == null || value instanceof String s && s.chars().allMatch(c -> Character.isWhitespace(c) || c == '=' || c == ':');
    }

    /** Whether a property's name looks like a credential (see {@link Withheld}). */
    static boolean looksLikeCredential(String name) {
        if (!name.contains(ProviderText.MASK) && ProviderText.clean(name).contains(ProviderText.MASK)) {
            return true;
        }
        if (name.length() < 20 || name.indexOf('.') >= 0) {
            return false;
        }
        int digits = 0;
        boolean slashOrPlus = false;
        for (char c : name.toCharArray()) {
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '/' || c == '+') {
                slashOrPlus = true;
            } else if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-')) {
                return false;
            }
        }
        return slashOrPlus || digits >= 3;
    }

    /** The declared property {@code unknown} most likely misspells: the same but for case, or within two edits; empty when none is near. */
    static Optional<String> suggestion(String unknown, Set<String> declared) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String d : declared) {
            int distance = d.equalsIgnoreCase(unknown) ? 0 : distance(unknown.toLowerCase(Locale.ROOT), d.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = d;
                bestDistance = distance;
            }
        }
        int allowed = unknown.length() <= 4 ? 1 : 2;
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /**
     * The edit distance: the fewest insertions, deletions, substitutions and swaps of two neighbours
     * that turn one string into the other (Damerau-Levenshtein, by Lowrance and Wagner's method, so
     * that a swap and an edit between the swapped characters count as two, as they are: "ca" to
     * "abc" is 2; the restricted form that edits no character twice said 3).
     */
    static int distance(String a, String b) {
        int n = a.length();
        int m = b.length();
        int infinity = n + m;
        int[][] d = new int[n + 2][m + 2];
        d[0][0] = infinity;
        for (int i = 0; i <= n; i++) {
            d[i + 1][0] = infinity;
            d[i + 1][1] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j + 1] = infinity;
            d[1][j + 1] = j;
        }
        java.util.Map<Character, Integer> lastRow = new java.util.HashMap<>();
        for (int i = 1; i <= n; i++) {
            int lastMatch = 0;
            for (int j = 1; j <= m; j++) {
                int i1 = lastRow.getOrDefault(b.charAt(j - 1), 0);
                int j1 = lastMatch;
                int cost = 1;
                if (a.charAt(i - 1) == b.charAt(j - 1)) {
                    cost = 0;
                    lastMatch = j;
                }
                d[i + 1][j + 1] = Math.min(Math.min(d[i][j] + cost, d[i + 1][j] + 1),
                        Math.min(d[i][j + 1] + 1, d[i1][j1] + (i - i1 - 1) + 1 + (j - j1 - 1)));
            }
            lastRow.put(a.charAt(i - 1), i);
        }
        return d[n + 1][m + 1];
    }
}
