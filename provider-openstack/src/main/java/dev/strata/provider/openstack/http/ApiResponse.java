package dev.strata.provider.openstack.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.net.http.HttpHeaders;
import java.util.Objects;
import java.util.Optional;

/**
 * A service's answer.
 *
 * @param status the HTTP status
 * @param headers the response headers (Keystone's token among them: {@link #toString()} names them, without values)
 * @param body the JSON body; {@link MissingNode} when there was none
 */
public record ApiResponse(int status, HttpHeaders headers, JsonNode body) {

    public ApiResponse {
        Objects.requireNonNull(headers, "headers");
        body = body == null ? MissingNode.getInstance() : body;
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /**
     * The status, the names of the headers and the size of the body, never a header's value or the
     * body: Keystone's {@code X-Subject-Token} is the token.
     */
    @Override
    public String toString() {
        return "ApiResponse[" + status + ", headers " + new java.util.TreeSet<>(headers.map().keySet()) + ", body "
                + (body.isMissingNode() ? "none" : body.toString().length() + " chars") + "]";
    }
}
