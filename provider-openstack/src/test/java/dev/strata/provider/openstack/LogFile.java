package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file every log line of the tests goes to (see the module's surefire configuration). */
public final class LogFile {

    private LogFile() {
    }

    public static Path path() {
        return Path.of(System.getProperty("org.slf4j.simpleLogger.logFile", "target/provider-openstack-test.log"));
    }

    /** Asserts that none of the secrets appears in any log line written so far (and that there are log lines). */
    public static void assertNoneOf(String... secrets) {
        try {
            String log = Files.readString(path(), StandardCharsets.UTF_8);
            assertThat(log).as("the test log %s", path()).isNotEmpty();
            for (String secret : secrets) {
                assertThat(log).as("the test log %s", path()).doesNotContain(secret);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
