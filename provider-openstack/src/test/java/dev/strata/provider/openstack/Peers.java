package dev.strata.provider.openstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Where the test peers are, and what to do when one is missing. */
final class Peers {

    private Peers() {
    }

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the test with the message, or fails it in CI ({@code CI=true}), where every peer must be present. */
    static void require(boolean present, String message) {
        if (present) {
            return;
        }
        if (ci()) {
            Assertions.fail(message + " (CI=true: .ci/run installs it)");
        }
        Assumptions.abort(message);
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1", e);
        }
    }

    /** The project's root directory (the reactor root). */
    static Path projectRoot() {
        String root = System.getProperty("strata.project.root");
        if (root != null && !root.isBlank() && Files.isDirectory(Path.of(root, "scripts"))) {
            return Path.of(root);
        }
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("scripts")) ? here : here.getParent();
    }
}
