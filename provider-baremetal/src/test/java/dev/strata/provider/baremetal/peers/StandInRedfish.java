package dev.strata.provider.baremetal.peers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a Redfish service with one system, on the JDK's HTTP server. It is used only
 * where the emulator (sushy-tools, {@link SushyEmulator}) cannot do what a test needs: count the
 * session logins (and the user each named) and the session deletes, hold a login, a read or a
 * session delete until the test releases it (a BMC that answers slowly or not at all, at a moment
 * the test chooses), answer the system's power state the test sets without ever changing it, run
 * the test's code while a reset is sent, or answer every read with HTTP 500 and a label saying
 * which BMC was read. Every other test reads the emulator.
 *
 * <p>It answers the service root (with a session service) at {@code /redfish/v1}, makes session
 * {@link #SESSION} on a POST to {@link #SESSIONS} (token {@code token-<label>}), deletes it with
 * 204, answers a reset of {@link #SYSTEM} with 204, and {@link #SYSTEM} with its power state; any
 * other path gets the service root, or with {@link #failReads} HTTP 500.
 */
public final class StandInRedfish implements AutoCloseable {

    public static final String SYSTEM = "/redfish/v1/Systems/1";
    public static final String RESET = SYSTEM + "/Actions/ComputerSystem.Reset";
    public static final String SESSIONS = "/redfish/v1/SessionService/Sessions";
    public static final String SESSION = SESSIONS + "/1";

    /**
     * Where requests of one kind wait until the test lets them go: {@link #arrived} says one came,
     * {@link #release} lets it (and every later one) be answered. Released when the stand-in stops.
     */
    public static final class Gate {
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch open = new CountDownLatch(1);
        private volatile Runnable onPass = () -> { };

        /** Whether a request reached the gate within {@code within}. */
        public boolean arrived(Duration within) throws InterruptedException {
            return arrived.await(within.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Lets the requests held here be answered, and every later one at once. */
        public void release() {
            open.countDown();
        }

        /** Runs {@code action} in each held request once it is let go, before it is answered. */
        public Gate whenPassed(Runnable action) {
            onPass = action;
            return this;
        }

        private void pass() throws InterruptedException {
            arrived.countDown();
            if (open.await(60, TimeUnit.SECONDS)) {
                onPass.run();
            }
        }
    }

    private final String label;
    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger deletes = new AtomicInteger();
    private final List<String> logins = new CopyOnWriteArrayList<>();
    private final CountDownLatch deleteArrived = new CountDownLatch(1);
    private final CountDownLatch readArrived = new CountDownLatch(1);
    private final List<Gate> gates = new CopyOnWriteArrayList<>();
    private volatile String power = "On";
    private volatile boolean failReads;
    private volatile Gate loginGate;
    private volatile Gate readGate;
    private volatile Gate deleteGate;
    private volatile Runnable onReset = () -> { };

    private StandInRedfish(String label, int threadCount) {
        this.label = label;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        threads = Executors.newFixedThreadPool(threadCount);
        server.setExecutor(threads);
        server.start();
    }

    /** A stand-in answering on 127.0.0.1 with {@code threadCount} requests at a time, its answers labelled {@code label}. */
    public static StandInRedfish start(String label, int threadCount) {
        return new StandInRedfish(label, threadCount);
    }

    /** The address, {@code http://127.0.0.1:<port>}. */
    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Sets the power state the system answers with ({@code On}, {@code Off}). */
    public StandInRedfish power(String state) {
        power = state;
        return this;
    }

    /** Answers every read but of the service root and the sessions with HTTP 500 and {@code stand-in <label>}. */
    public StandInRedfish failReads() {
        failReads = true;
        return this;
    }

    /** Runs {@code action} while a reset is sent, before it is answered. */
    public StandInRedfish onReset(Runnable action) {
        onReset = action;
        return this;
    }

    /** Holds every login (POST to the sessions) from now on until the gate is released. */
    public Gate holdLogins() {
        return loginGate = gate();
    }

    /** Holds every read (a request for the system or, with {@link #failReads}, another resource) until the gate is released. */
    public Gate holdReads() {
        return readGate = gate();
    }

    /** Holds every session delete until the gate is released (or the stand-in stops): a BMC that never answers it. */
    public Gate holdSessionDeletes() {
        return deleteGate = gate();
    }

    private Gate gate() {
        Gate g = new Gate();
        gates.add(g);
        return g;
    }

    /** How many requests arrived, of any kind. */
    public int requests() {
        return requests.get();
    }

    /** The user names of the session logins that arrived, in order. */
    public List<String> logins() {
        return logins;
    }

    /** How many session deletes arrived. */
    public int deletes() {
        return deletes.get();
    }

    /** Whether a session delete arrived within {@code within}. */
    public boolean awaitDelete(Duration within) throws InterruptedException {
        return deleteArrived.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether a read arrived within {@code within}. */
    public boolean awaitRead(Duration within) throws InterruptedException {
        return readArrived.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (method.equals("GET") && (path.equals("/redfish/v1") || path.equals("/redfish/v1/"))) {
                answer(exchange, 200, root());
            } else if (method.equals("POST") && path.equals(SESSIONS)) {
                logins.add(body.replaceAll("(?s).*\"UserName\"\\s*:\\s*\"([^\"]*)\".*", "$1"));
                pass(loginGate);
                exchange.getResponseHeaders().add("X-Auth-Token", "token-" + label);
                exchange.getResponseHeaders().add("Location", SESSION);
                answer(exchange, 201, "{\"@odata.id\": \"" + SESSION + "\"}");
            } else if (method.equals("DELETE") && path.equals(SESSION)) {
                deletes.incrementAndGet();
                deleteArrived.countDown();
                pass(deleteGate);
                answer(exchange, 204, null);
            } else if (method.equals("POST") && path.equals(RESET)) {
                onReset.run();
                answer(exchange, 204, null);
            } else if (failReads) {
                readArrived.countDown();
                pass(readGate);
                answer(exchange, 500, "{\"error\": {\"code\": \"Base.1.0.InternalError\", \"message\": \"stand-in " + label + "\"}}");
            } else if (path.equals(SYSTEM)) {
                readArrived.countDown();
                pass(readGate);
                answer(exchange, 200, "{\"@odata.id\": \"" + SYSTEM + "\", \"PowerState\": \"" + power + "\", \"Actions\": "
                        + "{\"#ComputerSystem.Reset\": {\"target\": \"" + RESET + "\"}}}");
            } else {
                answer(exchange, 200, root());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    private static void pass(Gate gate) throws InterruptedException {
        if (gate != null) {
            gate.pass();
        }
    }

    private static String root() {
        return "{\"RedfishVersion\": \"1.6.0\", \"Systems\": {\"@odata.id\": \"/redfish/v1/Systems\"}, "
                + "\"SessionService\": {\"@odata.id\": \"/redfish/v1/SessionService\"}, "
                + "\"Links\": {\"Sessions\": {\"@odata.id\": \"" + SESSIONS + "\"}}}";
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        if (json == null) {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        byte[] out = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, out.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
        }
        exchange.close();
    }

    /** Releases every gate and stops answering. */
    @Override
    public void close() {
        gates.forEach(Gate::release);
        server.stop(0);
        threads.shutdownNow();
    }
}
