package dev.strata.provider.baremetal.bmc;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A password held for a BMC. It never appears in {@link #toString()}, logs or messages; only
 * the code that puts it on the wire (an HTTP authorization header, a session request body, the
 * environment of {@code ipmitool}) reads it.
 */
public final class Secret {

    private final char[] value;

    private Secret(char[] value) {
        this.value = value.clone();
    }

    public static Secret of(String value) {
        return new Secret(value.toCharArray());
    }

    /** The password itself. Callers put it on the wire and nowhere else. */
    public String reveal() {
        return new String(value);
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    /**
     * The same password: compared in time that does not depend on where the two differ
     * ({@link MessageDigest#isEqual}), so that a comparison (whether a BMC's client is kept across
     * a change of its configuration) tells nothing of the password by how long it takes.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Secret s)) {
            return false;
        }
        byte[] mine = bytes(value);
        byte[] theirs = bytes(s.value);
        try {
            return MessageDigest.isEqual(mine, theirs);
        } finally {
            Arrays.fill(mine, (byte) 0);
            Arrays.fill(theirs, (byte) 0);
        }
    }

    private static byte[] bytes(char[] chars) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return out;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "********";
    }
}
