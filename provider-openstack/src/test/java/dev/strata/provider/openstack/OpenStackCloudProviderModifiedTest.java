package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The component's {@code @Modified} path. Declarative Services registers the service with the new
 * configuration's {@code strata.provider.id} whatever the modified method does (Felix SCR logs what
 * it throws and updates the service properties all the same), and the core lists the provider
 * under the id it is registered with. So a refused change that also changed the id must not leave
 * the provider serving its previous settings under its previous id: the core would list the new
 * id with nodes named with the old one. Discovery runs against a local stand-in for Placement
 * with one compute host, {@code cn-1}. Each change is applied through the modified method that the
 * generated descriptor names, as the framework calls it, with the core's
 * {@link ConfigurationRejections} bound as the descriptor binds it, recording what it is told.
 */
class OpenStackCloudProviderModifiedTest {

    /** The PID of the factory configuration's instance, as Config Admin names it in {@code service.pid}. */
    static final String INSTANCE_PID = OpenStackCloudProvider.PID + "~placement-test";

    @TempDir
    Path dir;
    HttpServer endpoint;
    ExecutorService threads;
    final String uuid = UUID.randomUUID().toString();
    final String uuid2 = UUID.randomUUID().toString();
    /** Where set, Placement lists a second host, cn-2, and answers the listing once the test lets it (it counts the latch down). */
    volatile CountDownLatch listingHeld;
    final CountDownLatch listing = new CountDownLatch(1);
    Map<String, Object> config;
    OpenStackCloudProvider provider;
    /** What the provider told the core's ConfigurationRejections of each refused change. */
    final RecordingRejections rejections = new RecordingRejections();

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/", this::handle);
        threads = Executors.newFixedThreadPool(2);
        endpoint.setExecutor(threads);
        endpoint.start();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        // Keystone at a closed port: a configuration that is taken replaces the stand-in session by one that cannot connect
        config = TestClouds.passwordConfig(dir, "http://127.0.0.1:" + closed + "/v3", "unused");
        config.put("strata.provider.id", "placement-test");
        config.put("parallelism", 1);
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(2), Duration.ofSeconds(30));
        URI placement = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/placement");
        provider = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(config)),
                new StaticSession(http, Map.of("placement", placement), "admin"), Clock.systemUTC());
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
    }

    @AfterEach
    void stop() {
        provider.deactivate();
        endpoint.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String at = "/placement/resource_providers/" + (path.contains(uuid2) ? uuid2 : uuid);
        CountDownLatch held = listingHeld;
        String body;
        if (path.equals("/placement/")) {
            body = "{\"versions\": [{\"id\": \"v1.0\", \"max_version\": \"1.39\", \"min_version\": \"1.0\", \"status\": \"CURRENT\"}]}";
        } else if (path.equals("/placement/resource_providers") && held != null) {
            listing.countDown();
            try {
                held.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            body = "{\"resource_providers\": [" + host(uuid, "cn-1") + ", " + host(uuid2, "cn-2") + "]}";
        } else if (path.equals("/placement/resource_providers")) {
            body = "{\"resource_providers\": [" + host(uuid, "cn-1") + "]}";
        } else if (path.equals(at + "/inventories")) {
            body = "{\"resource_provider_generation\": 1, \"inventories\": {\"VCPU\": {\"total\": 8, \"reserved\": 0, \"min_unit\": 1, "
                    + "\"max_unit\": 8, \"step_size\": 1, \"allocation_ratio\": 1.0}}}";
        } else if (path.equals(at + "/usages")) {
            body = "{\"resource_provider_generation\": 1, \"usages\": {}}";
        } else if (path.equals(at + "/traits")) {
            body = "{\"resource_provider_generation\": 1, \"traits\": []}";
        } else if (path.equals(at + "/aggregates")) {
            body = "{\"resource_provider_generation\": 1, \"aggregates\": []}";
        } else if (path.equals(at + "/allocations")) {
            body = "{\"resource_provider_generation\": 1, \"allocations\": {}}";
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

    private static String host(String id, String name) {
        return "{\"uuid\": \"" + id + "\", \"name\": \"" + name + "\", \"generation\": 1, \"parent_provider_uuid\": null, "
                + "\"root_provider_uuid\": \"" + id + "\"}";
    }

    /** Calls the modified method the component's descriptor names with {@link #config}, as Declarative Services would on a configuration change. */
    private void modified() {
        Map<String, Object> properties = new java.util.HashMap<>(config);
        properties.put("service.pid", INSTANCE_PID);
        properties.put("service.factoryPid", OpenStackCloudProvider.PID);
        ComponentDescriptors.modified(provider, TestClouds.config(config), properties);
    }

    private List<String> nodes() {
        return provider.discoverCompute(TestClouds.context()).nodes().stream().map(Node::id).toList();
    }

    /**
     * A refused change that keeps the id leaves the previous settings in force: the cloud is still discovered, under its id.
     * The refusal is recorded in the provenance log through the core's ConfigurationRejections, once, under the PID of the
     * factory configuration's instance that the change's own record names; before, it was only logged, and the log's record
     * of the change ({@code updated}) had an auditor read settings as in force that never took effect.
     */
    @Test
    void aRefusedChangeThatKeepsTheIdKeepsServingThePreviousSettings() throws IOException {
        assertThat(nodes()).containsExactly("placement-test:cn-1");
        config.put("flavorPolicy", "guess");
        modified();
        assertThat(provider.providerId()).isEqualTo("placement-test");
        assertThat(nodes()).containsExactly("placement-test:cn-1");
        String refusal = "dev.strata.provider.openstack: flavorPolicy = 'guess' is invalid; expected match or create";
        assertThat(Files.readString(LogFile.path())).contains("Configuration change rejected, previous settings stay in force: " + refusal);
        assertThat(rejections.told()).containsExactly(INSTANCE_PID + " | " + refusal);
        assertThat(rejections.previousSettingsInForce()).as("said to leave the settings before it in force").containsExactly(true);
    }

    /** A valid change is no refusal: nothing is recorded as rejected. */
    @Test
    void aValidChangeRecordsNoRejection() {
        config.put("parallelism", 2);
        modified();
        assertThat(provider.providerId()).isEqualTo("placement-test");
        assertThat(rejections.told()).isEmpty();
    }

    /**
     * A refused change that also changed the id: the service is registered under the new id, so
     * the provider is known by it and serves nothing, answering every call with the refusal (which
     * the core shows for that id) until a valid configuration replaces it. Before, it went on
     * naming its nodes with the old id under the new registration, and the core left them out.
     */
    @Test
    void aRefusedChangeThatAlsoChangedTheIdServesNothingUnderTheNewIdUntilCorrected() throws IOException {
        assertThat(nodes()).containsExactly("placement-test:cn-1");
        config.put("flavorPolicy", "guess");
        config.put("strata.provider.id", "placement-renamed");
        modified();

        assertThat(provider.providerId()).isEqualTo("placement-renamed");
        String refused = "the configuration of OpenStack cloud placement-renamed was refused, and it serves nothing until the configuration "
                + "is corrected: dev.strata.provider.openstack: flavorPolicy = 'guess' is invalid; expected match or create";
        assertThatThrownBy(this::nodes).isInstanceOf(InvalidConfigurationException.class).hasMessage(refused)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("flavorPolicy"));
        assertThatThrownBy(() -> provider.machines(TestClouds.context())).isInstanceOf(InvalidConfigurationException.class).hasMessage(refused);
        assertThatThrownBy(() -> provider.find("op-1", TestClouds.context())).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage(refused);
        assertThat(Files.readString(LogFile.path())).contains("Configuration change rejected: dev.strata.provider.openstack: flavorPolicy = "
                + "'guess' is invalid; expected match or create; the change also changed strata.provider.id (was placement-test), so the "
                + "cloud is registered as placement-renamed and serves nothing until its configuration is corrected");
        assertThat(rejections.told()).as("the refusal in force under the new id is recorded too").containsExactly(INSTANCE_PID + " | " + refused);
        assertThat(rejections.previousSettingsInForce()).as("recorded as leaving no settings in force").containsExactly(false);

        // another refused change, the id kept: still nothing served, with the latest refusal
        config.put("flavorPolicy", "match");
        config.put("parallelism", 99);
        modified();
        assertThat(provider.providerId()).isEqualTo("placement-renamed");
        assertThatThrownBy(this::nodes).isInstanceOf(InvalidConfigurationException.class).hasMessageEndingWith(
                "dev.strata.provider.openstack: parallelism = '99' is invalid; expected a number from 1 to 32");
        assertThat(rejections.told()).hasSize(2);
        assertThat(rejections.told().get(1)).endsWith("parallelism = '99' is invalid; expected a number from 1 to 32");
        assertThat(rejections.previousSettingsInForce()).containsExactly(false, false);

        // corrected: the cloud is taken (here a Keystone that cannot be reached), under the id it is registered with
        config.put("parallelism", 1);
        modified();
        assertThat(provider.providerId()).isEqualTo("placement-renamed");
        assertThatThrownBy(this::nodes).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("cannot be reached");
        assertThat(rejections.told()).as("the valid change is not recorded as rejected").hasSize(2);
    }

    /**
     * Once a refusal under a changed id is in force, a change that puts the id back to the one the
     * cloud in force serves under serves again: one still refused is an ordinary refusal (that cloud
     * serves on under its id, and the record says its settings stay in force), and a valid one
     * applies. Before, every refused change made while a refusal was in force was taken for one
     * under the changed id, and the provider, registered again under its own id, served nothing there.
     */
    @Test
    void aChangeThatPutsTheIdBackAfterARefusalUnderAChangedIdServesAgain() throws IOException {
        config.put("flavorPolicy", "guess");
        config.put("strata.provider.id", "placement-renamed");
        modified();
        assertThatThrownBy(this::nodes).isInstanceOf(InvalidConfigurationException.class);

        // the id put back, the change still refused: the cloud in force serves on under its id
        config.put("strata.provider.id", "placement-test");
        modified();
        assertThat(provider.providerId()).isEqualTo("placement-test");
        assertThat(nodes()).containsExactly("placement-test:cn-1");
        String refusal = "dev.strata.provider.openstack: flavorPolicy = 'guess' is invalid; expected match or create";
        assertThat(rejections.told()).hasSize(2);
        assertThat(rejections.told().get(1)).isEqualTo(INSTANCE_PID + " | " + refusal);
        assertThat(rejections.previousSettingsInForce()).as("the second refusal leaves the settings before it in force").containsExactly(false, true);
        assertThat(Files.readString(LogFile.path())).contains("Configuration change rejected, previous settings stay in force: " + refusal);

        // refused under the changed id again, then the id put back with valid settings: they apply (here a Keystone that
        // cannot be reached)
        config.put("strata.provider.id", "placement-renamed");
        modified();
        assertThatThrownBy(this::nodes).isInstanceOf(InvalidConfigurationException.class);
        config.put("strata.provider.id", "placement-test");
        config.put("flavorPolicy", "match");
        modified();
        assertThat(provider.providerId()).isEqualTo("placement-test");
        assertThatThrownBy(this::nodes).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("cannot be reached");
        assertThat(rejections.told()).as("the valid change is no refusal").hasSize(3);
    }

    /**
     * An id the provider refuses (upper-case letters, which the core takes) is the id the service
     * is registered with all the same: the provider answers under it with the refusal naming
     * {@code strata.provider.id}, never with nodes of its old id.
     */
    @Test
    void aRefusedIdIsStillTheIdTheProviderAnswersUnder() {
        config.put("strata.provider.id", "Placement-Renamed");
        modified();
        assertThat(provider.providerId()).isEqualTo("Placement-Renamed");
        assertThatThrownBy(this::nodes).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("the configuration of OpenStack cloud Placement-Renamed was refused, and it serves nothing until "
                        + "the configuration is corrected: dev.strata.provider.openstack: strata.provider.id = 'Placement-Renamed' is invalid");
    }

    /**
     * A valid change while a discovery runs lets that discovery finish with the reads it has left: the previous cloud's
     * threads are let go after the reads in progress. Before, a discovery that had listed the cloud's hosts but not yet handed
     * their reads to those threads had them refused (RejectedExecutionException), and the core took the provider for failed.
     */
    @Test
    void aValidChangeDuringADiscoveryLetsThatDiscoveryFinish() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        listingHeld = held;
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<List<String>> discovery = CompletableFuture.supplyAsync(this::nodes, caller);
            assertThat(listing.await(30, TimeUnit.SECONDS)).as("the discovery lists the hosts").isTrue();
            // while Placement answers the listing: a valid change, the id kept
            config.put("parallelism", 2);
            modified();
            held.countDown();
            assertThat(discovery.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrder("placement-test:cn-1", "placement-test:cn-2");
        } finally {
            held.countDown();
            caller.shutdownNow();
        }
    }
}
