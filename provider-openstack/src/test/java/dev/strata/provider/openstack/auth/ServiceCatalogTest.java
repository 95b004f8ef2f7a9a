package dev.strata.provider.openstack.auth;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ServiceCatalog}: what a refused endpoint's message shows of the catalogue's text. */
class ServiceCatalogTest {

    /**
     * An endpoint URL that is no URL is quoted as the API shows a configured value: a NUL, an ESC,
     * a line separator and a lone surrogate each as a backslash, u and four hex digits, so the
     * message tells what the catalogue holds and none of it forges a log line or drives a terminal.
     * Before, the control characters were '?', and the separator and the surrogate went through.
     */
    @Test
    void aUrlThatIsNoUrlIsShownEscaped() {
        ServiceCatalog catalog = new ServiceCatalog(List.of(
                new ServiceCatalog.Endpoint("placement", "public", null, null, "http://a\u0000b\u001b[2Jc\u2028d\ud800e")));
        assertThatThrownBy(() -> catalog.select("placement", "public", null)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("endpoint for interface public is 'http://a\\u0000b\\u001b[2Jc\\u2028d\\ud800e', which is no URL;");
    }
}
