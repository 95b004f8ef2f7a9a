package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The running provisioning providers, by id, as their services come and go. */
class ProvisioningProvidersTest {

    /**
     * Two registrations of one provider id (a new version that registers before the old one
     * leaves, or the other way round): the newer serves, and whichever leaves, the one that is
     * still registered serves. Before, the older one was forgotten when the newer registered, and
     * once the newer left the id had no provider although one was still registered.
     */
    @Test
    void theRegistrationThatStaysServesWhicheverOfTwoLeaves() {
        ScriptedProvider older = new ScriptedProvider("lab");
        ScriptedProvider newer = new ScriptedProvider("lab");
        ProvisioningProviders providers = new ProvisioningProviders();
        providers.add("lab", 7, older);
        providers.add("lab", 9, newer);
        assertThat(providers.get("lab")).containsSame(newer);
        assertThat(providers.all()).containsOnlyKeys("lab").containsEntry("lab", newer);

        providers.remove("lab", 9);
        assertThat(providers.get("lab")).containsSame(older);

        providers.add("lab", 11, newer);
        providers.remove("lab", 7);
        assertThat(providers.get("lab")).containsSame(newer);
        providers.remove("lab", 11);
        assertThat(providers.get("lab")).isEmpty();
        assertThat(providers.all()).isEmpty();
    }
}
