package dev.strata.provider.nvidia;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The captured NVIDIA fixtures, read in place from {@code <strata.fixtures>/nvidia/<machine>/}
 * (surefire passes {@code strata.fixtures}; the default is {@code ../shared/fixtures} beside the
 * project root). A test whose folder is missing is skipped with a message naming it.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** The folder of one captured machine ({@code h200-vm}, {@code h100-vm}); skips the test when it is missing. */
    public static Path nvidia(String machine) {
        Path root = Path.of(System.getProperty("strata.fixtures", "../../shared/fixtures"));
        Path dir = root.resolve("nvidia").resolve(machine).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(dir), () -> "fixture folder " + dir + " is missing (set -Dstrata.fixtures to the shared fixtures)");
        return dir;
    }

    public static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
