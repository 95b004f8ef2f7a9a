package dev.strata.provider.openstack.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenStack API microversion such as {@code 2.74} or {@code 1.39}: compared numerically
 * ({@code 2.9 < 2.10}).
 */
public record Microversion(int major, int minor) implements Comparable<Microversion> {

    private static final Pattern FORM = Pattern.compile("\\s*v?(\\d{1,9})\\.(\\d{1,9})\\s*");

    public Microversion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("microversion " + major + "." + minor + " is negative");
        }
    }

    /**
     * The range a service's version document offers.
     *
     * @param min the oldest microversion offered
     * @param max the newest
     */
    public record Offered(Microversion min, Microversion max) {
    }

    /**
     * Reads the range a version document gives, as written there.
     *
     * @param versions the request that fetched the document, for the message
     * @throws dev.strata.platform.api.exception.ProviderFailureException (the service's answer is
     *     malformed) when either is no microversion
     */
    public static Offered offered(ApiRequest versions, String min, String max) {
        try {
            return new Offered(parse(min), parse(max));
        } catch (IllegalArgumentException e) {
            // the service's text, shown escaped and cut: a proxy's answer may put anything there
            throw OpenStackErrors.forMalformed(versions, "a version document whose microversions are '" + shown(min) + "' to '" + shown(max)
                    + "'; expected major.minor such as 2.74");
        }
    }

    private static String shown(String text) {
        return dev.strata.platform.api.exception.InvalidConfigurationException.printable(text == null ? "null"
                : text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    /** Parses {@code 2.74} (or {@code v2.74}). */
    public static Microversion parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a microversion; expected major.minor such as 2.74");
        }
        return new Microversion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public static Microversion of(int major, int minor) {
        return new Microversion(major, minor);
    }

    public boolean atLeast(Microversion other) {
        return compareTo(other) >= 0;
    }

    public static Microversion min(Microversion a, Microversion b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public int compareTo(Microversion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
