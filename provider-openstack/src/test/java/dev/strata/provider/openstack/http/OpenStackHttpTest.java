package dev.strata.provider.openstack.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.LogFile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How long {@link OpenStackHttp#send} may take when a service stops in the middle of an answer,
 * and how it waits and sends a call again when a service throttles it (429 Too Many Requests, or
 * 503 Service Unavailable with a {@code Retry-After}): things the all-in-one cloud does not do on
 * demand, made here by a local HTTP endpoint. The endpoint stands in for a rate-limited cloud only
 * because no real peer on this machine rate-limits: neither the all-in-one OpenStack nor the
 * Placement of the tests runs a rate limit before its API, so none answers 429 or a
 * {@code Retry-After}, and a test cannot make one do so.
 */
class OpenStackHttpTest {

    HttpServer endpoint;
    ExecutorService threads;
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/stall", this::stallInTheBody);
        endpoint.createContext("/answers", this::answerInTurn);
        endpoint.createContext("/resource_providers", this::providersWithoutEnd);
        endpoint.createContext("/declared", this::declaringAHugeBody);
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

    /** The status line, the headers and the first bytes of a JSON body, then nothing for 20 s. */
    private void stallInTheBody(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 100);
        OutputStream out = exchange.getResponseBody();
        out.write("{\"servers\": [".getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.close();
    }

    /** How much of {@code /resource_providers}'s body to send (-1: until the client closes the connection). */
    volatile long providerBytes = -1;
    /** How much of it was sent before the client closed the connection, or all of it. */
    final AtomicReference<Long> providerBytesSent = new AtomicReference<>();

    /**
     * A listing of resource providers as Placement writes it, chunked (no Content-Length), that
     * goes on for {@link #providerBytes} or until the client closes the connection.
     */
    private void providersWithoutEnd(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        long sent = 0;
        try (OutputStream out = exchange.getResponseBody()) {
            byte[] head = "{\"resource_providers\": [".getBytes(StandardCharsets.UTF_8);
            out.write(head);
            sent += head.length;
            StringBuilder chunk = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                chunk.append("{\"uuid\": \"").append(java.util.UUID.randomUUID()).append("\", \"name\": \"compute-").append(i)
                        .append("\", \"generation\": 1},");
            }
            byte[] many = chunk.toString().getBytes(StandardCharsets.UTF_8);
            long limit = providerBytes;
            while (limit < 0 || sent + many.length < limit) {
                out.write(many);
                sent += many.length;
            }
            out.write("{\"uuid\": \"last\"}]}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedByTheClient) {
            // the client stopped reading
        } finally {
            providerBytesSent.set(sent);
            exchange.close();
        }
    }

    /** A 200 whose Content-Length says 10 GiB, and then a few bytes. */
    private void declaringAHugeBody(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 10L << 30);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("{\"resource_providers\": [".getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedByTheClient) {
            // the client did not read it
        } finally {
            exchange.close();
        }
    }

    /** An answer of {@code /answers}: a status, and a {@code Retry-After} or none (null). */
    record Scripted(int status, String retryAfter) {
    }

    static final String SUBJECT_TOKEN = "gAAAAABsubject-token-of-the-stand-in";
    static final String REQUEST_TOKEN = "gAAAAABrequest-token-of-the-test";

    /** What {@code /answers} answers, one after the other; the last one again once they run out. */
    final List<Scripted> script = new CopyOnWriteArrayList<>();
    /** The requests {@code /answers} had: each one's method and body. */
    final List<String> received = new CopyOnWriteArrayList<>();

    private void answerInTurn(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int n;
        synchronized (received) {
            n = received.size();
            received.add(exchange.getRequestMethod() + " " + body);
        }
        Scripted answer = script.get(Math.min(n, script.size() - 1));
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
        }
        // a header that is a secret (Keystone's token travels in it): it must not reach the log
        exchange.getResponseHeaders().add("X-Subject-Token", SUBJECT_TOKEN);
        byte[] json = (answer.status() < 300 ? "{\"server\": {\"id\": \"s-1\"}}" : "{\"overLimit\": {\"code\": " + answer.status()
                + ", \"message\": \"Rate limit exceeded\"}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    private URI answers() {
        return URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/answers");
    }

    private static OpenStackHttp http() {
        return new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    private static DiscoveryContext within(Duration deadline) {
        return DiscoveryContext.withTimeout("test", deadline);
    }

    /** A POST as a server create is sent: not idempotent. */
    private ApiRequest postToAnswers() {
        return ApiRequest.of("Nova", "POST", answers(), new ObjectMapper().createObjectNode().put("name", "s"));
    }

    @Test
    void aGetAnswered429WithRetryAfterIsSentAgainAfterTheWaitAndSucceeds() {
        script.addAll(List.of(new Scripted(429, "1"), new Scripted(200, null)));
        long started = System.nanoTime();
        ApiResponse r = http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(10)), text -> text);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(r.status()).isEqualTo(200);
        assertThat(received).containsExactly("GET ", "GET ");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    /** Without a {@code Retry-After}, the call is sent again after a backoff (half a second, give or take a tenth, at first). */
    @Test
    void aGetAnswered429WithoutRetryAfterIsSentAgainAfterABackoff() {
        script.addAll(List.of(new Scripted(429, null), new Scripted(200, null)));
        long started = System.nanoTime();
        ApiResponse r = http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(10)), text -> text);
        assertThat(r.status()).isEqualTo(200);
        assertThat(received).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(440));
    }

    /**
     * A 429 means that the request was not carried out (the rate limit refused it), so even a
     * request that is not idempotent, such as the POST that creates a server, is sent again, with
     * the same body.
     */
    @Test
    void aPostAnswered429IsSentAgainAndSucceeds() {
        script.addAll(List.of(new Scripted(429, "0"), new Scripted(201, null)));
        ApiRequest create = postToAnswers();
        assertThat(create.idempotent()).isFalse();
        ApiResponse r = http().send(create, within(Duration.ofSeconds(10)), text -> text);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().path("server").path("id").asText()).isEqualTo("s-1");
        assertThat(received).containsExactly("POST {\"name\":\"s\"}", "POST {\"name\":\"s\"}");
    }

    /** A {@code Retry-After} may be an HTTP date: the call waits until then (here between one and two seconds, the date having whole seconds). */
    @Test
    void aRetryAfterThatIsAnHttpDateIsWaitedFor() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
        script.addAll(List.of(new Scripted(429, date), new Scripted(200, null)));
        long started = System.nanoTime();
        ApiResponse r = http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(10)), text -> text);
        assertThat(r.status()).isEqualTo(200);
        assertThat(received).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    /**
     * A wait that would not leave time for another attempt within the deadline is not begun: the
     * call fails at once, throttled, saying how long the service asked to wait and how much of the
     * deadline was left.
     */
    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnceNamingTheWait() {
        script.add(new Scripted(429, "30"));
        long started = System.nanoTime();
        assertThatThrownBy(() -> http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(20)), text -> text))
                .isInstanceOf(OpenStackErrors.Throttled.class)
                .hasMessageStartingWith("Nova answered 429 Too Many Requests to GET /answers: Rate limit exceeded")
                .hasMessageContaining("(retry after 30)")
                .hasMessageMatching("(?s).*; not sent again: the service asked to wait 30 s and [0-9.]+ s of the deadline was left$");
        // at once: well before the deadline (20 s), with room for a loaded machine
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(received).hasSize(1);
    }

    /**
     * A 503 with a {@code Retry-After} is sent again when the call is idempotent; a POST that is
     * not is answered as before (a 503 may come from a gateway whose backend acted on the
     * request), and so is a 503 without a {@code Retry-After}.
     */
    @Test
    void a503WithRetryAfterIsSentAgainForAGetButNotForAPost() {
        script.addAll(List.of(new Scripted(503, "0"), new Scripted(200, null)));
        assertThat(http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(10)), text -> text).status()).isEqualTo(200);
        assertThat(received).hasSize(2);

        received.clear();
        assertThatThrownBy(() -> http().send(postToAnswers(), within(Duration.ofSeconds(10)), text -> text))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageStartingWith("Nova answered 503 Service Unavailable to POST /answers");
        assertThat(received).hasSize(1);

        received.clear();
        script.set(0, new Scripted(503, null));
        assertThatThrownBy(() -> http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(10)), text -> text))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageStartingWith("Nova answered 503 Service Unavailable to GET /answers");
        assertThat(received).hasSize(1);
    }

    /** Each wait is logged at DEBUG with the call, the status, the wait and the {@code Retry-After}; no token, no body. */
    @Test
    void eachWaitIsLoggedWithoutATokenOrABody() throws IOException {
        script.addAll(List.of(new Scripted(429, "0"), new Scripted(200, null)));
        ApiRequest get = ApiRequest.get("Nova", answers()).withHeader("X-Auth-Token", REQUEST_TOKEN);
        assertThat(http().send(get, within(Duration.ofSeconds(10)), text -> text).status()).isEqualTo(200);
        assertThat(LogFile.path()).content(StandardCharsets.UTF_8)
                .contains("DEBUG " + OpenStackHttp.class.getName() + " - Nova GET /answers -> 429; sending it again in 0 ms (Retry-After 0), "
                        + "attempt 2 of 4");
        LogFile.assertNoneOf(REQUEST_TOKEN, SUBJECT_TOKEN);
        assertThat(Files.readAllLines(LogFile.path(), StandardCharsets.UTF_8)).filteredOn(line -> line.contains(OpenStackHttp.class.getName() + " - "))
                .isNotEmpty().noneMatch(line -> line.contains("Rate limit exceeded"));
    }

    /** A service that throttles every attempt gets four of them (the first and three more), and the call fails throttled. */
    @Test
    void aServiceThatKeepsThrottlingGetsFourAttempts() {
        script.add(new Scripted(429, "0"));
        assertThatThrownBy(() -> http().send(postToAnswers(), within(Duration.ofSeconds(10)), text -> text))
                .isInstanceOf(OpenStackErrors.Throttled.class).hasMessageEndingWith("; not sent again: this was attempt 4 of 4");
        assertThat(received).hasSize(4);
    }

    /** An interrupt ends the wait at once, as a timeout of the call, and the thread stays interrupted. */
    @Test
    void anInterruptDuringTheWaitEndsIt() throws InterruptedException {
        script.add(new Scripted(429, "20"));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                http().send(ApiRequest.get("Nova", answers()), within(Duration.ofSeconds(30)), text -> text);
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        long started = System.nanoTime();
        caller.start();
        while (received.isEmpty() && caller.isAlive()) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        caller.interrupt();
        caller.join(5000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(thrown.get()).isInstanceOf(ProviderTimeoutException.class)
                .hasMessage("interrupted while waiting to send GET /answers to Nova again after it throttled the call");
        assertThat(stillInterrupted).isTrue();
        assertThat(received).hasSize(1);
    }

    /**
     * Placement's listing of resource providers is not paged: a service (or a proxy before it) that
     * answers it with more than 64 MiB has its answer cut at 64 MiB and the call fails, naming the
     * service's address, the call, the bound and how much was read. Before, the whole body was
     * read into memory, as large as it came (here 72 MiB, taken as a listing).
     */
    @Test
    void anAnswerLongerThan64MiBIsNotReadIntoMemory() {
        providerBytes = 72L << 20;
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(60));
        ApiRequest request = ApiRequest.get("Placement", URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/resource_providers?in_tree=x"));
        assertThatThrownBy(() -> http.send(request, within(Duration.ofSeconds(60)), text -> text))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessageStartingWith("Placement at http://127.0.0.1:" + endpoint.getAddress().getPort() + " answered GET "
                        + "/resource_providers?in_tree=x with a body longer than 64 MiB, the most Strata reads of an answer: ")
                .hasMessageEndingWith(" bytes were read before reading stopped");
    }

    /**
     * The bound (here 64 KiB, injected) holds for a body without end: reading stops past it, the
     * connection is closed, and the call fails at once, not at its deadline; a GET is not sent again.
     * A body whose Content-Length is over the bound is refused before any of it is read.
     */
    @Test
    void aBodyWithoutEndIsCutAtTheBoundAndItsConnectionClosed() throws InterruptedException {
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(30), 64 * 1024);
        int port = endpoint.getAddress().getPort();
        long started = System.nanoTime();
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> http.send(
                ApiRequest.get("Placement", URI.create("http://127.0.0.1:" + port + "/resource_providers")), within(Duration.ofSeconds(30)),
                text -> text));
        assertThat(failure).isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessageStartingWith("Placement at http://127.0.0.1:" + port + " answered GET /resource_providers with a body longer "
                        + "than 65536 bytes, the most Strata reads of an answer: ");
        long read = Long.parseLong(failure.getMessage().replaceAll(".*: (\\d+) bytes were read before reading stopped$", "$1"));
        assertThat(read).isGreaterThan(64 * 1024).isLessThan(1L << 20);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        for (int i = 0; i < 100 && providerBytesSent.get() == null; i++) {
            Thread.sleep(100);
        }
        assertThat(providerBytesSent.get()).as("the endless answer stopped: its connection was closed").isNotNull();

        assertThatThrownBy(() -> http.send(ApiRequest.get("Placement", URI.create("http://127.0.0.1:" + port + "/declared")),
                within(Duration.ofSeconds(30)), text -> text))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                .hasMessage("Placement at http://127.0.0.1:" + port + " answered GET /declared with a body longer than 65536 bytes, the "
                        + "most Strata reads of an answer: its Content-Length is 10737418240 bytes; nothing of it was read");
        assertThat(OpenStackErrors.bytes(OpenStackHttp.MAX_BODY_BYTES)).isEqualTo("64 MiB");
    }

    @Test
    void aServiceThatStallsInTheMiddleOfItsAnswerCostsNoMoreThanTheRequestTimeout() {
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(1));
        ApiRequest request = ApiRequest.get("Nova", URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/stall"));
        long started = System.nanoTime();
        assertThatThrownBy(() -> http.send(request, DiscoveryContext.withTimeout("test", Duration.ofSeconds(30)), text -> text))
                .isInstanceOf(ProviderTimeoutException.class).hasMessageStartingWith("Nova did not answer GET /stall within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aServiceThatStallsInTheMiddleOfItsAnswerCostsNoMoreThanTheDeadline() {
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(1), Duration.ofSeconds(30));
        ApiRequest request = ApiRequest.get("Nova", URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/stall"));
        long started = System.nanoTime();
        assertThatThrownBy(() -> http.send(request, DiscoveryContext.withTimeout("test", Duration.ofSeconds(2)), text -> text))
                .isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("did not answer GET /stall");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
    }

    private static ApiResponse throttledWith(String retryAfter) {
        return new ApiResponse(429, java.net.http.HttpHeaders.of(java.util.Map.of("Retry-After", List.of(retryAfter)), (k, v) -> true),
                null);
    }

    private static java.util.Optional<Duration> waitAt(String now, String retryAfter) {
        return OpenStackHttp.retryAfter(throttledWith(retryAfter), java.time.Clock.fixed(java.time.Instant.parse(now), ZoneOffset.UTC));
    }

    /**
     * A {@code Retry-After} in the obsolete rfc850 or asctime form, which HTTP has a recipient
     * accept (the forms themselves: {@code RetryAfterTest} in platform-api), is a wait.
     */
    @Test
    void aRetryAfterInAnObsoleteDateFormIsAWait() {
        String now = "1994-11-06T08:49:30Z";
        assertThat(waitAt(now, "Sunday, 06-Nov-94 08:49:37 GMT")).contains(Duration.ofSeconds(7));
        assertThat(waitAt(now, "Sun Nov  6 08:49:37 1994")).contains(Duration.ofSeconds(7));
        assertThat(waitAt(now, "99999999999999999999")).contains(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(waitAt(now, "soon")).isEmpty();
    }

    /**
     * A {@code Retry-After} is waited for at most {@link OpenStackHttp#MAX_RETRY_AFTER} (60 s), its
     * spread included: one that asks for 120 s, or for 60 s, waits 60 s, not up to 66 s; a shorter
     * one is spread up to the cap, and within what the deadline leaves for another attempt. Before,
     * the wait was capped first and then spread, up to a tenth past the cap.
     */
    @Test
    void aRetryAfterWaitIsSpreadNoFurtherThanTheCap() {
        Duration cap = OpenStackHttp.MAX_RETRY_AFTER;
        for (int i = 0; i < 200; i++) {
            Duration asked = waitAt("2026-12-05T10:00:00Z", "120").orElseThrow();
            Duration due = asked.compareTo(cap) > 0 ? cap : asked;
            assertThat(OpenStackHttp.spreadRetryAfter(due, Duration.ofMinutes(10))).isEqualTo(cap);
            assertThat(OpenStackHttp.spreadRetryAfter(Duration.ofSeconds(58), Duration.ofMinutes(10))).isBetween(Duration.ofSeconds(58), cap);
            assertThat(OpenStackHttp.spreadRetryAfter(Duration.ofSeconds(10), Duration.ofMinutes(10))).isBetween(Duration.ofSeconds(10),
                    Duration.ofSeconds(11));
            assertThat(OpenStackHttp.spreadRetryAfter(Duration.ofSeconds(10), Duration.ofMillis(10_200)))
                    .isBetween(Duration.ofSeconds(10), Duration.ofMillis(10_200).minus(OpenStackHttp.ATTEMPT_ROOM));
        }
    }
}
