package dev.strata.provider.baremetal.ipmi;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The one place where {@code ipmitool} failures become Strata's portable exceptions. Messages
 * name the BMC, its address, the command (without its credentials) and what ipmitool said, shown
 * printable ({@link InvalidConfigurationException#printable}): ipmitool prints what the BMC
 * answered, so a control, escape or bidirectional character from the BMC reaches no log, shell or
 * node attribute as itself.
 */
final class IpmiErrors {

    /** What a failed command's error output means. */
    enum Kind {
        /** The BMC refused the user or the password. */
        AUTH,
        /** The BMC did not answer at all. */
        UNREACHABLE,
        /** No RMCP+ session came up with this cipher suite (the BMC refused the suite). */
        SESSION,
        /**
         * The session worked and the chassis power command got no answer (ipmitool sends it once):
         * the BMC may have carried it out.
         */
        NO_ANSWER,
        /** The session worked and the BMC refused the command. */
        COMMAND
    }

    /** What ipmitool prints when its Chassis Control request got no answer (its own refusal reads "... failed: <code>"). */
    private static final String NO_POWER_ANSWER = "unable to set chassis power control";

    private IpmiErrors() {
    }

    static Kind classify(String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT);
        if (s.contains("unauthorized name") || s.contains("hmac is invalid") || s.contains("invalid user name")
                || s.contains("password invalid") || s.contains("insufficient privilege") || s.contains("invalid session id")
                || s.contains("unauthorized role")) {
            return Kind.AUTH;
        }
        if (s.contains("get auth capabilities error") || s.contains("no response from remote") || s.contains("unable to resolve")
                || s.contains("connection refused")) {
            return Kind.UNREACHABLE;
        }
        if (s.contains("unable to establish") || s.contains("no cipher suite match") || s.contains("invalid cipher")
                || s.contains("insufficient resources for session") || s.contains("activate session")
                || s.contains("error in open session response")) {
            return Kind.SESSION;
        }
        if (s.contains(NO_POWER_ANSWER)) {
            return Kind.NO_ANSWER;
        }
        return Kind.COMMAND;
    }

    static StrataException failed(IpmiTool.Target bmc, String command, IpmiTool.Output last, List<Integer> suites) {
        String said = last == null ? "" : errorLines(last.stderr().isBlank() ? last.stdout() : last.stderr());
        Kind kind = last == null ? Kind.SESSION : classify(last.stderr());
        return switch (kind) {
            case UNREACHABLE -> new ProviderUnavailableException(prefix(bmc) + "the BMC does not answer (" + said + ")");
            case AUTH -> new AuthorizationException(prefix(bmc) + "the BMC refused user '" + InvalidConfigurationException.printable(bmc.user())
                    + "' (" + said + "); check user and password (file) in the BMC's configuration");
            case SESSION -> new ProviderUnavailableException(prefix(bmc) + "no IPMI session with cipher suite"
                    + (suites.size() > 1 ? "s " : " ") + suites + ": " + said
                    + "; the BMC is unreachable, or set cipherSuites to one it offers");
            case NO_ANSWER -> new ProviderTimeoutException(prefix(bmc) + "no answer to ipmitool " + command + " within "
                    + IpmiTool.ACTION_ANSWER_WAIT_SECONDS + " s (" + line(last.stderr(), NO_POWER_ANSWER)
                    + "); the BMC may have carried it out, so ipmitool did not send it again");
            case COMMAND -> new ProviderFailureException(prefix(bmc) + "ipmitool " + command + " failed (exit " + last.exitCode() + "): " + said);
        };
    }

    /**
     * Whether a failed command surely left the BMC untouched: no session came up (the credentials
     * or every cipher suite refused, or the BMC silent while the session was being set up), or the
     * BMC answered the chassis power command with an error completion code. Where ipmitool says
     * nothing of the kind (no answer to the command itself, say), the BMC may have acted.
     *
     * @param last the last attempt's output; null when no attempt ran
     */
    static boolean surelyNotApplied(IpmiTool.Output last) {
        if (last == null) {
            return true;
        }
        String s = last.stderr().toLowerCase(Locale.ROOT);
        if (s.contains("chassis power control")) {
            // ipmitool: "Set Chassis Power Control to Cycle failed: <completion code>" is the BMC's refusal;
            // "Unable to set Chassis Power Control to Cycle" is a command that got no answer
            return s.contains("set chassis power control to") && s.contains("failed:") && !s.contains(NO_POWER_ANSWER);
        }
        return switch (classify(last.stderr())) {
            case AUTH, SESSION -> true;
            case UNREACHABLE -> s.contains("get auth capabilities error") || s.contains("unable to resolve") || s.contains("connection refused");
            case NO_ANSWER, COMMAND -> false;
        };
    }

    static ProviderTimeoutException timedOut(IpmiTool.Target bmc, String command, Duration timeout) {
        return new ProviderTimeoutException(prefix(bmc) + command + " did not finish in " + timeout.toMillis() + " ms; killed");
    }

    static ProviderTimeoutException deadline(IpmiTool.Target bmc, String command) {
        return new ProviderTimeoutException(prefix(bmc) + "the deadline passed before ipmitool " + command);
    }

    static ProviderTimeoutException interrupted(IpmiTool.Target bmc, String command) {
        return new ProviderTimeoutException(prefix(bmc) + "interrupted during " + command);
    }

    static ProviderUnavailableException cannotStart(IpmiTool.Target bmc, Path binary, IOException e) {
        return new ProviderUnavailableException(prefix(bmc) + "cannot run " + binary + " (" + e.getMessage()
                + "); install Debian's ipmitool package or set ipmitool in the BMC provider's configuration", e);
    }

    static ProviderUnavailableException io(IpmiTool.Target bmc, String command, IOException e) {
        return new ProviderUnavailableException(prefix(bmc) + command + " failed: " + e.getMessage(), e);
    }

    static ProviderFailureException unexpected(IpmiTool.Target bmc, String command, String output) {
        return new ProviderFailureException(prefix(bmc) + "unexpected answer to ipmitool " + command + ": " + firstLine(output));
    }

    /**
     * The lines of ipmitool's output that say what went wrong (it is verbose with -v), else the
     * first line. Left out is the answer to the probe that {@code -v} makes ipmitool send before
     * every command ({@code Running Get VSO Capabilities ...}, which most BMCs answer
     * {@code Invalid completion code received: Invalid command}): it says nothing about the
     * command, and an operator reading "Invalid command" would look for the fault in the wrong place.
     */
    static String errorLines(String text) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        String previous = "";
        for (String line : text.split("\\R")) {
            String l = line.strip().replaceFirst("^>\\s*", "");
            String lower = l.toLowerCase(Locale.ROOT);
            boolean probeAnswer = previous.startsWith("running get vso capabilities") && lower.startsWith("invalid completion code received");
            if (!l.isEmpty()) {
                previous = lower;
            }
            if (!l.isEmpty() && !probeAnswer && (lower.contains("error") || lower.contains("invalid") || lower.contains("unable")
                    || lower.contains("failed") || lower.contains("unauthorized") || lower.contains("insufficient")) && !lines.contains(l)) {
                lines.add(l);
            }
        }
        return lines.isEmpty() ? firstLine(text) : InvalidConfigurationException.printable(String.join("; ", lines));
    }

    /** The first line of {@code text} that contains {@code lowerCase}, ignoring case; else its first line. */
    private static String line(String text, String lowerCase) {
        for (String l : text.split("\\R")) {
            if (l.toLowerCase(Locale.ROOT).contains(lowerCase)) {
                return InvalidConfigurationException.printable(l.strip());
            }
        }
        return firstLine(text);
    }

    /** The first line of {@code text} that is not blank, printable; "" where there is none. */
    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) {
                return InvalidConfigurationException.printable(line.strip());
            }
        }
        return "";
    }

    private static String prefix(IpmiTool.Target bmc) {
        return "BMC " + bmc.name() + " (" + bmc.address() + "): ";
    }
}
