package dev.strata.provider.openstack.compute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.http.ApiRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The Glance image API, for turning an image name into its id. */
public final class GlanceClient {

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Session session;

    public GlanceClient(Session session) {
        this.session = session;
    }

    /**
     * The id of an image given by id or by name.
     *
     * @throws NotFoundException when no active image has that name
     * @throws ProviderFailureException when several do
     */
    public String imageId(String image, DiscoveryContext context) {
        if (UUID.matcher(image).matches()) {
            return image;
        }
        String base = session.endpoint("image", context).toString().replaceAll("/+$", "");
        if (!base.endsWith("/v2")) {
            base = base + "/v2";
        }
        JsonNode body = session.send(ApiRequest.get("Glance", URI.create(base + "/images?status=active&name=" + NovaClient.enc(image))), context)
                .body();
        List<String> ids = new ArrayList<>();
        body.path("images").forEach(i -> ids.add(i.path("id").asText()));
        if (ids.isEmpty()) {
            throw new NotFoundException("Glance has no active image named '" + image + "'; set image to an existing name or id");
        }
        if (ids.size() > 1) {
            throw new ProviderFailureException("Glance has " + ids.size() + " active images named '" + image + "' (" + ids
                    + "); set image to one id");
        }
        return ids.get(0);
    }
}
