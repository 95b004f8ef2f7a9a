package dev.strata.platform.core.store;

import java.nio.file.Path;

/** Opens stores for tests of other packages. */
public final class StoreTestAccess {

    private StoreTestAccess() {
    }

    public static JdbcStateStore embedded(Path data) {
        return Stores.embedded(data);
    }
}
