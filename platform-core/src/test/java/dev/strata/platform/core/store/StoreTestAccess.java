package dev.strata.platform.core.store;

import java.nio.file.Path;

/** Opens stores for tests of other packages. */
public final class StoreTestAccess {

    private StoreTestAccess() {
    }

    public static JdbcStateStore embedded(Path data) {
        return Stores.embedded(data);
    }

    /** An embedded store that compacts its file online below {@code compactFillRate} percent of live data. */
    public static JdbcStateStore embedded(Path data, int compactFillRate) {
        return Stores.embedded(data, java.util.Map.of("compactFillRate", compactFillRate));
    }

    /**
     * An instance on PostgreSQL; {@code etc} receives the password file.
     *
     * @param ha whether it takes part in leader election
     */
    public static JdbcStateStore postgres(String url, Path etc, String instance, boolean ha, String electionInterval) throws Exception {
        return Stores.postgres(Stores.postgresSettings(null, url, etc, instance, ha, electionInterval));
    }

    /** Runs an instance's election round now (its leadership is elected through the database). */
    public static void electionRound(JdbcStateStore store) {
        ((DatabaseLeadership) store.leadership()).tickNow();
    }

    /**
     * Sets H2's retention time (how long a chunk is kept after it was written or died; 45 s by
     * default), so that online compaction finds chunks old enough to rewrite, and the file reuses
     * freed space, within a test's seconds. A killed store with it lowered loses nothing either (the
     * kill -9 loops check that); before the store's header check it lost acknowledged commits.
     */
    public static void retention(JdbcStateStore store, int millis) {
        store.read(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET RETENTION_TIME " + millis);
            }
            return null;
        });
    }

    /**
     * Leaves a sparse chunk in the embedded file, so that online compaction has something certain
     * to rewrite once the chunk is older than H2's retention time. A table of its own
     * ({@code compaction_probe}) gets {@code megabytes} of 1 KB rows in one transaction, which H2
     * writes as one chunk; then the first nine tenths of the rows are deleted in another. The leaf
     * pages of the last tenth are never touched again, so they stay live in the first chunk, which
     * is about a tenth live. (The store's own churn does not make such a chunk reliably: after a
     * kill, the chunks left with live pages are 87 to 98 % live, and whether any is below the
     * compaction threshold is chance.)
     */
    public static void sparseChunk(JdbcStateStore store, int megabytes) {
        int rows = megabytes * 1024;
        store.read(c -> {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE compaction_probe (id INT PRIMARY KEY, payload VARCHAR(1100) NOT NULL)");
                c.commit();
                try (java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO compaction_probe (id, payload) VALUES (?, ?)")) {
                    String payload = "p".repeat(1000);
                    for (int i = 0; i < rows; i++) {
                        insert.setInt(1, i);
                        insert.setString(2, payload);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                c.commit();
                s.executeUpdate("DELETE FROM compaction_probe WHERE id < " + rows * 9 / 10);
                c.commit();
            } finally {
                c.setAutoCommit(auto);
            }
            return null;
        });
    }

    /** Recomputes the store's provenance chain (records only; checkpoints are the provenance service's). */
    public static dev.strata.platform.audit.Verification verifyChain(JdbcStateStore store) {
        return StateStoreContract.verifyChain(store);
    }
}
