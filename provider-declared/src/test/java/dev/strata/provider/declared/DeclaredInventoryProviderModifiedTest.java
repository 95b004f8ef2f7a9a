package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.RefreshingRegistry;
import dev.strata.platform.testkit.StderrCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The component's {@code @Modified} path, called as Declarative Services calls it: the method the
 * component's descriptor names (without one, every change makes the component again, and a refused
 * value leaves no provider at all). The provider watches its file; a registry standing in for the
 * core discovers it whenever the provider asks and records the node count. The core's
 * {@link ConfigurationRejections} is bound as the descriptor binds it, recording what it is told.
 */
class DeclaredInventoryProviderModifiedTest {

    private static final String NODES = "sites: [{id: s1, country: DE}]\nnodes: [{count: %d, model: dgx-a100, idPrefix: a-, site: s1}]\n";

    @TempDir
    Path dir;
    final BlockingQueue<Integer> discovered = new LinkedBlockingQueue<>();
    final List<DeclaredInventoryProvider> started = new ArrayList<>();
    /** What the provider told the core's ConfigurationRejections: each refused change, with whether the settings before stay in force. */
    final RecordingRejections rejections = new RecordingRejections();

    @AfterEach
    void stop() {
        started.forEach(DeclaredInventoryProvider::deactivate);
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("t", Duration.ofSeconds(10));
    }

    /** A provider watching {@code file}, which the registry discovers whenever it asks. */
    private DeclaredInventoryProvider watching(Path file, Duration settle) {
        DeclaredInventoryProvider provider = new DeclaredInventoryProvider(file, InventoryDocumentReader.withBuiltInCatalogue(),
                Clock.systemUTC(), settle, true);
        started.add(provider);
        provider.registry = new RefreshingRegistry(id -> discovered.add(provider.discoverCompute(context()).nodes().size()));
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
        return provider;
    }

    /** Writes an inventory of {@code nodes} nodes and dates it in the past, so that it counts as settled at once. */
    private static Path inventory(Path file, int nodes) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, NODES.formatted(nodes));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        return file;
    }

    /** The component's modified method, as its descriptor names it, called with the changed configuration. */
    private static void modified(DeclaredInventoryProvider provider, Map<String, Object> properties) throws Exception {
        ComponentDescriptors.modified(provider, Converters.standardConverter().convert(properties).to(DeclaredInventoryConfig.class), properties);
    }

    /** Waits, generously, for a rediscovery that finds {@code nodes} nodes; other counts on the way are passed over. */
    private void awaitDiscovered(int nodes, String what) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Integer> seen = new ArrayList<>();
        while (System.nanoTime() < end) {
            Integer n = discovered.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (n != null && n == nodes) {
                return;
            }
            if (n != null) {
                seen.add(n);
            }
        }
        throw new AssertionError(what + ": no rediscovery found " + nodes + " nodes within 20 s (found " + seen + ")");
    }

    /**
     * A blank {@code file} is refused, logged at ERROR, and the previous file stays read and
     * watched: a saved change of it is still picked up. Before, Declarative Services made the
     * component again from the refused configuration, which failed: the provider departed and
     * everything declared went stale until the file was corrected. The refusal is recorded in the
     * provenance log through the core's ConfigurationRejections, once, with the provider's PID and the
     * message logged.
     */
    @Test
    void aRefusedChangeKeepsThePreviousFileAndItsWatch() throws Exception {
        Path file = inventory(dir.resolve("etc/strata-inventory.yaml"), 2);
        DeclaredInventoryProvider provider = watching(file, Duration.ofMillis(250));
        long before = provider.discoverCompute(context()).generation();

        try (StderrCapture log = new StderrCapture()) {
            modified(provider, Map.of("file", " "));
            assertThat(log.text()).contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.declared: "
                    + "file = ' ' is invalid; expected the path of a YAML inventory file, e.g. strata-inventory.yaml");
        }
        assertThat(rejections.told()).containsExactly(DeclaredInventoryProvider.PID + " | dev.strata.provider.declared: file = ' ' is invalid; "
                + "expected the path of a YAML inventory file, e.g. strata-inventory.yaml");
        assertThat(rejections.previousSettingsInForce()).as("the settings before it stay in force").containsExactly(true);
        ComputeSnapshot after = provider.discoverCompute(context());
        assertThat(after.nodes()).hasSize(2);
        assertThat(after.generation()).isGreaterThan(before);

        Files.writeString(file, NODES.formatted(4));
        awaitDiscovered(4, "a saved change of the file still watched");
    }

    /**
     * A valid change to another file stops the watch of the old one, watches the new one, and has
     * the new file read at once (the provider asks for a rediscovery); its generations go on above
     * the earlier ones. A change of the old file is then no change of the inventory.
     */
    @Test
    void aValidChangeToAnotherFileReadsAndWatchesThatFileInstead() throws Exception {
        Path old = inventory(dir.resolve("a/strata-inventory.yaml"), 2);
        Path next = inventory(dir.resolve("b/fra.yaml"), 5);
        DeclaredInventoryProvider provider = watching(old, Duration.ofMillis(250));
        long before = provider.discoverCompute(context()).generation();

        modified(provider, Map.of("file", next.toString()));
        awaitDiscovered(5, "the new file, read once the change applied");
        ComputeSnapshot after = provider.discoverCompute(context());
        assertThat(after.nodes()).hasSize(5);
        assertThat(after.generation()).isGreaterThan(before);

        discovered.clear();
        Files.writeString(next, NODES.formatted(7));
        awaitDiscovered(7, "a saved change of the new file");
        Files.writeString(old, NODES.formatted(3));
        assertThat(discovered.poll(1, TimeUnit.SECONDS)).as("a change of the file no longer configured").isNull();
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(7);
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }

    /**
     * A discovery under way when a change to another file applies finishes on the file it started
     * with: the change waits for it, and the discovery after it reads the new file. The discovery
     * here waits for its just-written file to settle, holding the provider's lock meanwhile.
     */
    @Test
    void aDiscoveryUnderWayFinishesOnTheFileItStartedWith() throws Exception {
        Path old = dir.resolve("a/strata-inventory.yaml");
        Files.createDirectories(old.getParent());
        Path next = inventory(dir.resolve("b/fra.yaml"), 5);
        DeclaredInventoryProvider provider = watching(old, Duration.ofSeconds(1));
        Files.writeString(old, NODES.formatted(2)); // just written: the discovery waits a second for it to settle

        AtomicReference<Thread> discovering = new AtomicReference<>();
        ExecutorService caller = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "discovery");
            discovering.set(t);
            return t;
        });
        try {
            CompletableFuture<Integer> underWay = CompletableFuture.supplyAsync(() -> provider.discoverCompute(context()).nodes().size(),
                    caller);
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((discovering.get() == null || discovering.get().getState() != Thread.State.TIMED_WAITING) && System.nanoTime() < end) {
                Thread.sleep(10); // polls the thread's state
            }
            assertThat(discovering.get().getState()).as("the discovery waits for its file to settle").isEqualTo(Thread.State.TIMED_WAITING);

            modified(provider, Map.of("file", next.toString()));
            assertThat(underWay.get(10, TimeUnit.SECONDS)).as("the discovery under way, on the file it started with").isEqualTo(2);
            assertThat(provider.discoverCompute(context()).nodes()).as("the next discovery, on the new file").hasSize(5);
        } finally {
            caller.shutdownNow();
        }
    }
}
