package dev.strata.platform.core.store;

import java.util.Arrays;

/**
 * A password held in memory. It has no readable {@code toString}, {@code equals} or
 * {@code hashCode}, so that it cannot slip into a log line, an exception message or a record's
 * text; only {@link #reveal()} returns it, for the driver.
 */
public final class Secret {

    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    /** A secret from its characters (copied). */
    public static Secret of(char[] value) {
        return new Secret(value.clone());
    }

    /** No password. */
    public static Secret none() {
        return new Secret(new char[0]);
    }

    /** Whether there is a password. */
    public boolean isEmpty() {
        return value.length == 0;
    }

    /** The password, for the database driver only. */
    public String reveal() {
        return new String(value);
    }

    /**
     * Whether the other secret holds the same characters, compared without a copy (a {@code String}
     * made to compare would stay in the heap until collected, where {@link #clear} cannot reach it)
     * and in a time that depends on the lengths only, not on where the characters first differ.
     */
    public boolean sameAs(Secret other) {
        char[] a = value;
        char[] b = other.value;
        int difference = a.length ^ b.length;
        for (int i = 0; i < a.length; i++) {
            difference |= a[i] ^ (b.length == 0 ? 0 : b[i % b.length]);
        }
        return difference == 0;
    }

    /** Overwrites the characters. */
    public void clear() {
        Arrays.fill(value, '\0');
    }

    @Override
    public String toString() {
        return isEmpty() ? "(none)" : "(secret)";
    }
}
