package dev.strata.systemtests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * moto, the EC2 emulator, in server mode on 127.0.0.1 and a port of its own, with
 * {@code MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION=true}. The executable comes from
 * {@code -Dstrata.moto} (the venv {@code .ci/run} makes) or the PATH; where it is missing the
 * tests are skipped, except under {@code CI=true}, where they fail. It can be stopped and started
 * again on the same port (an outage; moto forgets its state when it stops).
 */
final class Moto implements AutoCloseable {

    private final String executable;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private Moto(String executable, int port) {
        this.executable = executable;
        this.port = port;
    }

    static Moto start() {
        Moto moto = new Moto(executable(), freePort());
        moto.startAgain();
        return moto;
    }

    /** Starts the server (again) on its port. */
    synchronized void startAgain() {
        Path log = Path.of("target", "moto-" + port + ".log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(executable, "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + executable + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try {
                reset();
                return;
            } catch (RuntimeException e) {
                sleep(200);
            }
        }
        stop();
        throw new IllegalStateException("moto_server did not answer on port " + port + " within 60 s; see " + log.toAbsolutePath());
    }

    private static String executable() {
        String configured = System.getProperty("strata.moto", "");
        if (!configured.isBlank() && new File(configured).canExecute()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "moto_server");
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        String message = "moto_server not found (-Dstrata.moto=" + configured + ", nor on the PATH); .ci/run installs it: "
                + "python3 -m venv .venv/moto && .venv/moto/bin/pip install 'moto[server]'";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        abort(message);
        return null;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Forgets every instance, tag and resource (POST /moto-api/reset). */
    void reset() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("moto reset answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto reset failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server: the port refuses connections until {@link #startAgain}. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
