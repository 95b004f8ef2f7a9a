package dev.strata.provider.openstack.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The one place where what OpenStack answers becomes one of Strata's portable exceptions: HTTP
 * statuses with the service's own explanation, and I/O failures. Messages name the service, the
 * call and what went wrong; they pass through a redactor so no credential reaches them.
 */
public final class OpenStackErrors {

    private static final int MAX_DETAIL = 400;

    private OpenStackErrors() {
    }

    /**
     * A 500 Internal Server Error: the service failed with an error of its own (an exception in
     * nova-api, its database lost). It is a failure like any other 4xx or 5xx but a gateway's
     * (see {@link #gatewayError}), except that the service may have acted before it failed: nova-api may have recorded the
     * server of a create request and then failed to answer, so the provider looks for that server
     * before it gives up on the request.
     */
    public static final class InternalError extends ProviderFailureException {
        private static final long serialVersionUID = 1L;

        InternalError(String message) {
            super(message);
        }
    }

    /**
     * A 429 Too Many Requests: the service (or a rate limit before it) throttles the caller and did
     * not carry out the request. Retryable, like an outage: the call is to be repeated later.
     */
    public static final class Throttled extends ProviderUnavailableException {
        private static final long serialVersionUID = 1L;

        Throttled(String message) {
            super(message);
        }
    }

    /**
     * A 2xx answer whose body claims to be JSON and does not parse (cut short, or garbled on the
     * way): the service took the request and carried it out, and what it answered is lost. For a
     * request that makes something, as unsure an answer as none at all.
     */
    public static final class UnreadableSuccess extends ProviderFailureException {
        private static final long serialVersionUID = 1L;
        private final String service;

        UnreadableSuccess(String service, String message) {
            super(message);
            this.service = service;
        }

        /** The service that answered. */
        public String service() {
            return service;
        }
    }

    /**
     * The exception for a non-2xx answer that the caller did not accept.
     *
     * @param request the call
     * @param response the answer
     * @param redactor masks credentials in text taken from the answer
     */
    public static StrataException forStatus(ApiRequest request, ApiResponse response, UnaryOperator<String> redactor) {
        return forStatus(request, response, redactor, "");
    }

    /**
     * As {@link #forStatus(ApiRequest, ApiResponse, UnaryOperator)}, with {@code note} (what the
     * caller did about the answer, as {@code "; not sent again: ..."}) at the end of the message.
     */
    public static StrataException forStatus(ApiRequest request, ApiResponse response, UnaryOperator<String> redactor, String note) {
        int status = response.status();
        String detail = detail(response.body(), redactor);
        String requestId = response.header("x-openstack-request-id").or(() -> response.header("x-compute-request-id"))
                .map(InvalidConfigurationException::printable).orElse(null);
        String reason = reason(status);
        String what = request.service() + " answered " + status + (reason.isEmpty() ? "" : " " + reason) + " to " + request.describe()
                + (detail.isEmpty() ? "" : ": " + detail) + (requestId == null ? "" : " (request " + requestId + ")");
        return switch (status) {
            case 401 -> new AuthorizationException(what + "; the credentials or the token were refused" + note);
            case 403 -> overQuota(detail) ? new ProviderFailureException(what + "; the project's quota does not allow it: raise the "
                    + "quota or free some of it" + note) : new AuthorizationException(what + "; the credentials lack the permission (an "
                    + "admin role is needed for hosts and host targeting)" + note);
            case 404 -> new NotFoundException(what + note);
            case 409 -> new ProviderFailureException(what + conflictHint(request, detail) + note);
            case 413 -> new ProviderFailureException(what + "; a quota or rate limit was reached" + note);
            case 429 -> new Throttled(what + "; the rate limit was reached"
                    + response.header("Retry-After").map(s -> " (retry after " + InvalidConfigurationException.printable(s) + ")").orElse("") + ", the call is to be repeated later"
                    + note);
            case 500 -> new InternalError(what + note);
            default -> gatewayError(status) ? new ProviderUnavailableException(what + (status > 511
                    ? "; a status of a gateway or proxy before the service (no HTTP standard defines it)" : "") + note)
                    : new ProviderFailureException(what + note);
        };
    }

    /**
     * Whether a 403 is a quota's, not a permission's: Nova answers a server create that goes over
     * the project's quota with 403 ({@code Quota exceeded for instances: Requested 1, but already
     * used 10 of 10 instances}, {@code Quota exceeded for cores: ...}, {@code Maximum number of
     * ports exceeded}, Nova's {@code OverQuota} family), the credentials being allowed to create
     * servers.
     */
    static boolean overQuota(String detail) {
        String d = detail.toLowerCase(java.util.Locale.ROOT);
        return d.startsWith("quota exceeded") || d.startsWith("maximum number of");
    }

    /**
     * Whether a status is a gateway's or a proxy's rather than the service's own: 502 Bad Gateway,
     * 503 Service Unavailable, 504 Gateway Timeout, and every 5xx above 511, which no HTTP
     * standard defines and which only gateways, proxies and content networks send (Cloudflare's
     * 520 to 527 and 530, the 598 and 599 of some proxies). The service may or may not have had
     * the request; the call is to be repeated later, like an outage.
     */
    public static boolean gatewayError(int status) {
        return status == 502 || status == 503 || status == 504 || (status > 511 && status < 600);
    }

    /** The exception for a call that got no answer. */
    public static StrataException forIo(ApiRequest request, IOException e, Duration waited) {
        String where = request.service() + " at " + address(request.uri());
        if (e instanceof HttpConnectTimeoutException) {
            return new ProviderUnavailableException(where + " cannot be reached: connecting timed out after " + waited.toMillis() + " ms ("
                    + request.describe() + ")", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new ProviderTimeoutException(request.service() + " did not answer " + request.describe() + " within "
                    + waited.toMillis() + " ms", e);
        }
        // The JDK's client tries a refused connection once more and then reports the channel it
        // closed in between (ClosedChannelException, without a message): that is a refusal too.
        if (e instanceof ConnectException || rootCause(e) instanceof ConnectException || rootCause(e) instanceof ClosedChannelException) {
            return new ProviderUnavailableException(where + " cannot be reached: connection refused (" + request.describe() + ")", e);
        }
        if (e.getMessage() == null) {
            return new ProviderUnavailableException(where + " closed the connection during " + request.describe(), e);
        }
        // the JDK's text may quote what the server sent (an invalid status line or header): shown printable
        return new ProviderUnavailableException(where + " failed during " + request.describe() + ": "
                + InvalidConfigurationException.printable(e.getMessage()), e);
    }

    /**
     * A service's address as messages name it: scheme, host and port, never the user info a URL
     * from the service catalogue may carry ({@code http://nova:password@host}), which the URI's
     * authority would show.
     */
    public static String address(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /**
     * A URL from the service catalogue as a message or the log names it: a user and password in it
     * masked ({@link InvalidConfigurationException#withoutCredentials}), and a format character its
     * path may hold raw (a URI admits a bidi control there) shown as its escape ({@link #shown(String)}).
     */
    public static String shown(URI uri) {
        return shown(uri.toString());
    }

    /**
     * A URL as the catalogue wrote it, cut, for a message: a user and password in it masked as the
     * API masks a configured URL ({@link InvalidConfigurationException#withoutCredentials},
     * <code>https://****@h</code>), since a misconfigured catalogue may carry them and the message
     * reaches the log and the shell; its control and format characters, separators and lone
     * surrogates shown as the API shows a value ({@link InvalidConfigurationException#printable},
     * <code>&#92;u001b</code>), so that the message tells what the catalogue holds; cut at 200
     * characters. The mask comes before the cut, which could otherwise cut off the {@code @} that
     * ends a password, and the escape after it, which could otherwise split an escape.
     */
    public static String shown(String url) {
        String masked = InvalidConfigurationException.withoutCredentials(url);
        return InvalidConfigurationException.printable(masked.length() > 200 ? masked.substring(0, 200) + "..." : masked);
    }

    /**
     * The exception for an answer whose body is longer than the most that is read: the service and
     * its address (scheme, host and port; never user info), the call, the bound, and what the body
     * declared or how much of it was read before reading stopped.
     */
    public static StrataException forTooLarge(ApiRequest request, long limit, long declared, long read) {
        String where = request.service() + " at " + address(request.uri());
        String what = declared > limit ? "its Content-Length is " + declared + " bytes; nothing of it was read"
                : read + " bytes were read before reading stopped";
        return new ProviderFailureException(where + " answered " + request.describe() + " with a body longer than " + bytes(limit)
                + ", the most Strata reads of an answer: " + what);
    }

    /** {@code 64 MiB}, or {@code 1000 bytes} where it is no whole number of MiB. */
    static String bytes(long n) {
        return n > 0 && n % (1L << 20) == 0 ? (n >> 20) + " MiB" : n + " bytes";
    }

    /** The exception for an answer that is not the JSON the call expects. */
    public static StrataException forMalformed(ApiRequest request, String problem) {
        return new ProviderFailureException(request.service() + " answered " + request.describe() + " with " + problem);
    }

    /** The exception for a 2xx answer whose body is not the JSON it says it is ({@link UnreadableSuccess}). */
    public static StrataException forUnreadableSuccess(ApiRequest request, int status, String problem) {
        return new UnreadableSuccess(request.service(), request.service() + " answered " + request.describe() + " with " + status
                + " and " + problem);
    }

    /**
     * The exception when the calling thread is interrupted (the interrupt flag is set again).
     */
    public static StrataException forInterrupt(ApiRequest request, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new ProviderTimeoutException("interrupted while waiting for " + request.service() + " to answer " + request.describe(), e);
    }

    /**
     * The exception when the calling thread is interrupted while it waits to send a throttled
     * request again (the interrupt flag is set again).
     */
    public static StrataException forInterruptedWait(ApiRequest request, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new ProviderTimeoutException("interrupted while waiting to send " + request.describe() + " to " + request.service()
                + " again after it throttled the call", e);
    }

    /**
     * The explanation an OpenStack service puts in an error body: Placement's
     * {@code errors[].detail}, Keystone's {@code error.message}, Nova's
     * {@code {"itemNotFound": {"message": ...}}}; shortened.
     */
    static String detail(JsonNode body) {
        return detail(body, UnaryOperator.identity());
    }

    /**
     * As {@link #detail(JsonNode)}, with credentials masked before the text is changed at all:
     * every text of the body is redacted as the service wrote it, then the explanation is taken
     * from it and redacted again as a whole, then its spaces are squeezed, it is redacted once more,
     * and only then is it cut to {@value #MAX_DETAIL} characters: the cut can split a mask, never a
     * secret. Squeezing first would leave a secret with two spaces or a tab unrecognised, and
     * cutting first the first part of a secret that straddles the cut.
     */
    static String detail(JsonNode body, UnaryOperator<String> redactor) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            return "";
        }
        body = redacted(body, redactor);
        String text;
        if (body.has("errors") && body.get("errors").isArray() && !body.get("errors").isEmpty()) {
            JsonNode first = body.get("errors").get(0);
            String code = first.path("code").asText("");
            text = first.path("detail").asText(first.path("title").asText("")).strip()
                    + (code.isEmpty() || "placement.undefined_code".equals(code) ? "" : " [" + code + "]");
        } else if (body.has("error") && body.get("error").isObject()) {
            text = body.get("error").path("message").asText("");
        } else if (body.isObject() && body.size() == 1 && body.elements().next().isObject()) {
            JsonNode inner = body.elements().next();
            text = inner.path("message").asText(inner.path("detail").asText(""));
        } else if (body.isTextual()) {
            text = body.asText();
        } else {
            text = body.toString();
        }
        // redacted again once squeezed (a secret with single spaces where the body had runs of them), before the cut
        text = redactor.apply(redactor.apply(text).replaceAll("\\s+", " ").strip());
        // the service's text reaches logs and the shell: its control and format characters (an escape sequence, a bidi
        // override) are shown escaped, after the cut, which could otherwise split an escape or leave half a surrogate pair
        return InvalidConfigurationException.printable(text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text);
    }

    /** A copy of the body with the redactor applied to every text and field name in it. */
    private static JsonNode redacted(JsonNode node, UnaryOperator<String> redactor) {
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(redactor.apply(node.asText()));
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> copy.add(redacted(e, redactor)));
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> copy.set(redactor.apply(e.getKey()), redacted(e.getValue(), redactor)));
            return copy;
        }
        return node;
    }

    private static String conflictHint(ApiRequest request, String detail) {
        if (detail.contains("generation") || detail.contains("concurrent_update")) {
            return "; the resource provider changed since it was read (generation conflict): read it again and retry";
        }
        return "";
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"), Map.entry(409, "Conflict"), Map.entry(413, "Request Entity Too Large"),
            Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

    static String reason(int status) {
        return REASONS.getOrDefault(status, "");
    }
}
