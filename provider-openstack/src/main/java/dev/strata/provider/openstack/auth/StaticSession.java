package dev.strata.provider.openstack.auth;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.net.URI;
import java.util.Map;

/**
 * A session without Keystone: fixed endpoints and a fixed token, for a service that runs with
 * {@code auth_strategy = noauth2} (Placement alone, where the token names the user:
 * {@code admin}).
 */
public final class StaticSession implements Session {

    private final OpenStackHttp http;
    private final Map<String, URI> endpoints;
    private final String token;

    public StaticSession(OpenStackHttp http, Map<String, URI> endpoints, String token) {
        this.http = http;
        this.endpoints = Map.copyOf(endpoints);
        this.token = token;
    }

    @Override
    public URI endpoint(String serviceType, DiscoveryContext context) {
        URI uri = endpoints.get(serviceType);
        if (uri == null) {
            throw new ProviderFailureException("no '" + serviceType + "' endpoint is configured; configured: " + endpoints.keySet());
        }
        return uri;
    }

    @Override
    public boolean offers(String serviceType, DiscoveryContext context) {
        return endpoints.containsKey(serviceType);
    }

    @Override
    public ApiResponse send(ApiRequest request, DiscoveryContext context) {
        // A noauth2 token names a user; it is not a secret.
        return http.send(request.withHeader("X-Auth-Token", token), context, text -> text);
    }

    /** The project a noauth2 token names: {@code user:project}, or the user's name where it names none (as Nova reads it). */
    @Override
    public String projectId(DiscoveryContext context) {
        int colon = token.indexOf(':');
        return colon < 0 ? token : token.substring(colon + 1);
    }

    @Override
    public String describe() {
        return "no authentication, endpoints " + endpoints;
    }
}
