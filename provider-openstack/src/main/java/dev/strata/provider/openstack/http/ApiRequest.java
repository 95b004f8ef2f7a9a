package dev.strata.provider.openstack.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One call to an OpenStack service.
 *
 * @param service the service's name for messages ({@code Keystone}, {@code Placement}, {@code Nova})
 * @param method the HTTP method
 * @param uri the full URI
 * @param headers request headers (a token header among them is never logged or shown; {@link #toString()} names them, without values)
 * @param body the JSON body, or null
 * @param accepted statuses the caller handles itself besides 2xx (404 for "gone", 409 for a
 *     conflict it resolves); every other non-2xx status becomes a portable exception
 * @param idempotent whether sending it twice has the effect of sending it once, so that a call
 *     that got no answer may be sent again (GET, PUT, DELETE are; a POST only when the caller says so)
 */
public record ApiRequest(String service, String method, URI uri, Map<String, String> headers, JsonNode body, Set<Integer> accepted,
        boolean idempotent) {

    public ApiRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = Map.copyOf(headers);
        accepted = Set.copyOf(accepted);
    }

    public static ApiRequest get(String service, URI uri) {
        return new ApiRequest(service, "GET", uri, Map.of(), null, Set.of(), true);
    }

    public static ApiRequest of(String service, String method, URI uri, JsonNode body) {
        return new ApiRequest(service, method, uri, Map.of(), body, Set.of(), !method.equals("POST"));
    }

    public ApiRequest withHeader(String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return new ApiRequest(service, method, uri, all, body, accepted, idempotent);
    }

    public ApiRequest accepting(Integer... statuses) {
        return new ApiRequest(service, method, uri, headers, body, Set.of(statuses), idempotent);
    }

    /** This request, marked safe to send twice (a POST whose repetition is harmless or detected). */
    public ApiRequest asIdempotent() {
        return new ApiRequest(service, method, uri, headers, body, accepted, true);
    }

    /**
     * The service, the call, the names of its headers and the size of its body, never a header's
     * value or the body: a token travels in {@code X-Auth-Token}, and a Keystone authentication body
     * carries a password or an application credential secret.
     */
    @Override
    public String toString() {
        return "ApiRequest[" + service + " " + describe() + ", headers " + new java.util.TreeSet<>(headers.keySet()) + ", body "
                + (body == null ? "none" : body.toString().length() + " chars") + ", accepted " + new java.util.TreeSet<>(accepted)
                + (idempotent ? ", idempotent" : "") + "]";
    }

    /**
     * {@code GET /servers/123}: what messages name, without the host and never with a header; a
     * format character the path or query holds raw (a URI admits a bidi control there, from the
     * service catalogue's URL or an id the cloud gave) shown as its escape.
     */
    public String describe() {
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        return dev.strata.platform.api.exception.InvalidConfigurationException.printable(method + " " + (path == null || path.isEmpty() ? "/"
                : path) + (query == null ? "" : "?" + query));
    }
}
