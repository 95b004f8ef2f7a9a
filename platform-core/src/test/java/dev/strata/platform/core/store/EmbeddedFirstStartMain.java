package dev.strata.platform.core.store;

import java.nio.file.Path;

/**
 * Opens and closes the embedded store under the data folder given as the argument, as its own
 * JVM, so that {@link EmbeddedStoreTest} can watch its system calls.
 */
public final class EmbeddedFirstStartMain {

    private EmbeddedFirstStartMain() {
    }

    public static void main(String[] args) {
        Stores.embedded(Path.of(args[0])).close();
        System.out.println("CLOSED");
        System.exit(0);
    }
}
