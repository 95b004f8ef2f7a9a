package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where {@code strata:place -f} reads its contract from. */
class PlaceCommandInputTest {

    /** Records what it was given and refuses it, so that no placement service is needed. */
    static final class RecordingReader implements ContractReader {
        final List<String> sources = new ArrayList<>();
        final List<String> texts = new ArrayList<>();

        @Override
        public Contract read(String text, String source) {
            sources.add(source);
            texts.add(text);
            throw new IllegalStateException("read");
        }

        @Override
        public Contract read(Path file) {
            return read("(file " + file + ")", file.toString());
        }

        @Override
        public Contract read(InputStream in, String source) {
            try {
                return read(new String(in.readAllBytes(), StandardCharsets.UTF_8), source);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void aDashReadsTheContractFromStandardInput() {
        RecordingReader reader = new RecordingReader();
        PlaceCommand command = new PlaceCommand();
        command.reader = reader;
        command.file = "-";
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream("name: from-stdin\n".getBytes(StandardCharsets.UTF_8)));
        try {
            assertThatThrownBy(command::execute).hasMessage("read");
        } finally {
            System.setIn(original);
        }
        assertThat(reader.texts).containsExactly("name: from-stdin\n");
        assertThat(reader.sources).containsExactly("(standard input)");
    }

    @Test
    void aMissingRelativeFileSaysWhereItLookedAndWhatToDoInstead() {
        PlaceCommand command = new PlaceCommand();
        command.reader = new RecordingReader();
        command.file = "no-such-contract.yaml";

        assertThatThrownBy(command::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no contract file no-such-contract.yaml: looked for "
                        + Path.of("no-such-contract.yaml").toAbsolutePath())
                .hasMessageContaining("cat no-such-contract.yaml | strata:place -f -")
                .hasMessageContaining("bin/strata shell strata:place -f no-such-contract.yaml");
    }

    /** A NUL in the path made Path.of throw a raw InvalidPathException; it is named as the -f option's problem, nothing read. */
    @Test
    void aNulCharacterInThePathIsRefusedNamingTheOption() {
        RecordingReader reader = new RecordingReader();
        PlaceCommand command = new PlaceCommand();
        command.reader = reader;
        command.file = "/tmp/c.yaml\0.txt";
        assertThatThrownBy(command::execute).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("-f /tmp/c.yaml\\0.txt: the contract file path holds a NUL character (\\0), which no file name can hold;"
                        + " give the path of a contract file, or - to read it from standard input");
        assertThat(reader.sources).isEmpty();
    }

    @Test
    void aMissingAbsoluteFileIsNamed() {
        PlaceCommand command = new PlaceCommand();
        command.reader = new RecordingReader();
        command.file = "/nonexistent/dir/c.yaml";
        assertThatThrownBy(command::execute).hasMessage("no contract file /nonexistent/dir/c.yaml");
    }
}
