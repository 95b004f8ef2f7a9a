package dev.strata.benchmarks.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** The embedded store's files a benchmark made in its temporary directory: their size, then gone. */
public final class StoreFiles {

    private StoreFiles() {
    }

    /** Prints the size of the files under {@code dir} (the embedded store's file; nothing for PostgreSQL) and deletes the directory. */
    public static void reportAndDelete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            long bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            if (bytes > 0) {
                System.out.printf(Locale.ROOT, "embedded store file at the end: %,.1f MB%n", bytes / 1e6);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
