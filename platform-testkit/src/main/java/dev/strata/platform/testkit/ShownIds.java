package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.exception.InvalidConfigurationException;

/**
 * The ids the core's inventory takes: those that show as themselves. The inventory takes no id
 * that holds a control or format character, a line or paragraph separator or half of a surrogate
 * pair (it would forge a line of the log or act on a terminal): it leaves the resource out, or
 * drops the reference, with a warning to the provider, so a provider reporting one would pass a
 * contract that did not check it and lose the resource at runtime.
 */
final class ShownIds {

    private ShownIds() {
    }

    /**
     * Fails unless an id (or one a resource names) shows as itself, or is absent, saying what the
     * inventory does with it ({@code outcome}); shown here as the inventory shows it, as a
     * backslash, u and four hex digits.
     *
     * @param resource the resource, as the message names it ({@code node n1}, {@code a site})
     * @param what the id, as the message names it ({@code id}, {@code site id})
     * @param value the id, or null
     * @param outcome what the inventory does with such an id
     */
    static void assertShown(String resource, String what, String value, String outcome) {
        if (value != null && !shown(value).equals(value)) {
            fail(resource + " has " + what + " " + shown(value) + ", which holds a control or format character, a line or paragraph "
                    + "separator or half of a surrogate pair (shown here as a backslash, u and four hex digits): " + outcome
                    + "; expected " + ("aeiou".indexOf(what.charAt(0)) >= 0 ? "an " : "a ") + what + " of characters that show as "
                    + "themselves");
        }
    }

    /** The id as the inventory shows it ({@link InvalidConfigurationException#printable}). */
    static String shown(String id) {
        return InvalidConfigurationException.printable(id);
    }
}
