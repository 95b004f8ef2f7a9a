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

    /**
     * Sets H2's retention time (how long a chunk is kept after it was written; 45 s by default), so
     * that online compaction finds chunks old enough to rewrite within a test's seconds. Only for a
     * store that will not be killed: H2's recovery after a crash relies on the retention time.
     */
    public static void retention(JdbcStateStore store, int millis) {
        store.read(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET RETENTION_TIME " + millis);
            }
            return null;
        });
    }

    /** Recomputes the store's provenance chain (records only; checkpoints are the provenance service's). */
    public static dev.strata.platform.audit.Verification verifyChain(JdbcStateStore store) {
        return StateStoreContract.verifyChain(store);
    }
}
