package dev.strata.platform.core.store;

import java.nio.file.Path;

/** Opens stores for tests of other packages. */
public final class StoreTestAccess {

    private StoreTestAccess() {
    }

    public static JdbcStateStore embedded(Path data) {
        return Stores.embedded(data);
    }

    /**
     * An instance on PostgreSQL; {@code etc} receives the password file.
     *
     * @param ha whether it takes part in leader election
     */
    public static JdbcStateStore postgres(String url, Path etc, String instance, boolean ha, String electionInterval) throws Exception {
        return Stores.postgres(Stores.postgresSettings(null, url, etc, instance, ha, electionInterval));
    }

    /** Recomputes the store's provenance chain (records only; checkpoints are the provenance service's). */
    public static dev.strata.platform.audit.Verification verifyChain(JdbcStateStore store) {
        return StateStoreContract.verifyChain(store);
    }
}
