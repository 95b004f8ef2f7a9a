package dev.strata.provider.baremetal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The one place where Redfish failures (HTTP statuses, I/O errors, TLS failures, deadlines)
 * become Strata's portable exceptions. Messages name the BMC, its address, the request and what
 * the BMC said; never a credential (request bodies and headers are never quoted, and the password is
 * masked where the BMC's own words repeat it).
 */
final class RedfishErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RedfishErrors() {
    }

    /** An HTTP answer with an error status. */
    static StrataException forStatus(RedfishEndpoint bmc, String method, String path, int status, byte[] body, int attempts) {
        String said = redfishMessage(body, bmc);
        String where = prefix(bmc) + method + " " + path + " answered HTTP " + status + (said.isEmpty() ? "" : " (" + said + ")");
        return switch (status) {
            case 401 -> new AuthorizationException(where + ": the BMC refused the credentials of user '" + bmc.user()
                    + "'; check user and password (file) in the BMC's configuration");
            case 403 -> new AuthorizationException(where + ": user '" + bmc.user() + "' lacks the privilege for this request");
            case 404 -> new NotFoundException(where);
            case 503, 502, 504, 429 -> new ProviderUnavailableException(where
                    + (attempts > 1 ? " on each of " + attempts + " attempts" : "") + "; the BMC is busy or restarting, try again later");
            default -> new ProviderFailureException(where);
        };
    }

    /**
     * What the BMC said with the account's password masked: a BMC may quote what it was sent (a
     * refused session login repeating the submitted value), and its words go into exceptions and logs.
     */
    static String withoutPassword(String said, RedfishEndpoint bmc) {
        String password = bmc.password().reveal();
        if (password == null || password.length() < MIN_MASKED || !said.contains(password)) {
            return said;
        }
        return said.replace(password, "****");
    }

    /** A password shorter than this is not masked in what a BMC says: it would garble ordinary words and is no secret anyway. */
    private static final int MIN_MASKED = 3;

    /** An answer that sends the request elsewhere (3xx): Strata follows no redirect. */
    static ProviderFailureException redirected(RedfishEndpoint bmc, String method, String path, int status, String location) {
        String to = location.isBlank() ? "without a Location" : "to " + cut(withoutPassword(location, bmc));
        return new ProviderFailureException(prefix(bmc) + method + " " + path + " answered HTTP " + status + ", a redirect " + to
                + "; expected the BMC's own answer. Redirects are not followed, so that credentials go to the configured address "
                + "only: set address to where the BMC's Redfish service answers");
    }

    private static String cut(String text) {
        return cut(text, 200);
    }

    /** The most of what a BMC said (its error's messages, a task's) that an error quotes: a BMC's answer may be megabytes. */
    static final int MAX_SAID = 1000;

    private static String cut(String text, int most) {
        return text.length() > most ? text.substring(0, most) + "..." : text;
    }

    /** An answer longer than any Redfish answer, cut off. */
    static ProviderFailureException tooLarge(RedfishEndpoint bmc, String method, String path, long limit) {
        return new ProviderFailureException(prefix(bmc) + method + " " + path + " answered with more than " + (limit >> 20)
                + " MiB; expected a Redfish resource (at most a few MiB), the answer was cut off");
    }

    /** A request that did not get an answer. */
    static StrataException forException(RedfishEndpoint bmc, String method, String path, Throwable failure, int attempts) {
        PinnedTrustManager.PinMismatchException pin = find(failure, PinnedTrustManager.PinMismatchException.class);
        if (pin != null) {
            return new ProviderUnavailableException(prefix(bmc) + pin.getMessage()
                    + "; refusing to talk to it. If the certificate was replaced on purpose, set certificateFingerprint to the new value");
        }
        if (handshakeDropped(failure)) {
            return new ProviderUnavailableException(prefix(bmc) + "cannot connect: the BMC closed the connection during the TLS handshake ("
                    + rootMessage(failure) + ")" + tries(attempts) + "; it may be restarting or overloaded, try again later", failure);
        }
        SSLException tls = find(failure, SSLException.class);
        if (tls != null) {
            return new ProviderUnavailableException(prefix(bmc) + "TLS handshake failed for " + method + " " + path + ": "
                    + rootMessage(tls) + "; check certificateFingerprint or caFile in the BMC's configuration", tls);
        }
        if (find(failure, HttpConnectTimeoutException.class) != null) {
            return new ProviderUnavailableException(prefix(bmc) + "cannot connect (timed out)" + tries(attempts), failure);
        }
        if (find(failure, HttpTimeoutException.class) != null) {
            return new ProviderTimeoutException(prefix(bmc) + method + " " + path + " got no answer in time" + tries(attempts), failure);
        }
        ConnectException refused = find(failure, ConnectException.class);
        if (refused != null) {
            return new ProviderUnavailableException(prefix(bmc) + "cannot connect: "
                    + (refused.getMessage() == null ? "connection refused" : refused.getMessage()) + tries(attempts), failure);
        }
        if (find(failure, NoRouteToHostException.class) != null
                || find(failure, UnknownHostException.class) != null || find(failure, UnresolvedAddressException.class) != null) {
            return new ProviderUnavailableException(prefix(bmc) + "cannot connect: " + rootMessage(failure) + tries(attempts), failure);
        }
        if (find(failure, IOException.class) != null) {
            return new ProviderUnavailableException(prefix(bmc) + method + " " + path + " failed: " + rootMessage(failure) + tries(attempts), failure);
        }
        return new ProviderFailureException(prefix(bmc) + method + " " + path + " failed: " + rootMessage(failure), failure);
    }

    /**
     * Whether a TLS failure is the BMC hanging up during the handshake (restarting, overloaded): a
     * connection failure like a refused connection, before any request was sent, not a certificate
     * problem. The JDK says so with an {@link SSLHandshakeException} "Remote host terminated the
     * handshake" (or "closed the channel"), with or without an {@link java.io.EOFException} or
     * {@link java.net.SocketException} cause. A certificate refused anywhere in the chain (a
     * pinned fingerprint that does not match included) is never this.
     */
    static boolean handshakeDropped(Throwable failure) {
        SSLHandshakeException handshake = find(failure, SSLHandshakeException.class);
        if (handshake == null || find(failure, CertificateException.class) != null) {
            return false;
        }
        if (find(handshake, java.io.EOFException.class) != null || find(handshake, java.net.SocketException.class) != null) {
            return true;
        }
        String message = handshake.getMessage() == null ? "" : handshake.getMessage();
        return message.startsWith("Remote host terminated the handshake") || message.startsWith("Remote host closed the channel");
    }

    static ProviderTimeoutException deadline(RedfishEndpoint bmc, String what) {
        return new ProviderTimeoutException(prefix(bmc) + "the deadline passed " + what);
    }

    /**
     * A request on a client that {@link RedfishClient#close} closed: the BMC provider stopped, or
     * the BMC's settings changed and a new client serves the calls that begin after the change.
     */
    static ProviderUnavailableException closed(RedfishEndpoint bmc, String what) {
        return new ProviderUnavailableException(prefix(bmc) + what + ": this BMC's Redfish client was closed, because the BMC provider "
                + "stopped or the BMC's settings changed; the calls that begin after a change use a new client");
    }

    static ProviderTimeoutException interrupted(RedfishEndpoint bmc, String what) {
        return new ProviderTimeoutException(prefix(bmc) + "interrupted " + what);
    }

    static ProviderTimeoutException taskUnfinished(RedfishEndpoint bmc, String monitor, String state, Duration waited) {
        return new ProviderTimeoutException(prefix(bmc) + "task " + monitor + " was still " + state + " when the deadline passed (waited "
                + waited.toMillis() + " ms); it may still finish on the BMC");
    }

    static ProviderFailureException taskFailed(RedfishEndpoint bmc, String monitor, String state, JsonNode task) {
        List<String> messages = new ArrayList<>();
        task.path("Messages").forEach(m -> messages.add(m.path("Message").asText(m.path("MessageId").asText(""))));
        // the BMC's words, as in every other error: the password masked first, then cut
        return new ProviderFailureException(prefix(bmc) + "task " + monitor + " ended " + state
                + (messages.isEmpty() ? "" : ": " + cut(withoutPassword(String.join("; ", messages), bmc), MAX_SAID)));
    }

    static ProviderFailureException malformed(RedfishEndpoint bmc, String path, String problem) {
        // the path and the problem quote what the BMC gave (a link, a value): shown as the API shows a value, so that a line
        // break or an escape sequence in them forges no line of the log and drives no terminal
        return new ProviderFailureException(prefix(bmc) + InvalidConfigurationException.printable(path) + ": "
                + InvalidConfigurationException.printable(problem));
    }

    /** {@code BMC <name> (<address>): }, how every message of the BMC's begins. */
    static String prefix(RedfishEndpoint bmc) {
        return "BMC " + bmc.name() + " (" + bmc.address() + "): ";
    }

    private static String tries(int attempts) {
        return attempts > 1 ? " (" + attempts + " attempts)" : "";
    }

    /**
     * {@link #redfishMessage(byte[])} with the account's password masked. A page that is not a
     * Redfish error is masked as it came, before its markup is stripped and it is cut: a password
     * that the cut would split, or that holds markup or runs of spaces, is masked whole.
     */
    static String redfishMessage(byte[] body, RedfishEndpoint bmc) {
        if (body == null || body.length == 0) {
            return "";
        }
        String raw = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        String masked = withoutPassword(raw, bmc);
        return cut(withoutPassword(redfishMessage(masked.equals(raw) ? body : masked.getBytes(java.nio.charset.StandardCharsets.UTF_8)), bmc),
                MAX_SAID);
    }

    /** The Redfish error's message, message ids and extended messages; empty when the body has none. */
    static String redfishMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        try {
            JsonNode error = JSON.readTree(body).path("error");
            List<String> parts = new ArrayList<>();
            String message = error.path("message").asText("");
            if (!message.isBlank()) {
                parts.add(message);
            }
            for (JsonNode info : error.path("@Message.ExtendedInfo")) {
                String text = info.path("Message").asText("");
                String id = info.path("MessageId").asText("");
                String one = !text.isBlank() ? text : id;
                if (!one.isBlank() && !parts.contains(one)) {
                    parts.add(one);
                }
            }
            return String.join("; ", parts);
        } catch (IOException | RuntimeException e) {
            String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
            text = text.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
            return text.length() > 200 ? text.substring(0, 200) + "..." : text;
        }
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
