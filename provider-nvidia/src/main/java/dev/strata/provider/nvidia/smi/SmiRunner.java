package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.SourceUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs nvidia-smi with a time limit. Output goes to temporary files, so a chatty command cannot
 * block on a full pipe, and is read as UTF-8 with bytes that are no UTF-8 replaced. A command that
 * runs past its time, whose caller is interrupted, or that prints more than {@link #OUTPUT_LIMIT}
 * on either stream (a runaway one would fill the disk and the heap) is killed with every process
 * it started.
 */
public final class SmiRunner {

    /** The most a command may print on each of standard output and standard error (64 MiB). */
    static final long OUTPUT_LIMIT = 64L << 20;
    /** How often a running command's output is measured. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final Path binary;

    /**
     * The outcome of one command.
     *
     * @param command the command line, for messages
     * @param exitCode its exit status
     * @param stdout what it printed
     * @param stderr what it printed on standard error
     * @param took how long it ran
     */
    public record Result(String command, int exitCode, String stdout, String stderr, Duration took) {
    }

    public SmiRunner(Path binary) {
        this.binary = binary;
    }

    public Path binary() {
        return binary;
    }

    /**
     * Runs {@code nvidia-smi args...}.
     *
     * @param timeout the most the command may take; it is killed after that
     * @throws dev.strata.platform.api.exception.ProviderTimeoutException when it runs too long or the caller is interrupted
     * @throws SourceUnavailableException when the binary cannot be started
     */
    public Result run(Duration timeout, String... args) throws SourceUnavailableException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        String display = "nvidia-smi " + String.join(" ", args);
        Path out = null;
        Path err = null;
        Process process = null;
        long start = System.nanoTime();
        try {
            out = Files.createTempFile("strata-nvidia-smi", ".out");
            err = Files.createTempFile("strata-nvidia-smi", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("LC_ALL", "C");
            try {
                process = builder.start();
            } catch (IOException e) {
                throw SmiErrors.cannotStart(display, e);
            }
            process.getOutputStream().close();
            long deadline = start + Math.max(1, timeout.toNanos());
            while (!process.waitFor(Math.min(POLL.toNanos(), Math.max(1, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
                if (Files.size(out) > OUTPUT_LIMIT || Files.size(err) > OUTPUT_LIMIT) {
                    kill(process);
                    throw SmiErrors.printedTooMuch(display, OUTPUT_LIMIT);
                }
                if (System.nanoTime() - deadline >= 0) {
                    kill(process);
                    throw SmiErrors.timedOut(display, timeout);
                }
            }
            if (Files.size(out) > OUTPUT_LIMIT || Files.size(err) > OUTPUT_LIMIT) {
                throw SmiErrors.printedTooMuch(display, OUTPUT_LIMIT);
            }
            return new Result(display, process.exitValue(), read(out), read(err), Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw SmiErrors.interrupted(display);
        } catch (IOException e) {
            kill(process);
            throw SmiErrors.io(display, e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /**
     * What a command printed, as UTF-8; bytes that are no UTF-8 (nvidia-smi prints a board's
     * strings as stored, garbled ones too) become replacement characters instead of failing the read.
     */
    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** Kills a process and everything it started (the list is taken first: orphans leave the tree). */
    static void kill(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is harmless
            }
        }
    }
}
