package dev.strata.provider.openstack.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.provider.openstack.http.OpenStackErrors;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The Keystone service catalogue of a token, and the one endpoint per service type that Strata
 * uses: the one with the configured interface ({@code public}, {@code internal}, {@code admin})
 * in the configured region (any region when none is configured and the cloud has one).
 */
public final class ServiceCatalog {

    /**
     * One endpoint.
     *
     * @param type the service type ({@code compute}, {@code placement}, {@code image})
     * @param iface the interface
     * @param region the region id, or null
     * @param url the URL, or null when the catalogue's text is no http or https URL
     * @param written the URL as the catalogue gives it
     */
    public record Endpoint(String type, String iface, String region, URI url, String written) {
        public Endpoint {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(iface, "iface");
            Objects.requireNonNull(written, "written");
        }

        public Endpoint(String type, String iface, String region, URI url) {
            this(type, iface, region, Objects.requireNonNull(url, "url"), url.toString());
        }
    }

    private final List<Endpoint> endpoints;

    public ServiceCatalog(List<Endpoint> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    /** Reads the {@code catalog} array of a Keystone v3 token. */
    public static ServiceCatalog parse(JsonNode catalog) {
        List<Endpoint> all = new ArrayList<>();
        for (JsonNode service : catalog) {
            String type = service.path("type").asText("");
            for (JsonNode e : service.path("endpoints")) {
                String url = e.path("url").asText("");
                if (type.isEmpty() || url.isEmpty()) {
                    continue;
                }
                String region = e.hasNonNull("region_id") ? e.get("region_id").asText() : e.hasNonNull("region") ? e.get("region").asText() : null;
                // an endpoint whose URL does not parse fails only where it is used: one broken entry of a
                // service Strata never calls must not stop the authentication
                all.add(new Endpoint(type, e.path("interface").asText("public"), region, url(url), url));
            }
        }
        return new ServiceCatalog(all);
    }

    /** The URL, or null when the text is no absolute http or https URL with a host. */
    private static URI url(String text) {
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? uri : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Whether the catalogue lists the service type at all, in any region and for any interface. */
    public boolean has(String type) {
        return endpoints.stream().anyMatch(e -> e.type().equals(type));
    }

    /**
     * Whether the catalogue has an endpoint of the service type for the interface and region, the
     * ones {@link #select} chooses from: a service listed only for other regions or interfaces is
     * not offered. An endpoint whose URL does not parse counts; {@link #select} names it.
     *
     * @param region the region, or null for any
     */
    public boolean offers(String type, String iface, String region) {
        return !matching(type, iface, region).isEmpty();
    }

    /** The endpoints of a service type for an interface and region (any region where it is null). */
    private List<Endpoint> matching(String type, String iface, String region) {
        return endpoints.stream()
                .filter(e -> e.type().equals(type) && e.iface().equals(iface) && (region == null || region.equals(e.region())))
                .toList();
    }

    /**
     * The endpoint of a service type for an interface and region.
     *
     * @param region the region, or null for the only one the service has
     * @throws ProviderFailureException naming what the catalogue offers when none or several match
     */
    public URI select(String type, String iface, String region) {
        List<Endpoint> matching = matching(type, iface, region);
        if (matching.size() == 1) {
            Endpoint only = matching.get(0);
            if (only.url() == null) {
                throw new ProviderFailureException("the service catalogue's '" + type + "' endpoint for interface " + iface
                        + (only.region() == null ? "" : " in region " + InvalidConfigurationException.printable(only.region())) + " is '" + OpenStackErrors.shown(only.written())
                        + "', which is no URL" + (only.written().contains("_") ? " (Java takes no host name holding '_')" : "") + "; expected an http or https URL such as https://compute.example:8774/v2.1 (the cloud's "
                        + "administrator fixes it with openstack endpoint set --url)");
            }
            return only.url();
        }
        TreeSet<String> offered = new TreeSet<>();
        for (Endpoint e : endpoints) {
            if (e.type().equals(type)) {
                // the interface and region are the catalogue's text, like its URLs
                offered.add(InvalidConfigurationException.printable(e.iface() + " in " + (e.region() == null ? "no region" : e.region())));
            }
        }
        String where = " for interface " + iface + (region == null ? "" : " in region " + region);
        if (matching.isEmpty()) {
            throw new ProviderFailureException("the service catalogue has no '" + type + "' endpoint" + where + "; "
                    + (offered.isEmpty() ? "it lists no '" + type + "' service at all" : "it offers " + String.join(", ", offered))
                    + "; check the interface and region settings");
        }
        throw new ProviderFailureException("the service catalogue has " + matching.size() + " '" + type + "' endpoints" + where + " ("
                + String.join(", ", offered) + "); set the region to choose one");
    }
}
