package dev.strata.provider.openstack.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.SettableClock;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.http.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link KeystoneSession} against a local HTTP endpoint standing in for Keystone, for answers
 * the all-in-one Keystone does not give on demand: an error that quotes the secret, a Keystone
 * that hangs, and a catalogue with URLs that do not parse (the shared cloud's catalogue is not
 * broken under the other tests).
 */
class KeystoneStandInTest {

    HttpServer endpoint;
    ExecutorService threads;
    volatile Consumer<HttpExchange> tokens;
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/v3/auth/tokens", e -> tokens.accept(e));
        threads = Executors.newCachedThreadPool();
        endpoint.setExecutor(threads);
        endpoint.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        endpoint.stop(0);
        threads.shutdownNow();
    }

    URI authUrl() {
        return URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v3");
    }

    KeystoneSession session(String secret, Duration requestTimeout) {
        Credentials c = new Credentials.ApplicationCredential("8c2c1f3e4d5b4a69b7a1d2e3f4a5b6c7", () -> Secret.of(secret));
        return new KeystoneSession(new OpenStackHttp(Duration.ofSeconds(1), requestTimeout), authUrl(), c, "public", null,
                Duration.ofMinutes(5), Clock.systemUTC());
    }

    static void answer(HttpExchange exchange, int status, String json) {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    static void answerText(HttpExchange exchange, int status, String text) {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** The message of the exception Keystone's 400 answer to the session's authentication becomes. */
    static String failure(KeystoneSession s) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> s.projectId(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))));
        assertThat(t).isInstanceOf(ProviderFailureException.class).hasMessageStartingWith("Keystone answered 400 Bad Request to POST /v3/auth/tokens");
        return t.getMessage();
    }

    /** A token answer whose catalogue holds the given services ({@code type -> url}, public interface, RegionOne). */
    static void token(HttpExchange exchange, java.util.Map<String, String> services) {
        StringBuilder catalog = new StringBuilder();
        services.forEach((type, url) -> catalog.append(catalog.length() == 0 ? "" : ", ").append("{\"type\": \"").append(type)
                .append("\", \"endpoints\": [{\"interface\": \"public\", \"region_id\": \"RegionOne\", \"url\": \"")
                .append(url).append("\"}]}"));
        exchange.getResponseHeaders().add("X-Subject-Token", "gAAAAAB-stand-in-token");
        java.time.Instant now = java.time.Instant.now();
        answer(exchange, 201, "{\"token\": {\"issued_at\": \"" + now + "\", \"expires_at\": \"" + now.plusSeconds(3600)
                + "\", \"project\": {\"id\": \"p1\"}, \"user\": {\"id\": \"u1\"}, \"catalog\": [" + catalog + "]}}");
    }

    /**
     * A token answer whose catalogue holds the given endpoints, each {@code type, interface, region,
     * url}, with {@code token} as the X-Subject-Token.
     */
    static void token(HttpExchange exchange, String token, java.util.List<java.util.List<String>> endpoints) {
        java.util.Map<String, java.util.List<String>> byType = new java.util.LinkedHashMap<>();
        for (java.util.List<String> e : endpoints) {
            byType.computeIfAbsent(e.get(0), t -> new java.util.ArrayList<>()).add("{\"interface\": \"" + e.get(1) + "\", \"region_id\": \""
                    + e.get(2) + "\", \"url\": \"" + e.get(3) + "\"}");
        }
        StringBuilder catalog = new StringBuilder();
        byType.forEach((type, entries) -> catalog.append(catalog.length() == 0 ? "" : ", ").append("{\"type\": \"").append(type)
                .append("\", \"endpoints\": [").append(String.join(", ", entries)).append("]}"));
        exchange.getResponseHeaders().add("X-Subject-Token", token);
        java.time.Instant now = java.time.Instant.now();
        answer(exchange, 201, "{\"token\": {\"issued_at\": \"" + now + "\", \"expires_at\": \"" + now.plusSeconds(3600)
                + "\", \"project\": {\"id\": \"p1\"}, \"user\": {\"id\": \"u1\"}, \"catalog\": [" + catalog + "]}}");
    }

    KeystoneSession sessionFor(String iface, String region) {
        Credentials c = new Credentials.ApplicationCredential("8c2c1f3e4d5b4a69b7a1d2e3f4a5b6c7", () -> Secret.of("s3cr3t"));
        return new KeystoneSession(new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(5)), authUrl(), c, iface, region,
                Duration.ofMinutes(5), Clock.systemUTC());
    }

    /**
     * offers answers for the configured region and interface, the endpoints endpoint() chooses
     * from. Before, it answered whether the catalogue listed the service anywhere: a service only
     * in another region, or only as an admin or internal endpoint where the provider uses public,
     * was offered, and the endpoint look-up that followed failed.
     */
    @Test
    void aServiceListedOnlyInAnotherRegionOrForAnotherInterfaceIsNotOffered() {
        tokens = e -> token(e, "gAAAAAB-stand-in-token", java.util.List.of(
                java.util.List.of("compute", "public", "RegionOne", "http://127.0.0.1:8774/v2.1"),
                java.util.List.of("placement", "admin", "RegionTwo", "http://127.0.0.1:8778"),
                java.util.List.of("placement", "internal", "RegionTwo", "http://127.0.0.1:8778"),
                java.util.List.of("image", "public", "RegionTwo", "http://127.0.0.1:9292")));
        DiscoveryContext c = DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));

        KeystoneSession two = sessionFor("public", "RegionTwo");
        assertThat(two.offers("compute", c)).as("compute only in RegionOne").isFalse();
        assertThat(two.offers("placement", c)).as("placement only admin and internal").isFalse();
        assertThat(two.offers("image", c)).isTrue();
        assertThat(two.offers("volumev3", c)).isFalse();
        assertThat(two.lists("compute", c)).isTrue();
        assertThat(two.lists("volumev3", c)).isFalse();
        assertThatThrownBy(() -> two.endpoint("compute", c)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the service catalogue has no 'compute' endpoint for interface public in region RegionTwo; it offers public in "
                        + "RegionOne; check the interface and region settings");
        assertThatThrownBy(() -> two.endpoint("placement", c)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the service catalogue has no 'placement' endpoint for interface public in region RegionTwo; it offers admin "
                        + "in RegionTwo, internal in RegionTwo; check the interface and region settings");

        assertThat(sessionFor("internal", "RegionTwo").offers("placement", c)).isTrue();
        KeystoneSession anyRegion = sessionFor("public", null);
        assertThat(anyRegion.offers("compute", c)).isTrue();
        assertThat(anyRegion.offers("placement", c)).isFalse();
    }

    /**
     * A catalogue entry whose URL does not parse (a space in it, a bracket left open) failed the
     * whole authentication with a bare IllegalArgumentException, even for a service Strata never
     * calls. Now only the use of that endpoint fails, naming it and what is expected.
     */
    @Test
    void anEndpointWhoseUrlDoesNotParseFailsOnlyWhereItIsUsed() {
        java.util.Map<String, String> services = new java.util.LinkedHashMap<>();
        services.put("compute", "http://127.0.0.1:8774/v2.1");
        services.put("x-monitoring", "http://metrics host:9090/");
        services.put("placement", "http://[oops:8778");
        services.put("image", "glance.example:9292");
        services.put("network", "http://neutron_api:9696");
        tokens = e -> token(e, services);
        KeystoneSession s = session("s3cr3t", Duration.ofSeconds(5));
        DiscoveryContext c = DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
        assertThat(s.endpoint("compute", c)).isEqualTo(URI.create("http://127.0.0.1:8774/v2.1"));
        assertThat(s.offers("x-monitoring", c)).isTrue();
        assertThatThrownBy(() -> s.endpoint("placement", c)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("the service catalogue's 'placement' endpoint for interface public in region RegionOne is 'http://[oops:8778', "
                        + "which is no URL; expected an http or https URL such as https://compute.example:8774/v2.1 (the cloud's "
                        + "administrator fixes it with openstack endpoint set --url)");
        assertThatThrownBy(() -> s.endpoint("image", c)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("is 'glance.example:9292', which is no URL; expected an http or https URL");
        assertThatThrownBy(() -> s.endpoint("network", c)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("is 'http://neutron_api:9696', which is no URL (Java takes no host name holding '_')");
        assertThat(s.authentications()).isEqualTo(1);
    }

    /**
     * Keystone's validation errors quote the instance that failed validation, the secret included
     * ({@code Invalid input for field 'identity/application_credential': ... On instance: {'id': ...,
     * 'secret': '...'}}). Before, the explanation was cut to 400 characters before the secret was
     * masked, so a secret that straddled the cut was not recognised and its first part reached the
     * message. Now it is masked first.
     */
    @Test
    void anErrorThatQuotesTheSecretAcrossTheCutDoesNotLeakPartOfIt() {
        String secret = "Zq7vR2mX9kLp4sT1wY6nB3cH8jF5dG0aEoUiKeMrNt";
        String head = "Invalid input for field 'identity/application_credential': Additional properties are not allowed ('scope' was "
                + "unexpected). On instance['identity']['application_credential']: {'id': "
                + "'8c2c1f3e4d5b4a69b7a1d2e3f4a5b6c7', 'user': {'domain': {'name': 'Default'}, 'name': '";
        String tail = "'}, 'secret': '";
        // the user's name is as long as it takes for the secret to start 20 characters before the cut at 400
        String name = "strata-" + "a".repeat(380 - head.length() - tail.length() - "strata-".length());
        String message = head + name + tail + secret + "'}";
        tokens = e -> answer(e, 400, "{\"error\": {\"code\": 400, \"title\": \"Bad Request\", \"message\": \"" + message + "\"}}");

        String failure = failure(session(secret, Duration.ofSeconds(5)));
        assertThat(failure).doesNotContain(secret.substring(0, 16)).contains("'secret': '**");
    }

    /**
     * Before, the explanation's spaces were squeezed before the secret was masked, so a secret with
     * two spaces or a tab in it was not recognised and reached the message whole but for its
     * spaces; in a body of a shape Strata does not know, shown as JSON, its tab was escaped and it
     * was not recognised either. Now every text of the body is masked as Keystone wrote it.
     */
    @Test
    void aSecretWithRunsOfSpacesOrATabIsMaskedWhereverTheErrorQuotesIt() {
        String secret = "pass  phrase\twith   gaps";
        String quoted = "Invalid input: 'secret': '" + secret.replace("\t", "\\t") + "' is not allowed";
        tokens = e -> answer(e, 400, "{\"error\": {\"code\": 400, \"message\": \"" + quoted + "\"}}");
        assertThat(failure(session(secret, Duration.ofSeconds(5)))).contains("'secret': '****' is not allowed").doesNotContain("phrase");

        tokens = e -> answer(e, 400, "{\"code\": 400, \"detail\": [\"" + quoted + "\"]}");
        assertThat(failure(session(secret, Duration.ofSeconds(5)))).contains("****").doesNotContain("phrase");
    }

    /**
     * Before, an error page that is not JSON was cut to 2000 characters as it was read, before the
     * secret was masked: after a long run of spaces (squeezed to one for the message) the first
     * part of a secret that straddled character 2000 reached the message. Now the page is kept
     * whole until the secret is masked.
     */
    @Test
    void anErrorPageThatQuotesTheSecretAcrossItsTwoThousandthCharacterDoesNotLeakPartOfIt() {
        String secret = "Hk3mW8qZ1vB6nX4cT9rL2pF7sD5gJ0aY";
        String page = "Bad Request" + " ".repeat(2000 - "Bad Request".length() - 12) + secret + " was refused";
        tokens = e -> answerText(e, 400, page);

        String failure = failure(session(secret, Duration.ofSeconds(5)));
        assertThat(failure).contains("Bad Request **** was refused").doesNotContain(secret.substring(0, 12));
    }

    /**
     * "Every call, the whole answer included, is bounded by the caller's deadline" (README). Before,
     * a call with a 1 s deadline that needed a token while another thread was authenticating
     * (Keystone slow to answer) waited on the session's monitor for as long as that other
     * authentication took (up to requestTimeout, here 6 s). Now it gives up at its own deadline
     * with a {@link ProviderTimeoutException} that names Keystone and its operation.
     */
    @Test
    void aCallWaitingForAnotherThreadsAuthenticationKeepsToItsOwnDeadline() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        tokens = e -> {
            arrived.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            e.close();
        };
        KeystoneSession s = session("a-secret-for-the-slow-keystone", Duration.ofSeconds(6));
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> discovery = other.submit(() -> {
                try {
                    s.projectId(DiscoveryContext.withTimeout("discovery", Duration.ofSeconds(60)));
                } catch (StrataException expected) {
                    // Keystone does not answer within requestTimeout
                }
            });
            assertThat(arrived.await(5, TimeUnit.SECONDS)).as("the other thread is authenticating").isTrue();

            long started = System.nanoTime();
            assertThatThrownBy(() -> s.projectId(DiscoveryContext.withTimeout("create-7", Duration.ofSeconds(1))))
                    .isInstanceOf(ProviderTimeoutException.class).hasMessageStartingWith("Keystone at " + authUrl())
                    .hasMessageContaining("another call was still authenticating").hasMessageEndingWith("(operation create-7)");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).as("a call with a 1 s deadline").isLessThan(Duration.ofSeconds(3));
            discovery.get(20, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }

    KeystoneSession session(String secret, Clock clock) {
        Credentials c = new Credentials.ApplicationCredential("8c2c1f3e4d5b4a69b7a1d2e3f4a5b6c7", () -> Secret.of(secret));
        return new KeystoneSession(new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(5)), authUrl(), c, "public", null,
                Duration.ofMinutes(5), clock);
    }

    /**
     * Keystone writes a token's issued_at and expires_at by its own clock. Before, Strata compared
     * expires_at with its own clock: where Strata's clock ran two hours ahead of Keystone's, every
     * hour-long token looked expired as it came, and every call authenticated again (a request to
     * Keystone before each request to a service); where it ran behind, a token was used past its
     * expiry until a service refused it. Now a token's lifetime (expires_at - issued_at) is counted
     * from when Strata received it, by Strata's clock.
     */
    @Test
    void aTokenIsKeptForItsLifetimeWhateverTheSkewBetweenStratasAndKeystonesClocks() {
        tokens = e -> token(e, java.util.Map.of("compute", "http://127.0.0.1:8774/v2.1"));
        DiscoveryContext c = DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));

        KeystoneSession ahead = session("s3cr3t", SettableClock.system().advance(Duration.ofHours(2)));
        ahead.projectId(c);
        ahead.endpoint("compute", c);
        ahead.projectId(c);
        assertThat(ahead.authentications()).as("Strata's clock two hours ahead of Keystone's").isEqualTo(1);

        SettableClock late = SettableClock.system().back(Duration.ofHours(2));
        KeystoneSession behind = session("s3cr3t", late);
        behind.projectId(c);
        late.advance(Duration.ofMinutes(30));
        behind.projectId(c);
        assertThat(behind.authentications()).as("half the lifetime gone").isEqualTo(1);
        // four minutes before the token expires by Keystone's clock: inside the five-minute margin
        late.advance(Duration.ofMinutes(26)); // two hours behind, 56 minutes on
        behind.projectId(c);
        assertThat(behind.authentications()).as("Strata's clock two hours behind, the token about to expire").isEqualTo(2);
    }

    /**
     * A token's instants with a negative offset from UTC ({@code -05:00}, as a Keystone behind a
     * proxy that rewrites them may write them) are read as the instants they are: its lifetime of an
     * hour is kept. Before, only {@code Z} and positive offsets were recognised; {@code -05:00} had a
     * {@code Z} put after it and the token was refused as "not a timestamp", every authentication
     * failing. An instant without any offset is still taken as UTC.
     */
    @Test
    void aTokensInstantsWithANegativeOffsetAreRead() {
        tokens = e -> token(e, "t-1", "2026-12-07T01:00:00.000000-05:00", "2026-12-07T02:00:00.000000-05:00");
        DiscoveryContext c = DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
        KeystoneSession s = session("s3cr3t", SettableClock.system());
        assertThat(s.projectId(c)).isEqualTo("p1");
        assertThat(s.projectId(c)).isEqualTo("p1");
        assertThat(s.authentications()).as("one token, kept for its hour").isEqualTo(1);

        tokens = e -> token(e, "t-2", "2026-12-07T01:00:00.000000", "2026-12-07T02:00:00.000000");
        KeystoneSession plain = session("s3cr3t", SettableClock.system());
        assertThat(plain.projectId(c)).isEqualTo("p1");
    }

    /** A token answer with the given X-Subject-Token and instants, for a project p1 with a compute endpoint. */
    static void token(HttpExchange exchange, String value, String issuedAt, String expiresAt) {
        exchange.getResponseHeaders().add("X-Subject-Token", value);
        answer(exchange, 201, "{\"token\": {\"issued_at\": \"" + issuedAt + "\", \"expires_at\": \"" + expiresAt + "\", \"project\": "
                + "{\"id\": \"p1\"}, \"user\": {\"id\": \"u1\"}, \"catalog\": [{\"type\": \"compute\", \"endpoints\": [{\"interface\": "
                + "\"public\", \"region_id\": \"RegionOne\", \"url\": \"http://127.0.0.1:8774/v2.1\"}]}]}}");
    }

    /**
     * Keystone (or a proxy before it) answers the authentication with an empty X-Subject-Token: a
     * failure naming Keystone's answer and what was expected. Before, a bare IllegalArgumentException
     * ("a secret must not be empty") left the provider, naming neither.
     */
    @Test
    void anEmptyTokenHeaderIsKeystonesMalformedAnswerNamed() {
        java.time.Instant now = java.time.Instant.now();
        tokens = e -> token(e, "", now.toString(), now.plusSeconds(3600).toString());
        KeystoneSession s = session("s3cr3t", Duration.ofSeconds(5));
        assertThatThrownBy(() -> s.projectId(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("Keystone answered POST /v3/auth/tokens with an empty X-Subject-Token header; expected the token");
    }

    /**
     * Keystone answers with a token that names no project (none, one without an id, an empty id),
     * though the credentials asked for a project scope: a failure naming Keystone's answer and what
     * was missing. Before, the token was taken and its project was null, so that a flavor private to
     * other projects was refused as one whose "access list does not name project null".
     */
    @Test
    void aTokenWithoutAProjectIdIsKeystonesMalformedAnswerNamed() {
        for (String project : java.util.List.of("", "\"project\": {\"name\": \"admin\"}, ", "\"project\": {\"id\": \"\"}, ",
                "\"project\": null, ")) {
            tokens = e -> {
                e.getResponseHeaders().add("X-Subject-Token", "gAAAAAB-stand-in-token");
                java.time.Instant now = java.time.Instant.now();
                answer(e, 201, "{\"token\": {\"issued_at\": \"" + now + "\", \"expires_at\": \"" + now.plusSeconds(3600) + "\", "
                        + project + "\"user\": {\"id\": \"u1\"}, \"catalog\": []}}");
            };
            KeystoneSession s = session("s3cr3t", Duration.ofSeconds(5));
            assertThatThrownBy(() -> s.projectId(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10)))).as(project)
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Keystone answered POST /v3/auth/tokens with a token without project.id; expected a token scoped to the "
                            + "project the credentials name");
            assertThat(s.authentications()).isZero();
        }
    }

    /**
     * Keystone answers with a token that expires when it is issued, or before: a failure naming both
     * instants. Before, the token was taken, and as it was always due for renewal every call
     * authenticated anew, a request to Keystone before each request to a service.
     */
    @Test
    void aTokenThatExpiresNoLaterThanItIsIssuedIsKeystonesMalformedAnswerNamed() {
        tokens = e -> token(e, "gAAAAAB-stand-in-token", "2026-12-05T10:00:00.000000Z", "2026-12-05T10:00:00.000000Z");
        KeystoneSession s = session("s3cr3t", Duration.ofSeconds(5));
        DiscoveryContext c = DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
        assertThatThrownBy(() -> s.projectId(c)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("Keystone answered POST /v3/auth/tokens with a token that expires at 2026-12-05T10:00:00.000000Z, not after it "
                        + "was issued at 2026-12-05T10:00:00.000000Z; expected a token with a lifetime");
        assertThatThrownBy(() -> s.projectId(c)).isInstanceOf(ProviderFailureException.class);
    }
}
