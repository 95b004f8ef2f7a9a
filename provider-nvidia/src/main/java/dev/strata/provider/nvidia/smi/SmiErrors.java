package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.provider.nvidia.device.DriverMismatch;
import dev.strata.provider.nvidia.device.DriverText;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one place where nvidia-smi's failures become Strata's exceptions: a command that runs past
 * its time, or whose caller is interrupted, is a {@link ProviderTimeoutException}; exit status 9
 * (driver not loaded) and 12 (NVML library not found), or a binary that cannot be started, make
 * the source unavailable; any other non-zero exit status or unreadable output is a
 * {@link ProviderFailureException} that quotes the command and what it printed. Exit status 18
 * (the driver's libraries do not match the loaded kernel module, see {@link DriverMismatch}) is
 * such a failure, and says what to do. Exit status 14 (infoROM corrupted: nvidia-smi warns, and the
 * GPU works) is no failure where the command printed its output besides the warnings
 * ({@link #warnedOnly}): the output is read as that of a command that succeeded.
 */
public final class SmiErrors {

    static final int EXIT_DRIVER_NOT_LOADED = 9;
    static final int EXIT_NVML_NOT_FOUND = 12;
    static final int EXIT_INFOROM_CORRUPTED = 14;
    private static final int QUOTE_LIMIT = 300;

    private SmiErrors() {
    }

    static ProviderTimeoutException timedOut(String command, Duration timeout) {
        return new ProviderTimeoutException(command + " did not finish within " + timeout.toMillis() + " ms; killed");
    }

    static ProviderFailureException printedTooMuch(String command, long limit) {
        return new ProviderFailureException(command + " printed more than " + (limit >> 20) + " MiB; killed");
    }

    static ProviderTimeoutException interrupted(String command) {
        return new ProviderTimeoutException("interrupted while waiting for " + command + "; killed");
    }

    static ProviderFailureException io(String command, IOException e) {
        return new ProviderFailureException("cannot exchange output with " + command + ": " + e.getMessage(), e);
    }

    /**
     * The binary could not be run. Java's message quotes the path as configured ({@code nvidiaSmi}), and a line break, an
     * escape or a direction override in it would reach the log line that tells why no GPU is seen: it is shown escaped.
     */
    static SourceUnavailableException cannotStart(String command, IOException e) {
        return new SourceUnavailableException(command + " cannot be started: " + InvalidConfigurationException.printable(e.getMessage()), e);
    }

    /**
     * Checks a finished command.
     *
     * @throws SourceUnavailableException when the exit status says the driver or NVML is missing
     * @throws ProviderFailureException on any other non-zero exit status (with what to do for 18), 14 without output
     */
    static SmiRunner.Result checked(SmiRunner.Result result) throws SourceUnavailableException {
        if (result.exitCode() == 0 || warnedOnly(result)) {
            return result;
        }
        String printed = quote(result);
        if (result.exitCode() == EXIT_DRIVER_NOT_LOADED || result.exitCode() == EXIT_NVML_NOT_FOUND) {
            throw new SourceUnavailableException(result.command() + " exited with " + result.exitCode() + ": " + printed);
        }
        if (result.exitCode() == DriverMismatch.CODE) {
            throw new ProviderFailureException(result.command() + " exited with " + result.exitCode() + ": " + printed + "; "
                    + DriverMismatch.ADVICE);
        }
        throw new ProviderFailureException(result.command() + " exited with " + result.exitCode() + ": " + printed);
    }

    /**
     * Checks a finished command that lists GPUs, where some may be lost: a non-zero exit status
     * with lines naming lost GPUs ({@link LostGpus}) and other output besides is the list of the
     * GPUs nvidia-smi still reaches, not a failure.
     *
     * @return the result, the lines naming lost GPUs taken out of its output so that the rest parses as usual
     * @throws SourceUnavailableException as {@link #checked}
     * @throws ProviderFailureException as {@link #checked}, when no lost GPU explains the exit status
     */
    static SmiRunner.Result checkedListing(SmiRunner.Result result) throws SourceUnavailableException {
        SmiRunner.Result listing = listing(result);
        return listing != null ? listing : checked(result);
    }

    /**
     * As {@link #checkedListing}, for a command whose facts are optional.
     *
     * @return the result without the lines naming lost GPUs, or null when the command failed
     */
    static SmiRunner.Result listing(SmiRunner.Result result) {
        String rest = LostGpus.withoutThem(result.stdout());
        if (result.exitCode() != 0 && !warnedOnly(result) && (LostGpus.in(result).isEmpty() || rest.isBlank())) {
            return null;
        }
        return new SmiRunner.Result(result.command(), result.exitCode(), rest, result.stderr(), result.took());
    }

    /**
     * Whether a command exited with 14 (infoROM corrupted) and printed its output besides the warnings before it
     * ({@link SmiWarnings}): nvidia-smi reports the corrupted infoROM so, and the GPU works; without output besides, the
     * command failed as with any other status.
     */
    static boolean warnedOnly(SmiRunner.Result result) {
        if (result.exitCode() != EXIT_INFOROM_CORRUPTED) {
            return false;
        }
        // the warnings lead the output: any other line that is not blank is the output
        return result.stdout().lines().anyMatch(line -> !line.isBlank() && !SmiWarnings.isWarning(line));
    }

    /**
     * Runs a parser over a command's output; a parse error becomes a {@link ProviderFailureException}. The parser's message
     * quotes what the command printed (a CSV header's names, a row), so it is {@linkplain DriverText cleaned} as any other
     * output quoted in an error: it reaches the sampler's warning and the discovery's failure.
     */
    static <T> T parsed(String command, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new ProviderFailureException(command + " printed output that cannot be read: " + DriverText.clean(e.getMessage()), e);
        }
    }

    private static String quote(SmiRunner.Result result) {
        String text = DriverText.clean(result.stderr().isBlank() ? result.stdout() : result.stderr());
        return text.length() > QUOTE_LIMIT ? text.substring(0, QUOTE_LIMIT) + "..." : text;
    }
}
