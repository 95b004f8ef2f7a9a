package dev.strata.provider.aws.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** What an error answer that is not EC2's becomes: a web server or proxy where EC2 was expected. */
class Ec2ErrorsTest {

    /**
     * A 4xx answer that is a web page (a wrong endpoint, a proxy's error page) names the status once
     * and what the answer was. Before, it read "failed: HTTP 404 (HTTP 404)", the status twice and
     * nothing of the answer.
     */
    @Test
    void aWebPageAnswerNamesTheStatusOnceAndWhatTheAnswerWas() throws Exception {
        Throwable t = answered(404, "text/html; charset=utf-8", "<html><body><h1>Not Found</h1></body></html>");
        assertThat(t).isInstanceOf(ProviderFailureException.class).isNotInstanceOf(NotFoundException.class)
                .hasMessage("EC2 DescribeAvailabilityZones in eu-central-1 failed: HTTP 404 with no EC2 error in its answer "
                        + "(text/html; charset=utf-8, 44 bytes)");
    }

    /** An empty error answer says so; a 403 is still a refusal of the credentials. */
    @Test
    void anEmptyAnswerSaysItWasEmpty() throws Exception {
        assertThat(answered(403, null, "")).isInstanceOf(AuthorizationException.class)
                .hasMessage("EC2 DescribeAvailabilityZones in eu-central-1 failed: HTTP 403 with no EC2 error in its answer (empty)");
    }

    /** What a zones call gets from a local server that answers every request with {@code status}, {@code type} and {@code body}. */
    private static Throwable answered(int status, String type, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                if (type != null) {
                    exchange.getResponseHeaders().set("Content-Type", type);
                }
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        Ec2Gateway gateway = new Ec2Gateway(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLE", "not-used")),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(5), s -> s);
        try {
            return catchThrowable(() -> gateway.zones("eu-central-1", DiscoveryContext.withTimeout("test", Duration.ofSeconds(10))));
        } finally {
            gateway.close();
            server.stop(0);
        }
    }
}
