package dev.strata.provider.baremetal.redfish;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.bmc.Secret;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How long the client waits when a BMC answers busy with a {@code Retry-After}, and what that leaves the next attempt. */
class RedfishRetryAfterTest {

    private static final int CLIENTS = 10;

    private HttpServer server;
    private ExecutorService handlers;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        // each client (told apart by its user) is answered busy first, "come back in 3 s", then with a service root
        java.util.Map<String, AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();
        server.createContext("/redfish/v1/", exchange -> {
            String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            String who = auth.startsWith("Basic ") ? new String(java.util.Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8)
                    : auth;
            byte[] body = "{\"RedfishVersion\":\"1.6.0\"}".getBytes(StandardCharsets.UTF_8);
            if (seen.computeIfAbsent(who, k -> new AtomicInteger()).getAndIncrement() == 0) {
                exchange.getResponseHeaders().add("Retry-After", who.contains("warm") ? "0" : "3");
                exchange.sendResponseHeaders(503, -1);
            } else {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        handlers.shutdownNow();
    }

    /**
     * A busy answer's {@code Retry-After} of 3 s with 3.2 s of the deadline left: the request is
     * sent again after the 3 s asked, with the rest of the deadline to be answered in. The spread
     * (up to a tenth more) takes none of that time. Before, the spread was cut only at 1 ms before
     * the deadline: most of the callers told the same wait sent their next attempt with a
     * millisecond or so to be answered in, and failed with a time-out (for a request sent once,
     * one that may have been carried out) where the wait as asked had left time to succeed.
     */
    @Test
    void theSpreadOfARetryAfterLeavesTheNextAttemptTheTimeTheWaitAsAskedLeft() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService callers = Executors.newFixedThreadPool(CLIENTS);
        try {
            // the client, the server and the code warmed up first, so that the first request of each client below is quick
            List<Future<String>> warm = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                RedfishClient client = client(http, "warm" + i);
                warm.add(callers.submit(() -> client.serviceRoot(DiscoveryContext.withTimeout("warm", Duration.ofSeconds(30)))
                        .path("RedfishVersion").asText()));
            }
            for (Future<String> root : warm) {
                assertThat(root.get()).isEqualTo("1.6.0");
            }
            List<Future<String>> roots = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                RedfishClient client = client(http, "user" + i);
                roots.add(callers.submit(() -> client.serviceRoot(DiscoveryContext.withTimeout("retry-after", Duration.ofMillis(3200)))
                        .path("RedfishVersion").asText()));
            }
            for (Future<String> root : roots) {
                assertThat(root.get()).isEqualTo("1.6.0");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    private RedfishClient client(HttpClient http, String user) {
        return new RedfishClient(new RedfishEndpoint(user, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), user,
                Secret.of("p"), RedfishEndpoint.Auth.BASIC, null, null, Duration.ofSeconds(10), 3), http);
    }

    /** The spread never takes a wait past the 60 s cap, nor into the time a request may take before the deadline. */
    @Test
    void aRetryAfterIsSpreadWithinTheCapAndTheRoomLeftForTheNextAttempt() {
        Duration cap = RedfishClient.MAX_RETRY_AFTER;
        Duration requestTimeout = Duration.ofSeconds(10);
        for (int i = 0; i < 200; i++) {
            assertThat(RedfishClient.spreadRetryAfter(cap, Duration.ofMinutes(10), requestTimeout)).isEqualTo(cap);
            assertThat(RedfishClient.spreadRetryAfter(Duration.ofSeconds(58), Duration.ofMinutes(10), requestTimeout))
                    .isBetween(Duration.ofSeconds(58), cap);
            assertThat(RedfishClient.spreadRetryAfter(Duration.ofSeconds(10), Duration.ofMinutes(10), requestTimeout))
                    .isBetween(Duration.ofSeconds(10), Duration.ofSeconds(11));
            // 20.5 s left: the spread may take what is left beyond a request's 10 s
            assertThat(RedfishClient.spreadRetryAfter(Duration.ofSeconds(10), Duration.ofMillis(20_500), requestTimeout))
                    .isBetween(Duration.ofSeconds(10), Duration.ofMillis(10_500));
            // 12 s left: the 2 s after the wait as asked are the next attempt's, not the spread's
            assertThat(RedfishClient.spreadRetryAfter(Duration.ofSeconds(10), Duration.ofSeconds(12), requestTimeout))
                    .isEqualTo(Duration.ofSeconds(10));
        }
    }
}
