package dev.strata.provider.baremetal.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written HTTP proxy in front of a real Redfish peer (sushy-emulator or sushy-static),
 * for what no peer that runs here does: it answers 503 (a busy BMC), turns a request into a
 * task (202 with a task monitor) that never ends, offers Redfish sessions (sushy has none) on
 * top of the peer's basic authentication, and records the requests it saw (their method, path,
 * {@code If-Match} and whether they carried a token or basic credentials: never the credentials
 * themselves) and the ResetType of each reset. Everything else is forwarded to the real peer unchanged.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** One request as the proxy saw it. */
    public record Seen(String method, String path, String ifMatch, boolean basic, boolean token, int status) {
    }

    /** A fault for the next {@code left} requests of a path. */
    private record Fault(AtomicInteger left, int status, Duration delay) {
        boolean take() {
            return left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }
    }

    /** An answer given in place of the peer's. */
    private record Replacement(int status, String contentType, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final URI upstream;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** The request being answered on this thread; recorded just before its response is sent, so a client never outruns the record. */
    private final ThreadLocal<Seen> pending = new ThreadLocal<>();
    private final AtomicInteger busy = new AtomicInteger();
    private volatile java.util.function.Supplier<String> retryAfter = () -> "0";
    private final Set<String> taskPaths = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tasks = new AtomicInteger();
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final List<String> deletedSessions = new CopyOnWriteArrayList<>();
    private final List<String> resetTypes = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> completingTasks = new ConcurrentHashMap<>();
    private final Map<String, Integer> taskPolls = new ConcurrentHashMap<>();
    private final Map<String, String> taskEnds = new ConcurrentHashMap<>();
    private final Map<String, Fault> refusals = new ConcurrentHashMap<>();
    private final Map<String, Fault> lateAnswers = new ConcurrentHashMap<>();
    private volatile int pageSize;
    private final Map<String, java.util.function.UnaryOperator<ObjectNode>> rewrites = new ConcurrentHashMap<>();
    private final Map<String, Replacement> replacements = new ConcurrentHashMap<>();
    private volatile String sessionUser;
    private volatile String sessionPassword;
    private volatile Duration sessionDelay = Duration.ZERO;
    private final AtomicInteger loginsBegun = new AtomicInteger();
    private volatile java.util.function.UnaryOperator<String> sessionLocation = java.util.function.UnaryOperator.identity();
    private volatile java.util.function.UnaryOperator<String> sessionId = java.util.function.UnaryOperator.identity();

    private FaultInjectingProxy(HttpServer server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    public static FaultInjectingProxy start(String upstream) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        FaultInjectingProxy proxy = new FaultInjectingProxy(server, URI.create(upstream));
        server.createContext("/", proxy::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        return proxy;
    }

    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code times} requests are answered 503 with {@code Retry-After: 0}. */
    public FaultInjectingProxy busy(int times) {
        return busy(times, () -> "0");
    }

    /** The next {@code times} requests are answered 503 with the {@code Retry-After} the function gives at the time of each answer. */
    public FaultInjectingProxy busy(int times, java.util.function.Supplier<String> retryAfter) {
        this.retryAfter = retryAfter;
        busy.set(times);
        return this;
    }

    /** A request whose path ends with this suffix starts a task that stays Running for ever (202, monitor answering 202). */
    public FaultInjectingProxy neverEndingTask(String pathSuffix) {
        taskPaths.add(pathSuffix);
        return this;
    }

    /**
     * A request whose path ends with this suffix is forwarded to the peer (so it really happens)
     * and answered 202 with a task monitor that answers 202 {@code polls} times, then the task
     * ended in {@code state} ({@code Completed}, or {@code Exception} with a message).
     */
    public FaultInjectingProxy task(String pathSuffix, int polls, String state) {
        completingTasks.put(pathSuffix, polls);
        taskEnds.put(pathSuffix, state);
        return this;
    }

    /**
     * The next {@code times} requests other than GET whose path ends with this suffix are answered
     * {@code status} without reaching the peer: a BMC that refuses them (or, with 503, is busy; with
     * 204, a BMC that accepts them and does nothing, as a machine ignores a graceful shutdown).
     */
    public FaultInjectingProxy refuse(String pathSuffix, int times, int status) {
        refusals.put(pathSuffix, new Fault(new AtomicInteger(times), status, Duration.ZERO));
        return this;
    }

    /**
     * The next {@code times} requests other than GET whose path ends with this suffix are forwarded
     * to the peer (so they really happen) and answered {@code status} after {@code delay}, or with
     * the peer's answer where {@code status} is 0: a BMC that acts but whose answer is late, or a
     * gateway that loses the answer (502, 504).
     */
    public FaultInjectingProxy afterForwarding(String pathSuffix, int times, int status, Duration delay) {
        lateAnswers.put(pathSuffix, new Fault(new AtomicInteger(times), status, delay));
        return this;
    }

    /** Collections longer than {@code size} are served in pages linked by {@code Members@odata.nextLink}. */
    /** Answers of GET to a path (trailing slash ignored) changed on their way back, as a BMC with that quirk would answer. */
    public FaultInjectingProxy rewrite(String path, java.util.function.UnaryOperator<ObjectNode> change) {
        rewrites.put(trim(path), change);
        return this;
    }

    /**
     * Answers of GET to a path (trailing slash ignored) replaced by this status, content type and body, the peer not asked: a
     * BMC that fails on that one resource (an error, a page that is no JSON) while it answers the others.
     */
    public FaultInjectingProxy replace(String path, int status, String contentType, String body) {
        replacements.put(trim(path), new Replacement(status, contentType, body));
        return this;
    }

    /** Answers pass unchanged again: no rewrite nor replacement. */
    public void noRewrites() {
        rewrites.clear();
        replacements.clear();
    }

    public FaultInjectingProxy paging(int size) {
        this.pageSize = size;
        return this;
    }

    /** Offers Redfish sessions for this account (forwarded to the peer with basic authentication). */
    public FaultInjectingProxy sessions(String user, String password) {
        this.sessionUser = user;
        this.sessionPassword = password;
        return this;
    }

    /** Answers each login (POST to the session collection) only after {@code delay}, as a BMC slow to make a session does. */
    public FaultInjectingProxy sessionDelay(Duration delay) {
        this.sessionDelay = delay;
        return this;
    }

    /** How many logins (POSTs to the session collection) have arrived, answered or not (one held by {@link #sessionDelay} included). */
    public int loginsBegun() {
        return loginsBegun.get();
    }

    /**
     * Answers each login with these links to the session made instead of its path (for the
     * {@code Location} header and the body's {@code @odata.id}, each given the path; null leaves it
     * out), as a BMC that gives a link its client cannot use does.
     */
    public FaultInjectingProxy sessionLinks(java.util.function.UnaryOperator<String> location, java.util.function.UnaryOperator<String> odataId) {
        this.sessionLocation = location;
        this.sessionId = odataId;
        return this;
    }

    /** The tokens of the sessions not deleted nor forgotten. */
    public java.util.Set<String> tokens() {
        return java.util.Set.copyOf(sessions.keySet());
    }

    /** Forgets every session, as a BMC does when they time out. */
    public void expireSessions() {
        sessions.clear();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public void clear() {
        seen.clear();
    }

    /** The ResetType of every reset (POST to a ComputerSystem.Reset action) the proxy saw, in order; the body holds no credential. */
    public List<String> resetTypes() {
        return List.copyOf(resetTypes);
    }

    public List<String> deletedSessions() {
        return List.copyOf(deletedSessions);
    }

    public int liveSessions() {
        return sessions.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            answer(exchange);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String token = exchange.getRequestHeaders().getFirst("X-Auth-Token");
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (method.equals("POST") && path.endsWith("/Actions/ComputerSystem.Reset")) {
                resetTypes.add(JSON.readTree(body).path("ResetType").asText(""));
            }
            pending.set(new Seen(method, path, ifMatch, authorization != null, token != null, 0));
            int status;
            Fault refusal = method.equals("GET") ? null : fault(refusals, path);
            Fault late = method.equals("GET") || refusal != null ? null : fault(lateAnswers, path);
            if (refusal != null) {
                status = send(exchange, refusal.status(), refusal.status() == 204 ? ""
                        : "{\"error\":{\"code\":\"Base.1.8.GeneralError\",\"message\":\"refused by the test\"}}");
            } else if (late != null) {
                int upstreamStatus = forwardQuietly(method, path, body, authorization);
                int answer = late.status() == 0 ? upstreamStatus : late.status();
                record(answer); // seen as soon as the peer acted, though the client may give up before the answer
                sleep(late.delay());
                status = send(exchange, answer, late.status() == 0 ? "" : "{}");
            } else if (busy.get() > 0 && busy.getAndDecrement() > 0) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter.get());
                status = send(exchange, 503, "{\"error\":{\"code\":\"Base.1.8.ServiceTemporarilyUnavailable\",\"message\":\"busy\"}}");
            } else if (path.startsWith("/taskmon/done-")) {
                String task = path.substring("/taskmon/".length());
                int left = taskPolls.merge(task, -1, Integer::sum);
                String end = task.substring(task.indexOf(':') + 1);
                if (left >= 0) {
                    status = send(exchange, 202, "{\"Id\":\"" + task + "\",\"TaskState\":\"Running\",\"PercentComplete\":50}");
                } else if (end.equals("Completed")) {
                    status = send(exchange, 200, "{\"Id\":\"" + task + "\",\"TaskState\":\"Completed\",\"TaskStatus\":\"OK\"}");
                } else {
                    status = send(exchange, 200, "{\"Id\":\"" + task + "\",\"TaskState\":\"" + end
                            + "\",\"TaskStatus\":\"Critical\",\"Messages\":[{\"MessageId\":\"Base.1.8.GeneralError\","
                            + "\"Message\":\"The power supply refused the request.\"}]}");
                }
            } else if (!method.equals("GET") && completingTasks.keySet().stream().anyMatch(path::endsWith)) {
                String suffix = completingTasks.keySet().stream().filter(path::endsWith).findFirst().orElseThrow();
                int upstreamStatus = forwardQuietly(method, path, body, authorization);
                String task = "done-" + tasks.incrementAndGet() + ":" + taskEnds.get(suffix);
                taskPolls.put(task, completingTasks.get(suffix));
                exchange.getResponseHeaders().add("Location", "/taskmon/" + task);
                status = upstreamStatus >= 400 ? send(exchange, upstreamStatus, "{}")
                        : send(exchange, 202, "{\"Id\":\"" + task + "\",\"TaskState\":\"New\"}");
            } else if (pageSize > 0 && method.equals("GET") && (token == null || sessions.containsKey(token))) {
                status = page(exchange, path, authorization != null ? authorization : basicForSession());
            } else if (path.startsWith("/taskmon/")) {
                String task = path.substring("/taskmon/".length());
                status = send(exchange, 202, "{\"@odata.id\":\"/redfish/v1/TaskService/Tasks/" + task + "\",\"Id\":\"" + task
                        + "\",\"TaskState\":\"Running\",\"PercentComplete\":40}");
            } else if (!method.equals("GET") && taskPaths.stream().anyMatch(path::endsWith)) {
                int n = tasks.incrementAndGet();
                exchange.getResponseHeaders().add("Location", "/taskmon/" + n);
                status = send(exchange, 202, "{\"@odata.id\":\"/redfish/v1/TaskService/Tasks/" + n + "\",\"TaskState\":\"New\"}");
            } else if (sessionUser != null && method.equals("POST") && trim(path).equals("/redfish/v1/SessionService/Sessions")) {
                loginsBegun.incrementAndGet();
                if (!sessionDelay.isZero()) {
                    try {
                        Thread.sleep(sessionDelay.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                JsonNode credentials = JSON.readTree(body);
                if (sessionUser.equals(credentials.path("UserName").asText()) && sessionPassword.equals(credentials.path("Password").asText())) {
                    String id = UUID.randomUUID().toString();
                    String newToken = UUID.randomUUID().toString();
                    sessions.put(newToken, id);
                    exchange.getResponseHeaders().add("X-Auth-Token", newToken);
                    String made = "/redfish/v1/SessionService/Sessions/" + id;
                    String location = sessionLocation.apply(made);
                    if (location != null) {
                        exchange.getResponseHeaders().add("Location", location);
                    }
                    ObjectNode session = JSON.createObjectNode();
                    String odataId = sessionId.apply(made);
                    if (odataId != null) {
                        session.put("@odata.id", odataId);
                    }
                    session.put("Id", id).put("UserName", sessionUser);
                    status = send(exchange, 201, JSON.writeValueAsString(session));
                } else {
                    status = send(exchange, 401, "{\"error\":{\"code\":\"Base.1.8.NoValidSession\",\"message\":\"invalid credentials\"}}");
                }
            } else if (token != null) {
                String id = sessions.get(token);
                if (id == null) {
                    status = send(exchange, 401, "{\"error\":{\"code\":\"Base.1.8.NoValidSession\",\"message\":\"no such session\"}}");
                } else if (method.equals("DELETE") && trim(path).equals("/redfish/v1/SessionService/Sessions/" + id)) {
                    sessions.remove(token);
                    deletedSessions.add(id);
                    status = send(exchange, 204, "");
                } else {
                    String basic = "Basic " + Base64.getEncoder().encodeToString((sessionUser + ":" + sessionPassword).getBytes(StandardCharsets.UTF_8));
                    status = forward(exchange, method, path, body, basic, ifMatch);
                }
            } else {
                status = forward(exchange, method, path, body, authorization, ifMatch);
            }
            if (pending.get() != null) {
                record(status);
            }
        } finally {
            pending.remove();
        }
    }

    private static Fault fault(Map<String, Fault> faults, String path) {
        for (Map.Entry<String, Fault> e : faults.entrySet()) {
            if (path.endsWith(e.getKey()) && e.getValue().take()) {
                return e.getValue();
            }
        }
        return null;
    }

    private static void sleep(Duration delay) throws IOException {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void record(int status) {
        Seen p = pending.get();
        if (p != null) {
            seen.add(new Seen(p.method(), p.path(), p.ifMatch(), p.basic(), p.token(), status));
            pending.remove();
        }
    }

    private String basicForSession() {
        return sessionUser == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((sessionUser + ":" + sessionPassword).getBytes(StandardCharsets.UTF_8));
    }

    /** A collection in pages: the peer's whole answer, cut at {@code $skip}. */
    private int page(HttpExchange exchange, String path, String authorization) throws IOException {
        int q = path.indexOf("?$skip=");
        String plain = q < 0 ? path : path.substring(0, q);
        int skip = q < 0 ? 0 : Integer.parseInt(path.substring(q + 7));
        HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(plain)).timeout(Duration.ofSeconds(30)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<byte[]> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(r.body());
        } catch (IOException e) {
            answer = null;
        }
        if (r.statusCode() != 200 || answer == null || !answer.path("Members").isArray() || answer.path("Members").size() <= pageSize) {
            if (q >= 0) {
                return send(exchange, 404, "{}");
            }
            byte[] body = r.body();
            r.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
            record(r.statusCode());
            exchange.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            return r.statusCode();
        }
        ObjectNode pageBody = ((ObjectNode) answer).deepCopy();
        com.fasterxml.jackson.databind.node.ArrayNode all = (com.fasterxml.jackson.databind.node.ArrayNode) answer.path("Members");
        com.fasterxml.jackson.databind.node.ArrayNode members = pageBody.putArray("Members");
        for (int i = skip; i < Math.min(all.size(), skip + pageSize); i++) {
            members.add(all.get(i));
        }
        if (skip + pageSize < all.size()) {
            pageBody.put("Members@odata.nextLink", plain + "?$skip=" + (skip + pageSize));
        }
        return send(exchange, 200, JSON.writeValueAsString(pageBody));
    }

    private int forwardQuietly(String method, String path, byte[] body, String authorization) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private int forward(HttpExchange exchange, String method, String path, byte[] body, String authorization, String ifMatch) throws IOException {
        Replacement replacement = method.equals("GET") ? replacements.get(trim(path)) : null;
        if (replacement != null) {
            record(replacement.status());
            byte[] bytes = replacement.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", replacement.contentType());
            exchange.sendResponseHeaders(replacement.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            return replacement.status();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        HttpResponse<byte[]> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        byte[] answer = r.body();
        if (sessionUser != null && method.equals("GET") && trim(path).equals("/redfish/v1") && r.statusCode() == 200) {
            ObjectNode root = (ObjectNode) JSON.readTree(answer);
            root.putObject("SessionService").put("@odata.id", "/redfish/v1/SessionService");
            root.withObject("/Links").putObject("Sessions").put("@odata.id", "/redfish/v1/SessionService/Sessions");
            answer = JSON.writeValueAsBytes(root);
        }
        java.util.function.UnaryOperator<ObjectNode> change = rewrites.get(trim(path));
        if (change != null && method.equals("GET") && r.statusCode() == 200) {
            answer = JSON.writeValueAsBytes(change.apply((ObjectNode) JSON.readTree(answer)));
        }
        for (String h : List.of("Content-Type", "Location", "ETag", "Retry-After")) {
            r.headers().firstValue(h).ifPresent(v -> exchange.getResponseHeaders().add(h, v));
        }
        record(r.statusCode());
        exchange.sendResponseHeaders(r.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
        return r.statusCode();
    }

    private int send(HttpExchange exchange, int status, String body) throws IOException {
        record(status);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        return status;
    }

    private static String trim(String path) {
        String p = path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** Requests matching method and path suffix. */
    public List<Seen> requests(String method, String pathSuffix) {
        List<Seen> list = new ArrayList<>();
        for (Seen s : seen) {
            if (s.method().equals(method) && trim(s.path()).endsWith(pathSuffix)) {
                list.add(s);
            }
        }
        return list;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
