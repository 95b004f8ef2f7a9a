package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The message for a service that is not running names the configuration it is activated with:
 * it named the inventory's for every service, so an operator whose deployment or provenance
 * settings were rejected was sent to the wrong file.
 */
class ServicesTest {

    @Test
    void aMissingServiceNamesItsOwnConfigurationAndTheStoresItNeeds() {
        assertThatThrownBy(() -> Services.require(null, "deployment service")).isInstanceOf(IllegalStateException.class)
                .hasMessage("the Strata deployment service is not running; check 'scr:list' and data/log/karaf.log (a rejected "
                        + "etc/dev.strata.platform.core.deployment.cfg, or the etc/dev.strata.platform.core.store.cfg it needs, names the "
                        + "property there)");
        assertThatThrownBy(() -> Services.require(null, "provenance log"))
                .hasMessageContaining("etc/dev.strata.platform.core.provenance.cfg, or the etc/dev.strata.platform.core.store.cfg it needs,");
        assertThatThrownBy(() -> Services.require(null, "verifier of commitments"))
                .hasMessageContaining("etc/dev.strata.platform.core.commitment.cfg");
        assertThatThrownBy(() -> Services.require(null, "state store"))
                .hasMessageEndingWith("(a rejected etc/dev.strata.platform.core.store.cfg names the property there)");
        assertThatThrownBy(() -> Services.require(null, "provider registry"))
                .hasMessageEndingWith("(a rejected etc/dev.strata.platform.core.inventory.cfg names the property there)");
        assertThatThrownBy(() -> Services.require(null, "placement service"))
                .hasMessageEndingWith("(a rejected etc/dev.strata.platform.core.placement.cfg, or the etc/dev.strata.platform.core.store.cfg it "
                        + "needs, names the property there)");
        assertThatThrownBy(() -> Services.require(null, "contract reader"))
                .hasMessage("the Strata contract reader is not running; check 'scr:list' and data/log/karaf.log");
        assertThat(Services.require("running", "inventory")).isEqualTo("running");
    }
}
