package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/** Deployment settings: a bad value is refused with the PID, the property, the value and what was expected. */
class DeploymentSettingsTest {

    static DeploymentSettings from(Map<String, Object> properties) {
        return DeploymentSettings.from(Converters.standardConverter().convert(properties).to(DeploymentConfig.class));
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(from(Map.of())).isEqualTo(DeploymentSettings.DEFAULTS);
    }

    @Test
    void aNumberOfWorkersOutOfRangeIsNamed() {
        assertThatThrownBy(() -> from(Map.of("workers", 0))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.deployment: workers = '0' is invalid; expected a whole number from 1 to 256");
    }

    /**
     * A .cfg value is text that Declarative Services converts to the method's int only when it is read: one that is no
     * number is refused like any other bad value, naming the PID, the property, the value and what was expected.
     */
    @Test
    void aNumberOfWorkersThatIsNoWholeNumberIsNamed() {
        for (String value : new String[] {"ten", "8x", "2.5", "99999999999"}) {
            assertThatThrownBy(() -> from(Map.of("workers", value))).as(value).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.deployment: workers = '" + value + "' is invalid; expected a whole number from 1 to 256")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("workers"));
        }
    }
}
