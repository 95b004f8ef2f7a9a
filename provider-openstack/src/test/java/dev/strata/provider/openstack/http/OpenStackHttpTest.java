package dev.strata.provider.openstack.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How long {@link OpenStackHttp#send} may take when a service stops in the middle of an answer:
 * things the all-in-one cloud does not do on demand, made here by a local HTTP endpoint.
 */
class OpenStackHttpTest {

    HttpServer endpoint;
    ExecutorService threads;
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/stall", this::stallInTheBody);
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
}
