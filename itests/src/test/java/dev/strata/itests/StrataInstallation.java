package dev.strata.itests;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Strata distribution unpacked into a folder of its own and driven the way an operator
 * drives it: through {@code bin/strata} and {@code bin/client} as separate processes.
 */
final class StrataInstallation implements AutoCloseable {

    /** What a process printed (stdout and stderr together) and how it ended. */
    record Result(int exitCode, String output, Duration took) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    final Path home;
    final Path base;
    final int sshPort;

    private StrataInstallation(Path home, Path base, int sshPort) {
        this.home = home;
        this.base = base;
        this.sshPort = sshPort;
    }

    /**
     * Unpacks the distribution built by this reactor into {@code dir/dist}; the instance folder
     * ({@code STRATA_BASE}) is {@code base}, its console on a free port.
     */
    static StrataInstallation unpack(Path dir, Path base) throws IOException, InterruptedException {
        File tar = KarafOptions.reactorFile("distribution/target/strata-distribution-" + KarafOptions.version() + ".tar.gz");
        Path target = dir.resolve("dist");
        deleteTree(target);
        Files.createDirectories(target);
        Result untar = run(List.of("tar", "xzf", tar.getAbsolutePath(), "-C", target.toString()), Map.of(), null, Duration.ofMinutes(2));
        if (untar.exitCode() != 0) {
            throw new IllegalStateException("tar failed: " + untar.output());
        }
        Path home;
        try (Stream<Path> s = Files.list(target)) {
            home = s.findFirst().orElseThrow();
        }
        return new StrataInstallation(home, base, freePort());
    }

    /**
     * As {@link #unpack}, the distribution folder itself being the instance (no {@code STRATA_BASE}),
     * its console on a free port.
     */
    static StrataInstallation unpackInPlace(Path dir) throws IOException, InterruptedException {
        StrataInstallation unpacked = unpack(dir, dir);
        return new StrataInstallation(unpacked.home, unpacked.home, unpacked.sshPort);
    }

    /** Creates the instance folder from the distribution's etc/ with the console on this installation's port. */
    void prepareInstance() throws IOException {
        Path etc = base.resolve("etc");
        if (!Files.isDirectory(etc)) {
            Files.createDirectories(etc);
            try (Stream<Path> files = Files.list(home.resolve("etc"))) {
                for (Path f : files.toList()) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, etc.resolve(f.getFileName()));
                    }
                }
            }
        }
        Path shell = etc.resolve("org.apache.karaf.shell.cfg");
        Files.writeString(shell, Files.readString(shell).replaceAll("(?m)^sshPort = .*$", "sshPort = " + sshPort));
    }

    Result strata(Duration timeout, String... args) throws IOException, InterruptedException {
        return strataWithInput(null, timeout, args);
    }

    Result strataWithInput(String stdin, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/strata").toString());
        command.addAll(List.of(args));
        return run(command, Map.of("STRATA_BASE", base.toString()), stdin, timeout);
    }

    /**
     * Starts the Karaf server on this installation's instance as bin/strata launches it, without
     * bin/strata (a server whose start was cut short is left so); its output is discarded.
     */
    Process serverAlone() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(Map.of("KARAF_BASE", base.toString(), "KARAF_ETC", base.resolve("etc").toString(),
                "KARAF_DATA", base.resolve("data").toString()));
        return pb.start();
    }

    Result client(String stdin, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/client").toString());
        command.addAll(List.of(args));
        return run(command, Map.of("KARAF_BASE", base.toString(), "KARAF_ETC", base.resolve("etc").toString(),
                "KARAF_DATA", base.resolve("data").toString()), stdin, timeout);
    }

    /** The Karaf server's process id, from the pid file Karaf writes into the instance. */
    long pid() throws IOException {
        return Long.parseLong(Files.readString(base.resolve("karaf.pid")).strip());
    }

    /**
     * The process ids of the Karaf JVMs running on this installation's instance folder, from /proc
     * (each one's {@code -Dkaraf.base}), whatever its pid file says.
     */
    List<Long> karafProcesses() throws IOException {
        Path instance = base.toRealPath();
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.toList()) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] args;
                try {
                    args = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
                } catch (IOException e) {
                    continue; // it ended meanwhile
                }
                if (!List.of(args).contains("org.apache.karaf.main.Main")) {
                    continue;
                }
                for (String a : args) {
                    if (a.startsWith("-Dkaraf.base=") && Files.isDirectory(Path.of(a.substring(13)))
                            && Path.of(a.substring(13)).toRealPath().equals(instance)) {
                        pids.add(Long.parseLong(name));
                    }
                }
            }
        }
        return pids;
    }

    @Override
    public void close() throws Exception {
        strata(Duration.ofMinutes(1), "stop");
        Path pidFile = base.resolve("karaf.pid");
        if (Files.exists(pidFile)) {
            ProcessHandle.of(pid()).ifPresent(p -> {
                try {
                    p.onExit().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
        // a JVM the pid file does not name (a second server started on the same instance) ends too
        if (Files.isDirectory(base)) {
            for (long pid : karafProcesses()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout) throws IOException, InterruptedException {
        return run(command, env, stdin, timeout, null);
    }

    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout, Path workingDirectory)
            throws IOException, InterruptedException {
        return run(command, env, stdin, timeout, workingDirectory, null, null);
    }

    /**
     * Runs a process; {@code typed}, when given, is written to its input after {@code typeAfter}
     * (an interactive program reads it once it is ready), and the input is then closed.
     */
    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout, Path workingDirectory,
            String typed, Duration typeAfter) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (typed != null) {
            p.getOutputStream().flush();
            Thread.sleep(typeAfter.toMillis());
            for (String line : typed.lines().toList()) {
                p.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().flush();
                Thread.sleep(2000);
            }
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(5000);
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout + "; it printed:\n" + out);
        }
        reader.join(10_000);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
    }

    /** A TCP socket a process listens on: its local address and port. */
    record Listening(InetAddress address, int port) {
    }

    /** Every TCP socket the process listens on, from /proc (the socket inodes of its descriptors in /proc/net/tcp and tcp6). */
    static List<Listening> listeningSockets(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException e) {
                    // the descriptor closed meanwhile
                }
            }
        }
        List<Listening> out = new ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.strip().split("\\s+");
                if (!f[3].equals("0A") || !inodes.contains(f[9])) {
                    continue;
                }
                String[] local = f[1].split(":");
                out.add(new Listening(InetAddress.getByAddress(procAddress(local[0])), Integer.parseInt(local[1], 16)));
            }
        }
        return out;
    }

    /** /proc/net writes addresses as 32-bit words in host (little-endian) order. */
    private static byte[] procAddress(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return b;
    }

    /** The names in a folder, sorted; none when it is not there. */
    static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
