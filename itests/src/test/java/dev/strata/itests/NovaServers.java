package dev.strata.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The test's own view of the all-in-one OpenStack's servers, independent of Strata's OpenStack
 * client: a Keystone token of its own (the password is read from the cloud's secret file and sent
 * only in the body of the token request), then Nova's server list. Runs inside the Karaf of a
 * Pax Exam test, so it uses only the JDK and Jackson, which the distribution carries.
 */
final class NovaServers {

    /** A server as Nova lists it, with the metadata Strata put on it. */
    record Server(String id, String status, Map<String, String> metadata) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Properties aio;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private String token;
    private URI compute;

    /** @param aio the all-in-one's {@code aio.env} */
    NovaServers(Properties aio) {
        this.aio = aio;
    }

    /** Every server tagged {@code strata} in any project, except those Nova already lists as DELETED. */
    synchronized List<Server> all() throws IOException, InterruptedException {
        if (token == null) {
            authenticate();
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(compute + "/servers/detail?all_tenants=1&tags=strata&limit=1000"))
                .timeout(Duration.ofSeconds(60)).header("X-Auth-Token", token).header("OpenStack-API-Version", "compute 2.93").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401) {
            token = null;
            return all();
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Nova answered " + r.statusCode() + " to the server list: " + r.body());
        }
        List<Server> out = new ArrayList<>();
        for (JsonNode s : JSON.readTree(r.body()).path("servers")) {
            if (!s.path("status").asText().equals("DELETED")) {
                Map<String, String> metadata = new LinkedHashMap<>();
                s.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
                out.add(new Server(s.path("id").asText(), s.path("status").asText(), metadata));
            }
        }
        return out;
    }

    /** The servers of one deployment, by the metadata Strata put on them. */
    List<Server> of(String deployment) throws IOException, InterruptedException {
        return all().stream().filter(s -> deployment.equals(s.metadata().get("strata:deployment"))).toList();
    }

    private void authenticate() throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", aio.getProperty("ADMIN_USER"));
        user.putObject("domain").put("name", "Default");
        user.put("password", Files.readString(Path.of(aio.getProperty("ADMIN_PASSWORD_FILE"))).strip());
        ObjectNode project = auth.putObject("scope").putObject("project");
        project.put("name", aio.getProperty("ADMIN_PROJECT"));
        project.putObject("domain").put("name", "Default");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(aio.getProperty("AUTH_URL").replaceAll("/+$", "") + "/auth/tokens"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("Keystone refused the test's token request: HTTP " + r.statusCode());
        }
        token = r.headers().firstValue("X-Subject-Token").orElseThrow();
        for (JsonNode service : JSON.readTree(r.body()).path("token").path("catalog")) {
            if (service.path("type").asText().equals("compute")) {
                for (JsonNode e : service.path("endpoints")) {
                    if (e.path("interface").asText().equals("public") && e.path("region").asText().equals(aio.getProperty("REGION"))) {
                        compute = URI.create(e.path("url").asText().replaceAll("/+$", ""));
                    }
                }
            }
        }
        if (compute == null) {
            throw new IllegalStateException("the all-in-one's catalogue has no public compute endpoint in " + aio.getProperty("REGION"));
        }
    }
}
