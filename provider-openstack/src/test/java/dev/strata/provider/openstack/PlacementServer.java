package dev.strata.provider.openstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenStack Placement (Debian {@code python3-placement}) on 127.0.0.1 and a free port,
 * with its own SQLite database and {@code auth_strategy = noauth2}: the fast discovery tier.
 * Started by the tests that need it, stopped when they end.
 */
final class PlacementServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process process;

    private PlacementServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static boolean installed() {
        return Peers.onPath("placement-api");
    }

    /** Starts a fresh Placement under {@code dir}; skips (or fails in CI) when it is not installed. */
    static PlacementServer start(Path dir) throws IOException, InterruptedException {
        Peers.require(installed(), "OpenStack Placement is not installed (Debian package python3-placement, command placement-api)");
        Files.createDirectories(dir);
        Path db = dir.resolve("placement.sqlite");
        Files.deleteIfExists(db);
        Files.writeString(dir.resolve("placement.conf"), String.join("\n",
                "[DEFAULT]", "debug = false", "log_file = " + dir.resolve("placement.log"),
                "[api]", "auth_strategy = noauth2",
                "[placement_database]", "connection = sqlite:///" + db, "sync_on_startup = true", ""));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Peers.freePort();
            ProcessBuilder pb = new ProcessBuilder("placement-api", "--host", "127.0.0.1", "--port", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("placement-api.out").toFile());
            pb.environment().put("OS_PLACEMENT_CONFIG_DIR", dir.toString());
            Process p = pb.start();
            PlacementServer server = new PlacementServer(dir, port, p);
            if (server.awaitUp(Duration.ofSeconds(60))) {
                return server;
            }
            server.close();
            last = new IOException("placement-api did not answer on port " + port + "; see " + dir.resolve("placement-api.out"));
        }
        throw last;
    }

    private boolean awaitUp(Duration limit) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1).build();
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(url()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
