package dev.strata.provider.aws;

import java.util.Arrays;

/**
 * A credential held in memory: it prints as {@code ****} and compares by identity, so no
 * {@code toString()}, record or log line can reveal it.
 */
final class Secret {

    static final Secret NONE = new Secret(new char[0]);

    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value.toCharArray());
    }

    boolean isEmpty() {
        return value.length == 0;
    }

    /** The value, for the one place that hands it to the SDK's credentials. */
    String reveal() {
        return new String(value);
    }

    /** {@code text} with every occurrence of this secret replaced by {@code ****}. */
    String scrub(String text) {
        if (text == null || value.length == 0) {
            return text;
        }
        return text.replace(new String(value), "****");
    }

    @Override
    public String toString() {
        return value.length == 0 ? "(none)" : "****";
    }

    // identity equality on purpose: a secret is never compared by value outside the SDK
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    void clear() {
        Arrays.fill(value, '\0');
    }
}
