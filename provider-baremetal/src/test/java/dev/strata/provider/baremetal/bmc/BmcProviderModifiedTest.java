package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The component's {@code @Modified} path. Without one, Declarative Services makes the component
 * again for every change, and a change the provider refuses left no BMC provider at all (the core
 * showed it DEPARTED, its nodes STALE) until the file was corrected. The BMCs are a local stand-in
 * for a Redfish service that answers every request with HTTP 500, after a delay where a test sets
 * one (a slow BMC) or once a test lets it: how long a BMC's discovery may take shows in what its
 * node says. The core's {@link ConfigurationRejections} is bound as the descriptor binds it,
 * recording what it is told.
 */
class BmcProviderModifiedTest {

    @TempDir
    Path dir;
    HttpServer endpoint;
    ExecutorService threads;
    String dataFolder;
    /** How long the stand-in takes to answer, where no latch holds it. */
    volatile long delayMillis;
    /** Where set, the stand-in answers once the test counts it down. */
    volatile CountDownLatch held;
    final CountDownLatch arrived = new CountDownLatch(1);
    /** How many requests the stand-in got. */
    final AtomicInteger requests = new AtomicInteger();
    Map<String, Object> config;
    BmcProvider provider;
    /** What the provider told the core's ConfigurationRejections: each refused change, with whether the settings before stay in force. */
    final RecordingRejections rejections = new RecordingRejections();

    @BeforeEach
    void start() throws IOException {
        dataFolder = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.resolve("data").toString());
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/", this::handle);
        threads = Executors.newFixedThreadPool(4);
        endpoint.setExecutor(threads);
        endpoint.start();
        config = new HashMap<>(Map.of("journal", "directory", "stateDirectory", dir.resolve("journal").toString(),
                "discoveryThreads", "2", "bmcTimeout", "1s", "powerTimeout", "60s"));
    }

    @AfterEach
    void stop() {
        if (held != null) {
            held.countDown();
        }
        if (provider != null) {
            provider.close();
        }
        endpoint.stop(0);
        threads.shutdownNow();
        if (dataFolder == null) {
            System.clearProperty("karaf.data");
        } else {
            System.setProperty("karaf.data", dataFolder);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        arrived.countDown();
        try {
            CountDownLatch latch = held;
            if (latch != null) {
                latch.await(30, TimeUnit.SECONDS);
            } else if (delayMillis > 0) {
                Thread.sleep(delayMillis); // a slow BMC
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] out = "{\"error\": {\"code\": \"Base.1.0.InternalError\", \"message\": \"stand-in\"}}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(500, out.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
        }
        exchange.close();
    }

    private BmcProvider provider(String... bmcs) {
        provider = new BmcProvider(Converters.standardConverter().convert(config).to(BmcProviderConfig.class));
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
        for (String name : bmcs) {
            provider.bind(TestBmcs.bmc(TestBmcs.redfish(name, "http://127.0.0.1:" + endpoint.getAddress().getPort(), "root", "Stand-in-Pw1")));
        }
        return provider;
    }

    private ComputeSnapshot discover() {
        return provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(60)));
    }

    private static String error(Node node) {
        assertThat(node.state()).isEqualTo(ResourceState.UNAVAILABLE);
        return node.attributes().get(NodeTemplate.ERROR);
    }

    private void change(String property, Object value) throws Exception {
        config.put(property, value);
        ComponentDescriptors.modified(provider, Converters.standardConverter().convert(config).to(BmcProviderConfig.class), config);
    }

    /**
     * A refused change (a value out of its bounds, a journal that is neither store nor directory)
     * leaves every previous setting in force and the provider serving: a BMC slower than the
     * bmcTimeout in force is still cut at it. Each refusal is recorded in the provenance log through
     * the core's ConfigurationRejections, once, with the provider's PID and the message logged.
     */
    @Test
    void aRefusedChangeLeavesThePreviousSettingsInForceAndTheProviderServing() throws Exception {
        provider("slow");
        delayMillis = 3_000;
        assertThat(error(discover().nodes().get(0))).as("the slow BMC, cut at bmcTimeout").doesNotContain("HTTP 500");
        Map<String, String> refused = Map.of(
                "discoveryThreads", "discoveryThreads = '0' is invalid; expected a whole number from 1 to 1024",
                "bmcTimeout", "bmcTimeout = '1ms' is invalid; expected a duration from 1s to 10m",
                "journal", "journal = 'maybe' is invalid; expected store (Strata's state store) or directory (files in stateDirectory)");
        Map<String, Object> values = Map.of("discoveryThreads", "0", "bmcTimeout", "1ms", "journal", "maybe");
        int told = 0;
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Object previous = config.get(e.getKey());
            try (StderrCapture log = new StderrCapture()) {
                // a valid change of the power timeout alongside: refused with the rest
                config.put("powerTimeout", "5m");
                change(e.getKey(), values.get(e.getKey()));
                assertThat(log.text()).as(e.getKey()).contains("Configuration change rejected, previous settings stay in force: "
                        + BmcProvider.PID + ": " + e.getValue());
            }
            assertThat(rejections.told()).as(e.getKey()).hasSize(++told);
            assertThat(rejections.told().get(told - 1)).startsWith(BmcProvider.PID + " | " + BmcProvider.PID + ": " + e.getValue());
            assertThat(rejections.previousSettingsInForce()).as(e.getKey() + ": the settings before it stay in force").containsOnly(true);
            config.put(e.getKey(), previous);
            config.put("powerTimeout", "60s");
            assertThat(provider.fleet().threads()).isEqualTo(2);
            assertThat(provider.fleet().bmcTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(provider.provisioner().powerTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(provider.provisioner().journal().location()).isEqualTo(dir.resolve("journal").toString());
            ComputeSnapshot after = discover();
            assertThat(after.nodes()).hasSize(1);
            assertThat(error(after.nodes().get(0))).as("the slow BMC, still cut at the previous bmcTimeout").doesNotContain("HTTP 500");
        }
    }

    /**
     * A stateDirectory that is no path at all (a NUL in it, as a mistyped .cfg can carry) is refused
     * as any other invalid value, naming the property: it left modified as the JDK's
     * InvalidPathException, which named neither the PID nor the property, without the log line that
     * says the previous settings stay in force.
     */
    @Test
    void aStateDirectoryThatIsNoPathIsRefusedNamingThePropertyAndThePreviousSettingsStay() throws Exception {
        provider("slow");
        try (StderrCapture log = new StderrCapture()) {
            config.put("bmcTimeout", "5s");
            change("stateDirectory", dir + "/else\u0000where");
            assertThat(log.text()).contains("Configuration change rejected, previous settings stay in force: " + BmcProvider.PID
                    + ": stateDirectory = '" + dir + "/else\\u0000where' is invalid; expected the path of a directory");
        }
        assertThat(rejections.told()).singleElement().asString().startsWith(BmcProvider.PID + " | " + BmcProvider.PID + ": stateDirectory = ");
        assertThat(rejections.previousSettingsInForce()).as("the settings before it stay in force").containsExactly(true);
        assertThat(provider.fleet().bmcTimeout()).as("refused with the rest").isEqualTo(Duration.ofSeconds(1));
        assertThat(provider.provisioner().journal().location()).isEqualTo(dir.resolve("journal").toString());
    }

    /** A valid change applies to the next discovery, the provider serving on, its generations going on from where they were. */
    @Test
    void aValidChangeAppliesToTheNextDiscovery() throws Exception {
        provider("slow");
        delayMillis = 2_500;
        ComputeSnapshot before = discover();
        assertThat(error(before.nodes().get(0))).as("the slow BMC, cut at bmcTimeout").doesNotContain("HTTP 500");

        change("bmcTimeout", "30s");
        change("discoveryThreads", "3");
        change("powerTimeout", "5m");
        assertThat(provider.fleet().threads()).isEqualTo(3);
        assertThat(provider.fleet().bmcTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(provider.provisioner().powerTimeout()).isEqualTo(Duration.ofMinutes(5));
        ComputeSnapshot after = discover();
        assertThat(error(after.nodes().get(0))).as("the slow BMC's answer, within the new bmcTimeout").contains("answered HTTP 500 (stand-in)");
        assertThat(after.generation()).isGreaterThan(before.generation());
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }

    /**
     * A change of where operations are journalled is not applied while the provider runs (an
     * operation in progress would have its steps split between two journals); it is said so, the
     * journal in force stays, and the rest of the change applies. That part is recorded in the
     * provenance log as refused, the journal before it in force, with the reason logged; it was only
     * logged, so the log's record of the change read as the journal in force. A change that leaves
     * the journal as it is in force is no refusal.
     */
    @Test
    void aChangeOfTheJournalWaitsForARestartIsRecordedAsRefusedWhileTheRestApplies() throws Exception {
        provider("slow");
        Map<String, String> named = Map.of("journal", "journal = store, stateDirectory = " + dir.resolve("journal"),
                "stateDirectory", "journal = directory, stateDirectory = " + dir.resolve("elsewhere"));
        int told = 0;
        for (Map.Entry<String, Object> e : Map.<String, Object>of("journal", "store", "stateDirectory",
                dir.resolve("elsewhere").toString()).entrySet()) {
            Object previous = config.get(e.getKey());
            config.put("bmcTimeout", e.getKey().equals("journal") ? "5s" : "7s");
            String logged;
            try (StderrCapture log = new StderrCapture()) {
                change(e.getKey(), e.getValue());
                logged = log.text();
                assertThat(logged).as(e.getKey()).contains("Configuration change of the BMC operation journal")
                        .contains("not applied while the provider runs").contains("the journal in force stays until the provider restarts, "
                                + "which applies the change").doesNotContain("Configuration change rejected");
            }
            assertThat(rejections.told()).as(e.getKey()).hasSize(++told);
            String reason = rejections.told().get(told - 1);
            assertThat(reason).as(e.getKey()).startsWith(BmcProvider.PID + " | Configuration change of the BMC operation journal ("
                    + named.get(e.getKey()) + ") not applied while the provider runs").endsWith("The other settings are applied");
            assertThat(logged).as("the reason is the log's").contains(reason.substring((BmcProvider.PID + " | ").length()));
            assertThat(rejections.previousSettingsInForce()).as(e.getKey() + ": the journal before it stays in force").containsOnly(true);
            config.put(e.getKey(), previous);
            assertThat(provider.provisioner().journal().inStateStore()).isFalse();
            assertThat(provider.provisioner().journal().location()).isEqualTo(dir.resolve("journal").toString());
            assertThat(provider.fleet().bmcTimeout()).isEqualTo(Duration.ofSeconds(e.getKey().equals("journal") ? 5 : 7));
        }
        assertThat(dir.resolve("elsewhere")).as("no journal opened there").doesNotExist();
        change("bmcTimeout", "9s");
        assertThat(provider.fleet().bmcTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(rejections.told()).as("the journal as it is in force: no refusal").hasSize(2);
    }

    /**
     * A valid change while a discovery runs lets that discovery finish on the threads and the
     * bmcTimeout it began with: every BMC is read, none reported cut or interrupted by the change.
     */
    @Test
    void aValidChangeDuringADiscoveryLetsThatDiscoveryFinish() throws Exception {
        config.put("discoveryThreads", "1");
        config.put("bmcTimeout", "30s");
        provider("first", "second");
        CountDownLatch latch = new CountDownLatch(1);
        held = latch;
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ComputeSnapshot> discovery = CompletableFuture.supplyAsync(this::discover, caller);
            assertThat(arrived.await(30, TimeUnit.SECONDS)).as("the discovery reads the first BMC").isTrue();
            // the second BMC waits for the pool's one thread
            change("discoveryThreads", "4");
            change("bmcTimeout", "2s");
            latch.countDown();
            List<Node> nodes = discovery.get(60, TimeUnit.SECONDS).nodes();
            assertThat(nodes).hasSize(2).allSatisfy(n -> assertThat(error(n)).contains("answered HTTP 500 (stand-in)"));
        } finally {
            latch.countDown();
            caller.shutdownNow();
        }
    }

    /**
     * The provider stopped while a discovery still runs on the threads a change replaced: that
     * discovery ends saying the provider stopped, and no BMC is read after the stop. Before, the
     * stop shut only the threads in force; the discovery went on on the replaced ones, and the BMC
     * still waiting for a thread was read after its client had been closed, on a new one that
     * nothing closed.
     */
    @Test
    void aDiscoveryOnReplacedThreadsEndsWhenTheProviderStops() throws Exception {
        config.put("discoveryThreads", "1");
        config.put("bmcTimeout", "30s");
        provider("first", "second");
        CountDownLatch latch = new CountDownLatch(1);
        held = latch;
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ComputeSnapshot> discovery = CompletableFuture.supplyAsync(this::discover, caller);
            assertThat(arrived.await(30, TimeUnit.SECONDS)).as("the discovery reads the first BMC").isTrue();
            // the second BMC waits for the pool's one thread, which the change replaces
            change("discoveryThreads", "4");
            provider.close();
            int atStop = requests.get();
            latch.countDown();
            Throwable ended = catchThrowable(() -> discovery.get(60, TimeUnit.SECONDS));
            assertThat(requests.get()).as("no BMC read after the provider stopped").isEqualTo(atStop);
            assertThat(ended).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("the BMC provider has stopped");
        } finally {
            latch.countDown();
            caller.shutdownNow();
        }
    }
}
