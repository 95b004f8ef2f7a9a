package dev.strata.provider.openstack.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.SettableClock;
import dev.strata.provider.openstack.AllInOne;
import dev.strata.provider.openstack.LogFile;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.http.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keystone v3 sessions against the real Keystone of the all-in-one: password and application
 * credentials, the catalogue by interface and region, a revoked token renewed on the 401, renewal
 * before expiry, wrong credentials, Keystone unreachable and Keystone hanging. No secret reaches
 * a message or the log.
 */
class KeystoneSessionTest {

    AllInOne aio;
    OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(3), Duration.ofSeconds(30));
    @TempDir
    Path dir;

    @BeforeEach
    void cloud() {
        aio = AllInOne.get();
    }

    KeystoneSession admin(String region, Clock clock) {
        Credentials c = new Credentials.Password("admin", "Default", "admin", null, "Default", () -> Secret.of(aio.password()));
        return new KeystoneSession(http, URI.create(aio.authUrl()), c, "public", region, Duration.ofMinutes(5), clock);
    }

    static DiscoveryContext ctx(Duration d) {
        return DiscoveryContext.withTimeout("keystone-test", d);
    }

    static DiscoveryContext ctx() {
        return ctx(Duration.ofSeconds(60));
    }

    @Test
    void passwordTokenAndEndpointsByInterfaceAndRegion() {
        KeystoneSession s = admin("RegionOne", Clock.systemUTC());
        assertThat(s.endpoint("compute", ctx())).isEqualTo(URI.create("http://127.0.0.1:" + aio.get("NOVA_PORT") + "/v2.1"));
        assertThat(s.endpoint("placement", ctx())).isEqualTo(URI.create("http://127.0.0.1:" + aio.get("PLACEMENT_PORT")));
        assertThat(s.offers("image", ctx())).isTrue();
        assertThat(s.offers("volumev3", ctx())).isFalse();
        assertThat(s.projectId(ctx())).isNotBlank();
        assertThat(s.authentications()).isEqualTo(1);
        KeystoneSession anyRegion = admin(null, Clock.systemUTC());
        assertThat(anyRegion.endpoint("network", ctx())).isEqualTo(URI.create("http://127.0.0.1:" + aio.get("NEUTRON_PORT")));
    }

    @Test
    void aRegionTheCatalogueLacksIsNamedWithWhatItOffers() {
        KeystoneSession s = admin("RegionTwo", Clock.systemUTC());
        assertThatThrownBy(() -> s.endpoint("placement", ctx())).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the service catalogue has no 'placement' endpoint for interface public in region RegionTwo; "
                        + "it offers admin in RegionOne, internal in RegionOne, public in RegionOne; check the interface and region settings");
    }

    @Test
    void aRevokedTokenIsRenewedOnceAndTheCallSucceeds() {
        KeystoneSession s = admin("RegionOne", Clock.systemUTC());
        DiscoveryContext c = ctx();
        Secret first = s.token(c).value();
        URI identity = s.endpoint("identity", c);
        // Revoke the session's token behind its back (a token may revoke itself).
        http.send(new ApiRequest("Keystone", "DELETE", URI.create(aio.authUrl() + "/auth/tokens"), java.util.Map.of(), null, java.util.Set.of(), true)
                .withHeader("X-Auth-Token", first.reveal()).withHeader("X-Subject-Token", first.reveal()), c, t -> t);
        // Keystone checks revocations itself (services cache validations for minutes).
        var r = s.send(ApiRequest.get("Keystone", URI.create(identity.toString().replaceAll("/+$", "") + "/auth/projects")), c);
        assertThat(r.status()).isEqualTo(200);
        assertThat(s.authentications()).isEqualTo(2);
        assertThat(s.token(c).value()).isNotEqualTo(first);
    }

    @Test
    void aTokenIsRenewedBeforeItExpiresAndNotBefore() {
        SettableClock clock = SettableClock.system();
        KeystoneSession s = admin("RegionOne", clock);
        DiscoveryContext c = ctx();
        KeystoneSession.Token t = s.token(c);
        Duration lifetime = Duration.between(t.issuedAt(), t.expiresAt());
        assertThat(lifetime).isEqualTo(Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(30));
        assertThat(s.token(c)).isSameAs(t);
        // Four minutes before expiry: inside the five-minute margin.
        clock.set(t.expiresAt().minus(Duration.ofMinutes(4)));
        KeystoneSession.Token renewed = s.token(c);
        assertThat(renewed).isNotSameAs(t);
        assertThat(s.authentications()).isEqualTo(2);
    }

    @Test
    void wrongCredentialsAreRefusedClearlyWithoutTheSecret() {
        String wrong = "not-the-password-" + UUID.randomUUID();
        Credentials c = new Credentials.Password("admin", "Default", "admin", null, "Default", () -> Secret.of(wrong));
        KeystoneSession s = new KeystoneSession(http, URI.create(aio.authUrl()), c, "public", "RegionOne", Duration.ofMinutes(5), Clock.systemUTC());
        assertThatThrownBy(() -> s.endpoint("compute", ctx())).isInstanceOf(AuthorizationException.class)
                .hasMessage("Keystone at " + aio.authUrl() + " refused the credentials of user 'admin' (domain Default) for project 'admin' "
                        + "(domain Default) (401: The request you have made requires authentication.)")
                .satisfies(e -> assertThat(e.toString()).doesNotContain(wrong));
        assertThat(c.toString()).doesNotContain(wrong).contains(Secret.MASK);
        assertThat(s.toString()).doesNotContain(wrong);
        LogFile.assertNoneOf(wrong, aio.password());
    }

    @Test
    void anApplicationCredentialAuthenticates() throws IOException {
        KeystoneSession adminSession = admin("RegionOne", Clock.systemUTC());
        DiscoveryContext c = ctx();
        KeystoneSession.Token t = adminSession.token(c);
        ObjectNode body = http.json().createObjectNode();
        body.putObject("application_credential").put("name", "strata-test-" + UUID.randomUUID());
        JsonNode made = http.send(ApiRequest.of("Keystone", "POST", URI.create(aio.authUrl() + "/users/" + t.userId() + "/application_credentials"), body)
                .withHeader("X-Auth-Token", t.value().reveal()), c, x -> x).body().path("application_credential");
        String id = made.path("id").asText();
        String secret = made.path("secret").asText();
        try {
            Path file = dir.resolve("app-secret");
            Files.writeString(file, secret + "\n");
            Credentials ac = new Credentials.ApplicationCredential(id, () -> {
                try {
                    return Secret.of(Files.readString(file).strip());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            KeystoneSession s = new KeystoneSession(http, URI.create(aio.authUrl()), ac, "public", "RegionOne", Duration.ofMinutes(5),
                    Clock.systemUTC());
            assertThat(s.projectId(c)).isEqualTo(t.projectId());
            assertThat(s.endpoint("compute", c)).isEqualTo(adminSession.endpoint("compute", c));
            assertThat(ac.toString()).contains(id).doesNotContain(secret);
            LogFile.assertNoneOf(secret);
        } finally {
            http.send(new ApiRequest("Keystone", "DELETE", URI.create(aio.authUrl() + "/users/" + t.userId() + "/application_credentials/" + id),
                    java.util.Map.of(), null, java.util.Set.of(404), true).withHeader("X-Auth-Token", t.value().reveal()), c, x -> x);
        }
    }

    @Test
    void keystoneDownIsUnavailableAndNamesWhere() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Credentials c = new Credentials.Password("admin", "Default", "admin", null, "Default", () -> Secret.of(aio.password()));
        KeystoneSession s = new KeystoneSession(http, URI.create("http://127.0.0.1:" + port + "/v3"), c, "public", null, Duration.ofMinutes(5),
                Clock.systemUTC());
        assertThatThrownBy(() -> s.endpoint("compute", ctx())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("Keystone at http://127.0.0.1:" + port + " cannot be reached: connection refused (POST /v3/auth/tokens)");
    }

    @Test
    void aHangingKeystoneCostsNoMoreThanTheDeadline() throws Exception {
        KeystoneSession s = admin("RegionOne", Clock.systemUTC());
        aio.signal("keystone", "STOP");
        long start = System.nanoTime();
        try {
            assertThatThrownBy(() -> s.endpoint("compute", ctx(Duration.ofSeconds(4)))).isInstanceOf(ProviderTimeoutException.class)
                    .hasMessageStartingWith("Keystone did not answer POST /v3/auth/tokens within");
        } finally {
            aio.signal("keystone", "CONT");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }
}
