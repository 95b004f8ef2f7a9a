package dev.strata.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.openstack.AllInOne;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test's own view of the all-in-one's Nova, independent of Strata's OpenStack client: a
 * Keystone token of its own (the password is read from the cloud's secret file and only sent in
 * the body of the token request), then Nova's REST API directly.
 */
final class Nova {

    /** A server as Nova lists it. */
    record Server(String id, String name, String status, Map<String, String> metadata, List<String> tags) {

        String label(String key) {
            return metadata.get(key);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AllInOne aio;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private String token;
    private URI compute;

    Nova(AllInOne aio) {
        this.aio = aio;
    }

    private synchronized void authenticate() {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", aio.get("ADMIN_USER"));
        user.putObject("domain").put("name", "Default");
        user.put("password", aio.password());
        ObjectNode project = auth.putObject("scope").putObject("project");
        project.put("name", aio.get("ADMIN_PROJECT"));
        project.putObject("domain").put("name", "Default");
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(aio.authUrl() + "/auth/tokens"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("Keystone refused the test's token request: HTTP " + r.statusCode());
        }
        token = r.headers().firstValue("X-Subject-Token").orElseThrow();
        for (JsonNode service : read(r.body()).path("token").path("catalog")) {
            if (service.path("type").asText().equals("compute")) {
                for (JsonNode e : service.path("endpoints")) {
                    if (e.path("interface").asText().equals("public") && e.path("region").asText().equals(aio.get("REGION"))) {
                        compute = URI.create(e.path("url").asText().replaceAll("/+$", ""));
                    }
                }
            }
        }
        if (compute == null) {
            throw new IllegalStateException("the all-in-one's catalogue has no public compute endpoint in " + aio.get("REGION"));
        }
    }

    private HttpResponse<String> call(String method, String path) {
        return call(method, path, null);
    }

    private synchronized HttpResponse<String> call(String method, String path, JsonNode body) {
        if (token == null) {
            authenticate();
        }
        HttpResponse<String> r = send(request(method, path, body));
        if (r.statusCode() == 401) {
            authenticate();
            r = send(request(method, path, body));
        }
        return r;
    }

    private HttpRequest.Builder request(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(compute + path)).timeout(Duration.ofSeconds(60)).header("X-Auth-Token", token)
                .header("OpenStack-API-Version", "compute 2.93");
        return body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    /**
     * Every server of every project that carries the tag {@code strata}, whatever its state, except
     * {@code DELETED}: Nova lists a deleted server with that status for a moment before its record
     * goes.
     */
    List<Server> servers() {
        HttpResponse<String> r = call("GET", "/servers/detail?all_tenants=1&tags=strata&limit=1000");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Nova answered " + r.statusCode() + " to the server list: " + r.body());
        }
        List<Server> out = new ArrayList<>();
        for (JsonNode s : read(r.body()).path("servers")) {
            Map<String, String> metadata = new LinkedHashMap<>();
            s.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
            List<String> tags = new ArrayList<>();
            s.path("tags").forEach(t -> tags.add(t.asText()));
            if (s.path("status").asText().equals("DELETED")) {
                continue;
            }
            out.add(new Server(s.path("id").asText(), s.path("name").asText(), s.path("status").asText(), metadata, tags));
        }
        return out;
    }

    /** The servers Nova holds for a deployment (by the metadata Strata put on them). */
    List<Server> of(String deployment) {
        return servers().stream().filter(s -> deployment.equals(s.label(MachineLabels.DEPLOYMENT))).toList();
    }

    /**
     * Makes a server as another Strata would, through Nova's API: named, with metadata and tags as
     * given, of the image and flavor of {@code like}, on no network; waits until it is ACTIVE.
     */
    String create(String name, Server like, Map<String, String> metadata, List<String> tags) {
        JsonNode shown = read(call("GET", "/servers/" + like.id()).body()).path("server");
        String flavorName = shown.path("flavor").path("original_name").asText();
        String flavor = null;
        for (JsonNode f : read(call("GET", "/flavors/detail?is_public=None").body()).path("flavors")) {
            if (f.path("name").asText().equals(flavorName)) {
                flavor = f.path("id").asText();
            }
        }
        if (flavor == null) {
            throw new IllegalStateException("Nova lists no flavor " + flavorName + ", the flavor of server " + like.id());
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode server = body.putObject("server").put("name", name).put("imageRef", shown.path("image").path("id").asText())
                .put("flavorRef", flavor).put("networks", "none");
        ObjectNode m = server.putObject("metadata");
        metadata.forEach(m::put);
        tags.forEach(server.putArray("tags")::add);
        HttpResponse<String> r = call("POST", "/servers", body);
        if (r.statusCode() != 202) {
            throw new IllegalStateException("Nova answered " + r.statusCode() + " to creating server " + name + ": " + r.body());
        }
        String id = read(r.body()).path("server").path("id").asText();
        for (int i = 0; i < 480; i++) {
            JsonNode now = read(call("GET", "/servers/" + id).body()).path("server");
            String status = now.path("status").asText();
            if (status.equals("ACTIVE")) {
                return id;
            }
            if (status.equals("ERROR")) {
                throw new IllegalStateException("server " + name + " (" + id + ") went to ERROR: " + now.path("fault"));
            }
            Moto.sleep(250);
        }
        throw new IllegalStateException("server " + name + " (" + id + ") was not ACTIVE 120 s after it was created");
    }

    /** Deletes a server behind Strata's back and waits until Nova no longer has it. */
    void delete(String id) {
        HttpResponse<String> r = call("DELETE", "/servers/" + id);
        if (r.statusCode() != 204 && r.statusCode() != 404) {
            throw new IllegalStateException("Nova answered " + r.statusCode() + " to deleting " + id + ": " + r.body());
        }
        for (int i = 0; i < 240; i++) {
            if (call("GET", "/servers/" + id).statusCode() == 404) {
                return;
            }
            Moto.sleep(250);
        }
        throw new IllegalStateException("server " + id + " was still there 60 s after it was deleted");
    }

    /** Deletes every server tagged {@code strata}: a clean cloud before a test. */
    void deleteAll() {
        for (Server s : servers()) {
            delete(s.id());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the all-in-one OpenStack cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}
