package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.apache.karaf.shell.api.console.Registry;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.console.parsing.CommandLineParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * The commands a missing relative contract file's message suggests showed the name bare: for
     * {@code my contract.yaml} cat was given two files, for {@code it's.yaml} the line had an
     * unclosed quote, for {@code $x.yaml} the shell put a variable in its place. Each is now written
     * so that where it is typed reads the name back whole: {@code cat NAME | strata:place -f -} in
     * Strata's shell (at the console, and given to {@code bin/client} or {@code ssh}), and in
     * {@code sh} as well; {@code bin/strata shell strata:place -f NAME} in {@code sh}, whose words
     * bin/strata passes on as given.
     */
    @Test
    void theCommandsAMissingFilesMessageSuggestsReadItsNameBackWhole(@TempDir Path dir) throws Exception {
        List<String> names = List.of("my contract.yaml", "it's.yaml", "$HOME.yaml", "a\\b.yaml", "a;b|c{d}.yaml", "c(1).yaml",
                "\"q\".yaml", "*.yaml", "~x.yaml", "#x.yaml", "-x.yaml", "\u00e9t\u00e9 o'x.yaml", "x=y.yaml", "a&b>c<d.yaml", "`id`.yaml",
                "%x.yaml", "it's $x \\ y'.yaml", "'", "a,b.yaml", "plain-name.yaml");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("strata"), "#!/bin/sh\nprintf '%s\\0' \"$@\" > \"$OUT\"\n");
        Files.writeString(bin.resolve("strata:place"), "#!/bin/sh\ncat > \"$OUT\"\n");
        bin.resolve("strata").toFile().setExecutable(true);
        bin.resolve("strata:place").toFile().setExecutable(true);
        for (String name : names) {
            String message = PlaceCommand.notFound(name);
            String cat = message.substring(message.indexOf("cat "), message.indexOf(" | strata:place -f -") + " | strata:place -f -".length());
            String strata = message.substring(message.indexOf("bin/strata shell strata:place -f "),
                    message.lastIndexOf(" from the folder that holds it"));
            strata = strata.endsWith("'") && message.contains("run 'bin/strata") ? strata.substring(0, strata.length() - 1) : strata;
            String catFile = name.startsWith("-") ? "./" + name : name;

            assertThat(consoleCat(cat, false)).as("%s at the console", cat).containsExactly(catFile);
            assertThat(consoleCat(cat, true)).as("%s through bin/client or ssh", cat).containsExactly(catFile);

            Files.writeString(dir.resolve(name), "name: " + names.indexOf(name) + "\n");
            assertThat(sh(dir, cat)).as("%s in sh", cat).isEqualTo("name: " + names.indexOf(name) + "\n");
            assertThat(Arrays.asList(sh(dir, strata).split("\0", -1))).as("%s in sh", strata)
                    .containsExactly("shell", "strata:place", "-f", name, "");
        }
    }

    /** What cat is given when Strata's shell runs {@code line}: read by Gogo's parser, as the console does, or first by Karaf's. */
    private static List<String> consoleCat(String line, boolean throughClient) throws Exception {
        List<String> given = new ArrayList<>();
        Function cat = (session, arguments) -> {
            arguments.forEach(a -> given.add(String.valueOf(a)));
            return null;
        };
        Function place = (session, arguments) -> null;
        ThreadIOImpl io = new ThreadIOImpl();
        io.start();
        try {
            CommandProcessorImpl processor = new CommandProcessorImpl(io);
            processor.addCommand("shell", cat, "cat");
            processor.addCommand("strata", place, "place");
            java.io.PrintStream discard = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
            CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), discard, discard);
            session.execute(throughClient ? CommandLineParser.parse(karafSession(), line) : line);
            session.close();
        } finally {
            io.stop();
        }
        return given;
    }

    /**
     * The Karaf session {@link CommandLineParser} asks for the command's parser: it knows no
     * command, so the line is split by Karaf's default parser, as Strata's commands are.
     */
    private static Session karafSession() {
        Registry registry = (Registry) java.lang.reflect.Proxy.newProxyInstance(Registry.class.getClassLoader(), new Class<?>[] {Registry.class},
                (proxy, method, args) -> method.getName().equals("getCommands") ? List.of() : null);
        return (Session) java.lang.reflect.Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "resolveCommand" -> args[0];
                    case "getRegistry" -> registry;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Runs {@code line} with {@code sh} in {@code dir}, bin/strata and strata:place there writing what they get; returns that. */
    private static String sh(Path dir, String line) throws Exception {
        Path out = dir.resolve("out");
        Files.deleteIfExists(out);
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", line).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("OUT", out.toString());
        pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("HOME", "/home-of-nobody");
        Process p = pb.start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(line).isTrue();
        assertThat(p.exitValue()).as(line + ": " + printed).isZero();
        return Files.exists(out) ? Files.readString(out) : "(nothing run: " + printed + ")";
    }
}
