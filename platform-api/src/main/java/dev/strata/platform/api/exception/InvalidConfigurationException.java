package dev.strata.platform.api.exception;

/**
 * A configuration value is malformed or out of range. The message names the property, the value
 * and what was expected; {@link #property()} returns the property alone.
 */
public class InvalidConfigurationException extends StrataException {
    private static final long serialVersionUID = 1L;

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
}
