package dev.strata.provider.openstack.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An image named in a contract or the configuration, looked up in Glance with admin credentials:
 * a local endpoint stands where Glance v2 would, answering the listing as Glance answers an admin
 * (every project's images, each with its {@code visibility} and {@code owner}) and the members of
 * shared images. The calling project is {@code admin} ({@link StaticSession}'s token).
 */
class GlanceClientTest {

    static final String OWN = "11111111-1111-4111-8111-111111111111";
    static final String PUBLIC = "22222222-2222-4222-8222-222222222222";
    static final String FOREIGN_PRIVATE = "33333333-3333-4333-8333-333333333333";
    static final String SHARED_ACCEPTED = "44444444-4444-4444-8444-444444444444";
    static final String SHARED_NOT_WITH_US = "55555555-5555-4555-8555-555555555555";

    /** The most images the stand-in answers in one page. */
    static final int MOST_PER_PAGE = 25;

    /** Whether the stand-in ignores the marker, as a proxy that drops it: every page is the first. */
    volatile boolean dropMarker;
    HttpServer endpoint;
    /** The listing Glance answers, by image name: the images' JSON. */
    final Map<String, List<String>> listing = new ConcurrentHashMap<>();
    /** Image members: image id to the calling project's member status (absent: 404). */
    final Map<String, String> members = new ConcurrentHashMap<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    GlanceClient glance;

    static String image(String id, String visibility, String owner) {
        return "{\"id\": \"" + id + "\", \"status\": \"active\", \"visibility\": \"" + visibility + "\", \"owner\": \"" + owner + "\"}";
    }

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/", this::handle);
        endpoint.setExecutor(Executors.newFixedThreadPool(2));
        endpoint.start();
        URI image = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/");
        glance = new GlanceClient(new StaticSession(new OpenStackHttp(Duration.ofSeconds(1), Duration.ofMillis(700)), Map.of("image", image),
                "admin"));
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
    }

    static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(10));
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        URI uri = exchange.getRequestURI();
        paths.add(uri.getPath());
        int status = 200;
        String body;
        if (uri.getPath().equals("/v2/images")) {
            Map<String, String> query = new java.util.HashMap<>();
            for (String p : uri.getRawQuery().split("&")) {
                query.put(p.substring(0, p.indexOf('=')), java.net.URLDecoder.decode(p.substring(p.indexOf('=') + 1), StandardCharsets.UTF_8));
            }
            // pages of at most MOST_PER_PAGE images, as a Glance whose api_limit_max is that, after the marker's image
            List<String> images = listing.getOrDefault(query.get("name"), List.of());
            int from = 0;
            if (query.containsKey("marker") && !dropMarker) {
                from = images.size();
                for (int k = 0; k < images.size(); k++) {
                    if (images.get(k).contains("\"" + query.get("marker") + "\"")) {
                        from = k + 1;
                    }
                }
            }
            int to = Math.min(images.size(), from + Math.min(MOST_PER_PAGE, Integer.parseInt(query.getOrDefault("limit", "25"))));
            body = "{\"images\": [" + String.join(", ", images.subList(from, to)) + "]" + (to < images.size() ? ", \"next\": \"/v2/images?"
                    + "marker=" + images.get(to - 1).replaceAll(".*\"id\": \"([^\"]+)\".*", "$1") + "\"" : "") + "}";
        } else if (uri.getPath().matches("/v2/images/[^/]+/members/admin")) {
            String id = uri.getPath().split("/")[3];
            String memberStatus = members.get(id);
            status = memberStatus == null ? 404 : 200;
            body = memberStatus == null ? "{\"message\": \"not a member\"}" : "{\"member_id\": \"admin\", \"image_id\": \"" + id
                    + "\", \"status\": \"" + memberStatus + "\"}";
        } else {
            status = 404;
            body = "{}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Another project's private image of the name is not the member's image: Glance lists it to an
     * admin, but the project may not use it. Before, it was taken (the only one of the name) or
     * counted among several; now the project's own, a public one and one shared with it and
     * accepted are found, and one shared with others only, or not yet accepted, is not.
     */
    @Test
    void aNameMatchesOnlyImagesTheProjectMayUse() {
        listing.put("ubuntu", List.of(image(FOREIGN_PRIVATE, "private", "other-project")));
        assertThatThrownBy(() -> glance.imageId("ubuntu", context())).isInstanceOf(NotFoundException.class)
                .hasMessage("Glance has no active image named 'ubuntu' that project admin may use; set image to an existing name or id");

        listing.put("own", List.of(image(FOREIGN_PRIVATE, "private", "other-project"), image(OWN, "private", "admin")));
        assertThat(glance.imageId("own", context())).isEqualTo(OWN);
        listing.put("public", List.of(image(FOREIGN_PRIVATE, "private", "other-project"), image(PUBLIC, "public", "other-project")));
        assertThat(glance.imageId("public", context())).isEqualTo(PUBLIC);
        // a community image (Glance 2.5 on) is any project's to use, as a public one is, without being listed to all
        listing.put("community", List.of(image(FOREIGN_PRIVATE, "private", "other-project"), image(PUBLIC, "community", "other-project")));
        assertThat(glance.imageId("community", context())).isEqualTo(PUBLIC);
        listing.put("shared", List.of(image(SHARED_NOT_WITH_US, "shared", "other-project"), image(SHARED_ACCEPTED, "shared", "other-project")));
        members.put(SHARED_ACCEPTED, "accepted");
        assertThat(glance.imageId("shared", context())).isEqualTo(SHARED_ACCEPTED);
        members.put(SHARED_ACCEPTED, "pending");
        assertThatThrownBy(() -> glance.imageId("shared", context())).isInstanceOf(NotFoundException.class);
        assertThat(paths).contains("/v2/images/" + SHARED_NOT_WITH_US + "/members/admin");

        listing.put("two", List.of(image(OWN, "private", "admin"), image(PUBLIC, "public", "other-project"),
                image(FOREIGN_PRIVATE, "private", "other-project")));
        assertThatThrownBy(() -> glance.imageId("two", context())).isInstanceOf(ProviderFailureException.class)
                .hasMessage("Glance has 2 active images named 'two' that project admin may use ([" + OWN + ", " + PUBLIC + "]); set image "
                        + "to one id");
    }

    /**
     * Glance answers in pages: with admin credentials a name common to many projects' private
     * images fills the first pages with theirs, and the project's own is on a later one. It is
     * found there, and two usable images on different pages are several, not the first alone.
     */
    @Test
    void theProjectsImageOnALaterPageIsFoundAndCounted() {
        List<String> many = new java.util.ArrayList<>();
        for (int k = 0; k < 60; k++) {
            many.add(image(String.format("66666666-6666-4666-8666-%012d", k), "private", "project-" + k));
        }
        many.add(image(OWN, "private", "admin"));
        listing.put("ubuntu", many);
        assertThat(glance.imageId("ubuntu", context())).isEqualTo(OWN);

        List<String> two = new java.util.ArrayList<>(many);
        two.add(0, image(PUBLIC, "public", "other-project"));
        listing.put("ubuntu", two);
        assertThatThrownBy(() -> glance.imageId("ubuntu", context())).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("Glance has 2 active images named 'ubuntu' that project admin may use");

        // pages that lead back to the first (a marker dropped on the way) are Glance's malformed answer, not read for ever
        dropMarker = true;
        assertThatThrownBy(() -> glance.imageId("ubuntu", context())).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("with a page of images with a next link that ends at image 66666666-6666-4666-8666-000000000023 "
                        + "again, where a page before it ended; expected each page to go on past the one before");
    }

    /** The name comes from a contract: its control and bidi characters are shown escaped, not sent to the log and the shell. */
    @Test
    void anImageNameIsShownEscaped() {
        assertThatThrownBy(() -> glance.imageId("ubuntu\u001b[2J\u202e", context())).isInstanceOf(NotFoundException.class)
                .hasMessage("Glance has no active image named 'ubuntu\\u001b[2J\\u202e' that project admin may use; set image to an existing "
                        + "name or id");
    }
}
