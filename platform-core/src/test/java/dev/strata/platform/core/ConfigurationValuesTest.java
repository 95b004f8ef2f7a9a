package dev.strata.platform.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.osgi.util.converter.ConversionException;

/** The value a failed conversion quotes is the one shown: the OSGi Converter's wording and Felix SCR's. */
class ConfigurationValuesTest {

    @Test
    void theValueIsTakenFromEitherConvertersFailure() {
        assertThat(ConfigurationValues.given(new ConversionException("Cannot convert ten to class java.lang.Integer"))).isEqualTo("ten");
        // Felix SCR passes the NumberFormatException on as the text of a ComponentException
        assertThat(ConfigurationValues.given(new RuntimeException("java.lang.NumberFormatException: For input string: \"3x\"")))
                .isEqualTo("3x");
        assertThat(ConfigurationValues.given(new RuntimeException(new NumberFormatException("For input string: \"7 \" under radix 16"))))
                .isEqualTo("7 ");
    }
}
