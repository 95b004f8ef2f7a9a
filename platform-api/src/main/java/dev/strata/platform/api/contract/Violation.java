package dev.strata.platform.api.contract;

/**
 * One thing wrong with a contract document.
 *
 * @param path where, e.g. {@code members[1].gpus.memory}, or {@code (file)} and {@code (document) line 3, column 9}
 *     for problems with the file or the document as a whole
 * @param value the offending value as written, or null when something is missing
 * @param problem what is wrong with the value, e.g. {@code is a directory}; null for a plain "not what was expected"
 * @param expected what would have been accepted
 */
public record Violation(String path, String value, String problem, String expected) {

    /** A value that is not what was expected (or missing, when {@code value} is null). */
    public Violation(String path, String value, String expected) {
        this(path, value, null, expected);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(path).append(": ");
        if (value == null && problem == null) {
            s.append("missing");
        } else {
            if (value != null) {
                s.append('\'').append(value).append('\'');
            }
            if (problem != null) {
                s.append(value != null ? " " : "").append(problem);
            }
        }
        return s.append("; expected ").append(expected).toString();
    }
}
