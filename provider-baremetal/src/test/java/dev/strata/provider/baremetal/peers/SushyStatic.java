package dev.strata.provider.baremetal.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * sushy-tools' {@code sushy-static}: serves a Redfish mockup tree (a real BMC's, captured)
 * read-only on a free port of 127.0.0.1. What it proves: the inventory of a real vendor tree,
 * with its OEM sections and trailing slashes. What it lacks: query strings ({@code $expand}
 * answers 404), authentication, and writes (POST and PATCH answer 204 and change nothing).
 */
public final class SushyStatic implements AutoCloseable {

    private final Process process;
    private final int port;

    private SushyStatic(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static SushyStatic start(Path mockup, Path logDir) throws IOException {
        Path bin = Peers.sushyBin();
        Files.createDirectories(logDir);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Peers.freePort();
            Path log = logDir.resolve("sushy-static-" + port + ".log");
            Process p = new ProcessBuilder(bin.resolve("sushy-static").toString(), "-i", "127.0.0.1", "-p", Integer.toString(port), "-m",
                    mockup.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Peers.awaitPort(port, p, Duration.ofSeconds(20), log);
                return new SushyStatic(p, port);
            } catch (IOException e) {
                Peers.stop(p);
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public String address() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        Peers.stop(process);
    }
}
