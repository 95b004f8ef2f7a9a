package dev.strata.provider.baremetal.bmc;

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

    /**
     * The password's UTF-16 units, two bytes each: every {@code char} as it is. Not an encoding
     * such as UTF-8, which writes each unpaired surrogate as the same {@code ?}, so that two
     * passwords differing there (a {@code .cfg} file may write one as <code>&#92;uD800</code>) compared equal,
     * and a change between them kept the client logged in with the password before it.
     */
    private static byte[] bytes(char[] chars) {
        byte[] out = new byte[chars.length * 2];
        for (int i = 0; i < chars.length; i++) {
            out[2 * i] = (byte) (chars[i] >> 8);
            out[2 * i + 1] = (byte) chars[i];
        }
        return out;
    }

    /**
     * The same for every password: a hash of its characters would be a fingerprint of it (32 bits
     * that a dictionary can be checked against offline) wherever a hash is shown or kept, and
     * nothing keys a map or a set by a secret, so none is needed to spread them.
     */
    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return "********";
    }
}
