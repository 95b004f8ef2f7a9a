package dev.strata.provider.openstack.auth;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import java.net.URI;
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

    /**
     * The regions and interfaces the catalogue offers are its text, and are shown as the API shows
     * a configured value, where none or several endpoints match: a line break, an ESC, a line
     * separator and a lone surrogate each as a backslash, u and four hex digits, as is the region
     * of an endpoint whose URL is no URL. Before, they went into the message as they were, and a
     * line break in a region forged a line of the log.
     */
    @Test
    void theCataloguesRegionsAndInterfacesAreShownEscaped() {
        ServiceCatalog catalog = new ServiceCatalog(List.of(
                new ServiceCatalog.Endpoint("compute", "public", "r1\nINFO forged", URI.create("https://a.example/")),
                new ServiceCatalog.Endpoint("compute", "public", "r2\u001b[2J\u2028\ud800", URI.create("https://b.example/")),
                new ServiceCatalog.Endpoint("compute", "inter\u0000nal", null, URI.create("https://c.example/")),
                new ServiceCatalog.Endpoint("image", "public", "r3\u001b[31m", null, "not a url")));

        assertThatThrownBy(() -> catalog.select("compute", "admin", null)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the service catalogue has no 'compute' endpoint for interface admin; it offers inter\\u0000nal in no region, "
                        + "public in r1\\u000aINFO forged, public in r2\\u001b[2J\\u2028\\ud800; check the interface and region settings");
        assertThatThrownBy(() -> catalog.select("compute", "public", null)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the service catalogue has 2 'compute' endpoints for interface public (inter\\u0000nal in no region, "
                        + "public in r1\\u000aINFO forged, public in r2\\u001b[2J\\u2028\\ud800); set the region to choose one");
        assertThatThrownBy(() -> catalog.select("image", "public", null)).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("the service catalogue's 'image' endpoint for interface public in region r3\\u001b[31m is 'not a url'");
    }

    /**
     * A catalogue URL carrying a user and password (a misconfigured Keystone catalogue's
     * https://user:pass@host) that is no URL is quoted with them masked as the API masks a configured
     * URL, the host and path kept, since the message reaches the log and the shell. Before, the
     * password was quoted as the catalogue wrote it.
     */
    @Test
    void aUrlsUserAndPasswordAreMasked() {
        ServiceCatalog catalog = new ServiceCatalog(List.of(
                new ServiceCatalog.Endpoint("compute", "public", null, null, "https://svc-user:s3cr3t@nova_1.example:8774/v2.1")));
        assertThatThrownBy(() -> catalog.select("compute", "public", null)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("endpoint for interface public is 'https://****@nova_1.example:8774/v2.1', which is no URL (Java takes")
                .hasMessageNotContaining("s3cr3t").hasMessageNotContaining("svc-user");
    }
}
