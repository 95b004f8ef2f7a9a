package dev.strata.platform.api.exception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Typed properties read through {@link InvalidConfigurationException#wholeNumber} and
 * {@link InvalidConfigurationException#trueOrFalse}. A whole number: a value
 * the configuration type's method cannot convert is this exception, naming the PID, the property,
 * the value as written (as the OSGi Converter and Felix SCR quote it) and what was expected.
 */
class ConfiguredValuesTest {

    private static final String EXPECTED = "a whole number from 1 to 10";

    @Test
    void aNumberIsReadAsItIs() {
        assertThat(InvalidConfigurationException.wholeNumber("p", "attempts", () -> 3, EXPECTED)).isEqualTo(3);
    }

    @Test
    void aConversionFailureNamesThePidThePropertyTheValueAndWhatWasExpected() {
        // the OSGi Converter's wording (org.osgi.util.converter.ConversionException)
        assertThatThrownBy(() -> InvalidConfigurationException.wholeNumber("dev.strata.provider.bmc~rack1", "attempts", () -> {
            throw new IllegalStateException("Cannot convert ten to class java.lang.Integer");
        }, EXPECTED)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.bmc~rack1: attempts = 'ten' is invalid; expected " + EXPECTED)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("attempts"));
        // Felix SCR passes the NumberFormatException on as the text of a ComponentException, or as its cause
        assertThatThrownBy(() -> InvalidConfigurationException.wholeNumber("p", "q", () -> {
            throw new IllegalStateException("java.lang.NumberFormatException: For input string: \"3x\"");
        }, EXPECTED)).hasMessage("p: q = '3x' is invalid; expected " + EXPECTED);
        assertThatThrownBy(() -> InvalidConfigurationException.wholeNumber("p", "q", () -> {
            throw new IllegalStateException(new NumberFormatException("For input string: \"7 \" under radix 16"));
        }, EXPECTED)).hasMessage("p: q = '7 ' is invalid; expected " + EXPECTED);
    }

    @Test
    void anInvalidConfigurationExceptionPassesAsItIs() {
        InvalidConfigurationException own = new InvalidConfigurationException("p", "other", "x", "y");
        assertThatThrownBy(() -> InvalidConfigurationException.wholeNumber("p", "q", () -> {
            throw own;
        }, EXPECTED)).isSameAs(own);
    }

    /** A switch is true or false as written, in any case; anything else is refused, not read as false. */
    @Test
    void aSwitchIsTrueOrFalseAndNothingElse() {
        assertThat(InvalidConfigurationException.trueOrFalse("p", "s", java.util.Map.of("s", " TRUE "), false)).isTrue();
        assertThat(InvalidConfigurationException.trueOrFalse("p", "s", java.util.Map.of("s", "false"), true)).isFalse();
        assertThat(InvalidConfigurationException.trueOrFalse("p", "s", java.util.Map.of("s", Boolean.TRUE), false)).isTrue();
        assertThat(InvalidConfigurationException.trueOrFalse("p", "s", java.util.Map.of(), true)).isTrue();
        for (Object bad : new Object[] {"yes", "1", "maybe", "", 1}) {
            assertThatThrownBy(() -> InvalidConfigurationException.trueOrFalse("p", "s", java.util.Map.of("s", bad), true))
                    .isInstanceOf(InvalidConfigurationException.class).hasMessage("p: s = '" + bad + "' is invalid; expected true or false");
        }
    }
}
