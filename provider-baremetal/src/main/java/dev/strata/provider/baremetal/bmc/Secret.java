package dev.strata.provider.baremetal.bmc;

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

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
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
