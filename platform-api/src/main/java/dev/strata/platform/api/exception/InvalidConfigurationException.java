package dev.strata.platform.api.exception;

import java.util.regex.Pattern;

/**
 * A configuration value is malformed or out of range. The message names the property, the value
 * and what was expected; {@link #property()} returns the property alone.
 */
public class InvalidConfigurationException extends StrataException {
    private static final long serialVersionUID = 1L;

    /** What stands in a message in place of a secret. */
    public static final String MASK = "****";
    /** A query parameter whose name says it holds a secret, up to its value. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;][^=&;#]*(?:pass|pwd|secret|token|key|sig|credential|auth)[^=&;#]*=)[^&;#]*");

    private final String pid;
    private final String property;

    public InvalidConfigurationException(String pid, String property, Object value, String expected) {
        super(pid + ": " + property + " = '" + value + "' is invalid; expected " + expected);
        this.pid = pid;
        this.property = property;
    }

    /** The configuration PID the property belongs to. */
    public String pid() {
        return pid;
    }

    /** The offending property's name. */
    public String property() {
        return property;
    }

    /**
     * A URL or address as a configuration error may show it: whatever stands between
     * {@code scheme://} (or the start) and the last {@code @} (a user and password, as in
     * {@code https://admin:pw@host} or IPMI's {@code root:calvin@10.0.0.5}) becomes {@value #MASK},
     * and so does the value of every query parameter whose name says secret ({@code password=},
     * {@code token=}, {@code X-Amz-Signature=}, {@code apikey=}, ...). It works on any text, one
     * that does not parse as a URL included, so a provider can pass the value it refuses through
     * it before putting it in this exception's message, which reaches the log and the shell.
     *
     * @param url the value as configured; null gives null
     */
    public static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        String s = url;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            int scheme = s.indexOf("://");
            int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
            s = s.substring(0, start) + MASK + s.substring(at);
        }
        return SECRET_PARAMETER.matcher(s).replaceAll("$1" + MASK);
    }
}
