package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.Capability;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A provider's service that leaves while its discovery runs (its bundle stopped or updated): the
 * call is stopped at once and what it still returns does not replace the view of the service that
 * took over.
 */
class ProviderDeparturesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final AtomicLong serviceIds = new AtomicLong();
    /**
     * The call threads whose last call has ended: told on the thread after its result, which is folded in (or ignored)
     * by then; a thread that starts a call leaves it.
     */
    private final Set<Thread> ended = ConcurrentHashMap.newKeySet();
    private final ProviderDirectory directory = new ProviderDirectory(
            new InventorySettings(Duration.ofHours(1), Duration.ofSeconds(20), WAIT, Duration.ofMinutes(15)),
            new DeadlineExecutor(8, DeadlineExecutor.RETURN_WAIT, () -> ended.remove(Thread.currentThread()),
                    () -> ended.add(Thread.currentThread())),
            Clock.systemUTC());

    @AfterEach
    void close() {
        directory.close();
    }

    private Registration registration(String id, String version, Registration.Discoverer discoverer) {
        return new Registration(id, id, version, "bundle." + id, serviceIds.incrementAndGet(), Capability.COMPUTE, discoverer);
    }

    /**
     * A bundle stopped in the middle of its discovery: the call's thread is interrupted when its
     * service leaves, not when the deadline (20 s here, 30 s by default) passes. Before, the thread
     * went on running the departed bundle's code, its class loader held, until the deadline.
     */
    @Test
    void aDiscoveryRunningWhenItsServiceLeavesIsInterruptedAtOnce() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Registration v1 = registration("metal", "1.0", ctx -> {
            entered.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
            }
            return compute(1, node("n1", "metal", "h"));
        });
        directory.register(v1);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        // the call sleeps for 60 s unless interrupted: the bounds leave a loaded machine room and still tell the two apart
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).as("the departed service's call was interrupted when it left").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);

        // the new version is called at once: the stopped call holds nothing back
        directory.register(registration("metal", "1.1", ctx -> compute(2, node("n1", "metal", "h"))));
        ProviderStatus status = directory.refresh("metal", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.version()).isEqualTo("1.1");
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    /**
     * The old version's discovery, which ignores interruption, returns after the new version has
     * reported: its snapshot, with a later generation (taken when it returned), is the departed
     * bundle's view and does not replace the new version's. Before, it did, and the inventory
     * showed the old version's nodes as AVAILABLE (and the new one's gone) until the next
     * periodic discovery.
     */
    @Test
    void aSnapshotTheDepartedVersionReturnsLateDoesNotReplaceItsSuccessors() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<Thread> old = new AtomicReference<>();
        Registration v1 = registration("metal", "1.0", ctx -> {
            old.set(Thread.currentThread());
            entered.countDown();
            boolean done = false;
            while (!done) {
                try {
                    done = release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    // ignores interruption, as a provider blocked in a socket read does
                }
            }
            returned.countDown();
            return compute(300, node("old-view", "metal", "h"));
        });
        directory.register(v1);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        directory.register(registration("metal", "1.1", ctx -> compute(200, node("new-view", "metal", "h"))));
        assertThat(directory.refresh("metal", WAIT).state()).isEqualTo(ProviderState.ACTIVE);

        release.countDown();
        assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
        // what the old call returned is folded in (or ignored) by the time its thread has ended the call
        long until = System.nanoTime() + WAIT.toNanos();
        while (!ended.contains(old.get())) {
            assertThat(System.nanoTime() - until).as("the old version's call ended").isNegative();
            LockSupport.parkNanos(1_000_000);
        }

        assertThat(directory.inventory().nodes()).extracting(Node::id).containsExactly("new-view");
        ProviderStatus status = directory.status("metal").orElseThrow();
        assertThat(status.version()).isEqualTo("1.1");
        assertThat(status.generation()).isEqualTo(200);
    }

    /**
     * A provider whose GPU service fails withdraws that service while its compute service, which
     * answers, stays: nothing of it fails any more, so it is ACTIVE again and its node AVAILABLE at
     * once. Before, it stayed FAILED with the withdrawn service's message, its node STALE and
     * refused by placement, until the next periodic discovery (a minute by default).
     */
    @Test
    void aProviderWhoseOnlyFailingServiceLeavesIsActiveAgainAtOnce() throws Exception {
        String machineId = "machine-id:" + "e".repeat(32);
        directory.register(registration("metal", "1.0", ctx -> compute(1, TestNodes.machine("n1", "metal", "gpu-host", machineId))));
        Registration gpu = new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU, ctx -> {
            throw new dev.strata.platform.api.exception.ProviderUnavailableException("NVML: driver/library version mismatch");
        });
        directory.register(gpu);
        try {
            directory.refresh("metal", WAIT);
        } catch (dev.strata.platform.api.exception.StrataException expected) {
            // the GPU service fails
        }
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.STALE);

        directory.unregister(gpu.serviceId(), Capability.GPU);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (directory.status("metal").orElseThrow().state() != ProviderState.ACTIVE && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        ProviderStatus status = directory.status("metal").orElseThrow();
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.message()).isNull();
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    /**
     * Refreshing every provider ({@code strata:refresh} without one) takes about as long as its
     * slowest provider, or the wait given for departed ones, not the sum: every discovery starts at
     * once and the departed providers share the one wait. Before, providers were discovered one
     * after another and each departed one was waited for in full: two uninstalled providers made
     * {@code strata:refresh --wait 30} take a minute, plus every provider's discovery time.
     */
    @Test
    void refreshingEveryProviderTakesAsLongAsTheSlowestNotTheSum() {
        for (String id : java.util.List.of("slow-a", "slow-b")) {
            directory.register(registration(id, "1.0", ctx -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return compute(System.nanoTime(), node(id + ":n1", id, "h"));
            }));
            directory.refresh(id, WAIT);
        }
        for (String id : java.util.List.of("gone-a", "gone-b")) {
            Registration r = registration(id, "1.0", ctx -> compute(1, node(id + ":n1", id, "h")));
            directory.register(r);
            directory.refresh(id, WAIT);
            directory.unregister(r.serviceId(), Capability.COMPUTE);
        }

        long start = System.nanoTime();
        directory.refreshAll(Duration.ofMillis(400));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).as("two 500 ms discoveries and two departed providers waited for 400 ms").isLessThan(Duration.ofMillis(1_200));
        assertThat(directory.status("slow-a").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.status("gone-b").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);
    }

    /**
     * A provider re-registered under a new id (its factory configuration renamed, {@code bmc} to
     * {@code bmc-rack1}) reports the nodes its old id did, under the same node ids: the node is the
     * new, live provider's, not the departed one's stale copy. Before, the lower provider id was
     * kept whatever its state, so for the whole grace period (15 minutes by default) the node was
     * STALE and placement refused it, and after a restart (the departed id gone) the other
     * provider's node was kept: which provider won depended on history.
     */
    @Test
    void aNodeThatALiveProviderReportsIsNotHiddenByADepartedProvidersStaleCopy() {
        Registration old = registration("bmc", "1.0", ctx -> compute(1, node("rack1-n07", "bmc", "n07")));
        directory.register(old);
        directory.refresh("bmc", WAIT);
        directory.unregister(old.serviceId(), Capability.COMPUTE);
        directory.register(registration("bmc-rack1", "1.0", ctx -> compute(2, node("rack1-n07", "bmc-rack1", "n07"))));
        directory.refresh("bmc-rack1", WAIT);

        Node node = directory.inventory().node("rack1-n07").orElseThrow();
        assertThat(node.providerId()).isEqualTo("bmc-rack1");
        assertThat(node.state()).isEqualTo(ResourceState.AVAILABLE);
        assertThat(directory.status("bmc-rack1").orElseThrow().warnings()).containsExactly("conflict: node rack1-n07 is reported by "
                + "bmc-rack1 and bmc; keeping bmc-rack1's");
    }
}
