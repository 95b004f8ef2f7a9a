package dev.strata.provider.openstack.http;

import java.security.MessageDigest;
import java.util.Arrays;
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

    /**
     * The same credential, compared in a time that does not depend on where the two differ
     * ({@link MessageDigest#isEqual} over every UTF-16 unit, unpaired surrogates included), so that
     * a comparison (whether a changed configuration keeps the cloud's session) tells nothing of the
     * credential by how long it takes.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Secret s)) {
            return false;
        }
        byte[] mine = units(value);
        byte[] theirs = units(s.value);
        try {
            return MessageDigest.isEqual(mine, theirs);
        } finally {
            Arrays.fill(mine, (byte) 0);
            Arrays.fill(theirs, (byte) 0);
        }
    }

    private static byte[] units(String text) {
        byte[] out = new byte[text.length() * 2];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out[2 * i] = (byte) (c >> 8);
            out[2 * i + 1] = (byte) c;
        }
        return out;
    }

    /**
     * The same for every credential: a hash of its characters would be a fingerprint of it (32 bits
     * that a dictionary can be checked against offline) wherever a hash is shown or kept, and
     * nothing keys a map or a set by a secret.
     */
    @Override
    public int hashCode() {
        return 0;
    }
}
