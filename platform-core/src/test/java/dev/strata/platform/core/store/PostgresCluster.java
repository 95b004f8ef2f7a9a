package dev.strata.platform.core.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, private PostgreSQL cluster for tests: {@code initdb} into a fresh folder, then
 * {@code pg_ctl start} on 127.0.0.1 at a free port, with password authentication for a
 * {@code strata} user (the superuser {@code postgres} trusts local sockets only). Run as root,
 * the server runs as the {@code postgres} user. Without PostgreSQL's binaries the test is skipped
 * with a message, except under {@code CI=true}, where that is a failure.
 */
public final class PostgresCluster implements AutoCloseable {

    public static final String PASSWORD = "s3cret-for-tests-only";

    final Path dir;
    final int port;
    private final boolean asPostgresUser;

    private PostgresCluster(Path dir, int port, boolean asPostgresUser) {
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** PostgreSQL's server binaries: $PG_BIN, else the newest /usr/lib/postgresql/VERSION/bin (Debian's layout). */
    static Path bin() {
        String env = System.getenv("PG_BIN");
        if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (var versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+") && Files.isExecutable(v.resolve("bin/initdb")))
                    .max(java.util.Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin")).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Starts a cluster, or skips the test (fails it under CI=true) when PostgreSQL is not installed. */
    public static PostgresCluster start() throws Exception {
        Path bin = bin();
        if (bin == null) {
            String message = "PostgreSQL's initdb was not found (Debian package postgresql; .ci/run installs it); set PG_BIN to its bin folder";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            assumeTrue(false, message);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("strata-pg-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = dir.resolve("data");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "postgres-superuser-unused\n");
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresCluster pg = new PostgresCluster(dir, port, root);
        pg.pg(bin.resolve("initdb") + " -D " + data + " -U postgres -A trust --auth-host=scram-sha-256 --pwfile=" + pw + " -E UTF8 --no-sync");
        pg.pg(bin.resolve("pg_ctl") + " -D " + data + " -l " + dir.resolve("log") + " -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p " + port
                + " -k " + dir + " -c fsync=on -c max_connections=200\" start");
        // the postgres superuser is trusted over the socket; create the strata user with a password
        pg.psql("CREATE USER strata PASSWORD '" + PASSWORD + "'; CREATE DATABASE strata OWNER strata;");
        return pg;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/strata";
    }

    /** A new empty database owned by strata; its URL. */
    public String newDatabase(String name) throws Exception {
        psql("CREATE DATABASE " + name + " OWNER strata;");
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** Runs SQL as the superuser over the local socket. */
    void psql(String sql) throws Exception {
        Path file = dir.resolve("q-" + System.nanoTime() + ".sql");
        Files.writeString(file, sql);
        if (asPostgresUser) {
            run(List.of("chown", "postgres", file.toString()), false);
        }
        Path psql = Files.isExecutable(bin().resolve("psql")) ? bin().resolve("psql") : Path.of("psql");
        pg(psql + " -v ON_ERROR_STOP=1 -q -h " + dir + " -p " + port + " -U postgres -d postgres -f " + file);
    }

    /** The server processes serving the sessions of an application name prefix. */
    public java.util.List<Long> backends(String applicationNameLike) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), "strata", PASSWORD); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name LIKE '" + applicationNameLike
                    + "' AND pid <> pg_backend_pid()");
            java.util.List<Long> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
            return out;
        }
    }

    /** Ends every session of an application name prefix (or all of user strata), as a DBA would. */
    public int terminate(String applicationNameLike) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), "strata", PASSWORD); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE '"
                    + applicationNameLike + "' AND pid <> pg_backend_pid()");
            rs.next();
            return rs.getInt(1);
        }
    }

    private void pg(String command) throws Exception {
        run(asPostgresUser ? List.of("su", "postgres", "-s", "/bin/sh", "-c", command) : List.of("/bin/sh", "-c", command), true);
    }

    private static void run(List<String> command, boolean check) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        if (check && p.exitValue() != 0) {
            throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + out);
        }
    }

    @Override
    public void close() throws Exception {
        Path bin = bin();
        try {
            pg(bin.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -m immediate -w stop");
        } finally {
            List<Path> all = new ArrayList<>();
            try (var walk = Files.walk(dir)) {
                walk.forEach(all::add);
            }
            for (int i = all.size() - 1; i >= 0; i--) {
                Files.deleteIfExists(all.get(i));
            }
        }
    }
}
