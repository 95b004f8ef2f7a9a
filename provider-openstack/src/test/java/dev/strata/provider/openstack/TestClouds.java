package dev.strata.provider.openstack;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.osgi.util.converter.Converters;

/** Builds configurations and providers for tests, the way ConfigAdmin would. */
final class TestClouds {

    private TestClouds() {
    }

    static OpenStackConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(OpenStackConfig.class);
    }

    /** A valid password configuration (the password file is written under {@code dir}). */
    static Map<String, Object> passwordConfig(Path dir, String authUrl, String password) {
        Path file = dir.resolve("password-" + UUID.randomUUID());
        try {
            Files.writeString(file, password + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> m = new HashMap<>();
        m.put("strata.provider.id", "os-test");
        m.put("authUrl", authUrl);
        m.put("userName", "admin");
        m.put("passwordFile", file.toString());
        m.put("projectName", "admin");
        m.put("country", "DE");
        m.put("jurisdictions", new String[] {"EU", "DE"});
        m.put("operatorName", "Mainufer Cloud GmbH");
        m.put("operatorJurisdictions", new String[] {"EU", "DE"});
        m.put("certifications", new String[] {"ISO27001", "BSI-C5"});
        return m;
    }

    static DiscoveryContext context(Duration timeout) {
        return DiscoveryContext.withTimeout("test-" + UUID.randomUUID(), timeout);
    }

    static DiscoveryContext context() {
        return context(Duration.ofSeconds(60));
    }

    /** A provider on Placement alone (noauth2), no Nova: every root provider is a node. */
    static OpenStackCloudProvider placementOnly(URI placement, Path dir, int parallelism) {
        return placementOnly(placement, dir, parallelism, Map.of());
    }

    /** A provider on Placement alone, with more configuration ({@code pciGpus}, say). */
    static OpenStackCloudProvider placementOnly(URI placement, Path dir, int parallelism, Map<String, Object> more) {
        return placementOnly(placement, dir, parallelism, more, Clock.systemUTC(), null);
    }

    /** A provider on Placement alone on {@code clock}, keeping the mark of its generations in {@code data} (null: in memory). */
    static OpenStackCloudProvider placementOnly(URI placement, Path dir, int parallelism, Map<String, Object> more, Clock clock, Path data) {
        Map<String, Object> m = passwordConfig(dir, "http://127.0.0.1:1/v3", "unused");
        m.put("strata.provider.id", "placement-test");
        m.put("parallelism", parallelism);
        m.putAll(more);
        OpenStackSettings settings = OpenStackSettings.from(config(m));
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(2), Duration.ofSeconds(30));
        return new OpenStackCloudProvider(settings, new StaticSession(http, Map.of("placement", placement), "admin"), clock, data);
    }
}
