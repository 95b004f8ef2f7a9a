package dev.strata.provider.openstack.http;

import java.util.Objects;

/**
 * A credential (a password, an application credential secret, a token) held in memory. It never
 * prints itself: {@link #toString()} is {@value #MASK}, and {@link #redact(String)} masks it in
 * any text that is about to become a message, so a vendor error that echoes it cannot leak it.
 */
public final class Secret {

    public static final String MASK = "****";

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        Objects.requireNonNull(value, "secret");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
        return new Secret(value);
    }

    /** The secret itself: only for the request body or header that carries it. */
    public String reveal() {
        return value;
    }

    /** The text with every occurrence of this secret masked. */
    public String redact(String text) {
        return text == null ? null : text.replace(value, MASK);
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
