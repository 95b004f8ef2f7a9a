package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configured {@code nvidiaSmi} path reaches the reason nvidia-smi is unavailable, which the
 * provider logs when it sees no GPUs: a path that cannot be started is quoted by Java's message, and
 * one that is not found by the provider's own. A line break, a terminal escape or a direction override
 * in the path would forge or rewrite that log line, so each is shown escaped, as the provider's log of
 * its settings shows the path.
 */
class ConfiguredSmiPathInMessagesTest {

    @TempDir
    Path dir;

    /** A directory whose name holds a terminal escape, a line break and (where file names can hold it) a direction override. */
    private Path oddDirectory() throws Exception {
        String bidi = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode('\u202e') ? "\u202e" : "";
        return Files.createDirectories(dir.resolve("bin\u001b[31m\nforged" + bidi));
    }

    private static SmiSource source(Path configured) {
        return new SmiSource(configured.toString(), Duration.ofSeconds(10), new PciSysfs(), Clock.systemUTC(), "host:test");
    }

    @Test
    void aPathThatCannotBeStartedIsShownEscaped() throws Exception {
        // an executable whose interpreter does not exist: found, and refused by the system when it is started
        Path smi = Files.writeString(oddDirectory().resolve("nvidia-smi"), "#!/nonexistent/interpreter\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> source(smi).discover(DiscoveryContext.withTimeout("test", Duration.ofSeconds(10))))
                .isInstanceOf(SourceUnavailableException.class).satisfies(e -> {
                    assertThat(e.getMessage()).startsWith("nvidia-smi -q -x cannot be started: ").contains("bin\\u001b[31m\\u000aforged");
                    assertThat(InvalidConfigurationException.printable(e.getMessage())).isEqualTo(e.getMessage());
                });
    }

    @Test
    void aPathThatIsNotFoundIsShownEscaped() throws Exception {
        Path missing = oddDirectory().resolve("nvidia-smi");
        assertThatThrownBy(() -> source(missing).discover(DiscoveryContext.withTimeout("test", Duration.ofSeconds(10))))
                .isInstanceOf(SourceUnavailableException.class).satisfies(e -> {
                    assertThat(e.getMessage()).startsWith("nvidia-smi not found (").contains("bin\\u001b[31m\\u000aforged");
                    assertThat(InvalidConfigurationException.printable(e.getMessage())).isEqualTo(e.getMessage());
                });
    }
}
