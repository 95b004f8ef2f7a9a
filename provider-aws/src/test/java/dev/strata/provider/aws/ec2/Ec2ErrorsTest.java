package dev.strata.provider.aws.ec2;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
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
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = "<html><body><h1>Not Found</h1></body></html>".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(404, page.length);
                exchange.getResponseBody().write(page);
            }
        });
        server.start();
        Ec2Gateway gateway = new Ec2Gateway(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLE", "not-used")),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(5), s -> s);
        try {
            assertThatThrownBy(() -> gateway.zones("eu-central-1", DiscoveryContext.withTimeout("test", Duration.ofSeconds(10))))
                    .isInstanceOf(ProviderFailureException.class).isNotInstanceOf(NotFoundException.class)
                    .hasMessage("EC2 DescribeAvailabilityZones in eu-central-1 failed: HTTP 404 with no EC2 error in its answer "
                            + "(text/html; charset=utf-8, 44 bytes)");
        } finally {
            gateway.close();
            server.stop(0);
        }
    }
}
