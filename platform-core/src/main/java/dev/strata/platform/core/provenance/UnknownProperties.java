package dev.strata.platform.core.provenance;

import java.util.ArrayList;
import java.util.Collection;
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

    /** The edit distance (insertions, deletions, substitutions, and swaps of two neighbours). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
