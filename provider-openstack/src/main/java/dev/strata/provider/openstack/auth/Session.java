package dev.strata.provider.openstack.auth;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import java.net.URI;

/**
 * An authenticated connection to one OpenStack cloud: endpoints from the service catalogue and
 * calls that carry a valid token. Thread-safe.
 */
public interface Session {

    /**
     * The endpoint of a service type (the catalogue's, for the configured interface and region).
     *
     * @throws dev.strata.platform.api.exception.ProviderFailureException when the catalogue has none
     */
    URI endpoint(String serviceType, DiscoveryContext context);

    /**
     * Whether the cloud offers the service type where {@link #endpoint} looks for it: for the
     * configured interface and region. A service the catalogue lists only for other regions or
     * interfaces is not offered.
     */
    boolean offers(String serviceType, DiscoveryContext context);

    /**
     * Whether the cloud lists the service type at all, in any region and for any interface; where
     * it does but does not {@link #offers offer} it, the interface or region configured is not the
     * service's, and {@link #endpoint} names where the catalogue has it. By default, whether it
     * {@link #offers offers} it (a session without a catalogue).
     */
    default boolean lists(String serviceType, DiscoveryContext context) {
        return offers(serviceType, context);
    }

    /**
     * Sends a request with the session's token; a token refused with 401 is renewed once and the
     * request sent again.
     */
    ApiResponse send(ApiRequest request, DiscoveryContext context);

    /**
     * The project the session's token is scoped to, never null: a Keystone token that names no
     * project id is refused when it comes, and a noauth2 token names its project (or its user).
     */
    String projectId(DiscoveryContext context);

    /** Who the session authenticates as and where, for messages and {@code strata:providers}; never a secret. */
    String describe();
}
