package dev.strata.provider.openstack.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends JSON requests to OpenStack services with the JDK's HTTP client, each bounded by the
 * caller's deadline (and by the configured request timeout), and turns every failure into a
 * portable exception through {@link OpenStackErrors}. Thread-safe.
 *
 * <p>Logs one DEBUG line per call (method, path, status, milliseconds); never a header or a body.
 */
public final class OpenStackHttp {

    private static final Logger LOG = LoggerFactory.getLogger(OpenStackHttp.class);
    private static final Duration MINIMUM_WAIT = Duration.ofMillis(1);

    private final HttpClient client;
    private final ObjectMapper json;
    private final Duration requestTimeout;

    public OpenStackHttp(Duration connectTimeout, Duration requestTimeout) {
        this(HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // OpenStack's WSGI servers speak HTTP/1.1; an h2c upgrade attempt only costs time.
                .version(HttpClient.Version.HTTP_1_1)
                .build(), new ObjectMapper(), requestTimeout);
    }

    OpenStackHttp(HttpClient client, ObjectMapper json, Duration requestTimeout) {
        this.client = client;
        this.json = json;
        this.requestTimeout = requestTimeout;
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * Sends one request.
     *
     * @param request the call
     * @param context the caller's deadline
     * @param redactor masks credentials in text taken from an error answer
     * @return the answer when it is 2xx or one of {@link ApiRequest#accepted()}
     * @throws dev.strata.platform.api.exception.StrataException for every other outcome
     */
    public ApiResponse send(ApiRequest request, DiscoveryContext context, UnaryOperator<String> redactor) {
        Duration remaining = context.remaining();
        if (remaining.compareTo(MINIMUM_WAIT) < 0 || Thread.currentThread().isInterrupted()) {
            throw new ProviderTimeoutException("deadline passed before " + request.service() + " was asked " + request.describe()
                    + " (operation " + context.operationId() + ")");
        }
        Duration wait = remaining.compareTo(requestTimeout) < 0 ? remaining : requestTimeout;
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(wait).header("Accept", "application/json");
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            builder.header(h.getKey(), h.getValue());
        }
        if (request.body() != null) {
            builder.header("Content-Type", "application/json");
            builder.method(request.method(), HttpRequest.BodyPublishers.ofString(request.body().toString()));
        } else {
            builder.method(request.method(), HttpRequest.BodyPublishers.noBody());
        }
        long started = System.nanoTime();
        HttpResponse<String> answer;
        try {
            answer = exchange(builder.build(), wait);
        } catch (IOException e) {
            if (!retriable(request, e) || context.remaining().compareTo(MINIMUM_WAIT) < 0) {
                LOG.debug("{} {} failed after {} ms: {}", request.service(), request.describe(), millisSince(started), e.toString());
                throw OpenStackErrors.forIo(request, e, wait);
            }
            // The server closed a connection before answering (an idle keep-alive connection it
            // had dropped, or a single-threaded server shedding load): an idempotent call is sent
            // once more on a new connection.
            LOG.debug("{} {} got no answer ({}); sending it again", request.service(), request.describe(), e.toString());
            Duration left = context.remaining();
            Duration second = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
            builder.timeout(second);
            try {
                answer = exchange(builder.build(), second);
            } catch (IOException again) {
                LOG.debug("{} {} failed after {} ms: {}", request.service(), request.describe(), millisSince(started), again.toString());
                throw OpenStackErrors.forIo(request, again, wait);
            } catch (InterruptedException again) {
                throw OpenStackErrors.forInterrupt(request, again);
            }
        } catch (InterruptedException e) {
            throw OpenStackErrors.forInterrupt(request, e);
        }
        LOG.debug("{} {} -> {} in {} ms", request.service(), request.describe(), answer.statusCode(), millisSince(started));
        ApiResponse response = new ApiResponse(answer.statusCode(), answer.headers(), parse(request, answer));
        if (response.ok() || request.accepted().contains(response.status())) {
            return response;
        }
        throw OpenStackErrors.forStatus(request, response, redactor);
    }

    /**
     * Sends a request and reads its whole answer within {@code wait}. The request's own timeout
     * ends only the wait for the status line and headers; a service that sends those and then
     * stalls in the middle of the body would hold {@code HttpClient.send} for as long as it keeps
     * the connection open. So the exchange runs asynchronously and is cancelled (its connection
     * closed) when {@code wait} has passed, status or not.
     */
    private HttpResponse<String> exchange(HttpRequest request, Duration wait) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new HttpTimeoutException("no whole answer within " + wait.toMillis() + " ms");
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(String.valueOf(cause.getMessage()), cause);
        }
    }

    /**
     * Whether a failed call may be sent again: an idempotent request that got no answer
     * at all (the connection closed or reset before a status line), never a timeout or a refused
     * connection.
     */
    static boolean retriable(ApiRequest request, IOException e) {
        if (!request.idempotent() || e instanceof java.net.http.HttpTimeoutException || e instanceof java.net.ConnectException) {
            return false;
        }
        String m = String.valueOf(e.getMessage());
        return e instanceof java.io.EOFException || m.contains("received no bytes") || m.contains("Connection reset")
                || m.contains("connection closed locally") || (e.getCause() instanceof java.io.EOFException);
    }

    private JsonNode parse(ApiRequest request, HttpResponse<String> answer) {
        String text = answer.body();
        if (text == null || text.isBlank()) {
            return null;
        }
        boolean isJson = answer.headers().firstValue("Content-Type").map(t -> t.contains("json")).orElse(true);
        if (!isJson) {
            // Error pages of some services are text or HTML: keep them as text for the message, whole: the message masks
            // credentials in it before it is shortened (OpenStackErrors), and a cut here could split one so it is not masked
            return json.getNodeFactory().textNode(text);
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            if (answer.statusCode() >= 400) {
                return json.getNodeFactory().textNode(text);
            }
            throw OpenStackErrors.forMalformed(request, "a body that is not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
