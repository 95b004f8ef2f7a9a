package dev.strata.platform.core;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the typed properties of the core's configurations. Config Admin hands Karaf's values over as
 * text, and Declarative Services converts them to the method's type only when the method is called:
 * text that is no number ({@code ten}, {@code 3x}) fails there with the converter's own exception,
 * which names neither the PID nor the property. Read through here, it is an
 * {@link InvalidConfigurationException} naming both, the value and what was expected.
 */
public final class ConfigurationValues {

    /** How a failed conversion quotes the value: the OSGi Converter, or a NumberFormatException (as Felix SCR passes it on). */
    private static final Pattern NOT_CONVERTED = Pattern.compile(
            "^Cannot convert (.*) to class [\\w.$]+$|For input string: \"(.*)\"(?: under radix \\d+)?$", Pattern.DOTALL);

    private ConfigurationValues() {
    }

    /**
     * A whole-number property.
     *
     * @param read the configuration's method, e.g. {@code config::poolSize}
     * @param expected what was expected, as the property's other messages say it
     * @throws InvalidConfigurationException when the value is no whole number
     */
    public static int whole(String pid, String property, IntSupplier read, String expected) {
        try {
            return read.getAsInt();
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException(pid, property, given(e), expected);
        }
    }

    /** The value as configured, as the failed conversion quotes it (the OSGi Converter or Felix SCR's). */
    static String given(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            Matcher m = message == null ? null : NOT_CONVERTED.matcher(message);
            if (m != null && m.find()) {
                return m.group(1) != null ? m.group(1) : m.group(2);
            }
        }
        return String.valueOf(e.getMessage());
    }
}
