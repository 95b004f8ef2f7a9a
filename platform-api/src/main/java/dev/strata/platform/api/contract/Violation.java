package dev.strata.platform.api.contract;

/**
 * One thing wrong with a contract document.
 *
 * @param path where, e.g. {@code members[1].gpus.memory}
 * @param value the offending value as written, or null when something is missing
 * @param expected what would have been accepted
 */
public record Violation(String path, String value, String expected) {
    @Override
    public String toString() {
        return path + ": " + (value == null ? "missing" : "'" + value + "'") + "; expected " + expected;
    }
}
