package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.ProviderProperties;
import java.util.regex.Pattern;

/**
 * What a provider service's properties may hold before Strata shows them. A provider id is a key
 * of nodes, ledger entries, operations and provenance records and a column of the shell's
 * tab-separated output, so it is a plain word; the vendor, version and description a bundle
 * gives are text for people, shown with their control and format characters (a tab, a newline,
 * a direction override) written as escapes and cut to a bounded length.
 */
public final class ProviderIds {

    /** Letters, digits, '.', '_' or '-', 1 to 64, starting with a letter or digit. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final int MAX_LABEL = 64;
    private static final int MAX_DESCRIPTION = 200;

    private ProviderIds() {
    }

    /**
     * The provider id a service's {@link ProviderProperties#ID} property gives.
     *
     * @throws IllegalArgumentException saying what the property holds (shown printable) and what is expected
     */
    public static String id(Object property) {
        if (property instanceof String id && ID.matcher(id).matches()) {
            return id;
        }
        String shown = property == null ? "missing"
                : property instanceof String s ? "'" + printable(s, MAX_LABEL) + "'"
                        : "a " + property.getClass().getSimpleName() + " (" + printable(String.valueOf(property), MAX_LABEL) + ")";
        throw new IllegalArgumentException("its " + ProviderProperties.ID + " property is " + shown
                + "; expected a provider id of letters, digits, '.', '_' or '-' (1 to 64, starting with a letter or digit)");
    }

    /** A vendor's or a version's text as shown: printable, at most 64 characters; {@code otherwise} when absent or blank. */
    public static String label(Object property, String otherwise) {
        String text = property == null ? "" : printable(String.valueOf(property), MAX_LABEL).strip();
        return text.isEmpty() ? otherwise : text;
    }

    /** A provider's description of itself as shown: printable, at most 200 characters; null when absent or blank. */
    public static String description(String text) {
        String shown = text == null ? "" : printable(text, MAX_DESCRIPTION).strip();
        return shown.isEmpty() ? null : shown;
    }

    /**
     * The text cut to {@code max} code points (ending in "..."), shown as the API shows a value
     * ({@link InvalidConfigurationException#printable}): every control or format character, line or
     * paragraph separator and lone surrogate as a backslash, {@code u} and four hex digits, and so an
     * unassigned code point too, which no terminal shows as anything. Before, each was {@code ?}, which
     * lost what the text held; the cut counts the text's own code points, not the escapes.
     */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        int count = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (count == max) {
                out.append("...");
                break;
            }
            if (Character.getType(c) == Character.UNASSIGNED) {
                for (char unit : Character.toChars(c)) {
                    out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) unit));
                }
            } else {
                out.appendCodePoint(c);
            }
            count++;
        }
        return InvalidConfigurationException.printable(out.toString());
    }
}
