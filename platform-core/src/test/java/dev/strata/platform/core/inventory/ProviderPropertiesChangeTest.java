package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.ProviderProperties;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.DeclarativeServices;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

/**
 * A provider service whose properties change while it stays registered: an operator edits the
 * configuration of a provider whose component handles the change itself ({@code @Modified}, as
 * the OpenStack provider does), and Declarative Services registers the new properties on the
 * same service. The inventory is made and told of the change as Declarative Services does it,
 * from its descriptor ({@link DeclarativeServices}); the provenance log is a real embedded store.
 */
class ProviderPropertiesChangeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path data;

    private JdbcStateStore store;
    private InventoryService service;
    private final Map<String, Object> properties = new ConcurrentHashMap<>();
    private final ServiceReference<ComputeProvider> reference = DeclarativeServices.reference(properties, "dev.strata.provider.openstack",
            new Version(0, 1, 0));
    private final Cloud cloud = new Cloud();

    @BeforeEach
    void open() {
        store = StoreTestAccess.embedded(data);
        service = new InventoryService(new InventorySettings(Duration.ofHours(1), WAIT, Duration.ofSeconds(5), Duration.ofMinutes(15)),
                Clock.systemUTC());
        service.bindStore(store);
        properties.put(Constants.SERVICE_ID, 61L);
        properties.put(ProviderProperties.ID, "openstack");
        properties.put(ProviderProperties.VENDOR, "openstack");
        properties.put("region", "RegionOne");
    }

    @AfterEach
    void close() {
        cloud.release.countDown();
        service.deactivate();
        store.close();
    }

    /**
     * A cloud whose nodes are named after the provider id it is configured with now, as the
     * OpenStack provider's are ({@code <id>:<host>}); while {@link #hold} is set, a discovery
     * waits until it is interrupted or released.
     */
    private static final class Cloud implements ComputeProvider {
        volatile String id = "openstack";
        final AtomicLong generations = new AtomicLong();
        final AtomicBoolean hold = new AtomicBoolean();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public ComputeSnapshot discoverCompute(DiscoveryContext context) {
            if (hold.compareAndSet(true, false)) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    Thread.currentThread().interrupt();
                    throw new ProviderUnavailableException("discovery interrupted");
                }
            }
            String now = id;
            return compute(generations.incrementAndGet(), node(now + ":h1", now, "h1"));
        }
    }

    /** The operator's edit: the provider's own settings first (its {@code @Modified}), then the service's properties. */
    private void configure(String key, String value) {
        if (key.equals(ProviderProperties.ID)) {
            cloud.id = value;
        }
        properties.put(key, value);
        DeclarativeServices.propertiesChanged(service, ComputeProvider.class, reference, cloud);
    }

    /**
     * An id changed in the configuration: the inventory lists the provider under the new id, and
     * the old id departs as when its service is unregistered (its node stays, stale, for the grace
     * period; a refresh of it waits for it to return); the provenance log records the old id's
     * departure and the new id's registration; the service, unregistered, leaves under the new id.
     * Before, the inventory was not told: it kept the old id ACTIVE, with the nodes of the new
     * id's discoveries, and knew no provider by the new id.
     */
    @Test
    void anIdChangedInTheConfigurationDepartsTheOldIdAndRegistersTheNewOne() {
        service.bindCompute(reference, cloud);
        assertThat(service.refresh("openstack", WAIT).state()).isEqualTo(ProviderState.ACTIVE);

        configure(ProviderProperties.ID, "openstack-fra1");

        assertThat(service.provider("openstack")).get().extracting(ProviderStatus::state).isEqualTo(ProviderState.DEPARTED);
        assertThat(service.provider("openstack-fra1")).as("listed under its new id").isPresent();
        assertThat(service.refresh("openstack-fra1", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(service.snapshot().node("openstack-fra1:h1")).get().extracting(Node::state).isEqualTo(ResourceState.AVAILABLE);
        assertThat(service.snapshot().node("openstack:h1")).as("the old id's node, stale until the grace period passes").get()
                .extracting(Node::state).isEqualTo(ResourceState.STALE);
        assertThatThrownBy(() -> service.refresh("openstack", Duration.ofMillis(100))).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("provider 'openstack' departed");

        service.unbindCompute(reference);
        assertThat(service.provider("openstack-fra1")).get().extracting(ProviderStatus::state).isEqualTo(ProviderState.DEPARTED);
        assertThat(records(6)).containsExactly(
                "provider-state openstack registered null>STARTING",
                "provider-state openstack active STARTING>ACTIVE",
                "provider-state openstack departed ACTIVE>DEPARTED",
                "provider-state openstack-fra1 registered null>STARTING",
                "provider-state openstack-fra1 active STARTING>ACTIVE",
                "provider-state openstack-fra1 departed ACTIVE>DEPARTED");
    }

    /**
     * A discovery of the old id that is running when the id changes is stopped, as that of a
     * service that leaves (its thread is interrupted), and the new id is discovered at once, not
     * after it. Before, the running call went on and the inventory knew no provider by the new id.
     */
    @Test
    void aDiscoveryOfTheOldIdRunningWhenTheIdChangesIsStopped() throws InterruptedException {
        cloud.hold.set(true);
        service.bindCompute(reference, cloud);
        assertThat(cloud.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first discovery is running").isTrue();

        configure(ProviderProperties.ID, "openstack-fra1");

        assertThat(cloud.interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the old id's discovery was interrupted").isTrue();
        assertThat(service.refresh("openstack-fra1", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(service.provider("openstack")).get().satisfies(old -> {
            assertThat(old.state()).isEqualTo(ProviderState.DEPARTED);
            assertThat(old.resources()).as("it never reported any").isZero();
        });
        assertThat(service.snapshot().nodes()).extracting(Node::id).containsExactly("openstack-fra1:h1");
    }

    /**
     * A version changed in the configuration is a new version of the same provider: the version
     * shown is the new one, and the change is a swap in the provenance log, as a bundle update is.
     * Before, the inventory went on showing the version it was registered with.
     */
    @Test
    void aVersionChangedInTheConfigurationIsASwap() {
        properties.put(ProviderProperties.VERSION, "2024.1");
        service.bindCompute(reference, cloud);
        service.refresh("openstack", WAIT);

        configure(ProviderProperties.VERSION, "2024.2");

        ProviderStatus status = service.refresh("openstack", WAIT);
        assertThat(status.version()).isEqualTo("2024.2");
        assertThat(status.swaps()).isEqualTo(1);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(records(5)).containsExactly(
                "provider-state openstack registered null>STARTING",
                "provider-state openstack active STARTING>ACTIVE",
                "provider-state openstack departed ACTIVE>DEPARTED",
                "swap openstack returned DEPARTED>STARTING",
                "provider-state openstack active STARTING>ACTIVE");
    }

    /** A change of a property the inventory does not list a provider by (the cloud's region) changes nothing there. */
    @Test
    void aChangeOfAnotherPropertyLeavesTheProviderAsItIs() {
        service.bindCompute(reference, cloud);
        ProviderStatus before = service.refresh("openstack", WAIT);

        configure("region", "RegionTwo");

        assertThat(service.providers()).extracting(ProviderStatus::id).containsExactly("openstack");
        ProviderStatus after = service.provider("openstack").orElseThrow();
        assertThat(after.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(after.since()).isEqualTo(before.since());
        assertThat(after.swaps()).isZero();
        assertThat(records(2)).containsExactly(
                "provider-state openstack registered null>STARTING",
                "provider-state openstack active STARTING>ACTIVE");
    }

    /**
     * An id that becomes invalid: the service departs under its old id and is ignored, as a
     * service bound with that id is; once it is valid again, it registers under it.
     */
    @Test
    void anIdThatBecomesInvalidDepartsAndOneMadeValidRegisters() {
        service.bindCompute(reference, cloud);
        service.refresh("openstack", WAIT);

        configure(ProviderProperties.ID, "open stack");
        assertThat(service.providers()).extracting(ProviderStatus::id, ProviderStatus::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("openstack", ProviderState.DEPARTED));

        configure(ProviderProperties.ID, "openstack-fra1");
        assertThat(service.refresh("openstack-fra1", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
    }

    /** The provider records in the provenance log, oldest first, as "kind provider event from>to", once there are at least {@code expected}. */
    private List<String> records(int expected) {
        Instant deadline = Instant.now().plus(WAIT);
        List<String> got = read();
        while (got.size() < expected && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(20); // the recorder writes on the directory's event thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            got = read();
        }
        return got;
    }

    private List<String> read() {
        return store.provenance().find(new AuditFilter(null, null, null, null, null, null, null, 100, false)).stream()
                .filter(r -> r.kind().equals(ProviderRecorder.KIND_STATE) || r.kind().equals(ProviderRecorder.KIND_SWAP))
                .map(ProviderPropertiesChangeTest::line).toList();
    }

    private static String line(LogRecord r) {
        return r.kind() + " " + r.subjects().get("provider") + " " + r.payload().get("event") + " " + r.payload().get("from") + ">"
                + r.payload().get("to");
    }
}
