package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.audit.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the schema migrations in {@code migration/index.txt} that the database lacks, each in
 * its own transaction, and records each in {@code schema_version} with the SHA-256 of its text.
 * On PostgreSQL the whole run holds a transaction-scoped advisory lock, so that instances starting
 * together migrate once; an edited migration (checksum differs) or a database newer than this
 * Strata stops the start with a message saying so. H2 runs DDL outside transactions: a migration
 * cut short there (the start killed, a crash, a full disk) leaves part of itself with its version
 * not recorded; the next start runs it again, taking a statement that fails on what it creates (a
 * table, index, column, sequence or row that exists), or a statement that drops what is gone
 * already, as applied by that run.
 */
final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** The advisory lock key of migrations ('strata' + 1). */
    static final long MIGRATION_LOCK = 0x5374726174610001L;

    /** One migration: version, file name, text. */
    record Migration(int version, String name, String sql) {
        String sha256() {
            return Hashes.sha256(sql.getBytes(StandardCharsets.UTF_8));
        }
    }

    private Migrations() {
    }

    /** The migrations this Strata carries, in order. */
    static List<Migration> bundled() {
        List<Migration> out = new ArrayList<>();
        for (String line : resource("migration/index.txt").split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            int version = Integer.parseInt(name.substring(1, name.indexOf("__")));
            out.add(new Migration(version, name, resource("migration/" + name)));
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " in the core bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    /**
     * Brings the schema up to date and returns the version and the log id.
     *
     * @throws StateStoreException when a migration fails, was edited, or the database is newer
     */
    static Result migrate(Connection c, boolean postgres, String where) throws SQLException {
        return migrate(c, postgres, where, bundled());
    }

    /**
     * As {@link #migrate(Connection, boolean, String)}, with {@code bundled} the migrations this
     * Strata carries: for tests, the first ones only makes a database as an older Strata left it.
     */
    static Result migrate(Connection c, boolean postgres, String where, List<Migration> bundled) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            if (postgres) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                    s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, name VARCHAR(256) NOT NULL, "
                            + "sha256 VARCHAR(64) NOT NULL, applied_ms BIGINT NOT NULL)");
                }
            } else {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, name VARCHAR(256) NOT NULL, "
                            + "sha256 VARCHAR(64) NOT NULL, applied_ms BIGINT NOT NULL)");
                }
                c.commit();
            }
            Map<Integer, String> applied = new LinkedHashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version, sha256 FROM schema_version ORDER BY version")) {
                while (rs.next()) {
                    applied.put(rs.getInt(1), rs.getString(2));
                }
            }
            int known = bundled.isEmpty() ? 0 : bundled.get(bundled.size() - 1).version();
            for (int v : applied.keySet()) {
                if (v > known) {
                    throw new StateStoreException("the state store at " + where + " has schema version " + v + ", newer than this Strata knows ("
                            + known + "); start a Strata at least as new as the one that upgraded it");
                }
            }
            int version = 0;
            for (Migration m : bundled) {
                String sha = applied.get(m.version());
                if (sha != null) {
                    if (!sha.equals(m.sha256())) {
                        throw new StateStoreException("migration " + m.name() + " was applied to " + where + " with a different text "
                                + "(checksum " + sha.substring(0, 12) + ", now " + m.sha256().substring(0, 12)
                                + "); applied migrations must never change");
                    }
                    version = m.version();
                    continue;
                }
                LOG.info("Applying state store migration {} to {}", m.name(), where);
                try (Statement s = c.createStatement()) {
                    for (String statement : statements(m.sql())) {
                        String sql = resolve(c, statement, where, postgres);
                        if (sql == null) {
                            // the one UNIQUE constraint it drops is gone: only a run of this migration cut short drops it
                            LOG.warn("State store migration {} on {}: {} finds no such constraint (dropped by a start that stopped "
                                    + "before the migration was recorded); going on with the next statement", m.name(), where,
                                    statement.strip());
                            continue;
                        }
                        try {
                            s.execute(sql);
                        } catch (SQLException e) {
                            if (postgres || !appliedBefore(e, sql)) {
                                throw e;
                            }
                            // H2 commits each DDL statement as it runs: a start stopped within this migration (killed, a crash,
                            // a full disk) left the statements before that point applied and its version not recorded, and the
                            // store never opened again, failing on what the first of them had made
                            LOG.warn("State store migration {} on {}: {} (applied by a start that stopped before the migration "
                                    + "was recorded); going on with the next statement", m.name(), where, JdbcStateStore.describe(e));
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO schema_version (version, name, sha256, applied_ms) VALUES (?, ?, ?, ?)")) {
                    p.setInt(1, m.version());
                    p.setString(2, m.name());
                    p.setString(3, m.sha256());
                    p.setLong(4, System.currentTimeMillis());
                    p.executeUpdate();
                }
                version = m.version();
                if (!postgres) {
                    c.commit();
                }
            }
            String logId;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT meta_value FROM strata_meta WHERE name = 'log'")) {
                logId = rs.next() ? rs.getString(1) : null;
            }
            if (logId == null) {
                logId = UUID.randomUUID().toString();
                try (PreparedStatement p = c.prepareStatement("INSERT INTO strata_meta (name, meta_value) VALUES ('log', ?)")) {
                    p.setString(1, logId);
                    p.executeUpdate();
                }
            }
            c.commit();
            return new Result(version, logId);
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * H2's error codes for a statement whose effect is in the database already: the table, index,
     * column or sequence it creates exists, or the row it inserts (a migration's one fixed row).
     */
    private static final java.util.Set<Integer> H2_APPLIED = java.util.Set.of(42101, 42111, 42121, 90035, 23505);

    /**
     * H2's error codes for a {@code DROP} whose effect is in the database already: the table,
     * index, column, constraint or sequence it drops is not there. Taken as applied for a
     * statement that drops only: from any other statement they say it refers to what is missing.
     */
    private static final java.util.Set<Integer> H2_DROPPED = java.util.Set.of(42102, 42112, 42122, 90057, 90036);

    private static final Pattern DROPS = Pattern.compile("(?is)\\s*(DROP\\s|ALTER\\s+TABLE\\s+\\S+\\s+DROP\\s).*");

    /** Whether an embedded migration's statement failed because an earlier run of the same migration, cut short, applied it. */
    private static boolean appliedBefore(SQLException e, String sql) {
        return H2_APPLIED.contains(e.getErrorCode()) || H2_DROPPED.contains(e.getErrorCode()) && DROPS.matcher(sql).matches();
    }

    /** The schema version and the provenance log's id. */
    record Result(int version, String logId) {
    }

    private static final Pattern DROP_UNIQUE = Pattern.compile(
            "DROP UNIQUE (\\w+) \\((\\w+)\\)", Pattern.CASE_INSENSITIVE);

    /**
     * A statement as the database runs it. One form is Strata's own, because the databases name
     * an unnamed constraint differently ({@code provenance_record_hash_key} on PostgreSQL,
     * {@code CONSTRAINT_70_0} on H2): {@code DROP UNIQUE table (column)} drops the UNIQUE
     * constraint on exactly that one column, found by name in {@code information_schema}; a
     * migration fails when there is none on PostgreSQL, where a migration is one transaction. On
     * H2, where each statement commits as it runs, none means a run of the migration cut short
     * dropped it: null, the statement is applied.
     */
    static String resolve(Connection c, String statement, String where, boolean postgres) throws SQLException {
        Matcher m = DROP_UNIQUE.matcher(statement.strip());
        if (!m.matches()) {
            return statement;
        }
        String table = m.group(1).toLowerCase(Locale.ROOT);
        String column = m.group(2).toLowerCase(Locale.ROOT);
        List<String> names = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT tc.constraint_name FROM information_schema.table_constraints tc "
                + "JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name "
                + "AND k.table_name = tc.table_name WHERE tc.table_schema = current_schema() AND tc.table_name = ? AND tc.constraint_type = 'UNIQUE' "
                + "GROUP BY tc.constraint_name HAVING COUNT(*) = 1 AND MAX(k.column_name) = ?")) {
            p.setString(1, table);
            p.setString(2, column);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        if (names.isEmpty() && !postgres) {
            return null;
        }
        if (names.size() != 1) {
            throw new StateStoreException("the state store at " + where + " has " + names.size() + " UNIQUE constraints on " + table + " ("
                    + column + ") where the migration expects exactly one " + names);
        }
        return "ALTER TABLE " + table + " DROP CONSTRAINT \"" + names.get(0).replace("\"", "\"\"") + "\"";
    }

    /** Splits a migration into statements: on ';' at the end of a line; '--' comment lines dropped. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (t.endsWith(";")) {
                String s = current.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }
}
