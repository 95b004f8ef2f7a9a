package dev.strata.provider.baremetal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.RetryAfter;
import dev.strata.provider.baremetal.bmc.RequestNotApplied;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redfish client on the JDK's {@link HttpClient} and Jackson, for one BMC.
 *
 * <ul>
 * <li><b>Authentication</b>: a Redfish session (POST to the session collection, the
 *     {@code X-Auth-Token} on every request, the session deleted on {@link #close()} within the
 *     request timeout and at most 10 s at the link the login's {@code Location} or, where that
 *     cannot be used, its body's {@code @odata.id} gives (left to the BMC's expiry, with a warning,
 *     where neither does: {@link #sessionLink}), a new one
 *     made when the BMC forgets it; a closed client sends nothing more, see {@link #close()}) or HTTP basic authentication; {@code AUTO} takes a session
 *     where the service root offers a session service and falls back to basic when the BMC does
 *     not implement it (no session service, or a login answered 404, 405 or 501, or without a
 *     token); another failed login (a 500, a timeout) fails its request, and the next logs in again.</li>
 * <li><b>TLS</b>: {@link PinnedTrustManager} for this BMC only.</li>
 * <li><b>Deadlines</b>: every exchange gets the smaller of the request timeout and the time left
 *     before the caller's deadline; waiting honours interruption.</li>
 * <li><b>Retries</b>: connection failures and busy answers (503, 502, 504, 429) are retried with
 *     exponential backoff and jitter (a {@code Retry-After} is honoured, in seconds or as an HTTP date), within the deadline.</li>
 * <li><b>Collections</b>: members are followed through {@code Members@odata.nextLink}, expanded
 *     with {@code $expand} where the service root says it is supported, member by member when it
 *     is not or the expansion fails.</li>
 * <li><b>Writes</b>: PATCH sends {@code If-Match} with the resource's ETag when it has one (and
 *     retries once on 412); an answer 202 with a task monitor is polled until the task ends or
 *     the deadline passes.</li>
 * </ul>
 * Every failure leaves through {@link RedfishErrors}. Thread-safe.
 */
public final class RedfishClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedfishClient.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(4);
    private static final Duration TASK_POLL = Duration.ofMillis(500);
    /**
     * The most one answer may hold. The largest resources real BMCs serve (HPE's BIOS attribute
     * registries) hold about 1.5 MiB; an answer past this is cut off, not held in memory.
     */
    static final long MAX_ANSWER_BYTES = 16L << 20;

    private final RedfishEndpoint endpoint;
    private final HttpClient http;
    /** Held while a session is made (network I/O): a request that waits for it waits at most until its own deadline. */
    private final java.util.concurrent.locks.ReentrantLock sessionLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile Session session;
    private volatile boolean basic;
    private volatile JsonNode root;
    private volatile Boolean expandWorks;
    /** Set by {@link #close}: every request from then on is refused before it is sent, a login too. */
    private volatile boolean closed;

    private record Session(String token, URI uri) {
    }

    /** An HTTP answer. */
    record Answer(int status, java.net.http.HttpHeaders headers, byte[] body) {
        JsonNode json() {
            if (body.length == 0) {
                return MissingNode.getInstance();
            }
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    RedfishClient(RedfishEndpoint endpoint, HttpClient http) {
        this.endpoint = endpoint;
        this.http = http;
        this.basic = endpoint.auth() == RedfishEndpoint.Auth.BASIC;
    }

    /**
     * A client for the endpoint, with TLS trust for this BMC alone.
     *
     * @throws InvalidConfigurationException when the CA file cannot be read
     */
    public static RedfishClient open(RedfishEndpoint endpoint, String pid) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if ("https".equalsIgnoreCase(endpoint.baseUri().getScheme())) {
            try {
                TrustManager trust = null;
                if (endpoint.fingerprint() != null) {
                    trust = PinnedTrustManager.pinned(endpoint.fingerprint());
                } else if (endpoint.caFile() != null) {
                    trust = PinnedTrustManager.ca(endpoint.caFile());
                }
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, trust == null ? null : new TrustManager[] {trust}, null);
                SSLParameters parameters = tls.getDefaultSSLParameters();
                builder.sslContext(tls).sslParameters(parameters);
            } catch (IOException | GeneralSecurityException e) {
                throw new InvalidConfigurationException(pid, "caFile", endpoint.caFile(),
                        "a readable PEM file of CA certificates (" + e.getMessage() + ")");
            }
        }
        return new RedfishClient(endpoint, builder.build());
    }

    public RedfishEndpoint endpoint() {
        return endpoint;
    }

    // ---- reads ---------------------------------------------------------------------------

    /** The service root ({@code /redfish/v1/}), read once. */
    public JsonNode serviceRoot(DiscoveryContext context) {
        JsonNode r = root;
        if (r == null) {
            Answer answer = exchange("GET", "/redfish/v1/", null, null, context, endpoint.auth() == RedfishEndpoint.Auth.BASIC);
            if (answer.status() >= 400) {
                throw RedfishErrors.forStatus(endpoint, "GET", "/redfish/v1/", answer.status(), answer.body(), 1);
            }
            r = answer.json();
            if (!r.isObject()) {
                throw RedfishErrors.malformed(endpoint, "/redfish/v1/", "the service root is not a JSON object; is this a Redfish service?");
            }
            if (r.path("RedfishVersion").asText("").isBlank() && !r.path("@odata.type").asText("").contains("ServiceRoot")) {
                // JSON from something else (another web service): read on, it would be a BMC without systems, silently
                throw RedfishErrors.malformed(endpoint, "/redfish/v1/", "the answer is not a Redfish service root (it has neither "
                        + "RedfishVersion nor an @odata.type #ServiceRoot); is this the BMC's address?");
            }
            root = r;
        }
        return r;
    }

    /** A resource. */
    public JsonNode get(String path, DiscoveryContext context) {
        Answer answer = authenticated("GET", path, null, null, context);
        if (answer.status() >= 400) {
            throw RedfishErrors.forStatus(endpoint, "GET", path, answer.status(), answer.body(), 1);
        }
        JsonNode node = answer.json();
        if (!node.isObject()) {
            throw RedfishErrors.malformed(endpoint, path, "the answer is not a JSON object");
        }
        return node;
    }

    /** A resource, or empty when the BMC says it does not exist (404) or does not implement it (501). */
    public Optional<JsonNode> find(String path, DiscoveryContext context) {
        Answer answer = authenticated("GET", path, null, null, context);
        if (answer.status() == 404 || answer.status() == 501) {
            LOG.debug("BMC {}: {} answered {}; treated as absent", endpoint.name(), path, answer.status());
            return Optional.empty();
        }
        if (answer.status() >= 400) {
            throw RedfishErrors.forStatus(endpoint, "GET", path, answer.status(), answer.body(), 1);
        }
        JsonNode node = answer.json();
        if (!node.isObject()) {
            throw RedfishErrors.malformed(endpoint, path, "the answer is not a JSON object");
        }
        return Optional.of(node);
    }

    /**
     * The members of a collection, each a full resource: expanded in one request where the
     * service supports {@code $expand}, otherwise read one by one; every page followed. A
     * collection the BMC does not have (404, 501) has no members; a member link that leads
     * nowhere is skipped (vendor trees have such links).
     */
    public List<JsonNode> members(String collection, DiscoveryContext context) {
        List<JsonNode> resources = new ArrayList<>();
        for (Member member : members(collection, context, false)) {
            resources.add(member.resource());
        }
        return resources;
    }

    /**
     * A member of a collection as {@link #eachMember} read it: its resource, or, where the member's own read failed, its link
     * and the failure (the resource null).
     */
    public record Member(String link, JsonNode resource, ProviderFailureException failure) {
    }

    /**
     * The members of a collection as {@link #members(String, DiscoveryContext)} reads them, but a member whose own read fails
     * with the BMC's error about that one resource (an error status such as 500, an answer that is no JSON object) is
     * given with its failure, and the others are read on: a BMC's one system that cannot be read is that system's failure
     * alone. What fails the BMC as a whole (unreachable, busy, a timeout, credentials refused) and a failure of the
     * collection itself (its pages, its {@code Members}, a member's link to another host) still throw, as there.
     */
    public List<Member> eachMember(String collection, DiscoveryContext context) {
        return members(collection, context, true);
    }

    private List<Member> members(String collection, DiscoveryContext context, boolean eachApart) {
        Optional<JsonNode> first = expanded(collection, context);
        if (first.isEmpty()) {
            return List.of();
        }
        List<Member> members = new ArrayList<>();
        JsonNode page = first.get();
        java.util.Set<String> read = new java.util.HashSet<>();
        read.add(resolve(collection).toString());
        // each member once, by its link: a member listed twice (on two pages of a collection that changed between them,
        // or once with and once without its trailing slash) is one resource, counted once
        java.util.Set<String> listed = new java.util.HashSet<>();
        String self = sameResource(collection);
        while (true) {
            JsonNode list = page.path("Members");
            if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
                throw RedfishErrors.malformed(endpoint, collection, "Members is " + kind(list) + "; expected an array of the members");
            }
            for (JsonNode member : list) {
                if (!member.isObject()) {
                    throw RedfishErrors.malformed(endpoint, collection, "a member is " + kind(member)
                            + "; expected an object with the member's @odata.id");
                }
                String link = member.path("@odata.id").asText("");
                if (!link.isBlank()) {
                    if (sameResource(link).equals(self)) {
                        throw RedfishErrors.malformed(endpoint, collection, "member " + link
                                + " is the collection itself; expected links to its members");
                    }
                    if (!listed.add(sameResource(link))) {
                        LOG.debug("BMC {}: {} lists {} more than once; read once", endpoint.name(), collection, link);
                        continue;
                    }
                }
                if (isReference(member)) {
                    if (eachApart) {
                        resolve(link); // a link to another host is the collection's error, and nothing is sent there
                    }
                    try {
                        find(link, context).ifPresent(resource -> members.add(new Member(link, resource, null)));
                    } catch (ProviderFailureException e) {
                        if (!eachApart) {
                            throw e;
                        }
                        members.add(new Member(link, null, e));
                    }
                } else {
                    members.add(new Member(link, member, null));
                }
            }
            String next = page.path("Members@odata.nextLink").asText("");
            if (next.isEmpty()) {
                return members;
            }
            if (!read.add(resolve(next).toString())) {
                throw RedfishErrors.malformed(endpoint, collection, "Members@odata.nextLink " + next
                        + " leads back to a page already read; expected a link to the next page");
            }
            if (read.size() > 10_000) {
                throw RedfishErrors.malformed(endpoint, collection, "more than 10000 pages; the next links loop");
            }
            page = get(next, context);
        }
    }

    private Optional<JsonNode> expanded(String collection, DiscoveryContext context) {
        String query = expandQuery(context);
        if (query != null && !Boolean.FALSE.equals(expandWorks)) {
            String path = stripFragment(collection);
            Answer answer = authenticated("GET", path + (path.contains("?") ? "&" : "?") + query, null, null, context);
            if (answer.status() < 300 && answer.json().isObject()) {
                expandWorks = Boolean.TRUE;
                return Optional.of(answer.json());
            }
            if (answer.status() == 401 || answer.status() == 403) {
                throw RedfishErrors.forStatus(endpoint, "GET", path, answer.status(), answer.body(), 1);
            }
            LOG.debug("BMC {} advertises $expand but answered {} to it; reading members one by one", endpoint.name(), answer.status());
            expandWorks = Boolean.FALSE;
        }
        return find(collection, context);
    }

    /** The {@code $expand} query the service root advertises, or null when it supports none. */
    private String expandQuery(DiscoveryContext context) {
        JsonNode expand = serviceRoot(context).path("ProtocolFeaturesSupported").path("ExpandQuery");
        boolean noLinks = expand.path("NoLinks").asBoolean(false);
        boolean all = expand.path("ExpandAll").asBoolean(false);
        boolean levels = expand.path("Levels").asBoolean(false);
        if (!noLinks && !all) {
            return null;
        }
        return "$expand=" + (noLinks ? "." : "*") + (levels ? "($levels=1)" : "");
    }

    /** A link as a key for the resource it names: without fragment and trailing slash, and without a query (a page of the resource). */
    private static String sameResource(String link) {
        String p = stripFragment(link);
        int scheme = p.indexOf("://");
        if (scheme > 0 && (p.regionMatches(true, 0, "http", 0, 4))) {
            int path = p.indexOf('/', scheme + 3);
            p = path < 0 ? "/" : p.substring(path);
        }
        int query = p.indexOf('?');
        if (query >= 0) {
            p = p.substring(0, query);
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** What a JSON value is, for messages: "an object", "a string", ... */
    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case STRING, BINARY -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case MISSING -> "missing";
        };
    }

    private static boolean isReference(JsonNode member) {
        return member.isObject() && member.has("@odata.id") && member.size() == 1;
    }

    // ---- writes --------------------------------------------------------------------------

    /**
     * Changes a resource: PATCH with {@code If-Match} when the resource has an ETag, once more
     * with a fresh ETag if the BMC answers 412, and a task followed to its end.
     */
    public void patch(String path, ObjectNode body, DiscoveryContext context) {
        for (int attempt = 1; ; attempt++) {
            String etag = etag(path, context);
            Answer answer = authenticated("PATCH", path, body, etag, context);
            if (answer.status() == 412 && attempt == 1) {
                LOG.debug("BMC {}: PATCH {} met a changed ETag; reading it again", endpoint.name(), path);
                continue;
            }
            finish("PATCH", path, answer, context);
            return;
        }
    }

    /** Runs an action (POST); an answer 202 with a task monitor is followed to the task's end. Returns the final body. */
    public JsonNode post(String path, ObjectNode body, DiscoveryContext context) {
        return finish("POST", path, authenticated("POST", path, body, null, context), context);
    }

    /**
     * Runs an action that must not happen twice, such as a reset: like {@link #post}, but sent
     * again only while it surely has not reached the BMC (the connection was refused or never came
     * up; the BMC answered 503 or 429, busy; the session was refused). A TLS handshake that failed
     * (the certificate not trusted) sent nothing either: it is not sent again within the call, as
     * trust does not change by itself, but it is {@link RequestNotApplied}. A request that may have
     * arrived (no answer in time, the connection lost after sending, 502 or 504 from a gateway) is
     * not repeated.
     *
     * @throws RequestNotApplied where the action surely took no effect: it never reached the BMC, or
     *     the BMC refused it (an error answer other than 502 and 504; Redfish performs no action it
     *     answers with an error); its {@link RequestNotApplied#failure() failure} says why
     * @throws StrataException where the BMC may have acted on it
     */
    public JsonNode action(String path, ObjectNode body, DiscoveryContext context) {
        Answer answer = authenticated("POST", path, body, null, context, true);
        if (answer.status() >= 400 && !mayHaveArrived(answer.status())) {
            throw new RequestNotApplied(RedfishErrors.forStatus(endpoint, "POST", path, answer.status(), answer.body(), 1));
        }
        return finish("POST", path, answer, context);
    }

    private String etag(String path, DiscoveryContext context) {
        Answer answer = authenticated("GET", path, null, null, context);
        if (answer.status() >= 400) {
            throw RedfishErrors.forStatus(endpoint, "GET", path, answer.status(), answer.body(), 1);
        }
        Optional<String> header = answer.header("ETag");
        if (header.isPresent() && !header.get().isBlank()) {
            return header.get();
        }
        String odata = answer.json().path("@odata.etag").asText("");
        return odata.isBlank() ? null : odata;
    }

    private JsonNode finish(String method, String path, Answer answer, DiscoveryContext context) {
        if (answer.status() == 202) {
            String monitor = answer.header("Location")
                    .orElseGet(() -> answer.json().path("TaskMonitor").asText(answer.json().path("@odata.id").asText("")));
            if (monitor.isBlank()) {
                return answer.json();
            }
            return awaitTask(monitor, context);
        }
        if (answer.status() >= 400) {
            throw RedfishErrors.forStatus(endpoint, method, path, answer.status(), answer.body(), 1);
        }
        return answer.json();
    }

    /** Polls a task monitor (or task) until the task ends, within the deadline. */
    JsonNode awaitTask(String monitor, DiscoveryContext context) {
        Instant start = context.clock().instant();
        String state = "New";
        while (true) {
            if (context.remaining().isNegative() || context.remaining().isZero()) {
                throw RedfishErrors.taskUnfinished(endpoint, monitor, state, Duration.between(start, context.clock().instant()));
            }
            Answer answer = authenticated("GET", monitor, null, null, context);
            JsonNode body = answer.json();
            if (body.has("TaskState")) {
                state = body.path("TaskState").asText() + (body.has("PercentComplete") ? " (" + body.path("PercentComplete").asInt() + "%)" : "");
            }
            if (answer.status() == 202 || (answer.status() == 200 && isRunning(body))) {
                Duration wait = retryAfter(answer, context.clock()).orElse(TASK_POLL);
                if (!sleep(wait, context)) {
                    throw RedfishErrors.taskUnfinished(endpoint, monitor, state, Duration.between(start, context.clock().instant()));
                }
                continue;
            }
            if (answer.status() >= 400) {
                throw RedfishErrors.forStatus(endpoint, "GET", monitor, answer.status(), answer.body(), 1);
            }
            String taskState = body.path("TaskState").asText("");
            if (!taskState.isEmpty() && !taskState.equalsIgnoreCase("Completed")) {
                throw RedfishErrors.taskFailed(endpoint, monitor, taskState, body);
            }
            if (!body.path("TaskStatus").asText("OK").equalsIgnoreCase("OK") && !body.path("TaskStatus").asText().equalsIgnoreCase("Warning")
                    && !taskState.isEmpty()) {
                throw RedfishErrors.taskFailed(endpoint, monitor, taskState + " with status " + body.path("TaskStatus").asText(), body);
            }
            return body;
        }
    }

    private static boolean isRunning(JsonNode task) {
        String state = task.path("TaskState").asText("").toLowerCase(Locale.ROOT);
        return switch (state) {
            case "new", "starting", "running", "pending", "suspended", "stopping", "cancelling", "service" -> true;
            default -> false;
        };
    }

    // ---- sessions ------------------------------------------------------------------------

    /**
     * Closes the client: every request from now on is refused before it is sent, with a
     * {@code ProviderUnavailableException} saying the client was closed (the provider stopped, or
     * the BMC's settings changed), so that no login follows the close and makes a session nothing
     * deletes; and the session, if one was made, is deleted. Never throws.
     *
     * <p>A login in progress on this client (it holds the session lock while the BMC answers, up to
     * the request timeout) is waited for at most {@link #LOGIN_WAIT_AT_CLOSE}: the close then
     * returns, and the login fails once its answer comes, saying the client was closed; a session
     * the BMC made for it is deleted by that login's thread, as nothing else would delete it.
     * The close takes at most {@link #LOGIN_WAIT_AT_CLOSE} and the session delete's bound
     * ({@link #sessionDeleteBound}).
     */
    @Override
    public void close() {
        closed = true;
        boolean locked;
        try {
            locked = sessionLock.tryLock(LOGIN_WAIT_AT_CLOSE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = sessionLock.tryLock();
        }
        if (!locked) {
            LOG.debug("BMC {}: closed while a login was in progress; that login fails and deletes the session it made, if any",
                    endpoint.name());
            return;
        }
        Session s;
        try {
            s = session;
            session = null;
        } finally {
            sessionLock.unlock();
        }
        deleteSession(s);
    }

    /**
     * The most {@link #close} waits for a login in progress on the client (a BMC that does not
     * answer it would otherwise hold the close for the request timeout, or longer where the login
     * reads the service root first) before it returns without it.
     */
    static final Duration LOGIN_WAIT_AT_CLOSE = Duration.ofSeconds(1);

    /** Deletes a session, within {@link #sessionDeleteBound}; nothing where it is null or has no address. Never throws. */
    private void deleteSession(Session s) {
        if (s == null || s.uri() == null) {
            return;
        }
        Duration bound = sessionDeleteBound(endpoint.requestTimeout());
        HttpRequest request = HttpRequest.newBuilder(s.uri()).timeout(bound).DELETE()
                .header("X-Auth-Token", s.token()).header("OData-Version", "4.0").build();
        // the whole exchange (connection and TLS handshake included) within the bound, not only the wait for the answer
        CompletableFuture<HttpResponse<Void>> future = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            int status = future.get(bound.toNanos() + TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.NANOSECONDS).statusCode();
            LOG.debug("BMC {}: session deleted ({})", endpoint.name(), status);
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.debug("BMC {}: the session delete got no answer in {} ms; the BMC ends the session when it times out", endpoint.name(),
                    bound.toMillis());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.debug("BMC {}: could not delete the session: {}", endpoint.name(), cause.toString());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
        }
    }

    /** The most a close waits to delete the session. */
    static final Duration MAX_SESSION_DELETE = Duration.ofSeconds(10);

    /**
     * How long a close waits for the session delete: the request timeout, at most
     * {@link #MAX_SESSION_DELETE} (closing the provider closes its BMCs one after another).
     */
    static Duration sessionDeleteBound(Duration requestTimeout) {
        return requestTimeout.compareTo(MAX_SESSION_DELETE) < 0 ? requestTimeout : MAX_SESSION_DELETE;
    }

    /** Whether requests carry a session token (false: basic authentication). */
    public boolean usesSession() {
        return session != null;
    }

    /**
     * Takes the session lock, waiting at most until the caller's deadline: another request may be
     * logging in, and its wait on the BMC is bounded by its own deadline, not this one's.
     */
    private void lockSession(DiscoveryContext context) {
        boolean locked;
        try {
            locked = sessionLock.tryLock(Math.max(0, context.remaining().toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("BMC " + endpoint.name() + ": interrupted while another request was logging in (operation "
                    + context.operationId() + ")");
        }
        if (!locked) {
            throw new ProviderTimeoutException("BMC " + endpoint.name() + ": another request was still logging in when this one's deadline "
                    + "passed (operation " + context.operationId() + ")");
        }
    }

    private Session login(DiscoveryContext context) {
        Session made;
        lockSession(context);
        try {
            if (closed) {
                throw RedfishErrors.closed(endpoint, "the login was not sent");
            }
            if (session != null || basic) {
                return session;
            }
            JsonNode r = serviceRoot(context);
            String sessions = r.path("Links").path("Sessions").path("@odata.id")
                    .asText(r.has("SessionService") ? "/redfish/v1/SessionService/Sessions" : "");
            if (sessions.isEmpty()) {
                if (endpoint.auth() == RedfishEndpoint.Auth.SESSION) {
                    throw RedfishErrors.malformed(endpoint, "/redfish/v1/", "the service offers no session service; configure auth = basic");
                }
                LOG.info("BMC {} offers no Redfish sessions; using basic authentication", endpoint.name());
                basic = true;
                return null;
            }
            ObjectNode credentials = JSON.createObjectNode();
            credentials.put("UserName", endpoint.user());
            credentials.put("Password", endpoint.password().reveal());
            Answer answer = exchange("POST", sessions, credentials, null, context, false);
            Optional<String> token = answer.header("X-Auth-Token");
            if (answer.status() == 401 || answer.status() == 403) {
                throw RedfishErrors.forStatus(endpoint, "POST", sessions, answer.status(), answer.body(), 1);
            }
            if (answer.status() >= 300 && !refusesSessions(answer.status())) {
                // the BMC failed (a 500) or refused this one request: no sign it lacks sessions, so no fall back to basic
                // for good; the request fails, and the next one logs in again
                throw RedfishErrors.forStatus(endpoint, "POST", sessions, answer.status(), answer.body(), 1);
            }
            if (answer.status() >= 300 || token.isEmpty()) {
                if (endpoint.auth() == RedfishEndpoint.Auth.SESSION) {
                    throw answer.status() >= 300
                            ? RedfishErrors.forStatus(endpoint, "POST", sessions, answer.status(), answer.body(), 1)
                            : RedfishErrors.malformed(endpoint, sessions, "the session was created without an X-Auth-Token");
                }
                LOG.info("BMC {} did not create a session (HTTP {}{}); using basic authentication", endpoint.name(), answer.status(),
                        token.isEmpty() ? ", no token" : "");
                basic = true;
                return null;
            }
            String location = answer.header("Location").orElse("");
            String id = answer.json().path("@odata.id").asText("");
            URI link = sessionLink(sessions, location, token.get());
            if (link == null) {
                link = sessionLink(sessions, id, token.get());
            }
            if (link == null) {
                LOG.warn("BMC {}: the login's answer gives no link to the session it made that Strata can delete it by (Location {}, "
                        + "@odata.id {}; expected a link to a member of {} on this BMC): the session is not deleted when the client "
                        + "closes and is left to the BMC's expiry of idle sessions", endpoint.name(), shown(location, token.get()),
                        shown(id, token.get()), InvalidConfigurationException.printable(sessions));
            }
            made = new Session(token.get(), link);
            if (!closed) {
                session = made;
                LOG.debug("BMC {}: session created at {}", endpoint.name(), link == null ? "no link" : shown(link.toString(), token.get()));
                return made;
            }
        } finally {
            sessionLock.unlock();
        }
        // the client was closed while the BMC answered the login, and its close did not wait for it: nothing else deletes this session
        LOG.debug("BMC {}: the client was closed during the login; the session the BMC made is deleted", endpoint.name());
        deleteSession(made);
        throw RedfishErrors.closed(endpoint, "the login was answered after the close, and the session it made is deleted");
    }

    /**
     * The link of a session a login made, for its delete, from the answer's {@code Location}
     * header or, where that is missing or cannot be used, the {@code @odata.id} of the session
     * resource in the answer's body (Redfish answers a login with both): a link on this BMC, as
     * every link is ({@link #resolve}), to a member of the session collection the login was sent
     * to, so that the delete, which carries the token, goes nowhere else (a {@code Location} of a
     * system would have the close delete that). Null where the link is empty or is no such link;
     * the login serves on without one rather than fail, since the BMC has made the session and
     * nothing would delete it, the next request logging in again.
     */
    private URI sessionLink(String collection, String link, String token) {
        if (link.isBlank()) {
            return null;
        }
        try {
            URI uri = resolve(link).normalize();
            String under = resolve(collection).normalize().getPath();
            under = under.endsWith("/") ? under : under + "/";
            String path = uri.getPath();
            if (path != null && path.startsWith(under) && path.length() > under.length() && !List.of(path.split("/")).contains("..")
                    && uri.getRawQuery() == null) {
                return uri;
            }
            LOG.debug("BMC {}: the session link {} is not a member of {}", endpoint.name(), shown(link, token), collection);
        } catch (StrataException e) {
            // the message quotes the link: shown as a link is
            LOG.debug("BMC {}: the session link cannot be used: {}", endpoint.name(), shown(e.getMessage(), token));
        }
        return null;
    }

    /** A link of a login's answer as a warning shows it: the token masked, cut, each control character escaped; "none" where it is empty. */
    private static String shown(String link, String token) {
        if (link.isBlank()) {
            return "none";
        }
        String masked = token.isEmpty() ? link : link.replace(token, "****");
        return InvalidConfigurationException.printable(masked.length() > 200 ? masked.substring(0, 200) + "..." : masked);
    }

    /**
     * Whether a login's answer says the BMC makes no sessions: no session collection there (404),
     * no POST to it (405), or sessions not implemented (501). Another error (a 500, a 400, a 409 of
     * a BMC out of sessions) is no such answer.
     */
    static boolean refusesSessions(int status) {
        return status == 404 || status == 405 || status == 501;
    }

    // ---- the exchange --------------------------------------------------------------------

    /** A request with credentials: the session token (made on first use, made again once if the BMC forgot it) or basic. */
    private Answer authenticated(String method, String path, ObjectNode body, String ifMatch, DiscoveryContext context) {
        return authenticated(method, path, body, ifMatch, context, false);
    }

    /** @param once sent again only while it surely has not reached the BMC (see {@link #action}) */
    private Answer authenticated(String method, String path, ObjectNode body, String ifMatch, DiscoveryContext context, boolean once) {
        if (!basic) {
            loginBefore(context, once);
        }
        Session used = session;
        Answer answer = exchange(method, path, body, ifMatch, context, used == null, once);
        if (answer.status() == 401 && used != null) {
            lockSession(context);
            try {
                if (session == used) {
                    session = null;
                }
            } finally {
                sessionLock.unlock();
            }
            LOG.info("BMC {}: the session was refused (expired or deleted on the BMC); logging in again", endpoint.name());
            loginBefore(context, once);
            answer = exchange(method, path, body, ifMatch, context, session == null, once);
        }
        return answer;
    }

    /** Logs in before a request; for a request sent at most once, a failed login means it was never sent. */
    private void loginBefore(DiscoveryContext context, boolean once) {
        try {
            login(context);
        } catch (StrataException e) {
            throw once ? new RequestNotApplied(e) : e;
        }
    }

    private Answer exchange(String method, String path, ObjectNode body, String ifMatch, DiscoveryContext context, boolean basicAuth) {
        return exchange(method, path, body, ifMatch, context, basicAuth, false);
    }

    /**
     * One request, retried while the BMC is unreachable or busy, within the deadline.
     *
     * @param once retried only while it surely has not reached the BMC; where it may have, the
     *     answer (502, 504) is returned or the failure thrown at once; where it surely has not, the
     *     last failure is thrown as {@link RequestNotApplied}
     */
    private Answer exchange(String method, String path, ObjectNode body, String ifMatch, DiscoveryContext context, boolean basicAuth,
            boolean once) {
        URI uri;
        try {
            uri = resolve(path);
        } catch (StrataException e) {
            throw once ? new RequestNotApplied(e) : e; // nothing was sent
        }
        String what = method + " " + path;
        Throwable lastFailure = null;
        Answer lastBusy = null;
        boolean mayHaveArrived = false;
        for (int attempt = 1; attempt <= endpoint.maxAttempts(); attempt++) {
            Duration remaining = context.remaining();
            if (remaining.isNegative() || remaining.isZero()) {
                break;
            }
            if (closed) {
                // a request begun after the close, or its next attempt: nothing more is sent (a login would make a session nothing deletes)
                StrataException refused = RedfishErrors.closed(endpoint, what + " was not sent");
                throw once ? new RequestNotApplied(refused) : refused;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw RedfishErrors.interrupted(endpoint, "before " + what);
            }
            Duration timeout = remaining.compareTo(endpoint.requestTimeout()) < 0 ? remaining : endpoint.requestTimeout();
            HttpRequest request = request(uri, method, body, ifMatch, timeout, basicAuth);
            long started = System.nanoTime();
            CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, info -> new LimitedBody(
                    info.headers().firstValueAsLong("Content-Length").orElse(-1), MAX_ANSWER_BYTES));
            try {
                HttpResponse<byte[]> response = future.get(timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.NANOSECONDS);
                Answer answer = new Answer(response.statusCode(), response.headers(), response.body() == null ? new byte[0] : response.body());
                LOG.debug("BMC {}: {} -> {} in {} ms", endpoint.name(), what, answer.status(), (System.nanoTime() - started) / 1_000_000);
                if (answer.status() >= 300 && answer.status() < 400) {
                    // redirects are not followed (credentials go to the configured address only), and a redirect is no
                    // answer of the BMC's: a request sent elsewhere was not carried out here, but for a 303 (done, see there)
                    StrataException redirected = RedfishErrors.redirected(endpoint, method, path, answer.status(),
                            answer.header("Location").orElse(""));
                    throw once && answer.status() != 303 ? new RequestNotApplied(redirected) : redirected;
                }
                if (once && mayHaveArrived(answer.status())) {
                    return answer; // a gateway's error: the BMC behind it may have acted
                }
                if (isBusy(answer.status()) && attempt < endpoint.maxAttempts()) {
                    lastBusy = answer;
                    Optional<Duration> asked = retryAfter(answer, context.clock());
                    Duration wait = asked.isPresent() ? spreadRetryAfter(asked.get(), context.remaining(), endpoint.requestTimeout())
                            : backoff(attempt);
                    if (!sleep(wait, context)) {
                        break;
                    }
                    continue;
                }
                if (isBusy(answer.status())) {
                    StrataException busy = RedfishErrors.forStatus(endpoint, method, path, answer.status(), answer.body(), attempt);
                    throw once ? new RequestNotApplied(busy) : busy;
                }
                return answer;
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw RedfishErrors.interrupted(endpoint, "during " + what);
            } catch (TimeoutException e) {
                future.cancel(true);
                lastFailure = new java.net.http.HttpTimeoutException("no answer in " + timeout.toMillis() + " ms");
                mayHaveArrived = true;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (tooLarge(cause)) {
                    // the BMC answered (a request sent once may have been carried out): not sent again
                    throw RedfishErrors.tooLarge(endpoint, method, path, MAX_ANSWER_BYTES);
                }
                if (!isTransient(cause)) {
                    StrataException failed = RedfishErrors.forException(endpoint, method, path, cause, attempt);
                    // a TLS handshake that failed (the certificate not trusted, its name not the address's) sent nothing
                    throw once && handshakeFailed(cause) ? new RequestNotApplied(failed) : failed;
                }
                lastFailure = cause;
                mayHaveArrived |= !neverConnected(cause);
                LOG.debug("BMC {}: {} failed ({}), attempt {} of {}", endpoint.name(), what, cause.toString(), attempt, endpoint.maxAttempts());
            }
            if (once && mayHaveArrived) {
                LOG.warn("BMC {}: {} may have reached the BMC ({}); it is not sent again", endpoint.name(), what, lastFailure.toString());
                break;
            }
            if (attempt < endpoint.maxAttempts() && !sleep(backoff(attempt), context)) {
                break;
            }
        }
        if (lastFailure != null) {
            StrataException translated = RedfishErrors.forException(endpoint, method, path, lastFailure, endpoint.maxAttempts());
            if (context.remaining().isNegative() || context.remaining().isZero()) {
                translated.addSuppressed(RedfishErrors.deadline(endpoint, "while retrying " + what));
            }
            throw once && !mayHaveArrived ? new RequestNotApplied(translated) : translated;
        }
        StrataException gaveUp = lastBusy != null
                ? RedfishErrors.forStatus(endpoint, method, path, lastBusy.status(), lastBusy.body(), endpoint.maxAttempts())
                : RedfishErrors.deadline(endpoint, "before " + what);
        throw once ? new RequestNotApplied(gaveUp) : gaveUp; // busy answers only, or nothing sent
    }

    private static boolean tooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AnswerTooLarge) {
                return true;
            }
        }
        return false;
    }

    /** An answer longer than the bound. */
    static final class AnswerTooLarge extends IOException {
        AnswerTooLarge(long limit) {
            super("the answer holds more than " + limit + " bytes");
        }
    }

    /**
     * An answer's body collected up to a bound: past it (or at a declared length past it) the
     * exchange is cancelled and fails with {@link AnswerTooLarge}, instead of holding whatever the
     * BMC sends in memory.
     */
    static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long declared;
        private final long limit;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final List<java.nio.ByteBuffer> received = new ArrayList<>();
        private long size;
        private java.util.concurrent.Flow.Subscription subscription;

        LimitedBody(long declared, long limit) {
            this.declared = declared;
            this.limit = limit;
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            if (declared > limit) {
                s.cancel();
                body.completeExceptionally(new AnswerTooLarge(limit));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<java.nio.ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (java.nio.ByteBuffer b : items) {
                size += b.remaining();
                received.add(b);
            }
            if (size > limit) {
                received.clear();
                subscription.cancel();
                body.completeExceptionally(new AnswerTooLarge(limit));
            }
        }

        @Override
        public void onError(Throwable failure) {
            received.clear();
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            if (body.isDone()) {
                return;
            }
            byte[] all = new byte[(int) size];
            int at = 0;
            for (java.nio.ByteBuffer b : received) {
                int n = b.remaining();
                b.get(all, at, n);
                at += n;
            }
            received.clear();
            body.complete(all);
        }
    }

    /** An error answer after which the request may still have been carried out: a gateway's, not the BMC's. */
    private static boolean mayHaveArrived(int status) {
        return status == 502 || status == 504;
    }

    /**
     * A failure before any byte of the request left: the connection was refused or never came up,
     * or the BMC hung up before the TLS handshake ended.
     */
    private static boolean neverConnected(Throwable failure) {
        if (RedfishErrors.handshakeDropped(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException
                    || t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A TLS handshake that did not end, for whatever reason (a certificate refused, a pin that does
     * not match, no common protocol): the request is sent only after the handshake, so it was not.
     */
    private static boolean handshakeFailed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    private HttpRequest request(URI uri, String method, ObjectNode body, String ifMatch, Duration timeout, boolean basicAuth) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json")
                .header("OData-Version", "4.0");
        if (body != null) {
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new ProviderFailureException("cannot encode a request body: " + e.getMessage());
            }
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        if (ifMatch != null) {
            builder.header("If-Match", ifMatch);
        }
        Session s = session;
        if (s != null && !basicAuth) {
            builder.header("X-Auth-Token", s.token());
        } else if (basicAuth) {
            String pair = endpoint.user() + ":" + endpoint.password().reveal();
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return builder.build();
    }

    private static boolean isBusy(int status) {
        return status == 503 || status == 502 || status == 504 || status == 429;
    }

    /**
     * A failure worth another attempt: an I/O failure, but no TLS failure other than the BMC
     * hanging up during the handshake (a certificate refused stays refused).
     */
    private static boolean isTransient(Throwable failure) {
        if (RedfishErrors.handshakeDropped(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return false;
            }
        }
        return failure instanceof IOException;
    }

    private static Duration backoff(int attempt) {
        long base = FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 10);
        long capped = Math.min(base, MAX_BACKOFF.toMillis());
        long jitter = ThreadLocalRandom.current().nextLong(capped / 5 + 1);
        return Duration.ofMillis(capped - capped / 10 + jitter);
    }

    /** The most a {@code Retry-After} is waited for; the caller's deadline may cut it shorter. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    /**
     * How long the answer's {@code Retry-After} says to wait: a number of seconds, or an HTTP date
     * in any of its three forms ({@link RetryAfter#wait}) read against the clock, a date already past
     * being no wait; at most {@link #MAX_RETRY_AFTER} either way. Empty when there is none or it is
     * neither.
     */
    private static Optional<Duration> retryAfter(Answer answer, java.time.Clock clock) {
        return answer.header("Retry-After").flatMap(v -> RetryAfter.wait(v, clock.instant()))
                .map(wait -> wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
    }

    /**
     * The wait before sending again that a {@code Retry-After} asks for, {@code asked} (already
     * capped at {@link #MAX_RETRY_AFTER}): up to a tenth more at random, never less, so that the
     * callers a BMC told the same wait spread out; but never past {@link #MAX_RETRY_AFTER}, and
     * taking none of the time the wait as asked leaves the next attempt, up to a request's
     * {@code requestTimeout}: a spread that ran to the deadline would send the attempt with no time
     * to be answered, a time-out (for a request sent once, one that may have been carried out)
     * where the wait as asked left it time to succeed.
     */
    static Duration spreadRetryAfter(Duration asked, Duration remaining, Duration requestTimeout) {
        Duration room = remaining.minus(requestTimeout);
        if (room.compareTo(MAX_RETRY_AFTER) > 0) {
            room = MAX_RETRY_AFTER;
        }
        return RetryAfter.spreadWithin(asked, room);
    }

    /** Sleeps for {@code wait}, never past the deadline; false when no time is left to try again. */
    private boolean sleep(Duration wait, DiscoveryContext context) {
        Duration remaining = context.remaining();
        if (remaining.compareTo(wait) <= 0) {
            return false;
        }
        try {
            Thread.sleep(Math.max(1, wait.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RedfishErrors.interrupted(endpoint, "while waiting to try again");
        }
    }

    /**
     * Where a link the BMC gave (or a path of the standard's) points: on this BMC, or the BMC's
     * error. A link that is not a URI (a space in it, say) or points to another host (written out,
     * or as a network-path reference {@code //host/...} that takes the BMC's scheme) or to this host
     * with another scheme is refused before anything is sent; the same host written with its
     * scheme's default port is this BMC.
     */
    URI resolve(String path) {
        String p = stripFragment(path);
        try {
            URI base = endpoint.baseUri();
            URI resolved = p.startsWith("http://") || p.startsWith("https://") ? URI.create(p) : base.resolve(p.startsWith("/") ? p : "/" + p);
            if (resolved.getHost() == null || !resolved.getHost().equalsIgnoreCase(base.getHost()) || port(resolved) != port(base)
                    || !base.getScheme().equalsIgnoreCase(resolved.getScheme())) {
                throw RedfishErrors.malformed(endpoint, path, "a link to another host; refusing to send credentials there");
            }
            return resolved;
        } catch (IllegalArgumentException e) {
            throw RedfishErrors.malformed(endpoint, path, "not a link Strata can follow (" + e.getMessage() + ")");
        }
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String stripFragment(String path) {
        int hash = path.indexOf('#');
        return hash < 0 ? path : path.substring(0, hash);
    }

    @Override
    public String toString() {
        return "RedfishClient[" + endpoint.name() + " " + endpoint.address() + "]";
    }
}
