package dev.strata.provider.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP endpoint standing in for Nova (compute API 2.93), keeping its servers and flavors
 * in memory: one hypervisor in availability zone {@code nova}, flavors with extra specs, public
 * or private (created, read, completed, with access lists), servers created ACTIVE at once, read by id and listed by
 * tag, deleted. It is for the flows that the all-in-one cloud shows only slowly or not at all: a
 * server deleted outside Strata at the moment the test wants, a create whose answer is lost after
 * Nova made the server, a flavor that a creation cut short left without its extra specs. It
 * claims nothing in Placement: a test that wants a server's resources used there allocates them
 * itself, as Nova's scheduler would. Every request is recorded (method and path).
 */
final class NovaStandIn implements AutoCloseable {

    /** A request as Nova got it. */
    record Seen(String method, String path) {
    }

    private static final Pattern SERVER = Pattern.compile("/v2\\.1/servers/([^/]+)");
    private static final Pattern FLAVOR = Pattern.compile("/v2\\.1/flavors/([^/]+)");
    private static final Pattern FLAVOR_SPECS = Pattern.compile("/v2\\.1/flavors/([^/]+)/os-extra_specs");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final String hypervisorId;
    private final String hostname;
    private final Map<String, ObjectNode> servers = new LinkedHashMap<>();
    private final Map<String, ObjectNode> flavors = new LinkedHashMap<>();
    /** The project of the credentials the tests call it with ({@code StaticSession}'s). */
    static final String CALLER_PROJECT = "admin";

    private final Map<String, List<String>> flavorAccess = new HashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int loseCreateAnswers;
    private volatile int throttleCreates;
    private volatile Runnable beforeEachCreate = () -> { };
    private volatile boolean lagListings;
    /** How long servers made from now on have been building (by this Nova's clock), or null: they are ACTIVE at once. */
    private volatile java.time.Duration building;
    private final java.util.Set<String> unlisted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The id the next server made gets, or null: a random UUID. */
    private volatile String nextServerId;

    private NovaStandIn(HttpServer server, String hypervisorId, String hostname) {
        this.server = server;
        this.hypervisorId = hypervisorId;
        this.hostname = hostname;
    }

    /** A Nova with one hypervisor: {@code hypervisorId} (its Placement root provider's UUID) on host {@code hostname}. */
    static NovaStandIn start(String hypervisorId, String hostname) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 20);
        NovaStandIn nova = new NovaStandIn(http, hypervisorId, hostname);
        http.createContext("/", nova::handle);
        http.setExecutor(nova.threads);
        http.start();
        return nova;
    }

    /** The compute endpoint, as the catalogue would give it. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2.1");
    }

    /** The next {@code times} server create requests make the server, and the client gets a gateway's 504 instead of Nova's answer. */
    void loseCreateAnswers(int times) {
        loseCreateAnswers = times;
    }

    /** The next {@code times} server create requests are refused with 429 Too Many Requests (no Retry-After), making nothing. */
    void throttleCreates(int times) {
        throttleCreates = times;
    }

    /** Runs {@code hook} as each server create request comes, throttled or not, before it is answered. */
    void beforeEachCreate(Runnable hook) {
        beforeEachCreate = hook;
    }

    /**
     * Servers made from now on stay in BUILD (task {@code spawning}), created {@code age} before
     * this Nova's clock reads at their creation, as servers that Nova's conductor or compute service
     * is slow to build.
     */
    void holdInBuild(java.time.Duration age) {
        building = age;
    }

    /** Servers made from now on are left out of server listings (as by a Nova whose listing lags) until {@link #listAll}. */
    void lagListings() {
        lagListings = true;
    }

    /** Servers made from now on are listed at once; those made while listings lagged stay unlisted until {@link #listAll}. */
    void listNewServers() {
        lagListings = false;
    }

    /** Nova fails a server (status ERROR, with a fault), as when its build ran out of hosts. */
    synchronized void failServer(String id, String fault) {
        ObjectNode s = servers.get(id);
        s.put("status", "ERROR");
        s.putNull("OS-EXT-STS:task_state");
        s.putObject("fault").put("code", 500).put("message", fault);
    }

    /** Sets a server's task state as Nova (or a proxy before it) gives it. */
    synchronized void setTaskState(String id, String taskState) {
        servers.get(id).put("OS-EXT-STS:task_state", taskState);
    }

    /** Servers are listed again, those made while listings lagged too. */
    void listAll() {
        lagListings = false;
        unlisted.clear();
    }

    /** How many requests of this method and path (a regular expression) Nova got. */
    long count(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return seen.stream().filter(s -> s.method().equals(method) && p.matcher(s.path()).matches()).count();
    }

    /** The next server made gets this id (Nova's text, which a test may make hold any character). */
    void nextServerId(String id) {
        nextServerId = id;
    }

    /** Renames a server (as anyone in the project may, with {@code openstack server set --name}). */
    synchronized void renameServer(String id, String name) {
        servers.get(id).put("name", name);
    }

    /** Adds a copy of a server under another id and status, created a second later: a second server carrying its tags and metadata. */
    synchronized void copyServer(String id, String copyId, String status) {
        ObjectNode copy = servers.get(id).deepCopy();
        copy.put("id", copyId).put("status", status).put("created", Instant.parse(copy.path("created").asText()).plusSeconds(1).toString());
        servers.put(copyId, copy);
    }

    /** Deletes a server outside Strata (as an operator with the openstack client would). */
    synchronized void deleteServer(String id) {
        servers.remove(id);
    }

    /** The ids of the servers Nova has. */
    synchronized List<String> serverIds() {
        return new ArrayList<>(servers.keySet());
    }

    /** The flavor a server was made with (its name). */
    synchronized String flavorOf(String serverId) {
        return servers.get(serverId).path("flavor").path("original_name").asText();
    }

    /** Adds a public flavor (as an operator, or a creation cut short, would have left it); returns its id. */
    synchronized String addFlavor(String name, int vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs) {
        return addFlavor(name, vcpus, ramMiB, diskGiB, extraSpecs, true);
    }

    /** Adds a flavor, public or private (only projects given access may use it); returns its id. */
    synchronized String addFlavor(String name, int vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs, boolean isPublic) {
        return addFlavor(name, vcpus, ramMiB, diskGiB, 0, 0, extraSpecs, isPublic);
    }

    /** Adds a flavor with an ephemeral disk (GiB) and a swap disk (MiB), as Nova 2.75 and later lists them; returns its id. */
    synchronized String addFlavor(String name, int vcpus, long ramMiB, long diskGiB, long ephemeralGiB, long swapMiB, Map<String, String> extraSpecs,
            boolean isPublic) {
        return addFlavorAs(UUID.randomUUID().toString(), name, vcpus, ramMiB, diskGiB, ephemeralGiB, swapMiB, extraSpecs, isPublic);
    }

    /** Adds a flavor under an id of the test's choosing (Nova's text, which may hold anything); returns the id. */
    synchronized String addFlavorAs(String id, String name, int vcpus, long ramMiB, long diskGiB, long ephemeralGiB, long swapMiB,
            Map<String, String> extraSpecs, boolean isPublic) {
        ObjectNode f = json.createObjectNode().put("id", id).put("name", name).put("vcpus", vcpus).put("ram", ramMiB).put("disk", diskGiB)
                .put("OS-FLV-EXT-DATA:ephemeral", ephemeralGiB).put("swap", swapMiB).put("os-flavor-access:is_public", isPublic);
        ObjectNode specs = f.putObject("extra_specs");
        extraSpecs.forEach(specs::put);
        flavors.put(id, f);
        return id;
    }

    /** Sets a field of a flavor as Nova lists it, as a malformed answer would give it (text, a negative); null leaves the field out. */
    synchronized void describeFlavor(String flavorId, String field, JsonNode value) {
        if (value == null) {
            flavors.get(flavorId).remove(field);
        } else {
            flavors.get(flavorId).set(field, value);
        }
    }

    /** Gives a project access to a private flavor, as Nova's {@code addTenantAccess} does (a new private flavor has none). */
    synchronized void grantAccess(String flavorId, String project) {
        flavorAccess.computeIfAbsent(flavorId, k -> new ArrayList<>()).add(project);
    }

    /** The id of the flavor of that name. */
    synchronized String flavorId(String name) {
        return flavors.values().stream().filter(f -> f.path("name").asText().equals(name)).map(f -> f.path("id").asText()).findFirst()
                .orElseThrow();
    }

    /** A flavor's extra specs as Nova has them. */
    synchronized Map<String, String> extraSpecs(String flavorId) {
        Map<String, String> out = new HashMap<>();
        flavors.get(flavorId).path("extra_specs").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(new Seen(method, path));
            Answer a;
            synchronized (this) {
                // the path as Nova's router matches it, its percent-escapes decoded (a flavor's id may hold a space)
                a = answer(method, exchange.getRequestURI().getPath(), query(exchange.getRequestURI()), body.length == 0 ? null
                        : json.readTree(body));
            }
            byte[] out = a.body() == null ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", a.body() != null && a.body().startsWith("<") ? "text/html" : "application/json");
            exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(out);
                }
            }
        }
    }

    private record Answer(int status, String body) {
    }

    private Answer answer(String method, String path, Map<String, String> query, JsonNode body) {
        if (method.equals("GET") && path.equals("/v2.1/")) {
            return ok("{\"version\": {\"id\": \"v2.1\", \"version\": \"2.93\", \"min_version\": \"2.1\"}}");
        }
        if (method.equals("GET") && path.equals("/v2.1/os-hypervisors/detail")) {
            ObjectNode r = json.createObjectNode();
            r.putArray("hypervisors").addObject().put("id", hypervisorId).put("hypervisor_hostname", hostname).put("state", "up")
                    .put("status", "enabled").put("hypervisor_type", "fake").putObject("service").put("host", hostname);
            return ok(r.toString());
        }
        if (method.equals("GET") && path.equals("/v2.1/os-availability-zone/detail")) {
            ObjectNode r = json.createObjectNode();
            ObjectNode zone = r.putArray("availabilityZoneInfo").addObject().put("zoneName", "nova");
            zone.putObject("zoneState").put("available", true);
            zone.putObject("hosts").putObject(hostname).putObject("nova-compute").put("available", true).put("active", true);
            return ok(r.toString());
        }
        if (method.equals("GET") && (path.equals("/v2.1/flavors/detail") || path.equals("/v2.1/flavors"))) {
            // as Nova answers an admin: every flavor for is_public=None; without it, the public ones and the private ones shared
            // with the caller's project
            boolean every = "None".equals(query.get("is_public"));
            ObjectNode r = json.createObjectNode();
            ArrayNode list = r.putArray("flavors");
            flavors.values().stream().filter(f -> every || f.path("os-flavor-access:is_public").asBoolean()
                    || flavorAccess.getOrDefault(f.path("id").asText(), List.of()).contains(CALLER_PROJECT))
                    .forEach(f -> list.add(path.endsWith("/detail") ? f : json.createObjectNode().put("id", f.path("id").asText())
                            .put("name", f.path("name").asText())));
            return ok(r.toString());
        }
        if (method.equals("POST") && path.equals("/v2.1/flavors")) {
            JsonNode f = body.path("flavor");
            if (flavors.values().stream().anyMatch(x -> x.path("name").asText().equals(f.path("name").asText()))) {
                return new Answer(409, "{\"conflictingRequest\": {\"code\": 409, \"message\": \"Flavor with name " + f.path("name").asText()
                        + " already exists.\"}}");
            }
            String id = addFlavor(f.path("name").asText(), f.path("vcpus").asInt(), f.path("ram").asLong(), f.path("disk").asLong(), Map.of(),
                    f.path("os-flavor-access:is_public").asBoolean(true));
            return ok(json.createObjectNode().set("flavor", flavors.get(id)).toString());
        }
        Matcher m = FLAVOR_SPECS.matcher(path);
        if (method.equals("POST") && m.matches()) {
            ObjectNode f = flavors.get(m.group(1));
            if (f == null) {
                return notFound();
            }
            ObjectNode specs = (ObjectNode) f.path("extra_specs");
            body.path("extra_specs").properties().forEach(e -> specs.put(e.getKey(), e.getValue().asText()));
            return ok(json.createObjectNode().set("extra_specs", specs).toString());
        }
        m = FLAVOR.matcher(path);
        if (method.equals("GET") && m.matches()) {
            ObjectNode f = flavors.get(m.group(1));
            return f == null ? notFound() : ok(json.createObjectNode().set("flavor", f).toString());
        }
        if (method.equals("GET") && path.equals("/v2.1/servers/detail")) {
            String tag = query.get("tags");
            ObjectNode r = json.createObjectNode();
            ArrayNode list = r.putArray("servers");
            servers.values().stream().filter(s -> tag == null || hasTag(s, tag)).filter(s -> !unlisted.contains(s.path("id").asText()))
                    .forEach(list::add);
            return ok(r.toString());
        }
        if (method.equals("POST") && path.equals("/v2.1/servers")) {
            beforeEachCreate.run();
            if (throttleCreates > 0) {
                throttleCreates--;
                return new Answer(429, "{\"overLimit\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}");
            }
            return create(body.path("server"));
        }
        m = SERVER.matcher(path);
        if (m.matches() && method.equals("GET")) {
            ObjectNode s = servers.get(m.group(1));
            return s == null ? notFound() : ok(json.createObjectNode().set("server", s).toString());
        }
        if (m.matches() && method.equals("DELETE")) {
            return servers.remove(m.group(1)) == null ? notFound() : new Answer(204, null);
        }
        return notFound();
    }

    private Answer create(JsonNode request) {
        ObjectNode flavor = flavors.get(request.path("flavorRef").asText());
        if (flavor == null) {
            return new Answer(400, "{\"badRequest\": {\"code\": 400, \"message\": \"Flavor " + request.path("flavorRef").asText()
                    + " could not be found.\"}}");
        }
        String id = nextServerId == null ? UUID.randomUUID().toString() : nextServerId;
        nextServerId = null;
        java.time.Duration age = building;
        ObjectNode s = json.createObjectNode().put("id", id).put("name", request.path("name").asText())
                .put("status", age == null ? "ACTIVE" : "BUILD").put("OS-EXT-SRV-ATTR:host", hostname)
                .put("OS-EXT-SRV-ATTR:hypervisor_hostname", hostname)
                .put("created", (age == null ? Instant.now() : Instant.now().minus(age)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        if (age == null) {
            s.putNull("OS-EXT-STS:task_state");
        } else {
            s.put("OS-EXT-STS:task_state", "spawning");
        }
        s.set("metadata", request.path("metadata").deepCopy());
        s.set("tags", request.path("tags").deepCopy());
        s.putObject("flavor").put("original_name", flavor.path("name").asText()).put("vcpus", flavor.path("vcpus").asInt())
                .put("ram", flavor.path("ram").asLong()).put("disk", flavor.path("disk").asLong()).set("extra_specs", flavor.path("extra_specs").deepCopy());
        s.putObject("addresses");
        servers.put(id, s);
        if (lagListings) {
            unlisted.add(id);
        }
        if (loseCreateAnswers > 0) {
            loseCreateAnswers--;
            return new Answer(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>");
        }
        return new Answer(202, json.createObjectNode().set("server", json.createObjectNode().put("id", id)).toString());
    }

    private static boolean hasTag(JsonNode server, String tags) {
        for (String t : tags.split(",")) {
            boolean found = false;
            for (JsonNode have : server.path("tags")) {
                found |= have.asText().equals(t);
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static Answer ok(String body) {
        return new Answer(200, body);
    }

    private static Answer notFound() {
        return new Answer(404, "{\"itemNotFound\": {\"code\": 404, \"message\": \"not found\"}}");
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
