package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.ProviderProperties;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Installs strata-metrics in the running distribution (it is carried, not booted) on a free port,
 * as an operator does (refresh allowed: nothing of Strata restarts), and scrapes {@code /metrics} over HTTP: the content type, nodes as the
 * inventory holds them, the core's placement counter rising with a placement through the service
 * injected before the installation (still the live one: nothing was restarted), the deployment
 * engine's provisioning counter rising with a provider's listing, and a collector another bundle
 * registers.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Inject
    BootFinished bootFinished;
    @Inject
    FeaturesService features;
    @Inject
    Inventory inventory;
    @Inject
    ProviderRegistry registry;
    @Inject
    Placement placement;
    @Inject
    ContractReader contracts;
    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<Option> options = new ArrayList<>(KarafOptions.strataDistribution());
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(port)));
        options.add(systemProperty("strata.itest.metrics.port").value(String.valueOf(port)));
        return options.toArray(new Option[0]);
    }

    /** One series of a scrape. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A scrape: its content type and series. */
    record Page(String contentType, List<Sample> samples) {
        double sum(String name, Map<String, String> where) {
            return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(where.entrySet()))
                    .mapToDouble(Sample::value).sum();
        }

        List<Sample> named(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }
    }

    private static String url() {
        return "http://127.0.0.1:" + System.getProperty("strata.itest.metrics.port") + "/metrics";
    }

    private static Page get() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url()).openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        try {
            if (c.getResponseCode() != 200) {
                throw new IOException(url() + " answered " + c.getResponseCode());
            }
            String body;
            try (InputStream in = c.getInputStream()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            List<Sample> samples = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertTrue("a sample line: " + line, m.matches());
                Map<String, String> labels = new TreeMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
                    }
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return new Page(c.getContentType(), samples);
        } finally {
            c.disconnect();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + " after " + PATIENCE);
            }
            Thread.sleep(200);
        }
    }

    private static boolean answers() {
        try {
            get();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The bundles stopped while strata-metrics was installed (a refresh stops and starts them). */
    private static final List<String> STOPPED_BY_INSTALL = new CopyOnWriteArrayList<>();

    @Before
    public void metricsInstalled() throws Exception {
        if (!features.isInstalled(features.getFeature("strata-metrics"))) {
            // as the README says: a plain install, refresh allowed
            // synchronous: told as each bundle stops, also by a refresh that ends after installFeature returns
            SynchronousBundleListener stops = e -> {
                if (e.getType() == BundleEvent.STOPPING) {
                    STOPPED_BY_INSTALL.add(e.getBundle().getSymbolicName());
                }
            };
            context.addBundleListener(stops);
            features.installFeature("strata-metrics", EnumSet.noneOf(FeaturesService.Option.class));
        }
        await("the bare-metal provider to be active",
                () -> registry.provider("baremetal").map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
        await(url() + " to answer", MetricsIT::answers);
    }

    /**
     * H2 imports javax.servlet optionally: when only Pax Web brought the servlet API, installing
     * strata-metrics refreshed H2 and, through it, the state store and the core, whose services
     * restarted under a running Strata (the injected placement service failed: "HikariDataSource
     * (strata-store) has been closed"). The servlet API is in strata-store from the start now.
     */
    @Test
    public void installingTheFeatureRestartsNothingOfStrata() throws Exception {
        assertTrue("bundles stopped by the install: " + STOPPED_BY_INSTALL, STOPPED_BY_INSTALL.stream()
                .noneMatch(n -> n.startsWith("dev.strata") || n.startsWith("com.h2database") || n.equals("com.zaxxer.HikariCP")));
        // the placement service injected before the install is the live one still
        placement.place(contracts.read("{name: after-install, tenant: t, members: [{name: m, cpu: 1}]}", "MetricsIT"), true);
    }

    @Test
    public void nodesAsTheInventoryHoldsThemInPrometheusText() throws Exception {
        Page page;
        InventorySnapshot snapshot;
        do { // the same inventory generation on both sides, should a refresh land in between
            page = get();
            snapshot = inventory.snapshot();
        } while (page.sum("strata_inventory_generation", Map.of()) != snapshot.generation());
        assertTrue(page.contentType(), page.contentType().startsWith("text/plain; version=0.0.4"));
        Map<Map<String, String>, Double> expected = new HashMap<>();
        for (Node n : snapshot.nodes()) {
            expected.merge(new TreeMap<>(Map.of("provider", n.providerId(), "state", n.state().name())), 1.0, Double::sum);
        }
        Map<Map<String, String>, Double> scraped = new HashMap<>();
        page.named("strata_nodes").forEach(s -> scraped.put(s.labels(), s.value()));
        assertFalse("the inventory holds this machine", expected.isEmpty());
        assertEquals(expected, scraped);
        assertEquals("the bare-metal provider is active", 1.0,
                page.sum("strata_provider_state", Map.of("provider", "baremetal", "state", "ACTIVE")), 0);
        assertTrue("its discoveries are counted by the core",
                page.sum("strata_provider_calls_total", Map.of("provider", "baremetal", "outcome", "ok")) >= 1);
    }

    @Test
    public void aPlacementMovesThePlacementCounter() throws Exception {
        Contract contract = contracts.read("{name: metrics-probe, tenant: t, members: [{name: m, cpu: 1}]}", "MetricsIT");
        double before = get().sum("strata_placements_total", Map.of("mode", "dry_run"));
        double countBefore = get().sum("strata_placement_duration_seconds_count", Map.of("mode", "dry_run"));
        placement.place(contract, true);
        Page after = get();
        assertEquals(before + 1, after.sum("strata_placements_total", Map.of("mode", "dry_run")), 0);
        assertEquals(countBefore + 1, after.sum("strata_placement_duration_seconds_count", Map.of("mode", "dry_run")), 0);
    }

    @Test
    public void aCollectorAnotherBundleRegistersIsWrittenUntilItGoes() throws Exception {
        MultiCollector vendor = () -> MetricSnapshots.of(GaugeSnapshot.builder().name("vendor_probe_widgets").help("Widgets")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(7).build()).build());
        ServiceRegistration<MultiCollector> registration = context.registerService(MultiCollector.class, vendor, null);
        try {
            assertEquals(7.0, get().sum("vendor_probe_widgets", Map.of()), 0);
            assertFalse("Strata's own families are still there", get().named("strata_nodes").isEmpty());
        } finally {
            registration.unregister();
        }
        assertTrue(get().named("vendor_probe_widgets").isEmpty());
    }

    /**
     * A provisioning provider this bundle registers, as a vendor's bundle does: the deployment
     * engine's reconciler lists it at once (a new provider starts a pass) and on every pass. The
     * first listing waits for {@code answer}; every later one is held until the test ends, so
     * only the first one can be counted while the test reads the counter.
     */
    private static final class ProbeProvider implements ProvisioningProvider {

        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final CountDownLatch hold = new CountDownLatch(1);
        final AtomicInteger listings = new AtomicInteger();

        @Override
        public List<MachineStatus> machines(DiscoveryContext context) {
            boolean first = listings.incrementAndGet() == 1;
            entered.countDown();
            try {
                (first ? answer : hold).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }

        @Override
        public MachineStatus create(MachineRequest request, DiscoveryContext context) {
            throw new IllegalStateException("MetricsIT's probe makes no machines");
        }

        @Override
        public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
            throw new IllegalStateException("MetricsIT's probe has no machines");
        }

        @Override
        public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
            return Optional.empty();
        }

        @Override
        public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
            throw new IllegalStateException("MetricsIT's probe has no machines");
        }
    }

    private static double scraped(String name, Map<String, String> where) {
        try {
            return get().sum(name, where);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    public void aProvisioningCallMovesTheProvisioningCounterOfItsProviderCallAndOutcomeByOne() throws Exception {
        String id = "metrics-probe";
        Map<String, String> listedOk = Map.of("provider", id, "call", "list", "outcome", "ok");
        Map<String, String> listed = Map.of("provider", id, "call", "list");
        ProbeProvider probe = new ProbeProvider();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ProviderProperties.ID, id);
        properties.put(ProviderProperties.VENDOR, "itest");
        ServiceRegistration<ProvisioningProvider> registration = context.registerService(ProvisioningProvider.class, probe, properties);
        try {
            assertTrue("the reconciler lists the new provider", probe.entered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            // the listing is in the provider: not counted yet
            Page before = get();
            double ok = before.sum("strata_provisioning_calls_total", listedOk);
            double calls = before.sum("strata_provisioning_calls_total", listed);
            double observed = before.sum("strata_provisioning_call_duration_seconds_count", listed);
            probe.answer.countDown();
            await("the listing to be counted", () -> scraped("strata_provisioning_calls_total", listedOk) > ok);
            Page after = get();
            assertEquals(ok + 1, after.sum("strata_provisioning_calls_total", listedOk), 0);
            assertEquals("no other outcome", calls + 1, after.sum("strata_provisioning_calls_total", listed), 0);
            assertEquals(observed + 1, after.sum("strata_provisioning_call_duration_seconds_count", listed), 0);
            assertTrue("its latency is observed in the histogram's buckets",
                    after.sum("strata_provisioning_call_duration_seconds_bucket", Map.of("provider", id, "call", "list", "le", "+Inf"))
                            == observed + 1);
        } finally {
            probe.hold.countDown();
            registration.unregister();
        }
    }

    /** The status a GET of /metrics sending {@code authorization} (null: none) is answered with, and its WWW-Authenticate header. */
    private static String statusOf(String authorization) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url()).openConnection();
            c.setConnectTimeout(10_000);
            c.setReadTimeout(60_000);
            if (authorization != null) {
                c.setRequestProperty("Authorization", authorization);
            }
            try {
                int code = c.getResponseCode();
                String challenge = c.getHeaderField("WWW-Authenticate");
                return code + (challenge == null ? "" : " " + challenge);
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * With {@code tokenFile} set in {@code dev.strata.platform.metrics}, as README's "Metrics" shows, a
     * scrape must send the file's token: without it, or with another, 401 and a Bearer challenge;
     * while the file is gone, 503 whatever is sent; with it, the page. The file is read at each
     * scrape, so a rewritten one rotates the token. Deleting the configuration opens the endpoint
     * again (the other tests here scrape without a token).
     */
    @Test
    public void aConfiguredTokenFileMakesEveryScrapeSendItsToken() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("strata-metrics", ".token");
        String token = "6c1f0e9b4a7d2e85c3b0f1a9d8e7c6b5";
        java.nio.file.Files.writeString(file, token + "\n");
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("dev.strata.platform.metrics", "?");
        try {
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put("tokenFile", file.toString());
            config.update(properties);
            String challenge = "401 Bearer realm=\"strata-metrics\"";
            await("a scrape without the token to be refused", () -> statusOf(null).equals(challenge));
            assertEquals(challenge, statusOf("Bearer 6c1f0e9b4a7d2e85c3b0f1a9d8e7c6b4"));
            assertEquals(challenge, statusOf("Basic " + token));
            assertEquals("200", statusOf("Bearer " + token));

            java.nio.file.Files.delete(file);
            assertEquals("503", statusOf("Bearer " + token));
            assertEquals("503", statusOf(null));

            String rotated = "0a9b8c7d6e5f40312a3b4c5d6e7f8091";
            java.nio.file.Files.writeString(file, rotated);
            assertEquals(challenge, statusOf("Bearer " + token));
            assertEquals("200", statusOf("Bearer " + rotated));
        } finally {
            config.delete();
            java.nio.file.Files.deleteIfExists(file);
            await("the endpoint to answer without a token again", () -> statusOf(null).equals("200"));
        }
    }

    /**
     * A change of the metrics configuration never takes {@code /metrics} away, even for a moment:
     * a scraper that scrapes all the time while the token file setting changes ten times sees only
     * the page (no token asked for) and 503 (a token file that gives no token). Before, the
     * servlet's service carried the configuration, and the HTTP whiteboard registered it again at
     * each change: a scrape in between got 404 (seen in CI, in the test above).
     */
    @Test
    public void aConfigurationChangeNeverTakesTheEndpointAway() throws Exception {
        await("the endpoint to answer", () -> statusOf(null).equals("200"));
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("dev.strata.platform.metrics", "?");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<String> unexpected = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger scrapes = new java.util.concurrent.atomic.AtomicInteger();
        Thread scraper = new Thread(() -> {
            while (!stop.get()) {
                String status = statusOf(null);
                scrapes.incrementAndGet();
                if (!status.equals("200") && !status.equals("503")) {
                    unexpected.add(status);
                }
            }
        }, "metrics-scraper");
        scraper.start();
        try {
            for (int i = 0; i < 10; i++) {
                Hashtable<String, Object> properties = new Hashtable<>();
                properties.put("tokenFile", i % 2 == 0 ? "/nonexistent/strata-metrics-" + i + ".token" : "");
                config.update(properties);
                Thread.sleep(400);
            }
        } finally {
            stop.set(true);
            scraper.join(10_000);
            config.delete();
            await("the endpoint to answer without a token again", () -> statusOf(null).equals("200"));
        }
        assertTrue("scrapes made: " + scrapes.get(), scrapes.get() > 20);
        assertEquals(java.util.List.of(), unexpected);
    }
}
