package dev.strata.provider.openstack.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The messages {@link OpenStackErrors} makes of a service's error answers. */
class OpenStackErrorsTest {

    /**
     * A service's error text reaches the exception's message, and with it logs and the shell: an
     * escape sequence (which clears a terminal or retitles it) and a bidi override (which shows
     * the text after it reversed) in it are shown escaped, as the API shows a configured value.
     * Before, they went into the message as they came.
     */
    @Test
    void controlAndBidiCharactersOfAnErrorAnswerAreShownEscaped() throws Exception {
        String body = "{\"badRequest\": {\"code\": 400, \"message\": \"Invalid server name \\u001b]0;owned\\u0007\\u001b[2J "
                + "\\u202egnp.exe\"}}";
        ApiResponse answer = new ApiResponse(400, HttpHeaders.of(Map.of("x-openstack-request-id", List.of("req-1")), (k, v) -> true),
                new ObjectMapper().readTree(body));
        ApiRequest call = ApiRequest.get("Nova", URI.create("http://nova.example:8774/v2.1/servers"));

        String message = OpenStackErrors.forStatus(call, answer, UnaryOperator.identity()).getMessage();

        assertThat(message).isEqualTo("Nova answered 400 Bad Request to GET /v2.1/servers: Invalid server name \\u001b]0;owned\\u0007"
                + "\\u001b[2J \\u202egnp.exe (request req-1)");
        assertThat(message.codePoints()).noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
    }
}
