package dev.strata.provider.openstack.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.ProviderFailureException;
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
     * @param url the URL
     */
    public record Endpoint(String type, String iface, String region, URI url) {
        public Endpoint {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(iface, "iface");
            Objects.requireNonNull(url, "url");
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
                all.add(new Endpoint(type, e.path("interface").asText("public"), region, URI.create(url)));
            }
        }
        return new ServiceCatalog(all);
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Whether the catalogue lists the service type at all. */
    public boolean has(String type) {
        return endpoints.stream().anyMatch(e -> e.type().equals(type));
    }

    /**
     * The endpoint of a service type for an interface and region.
     *
     * @param region the region, or null for the only one the service has
     * @throws ProviderFailureException naming what the catalogue offers when none or several match
     */
    public URI select(String type, String iface, String region) {
        List<Endpoint> matching = endpoints.stream()
                .filter(e -> e.type().equals(type) && e.iface().equals(iface) && (region == null || region.equals(e.region())))
                .toList();
        if (matching.size() == 1) {
            return matching.get(0).url();
        }
        TreeSet<String> offered = new TreeSet<>();
        for (Endpoint e : endpoints) {
            if (e.type().equals(type)) {
                offered.add(e.iface() + " in " + (e.region() == null ? "no region" : e.region()));
            }
        }
        String want = "'" + type + "' endpoint for interface " + iface + (region == null ? "" : " in region " + region);
        if (matching.isEmpty()) {
            throw new ProviderFailureException("the service catalogue has no " + want + "; "
                    + (offered.isEmpty() ? "it lists no '" + type + "' service at all" : "it offers " + String.join(", ", offered))
                    + "; check the interface and region settings");
        }
        throw new ProviderFailureException("the service catalogue has " + matching.size() + " " + want + "s (" + offered
                + "); set the region to choose one");
    }
}
