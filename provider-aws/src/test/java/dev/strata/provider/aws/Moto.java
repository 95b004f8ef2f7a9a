package dev.strata.provider.aws;

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

/**
 * A moto EC2 emulator in server mode on 127.0.0.1 and a free port, for the tests: the real EC2
 * API as moto implements it (1,300+ real instance types, offerings per zone, instances), with
 * {@code MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION=true} so types a region does not offer are refused.
 * The executable comes from {@code -Dstrata.moto} (the venv {@code .ci/run} makes) or the PATH.
 * Where it is missing the tests are skipped, except under {@code CI=true}, where they fail.
 */
final class Moto implements AutoCloseable {

    private static Moto shared;

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Moto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** One server for every test of the JVM (stopped when the JVM exits); state is reset per test with {@link #reset}. */
    static synchronized Moto shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
            Moto stopping = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::close));
        }
        return shared;
    }

    /** A server of one's own (for tests that stop it). */
    static Moto start() {
        String executable = executable();
        int port = freePort();
        Path log = Path.of("target", "moto-" + port + ".log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(executable, "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
            Moto moto = new Moto(builder.start(), port);
            moto.awaitReady(Duration.ofSeconds(60), log);
            return moto;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + executable + ": " + e.getMessage(), e);
        }
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

    private void awaitReady(Duration patience, Path log) {
        long deadline = System.nanoTime() + patience.toNanos();
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
        close();
        throw new IllegalStateException("moto_server did not answer on port " + port + " within " + patience + "; see " + log.toAbsolutePath());
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
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

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
