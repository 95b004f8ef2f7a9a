package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A Strata process the crash tests start, read and kill: {@code main} in a JVM of its own on the
 * test class path, its output (stdout and stderr) read into {@link #lines} until its end.
 */
final class StrataProcess implements AutoCloseable {
    final Process process;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    /** Reads the process's output into {@link #lines} until its end. */
    private final Thread reader;

    /**
     * @param properties system properties ({@code -Dname=value})
     * @param environment variables added to the process's environment (passwords: never on its command line)
     */
    StrataProcess(Class<?> main, List<String> properties, List<String> arguments, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        if (System.getProperty("karaf.data") != null) {
            // where a provider keeps its generation mark: the test's (under target/), not data/ in the working folder
            command.add("-Dkaraf.data=" + System.getProperty("karaf.data"));
        }
        command.addAll(properties);
        command.add(main.getName());
        command.addAll(arguments);
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE);
        b.environment().putAll(environment);
        process = b.start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process died
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    boolean printed(Predicate<String> line) {
        synchronized (lines) {
            return lines.stream().anyMatch(line);
        }
    }

    /** The first line printed that starts with {@code prefix}. */
    String line(String prefix) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in " + lines));
        }
    }

    /**
     * Waits until {@code condition} holds; fails after {@code timeout}, or as soon as the process has
     * ended and its whole output, read to the end, does not make the condition hold.
     */
    void await(String what, BooleanSupplier condition, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive() && exits(Duration.ZERO) && condition.getAsBoolean()) {
                return;
            }
            if (Instant.now().isAfter(deadline) || !process.isAlive()) {
                throw new AssertionError("Strata did not reach: " + what + "; it printed " + lines);
            }
            Moto.sleep(10);
        }
    }

    /** kill -9; then every line the process printed before it died is in {@link #lines}. */
    void kill() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor();
        assertThat(exits(Duration.ofSeconds(30))).isTrue();
        assertThat(process.exitValue()).isEqualTo(137);
    }

    /**
     * Whether the process ends within {@code timeout}; if it does, every line it printed is in
     * {@link #lines}. The reader thread may still be draining the pipe when the process has ended (a
     * busy machine), and a line read late would make a test judge from half the output.
     */
    boolean exits(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(reader.isAlive()).as("the process's output was read to its end").isFalse();
        return true;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
