package dev.strata.provider.openstack.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import dev.strata.provider.openstack.http.OpenStackErrors;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.http.Secret;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Keystone v3 session: a project-scoped token from a password or an application credential,
 * its service catalogue, and renewal. A token is renewed before it expires (when less than
 * {@code renewBefore}, and never less than a tenth of its lifetime, is left; its lifetime is
 * counted from when it came, by Strata's clock, so a skew between Strata's and Keystone's clocks
 * changes nothing) and at once when a
 * service refuses it with 401 (revoked, or expired early); the request is then sent again, once.
 * Thread-safe; one authentication runs at a time, and a call that needs a token while another
 * authenticates waits for it at most until the call's own deadline.
 */
public final class KeystoneSession implements Session {

    private static final Logger LOG = LoggerFactory.getLogger(KeystoneSession.class);

    /**
     * A token with what came with it.
     *
     * @param issuedAt when Strata received it, by Strata's clock
     * @param expiresAt when it expires, by Strata's clock: its lifetime as Keystone gives it
     *     ({@code expires_at - issued_at}, both by Keystone's clock) after {@code issuedAt}
     */
    record Token(Secret value, Instant issuedAt, Instant expiresAt, ServiceCatalog catalog, String projectId, String userId) {
    }

    private final OpenStackHttp http;
    private final URI authUrl;
    private final Credentials credentials;
    private final String iface;
    private final String region;
    private final Duration renewBefore;
    private final Clock clock;
    /** Held while a token is obtained (network I/O): a call that waits for it waits at most until its own deadline. */
    private final ReentrantLock authLock = new ReentrantLock();
    private final AtomicReference<Token> current = new AtomicReference<>();
    private volatile int authentications;

    /**
     * @param authUrl the Keystone v3 URL ({@code https://keystone.example:5000/v3}); {@code /v3}
     *     is added when missing
     * @param iface the endpoint interface to use
     * @param region the region, or null for the only one
     * @param renewBefore how long before expiry a token is renewed
     */
    public KeystoneSession(OpenStackHttp http, URI authUrl, Credentials credentials, String iface, String region, Duration renewBefore,
            Clock clock) {
        this.http = http;
        this.authUrl = v3(authUrl);
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.iface = iface;
        this.region = region;
        this.renewBefore = renewBefore;
        this.clock = clock;
    }

    static URI v3(URI url) {
        String s = url.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s.endsWith("/v3") ? s : s + "/v3");
    }

    @Override
    public URI endpoint(String serviceType, DiscoveryContext context) {
        return token(context).catalog().select(serviceType, iface, region);
    }

    @Override
    public boolean offers(String serviceType, DiscoveryContext context) {
        return token(context).catalog().offers(serviceType, iface, region);
    }

    @Override
    public boolean lists(String serviceType, DiscoveryContext context) {
        return token(context).catalog().has(serviceType);
    }

    @Override
    public String projectId(DiscoveryContext context) {
        return token(context).projectId();
    }

    @Override
    public ApiResponse send(ApiRequest request, DiscoveryContext context) {
        Token token = token(context);
        ApiResponse response = http.send(request.withHeader("X-Auth-Token", token.value().reveal()).accepting(with401(request)), context,
                redactor(token));
        if (response.status() != 401 || request.accepted().contains(401)) {
            return response;
        }
        LOG.info("{} refused the token for {}; authenticating again", request.service(), credentials.identity());
        invalidate(token);
        Token fresh = token(context);
        return http.send(request.withHeader("X-Auth-Token", fresh.value().reveal()), context, redactor(fresh));
    }

    private static Integer[] with401(ApiRequest request) {
        return java.util.stream.Stream.concat(request.accepted().stream(), java.util.stream.Stream.of(401)).distinct().toArray(Integer[]::new);
    }

    /**
     * The current token, authenticating first when there is none or it is about to expire.
     *
     * @throws ProviderTimeoutException when another call is still authenticating at this call's deadline
     */
    Token token(DiscoveryContext context) {
        Token t = current.get();
        if (t != null && !dueForRenewal(t)) {
            return t;
        }
        lock(context);
        try {
            t = current.get();
            if (t != null && !dueForRenewal(t)) {
                return t;
            }
            if (t != null) {
                LOG.debug("renewing the Keystone token for {}: it expires at {}", credentials.identity(), t.expiresAt());
            }
            Token fresh = authenticate(context);
            current.set(fresh);
            return fresh;
        } finally {
            authLock.unlock();
        }
    }

    /**
     * Takes the authentication lock, waiting at most until the caller's deadline: another call may
     * be authenticating, and its wait on Keystone is bounded by its own deadline and
     * {@code requestTimeout}, not this one's.
     */
    private void lock(DiscoveryContext context) {
        boolean locked;
        try {
            locked = authLock.tryLock(Math.max(0, context.remaining().toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("Keystone at " + authUrl + ": interrupted while another call was authenticating "
                    + credentials.identity() + " (operation " + context.operationId() + ")");
        }
        if (!locked) {
            throw new ProviderTimeoutException("Keystone at " + authUrl + ": another call was still authenticating " + credentials.identity()
                    + " when this one's deadline passed (operation " + context.operationId() + ")");
        }
    }

    boolean dueForRenewal(Token t) {
        Duration lifetime = Duration.between(t.issuedAt(), t.expiresAt());
        Duration margin = renewBefore;
        Duration tenth = lifetime.dividedBy(10);
        if (margin.compareTo(lifetime.dividedBy(2)) > 0) {
            margin = lifetime.dividedBy(2);
        }
        if (margin.compareTo(tenth) < 0) {
            margin = tenth;
        }
        return !clock.instant().isBefore(t.expiresAt().minus(margin));
    }

    /**
     * Forgets a token a service refused, unless another thread has replaced it already; without
     * the authentication lock, so never waiting for another call's authentication.
     */
    void invalidate(Token refused) {
        current.compareAndSet(refused, null);
    }

    /** How many tokens this session has obtained. */
    public int authentications() {
        return authentications;
    }

    private Token authenticate(DiscoveryContext context) {
        Secret secret = credentials.secret();
        URI uri = URI.create(authUrl + "/auth/tokens");
        ApiRequest request = ApiRequest.of("Keystone", "POST", uri, credentials.authBody(http.json(), secret)).accepting(401)
                .asIdempotent();
        UnaryOperator<String> redact = secret::redact;
        ApiResponse response = http.send(request, context, redact);
        if (response.status() == 401) {
            throw new AuthorizationException("Keystone at " + authUrl + " refused the credentials of " + credentials.identity()
                    + " (401: " + redact.apply(response.body().path("error").path("message").asText("unauthorized")) + ")");
        }
        String value = response.header("X-Subject-Token").orElseThrow(
                () -> OpenStackErrors.forMalformed(request, "no X-Subject-Token header"));
        if (value.isBlank()) {
            throw OpenStackErrors.forMalformed(request, "an empty X-Subject-Token header; expected the token");
        }
        JsonNode token = response.body().path("token");
        Instant issued = instant(request, token, "issued_at");
        Instant expires = instant(request, token, "expires_at");
        if (!expires.isAfter(issued)) {
            // taken, it would be due for renewal at once: every call would authenticate anew
            throw OpenStackErrors.forMalformed(request, "a token that expires at " + token.path("expires_at").asText() + ", not after it was "
                    + "issued at " + token.path("issued_at").asText() + "; expected a token with a lifetime");
        }
        JsonNode catalog = token.path("catalog");
        if (!catalog.isArray()) {
            throw new ProviderFailureException("Keystone at " + authUrl + " gave " + credentials.identity()
                    + " a token without a service catalogue; the credentials must be scoped to a project");
        }
        String projectId = token.path("project").path("id").asText("").strip();
        if (projectId.isEmpty()) {
            // every credential Strata sends asks for a project scope: without the project's id, a message would name "project null"
            throw OpenStackErrors.forMalformed(request, "a token without project.id; expected a token scoped to the project the "
                    + "credentials name");
        }
        authentications++;
        // Keystone's instants are by Keystone's clock; Strata's may be off by minutes or hours. Compared with Strata's clock,
        // a token would look expired as it came (every call authenticating again) or valid past its expiry. Its lifetime is
        // counted from when it was received, by Strata's clock, which is when Keystone issued it within one request's time.
        Instant received = clock.instant();
        Token fresh = new Token(Secret.of(value), received, received.plus(Duration.between(issued, expires)), ServiceCatalog.parse(catalog),
                projectId, token.path("user").path("id").asText(null));
        LOG.debug("Keystone token for {} valid until {} (Keystone's clock; {} by this Strata's)", credentials.identity(), expires,
                fresh.expiresAt());
        return fresh;
    }

    /**
     * One of a token's instants: with its offset from UTC ({@code Z}, {@code +01:00}, {@code -05:00}), or without one, as
     * Keystone writes them ({@code 2026-12-07T06:00:00.000000Z}; an instant without an offset is taken as UTC). Only a
     * {@code Z} or a {@code +} was recognised: a negative offset had a {@code Z} put after it and every token was refused.
     */
    private static Instant instant(ApiRequest request, JsonNode token, String field) {
        String text = token.path(field).asText("");
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
                throw OpenStackErrors.forMalformed(request, "a token whose " + field + " is '"
                        + dev.strata.platform.api.exception.InvalidConfigurationException.printable(shown) + "', not a timestamp");
            }
        }
    }

    private UnaryOperator<String> redactor(Token token) {
        return text -> token.value().redact(text);
    }

    @Override
    public String describe() {
        return credentials.identity() + " at " + authUrl + ", interface " + iface + (region == null ? "" : ", region " + region);
    }

    @Override
    public String toString() {
        return "KeystoneSession[" + describe() + "]";
    }
}
