package dev.strata.provider.baremetal.ipmi;

import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.bmc.RequestNotApplied;
import dev.strata.provider.baremetal.bmc.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code ipmitool -I lanplus} against one BMC, with a process timeout taken from the
 * caller's deadline. The password goes to {@code ipmitool} in its environment
 * ({@code IPMI_PASSWORD} with {@code -E}), never on the command line (which every user of the
 * host can read) nor in a log. Cipher suites are tried in the configured order (17, the
 * SHA-256 suite, then 3 by default) and the first that works is kept for the BMC.
 *
 * <p>ipmitool retransmits a request whose answer it did not get ({@code -R}). A read may go twice;
 * a power command goes once ({@link #runAction}), because the BMC may have carried out the
 * request whose answer was lost, and a second reset would cut short the boot the first began.
 */
public final class IpmiTool {

    private static final Logger LOG = LoggerFactory.getLogger(IpmiTool.class);
    /** How long ipmitool waits for the answer to a command it sends once ({@link #runAction}), in seconds ({@code -N}). */
    static final int ACTION_ANSWER_WAIT_SECONDS = 3;

    /**
     * How to reach one BMC.
     *
     * @param name the BMC's name, for messages
     * @param host address
     * @param port UDP port (623 by default)
     * @param user the account
     * @param password its password (masked in {@link #toString()})
     * @param cipherSuites the RMCP+ cipher suites to try, in order
     * @param commandTimeout the most one ipmitool command may take (the deadline may cut it shorter)
     */
    public record Target(String name, String host, int port, String user, Secret password, List<Integer> cipherSuites,
            Duration commandTimeout) {
        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            cipherSuites = List.copyOf(cipherSuites);
            if (cipherSuites.isEmpty()) {
                throw new IllegalArgumentException("cipherSuites must not be empty");
            }
            Objects.requireNonNull(commandTimeout, "commandTimeout");
        }

        public String address() {
            return "ipmi://" + host + ":" + port;
        }
    }

    /** What a command printed. */
    public record Output(int exitCode, String stdout, String stderr, int cipherSuite) {
    }

    private final Path binary;
    private final Target target;
    private volatile Integer workingSuite;

    public IpmiTool(Path binary, Target target) {
        this.binary = binary;
        this.target = target;
    }

    public Target target() {
        return target;
    }

    /** The cipher suite that last worked, or null before the first success. */
    public Integer workingCipherSuite() {
        return workingSuite;
    }

    /**
     * Runs {@code ipmitool ... args}: with the cipher suite that worked before, or each
     * configured suite in turn until one establishes a session.
     *
     * @throws StrataException from {@link IpmiErrors}: the BMC refused the credentials, is
     *     unreachable, refused every cipher suite, answered with an error, or the deadline passed
     */
    public Output run(DiscoveryContext context, String... args) {
        return run(context, false, args);
    }

    /**
     * Runs a command that must not take effect twice (a power change) as {@link #run} does, except
     * that ipmitool sends it once ({@code -R 1}, no retransmission when its answer is lost) and
     * waits {@value #ACTION_ANSWER_WAIT_SECONDS} s for the answer; a cipher suite is tried again
     * only where no session came up.
     *
     * @throws RequestNotApplied where the command surely left the BMC untouched
     *     ({@link IpmiErrors#surelyNotApplied}, or ipmitool did not start)
     * @throws StrataException where the BMC may have acted on it (no answer to the command, or killed at its timeout)
     */
    public Output runAction(DiscoveryContext context, String... args) {
        return run(context, true, args);
    }

    private Output run(DiscoveryContext context, boolean action, String... args) {
        List<Integer> suites = new ArrayList<>();
        Integer known = workingSuite;
        if (known != null) {
            suites.add(known);
        }
        for (Integer s : target.cipherSuites()) {
            if (!suites.contains(s)) {
                suites.add(s);
            }
        }
        Output last = null;
        for (int suite : suites) {
            Output out = once(suite, context, action, args);
            if (out.exitCode() == 0) {
                if (known == null || known != suite) {
                    LOG.info("BMC {}: IPMI session established with cipher suite {}", target.name(), suite);
                }
                workingSuite = suite;
                return out;
            }
            last = out;
            IpmiErrors.Kind kind = IpmiErrors.classify(out.stderr());
            if (kind != IpmiErrors.Kind.SESSION) {
                // the session worked, the credentials are wrong or the BMC is silent: another suite would not help
                break;
            }
            LOG.debug("BMC {}: cipher suite {} did not establish a session: {}", target.name(), suite, IpmiErrors.errorLines(out.stderr()));
            if (workingSuite != null && workingSuite == suite) {
                workingSuite = null;
            }
        }
        StrataException failed = IpmiErrors.failed(target, String.join(" ", args), last, suites);
        throw action && IpmiErrors.surelyNotApplied(last) ? new RequestNotApplied(failed) : failed;
    }

    /** @param action a command that must not take effect twice: a failure before ipmitool ran says so ({@link RequestNotApplied}) */
    private Output once(int suite, DiscoveryContext context, boolean action, String... args) {
        Duration remaining = context.remaining();
        if (remaining.isNegative() || remaining.isZero()) {
            StrataException late = IpmiErrors.deadline(target, String.join(" ", args));
            throw action ? new RequestNotApplied(late) : late;
        }
        Duration timeout = remaining.compareTo(target.commandTimeout()) < 0 ? remaining : target.commandTimeout();
        // -v: ipmitool then says why a session failed (a wrong password, a BMC that does not answer)
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-v", "-I", "lanplus", "-H", target.host(), "-p",
                Integer.toString(target.port()), "-U", target.user(), "-E", "-C", Integer.toString(suite)));
        if (action) {
            // -R counts transmissions, not retries (-R 0 means ipmitool's default of 4): a request sent once, and one
            // wait for its answer as long as a read's two tries take; a silent BMC fails in the same 6 s as for a read
            command.addAll(List.of("-N", Integer.toString(ACTION_ANSWER_WAIT_SECONDS), "-R", "1"));
        } else {
            // a read is sent up to twice (1 s, then 2 s), so that a lost datagram costs no failure
            command.addAll(List.of("-N", "1", "-R", "2"));
        }
        command.addAll(List.of(args));
        String display = "ipmitool " + String.join(" ", args);
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            out = Files.createTempFile("strata-ipmitool", ".out");
            err = Files.createTempFile("strata-ipmitool", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("IPMI_PASSWORD", target.password().reveal());
            builder.environment().put("LC_ALL", "C");
            long started = System.nanoTime();
            try {
                process = builder.start();
            } catch (IOException e) {
                StrataException cannot = IpmiErrors.cannotStart(target, binary, e);
                throw action ? new RequestNotApplied(cannot) : cannot;
            }
            process.getOutputStream().close();
            if (!process.waitFor(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                kill(process);
                throw IpmiErrors.timedOut(target, display, timeout);
            }
            // decoded leniently: ipmitool passes on bytes of the BMC's, and Files.readString refused a byte that is no UTF-8
            // with a MalformedInputException, so a readable answer failed as "failed: Input length = 1"
            Output output = new Output(process.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8), suite);
            LOG.debug("BMC {}: {} (cipher suite {}) exited {} in {} ms", target.name(), display, suite, output.exitCode(),
                    (System.nanoTime() - started) / 1_000_000);
            return output;
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw IpmiErrors.interrupted(target, display);
        } catch (IOException e) {
            kill(process);
            throw IpmiErrors.io(target, display, e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static void kill(Process process) {
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
                // a temporary file left behind is harmless: it holds no credential
            }
        }
    }
}
