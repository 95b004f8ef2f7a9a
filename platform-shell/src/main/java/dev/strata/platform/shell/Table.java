package dev.strata.platform.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * A table the commands print: bordered with a header for people, or with {@code --no-format}
 * one record per line, fields separated by one tab and nothing else (no header, no padding), for
 * {@code cut}, {@code awk} and spreadsheets. A field's own tab, line break and backslash are
 * written as {@code \t}, {@code \n} and {@code \\}, so a record never spans two lines, and any other
 * control character as {@code \xHH}, so that none reaches the terminal; the bordered form shows
 * a line break or tab as a space and the other control characters as {@code \xHH} too.
 */
final class Table {

    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private String emptyText;

    Table(String... columns) {
        this.columns = List.of(columns);
    }

    /** What the bordered form prints when there is no row ({@code No nodes in the inventory}). */
    Table emptyText(String text) {
        this.emptyText = text;
        return this;
    }

    Table row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row of " + cells.length + " cells for " + columns.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toList());
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintStream out, boolean noFormat) {
        if (noFormat) {
            for (List<String> row : rows) {
                out.println(String.join("\t", row.stream().map(Table::escape).toList()));
            }
            return;
        }
        if (rows.isEmpty() && emptyText != null) {
            // some name what is empty by an id from a provider (strata:gpus -n: "No GPUs on node ...")
            out.println(Format.visible(emptyText));
            return;
        }
        ShellTable table = new ShellTable();
        columns.forEach(table::column);
        for (List<String> row : rows) {
            table.addRow().addContent(row.stream().map(Format::visible).toArray());
        }
        table.print(out, true);
    }

    static String escape(String field) {
        StringBuilder b = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); ) {
            int c = field.codePointAt(i);
            int next = i + Character.charCount(c);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(Format.isControl(c) ? Format.hex(c) : field.substring(i, next));
            }
            i = next;
        }
        return b.toString();
    }
}
