package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery against a local HTTP endpoint standing in for Placement, for answers a real Placement
 * does not give (it validates what it stores): one resource provider whose inventory is
 * malformed. The real Placement's answers are in {@code PlacementDiscoveryTest}.
 */
class PlacementAnswersTest {

    @TempDir
    Path dir;
    HttpServer endpoint;
    ExecutorService threads;
    final String uuid = UUID.randomUUID().toString();
    volatile String inventory;
    volatile String usages = "{}";
    volatile String allocations = "{}";
    /** A second resource provider listed, or null: with two, discovery reads them on the provider's threads. */
    volatile String second;
    /** The reads of a resource provider whose answers leave out its generation ("usages", or "all" five). */
    volatile String withoutGeneration = "";
    /** The field of the first resource provider that its listing gives as a malformed answer would: {@code uuid} or {@code generation}. */
    volatile String listedWithout = "";
    /** The first resource provider's name as JSON: a name with control or bidi characters in JSON's escapes. */
    volatile String nameJson = "\"cn-1\"";
    /** The first resource provider's uuid as JSON in the listing, or null for {@link #uuid}. */
    volatile String listedUuidJson;
    /** The resource_provider_generation, as JSON, that the first resource provider's five reads answer with. */
    volatile String generationJson = "1";
    /** The first resource provider's parent_provider_uuid as JSON in the listing. */
    volatile String listedParentJson = "null";
    /** The first resource provider's root_provider_uuid as JSON in the listing, or null for {@link #uuid}. */
    volatile String listedRootJson;
    /** The first resource provider's traits as JSON. */
    volatile String traitsJson = "[]";
    /** The first resource provider's aggregates as JSON. */
    volatile String aggregatesJson = "[]";
    /** The answer to GET /allocation_candidates, or null for a 404. */
    volatile String candidates;
    /** Runs as Placement is asked for its resource providers, before it answers. */
    volatile Runnable onListing = () -> { };

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/", this::handle);
        threads = Executors.newFixedThreadPool(2);
        endpoint.setExecutor(threads);
        endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String at = "/placement/resource_providers/" + uuid;
        String body;
        if (path.equals("/placement/")) {
            body = "{\"versions\": [{\"id\": \"v1.0\", \"max_version\": \"1.39\", \"min_version\": \"1.0\", \"status\": \"CURRENT\"}]}";
        } else if (path.equals("/placement/resource_providers")) {
            onListing.run();
            body = "{\"resource_providers\": [{" + (listedWithout.equals("uuid") ? "" : "\"uuid\": " + (listedUuidJson == null ? "\"" + uuid + "\"" : listedUuidJson) + ", ")
                    + "\"name\": " + nameJson + ", " + (listedWithout.equals("generation") ? "" : "\"generation\": 1, ")
                    + "\"parent_provider_uuid\": " + listedParentJson + ", \"root_provider_uuid\": "
                    + (listedRootJson == null ? "\"" + uuid + "\"" : listedRootJson) + "}"
                    + (second == null ? "" : ", {\"uuid\": \"" + second + "\", \"name\": \"cn-2\", \"generation\": 1, "
                            + "\"parent_provider_uuid\": null, \"root_provider_uuid\": \"" + second + "\"}") + "]}";
        } else if (path.equals("/placement/allocation_candidates")) {
            body = candidates;
        } else if (path.equals(at)) {
            body = "{\"uuid\": \"" + uuid + "\", \"name\": " + nameJson + ", " + (withoutGeneration.equals("provider") ? "" : "\"generation\": 1, ")
                    + "\"parent_provider_uuid\": null, \"root_provider_uuid\": \"" + uuid + "\"}";
        } else if (path.equals(at + "/inventories")) {
            body = "{" + generation("inventories") + "\"inventories\": {\"VCPU\": " + inventory + "}}";
        } else if (path.equals(at + "/usages")) {
            body = "{" + generation("usages") + "\"usages\": " + usages + "}";
        } else if (path.equals(at + "/traits")) {
            body = "{" + generation("traits") + "\"traits\": " + traitsJson + "}";
        } else if (path.equals(at + "/aggregates")) {
            body = "{" + generation("aggregates") + "\"aggregates\": " + aggregatesJson + "}";
        } else if (path.equals(at + "/allocations")) {
            body = "{" + generation("allocations") + "\"allocations\": " + allocations + "}";
        } else {
            body = null;
        }
        byte[] out = (body == null ? "{\"errors\": [{\"status\": 404, \"title\": \"Not Found\"}]}" : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(body == null ? 404 : 200, out.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
        }
        exchange.close();
    }

    private String generation(String call) {
        return withoutGeneration.equals("all") || withoutGeneration.equals(call) ? ""
                : "\"resource_provider_generation\": " + generationJson + ", ";
    }

    /**
     * Answers that leave out the resource provider's generation are Placement's malformed answer,
     * named. Before, the generation was read as 0: five answers without it passed the check that
     * they are all of one generation without checking anything (the provider read), and one without
     * it was read again and again as if the provider kept changing.
     */
    @ParameterizedTest
    @CsvSource({"all, inventories", "usages, usages"})
    void answersWithoutTheProvidersGenerationAreAMalformedAnswer(String without, String named) {
        inventory = "{\"total\": 8}";
        withoutGeneration = without;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/" + named + " with " + named + " of "
                            + "resource provider cn-1 (" + uuid + ") whose resource_provider_generation is missing; expected the "
                            + "provider's generation, a whole number");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A resource provider listed without its uuid or its generation is Placement's malformed
     * answer, named with the field, in discovery and in the read of one host's tree before a
     * create. Before, one without its generation was taken to be at generation 0 and read on
     * (so it could be taken for unchanged where it was last read at 0), and one without
     * its uuid was read at {@code /resource_providers//inventories}, a 404 that named nothing.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "uuid|resource provider cn-1 whose uuid is missing; expected the provider's UUID",
        "generation|resource provider cn-1 ({uuid}) whose generation is missing; expected the provider's generation, a whole number"})
    void aResourceProviderListedWithoutItsUuidOrGenerationIsPlacementsMalformedAnswer(String without, String problem) {
        inventory = "{\"total\": 8}";
        listedWithout = without;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers with " + problem.replace("{uuid}", uuid));
            assertThatThrownBy(() -> provider.placement().readTree(uuid, TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers?in_tree=" + uuid + " with " + problem.replace("{uuid}", uuid));
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A resource class is Placement's text: an inventory of a class that no provider has names the
     * class printable in what it says is wrong, as the rest of the message does. Before, that part
     * quoted the class as Placement gave it, an escape sequence or a line break in it included.
     */
    @Test
    void aMalformedInventoryNamesItsResourceClassPrintable() {
        inventory = "{\"total\": 8}, \"CUSTOM_X\\u001b[2J\\n\": {\"total\": 8, \"min_unit\": 0, \"max_unit\": 8}";
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("that no provider has (inventory CUSTOM_X\\u001b[2J\\u000a is malformed: total 8")
                    .message().doesNotContain("\u001b").doesNotContain("\n");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * An inventory whose figures are not what Placement stores (a text, none, a fraction, a
     * min_unit of 0) is Placement's malformed answer, naming the provider, the class, the field and
     * what was expected. Before, a text or a missing total was read as 0 (the host a node without
     * CPUs, and a ratio in quotes was taken), and a min_unit of 0 left discovery as a bare
     * IllegalArgumentException.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"total\": \"many\", \"reserved\": 0}|whose total is \"many\"; expected a whole number",
        "{\"reserved\": 0, \"max_unit\": 8}|whose total is missing; expected a whole number",
        "{\"total\": 8.5}|whose total is 8.5; expected a whole number",
        "{\"total\": 8, \"allocation_ratio\": \"16\"}|whose allocation_ratio is \"16\"; expected a number",
        "{\"total\": 8, \"min_unit\": 0, \"max_unit\": 8}|that no provider has (inventory VCPU is malformed: total 8, reserved 0, min_unit 0, "
                + "max_unit 8, step_size 1, allocation_ratio 1.0); expected total and reserved of 0 or more, min_unit, max_unit and "
                + "step_size of 1 or more, allocation_ratio above 0"})
    void aMalformedInventoryIsPlacementsMalformedAnswerNamingTheProviderAndTheField(String json, String problem) {
        inventory = json;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/inventories with an inventory VCPU of "
                            + "resource provider cn-1 (" + uuid + ") " + problem);
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A usage or an allocated amount that is not a whole number of 0 or more (null, a text, a
     * fraction, a negative) is Placement's malformed answer, naming the provider, the class and what
     * was expected. Before, it was read as 0 (or cut to a whole number): the host's 8 VCPU all in
     * use were reported free, a node a member would be placed on and refused by Nova.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"VCPU\": null}|{}|usages|whose VCPU is null",
        "{\"VCPU\": \"all\"}|{}|usages|whose VCPU is \"all\"",
        "{\"VCPU\": 7.5}|{}|usages|whose VCPU is 7.5",
        "{\"VCPU\": -8}|{}|usages|whose VCPU is -8",
        "{\"VCPU\": 8}|{\"c-1\": {\"resources\": {\"VCPU\": null}}}|allocations|whose consumer c-1's VCPU is null"})
    void aMalformedUsageOrAllocationIsPlacementsMalformedAnswerNotZero(String used, String allocated, String call, String problem) {
        inventory = "{\"total\": 8}";
        usages = used;
        allocations = allocated;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/" + call + " with " + call + " of "
                            + "resource provider cn-1 (" + uuid + ") " + problem + "; expected a whole number of 0 or more");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * The name of a resource provider goes into Placement's malformed answers printable: a control,
     * line-breaking or bidi character in it is shown escaped, as the provider shows Nova's flavor
     * names. Before, it went into the message (and the log) as Placement gave it.
     */
    @Test
    void aResourceProvidersNameIsShownPrintableInPlacementsMalformedAnswer() {
        nameJson = "\"cn\\u001b[2J\\n\\u202e-1\"";
        inventory = "{\"total\": \"many\"}";
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/inventories with an inventory VCPU of "
                            + "resource provider cn\\u001b[2J\\u000a\\u202e-1 (" + uuid + ") whose total is \"many\"; expected a whole number");
            inventory = "{\"total\": 8}";
            withoutGeneration = "usages";
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/usages with usages of resource provider "
                            + "cn\\u001b[2J\\u000a\\u202e-1 (" + uuid + ") whose resource_provider_generation is missing; expected the "
                            + "provider's generation, a whole number");
            withoutGeneration = "";
            usages = "{\"VCPU\": \"x\"}";
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessageStartingWith("Placement answered GET /placement/resource_providers/" + uuid + "/usages with usages of "
                            + "resource provider cn\\u001b[2J\\u000a\\u202e-1 (" + uuid + ") whose VCPU");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * The resource classes and consumers of a provider's usages and allocations go into Placement's
     * malformed answers printable, as the provider's name does. Before, they went into the message
     * (and the log) as Placement gave them, so a control, line-breaking or bidi character in one
     * forged or rewrote a log line.
     */
    @Test
    void theClassesAndConsumersOfAMalformedUsageOrAllocationAreShownPrintable() {
        inventory = "{\"total\": 8}";
        usages = "{\"VCPU\\u001b[2J\\n\": \"x\"}";
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/usages with usages of resource provider "
                            + "cn-1 (" + uuid + ") whose VCPU\\u001b[2J\\u000a is \"x\"; expected a whole number of 0 or more");
            usages = "{\"VCPU\": 8}";
            allocations = "{\"c\\u001b]0;x\\u0007-1\": {\"resources\": {\"VCPU\\u202e\": null}}}";
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/allocations with allocations of resource "
                            + "provider cn-1 (" + uuid + ") whose consumer c\\u001b]0;x\\u0007-1's VCPU\\u202e is null; expected a whole "
                            + "number of 0 or more");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A value Placement answers that is not what it stores (a generation, an inventory's total or
     * allocation_ratio, a usage) is shown printable in Placement's malformed answer: a direction
     * override (U+202E) or a line separator in a text is shown escaped, as the provider's name is.
     * Before, it was shown as its JSON, which escapes a control character but not those, so they
     * reached the message and the log as Placement gave them.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"1\\u202e\"|{\"total\": 8}|{}|inventories|inventories of resource provider cn-1 ({uuid}) whose "
                + "resource_provider_generation is \"1\\u202e\"; expected the provider's generation, a whole number",
        "1|{\"total\": \"8\\u202e\\u2028\"}|{}|inventories|an inventory VCPU of resource provider cn-1 ({uuid}) whose total is "
                + "\"8\\u202e\\u2028\"; expected a whole number",
        "1|{\"total\": 8, \"allocation_ratio\": \"16\\u202e\"}|{}|inventories|an inventory VCPU of resource provider cn-1 ({uuid}) "
                + "whose allocation_ratio is \"16\\u202e\"; expected a number",
        "1|{\"total\": 8}|{\"VCPU\": \"all\\u202e\"}|usages|usages of resource provider cn-1 ({uuid}) whose VCPU is "
                + "\"all\\u202e\"; expected a whole number of 0 or more"})
    void aValuePlacementAnswersIsShownPrintableInItsMalformedAnswer(String generation, String json, String used, String call,
            String problem) {
        generationJson = generation;
        inventory = json;
        usages = used;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers/" + uuid + "/" + call + " with "
                            + problem.replace("{uuid}", uuid));
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A resource provider listed with a uuid that is not a UUID (a space, a control or bidi
     * character, a brace) is Placement's malformed answer, naming the call and the uuid shown
     * printable, in discovery and in the read of one host's tree; a root that is not a UUID is
     * refused before it goes into the tree's URL. Before, the uuid went into the URL of the
     * provider's reads unencoded, which failed as a bare IllegalArgumentException showing it raw.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"cn 1\"|\"cn 1\"",
        "\"rp-{1}\\u0007\"|\"rp-{1}\\u0007\"",
        "\"rp\\u202e-1\"|\"rp\\u202e-1\""})
    void aResourceProviderListedWithAUuidThatIsNotAUuidIsPlacementsMalformedAnswer(String json, String shown) {
        inventory = "{\"total\": 8}";
        listedUuidJson = json;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        String problem = " with resource provider cn-1 whose uuid is " + shown + "; expected the provider's UUID";
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers" + problem);
            assertThatThrownBy(() -> provider.placement().readTree(uuid, TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers?in_tree=" + uuid + problem);
            assertThatThrownBy(() -> provider.placement().readTree("cn 1{\u001b[2J", TestClouds.context()))
                    .isInstanceOf(ProviderFailureException.class).hasMessage("Placement's resource provider tree rooted at "
                            + "'cn 1{\\u001b[2J' is not read: expected the root provider's UUID (Nova's hypervisor id for a compute node)");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A resource provider listed with a parent_provider_uuid or root_provider_uuid that is not a
     * UUID (nor null, for a parent) is Placement's malformed answer naming the field and the value
     * printable. Before, a malformed parent matched no provider, so the provider was quietly left
     * out of its tree, and a malformed root went on unchecked.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"cn-0\\u202e\"|parent_provider_uuid|\"cn-0\\u202e\"|the parent provider's UUID, or null for a root",
        "7|parent_provider_uuid|7|the parent provider's UUID, or null for a root",
        "|root_provider_uuid|\"rp\\u0007 1\"|the root provider's UUID",
        "|root_provider_uuid|{}|the root provider's UUID"})
    void aResourceProviderListedWithAParentOrRootThatIsNotAUuidIsPlacementsMalformedAnswer(String parent, String field, String json,
            String expected) {
        inventory = "{\"total\": 8}";
        if (parent != null) {
            listedParentJson = json;
        } else {
            listedRootJson = json;
        }
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_providers with resource provider cn-1 (" + uuid + ") whose "
                            + field + " is " + json + "; expected " + expected);
        } finally {
            provider.deactivate();
        }
    }

    /**
     * An allocation candidate whose provider's summary has a root_provider_uuid that is missing or
     * not a UUID is Placement's malformed answer, named printable. Before, a missing root was taken
     * to be the provider itself (a child taken for a tree's root) and one of another kind read as
     * its text, unchecked.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"root_provider_uuid\": \"cn\\u202e-1\"|\"cn\\u202e-1\"",
        "\"root_provider_uuid\": 5|5",
        "\"parent_provider_uuid\": null|missing"})
    void anAllocationCandidateWhoseRootIsNotAUuidIsPlacementsMalformedAnswer(String summary, String shown) {
        String child = UUID.randomUUID().toString();
        candidates = "{\"allocation_requests\": [{\"allocations\": {\"" + child + "\": {\"resources\": {\"VCPU\": 1}}}}], "
                + "\"provider_summaries\": {\"" + child + "\": {" + summary + ", \"resources\": {}}}}";
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            dev.strata.provider.openstack.placement.ResourceRequest request = dev.strata.provider.openstack.placement.ResourceRequest.of(
                    java.util.Map.of("VCPU", 1L));
            assertThatThrownBy(() -> provider.placement().candidateRoots(request, TestClouds.context()))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageEndingWith(" with the summary of resource provider " + child + " whose root_provider_uuid is " + shown
                            + "; expected the root provider's UUID");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A read of resource providers on the provider's threads that fails with an exception of no
     * Strata kind (a library's, quoting what it was given) is refused with that exception's text
     * shown printable. Before, its line break and direction override reached the message as they were.
     */
    @Test
    void aReadFailingWithAnotherExceptionShowsItsTextPrintable() {
        inventory = "{\"total\": 8}";
        second = UUID.randomUUID().toString();
        dev.strata.provider.openstack.auth.StaticSession real = new dev.strata.provider.openstack.auth.StaticSession(
                new dev.strata.provider.openstack.http.OpenStackHttp(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(30)),
                java.util.Map.of("placement", URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/placement")), "admin");
        dev.strata.provider.openstack.auth.Session failing = new dev.strata.provider.openstack.auth.Session() {
            @Override
            public URI endpoint(String serviceType, DiscoveryContext context) {
                return real.endpoint(serviceType, context);
            }

            @Override
            public boolean offers(String serviceType, DiscoveryContext context) {
                return real.offers(serviceType, context);
            }

            @Override
            public dev.strata.provider.openstack.http.ApiResponse send(dev.strata.provider.openstack.http.ApiRequest request,
                    DiscoveryContext context) {
                if (request.uri().getPath().endsWith("/inventories")) {
                    throw new IllegalStateException("unexpected answer 'x\nINFO forged\u202e'");
                }
                return real.send(request, context);
            }

            @Override
            public String projectId(DiscoveryContext context) {
                return real.projectId(context);
            }

            @Override
            public String describe() {
                return real.describe();
            }
        };
        dev.strata.provider.openstack.placement.PlacementClient placement = new dev.strata.provider.openstack.placement.PlacementClient(
                failing, new com.fasterxml.jackson.databind.ObjectMapper());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            assertThatThrownBy(() -> placement.readAll(TestClouds.context(), pool)).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("reading resource providers failed: java.lang.IllegalStateException: unexpected answer "
                            + "'x\\u000aINFO forged\\u202e'");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A resource provider whose traits or aggregates Placement lists with one that is not a text
     * (a number, an object; an aggregate that is no UUID) or not as a list, or whose name is not a
     * text, is Placement's malformed answer, naming the provider, the call and the value printable.
     * Before, each was read with asText(): a number became its digits, an object an empty trait or
     * the name "", and an object in place of the list gave its values.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "traits|[\"HW_CPU_X86_AVX2\", 7]|/traits|traits OF holding 7; expected trait names, each a text",
        "traits|[{}]|/traits|traits OF holding {}; expected trait names, each a text",
        "traits|{\"a\": \"CUSTOM_A\"}|/traits|traits OF given as {\"a\":\"CUSTOM_A\"}; expected a list of trait names, each a text",
        "aggregates|[\"agg\\u001b[2J\"]|/aggregates|aggregates OF holding \"agg\\u001B[2J\"; expected aggregate UUIDs",
        "aggregates|[12]|/aggregates|aggregates OF holding 12; expected aggregate UUIDs",
        "name|{}|s|resource provider without a name (RPID) whose name is {}; expected the provider's name, a text",
        "name|42|s|resource provider without a name (RPID) whose name is 42; expected the provider's name, a text"})
    void traitsAggregatesOrANameThatAreNotTextArePlacementsMalformedAnswer(String field, String json, String call, String expected) {
        inventory = "{\"total\": 8}";
        switch (field) {
            case "traits" -> traitsJson = json;
            case "aggregates" -> aggregatesJson = json;
            default -> nameJson = json;
        }
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        try {
            assertThatThrownBy(() -> provider.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered GET /placement/resource_provider" + (call.equals("s") ? "s" : "s/" + uuid + call) + " with "
                            + expected.replace("OF", "of resource provider cn-1 (" + uuid + ")").replace("RPID", uuid));
        } finally {
            provider.deactivate();
        }
    }

    /**
     * A read of a provider's generation, or a write of its inventories, traits or aggregates, that
     * Placement answers without the generation is Placement's malformed answer, named with the
     * provider and the field. Before, the missing generation was read as 0, and the next write at
     * generation 0 failed with a 409 that did not say why.
     */
    @ParameterizedTest
    @CsvSource({"provider, GET, '', generation", "inventories, PUT, /inventories, resource_provider_generation",
        "traits, PUT, /traits, resource_provider_generation", "aggregates, PUT, /aggregates, resource_provider_generation"})
    void aGenerationPlacementAnswersWithoutIsPlacementsMalformedAnswerNotZero(String without, String method, String call, String field) {
        inventory = "{\"total\": 8}";
        withoutGeneration = without;
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 1);
        DiscoveryContext c = TestClouds.context();
        try {
            org.junit.jupiter.api.function.Executable write = switch (without) {
                case "provider" -> () -> provider.placement().generation(uuid, c);
                case "inventories" -> () -> provider.placement().putInventories(uuid, 1,
                        java.util.Map.of("VCPU", dev.strata.provider.openstack.placement.Inventory.of("VCPU", 8)), c);
                case "traits" -> () -> provider.placement().putTraits(uuid, 1, java.util.Set.of("CUSTOM_A"), c);
                default -> () -> provider.placement().putAggregates(uuid, 1, java.util.Set.of(UUID.randomUUID().toString()), c);
            };
            assertThatThrownBy(write::execute).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("Placement answered " + method + " /placement/resource_providers/" + uuid + call + " with resource provider "
                            + uuid + " whose " + field + " is missing; expected the provider's generation, a whole number");
        } finally {
            provider.deactivate();
        }
    }

    /**
     * The provider is deactivated (its bundle stopped or updated) while a discovery is under way:
     * after it listed the resource providers, before it handed their reads to its threads, which
     * deactivation stopped. The discovery fails retryable, saying so. Before, the threads' refusal
     * came out as a bare RejectedExecutionException, which no caller of the SPI expects.
     */
    @Test
    void aDiscoveryThatADeactivationOvertakesFailsRetryableNamingIt() {
        inventory = "{\"total\": 8}";
        second = UUID.randomUUID().toString();
        OpenStackCloudProvider provider = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()
                + "/placement"), dir, 2);
        onListing = provider::deactivate;
        DiscoveryContext context = TestClouds.context();

        assertThatThrownBy(() -> provider.discoverCompute(context)).isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("the threads that read resource providers were stopped (the provider was deactivated) before 2 resource "
                        + "providers were read; the discovery is to be repeated (operation " + context.operationId() + ")");
    }
}
