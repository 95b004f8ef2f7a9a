package dev.strata.provider.baremetal.redfish;

import dev.strata.provider.baremetal.bmc.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one Redfish service.
 *
 * @param name the BMC's name, for messages
 * @param baseUri scheme, host and port ({@code https://10.0.0.5:443}); paths are resolved against it
 * @param user the account
 * @param password the account's password (masked in {@link #toString()})
 * @param auth session, basic, or auto (a session where the service offers one)
 * @param fingerprint the SHA-256 fingerprint of the BMC's certificate to pin (hex), or null
 * @param caFile a PEM file with the CA certificates to trust for this BMC only, or null
 * @param requestTimeout the most one HTTP exchange may take (the call's deadline may cut it shorter)
 * @param maxAttempts how often a request is tried when the BMC is busy (503, 429) or the connection fails
 */
public record RedfishEndpoint(String name, URI baseUri, String user, Secret password, Auth auth, String fingerprint, Path caFile,
        Duration requestTimeout, int maxAttempts) {

    /** How the client authenticates. */
    public enum Auth {
        /** A Redfish session (created once, deleted on close) where the service offers one; basic otherwise. */
        AUTO,
        /** Always a session. */
        SESSION,
        /** HTTP basic authentication on every request. */
        BASIC
    }

    public RedfishEndpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts is " + maxAttempts + "; expected 1 or more");
        }
    }

    /** The address without credentials or path, for attributes and messages. */
    public String address() {
        return baseUri.getScheme() + "://" + baseUri.getAuthority();
    }
}
