package dev.strata.provider.openstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The all-in-one OpenStack that {@code scripts/openstack-aio.sh up DIR} started (Keystone,
 * Placement, Glance, Neutron, Nova with the fake driver, RabbitMQ, PostgreSQL), as its
 * {@code DIR/aio.env} describes it. Where it is: the system property {@code strata.openstack.aio}
 * or the environment variable {@code STRATA_OPENSTACK_AIO}, else {@code .peers/openstack-aio}
 * in the project. Tests that need it skip without it, except in CI, where {@code .ci/run} starts
 * it and its absence fails them.
 */
public final class AllInOne {

    private static AllInOne found;

    private final Path dir;
    private final Map<String, String> env;

    private AllInOne(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    public static synchronized AllInOne get() {
        if (found != null) {
            return found;
        }
        String configured = System.getProperty("strata.openstack.aio");
        if (configured == null || configured.isBlank() || configured.startsWith("${")) {
            configured = System.getenv("STRATA_OPENSTACK_AIO");
        }
        Path dir = configured == null || configured.isBlank() ? Peers.projectRoot().resolve(".peers/openstack-aio") : Path.of(configured);
        Path file = dir.resolve("aio.env");
        Peers.require(Files.isRegularFile(file), "no all-in-one OpenStack at " + dir + ": start one with scripts/openstack-aio.sh up " + dir
                + " (or set STRATA_OPENSTACK_AIO to its directory)");
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        AllInOne aio = new AllInOne(dir, env);
        Peers.require(aio.answers(), "the all-in-one OpenStack of " + file + " does not answer at " + aio.authUrl()
                + ": start it again with scripts/openstack-aio.sh up " + dir);
        found = aio;
        return aio;
    }

    private boolean answers() {
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
            return c.send(HttpRequest.newBuilder(URI.create(authUrl())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException("aio.env has no " + key);
        }
        return v;
    }

    public String authUrl() {
        return get("AUTH_URL");
    }

    public String computeHost() {
        return get("COMPUTE_HOST");
    }

    public Path passwordFile() {
        return Path.of(get("ADMIN_PASSWORD_FILE"));
    }

    /** The admin password, for tests that check it never leaks. */
    public String password() {
        try {
            return Files.readString(passwordFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + passwordFile(), e);
        }
    }

    /** A configuration of the cloud as its admin, with sovereignty facts, creating flavors, booting the cloud's image without networks. */
    public Map<String, Object> config(String providerId) {
        Map<String, Object> m = new HashMap<>();
        m.put("strata.provider.id", providerId);
        m.put("authUrl", authUrl());
        m.put("userName", get("ADMIN_USER"));
        m.put("passwordFile", passwordFile().toString());
        m.put("projectName", get("ADMIN_PROJECT"));
        m.put("region", get("REGION"));
        m.put("country", "DE");
        m.put("jurisdictions", new String[] {"EU", "DE"});
        m.put("operatorName", "Mainufer Cloud GmbH");
        m.put("operatorJurisdictions", new String[] {"EU", "DE"});
        m.put("flavorPolicy", "create");
        m.put("image", get("IMAGE"));
        m.put("networks", "none");
        return m;
    }

    /** Sends a signal (STOP, CONT) to one of the cloud's services, by the pid the script recorded. */
    public void signal(String service, String signal) throws IOException, InterruptedException {
        String pid = Files.readString(dir.resolve("run/" + service + ".pid")).strip();
        run(List.of("kill", "-" + signal, pid));
    }

    /** Runs SQL in one of the cloud's databases (its private PostgreSQL cluster). */
    public void sql(String database, String statement) throws IOException, InterruptedException {
        run(List.of("su", "postgres", "-c", "psql -h 127.0.0.1 -p " + get("POSTGRES_PORT") + " -U postgres -d " + database + " -qc \""
                + statement + "\""));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }
}
