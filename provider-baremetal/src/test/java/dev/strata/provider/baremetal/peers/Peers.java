package dev.strata.provider.baremetal.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the test peers are and what to do when one is missing: with {@code CI=true} a missing
 * peer fails the test (CI must have installed it through {@code .ci/run}); elsewhere the test is
 * skipped with a message naming what is missing and how to get it.
 */
public final class Peers {

    private Peers() {
    }

    /** The folder {@code .ci/run} installs Python peers into ({@code strata.peers}, default {@code .peers} beside the build). */
    public static Path folder() {
        return Path.of(System.getProperty("strata.peers", ".peers")).toAbsolutePath().normalize();
    }

    /** The sushy-tools virtual environment's {@code bin/} directory. */
    public static Path sushyBin() {
        Path bin = folder().resolve("sushy/bin");
        require(Files.isExecutable(bin.resolve("sushy-emulator")) && Files.isExecutable(bin.resolve("sushy-static")),
                "sushy-tools is not installed in " + bin.getParent() + "; run .ci/run (or: python3 -m venv " + bin.getParent()
                        + " && " + bin.resolve("pip") + " install sushy-tools)");
        return bin;
    }

    /** A command on the PATH (ipmi_sim, ipmitool, openssl). */
    public static Path command(String name, String debianPackage) {
        Optional<Path> found = onPath(name);
        require(found.isPresent(), name + " is not installed; apt-get install " + debianPackage + " (.ci/run does)");
        return found.get();
    }

    public static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** A fresh folder under target/peers for one peer's configuration, state and log (kept for inspection). */
    public static Path workDir(String name) {
        try {
            Path base = Files.createDirectories(Path.of("target", "peers"));
            return Files.createTempDirectory(base, name + "-").toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a work folder under target/peers", e);
        }
    }

    /** The real data in {@code ../shared/fixtures} ({@code strata.fixtures}). */
    public static Path fixtures(String sub) {
        Path dir = Path.of(System.getProperty("strata.fixtures", "../shared/fixtures")).resolve(sub).toAbsolutePath().normalize();
        // missing data skips, in CI too: only a missing peer fails there (the fixtures are not the project's to install)
        if (!Files.isDirectory(dir)) {
            Assumptions.abort("skipped: the fixtures folder " + dir + " is missing (set -Dstrata.fixtures)");
        }
        return dir;
    }

    static void require(boolean present, String message) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and a test peer is missing: " + message);
        }
        Assumptions.abort("skipped: " + message);
    }

    /** A TCP port free on 127.0.0.1 now (the peer binds it right after; a clash is retried by the fixtures). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1", e);
        }
    }

    /** Waits until something accepts TCP connections on 127.0.0.1:port, or the process dies. */
    static void awaitPort(int port, Process process, Duration patience, Path log) throws IOException {
        long end = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("the peer exited with " + process.exitValue() + " before listening on " + port + ": " + tail(log));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IOException("nothing listens on 127.0.0.1:" + port + " after " + patience.toSeconds() + " s: " + tail(log));
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void stop(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
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
