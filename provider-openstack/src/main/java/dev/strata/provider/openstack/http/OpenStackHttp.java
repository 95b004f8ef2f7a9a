package dev.strata.provider.openstack.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.RetryAfter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>A call the service answers 429 Too Many Requests (or, when idempotent, 503 with a
 * {@code Retry-After}) is sent again after the wait the service asks for, within the caller's
 * deadline and a few attempts ({@link #send}).
 *
 * <p>Logs one DEBUG line per attempt (method, path, status, milliseconds) and one per wait before
 * another; never a header but {@code Retry-After}, never a body.
 */
public final class OpenStackHttp {

    private static final Logger LOG = LoggerFactory.getLogger(OpenStackHttp.class);
    private static final Duration MINIMUM_WAIT = Duration.ofMillis(1);
    /** Attempts of a call that the service keeps answering 429 (or 503 with a {@code Retry-After}): the first and three more. */
    static final int MAX_ATTEMPTS = 4;
    /** The most a {@code Retry-After} is waited for; the caller's deadline may cut it shorter. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    /** The backoff after the first 429 that names no {@code Retry-After}; it doubles with each attempt. */
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    /** What a wait must leave of the deadline for another attempt to be worth it. */
    static final Duration ATTEMPT_ROOM = Duration.ofMillis(100);
    /**
     * The most of an answer's body that is read: 64 MiB. Placement's listing of resource providers
     * is not paged, and a cloud of ten thousand hosts answers it in a few MiB; a body past this is
     * a service (or something before it) gone wrong, and is not read into memory.
     */
    static final long MAX_BODY_BYTES = 64L << 20;

    private final HttpClient client;
    private final ObjectMapper json;
    private final Duration requestTimeout;
    private final long maxBodyBytes;

    public OpenStackHttp(Duration connectTimeout, Duration requestTimeout) {
        this(connectTimeout, requestTimeout, MAX_BODY_BYTES);
    }

    /** With another bound on an answer's body than {@link #MAX_BODY_BYTES}, for tests. */
    OpenStackHttp(Duration connectTimeout, Duration requestTimeout, long maxBodyBytes) {
        this(HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // OpenStack's WSGI servers speak HTTP/1.1; an h2c upgrade attempt only costs time.
                .version(HttpClient.Version.HTTP_1_1)
                .build(), new ObjectMapper(), requestTimeout, maxBodyBytes);
    }

    OpenStackHttp(HttpClient client, ObjectMapper json, Duration requestTimeout) {
        this(client, json, requestTimeout, MAX_BODY_BYTES);
    }

    private OpenStackHttp(HttpClient client, ObjectMapper json, Duration requestTimeout, long maxBodyBytes) {
        this.client = client;
        this.json = json;
        this.requestTimeout = requestTimeout;
        this.maxBodyBytes = maxBodyBytes;
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * Sends one request, and sends it again while the service answers that it is throttling the
     * caller or briefly unavailable and says when to come back:
     *
     * <ul>
     * <li><b>429 Too Many Requests</b>, for every request, a {@code POST} that creates something
     *     included: the service (or the rate limit before it) refused the request, it did not carry
     *     it out (RFC 6585 &sect;4: the caller "has sent too many requests in a given amount of
     *     time", and the {@code Retry-After} says "how long to wait before making a new request"),
     *     so sending it again cannot do its work twice. The request is sent
     *     again after the answer's {@code Retry-After} (seconds, or an HTTP date read against the
     *     caller's clock; at most {@link #MAX_RETRY_AFTER}), or without one after an exponential
     *     backoff with jitter ({@link #backoff}).</li>
     * <li><b>503 Service Unavailable with a {@code Retry-After}</b>, for an
     *     {@linkplain ApiRequest#idempotent() idempotent} request only: a 503 may come from a
     *     gateway whose backend had the request and acted on part of it. A 503 without a
     *     {@code Retry-After}, or to a request that is not idempotent, is answered as before.</li>
     * </ul>
     *
     * At most {@value #MAX_ATTEMPTS} attempts in all, and never a wait past the caller's deadline:
     * when the wait would not leave {@link #ATTEMPT_ROOM} for another attempt, the answer is
     * reported at once, its message saying how long the service asked to wait and how much of
     * the deadline was left. Each wait is logged at DEBUG (the service, the call, the status, the
     * wait and the {@code Retry-After}; no other header, no body). An interrupt during a wait ends
     * it ({@link OpenStackErrors#forInterruptedWait}, the interrupt flag set again).
     *
     * @param request the call
     * @param context the caller's deadline
     * @param redactor masks credentials in text taken from an error answer
     * @return the answer when it is 2xx or one of {@link ApiRequest#accepted()}
     * @throws dev.strata.platform.api.exception.StrataException for every other outcome
     */
    public ApiResponse send(ApiRequest request, DiscoveryContext context, UnaryOperator<String> redactor) {
        for (int attempt = 1; ; attempt++) {
            ApiResponse response = sendOnce(request, context);
            if (response.ok()) {
                return response;
            }
            int status = response.status();
            Optional<Duration> retryAfter = retryAfter(response, context.clock());
            boolean throttled = status == 429 || (status == 503 && request.idempotent() && retryAfter.isPresent());
            if (!throttled) {
                if (request.accepted().contains(status)) {
                    return response;
                }
                throw OpenStackErrors.forStatus(request, response, redactor);
            }
            int sent = attempt;
            Duration due = retryAfter.map(OpenStackHttp::capped).orElseGet(() -> backoff(sent));
            Duration left = context.remaining().isNegative() ? Duration.ZERO : context.remaining();
            Duration wait = retryAfter.isEmpty() ? due : spreadRetryAfter(due, left);
            String note;
            if (attempt >= MAX_ATTEMPTS) {
                note = "; not sent again: this was attempt " + attempt + " of " + MAX_ATTEMPTS;
            } else if (left.compareTo(wait.plus(ATTEMPT_ROOM)) < 0) {
                note = "; not sent again: " + retryAfter.map(asked -> "the service asked to wait " + seconds(asked))
                        .orElseGet(() -> "the backoff before another attempt is " + seconds(wait)) + " and " + seconds(left)
                        + " of the deadline was left" + (attempt > 1 ? " (attempt " + attempt + " of " + MAX_ATTEMPTS + ")" : "");
            } else {
                // the header is the service's (or a gateway's) text: shown printable, as in the messages
                LOG.debug("{} {} -> {}; sending it again in {} ms (Retry-After {}), attempt {} of {}", request.service(),
                        request.describe(), status, wait.toMillis(),
                        response.header("Retry-After").map(InvalidConfigurationException::printable).orElse("none"), attempt + 1,
                        MAX_ATTEMPTS);
                pause(request, wait);
                continue;
            }
            if (request.accepted().contains(status)) {
                return response;
            }
            throw OpenStackErrors.forStatus(request, response, redactor, note);
        }
    }

    /** One attempt: the request, and once more on a new connection when an idempotent one got no answer at all. */
    private ApiResponse sendOnce(ApiRequest request, DiscoveryContext context) {
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
            answer = exchange(request, builder.build(), wait);
        } catch (IOException e) {
            if (!retriable(request, e) || context.remaining().compareTo(MINIMUM_WAIT) < 0) {
                // the JDK's text may quote what the server sent (an invalid status line): shown printable
                LOG.debug("{} {} failed after {} ms: {}", request.service(), request.describe(), millisSince(started),
                        InvalidConfigurationException.printable(e.toString()));
                throw OpenStackErrors.forIo(request, e, wait);
            }
            // The server closed a connection before answering (an idle keep-alive connection it
            // had dropped, or a single-threaded server shedding load): an idempotent call is sent
            // once more on a new connection.
            LOG.debug("{} {} got no answer ({}); sending it again", request.service(), request.describe(),
                    InvalidConfigurationException.printable(e.toString()));
            Duration left = context.remaining();
            Duration second = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
            builder.timeout(second);
            try {
                answer = exchange(request, builder.build(), second);
            } catch (IOException again) {
                LOG.debug("{} {} failed after {} ms: {}", request.service(), request.describe(), millisSince(started),
                        InvalidConfigurationException.printable(again.toString()));
                throw OpenStackErrors.forIo(request, again, wait);
            } catch (InterruptedException again) {
                throw OpenStackErrors.forInterrupt(request, again);
            }
        } catch (InterruptedException e) {
            throw OpenStackErrors.forInterrupt(request, e);
        }
        LOG.debug("{} {} -> {} in {} ms", request.service(), request.describe(), answer.statusCode(), millisSince(started));
        return new ApiResponse(answer.statusCode(), answer.headers(), parse(request, answer));
    }

    /**
     * The exponential backoff before attempt {@code attempt + 1} when a 429 names no
     * {@code Retry-After}: {@link #FIRST_BACKOFF} doubled each time up to {@link #MAX_BACKOFF},
     * less up to a tenth or more up to a tenth at random, so that many callers throttled at once
     * do not come back at once.
     */
    static Duration backoff(int attempt) {
        long base = FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 10);
        long capped = Math.min(base, MAX_BACKOFF.toMillis());
        long jitter = ThreadLocalRandom.current().nextLong(capped / 5 + 1);
        return Duration.ofMillis(capped - capped / 10 + jitter);
    }

    /**
     * How long the answer's {@code Retry-After} asks to wait, as the service wrote it (not yet
     * capped), read against {@code clock}: seconds, or an HTTP date in any of its three forms
     * ({@link RetryAfter#wait}). Empty when there is none or it is neither.
     */
    static Optional<Duration> retryAfter(ApiResponse response, Clock clock) {
        return response.header("Retry-After").flatMap(value -> RetryAfter.wait(value, clock.instant()));
    }

    /**
     * The wait before sending again that a {@code Retry-After} asks for, {@code due} (already
     * {@linkplain #capped capped}): up to a tenth more at random, never less, so that callers told
     * the same wait spread out, but never past {@link #MAX_RETRY_AFTER}, nor past what the deadline
     * ({@code left}) leaves for another attempt ({@link #ATTEMPT_ROOM}).
     */
    static Duration spreadRetryAfter(Duration due, Duration left) {
        Duration room = left.minus(ATTEMPT_ROOM);
        return RetryAfter.spreadWithin(due, room.compareTo(MAX_RETRY_AFTER) < 0 ? room : MAX_RETRY_AFTER);
    }

    private static Duration capped(Duration wait) {
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    /** Waits before the next attempt; an interrupt ends the wait, and the call, with the flag set again. */
    private static void pause(ApiRequest request, Duration wait) {
        try {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            TimeUnit.NANOSECONDS.sleep(wait.toNanos());
        } catch (InterruptedException e) {
            throw OpenStackErrors.forInterruptedWait(request, e);
        }
    }

    /** {@code 1.5 s}, {@code 120 s}, {@code 0.25 s}: a duration in seconds, to the millisecond. */
    static String seconds(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).setScale(3, RoundingMode.HALF_UP);
        return (s.signum() == 0 ? "0" : s.stripTrailingZeros().toPlainString()) + " s";
    }

    /**
     * Sends a request and reads its whole answer within {@code wait}. The request's own timeout
     * ends only the wait for the status line and headers; a service that sends those and then
     * stalls in the middle of the body would hold {@code HttpClient.send} for as long as it keeps
     * the connection open. So the exchange runs asynchronously and is cancelled (its connection
     * closed) when {@code wait} has passed, status or not. A body longer than the bound
     * ({@link #MAX_BODY_BYTES}) is not read further: its connection is closed, and the call fails
     * ({@link OpenStackErrors#forTooLarge}), never sent again.
     */
    private HttpResponse<String> exchange(ApiRequest call, HttpRequest request, Duration wait) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, info -> new LimitedBody(
                HttpResponse.BodyHandlers.ofString().apply(info), info.headers().firstValueAsLong("Content-Length").orElse(-1),
                maxBodyBytes));
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
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof BodyTooLarge tooLarge) {
                    throw OpenStackErrors.forTooLarge(call, tooLarge.limit, tooLarge.declared, tooLarge.read);
                }
            }
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
            if (answer.statusCode() >= 200 && answer.statusCode() < 300) {
                throw OpenStackErrors.forUnreadableSuccess(request, answer.statusCode(), "a body that is not JSON ("
                        + InvalidConfigurationException.printable(e.getOriginalMessage()) + ")");
            }
            // the parser quotes the body (an unrecognised token): shown printable, as the service's error text is
            throw OpenStackErrors.forMalformed(request, "a body that is not JSON (" + InvalidConfigurationException.printable(e.getOriginalMessage())
                    + ")");
        }
    }

    /** A body longer than the bound: what it declared (its Content-Length, or -1) and how much of it was read. */
    static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        final long limit;
        final long declared;
        final long read;

        BodyTooLarge(long limit, long declared, long read) {
            super("an answer's body longer than " + limit + " bytes");
            this.limit = limit;
            this.declared = declared;
            this.read = read;
        }
    }

    /**
     * Hands a body to the JDK's string subscriber (which decodes it by its charset) while it is
     * no longer than {@code limit}; past that, or where its Content-Length says it will be,
     * cancels the subscription (the connection is closed) and fails with {@link BodyTooLarge}.
     */
    static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
        private final HttpResponse.BodySubscriber<String> inner;
        private final long declared;
        private final long limit;
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private java.util.concurrent.Flow.Subscription subscription;
        private long read;

        LimitedBody(HttpResponse.BodySubscriber<String> inner, long declared, long limit) {
            this.inner = inner;
            this.declared = declared;
            this.limit = limit;
        }

        @Override
        public java.util.concurrent.CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            if (declared > limit) {
                s.cancel();
                body.completeExceptionally(new BodyTooLarge(limit, declared, 0));
                return;
            }
            inner.getBody().whenComplete((text, failure) -> {
                if (failure != null) {
                    body.completeExceptionally(failure);
                } else {
                    body.complete(text);
                }
            });
            inner.onSubscribe(s);
        }

        @Override
        public void onNext(java.util.List<java.nio.ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (java.nio.ByteBuffer b : items) {
                read += b.remaining();
            }
            if (read > limit) {
                subscription.cancel();
                body.completeExceptionally(new BodyTooLarge(limit, declared, read));
                return;
            }
            inner.onNext(items);
        }

        @Override
        public void onError(Throwable failure) {
            if (!body.isDone()) {
                inner.onError(failure);
            }
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            if (!body.isDone()) {
                inner.onComplete();
            }
        }
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
