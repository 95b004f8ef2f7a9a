package dev.strata.provider.openstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A hand-written HTTP proxy in front of the all-in-one cloud's real Nova, in the place of the
 * gateway (HAProxy, nginx, an ingress) that stands before nova-api in a real cloud, for the faults
 * such a gateway shows and no Nova does on its own: it passes a request on and then loses Nova's
 * answer (502, 504, or a connection closed without any answer), answers 504 at once while it
 * passes the request on only later (a backend that was slow to take it), or answers in Nova's
 * stead without passing the request on. Every answer that is not injected is Nova's own; every
 * request is recorded (method, path, the status the client got), never a header.
 *
 * <p>{@link #session(Session)} puts it between a provider and Nova: the compute endpoint of the
 * catalogue is replaced by the proxy's, everything else is the real session's.
 */
final class NovaProxy implements AutoCloseable {

    /** A request as the client saw it: {@code status} is -1 where the connection was closed without an answer. */
    record Seen(String method, String path, int status) {
    }

    /**
     * What to do with the next {@code left} requests that match: pass them on first or not, and
     * answer what.
     *
     * @param status the status the client gets; -1: the connection is closed without an answer;
     *     0: Nova's own answer
     * @param forward whether Nova gets the request
     * @param forwardAfter how long after answering the client the request is passed on (zero:
     *     before answering, and the client is answered once Nova has answered the proxy)
     */
    private record Fault(String method, Pattern path, AtomicInteger left, int status, boolean forward, Duration forwardAfter) {
        boolean matches(String m, String p) {
            return method.equals(m) && path.matcher(p).matches() && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }
    }

    private static final Set<String> HOP = Set.of("connection", "content-length", "host", "transfer-encoding", "expect", "upgrade",
            "keep-alive");

    private final HttpServer server;
    private final URI nova;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService later = Executors.newCachedThreadPool();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger forwardedLater = new AtomicInteger();

    private NovaProxy(HttpServer server, URI nova) {
        this.server = server;
        this.nova = nova;
    }

    /** A proxy passing requests to the Nova at {@code nova} (scheme and authority are used). */
    static NovaProxy start(URI nova) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        NovaProxy proxy = new NovaProxy(server, nova);
        server.createContext("/", proxy::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        return proxy;
    }

    /** The next {@code times} matching requests reach Nova, and the client gets {@code status} instead of Nova's answer (-1: none). */
    NovaProxy loseAnswer(String method, String pathRegex, int times, int status) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), new AtomicInteger(times), status, true, Duration.ZERO));
        return this;
    }

    /** The next {@code times} matching requests are answered {@code status} at once and reach Nova only {@code after} that. */
    NovaProxy answerThenForward(String method, String pathRegex, int times, int status, Duration after) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), new AtomicInteger(times), status, true, after));
        return this;
    }

    /** The next {@code times} matching requests are answered {@code status} (-1: the connection closed) without reaching Nova. */
    NovaProxy refuse(String method, String pathRegex, int times, int status) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), new AtomicInteger(times), status, false, Duration.ZERO));
        return this;
    }

    /** Every request seen so far. */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** How many requests of this method and path the proxy saw. */
    long count(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return seen.stream().filter(s -> s.method().equals(method) && p.matcher(s.path()).matches()).count();
    }

    /** Requests answered first and passed on later that have reached Nova by now. */
    int forwardedLater() {
        return forwardedLater.get();
    }

    /** A session like {@code real} whose compute endpoint is this proxy. */
    Session session(Session real) {
        NovaProxy proxy = this;
        return new Session() {
            @Override
            public URI endpoint(String serviceType, DiscoveryContext context) {
                URI uri = real.endpoint(serviceType, context);
                return serviceType.equals("compute") ? proxy.rewrite(uri) : uri;
            }

            @Override
            public boolean offers(String serviceType, DiscoveryContext context) {
                return real.offers(serviceType, context);
            }

            @Override
            public boolean lists(String serviceType, DiscoveryContext context) {
                return real.lists(serviceType, context);
            }

            @Override
            public ApiResponse send(ApiRequest request, DiscoveryContext context) {
                return real.send(request, context);
            }

            @Override
            public String projectId(DiscoveryContext context) {
                return real.projectId(context);
            }

            @Override
            public String describe() {
                return real.describe() + ", Nova through a test proxy";
            }
        };
    }

    private URI rewrite(URI uri) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        Fault fault = faults.stream().filter(f -> f.matches(method, path)).findFirst().orElse(null);
        try (exchange) {
            if (fault == null) {
                HttpResponse<byte[]> answer = forward(exchange, method, body);
                reply(exchange, method, path, answer.statusCode(), answer.headers().map(), answer.body());
                return;
            }
            if (fault.forward() && fault.forwardAfter().isZero()) {
                HttpResponse<byte[]> answer = forward(exchange, method, body);
                if (fault.status() == 0) {
                    reply(exchange, method, path, answer.statusCode(), answer.headers().map(), answer.body());
                    return;
                }
            } else if (fault.forward()) {
                Map<String, List<String>> headers = Map.copyOf(exchange.getRequestHeaders());
                later.submit(() -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(fault.forwardAfter().toMillis());
                        forward(exchange.getRequestURI(), headers, method, body);
                        forwardedLater.incrementAndGet();
                    } catch (IOException | InterruptedException e) {
                        // The test sees that the request never reached Nova (forwardedLater stays behind).
                    }
                    return null;
                });
            }
            if (fault.status() < 0) {
                seen.add(new Seen(method, path, -1));
                // HttpServer closes the connection of an exchange whose handler throws before answering.
                throw new IOException("connection dropped by the test proxy");
            }
            byte[] page = ("<html><body><h1>" + fault.status() + " injected by the test proxy</h1></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            reply(exchange, method, path, fault.status(), Map.of("Content-Type", List.of("text/html")), page);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, String method, byte[] body) throws IOException, InterruptedException {
        return forward(exchange.getRequestURI(), exchange.getRequestHeaders(), method, body);
    }

    private HttpResponse<byte[]> forward(URI requestUri, Map<String, List<String>> headers, String method, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(nova.resolve(requestUri.toString())).timeout(Duration.ofSeconds(60))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, values) -> {
            if (!HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void reply(HttpExchange exchange, String method, String path, int status, Map<String, List<String>> headers, byte[] body)
            throws IOException {
        headers.forEach((name, values) -> {
            if (!HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        seen.add(new Seen(method, path, status));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        later.shutdownNow();
    }
}
