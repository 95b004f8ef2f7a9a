package dev.strata.provider.openstack.compute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import dev.strata.provider.openstack.http.OpenStackErrors;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The Glance image API, for turning an image name into its id. */
public final class GlanceClient {

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The images asked for per page (Glance's default is 25, its usual most 1000). */
    static final int PAGE = 200;

    private final Session session;

    public GlanceClient(Session session) {
        this.session = session;
    }

    /**
     * The id of an image given by id or by name. A name is looked up among the active images the
     * configured project may use, as Glance lists them to a user of the project: public and community ones, the
     * project's own, and those another project shared with it that it accepted. Glance lists every
     * project's images to an admin, so with admin credentials a name also matched another
     * project's private image (taken as the member's image, or counted among "several"); such
     * images are left out now. The name is shown escaped in messages, as it comes from a contract.
     *
     * @throws NotFoundException when no active image the project may use has that name
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
        String project = session.projectId(context);
        List<String> ids = new ArrayList<>();
        Set<String> markers = new HashSet<>();
        String marker = null;
        while (true) {
            // Glance answers in pages (25 images by default): with admin credentials a name common to many projects' images
            // fills pages with images of other projects, and the project's own may be on a later one
            URI page = URI.create(base + "/images?status=active&name=" + NovaClient.enc(image) + "&limit=" + PAGE
                    + (marker == null ? "" : "&marker=" + NovaClient.enc(marker)));
            JsonNode body = session.send(ApiRequest.get("Glance", page), context).body();
            String last = null;
            for (JsonNode i : body.path("images")) {
                if (usable(base, i, project, context)) {
                    ids.add(InvalidConfigurationException.printable(i.path("id").asText()));
                }
                last = i.path("id").asText(null);
            }
            if (!body.hasNonNull("next") || body.path("images").isEmpty()) {
                break;
            }
            if (last == null || !markers.add(last)) {
                throw OpenStackErrors.forMalformed(ApiRequest.get("Glance", page), "a page of images with a next link that "
                        + (last == null ? "ends at an image without an id" : "ends at image " + InvalidConfigurationException.printable(last)
                        + " again, where a page before it ended") + "; expected each page to go on past the one before");
            }
            context.checkDeadline("reading the next page of Glance's images");
            marker = last;
        }
        String shown = InvalidConfigurationException.printable(image);
        if (ids.isEmpty()) {
            throw new NotFoundException("Glance has no active image named '" + shown + "' that project " + project + " may use; set "
                    + "image to an existing name or id");
        }
        if (ids.size() > 1) {
            throw new ProviderFailureException("Glance has " + ids.size() + " active images named '" + shown + "' that project " + project
                    + " may use (" + ids + "); set image to one id");
        }
        return ids.get(0);
    }

    /**
     * Whether the project may use a listed image: public or community (any project's to use), its own, or shared with it by another
     * project and accepted ({@code GET /v2/images/{id}/members/{project}}: 404 when it is no member).
     */
    private boolean usable(String base, JsonNode i, String project, DiscoveryContext context) {
        String visibility = i.path("visibility").asText("");
        if (visibility.equals("public") || visibility.equals("community") || project.equals(i.path("owner").asText(null))) {
            return true;
        }
        if (!visibility.equals("shared")) {
            return false;
        }
        ApiResponse member = session.send(ApiRequest.get("Glance", URI.create(base + "/images/" + NovaClient.enc(i.path("id").asText())
                + "/members/" + NovaClient.enc(project))).accepting(404), context);
        return member.status() != 404 && member.body().path("status").asText("").equals("accepted");
    }
}
