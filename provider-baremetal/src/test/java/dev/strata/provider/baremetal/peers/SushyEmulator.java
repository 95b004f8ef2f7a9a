package dev.strata.provider.baremetal.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * sushy-tools' {@code sushy-emulator} (the Redfish emulator OpenStack Ironic tests against) with
 * its fake driver, started on a free port of 127.0.0.1 for one test class: fake systems with
 * the given UUIDs, a state directory of its own (cleared: stored systems would win over the
 * configured list), basic authentication from an htpasswd file with bcrypt, and TLS with a
 * certificate made for the run (or plain HTTP).
 *
 * <p>What it proves: power (On, ForceOff, GracefulShutdown, ForceRestart; the state changes 1 to
 * 11 s after the request), the boot source override, virtual media (it downloads the image
 * itself), basic authentication and TLS. What it lacks: processor and memory detail, sessions,
 * ETags, tasks.
 */
public final class SushyEmulator implements AutoCloseable {

    /** A fake system. */
    public record FakeSystem(String uuid, String name, String powerState, String mac) {
    }

    private final Process process;
    private final int port;
    private final boolean tls;
    private final TestCertificate certificate;

    private SushyEmulator(Process process, int port, boolean tls, TestCertificate certificate) {
        this.process = process;
        this.port = port;
        this.tls = tls;
        this.certificate = certificate;
    }

    /**
     * Starts an emulator.
     *
     * @param certificate the TLS certificate, or null for plain HTTP
     */
    public static SushyEmulator start(Path dir, List<FakeSystem> systems, String user, String password, TestCertificate certificate)
            throws IOException, InterruptedException {
        return start(dir, systems, user, password, certificate, "");
    }

    /**
     * Starts an emulator whose configuration file ends with {@code extraConfig}: the file is
     * Python that the emulator executes, so a test can add what the fake driver lacks (say so
     * in the test).
     *
     * @param certificate the TLS certificate, or null for plain HTTP
     */
    public static SushyEmulator start(Path dir, List<FakeSystem> systems, String user, String password, TestCertificate certificate,
            String extraConfig) throws IOException, InterruptedException {
        Path bin = Peers.sushyBin();
        Files.createDirectories(dir);
        Path state = dir.resolve("state");
        if (Files.exists(state)) {
            try (var walk = Files.walk(state)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(state);
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, user + ":" + bcrypt(bin, password) + "\n");
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Peers.freePort();
            Path config = dir.resolve("emulator.conf");
            Files.writeString(config, config(port, systems, state, htpasswd, certificate) + extraConfig);
            Path log = dir.resolve("emulator.log");
            Process p = new ProcessBuilder(bin.resolve("sushy-emulator").toString(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Peers.awaitPort(port, p, Duration.ofSeconds(30), log);
                return new SushyEmulator(p, port, certificate != null, certificate);
            } catch (IOException e) {
                Peers.stop(p);
                last = e;
            }
        }
        throw last;
    }

    private static String config(int port, List<FakeSystem> systems, Path state, Path htpasswd, TestCertificate certificate) {
        List<String> fake = new ArrayList<>();
        for (FakeSystem s : systems) {
            fake.add("{'uuid': '" + s.uuid() + "', 'name': '" + s.name() + "', 'power_state': '" + s.powerState()
                    + "', 'nics': [{'mac': '" + s.mac() + "', 'ip': '192.0.2.10'}]}");
        }
        StringBuilder c = new StringBuilder();
        c.append("SUSHY_EMULATOR_LISTEN_IP = '127.0.0.1'\n");
        c.append("SUSHY_EMULATOR_LISTEN_PORT = ").append(port).append('\n');
        c.append("SUSHY_EMULATOR_FAKE_DRIVER = True\n");
        c.append("SUSHY_EMULATOR_FAKE_SYSTEMS = [\n    ").append(String.join(",\n    ", fake)).append("\n]\n");
        c.append("SUSHY_EMULATOR_STATE_DIR = '").append(state).append("'\n");
        c.append("SUSHY_EMULATOR_AUTH_FILE = '").append(htpasswd).append("'\n");
        c.append("SUSHY_EMULATOR_VMEDIA_VERIFY_SSL = False\n");
        if (certificate != null) {
            c.append("SUSHY_EMULATOR_SSL_CERT = '").append(certificate.certificate()).append("'\n");
            c.append("SUSHY_EMULATOR_SSL_KEY = '").append(certificate.key()).append("'\n");
        }
        return c.toString();
    }

    /** A bcrypt hash made by the Python bcrypt the emulator itself uses (the password goes through stdin). */
    private static String bcrypt(Path bin, String password) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bin.resolve("python").toString(), "-c",
                "import bcrypt,sys; print(bcrypt.hashpw(sys.stdin.readline().rstrip('\\n').encode(), bcrypt.gensalt(rounds=4)).decode())")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((password + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || !out.startsWith("$2")) {
            throw new IOException("cannot make a bcrypt hash: " + out);
        }
        return out;
    }

    public int port() {
        return port;
    }

    /** The address as a BMC configuration names it. */
    public String address() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port;
    }

    public TestCertificate certificate() {
        return certificate;
    }

    /** The Redfish path of a fake system (sushy names systems by UUID). */
    public static String systemPath(FakeSystem s) {
        return "/redfish/v1/Systems/" + s.uuid();
    }

    @Override
    public void close() {
        Peers.stop(process);
    }
}
