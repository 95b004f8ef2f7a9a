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
                        + "of at least 1s, a whole number with unit ms, s, m or h (e.g. 30s)")
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
}
