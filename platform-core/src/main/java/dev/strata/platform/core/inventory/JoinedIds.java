package dev.strata.platform.core.inventory;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of the node attributes that list joined nodes ({@code strata.joined},
 * {@code strata.joined.providers}): the items separated by {@code ,}, each with its own {@code \}
 * and {@code ,} written {@code \\} and {@code \,}. A node id is any text a provider chooses (a
 * configured in-band node id, a provider's own host or system name), so a comma in one must not
 * read as two ids. Stateless.
 */
public final class JoinedIds {

    private JoinedIds() {
    }

    /** The items, each escaped, separated by {@code ,}; empty for none. */
    public static String join(List<String> items) {
        StringBuilder sb = new StringBuilder();
        for (String item : items) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            for (int i = 0; i < item.length(); i++) {
                char c = item.charAt(i);
                if (c == '\\' || c == ',') {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The items of a value {@link #join} wrote; none for null or empty text. A {@code \} before
     * anything but {@code \} or {@code ,} (or at the end) is itself, so that a value written before
     * ids were escaped, whose ids held neither comma nor escaped backslash, reads as it was written.
     */
    public static List<String> split(String value) {
        List<String> items = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return items;
        }
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() && (value.charAt(i + 1) == '\\' || value.charAt(i + 1) == ',')) {
                item.append(value.charAt(++i));
            } else if (c == ',') {
                items.add(item.toString());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        items.add(item.toString());
        return items;
    }
}
