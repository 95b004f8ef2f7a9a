package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

class InventorySettingsTest {

    private static InventoryConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(InventoryConfig.class);
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertThat(InventorySettings.from(config(Map.of()))).isEqualTo(InventorySettings.DEFAULTS);
    }

    @Test
    void parsesDurationsWithUnits() {
        InventorySettings settings = InventorySettings.from(config(Map.of(
                "refreshInterval", "5m", "discoveryTimeout", "1500ms", "swapWait", "0", "staleGracePeriod", "2h")));
        assertThat(settings.refreshInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.discoveryTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.swapWait()).isZero();
        assertThat(settings.staleGracePeriod()).isEqualTo(Duration.ofHours(2));
        assertThat(InventorySettings.from(config(Map.of("refreshInterval", "45"))).refreshInterval())
                .isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void negativeRefreshIntervalIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> InventorySettings.from(config(Map.of("refreshInterval", "-5s"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.inventory: refreshInterval = '-5s' is invalid; expected a duration "
                        + "of at least 1s, such as 30s, 500ms or 5m (units ns, us, ms, s, m, h, d; a bare number is seconds; at most 106751d)")
                .extracting(e -> ((InvalidConfigurationException) e).property()).isEqualTo("refreshInterval");
    }

    @Test
    void malformedValuesAreRejectedNamingTheProperty() {
        assertThatThrownBy(() -> InventorySettings.from(config(Map.of("discoveryTimeout", "soon"))))
                .hasMessageContaining("discoveryTimeout = 'soon' is invalid");
        assertThatThrownBy(() -> InventorySettings.from(config(Map.of("staleGracePeriod", "10 days"))))
                .hasMessageContaining("staleGracePeriod = '10 days'");
        assertThatThrownBy(() -> InventorySettings.from(config(Map.of("discoveryTimeout", "10ms"))))
                .hasMessageContaining("at least 100ms");
    }

    /** The overflow that used to leave the core as a raw ArithmeticException. */
    @Test
    void aDurationTooLongForAnyClockIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> InventorySettings.from(config(Map.of("staleGracePeriod", "9999999999999999h"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.inventory: staleGracePeriod = '9999999999999999h' is invalid; expected a duration "
                        + "of at least 0, such as 30s, 500ms or 5m (units ns, us, ms, s, m, h, d; a bare number is seconds; at most 106751d)");
        assertThat(InventorySettings.from(config(Map.of("staleGracePeriod", "106751d"))).staleGracePeriod()).isEqualTo(Duration.ofDays(106751));
    }

    @Test
    void unitsAreCaseSensitive() {
        assertThatThrownBy(() -> InventorySettings.from(config(Map.of("refreshInterval", "5S"))))
                .hasMessageContaining("refreshInterval = '5S' is invalid");
        assertThat(InventorySettings.from(config(Map.of("refreshInterval", "2min"))).refreshInterval()).isEqualTo(Duration.ofMinutes(2));
    }
}
