package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link Site}: a site's country is one a contract can name, or unknown. */
class SiteTest {

    /** Every code the JDK lists as assigned is a country; XK (Kosovo) is one too, though ISO leaves it user-assigned. */
    @Test
    void theAssignedIsoCodesAndKosovoAreCountries() {
        for (String code : Locale.getISOCountries()) {
            assertThat(Site.isCountryCode(code)).as(code).isTrue();
            assertThat(Site.builder().id("s").providerId("p").country(code).build().country()).isEqualTo(code);
        }
        assertThat(Site.builder().id("pri-1").providerId("p").country("XK").build().country()).isEqualTo("XK");
    }

    /** XX had the right shape and built a site no contract could name (contracts refuse XX), so its sovereignty clauses never matched it. */
    @Test
    void aCodeOfTheRightShapeThatIsNoCountryIsRefused() {
        for (String code : new String[] {"XX", "EU", "ZZ", "AA", "de", "DEU", "D", ""}) {
            assertThat(Site.isCountryCode(code)).as(code).isFalse();
            assertThatThrownBy(() -> Site.builder().id("s1").providerId("p").country(code).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("site s1: country '" + code + "' is not an ISO 3166-1 alpha-2 country code; expected an upper-case code such as DE");
        }
        assertThat(Site.isCountryCode(null)).isFalse();
        assertThat(Site.builder().id("s").providerId("p").build().country()).isNull();
    }

    /** The readers name the code to write for a country written as its alpha-3 code; every alpha-3 code leads back to a country. */
    @Test
    void aCountrysAlpha3CodeGivesTheCodeSitesUse() {
        assertThat(Site.countryOfAlpha3("USA")).contains("US");
        assertThat(Site.countryOfAlpha3("DEU")).contains("DE");
        assertThat(Site.countryOfAlpha3("GBR")).contains("GB");
        for (String code : new String[] {"US", "EU", "UK", "XXX", "deu", "", null}) {
            assertThat(Site.countryOfAlpha3(code)).as(String.valueOf(code)).isEmpty();
        }
        int mapped = 0;
        for (String alpha2 : Locale.getISOCountries()) {
            String alpha3 = new Locale("", alpha2).getISO3Country();
            if (!alpha3.isEmpty()) {
                assertThat(Site.countryOfAlpha3(alpha3)).as(alpha3).contains(alpha2);
                assertThat(Site.isCountryCode(Site.countryOfAlpha3(alpha3).orElseThrow())).isTrue();
                mapped++;
            }
        }
        assertThat(mapped).isGreaterThan(240);
    }
}
