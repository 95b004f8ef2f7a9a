package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.StderrCapture;
import dev.strata.provider.baremetal.peers.DroppingForwarder;
import dev.strata.provider.baremetal.peers.FaultInjectingProxy;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyEmulator;
import dev.strata.provider.baremetal.peers.SushyEmulator.FakeSystem;
import dev.strata.provider.baremetal.peers.TestBmcs;
import dev.strata.provider.baremetal.peers.TestCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One BMC failing never costs another: each fault gives that BMC's node state UNAVAILABLE (the
 * model has no UNKNOWN; the reason is in {@code bmc.error}) and the healthy BMC's nodes come out
 * whole, within the discovery deadline.
 *
 * <p>Peers: sushy-emulator over TLS (healthy, wrong password, changed certificate); a port where
 * nothing listens (unreachable); a socket that accepts and never answers (a hung BMC); and, for
 * what no peer does, {@link FaultInjectingProxy} in front of a plain-HTTP sushy-emulator: 503
 * answers, a task that never ends, and Redfish sessions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BmcFaultsTest {

    static final String USER = "strata";
    static final String PASSWORD = "faults-Pa55";
    static final FakeSystem A = new FakeSystem("6c1b0e5a-1111-4c44-8a6b-00000000000a", "a", "Off", "52:54:00:00:01:0a");
    static final FakeSystem B = new FakeSystem("6c1b0e5a-1111-4c44-8a6b-00000000000b", "b", "Off", "52:54:00:00:01:0b");
    static final FakeSystem P = new FakeSystem("6c1b0e5a-2222-4c44-8a6b-00000000000c", "p", "Off", "52:54:00:00:01:0c");

    private SushyEmulator tls;
    private SushyEmulator plain;
    private TestCertificate other;
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path dir = Peers.workDir("faults");
        TestCertificate certificate = TestCertificate.create(dir, "bmc");
        other = TestCertificate.create(dir, "replaced");
        tls = SushyEmulator.start(dir.resolve("tls"), List.of(A, B), USER, PASSWORD, certificate);
        plain = SushyEmulator.start(dir.resolve("plain"), List.of(P), USER, PASSWORD, null);
    }

    @AfterAll
    void stop() {
        if (tls != null) {
            tls.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        closing.clear();
    }

    private BmcProvider provider(Duration bmcTimeout) throws IOException {
        BmcProvider provider = new BmcProvider(Peers.workDir("journal"), 8, bmcTimeout, Duration.ofSeconds(60), Clock.systemUTC());
        closing.add(provider::close);
        return provider;
    }

    private Map<String, Object> pinned(String name, String password, String fingerprint) {
        Map<String, Object> c = TestBmcs.redfish(name, tls.address(), USER, password);
        c.put("certificateFingerprint", fingerprint);
        return c;
    }

    @Test
    void eachFaultStaysOnItsOwnNodeAndTheHealthyBmcIsWhole() throws Exception {
        int closedPort = Peers.freePort();
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                FaultInjectingProxy busy = FaultInjectingProxy.start(plain.address()).busy(Integer.MAX_VALUE)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(hung.accept()); // accepted, never answered
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            BmcProvider provider = provider(Duration.ofSeconds(12));
            provider.bind(TestBmcs.bmc(pinned("healthy", PASSWORD, tls.certificate().fingerprint())));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("unreachable", "https://127.0.0.1:" + closedPort, USER, PASSWORD)));
            provider.bind(TestBmcs.bmc(pinned("wrong-password", "not-" + PASSWORD, tls.certificate().fingerprint())));
            provider.bind(TestBmcs.bmc(pinned("replaced-cert", PASSWORD, other.fingerprint())));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("busy", busy.address(), USER, PASSWORD)));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("hung", "http://127.0.0.1:" + hung.getLocalPort(), USER, PASSWORD)));
            Map<String, Object> bad = TestBmcs.redfish("bad-config", tls.address(), USER, PASSWORD);
            bad.put("certificateFingerprint", "not-a-fingerprint");
            provider.bind(new ConfiguredBmc(TestBmcs.config(bad), "dev.strata.provider.bmc~bad-config", Path.of("/nonexistent")));

            Instant start = Instant.now();
            ComputeSnapshot snapshot;
            try (StderrCapture log = new StderrCapture()) {
                snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("faults", Duration.ofSeconds(40)));
                assertThat(log.text()).as("what was logged").contains("BMC wrong-password unavailable").doesNotContain(PASSWORD);
            }
            Duration took = Duration.between(start, Instant.now());

            assertThat(took).as("bounded by the per-BMC timeout (12 s), not by the hung BMC's retries (3 x 5 s) nor the deadline")
                    .isLessThan(Duration.ofSeconds(30));
            Node a = node(snapshot, "bmc:" + A.uuid());
            Node b = node(snapshot, "bmc:" + B.uuid());
            assertThat(a.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(b.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(a.nics()).hasSize(1);
            assertThat(a.attributes()).doesNotContainKey(NodeTemplate.ERROR);

            assertThat(error(snapshot, "bmc:unreachable")).contains("BMC unreachable (https://127.0.0.1:" + closedPort + ")")
                    .contains("cannot connect");
            assertThat(error(snapshot, "bmc:wrong-password")).contains("HTTP 401").contains("refused the credentials of user 'strata'")
                    .doesNotContain(PASSWORD);
            assertThat(error(snapshot, "bmc:replaced-cert")).contains("certificate changed")
                    .contains("expected SHA-256 " + other.fingerprint()).contains("it presented " + tls.certificate().fingerprint());
            assertThat(error(snapshot, "bmc:busy")).contains("HTTP 503").contains("on each of 3 attempts");
            assertThat(error(snapshot, "bmc:hung")).containsAnyOf("got no answer in time", "deadline", "no answer");
            assertThat(error(snapshot, "bmc:bad-config")).contains("dev.strata.provider.bmc~bad-config")
                    .contains("certificateFingerprint = 'not-a-fingerprint' is invalid").contains("64 hex digits");
            for (String id : List.of("bmc:unreachable", "bmc:wrong-password", "bmc:replaced-cert", "bmc:busy", "bmc:hung", "bmc:bad-config")) {
                assertThat(node(snapshot, id).state()).as(id).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(node(snapshot, id).attributes()).as(id).containsEntry(NodeTemplate.POWER_STATE, "Unknown");
            }
            assertThat(snapshot.nodes()).hasSize(8);
            assertThat(snapshot.nodes().toString()).doesNotContain(PASSWORD);
            hung.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aBmcThatWasSeenKeepsItsDetailsWhileUnavailable() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("flaky", proxy.address(), USER, PASSWORD)));
            Node before = node(provider.discoverCompute(DiscoveryContext.withTimeout("1", Duration.ofSeconds(20))), "bmc:" + P.uuid());
            assertThat(before.state()).isEqualTo(ResourceState.AVAILABLE);

            proxy.busy(Integer.MAX_VALUE);
            Node during = node(provider.discoverCompute(DiscoveryContext.withTimeout("2", Duration.ofSeconds(20))), "bmc:" + P.uuid());
            assertThat(during.state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(during.nics()).isEqualTo(before.nics());
            assertThat(during.attributes().get(NodeTemplate.ERROR)).contains("HTTP 503");

            proxy.busy(0);
            Node after = node(provider.discoverCompute(DiscoveryContext.withTimeout("3", Duration.ofSeconds(20))), "bmc:" + P.uuid());
            assertThat(after.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(after.attributes()).doesNotContainKey(NodeTemplate.ERROR);
        }
    }

    /**
     * An address that answers JSON but is no Redfish service (another web service, a proxy's status
     * page) is a BMC that answers garbage: its node is UNAVAILABLE with an error naming the BMC and
     * what was expected, not a BMC with no systems that silently vanishes from the inventory.
     */
    @Test
    void aServiceThatIsNotRedfishIsAnErrorNamingTheBmc() throws Exception {
        com.sun.net.httpserver.HttpServer other = jsonService(path -> Map.entry(200, "{\"status\": \"ok\", \"version\": \"3.1\"}"));
        try {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            String address = "http://127.0.0.1:" + other.getAddress().getPort();
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("not-redfish", address, USER, PASSWORD)));
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("garbage", Duration.ofSeconds(20)));
            assertThat(node(snapshot, "bmc:not-redfish").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(snapshot, "bmc:not-redfish")).contains("BMC not-redfish (" + address + ")").contains("/redfish/v1/")
                    .contains("not a Redfish service root").doesNotContain(PASSWORD);
        } finally {
            other.stop(0);
        }
    }

    /**
     * A BMC whose answer does not end (a collection that streams on and on, chunked, without a
     * length; a local HTTP server answers as such a BMC would) is cut off once the answer passes
     * the most a Redfish answer may hold: its node is UNAVAILABLE with an error naming the request
     * and the bound, at once and asked once. Before, the whole answer was held in memory for as
     * long as the BMC sent it, and the request was sent again after each request timeout.
     */
    @Test
    void anAnswerLargerThanAnyRedfishAnswerIsCutOff() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer endless = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool();
        endless.setExecutor(handlers);
        endless.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (exchange.getRequestURI().getPath().replaceAll("/+$", "").equals("/redfish/v1")) {
                byte[] root = ("{\"@odata.type\": \"#ServiceRoot.v1_5_0.ServiceRoot\", \"RedfishVersion\": \"1.6.0\", \"Systems\": "
                        + "{\"@odata.id\": \"/redfish/v1/Systems\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, root.length);
                exchange.getResponseBody().write(root);
                exchange.close();
                return;
            }
            asked.incrementAndGet();
            exchange.sendResponseHeaders(200, 0); // chunked: no length
            try (java.io.OutputStream out = exchange.getResponseBody()) {
                out.write("{\"Members\": [".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                byte[] blanks = " ".repeat(1 << 20).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                for (int mib = 0; mib < 64; mib++) {
                    out.write(blanks);
                }
                out.flush();
                Thread.sleep(20_000); // and then nothing, the answer never ends
            } catch (IOException | InterruptedException e) {
                // the client hung up, or the test is over
            }
        });
        endless.start();
        try {
            BmcProvider provider = provider(Duration.ofSeconds(15));
            String address = "http://127.0.0.1:" + endless.getAddress().getPort();
            Map<String, Object> config = TestBmcs.redfish("endless", address, USER, PASSWORD);
            config.put("requestTimeout", "4s");
            provider.bind(TestBmcs.bmc(config));
            long start = System.nanoTime();
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("endless", Duration.ofSeconds(30)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(node(snapshot, "bmc:endless").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(snapshot, "bmc:endless")).contains("BMC endless (" + address + ")").contains("GET /redfish/v1/Systems")
                    .contains("more than 16 MiB");
            assertThat(took).as("cut off, not waited out").isLessThan(Duration.ofSeconds(4));
            assertThat(asked.get()).as("asked once").isEqualTo(1);
        } finally {
            endless.stop(0);
            handlers.shutdownNow();
        }
    }

    /**
     * A BMC that quotes the password it was sent in its error (no real BMC was seen doing it, and none of the emulators
     * can, so a local HTTP server answers as one would): its words reach the node's error and the log with the password
     * masked.
     */
    @Test
    void aBmcThatRepeatsThePasswordInItsErrorHasItMasked() throws Exception {
        com.sun.net.httpserver.HttpServer echoing = jsonService(path -> path.replaceAll("/+$", "").equals("/redfish/v1")
                ? Map.entry(200, "{\"@odata.type\": \"#ServiceRoot.v1_5_0.ServiceRoot\", \"RedfishVersion\": \"1.6.0\", \"Systems\": "
                        + "{\"@odata.id\": \"/redfish/v1/Systems\"}}")
                : Map.entry(400, "{\"error\": {\"code\": \"Base.1.8.PropertyValueFormatError\", \"message\": \"The value '" + PASSWORD
                        + "' for the property Password is not in a supported format.\"}}"));
        try {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            String address = "http://127.0.0.1:" + echoing.getAddress().getPort();
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("echoing", address, USER, PASSWORD)));
            ComputeSnapshot snapshot;
            try (StderrCapture log = new StderrCapture()) {
                snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("echo", Duration.ofSeconds(20)));
                assertThat(log.text()).as("what was logged").contains("BMC echoing unavailable").doesNotContain(PASSWORD);
            }
            assertThat(node(snapshot, "bmc:echoing").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(snapshot, "bmc:echoing")).contains("HTTP 400").contains("The value '****' for the property Password")
                    .doesNotContain(PASSWORD);
        } finally {
            echoing.stop(0);
        }
    }

    /**
     * A BMC whose error page is not Redfish's (HTML, say) and quotes the password where the page is
     * cut to 200 characters, or holds markup and a run of spaces: the password is masked whole,
     * before the page is stripped and cut. Before, a password across the cut showed its first half.
     */
    @Test
    void aPasswordInAnErrorPageThatIsCutOrMarkedUpIsMaskedWhole() throws Exception {
        String password = "s3cret-Pa55 <b>w0rd</b>   long";
        for (String page : List.of("<html><body>" + "x".repeat(190) + " " + password + "</body></html>",
                "<html><body>login as strata with " + password + " refused</body></html>")) {
            com.sun.net.httpserver.HttpServer html = jsonService(path -> path.replaceAll("/+$", "").equals("/redfish/v1")
                    ? Map.entry(200, "{\"@odata.type\": \"#ServiceRoot.v1_5_0.ServiceRoot\", \"RedfishVersion\": \"1.6.0\", \"Systems\": "
                            + "{\"@odata.id\": \"/redfish/v1/Systems\"}}")
                    : Map.entry(500, page));
            try {
                BmcProvider provider = provider(Duration.ofSeconds(10));
                provider.bind(TestBmcs.bmc(TestBmcs.redfish("html", "http://127.0.0.1:" + html.getAddress().getPort(), USER, password)));
                ComputeSnapshot snapshot;
                try (StderrCapture log = new StderrCapture()) {
                    snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("html", Duration.ofSeconds(20)));
                    assertThat(log.text()).as("what was logged").contains("BMC html unavailable").doesNotContain("s3cret").doesNotContain("w0rd");
                }
                assertThat(error(snapshot, "bmc:html")).contains("HTTP 500").contains("****").doesNotContain("s3cret").doesNotContain("w0rd");
            } finally {
                html.stop(0);
            }
        }
    }

    /**
     * A BMC whose link is a network-path reference ({@code //other-host/...}; sushy-emulator behind
     * a proxy that changes its collection of systems) is the BMC's error naming the link, and
     * nothing is sent to the other host. Before, the link was resolved against the BMC's address to
     * the other host, and the request carried the BMC's credentials there.
     */
    @Test
    void aLinkToAnotherHostWithoutASchemeGetsNoCredentials() throws Exception {
        List<String> reached = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer elsewhere = jsonService(path -> {
            reached.add(path);
            return Map.entry(200, "{}");
        });
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            String link = "//localhost:" + elsewhere.getAddress().getPort() + "/redfish/v1/Systems/" + P.uuid();
            proxy.rewrite("/redfish/v1/Systems", json -> {
                json.putArray("Members").addObject().put("@odata.id", link);
                return json;
            });
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("elsewhere", proxy.address(), USER, PASSWORD)));
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("elsewhere", Duration.ofSeconds(20)));
            assertThat(reached).as("requests that reached the other host").isEmpty();
            assertThat(node(snapshot, "bmc:elsewhere").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(snapshot, "bmc:elsewhere")).contains("BMC elsewhere (" + proxy.address() + ")").contains(link)
                    .contains("a link to another host");
        } finally {
            elsewhere.stop(0);
        }
    }

    /**
     * A collection whose next link leads back to a page already read (here the collection of
     * systems to itself; sushy-emulator behind a proxy that changes its answer) is the BMC's error
     * naming the link, at the first page read twice. Before, the client followed the loop until
     * the BMC's time was up, thousands of requests, and reported a BMC that did not answer in time.
     */
    @Test
    void aCollectionWhoseNextLinkLoopsIsAnErrorAtOnce() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            proxy.rewrite("/redfish/v1/Systems", json -> json.put("Members@odata.nextLink", "/redfish/v1/Systems"));
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("looping", proxy.address(), USER, PASSWORD)));
            long start = System.nanoTime();
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("loop", Duration.ofSeconds(20)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("at once, not at the BMC's deadline").isLessThan(Duration.ofSeconds(5));
            assertThat(node(snapshot, "bmc:looping").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(snapshot, "bmc:looping")).contains("BMC looping (" + proxy.address() + ")").contains("/redfish/v1/Systems")
                    .contains("leads back to a page already read");
            assertThat(proxy.requests("GET", "/redfish/v1/Systems")).as("the collection read once").hasSizeLessThanOrEqualTo(2);
        }
    }

    /**
     * A link the BMC gives that Strata cannot follow, holding an escape sequence and a line break
     * (sushy-emulator behind a proxy that changes its collection of systems), is named in the error
     * as the API shows a value: <code>&#92;u001b</code>, <code>&#92;u000a</code>. Before, the error carried the
     * BMC's characters as they came, to the node's error and the log, where they drove the
     * operator's terminal and forged a line of the log.
     */
    @Test
    void aLinkWithControlCharactersIsNamedPrintableInTheError() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            proxy.rewrite("/redfish/v1/Systems", json -> json.put("Members@odata.nextLink",
                    "/redfish/v1/Systems?page=2\u001b[2J\nERROR forged line"));
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("escaping", proxy.address(), USER, PASSWORD)));
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("escape", Duration.ofSeconds(20)));
            assertThat(node(snapshot, "bmc:escaping").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(snapshot, "bmc:escaping")).contains("BMC escaping (" + proxy.address() + ")")
                    .contains("/redfish/v1/Systems?page=2\\u001b[2J\\u000aERROR forged line").doesNotContain("\u001b").doesNotContain("\n");
        }
    }

    /** Powers a system on through its BMC and waits until it reads On (sushy changes power 1-11 s after the request). */
    private static void poweredOn(ConfiguredBmc configured, String system) throws InterruptedException {
        DiscoveryContext context = DiscoveryContext.withTimeout("on", Duration.ofSeconds(30));
        configured.bmc().power(system, PowerAction.ON, context);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (configured.bmc().powerState(system, context) != PowerState.ON && System.nanoTime() < end) {
            Thread.sleep(250);
        }
        assertThat(configured.bmc().powerState(system, context)).as("the machine runs before it is provisioned").isEqualTo(PowerState.ON);
    }

    /** A local HTTP service (started) that answers every request with the status and JSON body its function gives for the path. */
    private static com.sun.net.httpserver.HttpServer jsonService(java.util.function.Function<String, Map.Entry<Integer, String>> answer)
            throws IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Map.Entry<Integer, String> a = answer.apply(exchange.getRequestURI().getPath());
            byte[] body = a.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.getKey(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void twoBusyAnswersAreRetriedWithBackoff() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("busy-twice", proxy.address(), USER, PASSWORD)));
            proxy.busy(2);
            Node node = node(provider.discoverCompute(DiscoveryContext.withTimeout("1", Duration.ofSeconds(20))), "bmc:" + P.uuid());
            assertThat(node.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(proxy.seen()).filteredOn(s -> s.status() == 503).hasSize(2);
        }
    }

    /**
     * A BMC that hangs up during the TLS handshake (restarting, overloaded; a forwarder in front of
     * the TLS sushy-emulator closes the first connections) is retried as a refused connection is,
     * and found; one that always hangs up is unavailable with an error that says so, without
     * blaming the certificate settings. Before, the first dropped handshake was taken for a
     * certificate problem and never retried.
     */
    @Test
    void aBmcThatDropsTheTlsHandshakeIsRetriedAndNotBlamedOnTheCertificate() throws Exception {
        int tlsPort = java.net.URI.create(tls.address()).getPort();
        try (DroppingForwarder twice = DroppingForwarder.start(tlsPort, 2);
                DroppingForwarder always = DroppingForwarder.start(tlsPort, Integer.MAX_VALUE)) {
            BmcProvider provider = provider(Duration.ofSeconds(15));
            Map<String, Object> restarting = TestBmcs.redfish("restarting", "https://127.0.0.1:" + twice.port(), USER, PASSWORD);
            restarting.put("certificateFingerprint", tls.certificate().fingerprint());
            provider.bind(TestBmcs.bmc(restarting));
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("handshake", Duration.ofSeconds(30)));
            assertThat(twice.dropped()).as("connections closed during the handshake").isEqualTo(2);
            assertThat(node(snapshot, "bmc:" + A.uuid()).state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(node(snapshot, "bmc:" + B.uuid()).state()).isEqualTo(ResourceState.AVAILABLE);

            BmcProvider other = provider(Duration.ofSeconds(15));
            String address = "https://127.0.0.1:" + always.port();
            Map<String, Object> down = TestBmcs.redfish("hanging-up", address, USER, PASSWORD);
            down.put("certificateFingerprint", tls.certificate().fingerprint());
            other.bind(TestBmcs.bmc(down));
            ComputeSnapshot failed = other.discoverCompute(DiscoveryContext.withTimeout("handshake-down", Duration.ofSeconds(30)));
            assertThat(node(failed, "bmc:hanging-up").state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(error(failed, "bmc:hanging-up")).contains("BMC hanging-up (" + address + ")")
                    .contains("closed the connection during the TLS handshake").contains("3 attempts")
                    .doesNotContain("certificateFingerprint").doesNotContain("caFile");
            assertThat(always.dropped()).as("tried again, as attempts allow").isGreaterThanOrEqualTo(3);
        }
    }

    /**
     * A busy answer whose {@code Retry-After} is an HTTP date (RFC 9110 allows it as well as a
     * number of seconds) is waited out until that time, and one past the caller's deadline is not
     * waited for at all. Before, the date was ignored and the request sent again after the usual
     * backoff (a quarter of a second).
     */
    @Test
    void aRetryAfterGivenAsAnHttpDateIsHonoured() throws Exception {
        java.time.format.DateTimeFormatter http = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("busy-until", proxy.address(), USER, PASSWORD)));
            proxy.busy(1, () -> http.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(3)));
            long start = System.nanoTime();
            Node node = node(provider.discoverCompute(DiscoveryContext.withTimeout("1", Duration.ofSeconds(20))), "bmc:" + P.uuid());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(node.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(proxy.seen()).filteredOn(s -> s.status() == 503).hasSize(1);
            assertThat(took).as("waited until the date (2 to 3 s ahead, to the second), not the backoff").isGreaterThan(Duration.ofMillis(1500))
                    .isLessThan(Duration.ofSeconds(8));

            // the obsolete rfc850-date, which RFC 9110 has a recipient accept too; before, it counted as no Retry-After
            proxy.clear();
            java.time.format.DateTimeFormatter rfc850 = java.time.format.DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'",
                    java.util.Locale.ENGLISH);
            proxy.busy(1, () -> rfc850.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(3)));
            start = System.nanoTime();
            node = node(provider.discoverCompute(DiscoveryContext.withTimeout("3", Duration.ofSeconds(20))), "bmc:" + P.uuid());
            assertThat(node.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(proxy.seen()).filteredOn(s -> s.status() == 503).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited until the rfc850 date, not the backoff")
                    .isGreaterThan(Duration.ofMillis(1500)).isLessThan(Duration.ofSeconds(8));

            proxy.clear();
            proxy.busy(1, () -> http.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(1)));
            start = System.nanoTime();
            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("2", Duration.ofSeconds(20)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not waited past the deadline").isLessThan(Duration.ofSeconds(5));
            assertThat(node(snapshot, "bmc:" + P.uuid()).state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(node(snapshot, "bmc:" + P.uuid()).attributes().get(NodeTemplate.ERROR)).contains("HTTP 503");
        }
    }

    /** A BMC that answers 202 and a task monitor that stays Running: create gives up at its deadline, the other BMC is unaffected. */
    @Test
    void aTaskThatNeverEndsTimesOutThatCreateOnly() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).neverEndingTask("/Actions/ComputerSystem.Reset")) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("stuck", proxy.address(), USER, PASSWORD)));
            provider.bind(TestBmcs.bmc(pinned("healthy", PASSWORD, tls.certificate().fingerprint())));
            provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(20)));

            CompletableFuture<MachineStatus> healthy = CompletableFuture.supplyAsync(() -> provider.create(
                    request("op-healthy", "bmc:" + B.uuid()), DiscoveryContext.withTimeout("c2", Duration.ofSeconds(30))));
            Instant start = Instant.now();
            assertThatThrownBy(() -> provider.create(request("op-stuck", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c1", Duration.ofSeconds(6))))
                    .isInstanceOf(ProviderTimeoutException.class)
                    .hasMessageContaining("BMC stuck").hasMessageContaining("task /taskmon/").hasMessageContaining("still Running (40%)");
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(9));
            assertThat(provider.provisioner().journal().get("op-stuck").orElseThrow().phase()).isEqualTo(Operation.Phase.POWER_INTENT);
            assertThat(healthy.get().state()).isIn(MachineState.RUNNING, MachineState.PENDING);
            // the stuck machine's BMC was never asked for a second power action by anything else
            assertThat(proxy.requests("POST", "/Actions/ComputerSystem.Reset")).hasSize(1);
        }
    }

    /**
     * A reset the BMC may have received is never sent again: not when its answer is later than the
     * request timeout (the BMC carried it out), nor when a gateway answers 504 after passing it on.
     * Before, the client retried it like a read: a second reset in the middle of the first's boot.
     */
    @Test
    void aResetThatMayHaveReachedTheBmcIsNotSentAgain() throws Exception {
        String reset = "/Actions/ComputerSystem.Reset";
        String system = SushyEmulator.systemPath(P);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            Map<String, Object> config = TestBmcs.redfish("late-answer", proxy.address(), USER, PASSWORD);
            config.put("requestTimeout", "1s");
            ConfiguredBmc bmc = TestBmcs.bmc(config);
            closing.add(bmc::close);
            proxy.afterForwarding(reset, 1, 0, Duration.ofSeconds(3));
            assertThatThrownBy(() -> bmc.bmc().power(system, PowerAction.ON, DiscoveryContext.withTimeout("late", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.StrataException.class).isNotInstanceOf(RequestNotApplied.class)
                    .hasMessageContaining("BMC late-answer");
            assertThat(proxy.requests("POST", reset)).as("one request, though 3 attempts are allowed").hasSize(1);

            proxy.clear();
            proxy.afterForwarding(reset, 1, 504, Duration.ZERO);
            assertThatThrownBy(() -> bmc.bmc().power(system, PowerAction.ON, DiscoveryContext.withTimeout("gateway", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class).hasMessageContaining("504");
            assertThat(proxy.requests("POST", reset)).hasSize(1);

            // what surely did not reach it is sent again within the call: a busy answer, then it goes through
            proxy.clear();
            proxy.refuse(reset, 1, 503);
            bmc.bmc().power(system, PowerAction.ON, DiscoveryContext.withTimeout("busy", Duration.ofSeconds(20)));
            assertThat(proxy.requests("POST", reset)).extracting(FaultInjectingProxy.Seen::status).containsExactly(503, 204);
        }
    }

    /**
     * A reset that surely did not reach the BMC (every attempt answered busy) withdraws its intent,
     * so the next try of the same operation sends it: the machine is restarted into what was asked
     * for. Before, the next try took the unsent reset for one that may have arrived, did not send it,
     * and reported RUNNING a machine that had never restarted.
     */
    @Test
    void aResetThatSurelyDidNotReachTheBmcIsSentOnTheNextTry() throws Exception {
        String reset = "/Actions/ComputerSystem.Reset";
        String system = SushyEmulator.systemPath(P);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            ConfiguredBmc configured = TestBmcs.bmc(TestBmcs.redfish("unsent-reset", proxy.address(), USER, PASSWORD));
            provider.bind(configured);
            poweredOn(configured, system);
            provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(20)));
            proxy.clear();

            proxy.refuse(reset, 3, 503);
            assertThatThrownBy(() -> provider.create(request("op-unsent", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c1", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class).hasMessageContaining("503");
            Operation withdrawn = provider.provisioner().journal().get("op-unsent").orElseThrow();
            assertThat(withdrawn.phase()).isEqualTo(Operation.Phase.BOOT_SET);
            assertThat(withdrawn.steps()).anySatisfy(step -> assertThat(step).contains("power-request-failed"));

            MachineStatus resumed = provider.create(request("op-unsent", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c2", Duration.ofSeconds(30)));
            assertThat(resumed.state()).isIn(MachineState.RUNNING, MachineState.PENDING);
            assertThat(proxy.requests("POST", reset)).extracting(FaultInjectingProxy.Seen::status).as("three refused, then the one that restarts it")
                    .containsExactly(503, 503, 503, 204);
            assertThat(provider.provisioner().journal().get("op-unsent").orElseThrow().steps())
                    .noneSatisfy(step -> assertThat(step).contains("power-request-not-repeated"));
        }
    }

    /**
     * A BMC whose reset action names a target that is no link (a space in it; sushy-emulator
     * behind a proxy that changes the system's answer): nothing is sent, the create fails naming
     * the target, and the reset's intent is withdrawn, so the next try sends it once the BMC
     * answers sense. Before, the unchecked IllegalArgumentException left the intent standing, and
     * the next try took the reset for one that may have arrived and reported RUNNING a machine
     * that had never restarted.
     */
    @Test
    void aResetWhoseTargetIsNoLinkIsRefusedAndSentOnTheNextTry() throws Exception {
        String reset = "/Actions/ComputerSystem.Reset";
        String system = SushyEmulator.systemPath(P);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            ConfiguredBmc configured = TestBmcs.bmc(TestBmcs.redfish("odd-target", proxy.address(), USER, PASSWORD));
            provider.bind(configured);
            poweredOn(configured, system);
            provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(20)));
            String odd = system.replaceAll("/+$", "") + "/Actions/ComputerSystem Reset";
            proxy.rewrite(system, json -> {
                json.withObject("/Actions").withObject("/#ComputerSystem.Reset").put("target", odd);
                return json;
            });
            proxy.clear();

            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> provider.create(request("op-odd", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c", Duration.ofSeconds(20))))
                        .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                        .hasMessageContaining("BMC odd-target").hasMessageContaining(odd).hasMessageContaining("not a link Strata can follow");
                Operation withdrawn = provider.provisioner().journal().get("op-odd").orElseThrow();
                assertThat(withdrawn.phase()).isNotEqualTo(Operation.Phase.POWER_INTENT);
                assertThat(withdrawn.steps()).anySatisfy(step -> assertThat(step).contains("power-request-failed"));
            }
            assertThat(proxy.seen()).noneMatch(r -> r.method().equals("POST"));

            proxy.noRewrites();
            MachineStatus made = provider.create(request("op-odd", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c3", Duration.ofSeconds(30)));
            assertThat(made.state()).isIn(MachineState.RUNNING, MachineState.PENDING);
            assertThat(proxy.requests("POST", reset)).extracting(FaultInjectingProxy.Seen::status).containsExactly(204);
        }
    }

    /**
     * A reset answered with a redirect (307, as a proxy or web front in the BMC's place answers;
     * the proxy answers it in sushy-emulator's place) was not carried out: the create fails naming
     * the redirect, the reset's intent is withdrawn, and the next try sends it. Before, the
     * redirect was taken for the BMC's acceptance, and a machine that had never restarted was
     * reported running.
     */
    @Test
    void aResetAnsweredWithARedirectIsNotTakenForDone() throws Exception {
        String reset = "/Actions/ComputerSystem.Reset";
        String system = SushyEmulator.systemPath(P);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            ConfiguredBmc configured = TestBmcs.bmc(TestBmcs.redfish("redirecting", proxy.address(), USER, PASSWORD));
            provider.bind(configured);
            poweredOn(configured, system);
            provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(20)));
            proxy.clear();

            proxy.refuse(reset, 1, 307);
            assertThatThrownBy(() -> provider.create(request("op-redirected", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c1", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                    .hasMessageContaining("BMC redirecting").hasMessageContaining("HTTP 307, a redirect").hasMessageNotContaining(PASSWORD);
            Operation withdrawn = provider.provisioner().journal().get("op-redirected").orElseThrow();
            assertThat(withdrawn.phase()).isEqualTo(Operation.Phase.BOOT_SET);
            assertThat(withdrawn.steps()).anySatisfy(step -> assertThat(step).contains("power-request-failed"));

            MachineStatus resumed = provider.create(request("op-redirected", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c2", Duration.ofSeconds(30)));
            assertThat(resumed.state()).isIn(MachineState.RUNNING, MachineState.PENDING);
            assertThat(proxy.requests("POST", reset)).extracting(FaultInjectingProxy.Seen::status).as("the redirected one, then the one that restarts it")
                    .containsExactly(307, 204);
        }
    }

    /**
     * A create whose boot override the BMC refuses (400, as a BMC that does not allow the target
     * answers, or 403, a user without the privilege; sushy-emulator behind the proxy) fails naming
     * the refusal and gives up its claim (a busy BMC's 503 keeps it, and the next try resumes it):
     * nothing was powered, and the node is free for the next create. Before, the claim stayed, and
     * every later create on the node was refused until the failed deployment was deleted.
     */
    /**
     * A create for a node no discovery has reported looks for it on every BMC: where one of them
     * could not list its systems, the node may be there, so the create fails as unavailable (tried
     * again), naming that BMC, or, its deadline passed, as timed out; only when every BMC answered
     * without it is the node not found. Before, a BMC that did not answer counted as one without the
     * node: an unreachable BMC, or a create whose deadline had passed, ended with "node ... is not a
     * system of any configured BMC that answers" (NotFoundException), and nothing was claimed.
     */
    @Test
    void aNodeLookedForWhileABmcDoesNotAnswerIsUnavailableNotNotFound() throws Exception {
        int closedPort = Peers.freePort();
        BmcProvider provider = provider(Duration.ofSeconds(5));
        provider.bind(TestBmcs.bmc(TestBmcs.redfish("answering", plain.address(), USER, PASSWORD)));
        provider.bind(TestBmcs.bmc(TestBmcs.redfish("unreachable", "https://127.0.0.1:" + closedPort, USER, PASSWORD)));
        String elsewhere = "bmc:6c1b0e5a-3333-4c44-8a6b-00000000000d";

        assertThatThrownBy(() -> provider.create(request("op-elsewhere", elsewhere), DiscoveryContext.withTimeout("c", Duration.ofSeconds(20))))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                .hasMessage("node " + elsewhere + " is on none of the BMCs that answered, and BMC unreachable could not list its systems "
                        + "(see the provider's warnings); it may be on that BMC");
        java.time.Clock clock = Clock.systemUTC();
        assertThatThrownBy(() -> provider.create(request("op-late", elsewhere), new DiscoveryContext("late", clock.instant().minusMillis(1), clock)))
                .isInstanceOf(dev.strata.platform.api.exception.ProviderTimeoutException.class);
        assertThat(provider.provisioner().journal().get("op-elsewhere")).as("nothing claimed").isEmpty();
        assertThat(provider.provisioner().journal().get("op-late")).as("nothing claimed").isEmpty();

        BmcProvider answered = provider(Duration.ofSeconds(5));
        answered.bind(TestBmcs.bmc(TestBmcs.redfish("answering", plain.address(), USER, PASSWORD)));
        assertThatThrownBy(() -> answered.create(request("op-nowhere", elsewhere), DiscoveryContext.withTimeout("n", Duration.ofSeconds(20))))
                .isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessageContaining("is not a system of any configured BMC that answers");
    }

    @Test
    void aCreateTheBmcRefusesGivesUpItsClaimOnTheNode() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("refusing", proxy.address(), USER, PASSWORD)));
            provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(20)));
            proxy.clear();
            // a refusal for lack of privilege (403) gives the node up as well; a busy BMC (503) keeps the claim, the next try resumes it
            proxy.refuse(P.uuid(), 1, 403);
            assertThatThrownBy(() -> provider.create(request("op-forbidden", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c0", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class).hasMessageContaining("HTTP 403");
            assertThat(provider.provisioner().journal().get("op-forbidden").orElseThrow().phase()).isEqualTo(Operation.Phase.GONE);
            proxy.refuse(P.uuid(), 3, 503);
            assertThatThrownBy(() -> provider.create(request("op-busy", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("cb", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class);
            assertThat(provider.provisioner().journal().get("op-busy").orElseThrow().phase()).isEqualTo(Operation.Phase.CLAIMED);
            MachineStatus resumed = provider.create(request("op-busy", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("cr", Duration.ofSeconds(30)));
            assertThat(resumed.state()).isIn(MachineState.RUNNING, MachineState.PENDING);
            assertThat(provider.delete(resumed.handle(), DiscoveryContext.withTimeout("dr", Duration.ofSeconds(30))).state())
                    .isIn(MachineState.GONE, MachineState.DELETING);
            for (int i = 0; i < 120 && provider.describe(resumed.handle(), DiscoveryContext.withTimeout("w", Duration.ofSeconds(10))).state()
                    != MachineState.GONE; i++) {
                Thread.sleep(250);
            }
            proxy.clear();
            proxy.refuse(P.uuid(), 1, 400);
            assertThatThrownBy(() -> provider.create(request("op-refused", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c1", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class).hasMessageContaining("HTTP 400");
            Operation given = provider.provisioner().journal().get("op-refused").orElseThrow();
            assertThat(given.phase()).isEqualTo(Operation.Phase.GONE);
            assertThat(given.steps()).anySatisfy(step -> assertThat(step).contains("refused").contains("HTTP 400"));
            assertThat(proxy.requests("POST", "/Actions/ComputerSystem.Reset")).isEmpty();
            // the same operation again is the machine that never was; another operation takes the node
            assertThat(provider.create(request("op-refused", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c2", Duration.ofSeconds(20))).state())
                    .isEqualTo(MachineState.GONE);
            MachineStatus next = provider.create(request("op-next", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c3", Duration.ofSeconds(30)));
            assertThat(next.state()).isIn(MachineState.RUNNING, MachineState.PENDING);
            assertThat(provider.delete(next.handle(), DiscoveryContext.withTimeout("del", Duration.ofSeconds(30))).state())
                    .isIn(MachineState.GONE, MachineState.DELETING);
        }
    }

    /**
     * A graceful shutdown the machine ignores (the BMC accepts it and nothing happens: the proxy
     * answers 204 in sushy-emulator's place) is forced off once half of {@code powerTimeout} has
     * passed, by whoever looks: here a describe after the delete call has returned, as the
     * engine's reconciler looks. Before, only a delete call still waiting forced it, and the
     * engine's delete (its deadline shorter than half of {@code powerTimeout} by default) never
     * did: the machine stayed on until the whole timeout was over and was reported FAILED.
     */
    @Test
    void aGracefulShutdownTheMachineIgnoresIsForcedAtHalfThePowerTimeoutByADescribe() throws Exception {
        String reset = "/Actions/ComputerSystem.Reset";
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = new BmcProvider(Peers.workDir("journal"), 8, Duration.ofSeconds(10), Duration.ofSeconds(4), Clock.systemUTC());
            closing.add(provider::close);
            provider.bind(TestBmcs.bmc(TestBmcs.redfish("stubborn", proxy.address(), USER, PASSWORD)));
            provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(20)));
            MachineRequest graceful = new MachineRequest("op-stubborn", "dep-1", "member-stubborn", "tenant-a", MachineTarget.node("bmc:" + P.uuid()),
                    new MachineResources(1000, 1L << 30, 0, List.of(), null), Map.of("shutdown", "graceful"));
            MachineStatus made = provider.create(graceful, DiscoveryContext.withTimeout("c", Duration.ofSeconds(30)));
            for (int i = 0; i < 80 && made.state() != MachineState.RUNNING; i++) {
                Thread.sleep(250);
                made = provider.describe(made.handle(), DiscoveryContext.withTimeout("on", Duration.ofSeconds(10)));
            }
            assertThat(made.state()).isEqualTo(MachineState.RUNNING);
            proxy.clear();

            proxy.refuse(reset, 1, 204);
            MachineStatus deleting = provider.delete(made.handle(), DiscoveryContext.withTimeout("del", Duration.ofMillis(1500)));
            assertThat(deleting.state()).isEqualTo(MachineState.DELETING);
            Thread.sleep(2300); // past half of powerTimeout (2 s), the delete call long over
            MachineStatus looked = provider.describe(made.handle(), DiscoveryContext.withTimeout("look", Duration.ofSeconds(10)));
            assertThat(looked.state()).isIn(MachineState.DELETING, MachineState.GONE);
            for (int i = 0; i < 60 && looked.state() != MachineState.GONE; i++) {
                Thread.sleep(250);
                looked = provider.describe(made.handle(), DiscoveryContext.withTimeout("look", Duration.ofSeconds(10)));
            }
            assertThat(looked.state()).as("%s", looked.message()).isEqualTo(MachineState.GONE);
            assertThat(proxy.requests("POST", reset)).extracting(FaultInjectingProxy.Seen::status).as("the ignored shutdown, then the force")
                    .containsExactly(204, 204);
            assertThat(provider.provisioner().journal().get("op-stubborn").orElseThrow().steps())
                    .anySatisfy(step -> assertThat(step).contains("ForceOff (no graceful shutdown within 2 s)"));
        }
    }

    /** A reset answered 202 with a task monitor: followed until the task completes (the power really changes), or fails with its message. */
    @Test
    void tasksAreFollowedToTheirEnd() throws Exception {
        try (FaultInjectingProxy done = FaultInjectingProxy.start(plain.address()).task("/Actions/ComputerSystem.Reset", 3, "Completed");
                FaultInjectingProxy failed = FaultInjectingProxy.start(plain.address()).task("/Actions/ComputerSystem.Reset", 1, "Exception")) {
            ConfiguredBmc ok = TestBmcs.bmc(TestBmcs.redfish("task-ok", done.address(), USER, PASSWORD));
            String system = SushyEmulator.systemPath(P);
            ok.bmc().power(system, PowerAction.ON, DiscoveryContext.withTimeout("t", Duration.ofSeconds(20)));
            assertThat(done.seen()).filteredOn(s -> s.path().startsWith("/taskmon/")).hasSize(4);
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (ok.bmc().powerState(system, DiscoveryContext.withTimeout("t", Duration.ofSeconds(5))) != PowerState.ON && System.nanoTime() < end) {
                Thread.sleep(250);
            }
            assertThat(ok.bmc().powerState(system, DiscoveryContext.withTimeout("t", Duration.ofSeconds(5)))).isEqualTo(PowerState.ON);

            ConfiguredBmc bad = TestBmcs.bmc(TestBmcs.redfish("task-bad", failed.address(), USER, PASSWORD));
            assertThatThrownBy(() -> bad.bmc().power(system, PowerAction.FORCE_RESTART, DiscoveryContext.withTimeout("t", Duration.ofSeconds(20))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                    .hasMessageContaining("BMC task-bad").hasMessageContaining("ended Exception")
                    .hasMessageContaining("The power supply refused the request.");
            ok.close();
            bad.close();
        }
    }

    /** Sessions (offered by the proxy on top of sushy's basic authentication): created once, used, made again when forgotten, deleted on close. */
    @Test
    void sessionsAreCreatedReusedRenewedAndDeleted() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD)) {
            ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("sessions", proxy.address(), USER, PASSWORD));
            DiscoveryContext context = DiscoveryContext.withTimeout("s", Duration.ofSeconds(20));
            bmc.bmc().discover(bmc.template("bmc"), context);
            assertThat(proxy.requests("POST", "/SessionService/Sessions")).hasSize(1);
            assertThat(proxy.seen()).filteredOn(s -> s.method().equals("GET") && s.path().contains("/Systems/"))
                    .allSatisfy(s -> assertThat(s.token() && !s.basic()).as(s.path()).isTrue());
            bmc.bmc().discover(bmc.template("bmc"), context);
            assertThat(proxy.requests("POST", "/SessionService/Sessions")).as("the session is reused").hasSize(1);

            proxy.expireSessions();
            List<Node> nodes = bmc.bmc().discover(bmc.template("bmc"), context);
            assertThat(nodes).hasSize(1);
            assertThat(proxy.requests("POST", "/SessionService/Sessions")).as("a forgotten session is made again").hasSize(2);

            bmc.close();
            assertThat(proxy.deletedSessions()).hasSize(1);
            assertThat(proxy.liveSessions()).isZero();
        }
    }

    /**
     * A login whose {@code Location} cannot be used to delete the session (missing, on another
     * host, no URI at all, or a link to a system rather than a session) has the session deleted at
     * the close through the {@code @odata.id} of the session resource in the login's body, and at
     * nothing else. Before, a {@code Location} on another host or that was no URI failed the login
     * after the BMC had made the session, which nothing deleted (and the next request logged in
     * again), and one of a system had the close send the DELETE there. sushy-tools has no sessions
     * and a real BMC's emulator always sends a good {@code Location}, so the proxy makes the
     * sessions and gives the links.
     */
    @Test
    void aSessionWhoseLocationCannotBeUsedIsDeletedThroughItsODataId() throws Exception {
        Map<String, java.util.function.UnaryOperator<String>> locations = new java.util.LinkedHashMap<>();
        locations.put("no Location", path -> null);
        locations.put("on another host", path -> "http://elsewhere.invalid:8000" + path);
        locations.put("no URI", path -> path + "/{made}");
        locations.put("a system", path -> "/redfish/v1/Systems/p");
        for (Map.Entry<String, java.util.function.UnaryOperator<String>> e : locations.entrySet()) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD)
                    .sessionLinks(e.getValue(), java.util.function.UnaryOperator.identity())) {
                ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("location", proxy.address(), USER, PASSWORD));
                Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> bmc.bmc().discover(bmc.template("bmc"),
                        DiscoveryContext.withTimeout("l", Duration.ofSeconds(20))));
                bmc.close();
                assertThat(proxy.liveSessions()).as(e.getKey() + ": every session made is deleted at the close").isZero();
                assertThat(proxy.deletedSessions()).as(e.getKey()).hasSize(proxy.requests("POST", "/SessionService/Sessions").size());
                assertThat(proxy.requests("DELETE", "")).as(e.getKey() + ": deletes of sessions only")
                        .allSatisfy(seen -> assertThat(seen.path()).startsWith("/redfish/v1/SessionService/Sessions/"));
                assertThat(failed).as(e.getKey() + ": the login serves").isNull();
            }
        }
    }

    /**
     * A login that gives no link the session can be deleted by (no {@code Location}, and an
     * {@code @odata.id} on another host) serves on its session, which is left to the BMC's expiry
     * of idle sessions, and a warning says so without the token. Before, the login failed after
     * the BMC had made the session. The proxy gives the links (see
     * {@link #aSessionWhoseLocationCannotBeUsedIsDeletedThroughItsODataId}).
     */
    @Test
    void aSessionWithoutAUsableLinkServesAndIsLeftToTheBmcsExpiryWithAWarning() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD)
                .sessionLinks(path -> null, path -> "http://elsewhere.invalid:8000" + path)) {
            ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("no-link", proxy.address(), USER, PASSWORD));
            try (StderrCapture log = new StderrCapture()) {
                List<Node> nodes = bmc.bmc().discover(bmc.template("bmc"), DiscoveryContext.withTimeout("n", Duration.ofSeconds(20)));
                assertThat(nodes).hasSize(1);
                assertThat(proxy.tokens()).hasSize(1);
                assertThat(log.text()).contains("BMC no-link: the login's answer gives no link to the session it made that Strata can "
                        + "delete it by (Location none, @odata.id http://elsewhere.invalid:8000/redfish/v1/SessionService/Sessions/")
                        .contains("the session is not deleted when the client closes and is left to the BMC's expiry of idle sessions")
                        .doesNotContain(proxy.tokens().iterator().next()).doesNotContain(PASSWORD);
            }
            bmc.close();
            assertThat(proxy.requests("DELETE", "")).as("no delete sent anywhere").isEmpty();
            assertThat(proxy.liveSessions()).isEqualTo(1);
        }
    }

    /**
     * With auth = auto, a login the BMC fails (500) fails that discovery and leaves sessions on:
     * the next discovery logs in and goes with the token. Only a login answered as by a BMC
     * without sessions (404, 405, 501) falls back to basic authentication. Before, the 500 switched
     * the BMC to basic authentication until the provider restarted.
     */
    @Test
    void aLoginTheBmcFailsIsNoReasonToGiveUpSessions() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD)) {
            ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("login-500", proxy.address(), USER, PASSWORD));
            closing.add(bmc::close);
            DiscoveryContext context = DiscoveryContext.withTimeout("login-500", Duration.ofSeconds(20));
            proxy.refuse("/SessionService/Sessions", 1, 500);
            assertThatThrownBy(() -> bmc.bmc().discover(bmc.template("bmc"), context))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderFailureException.class)
                    .hasMessageContaining("SessionService/Sessions answered HTTP 500").hasMessageNotContaining(PASSWORD);
            proxy.clear();

            assertThat(bmc.bmc().discover(bmc.template("bmc"), context)).hasSize(1);
            assertThat(proxy.requests("POST", "/SessionService/Sessions")).as("logged in again").hasSize(1);
            assertThat(proxy.seen()).filteredOn(s -> s.method().equals("GET") && s.path().contains("/Systems/")).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.token() && !s.basic()).as(s.path()).isTrue());
        }
        for (int refusal : new int[] {404, 405, 501}) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD)) {
                ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("login-" + refusal, proxy.address(), USER, PASSWORD));
                closing.add(bmc::close);
                DiscoveryContext context = DiscoveryContext.withTimeout("login-" + refusal, Duration.ofSeconds(20));
                proxy.refuse("/SessionService/Sessions", 1, refusal);
                assertThat(bmc.bmc().discover(bmc.template("bmc"), context)).as("%d", refusal).hasSize(1);
                assertThat(proxy.seen()).filteredOn(s -> s.method().equals("GET") && s.path().contains("/Systems/")).isNotEmpty()
                        .allSatisfy(s -> assertThat(s.basic() && !s.token()).as("%d %s", refusal, s.path()).isTrue());
            }
        }
    }

    /**
     * A restart asked of a system that reads off is sent as On: the system comes on. A BMC may
     * refuse a restart of a system that is off, or accept it and do nothing; sushy-emulator's fake
     * driver turns it into On later, so what the BMC was sent is read at the proxy in front of it.
     * Before, ForceRestart was sent.
     */
    @Test
    void aRestartOfASystemThatIsOffIsSentAsPowerOn() throws Exception {
        String system = SushyEmulator.systemPath(P);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("restart-off", proxy.address(), USER, PASSWORD));
            closing.add(bmc::close);
            DiscoveryContext context = DiscoveryContext.withTimeout("restart-off", Duration.ofSeconds(30));
            bmc.bmc().power(system, PowerAction.FORCE_OFF, context);
            assertThat(awaitPower(bmc.bmc(), system, PowerState.OFF)).isEqualTo(PowerState.OFF);

            assertThat(bmc.bmc().power(system, PowerAction.FORCE_RESTART, context)).isEqualTo(PowerAction.ON);
            assertThat(proxy.resetTypes()).containsExactly("ForceOff", "On");
            assertThat(awaitPower(bmc.bmc(), system, PowerState.ON)).isEqualTo(PowerState.ON);
            // on, a restart is a restart
            assertThat(bmc.bmc().power(system, PowerAction.FORCE_RESTART, context)).isEqualTo(PowerAction.FORCE_RESTART);
            assertThat(proxy.resetTypes()).containsExactly("ForceOff", "On", "ForceRestart");
        }
    }

    /** Polls until the system reads {@code wanted} (sushy's fake driver changes power 1 to 11 s after a request), 20 s at most. */
    private static PowerState awaitPower(dev.strata.provider.baremetal.bmc.Bmc bmc, String system, PowerState wanted) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        PowerState now = bmc.powerState(system, DiscoveryContext.withTimeout("await", Duration.ofSeconds(10)));
        while (now != wanted && System.nanoTime() < end) {
            Thread.sleep(250);
            now = bmc.powerState(system, DiscoveryContext.withTimeout("await", Duration.ofSeconds(10)));
        }
        return now;
    }

    /**
     * Closing a BMC deletes its Redfish session within the BMC's requestTimeout (here 1 s) when the
     * BMC hangs: the session is made through the proxy (sushy has no sessions), then the proxy
     * stops and a local socket on its port accepts the delete and never answers. No real peer can
     * hang on demand; the socket stands in for one. Before, close waited 5 s whatever the
     * requestTimeout (RedfishActionsTest has the 10 s ceiling).
     */
    @Test
    void closingABmcThatHangsWaitsForTheSessionDeleteNoLongerThanTheRequestTimeout() throws Exception {
        FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD);
        int port = java.net.URI.create(proxy.address()).getPort();
        Map<String, Object> config = TestBmcs.redfish("hangs-at-close", proxy.address(), USER, PASSWORD);
        config.put("requestTimeout", "1s");
        ConfiguredBmc bmc = TestBmcs.bmc(config);
        try {
            bmc.bmc().discover(bmc.template("bmc"), DiscoveryContext.withTimeout("s", Duration.ofSeconds(20)));
            assertThat(proxy.liveSessions()).isEqualTo(1);
        } finally {
            proxy.close();
        }
        Thread.sleep(300); // the client drops its connection to the stopped proxy
        try (ServerSocket hung = new ServerSocket()) {
            hung.setReuseAddress(true);
            hung.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(hung.accept()); // accepted, never answered
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            long start = System.nanoTime();
            bmc.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(accepted).as("the session delete was sent to the BMC").isNotEmpty();
            assertThat(took).as("waited for the delete about requestTimeout (1 s), not 5 s").isGreaterThan(Duration.ofMillis(800))
                    .isLessThan(Duration.ofMillis(2500));
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /**
     * A request that finds another request logging in waits for it at most until its own deadline.
     * Before, it waited on the login's monitor for as long as the other request's login took (up to
     * that request's deadline), far past its own.
     */
    @Test
    void aRequestWaitingForAnotherRequestsLoginGivesUpAtItsOwnDeadline() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address()).sessions(USER, PASSWORD).sessionDelay(Duration.ofSeconds(8))) {
            ConfiguredBmc bmc = TestBmcs.bmc(TestBmcs.redfish("slow-login", proxy.address(), USER, PASSWORD));
            java.util.concurrent.ExecutorService first = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Future<List<Node>> patient = first.submit(() -> bmc.bmc().discover(bmc.template("bmc"),
                        DiscoveryContext.withTimeout("patient", Duration.ofSeconds(30))));
                // the first request is logging in: the BMC answers its login 8 s after it arrives (the proxy records it then)
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (proxy.loginsBegun() == 0) {
                    assertThat(System.nanoTime()).as("the first request's login reached the BMC").isLessThan(until);
                    Thread.sleep(20);
                }
                assertThat(proxy.requests("POST", "/SessionService/Sessions")).as("the first login not answered yet").isEmpty();
                assertThatThrownBy(() -> bmc.bmc().discover(bmc.template("bmc"), DiscoveryContext.withTimeout("hurried", Duration.ofMillis(800))))
                        .isInstanceOf(ProviderTimeoutException.class)
                        .hasMessage("BMC slow-login: another request was still logging in when this one's deadline passed (operation hurried)");
                assertThat(proxy.requests("POST", "/SessionService/Sessions")).as("given up at its own deadline, the first login not answered yet")
                        .isEmpty();
                assertThat(proxy.loginsBegun()).as("no login of its own").isEqualTo(1);
                assertThat(patient.get(30, TimeUnit.SECONDS)).hasSize(1);
                assertThat(proxy.requests("POST", "/SessionService/Sessions")).as("one login").hasSize(1);
            } finally {
                first.shutdownNow();
                bmc.close();
            }
        }
    }

    /**
     * A power-on or power-off whose fate is unknown (the provider stopped after announcing it: the
     * record says POWER_INTENT or POWER_OFF_INTENT) is sent again on the next try, but not to a
     * machine that already reads the state it asked for. The BMC here (sushy-emulator behind a proxy
     * that changes the reset types the system allows) offers only its power button for the change,
     * PushPowerButton, a toggle: a second press turns a machine that came on off again, and one that
     * went off on again. Before, the press was sent again (sushy refuses PushPowerButton, so the
     * machine here kept its state; a BMC that has the button would have toggled it).
     */
    @Test
    void aPowerChangeResumedAfterItLandedIsNotSentAgain() throws Exception {
        String reset = "/Actions/ComputerSystem.Reset";
        String system = SushyEmulator.systemPath(P);
        String node = "bmc:" + P.uuid();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(10));
            ConfiguredBmc configured = TestBmcs.bmc(TestBmcs.redfish("button", proxy.address(), USER, PASSWORD));
            provider.bind(configured);
            poweredOn(configured, system);
            proxy.rewrite(system, allowing("PushPowerButton", "ForceOff", "ForceRestart"));
            int before = proxy.resetTypes().size();

            // the power-on reached the BMC and the machine came on; the provider stopped before recording it
            Instant then = Instant.now();
            provider.provisioner().journal().put(new Operation("op-on-landed", "dep-1", "m", "tenant-a", node, "button", system, "pxe", null,
                    "force", Operation.Phase.POWER_INTENT, PowerAction.ON, then, then, then, null));
            MachineStatus on = provider.create(request("op-on-landed", node), DiscoveryContext.withTimeout("c", Duration.ofSeconds(30)));
            assertThat(on.state()).isEqualTo(MachineState.RUNNING);
            assertThat(sentSince(proxy, before)).as("the power button is not pressed again").isEmpty();
            assertThat(on.steps()).anySatisfy(step -> assertThat(step).contains("power-requested On (announced at " + then)
                    .contains("not sent again, the machine reads On"));
            MachineStatus deleted = provider.delete(on.handle(), DiscoveryContext.withTimeout("d", Duration.ofSeconds(40)));
            assertThat(deleted.state()).isEqualTo(MachineState.GONE);
            assertThat(sentSince(proxy, before)).containsExactly("ForceOff");

            // likewise a graceful shutdown that the machine carried out
            proxy.rewrite(system, allowing("PushPowerButton", "On", "ForceRestart"));
            int offBefore = proxy.resetTypes().size();
            Instant later = Instant.now();
            Operation off = provider.provisioner().journal().put(new Operation("op-off-landed", "dep-1", "m", "tenant-a", node, "button", system,
                    "pxe", null, "graceful", Operation.Phase.POWER_OFF_INTENT, PowerAction.GRACEFUL_SHUTDOWN, later, later, later, null));
            MachineStatus gone = provider.delete(provider.provisioner().handle(off), DiscoveryContext.withTimeout("d2", Duration.ofSeconds(30)));
            assertThat(gone.state()).isEqualTo(MachineState.GONE);
            assertThat(sentSince(proxy, offBefore)).as("the power button is not pressed again").isEmpty();
            assertThat(configured.bmc().powerState(system, DiscoveryContext.withTimeout("p", Duration.ofSeconds(10)))).isEqualTo(PowerState.OFF);
        }
    }

    /** The reset types the proxy saw after the first {@code before}. */
    private static List<String> sentSince(FaultInjectingProxy proxy, int before) {
        List<String> all = proxy.resetTypes();
        return all.subList(before, all.size());
    }

    /** A proxy rewrite of a system's answer that makes its reset action allow these reset types only. */
    private static java.util.function.UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> allowing(String... types) {
        return system -> {
            com.fasterxml.jackson.databind.node.ArrayNode allowed = ((com.fasterxml.jackson.databind.node.ObjectNode) system.path("Actions")
                    .path("#ComputerSystem.Reset")).putArray("ResetType@Redfish.AllowableValues");
            for (String t : types) {
                allowed.add(t);
            }
            return system;
        };
    }

    /**
     * Two BMC configurations that give the same name (a file copied for the next machine with its
     * address changed and its name not): operations record their BMC by name, and a reset meant for
     * one machine was sent to the other BMC, the first of the name, at the same system path (on real
     * BMCs often {@code /redfish/v1/Systems/1}: another machine). Now the create is refused before
     * anything is recorded or sent, naming the property and both configurations, and discovery
     * reports the BMCs UNAVAILABLE with the same reason. Before, the create went to the blade's BMC
     * (here sushy answered 404 for a system it does not have, so the machine was given up).
     */
    @Test
    void twoBmcsWithOneNameAreRefusedBeforeAnythingIsSentToEither() throws Exception {
        try (FaultInjectingProxy rack = FaultInjectingProxy.start(plain.address())) {
            BmcProvider provider = provider(Duration.ofSeconds(15));
            // the blade's configuration sorts first by its PID: the one the name led to
            Map<String, Object> blade = pinned("dup", PASSWORD, tls.certificate().fingerprint());
            provider.bind(new ConfiguredBmc(TestBmcs.config(blade), "dev.strata.provider.bmc~a-blade", Path.of("/nonexistent")));
            provider.bind(new ConfiguredBmc(TestBmcs.config(TestBmcs.redfish("dup", rack.address(), USER, PASSWORD)),
                    "dev.strata.provider.bmc~b-rack", Path.of("/nonexistent")));
            String expected = "name = 'dup' is invalid; expected a name unique among the BMCs";

            assertThatThrownBy(() -> provider.create(request("op-dup", "bmc:" + P.uuid()), DiscoveryContext.withTimeout("c", Duration.ofSeconds(30))))
                    .isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                    .hasMessageContaining(expected).hasMessageContaining("dev.strata.provider.bmc~a-blade")
                    .hasMessageContaining("dev.strata.provider.bmc~b-rack");
            assertThat(provider.provisioner().journal().get("op-dup")).as("nothing recorded").isEmpty();
            assertThat(rack.seen()).as("only reads reached the rack's BMC").allSatisfy(seen -> assertThat(seen.method()).isEqualTo("GET"));

            ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("d", Duration.ofSeconds(30)));
            assertThat(snapshot.nodes()).as("no machine of either BMC is offered").allSatisfy(n -> {
                assertThat(n.state()).isEqualTo(ResourceState.UNAVAILABLE);
                assertThat(n.attributes().get(NodeTemplate.ERROR)).contains(expected);
            });
            assertThat(error(snapshot, "bmc:dup")).contains("dev.strata.provider.bmc~a-blade: " + expected)
                    .contains("configuration dev.strata.provider.bmc~b-rack gives it too");
        }
    }

    static MachineRequest request(String operationId, String nodeId) {
        return new MachineRequest(operationId, "dep-1", "member-" + operationId, "tenant-a", MachineTarget.node(nodeId),
                new MachineResources(1000, 1L << 30, 0, List.of(), null), Map.of());
    }

    private static Node node(ComputeSnapshot snapshot, String id) {
        return snapshot.nodes().stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + id + " in " + snapshot.nodes().stream().map(Node::id).toList()));
    }

    private static String error(ComputeSnapshot snapshot, String id) {
        return node(snapshot, id).attributes().get(NodeTemplate.ERROR);
    }
}
