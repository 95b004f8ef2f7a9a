package dev.strata.provider.openstack.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How {@link NovaClient#createServer} tells a create request that may have made a server from one
 * that surely did not. The outcomes that the all-in-one cloud cannot produce on demand (a refused
 * connection at the moment of the request, a request timeout) are made here by a local HTTP
 * endpoint standing where Nova would; the flows around them are tested on the real cloud
 * ({@code OpenStackFaultsTest}).
 */
class NovaCreationTest {

    /**
     * What the endpoint does with {@code POST /servers}: answer a status and a body (with a
     * {@code Retry-After} unless it is null), drop the connection (-1), or hang (-2).
     */
    record Answer(int status, String body, String retryAfter) {
        Answer(int status, String body) {
            this(status, body, null);
        }
    }

    HttpServer endpoint;
    final AtomicReference<Answer> answer = new AtomicReference<>();
    /** Answers given before {@link #answer}, one request each. */
    final java.util.Queue<Answer> first = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final AtomicInteger posts = new AtomicInteger();
    final AtomicReference<String> versionDocument = new AtomicReference<>(
            "{\"version\": {\"id\": \"v2.1\", \"version\": \"2.93\", \"min_version\": \"2.1\"}}");
    NovaClient nova;

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/", this::handle);
        endpoint.setExecutor(Executors.newFixedThreadPool(4));
        endpoint.start();
        nova = client(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v2.1"));
        nova.version(context());
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
    }

    static NovaClient client(URI compute) {
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(1), Duration.ofMillis(700));
        return new NovaClient(new StaticSession(http, Map.of("compute", compute), "admin"), new ObjectMapper());
    }

    static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(10));
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        Answer a = path.equals("/v2.1/") ? new Answer(200, versionDocument.get()) : java.util.Optional.ofNullable(first.poll())
                .orElseGet(answer::get);
        if (!path.equals("/v2.1/")) {
            posts.incrementAndGet();
        }
        if (a.status() == -1) {
            throw new IOException("dropped");
        }
        if (a.status() == -2) {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("too late");
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", a.body().startsWith("{") ? "application/json" : "text/html");
        if (a.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", a.retryAfter());
        }
        exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    NovaClient.Creation create() {
        return nova.createServer(new ObjectMapper().createObjectNode().put("name", "s"), context());
    }

    /**
     * A version document whose microversion is not major.minor (or has more digits than an int
     * holds) threw a bare IllegalArgumentException or NumberFormatException out of the provider;
     * it is now Nova's malformed answer, named.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2.x", "latest", "2.99999999999"})
    void aVersionDocumentWithAMicroversionThatIsNoneIsAMalformedAnswer(String max) {
        versionDocument.set("{\"version\": {\"id\": \"v2.1\", \"version\": \"" + max + "\", \"min_version\": \"2.1\"}}");
        NovaClient fresh = client(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v2.1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.version(context()))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessage("Nova answered GET /v2.1/ with a version document whose microversions are '2.1' to '" + max + "'; expected "
                        + "major.minor such as 2.74");
    }

    @Test
    void anAcceptedRequestNamesTheServer() {
        answer.set(new Answer(202, "{\"server\": {\"id\": \"5f0c7a8e-4c1e-4a4b-9a55-3c1f2f0c9e11\"}}"));
        assertThat(create()).isEqualTo(new NovaClient.Accepted("5f0c7a8e-4c1e-4a4b-9a55-3c1f2f0c9e11"));
    }

    /**
     * A gateway's status (502, 503, 504, and the statuses above 511 that no standard defines and
     * only gateways and content networks send, such as Cloudflare's 520 and 524) may follow a
     * request that Nova took: the create is unknown, not refused, so its server is looked for.
     */
    @ParameterizedTest
    @ValueSource(ints = {502, 503, 504, 520, 522, 524, 530, 599})
    void aGatewayErrorIsUnknownAndItsPageIsNotQuoted(int status) {
        answer.set(new Answer(status, "<html>gateway page</html>"));
        NovaClient.Creation c = create();
        assertThat(c).isInstanceOf(NovaClient.Unknown.class);
        assertThat(((NovaClient.Unknown) c).why()).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageStartingWith("Nova answered " + status + " ").hasMessageContaining("to POST /v2.1/servers")
                .hasMessageNotContaining("gateway page");
    }

    @Test
    void aConnectionLostAfterSendingIsUnknown() {
        answer.set(new Answer(-1, ""));
        assertThat(create()).isInstanceOf(NovaClient.Unknown.class);
        assertThat(posts.get()).isEqualTo(1);
    }

    @Test
    void noAnswerWithinTheRequestTimeoutIsUnknown() {
        answer.set(new Answer(-2, ""));
        NovaClient.Creation c = create();
        assertThat(c).isInstanceOf(NovaClient.Unknown.class);
        assertThat(((NovaClient.Unknown) c).why()).isInstanceOf(ProviderTimeoutException.class);
    }

    @Test
    void anAcceptedAnswerWithoutAServerIdIsUnknown() {
        answer.set(new Answer(202, "{\"reservation_id\": \"r-1\"}"));
        assertThat(create()).isInstanceOf(NovaClient.Unknown.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 409, 413, 501, 505, 511})
    void anErrorOfNovaItselfIsRefused(int status) {
        answer.set(new Answer(status, "{\"badRequest\": {\"code\": " + status + ", \"message\": \"no\"}}"));
        assertThat(create()).isInstanceOf(NovaClient.Refused.class);
    }

    /**
     * A read answered with a gateway's status is an outage, retried later (it was a failure that
     * named nothing retryable for the statuses above 511), and a status without a reason phrase
     * reads without a gap.
     */
    @ParameterizedTest
    @ValueSource(ints = {502, 524, 599})
    void aReadAnsweredByAGatewayIsUnavailable(int status) {
        answer.set(new Answer(status, "<html>gateway page</html>"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.server("5f0c7a8e-4c1e-4a4b-9a55-3c1f2f0c9e11", context()))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageStartingWith("Nova answered " + status + (status == 502 ? " Bad Gateway" : "") + " to GET /v2.1/servers/")
                .hasMessageContaining(status > 511 ? "a status of a gateway or proxy before the service" : "GET");
    }

    /**
     * A 429 (a rate limit of Nova or of the gateway before it) is throttling: the request was not
     * carried out, and it is to be sent again later, not a refusal that fails the member for good.
     * It is sent again at once as often as the client's attempts allow, first.
     */
    @Test
    void aRateLimitIsRefusedAsRetryable() {
        answer.set(new Answer(429, "{\"overLimit\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}", "0"));
        NovaClient.Creation c = create();
        assertThat(c).isInstanceOf(NovaClient.Refused.class);
        assertThat(((NovaClient.Refused) c).why()).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageStartingWith("Nova answered 429 Too Many Requests to POST /v2.1/servers: Rate limit exceeded");
        assertThat(posts.get()).isEqualTo(4);
    }

    /**
     * A create the rate limit refused (429, which leaves the request undone) is sent again after
     * the {@code Retry-After}, and the server of the one request Nova took is the create's.
     */
    @Test
    void aCreateThrottledOnceIsSentAgainAndAccepted() {
        first.add(new Answer(429, "{\"overLimit\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}", "0"));
        answer.set(new Answer(202, "{\"server\": {\"id\": \"5f0c7a8e-4c1e-4a4b-9a55-3c1f2f0c9e11\"}}"));
        assertThat(create()).isEqualTo(new NovaClient.Accepted("5f0c7a8e-4c1e-4a4b-9a55-3c1f2f0c9e11"));
        assertThat(posts.get()).isEqualTo(2);
    }

    /** A gateway's 503 to a create is not sent again, even with a {@code Retry-After}: Nova may have taken the request. */
    @Test
    void aCreateAnswered503WithRetryAfterIsUnknownAndSentOnce() {
        answer.set(new Answer(503, "<html>busy</html>", "0"));
        assertThat(create()).isInstanceOf(NovaClient.Unknown.class);
        assertThat(posts.get()).isEqualTo(1);
    }

    /**
     * Nova answers a create that goes over the project's quota with 403 Forbidden. Before, that
     * read as an {@link dev.strata.platform.api.exception.AuthorizationException} saying that the
     * credentials lack the permission and that an admin role is needed, which sent the operator to
     * the roles, not the quota. Now it is a failure that names the quota; a 403 of Nova's policy
     * stays a refusal of the credentials.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Quota exceeded for instances: Requested 1, but already used 10 of 10 instances",
        "Quota exceeded for cores: Requested 4, but already used 18 of 20 cores", "Maximum number of ports exceeded"})
    void aCreateOverTheProjectsQuotaIsAFailureThatNamesTheQuota(String message) {
        answer.set(new Answer(403, "{\"forbidden\": {\"code\": 403, \"message\": \"" + message + "\"}}"));
        NovaClient.Creation c = create();
        assertThat(c).isInstanceOf(NovaClient.Refused.class);
        assertThat(((NovaClient.Refused) c).why()).isExactlyInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessage("Nova answered 403 Forbidden to POST /v2.1/servers: " + message + "; the project's quota does not allow it: "
                        + "raise the quota or free some of it");

        answer.set(new Answer(403, "{\"forbidden\": {\"code\": 403, \"message\": \"Policy doesn't allow "
                + "os_compute_api:servers:create:forced_host to be performed.\"}}"));
        assertThat(((NovaClient.Refused) create()).why()).isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class)
                .hasMessageContaining("the credentials lack the permission");
    }

    /** A 500 is Nova failing with an error of its own, possibly after it recorded the server: failed, not surely refused. */
    @Test
    void anInternalErrorOfNovaIsFailedNotRefused() {
        answer.set(new Answer(500, "{\"computeFault\": {\"code\": 500, \"message\": \"Unexpected API Error.\"}}"));
        NovaClient.Creation c = create();
        assertThat(c).isInstanceOf(NovaClient.Failed.class);
        assertThat(((NovaClient.Failed) c).why()).isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessageStartingWith("Nova answered 500 Internal Server Error to POST /v2.1/servers: Unexpected API Error.");
    }

    @Test
    void aRefusedConnectionIsRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // The microversion is known (negotiated with the endpoint), then the endpoint is gone.
        NovaClient gone = client(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v2.1"));
        gone.version(context());
        endpoint.stop(0);
        NovaClient.Creation c = gone.createServer(new ObjectMapper().createObjectNode().put("name", "s"), context());
        assertThat(c).isInstanceOf(NovaClient.Refused.class);
        assertThat(((NovaClient.Refused) c).why()).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("connection refused");
        // And one that could not even learn the microversion never sent anything.
        NovaClient nowhere = client(URI.create("http://127.0.0.1:" + port + "/v2.1"));
        assertThat(nowhere.createServer(new ObjectMapper().createObjectNode(), context())).isInstanceOf(NovaClient.Refused.class);
    }

    @Test
    void aSuccessThatIsNotJsonIsUnknown() {
        answer.set(new Answer(202, "<html>accepted</html>"));
        assertThat(create()).isInstanceOf(NovaClient.Unknown.class);
    }

    /**
     * A listing whose next link leads back to a page already read (pages a-b, c, then a-b again,
     * as from a proxy that drops the marker) is Nova's malformed answer, named. Before, the pages
     * were read again and again, their servers counted each time, until the deadline passed, and
     * the caller learnt only that the deadline had passed.
     */
    @Test
    void pagesThatLoopAreAMalformedAnswerNotReadUntilTheDeadline() {
        String next = "\"servers_links\": [{\"rel\": \"next\", \"href\": \"http://nova/v2.1/servers/detail?marker=x\"}]";
        String ab = "{\"servers\": [{\"id\": \"a\"}, {\"id\": \"b\"}], " + next + "}";
        first.add(new Answer(200, ab));
        first.add(new Answer(200, "{\"servers\": [{\"id\": \"c\"}], " + next + "}"));
        answer.set(new Answer(200, ab));
        long started = System.nanoTime();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.serversTagged("strata", DiscoveryContext.withTimeout("test",
                Duration.ofSeconds(30)))).isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessage("Nova answered GET /v2.1/servers/detail?tags=strata&limit=1000&marker=c with a page of servers that ends at b "
                        + "again, where a page before it ended, and a next link: the pages loop; expected each page to go on past the one "
                        + "before");
        assertThat(posts.get()).isEqualTo(3);
        // refused at the loop: well before the deadline (30 s), with room for a loaded machine
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    /**
     * A page whose last item has no id, with a next link, cannot be followed (the next page is
     * asked for after that item's id): Nova's malformed answer, named. Before, the listing ended
     * there without a word, and the servers of the pages after it were left out, as gone.
     */
    @Test
    void aPageWhoseLastItemHasNoIdIsAMalformedAnswerNotTheEndOfTheListing() {
        String next = "\"servers_links\": [{\"rel\": \"next\", \"href\": \"http://nova/v2.1/servers/detail?marker=x\"}]";
        first.add(new Answer(200, "{\"servers\": [{\"id\": \"a\"}, {\"name\": \"no-id\"}], " + next + "}"));
        answer.set(new Answer(200, "{\"servers\": [{\"id\": \"c\"}]}"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.serversTagged("strata", DiscoveryContext.withTimeout("test",
                Duration.ofSeconds(5)))).isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessage("Nova answered GET /v2.1/servers/detail?tags=strata&limit=1000 with a page of servers whose last item has no id, "
                        + "and a next link: the next page cannot be asked for; expected every item of a page to have its id");
        assertThat(posts.get()).isEqualTo(1);
    }

    /**
     * Nova accepts the create (202) and its answer, JSON by its Content-Type, arrives cut short: the
     * server may well exist, so the outcome is unknown (the server is looked for by its tag, and
     * the request not sent again at once), and the message names the status and what was wrong.
     * Before, it was refused as a failure, as if no server had been made: the operation failed for
     * good and the server Nova made was left to be reaped as a leak.
     */
    @Test
    void anAcceptedCreateWhoseJsonIsCutShortIsUnknown() {
        answer.set(new Answer(202, "{\"server\": {\"id\": \"6b1f0c4e-0b8a-4d3e-9c55-6a1c1e2f3a4b\", \"links\": ["));
        NovaClient.Creation c = create();
        assertThat(c).isInstanceOf(NovaClient.Unknown.class);
        assertThat(((NovaClient.Unknown) c).why()).hasMessageStartingWith("Nova answered POST /v2.1/servers with 202 and a body that is not "
                + "JSON (");
        assertThat(posts.get()).isEqualTo(1);
    }

    /**
     * The text of Nova's answers that messages and log lines quote (an item's id where the pages
     * loop, a flavor's id and name, a token the JSON parser stopped at, a {@code Retry-After}) is
     * shown printable, as Nova's error text is. Before, it went into them as Nova sent it, so a
     * line break, an escape sequence or a bidi override in it forged or hid log lines.
     */
    @Test
    void theTextOfNovasAnswersIsQuotedPrintable() throws IOException {
        String next = "\"servers_links\": [{\"rel\": \"next\", \"href\": \"http://nova/v2.1/servers/detail?marker=x\"}]";
        String ab = "{\"servers\": [{\"id\": \"a\"}, {\"id\": \"b\\u001b[2J\\n\"}], " + next + "}";
        first.add(new Answer(200, ab));
        first.add(new Answer(200, "{\"servers\": [{\"id\": \"c\"}], " + next + "}"));
        first.add(new Answer(200, ab));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.serversTagged("strata", context()))
                .hasMessageContaining(" with a page of servers that ends at b\\u001b[2J\\u000a again, where a page before it ended");

        first.add(new Answer(200, "{\"flavor\": {\"id\": \"f\\u001b[2J\"}}"));
        first.add(new Answer(404, "{\"itemNotFound\": {\"code\": 404, \"message\": \"gone\"}}"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.createFlavor("strata-1c-512m-1g", 1, 512, 1, Map.of(), context()))
                .hasMessage("flavor strata-1c-512m-1g (f\\u001b[2J) vanished after it was created");
        first.add(new Answer(200, "{\"extra_specs\": {\"resources:PGPU\": \"1\"}}"));
        first.add(new Answer(404, "{\"itemNotFound\": {\"code\": 404, \"message\": \"gone\"}}"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.completeFlavor(new Flavor("g\u202e", "gpu\n[main] INFO forged", 1, 512, 1,
                true, Map.of()), new Flavor("new", "gpu\n[main] INFO forged", 1, 512, 1, true, Map.of("resources:PGPU", "1")), context()))
                .hasMessage("flavor gpu\\u000a[main] INFO forged (g\\u202e) vanished while its extra specs were set");

        first.add(new Answer(200, "{\"servers\": tru\u202e\u001b[2J}"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nova.serversTagged("strata", context()))
                .hasMessageContaining(" with 200 and a body that is not JSON (Unrecognized token 'tru\\u202e\\u001b'")
                .message().doesNotContain("\u202e").doesNotContain("\u001b");

        String tag = java.util.UUID.randomUUID().toString().substring(0, 8);
        // the JDK's client refuses a C0 control in a header, not a C1 one: a NEL (U+0085) breaks the line in some log viewers
        first.add(new Answer(429, "{\"overLimit\": {\"code\": 429, \"message\": \"slow down\"}}", "soon\u0085" + tag));
        answer.set(new Answer(200, "{\"servers\": []}"));
        assertThat(nova.serversTagged("strata", context())).isEmpty();
        String log = java.nio.file.Files.readString(dev.strata.provider.openstack.LogFile.path());
        assertThat(log).contains("(Retry-After soon\\u0085" + tag + ")").doesNotContain("soon\u0085" + tag);
    }

    /**
     * The JDK's HTTP client quotes an invalid status line as the server sent it; the message and
     * the DEBUG line of the failed call show it printable. Before, an escape sequence or a line
     * break in it reached both as it came.
     */
    @Test
    void anInvalidStatusLineIsQuotedPrintable() throws Exception {
        String tag = java.util.UUID.randomUUID().toString().substring(0, 8);
        try (ServerSocket raw = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                while (!raw.isClosed()) {
                    try (java.net.Socket s = raw.accept()) {
                        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                                StandardCharsets.ISO_8859_1));
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            // the request's head, read to its end
                        }
                        s.getOutputStream().write(("HTTP/1.1 2\u001b[2J" + tag + " OK\r\nContent-Length: 0\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            NovaClient broken = client(URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/v2.1"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> broken.version(context())).isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("Invalid status line: \"HTTP/1.1 2\\u001b[2J" + tag + " OK\"")
                    .message().doesNotContain("\u001b");
        }
        String log = java.nio.file.Files.readString(dev.strata.provider.openstack.LogFile.path());
        assertThat(log).contains("HTTP/1.1 2\\u001b[2J" + tag).doesNotContain("2\u001b[2J" + tag);
    }

    /**
     * A compute URL in the service catalogue that carries a user and password (a misconfigured
     * catalogue): Nova that cannot be reached there is named by scheme, host and port, and Nova that
     * offers too old microversions by the URL with its credentials masked; the password reaches
     * neither message. Before, the first named the URL's authority, user info included, and the
     * second the URL as it was. A path holding a bidi control (a URI admits one raw) is shown as its
     * escape in the call the message names.
     */
    @Test
    void aCatalogueUrlsUserInfoReachesNoMessage() throws Exception {
        String password = "Pw-" + java.util.UUID.randomUUID();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        NovaClient unreachable = client(URI.create("http://nova:" + password + "@127.0.0.1:" + closed + "/v2.1\u202e"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> unreachable.version(context()))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("Nova at http://127.0.0.1:" + closed + " cannot be reached: connection refused (GET /v2.1\\u202e/)")
                .message().doesNotContain(password);

        versionDocument.set("{\"version\": {\"id\": \"v2.1\", \"version\": \"2.10\", \"min_version\": \"2.1\"}}");
        int port = endpoint.getAddress().getPort();
        NovaClient old = client(URI.create("http://nova:" + password + "@127.0.0.1:" + port + "/v2.1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> old.version(context()))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessageStartingWith("Nova at http://****@127.0.0.1:" + port + "/v2.1/ offers microversions 2.1 to 2.10; Strata needs at least")
                .message().doesNotContain(password);
    }
}
